/*
 * test_stats_hist.c - the summaries' histogram (white-box): mean and
 * quantiles (R's type 7) against hand-computed values, duplicates, order of
 * adding, the empty and one-value cases, and merging two histograms (the
 * same as adding every value to one).
 */
#include "testutil.h"

#include "stats_hist.h"

static void add_all(srp_hist *h, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(srp_hist_add(h, v[i]), 0);
}

static void test_quartiles_of_four(void **state)
{
    (void)state;
    srp_hist h = {0};
    const double v[] = {4, 1, 3, 2};
    add_all(&h, v, 4);
    assert_int_equal(h.total, 4);
    assert_int_equal(h.n, 4);
    /* sorted 1 2 3 4: positions (n-1)p = 0.75, 1.5, 2.25 */
    assert_float_equal(srp_hist_mean(&h), 2.5, 1e-12);
    assert_float_equal(srp_hist_quantile(&h, 0.5), 2.5, 1e-12);
    assert_float_equal(srp_hist_quantile(&h, 0.25), 1.75, 1e-12);
    assert_float_equal(srp_hist_quantile(&h, 0.75), 3.25, 1e-12);
    assert_float_equal(srp_hist_quantile(&h, 0), 1, 1e-12);
    assert_float_equal(srp_hist_quantile(&h, 1), 4, 1e-12);
    srp_hist_release(&h);
    assert_int_equal(h.total, 0);
}

static void test_duplicates(void **state)
{
    (void)state;
    srp_hist h = {0};
    const double v[] = {5, 5, 1, 5, 0.5, 5};
    add_all(&h, v, 6);
    /* sorted 0.5 1 5 5 5 5: distinct values kept once, counted */
    assert_int_equal(h.n, 3);
    assert_int_equal(h.total, 6);
    assert_float_equal(h.values[0], 0.5, 0);
    assert_int_equal(h.counts[2], 4);
    assert_float_equal(srp_hist_mean(&h), 21.5 / 6, 1e-12);
    assert_float_equal(srp_hist_rank(&h, 1), 1, 0);
    assert_float_equal(srp_hist_rank(&h, 2), 5, 0);
    /* median: position 2.5, between 5 and 5 */
    assert_float_equal(srp_hist_quantile(&h, 0.5), 5, 1e-12);
    /* p25: position 1.25, 1 + 0.25 * (5 - 1) */
    assert_float_equal(srp_hist_quantile(&h, 0.25), 2, 1e-12);
    srp_hist_release(&h);
}

static void test_order_does_not_matter(void **state)
{
    (void)state;
    srp_hist a = {0}, b = {0};
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(srp_hist_add(&a, (double)(i % 37)), 0);
        assert_int_equal(srp_hist_add(&b, (double)((999 - i) % 37)), 0);
    }
    assert_int_equal(a.n, 37);
    for (size_t i = 0; i < a.n; i++) {
        assert_float_equal(a.values[i], b.values[i], 0);
        assert_int_equal(a.counts[i], b.counts[i]);
        if (i)
            assert_true(a.values[i - 1] < a.values[i]);
    }
    assert_float_equal(srp_hist_quantile(&a, 0.75), srp_hist_quantile(&b, 0.75), 0);
    srp_hist_release(&a);
    srp_hist_release(&b);
}

static void test_empty_and_single(void **state)
{
    (void)state;
    srp_hist h = {0};
    assert_float_equal(srp_hist_mean(&h), 0, 0);
    assert_float_equal(srp_hist_quantile(&h, 0.5), 0, 0);
    assert_int_equal(srp_hist_add(&h, 7), 0);
    assert_float_equal(srp_hist_mean(&h), 7, 0);
    assert_float_equal(srp_hist_quantile(&h, 0.25), 7, 0);
    assert_float_equal(srp_hist_quantile(&h, 0.75), 7, 0);
    srp_hist_release(&h);
    srp_hist_release(&h); /* released twice: a no-op */
}

/* Merging gives what adding both histograms' values to one gives, with
 * values on either side only, shared ones and an empty side. */
static void test_merge(void **state)
{
    (void)state;
    srp_hist a = {0}, b = {0}, both = {0}, empty = {0};
    const double va[] = {3, 1, 3, 9, -2};
    const double vb[] = {4, 3, 1, 1, 12, 0.5};
    add_all(&a, va, 5);
    add_all(&b, vb, 6);
    add_all(&both, va, 5);
    add_all(&both, vb, 6);
    assert_int_equal(srp_hist_merge(&a, &empty), 0);
    assert_int_equal(a.n, 4);
    assert_int_equal(srp_hist_merge(&a, &b), 0);
    assert_int_equal(a.n, both.n);
    assert_int_equal(a.total, both.total);
    for (size_t i = 0; i < a.n; i++) {
        assert_float_equal(a.values[i], both.values[i], 0);
        assert_int_equal(a.counts[i], both.counts[i]);
    }
    assert_int_equal(srp_hist_merge(&empty, &b), 0);
    assert_int_equal(empty.n, b.n);
    assert_int_equal(empty.total, b.total);
    assert_float_equal(srp_hist_quantile(&empty, 0.5), srp_hist_quantile(&b, 0.5), 0);
    srp_hist_release(&a);
    srp_hist_release(&b);
    srp_hist_release(&both);
    srp_hist_release(&empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quartiles_of_four),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_order_does_not_matter),
        cmocka_unit_test(test_empty_and_single),
        cmocka_unit_test(test_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
