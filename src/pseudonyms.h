/*
 * pseudonyms.h - the pseudonyms of a rotation of the identity key.
 *
 * Removing a user who held the identity key (an admin or a coordinator)
 * replaces it, and with it every case's pseudonym. Re-deriving a pseudonym
 * needs the case's personnummer, so every unit's key: only the admin doing
 * the removal holds them all. That admin therefore computes the new
 * pseudonyms before the rotation's first keyring write (seal), encrypted
 * under the new data key and bound to the registry and the new epoch; the
 * keyring carries them (srp_keyring_set_rotation_data) until the rotation is
 * finished. Whoever finishes it holds the new data key (an admin or a
 * coordinator) and writes them into the database's new copy (apply) without
 * any unit key. Case codes never change.
 *
 * This module never prints, never names a personnummer in an error or a
 * log entry, and keeps the personnummer it reads only in guarded memory.
 */
#ifndef SIGREG_PSEUDONYMS_H
#define SIGREG_PSEUDONYMS_H

#include <sqlite3.h>
#include <stddef.h>

#include "keyring.h"
#include "sigreg/registry.h"
#include "sigreg/status.h"

/* For every case with a personnummer, its pseudonym under next's identity
 * key, read from the code key with the session's unit keys (an admin's: all
 * of them), sealed under next's data key for next's epoch. *out is a new
 * malloc'd blob the caller frees; *count the cases listed, *unreadable those
 * whose code key row did not open (they are left without a pseudonym: no
 * one could look them up with the old one any more). Outside a transaction,
 * under the registry's lock. */
sr_status srp_pseudonyms_seal(sr_registry *reg, const srp_keys *next, unsigned char **out,
                              size_t *out_len, long *count, long *unreadable, sr_error *err);

/* Opens blob with keys' data key (the current epoch's, which must be the
 * one it was sealed for) and gives each listed case of db's main schema its
 * new pseudonym, every other case none, in one transaction of db's (a
 * connection with no session hooks: the database's copy under the new key).
 * SR_ERR_TAMPERED when blob does not open. */
sr_status srp_pseudonyms_apply(sqlite3 *db, const srp_keys *keys, const char *registry_id,
                               const unsigned char *blob, size_t len, sr_error *err);

#endif
