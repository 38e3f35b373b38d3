/*
 * test_audit.c - the audit chain (white-box): appending, and detecting an
 * edited, deleted or reordered entry; re-keying keeps the chain valid;
 * signed entries: another user's entry cannot be edited, deleted, reordered
 * or inserted even by someone who rewrites every link and signs with a key
 * of their own; a checkpoint catches a cut tail.
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
        assert_int_equal(srp_audit_append(db, akey, NULL, "anna", "case.show",
                                          i % 2 ? "K7Q2" : NULL, detail, &err),
                         SR_OK);
    }
    return db;
}

static sr_status verify(sqlite3 *db, const unsigned char *key, sr_audit_report *r)
{
    sr_error err;
    sr_error_clear(&err);
    srp_audit_check check;
    memset(&check, 0, sizeof check);
    check.mac_key = key;
    return srp_audit_verify(db, &check, r, &err);
}

/* ---- signed entries: two users, anna and bo, each with a key of their own ---- */

typedef struct user_key {
    const char *name;
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES], sk[SRP_SIGN_SECRET_BYTES];
} user_key;
static user_key anna, bo, mallory;

static sr_status sign_as(void *ctx, const unsigned char *msg, size_t len,
                         unsigned char sig[SRP_SIGNATURE_BYTES], sr_error *err)
{
    (void)err;
    srp_sign(sig, msg, len, ((user_key *)ctx)->sk);
    return SR_OK;
}

static srp_audit_signer signer_of(user_key *u)
{
    srp_audit_signer s;
    memcpy(s.pk, u->pk, sizeof s.pk);
    s.sign = sign_as;
    s.ctx = u;
    return s;
}

/* The keyring of the test: anna's and bo's (an admin's) keys; with
 * anna_removed, bo's only. */
static int anna_removed;
static int certify(void *ctx, const char *user, const unsigned char pk[SRP_SIGN_PUBLIC_BYTES],
                   int *is_admin)
{
    (void)ctx;
    user_key *u = strcmp(user, "anna") == 0 && !anna_removed ? &anna
                  : strcmp(user, "bo") == 0                  ? &bo
                                                             : NULL;
    *is_admin = u == &bo;
    return u && memcmp(u->pk, pk, SRP_SIGN_PUBLIC_BYTES) == 0;
}

/* Ten entries, anna's at odd positions and bo's at even ones. */
static sqlite3 *signed_chain(void)
{
    sr_error err;
    sr_error_clear(&err);
    sqlite3 *db = NULL;
    assert_int_equal(srp_store_open(tu_path(tu_scratch_dir(), "s.db"), dbkey, 1, 1000, &db, &err),
                     SR_OK);
    assert_int_equal(srp_store_migrate(db, &err), SR_OK);
    for (int i = 1; i <= 10; i++) {
        char detail[32];
        snprintf(detail, sizeof detail, "n=%d", i);
        user_key *u = i % 2 ? &anna : &bo;
        srp_audit_signer s = signer_of(u);
        assert_int_equal(srp_audit_append(db, NULL, &s, u->name, "case.show", NULL, detail, &err),
                         SR_OK);
    }
    return db;
}

static sr_status verify_signed(sqlite3 *db, int64_t expect_seq, const char *expect_head,
                               sr_audit_report *r)
{
    sr_error err;
    sr_error_clear(&err);
    srp_audit_check check;
    memset(&check, 0, sizeof check);
    check.certify = certify;
    check.expect_seq = expect_seq;
    if (expect_head)
        assert_int_equal(srp_hex_decode(check.expect_head, SRP_MAC_BYTES, expect_head), 0);
    return srp_audit_verify(db, &check, r, &err);
}

/* What bo, who holds the database key and his own signing key, does to
 * anna's entry at seq: run sql, then rewrite every link from there on and
 * sign every entry again, anna's with his own key (he has no other). */
static void forge_from(sqlite3 *db, const char *sql)
{
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT seq, at, user, action, case_code, detail FROM audit"
                                        " ORDER BY seq",
                                        -1, &st, NULL),
                     SQLITE_OK);
    /* Copy the entries out, empty the log and append them again: the
     * library's own code makes every link and signature. */
    typedef struct row {
        char user[16], action[32], detail[32];
    } row;
    row rows[16];
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < 16) {
        snprintf(rows[n].user, sizeof rows[n].user, "%s", sqlite3_column_text(st, 2));
        snprintf(rows[n].action, sizeof rows[n].action, "%s", sqlite3_column_text(st, 3));
        snprintf(rows[n].detail, sizeof rows[n].detail, "%s", sqlite3_column_text(st, 5));
        n++;
    }
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
    sr_error err;
    sr_error_clear(&err);
    for (int i = 0; i < n; i++) {
        user_key *u = strcmp(rows[i].user, "bo") == 0 ? &bo : &mallory;
        srp_audit_signer s = signer_of(u);
        assert_int_equal(srp_audit_append(db, NULL, &s, rows[i].user, rows[i].action, NULL,
                                          rows[i].detail, &err),
                         SR_OK);
    }
}

static void test_signed_chain_verifies(void **state)
{
    (void)state;
    sqlite3 *db = signed_chain();
    sr_audit_report r;
    assert_int_equal(verify_signed(db, 0, NULL, &r), SR_OK);
    assert_int_equal(r.entries, 10);
    assert_int_equal(r.signed_entries, 10);
    assert_int_equal(r.unchecked_entries, 0);
    srp_store_close(db);
}

static void expect_signed_broken(const char *sql, int forge, int64_t bad_seq)
{
    sqlite3 *db = signed_chain();
    if (forge)
        forge_from(db, sql);
    else
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sr_audit_report r;
    assert_int_equal(verify_signed(db, 0, NULL, &r), SR_ERR_TAMPERED);
    assert_int_equal(r.first_bad_seq, bad_seq);
    srp_store_close(db);
}

static void test_signed_tampering_is_detected(void **state)
{
    (void)state;
    /* Plain edits: the link or the signature breaks. */
    expect_signed_broken("UPDATE audit SET detail = 'n=99' WHERE seq = 3", 0, 3);
    expect_signed_broken("UPDATE audit SET user = 'bo' WHERE seq = 5", 0, 5);
    expect_signed_broken("UPDATE audit SET link = NULL, mac = zeroblob(32) WHERE seq = 7", 0, 7);
    expect_signed_broken("DELETE FROM audit WHERE seq = 4", 0, 5);
}

static void test_signed_forgery_is_detected(void **state)
{
    (void)state;
    /* bo edits, deletes or reorders anna's entries and re-chains the whole
     * log with his key: anna's first entry no longer verifies as hers. */
    expect_signed_broken("UPDATE audit SET detail = 'n=99' WHERE seq = 3", 1, 1);
    expect_signed_broken("DELETE FROM audit WHERE seq = 5", 1, 1);
    expect_signed_broken("UPDATE audit SET seq = -3 WHERE seq = 3;"
                         "UPDATE audit SET seq = 3 WHERE seq = 4;"
                         "UPDATE audit SET seq = 4 WHERE seq = -3",
                         1, 1);
}

static void test_signed_insert_is_detected(void **state)
{
    (void)state;
    /* bo slips an entry of his own in between anna's: the next entry's link
     * (anna's) no longer matches. */
    sqlite3 *db = signed_chain();
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TEMP TABLE saved AS SELECT * FROM audit WHERE seq > 4;"
                                  "DELETE FROM audit WHERE seq > 4",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sr_error err;
    sr_error_clear(&err);
    srp_audit_signer s = signer_of(&bo);
    assert_int_equal(srp_audit_append(db, NULL, &s, "bo", "case.show", NULL, "n=bo", &err), SR_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO audit (seq, at, user, action, case_code, detail,"
                                  " mac, link, signer, sig) SELECT seq + 1, at, user, action,"
                                  " case_code, detail, mac, link, signer, sig FROM saved",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sr_audit_report r;
    assert_int_equal(verify_signed(db, 0, NULL, &r), SR_ERR_TAMPERED);
    assert_int_equal(r.first_bad_seq, 6);
    srp_store_close(db);
}

/* anna leaves: her slot is gone, and her entries verify only through the
 * key that bo's (an admin's) user.remove entry names. */
static void test_removed_user_still_verifies(void **state)
{
    (void)state;
    sqlite3 *db = signed_chain();
    sr_audit_report r;
    anna_removed = 1;
    assert_int_equal(verify_signed(db, 0, NULL, &r), SR_ERR_TAMPERED);
    assert_int_equal(r.first_bad_seq, 1);
    char hex[2 * SRP_SIGN_PUBLIC_BYTES + 1], detail[160];
    srp_hex_encode(hex, anna.pk, sizeof anna.pk);
    snprintf(detail, sizeof detail, "user=anna role=coordinator keys=rotated sign_key=%s", hex);
    srp_audit_signer s = signer_of(&bo);
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(srp_audit_append(db, NULL, &s, "bo", "user.remove", NULL, detail, &err),
                     SR_OK);
    assert_int_equal(verify_signed(db, 0, NULL, &r), SR_OK);
    /* The same entry made by anyone but an admin certifies nothing. */
    assert_int_equal(sqlite3_exec(db, "DELETE FROM audit WHERE seq = 11", NULL, NULL, NULL),
                     SQLITE_OK);
    srp_audit_signer m = signer_of(&mallory); /* "anna" with a key of her own */
    assert_int_equal(srp_audit_append(db, NULL, &m, "anna", "user.remove", NULL, detail, &err),
                     SR_OK);
    assert_int_equal(verify_signed(db, 0, NULL, &r), SR_ERR_TAMPERED);
    anna_removed = 0;
    srp_store_close(db);
}

/* After signed entries, an unsigned one (MAC'd by anyone holding the MAC
 * key) is a forgery. */
static void test_unsigned_after_signed_is_refused(void **state)
{
    (void)state;
    sqlite3 *db = signed_chain();
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(srp_audit_append(db, akey, NULL, "anna", "case.show", NULL, "n=11", &err),
                     SR_OK);
    sr_audit_report r;
    assert_int_equal(verify_signed(db, 0, NULL, &r), SR_ERR_TAMPERED);
    assert_int_equal(r.first_bad_seq, 11);
    srp_store_close(db);
}

static void test_checkpoint_catches_a_cut_tail(void **state)
{
    (void)state;
    sqlite3 *db = signed_chain();
    sr_audit_report r;
    assert_int_equal(verify_signed(db, 0, NULL, &r), SR_OK);
    char head[65];
    memcpy(head, r.head, sizeof head);
    /* The head now holds as a checkpoint, and so does an earlier one. */
    assert_int_equal(verify_signed(db, 10, head, &r), SR_OK);
    /* Cut the tail: without a checkpoint the rest still verifies... */
    assert_int_equal(sqlite3_exec(db, "DELETE FROM audit WHERE seq > 8", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(verify_signed(db, 0, NULL, &r), SR_OK);
    assert_int_equal(r.entries, 8);
    /* ...but not against the checkpoint. */
    assert_int_equal(verify_signed(db, 10, head, &r), SR_ERR_TAMPERED);
    assert_int_equal(r.first_bad_seq, 9);
    /* A checkpoint whose head differs (a rewritten log) fails at its entry. */
    assert_int_equal(verify_signed(db, 8, head, &r), SR_ERR_TAMPERED);
    assert_int_equal(r.first_bad_seq, 8);
    srp_store_close(db);
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
    anna.name = "anna";
    bo.name = "bo";
    mallory.name = "anna";
    srp_sign_keypair(anna.pk, anna.sk);
    srp_sign_keypair(bo.pk, bo.sk);
    srp_sign_keypair(mallory.pk, mallory.sk);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intact_chain_verifies),
        cmocka_unit_test(test_edit_is_detected),
        cmocka_unit_test(test_delete_is_detected),
        cmocka_unit_test(test_reorder_is_detected),
        cmocka_unit_test(test_rekey),
        cmocka_unit_test(test_signed_chain_verifies),
        cmocka_unit_test(test_signed_tampering_is_detected),
        cmocka_unit_test(test_signed_forgery_is_detected),
        cmocka_unit_test(test_signed_insert_is_detected),
        cmocka_unit_test(test_checkpoint_catches_a_cut_tail),
        cmocka_unit_test(test_removed_user_still_verifies),
        cmocka_unit_test(test_unsigned_after_signed_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
