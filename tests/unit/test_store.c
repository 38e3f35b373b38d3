/*
 * test_store.c - the SQLCipher layer (white-box): raw keys, the cipher check,
 * wrong keys, migrations, settings and exports under a new key.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "store.h"

static unsigned char key1[SRP_KEY_BYTES], key2[SRP_KEY_BYTES];

static void test_create_open_wrong_key(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    const char *dir = tu_scratch_dir();
    const char *path = tu_path(dir, "s.db");
    sqlite3 *db = NULL;
    assert_int_equal(srp_store_open(path, key1, 1, 1000, &db, &err), SR_OK);
    assert_int_equal(srp_store_migrate(db, &err), SR_OK);
    assert_int_equal(srp_store_migrate(db, &err), SR_OK); /* idempotent */
    char *v = NULL;
    assert_int_equal(srp_store_meta_get(db, "schema_version", &v, &err), SR_OK);
    assert_int_equal(atoi(v), SRP_SCHEMA_VERSION);
    free(v);
    assert_int_equal(srp_store_meta_get(db, "absent", &v, &err), SR_ERR_NOT_FOUND);
    srp_store_close(db);
    assert_false(srp_store_is_plaintext(path));
    db = NULL;
    assert_int_equal(srp_store_open(path, key2, 0, 1000, &db, &err), SR_ERR_AUTH);
    assert_null(db);
    assert_int_equal(err.status, SR_OK); /* a wrong key leaves err for the caller */
    assert_int_equal(srp_store_open(path, key1, 1, 1000, &db, &err), SR_ERR_EXISTS);
}

static void test_newer_schema_is_refused(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    const char *path = tu_path(tu_scratch_dir(), "s.db");
    sqlite3 *db = NULL;
    assert_int_equal(srp_store_open(path, key1, 1, 1000, &db, &err), SR_OK);
    assert_int_equal(srp_store_migrate(db, &err), SR_OK);
    assert_int_equal(srp_store_meta_set(db, "schema_version", "999", &err), SR_OK);
    assert_int_equal(srp_store_migrate(db, &err), SR_ERR_STATE);
    assert_non_null(strstr(err.message, "newer"));
    srp_store_close(db);
}

static void test_export_under_new_key(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    const char *dir = tu_scratch_dir();
    const char *path = tu_path(dir, "s.db");
    sqlite3 *db = NULL;
    assert_int_equal(srp_store_open(path, key1, 1, 1000, &db, &err), SR_OK);
    assert_int_equal(srp_store_migrate(db, &err), SR_OK);
    assert_int_equal(srp_store_meta_set(db, "marker", "kept", &err), SR_OK);
    const char *copy = tu_path(dir, "copy.db");
    assert_int_equal(srp_store_export(db, copy, key2, &err), SR_OK);
    srp_store_close(db);
    db = NULL;
    assert_int_equal(srp_store_open(copy, key1, 0, 1000, &db, &err), SR_ERR_AUTH);
    assert_int_equal(srp_store_open(copy, key2, 0, 1000, &db, &err), SR_OK);
    char *v = NULL;
    assert_int_equal(srp_store_meta_get(db, "marker", &v, &err), SR_OK);
    assert_string_equal(v, "kept");
    free(v);
    srp_store_close(db);
}

static void test_plaintext_is_recognised(void **state)
{
    (void)state;
    const char *path = tu_path(tu_scratch_dir(), "plain.db");
    tu_write_file(path, "SQLite format 3\0rest", 20);
    assert_true(srp_store_is_plaintext(path));
    sr_error err;
    sr_error_clear(&err);
    sqlite3 *db = NULL;
    assert_int_equal(srp_store_open(path, key1, 0, 1000, &db, &err), SR_ERR_NOT_REGISTRY);
}

int main(void)
{
    sr_error err;
    sr_error_clear(&err);
    if (sr_crypto_init(&err) != SR_OK)
        return 1;
    srp_random_bytes(key1, sizeof key1);
    srp_random_bytes(key2, sizeof key2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_open_wrong_key),
        cmocka_unit_test(test_newer_schema_is_refused),
        cmocka_unit_test(test_export_under_new_key),
        cmocka_unit_test(test_plaintext_is_recognised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
