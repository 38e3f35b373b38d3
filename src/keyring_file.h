/*
 * keyring_file.h - the keyring on disk (internal).
 *
 * crypto/keyring works on bytes; this module is the only place that reads
 * a keyring file or writes one (atomically: temporary file, fsync, rename,
 * directory fsync). It adds nothing to the keyring's meaning.
 */
#ifndef SIGREG_KEYRING_FILE_H
#define SIGREG_KEYRING_FILE_H

#include "keyring.h"
#include "sigreg/status.h"

/* Reads and checks the structure of a keyring file (not yet its MAC). A
 * missing file is SR_ERR_NOT_REGISTRY. *out is owned by the caller. */
sr_status srp_keyring_read(const char *path, srp_keyring **out, sr_error *err);
/* Signs the keyring (see srp_keyring_serialize) and writes it atomically to path. */
sr_status srp_keyring_write(srp_keyring *kr, const char *path, const srp_keys *keys, sr_error *err);

#endif
