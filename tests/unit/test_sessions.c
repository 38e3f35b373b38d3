/*
 * test_sessions.c - sessions that fit a server: two sessions of one registry
 * open at once in one process, interleaving writes; the registry's lock taken
 * only while a transaction runs; and a session that catches up with another's
 * key rotation without its passphrase.
 */
#include "testutil.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "sigreg/cases.h"
#include "sigreg/maintenance.h"
#include "sigreg/units.h"
#include "sigreg/users.h"

#define PNR_A "201003151238"
#define PNR_B "200506074566"
#define PNR_C "200809107899"

typedef struct fixture {
    char dir[512];
    char db[600];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "%s", tu_scratch_dir());
    snprintf(f->db, sizeof f->db, "%s/reg.db", f->dir);
    tu_create_registry(f->db);
    sr_registry *reg = tu_open(f->db, NULL, NULL);
    sr_error err;
    sr_error_clear(&err);
    sr_secret *p = tu_pass("coord-passphrase");
    const char *units[1] = {"U1"};
    if (sr_unit_add(reg, "U1", "Enhet 1", &err) != SR_OK ||
        sr_user_add(reg, "coord", SR_ROLE_COORDINATOR, units, 1, TEST_KDF, p, &err) != SR_OK)
        fail_msg("setup: %s", err.message);
    sr_secret_free(p);
    p = tu_pass("leaver-passphrase");
    if (sr_user_add(reg, "leaver", SR_ROLE_COORDINATOR, units, 1, TEST_KDF, p, &err) != SR_OK)
        fail_msg("setup: %s", err.message);
    sr_secret_free(p);
    sr_registry_close(reg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (tu_remove_dir(f->dir) != 0)
        return -1;
    free(f);
    return 0;
}

static sr_registry *open_as(const char *db, const char *user, const char *pass, int timeout_ms)
{
    sr_secret *p = tu_pass(pass);
    sr_open_options opts = {user, timeout_ms};
    sr_registry *reg = NULL;
    sr_error err;
    sr_error_clear(&err);
    if (sr_registry_open(db, &opts, p, &reg, &err) != SR_OK)
        fail_msg("open as %s: %s", user ? user : "admin", err.message);
    sr_secret_free(p);
    return reg;
}

static void new_case(sr_registry *reg, const char *pnr, char code[SR_CASE_CODE_SIZE])
{
    sr_error err;
    sr_error_clear(&err);
    if (sr_case_new(reg, "U1", pnr, code, &err) != SR_OK)
        fail_msg("case new: %s", err.message);
}

static int64_t audit_entries(sr_registry *reg)
{
    sr_verify_report vr;
    sr_error err;
    sr_error_clear(&err);
    if (sr_registry_verify(reg, &vr, &err) != SR_OK)
        fail_msg("verify: %s", err.message);
    assert_true(vr.database_ok && vr.audit_ok);
    return vr.audit_entries;
}

/* Two sessions open at once write in turn; each sees the other's cases, and
 * the audit chain holds every entry of both, in one unbroken chain. */
static void test_two_sessions_interleave(void **state)
{
    fixture *f = *state;
    sr_registry *admin = open_as(f->db, NULL, "admin-passphrase", 500);
    sr_registry *coord = open_as(f->db, "coord", "coord-passphrase", 500);
    int64_t before = audit_entries(admin); /* verify writes its own entry */
    char a[SR_CASE_CODE_SIZE], b[SR_CASE_CODE_SIZE], c[SR_CASE_CODE_SIZE];
    new_case(admin, PNR_A, a);
    new_case(coord, PNR_B, b);
    new_case(admin, PNR_C, c);
    sr_error err;
    sr_error_clear(&err);
    char found[SR_CASE_CODE_SIZE];
    /* Each finds what the other wrote a moment ago. */
    assert_int_equal(sr_case_find(coord, PNR_A, found, &err), SR_OK);
    assert_string_equal(found, a);
    assert_int_equal(sr_case_find(admin, PNR_B, found, &err), SR_OK);
    assert_string_equal(found, b);
    /* A personnummer the other session registered is a duplicate here. */
    assert_int_equal(sr_case_new(coord, "U1", PNR_C, found, &err), SR_ERR_EXISTS);
    /* before + 1 (verify) + 3 case.new + 2 case.find + 1 pnr.lookup: the
     * refused duplicate writes nothing but its lookup, which stays. */
    assert_int_equal(audit_entries(coord), before + 1 + 3 + 2 + 1);
    sr_registry_close(coord);
    sr_registry_close(admin);
}

/* The lock is held only while a transaction runs: an open session keeps no
 * lock, and a write waits for another holder and then gives up, busy. */
static void test_busy_only_during_a_transaction(void **state)
{
    fixture *f = *state;
    sr_registry *admin = open_as(f->db, NULL, "admin-passphrase", 200);
    sr_registry *coord = open_as(f->db, "coord", "coord-passphrase", 200);
    int fd = open(tu_path(f->dir, "reg.lock"), O_RDWR);
    assert_true(fd >= 0);
    /* Two open sessions, neither in a transaction: the lock is free. */
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
    /* Another holder (a transaction of a third process): writes are busy. */
    sr_error err;
    sr_error_clear(&err);
    char code[SR_CASE_CODE_SIZE];
    assert_int_equal(sr_case_new(coord, "U1", PNR_A, code, &err), SR_ERR_BUSY);
    assert_non_null(strstr(err.message, "busy"));
    assert_int_equal(flock(fd, LOCK_UN), 0);
    /* Free again: the refused case was not written, the next one is. */
    sr_error_clear(&err);
    assert_int_equal(sr_case_find(admin, PNR_A, code, &err), SR_ERR_NOT_FOUND);
    new_case(coord, PNR_A, code);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0); /* released after the commit */
    assert_int_equal(flock(fd, LOCK_UN), 0);
    close(fd);
    sr_registry_close(coord);
    sr_registry_close(admin);
}

/* One session removes a user, which rotates every key; the other sessions
 * notice it at their next operation. The remaining one goes on with the new
 * keys without its passphrase; the removed one opens nothing any more. */
static void test_rotation_is_noticed(void **state)
{
    fixture *f = *state;
    sr_registry *admin = open_as(f->db, NULL, "admin-passphrase", 500);
    sr_registry *coord = open_as(f->db, "coord", "coord-passphrase", 500);
    sr_registry *leaver = open_as(f->db, "leaver", "leaver-passphrase", 500);
    char a[SR_CASE_CODE_SIZE], b[SR_CASE_CODE_SIZE], found[SR_CASE_CODE_SIZE];
    new_case(coord, PNR_A, a); /* statements cached under the old keys */
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_user_remove(admin, "leaver", &err), SR_OK);
    /* The coordinator's session writes into the re-encrypted database. */
    new_case(coord, PNR_B, b);
    sr_registry_release(coord);
    assert_int_equal(sr_case_find(admin, PNR_B, found, &err), SR_OK);
    assert_string_equal(found, b);
    /* The removed user's session has no slot any more. */
    sr_error_clear(&err);
    assert_int_not_equal(sr_case_find(leaver, PNR_A, found, &err), SR_OK);
    sr_registry_close(leaver);
    /* A fresh session sees both cases and an unbroken chain. */
    sr_registry *fresh = open_as(f->db, "coord", "coord-passphrase", 500);
    assert_int_equal(sr_case_find(fresh, PNR_A, found, &err), SR_OK);
    assert_string_equal(found, a);
    (void)audit_entries(fresh);
    sr_registry_close(fresh);
    sr_registry_close(coord);
    sr_registry_close(admin);
}

/* A passphrase changed in one session does not end another session of the
 * same user, and the new passphrase is what opens the registry afterwards. */
static void test_passwd_elsewhere_keeps_session(void **state)
{
    fixture *f = *state;
    sr_registry *one = open_as(f->db, "coord", "coord-passphrase", 500);
    sr_registry *two = open_as(f->db, "coord", "coord-passphrase", 500);
    sr_secret *old_pass = tu_pass("coord-passphrase");
    sr_secret *new_pass = tu_pass("coord-new-passphrase");
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_user_passwd(one, old_pass, new_pass, TEST_KDF, &err), SR_OK);
    char code[SR_CASE_CODE_SIZE];
    new_case(two, PNR_A, code);
    sr_secret_free(old_pass);
    sr_secret_free(new_pass);
    sr_registry_close(one);
    sr_registry_close(two);
    sr_registry *again = open_as(f->db, "coord", "coord-new-passphrase", 500);
    sr_registry_close(again);
}

/* Two threads, each with its own session, write at once (as two web
 * sessions do): every case and every view is there, none refused busy, and
 * the audit chain holds them all, each entry chained in its own
 * transaction. */
#define WRITES 12

typedef struct writer {
    sr_registry *reg;
    pthread_barrier_t *start;
    int failed;
    char message[256];
    char codes[WRITES][SR_CASE_CODE_SIZE];
} writer;

static void *write_cases(void *arg)
{
    writer *w = arg;
    sr_error err;
    sr_error_clear(&err);
    pthread_barrier_wait(w->start);
    for (int i = 0; i < WRITES && !w->failed; i++) {
        if (sr_case_new(w->reg, "U1", NULL, w->codes[i], &err) != SR_OK ||
            sr_registry_log_view(w->reg, "view.test", w->codes[i], &err) != SR_OK) {
            w->failed = 1;
            snprintf(w->message, sizeof w->message, "%s", err.message);
        }
    }
    return NULL;
}

static int count_case(void *ctx, const sr_case_info *info)
{
    (void)info;
    (*(int *)ctx)++;
    return 0;
}

static void test_two_threads_write_at_once(void **state)
{
    fixture *f = *state;
    sr_registry *admin = open_as(f->db, NULL, "admin-passphrase", 60000);
    sr_registry *coord = open_as(f->db, "coord", "coord-passphrase", 60000);
    /* What one case and its view add to the log, measured alone. */
    int64_t before = audit_entries(admin);
    char code[SR_CASE_CODE_SIZE];
    new_case(coord, NULL, code);
    assert_int_equal(sr_registry_log_view(coord, "view.test", code, NULL), SR_OK);
    int64_t per_case = audit_entries(admin) - before - 1; /* verify logs itself */
    assert_true(per_case >= 2);

    before = audit_entries(admin);
    pthread_barrier_t start;
    assert_int_equal(pthread_barrier_init(&start, NULL, 2), 0);
    writer a = {admin, &start, 0, "", {{0}}}, b = {coord, &start, 0, "", {{0}}};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, write_cases, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, write_cases, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&start);
    if (a.failed || b.failed)
        fail_msg("a write failed: %s%s", a.message, b.message);
    for (int i = 0; i < WRITES; i++)
        for (int j = 0; j < WRITES; j++)
            assert_string_not_equal(a.codes[i], b.codes[j]);
    /* before + 1 (its verify) + every case and view, in one chain. */
    assert_int_equal(audit_entries(admin), before + 1 + 2 * WRITES * per_case);
    int cases = 0;
    sr_case_filter all;
    memset(&all, 0, sizeof all);
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_case_list(admin, &all, count_case, &cases, &err), SR_OK);
    assert_int_equal(cases, 1 + 2 * WRITES);
    sr_registry_close(coord);
    sr_registry_close(admin);
}

/* A list's callback that lists again (its view is logged, a write) while
 * another session holds the registry's lock: the nested write is refused
 * busy at once instead of waiting. It holds SQLite's shared lock while the
 * list reads, which the lock's holder would wait for at its commit: waiting
 * made both wait out their timeouts (here 10 minutes: the test would not
 * end). */
typedef struct nested {
    sr_registry *reg;
    int lock_fd; /* >= 0: held by "another session" around the nested load */
    sr_status rc;
    int calls;
} nested;

static int load_form_inside(void *ctx, const sr_unit_info *unit)
{
    (void)unit;
    nested *n = ctx;
    if (n->calls++ > 0)
        return 0;
    /* The list logged itself before reading: the lock is free now. */
    if (n->lock_fd >= 0 && flock(n->lock_fd, LOCK_EX | LOCK_NB) != 0)
        return 1;
    sr_error err;
    sr_error_clear(&err);
    n->rc = sr_unit_list(n->reg, NULL, NULL, &err); /* logs its view first */
    if (n->lock_fd >= 0)
        flock(n->lock_fd, LOCK_UN);
    return 0;
}

static void test_lock_not_awaited_while_reading(void **state)
{
    fixture *f = *state;
    sr_registry *coord = open_as(f->db, "coord", "coord-passphrase", 600000);
    sr_error err;
    sr_error_clear(&err);
    /* Alone, the nested load works. */
    nested n = {coord, -1, SR_ERR_STATE, 0};
    assert_int_equal(sr_unit_list(coord, load_form_inside, &n, &err), SR_OK);
    assert_int_equal(n.rc, SR_OK);
    /* With the lock held by another session: busy at once. */
    int fd = open(tu_path(f->dir, "reg.lock"), O_RDWR);
    assert_true(fd >= 0);
    nested m = {coord, fd, SR_ERR_STATE, 0};
    assert_int_equal(sr_unit_list(coord, load_form_inside, &m, &err), SR_OK);
    assert_int_equal(m.calls, 1);
    assert_int_equal(m.rc, SR_ERR_BUSY);
    close(fd);
    /* And the session works on. */
    nested again = {coord, -1, SR_ERR_STATE, 0};
    assert_int_equal(sr_unit_list(coord, load_form_inside, &again, &err), SR_OK);
    assert_int_equal(again.rc, SR_OK);
    sr_registry_close(coord);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_two_sessions_interleave, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy_only_during_a_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation_is_noticed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_passwd_elsewhere_keeps_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_threads_write_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_not_awaited_while_reading, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
