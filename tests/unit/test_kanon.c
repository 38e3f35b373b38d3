/*
 * test_kanon.c - k-anonymity over hand-made tables (white-box): k holds
 * afterwards, counted independently over the generalised values; a table
 * that one generalisation step makes k-anonymous is generalised, not
 * blanked; local suppression blanks only the column that makes a record
 * stand out, keeps the age bands, and does not take from the few what
 * makes them a group when something else serves; the wholly blanked are
 * topped up to k from the largest class; the steps reach each kind of
 * column as their documentation says.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "kanon.h"

#define E SRP_KANON_EMPTY

/* Counts every row's generalised tuple among all rows, by brute force. */
static void assert_k_holds(const srp_kanon *t, size_t ncol, int k)
{
    size_t n = srp_kanon_rows(t);
    for (size_t i = 0; i < n; i++) {
        size_t same = 0;
        for (size_t j = 0; j < n; j++) {
            int eq = 1;
            for (size_t c = 0; c < ncol && eq; c++)
                eq = srp_kanon_value(t, i, c) == srp_kanon_value(t, j, c);
            same += (size_t)eq;
        }
        if (same < (size_t)k)
            fail_msg("row %zu is in a class of %zu, below k = %d", i, same, k);
    }
}

/* Rows with at least one column blanked. */
static size_t count_blanked(const srp_kanon *t)
{
    size_t b = 0;
    for (size_t i = 0; i < srp_kanon_rows(t); i++)
        b += srp_kanon_mask(t, i) != 0;
    return b;
}

static void test_k_holds_on_a_mixed_table(void **state)
{
    (void)state;
    const srp_kanon_column cols[] = {{SRP_KANON_CODE, 0, 0},
                                     {SRP_KANON_AGE, 0, 0},
                                     {SRP_KANON_MONTH, 0, 0},
                                     {SRP_KANON_NUMBER, 1, 0}};
    srp_kanon *t = srp_kanon_new(cols, 4);
    assert_non_null(t);
    /* 300 rows from a fixed generator: units 0..5 (5 is tiny), ages 8..30,
     * months over three years, whole numbers 1990..2010. */
    unsigned s = 12345;
    for (int i = 0; i < 300; i++) {
        s = s * 1103515245u + 12345u;
        int32_t row[4] = {(int32_t)((s >> 8) % 5), (int32_t)(8 + (s >> 12) % 23),
                          (int32_t)(2023 * 12 + (s >> 4) % 36), (int32_t)(1990 + (s >> 16) % 21)};
        if (i < 2)
            row[0] = 5;
        if (i % 17 == 0)
            row[1] = E;
        assert_true(srp_kanon_add(t, row) == i);
    }
    for (int k = 2; k <= 10; k += 4) {
        srp_kanon_result r;
        sr_error err;
        sr_error_clear(&err);
        assert_int_equal(srp_kanon_run(t, k, &r, &err), SR_OK);
        assert_k_holds(t, 4, k);
        assert_int_equal(r.blanked, count_blanked(t));
        /* only those still standing out lose anything */
        assert_true(r.blanked <= r.outliers + (size_t)k);
        /* levels 1-3 while more than max(n/100, k) stand out; the age
         * bands widened (level 4) only when over a third still would */
        assert_true(r.outliers <= (size_t)k || r.level == SRP_KANON_LEVELS - 1 ||
                    (r.level == SRP_KANON_LEVELS - 2 && r.outliers * 3 <= 300));
    }
    srp_kanon_free(t);
}

static void test_generalised_before_blanked(void **state)
{
    (void)state;
    /* 30 people in unit 0 and 30 in unit 1, each with a distinct month in
     * one year: every class is a single person until months become years;
     * rare codes are not the problem, so levels 1 and then 2 are taken and
     * nobody is blanked. */
    const srp_kanon_column cols[] = {{SRP_KANON_CODE, 0, 0}, {SRP_KANON_MONTH, 0, 0}};
    srp_kanon *t = srp_kanon_new(cols, 2);
    for (int i = 0; i < 60; i++) {
        int32_t row[2] = {i % 2, 2024 * 12 + (i / 2) % 12};
        srp_kanon_add(t, row);
    }
    srp_kanon_result r;
    assert_int_equal(srp_kanon_run(t, 5, &r, NULL), SR_OK);
    assert_int_equal(r.level, 2);
    assert_int_equal(r.blanked, 0);
    assert_int_equal(srp_kanon_column_form(t, 1), SRP_KANON_YEARS);
    for (size_t i = 0; i < 60; i++) {
        assert_int_equal(srp_kanon_value(t, i, 1), 2024);
        assert_int_equal(srp_kanon_value(t, i, 0), (int32_t)(i % 2));
    }
    assert_k_holds(t, 2, 5);
    srp_kanon_free(t);
}

static void test_rare_codes_become_other(void **state)
{
    (void)state;
    /* Code 7 is shared by two people, code 3 by 40: the two stand out, but
     * two are within max(n / 100, k), so no step is taken; they are
     * blanked and topped up to k = 3 with one from the class of 40. */
    const srp_kanon_column cols[] = {{SRP_KANON_CODE, 0, 0}};
    srp_kanon *t = srp_kanon_new(cols, 1);
    for (int i = 0; i < 42; i++) {
        int32_t row[1] = {i < 2 ? 7 : 3};
        srp_kanon_add(t, row);
    }
    srp_kanon_result r;
    assert_int_equal(srp_kanon_run(t, 3, &r, NULL), SR_OK);
    /* two outliers at level 0 are within max(42/100, 3) = 3: no step taken */
    assert_int_equal(r.level, 0);
    assert_int_equal(r.outliers, 2);
    assert_int_equal(r.blanked, 3);
    assert_true(srp_kanon_blanked(t, 0) && srp_kanon_blanked(t, 1));
    size_t from_big = 0;
    for (size_t i = 2; i < 42; i++)
        from_big += (size_t)srp_kanon_blanked(t, i);
    assert_int_equal(from_big, 1);
    assert_int_equal(srp_kanon_value(t, 0, 0), E);
    assert_k_holds(t, 1, 3);
    srp_kanon_free(t);
}

static void test_blanked_counts_at_the_last_level(void **state)
{
    (void)state;
    /* 400 people share a code; 6 have codes of their own in a second
     * column of whole numbers far apart: level 4 leaves the numbers out and
     * everyone joins one class. Then 10 singletons in a code column: at
     * level 1 they are "other", a class of 10 >= k, nothing blanked. */
    const srp_kanon_column cols[] = {{SRP_KANON_NUMBER, 1, 0}};
    srp_kanon *t = srp_kanon_new(cols, 1);
    for (int i = 0; i < 400; i++) {
        int32_t row[1] = {i < 6 ? 1000 * (i + 1) : 42};
        srp_kanon_add(t, row);
    }
    srp_kanon_result r;
    assert_int_equal(srp_kanon_run(t, 5, &r, NULL), SR_OK);
    /* 6 outliers > max(4, 5): level 1 bins them, still alone, level 2
     * changes nothing, level 3 leaves the numbers out */
    assert_int_equal(r.level, 3);
    assert_int_equal(r.blanked, 0);
    assert_int_equal(srp_kanon_column_form(t, 0), SRP_KANON_LEFT_OUT);
    assert_int_equal(srp_kanon_value(t, 0, 0), E);
    srp_kanon_free(t);

    const srp_kanon_column codes[] = {{SRP_KANON_CODE, 0, 0}};
    t = srp_kanon_new(codes, 1);
    for (int i = 0; i < 40; i++) {
        int32_t row[1] = {i < 10 ? 100 + i : 1};
        srp_kanon_add(t, row);
    }
    assert_int_equal(srp_kanon_run(t, 5, &r, NULL), SR_OK);
    assert_int_equal(r.level, 1);
    assert_int_equal(r.blanked, 0);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(srp_kanon_value(t, i, 0), SRP_KANON_OTHER);
    assert_int_equal(srp_kanon_value(t, 20, 0), 1);
    assert_k_holds(t, 1, 5);
    srp_kanon_free(t);
}

static void test_blanking_a_class_too_small(void **state)
{
    (void)state;
    /* Two columns that no level can merge (YEAR never changes): 20 people
     * in year 2000, 1 in 2001, 1 in 2002. k = 4: the 2 outliers are within
     * max(0, 4); they are blanked with 2 more from the class of 20. */
    const srp_kanon_column cols[] = {{SRP_KANON_YEAR, 0, 0}};
    srp_kanon *t = srp_kanon_new(cols, 1);
    for (int i = 0; i < 22; i++) {
        int32_t row[1] = {i == 20 ? 2001 : i == 21 ? 2002 : 2000};
        srp_kanon_add(t, row);
    }
    srp_kanon_result r;
    assert_int_equal(srp_kanon_run(t, 4, &r, NULL), SR_OK);
    assert_int_equal(r.level, 0);
    assert_int_equal(r.blanked, 4);
    assert_true(srp_kanon_blanked(t, 20) && srp_kanon_blanked(t, 21));
    assert_int_equal(count_blanked(t), 4);
    assert_k_holds(t, 1, 4);
    srp_kanon_free(t);
}

static void test_local_suppression_blanks_one_column(void **state)
{
    (void)state;
    /* unit, age, year, sex. 40 people in each of three common tuples; 5
     * more in unit 0, aged 15, boys, each with an intake year of their own:
     * only their year makes them stand out, so only their year is blanked,
     * and their unit, age band and sex are kept. The age bands are never
     * widened. */
    const srp_kanon_column cols[] = {{SRP_KANON_CODE, 0, 0},
                                     {SRP_KANON_AGE, 0, 0},
                                     {SRP_KANON_YEAR, 0, 0},
                                     {SRP_KANON_CODE, 0, 0}};
    srp_kanon *t = srp_kanon_new(cols, 4);
    for (int i = 0; i < 120; i++) {
        int32_t row[4] = {i % 3 == 2, i % 3 == 1 ? 13 : 15, 2024, i % 3 == 0 ? 0 : 1};
        srp_kanon_add(t, row);
    }
    for (int i = 0; i < 5; i++) {
        int32_t row[4] = {0, 16, 2015 + i, 0};
        assert_int_equal(srp_kanon_add(t, row), 120 + i);
    }
    srp_kanon_result r;
    assert_int_equal(srp_kanon_run(t, 5, &r, NULL), SR_OK);
    assert_true(r.level < 4);
    assert_int_equal(srp_kanon_column_form(t, 1), SRP_KANON_BANDS);
    assert_int_equal(r.blanked, 5);
    assert_int_equal(r.cells, 5);
    assert_int_equal(r.all_blanked, 0);
    for (size_t i = 0; i < 125; i++)
        assert_int_equal(srp_kanon_mask(t, i), i < 120 ? 0 : 1u << 2);
    for (size_t i = 120; i < 125; i++) {
        assert_int_equal(srp_kanon_value(t, i, 0), 0);
        assert_int_equal(srp_kanon_value(t, i, 1), 2); /* 15-17 */
        assert_int_equal(srp_kanon_value(t, i, 2), E);
        assert_int_equal(srp_kanon_value(t, i, 3), 0);
        assert_int_equal(srp_kanon_generalised(t, i, 2), (int32_t)(2015 + i - 120));
        assert_int_equal(srp_kanon_blanked(t, i), 1);
    }
    assert_k_holds(t, 4, 5);
    srp_kanon_free(t);
}

static void test_the_few_keep_what_makes_them_a_group(void **state)
{
    (void)state;
    /* unit, age, year, sex. 50 boys in unit 0 in 2024 and 50 in unit 1 in
     * 2025; 5 of unknown sex in each of those; 6 people of a sex that 6 of
     * 116 have (scarce), 3 in each unit and year. Blanking their sex would
     * settle them (with the unknown) at weight 3, but their sex is scarce,
     * which triples it; blanking unit and year (3 + 1) settles the six
     * together and keeps their sex. */
    const srp_kanon_column cols[] = {{SRP_KANON_CODE, 0, 0},
                                     {SRP_KANON_AGE, 0, 0},
                                     {SRP_KANON_YEAR, 0, 0},
                                     {SRP_KANON_CODE, 0, 0}};
    srp_kanon *t = srp_kanon_new(cols, 4);
    for (int i = 0; i < 100; i++) {
        int32_t row[4] = {i % 2, 15, 2024 + i % 2, 0};
        srp_kanon_add(t, row);
    }
    for (int i = 0; i < 10; i++) {
        int32_t row[4] = {i % 2, 15, 2024 + i % 2, E};
        srp_kanon_add(t, row);
    }
    for (int i = 0; i < 6; i++) {
        int32_t row[4] = {i % 2, 15, 2024 + i % 2, 2};
        assert_int_equal(srp_kanon_add(t, row), 110 + i);
    }
    srp_kanon_result r;
    assert_int_equal(srp_kanon_run(t, 5, &r, NULL), SR_OK);
    assert_int_equal(r.blanked, 6);
    for (size_t i = 110; i < 116; i++) {
        assert_int_equal(srp_kanon_mask(t, i), (1u << 0) | (1u << 2));
        assert_int_equal(srp_kanon_value(t, i, 3), 2);
        assert_int_equal(srp_kanon_value(t, i, 1), 2);
    }
    assert_k_holds(t, 4, 5);
    srp_kanon_free(t);
}

static void test_age_bands_and_bins(void **state)
{
    (void)state;
    assert_string_equal(srp_kanon_age_band(0, 0), "0-11");
    assert_string_equal(srp_kanon_age_band(4, 0), "21+");
    assert_string_equal(srp_kanon_age_band(1, 1), "18+");
    assert_string_equal(srp_kanon_age_band(E, 0), "unknown");
    /* Ages 10..25, all in one row each, k = 2, 30 rows: bands at level 0. */
    const srp_kanon_column cols[] = {{SRP_KANON_AGE, 0, 0}, {SRP_KANON_NUMBER, 1, 0}};
    srp_kanon *t = srp_kanon_new(cols, 2);
    int32_t rows[][2] = {{11, -3}, {12, 7}, {17, 1994}, {18, 1999}, {21, 2000}, {E, E}};
    for (size_t i = 0; i < 6; i++)
        for (int rep = 0; rep < 5; rep++)
            srp_kanon_add(t, rows[i]);
    srp_kanon_result r;
    assert_int_equal(srp_kanon_run(t, 2, &r, NULL), SR_OK);
    assert_int_equal(r.level, 0);
    assert_int_equal(srp_kanon_value(t, 0, 0), 0);  /* 11: 0-11 */
    assert_int_equal(srp_kanon_value(t, 5, 0), 1);  /* 12: 12-14 */
    assert_int_equal(srp_kanon_value(t, 10, 0), 2); /* 17: 15-17 */
    assert_int_equal(srp_kanon_value(t, 15, 0), 3); /* 18: 18-20 */
    assert_int_equal(srp_kanon_value(t, 20, 0), 4); /* 21: 21+ */
    assert_int_equal(srp_kanon_value(t, 25, 0), E);
    assert_int_equal(srp_kanon_value(t, 0, 1), -3);
    srp_kanon_free(t);
}

static void test_wide_values_kept(void **state)
{
    (void)state;
    /* Cells are two bytes until a value needs four: values on both sides
     * of that line, added in any order, come back as they went in. */
    const srp_kanon_column cols[] = {{SRP_KANON_NUMBER, 1, 0}, {SRP_KANON_CODE, 0, 0}};
    srp_kanon *t = srp_kanon_new(cols, 2);
    const int32_t values[] = {5, -32767, 32767, E, 40000, -2000000000, 7};
    for (int rep = 0; rep < 3; rep++)
        for (size_t i = 0; i < 7; i++) {
            int32_t row[2] = {values[i], values[6 - i]};
            srp_kanon_add(t, row);
        }
    srp_kanon_result r;
    assert_int_equal(srp_kanon_run(t, 3, &r, NULL), SR_OK);
    assert_int_equal(r.level, 0);
    for (size_t i = 0; i < 21; i++) {
        assert_int_equal(srp_kanon_value(t, i, 0), values[i % 7]);
        assert_int_equal(srp_kanon_value(t, i, 1), values[6 - i % 7]);
    }
    srp_kanon_free(t);
}

static void test_refusals(void **state)
{
    (void)state;
    const srp_kanon_column cols[] = {{SRP_KANON_CODE, 0, 0}};
    srp_kanon *t = srp_kanon_new(cols, 1);
    int32_t row[1] = {1};
    for (int i = 0; i < 4; i++)
        srp_kanon_add(t, row);
    srp_kanon_result r;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(srp_kanon_run(t, 1, &r, &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "k");
    assert_null(strstr(err.message, "--"));
    sr_error_clear(&err);
    assert_int_equal(srp_kanon_run(t, 5, &r, &err), SR_ERR_STATE);
    assert_string_equal(err.where, "k");
    assert_non_null(strstr(err.message, "only 4 people"));
    srp_kanon_free(t);
    srp_kanon_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_k_holds_on_a_mixed_table),
        cmocka_unit_test(test_generalised_before_blanked),
        cmocka_unit_test(test_rare_codes_become_other),
        cmocka_unit_test(test_blanked_counts_at_the_last_level),
        cmocka_unit_test(test_blanking_a_class_too_small),
        cmocka_unit_test(test_local_suppression_blanks_one_column),
        cmocka_unit_test(test_the_few_keep_what_makes_them_a_group),
        cmocka_unit_test(test_age_bands_and_bins),
        cmocka_unit_test(test_wide_values_kept),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
