/*
 * test_stats_values.c - the figures of a summary against a hand-computed
 * truth, through the public API only.
 *
 * One registry (made once for the whole group) holds 20 cases P1..P20 in
 * unit U1 on three forms of this test's own: vt-intake, vt-intervention
 * (repeatable) and vt-closure. min_cell is 3, and the data are laid out so
 * that every asserted cell is 0 or at least 3, except the one item (school)
 * that is there to be suppressed. Every expected value below is worked out by
 * hand in the comment beside it, from the table in PEOPLE, never by code.
 *
 * Quantiles: the engine interpolates linearly between order statistics, R's
 * type 7 (numpy's and Excel PERCENTILE.INC's default): with the n values
 * sorted x[0..n-1], Q(p) = x[j] + f * (x[j+1] - x[j]) where j + f = (n-1)p.
 * The data are chosen so that type 6 (SPSS, (n+1)p) would give other values.
 * Estimates are rounded to two decimals, percents to one.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sigreg/audit.h"
#include "sigreg/cases.h"
#include "sigreg/form_store.h"
#include "sigreg/settings.h"
#include "sigreg/stats.h"
#include "sigreg/units.h"
#include "stats_row.h"

/* ---- the forms ------------------------------------------------------------------ */

#define NEED_OPTIONS                                                                               \
    "\"options\":[{\"code\":\"none\",\"label\":\"Inget behov\"},"                                  \
    "{\"code\":\"some\",\"label\":\"Visst behov\"},"                                               \
    "{\"code\":\"substantial\",\"label\":\"Stort behov\"},"                                        \
    "{\"code\":\"unknown\",\"label\":\"Vet ej\",\"missing\":true}]"

static const char FORM_INTAKE[] =
    "{\"format\":\"sigreg-form/1\",\"id\":\"vt-intake\",\"version\":1,\"phase\":\"intake\","
    "\"title\":\"Värdetest inskrivning\",\"items\":["
    "{\"id\":\"sex\",\"type\":\"choice\",\"required\":true,\"label\":\"Kön\",\"options\":["
    "{\"code\":\"girl\",\"label\":\"Flicka\"},{\"code\":\"boy\",\"label\":\"Pojke\"},"
    "{\"code\":\"other\",\"label\":\"Annat\"},"
    "{\"code\":\"not_stated\",\"label\":\"Vill inte ange\",\"missing\":true}]},"
    "{\"id\":\"need\",\"type\":\"choice\",\"required\":true,\"ordered\":true,\"label\":"
    "\"Behov\"," NEED_OPTIONS "},"
    "{\"id\":\"support\",\"type\":\"multichoice\",\"label\":\"Stöd\",\"options\":["
    "{\"code\":\"family\",\"label\":\"Familj\"},{\"code\":\"school\",\"label\":\"Skola\"},"
    "{\"code\":\"leisure\",\"label\":\"Fritid\"},"
    "{\"code\":\"unknown\",\"label\":\"Vet ej\",\"missing\":true}]},"
    "{\"id\":\"consent\",\"type\":\"boolean\",\"required\":true,\"label\":\"Samtycke\"},"
    "{\"id\":\"contacts\",\"type\":\"integer\",\"min\":0,\"max\":100,\"required\":true,"
    "\"label\":\"Kontakter\"},"
    "{\"id\":\"wellbeing\",\"type\":\"scale\",\"min\":1,\"max\":5,\"required\":true,"
    "\"label\":\"Mående\"},"
    "{\"id\":\"school\",\"type\":\"choice\",\"required\":true,\"label\":\"Skola\",\"options\":["
    "{\"code\":\"regular\",\"label\":\"Regelbunden\"},{\"code\":\"absence\",\"label\":\"Frånvaro\"}"
    ","
    "{\"code\":\"none\",\"label\":\"Ingen skola\"}]},"
    "{\"id\":\"notes\",\"type\":\"text\",\"label\":\"Anteckningar\"}]}";

static const char FORM_INTERVENTION[] =
    "{\"format\":\"sigreg-form/1\",\"id\":\"vt-intervention\",\"version\":1,"
    "\"phase\":\"intervention\",\"repeatable\":true,\"title\":\"Värdetest insats\",\"items\":["
    "{\"id\":\"focus\",\"type\":\"multichoice\",\"required\":true,\"label\":\"Fokus\",\"options\":["
    "{\"code\":\"school\",\"label\":\"Skola\"},{\"code\":\"family\",\"label\":\"Familj\"},"
    "{\"code\":\"leisure\",\"label\":\"Fritid\"}]},"
    "{\"id\":\"hours\",\"type\":\"integer\",\"min\":0,\"max\":100,\"required\":true,"
    "\"label\":\"Timmar\"},"
    "{\"id\":\"rating\",\"type\":\"scale\",\"min\":1,\"max\":5,\"required\":true,"
    "\"label\":\"Betyg\"},"
    "{\"id\":\"mood\",\"type\":\"scale\",\"min\":1,\"max\":5,\"required\":true,"
    "\"label\":\"Stämning\"}]}";

static const char FORM_CLOSURE[] =
    "{\"format\":\"sigreg-form/1\",\"id\":\"vt-closure\",\"version\":1,\"phase\":\"closure\","
    "\"title\":\"Värdetest avslut\",\"items\":["
    "{\"id\":\"need\",\"type\":\"choice\",\"required\":true,\"ordered\":true,\"label\":"
    "\"Behov\"," NEED_OPTIONS "},"
    "{\"id\":\"wellbeing\",\"type\":\"scale\",\"min\":1,\"max\":5,\"required\":true,"
    "\"label\":\"Mående\"}]}";

/* ---- the people ----------------------------------------------------------------- */

typedef struct person {
    const char *sex, *need_in, *need_out, *support; /* support: a JSON array or NULL */
    int consent, contacts, well_in, well_out;
    const char *school, *closed; /* closure date */
    int interventions;           /* 0..3, see register_people */
} person;

/* Intake 2025-02-01 for everyone. */
static const person PEOPLE[20] = {
    /* P1..P9: girls */
    {"girl", "none", "none", "[\"family\",\"school\"]", 1, 5, 1, 3, "regular", "2025-06-01", 3},
    {"girl", "none", "none", "[\"family\",\"school\"]", 1, 0, 1, 3, "regular", "2025-06-01", 3},
    {"girl", "none", "none", "[\"family\",\"school\"]", 0, 8, 1, 3, "regular", "2025-06-01", 3},
    {"girl", "some", "none", "[\"family\",\"leisure\"]", 1, 2, 2, 2, "regular", "2025-06-01", 3},
    {"girl", "some", "none", "[\"family\",\"leisure\"]", 1, 7, 2, 2, "regular", "2025-06-01", 3},
    {"girl", "some", "none", "[\"family\",\"leisure\"]", 0, 1, 2, 2, "regular", "2025-06-01", 2},
    {"girl", "substantial", "some", "[\"family\"]", 1, 4, 2, 2, "regular", "2025-06-01", 2},
    {"girl", "substantial", "some", "[\"family\"]", 1, 6, 3, 4, "regular", "2025-06-01", 2},
    {"girl", "substantial", "some", "[\"school\"]", 0, 3, 3, 4, "regular", "2025-06-01", 1},
    /* P10..P17: boys */
    {"boy", "some", "substantial", "[\"school\"]", 1, 9, 3, 4, "regular", "2025-06-01", 1},
    {"boy", "some", "substantial", "[\"school\"]", 1, 3, 3, 4, "regular", "2025-07-01", 1},
    {"boy", "some", "substantial", "[\"leisure\"]", 0, 0, 3, 4, "regular", "2025-07-01", 0},
    {"boy", "some", "substantial", "[\"leisure\",\"unknown\"]", 1, 6, 4, 4, "regular", "2025-07-01",
     0},
    {"boy", "some", "substantial", "[\"unknown\"]", 1, 1, 4, 4, "regular", "2025-07-01", 0},
    {"boy", "unknown", "some", "[\"unknown\"]", 0, 4, 4, 4, "regular", "2025-07-01", 0},
    {"boy", "unknown", "some", "[\"unknown\"]", 1, 3, 5, 4, "absence", "2025-07-01", 0},
    {"boy", "unknown", "some", NULL, 1, 5, 5, 4, "absence", "2025-07-01", 0},
    /* P18..P20: sex not stated */
    {"not_stated", "none", "unknown", NULL, 0, 20, 5, 4, "absence", "2025-07-01", 0},
    {"not_stated", "none", "unknown", NULL, 1, 10, 5, 4, "none", "2025-07-01", 0},
    {"not_stated", "none", "unknown", NULL, 1, 12, 5, 4, "none", "2025-07-01", 0},
};

/* Interventions: 3 = [school] on 03-01, 04-01 and 05-01, rating 4, 5, 5,
 * mood 4, 4, 4 (P1: 4, 5, 4) (P1..P5); 2 = [family] on 03-01 rating 5, mood
 * 5, and [family, school] on 04-01 rating 4, mood 5 (P6..P8); 1 = [leisure]
 * on 03-01 rating 3, mood 3 (P9..P11). Two hours each time. */

typedef struct fixture {
    char dir[512], db[600];
    sr_registry *reg;
} fixture;

static void install(sr_registry *reg, const char *text)
{
    sr_error err;
    sr_error_clear(&err);
    sr_problems *problems = sr_problems_new();
    int installed = 0;
    sr_status rc = sr_form_install(reg, text, strlen(text), problems, &installed, &err);
    if (rc != SR_OK)
        fail_msg("install: %s (%s: %s)", err.message,
                 sr_problems_count(problems) ? sr_problems_path(problems, 0) : "",
                 sr_problems_count(problems) ? sr_problems_message(problems, 0) : "");
    assert_int_equal(installed, 1);
    sr_problems_free(problems);
}

static void reg_answers(sr_registry *reg, const char *code, const char *form, const char *date,
                        const char *answers)
{
    sr_error err;
    sr_error_clear(&err);
    sr_problems *problems = sr_problems_new();
    int64_t id = 0;
    sr_status rc =
        sr_register(reg, code, form, 0, date, answers, strlen(answers), problems, &id, &err);
    if (rc != SR_OK)
        fail_msg("register %s %s: %s (%s: %s)", form, date, err.message,
                 sr_problems_count(problems) ? sr_problems_path(problems, 0) : "",
                 sr_problems_count(problems) ? sr_problems_message(problems, 0) : "");
    sr_problems_free(problems);
}

static void register_people(sr_registry *reg)
{
    for (size_t i = 0; i < 20; i++) {
        const person *p = &PEOPLE[i];
        char code[SR_CASE_CODE_SIZE], json[1024];
        sr_error err;
        sr_error_clear(&err);
        if (sr_case_new(reg, "U1", NULL, code, &err) != SR_OK)
            fail_msg("case new: %s", err.message);
        int n = snprintf(json, sizeof json,
                         "{\"sex\":\"%s\",\"need\":\"%s\",%s%s%s\"consent\":%s,\"contacts\":%d,"
                         "\"wellbeing\":%d,\"school\":\"%s\",\"notes\":\"fri text\"}",
                         p->sex, p->need_in, p->support ? "\"support\":" : "",
                         p->support ? p->support : "", p->support ? "," : "",
                         p->consent ? "true" : "false", p->contacts, p->well_in, p->school);
        assert_true(n > 0 && (size_t)n < sizeof json);
        reg_answers(reg, code, "vt-intake", "2025-02-01", json);
        if (p->interventions == 3)
            for (int m = 3; m <= 5; m++) {
                char date[11];
                snprintf(date, sizeof date, "2025-%02d-01", m);
                snprintf(json, sizeof json,
                         "{\"focus\":[\"school\"],\"hours\":2,\"rating\":%d,\"mood\":%d}",
                         m == 3 ? 4 : 5, i == 0 && m == 4 ? 5 : 4);
                reg_answers(reg, code, "vt-intervention", date, json);
            }
        if (p->interventions == 2) {
            reg_answers(reg, code, "vt-intervention", "2025-03-01",
                        "{\"focus\":[\"family\"],\"hours\":2,\"rating\":5,\"mood\":5}");
            reg_answers(reg, code, "vt-intervention", "2025-04-01",
                        "{\"focus\":[\"family\",\"school\"],\"hours\":2,\"rating\":4,"
                        "\"mood\":5}");
        }
        if (p->interventions == 1)
            reg_answers(reg, code, "vt-intervention", "2025-03-01",
                        "{\"focus\":[\"leisure\"],\"hours\":2,\"rating\":3,\"mood\":3}");
        snprintf(json, sizeof json, "{\"need\":\"%s\",\"wellbeing\":%d}", p->need_out, p->well_out);
        reg_answers(reg, code, "vt-closure", p->closed, json);
    }
}

static int group_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "%s", tu_scratch_dir());
    snprintf(f->db, sizeof f->db, "%s/reg.db", f->dir);
    tu_create_registry(f->db);
    f->reg = tu_open(f->db, NULL, NULL);
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_unit_add(f->reg, "U1", "Enhet 1", &err), SR_OK);
    assert_int_equal(sr_settings_set_min_cell(f->reg, 3, &err), SR_OK);
    install(f->reg, FORM_INTAKE);
    install(f->reg, FORM_INTERVENTION);
    install(f->reg, FORM_CLOSURE);
    register_people(f->reg);
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *f = *state;
    sr_registry_close(f->reg);
    int rc = tu_remove_dir(f->dir);
    free(f);
    return rc;
}

/* ---- looking at the result ------------------------------------------------------- */

static sr_stats *run(fixture *f, const char *form, const char *by, int change)
{
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.form = form;
    q.by[0] = by;
    q.change = change;
    sr_stats *s = NULL;
    sr_error err;
    sr_error_clear(&err);
    if (sr_stats_run(f->reg, &q, &s, &err) != SR_OK)
        fail_msg("stats %s: %s", form, err.message);
    assert_int_equal(sr_stats_min_cell(s), 3);
    return s;
}

/* A published count with its denominator and percent (percent < 0: none). */
static void expect_count(const sr_stats *s, const char *item, const char *by, const char *value,
                         long count, long denominator, double percent)
{
    const sr_stats_row *r = row(s, item, by, value);
    if (r->suppressed)
        fail_msg("%s %s %s is suppressed (reason %d)", item, by ? by : "-", value, r->reason);
    assert_true(r->has_count);
    assert_int_equal(r->count, count);
    assert_true(r->has_denominator);
    assert_int_equal(r->denominator, denominator);
    if (percent < 0) {
        assert_false(r->has_percent);
    } else {
        assert_true(r->has_percent);
        if (fabs(r->percent - percent) > 1e-9)
            fail_msg("%s %s %s: percent %.10g, expected %.10g", item, by ? by : "-", value,
                     r->percent, percent);
    }
    assert_false(r->has_estimate);
}

/* A published statistic (n, mean, median, p25, p75) over n people. */
static void expect_estimate(const sr_stats *s, const char *item, const char *by, const char *value,
                            long n, double estimate)
{
    const sr_stats_row *r = row(s, item, by, value);
    if (r->suppressed)
        fail_msg("%s %s %s is suppressed (reason %d)", item, by ? by : "-", value, r->reason);
    assert_true(r->has_count);
    assert_int_equal(r->count, n);
    assert_false(r->has_percent);
    if (strcmp(value, "n") == 0) {
        assert_false(r->has_estimate);
        return;
    }
    assert_true(r->has_estimate);
    if (fabs(r->estimate - estimate) > 1e-9)
        fail_msg("%s %s %s: %.10g, expected %.10g", item, by ? by : "-", value, r->estimate,
                 estimate);
}

static void expect_numbers(const sr_stats *s, const char *item, const char *by, long n, double mean,
                           double median, double p25, double p75)
{
    expect_estimate(s, item, by, "n", n, 0);
    expect_estimate(s, item, by, "mean", n, mean);
    expect_estimate(s, item, by, "median", n, median);
    expect_estimate(s, item, by, "p25", n, p25);
    expect_estimate(s, item, by, "p75", n, p75);
}

/* ---- the tests ---------------------------------------------------------------------- */

static void test_choice_with_missing_option(void **state)
{
    sr_stats *s = run(*state, "vt-intake", NULL, 0);
    /* sex: girl 9, boy 8, other 0, not_stated 3 ("missing"). The
     * denominator is the 17 who stated it: 9/17 = 52.94 %, 8/17 = 47.06 %. */
    expect_count(s, "sex", NULL, "girl", 9, 17, 52.9);
    expect_count(s, "sex", NULL, "boy", 8, 17, 47.1);
    expect_count(s, "sex", NULL, "other", 0, 17, 0.0);
    expect_count(s, "sex", NULL, "not_stated", 3, 17, -1);
    assert_string_equal(row(s, "sex", NULL, "not_stated")->value_label, "Vill inte ange");
    /* need: none 6 (P1-3, P18-20), some 8 (P4-6, P10-14), substantial 3
     * (P7-9), unknown "Vet ej" 3 (P15-17); denominator 17:
     * 6/17 = 35.29 %, 8/17 = 47.06 %, 3/17 = 17.65 %. */
    expect_count(s, "need", NULL, "none", 6, 17, 35.3);
    expect_count(s, "need", NULL, "some", 8, 17, 47.1);
    expect_count(s, "need", NULL, "substantial", 3, 17, 17.6);
    expect_count(s, "need", NULL, "unknown", 3, 17, -1);
    assert_string_equal(row(s, "need", NULL, "unknown")->value_label, "Vet ej");
    assert_string_equal(row(s, "need", NULL, "some")->item_label, "Behov");
    /* Free text is never summarised. */
    for (size_t i = 0; i < sr_stats_row_count(s); i++)
        assert_string_not_equal(sr_stats_row_at(s, i)->item, "notes");
    sr_stats_free(s);
}

static void test_boolean(void **state)
{
    sr_stats *s = run(*state, "vt-intake", NULL, 0);
    /* consent: false for P3, P6, P9, P12, P15, P18 (6), true for 14;
     * 14/20 = 70 %, 6/20 = 30 %. */
    expect_count(s, "consent", NULL, "true", 14, 20, 70.0);
    expect_count(s, "consent", NULL, "false", 6, 20, 30.0);
    assert_string_equal(row(s, "consent", NULL, "true")->value_label, "ja");
    assert_string_equal(row(s, "consent", NULL, "false")->value_label, "nej");
    sr_stats_free(s);
}

static void test_multichoice_missing_option(void **state)
{
    sr_stats *s = run(*state, "vt-intake", NULL, 0);
    /* support: family P1-8 (8), school P1-3, P9-11 (6), leisure P4-6,
     * P12-13 (5), unknown P13-16 (4); P17-20 did not answer. Of the 16 who
     * answered, P14-16 answered only "Vet ej": like a missing choice, they
     * are counted but left out of the denominator, which is the 13 who gave
     * at least one known answer: 8/13 = 61.54 %, 6/13 = 46.15 %,
     * 5/13 = 38.46 %. */
    expect_count(s, "support", NULL, "family", 8, 13, 61.5);
    expect_count(s, "support", NULL, "school", 6, 13, 46.2);
    expect_count(s, "support", NULL, "leisure", 5, 13, 38.5);
    expect_count(s, "support", NULL, "unknown", 4, 13, -1);
    sr_stats_free(s);
    /* By consent: among those without (P3, P6, P9, P12, P15, P18) five
     * answered and one of them, P15, only "Vet ej". The denominator 4 would
     * give that 1 away (5 - 4) to anyone who knows how many answered, so it
     * is withheld, and with it the other group's (the two add up to the 13
     * above): no denominators, no shares. */
    s = run(*state, "vt-intake", "consent", 0);
    for (size_t i = 0; i < sr_stats_row_count(s); i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        if (strcmp(r->item, "support") != 0)
            continue;
        if (r->has_denominator)
            fail_msg("support %s %s: denominator %ld published", r->by[0], r->value,
                     r->denominator);
        assert_false(r->has_percent);
    }
    /* Other items keep their figures: contacts with consent (14 people)
     * 5+0+2+7+4+6+9+3+6+1+3+5+10+12 = 73, mean 5.214; without (6 people)
     * 8+1+3+0+4+20 = 36, mean 6. */
    expect_estimate(s, "contacts", "true", "mean", 14, 5.21);
    expect_estimate(s, "contacts", "false", "mean", 6, 6);
    sr_stats_free(s);
}

static void test_repeatable_counts_people(void **state)
{
    sr_stats *s = run(*state, "vt-intervention", NULL, 0);
    /* 11 people (P1-11) with 3*5 + 2*3 + 1*3 = 24 registrations. focus,
     * by people: school P1-5 (every time) and P6-8 (once) = 8; family
     * P6-8 = 3; leisure P9-11 = 3; all 11 answered: 8/11 = 72.73 %,
     * 3/11 = 27.27 %. Counting registrations would give school 18. */
    expect_count(s, "focus", NULL, "school", 8, 11, 72.7);
    expect_count(s, "focus", NULL, "family", 3, 11, 27.3);
    expect_count(s, "focus", NULL, "leisure", 3, 11, 27.3);
    /* hours, summed per person: 6 (P1-5), 4 (P6-8), 2 (P9-11); sorted
     * 2,2,2,4,4,4,6,6,6,6,6: mean 48/11 = 4.3636, median x[5] = 4,
     * p25 at 2.5: x[2] = 2, x[3] = 4 -> 3, p75 at 7.5: 6. */
    expect_numbers(s, "hours", NULL, 11, 4.36, 4, 3, 6);
    /* registrations per case: 1,1,1,2,2,2,3,3,3,3,3: mean 24/11 = 2.1818,
     * median 2, p25 at 2.5: 1 + 0.5 * (2 - 1) = 1.5, p75 at 7.5: 3. */
    expect_numbers(s, "registrations_per_case", NULL, 11, 2.18, 2, 1.5, 3);
    /* rating, a scale: each person counts once for each step they gave:
     * 3 by P9-11, 4 and 5 both by P1-8. top2 is the people who gave one
     * of the two highest steps, P1-8: 8 of 11 = 72.73 %, never the 16
     * answers (145 %). Per person the scale is averaged and rounded to a
     * tenth: 4.7 (P1-5), 4.5 (P6-8), 3 (P9-11); mean 46 / 11 = 4.1818,
     * median x[5] = 4.5. (Rounding before the mean moves it: the mean of
     * the unrounded 14/3, 4.5 and 3 is 4.1667. The engine rounds, so that
     * is what is asserted.) */
    expect_count(s, "rating", NULL, "4", 8, 11, 72.7);
    expect_count(s, "rating", NULL, "5", 8, 11, 72.7);
    expect_count(s, "rating", NULL, "top2", 8, 11, 72.7);
    expect_estimate(s, "rating", NULL, "mean", 11, 4.18);
    expect_estimate(s, "rating", NULL, "median", 11, 4.5);
    /* mood: 4 by P1-5, 5 by P1 and P6-8, 3 by P9-11: each step is
     * published (5, 4, 3), but top2, the 8 people P1-8, would tell that
     * 5 + 4 - 8 = 1 person (P1) gave both: withheld (secondary). */
    expect_count(s, "mood", NULL, "4", 5, 11, 45.5);
    expect_count(s, "mood", NULL, "5", 4, 11, 36.4);
    const sr_stats_row *top = row(s, "mood", NULL, "top2");
    assert_true(top->suppressed);
    assert_int_equal(top->reason, 3);
    assert_false(top->has_count);
    sr_stats_free(s);
}

static void test_integer_quantiles(void **state)
{
    sr_stats *s = run(*state, "vt-intake", NULL, 0);
    /* contacts, sorted: 0,0,1,1,2,3,3,3,4,4,5,5,6,6,7,8,9,10,12,20 (n 20,
     * sum 109). mean 5.45. median at 9.5: (4 + 5) / 2 = 4.5. p25 at 4.75:
     * x[4] = 2, x[5] = 3 -> 2.75 (type 6 would give 2.25). p75 at 14.25:
     * x[14] = 7, x[15] = 8 -> 7.25 (type 6: 7.75). */
    expect_numbers(s, "contacts", NULL, 20, 5.45, 4.5, 2.75, 7.25);
    /* An integer gets no top2 and no option rows. */
    for (size_t i = 0; i < sr_stats_row_count(s); i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        if (strcmp(r->item, "contacts") == 0)
            assert_true(strcmp(r->value, "n") == 0 || strcmp(r->value, "mean") == 0 ||
                        strcmp(r->value, "median") == 0 || strcmp(r->value, "p25") == 0 ||
                        strcmp(r->value, "p75") == 0);
    }
    sr_stats_free(s);
}

static void test_scale_top2(void **state)
{
    sr_stats *s = run(*state, "vt-intake", NULL, 0);
    /* wellbeing: 1 x3 (P1-3), 2 x4 (P4-7), 3 x5 (P8-12), 4 x3 (P13-15),
     * 5 x5 (P16-20). top2 = steps 4 and 5 = 8 of 20 = 40 %. */
    expect_count(s, "wellbeing", NULL, "1", 3, 20, 15.0);
    expect_count(s, "wellbeing", NULL, "2", 4, 20, 20.0);
    expect_count(s, "wellbeing", NULL, "3", 5, 20, 25.0);
    expect_count(s, "wellbeing", NULL, "4", 3, 20, 15.0);
    expect_count(s, "wellbeing", NULL, "5", 5, 20, 25.0);
    expect_count(s, "wellbeing", NULL, "top2", 8, 20, 40.0);
    /* mean (3 + 8 + 15 + 12 + 25) / 20 = 3.15; sorted, x[0..2] = 1,
     * x[3..6] = 2, x[7..11] = 3, x[12..14] = 4, x[15..19] = 5: median at
     * 9.5 = 3, p25 at 4.75 = 2, p75 at 14.25: 4 + 0.25 * (5 - 4) = 4.25. */
    expect_numbers(s, "wellbeing", NULL, 20, 3.15, 3, 2, 4.25);
    sr_stats_free(s);
    /* At closure: 2 x4, 3 x3, 4 x13: top2 = 13 of 20 = 65 %. */
    s = run(*state, "vt-closure", NULL, 0);
    expect_count(s, "wellbeing", NULL, "5", 0, 20, 0.0);
    expect_count(s, "wellbeing", NULL, "top2", 13, 20, 65.0);
    sr_stats_free(s);
}

static void test_grouped_by_item(void **state)
{
    sr_stats *s = run(*state, "vt-intake", "sex", 0);
    assert_string_equal(sr_stats_by_name(s, 0), "sex");
    /* need among girls (P1-9): none, some, substantial 3 each = 33.3 %. */
    expect_count(s, "need", "girl", "none", 3, 9, 33.3);
    expect_count(s, "need", "girl", "some", 3, 9, 33.3);
    expect_count(s, "need", "girl", "substantial", 3, 9, 33.3);
    expect_count(s, "need", "girl", "unknown", 0, 9, -1);
    /* boys (P10-17): some 5, unknown 3: denominator 5. */
    expect_count(s, "need", "boy", "none", 0, 5, 0.0);
    expect_count(s, "need", "boy", "some", 5, 5, 100.0);
    expect_count(s, "need", "boy", "unknown", 3, 5, -1);
    /* not stated (P18-20): none 3 of 3. */
    expect_count(s, "need", "not_stated", "none", 3, 3, 100.0);
    /* contacts: girls 0..8, mean 36/9 = 4; boys 0,1,3,3,4,5,6,9, mean
     * 31/8 = 3.875 -> 3.88; not stated 20,10,12, mean 14. */
    expect_estimate(s, "contacts", "girl", "n", 9, 0);
    expect_estimate(s, "contacts", "girl", "mean", 9, 4);
    expect_estimate(s, "contacts", "boy", "n", 8, 0);
    expect_estimate(s, "contacts", "boy", "mean", 8, 3.88);
    expect_estimate(s, "contacts", "not_stated", "n", 3, 0);
    expect_estimate(s, "contacts", "not_stated", "mean", 3, 14);
    /* The empty group "other" is no group at all. */
    for (size_t i = 0; i < sr_stats_row_count(s); i++)
        assert_string_not_equal(sr_stats_row_at(s, i)->by[0], "other");
    sr_stats_free(s);
}

static void test_grouped_by_intake_item(void **state)
{
    /* The closure grouped by the intake's sex. Days from intake
     * (2025-02-01) to closure: 2025-06-01 is 120 days (28+31+30+31),
     * 2025-07-01 150. P1-10 close in June, P11-20 in July. */
    sr_stats *s = run(*state, "vt-closure", "sex", 0);
    expect_estimate(s, "days_intake_to_closure", "girl", "mean", 9, 120);
    /* boys: P10 120, P11-17 150: (120 + 7 * 150) / 8 = 146.25. */
    expect_estimate(s, "days_intake_to_closure", "boy", "mean", 8, 146.25);
    expect_estimate(s, "days_intake_to_closure", "not_stated", "mean", 3, 150);
    sr_stats_free(s);
    /* Ungrouped: ten of each: mean 135, median at 9.5 (120 + 150) / 2,
     * p25 at 4.75 = 120, p75 at 14.25 = 150. */
    s = run(*state, "vt-closure", NULL, 0);
    expect_numbers(s, "days_intake_to_closure", NULL, 20, 135, 135, 120, 150);
    sr_stats_free(s);
}

static void test_period_filter(void **state)
{
    fixture *f = *state;
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.form = "vt-closure";
    q.from = "2025-04-01";
    q.to = "2025-06-30";
    sr_stats *s = NULL;
    sr_error err;
    sr_error_clear(&err);
    if (sr_stats_run(f->reg, &q, &s, &err) != SR_OK)
        fail_msg("stats: %s", err.message);
    assert_string_equal(sr_stats_from(s), "2025-04-01");
    assert_string_equal(sr_stats_to(s), "2025-06-30");
    /* The second quarter holds the June closures, P1-10: all 120 days;
     * wellbeing 3 (P1-3), 2 (P4-7), 4 (P8-10), so top2 3 of 10. */
    expect_numbers(s, "days_intake_to_closure", NULL, 10, 120, 120, 120, 120);
    expect_count(s, "wellbeing", NULL, "2", 4, 10, 40.0);
    expect_count(s, "wellbeing", NULL, "3", 3, 10, 30.0);
    expect_count(s, "wellbeing", NULL, "4", 3, 10, 30.0);
    expect_count(s, "wellbeing", NULL, "top2", 3, 10, 30.0);
    sr_stats_free(s);
}

static void test_change_tables(void **state)
{
    sr_stats *s = run(*state, "vt-closure", NULL, 1);
    /* need, intake > closure (options run from most to least favourable):
     * none>none 3 (P1-3) unchanged, some>none 3 (P4-6) improved,
     * substantial>some 3 (P7-9) improved, some>substantial 5 (P10-14)
     * worsened; unknown>some 3 (P15-17) and none>unknown 3 (P18-20) are
     * not comparable. Pairs out of all 20; the summary out of the 14
     * comparable: improved 6/14 = 42.86 %, unchanged 3/14 = 21.43 %,
     * worsened 5/14 = 35.71 %. */
    expect_count(s, "need", NULL, "none>none", 3, 20, 15.0);
    expect_count(s, "need", NULL, "some>none", 3, 20, 15.0);
    expect_count(s, "need", NULL, "substantial>some", 3, 20, 15.0);
    expect_count(s, "need", NULL, "some>substantial", 5, 20, 25.0);
    expect_count(s, "need", NULL, "unknown>some", 3, 20, 15.0);
    expect_count(s, "need", NULL, "none>unknown", 3, 20, 15.0);
    expect_count(s, "need", NULL, "none>some", 0, 20, 0.0);
    expect_count(s, "need", NULL, "improved", 6, 14, 42.9);
    expect_count(s, "need", NULL, "unchanged", 3, 14, 21.4);
    expect_count(s, "need", NULL, "worsened", 5, 14, 35.7);
    /* wellbeing, a scale (higher is better): 1>3 P1-3, 2>2 P4-7, 3>4
     * P8-12, 4>4 P13-15, 5>4 P16-20: improved 3 + 5 = 8, unchanged
     * 4 + 3 = 7, worsened 5, of 20. */
    expect_count(s, "wellbeing", NULL, "1>3", 3, 20, 15.0);
    expect_count(s, "wellbeing", NULL, "5>4", 5, 20, 25.0);
    expect_count(s, "wellbeing", NULL, "improved", 8, 20, 40.0);
    expect_count(s, "wellbeing", NULL, "unchanged", 7, 20, 35.0);
    expect_count(s, "wellbeing", NULL, "worsened", 5, 20, 25.0);
    /* Items the intake does not have get no change rows. */
    for (size_t i = 0; i < sr_stats_row_count(s); i++)
        assert_string_not_equal(sr_stats_row_at(s, i)->item, "days_intake_to_closure");
    sr_stats_free(s);
}

static void expect_withheld(const sr_stats *s, const char *item, const char *value, int reason)
{
    const sr_stats_row *r = row(s, item, NULL, value);
    assert_string_equal(r->value, value); /* still says which cell */
    assert_true(r->suppressed);
    assert_int_equal(r->reason, reason);
    assert_false(r->has_count);
    assert_false(r->has_percent);
    assert_false(r->has_estimate);
    assert_int_equal(r->count, 0); /* nothing left behind in the struct either */
    assert_true(r->percent == 0.0);
}

static void test_suppressed_cell(void **state)
{
    sr_stats *s = run(*state, "vt-intake", NULL, 0);
    /* school: regular 15 (P1-15), absence 3 (P16-18), none 2 (P19-20).
     * 2 is below min_cell 3: withheld (reason 1). The three add up to the
     * 20 who answered, so the smallest other, absence, goes too (3,
     * secondary); regular stays, its share of the 20 is 75 %. */
    expect_withheld(s, "school", "none", 1);
    expect_withheld(s, "school", "absence", 3);
    assert_string_equal(row(s, "school", NULL, "none")->value_label, "Ingen skola");
    expect_count(s, "school", NULL, "regular", 15, 20, 75.0);
    /* The notes say why. */
    int said = 0;
    for (size_t i = 0; i < sr_stats_note_count(s); i++)
        said |= strstr(sr_stats_note(s, i), "minsta cell 3") != NULL;
    assert_true(said);
    sr_stats_free(s);
}

static int64_t audit_entries(sr_registry *reg)
{
    sr_audit_report report;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_audit_verify(reg, &report, &err), SR_OK);
    assert_int_equal(report.first_bad_seq, 0);
    return report.entries;
}

/* A refused query: status, a message naming mentions and, when where is
 * given, the field it is about. */
static void expect_refused(fixture *f, const sr_stats_query *q, sr_status status,
                           const char *mentions, const char *where)
{
    int64_t before = audit_entries(f->reg);
    sr_stats *s = (sr_stats *)&s; /* must be set to NULL */
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_stats_run(f->reg, q, &s, &err), status);
    assert_null(s);
    assert_int_equal(err.status, status);
    assert_true(err.message[0] != '\0');
    if (mentions && !strstr(err.message, mentions))
        fail_msg("'%s' does not mention '%s'", err.message, mentions);
    if (where)
        assert_string_equal(err.where, where);
    /* Nothing written: the one new entry is the first verification's own. */
    int64_t after = audit_entries(f->reg);
    if (after != before + 1)
        fail_msg("a refused query on '%s' wrote %lld audit entries", q->form,
                 (long long)(after - before - 1));
}

static void test_errors_change_nothing(void **state)
{
    fixture *f = *state;
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.form = "no-such-form";
    expect_refused(f, &q, SR_ERR_NOT_FOUND, "no-such-form", NULL);
    q.form = "vt-intake";
    q.status = "halfopen";
    expect_refused(f, &q, SR_ERR_USAGE, NULL, NULL);
    q.status = NULL;
    q.from = "2025-13-01";
    expect_refused(f, &q, SR_ERR_USAGE, NULL, NULL);
    q.from = "2025-07-01";
    q.to = "2025-03-31";
    expect_refused(f, &q, SR_ERR_USAGE, NULL, NULL);
    q.from = q.to = NULL;
    q.min_cell = 2;
    expect_refused(f, &q, SR_ERR_USAGE, "3", NULL);
    q.min_cell = 0;
    q.by[0] = "no_such_item";
    expect_refused(f, &q, SR_ERR_USAGE, "no_such_item", NULL);
    q.by[0] = "contacts"; /* an integer does not group */
    expect_refused(f, &q, SR_ERR_USAGE, "contacts", NULL);
    q.by[0] = NULL;
    q.unit = "U9"; /* no such unit */
    expect_refused(f, &q, SR_ERR_NOT_FOUND, "U9", "unit");
    q.unit = NULL;
    q.change = 1; /* the intake has nothing to compare with */
    expect_refused(f, &q, SR_ERR_USAGE, NULL, NULL);
    /* And the figures are what they were. */
    sr_stats *s = run(f, "vt-intake", NULL, 0);
    expect_count(s, "need", NULL, "some", 8, 17, 47.1);
    sr_stats_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choice_with_missing_option),
        cmocka_unit_test(test_boolean),
        cmocka_unit_test(test_multichoice_missing_option),
        cmocka_unit_test(test_repeatable_counts_people),
        cmocka_unit_test(test_integer_quantiles),
        cmocka_unit_test(test_scale_top2),
        cmocka_unit_test(test_grouped_by_item),
        cmocka_unit_test(test_grouped_by_intake_item),
        cmocka_unit_test(test_period_filter),
        cmocka_unit_test(test_change_tables),
        cmocka_unit_test(test_suppressed_cell),
        cmocka_unit_test(test_errors_change_nothing),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
