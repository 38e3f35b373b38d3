/*
 * test_case_history.c - sr_case_history: every revision an edit replaced,
 * with its own date, answers and author, in order; refused for a case
 * that does not exist; audited.
 */
#include <stdlib.h>
#include <string.h>

#include "sigreg/audit.h"
#include "sigreg/cases.h"
#include "sigreg/form_store.h"
#include "sigreg/units.h"
#include "testutil.h"

static const char INTAKE[] =
    "{\"sex\":\"girl\",\"referral_source\":\"school\",\"consent_young_person\":true,"
    "\"consent_guardians\":\"yes\",\"living_situation\":\"both_parents\","
    "\"school_situation\":\"absence\",\"need_crime\":\"some\",\"need_attitudes\":\"none\","
    "\"need_peers\":\"some\",\"need_family\":\"none\",\"need_school\":\"substantial\","
    "\"need_leisure\":\"some\",\"need_substances\":\"none\",\"need_mental_health\":\"unknown\","
    "\"need_violence_exposure\":\"none\",\"need_honour\":\"none\",\"substance_use\":\"none\","
    "\"police_contacts_6m\":\"one\",\"suspected_ever\":false,\"victim_of_crime\":\"no\"}";

typedef struct seen {
    int count;
    int64_t id[4];
    int revision[4];
    int active[4];
    char date[4][11];
    char by[4][SR_USER_NAME_MAX + 1];
    int girl[4]; /* the revision's answers say girl */
} seen;

static int collect(void *ctx, const sr_response_info *r)
{
    seen *s = ctx;
    if (s->count >= 4)
        return 1;
    int i = s->count++;
    s->id[i] = r->id;
    s->revision[i] = r->revision;
    s->active[i] = r->active;
    snprintf(s->date[i], sizeof s->date[i], "%s", r->date);
    snprintf(s->by[i], sizeof s->by[i], "%s", r->created_by);
    s->girl[i] = strstr(r->answers, "\"girl\"") != NULL;
    return 0;
}

static int count_history(void *ctx, const sr_audit_entry *e)
{
    if (strcmp(e->action, "case.history") == 0)
        ++*(int *)ctx;
    return 0;
}

static void test_history(void **state)
{
    (void)state;
    const char *dir = tu_scratch_dir();
    const char *path = tu_path(dir, "reg.db");
    sr_registry *reg = tu_create_with_forms(path);
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_unit_add(reg, "U1", "Enhet 1", &err), SR_OK);
    char code[SR_CASE_CODE_SIZE];
    assert_int_equal(sr_case_new(reg, "U1", NULL, code, &err), SR_OK);

    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(sr_case_history(reg, code, collect, &s, &err), SR_OK);
    assert_int_equal(s.count, 0); /* nothing edited yet */

    int64_t id = 0;
    assert_int_equal(sr_register(reg, code, "sig-intake", 0, "2025-01-10", INTAKE, strlen(INTAKE),
                                 NULL, &id, &err),
                     SR_OK);
    char *boy = strdup(INTAKE);
    memcpy(strstr(boy, "\"girl\""), "\"boy\" ", 6);
    int revision = 0;
    assert_int_equal(
        sr_response_edit(reg, id, "2025-01-12", boy, strlen(boy), NULL, &revision, &err), SR_OK);
    assert_int_equal(
        sr_response_edit(reg, id, "2025-01-15", INTAKE, strlen(INTAKE), NULL, &revision, &err),
        SR_OK);
    assert_int_equal(revision, 3);
    free(boy);

    memset(&s, 0, sizeof s);
    assert_int_equal(sr_case_history(reg, code, collect, &s, &err), SR_OK);
    assert_int_equal(s.count, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(s.id[i], id);
        assert_int_equal(s.revision[i], i + 1);
        assert_int_equal(s.active[i], 0);
        assert_string_equal(s.by[i], "admin");
    }
    /* Each revision keeps its own date and answers. */
    assert_string_equal(s.date[0], "2025-01-10");
    assert_true(s.girl[0]);
    assert_string_equal(s.date[1], "2025-01-12");
    assert_false(s.girl[1]);

    /* A case that is not there. */
    sr_error_clear(&err);
    assert_int_not_equal(sr_case_history(reg, "AAAA-AAAA", collect, &s, &err), SR_OK);

    int logged = 0;
    assert_int_equal(sr_audit_list(reg, 0, NULL, count_history, &logged, &err), SR_OK);
    assert_int_equal(logged, 2);
    sr_registry_close(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_history)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
