/*
 * test_case_rules.c - the life-cycle rules (white-box, pure): a table of
 * situations, each a case's facts, a form or a correction, a date, and the
 * verdict with the words the reason must hold.
 */
#include "testutil.h"

#include <string.h>

#include "case_rules.h"

#define TODAY "2026-03-29"

/* Case situations. */
static const srp_case_facts fresh = {"K7QA-3MXF", 0, "", "", "", "", "", "en"};
static const srp_case_facts open_case = {"K7QA-3MXF",  0,  "",  "2025-03-01", "2025-03-01",
                                         "2025-05-01", "", "en"};
static const srp_case_facts closed_case = {
    "K7QA-3MXF", 1, "2025-07-01", "2025-03-01", "2025-03-01", "2025-05-01", "2026-01-01", "en"};

typedef struct reg_case {
    const char *name;
    const srp_case_facts *c;
    srp_form_facts f;
    const char *date;
    sr_status status;
    const char *where;  /* NULL: no where expected */
    const char *reason; /* words the message holds */
} reg_case;

#define INTAKE(n)                                                                                  \
    {                                                                                              \
        "sig-intake", SR_PHASE_INTAKE, 0, n                                                        \
    }
#define INTERVENTION                                                                               \
    {                                                                                              \
        "sig-intervention", SR_PHASE_INTERVENTION, 1, 0                                            \
    }
#define CLOSURE(n)                                                                                 \
    {                                                                                              \
        "sig-closure", SR_PHASE_CLOSURE, 0, n                                                      \
    }
#define EXPERIENCE(n)                                                                              \
    {                                                                                              \
        "sig-experience", SR_PHASE_EXPERIENCE, 0, n                                                \
    }
#define FOLLOWUP                                                                                   \
    {                                                                                              \
        "sig-followup", SR_PHASE_FOLLOWUP, 1, 0                                                    \
    }

static const reg_case registrations[] = {
    {"intake on a fresh case", &fresh, INTAKE(0), "2025-03-01", SR_OK, NULL, NULL},
    {"intake dated today", &fresh, INTAKE(0), TODAY, SR_OK, NULL, NULL},
    {"intake dated tomorrow", &fresh, INTAKE(0), "2026-03-30", SR_ERR_INVALID, "date",
     "lies in the future"},
    {"no such date", &fresh, INTAKE(0), "2025-02-30", SR_ERR_INVALID, "date", "not a date"},
    {"intervention before any intake", &fresh, INTERVENTION, "2025-03-02", SR_ERR_STATE, "form",
     "no intake yet"},
    {"follow-up on a fresh case", &fresh, FOLLOWUP, "2025-03-02", SR_ERR_STATE, "form",
     "no intake yet"},
    {"second intake", &open_case, INTAKE(7), "2025-03-01", SR_ERR_STATE, "form",
     "already has its intake (2025-03-01)"},
    {"intervention after intake", &open_case, INTERVENTION, "2025-06-01", SR_OK, NULL, NULL},
    {"intervention on the intake's day", &open_case, INTERVENTION, "2025-03-01", SR_OK, NULL, NULL},
    {"intervention before the intake", &open_case, INTERVENTION, "2025-02-28", SR_ERR_STATE, "date",
     "before the intake (2025-03-01)"},
    {"follow-up on an open case", &open_case, FOLLOWUP, "2025-06-01", SR_ERR_STATE, "form",
     "a follow-up comes after closure"},
    {"closure before the latest intervention", &open_case, CLOSURE(0), "2025-04-30", SR_ERR_STATE,
     "date", "before the latest registration (2025-05-01)"},
    {"closure on the latest intervention's day", &open_case, CLOSURE(0), "2025-05-01", SR_OK, NULL,
     NULL},
    {"experience while open", &open_case, EXPERIENCE(0), "2025-04-01", SR_OK, NULL, NULL},
    {"intervention on a closed case", &closed_case, INTERVENTION, "2025-07-02", SR_ERR_STATE,
     "form", "until it is reopened"},
    {"second closure", &closed_case, CLOSURE(9), "2025-07-02", SR_ERR_STATE, "form", "is closed"},
    {"experience after closure", &closed_case, EXPERIENCE(0), "2025-07-01", SR_OK, NULL, NULL},
    {"experience answered once", &closed_case, EXPERIENCE(12), "2025-07-02", SR_ERR_STATE, "form",
     "(response 12): correct that response instead"},
    {"follow-up after closure", &closed_case, FOLLOWUP, "2026-02-01", SR_OK, NULL, NULL},
    {"follow-up before the closure", &closed_case, FOLLOWUP, "2025-06-30", SR_ERR_STATE, "date",
     "before the closure (2025-07-01)"},
    {"a future date is refused first", &closed_case, INTERVENTION, "2027-01-01", SR_ERR_INVALID,
     "date", "lies in the future"},
};

static void check_verdict(const char *name, sr_status got, const sr_error *why, sr_status status,
                          const char *where, const char *reason)
{
    if (got != status)
        fail_msg("%s: status %d, expected %d (%s)", name, got, status, why->message);
    if (status == SR_OK)
        return;
    if (strcmp(why->where, where ? where : "") != 0)
        fail_msg("%s: where '%s', expected '%s'", name, why->where, where ? where : "");
    if (!strstr(why->message, reason))
        fail_msg("%s: '%s' does not say '%s'", name, why->message, reason);
    if (strstr(why->message, "sigreg") || strstr(why->message, "--"))
        fail_msg("%s: '%s' names a command or a flag", name, why->message);
}

static void test_registrations(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof registrations / sizeof registrations[0]; i++) {
        const reg_case *t = &registrations[i];
        sr_error why;
        sr_error_clear(&why);
        sr_status got = srp_case_rules_register(t->c, &t->f, t->date, TODAY, &why);
        check_verdict(t->name, got, &why, t->status, t->where, t->reason);
    }
}

/* Corrections: the facts are the case without the response corrected. */
typedef struct edit_case {
    const char *name;
    srp_case_facts c;
    sr_phase phase;
    int active;
    const char *date;
    sr_status status;
    const char *where;
    const char *reason;
} edit_case;

static const edit_case edits[] = {
    {"answers only",
     {"K", 0, "", "", "2025-04-01", "2025-04-01", "", "en"},
     SR_PHASE_INTAKE,
     1,
     NULL,
     SR_OK,
     NULL,
     NULL},
    {"a set-aside closure",
     {"K", 0, "", "2025-03-01", "2025-03-01", "2025-03-01", "", "en"},
     SR_PHASE_CLOSURE,
     0,
     NULL,
     SR_ERR_STATE,
     NULL,
     "set aside"},
    /* Without the intake, the earliest other registration is 2025-02-01. */
    {"intake moved after a later registration",
     {"K", 0, "", "", "2025-02-01", "2025-03-01", "", "en"},
     SR_PHASE_INTAKE,
     1,
     "2025-02-15",
     SR_ERR_STATE,
     "date",
     "would come after a later registration (2025-02-01)"},
    {"intake moved earlier",
     {"K", 0, "", "", "2025-02-01", "2025-03-01", "", "en"},
     SR_PHASE_INTAKE,
     1,
     "2025-01-15",
     SR_OK,
     NULL,
     NULL},
    {"intervention moved before the intake",
     {"K", 0, "", "2025-01-10", "2025-01-10", "2025-01-10", "", "en"},
     SR_PHASE_INTERVENTION,
     1,
     "2025-01-09",
     SR_ERR_STATE,
     "date",
     "before the intake"},
    {"intervention moved after the closure",
     {"K", 1, "2025-07-01", "2025-01-10", "2025-01-10", "2025-05-01", "", "en"},
     SR_PHASE_INTERVENTION,
     1,
     "2025-07-02",
     SR_ERR_STATE,
     "date",
     "after the closure (2025-07-01)"},
    {"closure moved past a follow-up",
     {"K", 1, "2025-07-01", "2025-01-10", "2025-01-10", "2025-05-01", "2025-12-01", "en"},
     SR_PHASE_CLOSURE,
     1,
     "2025-12-02",
     SR_ERR_STATE,
     "date",
     "would come after the follow-up (2025-12-01)"},
    {"closure moved before the work",
     {"K", 1, "2025-07-01", "2025-01-10", "2025-01-10", "2025-05-01", "", "en"},
     SR_PHASE_CLOSURE,
     1,
     "2025-04-30",
     SR_ERR_STATE,
     "date",
     "before the latest registration (2025-05-01)"},
    {"closure moved within its bounds",
     {"K", 1, "2025-07-01", "2025-01-10", "2025-01-10", "2025-05-01", "2025-12-01", "en"},
     SR_PHASE_CLOSURE,
     1,
     "2025-06-01",
     SR_OK,
     NULL,
     NULL},
    {"a correction into the future",
     {"K", 0, "", "2025-01-10", "2025-01-10", "2025-01-10", "", "en"},
     SR_PHASE_INTERVENTION,
     1,
     "2026-03-30",
     SR_ERR_INVALID,
     "date",
     "lies in the future"},
};

static void test_edits(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        const edit_case *t = &edits[i];
        sr_error why;
        sr_error_clear(&why);
        sr_status got = srp_case_rules_edit(&t->c, 5, t->phase, t->active, t->date, TODAY, &why);
        check_verdict(t->name, got, &why, t->status, t->where, t->reason);
    }
}

static void test_earliest(void **state)
{
    (void)state;
    assert_string_equal(srp_case_rules_earliest(&fresh, SR_PHASE_INTAKE), "");
    assert_string_equal(srp_case_rules_earliest(&open_case, SR_PHASE_INTERVENTION), "2025-03-01");
    assert_string_equal(srp_case_rules_earliest(&open_case, SR_PHASE_CLOSURE), "2025-05-01");
    assert_string_equal(srp_case_rules_earliest(&closed_case, SR_PHASE_FOLLOWUP), "2025-07-01");
    assert_string_equal(srp_case_rules_earliest(&closed_case, SR_PHASE_EXPERIENCE), "2025-03-01");
}

/* In Swedish, every refusal is in Swedish (issue 13): the same rules, the
 * same where, the message from the texts table. */
static void test_swedish(void **state)
{
    (void)state;
    static const struct {
        const srp_case_facts *c;
        srp_form_facts f;
        const char *date, *where, *words;
    } cases[] = {
        {&fresh, INTAKE(0), "2026-03-30", "date", "datumet 2026-03-30 ligger i framtiden"},
        {&fresh, INTAKE(0), "2025-02-30", "date", "'2025-02-30' är inget datum som finns"},
        {&fresh, INTERVENTION, "2025-03-02", "form", "har ingen inskrivning än"},
        {&open_case, INTAKE(0), "2025-03-02", "form", "har redan sin inskrivning (2025-03-01)"},
        {&open_case, INTERVENTION, "2025-02-01", "date",
         "datumet 2025-02-01 är före inskrivningen (2025-03-01)"},
        {&open_case, CLOSURE(0), "2025-04-01", "date",
         "avslutsdatumet 2025-04-01 är före den senaste registreringen (2025-05-01)"},
        {&open_case, FOLLOWUP, "2025-06-01", "form", "är pågående: en uppföljning kommer efter"},
        {&closed_case, INTERVENTION, "2025-08-01", "form", "är avslutat"},
        {&closed_case, EXPERIENCE(4), "2025-08-01", "form", "har redan en registrering av"},
        {&closed_case, FOLLOWUP, "2025-06-01", "date",
         "uppföljningsdatumet 2025-06-01 är före avslutet (2025-07-01)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        srp_case_facts c = *cases[i].c;
        c.lang = "sv";
        sr_error why;
        sr_error_clear(&why);
        assert_int_not_equal(srp_case_rules_register(&c, &cases[i].f, cases[i].date, TODAY, &why),
                             SR_OK);
        assert_string_equal(why.where, cases[i].where);
        if (!strstr(why.message, cases[i].words))
            fail_msg("'%s' does not say '%s'", why.message, cases[i].words);
        /* The English of the same refusal is another text. */
        c.lang = "en";
        sr_error en;
        sr_error_clear(&en);
        (void)srp_case_rules_register(&c, &cases[i].f, cases[i].date, TODAY, &en);
        assert_string_equal(en.where, why.where);
        assert_string_not_equal(en.message, why.message);
    }
    srp_case_facts c = open_case;
    c.lang = "sv";
    sr_error why;
    sr_error_clear(&why);
    assert_int_equal(srp_case_rules_edit(&c, 7, SR_PHASE_CLOSURE, 0, NULL, TODAY, &why),
                     SR_ERR_STATE);
    assert_non_null(strstr(why.message, "registrering 7 lades undan"));
}

/* The first error wins: a verdict never overwrites what err already holds. */
static void test_first_error_kept(void **state)
{
    (void)state;
    sr_error why;
    sr_error_clear(&why);
    sr_error_set(&why, SR_ERR_BUSY, "earlier");
    srp_form_facts f = INTERVENTION;
    assert_int_equal(srp_case_rules_form(&fresh, &f, &why), SR_ERR_STATE);
    assert_int_equal(why.status, SR_ERR_BUSY);
    assert_string_equal(why.message, "earlier");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registrations),    cmocka_unit_test(test_edits),
        cmocka_unit_test(test_swedish),          cmocka_unit_test(test_earliest),
        cmocka_unit_test(test_first_error_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
