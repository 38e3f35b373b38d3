/*
 * keyring_seen.h - what each user has seen of a registry's keyring, kept
 * outside the registry (internal): rollback and trust-root protection.
 *
 * The keyring is signed, but an old signed keyring is still signed, and a
 * keyring signed by a key of someone's own making is signed too. So each
 * (operating-system user, registry id, sigreg user) keeps a small state file
 * under $XDG_STATE_HOME/sigreg/seen/ (or ~/.local/state/sigreg/seen/): the
 * keyring's root signing key, the newest signing epoch with its key, and
 * the newest version seen. A keyring with another root, a replaced or
 * missing epoch, or a lower version is refused.
 *
 * The same folder keeps, per user, the newest entry that user appended to
 * the analysts' access log (srp_seen_sidelog_*).
 *
 * The record lives outside the registry's folder on purpose: whoever can
 * put an old keyring back can put back anything inside that file too,
 * a record in the user's own slot included. It must not store anything
 * secret or personal (it holds public keys and counters only) and never
 * decides anything alone: it only refuses.
 */
#ifndef SIGREG_KEYRING_SEEN_H
#define SIGREG_KEYRING_SEEN_H

#include <stdint.h>

#include "keyring.h"
#include "sigreg/status.h"

/* SR_OK when kr is not older than, and descends from, what user has seen of
 * its registry (or nothing was recorded); SR_ERR_TAMPERED otherwise. */
sr_status srp_seen_check(const srp_keyring *kr, const char *user, sr_error *err);
/* Records kr as seen by user when it is newer than the record. Best effort:
 * a folder that cannot be written records nothing (the check then protects
 * from the last record that could be written). */
void srp_seen_record(const srp_keyring *kr, const char *user);

/* The analysts' access log (sidelog.h) as user last wrote it, kept beside
 * the keyring record (".sidelog" added to its name): the number and link
 * of the newest entry the user appended, so that their next use finds a
 * log cut or rewritten below it. Public values only. srp_seen_sidelog_get
 * returns 1 with *seq and link filled, 0 when nothing was recorded (or the
 * record is damaged: it then protects nothing, as none would). */
int srp_seen_sidelog_get(const char *registry_id, const char *user, int64_t *seq,
                         unsigned char link[SRP_MAC_BYTES]);
/* Best effort, as srp_seen_record. */
void srp_seen_sidelog_put(const char *registry_id, const char *user, int64_t seq,
                          const unsigned char link[SRP_MAC_BYTES]);

#endif
