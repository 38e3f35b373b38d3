/*
 * registry_int.h - the internal half of the registry module: what the
 * library's other modules may reach inside an open session (registry.c).
 *
 * The struct itself is defined only in registry.c. Everything here is
 * borrowed from the session; nothing here checks a role except
 * srp_registry_require_unit, so callers check roles first (sr_registry_require).
 * Front ends never include this header.
 */
#ifndef SIGREG_REGISTRY_INT_H
#define SIGREG_REGISTRY_INT_H

#include <sqlite3.h>

#include "audit_int.h"
#include "crypto.h"
#include "keyring.h"
#include "sigreg/audit.h"
#include "sigreg/registry.h"
#include "sigreg/secret.h"
#include "sigreg/status.h"

/* The session's database connection (borrowed). The code key, when the
 * session holds the identity key, is attached as schema "codekey". Outside a
 * transaction this first catches up with another process's rotation (see
 * srp_registry_refresh): fetch it at the start of an operation. */
sqlite3 *srp_registry_db(sr_registry *reg);
/* Loads the keyring, database and code key again (no KDF) when another
 * process changed them; a no-op inside a locked section. */
sr_status srp_registry_refresh(sr_registry *reg, sr_error *err);
/* A prepared statement from the session's cache (compiled once per
 * session): reset, bindings cleared. Give it back with srp_stmt_done, never
 * sqlite3_finalize. The cache is cleared when the session reloads, rotates
 * or detaches; a statement out at that moment is finalized when done. */
sr_status srp_registry_prepare(sr_registry *reg, const char *sql, sqlite3_stmt **out,
                               sr_error *err);
void srp_stmt_done(sr_registry *reg, sqlite3_stmt *st);
/* srp_store_meta_get with the session's cached statement (settings read
 * on every summary). */
sr_status srp_registry_meta_get(sr_registry *reg, const char *key, char **value_out, sr_error *err);
/* An exclusive section (nests with transactions): takes the registry's
 * lock, after catching up with other processes when not yet held. Keyring
 * edits happen inside one; fetch srp_registry_keyring after taking it. */
sr_status srp_registry_lock(sr_registry *reg, sr_error *err);
void srp_registry_unlock(sr_registry *reg);
/* The pseudonym of a canonical personnummer under the session's pseudonym
 * key (derived once per session, kept in guarded memory). */
sr_status srp_registry_pseudonym(const sr_registry *reg, const unsigned char *canonical, size_t len,
                                 unsigned char out[SRP_MAC_BYTES], sr_error *err);
/* Appends an audit entry as the session's user, in the current transaction. */
sr_status srp_registry_audit(sr_registry *reg, const char *action, const char *case_code,
                             const char *detail, sr_error *err);
/* Verifies the audit chain with what the session holds (the MAC key of
 * older entries, the keyring that certifies signers); expect (may be NULL)
 * gives a checkpoint's sequence and head to hold against. */
sr_status srp_registry_audit_verify(sr_registry *reg, const srp_audit_check *expect,
                                    sr_audit_report *report, sr_error *err);
/* The key the session signs its audit entries with (the user's own);
 * 0 when the session holds none (entries are then MAC'd). */
int srp_registry_entry_signer(sr_registry *reg, srp_audit_signer *out);
/* The key the session signs checkpoints with, and the user name that goes
 * with it (borrowed); 0 when the session holds none. */
int srp_registry_checkpoint_signer(sr_registry *reg, srp_audit_signer *out, const char **user);
/* Whether pk is a key the keyring certifies to sign a checkpoint as user. */
int srp_registry_checkpoint_certified(sr_registry *reg, const char *user,
                                      const unsigned char pk[SRP_SIGN_PUBLIC_BYTES]);
/* The form store's cache of parsed forms (form_store.c), kept for the
 * session's life and freed with it by free_fn: NULL until set. The registry
 * knows nothing of what it holds. */
void *srp_registry_form_cache(const sr_registry *reg);
void srp_registry_set_form_cache(sr_registry *reg, void *cache, void (*free_fn)(void *));
/* The registry's id (borrowed). */
const char *srp_registry_id(const sr_registry *reg);
/* Whether the session holds the identity key (admin, coordinator). */
int srp_registry_has_identity(const sr_registry *reg);
/* Whether the session opened the database (0: an analyst's, whose db is an
 * in-memory directory and whose entries go to the side log, sidelog.h). */
int srp_registry_has_database(const sr_registry *reg);
/* The side log's path (borrowed). */
const char *srp_registry_sidelog_path(const sr_registry *reg);
/* Whether the keyring certifies pk as user's signing key. */
int srp_registry_certify_signer(sr_registry *reg, const char *user,
                                const unsigned char pk[SRP_SIGN_PUBLIC_BYTES]);
/* The pseudonym key; only when srp_registry_has_identity. */
void srp_registry_pseudonym_key(const sr_registry *reg, unsigned char out[SRP_KEY_BYTES]);
/* SR_OK when the session may work on the cases of unit (admins on all,
 * coordinators on their own units); SR_ERR_DENIED otherwise, and the
 * refusal is logged as access.denied in a transaction of its own. */
sr_status srp_registry_require_unit(sr_registry *reg, const char *unit, sr_error *err);
/* The same check without the log entry, for a caller that logs the refusal
 * itself with more to say (the case it was about). */
sr_status srp_registry_check_unit(sr_registry *reg, const char *unit, sr_error *err);
/* Appends an audit entry as the session's user in a transaction of its own:
 * at once when none is open, else right after the open one ends, whether it
 * commits or rolls back. For refusals and lookups, whose trace must outlive
 * the rollback of what was refused. An entry that cannot be written yet
 * (the registry is busy) waits for the next chance, at the latest when the
 * session closes. */
void srp_registry_log_apart(sr_registry *reg, const char *action, const char *case_code,
                            const char *detail);
/* Runs fn inside one write transaction together with an audit entry:
 * both are stored or neither. */
typedef sr_status (*srp_txn_fn)(sr_registry *reg, void *ctx, sr_error *err);
sr_status srp_registry_transaction(sr_registry *reg, const char *action, const char *case_code,
                                   const char *detail, srp_txn_fn fn, void *ctx, sr_error *err);

/* Signs msg with the session user's own Ed25519 key (from their slot, held
 * in guarded memory for the session). SR_ERR_STATE when the slot has none
 * yet (a keyring from before signing keys, not yet upgraded). */
sr_status srp_registry_user_sign(const sr_registry *reg, const void *msg, size_t len,
                                 unsigned char sig[SRP_SIGNATURE_BYTES], sr_error *err);
/* The public signing key of user (NULL for the session's own user) from
 * the session's keyring, into pk. SR_ERR_NOT_FOUND when there is no such
 * user or their slot has no signing key. */
sr_status srp_registry_user_sign_public(const sr_registry *reg, const char *user,
                                        unsigned char pk[SRP_SIGN_PUBLIC_BYTES], sr_error *err);

/* Fills the connection's temp.keyring_units (user, unit) from the signed
 * keyring: join on it, never on the database's user_units. Call after
 * changing the units in the session's keyring. */
sr_status srp_registry_sync_units(sr_registry *reg, sr_error *err);

/* The keyring and keys of the session (borrowed), and its files. */
srp_keyring *srp_registry_keyring(sr_registry *reg);
const srp_keys *srp_registry_keys(const sr_registry *reg);
/* The session's own slot secret (X25519, borrowed): opens what is sealed to
 * the user, such as a publication. */
const sr_secret *srp_registry_slot_secret(const sr_registry *reg);
const char *srp_registry_keyring_path(const sr_registry *reg);
const char *srp_registry_db_path(const sr_registry *reg);
const char *srp_registry_codekey_path(const sr_registry *reg);
/* The database and code key keys of the current epoch (new guarded secrets
 * the caller frees), for checking copies. */
sr_secret *srp_registry_database_key(const sr_registry *reg);
sr_secret *srp_registry_codekey_key(const sr_registry *reg);
/* Rotates to fresh keys: keyring (already without any removed slot) first,
 * then the database and the code key, then the keyring again. */
sr_status srp_registry_rotate(sr_registry *reg, sr_error *err);
/* The same, and with SRP_ROTATE_SIGNING a new registry signing key too
 * (admins only), appended to the keyring's chain signed by the old one. */
#define SRP_ROTATE_SIGNING 1u
/* With SRP_ROTATE_IDENTITY a new identity key too (admins only): every
 * case's pseudonym re-derived under it (pseudonyms.h), case codes kept. */
#define SRP_ROTATE_IDENTITY 2u
sr_status srp_registry_rotate_keys(sr_registry *reg, unsigned what, sr_error *err);
/* The same, and a new generation of the key of each of units (admins only):
 * sealed with the keyring's first write, the code key's rows of those units
 * resealed under it once the files are moved, the older generation dropped
 * from the keyring last. */
sr_status srp_registry_rotate_units(sr_registry *reg, unsigned what, const char *const *units,
                                    size_t count, sr_error *err);
/* A new generation of the key of each of units, and nothing else (admins
 * only): for a user who keeps the data key but no longer works in those
 * units. Sealed with the keyring's units as they are now (set them first),
 * in one keyring write; the code key's rows of those units are resealed
 * under it and the older generation dropped, as an admin's unlock finishes
 * them after a crash. *written: whether the keyring was written. */
sr_status srp_registry_rotate_unit_keys(sr_registry *reg, const char *const *units, size_t count,
                                        int *written, sr_error *err);
/* The unit keys the session holds (borrowed; empty for an analyst). */
srp_unit_keys *srp_registry_unit_keys(sr_registry *reg);
/* Gives the keyring's slots the unit keys their roles and units entitle them
 * to (admins only), e.g. after a user's units changed; written with the
 * keyring's next write. */
sr_status srp_registry_seal_unit_keys(sr_registry *reg, sr_error *err);
/* A unit just added gets its key (admins only): sealed to the admins'
 * slots, the keyring written, logged. */
sr_status srp_registry_unit_key_add(sr_registry *reg, const char *unit, sr_error *err);

#endif
