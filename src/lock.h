/*
 * lock.h - the registry's lock between processes (internal).
 *
 * An flock on STEM.lock, waited for up to a timeout. A session takes it
 * exclusively for each write transaction, each key rotation and each
 * keyring change, and while it (re)loads the keyring and the database, so
 * that those are always read and written as one consistent set; between
 * them other processes get their turn. It must not be held across a wait
 * for the user.
 */
#ifndef SIGREG_LOCK_H
#define SIGREG_LOCK_H

#include "sigreg/status.h"

/* Opens (creating) the lock file; the descriptor is not locked yet. */
sr_status srp_lock_open(const char *lock_path, int *fd_out, sr_error *err);
/* Takes the lock on fd (exclusive or shared), waiting up to timeout_ms; a
 * lock still held elsewhere then is SR_ERR_BUSY. */
sr_status srp_lock_take(int fd, int exclusive, int timeout_ms, sr_error *err);
/* Gives the lock on fd up and keeps fd open. */
void srp_lock_drop(int fd);

/* Opens and takes the lock exclusively; *fd_out is the locked descriptor. */
sr_status srp_lock_acquire(const char *lock_path, int timeout_ms, int *fd_out, sr_error *err);
/* Gives the lock up and closes fd; -1 is a no-op. */
void srp_lock_release(int fd);

#endif
