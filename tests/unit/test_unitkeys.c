/*
 * test_unitkeys.c - unit keys (white-box): a sealed personnummer opens only
 * with its unit's key, for its own case and unit, and the keyring seals each
 * unit's key to the slots that may hold it and nowhere else.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "keyring_file.h"
#include "unitkeys.h"

static const unsigned char PASS[] = "admin-passphrase";
#define PASSLEN (sizeof PASS - 1)

static void test_rows(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    srp_unit_keys *uk = srp_unit_keys_new();
    assert_non_null(uk);
    uint32_t gen = 0;
    assert_int_equal(srp_unit_keys_add_generation(uk, "NORR", &gen, &err), SR_OK);
    assert_int_equal(gen, 1);
    assert_int_equal(srp_unit_keys_add_generation(uk, "SODER", &gen, &err), SR_OK);
    unsigned char row[SRP_UNIT_SEALED_MAX];
    size_t len = 0;
    assert_int_equal(
        srp_unit_keys_seal_pnr(uk, "NORR", "ABCD-EFGH", "198112189876", row, &len, &gen, &err),
        SR_OK);
    assert_int_equal(gen, 1);
    assert_int_equal(len, SRP_AEAD_NONCE_BYTES + 12 + SRP_AEAD_TAG_BYTES);
    assert_null(memmem(row, len, "198112189876", 12)); /* not in the clear */
    char pnr[13];
    assert_int_equal(
        srp_unit_keys_open_pnr(uk, "NORR", 1, "ABCD-EFGH", row, len, pnr, sizeof pnr, &err), SR_OK);
    assert_string_equal(pnr, "198112189876");
    /* Another case, another unit, a changed byte: nothing opens. */
    sr_error_clear(&err);
    assert_int_equal(
        srp_unit_keys_open_pnr(uk, "NORR", 1, "ABCD-EFGJ", row, len, pnr, sizeof pnr, &err),
        SR_ERR_TAMPERED);
    sr_error_clear(&err);
    assert_int_equal(
        srp_unit_keys_open_pnr(uk, "SODER", 1, "ABCD-EFGH", row, len, pnr, sizeof pnr, &err),
        SR_ERR_TAMPERED);
    row[len - 1] ^= 1;
    sr_error_clear(&err);
    assert_int_equal(
        srp_unit_keys_open_pnr(uk, "NORR", 1, "ABCD-EFGH", row, len, pnr, sizeof pnr, &err),
        SR_ERR_TAMPERED);
    row[len - 1] ^= 1;
    /* A session without NORR's key is told so, with the case as the field. */
    srp_unit_keys *soder = srp_unit_keys_new();
    assert_int_equal(srp_unit_keys_put(soder, "SODER", 1, srp_unit_keys_get(uk, "SODER", 1), &err),
                     SR_OK);
    sr_error_clear(&err);
    assert_int_equal(
        srp_unit_keys_open_pnr(soder, "NORR", 1, "ABCD-EFGH", row, len, pnr, sizeof pnr, &err),
        SR_ERR_DENIED);
    assert_string_equal(err.where, "case");
    sr_error_clear(&err);
    assert_int_equal(
        srp_unit_keys_seal_pnr(soder, "NORR", "ABCD-EFGH", "198112189876", row, &len, &gen, &err),
        SR_ERR_DENIED);
    srp_unit_keys_free(soder);
    /* A new generation seals new rows; the old one opens old rows until it
     * is dropped. */
    assert_false(srp_unit_keys_rotating(uk));
    assert_int_equal(srp_unit_keys_add_generation(uk, "NORR", &gen, &err), SR_OK);
    assert_int_equal(gen, 2);
    assert_true(srp_unit_keys_rotating(uk));
    unsigned char row2[SRP_UNIT_SEALED_MAX];
    size_t len2 = 0;
    assert_int_equal(
        srp_unit_keys_seal_pnr(uk, "NORR", "ABCD-EFGK", "191212121212", row2, &len2, &gen, &err),
        SR_OK);
    assert_int_equal(gen, 2);
    assert_int_equal(
        srp_unit_keys_open_pnr(uk, "NORR", 1, "ABCD-EFGH", row, len, pnr, sizeof pnr, &err), SR_OK);
    srp_unit_keys_drop_older(uk, "NORR");
    assert_false(srp_unit_keys_rotating(uk));
    assert_int_equal(srp_unit_keys_count(uk), 2);
    sr_error_clear(&err);
    assert_int_equal(
        srp_unit_keys_open_pnr(uk, "NORR", 1, "ABCD-EFGH", row, len, pnr, sizeof pnr, &err),
        SR_ERR_DENIED);
    assert_int_equal(
        srp_unit_keys_open_pnr(uk, "NORR", 2, "ABCD-EFGK", row2, len2, pnr, sizeof pnr, &err),
        SR_OK);
    assert_string_equal(pnr, "191212121212");
    srp_unit_keys_free(uk);
    srp_unit_keys_free(NULL);
}

/* Opens user's unit keys from a keyring read back from path. */
static srp_unit_keys *open_as(const char *path, const char *user, const char *pass)
{
    sr_error err;
    sr_error_clear(&err);
    srp_keyring *kr = NULL;
    assert_int_equal(srp_keyring_read(path, &kr, &err), SR_OK);
    sr_secret *slot = NULL;
    assert_int_equal(
        srp_keyring_open_slot(kr, user, (const unsigned char *)pass, strlen(pass), &slot, &err),
        SR_OK);
    srp_unit_keys *uk = NULL;
    assert_int_equal(srp_keyring_open_unit_keys(kr, user, slot, &uk, &err), SR_OK);
    sr_secret_free(slot);
    srp_keyring_free(kr);
    return uk;
}

static void test_keyring_seals_by_role_and_unit(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    const srp_kdf_profile *profile = srp_kdf_profile_find(TEST_KDF);
    srp_keyring *kr = NULL;
    srp_keys *keys = NULL;
    assert_int_equal(srp_keyring_create("admin", profile, PASS, PASSLEN, &kr, &keys, &err), SR_OK);
    assert_int_equal(srp_keyring_add_user(kr, keys, "sara", SR_ROLE_COORDINATOR, profile,
                                          (const unsigned char *)"sara-pass", 9, &err),
                     SR_OK);
    const char *units[] = {"SODER"};
    assert_int_equal(srp_keyring_set_units(kr, "sara", units, 1, &err), SR_OK);
    assert_int_equal(srp_keyring_add_user(kr, keys, "ana", SR_ROLE_ANALYST, profile,
                                          (const unsigned char *)"ana-pass", 8, &err),
                     SR_OK);
    srp_unit_keys *uk = srp_unit_keys_new();
    assert_int_equal(srp_unit_keys_add_generation(uk, "SODER", NULL, &err), SR_OK);
    assert_int_equal(srp_unit_keys_add_generation(uk, "NORR", NULL, &err), SR_OK);
    assert_false(srp_keyring_has_unit_keys(kr));
    assert_int_equal(srp_keyring_seal_unit_keys(kr, uk, &err), SR_OK);
    assert_true(srp_keyring_has_unit_keys(kr));
    const char *path = tu_path(tu_scratch_dir(), "units.keyring");
    assert_int_equal(srp_keyring_write(kr, path, keys, &err), SR_OK);

    srp_unit_keys *admin = open_as(path, "admin", "admin-passphrase");
    srp_unit_keys *sara = open_as(path, "sara", "sara-pass");
    srp_unit_keys *ana = open_as(path, "ana", "ana-pass");
    assert_int_equal(srp_unit_keys_count(admin), 2);
    assert_memory_equal(srp_unit_keys_get(admin, "NORR", 1), srp_unit_keys_get(uk, "NORR", 1),
                        SRP_KEY_BYTES);
    assert_int_equal(srp_unit_keys_count(sara), 1);
    assert_non_null(srp_unit_keys_get(sara, "SODER", 1));
    assert_null(srp_unit_keys_get(sara, "NORR", 1));
    assert_int_equal(srp_unit_keys_count(ana), 0);
    srp_unit_keys_free(admin);
    srp_unit_keys_free(sara);
    srp_unit_keys_free(ana);

    /* Her units changed: the next sealing gives her NORR's key and takes
     * SODER's away. */
    const char *norr[] = {"NORR"};
    assert_int_equal(srp_keyring_set_units(kr, "sara", norr, 1, &err), SR_OK);
    assert_int_equal(srp_keyring_seal_unit_keys(kr, uk, &err), SR_OK);
    assert_int_equal(srp_keyring_write(kr, path, keys, &err), SR_OK);
    sara = open_as(path, "sara", "sara-pass");
    assert_int_equal(srp_unit_keys_count(sara), 1);
    assert_non_null(srp_unit_keys_get(sara, "NORR", 1));
    srp_unit_keys_free(sara);

    /* Any edit of a slot's unit keys (here a generation) breaks the
     * keyring's signature for everyone. */
    size_t n = 0;
    char *text = (char *)tu_read_file(path, &n);
    char *at = strstr(text, "\"generation\": 1");
    assert_non_null(at);
    at[strlen("\"generation\": ")] = '2';
    tu_write_file(path, text, n);
    free(text);
    srp_keyring *edited = NULL;
    assert_int_equal(srp_keyring_read(path, &edited, &err), SR_OK);
    sr_error_clear(&err);
    assert_int_equal(srp_keyring_verify(edited, &err), SR_ERR_TAMPERED);
    srp_keyring_free(edited);

    srp_unit_keys_free(uk);
    srp_keys_free(keys);
    srp_keyring_free(kr);
}

/* The one-shot hash of a row's fields is the field-by-field hash the
 * guarded state gives (rows sealed before open after), and a value checked
 * by hand: BLAKE2b-256 of each field's 8-byte little-endian length and
 * bytes (Python's hashlib.blake2b(digest_size=32)). */
static void test_hash_fields(void **state)
{
    (void)state;
    static const unsigned char g[4] = {1, 0, 0, 0};
    const srp_hash_field fields[] = {
        {"sigreg code key row/1", 21}, {"ABCD-EFGH", 9}, {"NORR", 4}, {g, sizeof g}};
    unsigned char once[SRP_MAC_BYTES], stepwise[SRP_MAC_BYTES];
    srp_hash_fields(once, fields, 4);
    srp_mac_state *st = srp_mac_begin(NULL);
    assert_non_null(st);
    for (size_t i = 0; i < 4; i++)
        srp_mac_field(st, fields[i].data, fields[i].len);
    srp_mac_end(st, stepwise);
    assert_memory_equal(once, stepwise, SRP_MAC_BYTES);
    char hex[2 * SRP_MAC_BYTES + 1];
    srp_hex_encode(hex, once, SRP_MAC_BYTES);
    assert_string_equal(hex, "d870b822ec90fc693078515e7a1c4a4a6838546afed957eb58d24bbccb635143");
    /* The boundaries count: "ABCD-EFGH" + "NORR" is not "ABCD-EFG" + "HNORR". */
    const srp_hash_field moved[] = {
        {"sigreg code key row/1", 21}, {"ABCD-EFG", 8}, {"HNORR", 5}, {g, sizeof g}};
    srp_hash_fields(stepwise, moved, 4);
    assert_memory_not_equal(once, stepwise, SRP_MAC_BYTES);
}

int main(void)
{
    sr_error err;
    sr_error_clear(&err);
    if (sr_crypto_init(&err) != SR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_keyring_seals_by_role_and_unit),
        cmocka_unit_test(test_hash_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
