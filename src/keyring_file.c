/*
 * keyring_file.c - reading and writing the keyring file (see keyring_file.h).
 */
#include "keyring_file.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileio.h"

sr_status srp_keyring_read(const char *path, srp_keyring **out, sr_error *err)
{
    unsigned char *data = NULL;
    size_t len = 0;
    sr_error local = {0};
    sr_status rc = srp_file_read_all(path, SRP_KEYRING_MAX_BYTES, &data, &len, &local);
    if (rc == SR_ERR_NOT_FOUND)
        return srp_error_set_where(err, SR_ERR_NOT_REGISTRY, path,
                                   "the keyring '%s' is missing: without it the registry cannot "
                                   "be opened",
                                   path);
    if (rc != SR_OK)
        return srp_error_set_where(err, rc, local.where, "%s", local.message);
    rc = srp_keyring_parse(data, len, path, out, err);
    free(data);
    return rc;
}

sr_status srp_keyring_write(srp_keyring *kr, const char *path, const srp_keys *keys, sr_error *err)
{
    char *text = NULL;
    sr_status rc = srp_keyring_serialize(kr, keys, &text, err);
    if (rc == SR_OK)
        rc = srp_file_write_atomic(path, text, strlen(text), err);
    free(text);
    return rc;
}
