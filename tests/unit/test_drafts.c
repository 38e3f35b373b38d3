/*
 * test_drafts.c - drafts (sigreg/drafts.h): a half-filled answer set kept per
 * case, form version and user; registering discards it in the same
 * transaction, erasing the case erases it, roles and units are checked as
 * for registering, and saving and discarding are audited without the
 * answers. Also sr_register_check_date, the date check a dialog makes before
 * its first question. White-box only to count the rows an erasure leaves.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "registry_int.h"
#include "sigreg/audit.h"
#include "sigreg/cases.h"
#include "sigreg/drafts.h"
#include "sigreg/form_store.h"
#include "sigreg/units.h"
#include "sigreg/users.h"

static const char INTAKE[] =
    "{\"sex\":\"girl\",\"referral_source\":\"school\",\"consent_young_person\":true,"
    "\"consent_guardians\":\"yes\",\"living_situation\":\"both_parents\","
    "\"school_situation\":\"absence\",\"need_crime\":\"some\",\"need_attitudes\":\"none\","
    "\"need_peers\":\"some\",\"need_family\":\"none\",\"need_school\":\"substantial\","
    "\"need_leisure\":\"some\",\"need_substances\":\"none\",\"need_mental_health\":\"unknown\","
    "\"need_violence_exposure\":\"none\",\"need_honour\":\"none\",\"substance_use\":\"none\","
    "\"police_contacts_6m\":\"one\",\"suspected_ever\":false,\"victim_of_crime\":\"no\"}";
static const char HALF[] = "{\"sex\":\"girl\",\"referral_source\":\"school\"}";

typedef struct fixture {
    char dir[512], db[600];
    sr_registry *reg;                                  /* the coordinator of U1 */
    char c1[SR_CASE_CODE_SIZE], c2[SR_CASE_CODE_SIZE]; /* a case in U1, one in U2 */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "%s", tu_scratch_dir());
    snprintf(f->db, sizeof f->db, "%s/reg.db", f->dir);
    sr_error err;
    sr_error_clear(&err);
    sr_registry *reg = tu_create_with_forms(f->db);
    assert_int_equal(sr_unit_add(reg, "U1", "Enhet 1", &err), SR_OK);
    assert_int_equal(sr_unit_add(reg, "U2", "Enhet 2", &err), SR_OK);
    sr_secret *p = tu_pass("coord-passphrase");
    const char *u1[] = {"U1"};
    assert_int_equal(sr_user_add(reg, "coord", SR_ROLE_COORDINATOR, u1, 1, TEST_KDF, p, &err),
                     SR_OK);
    assert_int_equal(sr_user_add(reg, "ana", SR_ROLE_ANALYST, NULL, 0, TEST_KDF, p, &err), SR_OK);
    sr_secret_free(p);
    assert_int_equal(sr_case_new(reg, "U1", NULL, f->c1, &err), SR_OK);
    assert_int_equal(sr_case_new(reg, "U2", NULL, f->c2, &err), SR_OK);
    sr_registry_close(reg);
    f->reg = tu_open(f->db, "coord", "coord-passphrase");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sr_registry_close(f->reg);
    int rc = tu_remove_dir(f->dir);
    free(f);
    return rc;
}

typedef struct seen {
    int n;
    char form[SR_FORM_ID_MAX + 1];
    char date[SR_DATE_MAX + 1];
    int version;
    long answers;
} seen;

static int count_draft(void *ctx, const sr_draft_info *d)
{
    seen *s = ctx;
    s->n++;
    snprintf(s->form, sizeof s->form, "%s", d->form_id);
    snprintf(s->date, sizeof s->date, "%s", d->date ? d->date : "");
    s->version = d->form_version;
    s->answers = d->answers;
    assert_non_null(d->saved_at);
    assert_int_equal(strlen(d->saved_at), 20);
    return 0;
}

static void test_save_load_replace(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    char date[SR_DATE_MAX + 1];
    char *text = NULL;
    assert_int_equal(sr_draft_save(f->reg, f->c1, "sig-intake", 0, NULL, "{}", &err), SR_OK);
    assert_int_equal(sr_draft_load(f->reg, f->c1, "sig-intake", 0, date, &text, &err), SR_OK);
    assert_string_equal(text, "{}");
    assert_string_equal(date, "");
    free(text);
    /* Saving again replaces it: one draft, the newer answers and date. */
    assert_int_equal(sr_draft_save(f->reg, f->c1, "sig-intake", 0, "2025-03-01", HALF, &err),
                     SR_OK);
    assert_int_equal(sr_draft_load(f->reg, f->c1, "sig-intake", 2, date, &text, &err), SR_OK);
    assert_string_equal(text, HALF);
    assert_string_equal(date, "2025-03-01");
    free(text);
    seen s = {0};
    assert_int_equal(sr_draft_list(f->reg, f->c1, count_draft, &s, &err), SR_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.form, "sig-intake");
    assert_string_equal(s.date, "2025-03-01");
    assert_int_equal(s.version, 2); /* version 0 saved the newest shipped */
    assert_int_equal(s.answers, 2);
    /* Listing every case of the user's units finds it too; the other case has none. */
    memset(&s, 0, sizeof s);
    assert_int_equal(sr_draft_list(f->reg, NULL, count_draft, &s, &err), SR_OK);
    assert_int_equal(s.n, 1);
    /* Another form of the same case is a draft of its own. */
    assert_int_equal(sr_draft_load(f->reg, f->c1, "sig-closure", 0, date, &text, &err),
                     SR_ERR_NOT_FOUND);
    assert_null(text);
    assert_string_equal(err.where, "form");
    sr_error_clear(&err);
    /* Discarding removes it; a second discard finds nothing. */
    assert_int_equal(sr_draft_discard(f->reg, f->c1, "sig-intake", 0, &err), SR_OK);
    assert_int_equal(sr_draft_load(f->reg, f->c1, "sig-intake", 0, date, &text, &err),
                     SR_ERR_NOT_FOUND);
    sr_error_clear(&err);
    assert_int_equal(sr_draft_discard(f->reg, f->c1, "sig-intake", 0, &err), SR_ERR_NOT_FOUND);
}

/* What was typed and refused ("_typed") is kept and read back, not counted
 * as an answer; a typed personnummer is never kept; a "_typed" of the wrong
 * shape is refused. */
static void test_typed_values(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    char date[SR_DATE_MAX + 1];
    char *text = NULL;
    const char *typed = "{\"sex\":\"girl\",\"_typed\":{\"birth_year\":[\"tjugo\"],"
                        "\"notes\":[\"ring 19121212-1212\"]}}";
    assert_int_equal(sr_draft_save(f->reg, f->c1, "sig-intake", 0, "2025-03-01", typed, &err),
                     SR_OK);
    assert_int_equal(sr_draft_load(f->reg, f->c1, "sig-intake", 0, date, &text, &err), SR_OK);
    assert_string_equal(text, "{\"sex\":\"girl\",\"_typed\":{\"birth_year\":[\"tjugo\"]}}");
    seen s = {0};
    assert_int_equal(sr_draft_list(f->reg, f->c1, count_draft, &s, &err), SR_OK);
    assert_int_equal(s.answers, 1);
    /* Read back into a set: the answer, and the typed value beside it. */
    sr_form *form = NULL;
    assert_int_equal(sr_form_load(f->reg, "sig-intake", 0, &form, NULL, &err), SR_OK);
    sr_answers *a = NULL;
    size_t dropped = 9;
    assert_int_equal(sr_answers_from_draft(form, text, strlen(text), &a, &dropped, &err), SR_OK);
    assert_int_equal(dropped, 0);
    long by = sr_form_item_index(form, "birth_year");
    assert_true(by >= 0);
    assert_false(sr_answers_has(a, (size_t)by));
    assert_int_equal(sr_answers_typed_count(a, (size_t)by), 1);
    assert_string_equal(sr_answers_typed(a, (size_t)by, 0), "tjugo");
    assert_null(sr_answers_typed(a, (size_t)by, 1));
    char *again = sr_answers_to_draft_json(a);
    assert_string_equal(again, text);
    free(again);
    /* An answer given forgets what was typed. */
    assert_int_equal(sr_answers_set(a, (size_t)by, "2010", NULL, &err), SR_OK);
    assert_int_equal(sr_answers_typed_count(a, (size_t)by), 0);
    again = sr_answers_to_draft_json(a);
    assert_null(strstr(again, "_typed"));
    free(again);
    sr_answers_free(a);
    sr_form_free(form);
    free(text);
    static const char *const bad[] = {"{\"_typed\":[]}", "{\"_typed\":{\"sex\":\"x\"}}",
                                      "{\"_typed\":{\"sex\":[1]}}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sr_error_clear(&err);
        assert_int_equal(sr_draft_save(f->reg, f->c1, "sig-intake", 0, NULL, bad[i], &err),
                         SR_ERR_INVALID);
        assert_string_equal(err.where, "answers");
    }
}

static void test_bad_input_changes_nothing(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_draft_save(f->reg, f->c1, "sig-intake", 0, "2025-03-01", HALF, &err),
                     SR_OK);
    static const char *const not_objects[] = {"[1,2]", "\"x\"", "{\"a\":", "", "{\"a\":1,\"a\":2}"};
    for (size_t i = 0; i < sizeof not_objects / sizeof not_objects[0]; i++) {
        sr_error_clear(&err);
        assert_int_equal(sr_draft_save(f->reg, f->c1, "sig-intake", 0, NULL, not_objects[i], &err),
                         SR_ERR_INVALID);
        assert_string_equal(err.where, "answers");
    }
    sr_error_clear(&err);
    assert_int_equal(sr_draft_save(f->reg, f->c1, "sig-intake", 0, "2025-02-30", "{}", &err),
                     SR_ERR_INVALID);
    assert_string_equal(err.where, "date");
    sr_error_clear(&err);
    assert_int_equal(sr_draft_save(f->reg, f->c1, "no-such-form", 0, NULL, "{}", &err),
                     SR_ERR_NOT_FOUND);
    assert_string_equal(err.where, "form");
    sr_error_clear(&err);
    assert_int_equal(sr_draft_save(f->reg, f->c1, "sig-intake", 9, NULL, "{}", &err),
                     SR_ERR_NOT_FOUND);
    sr_error_clear(&err);
    assert_int_equal(sr_draft_save(f->reg, "NOPE-NOPE", "sig-intake", 0, NULL, "{}", &err),
                     SR_ERR_INVALID);
    /* The draft is as it was. */
    char date[SR_DATE_MAX + 1];
    char *text = NULL;
    sr_error_clear(&err);
    assert_int_equal(sr_draft_load(f->reg, f->c1, "sig-intake", 0, date, &text, &err), SR_OK);
    assert_string_equal(text, HALF);
    assert_string_equal(date, "2025-03-01");
    free(text);
}

static void test_register_discards_its_draft(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_draft_save(f->reg, f->c1, "sig-intake", 0, "2025-03-01", HALF, &err),
                     SR_OK);
    /* A refused registration keeps the draft. */
    int64_t id = 0;
    sr_problems *p = sr_problems_new();
    assert_int_equal(
        sr_register(f->reg, f->c1, "sig-intake", 0, "2025-03-01", HALF, strlen(HALF), p, &id, &err),
        SR_ERR_INVALID);
    sr_problems_free(p);
    seen s = {0};
    sr_error_clear(&err);
    assert_int_equal(sr_draft_list(f->reg, f->c1, count_draft, &s, &err), SR_OK);
    assert_int_equal(s.n, 1);
    /* A draft of another form stays when this one is registered. */
    assert_int_equal(sr_draft_save(f->reg, f->c1, "sig-intervention", 0, NULL, "{}", &err), SR_OK);
    assert_int_equal(sr_register(f->reg, f->c1, "sig-intake", 0, "2025-03-01", INTAKE,
                                 strlen(INTAKE), NULL, &id, &err),
                     SR_OK);
    memset(&s, 0, sizeof s);
    assert_int_equal(sr_draft_list(f->reg, f->c1, count_draft, &s, &err), SR_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.form, "sig-intervention");
}

static void test_roles_units_and_users(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    /* Another unit's case is refused as case access is. */
    assert_int_equal(sr_draft_save(f->reg, f->c2, "sig-intake", 0, NULL, "{}", &err),
                     SR_ERR_DENIED);
    sr_error_clear(&err);
    char date[SR_DATE_MAX + 1];
    char *text = NULL;
    assert_int_equal(sr_draft_load(f->reg, f->c2, "sig-intake", 0, date, &text, &err),
                     SR_ERR_DENIED);
    sr_error_clear(&err);
    assert_int_equal(sr_draft_list(f->reg, f->c2, count_draft, &(seen){0}, &err), SR_ERR_DENIED);
    /* A draft is its user's own: the admin's draft on c1 is not the coordinator's. */
    sr_registry *admin = tu_open(f->db, NULL, NULL);
    sr_error_clear(&err);
    assert_int_equal(sr_draft_save(admin, f->c1, "sig-intake", 0, NULL, HALF, &err), SR_OK);
    assert_int_equal(sr_draft_save(admin, f->c2, "sig-intake", 0, NULL, HALF, &err), SR_OK);
    sr_registry_close(admin);
    seen s = {0};
    assert_int_equal(sr_draft_list(f->reg, NULL, count_draft, &s, &err), SR_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(sr_draft_load(f->reg, f->c1, "sig-intake", 0, date, &text, &err),
                     SR_ERR_NOT_FOUND);
    /* Analysts keep no drafts and read none. */
    sr_registry *ana = tu_open(f->db, "ana", "coord-passphrase");
    sr_error_clear(&err);
    assert_int_equal(sr_draft_save(ana, f->c1, "sig-intake", 0, NULL, "{}", &err), SR_ERR_DENIED);
    sr_error_clear(&err);
    assert_int_equal(sr_draft_list(ana, NULL, count_draft, &s, &err), SR_ERR_DENIED);
    sr_registry_close(ana);
}

static int64_t count_rows(sr_registry *reg, const char *code)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(srp_registry_db(reg),
                                        "SELECT count(*) FROM drafts WHERE case_code = ?1", -1, &st,
                                        NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

typedef struct audit_seen {
    int saves, discards, loads;
    int leaked;
} audit_seen;

static int audit_entry(void *ctx, const sr_audit_entry *e)
{
    audit_seen *a = ctx;
    a->saves += strcmp(e->action, "draft.save") == 0;
    a->discards += strcmp(e->action, "draft.discard") == 0;
    a->loads += strcmp(e->action, "draft.load") == 0;
    if (e->detail && (strstr(e->detail, "girl") || strstr(e->detail, "school")))
        a->leaked = 1;
    return 0;
}

static void test_erasure_and_audit(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_draft_save(f->reg, f->c1, "sig-intake", 0, NULL, HALF, &err), SR_OK);
    char date[SR_DATE_MAX + 1];
    char *text = NULL;
    assert_int_equal(sr_draft_load(f->reg, f->c1, "sig-intake", 0, date, &text, &err), SR_OK);
    free(text);
    assert_int_equal(sr_draft_discard(f->reg, f->c1, "sig-intake", 0, &err), SR_OK);
    assert_int_equal(sr_draft_save(f->reg, f->c1, "sig-intake", 0, NULL, HALF, &err), SR_OK);
    sr_registry *admin = tu_open(f->db, NULL, NULL);
    assert_int_equal(sr_draft_save(admin, f->c1, "sig-closure", 0, NULL, "{}", &err), SR_OK);
    assert_int_equal(count_rows(admin, f->c1), 2);
    /* Erasing the case erases every user's drafts of it. */
    assert_int_equal(sr_case_delete(admin, f->c1, &err), SR_OK);
    assert_int_equal(count_rows(admin, f->c1), 0);
    audit_seen a = {0};
    assert_int_equal(sr_audit_list(admin, 0, NULL, audit_entry, &a, &err), SR_OK);
    assert_int_equal(a.saves, 3);
    assert_int_equal(a.discards, 1);
    assert_int_equal(a.loads, 1);
    assert_int_equal(a.leaked, 0);
    sr_audit_report report;
    assert_int_equal(sr_audit_verify(admin, &report, &err), SR_OK);
    sr_registry_close(admin);
}

static void test_register_check_date(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_register_check_date(f->reg, f->c1, "sig-intake", "2025-03-01", &err),
                     SR_OK);
    assert_int_equal(sr_register_check_date(f->reg, f->c1, "sig-intake", "2999-01-01", &err),
                     SR_ERR_INVALID);
    assert_string_equal(err.where, "date");
    sr_error_clear(&err);
    assert_int_equal(sr_register_check_date(f->reg, f->c1, "sig-intervention", NULL, &err),
                     SR_ERR_STATE); /* no intake yet */
    sr_error_clear(&err);
    int64_t id;
    assert_int_equal(sr_register(f->reg, f->c1, "sig-intake", 0, "2025-03-01", INTAKE,
                                 strlen(INTAKE), NULL, &id, &err),
                     SR_OK);
    assert_int_equal(sr_register_check_date(f->reg, f->c1, "sig-intervention", "2025-02-28", &err),
                     SR_ERR_STATE);
    assert_string_equal(err.where, "date");
    assert_non_null(strstr(err.message, "before the intake"));
    sr_error_clear(&err);
    /* In a Swedish session, the same refusal in Swedish. */
    sr_registry_set_lang(f->reg, "sv");
    assert_string_equal(sr_registry_lang(f->reg), "sv");
    assert_int_equal(sr_register_check_date(f->reg, f->c1, "sig-intervention", "2025-02-28", &err),
                     SR_ERR_STATE);
    assert_string_equal(err.where, "date");
    assert_string_equal(err.message, "datumet 2025-02-28 är före inskrivningen (2025-03-01)");
    sr_registry_set_lang(f->reg, NULL);
    assert_string_equal(sr_registry_lang(f->reg), "en");
    sr_error_clear(&err);
    assert_int_equal(sr_register_check_date(f->reg, f->c1, "sig-intervention", "2025-03-01", &err),
                     SR_OK);
    assert_int_equal(sr_register_check_date(f->reg, f->c1, "sig-intake", "2025-03-02", &err),
                     SR_ERR_STATE); /* one intake */
    sr_error_clear(&err);
    assert_int_equal(sr_register_check_date(f->reg, f->c2, "sig-intake", "2025-03-01", &err),
                     SR_ERR_DENIED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_save_load_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_typed_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_discards_its_draft, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roles_units_and_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erasure_and_audit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_check_date, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
