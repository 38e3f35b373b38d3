/*
 * test_cases.c - cases through the public API: opening with and without a
 * personnummer, duplicates, the code key, the life-cycle rules, unit and
 * role checks, revisions, reopening, erasure, the retention purge, and bulk
 * import where a failing line leaves nothing behind. White-box only where a
 * test must fix the clock or make the engine fail.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <time.h>

#include "base/timeutil.h"
#include "fixed_clock.h"
#include "registry_int.h"
#include "sigreg/audit.h"
#include "sigreg/cases.h"
#include "sigreg/form_store.h"
#include "sigreg/import.h"
#include "sigreg/sink.h"
#include "sigreg/units.h"
#include "sigreg/users.h"

#define PNR "20100315-1238"
#define PNR2 "200907045678"

static const char INTAKE[] =
    "{\"sex\":\"girl\",\"referral_source\":\"school\",\"consent_young_person\":true,"
    "\"consent_guardians\":\"yes\",\"living_situation\":\"both_parents\","
    "\"school_situation\":\"absence\",\"need_crime\":\"some\",\"need_attitudes\":\"none\","
    "\"need_peers\":\"some\",\"need_family\":\"none\",\"need_school\":\"substantial\","
    "\"need_leisure\":\"some\",\"need_substances\":\"none\",\"need_mental_health\":\"unknown\","
    "\"need_violence_exposure\":\"none\",\"need_honour\":\"none\",\"substance_use\":\"none\","
    "\"police_contacts_6m\":\"one\",\"suspected_ever\":false,\"victim_of_crime\":\"no\"}";
static const char INTERVENTION[] =
    "{\"meetings\":3,\"focus\":[\"school_support\"],\"actors\":[\"school\"],"
    "\"young_person_participation\":\"yes\",\"plan_followed\":\"yes\"}";
static const char CLOSURE[] =
    "{\"closure_reason\":\"goals_reached\",\"goals_reached\":\"fully\","
    "\"overall_change\":\"improved\",\"school_situation\":\"regular\",\"need_crime\":\"none\","
    "\"need_attitudes\":\"none\",\"need_peers\":\"none\",\"need_family\":\"none\","
    "\"need_school\":\"some\",\"need_leisure\":\"none\",\"need_substances\":\"none\","
    "\"need_mental_health\":\"unknown\",\"need_violence_exposure\":\"none\","
    "\"need_honour\":\"none\",\"substance_use\":\"none\",\"police_contacts_6m\":\"none\"}";
static const char EXPERIENCE[] = "{\"answered_by\":\"alone\",\"felt_safe\":5}";
static const char FOLLOWUP[] =
    "{\"months_after\":\"m6\",\"source\":[\"young_person\"],\"school_situation\":\"regular\","
    "\"substance_use\":\"none\",\"police_contacts_6m\":\"none\",\"new_intervention\":false}";

typedef struct fixture {
    char dir[512], db[600];
    sr_registry *reg;
} fixture;

static void add_units_and_users(const char *db)
{
    sr_error err;
    sr_error_clear(&err);
    sr_registry *reg = tu_open(db, NULL, NULL);
    assert_int_equal(sr_unit_add(reg, "U1", "Enhet 1", &err), SR_OK);
    assert_int_equal(sr_unit_add(reg, "U2", "Enhet 2", &err), SR_OK);
    sr_secret *p = tu_pass("coord-passphrase");
    const char *u1[] = {"U1"};
    assert_int_equal(sr_user_add(reg, "coord", SR_ROLE_COORDINATOR, u1, 1, TEST_KDF, p, &err),
                     SR_OK);
    assert_int_equal(sr_user_add(reg, "ana", SR_ROLE_ANALYST, NULL, 0, TEST_KDF, p, &err), SR_OK);
    sr_secret_free(p);
    sr_registry_close(reg);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "%s", tu_scratch_dir());
    snprintf(f->db, sizeof f->db, "%s/reg.db", f->dir);
    /* init installs the shipped forms through the CLI; here we do it directly. */
    sr_registry *reg = tu_create_with_forms(f->db);
    sr_registry_close(reg);
    add_units_and_users(f->db);
    f->reg = tu_open(f->db, NULL, NULL);
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

static sr_status reg_answers(sr_registry *reg, const char *code, const char *form, const char *date,
                             const char *answers, sr_error *err)
{
    int64_t id = 0;
    sr_error_clear(err);
    return sr_register(reg, code, form, 0, date, answers, strlen(answers), NULL, &id, err);
}

static void new_case(sr_registry *reg, const char *unit, const char *pnr,
                     char code[SR_CASE_CODE_SIZE])
{
    sr_error err;
    sr_error_clear(&err);
    if (sr_case_new(reg, unit, pnr, code, &err) != SR_OK)
        fail_msg("case new: %s", err.message);
}

static void test_codes_and_duplicates(void **state)
{
    fixture *f = *state;
    char a[SR_CASE_CODE_SIZE], b[SR_CASE_CODE_SIZE], n[SR_CASE_CODE_SIZE];
    sr_error err;
    new_case(f->reg, "U1", PNR, a);
    assert_int_equal(strlen(a), 9);
    assert_int_equal(a[4], '-');
    new_case(f->reg, "U1", NULL, n);
    assert_string_not_equal(a, n);
    sr_error_clear(&err);
    /* The same person in another form of writing is the same person. */
    assert_int_equal(sr_case_new(f->reg, "U2", "100315-1238", b, &err), SR_ERR_EXISTS);
    assert_non_null(strstr(err.message, a));
    sr_error_clear(&err);
    assert_int_equal(sr_case_find(f->reg, "1003151238", b, &err), SR_OK);
    assert_string_equal(a, b);
    char pnr[SR_PNR_SIZE];
    assert_int_equal(sr_case_identity(f->reg, a, pnr, &err), SR_OK);
    assert_string_equal(pnr, "201003151238");
    sr_error_clear(&err);
    assert_int_equal(sr_case_identity(f->reg, n, pnr, &err), SR_ERR_NOT_FOUND);
    sr_error_clear(&err);
    assert_int_equal(sr_case_find(f->reg, PNR2, b, &err), SR_ERR_NOT_FOUND);
    /* Typed codes: lower case and without the dash are fine, a typo is caught. */
    char lower[16];
    snprintf(lower, sizeof lower, "%c%c%c%c%s", a[0] | 0x20, a[1] | 0x20, a[2] | 0x20, a[3] | 0x20,
             a + 5);
    char norm[SR_CASE_CODE_SIZE];
    sr_error_clear(&err);
    assert_int_equal(sr_case_code_normalise(lower, norm, &err), SR_OK);
    assert_string_equal(norm, a);
    char typo[SR_CASE_CODE_SIZE];
    memcpy(typo, a, sizeof typo);
    typo[8] = typo[8] == 'A' ? 'C' : 'A';
    assert_int_equal(sr_case_code_normalise(typo, norm, &err), SR_ERR_INVALID);
    sr_error_clear(&err);
    assert_int_equal(sr_case_new(f->reg, "U9", NULL, b, &err), SR_ERR_NOT_FOUND);
}

static void test_life_cycle(void **state)
{
    fixture *f = *state;
    char c[SR_CASE_CODE_SIZE];
    sr_error err;
    new_case(f->reg, "U1", PNR, c);
    assert_int_equal(reg_answers(f->reg, c, "sig-intervention", "2025-03-02", INTERVENTION, &err),
                     SR_ERR_STATE); /* intake first */
    assert_int_equal(reg_answers(f->reg, c, "sig-followup", "2025-03-02", FOLLOWUP, &err),
                     SR_ERR_STATE);
    assert_int_equal(reg_answers(f->reg, c, "sig-intake", "2999-01-01", INTAKE, &err),
                     SR_ERR_INVALID); /* future */
    assert_int_equal(reg_answers(f->reg, c, "sig-intake", "2025-02-30", INTAKE, &err),
                     SR_ERR_INVALID);
    assert_int_equal(reg_answers(f->reg, c, "sig-intake", "2025-03-01", INTAKE, &err), SR_OK);
    assert_int_equal(reg_answers(f->reg, c, "sig-intake", "2025-03-01", INTAKE, &err),
                     SR_ERR_STATE); /* exactly one intake */
    assert_int_equal(reg_answers(f->reg, c, "sig-intervention", "2025-02-28", INTERVENTION, &err),
                     SR_ERR_STATE); /* before the intake */
    assert_non_null(strstr(err.message, "before the intake"));
    for (int m = 4; m <= 6; m++) {
        char date[11];
        snprintf(date, sizeof date, "2025-%02d-01", m);
        assert_int_equal(reg_answers(f->reg, c, "sig-intervention", date, INTERVENTION, &err),
                         SR_OK);
    }
    assert_int_equal(reg_answers(f->reg, c, "sig-followup", "2025-06-02", FOLLOWUP, &err),
                     SR_ERR_STATE); /* follow-up comes after closure */
    assert_int_equal(reg_answers(f->reg, c, "sig-closure", "2025-05-15", CLOSURE, &err),
                     SR_ERR_STATE); /* before the latest registration */
    assert_int_equal(reg_answers(f->reg, c, "sig-closure", "2025-07-01", CLOSURE, &err), SR_OK);
    assert_int_equal(reg_answers(f->reg, c, "sig-intervention", "2025-07-02", INTERVENTION, &err),
                     SR_ERR_STATE); /* closed */
    assert_non_null(strstr(err.message, "closed"));
    assert_int_equal(reg_answers(f->reg, c, "sig-experience", "2025-07-01", EXPERIENCE, &err),
                     SR_OK);
    assert_int_equal(reg_answers(f->reg, c, "sig-experience", "2025-07-02", EXPERIENCE, &err),
                     SR_ERR_STATE); /* not repeatable */
    assert_int_equal(reg_answers(f->reg, c, "sig-followup", "2025-06-30", FOLLOWUP, &err),
                     SR_ERR_STATE); /* before the closure */
    assert_int_equal(reg_answers(f->reg, c, "sig-followup", "2026-01-01", FOLLOWUP, &err), SR_OK);
    /* Reopen: the closure is set aside, interventions are accepted again,
     * and a new closure can follow. */
    sr_error_clear(&err);
    assert_int_equal(sr_case_reopen(f->reg, c, "", &err), SR_ERR_USAGE);
    sr_error_clear(&err);
    assert_int_equal(sr_case_reopen(f->reg, c, "ny oro", &err), SR_OK);
    sr_error_clear(&err);
    assert_int_equal(sr_case_reopen(f->reg, c, "igen", &err), SR_ERR_STATE);
    assert_int_equal(reg_answers(f->reg, c, "sig-intervention", "2026-02-01", INTERVENTION, &err),
                     SR_OK);
    assert_int_equal(reg_answers(f->reg, c, "sig-closure", "2026-03-01", CLOSURE, &err), SR_OK);
}

static void test_rejected_answers_store_nothing(void **state)
{
    fixture *f = *state;
    char c[SR_CASE_CODE_SIZE];
    sr_error err;
    new_case(f->reg, "U1", NULL, c);
    sr_problems *p = sr_problems_new();
    int64_t id = 0;
    const char *bad = "{\"sex\":\"girl\",\"shoe\":1}";
    sr_error_clear(&err);
    assert_int_equal(
        sr_register(f->reg, c, "sig-intake", 0, "2025-01-01", bad, strlen(bad), p, &id, &err),
        SR_ERR_INVALID);
    assert_true(sr_problems_count(p) > 5); /* every missing item and the unknown one */
    sr_problems_free(p);
    /* Nothing stored: the intake can still be registered. */
    assert_int_equal(reg_answers(f->reg, c, "sig-intake", "2025-01-01", INTAKE, &err), SR_OK);
}

static int count_responses(void *ctx, const sr_response_info *r)
{
    (void)r;
    (*(int *)ctx)++;
    return 0;
}

static int count_cases(void *ctx, const sr_case_info *info)
{
    (void)info;
    (*(int *)ctx)++;
    return 0;
}

static void test_edit_keeps_history(void **state)
{
    fixture *f = *state;
    char c[SR_CASE_CODE_SIZE];
    sr_error err;
    new_case(f->reg, "U1", NULL, c);
    int64_t id = 0;
    sr_error_clear(&err);
    assert_int_equal(sr_register(f->reg, c, "sig-intake", 0, "2025-01-01", INTAKE, strlen(INTAKE),
                                 NULL, &id, &err),
                     SR_OK);
    char *edited = strdup(INTAKE);
    memcpy(strstr(edited, "\"girl\""), "\"boy\" ", 6);
    int revision = 0;
    assert_int_equal(
        sr_response_edit(f->reg, id, NULL, edited, strlen(edited), NULL, &revision, &err), SR_OK);
    assert_int_equal(revision, 2);
    const char *bad = "{\"sex\":\"x\"}";
    assert_int_equal(sr_response_edit(f->reg, id, NULL, bad, strlen(bad), NULL, &revision, &err),
                     SR_ERR_INVALID);
    sr_error_clear(&err);
    assert_int_equal(
        sr_response_edit(f->reg, 999999, NULL, edited, strlen(edited), NULL, &revision, &err),
        SR_ERR_NOT_FOUND);
    free(edited);
    int n = 0;
    sr_error_clear(&err);
    assert_int_equal(sr_case_show(f->reg, c, NULL, count_responses, &n, &err), SR_OK);
    assert_int_equal(n, 1);
}

static void test_units_and_roles(void **state)
{
    fixture *f = *state;
    char in_u2[SR_CASE_CODE_SIZE], in_u1[SR_CASE_CODE_SIZE], tmp[SR_CASE_CODE_SIZE];
    new_case(f->reg, "U2", NULL, in_u2);
    new_case(f->reg, "U1", NULL, in_u1);
    sr_registry_close(f->reg);
    f->reg = tu_open(f->db, "coord", "coord-passphrase");
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_case_new(f->reg, "U2", NULL, tmp, &err), SR_ERR_DENIED);
    assert_int_equal(reg_answers(f->reg, in_u2, "sig-intake", "2025-01-01", INTAKE, &err),
                     SR_ERR_DENIED);
    assert_int_equal(reg_answers(f->reg, in_u1, "sig-intake", "2025-01-01", INTAKE, &err), SR_OK);
    sr_error_clear(&err);
    assert_int_equal(sr_case_show(f->reg, in_u2, NULL, NULL, NULL, &err), SR_ERR_DENIED);
    sr_error_clear(&err);
    assert_int_equal(sr_case_delete(f->reg, in_u2, &err), SR_ERR_DENIED);
    sr_registry_close(f->reg);
    f->reg = tu_open(f->db, "ana", "coord-passphrase");
    sr_error_clear(&err);
    assert_int_equal(sr_case_show(f->reg, in_u1, NULL, NULL, NULL, &err), SR_ERR_DENIED);
    sr_error_clear(&err);
    sr_case_filter filter = {NULL, NULL, NULL, 0};
    assert_int_equal(sr_case_list(f->reg, &filter, NULL, NULL, &err), SR_ERR_DENIED);
    sr_error_clear(&err);
    assert_int_equal(sr_case_new(f->reg, "U1", NULL, tmp, &err), SR_ERR_DENIED);
}

/* The case of a response, for a page that has only the response's id:
 * refused outside the user's units as the case itself is. */
static void test_response_case(void **state)
{
    fixture *f = *state;
    char in_u1[SR_CASE_CODE_SIZE], in_u2[SR_CASE_CODE_SIZE], code[SR_CASE_CODE_SIZE];
    int64_t id1 = 0, id2 = 0;
    sr_error err;
    new_case(f->reg, "U1", NULL, in_u1);
    new_case(f->reg, "U2", NULL, in_u2);
    sr_error_clear(&err);
    assert_int_equal(sr_register(f->reg, in_u1, "sig-intake", 0, "2025-01-01", INTAKE,
                                 strlen(INTAKE), NULL, &id1, &err),
                     SR_OK);
    assert_int_equal(sr_register(f->reg, in_u2, "sig-intake", 0, "2025-01-01", INTAKE,
                                 strlen(INTAKE), NULL, &id2, &err),
                     SR_OK);
    assert_int_equal(sr_response_case(f->reg, id2, code, &err), SR_OK);
    assert_string_equal(code, in_u2);
    sr_error_clear(&err);
    assert_int_equal(sr_response_case(f->reg, id2 + 100, code, &err), SR_ERR_NOT_FOUND);
    assert_string_equal(code, "");
    sr_registry_close(f->reg);
    f->reg = tu_open(f->db, "coord", "coord-passphrase");
    sr_error_clear(&err);
    assert_int_equal(sr_response_case(f->reg, id1, code, &err), SR_OK);
    assert_string_equal(code, in_u1);
    sr_error_clear(&err);
    assert_int_equal(sr_response_case(f->reg, id2, code, &err), SR_ERR_DENIED);
    assert_string_equal(code, "");
}

static void test_delete_and_purge(void **state)
{
    fixture *f = *state;
    char a[SR_CASE_CODE_SIZE], b[SR_CASE_CODE_SIZE], tmp[SR_CASE_CODE_SIZE];
    sr_error err;
    new_case(f->reg, "U1", PNR, a);
    assert_int_equal(reg_answers(f->reg, a, "sig-intake", "2024-01-01", INTAKE, &err), SR_OK);
    sr_error_clear(&err);
    assert_int_equal(sr_case_delete(f->reg, a, &err), SR_OK);
    assert_int_equal(sr_case_find(f->reg, PNR, tmp, &err), SR_ERR_NOT_FOUND);
    sr_error_clear(&err);
    assert_int_equal(sr_case_show(f->reg, a, NULL, NULL, NULL, &err), SR_ERR_NOT_FOUND);
    /* The same person may be registered again after erasure. */
    new_case(f->reg, "U1", PNR, a);
    new_case(f->reg, "U1", PNR2, b);
    assert_int_equal(reg_answers(f->reg, a, "sig-intake", "2024-01-01", INTAKE, &err), SR_OK);
    assert_int_equal(reg_answers(f->reg, a, "sig-closure", "2024-06-01", CLOSURE, &err), SR_OK);
    assert_int_equal(reg_answers(f->reg, b, "sig-intake", "2024-01-01", INTAKE, &err), SR_OK);
    size_t count = 0;
    sr_error_clear(&err);
    assert_int_equal(sr_purge(f->reg, "2024-06-01", 1, NULL, NULL, &count, &err), SR_OK);
    assert_int_equal(count, 0); /* closed on, not before */
    assert_int_equal(sr_purge(f->reg, "2024-06-02", 0, NULL, NULL, &count, &err), SR_OK);
    assert_int_equal(count, 1); /* a plan erases nothing */
    assert_int_equal(sr_case_find(f->reg, PNR, tmp, &err), SR_OK);
    assert_int_equal(sr_purge(f->reg, "2024-06-02", 1, NULL, NULL, &count, &err), SR_OK);
    assert_int_equal(count, 1);
    assert_int_equal(sr_case_find(f->reg, PNR, tmp, &err), SR_ERR_NOT_FOUND);
    sr_error_clear(&err);
    assert_int_equal(sr_case_find(f->reg, PNR2, tmp, &err), SR_OK); /* open cases stay */
}

#define PNR3 "20110505-2383"

typedef struct committed_cases {
    sr_import_result cases[4];
    size_t count;
} committed_cases;

static void note_committed(const sr_import_result *committed, void *ctx)
{
    committed_cases *c = ctx;
    if (c->count < 4)
        c->cases[c->count++] = *committed;
}

static void test_import_line_is_all_or_nothing(void **state)
{
    fixture *f = *state;
    sr_import *imp = NULL;
    sr_error err;
    sr_error_clear(&err);
    committed_cases done = {.count = 0};
    assert_int_equal(sr_import_begin(f->reg, note_committed, &done, &imp, &err), SR_OK);
    char good[2048], bad[2048];
    snprintf(good, sizeof good,
             "{\"ref\":\"r1\",\"unit\":\"U1\",\"pnr\":\"%s\",\"responses\":[{\"form\":"
             "\"sig-intake\",\"date\":\"2025-01-01\",\"answers\":%s}]}",
             PNR, INTAKE);
    /* A valid intake followed by an intervention dated before it: the whole
     * line, case included, must vanish. */
    snprintf(bad, sizeof bad,
             "{\"ref\":\"r2\",\"unit\":\"U1\",\"pnr\":\"%s\",\"responses\":[{\"form\":"
             "\"sig-intake\",\"date\":\"2025-01-01\",\"answers\":%s},{\"form\":"
             "\"sig-intervention\",\"date\":\"2024-01-01\",\"answers\":%s}]}",
             PNR2, INTAKE, INTERVENTION);
    sr_import_result r;
    assert_int_equal(sr_import_line(imp, good, strlen(good), &r, NULL, &err), SR_OK);
    assert_string_equal(r.ref, "r1");
    assert_int_equal(r.responses, 1);
    assert_int_equal(sr_import_line(imp, bad, strlen(bad), &r, NULL, &err), SR_ERR_STATE);
    assert_string_equal(r.ref, "r2");
    assert_non_null(strstr(err.message, "responses[1]"));
    sr_error_clear(&err);
    assert_int_equal(sr_import_line(imp, "{\"ref\":\"r3\"", 11, &r, NULL, &err), SR_ERR_INVALID);
    sr_error_clear(&err);
    /* After a line that failed half-way, the import goes on. */
    char after[2048];
    snprintf(after, sizeof after,
             "{\"ref\":\"r4\",\"unit\":\"U1\",\"pnr\":\"%s\",\"responses\":[{\"form\":"
             "\"sig-intake\",\"date\":\"2025-02-01\",\"answers\":%s}]}",
             PNR3, INTAKE);
    assert_int_equal(sr_import_line(imp, after, strlen(after), &r, NULL, &err), SR_OK);
    assert_string_equal(r.code, ""); /* codes are told at commit */
    assert_int_equal(sr_import_commit(imp, &err), SR_OK);
    sr_import_free(imp);
    /* Exactly the good lines, in order, with the codes the registry holds. */
    assert_int_equal(done.count, 2);
    assert_string_equal(done.cases[0].ref, "r1");
    assert_string_equal(done.cases[1].ref, "r4");
    char tmp[SR_CASE_CODE_SIZE];
    assert_int_equal(sr_case_find(f->reg, PNR, tmp, &err), SR_OK);
    assert_string_equal(tmp, done.cases[0].code);
    assert_int_equal(sr_case_find(f->reg, PNR3, tmp, &err), SR_OK);
    assert_string_equal(tmp, done.cases[1].code);
    assert_int_equal(sr_case_find(f->reg, PNR2, tmp, &err), SR_ERR_NOT_FOUND);
    sr_error_clear(&err);
    /* The audit chain holds the two new cases and nothing of the failed line. */
    sr_audit_report report;
    assert_int_equal(sr_audit_verify(f->reg, &report, &err), SR_OK);
}

/* An import writes a case closed when its line registers the closure:
 * status and date as if the closure had been registered on its own, and
 * nothing kept of a line that fails after its closure. */
typedef struct case_status {
    char status[8];
    char closed_at[SR_DATE_MAX + 1];
} case_status;

static int keep_status(void *ctx, const sr_case_info *info)
{
    case_status *cs = ctx;
    snprintf(cs->status, sizeof cs->status, "%s", info->status);
    snprintf(cs->closed_at, sizeof cs->closed_at, "%s", info->closed_at ? info->closed_at : "");
    return 1;
}

static void test_import_closes_with_its_closure(void **state)
{
    fixture *f = *state;
    sr_import *imp = NULL;
    sr_error err;
    sr_error_clear(&err);
    committed_cases done = {.count = 0};
    assert_int_equal(sr_import_begin(f->reg, note_committed, &done, &imp, &err), SR_OK);
    char closed[4096], failed[4096];
    snprintf(closed, sizeof closed,
             "{\"ref\":\"c1\",\"unit\":\"U1\",\"pnr\":\"%s\",\"responses\":[{\"form\":"
             "\"sig-intake\",\"date\":\"2025-01-01\",\"answers\":%s},{\"form\":"
             "\"sig-closure\",\"date\":\"2025-06-30\",\"answers\":%s}]}",
             PNR, INTAKE, CLOSURE);
    /* A second closure after the first is refused: the line goes whole. */
    snprintf(failed, sizeof failed,
             "{\"ref\":\"c2\",\"unit\":\"U1\",\"pnr\":\"%s\",\"responses\":[{\"form\":"
             "\"sig-intake\",\"date\":\"2025-01-01\",\"answers\":%s},{\"form\":"
             "\"sig-closure\",\"date\":\"2025-06-30\",\"answers\":%s},{\"form\":"
             "\"sig-closure\",\"date\":\"2025-07-30\",\"answers\":%s}]}",
             PNR2, INTAKE, CLOSURE, CLOSURE);
    sr_import_result r;
    assert_int_equal(sr_import_line(imp, closed, strlen(closed), &r, NULL, &err), SR_OK);
    assert_int_not_equal(sr_import_line(imp, failed, strlen(failed), &r, NULL, &err), SR_OK);
    sr_error_clear(&err);
    assert_int_equal(sr_import_commit(imp, &err), SR_OK);
    sr_import_free(imp);
    assert_int_equal(done.count, 1);
    case_status cs = {"", ""};
    assert_int_equal(sr_case_show(f->reg, done.cases[0].code, keep_status, NULL, &cs, &err), SR_OK);
    assert_string_equal(cs.status, "closed");
    assert_string_equal(cs.closed_at, "2025-06-30");
    char tmp[SR_CASE_CODE_SIZE];
    assert_int_equal(sr_case_find(f->reg, PNR2, tmp, &err), SR_ERR_NOT_FOUND);
    sr_error_clear(&err);
}

/* An import stores a line's own answer text when it is already the compact
 * text the registry keeps, and writes the answers out again when it is not
 * (spaces, an escape): either way the stored text is the compact one. */
static int keep_answers(void *ctx, const sr_response_info *r)
{
    char **out = ctx;
    free(*out);
    *out = strdup(r->answers);
    return 0;
}

static void test_import_stores_compact_answers(void **state)
{
    fixture *f = *state;
    sr_import *imp = NULL;
    sr_error err;
    sr_error_clear(&err);
    committed_cases done = {.count = 0};
    assert_int_equal(sr_import_begin(f->reg, note_committed, &done, &imp, &err), SR_OK);
    /* INTAKE with a space after every colon and its first letter escaped. */
    char spaced[2048] = "";
    size_t k = 0;
    for (const char *p = INTAKE; *p && k + 8 < sizeof spaced; p++) {
        spaced[k++] = *p;
        if (*p == ':')
            spaced[k++] = ' ';
    }
    spaced[k] = '\0';
    char *g = strstr(spaced, "\"girl\"");
    assert_non_null(g);
    char escaped[2048];
    snprintf(escaped, sizeof escaped, "%.*s\"\\u0067irl\"%s", (int)(g - spaced), spaced, g + 6);
    const char *answers[2] = {INTAKE, escaped};
    const char *pnrs[2] = {PNR, PNR2};
    for (size_t i = 0; i < 2; i++) {
        char line[4096];
        snprintf(line, sizeof line,
                 "{\"ref\":\"s%zu\",\"unit\":\"U1\",\"pnr\":\"%s\",\"responses\":[{\"form\":"
                 "\"sig-intake\",\"date\":\"2025-01-01\",\"answers\":%s}]}",
                 i, pnrs[i], answers[i]);
        sr_import_result r;
        assert_int_equal(sr_import_line(imp, line, strlen(line), &r, NULL, &err), SR_OK);
    }
    assert_int_equal(sr_import_commit(imp, &err), SR_OK);
    sr_import_free(imp);
    assert_int_equal(done.count, 2);
    for (size_t i = 0; i < 2; i++) {
        char *stored = NULL;
        assert_int_equal(
            sr_case_show(f->reg, done.cases[i].code, NULL, keep_answers, &stored, &err), SR_OK);
        assert_non_null(stored);
        assert_string_equal(stored, INTAKE);
        free(stored);
    }
}

/* ---- "today" is the Swedish date (fault 4) ------------------------------------------------ */

static int first_date(void *ctx, const sr_response_info *r)
{
    snprintf(ctx, 11, "%s", r->date);
    return 1; /* one is enough: stop */
}

static const char DATE_FORM[] =
    "{\"format\":\"sigreg-form/1\",\"id\":\"t-dates\",\"version\":1,\"phase\":\"intake\","
    "\"title\":{\"sv\":\"T\"},\"items\":[{\"id\":\"start\",\"type\":\"date\",\"label\":\"S\","
    "\"max\":\"today\"}]}";

static void test_today_is_local(void **state)
{
    fixture *f = *state;
    setenv("TZ", "Europe/Stockholm", 1);
    tzset();
    srp_time_set_clock_for_tests(fixed_clock);
    sr_error err;
    /* 00:30 on the night summer time begins: still 28 March in UTC. */
    fixed = utc(2026, 3, 28, 23, 30);
    char c[SR_CASE_CODE_SIZE], d[SR_CASE_CODE_SIZE];
    new_case(f->reg, "U1", NULL, c);
    assert_int_equal(reg_answers(f->reg, c, "sig-intake", "2026-03-29", INTAKE, &err), SR_OK);
    assert_int_equal(reg_answers(f->reg, c, "sig-intervention", "2026-03-30", INTERVENTION, &err),
                     SR_ERR_INVALID);
    assert_string_equal(err.where, "date");
    /* Without a date, a registration gets the local date. */
    new_case(f->reg, "U1", NULL, d);
    assert_int_equal(reg_answers(f->reg, d, "sig-intake", NULL, INTAKE, &err), SR_OK);
    char date[11] = "";
    assert_int_equal(sr_case_show(f->reg, d, NULL, first_date, date, &err), SR_OK);
    assert_string_equal(date, "2026-03-29");
    char today[SR_DATE_MAX + 1];
    sr_date_today(today);
    assert_string_equal(today, "2026-03-29");
    /* An answer bounded by "today" takes the local date too. */
    sr_form *form = NULL;
    assert_int_equal(sr_form_parse(DATE_FORM, strlen(DATE_FORM), &form, NULL, &err), SR_OK);
    const char *answer = "{\"start\":\"2026-03-29\"}";
    assert_int_equal(sr_form_check_answers(form, answer, strlen(answer), NULL, &err), SR_OK);
    sr_form_free(form);
    /* Idle days count to the local date: opened 29 March, idle 1 day on the 30th at 00:30. */
    fixed = utc(2026, 3, 29, 22, 30);
    sr_case_filter filter = {NULL, NULL, NULL, 1};
    int n = 0;
    assert_int_equal(sr_case_list(f->reg, &filter, count_cases, &n, &err), SR_OK);
    assert_int_equal(n, 2);
    fixed = utc(2026, 3, 29, 21, 30); /* 23:30 on the 29th: not idle yet */
    n = 0;
    assert_int_equal(sr_case_list(f->reg, &filter, count_cases, &n, &err), SR_OK);
    assert_int_equal(n, 0);
    srp_time_set_clock_for_tests(NULL);
}

/* ---- corrections report their own failure (fault 5c) ------------------------------------- */

static void test_edit_failures_are_their_own(void **state)
{
    fixture *f = *state;
    char c[SR_CASE_CODE_SIZE];
    sr_error err;
    new_case(f->reg, "U1", NULL, c);
    int64_t intake = 0, iv = 0;
    sr_error_clear(&err);
    assert_int_equal(sr_register(f->reg, c, "sig-intake", 0, "2025-01-10", INTAKE, strlen(INTAKE),
                                 NULL, &intake, &err),
                     SR_OK);
    assert_int_equal(sr_register(f->reg, c, "sig-intervention", 0, "2025-02-01", INTERVENTION,
                                 strlen(INTERVENTION), NULL, &iv, &err),
                     SR_OK);
    int revision = 0;
    /* Moving the intake after the intervention breaks the order (it was
     * accepted before: only the latest registration was looked at). */
    sr_error_clear(&err);
    assert_int_equal(sr_register(f->reg, c, "sig-intervention", 0, "2025-03-01", INTERVENTION,
                                 strlen(INTERVENTION), NULL, &iv, &err),
                     SR_OK);
    assert_int_equal(sr_response_edit(f->reg, intake, "2025-02-15", INTAKE, strlen(INTAKE), NULL,
                                      &revision, &err),
                     SR_ERR_STATE);
    assert_string_equal(err.where, "date");
    assert_non_null(strstr(err.message, "after a later registration (2025-02-01)"));
    /* Not JSON: invalid, not "not found". */
    sr_error_clear(&err);
    assert_int_equal(sr_response_edit(f->reg, intake, NULL, "{", 1, NULL, &revision, &err),
                     SR_ERR_INVALID);
    /* A read that fails in the engine is the engine's error, not "no response". */
    sqlite3 *db = srp_registry_db(f->reg);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TEMP VIEW responses AS SELECT * FROM main.responses"
                                  " WHERE abs(-9223372036854775807 - 1) > 0",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sr_error_clear(&err);
    sr_status rc =
        sr_response_edit(f->reg, intake, NULL, INTAKE, strlen(INTAKE), NULL, &revision, &err);
    assert_int_equal(sqlite3_exec(db, "DROP VIEW temp.responses", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(rc, SR_ERR_DB);
    assert_null(strstr(err.message, "no response"));
    /* A coordinator of another unit is refused, not told "not found". */
    char other[SR_CASE_CODE_SIZE];
    new_case(f->reg, "U2", NULL, other);
    int64_t in_u2 = 0;
    sr_error_clear(&err);
    assert_int_equal(sr_register(f->reg, other, "sig-intake", 0, "2025-01-10", INTAKE,
                                 strlen(INTAKE), NULL, &in_u2, &err),
                     SR_OK);
    sr_registry_close(f->reg);
    f->reg = tu_open(f->db, "coord", "coord-passphrase");
    sr_error_clear(&err);
    assert_int_equal(
        sr_response_edit(f->reg, in_u2, NULL, INTAKE, strlen(INTAKE), NULL, &revision, &err),
        SR_ERR_DENIED);
}

/* ---- what may come next ------------------------------------------------------------------ */

typedef struct allowed_list {
    char text[1024];
} allowed_list;

static int note_allowed(void *ctx, const sr_form_allowed *a)
{
    allowed_list *l = ctx;
    size_t used = strlen(l->text);
    snprintf(l->text + used, sizeof l->text - used, "%s=%s%s;", a->form_id,
             a->allowed ? "yes" : "no", a->allowed && a->earliest_date ? a->earliest_date : "");
    if (!a->allowed)
        assert_non_null(a->reason);
    return 0;
}

static void test_allowed_forms(void **state)
{
    fixture *f = *state;
    char c[SR_CASE_CODE_SIZE];
    sr_error err;
    sr_error_clear(&err);
    new_case(f->reg, "U1", NULL, c);
    allowed_list l = {""};
    assert_int_equal(sr_case_allowed_forms(f->reg, c, note_allowed, &l, &err), SR_OK);
    assert_string_equal(l.text, "sig-intake=yes;sig-intervention=no;sig-closure=no;"
                                "sig-experience=no;sig-followup=no;");
    assert_int_equal(reg_answers(f->reg, c, "sig-intake", "2025-03-01", INTAKE, &err), SR_OK);
    assert_int_equal(reg_answers(f->reg, c, "sig-intervention", "2025-04-01", INTERVENTION, &err),
                     SR_OK);
    l.text[0] = '\0';
    assert_int_equal(sr_case_allowed_forms(f->reg, c, note_allowed, &l, &err), SR_OK);
    assert_string_equal(l.text, "sig-intake=no;sig-intervention=yes2025-03-01;"
                                "sig-closure=yes2025-04-01;sig-experience=yes2025-03-01;"
                                "sig-followup=no;");
    assert_int_equal(reg_answers(f->reg, c, "sig-closure", "2025-05-01", CLOSURE, &err), SR_OK);
    l.text[0] = '\0';
    assert_int_equal(sr_case_allowed_forms(f->reg, c, note_allowed, &l, &err), SR_OK);
    assert_string_equal(l.text, "sig-intake=no;sig-intervention=no;sig-closure=no;"
                                "sig-experience=yes2025-03-01;sig-followup=yes2025-05-01;");
}

/* ---- the case as JSON --------------------------------------------------------------------- */

static void test_case_json(void **state)
{
    fixture *f = *state;
    char c[SR_CASE_CODE_SIZE];
    sr_error err;
    sr_error_clear(&err);
    new_case(f->reg, "U1", PNR, c);
    assert_int_equal(reg_answers(f->reg, c, "sig-intake", "2025-03-01", INTAKE, &err), SR_OK);
    sr_sink_memory m = {0};
    sr_sink sink = sr_sink_to_memory(&m);
    assert_int_equal(sr_case_write_json(f->reg, c, 0, &sink, &err), SR_OK);
    json_error_t jerr;
    json_t *doc = json_loads(m.data, 0, &jerr);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "code")), c);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "open");
    assert_true(json_is_null(json_object_get(doc, "closed_at")));
    assert_null(json_object_get(doc, "pnr"));
    assert_true(json_is_true(json_object_get(doc, "has_pnr")));
    json_t *r = json_array_get(json_object_get(doc, "responses"), 0);
    assert_string_equal(json_string_value(json_object_get(r, "form")), "sig-intake");
    assert_int_equal(json_integer_value(json_object_get(r, "age")), 14); /* born 2010-03-15 */
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "answers"), "sex")),
                        "girl");
    json_decref(doc);
    sr_sink_memory_release(&m);
    sink = sr_sink_to_memory(&m);
    assert_int_equal(sr_case_write_json(f->reg, c, SR_CASE_JSON_IDENTITY, &sink, &err), SR_OK);
    doc = json_loads(m.data, 0, &jerr);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "pnr")), "201003151238");
    assert_int_equal(json_array_size(json_object_get(doc, "responses")), 1);
    json_decref(doc);
    sr_sink_memory_release(&m);
}

/* ---- one callback rule (fault 5b) --------------------------------------------------------- */

static int stop_at_first(void *ctx, const sr_case_info *info)
{
    (void)info;
    (*(int *)ctx)++;
    return 1;
}

static void test_callbacks_stop_alike(void **state)
{
    fixture *f = *state;
    char a[SR_CASE_CODE_SIZE], b[SR_CASE_CODE_SIZE];
    sr_error err;
    new_case(f->reg, "U1", NULL, a);
    new_case(f->reg, "U1", NULL, b);
    sr_error_clear(&err);
    sr_case_filter filter = {NULL, NULL, NULL, 0};
    int n = 0;
    assert_int_equal(sr_case_list(f->reg, &filter, stop_at_first, &n, &err), SR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(sr_case_list(f->reg, &filter, NULL, NULL, &err), SR_OK); /* NULL: skipped */
    /* fn_case stopping skips the responses. */
    n = 0;
    assert_int_equal(reg_answers(f->reg, a, "sig-intake", "2025-01-01", INTAKE, &err), SR_OK);
    assert_int_equal(sr_case_show(f->reg, a, stop_at_first, count_responses, &n, &err), SR_OK);
    assert_int_equal(n, 1);
    /* A purge told to stop after the first case erases that one only. */
    assert_int_equal(reg_answers(f->reg, a, "sig-closure", "2025-02-01", CLOSURE, &err), SR_OK);
    assert_int_equal(reg_answers(f->reg, b, "sig-intake", "2025-01-01", INTAKE, &err), SR_OK);
    assert_int_equal(reg_answers(f->reg, b, "sig-closure", "2025-02-01", CLOSURE, &err), SR_OK);
    size_t count = 0;
    n = 0;
    assert_int_equal(sr_purge(f->reg, "2026-01-01", 1, stop_at_first, &n, &count, &err), SR_OK);
    assert_int_equal(count, 1);
    assert_int_equal(sr_purge(f->reg, "2026-01-01", 0, NULL, NULL, &count, &err), SR_OK);
    assert_int_equal(count, 1); /* one left */
}

/* ---- filters say which field is wrong, in words without flags (item 7) ------------------- */

static void test_filter_messages(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    sr_case_filter filter = {NULL, "shut", NULL, 0};
    assert_int_equal(sr_case_list(f->reg, &filter, NULL, NULL, &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "status");
    assert_null(strstr(err.message, "--"));
    sr_error_clear(&err);
    sr_case_filter missing = {NULL, NULL, "closing", 0};
    assert_int_equal(sr_case_list(f->reg, &missing, NULL, NULL, &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "missing");
    assert_null(strstr(err.message, "--"));
    sr_error_clear(&err);
    size_t count = 0;
    assert_int_equal(sr_purge(f->reg, "soon", 0, NULL, NULL, &count, &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "closed_before");
    assert_null(strstr(err.message, "--"));
    char c[SR_CASE_CODE_SIZE];
    new_case(f->reg, "U1", NULL, c);
    sr_error_clear(&err);
    assert_int_equal(sr_case_reopen(f->reg, c, "", &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "reason");
    assert_null(strstr(err.message, "--"));
    assert_int_equal(reg_answers(f->reg, c, "sig-intake", "2025-01-01", INTAKE, &err), SR_OK);
    assert_int_equal(reg_answers(f->reg, c, "sig-closure", "2025-02-01", CLOSURE, &err), SR_OK);
    assert_int_equal(reg_answers(f->reg, c, "sig-intervention", "2025-03-01", INTERVENTION, &err),
                     SR_ERR_STATE);
    assert_null(strstr(err.message, "sigreg"));
    assert_non_null(strstr(err.message, "reopened"));
    assert_int_equal(reg_answers(f->reg, c, "sig-experience", "2025-03-01", EXPERIENCE, &err),
                     SR_OK);
    assert_int_equal(reg_answers(f->reg, c, "sig-experience", "2025-03-02", EXPERIENCE, &err),
                     SR_ERR_STATE);
    assert_null(strstr(err.message, "sigreg"));
    assert_non_null(strstr(err.message, "correct that response instead"));
}

/* ---- import's fatal statuses belong to the library (item 6) ------------------------------ */

static void test_import_fatal_statuses(void **state)
{
    (void)state;
    assert_true(sr_import_status_is_fatal(SR_ERR_DB));
    assert_true(sr_import_status_is_fatal(SR_ERR_IO));
    assert_true(sr_import_status_is_fatal(SR_ERR_NOMEM));
    assert_true(sr_import_status_is_fatal(SR_ERR_BUSY));
    assert_true(sr_import_status_is_fatal(SR_ERR_CORRUPT));
    assert_false(sr_import_status_is_fatal(SR_ERR_INVALID));
    assert_false(sr_import_status_is_fatal(SR_ERR_STATE));
    assert_false(sr_import_status_is_fatal(SR_ERR_EXISTS));
    assert_false(sr_import_status_is_fatal(SR_ERR_DENIED));
    assert_false(sr_import_status_is_fatal(SR_OK));
}

static int first_response_id(void *ctx, const sr_response_info *r)
{
    *(int64_t *)ctx = r->id;
    return 1;
}

typedef struct opened {
    char at[SR_DATE_MAX + 1];
} opened;

static int keep_opened(void *ctx, const sr_case_info *info)
{
    snprintf(((opened *)ctx)->at, sizeof((opened *)ctx)->at, "%s", info->opened_at);
    return 1;
}

static const char *opened_at(sr_registry *reg, const char *code, opened *o)
{
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_case_show(reg, code, keep_opened, NULL, o, &err), SR_OK);
    return o->at;
}

/* A case is opened on its intake's date: registering, correcting and
 * importing the intake set it, and the migration fixes cases made before. */
static void test_opened_on_the_intake_date(void **state)
{
    fixture *f = *state;
    char c[SR_CASE_CODE_SIZE];
    sr_error err;
    opened o;
    new_case(f->reg, "U1", PNR, c);
    char today[SR_DATE_MAX + 1];
    sr_date_today(today);
    assert_string_equal(opened_at(f->reg, c, &o), today); /* no intake yet */
    assert_int_equal(reg_answers(f->reg, c, "sig-intake", "2024-03-01", INTAKE, &err), SR_OK);
    assert_string_equal(opened_at(f->reg, c, &o), "2024-03-01");
    /* Correcting the intake's date moves it. */
    int64_t intake = 0;
    assert_int_equal(sr_case_show(f->reg, c, NULL, first_response_id, &intake, &err), SR_OK);
    int revision = 0;
    sr_error_clear(&err);
    assert_int_equal(sr_response_edit(f->reg, intake, "2024-02-15", INTAKE, strlen(INTAKE), NULL,
                                      &revision, &err),
                     SR_OK);
    assert_string_equal(opened_at(f->reg, c, &o), "2024-02-15");
    /* An imported case: opened on its intake's date. */
    sr_import *imp = NULL;
    committed_cases done = {.count = 0};
    sr_error_clear(&err);
    assert_int_equal(sr_import_begin(f->reg, note_committed, &done, &imp, &err), SR_OK);
    char line[2048];
    snprintf(line, sizeof line,
             "{\"ref\":\"r1\",\"unit\":\"U1\",\"responses\":[{\"form\":\"sig-intake\","
             "\"version\":1,\"date\":\"2024-03-01\",\"answers\":%s}]}",
             INTAKE);
    sr_import_result r;
    assert_int_equal(sr_import_line(imp, line, strlen(line), &r, NULL, &err), SR_OK);
    assert_int_equal(sr_import_commit(imp, &err), SR_OK);
    sr_import_free(imp);
    assert_int_equal(done.count, 1);
    assert_string_equal(opened_at(f->reg, done.cases[0].code, &o), "2024-03-01");
    /* A registry made before: opened_at was the day the record was made.
     * Opening it again runs the migration. */
    sqlite3 *db = srp_registry_db(f->reg);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE cases SET opened_at = '2026-01-01';"
                                  "UPDATE meta SET value = '7' WHERE key = 'schema_version';",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    char n[SR_CASE_CODE_SIZE];
    new_case(f->reg, "U1", NULL, n); /* no intake: keeps its date */
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE cases SET opened_at = '2026-01-02' WHERE code ="
                                  " (SELECT max(code) FROM cases WHERE pseudonym IS NULL"
                                  " AND code NOT IN (SELECT case_code FROM responses))",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sr_registry_close(f->reg);
    f->reg = tu_open(f->db, NULL, NULL);
    assert_string_equal(opened_at(f->reg, c, &o), "2024-02-15");
    assert_string_equal(opened_at(f->reg, done.cases[0].code, &o), "2024-03-01");
    assert_string_equal(opened_at(f->reg, n, &o), "2026-01-02");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_codes_and_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_life_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejected_answers_store_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_keeps_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_units_and_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_response_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_and_purge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_line_is_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_closes_with_its_closure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_stores_compact_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_today_is_local, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_failures_are_their_own, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allowed_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callbacks_stop_alike, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter_messages, setup, teardown),
        cmocka_unit_test(test_import_fatal_statuses),
        cmocka_unit_test_setup_teardown(test_opened_on_the_intake_date, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
