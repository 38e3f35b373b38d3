/*
 * test_registry.c - creating, unlocking and administering registries through
 * the public API: users and roles, units, key rotation, verify and backup,
 * and the refusals that must leave every file as it was.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sigreg/audit.h"
#include "sigreg/maintenance.h"
#include "sigreg/units.h"
#include "sigreg/users.h"

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

static sr_status try_open(const char *db, const char *user, const char *pass, sr_error *err)
{
    sr_secret *p = tu_pass(pass);
    sr_open_options opts = {user, 500};
    sr_registry *reg = NULL;
    sr_error_clear(err);
    sr_status rc = sr_registry_open(db, &opts, p, &reg, err);
    sr_registry_close(reg);
    sr_secret_free(p);
    return rc;
}

static void add_user(sr_registry *reg, const char *name, sr_role role, const char *unit,
                     const char *pass)
{
    sr_error err;
    sr_error_clear(&err);
    sr_secret *p = tu_pass(pass);
    const char *units[1] = {unit};
    sr_status rc = sr_user_add(reg, name, role, units, unit ? 1 : 0, TEST_KDF, p, &err);
    sr_secret_free(p);
    if (rc != SR_OK)
        fail_msg("user add %s: %s", name, err.message);
}

static void test_database_is_not_plaintext(void **state)
{
    fixture *f = *state;
    size_t n = 0;
    unsigned char *d = tu_read_file(f->db, &n);
    assert_non_null(d);
    assert_true(n >= 16);
    assert_memory_not_equal(d, "SQLite format 3", 16);
    free(d);
    d = tu_read_file(tu_path(f->dir, "reg.codekey"), &n);
    assert_non_null(d);
    assert_memory_not_equal(d, "SQLite format 3", 16);
    free(d);
}

static void test_create_refuses_existing(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    sr_secret *p = tu_pass("another-passphrase");
    assert_int_equal(sr_registry_create(f->db, "x", TEST_KDF, p, &err), SR_ERR_EXISTS);
    sr_secret_free(p);
}

static void test_create_refuses_short_passphrase(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    sr_secret *p = tu_pass("short");
    assert_int_equal(sr_registry_create(tu_path(f->dir, "other.db"), "x", TEST_KDF, p, &err),
                     SR_ERR_INVALID);
    assert_non_null(strstr(err.message, "at least"));
    assert_int_equal(access(tu_path(f->dir, "other.db"), F_OK), -1);
    sr_secret_free(p);
}

static void test_wrong_passphrase_changes_nothing(void **state)
{
    fixture *f = *state;
    sr_error err;
    tu_copy_file(f->db, tu_path(f->dir, "db.before"));
    tu_copy_file(tu_path(f->dir, "reg.keyring"), tu_path(f->dir, "keyring.before"));
    assert_int_equal(try_open(f->db, NULL, "wrong-passphrase", &err), SR_ERR_AUTH);
    assert_string_equal(err.message, "wrong passphrase for user 'admin'");
    assert_true(tu_same_file(f->db, tu_path(f->dir, "db.before")));
    assert_true(tu_same_file(tu_path(f->dir, "reg.keyring"), tu_path(f->dir, "keyring.before")));
    assert_int_equal(try_open(f->db, "nobody", "admin-passphrase", &err), SR_ERR_AUTH);
    assert_string_equal(err.message, "no user 'nobody' in this registry");
}

static void test_roles_are_enforced(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    sr_registry *reg = tu_open(f->db, NULL, NULL);
    assert_int_equal(sr_unit_add(reg, "U1", "Enhet 1", &err), SR_OK);
    add_user(reg, "coord", SR_ROLE_COORDINATOR, "U1", "coord-passphrase");
    add_user(reg, "ana", SR_ROLE_ANALYST, NULL, "analyst-passphrase");
    sr_registry_close(reg);

    reg = tu_open(f->db, "ana", "analyst-passphrase");
    assert_int_equal(sr_registry_role(reg), SR_ROLE_ANALYST);
    assert_int_equal(sr_unit_add(reg, "U2", "x", &err), SR_ERR_DENIED);
    assert_non_null(strstr(err.message, "may not add units"));
    sr_error_clear(&err);
    sr_secret *p = tu_pass("whatever-passphrase");
    assert_int_equal(sr_user_add(reg, "x", SR_ROLE_ADMIN, NULL, 0, TEST_KDF, p, &err),
                     SR_ERR_DENIED);
    sr_secret_free(p);
    sr_error_clear(&err);
    sr_audit_report rep;
    assert_int_equal(sr_audit_verify(reg, &rep, &err), SR_OK); /* any role may verify */
    sr_registry_close(reg);

    reg = tu_open(f->db, "coord", "coord-passphrase");
    sr_error_clear(&err);
    assert_int_equal(sr_user_remove(reg, "ana", &err), SR_ERR_DENIED);
    sr_registry_close(reg);
}

static void test_user_rules(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    sr_registry *reg = tu_open(f->db, NULL, NULL);
    sr_secret *p = tu_pass("good-passphrase");
    assert_int_equal(sr_user_add(reg, "c", SR_ROLE_COORDINATOR, NULL, 0, TEST_KDF, p, &err),
                     SR_ERR_USAGE); /* a coordinator needs a unit */
    sr_error_clear(&err);
    const char *missing[] = {"NOPE"};
    assert_int_equal(sr_user_add(reg, "c", SR_ROLE_COORDINATOR, missing, 1, TEST_KDF, p, &err),
                     SR_ERR_NOT_FOUND);
    sr_error_clear(&err);
    assert_int_equal(sr_user_add(reg, "bad name!", SR_ROLE_ANALYST, NULL, 0, TEST_KDF, p, &err),
                     SR_ERR_INVALID);
    sr_error_clear(&err);
    assert_int_equal(sr_user_add(reg, "admin", SR_ROLE_ANALYST, NULL, 0, TEST_KDF, p, &err),
                     SR_ERR_EXISTS);
    sr_error_clear(&err);
    assert_int_equal(sr_user_remove(reg, "admin", &err), SR_ERR_USAGE); /* not yourself */
    sr_error_clear(&err);
    assert_int_equal(sr_user_remove(reg, "ghost", &err), SR_ERR_NOT_FOUND);
    sr_secret_free(p);
    sr_registry_close(reg);
}

static void test_remove_rotates_keys(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    sr_registry *reg = tu_open(f->db, NULL, NULL);
    assert_int_equal(sr_unit_add(reg, "U1", "Enhet 1", &err), SR_OK);
    add_user(reg, "leaver", SR_ROLE_COORDINATOR, "U1", "leaver-passphrase");
    add_user(reg, "stayer", SR_ROLE_ANALYST, NULL, "stayer-passphrase");
    sr_registry_close(reg);
    /* The leaver keeps a copy of the keyring and the database. */
    tu_copy_file(tu_path(f->dir, "reg.keyring"), tu_path(f->dir, "stolen.keyring"));
    tu_copy_file(f->db, tu_path(f->dir, "db.before"));

    reg = tu_open(f->db, NULL, NULL);
    assert_int_equal(sr_user_remove(reg, "leaver", &err), SR_OK);
    sr_registry_close(reg);
    assert_false(tu_same_file(f->db, tu_path(f->dir, "db.before"))); /* re-encrypted */

    assert_int_equal(try_open(f->db, "leaver", "leaver-passphrase", &err), SR_ERR_AUTH);
    assert_int_equal(try_open(f->db, "stayer", "stayer-passphrase", &err), SR_OK);
    assert_int_equal(try_open(f->db, NULL, "admin-passphrase", &err), SR_OK);
    /* With the old keyring the leaver unlocks only keys that no longer open
     * the database. */
    tu_copy_file(tu_path(f->dir, "reg.keyring"), tu_path(f->dir, "current.keyring"));
    tu_copy_file(tu_path(f->dir, "stolen.keyring"), tu_path(f->dir, "reg.keyring"));
    assert_int_equal(try_open(f->db, "leaver", "leaver-passphrase", &err), SR_ERR_NOT_REGISTRY);
    tu_copy_file(tu_path(f->dir, "current.keyring"), tu_path(f->dir, "reg.keyring"));

    reg = tu_open(f->db, NULL, NULL);
    sr_verify_report vr;
    sr_error_clear(&err);
    assert_int_equal(sr_registry_verify(reg, &vr, &err), SR_OK);
    assert_true(vr.audit_ok && vr.database_ok && vr.codekey_ok == 1);
    sr_registry_close(reg);
}

static void test_passwd(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    sr_registry *reg = tu_open(f->db, NULL, NULL);
    sr_secret *old = tu_pass("admin-passphrase"), *new = tu_pass("brand-new-passphrase");
    sr_secret *bad = tu_pass("not-the-old-one");
    assert_int_equal(sr_user_passwd(reg, bad, new, TEST_KDF, &err), SR_ERR_AUTH);
    sr_error_clear(&err);
    assert_int_equal(sr_user_passwd(reg, old, new, TEST_KDF, &err), SR_OK);
    sr_registry_close(reg);
    assert_int_equal(try_open(f->db, NULL, "admin-passphrase", &err), SR_ERR_AUTH);
    assert_int_equal(try_open(f->db, NULL, "brand-new-passphrase", &err), SR_OK);
    sr_secret_free(old);
    sr_secret_free(new);
    sr_secret_free(bad);
}

static void test_damaged_and_foreign_files(void **state)
{
    fixture *f = *state;
    sr_error err;
    char keyring[600], good[600];
    snprintf(keyring, sizeof keyring, "%s", tu_path(f->dir, "reg.keyring"));
    snprintf(good, sizeof good, "%s", tu_path(f->dir, "keyring.good"));
    tu_copy_file(keyring, good);

    tu_write_file(keyring, "{\"format\": 1", 12);
    assert_int_equal(try_open(f->db, NULL, "admin-passphrase", &err), SR_ERR_CORRUPT);
    assert_non_null(strstr(err.message, "damaged"));

    unlink(keyring);
    assert_int_equal(try_open(f->db, NULL, "admin-passphrase", &err), SR_ERR_NOT_REGISTRY);
    assert_non_null(strstr(err.message, "missing"));
    tu_copy_file(good, keyring);

    /* A keyring of another registry. */
    const char *other = tu_path(f->dir, "other.db");
    tu_create_registry(other);
    tu_copy_file(tu_path(f->dir, "other.keyring"), keyring);
    assert_int_equal(try_open(f->db, NULL, "admin-passphrase", &err), SR_ERR_NOT_REGISTRY);
    tu_copy_file(good, keyring);

    /* A slot's role changed by hand breaks its authentication. */
    size_t n = 0;
    char *text = (char *)tu_read_file(keyring, &n);
    char *role = strstr(text, "\"admin\"");
    assert_non_null(role);
    role = strstr(role + 1, "\"admin\""); /* the slot's role, after default_user */
    assert_non_null(role);
    memcpy(role, "\"adman\"", 7);
    tu_write_file(keyring, text, n);
    free(text);
    assert_int_not_equal(try_open(f->db, NULL, "admin-passphrase", &err), SR_OK);
    tu_copy_file(good, keyring);

    /* Not a registry at all. */
    const char *junk = tu_path(f->dir, "junk.db");
    tu_write_file(junk, "SQLite format 3\0plain", 21);
    assert_int_equal(try_open(junk, NULL, "admin-passphrase", &err), SR_ERR_NOT_REGISTRY);
    assert_non_null(strstr(err.message, "plain SQLite"));
    assert_int_equal(try_open(tu_path(f->dir, "absent.db"), NULL, "x-passphrase", &err),
                     SR_ERR_NOT_FOUND);
}

static void test_backup_opens_and_verifies(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    sr_registry *reg = tu_open(f->db, NULL, NULL);
    assert_int_equal(sr_unit_add(reg, "U1", "Enhet 1", &err), SR_OK);
    const char *out = tu_path(f->dir, "backup.db");
    assert_int_equal(sr_registry_backup(reg, out, &err), SR_OK);
    sr_error_clear(&err);
    assert_int_equal(sr_registry_backup(reg, out, &err), SR_ERR_EXISTS); /* never overwrites */
    sr_registry_close(reg);
    size_t n = 0;
    unsigned char *d = tu_read_file(out, &n);
    assert_memory_not_equal(d, "SQLite format 3", 16);
    free(d);
    reg = tu_open(out, NULL, NULL);
    sr_verify_report vr;
    sr_error_clear(&err);
    assert_int_equal(sr_registry_verify(reg, &vr, &err), SR_OK);
    sr_registry_close(reg);
}

/* An open session holds no lock: a second one opens beside it (the lock is
 * taken per transaction; test_sessions.c interleaves them). */
static void test_second_session_opens(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_registry *reg = tu_open(f->db, NULL, NULL);
    assert_int_equal(try_open(f->db, NULL, "admin-passphrase", &err), SR_OK);
    sr_registry_close(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_database_is_not_plaintext, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_refuses_existing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_refuses_short_passphrase, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_passphrase_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roles_are_enforced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_rotates_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_passwd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_and_foreign_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_opens_and_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_session_opens, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
