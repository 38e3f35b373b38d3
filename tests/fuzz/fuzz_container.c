/*
 * fuzz_container.c - the extract container reader and the archive reader on
 * arbitrary bytes (white-box). Opening must verify or refuse, never crash or
 * read out of bounds; only the true key and an untouched file may succeed.
 * The recipient key comes from a fixed seed, so that the version 2 seed
 * (corpus/container/seed-v2-0.sigx, sealed to it) opens and mutations reach
 * the chunks; the version 1 seeds are refused at the recipient. The bytes
 * are also fed to the streaming reader split at a point the input chooses,
 * and to the archive reader of both formats.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char pk[SRP_BOX_PUBLIC_BYTES], sk[SRP_BOX_SECRET_BYTES];

static sr_status ignore(void *ctx, const void *data, size_t len, sr_error *err)
{
    (void)ctx;
    (void)data;
    (void)len;
    (void)err;
    return SR_OK;
}

static void archive(int format, const uint8_t *data, size_t size)
{
    srp_archive_reader *r = srp_archive_reader_new(format, NULL);
    if (!r)
        return;
    size_t half = size / 2;
    if (srp_archive_reader_feed(r, data, half, NULL) == SR_OK &&
        srp_archive_reader_feed(r, data + half, size - half, NULL) == SR_OK)
        (void)srp_archive_reader_finish(r, NULL, NULL);
    srp_archive_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        unsigned char seed[32] = {7};
        if (sr_crypto_init(NULL) != SR_OK || srp_box_seed_keypair(pk, sk, seed) != 0)
            return 0;
        ready = 1;
    }
    char fp[SRP_FINGERPRINT_HEX];
    unsigned char signer[SRP_SIGN_PUBLIC_BYTES];
    (void)srp_container_header(data, size, fp, signer, NULL);
    unsigned char *plain = NULL;
    size_t plain_len = 0;
    if (srp_container_open(data, size, pk, sk, NULL, &plain, &plain_len, fp, NULL) == SR_OK) {
        archive(data[7] == '1' ? 1 : 2, plain, plain_len);
        free(plain);
    }
    srp_container_reader *r = NULL;
    if (srp_container_reader_new(pk, sk, NULL, size, ignore, NULL, &r, NULL) == SR_OK) {
        size_t cut = size ? data[size - 1] % (size + 1) : 0;
        if (srp_container_reader_feed(r, data, cut, NULL) == SR_OK &&
            srp_container_reader_feed(r, data + cut, size - cut, NULL) == SR_OK)
            (void)srp_container_reader_finish(r, fp, NULL, NULL);
        srp_container_reader_free(r);
    }
    archive(1, data, size);
    archive(2, data, size);
    return 0;
}
