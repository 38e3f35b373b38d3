/*
 * test_ptable.c - the perturbation tables of ptable.c against the R package
 * ptable's own output (sdcTools/ptable 0.3.3, create_cnt_ptable), kept in
 * tests/unit/data/ptable with the script that made them (make_reference.R):
 * every row, every target, every interval to 1e-7 (they agree to 3e-8, the rounding of R's 8
 * decimals); the parameter sets the package refuses are refused; and what the method promises of
 * every table: zero mean, variance at most V, no perturbed count negative or in 1..js.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ptable.h"

static const char *const reference[] = {
    "D2_V90_js0",  "D2_V300_js0", "D3_V90_js0",  "D3_V150_js1",
    "D4_V150_js0", "D4_V225_js2", "D5_V300_js2",
};

static void parse_name(const char *name, int *d, double *v, int *js)
{
    int vv = 0;
    assert_int_equal(sscanf(name, "D%d_V%d_js%d", d, &vv, js), 3);
    *v = vv / 100.0;
}

static void check_against_r(const char *name)
{
    int d, js;
    double v;
    parse_name(name, &d, &v, &js);
    char path[512];
    snprintf(path, sizeof path, "%s/ptable/%s.csv", SIGREG_TEST_DATA, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    srp_ptable *pt = NULL;
    sr_error err = {0};
    assert_int_equal(srp_ptable_create(d, v, js, &pt, &err), SR_OK);
    char line[256];
    assert_non_null(fgets(line, sizeof line, f)); /* the header */
    size_t k = 0;
    double worst = 0;
    while (fgets(line, sizeof line, f)) {
        int i, j, noise;
        double p, lb, ub;
        assert_int_equal(sscanf(line, "%d,%d,%lf,%d,%lf,%lf", &i, &j, &p, &noise, &lb, &ub), 6);
        assert_true(k < pt->count);
        const srp_ptable_entry *en = &pt->entries[k++];
        assert_int_equal(en->i, i);
        assert_int_equal(en->j, j);
        assert_int_equal(en->v, noise);
        worst = fmax(worst, fabs(en->p - p));
        worst = fmax(worst, fabs(en->lb - lb));
        worst = fmax(worst, fabs(en->ub - ub));
    }
    fclose(f);
    assert_int_equal(k, pt->count);
    if (worst > 1e-7)
        fail_msg("%s: a probability differs from R's by %g", name, worst);
    srp_ptable_free(pt);
}

static void test_same_as_r(void **state)
{
    (void)state;
    for (size_t n = 0; n < sizeof reference / sizeof *reference; n++)
        check_against_r(reference[n]);
}

/* The sets the package refuses (refused.txt): the variance is too small. */
static void test_refused_like_r(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/ptable/refused.txt", SIGREG_TEST_DATA);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[64];
    int seen = 0;
    while (fgets(line, sizeof line, f)) {
        int d, js;
        double v;
        parse_name(line, &d, &v, &js);
        srp_ptable *pt = NULL;
        sr_error err = {0};
        assert_int_equal(srp_ptable_create(d, v, js, &pt, &err), SR_ERR_USAGE);
        assert_null(pt);
        assert_string_equal(err.where, "ptable_v");
        assert_non_null(strstr(err.message, "too small"));
        seen++;
    }
    fclose(f);
    assert_true(seen >= 3);
}

static void test_out_of_range(void **state)
{
    (void)state;
    srp_ptable *pt = NULL;
    sr_error err = {0};
    assert_int_equal(srp_ptable_create(1, 2, 0, &pt, &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "ptable_d");
    sr_error e2 = {0};
    assert_int_equal(srp_ptable_create(3, 3.5, 0, &pt, &e2), SR_ERR_USAGE);
    assert_string_equal(e2.where, "ptable_v");
    sr_error e3 = {0};
    assert_int_equal(srp_ptable_create(3, 2, -1, &pt, &e3), SR_ERR_USAGE);
    assert_string_equal(e3.where, "ptable_js");
    assert_null(pt);
}

/* Over the whole allowed range: every row sums to 1 and has zero mean and
 * variance at most V (blocked rows excepted from neither), and no target is
 * negative or in 1..js; a lookup over [0, 1) hits every entry of the row in
 * proportion. */
static void test_promises(void **state)
{
    (void)state;
    int tables = 0;
    for (int d = SRP_PTABLE_D_MIN; d <= SRP_PTABLE_D_MAX; d++)
        for (int vv = 90; vv <= 300; vv += 30)
            for (int js = 0; js <= 3; js++) {
                srp_ptable *pt = NULL;
                sr_error err = {0};
                if (srp_ptable_create(d, vv / 100.0, js, &pt, &err) != SR_OK)
                    continue;
                tables++;
                for (int row = 1; row < pt->rows; row++) {
                    double sum = 0, mean = 0, var = 0;
                    for (size_t k = pt->row_start[row]; k < pt->row_start[row + 1]; k++) {
                        const srp_ptable_entry *en = &pt->entries[k];
                        assert_int_equal(en->j - en->i, en->v);
                        assert_true(en->j >= 0);
                        assert_false(en->j >= 1 && en->j <= js);
                        sum += en->p;
                        mean += en->p * en->v;
                        var += en->p * en->v * en->v;
                    }
                    assert_true(fabs(sum - 1) < 1e-7);
                    assert_true(fabs(mean) < 1e-6);
                    assert_true(var <= vv / 100.0 + 1e-6);
                }
                /* Counts far above the table use its last row. */
                for (long count = 0; count < 60; count++)
                    for (int q = 0; q < 1000; q++) {
                        long out = srp_ptable_perturb(pt, count, q / 1000.0);
                        assert_true(out >= 0);
                        assert_false(out >= 1 && out <= js);
                        assert_true(labs(out - count) <= d);
                        if (count == 0)
                            assert_int_equal(out, 0);
                    }
                srp_ptable_free(pt);
            }
    assert_true(tables > 20);
}

/* The lookup by hand on R's D5 V3 js2 table: row 1 is 0 below 0.73446954,
 * 3 up to 0.87118973; count 40 takes row 8 (the last) shifted. */
static void test_lookup_by_hand(void **state)
{
    (void)state;
    srp_ptable *pt = NULL;
    sr_error err = {0};
    assert_int_equal(srp_ptable_create(5, 3, 2, &pt, &err), SR_OK);
    assert_int_equal(pt->rows, 9);
    assert_int_equal(srp_ptable_perturb(pt, 1, 0.0), 0);
    assert_int_equal(srp_ptable_perturb(pt, 1, 0.7344), 0);
    assert_int_equal(srp_ptable_perturb(pt, 1, 0.7345), 3);
    assert_int_equal(srp_ptable_perturb(pt, 1, 0.9999999), 6);
    assert_int_equal(srp_ptable_perturb(pt, 8, 0.0), 3);
    assert_int_equal(srp_ptable_perturb(pt, 40, 0.0), 35);
    assert_int_equal(srp_ptable_perturb(pt, 40, 0.9999999), 45);
    srp_ptable_free(pt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_r),      cmocka_unit_test(test_refused_like_r),
        cmocka_unit_test(test_out_of_range),   cmocka_unit_test(test_promises),
        cmocka_unit_test(test_lookup_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
