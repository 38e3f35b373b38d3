/*
 * test_stats_rules.c - the disclosure rules of issue 16, each against values
 * worked out by hand: fixed periods only, min_cell a floor, quartiles only
 * over ten people with min_cell values on either side, top2 and n published
 * when the output gives them anyway, small mergeable and missing options
 * merged, small periods merged with a neighbour.
 *
 * One registry of 19 people P1..P19 in unit U1 on a form of this test's own
 * (rt-intake), min_cell 3 unless a test says otherwise:
 *
 *   grp        a: P1-P9, b: P10-P19
 *   score      a: P1..P9 have 1..9, b: P10..P19 have 1..10
 *   wellbeing  1: P1-2, 2: P3-5, 3: P6-9, 4: P10-14, 5: P15-19
 *   sex        girl P1-8, boy P9-15, other P16-17, not_stated P18-19
 *              (missing), other + not_stated marked mergeable
 *   school     regular P1-16, dont_know P17, not_asked P18-19 (both missing)
 *   date       2023-05-01 P1-2, 2024-05-01 P3-10, 2025-05-01 P11-19
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"
#include "registry_int.h"
#include "settings_int.h"
#include "sigreg/audit.h"
#include "sigreg/cases.h"
#include "sigreg/form_store.h"
#include "sigreg/settings.h"
#include "sigreg/stats.h"
#include "sigreg/units.h"
#include "stats_row.h"

static const char FORM[] =
    "{\"format\":\"sigreg-form/1\",\"id\":\"rt-intake\",\"version\":1,\"phase\":\"intake\","
    "\"title\":\"Regeltest\",\"items\":["
    "{\"id\":\"grp\",\"type\":\"choice\",\"required\":true,\"label\":\"Grupp\",\"options\":["
    "{\"code\":\"a\",\"label\":\"A\"},{\"code\":\"b\",\"label\":\"B\"}]},"
    "{\"id\":\"score\",\"type\":\"integer\",\"min\":0,\"max\":100,\"required\":true,"
    "\"label\":\"Poäng\"},"
    "{\"id\":\"wellbeing\",\"type\":\"scale\",\"min\":1,\"max\":5,\"required\":true,"
    "\"label\":\"Mående\"},"
    "{\"id\":\"sex\",\"type\":\"choice\",\"required\":true,\"label\":\"Kön\",\"options\":["
    "{\"code\":\"girl\",\"label\":\"Flicka\"},{\"code\":\"boy\",\"label\":\"Pojke\"},"
    "{\"code\":\"other\",\"label\":\"Annat\"},"
    "{\"code\":\"not_stated\",\"label\":\"Vill inte ange\",\"missing\":true}],"
    "\"mergeable\":[{\"options\":[\"other\",\"not_stated\"],"
    "\"label\":{\"sv\":\"Annat eller vill inte ange\",\"en\":\"Other or not stated\"}}]},"
    "{\"id\":\"school\",\"type\":\"choice\",\"required\":true,\"label\":\"Skola\",\"options\":["
    "{\"code\":\"regular\",\"label\":\"Regelbunden\"},"
    "{\"code\":\"dont_know\",\"label\":\"Vet ej\",\"missing\":true},"
    "{\"code\":\"not_asked\",\"label\":\"Ej frågat\",\"missing\":true}]}]}";

typedef struct fixture {
    char dir[512], db[600];
    sr_registry *reg;
} fixture;

static void register_people(sr_registry *reg)
{
    for (int p = 1; p <= 19; p++) {
        char code[SR_CASE_CODE_SIZE], json[512];
        sr_error err;
        sr_error_clear(&err);
        if (sr_case_new(reg, "U1", NULL, code, &err) != SR_OK)
            fail_msg("case new: %s", err.message);
        int well = p <= 2 ? 1 : p <= 5 ? 2 : p <= 9 ? 3 : p <= 14 ? 4 : 5;
        const char *sex = p <= 8 ? "girl" : p <= 15 ? "boy" : p <= 17 ? "other" : "not_stated";
        const char *school = p <= 16 ? "regular" : p == 17 ? "dont_know" : "not_asked";
        const char *date = p <= 2 ? "2023-05-01" : p <= 10 ? "2024-05-01" : "2025-05-01";
        int n = snprintf(json, sizeof json,
                         "{\"grp\":\"%s\",\"score\":%d,\"wellbeing\":%d,\"sex\":\"%s\","
                         "\"school\":\"%s\"}",
                         p <= 9 ? "a" : "b", p <= 9 ? p : p - 9, well, sex, school);
        assert_true(n > 0 && (size_t)n < sizeof json);
        sr_problems *problems = sr_problems_new();
        int64_t id = 0;
        if (sr_register(reg, code, "rt-intake", 0, date, json, strlen(json), problems, &id, &err) !=
            SR_OK)
            fail_msg("register: %s", err.message);
        sr_problems_free(problems);
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
    sr_problems *problems = sr_problems_new();
    int installed = 0;
    if (sr_form_install(f->reg, FORM, strlen(FORM), problems, &installed, &err) != SR_OK)
        fail_msg("install: %s (%s: %s)", err.message,
                 sr_problems_count(problems) ? sr_problems_path(problems, 0) : "",
                 sr_problems_count(problems) ? sr_problems_message(problems, 0) : "");
    sr_problems_free(problems);
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

static sr_stats *run_query(fixture *f, const sr_stats_query *q)
{
    sr_stats *s = NULL;
    sr_error err;
    sr_error_clear(&err);
    if (sr_stats_run(f->reg, q, &s, &err) != SR_OK)
        fail_msg("stats %s: %s", q->form, err.message);
    return s;
}

static sr_stats *run(fixture *f, const char *form, const char *by)
{
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.form = form;
    q.by[0] = by;
    return run_query(f, &q);
}

static int has_row(const sr_stats *s, const char *item, const char *value)
{
    for (size_t i = 0; i < sr_stats_row_count(s); i++)
        if (strcmp(sr_stats_row_at(s, i)->item, item) == 0 &&
            strcmp(sr_stats_row_at(s, i)->value, value) == 0)
            return 1;
    return 0;
}

static void expect_published(const sr_stats *s, const char *item, const char *by, const char *value,
                             long count)
{
    const sr_stats_row *r = row(s, item, by, value);
    if (r->suppressed)
        fail_msg("%s %s %s is withheld (reason %d)", item, by ? by : "-", value, r->reason);
    assert_true(r->has_count);
    assert_int_equal(r->count, count);
}

static void expect_estimate(const sr_stats *s, const char *item, const char *by, const char *value,
                            long n, double estimate)
{
    expect_published(s, item, by, value, n);
    const sr_stats_row *r = row(s, item, by, value);
    assert_true(r->has_estimate);
    if (fabs(r->estimate - estimate) > 1e-9)
        fail_msg("%s %s %s: %.10g, expected %.10g", item, by ? by : "-", value, r->estimate,
                 estimate);
}

static void expect_withheld(const sr_stats *s, const char *item, const char *by, const char *value,
                            int reason)
{
    const sr_stats_row *r = row(s, item, by, value);
    if (!r->suppressed)
        fail_msg("%s %s %s is published (%ld)", item, by ? by : "-", value, r->count);
    assert_int_equal(r->reason, reason);
    assert_false(r->has_count);
    assert_false(r->has_estimate);
}

static int noted(const sr_stats *s, const char *text)
{
    for (size_t i = 0; i < sr_stats_note_count(s); i++)
        if (strstr(sr_stats_note(s, i), text))
            return 1;
    return 0;
}

static int64_t audit_entries(sr_registry *reg)
{
    sr_audit_report report;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_audit_verify(reg, &report, &err), SR_OK);
    return report.entries;
}

/* A refused query: the status, where, a message naming mentions, and
 * nothing written (the one new audit entry is the verification's own). */
static void expect_refused(fixture *f, const sr_stats_query *q, const char *where,
                           const char *mentions)
{
    int64_t before = audit_entries(f->reg);
    sr_stats *s = NULL;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_stats_run(f->reg, q, &s, &err), SR_ERR_USAGE);
    assert_null(s);
    assert_string_equal(err.where, where);
    if (!strstr(err.message, mentions))
        fail_msg("'%s' does not mention '%s'", err.message, mentions);
    assert_null(strstr(err.message, "--"));
    assert_int_equal(audit_entries(f->reg), before + 1);
}

/* ---- quartiles (item 6) ---- */

static void test_quartiles_need_ten(void **state)
{
    sr_stats *s = run(*state, "rt-intake", "grp");
    /* a: 1..9, n = 9: the mean 45/9 = 5 is shown, the quartiles are not
     * (at n = 9 they are the 3rd, 5th and 7th values). */
    expect_published(s, "score", "a", "n", 9);
    expect_estimate(s, "score", "a", "mean", 9, 5);
    expect_withheld(s, "score", "a", "p25", 5);
    expect_withheld(s, "score", "a", "median", 5);
    expect_withheld(s, "score", "a", "p75", 5);
    /* b: 1..10, n = 10, type 7: p25 at 9 * .25 = 2.25: 3 + .25 = 3.25 (3
     * values at or below, 7 above); median at 4.5: 5.5; p75 at 6.75:
     * 7.75 (3 at or above). min_cell 3: all shown. Mean 55/10 = 5.5. */
    expect_estimate(s, "score", "b", "mean", 10, 5.5);
    expect_estimate(s, "score", "b", "p25", 10, 3.25);
    expect_estimate(s, "score", "b", "median", 10, 5.5);
    expect_estimate(s, "score", "b", "p75", 10, 7.75);
    /* The notes say why. */
    assert_true(noted(s, "kvartiler (p25, median, p75) redovisas bara över minst 10 personer och "
                         "när minst 3 värden ligger på vardera sidan"));
    sr_stats_free(s);
}

/* ---- nothing hidden that is given (item 3) ---- */

static void test_top2_and_n_when_given(void **state)
{
    sr_stats *s = run(*state, "rt-intake", NULL);
    /* wellbeing 1: 2 (withheld, small), 2: 3 (the smallest other: withheld
     * with it), 3: 4, 4: 5, 5: 5. Both top steps are published, so top2 is
     * their sum, 10 of 19; n is 19, the published denominator. The mean
     * and quartiles would add an equation: withheld. */
    expect_withheld(s, "wellbeing", NULL, "1", 1);
    expect_withheld(s, "wellbeing", NULL, "2", 3);
    expect_published(s, "wellbeing", NULL, "4", 5);
    expect_published(s, "wellbeing", NULL, "5", 5);
    const sr_stats_row *top2 = row(s, "wellbeing", NULL, "top2");
    assert_false(top2->suppressed);
    assert_int_equal(top2->count, 10);
    assert_int_equal(top2->denominator, 19);
    assert_true(fabs(top2->percent - 52.6) < 1e-9);
    expect_published(s, "wellbeing", NULL, "n", 19);
    assert_int_equal(row(s, "wellbeing", NULL, "1")->denominator, 19);
    expect_withheld(s, "wellbeing", NULL, "mean", 3);
    expect_withheld(s, "wellbeing", NULL, "median", 3);
    sr_stats_free(s);
}

/* ---- merging options (item 2) ---- */

static void test_mergeable_options_merge_when_small(void **state)
{
    sr_stats *s = run(*state, "rt-intake", NULL);
    /* other 2 and not_stated 2 would both be withheld; merged they are 4,
     * shown under the form's label. other is not a missing option, so the
     * merged one counts in the shares: 4 of 19 = 21.1 %. */
    assert_false(has_row(s, "sex", "other"));
    assert_false(has_row(s, "sex", "not_stated"));
    expect_published(s, "sex", NULL, "other+not_stated", 4);
    const sr_stats_row *r = row(s, "sex", NULL, "other+not_stated");
    assert_string_equal(r->value_label, "Annat eller vill inte ange");
    assert_int_equal(r->denominator, 19);
    assert_true(fabs(r->percent - 21.1) < 1e-9);
    expect_published(s, "sex", NULL, "girl", 8);
    expect_published(s, "sex", NULL, "boy", 7);
    /* Two missing options, 1 and 2: merged into one missing category of 3,
     * outside the shares (regular: 16 of 16). */
    expect_published(s, "school", NULL, "dont_know+not_asked", 3);
    r = row(s, "school", NULL, "dont_know+not_asked");
    assert_string_equal(r->value_label, "Uppgift saknas");
    assert_false(r->has_percent);
    assert_int_equal(r->denominator, 16);
    expect_published(s, "school", NULL, "regular", 16);
    assert_true(noted(s, "'sex': 'Annat', 'Vill inte ange' redovisas sammanslagna"));
    assert_true(noted(s, "'school': 'Vet ej', 'Ej frågat' redovisas sammanslagna"));
    /* Options that are not small stay apart: grp a 9, b 10. */
    expect_published(s, "grp", NULL, "a", 9);
    sr_stats_free(s);
    /* Grouped by sex, the merged option is one group: P16-19, scores 7,
     * 8, 9, 10 (all in b), mean 8.5. */
    s = run(*state, "rt-intake", "sex");
    expect_estimate(s, "score", "other+not_stated", "mean", 4, 8.5);
    assert_string_equal(row(s, "score", "other+not_stated", "mean")->by_label[0],
                        "Annat eller vill inte ange");
    /* sex is both an item and the grouping: merged in both, said once, and
     * named (a grouping's variable has no id of its own: it said '(null)'). */
    size_t said = 0;
    for (size_t k = 0; k < sr_stats_note_count(s); k++) {
        assert_null(strstr(sr_stats_note(s, k), "(null)"));
        said += strstr(sr_stats_note(s, k), "'sex': 'Annat', 'Vill inte ange'") != NULL;
    }
    assert_int_equal(said, 1);
    sr_stats_free(s);
}

/* ---- periods (items 2 and 4) ---- */

static void test_small_period_merged_with_neighbour(void **state)
{
    /* Cases by year: 2023 has 2 (P1-2), 2024 8, 2025 9. 2023 is merged
     * into 2024 ("2023/2024", 10 cases) rather than hiding another year. */
    sr_stats *s = run(*state, "cases", "year");
    expect_published(s, "status", "2023/2024", "open", 10);
    expect_published(s, "status", "2025", "open", 9);
    assert_true(noted(s, "perioder med för få personer redovisas sammanslagna med en granne: "
                         "2023/2024"));
    for (size_t i = 0; i < sr_stats_row_count(s); i++)
        assert_string_not_equal(sr_stats_row_at(s, i)->by[0], "2023");
    sr_stats_free(s);
    /* A window on 2023 is answered as the merged period, and says so. */
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.form = "cases";
    q.from = "2023-01-01";
    q.to = "2023-12-31";
    s = run_query(*state, &q);
    assert_string_equal(sr_stats_from(s), "2023-01-01");
    assert_string_equal(sr_stats_to(s), "2024-12-31");
    expect_published(s, "status", NULL, "open", 10);
    assert_true(noted(s, "perioden 2023 har för få personer och redovisas sammanslagen med en "
                         "granne, 2023-01-01 till 2024-12-31"));
    sr_stats_free(s);
    /* 2025 alone is large enough. */
    q.from = "2025-01-01";
    q.to = "2025-12-31";
    s = run_query(*state, &q);
    assert_string_equal(sr_stats_to(s), "2025-12-31");
    expect_published(s, "status", NULL, "open", 9);
    sr_stats_free(s);
}

static void test_windows_are_fixed_periods(void **state)
{
    fixture *f = *state;
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.form = "rt-intake";
    q.from = "2025-02-01";
    q.to = "2025-06-30";
    expect_refused(f, &q, "from", "the nearest are 2025-01-01 and 2025-04-01");
    q.from = "2025-01-01";
    q.to = "2025-05-31";
    expect_refused(f, &q, "to", "the nearest are 2025-03-31 and 2025-06-30");
    q.to = "2025-09-30";
    expect_refused(f, &q, "to", "is not one quarter, half-year or year");
    q.from = NULL;
    q.to = "2024-12-31"; /* "everything up to" is no fixed period either */
    expect_refused(f, &q, "from", "needs both a start and an end date");
    /* A quarter, a half-year and a year are. The second quarter of 2025
     * holds P11-19, 9 people, scores 2..10: mean 54 / 9 = 6. (Its grp b,
     * 9, is withheld: b in the second quarter of 2024 is P10 alone, and the
     * quarters add up to the published b of 10.) */
    q.from = "2025-04-01";
    q.to = "2025-06-30";
    sr_stats *s = run_query(f, &q);
    expect_estimate(s, "score", NULL, "mean", 9, 6);
    expect_withheld(s, "grp", NULL, "b", 3);
    sr_stats_free(s);
    q.to = "2025-12-31";
    expect_refused(f, &q, "to",
                   "the nearest are 2025-04-01 to 2025-06-30 and 2025-01-01 to "
                   "2025-12-31");
    q.from = "2025-01-01";
    s = run_query(f, &q);
    expect_estimate(s, "score", NULL, "mean", 9, 6);
    sr_stats_free(s);
}

static void test_period_keys(void **state)
{
    (void)state;
    char key[16], from[11], to[11];
    assert_int_equal(srp_period_key(SRP_PERIOD_QUARTER, "2025-08-14", key, sizeof key), 0);
    assert_string_equal(key, "2025-Q3");
    assert_int_equal(srp_period_key(SRP_PERIOD_HALF, "2025-07-01", key, sizeof key), 0);
    assert_string_equal(key, "2025-H2");
    assert_int_equal(srp_period_key(SRP_PERIOD_YEAR, "2025-06-30", key, sizeof key), 0);
    assert_string_equal(key, "2025");
    assert_int_equal(srp_period_key(SRP_PERIOD_YEAR, "", key, sizeof key), -1);
    assert_int_equal(srp_period_key(SRP_PERIOD_QUARTER, "2025-13-01", key, sizeof key), -1);
    assert_int_equal(srp_period_bounds("2024-Q1", from, to), 0);
    assert_string_equal(from, "2024-01-01");
    assert_string_equal(to, "2024-03-31");
    assert_int_equal(srp_period_bounds("2024-Q4/2025-Q1", from, to), 0);
    assert_string_equal(from, "2024-10-01");
    assert_string_equal(to, "2025-03-31");
    assert_int_equal(srp_period_bounds("2024-H1", from, to), 0);
    assert_string_equal(to, "2024-06-30");
    assert_int_equal(srp_period_bounds("unknown", from, to), -1);
    assert_int_equal(srp_period_bounds("2025/2024", from, to), -1);
}

/* ---- min_cell a floor (item 5) ---- */

static void test_min_cell_is_a_floor(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_settings_set_min_cell(f->reg, 5, &err), SR_OK);
    sr_stats *before = run(f, "rt-intake", NULL);
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.form = "rt-intake";
    q.min_cell = 4;
    expect_refused(f, &q, "min_cell", "the minimum cell 4 is below the registry's 5");
    q.min_cell = 6;
    expect_refused(f, &q, "min_cell", "the minimum cell 6 differs from the registry's 5");
    q.min_cell = 5; /* the setting itself may be named */
    sr_stats *same = run_query(f, &q);
    assert_int_equal(sr_stats_min_cell(same), 5);
    /* Nothing changed: the same rows, the same figures. */
    assert_int_equal(sr_stats_row_count(same), sr_stats_row_count(before));
    for (size_t i = 0; i < sr_stats_row_count(same); i++) {
        const sr_stats_row *a = sr_stats_row_at(before, i), *b = sr_stats_row_at(same, i);
        assert_string_equal(a->value, b->value);
        assert_int_equal(a->suppressed, b->suppressed);
        assert_int_equal(a->count, b->count);
    }
    /* At min_cell 5 the quartiles of b (n = 10) need 5 values on either
     * side: p25 3.25 has 3 below, p75 7.75 3 above, withheld; the median
     * 5.5 has 5 and 5. */
    sr_stats *s = run(f, "rt-intake", "grp");
    expect_withheld(s, "score", "b", "p25", 5);
    expect_estimate(s, "score", "b", "median", 10, 5.5);
    expect_withheld(s, "score", "b", "p75", 5);
    sr_stats_free(s);
    /* A publication's settings may raise it (the library check the publish
     * code reuses); nothing may lower it. */
    int mc = 0;
    sr_error_clear(&err);
    assert_int_equal(srp_settings_min_cell_for(f->reg, 8, 1, &mc, &err), SR_OK);
    assert_int_equal(mc, 8);
    assert_int_equal(srp_settings_min_cell_for(f->reg, 0, 1, &mc, &err), SR_OK);
    assert_int_equal(mc, 5);
    assert_int_equal(srp_settings_min_cell_for(f->reg, 4, 1, &mc, &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "min_cell");
    sr_error_clear(&err);
    assert_int_equal(srp_settings_min_cell_for(f->reg, 8, 0, &mc, &err), SR_ERR_USAGE);
    sr_stats_free(before);
    sr_stats_free(same);
    sr_error_clear(&err);
    assert_int_equal(sr_settings_set_min_cell(f->reg, 3, &err), SR_OK);
}

/* ---- the scan: a case's only response and a case's several ---- */

static void exec_sql(fixture *f, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(srp_registry_db(f->reg), sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
    sqlite3_free(msg);
}

/* The case code of the first (or last) case that has the form. */
static void case_at(fixture *f, int last, char *code, size_t size)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(srp_registry_db(f->reg),
                                        last ? "SELECT max(case_code) FROM response_codes"
                                               " WHERE form_id = 'rt-intake'"
                                             : "SELECT min(case_code) FROM response_codes"
                                               " WHERE form_id = 'rt-intake'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(code, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

static void expect_same_rows(const sr_stats *a, const sr_stats *b)
{
    assert_int_equal(sr_stats_row_count(a), sr_stats_row_count(b));
    for (size_t i = 0; i < sr_stats_row_count(a); i++) {
        const sr_stats_row *x = sr_stats_row_at(a, i), *y = sr_stats_row_at(b, i);
        assert_string_equal(x->item, y->item);
        assert_string_equal(x->value, y->value);
        assert_int_equal(x->suppressed, y->suppressed);
        assert_int_equal(x->count, y->count);
        assert_int_equal(x->denominator, y->denominator);
        assert_true(x->estimate == y->estimate);
    }
}

/* A person who gave a once-only form twice, the same answers both times (a
 * second active response, which the registry does not make, so written
 * here), counts once: every figure as with one response (a case's only
 * response is tallied, a case's two are gathered: the scan's two ways).
 * The first and the last case in scan order both; figures: the exact ones
 * are checked (under suppression). */
static void second_response_counts_once(fixture *f, int figures)
{
    sr_stats *once = run(f, "rt-intake", NULL), *by = run(f, "rt-intake", "grp");
    for (int last = 0; last <= 1; last++) {
        char code[SR_CASE_CODE_SIZE + 4], sql[512];
        case_at(f, last, code, sizeof code);
        /* Another response's id: the key (form, case, response) is new. */
        snprintf(sql, sizeof sql,
                 "INSERT INTO response_codes (form_id, case_code, response_id, form_version,"
                 " date, active, coded) SELECT form_id, case_code,"
                 " (SELECT max(response_id) FROM response_codes WHERE case_code <> '%s'),"
                 " form_version, date, active, coded FROM response_codes"
                 " WHERE form_id = 'rt-intake' AND case_code = '%s'",
                 code, code);
        exec_sql(f, sql);
        sr_stats *twice = run(f, "rt-intake", NULL), *twice_by = run(f, "rt-intake", "grp");
        expect_same_rows(once, twice);
        expect_same_rows(by, twice_by);
        if (figures) {
            expect_published(twice, "grp", NULL, "a", 9);
            assert_int_equal(row(twice, "grp", NULL, "a")->denominator, 19);
        }
        sr_stats_free(twice);
        sr_stats_free(twice_by);
        snprintf(sql, sizeof sql,
                 "DELETE FROM response_codes WHERE form_id = 'rt-intake' AND case_code = '%s'"
                 " AND response_id = (SELECT max(response_id) FROM response_codes"
                 " WHERE case_code <> '%s')",
                 code, code);
        exec_sql(f, sql);
    }
    sr_stats_free(once);
    sr_stats_free(by);
}

static void test_second_response_counts_once(void **state)
{
    second_response_counts_once(*state, 1);
}

/* The same under the cell-key method: the cell keys of the tallied
 * figures (their record keys summed) are those of the people gathered. */
static void test_second_response_counts_once_cell_key(void **state)
{
    fixture *f = *state;
    sr_disclosure_method m, was;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_settings_method(f->reg, &was, &err), SR_OK);
    m = was;
    snprintf(m.method, sizeof m.method, "cell-key");
    assert_int_equal(sr_settings_set_method(f->reg, &m, &err), SR_OK);
    second_response_counts_once(f, 0);
    assert_int_equal(sr_settings_set_method(f->reg, &was, &err), SR_OK);
}

/* A damaged coded response (a presence byte that is neither 0 nor 1) is
 * refused, naming its case, whether it is the first or the last scanned;
 * nothing is summarised in part. */
static void test_damaged_response_refused(void **state)
{
    fixture *f = *state;
    for (int last = 0; last <= 1; last++) {
        char code[SR_CASE_CODE_SIZE + 4], sql[512];
        case_at(f, last, code, sizeof code);
        snprintf(sql, sizeof sql,
                 "CREATE TEMP TABLE saved AS SELECT coded FROM response_codes"
                 " WHERE form_id = 'rt-intake' AND case_code = '%s';"
                 "UPDATE response_codes SET coded = X'02'"
                 " WHERE form_id = 'rt-intake' AND case_code = '%s'",
                 code, code);
        exec_sql(f, sql);
        sr_stats_query q;
        memset(&q, 0, sizeof q);
        q.form = "rt-intake";
        sr_stats *s = NULL;
        sr_error err;
        sr_error_clear(&err);
        assert_int_equal(sr_stats_run(f->reg, &q, &s, &err), SR_ERR_CORRUPT);
        assert_null(s);
        char want[SR_CASE_CODE_SIZE + 64];
        snprintf(want, sizeof want, "a stored response of case '%s' is damaged", code);
        assert_string_equal(err.message, want);
        snprintf(sql, sizeof sql,
                 "UPDATE response_codes SET coded = (SELECT coded FROM temp.saved)"
                 " WHERE form_id = 'rt-intake' AND case_code = '%s'; DROP TABLE temp.saved",
                 code);
        exec_sql(f, sql);
    }
    sr_stats *s = run(f, "rt-intake", NULL);
    expect_published(s, "grp", NULL, "a", 9);
    sr_stats_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quartiles_need_ten),
        cmocka_unit_test(test_top2_and_n_when_given),
        cmocka_unit_test(test_mergeable_options_merge_when_small),
        cmocka_unit_test(test_small_period_merged_with_neighbour),
        cmocka_unit_test(test_windows_are_fixed_periods),
        cmocka_unit_test(test_period_keys),
        cmocka_unit_test(test_min_cell_is_a_floor),
        cmocka_unit_test(test_second_response_counts_once),
        cmocka_unit_test(test_second_response_counts_once_cell_key),
        cmocka_unit_test(test_damaged_response_refused),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
