/*
 * fuzz_keyring.c - the keyring reader on arbitrary bytes (white-box: the
 * parser is internal). A damaged keyring must give a status, never a crash.
 */
#include <stdint.h>
#include <string.h>

#include "keyring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        if (sr_crypto_init(NULL) != SR_OK)
            return 0;
        ready = 1;
    }
    srp_keyring *kr = NULL;
    sr_error err;
    sr_error_clear(&err);
    if (srp_keyring_parse(data, size, "fuzz", &kr, &err) == SR_OK) {
        for (size_t i = 0; i < srp_keyring_user_count(kr); i++) {
            const char *name, *profile;
            sr_role role;
            srp_keyring_user_at(kr, i, &name, &role, &profile);
        }
        /* Unlocking runs the KDF with the file's parameters; only try it for
         * the cheapest, so that a fuzzer input cannot ask for gigabytes. */
        srp_keys *keys = NULL;
        sr_role role;
        const char *name, *profile;
        srp_keyring_user_at(kr, 0, &name, &role, &profile);
        if (strcmp(profile, "insecure-test-only") == 0)
            (void)srp_keyring_unlock(kr, name, (const unsigned char *)"x", 1, &keys, &role, &err);
        srp_keys_free(keys);
    }
    srp_keyring_free(kr);
    return 0;
}
