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
 * The record lives outside the registry's folder on purpose: whoever can
 * put an old keyring back can put back anything inside that file too,
 * a record in the user's own slot included. It must not store anything
 * secret or personal (it holds public keys and counters only) and never
 * decides anything alone: it only refuses.
 */
#ifndef SIGREG_KEYRING_SEEN_H
#define SIGREG_KEYRING_SEEN_H

#include "keyring.h"
#include "sigreg/status.h"

/* SR_OK when kr is not older than, and descends from, what user has seen of
 * its registry (or nothing was recorded); SR_ERR_TAMPERED otherwise. */
sr_status srp_seen_check(const srp_keyring *kr, const char *user, sr_error *err);
/* Records kr as seen by user when it is newer than the record. Best effort:
 * a folder that cannot be written records nothing (the check then protects
 * from the last record that could be written). */
void srp_seen_record(const srp_keyring *kr, const char *user);

#endif
