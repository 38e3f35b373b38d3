/*
 * keyring.c - key slots, sealed registry keys and the keyring file format.
 *
 * File format (JSON, "sigreg-keyring/2"):
 *   {"format", "registry", "default_user", "version", "epoch", "data_epoch",
 *    "codekey_sealed",
 *    "signing_chain": [{"epoch", "public_key", "signature"}],
 *    "slots": [{"user", "role", "units", "kdf": {"algorithm", "profile",
 *               "opslimit", "memlimit"}, "salt", "public_key", "nonce",
 *               "wrapped_secret", "sign_public_key", "sign_secret",
 *               "sealed": [{"epoch", "keys"}],
 *               "unit_keys": [{"unit", "generation", "keys"}]}],
 *    "signature"}
 * Binary fields are base64. "signature" is Ed25519, by the newest key of
 * the signing chain, over a hash of every field except each slot's salt,
 * nonce and wrapped_secret (which its own user rewrites with a new
 * passphrase; the wrapping's associated data binds them to the signed
 * header). The chain's first key signs itself with the registry id, every
 * later key is signed by the one before; "version" grows with every
 * signature, so that a user who saw a newer one refuses an older one.
 *
 * Each "sealed" entry holds, sealed to the slot's X25519 key, the master
 * key of its epoch and, by role, the data key (admins and coordinators: the
 * database's key derives from it), the identity key and the registry
 * signing key. "data_epoch" is the first epoch that has a data key; a
 * keyring without it is of a release whose database key derived from the
 * master key, and an admin's unlock rotates it to one with a data key.
 *
 * "pseudonyms" (absent but during a rotation of the identity key) holds
 * the new pseudonyms of every case, encrypted by the registry under the new
 * data key (srp_keyring_set_rotation_data): what any holder of that key
 * needs to finish the rotation. It is signed with the rest.
 *
 * "codekey_sealed" (absent until then) says that an admin has sealed the
 * clear rows of an earlier release's code key under unit keys: from then on
 * a clear row is one somebody planted, and none is sealed (codekey.h).
 *
 * "publisher_cert" (coordinators and admins; absent from keyrings signed
 * before it) is the registry signing key's signature, made with each
 * signature of the keyring, over srp_publisher_cert_digest of the slot's
 * user, role, units and own signing key: what a publication signed with
 * that key carries, so that a reader without the registry checks it
 * against the registry's key. It is not part of the keyring's digest.
 *
 * "unit_keys" (absent when empty) holds the unit keys the slot's role
 * and units entitle it to, each sealed to the slot's X25519 key
 * (unitkeys.h); they are signed with the rest, so a slot cannot give itself
 * another unit's key.
 *
 * "sigreg-keyring/1" (the first release) had no chain, version, units or
 * signature but a MAC under a sub-key of the master key, and slots without
 * signing keys. It is still read, and verified by its MAC, so that an
 * admin's first unlock can upgrade it (srp_keyring_upgrade).
 */
#include "keyring.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/names.h"
#include "sigreg/limits.h"
#include "container.h"

#define MAX_SLOTS 4096
#define MAX_UNITS 1024      /* units of one slot */
#define MAX_CHAIN 4096      /* signing-key epochs */
#define MAX_UNIT_SEALS 8192 /* unit keys sealed to one slot (units x generations) */
#define LEGACY_FORMAT "sigreg-keyring/1"

#define SEAL_VERSION 1
#define SEAL_FLAG_IDENTITY 1
#define SEAL_FLAG_SIGNING 2
#define SEAL_FLAG_DATA 4
/* version, flags, master key, [data key], [identity key], [signing key] */
#define SEAL_PAYLOAD_MAX (2 + 3 * SRP_KEY_BYTES + SRP_SIGN_SECRET_BYTES)
#define WRAPPED_BYTES (SRP_BOX_SECRET_BYTES + SRP_AEAD_TAG_BYTES)
#define SIGN_SEALED_BYTES (SRP_SIGN_SECRET_BYTES + SRP_SEAL_OVERHEAD)
/* A slot secret: the X25519 secret, then (slots with a signing key) the
 * user's own Ed25519 secret. */
#define SLOT_SECRET_BYTES (SRP_BOX_SECRET_BYTES + SRP_SIGN_SECRET_BYTES)

static const char master_context[8] = {'s', 'i', 'g', 'r', 'e', 'g', 'm', 'k'};
static const char identity_context[8] = {'s', 'i', 'g', 'r', 'e', 'g', 'i', 'd'};
static const char data_context[8] = {'s', 'i', 'g', 'r', 'e', 'g', 'd', 'k'};

typedef struct sealed_keys {
    uint32_t epoch;
    size_t len;
    unsigned char blob[SEAL_PAYLOAD_MAX + SRP_SEAL_OVERHEAD];
} sealed_keys;

/* One unit key of one generation, sealed to a slot. */
typedef struct unit_seal {
    char unit[SR_UNIT_CODE_MAX + 1];
    uint32_t generation;
    unsigned char blob[SRP_KEY_BYTES + SRP_SEAL_OVERHEAD];
} unit_seal;

typedef struct slot {
    char *user;
    sr_role role;
    char *profile;
    unsigned long long opslimit;
    size_t memlimit;
    unsigned char salt[SRP_SALT_BYTES];
    unsigned char public_key[SRP_BOX_PUBLIC_BYTES];
    unsigned char nonce[SRP_AEAD_NONCE_BYTES];
    unsigned char wrapped[WRAPPED_BYTES];
    int has_sign; /* the user's own Ed25519 key pair (slots made before it have none) */
    unsigned char sign_public[SRP_SIGN_PUBLIC_BYTES];
    unsigned char sign_sealed[SIGN_SEALED_BYTES]; /* the secret, sealed to public_key */
    size_t sealed_count;                          /* 1, or 2 during a rotation */
    sealed_keys sealed[2];
    char **units; /* sorted, distinct; signed with the header */
    size_t unit_count;
    unit_seal *unit_seals; /* the unit keys this slot holds, sealed to public_key */
    /* The registry signing key's certificate of the user's own key as a
     * publisher (srp_publisher_cert_digest): coordinators and admins. */
    int has_cert;
    unsigned char cert[SRP_SIGNATURE_BYTES];
    size_t unit_seal_count;
} slot;

/* One registry signing key: the first signs itself together with the
 * registry id, every later one is signed by the one before. */
typedef struct chain_link {
    uint32_t epoch;
    unsigned char public_key[SRP_SIGN_PUBLIC_BYTES];
    unsigned char signature[SRP_SIGNATURE_BYTES];
} chain_link;

struct srp_keyring {
    char registry_id[2 * SRP_REGISTRY_ID_BYTES + 1];
    char *default_user;
    uint32_t epoch;
    uint32_t data_epoch; /* the first epoch with a data key; 0: none yet */
    int codekey_sealed;  /* the code key's clear rows have been sealed (signed) */
    size_t slot_count;
    size_t slot_cap; /* slots allocated */
    slot *slots;
    unsigned char signing_public[SRP_SIGN_PUBLIC_BYTES]; /* the newest link of chain */
    int legacy;                       /* read as sigreg-keyring/1: MAC'd, not signed */
    unsigned char mac[SRP_MAC_BYTES]; /* legacy: as read from the file */
    uint64_t version;                 /* bumped by every signature */
    chain_link *chain;
    size_t chain_count;
    unsigned char signature[SRP_SIGNATURE_BYTES];
    unsigned char *rotation; /* a rotation's pending work (opaque), NULL when none */
    size_t rotation_len;
};

/* ---- keys ---------------------------------------------------------------- */

srp_keys *srp_keys_new(void)
{
    srp_keys *keys = sodium_malloc(sizeof *keys);
    if (keys)
        sodium_memzero(keys, sizeof *keys);
    return keys;
}

void srp_keys_free(srp_keys *keys)
{
    sodium_free(keys); /* wipes; NULL is a no-op */
}

void srp_keys_master_subkey(const srp_keys *keys, int previous, uint64_t id,
                            unsigned char out[SRP_KEY_BYTES])
{
    srp_kdf_subkey(out, id, master_context, previous ? keys->previous : keys->master);
}

int srp_role_holds_data(sr_role role)
{
    return role == SR_ROLE_ADMIN || role == SR_ROLE_COORDINATOR;
}

int srp_keys_database_key(const srp_keys *keys, int previous, int epoch_has_data,
                          unsigned char out[SRP_KEY_BYTES])
{
    int has = previous ? keys->has_previous_data : keys->has_data;
    if (has) {
        srp_kdf_subkey(out, SRP_SUBKEY_DATA_DATABASE, data_context,
                       previous ? keys->previous_data : keys->data);
        return 0;
    }
    if (epoch_has_data) {
        srp_wipe(out, SRP_KEY_BYTES);
        return -1;
    }
    srp_keys_master_subkey(keys, previous, SRP_SUBKEY_DATABASE, out);
    return 0;
}

void srp_keys_identity_subkey(const srp_keys *keys, uint64_t id, unsigned char out[SRP_KEY_BYTES])
{
    srp_kdf_subkey(out, id, identity_context, keys->identity);
}

void srp_keys_previous_identity_subkey(const srp_keys *keys, uint64_t id,
                                       unsigned char out[SRP_KEY_BYTES])
{
    srp_kdf_subkey(out, id, identity_context,
                   keys->has_previous_identity ? keys->previous_identity : keys->identity);
}

int srp_keys_data_subkey(const srp_keys *keys, uint64_t id, unsigned char out[SRP_KEY_BYTES])
{
    if (!keys->has_data) {
        srp_wipe(out, SRP_KEY_BYTES);
        return -1;
    }
    srp_kdf_subkey(out, id, data_context, keys->data);
    return 0;
}

/* ---- slot cryptography ----------------------------------------------------- */

/* The slot header as associated data: a hash of its length-prefixed fields. */
static void slot_header_ad(const srp_keyring *kr, const slot *s, unsigned char ad[SRP_MAC_BYTES])
{
    srp_mac_state *st = srp_mac_begin(NULL);
    if (!st) {
        memset(ad, 0, SRP_MAC_BYTES); /* decryption will then fail closed */
        return;
    }
    unsigned char num[16];
    /* The label of the first format, kept so that a slot wrapped then
     * still opens: the wrapping does not depend on the file's format. */
    srp_mac_field(st, LEGACY_FORMAT, strlen(LEGACY_FORMAT));
    srp_mac_field(st, kr->registry_id, strlen(kr->registry_id));
    srp_mac_field(st, s->user, strlen(s->user));
    const char *role = sr_role_name(s->role);
    srp_mac_field(st, role, strlen(role));
    srp_mac_field(st, s->profile, strlen(s->profile));
    for (int i = 0; i < 8; i++)
        num[i] = (unsigned char)(s->opslimit >> (8 * i));
    for (int i = 0; i < 8; i++)
        num[8 + i] = (unsigned char)((unsigned long long)s->memlimit >> (8 * i));
    srp_mac_field(st, num, sizeof num);
    srp_mac_field(st, s->salt, sizeof s->salt);
    srp_mac_field(st, s->public_key, sizeof s->public_key);
    srp_mac_end(st, ad);
}

/* Wraps secret_key under a key derived from the passphrase into s. */
static sr_status slot_wrap(const srp_keyring *kr, slot *s, const srp_kdf_profile *profile,
                           const unsigned char *pass, size_t pass_len,
                           const unsigned char secret_key[SRP_BOX_SECRET_BYTES], sr_error *err)
{
    sr_status rc;
    char *profile_name = strdup(profile->name);
    sr_secret *kek = sr_secret_new(SRP_KEY_BYTES);
    if (!profile_name || !kek) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    free(s->profile);
    s->profile = profile_name;
    profile_name = NULL;
    s->opslimit = profile->opslimit;
    s->memlimit = profile->memlimit;
    srp_random_bytes(s->salt, sizeof s->salt);
    rc = srp_kdf_passphrase(sr_secret_data(kek), pass, pass_len, s->salt, s->opslimit, s->memlimit,
                            err);
    if (rc != SR_OK)
        goto out;
    unsigned char ad[SRP_MAC_BYTES];
    slot_header_ad(kr, s, ad);
    srp_aead_encrypt(s->wrapped, s->nonce, secret_key, SRP_BOX_SECRET_BYTES, ad, sizeof ad,
                     sr_secret_data(kek));
out:
    free(profile_name);
    sr_secret_free(kek);
    return rc;
}

/* Unwraps s's secret key with a passphrase into secret_key. */
static sr_status slot_unwrap(const srp_keyring *kr, const slot *s, const unsigned char *pass,
                             size_t pass_len, unsigned char secret_key[SRP_BOX_SECRET_BYTES],
                             sr_error *err)
{
    sr_secret *kek = sr_secret_new(SRP_KEY_BYTES);
    if (!kek)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_status rc = srp_kdf_passphrase(sr_secret_data(kek), pass, pass_len, s->salt, s->opslimit,
                                      s->memlimit, err);
    if (rc == SR_OK) {
        unsigned char ad[SRP_MAC_BYTES];
        slot_header_ad(kr, s, ad);
        if (srp_aead_decrypt(secret_key, s->wrapped, sizeof s->wrapped, s->nonce, ad, sizeof ad,
                             sr_secret_data(kek)) != 0)
            rc = srp_error_set(err, SR_ERR_AUTH, "wrong passphrase for user '%s'", s->user);
        else if (!srp_box_pair_matches(s->public_key, secret_key))
            rc = srp_error_set(err, SR_ERR_TAMPERED, "the key slot of user '%s' is damaged",
                               s->user);
    }
    sr_secret_free(kek);
    return rc;
}

/* Gives s a new Ed25519 key pair of its own: the public key in the header,
 * the secret sealed to the slot's X25519 key (so only the slot's passphrase
 * opens it, and an upgrade can add one without that passphrase). */
static sr_status slot_give_sign_key(slot *s, sr_error *err)
{
    sr_secret *sk = sr_secret_new(SRP_SIGN_SECRET_BYTES);
    if (!sk)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    srp_sign_keypair(s->sign_public, sr_secret_data(sk));
    sr_status rc =
        srp_box_seal(s->sign_sealed, sr_secret_cdata(sk), SRP_SIGN_SECRET_BYTES, s->public_key);
    sr_secret_free(sk);
    if (rc != SR_OK)
        return srp_error_set(err, SR_ERR_CRYPTO, "cannot seal the signing key of user '%s'",
                             s->user);
    s->has_sign = 1;
    return SR_OK;
}

/* Opens s's own signing secret with the slot's X25519 secret into out. */
static sr_status slot_open_sign_key(const slot *s,
                                    const unsigned char box_secret[SRP_BOX_SECRET_BYTES],
                                    unsigned char out[SRP_SIGN_SECRET_BYTES], sr_error *err)
{
    if (srp_box_seal_open(out, s->sign_sealed, sizeof s->sign_sealed, s->public_key, box_secret) !=
            0 ||
        !srp_sign_pair_matches(s->sign_public, out)) {
        srp_wipe(out, SRP_SIGN_SECRET_BYTES);
        return srp_error_set(err, SR_ERR_TAMPERED, "the signing key of user '%s' is damaged",
                             s->user);
    }
    return SR_OK;
}

/* Seals the keys of one epoch to a slot. */
static sr_status seal_for_slot(slot *s, sealed_keys *out, uint32_t epoch,
                               const unsigned char master[SRP_KEY_BYTES], const unsigned char *data,
                               const unsigned char *identity, const srp_keys *keys, sr_error *err)
{
    sr_secret *payload = sr_secret_new(SEAL_PAYLOAD_MAX);
    if (!payload)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    unsigned char *p = sr_secret_data(payload);
    size_t len = 2 + SRP_KEY_BYTES;
    p[0] = SEAL_VERSION;
    p[1] = 0;
    memcpy(p + 2, master, SRP_KEY_BYTES);
    sr_status rc = SR_OK;
    /* The data key of an epoch that has one, to the roles that hold it. */
    if (data && srp_role_holds_data(s->role)) {
        p[1] |= SEAL_FLAG_DATA;
        memcpy(p + len, data, SRP_KEY_BYTES);
        len += SRP_KEY_BYTES;
    }
    if (sr_role_holds_identity(s->role)) {
        if (!keys->has_identity) {
            rc = srp_error_set(err, SR_ERR_DENIED,
                               "only a holder of the identity key can give user '%s' the role %s",
                               s->user, sr_role_name(s->role));
            goto out;
        }
        p[1] |= SEAL_FLAG_IDENTITY;
        memcpy(p + len, identity, SRP_KEY_BYTES);
        len += SRP_KEY_BYTES;
    }
    if (s->role == SR_ROLE_ADMIN) {
        if (!keys->has_signing) {
            rc = srp_error_set(err, SR_ERR_DENIED,
                               "only an admin can give user '%s' the role admin", s->user);
            goto out;
        }
        p[1] |= SEAL_FLAG_SIGNING;
        memcpy(p + len, keys->signing, SRP_SIGN_SECRET_BYTES);
        len += SRP_SIGN_SECRET_BYTES;
    }
    if (srp_box_seal(out->blob, p, len, s->public_key) != SR_OK) {
        rc = srp_error_set(err, SR_ERR_CRYPTO, "cannot seal the keys for user '%s'", s->user);
        goto out;
    }
    out->len = len + SRP_SEAL_OVERHEAD;
    out->epoch = epoch;
out:
    sr_secret_free(payload);
    return rc;
}

static sr_status seal_all_epochs(slot *s, const srp_keys *keys, sr_error *err)
{
    slot fresh = *s;
    fresh.sealed_count = 0;
    sr_status rc = seal_for_slot(&fresh, &fresh.sealed[0], keys->epoch, keys->master,
                                 keys->has_data ? keys->data : NULL, keys->identity, keys, err);
    if (rc == SR_OK)
        fresh.sealed_count = 1;
    /* The previous epoch with its own identity key, when the rotation
     * replaces it: its code key is keyed with that one. */
    if (rc == SR_OK && keys->has_previous) {
        rc = seal_for_slot(&fresh, &fresh.sealed[1], keys->previous_epoch, keys->previous,
                           keys->has_previous_data ? keys->previous_data : NULL,
                           keys->has_previous_identity ? keys->previous_identity : keys->identity,
                           keys, err);
        if (rc == SR_OK)
            fresh.sealed_count = 2;
    }
    if (rc == SR_OK) {
        memcpy(s->sealed, fresh.sealed, sizeof s->sealed);
        s->sealed_count = fresh.sealed_count;
    }
    return rc;
}

/* ---- keyring MAC ------------------------------------------------------------- */

static void put_u64(srp_mac_state *st, unsigned long long v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    srp_mac_field(st, b, sizeof b);
}

static sr_status keyring_mac(const srp_keyring *kr, const srp_keys *keys,
                             unsigned char out[SRP_MAC_BYTES], sr_error *err)
{
    unsigned char key[SRP_KEY_BYTES];
    srp_keys_master_subkey(keys, 0, SRP_SUBKEY_KEYRING, key);
    srp_mac_state *st = srp_mac_begin(key);
    srp_wipe(key, sizeof key);
    if (!st)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    srp_mac_field(st, LEGACY_FORMAT, strlen(LEGACY_FORMAT));
    srp_mac_field(st, kr->registry_id, strlen(kr->registry_id));
    srp_mac_field(st, kr->default_user, strlen(kr->default_user));
    srp_mac_field(st, kr->signing_public, sizeof kr->signing_public);
    put_u64(st, kr->epoch);
    put_u64(st, kr->slot_count);
    for (size_t i = 0; i < kr->slot_count; i++) {
        const slot *s = &kr->slots[i];
        unsigned char ad[SRP_MAC_BYTES];
        slot_header_ad(kr, s, ad);
        srp_mac_field(st, ad, sizeof ad);
        srp_mac_field(st, s->nonce, sizeof s->nonce);
        srp_mac_field(st, s->wrapped, sizeof s->wrapped);
        if (s->has_sign) { /* absent from slots made before signing keys */
            srp_mac_field(st, s->sign_public, sizeof s->sign_public);
            srp_mac_field(st, s->sign_sealed, sizeof s->sign_sealed);
        }
        put_u64(st, s->sealed_count);
        for (size_t j = 0; j < s->sealed_count; j++) {
            put_u64(st, s->sealed[j].epoch);
            srp_mac_field(st, s->sealed[j].blob, s->sealed[j].len);
        }
    }
    srp_mac_end(st, out);
    return SR_OK;
}

/* ---- keyring signature ------------------------------------------------------------ */

static void put_u64_hash(srp_mac_state *st, unsigned long long v)
{
    put_u64(st, v);
}

void srp_publisher_cert_digest(const char *registry_id, uint32_t signing_epoch, const char *user,
                               const char *role, const char *const *units, size_t unit_count,
                               const unsigned char pk[SRP_SIGN_PUBLIC_BYTES],
                               unsigned char out[SRP_MAC_BYTES])
{
    srp_mac_state *st = srp_mac_begin(NULL);
    if (!st) {
        memset(out, 0, SRP_MAC_BYTES); /* verification then fails closed */
        return;
    }
    static const char label[] = "sigreg publisher certificate/1";
    srp_mac_field(st, label, sizeof label - 1);
    srp_mac_field(st, registry_id, strlen(registry_id));
    put_u64_hash(st, signing_epoch);
    srp_mac_field(st, user, strlen(user));
    srp_mac_field(st, role, strlen(role));
    put_u64_hash(st, unit_count);
    for (size_t u = 0; u < unit_count; u++)
        srp_mac_field(st, units[u], strlen(units[u]));
    srp_mac_field(st, pk, SRP_SIGN_PUBLIC_BYTES);
    srp_mac_end(st, out);
}

/* Certifies the own key of every slot that may publish, with the key that
 * signs the keyring now (its newest epoch). */
static void certify_publishers(srp_keyring *kr, const srp_keys *keys)
{
    for (size_t i = 0; i < kr->slot_count; i++) {
        slot *s = &kr->slots[i];
        s->has_cert = 0;
        if (s->role == SR_ROLE_ANALYST || !s->has_sign)
            continue;
        unsigned char digest[SRP_MAC_BYTES];
        srp_publisher_cert_digest(kr->registry_id, (uint32_t)kr->chain_count, s->user,
                                  sr_role_name(s->role), (const char *const *)s->units,
                                  s->unit_count, s->sign_public, digest);
        srp_sign(s->cert, digest, sizeof digest, keys->signing);
        s->has_cert = 1;
    }
}

/* What the registry signing key signs: everything but the part of each slot
 * that its own user rewrites with a new passphrase (salt, nonce, wrapped
 * secret; the wrapping binds them to the signed header). */
static sr_status keyring_digest(const srp_keyring *kr, unsigned char out[SRP_MAC_BYTES],
                                sr_error *err)
{
    srp_mac_state *st = srp_mac_begin(NULL);
    if (!st)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    srp_mac_field(st, SRP_KEYRING_FORMAT, strlen(SRP_KEYRING_FORMAT));
    srp_mac_field(st, kr->registry_id, strlen(kr->registry_id));
    srp_mac_field(st, kr->default_user, strlen(kr->default_user));
    put_u64_hash(st, kr->version);
    put_u64_hash(st, kr->epoch);
    put_u64_hash(st, kr->chain_count);
    for (size_t i = 0; i < kr->chain_count; i++) {
        put_u64_hash(st, kr->chain[i].epoch);
        srp_mac_field(st, kr->chain[i].public_key, SRP_SIGN_PUBLIC_BYTES);
        srp_mac_field(st, kr->chain[i].signature, SRP_SIGNATURE_BYTES);
    }
    put_u64_hash(st, kr->slot_count);
    for (size_t i = 0; i < kr->slot_count; i++) {
        const slot *s = &kr->slots[i];
        srp_mac_field(st, s->user, strlen(s->user));
        const char *role = sr_role_name(s->role);
        srp_mac_field(st, role, strlen(role));
        put_u64_hash(st, s->unit_count);
        for (size_t u = 0; u < s->unit_count; u++)
            srp_mac_field(st, s->units[u], strlen(s->units[u]));
        srp_mac_field(st, "argon2id13", 10);
        srp_mac_field(st, s->profile, strlen(s->profile));
        put_u64_hash(st, s->opslimit);
        put_u64_hash(st, s->memlimit);
        srp_mac_field(st, s->public_key, sizeof s->public_key);
        put_u64_hash(st, (unsigned long long)s->has_sign);
        srp_mac_field(st, s->sign_public, sizeof s->sign_public);
        srp_mac_field(st, s->sign_sealed, sizeof s->sign_sealed);
        put_u64_hash(st, s->sealed_count);
        for (size_t j = 0; j < s->sealed_count; j++) {
            put_u64_hash(st, s->sealed[j].epoch);
            srp_mac_field(st, s->sealed[j].blob, s->sealed[j].len);
        }
    }
    /* Absent from keyrings signed before data keys, which still verify. */
    if (kr->data_epoch) {
        srp_mac_field(st, "data_epoch", 10);
        put_u64_hash(st, kr->data_epoch);
    }
    /* Absent but during a rotation of the identity key. */
    if (kr->rotation) {
        srp_mac_field(st, "pseudonyms", 10);
        srp_mac_field(st, kr->rotation, kr->rotation_len);
    }
    /* Absent from keyrings signed before it, which still verify. */
    if (kr->codekey_sealed) {
        srp_mac_field(st, "codekey_sealed", 14);
        put_u64_hash(st, 1);
    }
    /* Absent from keyrings signed before unit keys, which still verify. */
    size_t seals = 0;
    for (size_t i = 0; i < kr->slot_count; i++)
        seals += kr->slots[i].unit_seal_count;
    if (seals) {
        srp_mac_field(st, "unit_keys", 9);
        for (size_t i = 0; i < kr->slot_count; i++) {
            const slot *s = &kr->slots[i];
            put_u64_hash(st, s->unit_seal_count);
            for (size_t j = 0; j < s->unit_seal_count; j++) {
                srp_mac_field(st, s->unit_seals[j].unit, strlen(s->unit_seals[j].unit));
                put_u64_hash(st, s->unit_seals[j].generation);
                srp_mac_field(st, s->unit_seals[j].blob, sizeof s->unit_seals[j].blob);
            }
        }
    }
    srp_mac_end(st, out);
    return SR_OK;
}

/* The message a chain link's signature covers (the one a container's
 * signer_chain is checked with: container.h). */
static void chain_message(const srp_keyring *kr, const chain_link *l,
                          unsigned char out[SRP_MAC_BYTES])
{
    srp_signing_rotation_digest(kr->registry_id, l->epoch, l->public_key, out);
}

static sr_status chain_verify(const srp_keyring *kr, sr_error *err)
{
    for (size_t i = 0; i < kr->chain_count; i++) {
        const chain_link *l = &kr->chain[i];
        const unsigned char *by = i == 0 ? l->public_key : kr->chain[i - 1].public_key;
        unsigned char msg[SRP_MAC_BYTES];
        chain_message(kr, l, msg);
        if (l->epoch != i + 1 || srp_sign_verify(l->signature, msg, sizeof msg, by) != 0)
            return srp_error_set(err, SR_ERR_TAMPERED,
                                 "the keyring has been altered: signing key %zu of the registry "
                                 "is not signed by the key before it",
                                 i + 1);
    }
    return SR_OK;
}

sr_status srp_keyring_verify(const srp_keyring *kr, sr_error *err)
{
    if (kr->legacy)
        return srp_error_set(err, SR_ERR_STATE,
                             "the keyring is from an older release and not yet signed");
    sr_status rc = chain_verify(kr, err);
    if (rc != SR_OK)
        return rc;
    unsigned char digest[SRP_MAC_BYTES];
    rc = keyring_digest(kr, digest, err);
    if (rc != SR_OK)
        return rc;
    if (srp_sign_verify(kr->signature, digest, sizeof digest, kr->signing_public) != 0)
        return srp_error_set(err, SR_ERR_TAMPERED,
                             "the keyring has been altered: its signature does not verify (a "
                             "user, role, unit or KDF cost was added, removed or changed without "
                             "the registry's signing key)");
    return SR_OK;
}

/* Signs kr as a new version with keys' signing key (the newest link). */
static sr_status keyring_sign(srp_keyring *kr, const srp_keys *keys, sr_error *err)
{
    if (!keys->has_signing || kr->chain_count == 0 ||
        !srp_sign_pair_matches(kr->signing_public, keys->signing))
        return srp_error_set(err, SR_ERR_DENIED,
                             "only an admin can change the keyring's users, roles, units or KDF "
                             "costs");
    kr->version++;
    certify_publishers(kr, keys);
    unsigned char digest[SRP_MAC_BYTES];
    sr_status rc = keyring_digest(kr, digest, err);
    if (rc == SR_OK)
        srp_sign(kr->signature, digest, sizeof digest, keys->signing);
    return rc;
}

static sr_status chain_append(srp_keyring *kr, const unsigned char pk[SRP_SIGN_PUBLIC_BYTES],
                              const unsigned char by[SRP_SIGN_SECRET_BYTES], sr_error *err)
{
    if (kr->chain_count >= MAX_CHAIN)
        return srp_error_set(err, SR_ERR_INVALID,
                             "the registry's signing key was rotated too often");
    chain_link *grown = realloc(kr->chain, (kr->chain_count + 1) * sizeof *grown);
    if (!grown)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    kr->chain = grown;
    chain_link *l = &kr->chain[kr->chain_count];
    l->epoch = (uint32_t)(kr->chain_count + 1);
    memcpy(l->public_key, pk, SRP_SIGN_PUBLIC_BYTES);
    unsigned char msg[SRP_MAC_BYTES];
    chain_message(kr, l, msg);
    srp_sign(l->signature, msg, sizeof msg, by);
    kr->chain_count++;
    memcpy(kr->signing_public, pk, SRP_SIGN_PUBLIC_BYTES);
    return SR_OK;
}

sr_status srp_keyring_rotate_signing(srp_keyring *kr, const srp_keys *old_keys,
                                     const srp_keys *new_keys, sr_error *err)
{
    if (!old_keys->has_signing || !new_keys->has_signing ||
        !srp_sign_pair_matches(kr->signing_public, old_keys->signing))
        return srp_error_set(err, SR_ERR_DENIED, "only an admin can rotate the signing key");
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES];
    memcpy(pk, new_keys->signing + (SRP_SIGN_SECRET_BYTES - SRP_SIGN_PUBLIC_BYTES), sizeof pk);
    if (!srp_sign_pair_matches(pk, new_keys->signing))
        return srp_error_set(err, SR_ERR_CRYPTO, "the new signing key is not a key pair");
    return chain_append(kr, pk, old_keys->signing, err);
}

void srp_keyring_drop_newest_signing(srp_keyring *kr)
{
    if (kr->chain_count < 2)
        return;
    kr->chain_count--;
    memcpy(kr->signing_public, kr->chain[kr->chain_count - 1].public_key,
           sizeof kr->signing_public);
}

/* ---- lifecycle ------------------------------------------------------------------ */

static void slot_release(slot *s)
{
    free(s->user);
    free(s->profile);
    for (size_t u = 0; u < s->unit_count; u++)
        free(s->units[u]);
    free(s->units);
    free(s->unit_seals);
    srp_wipe(s, sizeof *s);
}

void srp_keyring_free(srp_keyring *kr)
{
    if (!kr)
        return;
    for (size_t i = 0; i < kr->slot_count; i++)
        slot_release(&kr->slots[i]);
    free(kr->slots);
    free(kr->default_user);
    free(kr->chain);
    free(kr->rotation);
    free(kr);
}

static slot *find_slot(const srp_keyring *kr, const char *user)
{
    for (size_t i = 0; i < kr->slot_count; i++)
        if (strcmp(kr->slots[i].user, user) == 0)
            return &kr->slots[i];
    return NULL;
}

static sr_status append_slot(srp_keyring *kr, const srp_keys *keys, const char *user, sr_role role,
                             const srp_kdf_profile *profile, const unsigned char *pass,
                             size_t pass_len, sr_error *err)
{
    if (!srp_name_user_valid(user))
        return srp_error_set(err, SR_ERR_INVALID,
                             "user name '%s' is not valid: use 1-32 letters, digits, '.', '_' or "
                             "'-', starting with a letter or digit",
                             user);
    if (find_slot(kr, user))
        return srp_error_set(err, SR_ERR_EXISTS, "user '%s' already exists", user);
    if (kr->slot_count >= MAX_SLOTS)
        return srp_error_set(err, SR_ERR_INVALID, "the keyring is full");
    void *slots = kr->slots;
    if (srp_grow(&slots, &kr->slot_cap, kr->slot_count + 1, sizeof *kr->slots) != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    kr->slots = slots;
    slot s;
    memset(&s, 0, sizeof s);
    s.role = role;
    s.user = strdup(user);
    sr_secret *sk = sr_secret_new(SRP_BOX_SECRET_BYTES);
    sr_status rc = SR_OK;
    if (!s.user || !sk) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    srp_box_keypair(s.public_key, sr_secret_data(sk));
    rc = slot_wrap(kr, &s, profile, pass, pass_len, sr_secret_data(sk), err);
    if (rc == SR_OK)
        rc = slot_give_sign_key(&s, err);
    if (rc == SR_OK)
        rc = seal_all_epochs(&s, keys, err);
    if (rc == SR_OK) {
        kr->slots[kr->slot_count++] = s;
        memset(&s, 0, sizeof s);
    }
out:
    sr_secret_free(sk);
    slot_release(&s);
    return rc;
}

sr_status srp_keyring_create(const char *admin, const srp_kdf_profile *profile,
                             const unsigned char *pass, size_t pass_len, srp_keyring **out,
                             srp_keys **keys_out, sr_error *err)
{
    sr_status rc = SR_OK;
    srp_keys *keys = srp_keys_new();
    srp_keyring *kr = calloc(1, sizeof *kr);
    if (!keys || !kr) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    unsigned char id[SRP_REGISTRY_ID_BYTES];
    srp_random_bytes(id, sizeof id);
    srp_hex_encode(kr->registry_id, id, sizeof id);
    kr->epoch = 1;
    kr->default_user = strdup(admin);
    if (!kr->default_user) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    keys->epoch = 1;
    srp_random_bytes(keys->master, sizeof keys->master);
    srp_random_bytes(keys->identity, sizeof keys->identity);
    keys->has_identity = 1;
    srp_random_bytes(keys->data, sizeof keys->data);
    keys->has_data = 1;
    kr->data_epoch = 1;
    kr->codekey_sealed = 1; /* a new code key has no clear rows to seal */
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES];
    srp_sign_keypair(pk, keys->signing);
    keys->has_signing = 1;
    rc = chain_append(kr, pk, keys->signing, err);
    if (rc != SR_OK)
        goto out;
    rc = append_slot(kr, keys, admin, SR_ROLE_ADMIN, profile, pass, pass_len, err);
    if (rc != SR_OK)
        goto out;
    *out = kr;
    *keys_out = keys;
    kr = NULL;
    keys = NULL;
out:
    srp_keyring_free(kr);
    srp_keys_free(keys);
    return rc;
}

sr_status srp_keyring_open_slot(const srp_keyring *kr, const char *user, const unsigned char *pass,
                                size_t pass_len, sr_secret **slot_out, sr_error *err)
{
    *slot_out = NULL;
    /* The KDF cost is read from the slot: only from a signed one. */
    if (!kr->legacy) {
        sr_status vrc = srp_keyring_verify(kr, err);
        if (vrc != SR_OK)
            return vrc;
    }
    const slot *s = find_slot(kr, user);
    if (!s)
        return srp_error_set(err, SR_ERR_AUTH, "no user '%s' in this registry", user);
    sr_secret *sk = sr_secret_new(SLOT_SECRET_BYTES);
    if (!sk)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_status rc = slot_unwrap(kr, s, pass, pass_len, sr_secret_data(sk), err);
    if (rc == SR_OK && s->has_sign)
        rc = slot_open_sign_key(s, sr_secret_cdata(sk), sr_secret_data(sk) + SRP_BOX_SECRET_BYTES,
                                err);
    if (rc != SR_OK) {
        sr_secret_free(sk);
        return rc;
    }
    sr_secret_set_len(sk, s->has_sign ? SLOT_SECRET_BYTES : SRP_BOX_SECRET_BYTES);
    *slot_out = sk;
    return SR_OK;
}

sr_status srp_keyring_unlock(const srp_keyring *kr, const char *user, const unsigned char *pass,
                             size_t pass_len, srp_keys **keys_out, sr_role *role_out, sr_error *err)
{
    sr_secret *sk = NULL;
    sr_status rc = srp_keyring_open_slot(kr, user, pass, pass_len, &sk, err);
    if (rc == SR_OK)
        rc = srp_keyring_unlock_slot(kr, user, sk, keys_out, role_out, err);
    sr_secret_free(sk);
    return rc;
}

sr_status srp_keyring_unlock_slot(const srp_keyring *kr, const char *user,
                                  const sr_secret *slot_secret, srp_keys **keys_out,
                                  sr_role *role_out, sr_error *err)
{
    sr_status rc = SR_OK;
    /* Nothing in a slot is trusted before the keyring's signature is. */
    if (!kr->legacy) {
        rc = srp_keyring_verify(kr, err);
        if (rc != SR_OK)
            return rc;
    }
    const slot *s = find_slot(kr, user);
    if (!s)
        return srp_error_set(err, SR_ERR_AUTH, "no user '%s' in this registry", user);
    const unsigned char *sk = sr_secret_cdata(slot_secret);
    if (sr_secret_len(slot_secret) != (s->has_sign ? SLOT_SECRET_BYTES : SRP_BOX_SECRET_BYTES) ||
        !srp_box_pair_matches(s->public_key, sk) ||
        (s->has_sign && !srp_sign_pair_matches(s->sign_public, sk + SRP_BOX_SECRET_BYTES)))
        return srp_error_set(err, SR_ERR_AUTH,
                             "the key slot of user '%s' was replaced: unlock the registry again",
                             user);
    srp_keys *keys = srp_keys_new();
    sr_secret *payload = sr_secret_new(SEAL_PAYLOAD_MAX);
    if (!keys || !payload) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    int have_current = 0;
    for (size_t i = 0; i < s->sealed_count; i++) {
        const sealed_keys *k = &s->sealed[i];
        unsigned char *p = sr_secret_data(payload);
        size_t plen = k->len - SRP_SEAL_OVERHEAD;
        if (srp_box_seal_open(p, k->blob, k->len, s->public_key, sk) != 0 || p[0] != SEAL_VERSION ||
            plen < 2 + SRP_KEY_BYTES) {
            rc = srp_error_set(err, SR_ERR_TAMPERED, "the key slot of user '%s' is damaged", user);
            goto out;
        }
        int with_identity = (p[1] & SEAL_FLAG_IDENTITY) != 0;
        int with_signing = (p[1] & SEAL_FLAG_SIGNING) != 0;
        int with_data = (p[1] & SEAL_FLAG_DATA) != 0;
        size_t at = 2 + SRP_KEY_BYTES; /* after the master key */
        if ((p[1] & ~(SEAL_FLAG_IDENTITY | SEAL_FLAG_SIGNING | SEAL_FLAG_DATA)) != 0 ||
            plen != (size_t)(2 + SRP_KEY_BYTES * (1 + with_data + with_identity) +
                             (with_signing ? SRP_SIGN_SECRET_BYTES : 0))) {
            rc = srp_error_set(err, SR_ERR_TAMPERED, "the key slot of user '%s' is damaged", user);
            goto out;
        }
        if (k->epoch == kr->epoch) {
            memcpy(keys->master, p + 2, SRP_KEY_BYTES);
            keys->epoch = k->epoch;
            have_current = 1;
            if (with_data) {
                memcpy(keys->data, p + at, SRP_KEY_BYTES);
                keys->has_data = 1;
            }
        } else {
            memcpy(keys->previous, p + 2, SRP_KEY_BYTES);
            keys->previous_epoch = k->epoch;
            keys->has_previous = 1;
            if (with_data) {
                memcpy(keys->previous_data, p + at, SRP_KEY_BYTES);
                keys->has_previous_data = 1;
            }
        }
        if (with_data)
            at += SRP_KEY_BYTES;
        if (with_identity && k->epoch == kr->epoch) {
            memcpy(keys->identity, p + at, SRP_KEY_BYTES);
            keys->has_identity = 1;
        } else if (with_identity) {
            memcpy(keys->previous_identity, p + at, SRP_KEY_BYTES);
            keys->has_previous_identity = 1;
        }
        if (with_identity)
            at += SRP_KEY_BYTES;
        if (with_signing) {
            memcpy(keys->signing, p + at, SRP_SIGN_SECRET_BYTES);
            keys->has_signing = 1;
        }
    }
    if (!have_current) {
        rc = srp_error_set(err, SR_ERR_TAMPERED,
                           "the key slot of user '%s' has no keys for the current epoch", user);
        goto out;
    }
    if (sr_role_holds_identity(s->role) != keys->has_identity ||
        (s->role == SR_ROLE_ADMIN) != keys->has_signing ||
        (!srp_role_holds_data(s->role) && (keys->has_data || keys->has_previous_data)) ||
        /* an epoch from the data key's first on has one for every holder */
        (srp_role_holds_data(s->role) && kr->data_epoch && keys->epoch >= kr->data_epoch &&
         !keys->has_data) ||
        (keys->has_signing && !srp_sign_pair_matches(kr->signing_public, keys->signing))) {
        rc = srp_error_set(err, SR_ERR_TAMPERED, "the key slot of user '%s' is damaged", user);
        goto out;
    }
    unsigned char mac[SRP_MAC_BYTES];
    if (kr->legacy)
        rc = keyring_mac(kr, keys, mac, err);
    if (rc != SR_OK)
        goto out;
    if (kr->legacy && srp_memcmp(mac, kr->mac, SRP_MAC_BYTES) != 0) {
        rc = srp_error_set(err, SR_ERR_TAMPERED,
                           "the keyring has been altered: its authentication code does not match");
        goto out;
    }
    *role_out = s->role;
    *keys_out = keys;
    keys = NULL;
out:
    srp_keys_free(keys);
    sr_secret_free(payload);
    return rc;
}

/* ---- changes ------------------------------------------------------------------ */

sr_status srp_keyring_add_user(srp_keyring *kr, const srp_keys *keys, const char *user,
                               sr_role role, const srp_kdf_profile *profile,
                               const unsigned char *pass, size_t pass_len, sr_error *err)
{
    return append_slot(kr, keys, user, role, profile, pass, pass_len, err);
}

sr_status srp_keyring_remove_user(srp_keyring *kr, const char *user, sr_error *err)
{
    slot *s = find_slot(kr, user);
    if (!s)
        return srp_error_set(err, SR_ERR_NOT_FOUND, "no user '%s' in this registry", user);
    size_t i = (size_t)(s - kr->slots);
    slot_release(s);
    memmove(&kr->slots[i], &kr->slots[i + 1], (kr->slot_count - i - 1) * sizeof *s);
    kr->slot_count--;
    return SR_OK;
}

sr_status srp_keyring_change_passphrase(srp_keyring *kr, const char *user,
                                        const unsigned char *old_pass, size_t old_len,
                                        const unsigned char *new_pass, size_t new_len,
                                        const srp_kdf_profile *profile, sr_error *err)
{
    slot *s = find_slot(kr, user);
    if (!s)
        return srp_error_set(err, SR_ERR_AUTH, "no user '%s' in this registry", user);
    sr_secret *sk = sr_secret_new(SRP_BOX_SECRET_BYTES);
    if (!sk)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_status rc = slot_unwrap(kr, s, old_pass, old_len, sr_secret_data(sk), err);
    if (rc == SR_OK) {
        slot changed = *s;
        changed.profile = NULL;
        rc = slot_wrap(kr, &changed, profile, new_pass, new_len, sr_secret_data(sk), err);
        if (rc == SR_OK) {
            free(s->profile);
            *s = changed;
        } else {
            free(changed.profile);
        }
    }
    sr_secret_free(sk);
    return rc;
}

sr_status srp_keyring_reseal(srp_keyring *kr, const srp_keys *keys, sr_error *err)
{
    /* Seal into copies first so that a failure leaves kr as it was. */
    sealed_keys(*fresh)[2] = calloc(kr->slot_count ? kr->slot_count : 1, sizeof *fresh);
    size_t *counts = calloc(kr->slot_count ? kr->slot_count : 1, sizeof *counts);
    sr_status rc = SR_OK;
    if (!fresh || !counts) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < kr->slot_count && rc == SR_OK; i++) {
        slot copy = kr->slots[i];
        rc = seal_all_epochs(&copy, keys, err);
        memcpy(fresh[i], copy.sealed, sizeof copy.sealed);
        counts[i] = copy.sealed_count;
    }
    if (rc != SR_OK)
        goto out;
    for (size_t i = 0; i < kr->slot_count; i++) {
        memcpy(kr->slots[i].sealed, fresh[i], sizeof kr->slots[i].sealed);
        kr->slots[i].sealed_count = counts[i];
    }
    kr->epoch = keys->epoch;
out:
    free(fresh);
    free(counts);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

sr_status srp_keyring_set_units(srp_keyring *kr, const char *user, const char *const *units,
                                size_t count, sr_error *err)
{
    slot *s = find_slot(kr, user);
    if (!s)
        return srp_error_set(err, SR_ERR_NOT_FOUND, "no user '%s' in this registry", user);
    if (count > MAX_UNITS)
        return srp_error_set_where(err, SR_ERR_INVALID, "unit",
                                   "a user may work in at most %d units", MAX_UNITS);
    char **list = calloc(count ? count : 1, sizeof *list);
    size_t n = 0;
    if (!list)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_status rc = SR_OK;
    for (size_t i = 0; i < count && rc == SR_OK; i++) {
        if (!srp_name_unit_valid(units[i])) {
            rc = srp_error_set_where(err, SR_ERR_INVALID, "unit", "unit code '%s' is not valid",
                                     units[i]);
            break;
        }
        list[n] = strdup(units[i]);
        if (!list[n])
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        else
            n++;
    }
    if (rc == SR_OK) {
        qsort(list, n, sizeof *list, cmp_str);
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            if (w > 0 && strcmp(list[w - 1], list[i]) == 0)
                free(list[i]);
            else
                list[w++] = list[i];
        }
        n = w;
        for (size_t u = 0; u < s->unit_count; u++)
            free(s->units[u]);
        free(s->units);
        s->units = list;
        s->unit_count = n;
        return SR_OK;
    }
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
    return rc;
}

int srp_keyring_user_units(const srp_keyring *kr, const char *user, const char *const **units,
                           size_t *count)
{
    const slot *s = find_slot(kr, user);
    if (!s)
        return -1;
    *units = (const char *const *)s->units;
    *count = s->unit_count;
    return 0;
}

int srp_keyring_user_in_unit(const srp_keyring *kr, const char *user, const char *unit)
{
    const slot *s = find_slot(kr, user);
    for (size_t u = 0; s && u < s->unit_count; u++)
        if (strcmp(s->units[u], unit) == 0)
            return 1;
    return 0;
}

sr_status srp_keyring_upgrade(srp_keyring *kr, const srp_keys *keys, sr_error *err)
{
    if (!kr->legacy)
        return SR_OK;
    if (!keys->has_signing || !srp_sign_pair_matches(kr->signing_public, keys->signing))
        return srp_error_set(err, SR_ERR_DENIED, "only an admin can upgrade the keyring");
    sr_status rc = SR_OK;
    for (size_t i = 0; i < kr->slot_count && rc == SR_OK; i++)
        if (!kr->slots[i].has_sign)
            rc = slot_give_sign_key(&kr->slots[i], err);
    if (rc != SR_OK)
        return rc;
    free(kr->chain);
    kr->chain = NULL;
    kr->chain_count = 0;
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES];
    memcpy(pk, kr->signing_public, sizeof pk);
    rc = chain_append(kr, pk, keys->signing, err);
    if (rc == SR_OK) {
        kr->legacy = 0;
        kr->version = 0;
    }
    return rc;
}

int srp_keyring_is_legacy(const srp_keyring *kr)
{
    return kr->legacy;
}

uint64_t srp_keyring_version(const srp_keyring *kr)
{
    return kr->version;
}

uint32_t srp_keyring_signing_epoch(const srp_keyring *kr)
{
    return (uint32_t)kr->chain_count;
}

const unsigned char *srp_keyring_signing_key_at(const srp_keyring *kr, uint32_t epoch)
{
    if (epoch < 1 || epoch > kr->chain_count)
        return NULL;
    return kr->chain[epoch - 1].public_key;
}

/* ---- queries ------------------------------------------------------------------- */

const char *srp_keyring_registry_id(const srp_keyring *kr)
{
    return kr->registry_id;
}

const char *srp_keyring_default_user(const srp_keyring *kr)
{
    return kr->default_user;
}

const unsigned char *srp_keyring_signing_public(const srp_keyring *kr)
{
    return kr->signing_public;
}

uint32_t srp_keyring_epoch(const srp_keyring *kr)
{
    return kr->epoch;
}

uint32_t srp_keyring_data_epoch(const srp_keyring *kr)
{
    return kr->data_epoch;
}

void srp_keyring_set_data_epoch(srp_keyring *kr, uint32_t epoch)
{
    kr->data_epoch = epoch;
}

const unsigned char *srp_keyring_publisher_cert(const srp_keyring *kr, const char *user)
{
    const slot *s = find_slot(kr, user);
    return s && s->has_cert ? s->cert : NULL;
}

int srp_keyring_codekey_sealed(const srp_keyring *kr)
{
    return kr->codekey_sealed;
}

void srp_keyring_set_codekey_sealed(srp_keyring *kr, int sealed)
{
    kr->codekey_sealed = sealed != 0;
}

size_t srp_keyring_user_count(const srp_keyring *kr)
{
    return kr->slot_count;
}

void srp_keyring_user_at(const srp_keyring *kr, size_t i, const char **name, sr_role *role,
                         const char **profile)
{
    *name = kr->slots[i].user;
    *role = kr->slots[i].role;
    *profile = kr->slots[i].profile;
}

void srp_keyring_user_kdf(const srp_keyring *kr, size_t i, unsigned long long *opslimit,
                          size_t *memlimit)
{
    *opslimit = kr->slots[i].opslimit;
    *memlimit = kr->slots[i].memlimit;
}

const unsigned char *srp_keyring_user_sign_public(const srp_keyring *kr, const char *user)
{
    const slot *s = find_slot(kr, user);
    return s && s->has_sign ? s->sign_public : NULL;
}

int srp_keyring_slot_can_sign(const sr_secret *slot_secret)
{
    return slot_secret && sr_secret_len(slot_secret) == SLOT_SECRET_BYTES;
}

sr_status srp_keyring_slot_sign(const sr_secret *slot_secret, const void *msg, size_t len,
                                unsigned char sig[SRP_SIGNATURE_BYTES], sr_error *err)
{
    if (!srp_keyring_slot_can_sign(slot_secret))
        return srp_error_set(err, SR_ERR_STATE,
                             "this key slot has no signing key of its own yet: an admin must "
                             "open the registry once to upgrade its keyring");
    srp_sign(sig, msg, len, sr_secret_cdata(slot_secret) + SRP_BOX_SECRET_BYTES);
    return SR_OK;
}

sr_status srp_keyring_slot_sign_secret(const sr_secret *slot_secret, unsigned char *out,
                                       sr_error *err)
{
    if (!srp_keyring_slot_can_sign(slot_secret))
        return srp_error_set(err, SR_ERR_STATE, "this key slot has no signing key of its own yet");
    memcpy(out, sr_secret_cdata(slot_secret) + SRP_BOX_SECRET_BYTES, SRP_SIGN_SECRET_BYTES);
    return SR_OK;
}

int srp_keyring_find_user(const srp_keyring *kr, const char *user, sr_role *role)
{
    const slot *s = find_slot(kr, user);
    if (!s)
        return -1;
    if (role)
        *role = s->role;
    return 0;
}

const unsigned char *srp_keyring_user_public(const srp_keyring *kr, const char *user)
{
    const slot *s = find_slot(kr, user);
    return s ? s->public_key : NULL;
}

/* ---- serialisation --------------------------------------------------------------- */

static int set_b64(json_t *obj, const char *key, const unsigned char *bin, size_t len)
{
    char *text = srp_base64_encode(bin, len);
    if (!text)
        return -1;
    int rc = json_object_set_new(obj, key, json_string(text));
    free(text);
    return rc;
}

static json_t *slot_to_json(const slot *s)
{
    json_t *o = json_object();
    json_t *kdf = json_object();
    json_t *sealed = json_array();
    int bad = !o || !kdf || !sealed;
    bad |= json_object_set_new(o, "user", json_string(s->user));
    bad |= json_object_set_new(o, "role", json_string(sr_role_name(s->role)));
    json_t *units = json_array();
    bad |= !units;
    for (size_t u = 0; u < s->unit_count && !bad; u++)
        bad |= json_array_append_new(units, json_string(s->units[u]));
    bad |= json_object_set_new(o, "units", units);
    bad |= json_object_set_new(kdf, "algorithm", json_string("argon2id13"));
    bad |= json_object_set_new(kdf, "profile", json_string(s->profile));
    bad |= json_object_set_new(kdf, "opslimit", json_integer((json_int_t)s->opslimit));
    bad |= json_object_set_new(kdf, "memlimit", json_integer((json_int_t)s->memlimit));
    bad |= json_object_set(o, "kdf", kdf);
    bad |= set_b64(o, "salt", s->salt, sizeof s->salt);
    bad |= set_b64(o, "public_key", s->public_key, sizeof s->public_key);
    bad |= set_b64(o, "nonce", s->nonce, sizeof s->nonce);
    bad |= set_b64(o, "wrapped_secret", s->wrapped, sizeof s->wrapped);
    if (s->has_sign) {
        bad |= set_b64(o, "sign_public_key", s->sign_public, sizeof s->sign_public);
        bad |= set_b64(o, "sign_secret", s->sign_sealed, sizeof s->sign_sealed);
    }
    if (s->has_cert)
        bad |= set_b64(o, "publisher_cert", s->cert, sizeof s->cert);
    for (size_t j = 0; j < s->sealed_count && !bad; j++) {
        json_t *e = json_object();
        bad |= !e;
        bad |= json_object_set_new(e, "epoch", json_integer(s->sealed[j].epoch));
        bad |= set_b64(e, "keys", s->sealed[j].blob, s->sealed[j].len);
        bad |= json_array_append_new(sealed, e);
    }
    bad |= json_object_set(o, "sealed", sealed);
    if (s->unit_seal_count && !bad) {
        json_t *uks = json_array();
        bad |= !uks;
        for (size_t j = 0; j < s->unit_seal_count && !bad; j++) {
            json_t *e = json_object();
            bad |= !e;
            bad |= json_object_set_new(e, "unit", json_string(s->unit_seals[j].unit));
            bad |= json_object_set_new(e, "generation", json_integer(s->unit_seals[j].generation));
            bad |= set_b64(e, "keys", s->unit_seals[j].blob, sizeof s->unit_seals[j].blob);
            bad |= json_array_append_new(uks, e);
        }
        bad |= json_object_set_new(o, "unit_keys", uks);
    }
    json_decref(kdf);
    json_decref(sealed);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int chain_to_json(const srp_keyring *kr, json_t *arr)
{
    int bad = 0;
    for (size_t i = 0; i < kr->chain_count && !bad; i++) {
        json_t *e = json_object();
        bad |= !e;
        bad |= json_object_set_new(e, "epoch", json_integer(kr->chain[i].epoch));
        bad |= set_b64(e, "public_key", kr->chain[i].public_key, SRP_SIGN_PUBLIC_BYTES);
        bad |= set_b64(e, "signature", kr->chain[i].signature, SRP_SIGNATURE_BYTES);
        bad |= json_array_append_new(arr, e);
    }
    return bad;
}

sr_status srp_keyring_serialize(srp_keyring *kr, const srp_keys *keys, char **out, sr_error *err)
{
    sr_status rc = SR_OK;
    char *text = NULL;
    json_t *root = json_object();
    json_t *slots = json_array();
    json_t *chain = json_array();
    if (!root || !slots || !chain) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (keys->epoch != kr->epoch) {
        rc = srp_error_set(err, SR_ERR_STATE, "the keys are not those of the keyring's epoch");
        goto out;
    }
    if (kr->legacy) {
        rc = srp_error_set(err, SR_ERR_STATE,
                           "the keyring is from an older release: it can be changed only after "
                           "an admin has opened the registry once to upgrade it");
        goto out;
    }
    /* An admin signs a new version; anyone else may only write back what
     * the signature already covers (a new passphrase of their own slot). */
    if (keys->has_signing) {
        rc = keyring_sign(kr, keys, err);
    } else if (srp_keyring_verify(kr, NULL) != SR_OK) {
        rc = srp_error_set(err, SR_ERR_DENIED,
                           "only an admin can change the keyring's users, roles, units or KDF "
                           "costs");
    }
    if (rc != SR_OK)
        goto out;
    int bad = 0;
    bad |= json_object_set_new(root, "format", json_string(SRP_KEYRING_FORMAT));
    bad |= json_object_set_new(root, "registry", json_string(kr->registry_id));
    bad |= json_object_set_new(root, "default_user", json_string(kr->default_user));
    bad |= json_object_set_new(root, "version", json_integer((json_int_t)kr->version));
    bad |= json_object_set_new(root, "epoch", json_integer(kr->epoch));
    if (kr->data_epoch)
        bad |= json_object_set_new(root, "data_epoch", json_integer(kr->data_epoch));
    if (kr->codekey_sealed)
        bad |= json_object_set_new(root, "codekey_sealed", json_true());
    bad |= chain_to_json(kr, chain);
    bad |= json_object_set(root, "signing_chain", chain);
    for (size_t i = 0; i < kr->slot_count && !bad; i++)
        bad |= json_array_append_new(slots, slot_to_json(&kr->slots[i]));
    bad |= json_object_set(root, "slots", slots);
    if (kr->rotation)
        bad |= set_b64(root, "pseudonyms", kr->rotation, kr->rotation_len);
    bad |= set_b64(root, "signature", kr->signature, sizeof kr->signature);
    if (!bad)
        text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    if (bad || !text) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    *out = text;
    text = NULL;
out:
    free(text);
    json_decref(chain);
    json_decref(slots);
    json_decref(root);
    return rc;
}

/* Parsing: every field is checked for presence, type and size. */
typedef struct parse_ctx {
    const char *where;
    sr_error *err;
} parse_ctx;

static sr_status damaged(parse_ctx *c, const char *field)
{
    return srp_error_set_where(c->err, SR_ERR_CORRUPT, c->where,
                               "keyring '%s' is damaged or not a sigreg keyring: field '%s'",
                               c->where, field);
}

static int get_b64_fixed(json_t *obj, const char *key, unsigned char *out, size_t len)
{
    const char *text = json_string_value(json_object_get(obj, key));
    size_t got = 0;
    if (!text)
        return -1;
    unsigned char *bin = srp_base64_decode(text, &got);
    if (!bin)
        return -1;
    int rc = got == len ? 0 : -1;
    if (rc == 0)
        memcpy(out, bin, len);
    free(bin);
    return rc;
}

static sr_status parse_slot(parse_ctx *c, json_t *o, slot *s, const srp_keyring *kr)
{
    const char *user = json_string_value(json_object_get(o, "user"));
    const char *role = json_string_value(json_object_get(o, "role"));
    json_t *kdf = json_object_get(o, "kdf");
    if (!user || !srp_name_user_valid(user))
        return damaged(c, "slots[].user");
    if (find_slot(kr, user))
        return damaged(c, "slots[].user (repeated)");
    if (!role || sr_role_parse(role, &s->role) != 0)
        return damaged(c, "slots[].role");
    const char *alg = json_string_value(json_object_get(kdf, "algorithm"));
    const char *profile = json_string_value(json_object_get(kdf, "profile"));
    json_t *ops = json_object_get(kdf, "opslimit");
    json_t *mem = json_object_get(kdf, "memlimit");
    if (!alg || strcmp(alg, "argon2id13") != 0 || !profile || strlen(profile) > 64 ||
        !json_is_integer(ops) || !json_is_integer(mem) || json_integer_value(ops) < 1 ||
        json_integer_value(mem) < 1)
        return damaged(c, "slots[].kdf");
    s->opslimit = (unsigned long long)json_integer_value(ops);
    s->memlimit = (size_t)json_integer_value(mem);
    if (!srp_kdf_params_valid(s->opslimit, s->memlimit))
        return damaged(c, "slots[].kdf");
    if (get_b64_fixed(o, "salt", s->salt, sizeof s->salt) ||
        get_b64_fixed(o, "public_key", s->public_key, sizeof s->public_key) ||
        get_b64_fixed(o, "nonce", s->nonce, sizeof s->nonce) ||
        get_b64_fixed(o, "wrapped_secret", s->wrapped, sizeof s->wrapped))
        return damaged(c, "slots[] binary fields");
    if (json_object_get(o, "sign_public_key") || json_object_get(o, "sign_secret")) {
        if (get_b64_fixed(o, "sign_public_key", s->sign_public, sizeof s->sign_public) ||
            get_b64_fixed(o, "sign_secret", s->sign_sealed, sizeof s->sign_sealed))
            return damaged(c, "slots[].sign_public_key");
        s->has_sign = 1;
    }
    if (!kr->legacy && !s->has_sign)
        return damaged(c, "slots[].sign_public_key");
    /* Keyrings signed before certificates have none; a wrong one only
     * fails to verify where a package carries it. */
    if (json_object_get(o, "publisher_cert")) {
        if (get_b64_fixed(o, "publisher_cert", s->cert, sizeof s->cert))
            return damaged(c, "slots[].publisher_cert");
        s->has_cert = 1;
    }
    json_t *units = json_object_get(o, "units");
    if (!kr->legacy || units) {
        size_t nu = json_array_size(units);
        if (!json_is_array(units) || nu > MAX_UNITS)
            return damaged(c, "slots[].units");
        s->units = calloc(nu ? nu : 1, sizeof *s->units);
        if (!s->units)
            return srp_error_set(c->err, SR_ERR_NOMEM, "out of memory");
        for (size_t u = 0; u < nu; u++) {
            const char *code = json_string_value(json_array_get(units, u));
            if (!code || !srp_name_unit_valid(code) ||
                (u > 0 && strcmp(s->units[u - 1], code) >= 0))
                return damaged(c, "slots[].units");
            s->units[u] = strdup(code);
            if (!s->units[u])
                return srp_error_set(c->err, SR_ERR_NOMEM, "out of memory");
            s->unit_count++;
        }
    }
    json_t *sealed = json_object_get(o, "sealed");
    size_t n = json_array_size(sealed);
    if (!json_is_array(sealed) || n < 1 || n > 2)
        return damaged(c, "slots[].sealed");
    for (size_t j = 0; j < n; j++) {
        json_t *e = json_array_get(sealed, j);
        json_t *ep = json_object_get(e, "epoch");
        const char *text = json_string_value(json_object_get(e, "keys"));
        size_t got = 0;
        if (!json_is_integer(ep) || json_integer_value(ep) < 1 ||
            json_integer_value(ep) > UINT32_MAX || !text)
            return damaged(c, "slots[].sealed[]");
        unsigned char *bin = srp_base64_decode(text, &got);
        if (!bin || got < SRP_SEAL_OVERHEAD + 2 + SRP_KEY_BYTES || got > sizeof s->sealed[j].blob) {
            free(bin);
            return damaged(c, "slots[].sealed[].keys");
        }
        memcpy(s->sealed[j].blob, bin, got);
        s->sealed[j].len = got;
        s->sealed[j].epoch = (uint32_t)json_integer_value(ep);
        free(bin);
    }
    s->sealed_count = n;
    json_t *uks = kr->legacy ? NULL : json_object_get(o, "unit_keys");
    if (uks) {
        size_t nu = json_array_size(uks);
        if (!json_is_array(uks) || nu < 1 || nu > MAX_UNIT_SEALS)
            return damaged(c, "slots[].unit_keys");
        s->unit_seals = calloc(nu, sizeof *s->unit_seals);
        if (!s->unit_seals)
            return srp_error_set(c->err, SR_ERR_NOMEM, "out of memory");
        for (size_t j = 0; j < nu; j++) {
            json_t *e = json_array_get(uks, j);
            const char *unit = json_string_value(json_object_get(e, "unit"));
            json_t *g = json_object_get(e, "generation");
            unit_seal *us = &s->unit_seals[j];
            if (!unit || !srp_name_unit_valid(unit) || strlen(unit) > SR_UNIT_CODE_MAX ||
                !json_is_integer(g) || json_integer_value(g) < 1 ||
                json_integer_value(g) > UINT32_MAX ||
                get_b64_fixed(e, "keys", us->blob, sizeof us->blob))
                return damaged(c, "slots[].unit_keys[]");
            memcpy(us->unit, unit, strlen(unit) + 1);
            us->generation = (uint32_t)json_integer_value(g);
            s->unit_seal_count++;
        }
    }
    s->user = strdup(user);
    s->profile = strdup(profile);
    if (!s->user || !s->profile)
        return srp_error_set(c->err, SR_ERR_NOMEM, "out of memory");
    return SR_OK;
}

sr_status srp_keyring_parse(const unsigned char *data, size_t len, const char *where,
                            srp_keyring **out, sr_error *err)
{
    parse_ctx c = {where, err};
    sr_status rc = SR_OK;
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
    srp_keyring *kr = calloc(1, sizeof *kr);
    if (!kr) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!root || !json_is_object(root)) {
        rc = srp_error_set_where(err, SR_ERR_CORRUPT, where,
                                 "keyring '%s' is damaged or not a sigreg keyring", where);
        goto out;
    }
    const char *format = json_string_value(json_object_get(root, "format"));
    if (format && strcmp(format, LEGACY_FORMAT) == 0)
        kr->legacy = 1;
    else if (!format || strcmp(format, SRP_KEYRING_FORMAT) != 0) {
        rc = srp_error_set_where(err, SR_ERR_NOT_REGISTRY, where,
                                 "'%s' is not a sigreg keyring (format '%s')", where,
                                 format ? format : "missing");
        goto out;
    }
    const char *reg = json_string_value(json_object_get(root, "registry"));
    unsigned char regbin[SRP_REGISTRY_ID_BYTES];
    if (!reg || srp_hex_decode(regbin, sizeof regbin, reg) != 0) {
        rc = damaged(&c, "registry");
        goto out;
    }
    memcpy(kr->registry_id, reg, sizeof kr->registry_id - 1);
    const char *def = json_string_value(json_object_get(root, "default_user"));
    json_t *epoch = json_object_get(root, "epoch");
    json_t *slots = json_object_get(root, "slots");
    if (!def || !srp_name_user_valid(def)) {
        rc = damaged(&c, "default_user");
        goto out;
    }
    if (!json_is_integer(epoch) || json_integer_value(epoch) < 1 ||
        json_integer_value(epoch) > UINT32_MAX) {
        rc = damaged(&c, "epoch");
        goto out;
    }
    if (!json_is_array(slots) || json_array_size(slots) < 1 || json_array_size(slots) > MAX_SLOTS) {
        rc = damaged(&c, "slots");
        goto out;
    }
    if (kr->legacy) {
        if (get_b64_fixed(root, "signing_public_key", kr->signing_public,
                          sizeof kr->signing_public) != 0) {
            rc = damaged(&c, "signing_public_key");
            goto out;
        }
        if (get_b64_fixed(root, "mac", kr->mac, sizeof kr->mac) != 0) {
            rc = damaged(&c, "mac");
            goto out;
        }
    } else {
        json_t *version = json_object_get(root, "version");
        json_t *chain = json_object_get(root, "signing_chain");
        size_t nc = json_array_size(chain);
        if (!json_is_integer(version) || json_integer_value(version) < 1) {
            rc = damaged(&c, "version");
            goto out;
        }
        kr->version = (uint64_t)json_integer_value(version);
        if (!json_is_array(chain) || nc < 1 || nc > MAX_CHAIN) {
            rc = damaged(&c, "signing_chain");
            goto out;
        }
        kr->chain = calloc(nc, sizeof *kr->chain);
        if (!kr->chain) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < nc; i++) {
            json_t *e = json_array_get(chain, i);
            json_t *ep = json_object_get(e, "epoch");
            chain_link *l = &kr->chain[i];
            if (!json_is_integer(ep) || json_integer_value(ep) != (json_int_t)(i + 1) ||
                get_b64_fixed(e, "public_key", l->public_key, sizeof l->public_key) ||
                get_b64_fixed(e, "signature", l->signature, sizeof l->signature)) {
                rc = damaged(&c, "signing_chain[]");
                goto out;
            }
            l->epoch = (uint32_t)(i + 1);
            kr->chain_count++;
        }
        memcpy(kr->signing_public, kr->chain[nc - 1].public_key, sizeof kr->signing_public);
        if (get_b64_fixed(root, "signature", kr->signature, sizeof kr->signature) != 0) {
            rc = damaged(&c, "signature");
            goto out;
        }
    }
    /* The first format has none (the field is not read there). */
    json_t *data_epoch = kr->legacy ? NULL : json_object_get(root, "data_epoch");
    if (data_epoch && (!json_is_integer(data_epoch) || json_integer_value(data_epoch) < 1 ||
                       json_integer_value(data_epoch) > json_integer_value(epoch))) {
        rc = damaged(&c, "data_epoch");
        goto out;
    }
    kr->data_epoch = data_epoch ? (uint32_t)json_integer_value(data_epoch) : 0;
    json_t *rotation = kr->legacy ? NULL : json_object_get(root, "pseudonyms");
    if (rotation) {
        const char *text = json_string_value(rotation);
        kr->rotation = text ? srp_base64_decode(text, &kr->rotation_len) : NULL;
        if (!kr->rotation || kr->rotation_len == 0) {
            rc = damaged(&c, "pseudonyms");
            goto out;
        }
    }
    json_t *codekey_sealed = kr->legacy ? NULL : json_object_get(root, "codekey_sealed");
    if (codekey_sealed && !json_is_true(codekey_sealed)) {
        rc = damaged(&c, "codekey_sealed");
        goto out;
    }
    kr->codekey_sealed = codekey_sealed != NULL;
    kr->default_user = strdup(def);
    kr->epoch = (uint32_t)json_integer_value(epoch);
    kr->slots = calloc(json_array_size(slots), sizeof *kr->slots);
    kr->slot_cap = json_array_size(slots);
    if (!kr->default_user || !kr->slots) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < json_array_size(slots); i++) {
        rc = parse_slot(&c, json_array_get(slots, i), &kr->slots[i], kr);
        if (rc != SR_OK) {
            slot_release(&kr->slots[i]);
            goto out;
        }
        kr->slot_count++;
    }
    *out = kr;
    kr = NULL;
out:
    json_decref(root);
    srp_keyring_free(kr);
    return rc;
}

/* ---- unit keys ------------------------------------------------------------------ */

/* Whether slot s may hold the key of unit: admins every unit's,
 * coordinators their own units', analysts none. */
static int slot_holds_unit(const slot *s, const char *unit)
{
    if (s->role == SR_ROLE_ADMIN)
        return 1;
    if (s->role != SR_ROLE_COORDINATOR)
        return 0;
    for (size_t u = 0; u < s->unit_count; u++)
        if (strcmp(s->units[u], unit) == 0)
            return 1;
    return 0;
}

sr_status srp_keyring_seal_unit_keys(srp_keyring *kr, const srp_unit_keys *uk, sr_error *err)
{
    size_t total = srp_unit_keys_count(uk);
    if (total > MAX_UNIT_SEALS)
        return srp_error_set(err, SR_ERR_INVALID, "too many unit keys");
    /* Sealed into new arrays first, so that a failure leaves kr as it was. */
    unit_seal **fresh = calloc(kr->slot_count ? kr->slot_count : 1, sizeof *fresh);
    size_t *counts = calloc(kr->slot_count ? kr->slot_count : 1, sizeof *counts);
    sr_status rc = SR_OK;
    if (!fresh || !counts) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < kr->slot_count && rc == SR_OK; i++) {
        slot *s = &kr->slots[i];
        fresh[i] = calloc(total ? total : 1, sizeof **fresh);
        if (!fresh[i]) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            break;
        }
        for (size_t j = 0; j < total && rc == SR_OK; j++) {
            const char *unit = NULL;
            uint32_t gen = 0;
            const unsigned char *key = NULL;
            srp_unit_keys_at(uk, j, &unit, &gen, &key);
            if (!slot_holds_unit(s, unit))
                continue;
            unit_seal *us = &fresh[i][counts[i]];
            memcpy(us->unit, unit, strlen(unit) + 1);
            us->generation = gen;
            if (srp_box_seal(us->blob, key, SRP_KEY_BYTES, s->public_key) != SR_OK)
                rc = srp_error_set(err, SR_ERR_CRYPTO, "cannot seal the unit keys for user '%s'",
                                   s->user);
            else
                counts[i]++;
        }
    }
    if (rc != SR_OK)
        goto out;
    for (size_t i = 0; i < kr->slot_count; i++) {
        free(kr->slots[i].unit_seals);
        kr->slots[i].unit_seals = counts[i] ? fresh[i] : NULL;
        kr->slots[i].unit_seal_count = counts[i];
        if (!counts[i])
            free(fresh[i]);
        fresh[i] = NULL;
    }
out:
    for (size_t i = 0; fresh && i < kr->slot_count; i++)
        free(fresh[i]);
    free(fresh);
    free(counts);
    return rc;
}

sr_status srp_keyring_open_unit_keys(const srp_keyring *kr, const char *user,
                                     const sr_secret *slot_secret, srp_unit_keys **out,
                                     sr_error *err)
{
    *out = NULL;
    if (!kr->legacy) {
        sr_status vrc = srp_keyring_verify(kr, err);
        if (vrc != SR_OK)
            return vrc;
    }
    const slot *s = find_slot(kr, user);
    if (!s)
        return srp_error_set(err, SR_ERR_AUTH, "no user '%s' in this registry", user);
    const unsigned char *sk = sr_secret_cdata(slot_secret);
    if (sr_secret_len(slot_secret) < SRP_BOX_SECRET_BYTES ||
        !srp_box_pair_matches(s->public_key, sk))
        return srp_error_set(err, SR_ERR_AUTH,
                             "the key slot of user '%s' was replaced: unlock the registry again",
                             user);
    srp_unit_keys *uk = srp_unit_keys_new();
    sr_secret *key = sr_secret_new(SRP_KEY_BYTES);
    sr_status rc = SR_OK;
    if (!uk || !key) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t j = 0; j < s->unit_seal_count && rc == SR_OK; j++) {
        const unit_seal *us = &s->unit_seals[j];
        if (!slot_holds_unit(s, us->unit) ||
            srp_box_seal_open(sr_secret_data(key), us->blob, sizeof us->blob, s->public_key, sk) !=
                0) {
            rc = srp_error_set(err, SR_ERR_TAMPERED, "the key slot of user '%s' is damaged", user);
            break;
        }
        rc = srp_unit_keys_put(uk, us->unit, us->generation, sr_secret_cdata(key), err);
    }
    if (rc == SR_OK) {
        *out = uk;
        uk = NULL;
    }
out:
    srp_unit_keys_free(uk);
    sr_secret_free(key);
    return rc;
}

size_t srp_keyring_unit_key_count(const srp_keyring *kr, const char *user)
{
    const slot *s = find_slot(kr, user);
    return s ? s->unit_seal_count : 0;
}

int srp_keyring_has_unit_keys(const srp_keyring *kr)
{
    for (size_t i = 0; i < kr->slot_count; i++)
        if (kr->slots[i].unit_seal_count)
            return 1;
    return 0;
}

sr_status srp_keyring_set_rotation_data(srp_keyring *kr, const unsigned char *data, size_t len,
                                        sr_error *err)
{
    unsigned char *copy = NULL;
    if (data && len) {
        copy = malloc(len);
        if (!copy)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        memcpy(copy, data, len);
    }
    free(kr->rotation);
    kr->rotation = copy;
    kr->rotation_len = copy ? len : 0;
    return SR_OK;
}

const unsigned char *srp_keyring_rotation_data(const srp_keyring *kr, size_t *len)
{
    *len = kr->rotation_len;
    return kr->rotation;
}

const unsigned char *srp_keyring_signing_sig_at(const srp_keyring *kr, uint32_t epoch)
{
    return epoch >= 1 && epoch <= kr->chain_count ? kr->chain[epoch - 1].signature : NULL;
}
