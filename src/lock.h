/*
 * lock.h - one session at a time per registry (internal).
 *
 * An exclusive flock on STEM.lock, waited for up to a timeout. Held for the
 * whole session so that the keyring, the database and the code key are
 * always read and written as one consistent set.
 */
#ifndef SIGREG_LOCK_H
#define SIGREG_LOCK_H

#include "sigreg/status.h"

/* Returns the locked descriptor in *fd_out. */
sr_status srp_lock_acquire(const char *lock_path, int timeout_ms, int *fd_out, sr_error *err);
void srp_lock_release(int fd);

#endif
