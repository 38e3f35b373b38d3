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

/* The one integer a query gives. */
static long int_of(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Whether the plan of sql names the index. */
static int plan_uses(sqlite3 *db, const char *sql, const char *index)
{
    char explain[512];
    snprintf(explain, sizeof explain, "EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &st, NULL), SQLITE_OK);
    int found = 0;
    while (sqlite3_step(st) == SQLITE_ROW)
        found |= strstr((const char *)sqlite3_column_text(st, 3), index) != NULL;
    sqlite3_finalize(st);
    return found;
}

/* Migration 8 -> 9: the side log's newest anchor is found through an index
 * of the anchors alone, in a registry made before too. */
static void test_side_anchor_index(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    sqlite3 *db = NULL;
    assert_int_equal(srp_store_open(tu_path(tu_scratch_dir(), "s.db"), key1, 1, 1000, &db, &err),
                     SR_OK);
    assert_int_equal(srp_store_migrate(db, &err), SR_OK);
    const char *newest = "SELECT detail FROM audit WHERE action = 'sidelog.anchor'"
                         " ORDER BY seq DESC LIMIT 1";
    assert_true(plan_uses(db, newest, "audit_side_anchor"));
    assert_int_equal(srp_store_exec(db,
                                    "DROP INDEX audit_side_anchor;"
                                    "UPDATE meta SET value = '8' WHERE key = 'schema_version'",
                                    &err),
                     SR_OK);
    assert_false(plan_uses(db, newest, "audit_side_anchor"));
    assert_int_equal(srp_store_migrate(db, &err), SR_OK);
    assert_true(plan_uses(db, newest, "audit_side_anchor"));
    srp_store_close(db);
}

/* The code key's schema has a version of its own (its header's
 * user_version): a code key of an earlier release (version 0: its tables and
 * rows, no index) is brought up to SRP_CODEKEY_VERSION once, its rows kept,
 * and the look-up of a unit's rows under another generation then reads the
 * index; a newer code key is refused. */
static void test_codekey_migration(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    const char *dir = tu_scratch_dir();
    sqlite3 *db = NULL;
    assert_int_equal(srp_store_open(tu_path(dir, "s.db"), key1, 1, 1000, &db, &err), SR_OK);
    assert_int_equal(srp_store_migrate(db, &err), SR_OK);
    assert_int_equal(srp_store_attach(db, tu_path(dir, "s.codekey"), "codekey", key2, &err), SR_OK);
    assert_int_equal(
        srp_store_exec(db,
                       "CREATE TABLE codekey.code_key (case_code TEXT PRIMARY KEY,"
                       " pnr TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);"
                       "CREATE TABLE codekey.pnr_sealed (case_code TEXT PRIMARY KEY,"
                       " unit TEXT NOT NULL, generation INTEGER NOT NULL, sealed BLOB NOT NULL,"
                       " created_at TEXT NOT NULL);"
                       "INSERT INTO codekey.pnr_sealed VALUES ('ABCD-EFGH', 'U1', 1, x'00',"
                       " '2026-01-01T00:00:00Z')",
                       &err),
        SR_OK);
    assert_int_equal(int_of(db, "PRAGMA codekey.user_version"), 0);
    const char *older = "SELECT count(*) FROM codekey.pnr_sealed WHERE unit = 'U1' AND"
                        " generation < 2";
    assert_false(plan_uses(db, older, "pnr_sealed_generation"));
    assert_int_equal(srp_store_migrate_codekey(db, &err), SR_OK);
    assert_int_equal(int_of(db, "PRAGMA codekey.user_version"), SRP_CODEKEY_VERSION);
    assert_true(plan_uses(db, older, "pnr_sealed_generation"));
    /* The walk from one unit of the code key to the next (codekey.c). */
    assert_true(plan_uses(db, "SELECT min(unit) FROM codekey.pnr_sealed WHERE unit > 'U1'",
                          "pnr_sealed_generation"));
    assert_int_equal(int_of(db, older), 1);
    assert_int_equal(srp_store_migrate_codekey(db, &err), SR_OK); /* idempotent */
    assert_int_equal(int_of(db, "SELECT count(*) FROM codekey.sqlite_master WHERE type = 'index'"
                                " AND name = 'pnr_sealed_generation'"),
                     1);
    assert_int_equal(srp_store_exec(db, "PRAGMA codekey.user_version = 999", &err), SR_OK);
    assert_int_equal(srp_store_migrate_codekey(db, &err), SR_ERR_STATE);
    assert_non_null(strstr(err.message, "newer"));
    assert_int_equal(int_of(db, "SELECT count(*) FROM codekey.pnr_sealed"), 1);
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
        cmocka_unit_test(test_codekey_migration),
        cmocka_unit_test(test_side_anchor_index),
        cmocka_unit_test(test_export_under_new_key),
        cmocka_unit_test(test_plaintext_is_recognised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
