/*
 * fuzz_container.c - the extract container reader on arbitrary bytes
 * (white-box). Opening must verify or refuse, never crash or read out of
 * bounds; only the true key and an untouched file may succeed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char pk[SRP_BOX_PUBLIC_BYTES], sk[SRP_BOX_SECRET_BYTES];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        if (sr_crypto_init(NULL) != SR_OK)
            return 0;
        srp_box_keypair(pk, sk);
        ready = 1;
    }
    char fp[SRP_FINGERPRINT_HEX];
    unsigned char signer[SRP_SIGN_PUBLIC_BYTES];
    (void)srp_container_header(data, size, fp, signer, NULL);
    unsigned char *plain = NULL;
    size_t plain_len = 0;
    if (srp_container_open(data, size, pk, sk, NULL, &plain, &plain_len, fp, NULL) == SR_OK)
        free(plain);
    return 0;
}
