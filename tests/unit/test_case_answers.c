/*
 * test_case_answers.c - the registration rules that need the case, through
 * the public API: an intake without the young person's consent, or without
 * the guardians' for a minor, is refused with the form's own explanation
 * (where = the item) and stores nothing; the birth year is derived from a
 * personnummer; free text with a personnummer is refused, and one that looks
 * like a name is accepted with a warning.
 */
#include "testutil.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sigreg/cases.h"
#include "sigreg/form_store.h"
#include "sigreg/units.h"

#define MINOR_PNR "20100315-1238" /* born 2010-03-15 */
#define ADULT_PNR "050101-2389"   /* born 2005-01-01 */

static const char INTAKE[] =
    "{\"sex\":\"girl\",\"referral_source\":\"school\",\"consent_young_person\":true,"
    "\"consent_guardians\":\"yes\",\"living_situation\":\"both_parents\","
    "\"school_situation\":\"absence\",\"need_crime\":\"some\",\"need_attitudes\":\"none\","
    "\"need_peers\":\"some\",\"need_family\":\"none\",\"need_school\":\"substantial\","
    "\"need_leisure\":\"some\",\"need_substances\":\"none\",\"need_mental_health\":\"unknown\","
    "\"need_violence_exposure\":\"none\",\"need_honour\":\"none\",\"substance_use\":\"none\","
    "\"police_contacts_6m\":\"one\",\"suspected_ever\":false,\"victim_of_crime\":\"no\"}";

typedef struct fixture {
    char dir[512], db[600];
    sr_registry *reg;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "%s", tu_scratch_dir());
    snprintf(f->db, sizeof f->db, "%s/reg.db", f->dir);
    f->reg = tu_create_with_forms(f->db);
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_unit_add(f->reg, "U1", "Enhet 1", &err), SR_OK);
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

static void new_case(sr_registry *reg, const char *pnr, char code[SR_CASE_CODE_SIZE])
{
    sr_error err;
    sr_error_clear(&err);
    if (sr_case_new(reg, "U1", pnr, code, &err) != SR_OK)
        fail_msg("case new: %s", err.message);
}

/* INTAKE with one answer set to a JSON value (NULL: removed); caller frees. */
static char *intake_with(const char *id, const char *value)
{
    json_t *a = json_loads(INTAKE, 0, NULL);
    assert_non_null(a);
    if (value)
        json_object_set_new(a, id, json_loads(value, JSON_DECODE_ANY, NULL));
    else
        json_object_del(a, id);
    char *text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return text;
}

static int count_responses(void *ctx, const sr_response_info *r)
{
    (void)r;
    (*(int *)ctx)++;
    return 0;
}

static int responses(sr_registry *reg, const char *code)
{
    int n = 0;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_case_show(reg, code, NULL, count_responses, &n, &err), SR_OK);
    return n;
}

/* Registers; returns the status, with the error and problems kept. */
static sr_status attempt(sr_registry *reg, const char *code, int version, const char *date,
                         const char *answers, sr_problems *p, sr_error *err)
{
    int64_t id = 0;
    sr_error_clear(err);
    sr_problems_clear(p);
    return sr_register(reg, code, "sig-intake", version, date, answers, strlen(answers), p, &id,
                       err);
}

static void assert_problem(const sr_problems *p, const char *path, const char *part)
{
    for (size_t i = 0; i < sr_problems_count(p); i++)
        if (strcmp(sr_problems_path(p, i), path) == 0 && strstr(sr_problems_message(p, i), part))
            return;
    fail_msg("no problem at %s saying '%s'", path, part);
}

static void test_young_person_must_consent(void **state)
{
    fixture *f = *state;
    char c[SR_CASE_CODE_SIZE];
    new_case(f->reg, MINOR_PNR, c);
    sr_problems *p = sr_problems_new();
    sr_error err;
    /* Without the young person's consent the guardians' item is disabled. */
    json_t *a = json_loads(INTAKE, 0, NULL);
    json_object_set_new(a, "consent_young_person", json_false());
    json_object_del(a, "consent_guardians");
    char *no = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    /* In English (the default: programs, the command line), the form's
     * English explanation; in a Swedish session its Swedish one. */
    assert_int_equal(attempt(f->reg, c, 0, "2025-03-01", no, p, &err), SR_ERR_INVALID);
    assert_string_equal(err.where, "consent_young_person");
    assert_non_null(strstr(err.message, "SIG requires the young person's consent"));
    assert_problem(p, "consent_young_person",
                   "item 'consent_young_person': SIG requires the young person's consent");
    sr_problems_clear(p);
    sr_registry_set_lang(f->reg, "sv");
    assert_int_equal(attempt(f->reg, c, 0, "2025-03-01", no, p, &err), SR_ERR_INVALID);
    assert_string_equal(err.where, "consent_young_person");
    assert_non_null(strstr(err.message, "samverkan i SIG förutsätter den unges samtycke"));
    assert_problem(p, "consent_young_person",
                   "fråga 'consent_young_person': samverkan i SIG förutsätter den unges samtycke: "
                   "utan samtycke ska ärendet inte registreras");
    for (size_t i = 0; i < sr_problems_count(p); i++)
        assert_null(strstr(sr_problems_message(p, i), "item '"));
    assert_int_equal(responses(f->reg, c), 0);
    /* Version 1 has no consent rules of its own: version 2's apply to new
     * registrations on it as well. */
    assert_int_equal(attempt(f->reg, c, 1, "2025-03-01", no, p, &err), SR_ERR_INVALID);
    assert_string_equal(err.where, "consent_young_person");
    assert_int_equal(responses(f->reg, c), 0);
    /* The form's English explanation is there for a front end in English. */
    sr_form *form = NULL;
    assert_int_equal(sr_form_load(f->reg, "sig-intake", 0, &form, NULL, &err), SR_OK);
    assert_int_equal(sr_form_consent_count(form), 2);
    sr_consent_info ci;
    sr_form_consent(form, 0, "en", &ci);
    assert_int_equal(ci.item, (size_t)sr_form_item_index(form, "consent_young_person"));
    assert_int_equal(ci.below_age, 0);
    assert_non_null(strstr(ci.explanation, "SIG requires the young person's consent"));
    sr_form_consent(form, 1, "sv", &ci);
    assert_int_equal(ci.below_age, 18);
    sr_form_free(form);
    /* With consent it goes through. */
    assert_int_equal(attempt(f->reg, c, 0, "2025-03-01", INTAKE, p, &err), SR_OK);
    assert_int_equal(responses(f->reg, c), 1);
    free(no);
    sr_registry_set_lang(f->reg, NULL);
    sr_problems_free(p);
}

static void test_guardians_must_consent_for_a_minor(void **state)
{
    fixture *f = *state;
    sr_registry_set_lang(f->reg, "sv");
    char minor[SR_CASE_CODE_SIZE], adult[SR_CASE_CODE_SIZE], young[SR_CASE_CODE_SIZE],
        older[SR_CASE_CODE_SIZE], unknown[SR_CASE_CODE_SIZE];
    new_case(f->reg, MINOR_PNR, minor);
    new_case(f->reg, ADULT_PNR, adult);
    new_case(f->reg, NULL, young);
    new_case(f->reg, NULL, older);
    new_case(f->reg, NULL, unknown);
    sr_problems *p = sr_problems_new();
    sr_error err;
    char *not_required = intake_with("consent_guardians", "\"not_required\"");
    char *no = intake_with("consent_guardians", "\"no\"");
    /* A review page learns the same before saving, and nothing is stored. */
    sr_form *form = NULL;
    assert_int_equal(sr_form_load(f->reg, "sig-intake", 0, &form, NULL, &err), SR_OK);
    sr_error_clear(&err);
    assert_int_equal(sr_case_check_answers(f->reg, minor, form, "2025-03-01", not_required,
                                           strlen(not_required), p, &err),
                     SR_ERR_INVALID);
    assert_string_equal(err.where, "consent_guardians");
    sr_error_clear(&err);
    sr_problems_clear(p);
    assert_int_equal(sr_case_check_answers(f->reg, adult, form, "2025-03-01", not_required,
                                           strlen(not_required), p, &err),
                     SR_OK);
    assert_int_equal(sr_problems_count(p), 0);
    assert_int_equal(responses(f->reg, adult), 0);
    sr_form_free(form);
    /* 15 on the intake date: "not required" and "no" are both refused. */
    assert_int_equal(attempt(f->reg, minor, 0, "2025-03-01", not_required, p, &err),
                     SR_ERR_INVALID);
    assert_string_equal(err.where, "consent_guardians");
    assert_non_null(strstr(err.message, "vårdnadshavarnas samtycke"));
    assert_int_equal(attempt(f->reg, minor, 0, "2025-03-01", no, p, &err), SR_ERR_INVALID);
    assert_string_equal(err.where, "consent_guardians");
    assert_int_equal(responses(f->reg, minor), 0);
    /* 20 on the intake date: the guardians' consent is not needed. */
    assert_int_equal(attempt(f->reg, adult, 0, "2025-03-01", not_required, p, &err), SR_OK);
    /* Without a personnummer the birth year answered decides; a year that
     * allows 17 counts as a minor (born 2007: 17 or 18 on 2025-03-01). */
    char *y2007 = NULL, *y2006 = NULL;
    {
        json_t *a = json_loads(not_required, 0, NULL);
        json_object_set_new(a, "birth_year", json_integer(2007));
        y2007 = json_dumps(a, JSON_COMPACT);
        json_object_set_new(a, "birth_year", json_integer(2006));
        y2006 = json_dumps(a, JSON_COMPACT);
        json_decref(a);
    }
    assert_int_equal(attempt(f->reg, young, 0, "2025-03-01", y2007, p, &err), SR_ERR_INVALID);
    assert_string_equal(err.where, "consent_guardians");
    assert_int_equal(attempt(f->reg, older, 0, "2025-03-01", y2006, p, &err), SR_OK);
    /* Neither a personnummer nor a birth year: the age is unknown, and the
     * guardians' consent is required. */
    assert_int_equal(attempt(f->reg, unknown, 0, "2025-03-01", not_required, p, &err),
                     SR_ERR_INVALID);
    assert_int_equal(attempt(f->reg, unknown, 0, "2025-03-01", INTAKE, p, &err), SR_OK);
    free(y2007);
    free(y2006);
    free(not_required);
    free(no);
    sr_problems_free(p);
}

static int first_answers(void *ctx, const sr_response_info *r)
{
    snprintf(ctx, 4096, "%s", r->answers);
    return 1;
}

static void test_birth_year_is_derived(void **state)
{
    fixture *f = *state;
    char c[SR_CASE_CODE_SIZE], n[SR_CASE_CODE_SIZE];
    new_case(f->reg, MINOR_PNR, c);
    new_case(f->reg, NULL, n);
    sr_problems *p = sr_problems_new();
    sr_error err;
    sr_form *form = NULL;
    assert_int_equal(sr_form_load(f->reg, "sig-intake", 0, &form, NULL, &err), SR_OK);
    long by = sr_form_item_index(form, "birth_year");
    assert_true(by >= 0);
    sr_item_info info;
    sr_form_item(form, (size_t)by, "sv", &info);
    assert_true(info.derived_birth_year);
    /* What a front end skips: the case with a personnummer gives 2010. */
    sr_answers *a = sr_answers_new(form);
    size_t filled = 9;
    assert_int_equal(sr_case_derived_answers(f->reg, c, form, a, &filled, &err), SR_OK);
    assert_int_equal(filled, 1);
    assert_true(sr_answers_has(a, (size_t)by));
    long long year = 0;
    assert_int_equal(sr_answers_get_integer(a, "birth_year", &year, &err), SR_OK);
    assert_int_equal(year, 2010);
    sr_answers_free(a);
    /* Without a personnummer nothing is derived: the year is asked. */
    a = sr_answers_new(form);
    assert_int_equal(sr_case_derived_answers(f->reg, n, form, a, &filled, &err), SR_OK);
    assert_int_equal(filled, 0);
    assert_false(sr_answers_has(a, (size_t)by));
    sr_answers_free(a);
    sr_form_free(form);
    /* A different year is refused, where = the item; nothing stored. */
    char *wrong = intake_with("birth_year", "2011");
    assert_int_equal(attempt(f->reg, c, 0, "2025-03-01", wrong, p, &err), SR_ERR_INVALID);
    assert_string_equal(err.where, "birth_year");
    assert_problem(p, "birth_year", "comes from the case's personnummer");
    assert_int_equal(responses(f->reg, c), 0);
    /* Left out, it is stored from the personnummer. */
    assert_int_equal(attempt(f->reg, c, 0, "2025-03-01", INTAKE, p, &err), SR_OK);
    char stored[4096] = "";
    assert_int_equal(sr_case_show(f->reg, c, NULL, first_answers, stored, &err), SR_OK);
    assert_non_null(strstr(stored, "\"birth_year\":2010"));
    free(wrong);
    sr_problems_free(p);
}

static void test_free_text(void **state)
{
    fixture *f = *state;
    char c[SR_CASE_CODE_SIZE];
    new_case(f->reg, MINOR_PNR, c);
    sr_problems *p = sr_problems_new();
    sr_error err;
    /* Skatteverket's test numbers: a personnummer and a samordningsnummer. */
    const char *refused[] = {"\"kontakt via 19121212-1212\"", "\"ring om 121212+1212\"",
                             "\"nr 197010632391 i akten\""};
    const size_t where[] = {13, 9, 4};
    for (size_t i = 0; i < 3; i++) {
        char *text = intake_with("notes", refused[i]);
        assert_int_equal(attempt(f->reg, c, 0, "2025-03-01", text, p, &err), SR_ERR_INVALID);
        char at[32];
        snprintf(at, sizeof at, "at character %zu:", where[i]);
        assert_problem(p, "notes", at);
        /* The number is never repeated. */
        for (size_t k = 0; k < sr_problems_count(p); k++) {
            assert_null(strstr(sr_problems_message(p, k), "1212"));
            assert_null(strstr(sr_problems_message(p, k), "2391"));
        }
        assert_null(strstr(err.message, "1212"));
        free(text);
    }
    assert_int_equal(responses(f->reg, c), 0);
    /* A name is a warning: the answers are stored, the warning is listed. */
    char *named = intake_with("notes", "\"träffade Anna Berg på fritidsgården\"");
    assert_int_equal(attempt(f->reg, c, 0, "2025-03-01", named, p, &err), SR_OK);
    assert_int_equal(sr_problems_count(p), 1);
    assert_int_equal(sr_problems_error_count(p), 0);
    assert_true(sr_problems_is_warning(p, 0));
    assert_string_equal(sr_problems_path(p, 0), "notes");
    assert_non_null(strstr(sr_problems_message(p, 0), "at character 10 looks like a name"));
    assert_null(strstr(sr_problems_message(p, 0), "Anna"));
    assert_int_equal(responses(f->reg, c), 1);
    free(named);
    sr_problems_free(p);
}

typedef struct earlier {
    int count;
    char need_crime[64], school[96], date[16];
    int version;
} earlier;

static int keep_earlier(void *ctx, const sr_earlier_answer *e)
{
    earlier *out = ctx;
    out->count++;
    assert_string_equal(e->form_id, "sig-intake");
    out->version = e->form_version;
    snprintf(out->date, sizeof out->date, "%s", e->date);
    if (strcmp(e->json, "\"some\"") == 0 && !out->need_crime[0])
        snprintf(out->need_crime, sizeof out->need_crime, "%s", e->label);
    if (strcmp(e->json, "\"absence\"") == 0)
        snprintf(out->school, sizeof out->school, "%s", e->label);
    return 0;
}

/* The closure shows the intake's answer beside each need area. */
static void test_closure_shows_the_intake_answers(void **state)
{
    fixture *f = *state;
    char c[SR_CASE_CODE_SIZE];
    new_case(f->reg, MINOR_PNR, c);
    sr_problems *p = sr_problems_new();
    sr_error err;
    sr_form *closure = NULL;
    assert_int_equal(sr_form_load(f->reg, "sig-closure", 0, &closure, NULL, &err), SR_OK);
    assert_int_equal(sr_form_version(closure), 2);
    sr_item_info info;
    sr_form_item(closure, (size_t)sr_form_item_index(closure, "need_crime"), "sv", &info);
    assert_string_equal(info.show_from_form, "sig-intake");
    assert_string_equal(info.show_from_item, "need_crime");
    /* Before the intake there is nothing to show. */
    earlier e = {0};
    assert_int_equal(sr_case_earlier_answers(f->reg, c, closure, "sv", keep_earlier, &e, &err),
                     SR_OK);
    assert_int_equal(e.count, 0);
    /* On version 1 of the intake: the ten need areas, school, substance
     * use and police contacts, labelled in the language asked for. */
    assert_int_equal(attempt(f->reg, c, 1, "2025-03-01", INTAKE, p, &err), SR_OK);
    assert_int_equal(sr_case_earlier_answers(f->reg, c, closure, "sv", keep_earlier, &e, &err),
                     SR_OK);
    assert_int_equal(e.count, 13);
    assert_int_equal(e.version, 1);
    assert_string_equal(e.date, "2025-03-01");
    assert_string_equal(e.need_crime, "Visst behov");
    assert_string_equal(e.school, "Går i skolan med problematisk frånvaro");
    earlier en = {0};
    assert_int_equal(sr_case_earlier_answers(f->reg, c, closure, "en", keep_earlier, &en, &err),
                     SR_OK);
    assert_string_equal(en.need_crime, "Some need");
    sr_form_free(closure);
    sr_problems_free(p);
}

int main(void)
{
    sr_error err;
    sr_error_clear(&err);
    if (sr_crypto_init(&err) != SR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_young_person_must_consent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guardians_must_consent_for_a_minor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_birth_year_is_derived, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_closure_shows_the_intake_answers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
