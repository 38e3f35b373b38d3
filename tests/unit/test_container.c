/*
 * test_container.c - the sealed, signed extract container (white-box): a
 * byte flipped anywhere, a file cut short anywhere, a file re-signed with
 * another key, the wrong recipient key and the wrong signer must all be
 * refused; the right key opens exactly what was sealed.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "container.h"

static unsigned char rpk[SRP_BOX_PUBLIC_BYTES], rsk[SRP_BOX_SECRET_BYTES];
static unsigned char spk[SRP_SIGN_PUBLIC_BYTES], ssk[SRP_SIGN_SECRET_BYTES];
static unsigned char *plain;
static size_t plain_len = 200000; /* four chunks */

static sr_status try_open(const unsigned char *data, size_t len, const unsigned char *pk,
                          const unsigned char *sk, const char *pin)
{
    unsigned char *out = NULL;
    size_t out_len = 0;
    char fp[SRP_FINGERPRINT_HEX];
    sr_error err;
    sr_error_clear(&err);
    sr_status rc = srp_container_open(data, len, pk, sk, pin, &out, &out_len, fp, &err);
    if (rc == SR_OK) {
        assert_int_equal(out_len, plain_len);
        assert_memory_equal(out, plain, plain_len);
    } else {
        assert_null(out);
        assert_true(err.message[0] != '\0');
    }
    free(out);
    return rc;
}

static unsigned char *sealed(size_t *len)
{
    unsigned char *out = NULL;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(srp_container_seal(plain, plain_len, rpk, ssk, spk, &out, len, &err), SR_OK);
    return out;
}

static void test_round_trip_and_pinning(void **state)
{
    (void)state;
    size_t len;
    unsigned char *c = sealed(&len);
    char fp[SRP_FINGERPRINT_HEX];
    srp_fingerprint(spk, sizeof spk, fp);
    assert_int_equal(try_open(c, len, rpk, rsk, NULL), SR_OK);
    assert_int_equal(try_open(c, len, rpk, rsk, fp), SR_OK);
    char other[SRP_FINGERPRINT_HEX];
    memcpy(other, fp, sizeof other);
    other[0] = other[0] == 'a' ? 'b' : 'a';
    assert_int_equal(try_open(c, len, rpk, rsk, other), SR_ERR_TAMPERED); /* wrong signer */
    unsigned char pk2[SRP_BOX_PUBLIC_BYTES], sk2[SRP_BOX_SECRET_BYTES];
    srp_box_keypair(pk2, sk2);
    assert_int_equal(try_open(c, len, pk2, sk2, NULL), SR_ERR_AUTH); /* wrong key */
    free(c);
}

static void test_every_byte_region_flipped(void **state)
{
    (void)state;
    size_t len;
    unsigned char *c = sealed(&len);
    /* Every byte of the first 400 (magic, header, sealed key, stream
     * header, first chunk), every 97th after, and the last 100 (the last
     * chunk's end and the signature). */
    size_t tried = 0;
    for (size_t i = 0; i < len; i += i < 400 || i > len - 100 ? 1 : 97) {
        c[i] ^= 0x20;
        if (try_open(c, len, rpk, rsk, NULL) == SR_OK)
            fail_msg("a flipped byte at %zu of %zu was not noticed", i, len);
        c[i] ^= 0x20;
        tried++;
    }
    assert_true(tried > 2000);
    assert_int_equal(try_open(c, len, rpk, rsk, NULL), SR_OK);
    free(c);
}

static void test_cut_short_anywhere(void **state)
{
    (void)state;
    size_t len;
    unsigned char *c = sealed(&len);
    for (size_t cut = 0; cut < len; cut += cut < 300 ? 1 : 331)
        if (try_open(c, cut, rpk, rsk, NULL) == SR_OK)
            fail_msg("a file cut at %zu of %zu opened", cut, len);
    assert_int_equal(try_open(c, len - 1, rpk, rsk, NULL), SR_ERR_TAMPERED);
    free(c);
}

static void test_resigned_with_another_key(void **state)
{
    (void)state;
    size_t len;
    unsigned char *c = sealed(&len);
    /* An attacker swaps in their own signing key and signs anew. */
    unsigned char apk[SRP_SIGN_PUBLIC_BYTES], ask[SRP_SIGN_SECRET_BYTES];
    srp_sign_keypair(apk, ask);
    char *old64 = srp_base64_encode(spk, sizeof spk), *new64 = srp_base64_encode(apk, sizeof apk);
    char *hit = memmem(c, len, old64, strlen(old64));
    assert_non_null(hit);
    memcpy(hit, new64, strlen(new64));
    srp_sign(c + len - SRP_SIGNATURE_BYTES, c, len - SRP_SIGNATURE_BYTES, ask);
    /* Even without a pinned signer it does not open: the header is bound to
     * every chunk. */
    assert_int_equal(try_open(c, len, rpk, rsk, NULL), SR_ERR_TAMPERED);
    free(old64);
    free(new64);
    free(c);
}

static void test_header_only(void **state)
{
    (void)state;
    size_t len;
    unsigned char *c = sealed(&len);
    char fp[SRP_FINGERPRINT_HEX], want[SRP_FINGERPRINT_HEX];
    unsigned char signer[SRP_SIGN_PUBLIC_BYTES];
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(srp_container_header(c, len, fp, signer, &err), SR_OK);
    srp_fingerprint(rpk, sizeof rpk, want);
    assert_string_equal(fp, want);
    assert_memory_equal(signer, spk, sizeof spk);
    assert_int_not_equal(srp_container_header((const unsigned char *)"SIGREGX1", 8, fp, signer,
                                              &err),
                         SR_OK);
    free(c);
}

int main(void)
{
    sr_error err;
    sr_error_clear(&err);
    if (sr_crypto_init(&err) != SR_OK)
        return 1;
    srp_box_keypair(rpk, rsk);
    srp_sign_keypair(spk, ssk);
    plain = malloc(plain_len);
    srp_random_bytes(plain, plain_len);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_pinning),
        cmocka_unit_test(test_every_byte_region_flipped),
        cmocka_unit_test(test_cut_short_anywhere),
        cmocka_unit_test(test_resigned_with_another_key),
        cmocka_unit_test(test_header_only),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(plain);
    return rc;
}
