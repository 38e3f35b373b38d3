/*
 * test_audit.c - the audit chain (white-box): appending, and detecting an
 * edited, deleted or reordered entry; re-keying keeps the chain valid.
 */
#include "testutil.h"

#include <string.h>

#include "audit_int.h"
#include "store.h"

static unsigned char dbkey[SRP_KEY_BYTES], akey[SRP_KEY_BYTES], akey2[SRP_KEY_BYTES];

static sqlite3 *chain_of(int entries)
{
    sr_error err;
    sr_error_clear(&err);
    sqlite3 *db = NULL;
    assert_int_equal(srp_store_open(tu_path(tu_scratch_dir(), "a.db"), dbkey, 1, 1000, &db, &err),
                     SR_OK);
    assert_int_equal(srp_store_migrate(db, &err), SR_OK);
    for (int i = 0; i < entries; i++) {
        char detail[32];
        snprintf(detail, sizeof detail, "n=%d", i);
        assert_int_equal(
            srp_audit_append(db, akey, "anna", "case.show", i % 2 ? "K7Q2" : NULL, detail, &err),
            SR_OK);
    }
    return db;
}

static sr_status verify(sqlite3 *db, const unsigned char *key, sr_audit_report *r)
{
    sr_error err;
    sr_error_clear(&err);
    return srp_audit_verify(db, key, r, &err);
}

static void test_intact_chain_verifies(void **state)
{
    (void)state;
    sqlite3 *db = chain_of(10);
    sr_audit_report r;
    assert_int_equal(verify(db, akey, &r), SR_OK);
    assert_int_equal(r.entries, 10);
    assert_int_equal(strlen(r.head), 64);
    assert_int_equal(verify(db, akey2, &r), SR_ERR_TAMPERED); /* keyed */
    srp_store_close(db);
}

static void expect_broken(const char *sql, int64_t bad_seq)
{
    sqlite3 *db = chain_of(10);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sr_audit_report r;
    assert_int_equal(verify(db, akey, &r), SR_ERR_TAMPERED);
    assert_int_equal(r.first_bad_seq, bad_seq);
    srp_store_close(db);
}

static void test_edit_is_detected(void **state)
{
    (void)state;
    expect_broken("UPDATE audit SET detail = 'n=99' WHERE seq = 4", 4);
    expect_broken("UPDATE audit SET user = 'bo' WHERE seq = 10", 10);
    expect_broken("UPDATE audit SET case_code = NULL WHERE seq = 2", 2);
}

static void test_delete_is_detected(void **state)
{
    (void)state;
    expect_broken("DELETE FROM audit WHERE seq = 5", 6);
    expect_broken("DELETE FROM audit WHERE seq = 1", 2);
}

static void test_reorder_is_detected(void **state)
{
    (void)state;
    expect_broken("UPDATE audit SET seq = -3 WHERE seq = 3;"
                  "UPDATE audit SET seq = 3 WHERE seq = 4;"
                  "UPDATE audit SET seq = 4 WHERE seq = -3",
                  3);
}

static void test_rekey(void **state)
{
    (void)state;
    sqlite3 *db = chain_of(5);
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(srp_audit_rekey(db, akey, akey2, &err), SR_OK);
    sr_audit_report r;
    assert_int_equal(verify(db, akey2, &r), SR_OK);
    assert_int_equal(r.entries, 5);
    assert_int_equal(verify(db, akey, &r), SR_ERR_TAMPERED);
    /* A broken chain is not re-keyed into a valid one. */
    assert_int_equal(sqlite3_exec(db, "UPDATE audit SET detail = 'x' WHERE seq = 2", 0, 0, 0),
                     SQLITE_OK);
    sr_error_clear(&err);
    assert_int_equal(srp_audit_rekey(db, akey2, akey, &err), SR_ERR_TAMPERED);
    srp_store_close(db);
}

int main(void)
{
    sr_error err;
    sr_error_clear(&err);
    if (sr_crypto_init(&err) != SR_OK)
        return 1;
    srp_random_bytes(dbkey, sizeof dbkey);
    srp_random_bytes(akey, sizeof akey);
    srp_random_bytes(akey2, sizeof akey2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intact_chain_verifies),
        cmocka_unit_test(test_edit_is_detected),
        cmocka_unit_test(test_delete_is_detected),
        cmocka_unit_test(test_reorder_is_detected),
        cmocka_unit_test(test_rekey),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
