/*
 * test_container.c - the sealed, signed extract container (white-box): a
 * byte flipped anywhere, a file cut short anywhere, a file re-signed with
 * another key, the wrong recipient key and the wrong signer must all be
 * refused; the right key opens exactly what was sealed.
 */
#include "testutil.h"

#include <stdio.h>
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
    assert_memory_equal(c, SRP_CONTAINER_MAGIC_V2, 8);
    /* An attacker swaps in their own signing key and signs anew (Ed25519ph,
     * as version 2 is signed). */
    unsigned char apk[SRP_SIGN_PUBLIC_BYTES], ask[SRP_SIGN_SECRET_BYTES];
    srp_sign_keypair(apk, ask);
    char *old64 = srp_base64_encode(spk, sizeof spk), *new64 = srp_base64_encode(apk, sizeof apk);
    char *hit = memmem(c, len, old64, strlen(old64));
    assert_non_null(hit);
    memcpy(hit, new64, strlen(new64));
    srp_sign_stream *s = srp_sign_stream_begin();
    srp_sign_stream_update(s, c, len - SRP_SIGNATURE_BYTES);
    srp_sign_stream_end(s, c + len - SRP_SIGNATURE_BYTES, ask);
    /* The signature itself verifies now: */
    s = srp_sign_stream_begin();
    srp_sign_stream_update(s, c, len - SRP_SIGNATURE_BYTES);
    assert_int_equal(srp_sign_stream_check(s, c + len - SRP_SIGNATURE_BYTES, apk), 0);
    /* but even without a pinned signer it does not open: the header is
     * bound to every chunk. */
    assert_int_equal(try_open(c, len, rpk, rsk, NULL), SR_ERR_TAMPERED);
    free(old64);
    free(new64);
    free(c);
}

/* Feeds a reader in pieces of a given size; returns what it delivered. */
typedef struct collected {
    unsigned char *data;
    size_t len, cap;
} collected;

static sr_status collect(void *ctx, const void *data, size_t len, sr_error *err)
{
    (void)err;
    collected *c = ctx;
    if (c->len + len > c->cap) {
        c->cap = (c->len + len) * 2;
        c->data = realloc(c->data, c->cap);
        assert_non_null(c->data);
    }
    memcpy(c->data + c->len, data, len);
    c->len += len;
    return SR_OK;
}

static void test_streams_in_any_pieces(void **state)
{
    (void)state;
    /* Written in pieces of 1, 7 and 65537 bytes: the same content, and read
     * back in pieces of 1, 13 and 4096 bytes. */
    const size_t wsizes[] = {1, 7, 65537};
    const size_t rsizes[] = {1, 13, 4096};
    for (size_t ws = 0; ws < 3; ws++) {
        collected file = {NULL, 0, 0};
        srp_container_writer *w = NULL;
        sr_error err;
        sr_error_clear(&err);
        assert_int_equal(srp_container_writer_new(rpk, ssk, spk, collect, &file, &w, &err), SR_OK);
        for (size_t pos = 0; pos < plain_len; pos += wsizes[ws]) {
            size_t n = plain_len - pos < wsizes[ws] ? plain_len - pos : wsizes[ws];
            assert_int_equal(srp_container_write(w, plain + pos, n, &err), SR_OK);
        }
        unsigned char hash[SRP_MAC_BYTES], want[SRP_MAC_BYTES];
        assert_int_equal(srp_container_writer_finish(w, hash, &err), SR_OK);
        srp_container_writer_free(w);
        srp_hash(want, file.data, file.len);
        assert_memory_equal(hash, want, sizeof want);
        assert_int_equal(try_open(file.data, file.len, rpk, rsk, NULL), SR_OK);
        size_t rs = ws; /* one reading size per writing size */
        collected out = {NULL, 0, 0};
        srp_container_reader *r = NULL;
        assert_int_equal(srp_container_reader_new(rpk, rsk, NULL, 0, collect, &out, &r, &err),
                         SR_OK);
        for (size_t pos = 0; pos < file.len; pos += rsizes[rs]) {
            size_t n = file.len - pos < rsizes[rs] ? file.len - pos : rsizes[rs];
            assert_int_equal(srp_container_reader_feed(r, file.data + pos, n, &err), SR_OK);
        }
        char fp[SRP_FINGERPRINT_HEX], want_fp[SRP_FINGERPRINT_HEX];
        int version = 0;
        assert_int_equal(srp_container_reader_finish(r, fp, &version, &err), SR_OK);
        srp_container_reader_free(r);
        srp_fingerprint(spk, sizeof spk, want_fp);
        assert_string_equal(fp, want_fp);
        assert_int_equal(version, 2);
        assert_int_equal(out.len, plain_len);
        assert_memory_equal(out.data, plain, plain_len);
        free(out.data);
        free(file.data);
    }
}

static void test_empty_content(void **state)
{
    (void)state;
    unsigned char *out = NULL, *opened = NULL;
    size_t len = 0, opened_len = 1;
    char fp[SRP_FINGERPRINT_HEX];
    assert_int_equal(srp_container_seal(NULL, 0, rpk, ssk, spk, &out, &len, NULL), SR_OK);
    assert_int_equal(srp_container_open(out, len, rpk, rsk, NULL, &opened, &opened_len, fp, NULL),
                     SR_OK);
    assert_int_equal(opened_len, 0);
    free(opened);
    free(out);
}

/* A file written by the version 1 writer (tests/unit/data/container-v1.sigx:
 * recipient and signer from fixed seeds, 70000 bytes (i * 31 + 7) % 251). */
static void test_version_1_still_opens(void **state)
{
    (void)state;
    FILE *f = fopen(SIGREG_TEST_DATA "/container-v1.sigx", "rb");
    assert_non_null(f);
    unsigned char *data = malloc(200000);
    size_t len = fread(data, 1, 200000, f);
    fclose(f);
    assert_memory_equal(data, SRP_CONTAINER_MAGIC_V1, 8);
    unsigned char seed_r[32], seed_s[32], pk[32], sk[32], sig_pk[32], sig_sk[64];
    for (int i = 0; i < 32; i++) {
        seed_r[i] = (unsigned char)(i + 1);
        seed_s[i] = (unsigned char)(101 + i);
    }
    assert_int_equal(srp_box_seed_keypair(pk, sk, seed_r), 0);
    assert_int_equal(srp_sign_seed_keypair(sig_pk, sig_sk, seed_s), 0);
    char want_fp[SRP_FINGERPRINT_HEX], fp[SRP_FINGERPRINT_HEX];
    srp_fingerprint(sig_pk, sizeof sig_pk, want_fp);
    unsigned char *out = NULL;
    size_t out_len = 0;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(srp_container_open(data, len, pk, sk, want_fp, &out, &out_len, fp, &err),
                     SR_OK);
    assert_string_equal(fp, want_fp);
    assert_int_equal(out_len, 70000);
    for (size_t i = 0; i < out_len; i++)
        if (out[i] != (unsigned char)((i * 31 + 7) % 251))
            fail_msg("byte %zu of the version 1 content differs", i);
    free(out);
    /* Tampered, cut short and the wrong signer are refused in version 1 too. */
    data[len / 2] ^= 1;
    assert_int_equal(srp_container_open(data, len, pk, sk, NULL, &out, &out_len, fp, &err),
                     SR_ERR_TAMPERED);
    data[len / 2] ^= 1;
    assert_int_equal(srp_container_open(data, len - 1, pk, sk, NULL, &out, &out_len, fp, NULL),
                     SR_ERR_TAMPERED);
    want_fp[0] = want_fp[0] == 'a' ? 'b' : 'a';
    sr_error_clear(&err);
    assert_int_equal(srp_container_open(data, len, pk, sk, want_fp, &out, &out_len, fp, &err),
                     SR_ERR_TAMPERED);
    assert_non_null(strstr(err.message, "signed by"));
    free(data);
}

/* Every region of the version 1 fixture with one bit flipped (a different
 * bit at each byte): the magic, the header, the sealed key, the stream
 * header, the chunks and the signature. None opens. */
static void test_version_1_every_region_flipped(void **state)
{
    (void)state;
    size_t len = 0;
    unsigned char *data = tu_read_file(SIGREG_TEST_DATA "/container-v1.sigx", &len);
    assert_non_null(data);
    assert_true(len > 70000);
    unsigned char seed_r[32], pk[32], sk[32];
    for (int i = 0; i < 32; i++)
        seed_r[i] = (unsigned char)(i + 1);
    assert_int_equal(srp_box_seed_keypair(pk, sk, seed_r), 0);
    unsigned char *out = NULL;
    size_t out_len = 0;
    char fp[SRP_FINGERPRINT_HEX];
    assert_int_equal(srp_container_open(data, len, pk, sk, NULL, &out, &out_len, fp, NULL), SR_OK);
    free(out);
    size_t tried = 0;
    for (size_t i = 0; i < len; i += i < 200 || i > len - 80 ? 1 : 997) {
        unsigned char bit = (unsigned char)(1u << (i % 8));
        data[i] ^= bit;
        out = NULL;
        sr_error err;
        sr_error_clear(&err);
        if (srp_container_open(data, len, pk, sk, NULL, &out, &out_len, fp, &err) == SR_OK)
            fail_msg("version 1: bit %u of byte %zu of %zu flipped was not noticed", bit, i, len);
        assert_null(out);
        assert_true(err.message[0] != '\0');
        data[i] ^= bit;
        tried++;
    }
    assert_true(tried > 250);
    free(data);
}

/* A stream read in pieces with one bit flipped in its third chunk: the two
 * chunks before it are delivered, nothing of the damaged one or after, and
 * the reader refuses (while it is fed or at its end, never opened). */
static void test_damaged_stream_refused_where_it_is_damaged(void **state)
{
    (void)state;
    size_t len;
    unsigned char *c = sealed(&len);
    size_t hlen = (size_t)c[8] | (size_t)c[9] << 8 | (size_t)c[10] << 16 | (size_t)c[11] << 24;
    /* preamble, header, sealed key (32 + 48), stream header (24) */
    size_t prefix = 12 + hlen + 80 + 24;
    size_t chunks = (plain_len + SRP_CONTAINER_CHUNK - 1) / SRP_CONTAINER_CHUNK;
    size_t abytes = (len - prefix - SRP_SIGNATURE_BYTES - 4 * chunks - plain_len) / chunks;
    assert_int_equal(prefix + 4 * chunks + plain_len + abytes * chunks + SRP_SIGNATURE_BYTES, len);
    size_t third = prefix + 2 * (4 + SRP_CONTAINER_CHUNK + abytes);
    const size_t at[] = {third + 2, third + 4, third + 4 + SRP_CONTAINER_CHUNK / 2,
                         third + 4 + SRP_CONTAINER_CHUNK + abytes - 1};
    for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
        for (unsigned b = (unsigned)(3 * k) % 8; b < 8; b += 8) { /* one bit per place */
            c[at[k]] ^= (unsigned char)(1u << b);
            collected got = {NULL, 0, 0};
            srp_container_reader *r = NULL;
            sr_error err;
            sr_error_clear(&err);
            assert_int_equal(srp_container_reader_new(rpk, rsk, NULL, 0, collect, &got, &r, &err),
                             SR_OK);
            sr_status rc = SR_OK;
            for (size_t pos = 0; rc == SR_OK && pos < len; pos += 4096)
                rc = srp_container_reader_feed(r, c + pos, len - pos < 4096 ? len - pos : 4096,
                                               &err);
            if (rc == SR_OK)
                rc = srp_container_reader_finish(r, NULL, NULL, &err);
            srp_container_reader_free(r);
            if (rc == SR_OK)
                fail_msg("bit %u of byte %zu flipped: the stream opened", b, at[k]);
            assert_int_equal(rc, SR_ERR_TAMPERED);
            assert_true(err.message[0] != '\0');
            assert_int_equal(got.len, 2 * SRP_CONTAINER_CHUNK);
            assert_memory_equal(got.data, plain, got.len);
            free(got.data);
            c[at[k]] ^= (unsigned char)(1u << b);
        }
    }
    assert_int_equal(try_open(c, len, rpk, rsk, NULL), SR_OK);
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
    assert_int_not_equal(
        srp_container_header((const unsigned char *)"SIGREGX1", 8, fp, signer, &err), SR_OK);
    free(c);
}

/* ---- signing-key rotations: the chain an evaluator follows ---------------------------------- */

static char *b64_of(const unsigned char *bin, size_t len)
{
    char *t = srp_base64_encode(bin, len);
    assert_non_null(t);
    return t;
}

/* A header whose signer is keys[n-1], with a chain over keys[0..n-1];
 * broken_at > 0 signs that link with the wrong key. */
static char *chain_header(unsigned char pks[][SRP_SIGN_PUBLIC_BYTES],
                          unsigned char sks[][SRP_SIGN_SECRET_BYTES], int n, int broken_at)
{
    char buf[8192];
    char *signer = b64_of(pks[n - 1], SRP_SIGN_PUBLIC_BYTES);
    int used = snprintf(buf, sizeof buf,
                        "{\"format\":\"sigreg-extract/2\",\"signer\":\"%s\",\"registry\":\"r1\","
                        "\"signing_epoch\":%d,\"signer_chain\":[",
                        signer, n);
    free(signer);
    for (int i = 0; i < n; i++) {
        char *key = b64_of(pks[i], SRP_SIGN_PUBLIC_BYTES);
        used += snprintf(buf + used, sizeof buf - (size_t)used, "%s{\"epoch\":%d,\"key\":\"%s\"",
                         i ? "," : "", i + 1, key);
        free(key);
        if (i > 0) {
            unsigned char msg[SRP_MAC_BYTES], sig[SRP_SIGNATURE_BYTES];
            srp_signing_rotation_digest("r1", (uint32_t)(i + 1), pks[i], msg);
            srp_sign(sig, msg, sizeof msg, sks[i == broken_at ? i : i - 1]);
            char *s64 = b64_of(sig, sizeof sig);
            used += snprintf(buf + used, sizeof buf - (size_t)used, ",\"sig\":\"%s\"", s64);
            free(s64);
        }
        used += snprintf(buf + used, sizeof buf - (size_t)used, "}");
    }
    snprintf(buf + used, sizeof buf - (size_t)used, "]}");
    return strdup(buf);
}

static void test_rotation_chain(void **state)
{
    (void)state;
    unsigned char pks[3][SRP_SIGN_PUBLIC_BYTES], sks[3][SRP_SIGN_SECRET_BYTES];
    unsigned char opk[SRP_SIGN_PUBLIC_BYTES], osk[SRP_SIGN_SECRET_BYTES];
    for (int i = 0; i < 3; i++)
        srp_sign_keypair(pks[i], sks[i]);
    srp_sign_keypair(opk, osk);
    char fp0[SRP_FINGERPRINT_HEX], fp1[SRP_FINGERPRINT_HEX], fp2[SRP_FINGERPRINT_HEX];
    char other[SRP_FINGERPRINT_HEX], id[SRP_ROTATION_ID_MAX + 1];
    srp_fingerprint(pks[0], SRP_SIGN_PUBLIC_BYTES, fp0);
    srp_fingerprint(pks[1], SRP_SIGN_PUBLIC_BYTES, fp1);
    srp_fingerprint(pks[2], SRP_SIGN_PUBLIC_BYTES, fp2);
    srp_fingerprint(opk, SRP_SIGN_PUBLIC_BYTES, other);
    char *h = chain_header(pks, sks, 3, 0);
    uint32_t epoch = 0;
    assert_int_equal(srp_signer_chain_links(h, fp2, id, &epoch), 0); /* the signer itself */
    assert_string_equal(id, "r1");
    assert_int_equal(epoch, 3);
    assert_int_equal(srp_signer_chain_links(h, fp0, NULL, NULL), 1); /* two rotations on */
    assert_int_equal(srp_signer_chain_links(h, fp1, NULL, NULL), 1);
    assert_int_equal(srp_signer_chain_links(h, other, NULL, NULL), -1);
    free(h);
    /* A link signed by the new key itself (not by the one before) breaks it. */
    h = chain_header(pks, sks, 3, 2);
    assert_int_equal(srp_signer_chain_links(h, fp0, NULL, NULL), -1);
    assert_int_equal(srp_signer_chain_links(h, fp1, NULL, NULL), -1);
    free(h);
    /* A chain that does not end at the signer links nothing. */
    h = chain_header(pks, sks, 2, 0);
    char *swapped = strdup(h);
    char *k1 = b64_of(pks[1], SRP_SIGN_PUBLIC_BYTES), *ko = b64_of(opk, SRP_SIGN_PUBLIC_BYTES);
    char *at = strstr(swapped, k1); /* the first occurrence is the signer field */
    memcpy(at, ko, strlen(ko));
    assert_int_equal(srp_signer_chain_links(swapped, fp0, NULL, NULL), -1);
    free(k1);
    free(ko);
    free(swapped);
    free(h);
}

/* Extra header fields travel signed; ours cannot be replaced by them. */
static void test_header_extra(void **state)
{
    (void)state;
    collected out = {NULL, 0, 0};
    srp_container_writer *w = NULL;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(srp_container_writer_new_ex(rpk, ssk, spk,
                                                 "{\"registry\":\"r9\",\"signer\":\"AAAA\"}",
                                                 collect, &out, &w, &err),
                     SR_OK);
    assert_int_equal(srp_container_write(w, "x", 1, &err), SR_OK);
    assert_int_equal(srp_container_writer_finish(w, NULL, &err), SR_OK);
    srp_container_writer_free(w);
    char *json = NULL;
    assert_int_equal(srp_container_header_json(out.data, out.len, &json, &err), SR_OK);
    char id[SRP_ROTATION_ID_MAX + 1], fp[SRP_FINGERPRINT_HEX];
    srp_fingerprint(spk, sizeof spk, fp);
    assert_int_equal(srp_signer_chain_links(json, fp, id, NULL), 0); /* our signer kept */
    assert_string_equal(id, "r9");
    free(json);
    unsigned char *plain_out = NULL;
    size_t n = 0;
    char got_fp[SRP_FINGERPRINT_HEX];
    assert_int_equal(
        srp_container_open(out.data, out.len, rpk, rsk, fp, &plain_out, &n, got_fp, &err), SR_OK);
    assert_string_equal(got_fp, fp);
    assert_int_equal(n, 1);
    free(plain_out);
    free(out.data);
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
        cmocka_unit_test(test_streams_in_any_pieces),
        cmocka_unit_test(test_empty_content),
        cmocka_unit_test(test_version_1_still_opens),
        cmocka_unit_test(test_version_1_every_region_flipped),
        cmocka_unit_test(test_damaged_stream_refused_where_it_is_damaged),
        cmocka_unit_test(test_rotation_chain),
        cmocka_unit_test(test_header_extra),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(plain);
    return rc;
}
