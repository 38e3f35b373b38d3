/*
 * test_keys.c - the key model of a session (white-box): each user's own
 * signing key, as the audit log and the keyring's checks use it.
 */
#include "testutil.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "codekey.h"
#include "keyring_file.h"
#include "pseudonyms.h"
#include "registry_int.h"
#include "store.h"
#include "container.h"
#include "sigreg/audit.h"
#include "sigreg/cases.h"
#include "sigreg/publication.h"
#include "sigreg/stats.h"
#include "sigreg/units.h"
#include "sigreg/users.h"

static const char *reg_path;
static char keyring_path[4096];

/* Opening must fail with status and a message containing what. */
static void open_fails(const char *user, const char *pass, sr_status status, const char *what)
{
    sr_error err;
    sr_error_clear(&err);
    sr_secret *p = tu_pass(pass);
    sr_open_options opts = {user, 2000};
    sr_registry *reg = NULL;
    sr_status rc = sr_registry_open(reg_path, &opts, p, &reg, &err);
    sr_secret_free(p);
    if (rc == SR_OK)
        sr_registry_close(reg);
    if (rc != status || !strstr(err.message, what))
        fail_msg("open as %s: expected %d '%s', got %d '%s'", user, status, what, rc, err.message);
}

/* The keyring file as JSON, edited by an insider with a text editor. */
static json_t *keyring_json(void)
{
    json_error_t jerr;
    json_t *root = json_load_file(keyring_path, 0, &jerr);
    assert_non_null(root);
    return root;
}

static void keyring_json_save(json_t *root)
{
    assert_int_equal(json_dump_file(root, keyring_path, JSON_INDENT(1) | JSON_PRESERVE_ORDER), 0);
    json_decref(root);
}

static json_t *slot_of(json_t *root, const char *user)
{
    json_t *slots = json_object_get(root, "slots");
    for (size_t i = 0; i < json_array_size(slots); i++) {
        json_t *s = json_array_get(slots, i);
        if (strcmp(json_string_value(json_object_get(s, "user")), user) == 0)
            return s;
    }
    fail_msg("no slot %s", user);
    return NULL;
}

/* Every edit of the signed part is refused by every user, the editor too. */
static void all_refuse(const char *what)
{
    open_fails("admin", "admin-passphrase", SR_ERR_TAMPERED, what);
    open_fails("coord", "coord-passphrase", SR_ERR_TAMPERED, what);
    open_fails("ana", "analyst-passphrase", SR_ERR_TAMPERED, what);
}

static int setup(void **state)
{
    (void)state;
    const char *dir = tu_scratch_dir();
    /* Each test's own record of keyrings seen (keyring_seen.h). */
    setenv("XDG_STATE_HOME", tu_path(dir, "state"), 1);
    reg_path = tu_path(dir, "reg.db");
    tu_create_registry(reg_path);
    sr_registry *reg = tu_open(reg_path, NULL, NULL);
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_unit_add(reg, "U1", "Enhet 1", &err), SR_OK);
    const char *units[] = {"U1"};
    sr_secret *p = tu_pass("coord-passphrase");
    assert_int_equal(sr_user_add(reg, "coord", SR_ROLE_COORDINATOR, units, 1, TEST_KDF, p, &err),
                     SR_OK);
    sr_secret_free(p);
    p = tu_pass("analyst-passphrase");
    assert_int_equal(sr_user_add(reg, "ana", SR_ROLE_ANALYST, NULL, 0, TEST_KDF, p, &err), SR_OK);
    sr_secret_free(p);
    sr_registry_close(reg);
    snprintf(keyring_path, sizeof keyring_path, "%s", reg_path);
    snprintf(strrchr(keyring_path, '.'), 16, ".keyring");
    return 0;
}

/* A signature made in one user's session verifies under that user's public
 * key as another user's session reads it from the keyring, and under no
 * other user's key. */
static void test_user_signatures(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    static const char msg[] = "seq=7 action=case.new";
    unsigned char sig[SRP_SIGNATURE_BYTES];
    sr_registry *ana = tu_open(reg_path, "ana", "analyst-passphrase");
    assert_int_equal(srp_registry_user_sign(ana, msg, sizeof msg, sig, &err), SR_OK);
    unsigned char own[SRP_SIGN_PUBLIC_BYTES];
    assert_int_equal(srp_registry_user_sign_public(ana, NULL, own, &err), SR_OK);
    sr_registry_close(ana);

    sr_registry *coord = tu_open(reg_path, "coord", "coord-passphrase");
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES], pc[SRP_SIGN_PUBLIC_BYTES];
    assert_int_equal(srp_registry_user_sign_public(coord, "ana", pk, &err), SR_OK);
    assert_memory_equal(pk, own, sizeof pk);
    assert_int_equal(srp_sign_verify(sig, (const unsigned char *)msg, sizeof msg, pk), 0);
    assert_int_equal(srp_registry_user_sign_public(coord, NULL, pc, &err), SR_OK);
    assert_int_not_equal(srp_sign_verify(sig, (const unsigned char *)msg, sizeof msg, pc), 0);
    unsigned char sig2[SRP_SIGNATURE_BYTES];
    assert_int_equal(srp_registry_user_sign(coord, msg, sizeof msg, sig2, &err), SR_OK);
    assert_int_equal(srp_sign_verify(sig2, (const unsigned char *)msg, sizeof msg, pc), 0);
    assert_int_not_equal(srp_sign_verify(sig2, (const unsigned char *)msg, sizeof msg, pk), 0);
    assert_int_equal(srp_registry_user_sign_public(coord, "nobody", pk, &err), SR_ERR_NOT_FOUND);
    sr_registry_close(coord);
}

static const char *const SIGNATURE = "signature does not verify";

/* An insider edits their own role, units or KDF cost, or plants, drops or
 * reorders slots: every later unlock refuses the keyring. */
static void test_edits_are_refused(void **state)
{
    (void)state;
    char *orig = NULL;
    size_t n = 0;
    orig = (char *)tu_read_file(keyring_path, &n);
    assert_non_null(orig);

    json_t *root = keyring_json();
    json_object_set_new(slot_of(root, "ana"), "role", json_string("admin"));
    keyring_json_save(root);
    all_refuse(SIGNATURE);

    tu_write_file(keyring_path, orig, n);
    root = keyring_json();
    json_t *units = json_array();
    json_array_append_new(units, json_string("U1"));
    json_array_append_new(units, json_string("U2"));
    json_object_set_new(slot_of(root, "coord"), "units", units);
    keyring_json_save(root);
    all_refuse(SIGNATURE);

    tu_write_file(keyring_path, orig, n);
    root = keyring_json();
    json_t *kdf = json_object_get(slot_of(root, "coord"), "kdf");
    json_object_set_new(kdf, "opslimit",
                        json_integer(json_integer_value(json_object_get(kdf, "opslimit")) + 1));
    keyring_json_save(root);
    all_refuse(SIGNATURE);

    /* A slot dropped, or the slots reordered. */
    tu_write_file(keyring_path, orig, n);
    root = keyring_json();
    json_array_remove(json_object_get(root, "slots"), 1);
    keyring_json_save(root);
    open_fails("admin", "admin-passphrase", SR_ERR_TAMPERED, SIGNATURE);
    open_fails("ana", "analyst-passphrase", SR_ERR_TAMPERED, SIGNATURE);

    tu_write_file(keyring_path, orig, n);
    root = keyring_json();
    json_t *slots = json_object_get(root, "slots");
    json_t *first = json_incref(json_array_get(slots, 0));
    json_array_remove(slots, 0);
    json_array_append_new(slots, first);
    keyring_json_save(root);
    all_refuse(SIGNATURE);

    /* An analyst plants a slot of their own making, as an admin: a copy of
     * their own slot under another name and role. */
    tu_write_file(keyring_path, orig, n);
    root = keyring_json();
    json_t *planted = json_deep_copy(slot_of(root, "ana"));
    json_object_set_new(planted, "user", json_string("mallory"));
    json_object_set_new(planted, "role", json_string("admin"));
    json_array_append_new(json_object_get(root, "slots"), planted);
    keyring_json_save(root);
    all_refuse(SIGNATURE);

    /* Back as it was: everyone opens again. */
    tu_write_file(keyring_path, orig, n);
    sr_registry_close(tu_open(reg_path, "ana", "analyst-passphrase"));
    sr_registry_close(tu_open(reg_path, "coord", "coord-passphrase"));
    free(orig);
}

/* The signed units decide what a coordinator may work on, not the
 * database's table; a non-admin may change their passphrase (not signed)
 * but not their KDF cost (signed). */
static void test_units_and_passwd(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    sr_registry *coord = tu_open(reg_path, "coord", "coord-passphrase");
    assert_int_equal(srp_registry_require_unit(coord, "U1", &err), SR_OK);
    /* Even a membership row planted in the database decides nothing. */
    sqlite3 *db = srp_registry_db(coord);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO main.units (code, name, created_at) VALUES "
                                  "('U9', 'x', '2026-01-01');"
                                  "INSERT INTO main.user_units VALUES ('coord', 'U9')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sr_error_clear(&err);
    assert_int_equal(srp_registry_require_unit(coord, "U9", &err), SR_ERR_DENIED);
    sr_secret *old = tu_pass("coord-passphrase"), *new = tu_pass("coord-passphrase-2");
    sr_error_clear(&err);
    assert_int_equal(sr_user_passwd(coord, old, new, "interactive", &err), SR_ERR_DENIED);
    assert_non_null(strstr(err.message, "only an admin"));
    sr_error_clear(&err);
    assert_int_equal(sr_user_passwd(coord, old, new, NULL, &err), SR_OK);
    sr_registry_close(coord);
    sr_registry_close(tu_open(reg_path, "coord", "coord-passphrase-2"));
    sr_error_clear(&err);
    coord = tu_open(reg_path, "coord", "coord-passphrase-2");
    assert_int_equal(sr_user_passwd(coord, new, old, NULL, &err), SR_OK);
    sr_registry_close(coord);
    sr_secret_free(old);
    sr_secret_free(new);
}

/* A keyring put back to an older signed version, or downgraded to the
 * first format, is refused by a user who saw the newer one. */
static void test_rollback_is_refused(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    size_t n = 0;
    sr_registry_close(tu_open(reg_path, "coord", "coord-passphrase"));
    char *v_old = (char *)tu_read_file(keyring_path, &n);
    sr_registry *reg = tu_open(reg_path, NULL, NULL);
    sr_secret *p = tu_pass("other-passphrase");
    assert_int_equal(sr_user_add(reg, "ana2", SR_ROLE_ANALYST, NULL, 0, TEST_KDF, p, &err), SR_OK);
    sr_secret_free(p);
    sr_registry_close(reg);
    sr_registry_close(tu_open(reg_path, "coord", "coord-passphrase"));
    size_t m = 0;
    char *v_new = (char *)tu_read_file(keyring_path, &m);
    tu_write_file(keyring_path, v_old, n);
    open_fails("admin", "admin-passphrase", SR_ERR_TAMPERED, "rolled back");
    open_fails("coord", "coord-passphrase", SR_ERR_TAMPERED, "rolled back");
    /* A first-format keyring in place of a signed one. */
    json_t *root = keyring_json();
    json_object_set_new(root, "format", json_string("sigreg-keyring/1"));
    json_t *chain0 = json_array_get(json_object_get(root, "signing_chain"), 0);
    json_object_set(root, "signing_public_key", json_object_get(chain0, "public_key"));
    json_object_set_new(root, "mac", json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
    keyring_json_save(root);
    open_fails("coord", "coord-passphrase", SR_ERR_TAMPERED, "older release");
    tu_write_file(keyring_path, v_new, m);
    sr_registry_close(tu_open(reg_path, "coord", "coord-passphrase"));
    free(v_old);
    free(v_new);
}

static sr_status write_nothing(sr_registry *reg, void *ctx, sr_error *err)
{
    (void)ctx;
    return srp_store_exec(srp_registry_db(reg), "CREATE TABLE IF NOT EXISTS main.probe (x)", err);
}

static int count_audit(sr_registry *reg, const char *action)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(srp_registry_db(reg),
                                        "SELECT count(*) FROM audit WHERE action = ?1", -1, &st,
                                        NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, action, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Whether the database opens with a raw key (its tables readable). */
static int db_opens_with(const unsigned char key[SRP_KEY_BYTES])
{
    sqlite3 *db = NULL;
    sr_error err;
    sr_error_clear(&err);
    sr_status rc = srp_store_open(reg_path, key, 0, 2000, &db, &err);
    srp_store_close(db);
    return rc == SR_OK;
}

static int count_rows(sr_registry *reg, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(srp_registry_db(reg), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* The database's key derives from the data key, not from the master key:
 * a new registry has a data key from its first epoch on. */
static void test_database_under_data_key(void **state)
{
    (void)state;
    sr_registry *admin = tu_open(reg_path, NULL, NULL);
    const srp_keys *keys = srp_registry_keys(admin);
    assert_true(keys->has_data);
    assert_int_equal(srp_keyring_data_epoch(srp_registry_keyring(admin)), 1);
    unsigned char k[SRP_KEY_BYTES];
    srp_keys_master_subkey(keys, 0, SRP_SUBKEY_DATABASE, k);
    assert_false(db_opens_with(k));
    assert_int_equal(srp_keys_database_key(keys, 0, 1, k), 0);
    assert_true(db_opens_with(k));
    sr_registry_close(admin);
    /* Only admins and coordinators are sealed the data key. An analyst's
     * slot gives nothing that opens the database, and the session reads no
     * database: its directory is in memory (empty before any publication). */
    sr_registry *coord = tu_open(reg_path, "coord", "coord-passphrase");
    assert_true(srp_registry_keys(coord)->has_data);
    assert_true(srp_registry_has_database(coord));
    sr_registry_close(coord);
    sr_registry *ana = tu_open(reg_path, "ana", "analyst-passphrase");
    keys = srp_registry_keys(ana);
    assert_false(keys->has_data);
    assert_false(keys->has_identity);
    assert_false(srp_registry_has_database(ana));
    assert_int_equal(srp_keys_database_key(keys, 0, 1, k), -1);
    srp_keys_master_subkey(keys, 0, SRP_SUBKEY_DATABASE, k);
    assert_false(db_opens_with(k));
    assert_int_equal(count_rows(ana, "SELECT count(*) FROM units"), 0);
    assert_null(srp_registry_database_key(ana));
    sr_registry_close(ana);
    /* The data epoch is signed: taking it out is an edit. */
    json_t *root = keyring_json();
    json_object_del(root, "data_epoch");
    keyring_json_save(root);
    open_fails("coord", "coord-passphrase", SR_ERR_TAMPERED, "altered");
}

/* A coordinator's publication is signed with the coordinator's own key,
 * which the signed keyring certifies, not with a key derived from the
 * master key (which every slot, an analyst's too, holds); the analyst reads
 * it, and the read is in the analysts' access log. */
static void test_publication_signed_by_publisher(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    sr_registry *coord = tu_open(reg_path, "coord", "coord-passphrase");
    sr_publish_options o;
    memset(&o, 0, sizeof o);
    sr_publish_report rep;
    if (sr_publish(coord, &o, &rep, &err) != SR_OK)
        fail_msg("publish: %s", err.message);
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES];
    assert_int_equal(srp_registry_user_sign_public(coord, NULL, pk, &err), SR_OK);
    sr_registry_close(coord);
    const char *tab = strchr(rep.written, '\t');
    assert_non_null(tab);
    char path[4096];
    snprintf(path, sizeof path, "%.*s", (int)strcspn(tab + 1, "\n"), tab + 1);
    size_t n = 0;
    unsigned char *data = tu_read_file(path, &n);
    char recipient[SRP_FINGERPRINT_HEX];
    unsigned char signer[SRP_SIGN_PUBLIC_BYTES];
    assert_int_equal(srp_container_header(data, n, recipient, signer, &err), SR_OK);
    assert_memory_equal(signer, pk, SRP_SIGN_PUBLIC_BYTES);
    free(data);
    free(rep.written);
    sr_registry *ana = tu_open(reg_path, "ana", "analyst-passphrase");
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.form = "cases";
    sr_stats *s = NULL;
    if (sr_stats_run(ana, &q, &s, &err) != SR_OK)
        fail_msg("analyst's stats: %s", err.message);
    assert_string_equal(sr_stats_published_by(s), "coord");
    sr_stats_free(s);
    /* The units of the package's directory stand in for the database's. */
    assert_int_equal(count_rows(ana, "SELECT count(*) FROM units WHERE code = 'U1'"), 1);
    sr_registry_close(ana);
    snprintf(path, sizeof path, "%.*s.sidelog", (int)(strlen(reg_path) - 3), reg_path);
    char *log = (char *)tu_read_file(path, &n);
    assert_non_null(strstr(log, "\"user\":\"ana\",\"action\":\"publication.read\""));
    free(log);
}

/* A registry of the first release opens read-only (with the reason) until
 * an admin unlocks it; that unlock upgrades the keyring, logged, with the
 * units moved into the signed slots and a signing key for every user, and
 * the shipped version 2 forms installed beside its version 1. */
static void test_upgrade_from_first_format(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    const char *dir = tu_scratch_dir();
    setenv("XDG_STATE_HOME", tu_path(dir, "state"), 1);
    static const char *const files[] = {"reg.db", "reg.keyring", "reg.codekey"};
    for (size_t i = 0; i < 3; i++) {
        char from[4096];
        snprintf(from, sizeof from, "%s/keyring-v1/%s", SIGREG_TEST_DATA, files[i]);
        tu_copy_file(from, tu_path(dir, files[i]));
    }
    reg_path = tu_path(dir, "reg.db");
    snprintf(keyring_path, sizeof keyring_path, "%s", tu_path(dir, "reg.keyring"));

    sr_registry *coord = tu_open(reg_path, "coord", "coord-passphrase");
    assert_true(srp_keyring_is_legacy(srp_registry_keyring(coord)));
    assert_int_equal(
        srp_registry_transaction(coord, "probe", NULL, NULL, write_nothing, NULL, &err),
        SR_ERR_STATE);
    assert_non_null(strstr(err.message, "read-only"));
    assert_non_null(strstr(err.message, "older release"));
    sr_error_clear(&err);
    assert_int_equal(
        srp_registry_user_sign(coord, "m", 1, (unsigned char[SRP_SIGNATURE_BYTES]){0}, &err),
        SR_ERR_STATE);
    /* Units still come from the database until then. */
    sr_error_clear(&err);
    assert_int_equal(srp_registry_require_unit(coord, "U1", &err), SR_OK);
    assert_int_equal(srp_registry_require_unit(coord, "U2", &err), SR_ERR_DENIED);
    sr_registry_close(coord);
    size_t n = 0;
    char *text = (char *)tu_read_file(keyring_path, &n);
    assert_non_null(strstr(text, "sigreg-keyring/1"));
    free(text);

    /* Its database key derived from the master key, which every slot
     * holds. */
    unsigned char k[SRP_KEY_BYTES];
    sr_registry *ana = tu_open(reg_path, "ana", "analyst-passphrase");
    srp_keys_master_subkey(srp_registry_keys(ana), 0, SRP_SUBKEY_DATABASE, k);
    sr_registry_close(ana);
    assert_true(db_opens_with(k));

    sr_registry *admin = tu_open(reg_path, NULL, NULL);
    assert_false(srp_keyring_is_legacy(srp_registry_keyring(admin)));
    assert_int_equal(count_audit(admin, "keyring.upgrade"), 1);
    /* The same unlock gave it a data key (a rotation, logged) and moved the
     * database under it; every case is still there. */
    assert_int_equal(count_audit(admin, "keys.upgrade"), 1);
    assert_true(srp_registry_keys(admin)->has_data);
    assert_false(srp_registry_keys(admin)->has_previous);
    assert_int_equal(srp_keyring_data_epoch(srp_registry_keyring(admin)),
                     srp_keyring_epoch(srp_registry_keyring(admin)));
    assert_int_equal(count_rows(admin, "SELECT count(*) FROM cases"), 2);
    assert_false(db_opens_with(k));
    /* It had the five version 1 forms of its release; the same unlock
     * installed the four shipped version 2 forms beside them, logged. */
    assert_int_equal(count_rows(admin, "SELECT count(*) FROM forms WHERE version = 1"), 5);
    assert_int_equal(count_rows(admin, "SELECT count(*) FROM forms WHERE version = 2"), 4);
    assert_int_equal(count_audit(admin, "forms.upgrade"), 1);
    /* And it gave every unit a key and sealed the code key's clear rows
     * under them, in one logged transaction. */
    assert_int_equal(count_audit(admin, "keys.units"), 1);
    assert_int_equal(count_audit(admin, "codekey.seal"), 1);
    assert_int_equal(srp_unit_keys_count(srp_registry_unit_keys(admin)), 2);
    assert_int_equal(count_rows(admin, "SELECT count(*) FROM codekey.code_key"), 0);
    assert_int_equal(count_rows(admin, "SELECT count(*) FROM codekey.pnr_sealed"), 2);
    char u1[SR_CASE_CODE_SIZE], u2[SR_CASE_CODE_SIZE], pnr[SR_PNR_SIZE];
    assert_int_equal(sr_case_find(admin, "191212121212", u1, &err), SR_OK);
    assert_int_equal(sr_case_find(admin, "198112189876", u2, &err), SR_OK);
    assert_int_equal(sr_case_identity(admin, u2, pnr, &err), SR_OK);
    assert_string_equal(pnr, "198112189876");
    sr_registry_close(admin);
    text = (char *)tu_read_file(keyring_path, &n);
    assert_non_null(strstr(text, "\"sigreg-keyring/2\""));
    free(text);

    coord = tu_open(reg_path, "coord", "coord-passphrase");
    sr_error_clear(&err);
    assert_int_equal(
        srp_registry_transaction(coord, "probe", NULL, NULL, write_nothing, NULL, &err), SR_OK);
    assert_int_equal(srp_registry_require_unit(coord, "U1", &err), SR_OK);
    assert_int_equal(srp_registry_require_unit(coord, "U2", &err), SR_ERR_DENIED);
    const char *const *units = NULL;
    size_t count = 0;
    assert_int_equal(srp_keyring_user_units(srp_registry_keyring(coord), "coord", &units, &count),
                     0);
    assert_int_equal(count, 1);
    assert_string_equal(units[0], "U1");
    unsigned char sig[SRP_SIGNATURE_BYTES], pk[SRP_SIGN_PUBLIC_BYTES];
    assert_int_equal(srp_registry_user_sign(coord, "m", 1, sig, &err), SR_OK);
    assert_int_equal(srp_registry_user_sign_public(coord, NULL, pk, &err), SR_OK);
    assert_int_equal(srp_sign_verify(sig, (const unsigned char *)"m", 1, pk), 0);
    assert_int_equal(count_audit(coord, "keyring.upgrade"), 1);
    /* The coordinator of U1 holds U1's key only: U1's personnummer opens,
     * U2's row is there in her code key file but does not. */
    assert_int_equal(srp_unit_keys_count(srp_registry_unit_keys(coord)), 1);
    assert_int_equal(sr_case_identity(coord, u1, pnr, &err), SR_OK);
    assert_string_equal(pnr, "191212121212");
    sr_error_clear(&err);
    char row_pnr[SR_PNR_SIZE];
    assert_int_equal(srp_codekey_get(coord, u2, row_pnr, sizeof row_pnr, &err), SR_ERR_DENIED);
    assert_null(strstr(err.message, "1981"));
    sr_registry_close(coord);
    /* The analyst's slot, sealed again by the upgrade, gives no data key,
     * and the master key it gives no longer opens the database. */
    ana = tu_open(reg_path, "ana", "analyst-passphrase");
    assert_false(srp_registry_keys(ana)->has_data);
    assert_false(srp_registry_has_database(ana));
    srp_keys_master_subkey(srp_registry_keys(ana), 0, SRP_SUBKEY_DATABASE, k);
    assert_false(db_opens_with(k));
    sr_registry_close(ana);
    admin = tu_open(reg_path, NULL, NULL);
    assert_int_equal(count_audit(admin, "keyring.upgrade"), 1); /* once */
    assert_int_equal(count_audit(admin, "keys.upgrade"), 1);
    assert_int_equal(count_audit(admin, "forms.upgrade"), 1);
    sr_registry_close(admin);
}

/* Removing an admin rotates the registry signing key: the new key is
 * signed by the old one in the chain, the root stays, users who saw the
 * old epoch follow it, and the removed admin's copy of the keys signs
 * nothing the registry's current key verifies. The removal is logged. */
static void test_admin_removal_rotates_signing_key(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    sr_registry *reg = tu_open(reg_path, NULL, NULL);
    sr_secret *p = tu_pass("admin2-passphrase");
    assert_int_equal(sr_user_add(reg, "admin2", SR_ROLE_ADMIN, NULL, 0, TEST_KDF, p, &err), SR_OK);
    sr_secret_free(p);
    sr_registry_close(reg);
    sr_registry_close(tu_open(reg_path, "coord", "coord-passphrase"));
    size_t n = 0;
    char *before = (char *)tu_read_file(keyring_path, &n);

    /* What admin2 keeps: the keys their slot opens today. */
    srp_keyring *old = NULL;
    assert_int_equal(srp_keyring_parse((unsigned char *)before, n, "old", &old, &err), SR_OK);
    srp_keys *kept = NULL;
    sr_role role;
    assert_int_equal(srp_keyring_unlock(old, "admin2", (const unsigned char *)"admin2-passphrase",
                                        17, &kept, &role, &err),
                     SR_OK);
    assert_true(kept->has_signing);
    unsigned char root[SRP_SIGN_PUBLIC_BYTES];
    memcpy(root, srp_keyring_signing_key_at(old, 1), sizeof root);
    assert_int_equal(srp_keyring_signing_epoch(old), 1);

    reg = tu_open(reg_path, NULL, NULL);
    assert_int_equal(sr_user_remove(reg, "admin2", &err), SR_OK);
    srp_keyring *kr = srp_registry_keyring(reg);
    assert_int_equal(srp_keyring_signing_epoch(kr), 2);
    assert_memory_equal(srp_keyring_signing_key_at(kr, 1), root, sizeof root);
    assert_memory_not_equal(srp_keyring_signing_public(kr), root, sizeof root);
    assert_true(
        srp_sign_pair_matches(srp_keyring_signing_public(kr), srp_registry_keys(reg)->signing));
    assert_false(srp_sign_pair_matches(srp_keyring_signing_public(kr), kept->signing));
    /* The removed admin's signature does not verify under the current key. */
    unsigned char sig[SRP_SIGNATURE_BYTES];
    srp_sign(sig, (const unsigned char *)"extract", 7, kept->signing);
    assert_int_not_equal(
        srp_sign_verify(sig, (const unsigned char *)"extract", 7, srp_keyring_signing_public(kr)),
        0);
    assert_int_equal(count_audit(reg, "user.remove"), 1);
    sr_registry_close(reg);

    /* A user who saw epoch 1 follows the chain to epoch 2; a keyring put
     * back to epoch 1 (say, by the removed admin) is then refused. */
    sr_registry_close(tu_open(reg_path, "coord", "coord-passphrase"));
    size_t m = 0;
    char *after = (char *)tu_read_file(keyring_path, &m);
    tu_write_file(keyring_path, before, n);
    open_fails("coord", "coord-passphrase", SR_ERR_TAMPERED, "rolled back");
    /* The removed admin with the old keyring: the database moved on. */
    open_fails("admin2", "admin2-passphrase", SR_ERR_NOT_REGISTRY, "does not open");
    tu_write_file(keyring_path, after, m);
    open_fails("admin2", "admin2-passphrase", SR_ERR_AUTH, "no user");
    /* Removing a coordinator leaves the signing key as it is. */
    reg = tu_open(reg_path, NULL, NULL);
    assert_int_equal(sr_user_remove(reg, "coord", &err), SR_OK);
    assert_int_equal(srp_keyring_signing_epoch(srp_registry_keyring(reg)), 2);
    sr_registry_close(reg);
    srp_keys_free(kept);
    srp_keyring_free(old);
    free(before);
    free(after);
}

/* A rotation interrupted after its first keyring write (the new epoch and
 * the previous one sealed, the files still under the previous keys): the
 * next coordinator to open finishes it, before writing anything, with the
 * keys she holds, and logs it; the previous data key then opens nothing. */
static void test_coordinator_finishes_rotation(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    sr_registry *admin = tu_open(reg_path, NULL, NULL);
    const srp_keys *cur = srp_registry_keys(admin);
    srp_keys *next = srp_keys_new();
    assert_non_null(next);
    memcpy(next, cur, sizeof *next);
    next->previous_epoch = cur->epoch;
    memcpy(next->previous, cur->master, SRP_KEY_BYTES);
    next->has_previous = 1;
    next->has_previous_data = 1;
    memcpy(next->previous_data, cur->data, SRP_KEY_BYTES);
    next->epoch = cur->epoch + 1;
    srp_random_bytes(next->master, SRP_KEY_BYTES);
    srp_random_bytes(next->data, SRP_KEY_BYTES);
    unsigned char old_db[SRP_KEY_BYTES];
    assert_int_equal(srp_keys_database_key(cur, 0, 1, old_db), 0);
    srp_keyring *kr = srp_registry_keyring(admin);
    assert_int_equal(srp_keyring_reseal(kr, next, &err), SR_OK);
    assert_int_equal(srp_keyring_write(kr, keyring_path, next, &err), SR_OK);
    srp_keys_free(next);
    sr_registry_close(admin); /* "killed" here: no file moved */
    assert_true(db_opens_with(old_db));

    sr_registry *coord = tu_open(reg_path, "coord", "coord-passphrase");
    assert_true(srp_registry_keys(coord)->has_previous); /* the keyring still has it */
    assert_false(db_opens_with(old_db));
    sr_secret *now = srp_registry_database_key(coord);
    assert_true(db_opens_with(sr_secret_cdata(now)));
    sr_secret_free(now);
    assert_int_equal(count_rows(coord, "SELECT count(*) FROM audit WHERE action = 'keys.rotate'"
                                       " AND detail LIKE '%finished_by=coordinator%'"),
                     1);
    char code[SR_CASE_CODE_SIZE];
    assert_int_equal(sr_case_new(coord, "U1", NULL, code, &err), SR_OK);
    sr_registry_close(coord);
    /* An admin drops the previous epoch from the keyring; all verifies. */
    admin = tu_open(reg_path, NULL, NULL);
    assert_false(srp_registry_keys(admin)->has_previous);
    sr_audit_report rep;
    assert_int_equal(sr_audit_verify(admin, &rep, &err), SR_OK);
    sr_registry_close(admin);
}

/* The pseudonym of a canonical personnummer under an identity key. */
static void pseudonym_under(const srp_keys *keys, const char *pnr, unsigned char out[SRP_MAC_BYTES])
{
    unsigned char k[SRP_KEY_BYTES];
    srp_keys_identity_subkey(keys, SRP_SUBKEY_PSEUDONYM, k);
    srp_mac(out, k, pnr, strlen(pnr));
    srp_wipe(k, sizeof k);
}

/* How many cases hold pseudonym ps. */
static int cases_with(sr_registry *reg, const unsigned char ps[SRP_MAC_BYTES])
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(srp_registry_db(reg),
                                        "SELECT count(*) FROM main.cases WHERE pseudonym = ?1", -1,
                                        &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_blob(st, 1, ps, SRP_MAC_BYTES, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void find_is(sr_registry *reg, const char *pnr, const char *code)
{
    sr_error err;
    sr_error_clear(&err);
    char got[SR_CASE_CODE_SIZE];
    if (sr_case_find(reg, pnr, got, &err) != SR_OK)
        fail_msg("case find: %s", err.message);
    assert_string_equal(got, code);
}

#define PNR_A "191212121212"
#define PNR_B "198112189876"

/* Two cases with a personnummer (U1, U2), one without; a second
 * coordinator (of U2) whose keys, as their slot opens them now, go into
 * *kept_out (the caller frees them). */
static void identity_fixture(char a[SR_CASE_CODE_SIZE], char b[SR_CASE_CODE_SIZE],
                             srp_keys **kept_out)
{
    sr_error err;
    sr_error_clear(&err);
    sr_registry *reg = tu_open(reg_path, NULL, NULL);
    assert_int_equal(sr_unit_add(reg, "U2", "Enhet 2", &err), SR_OK);
    const char *units[] = {"U2"};
    sr_secret *p = tu_pass("coord2-passphrase");
    assert_int_equal(sr_user_add(reg, "coord2", SR_ROLE_COORDINATOR, units, 1, TEST_KDF, p, &err),
                     SR_OK);
    sr_secret_free(p);
    char none[SR_CASE_CODE_SIZE];
    assert_int_equal(sr_case_new(reg, "U1", PNR_A, a, &err), SR_OK);
    assert_int_equal(sr_case_new(reg, "U2", PNR_B, b, &err), SR_OK);
    assert_int_equal(sr_case_new(reg, "U2", NULL, none, &err), SR_OK);
    sr_registry_close(reg);
    size_t n = 0;
    unsigned char *text = tu_read_file(keyring_path, &n);
    srp_keyring *old = NULL;
    assert_int_equal(srp_keyring_parse(text, n, "old", &old, &err), SR_OK);
    sr_role role;
    assert_int_equal(srp_keyring_unlock(old, "coord2", (const unsigned char *)"coord2-passphrase",
                                        17, kept_out, &role, &err),
                     SR_OK);
    assert_true((*kept_out)->has_identity);
    srp_keyring_free(old);
    free(text);
}

/* Removing a coordinator rotates the identity key: every pseudonym is
 * re-derived under the new one, case codes stay, every lookup by
 * personnummer finds its case, and what the removed coordinator kept (the
 * old identity key, the old keyring's keys) matches and opens nothing
 * written after. Removing an analyst leaves the identity key alone. */
static void test_removal_rotates_identity_key(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    char a[SR_CASE_CODE_SIZE], b[SR_CASE_CODE_SIZE];
    srp_keys *kept = NULL;
    identity_fixture(a, b, &kept);
    unsigned char old_a[SRP_MAC_BYTES], old_b[SRP_MAC_BYTES];
    pseudonym_under(kept, PNR_A, old_a);
    pseudonym_under(kept, PNR_B, old_b);
    unsigned char old_db[SRP_KEY_BYTES];
    assert_int_equal(srp_keys_database_key(kept, 0, 1, old_db), 0);

    sr_registry *reg = tu_open(reg_path, NULL, NULL);
    assert_int_equal(cases_with(reg, old_a), 1); /* the attack is real before */
    assert_int_equal(cases_with(reg, old_b), 1);
    assert_int_equal(sr_user_remove(reg, "coord2", &err), SR_OK);
    const srp_keys *now = srp_registry_keys(reg);
    assert_memory_not_equal(now->identity, kept->identity, SRP_KEY_BYTES);
    assert_false(now->has_previous_identity);
    /* The old pseudonyms match no case, the new ones theirs. */
    assert_int_equal(cases_with(reg, old_a), 0);
    assert_int_equal(cases_with(reg, old_b), 0);
    unsigned char new_a[SRP_MAC_BYTES];
    pseudonym_under(now, PNR_A, new_a);
    assert_int_equal(cases_with(reg, new_a), 1);
    assert_int_equal(count_rows(reg, "SELECT count(*) FROM cases"), 3);
    assert_int_equal(count_rows(reg, "SELECT count(*) FROM cases WHERE pseudonym IS NULL"), 1);
    /* Lookups by personnummer: in this session, and in a new one. */
    find_is(reg, PNR_A, a);
    find_is(reg, PNR_B, b);
    char dup[SR_CASE_CODE_SIZE];
    assert_int_equal(sr_case_new(reg, "U1", PNR_B, dup, &err), SR_ERR_EXISTS);
    assert_int_equal(count_rows(reg, "SELECT count(*) FROM audit WHERE action = 'keys.identity'"
                                     " AND detail LIKE '%pseudonyms=2 unreadable=0%'"),
                     1);
    assert_int_equal(count_rows(reg, "SELECT count(*) FROM audit WHERE action = 'user.remove'"
                                     " AND detail LIKE '%keys=rotating,identity%'"),
                     1);
    sr_registry_close(reg);
    /* Nothing in the keyring is left of the rotation. */
    size_t n = 0;
    char *text = (char *)tu_read_file(keyring_path, &n);
    assert_null(strstr(text, "\"pseudonyms\""));
    free(text);
    sr_registry *coord = tu_open(reg_path, "coord", "coord-passphrase");
    find_is(coord, PNR_A, a);
    char pnr[SR_PNR_SIZE];
    assert_int_equal(sr_case_identity(coord, a, pnr, &err), SR_OK);
    assert_string_equal(pnr, PNR_A);
    sr_registry_close(coord);
    /* The old keys open neither file written after the removal. */
    assert_false(db_opens_with(old_db));

    /* Removing an analyst keeps the identity key and the pseudonyms. */
    reg = tu_open(reg_path, NULL, NULL);
    unsigned char before[SRP_KEY_BYTES];
    memcpy(before, srp_registry_keys(reg)->identity, sizeof before);
    assert_int_equal(sr_user_remove(reg, "ana", &err), SR_OK);
    assert_memory_equal(srp_registry_keys(reg)->identity, before, sizeof before);
    assert_int_equal(cases_with(reg, new_a), 1);
    find_is(reg, PNR_A, a);
    sr_registry_close(reg);
    srp_keys_free(kept);
}

/* A rotation of the identity key interrupted after its first keyring write
 * (the admin had computed the new pseudonyms; no file moved): the next
 * coordinator to open finishes it with her keys alone, though she holds no
 * key of U2, and every case is then found by its personnummer under the
 * new key only. */
static void test_coordinator_finishes_identity_rotation(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    char a[SR_CASE_CODE_SIZE], b[SR_CASE_CODE_SIZE];
    srp_keys *kept = NULL;
    identity_fixture(a, b, &kept);
    sr_registry *admin = tu_open(reg_path, NULL, NULL);
    const srp_keys *cur = srp_registry_keys(admin);
    srp_keys *next = srp_keys_new();
    assert_non_null(next);
    memcpy(next, cur, sizeof *next);
    next->previous_epoch = cur->epoch;
    memcpy(next->previous, cur->master, SRP_KEY_BYTES);
    next->has_previous = 1;
    next->has_previous_data = 1;
    memcpy(next->previous_data, cur->data, SRP_KEY_BYTES);
    next->has_previous_identity = 1;
    memcpy(next->previous_identity, cur->identity, SRP_KEY_BYTES);
    next->epoch = cur->epoch + 1;
    srp_random_bytes(next->master, SRP_KEY_BYTES);
    srp_random_bytes(next->data, SRP_KEY_BYTES);
    srp_random_bytes(next->identity, SRP_KEY_BYTES);
    unsigned char *list = NULL;
    size_t len = 0;
    long listed = 0, unreadable = 0;
    assert_int_equal(srp_pseudonyms_seal(admin, next, &list, &len, &listed, &unreadable, &err),
                     SR_OK);
    assert_int_equal(listed, 2);
    assert_int_equal(unreadable, 0);
    srp_keyring *kr = srp_registry_keyring(admin);
    assert_int_equal(srp_keyring_set_rotation_data(kr, list, len, &err), SR_OK);
    free(list);
    assert_int_equal(srp_keyring_reseal(kr, next, &err), SR_OK);
    assert_int_equal(srp_keyring_write(kr, keyring_path, next, &err), SR_OK);
    sr_registry_close(admin); /* "killed" here: no file moved */

    sr_registry *coord = tu_open(reg_path, "coord", "coord-passphrase");
    assert_int_equal(srp_unit_keys_newest(srp_registry_unit_keys(coord), "U2"), 0);
    unsigned char old_a[SRP_MAC_BYTES], new_b[SRP_MAC_BYTES];
    pseudonym_under(kept, PNR_A, old_a);
    pseudonym_under(next, PNR_B, new_b);
    assert_int_equal(cases_with(coord, old_a), 0);
    assert_int_equal(cases_with(coord, new_b), 1); /* U2's case too */
    find_is(coord, PNR_A, a);
    sr_registry_close(coord);
    /* The admin drops the previous epoch and the list from the keyring. */
    admin = tu_open(reg_path, NULL, NULL);
    assert_false(srp_registry_keys(admin)->has_previous);
    size_t n = 0;
    assert_null(srp_keyring_rotation_data(srp_registry_keyring(admin), &n));
    find_is(admin, PNR_B, b);
    sr_audit_report rep;
    assert_int_equal(sr_audit_verify(admin, &rep, &err), SR_OK);
    sr_registry_close(admin);
    srp_keys_free(next);
    srp_keys_free(kept);
}

/* A code key row that does not open (damaged) does not stop a removal:
 * that case is left without a pseudonym (the old one could no longer be
 * looked up anyway), the others are re-derived, and the log counts it. */
static void test_identity_rotation_with_damaged_row(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    char a[SR_CASE_CODE_SIZE], b[SR_CASE_CODE_SIZE];
    srp_keys *kept = NULL;
    identity_fixture(a, b, &kept);
    sr_registry *reg = tu_open(reg_path, NULL, NULL);
    int pending = 0;
    assert_int_equal(srp_codekey_pending(reg, &pending, &err), SR_OK); /* attaches it */
    char sql[160];
    snprintf(sql, sizeof sql,
             "UPDATE codekey.pnr_sealed SET sealed = zeroblob(length(sealed)) WHERE case_code = "
             "'%s'",
             b);
    assert_int_equal(sqlite3_exec(srp_registry_db(reg), sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sr_user_remove(reg, "coord2", &err), SR_OK);
    assert_int_equal(count_rows(reg, "SELECT count(*) FROM audit WHERE action = 'keys.identity'"
                                     " AND detail LIKE '%pseudonyms=1 unreadable=1%'"),
                     1);
    assert_int_equal(count_rows(reg, "SELECT count(*) FROM cases WHERE pseudonym IS NULL"), 2);
    find_is(reg, PNR_A, a);
    char code[SR_CASE_CODE_SIZE];
    assert_int_equal(sr_case_find(reg, PNR_B, code, &err), SR_ERR_NOT_FOUND);
    sr_registry_close(reg);
    srp_keys_free(kept);
}

static void identity_is(sr_registry *reg, const char *code, const char *pnr)
{
    sr_error err;
    sr_error_clear(&err);
    char got[SR_PNR_SIZE];
    if (sr_case_identity(reg, code, got, &err) != SR_OK)
        fail_msg("case identity: %s", err.message);
    assert_string_equal(got, pnr);
}

#define PNR_C "196408233234"

/* A rotation of U2's unit key killed after its keyring write (the new
 * generation in the keyring beside the older one, no row resealed), on a
 * code key of the release before its index (version 0), with a row written
 * since under the new generation by U2's coordinator and one planted under a
 * unit nobody has a key of: the look-up finds U2's row left under the older
 * generation, without the index too, and the next admin's unlock puts the
 * index in, reseals that row and only that one, counts the planted one as
 * unreadable, and drops the older generation. */
static void test_unit_key_rotation_left_rows(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    char a[SR_CASE_CODE_SIZE], b[SR_CASE_CODE_SIZE], c[SR_CASE_CODE_SIZE];
    srp_keys *kept = NULL;
    identity_fixture(a, b, &kept);
    srp_keys_free(kept);
    sr_registry *admin = tu_open(reg_path, NULL, NULL);
    int pending = 1;
    assert_int_equal(srp_codekey_pending(admin, &pending, &err), SR_OK); /* attaches it */
    assert_false(pending);
    const char *has_index = "SELECT count(*) FROM codekey.sqlite_master WHERE type = 'index'"
                            " AND name = 'pnr_sealed_generation'";
    assert_int_equal(count_rows(admin, has_index), 1);
    assert_int_equal(count_rows(admin, "PRAGMA codekey.user_version"), SRP_CODEKEY_VERSION);
    assert_int_equal(sqlite3_exec(srp_registry_db(admin),
                                  "DROP INDEX codekey.pnr_sealed_generation;"
                                  "PRAGMA codekey.user_version = 0",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    /* What srp_registry_rotate_unit_keys writes first. */
    srp_unit_keys *next = srp_unit_keys_copy(srp_registry_unit_keys(admin));
    assert_non_null(next);
    uint32_t gen = 0;
    assert_int_equal(srp_unit_keys_add_generation(next, "U2", &gen, &err), SR_OK);
    assert_int_equal(gen, 2);
    srp_keyring *kr = srp_registry_keyring(admin);
    assert_int_equal(srp_keyring_seal_unit_keys(kr, next, &err), SR_OK);
    assert_int_equal(srp_keyring_write(kr, keyring_path, srp_registry_keys(admin), &err), SR_OK);
    srp_unit_keys_free(next);
    sr_registry_close(admin); /* "killed" here */

    sr_registry *coord2 = tu_open(reg_path, "coord2", "coord2-passphrase");
    assert_int_equal(srp_unit_keys_newest(srp_registry_unit_keys(coord2), "U2"), 2);
    assert_int_equal(sr_case_new(coord2, "U2", PNR_C, c, &err), SR_OK);
    assert_int_equal(srp_codekey_pending(coord2, &pending, &err), SR_OK);
    assert_true(pending);
    const char *u2_under_1 = "SELECT count(*) FROM codekey.pnr_sealed WHERE unit = 'U2' AND"
                             " generation = 1";
    const char *u2_under_2 = "SELECT count(*) FROM codekey.pnr_sealed WHERE unit = 'U2' AND"
                             " generation = 2";
    assert_int_equal(count_rows(coord2, u2_under_1), 1);
    assert_int_equal(count_rows(coord2, u2_under_2), 1);
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO codekey.pnr_sealed SELECT 'ZZZZ-ZZZZ', 'U3', generation, sealed,"
             " created_at FROM codekey.pnr_sealed WHERE case_code = '%s'",
             c);
    assert_int_equal(sqlite3_exec(srp_registry_db(coord2), sql, NULL, NULL, NULL), SQLITE_OK);
    sr_registry_close(coord2);

    admin = tu_open(reg_path, NULL, NULL);
    assert_int_equal(srp_codekey_pending(admin, &pending, &err), SR_OK);
    assert_true(pending); /* the planted row, which nothing opens, stays */
    assert_int_equal(count_rows(admin, has_index), 1);
    assert_int_equal(count_rows(admin, "PRAGMA codekey.user_version"), SRP_CODEKEY_VERSION);
    assert_int_equal(count_rows(admin, u2_under_1), 0);
    assert_int_equal(count_rows(admin, u2_under_2), 2);
    assert_int_equal(count_rows(admin, "SELECT count(*) FROM codekey.pnr_sealed WHERE unit = 'U1'"
                                       " AND generation = 1"),
                     1);
    assert_int_equal(count_rows(admin, "SELECT count(*) FROM audit WHERE action = 'codekey.seal'"
                                       " AND detail = 'sealed=0 resealed=1 unreadable=1'"),
                     1);
    assert_false(srp_unit_keys_rotating(srp_registry_unit_keys(admin)));
    identity_is(admin, a, PNR_A);
    identity_is(admin, b, PNR_B);
    identity_is(admin, c, PNR_C);
    sr_registry_close(admin);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_user_signatures, setup),
        cmocka_unit_test_setup(test_edits_are_refused, setup),
        cmocka_unit_test_setup(test_units_and_passwd, setup),
        cmocka_unit_test_setup(test_rollback_is_refused, setup),
        cmocka_unit_test(test_upgrade_from_first_format),
        cmocka_unit_test_setup(test_database_under_data_key, setup),
        cmocka_unit_test_setup(test_publication_signed_by_publisher, setup),
        cmocka_unit_test_setup(test_admin_removal_rotates_signing_key, setup),
        cmocka_unit_test_setup(test_coordinator_finishes_rotation, setup),
        cmocka_unit_test_setup(test_removal_rotates_identity_key, setup),
        cmocka_unit_test_setup(test_coordinator_finishes_identity_rotation, setup),
        cmocka_unit_test_setup(test_identity_rotation_with_damaged_row, setup),
        cmocka_unit_test_setup(test_unit_key_rotation_left_rows, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
