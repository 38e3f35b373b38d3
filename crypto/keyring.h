/*
 * keyring.h - the keyring file beside a registry: who may unlock it, and how.
 *
 * Each user has a slot. A slot holds the user's own X25519 secret key,
 * wrapped with XChaCha20-Poly1305 under a key that Argon2id derives from the
 * user's passphrase, and the user's own Ed25519 signing key (for their audit
 * entries), sealed to that X25519 key with its public half in the slot; the slot header (registry,
 * user, role, KDF parameters, public key) is the authenticated data of that wrapping. The
 * registry's keys (the master key and, for admins and coordinators, the identity key) are sealed to
 * each slot's public key, once per key epoch. That lets an admin rotate the master key for
 * everybody without knowing anyone's passphrase, and leaves a removed user's old slot able to open
 * only keys that no longer open anything. During a rotation a slot carries the new and the previous
 * epoch, so a crash between the files leaves a registry that the remaining users still open.
 *
 * The slot headers (user, role, units, KDF cost, public keys), the sealed
 * keys and the set of slots are signed with the registry's signing key,
 * which only admins hold; every unlock verifies that signature (and the
 * chain of signing keys back to the registry's first) before it reads a
 * slot. This module works on bytes: it never opens a file, never
 * touches the database and never prints (keyring_file.h reads and writes).
 */
#ifndef SIGREG_KEYRING_H
#define SIGREG_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "unitkeys.h"
#include "sigreg/role.h"
#include "sigreg/status.h"

#define SRP_KEYRING_FORMAT "sigreg-keyring/2"
#define SRP_REGISTRY_ID_BYTES 16
/* The largest keyring file that is read. */
#define SRP_KEYRING_MAX_BYTES (16u << 20)
/* The most units one user's slot names. */
#define SRP_KEYRING_MAX_UNITS 1024

typedef struct srp_keyring srp_keyring;

/* The unlocked keys of one session, in guarded memory. */
typedef struct srp_keys {
    uint32_t epoch;                      /* epoch of master */
    unsigned char master[SRP_KEY_BYTES]; /* database, audit and keyring keys derive from it */
    int has_previous;                    /* a rotation is under way */
    uint32_t previous_epoch;
    unsigned char previous[SRP_KEY_BYTES];
    int has_identity;                             /* admins and coordinators only */
    unsigned char identity[SRP_KEY_BYTES];        /* pseudonyms and the code key derive from it */
    int has_signing;                              /* admins only */
    unsigned char signing[SRP_SIGN_SECRET_BYTES]; /* the registry's Ed25519 key (extracts) */
    /* The data key of epoch (and of previous_epoch): the database's key
     * derives from it, not from master. Admins and coordinators only. An
     * epoch sealed before data keys existed has none: its database key
     * derives from that epoch's master key. */
    int has_data;
    unsigned char data[SRP_KEY_BYTES];
    int has_previous_data;
    unsigned char previous_data[SRP_KEY_BYTES];
    /* The identity key of previous_epoch, during a rotation that replaces
     * the identity key (the code key of that epoch is keyed with it). */
    int has_previous_identity;
    unsigned char previous_identity[SRP_KEY_BYTES];
} srp_keys;

/* Sub-key ids under the master key (context "sigregmk"). */
enum {
    SRP_SUBKEY_DATABASE = 1,
    SRP_SUBKEY_AUDIT = 2,
    SRP_SUBKEY_KEYRING = 3,
    SRP_SUBKEY_CODEKEY = 4
};
/* Sub-key ids under the data key (context "sigregdk"). */
enum { SRP_SUBKEY_DATA_DATABASE = 1, SRP_SUBKEY_DATA_PSEUDONYMS = 2 };
/* Sub-key ids under the identity key (context "sigregid"). */
enum { SRP_SUBKEY_PSEUDONYM = 1, SRP_SUBKEY_CODEKEY_ID = 2 };

/* New keys in guarded memory (owned by the caller); NULL when out of memory. */
srp_keys *srp_keys_new(void);
void srp_keys_free(srp_keys *keys);
/* Derives a sub-key of the master key (or of the previous one when previous). */
void srp_keys_master_subkey(const srp_keys *keys, int previous, uint64_t id,
                            unsigned char out[SRP_KEY_BYTES]);
/* The SQLCipher key of the database of the current (or previous) epoch:
 * from that epoch's data key, or, for an epoch sealed before data keys, from
 * its master key. -1 (out wiped) when the epoch has a data key that keys
 * lack (an analyst's slot), 0 otherwise. */
int srp_keys_database_key(const srp_keys *keys, int previous, int epoch_has_data,
                          unsigned char out[SRP_KEY_BYTES]);
/* Whether a role's slot is sealed the data key (admins and coordinators). */
int srp_role_holds_data(sr_role role);
/* Derives a sub-key of the identity key; keys->has_identity must be set. */
void srp_keys_identity_subkey(const srp_keys *keys, uint64_t id, unsigned char out[SRP_KEY_BYTES]);
/* The same of the previous epoch's identity key (the current one when the
 * rotation under way keeps it). */
void srp_keys_previous_identity_subkey(const srp_keys *keys, uint64_t id,
                                       unsigned char out[SRP_KEY_BYTES]);
/* Derives a sub-key of the current epoch's data key; -1 (out wiped) when
 * keys hold none. */
int srp_keys_data_subkey(const srp_keys *keys, uint64_t id, unsigned char out[SRP_KEY_BYTES]);

/* Creates the keyring of a new registry with its first (admin) slot, and new
 * random keys. Both are owned by the caller. */
sr_status srp_keyring_create(const char *admin, const srp_kdf_profile *profile,
                             const unsigned char *pass, size_t pass_len, srp_keyring **out,
                             srp_keys **keys_out, sr_error *err);
/* Unlocks user's slot with a passphrase and verifies the whole keyring.
 * *keys_out is owned by the caller; *role_out gets the slot's role. */
sr_status srp_keyring_unlock(const srp_keyring *kr, const char *user, const unsigned char *pass,
                             size_t pass_len, srp_keys **keys_out, sr_role *role_out,
                             sr_error *err);
/* The two halves of srp_keyring_unlock, so that a long-lived session runs
 * the KDF once: open_slot runs Argon2id on the passphrase and gives the
 * slot's own secret key (a new guarded secret the caller frees);
 * unlock_slot opens the registry keys sealed to that slot (no KDF), also
 * after another process rotated them or changed the passphrase. */
sr_status srp_keyring_open_slot(const srp_keyring *kr, const char *user, const unsigned char *pass,
                                size_t pass_len, sr_secret **slot_out, sr_error *err);
sr_status srp_keyring_unlock_slot(const srp_keyring *kr, const char *user,
                                  const sr_secret *slot_secret, srp_keys **keys_out,
                                  sr_role *role_out, sr_error *err);
/* Signs the keyring as a new version when keys hold the registry signing
 * key (an admin); otherwise only a keyring whose signature still verifies
 * (a user's new passphrase) is written, SR_ERR_DENIED for anything else.
 * Renders it as text (a new malloc'd string
 * the caller frees). Writing it to a file is the caller's (keyring_file.h). */
sr_status srp_keyring_serialize(srp_keyring *kr, const srp_keys *keys, char **out, sr_error *err);
void srp_keyring_free(srp_keyring *kr);

sr_status srp_keyring_add_user(srp_keyring *kr, const srp_keys *keys, const char *user,
                               sr_role role, const srp_kdf_profile *profile,
                               const unsigned char *pass, size_t pass_len, sr_error *err);
sr_status srp_keyring_remove_user(srp_keyring *kr, const char *user, sr_error *err);
/* Re-wraps user's secret under a new passphrase (the old one must be right). */
sr_status srp_keyring_change_passphrase(srp_keyring *kr, const char *user,
                                        const unsigned char *old_pass, size_t old_len,
                                        const unsigned char *new_pass, size_t new_len,
                                        const srp_kdf_profile *profile, sr_error *err);
/* Seals keys (its epoch, and its previous epoch when has_previous) to every
 * slot, replacing what the slots held, and makes keys->epoch current. */
sr_status srp_keyring_reseal(srp_keyring *kr, const srp_keys *keys, sr_error *err);

/* Queries. Strings are borrowed from kr. */
const char *srp_keyring_registry_id(const srp_keyring *kr);
const char *srp_keyring_default_user(const srp_keyring *kr);
/* The registry's Ed25519 public key (borrowed, SRP_SIGN_PUBLIC_BYTES). */
const unsigned char *srp_keyring_signing_public(const srp_keyring *kr);
uint32_t srp_keyring_epoch(const srp_keyring *kr);
/* The first key epoch that has a data key (0: none yet, the database is
 * under the master key: a registry of an earlier release). Signed. */
uint32_t srp_keyring_data_epoch(const srp_keyring *kr);
/* Records that the keys being sealed (epoch) are the first with a data key;
 * the keyring is signed with it when written. */
void srp_keyring_set_data_epoch(srp_keyring *kr, uint32_t epoch);
/* What a publisher certificate signs: that user (role, units), of the
 * registry, publishes with the Ed25519 key pk, as certified by the registry
 * signing key of signing_epoch. */
void srp_publisher_cert_digest(const char *registry_id, uint32_t signing_epoch, const char *user,
                               const char *role, const char *const *units, size_t unit_count,
                               const unsigned char pk[SRP_SIGN_PUBLIC_BYTES],
                               unsigned char out[SRP_MAC_BYTES]);
/* The registry signing key's (newest epoch's) signature over that digest for
 * user's slot, made with the keyring's signature (borrowed,
 * SRP_SIGNATURE_BYTES); NULL for an analyst, an unknown user or a keyring
 * signed before certificates. Trust it only from a verified keyring, and
 * check it anyway: it is not covered by the keyring's signature. */
const unsigned char *srp_keyring_publisher_cert(const srp_keyring *kr, const char *user);
/* Whether the code key has no clear rows to seal any more: an admin sealed
 * those of an earlier release under unit keys (a new registry's has none).
 * From then on no clear row is sealed, read or written (codekey.h). Signed;
 * set_ records it for the keyring's next (signed) write. */
int srp_keyring_codekey_sealed(const srp_keyring *kr);
void srp_keyring_set_codekey_sealed(srp_keyring *kr, int sealed);
size_t srp_keyring_user_count(const srp_keyring *kr);
/* The i-th user: name, role and KDF profile name. */
void srp_keyring_user_at(const srp_keyring *kr, size_t i, const char **name, sr_role *role,
                         const char **profile);
/* The Argon2id cost of the i-th user's slot. */
void srp_keyring_user_kdf(const srp_keyring *kr, size_t i, unsigned long long *opslimit,
                          size_t *memlimit);
/* The user's own Ed25519 public key (borrowed, SRP_SIGN_PUBLIC_BYTES), or
 * NULL when there is no such user or the slot predates signing keys. Trust
 * it only from a keyring whose signature was verified. */
const unsigned char *srp_keyring_user_sign_public(const srp_keyring *kr, const char *user);
/* Whether a slot secret from srp_keyring_open_slot holds the user's own
 * signing key, and a signature with it (SR_ERR_STATE when it holds none). */
int srp_keyring_slot_can_sign(const sr_secret *slot_secret);
/* Copies the slot's own Ed25519 secret into out (SRP_SIGN_SECRET_BYTES, the
 * caller's guarded memory), for a signer that takes the key itself (the
 * container of a publication); SR_ERR_STATE when the slot holds none. */
sr_status srp_keyring_slot_sign_secret(const sr_secret *slot_secret, unsigned char *out,
                                       sr_error *err);
sr_status srp_keyring_slot_sign(const sr_secret *slot_secret, const void *msg, size_t len,
                                unsigned char sig[SRP_SIGNATURE_BYTES], sr_error *err);
/* 0 and *role set when user has a slot, -1 otherwise. */
int srp_keyring_find_user(const srp_keyring *kr, const char *user, sr_role *role);
/* The X25519 public key of user's slot (borrowed, SRP_BOX_PUBLIC_BYTES), or
 * NULL when user has none: what publications are sealed to. */
const unsigned char *srp_keyring_user_public(const srp_keyring *kr, const char *user);

/* Checks the signing chain and the keyring's signature (SR_ERR_TAMPERED);
 * SR_ERR_STATE for a keyring of the first format, which has none. Unlocking
 * does this before it reads anything from a slot. */
sr_status srp_keyring_verify(const srp_keyring *kr, sr_error *err);
/* Whether kr was read as "sigreg-keyring/1" and not yet upgraded. */
int srp_keyring_is_legacy(const srp_keyring *kr);
/* Turns a first-format keyring into a signed one: every slot without a
 * signing key of its own gets one (sealed to the slot: the upgrading admin
 * never needs another user's passphrase), the current registry signing key
 * becomes the chain's root. Units come next, with srp_keyring_set_units; the
 * signature is made when the keyring is written. Admins only. */
sr_status srp_keyring_upgrade(srp_keyring *kr, const srp_keys *keys, sr_error *err);
/* The signed version counter, the signing epoch (the chain's length) and
 * the chain's public key of an epoch (borrowed; NULL outside 1..epoch). */
uint64_t srp_keyring_version(const srp_keyring *kr);
uint32_t srp_keyring_signing_epoch(const srp_keyring *kr);
const unsigned char *srp_keyring_signing_key_at(const srp_keyring *kr, uint32_t epoch);
/* The signature of the chain's key of an epoch by the key before it (the
 * first key's by itself; borrowed, SRP_SIGNATURE_BYTES; NULL outside
 * 1..epoch): what extracts and publications copy into their signer_chain. */
const unsigned char *srp_keyring_signing_sig_at(const srp_keyring *kr, uint32_t epoch);
/* Appends new_keys' signing key to the chain, signed by old_keys' (the
 * current one). The keyring is signed with the new key when written. */
sr_status srp_keyring_rotate_signing(srp_keyring *kr, const srp_keys *old_keys,
                                     const srp_keys *new_keys, sr_error *err);
/* Undoes the last rotate_signing of a keyring not written since. */
void srp_keyring_drop_newest_signing(srp_keyring *kr);
/* The units a user works in, signed with their slot: replaced by set_units
 * (sorted, repeats dropped), borrowed from user_units (-1: no such user). */
sr_status srp_keyring_set_units(srp_keyring *kr, const char *user, const char *const *units,
                                size_t count, sr_error *err);
int srp_keyring_user_units(const srp_keyring *kr, const char *user, const char *const **units,
                           size_t *count);
int srp_keyring_user_in_unit(const srp_keyring *kr, const char *user, const char *unit);

/* Unit keys (unitkeys.h). seal_unit_keys replaces what every slot holds
 * with uk's keys that its role may hold: an admin's slot every unit's, a
 * coordinator's those of the units its signed header names, an analyst's
 * none (so a changed set of units gives or takes keys at the next call).
 * The keyring is signed with them when written. open_unit_keys opens the
 * unit keys sealed to user's slot into a new table the caller frees (after
 * verifying the keyring; no KDF). unit_key_count: how many user's slot holds. */
sr_status srp_keyring_seal_unit_keys(srp_keyring *kr, const srp_unit_keys *uk, sr_error *err);
sr_status srp_keyring_open_unit_keys(const srp_keyring *kr, const char *user,
                                     const sr_secret *slot_secret, srp_unit_keys **out,
                                     sr_error *err);
size_t srp_keyring_unit_key_count(const srp_keyring *kr, const char *user);
/* Whether any slot holds a unit key: from then on the code key is written
 * sealed only (codekey.h). */
int srp_keyring_has_unit_keys(const srp_keyring *kr);

/* The work a rotation of the identity key leaves to whoever finishes it: an
 * opaque blob (the new pseudonyms, encrypted by the registry under the new
 * data key), carried from the rotation's first keyring write to its last and
 * signed with the rest. set copies data (NULL: drops it); rotation_data
 * borrows it (NULL when there is none). */
sr_status srp_keyring_set_rotation_data(srp_keyring *kr, const unsigned char *data, size_t len,
                                        sr_error *err);
const unsigned char *srp_keyring_rotation_data(const srp_keyring *kr, size_t *len);

/* Parses a keyring from memory (for the fuzzer and for srp_keyring_read). */
sr_status srp_keyring_parse(const unsigned char *data, size_t len, const char *where,
                            srp_keyring **out, sr_error *err);

#endif
