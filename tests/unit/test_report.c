/*
 * test_report.c - the report's period (sr_report_period, the one check of
 * every summary's window): a year, a half-year or a quarter; dates off a boundary refused with the
 * nearest boundaries named and the field in err->where; a comparison without a period refused.
 */
#include "testutil.h"

#include <string.h>

#include "sigreg/report.h"

static sr_status period(int year, const char *from, const char *to, int compare, char f[11],
                        char t[11], sr_error *err)
{
    sr_report_options o = {NULL, year, from, to, compare};
    sr_error_clear(err);
    return sr_report_period(&o, f, t, err);
}

static void test_whole_periods(void **state)
{
    (void)state;
    char f[11], t[11];
    sr_error err;
    assert_int_equal(period(2025, NULL, NULL, 1, f, t, &err), SR_OK);
    assert_string_equal(f, "2025-01-01");
    assert_string_equal(t, "2025-12-31");
    assert_int_equal(period(0, "2024-01-01", "2024-03-31", 1, f, t, &err), SR_OK);
    assert_string_equal(f, "2024-01-01");
    assert_string_equal(t, "2024-03-31");
    /* A half-year and a year by dates are fixed periods too. */
    assert_int_equal(period(0, "2024-07-01", "2024-12-31", 0, f, t, &err), SR_OK);
    assert_string_equal(f, "2024-07-01");
    assert_int_equal(period(0, "2024-01-01", "2024-12-31", 0, f, t, &err), SR_OK);
    assert_string_equal(t, "2024-12-31");
    assert_int_equal(period(0, NULL, NULL, 0, f, t, &err), SR_OK);
    assert_string_equal(f, "");
    assert_int_equal(sr_report_period(NULL, f, t, &err), SR_OK);
}

static void test_off_a_boundary(void **state)
{
    (void)state;
    char f[11], t[11];
    sr_error err;
    assert_int_equal(period(0, "2025-02-01", "2025-06-30", 0, f, t, &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "from");
    assert_non_null(strstr(err.message, "nearest are 2025-01-01 and 2025-04-01"));
    assert_int_equal(period(0, "2025-04-02", "2025-06-30", 0, f, t, &err), SR_ERR_USAGE);
    assert_non_null(strstr(err.message, "nearest are 2025-04-01 and 2025-07-01"));
    assert_int_equal(period(0, "2025-12-15", "2026-03-31", 0, f, t, &err), SR_ERR_USAGE);
    assert_non_null(strstr(err.message, "nearest are 2025-10-01 and 2026-01-01"));
    assert_int_equal(period(0, "2025-01-01", "2025-05-31", 0, f, t, &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "to");
    assert_non_null(strstr(err.message, "nearest are 2025-03-31 and 2025-06-30"));
    /* 2024 is a leap year: the last day of February is no quarter's end either. */
    assert_int_equal(period(0, "2024-01-01", "2024-02-29", 0, f, t, &err), SR_ERR_USAGE);
    assert_non_null(strstr(err.message, "nearest are 2023-12-31 and 2024-03-31"));
    assert_int_equal(period(0, "2025-01-01", "2025-06-29", 0, f, t, &err), SR_ERR_USAGE);
    assert_int_equal(period(0, "2025-01-01", "2025-13-31", 0, f, t, &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "to");
}

/* Whole quarters that are not one quarter, half-year or year are refused
 * (issue 16: two such windows differ by a quarter no one protected), naming
 * the largest fixed period they start with and the smallest that holds them. */
static void test_not_one_fixed_period(void **state)
{
    (void)state;
    char f[11], t[11];
    sr_error err;
    assert_int_equal(period(0, "2025-01-01", "2025-09-30", 0, f, t, &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "to");
    assert_non_null(strstr(err.message, "the period 2025-01-01 to 2025-09-30 is not one quarter, "
                                        "half-year or year: the nearest are 2025-01-01 to "
                                        "2025-06-30 and 2025-01-01 to 2025-12-31"));
    assert_string_equal(f, "");
    /* Two quarters, but not a calendar half: the quarter it starts with and
     * the year that holds it. */
    assert_int_equal(period(0, "2025-04-01", "2025-09-30", 0, f, t, &err), SR_ERR_USAGE);
    assert_non_null(strstr(err.message, "the nearest are 2025-04-01 to 2025-06-30 and "
                                        "2025-01-01 to 2025-12-31"));
    /* Across a new year nothing fixed holds it. */
    assert_int_equal(period(0, "2023-10-01", "2024-06-30", 0, f, t, &err), SR_ERR_USAGE);
    assert_non_null(strstr(err.message, "the nearest is 2023-10-01 to 2023-12-31"));
    /* Two whole years are not one year. */
    assert_int_equal(period(0, "2024-01-01", "2025-12-31", 0, f, t, &err), SR_ERR_USAGE);
    assert_non_null(strstr(err.message, "the nearest is 2024-01-01 to 2024-12-31"));
    assert_null(strstr(err.message, "--"));
}

static void test_other_refusals(void **state)
{
    (void)state;
    char f[11], t[11];
    sr_error err;
    assert_int_equal(period(0, "2025-07-01", "2025-03-31", 0, f, t, &err), SR_ERR_USAGE);
    assert_non_null(strstr(err.message, "after the end date"));
    assert_int_equal(period(0, "2025-01-01", NULL, 0, f, t, &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "to");
    assert_int_equal(period(2025, "2025-01-01", "2025-03-31", 0, f, t, &err), SR_ERR_USAGE);
    assert_int_equal(period(0, NULL, NULL, 1, f, t, &err), SR_ERR_USAGE);
    assert_non_null(strstr(err.message, "needs a period"));
    /* Library messages never name a command-line flag. */
    assert_null(strstr(err.message, "--"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_periods),
        cmocka_unit_test(test_off_a_boundary),
        cmocka_unit_test(test_not_one_fixed_period),
        cmocka_unit_test(test_other_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
