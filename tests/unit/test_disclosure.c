/*
 * test_disclosure.c - primary and secondary suppression (white-box) on
 * small hand-built tables whose answer is known: which cells are withheld,
 * for which reason, that ties go by identity, that the order cells and
 * relations are added in does not matter, and that relations of any size
 * are taken whole.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

#include "disclosure.h"

static void test_primary(void **state)
{
    (void)state;
    srp_sdc *s = srp_sdc_new(5);
    assert_non_null(s);
    size_t zero = srp_sdc_cell(s, 0, 0, 1), small = srp_sdc_cell(s, 3, 0, 2),
           four = srp_sdc_cell(s, 4, 0, 3), five = srp_sdc_cell(s, 5, 0, 4),
           forced = srp_sdc_cell(s, 40, 1, 5);
    assert_int_equal(srp_sdc_solve(s), 0); /* no relations: nothing secondary */
    assert_int_equal(srp_sdc_state(s, zero), SRP_SDC_PUBLISHED);
    assert_int_equal(srp_sdc_state(s, small), SRP_SDC_SMALL);
    assert_int_equal(srp_sdc_state(s, four), SRP_SDC_SMALL);
    assert_int_equal(srp_sdc_state(s, five), SRP_SDC_PUBLISHED);
    assert_int_equal(srp_sdc_state(s, forced), SRP_SDC_GROUP);
    srp_sdc_force(s, five, SRP_SDC_GROUP);
    srp_sdc_force(s, small, SRP_SDC_GROUP); /* already withheld: its reason stays */
    assert_int_equal(srp_sdc_state(s, five), SRP_SDC_GROUP);
    assert_int_equal(srp_sdc_state(s, small), SRP_SDC_SMALL);
    assert_int_equal(srp_sdc_cell_count(s), 5);
    srp_sdc_free(s);
    srp_sdc_free(NULL);
}

static void test_secondary_takes_the_smallest_nonzero(void **state)
{
    (void)state;
    srp_sdc *s = srp_sdc_new(5);
    /* 2 (small) + 0 + 9 + 12: the 0 tells less than 9, but withholding it
     * would still give 2 away (total minus 9 and 12): 9 goes. */
    size_t c[4] = {srp_sdc_cell(s, 2, 0, 1), srp_sdc_cell(s, 0, 0, 2), srp_sdc_cell(s, 9, 0, 3),
                   srp_sdc_cell(s, 12, 0, 4)};
    assert_int_equal(srp_sdc_relation(s, c, 4), 0);
    assert_int_equal(srp_sdc_solve(s), 1);
    assert_int_equal(srp_sdc_state(s, c[0]), SRP_SDC_SMALL);
    assert_int_equal(srp_sdc_state(s, c[1]), SRP_SDC_PUBLISHED);
    assert_int_equal(srp_sdc_state(s, c[2]), SRP_SDC_SECONDARY);
    assert_int_equal(srp_sdc_state(s, c[3]), SRP_SDC_PUBLISHED);
    srp_sdc_free(s);
}

static void test_all_zero_rest_still_hides(void **state)
{
    (void)state;
    srp_sdc *s = srp_sdc_new(3);
    size_t c[3] = {srp_sdc_cell(s, 1, 0, 1), srp_sdc_cell(s, 0, 0, 2), srp_sdc_cell(s, 0, 0, 3)};
    assert_int_equal(srp_sdc_relation(s, c, 3), 0);
    assert_int_equal(srp_sdc_solve(s), 1);
    /* equal counts: the lower identity goes */
    assert_int_equal(srp_sdc_state(s, c[1]), SRP_SDC_SECONDARY);
    assert_int_equal(srp_sdc_state(s, c[2]), SRP_SDC_PUBLISHED);
    srp_sdc_free(s);
}

/* A 2 x 2 table with its row and column sums known: one small cell takes
 * all four with it (each row and column needs two withheld, or none). */
static void test_two_by_two(void **state)
{
    (void)state;
    srp_sdc *s = srp_sdc_new(5);
    size_t a = srp_sdc_cell(s, 2, 0, 11), b = srp_sdc_cell(s, 10, 0, 12),
           c = srp_sdc_cell(s, 10, 0, 21), d = srp_sdc_cell(s, 10, 0, 22);
    size_t r1[2] = {a, b}, r2[2] = {c, d}, c1[2] = {a, c}, c2[2] = {b, d};
    assert_int_equal(srp_sdc_relation(s, r1, 2), 0);
    assert_int_equal(srp_sdc_relation(s, r2, 2), 0);
    assert_int_equal(srp_sdc_relation(s, c1, 2), 0);
    assert_int_equal(srp_sdc_relation(s, c2, 2), 0);
    assert_int_equal(srp_sdc_solve(s), 3);
    assert_int_equal(srp_sdc_state(s, a), SRP_SDC_SMALL);
    assert_int_equal(srp_sdc_state(s, b), SRP_SDC_SECONDARY);
    assert_int_equal(srp_sdc_state(s, c), SRP_SDC_SECONDARY);
    assert_int_equal(srp_sdc_state(s, d), SRP_SDC_SECONDARY);
    srp_sdc_free(s);
}

/* Two relations in a chain: the cell the first withholds settles the
 * second only with a third cell. */
static void test_chain_and_settled(void **state)
{
    (void)state;
    srp_sdc *s = srp_sdc_new(5);
    size_t a = srp_sdc_cell(s, 2, 0, 1), b = srp_sdc_cell(s, 6, 0, 2), c = srp_sdc_cell(s, 7, 0, 3),
           x = srp_sdc_cell(s, 1, 0, 4), y = srp_sdc_cell(s, 3, 0, 5),
           z = srp_sdc_cell(s, 50, 0, 6);
    size_t ab[2] = {a, b}, bc[2] = {b, c}, xyz[3] = {x, y, z};
    assert_int_equal(srp_sdc_relation(s, ab, 2), 0);
    assert_int_equal(srp_sdc_relation(s, bc, 2), 0);
    assert_int_equal(srp_sdc_relation(s, xyz, 3), 0); /* two withheld already: safe */
    assert_int_equal(srp_sdc_relation(s, &z, 1), 0);  /* one cell: no relation */
    assert_int_equal(srp_sdc_solve(s), 2);
    assert_int_equal(srp_sdc_state(s, b), SRP_SDC_SECONDARY);
    assert_int_equal(srp_sdc_state(s, c), SRP_SDC_SECONDARY);
    assert_int_equal(srp_sdc_state(s, z), SRP_SDC_PUBLISHED);
    srp_sdc_free(s);
}

/* The same table built in two orders withholds the same figures. */
static void build(srp_sdc *s, const long *counts, const unsigned long long *ids, size_t n,
                  int reverse, size_t *cells)
{
    for (size_t k = 0; k < n; k++) {
        size_t i = reverse ? n - 1 - k : k;
        cells[i] = srp_sdc_cell(s, counts[i], 0, ids[i]);
    }
    /* rows of three: (0 1 2) (3 4 5) (6 7 8); columns (0 3 6) (1 4 7) (2 5 8) */
    for (size_t k = 0; k < 6; k++) {
        size_t r = reverse ? 5 - k : k, m[3];
        for (size_t j = 0; j < 3; j++)
            m[j] = r < 3 ? cells[r * 3 + j] : cells[j * 3 + (r - 3)];
        assert_int_equal(srp_sdc_relation(s, m, 3), 0);
    }
}

static void test_order_free(void **state)
{
    (void)state;
    static const long counts[9] = {1, 8, 8, 8, 2, 8, 8, 8, 9};
    static const unsigned long long ids[9] = {90, 80, 70, 60, 50, 40, 30, 20, 10};
    size_t one[9], two[9];
    srp_sdc *s = srp_sdc_new(3), *t = srp_sdc_new(3);
    build(s, counts, ids, 9, 0, one);
    build(t, counts, ids, 9, 1, two);
    size_t added = srp_sdc_solve(s);
    assert_int_equal(srp_sdc_solve(t), added);
    assert_true(added >= 2);
    for (size_t i = 0; i < 9; i++)
        assert_int_equal(srp_sdc_state(s, one[i]), srp_sdc_state(t, two[i]));
    /* every row and column holds 0 or at least 2 withheld */
    for (size_t r = 0; r < 6; r++) {
        int withheld = 0;
        for (size_t j = 0; j < 3; j++)
            withheld +=
                srp_sdc_state(s, one[r < 3 ? r * 3 + j : j * 3 + (r - 3)]) != SRP_SDC_PUBLISHED;
        assert_true(withheld != 1);
    }
    srp_sdc_free(s);
    srp_sdc_free(t);
}

/* A relation of 20 000 cells is taken whole: the one small cell at its end
 * still gets a partner. */
static void test_large_relation(void **state)
{
    (void)state;
    enum { N = 20000 };
    srp_sdc *s = srp_sdc_new(5);
    size_t *cells = malloc(N * sizeof *cells);
    assert_non_null(cells);
    for (size_t i = 0; i < N; i++)
        cells[i] = srp_sdc_cell(s, i == N - 1 ? 1 : 100 + (long)i, 0, i + 1);
    assert_int_equal(srp_sdc_relation(s, cells, N), 0);
    assert_int_equal(srp_sdc_solve(s), 1);
    assert_int_equal(srp_sdc_state(s, cells[N - 1]), SRP_SDC_SMALL);
    assert_int_equal(srp_sdc_state(s, cells[0]), SRP_SDC_SECONDARY); /* the smallest, 100 */
    free(cells);
    srp_sdc_free(s);
}

/* ---- the LP audit (issue 16) ---------------------------------------------------------- */

static void assert_interval(const srp_sdc *s, size_t cell, double lo, double hi)
{
    double l = -1, h = -1;
    assert_int_equal(srp_sdc_interval(s, cell, &l, &h), 1);
    assert_true(fabs(l - lo) < 1e-6);
    assert_true(fabs(h - hi) < 1e-6);
}

/* The 2 x 2 table a b / c d with row and column sums known, all four
 * withheld: a = t, b = 12 - t, c = 12 - t, d = 8 + t for t in [0, 12]. */
static void test_intervals_by_hand(void **state)
{
    (void)state;
    srp_sdc *s = srp_sdc_new(5);
    srp_sdc_set_exact_intervals(s, 1);
    size_t a = srp_sdc_cell(s, 2, 0, 11), b = srp_sdc_cell(s, 10, 0, 12),
           c = srp_sdc_cell(s, 10, 0, 21), d = srp_sdc_cell(s, 10, 0, 22);
    size_t r1[2] = {a, b}, r2[2] = {c, d}, c1[2] = {a, c}, c2[2] = {b, d};
    assert_int_equal(srp_sdc_relation(s, r1, 2), 0);
    assert_int_equal(srp_sdc_relation(s, r2, 2), 0);
    assert_int_equal(srp_sdc_relation(s, c1, 2), 0);
    assert_int_equal(srp_sdc_relation(s, c2, 2), 0);
    assert_int_equal(srp_sdc_solve(s), 3);
    assert_interval(s, a, 0, 12);
    assert_interval(s, b, 0, 12);
    assert_interval(s, c, 0, 12);
    assert_interval(s, d, 8, 20);
    srp_sdc_report rep;
    srp_sdc_report_of(s, &rep);
    assert_int_equal(rep.cells, 4);
    assert_int_equal(rep.withheld[SRP_SDC_SMALL], 1);
    assert_int_equal(rep.withheld[SRP_SDC_SECONDARY], 3);
    assert_int_equal(rep.persons_hidden, 32);
    assert_int_equal(rep.narrow, 0);
    assert_int_equal(rep.audit_failed, 0);
    assert_true(rep.lp_solves > 0);
    srp_sdc_free(s);
}

/* Two small cells beside each other satisfy the old rule (two withheld in
 * the relation) but give each other away within [0, 2]: the audit withholds
 * the third, and then 1 lies in [0, 22]. */
static void test_repair_widens(void **state)
{
    (void)state;
    srp_sdc *s = srp_sdc_new(5);
    srp_sdc_set_exact_intervals(s, 1);
    size_t c[3] = {srp_sdc_cell(s, 1, 0, 1), srp_sdc_cell(s, 1, 0, 2), srp_sdc_cell(s, 20, 0, 3)};
    assert_int_equal(srp_sdc_relation(s, c, 3), 0);
    assert_int_equal(srp_sdc_solve(s), 1);
    assert_int_equal(srp_sdc_state(s, c[2]), SRP_SDC_SECONDARY);
    assert_interval(s, c[0], 0, 22);
    assert_interval(s, c[1], 0, 22);
    assert_false(srp_sdc_narrow(s, c[0]));
    srp_sdc_free(s);
}

/* A relation whose known total is 1: no pattern protects its small cell,
 * which is reported narrow rather than hiding everything for nothing. */
static void test_unprotectable_is_reported(void **state)
{
    (void)state;
    srp_sdc *s = srp_sdc_new(3);
    size_t c[3] = {srp_sdc_cell(s, 1, 0, 1), srp_sdc_cell(s, 0, 0, 2), srp_sdc_cell(s, 0, 0, 3)};
    assert_int_equal(srp_sdc_relation(s, c, 3), 0);
    srp_sdc_solve(s);
    assert_int_equal(srp_sdc_state(s, c[0]), SRP_SDC_SMALL);
    assert_true(srp_sdc_narrow(s, c[0]));
    srp_sdc_report rep;
    srp_sdc_report_of(s, &rep);
    assert_true(rep.narrow >= 1);
    srp_sdc_free(s);
}

/* A zero withheld with its group but pinned by a published figure and a
 * relation of this problem is published; pinned only through another
 * query's figure, it stays withheld. */
static void test_provable_zero_published(void **state)
{
    (void)state;
    srp_sdc *s = srp_sdc_new(5);
    size_t a = srp_sdc_cell(s, 3, 0, 1), b = srp_sdc_cell(s, 9, 0, 2), z = srp_sdc_cell(s, 0, 1, 3),
           y = srp_sdc_cell(s, 7, 0, 4), w = srp_sdc_cell(s, 0, 1, 5), v = srp_sdc_cell(s, 8, 0, 6);
    size_t ab[2] = {a, b}, zy[2] = {z, y}, wv[2] = {w, v};
    assert_int_equal(srp_sdc_relation(s, ab, 2), 0);
    assert_int_equal(srp_sdc_relation(s, zy, 2), 0);
    assert_int_equal(srp_sdc_relation_outside(s, wv, 2), 0);
    srp_sdc_solve(s);
    assert_int_equal(srp_sdc_state(s, a), SRP_SDC_SMALL);
    assert_int_equal(srp_sdc_state(s, b), SRP_SDC_SECONDARY);
    assert_int_equal(srp_sdc_state(s, z), SRP_SDC_PUBLISHED);
    assert_true(srp_sdc_released(s, z));
    assert_int_equal(srp_sdc_state(s, w), SRP_SDC_GROUP);
    assert_false(srp_sdc_released(s, w));
    srp_sdc_free(s);
}

/* The denominator as a cell: the non-missing options add up to it. With it
 * published beside one small option, a second option must go too. */
static void test_relation_total(void **state)
{
    (void)state;
    srp_sdc *s = srp_sdc_new(5);
    size_t o[3] = {srp_sdc_cell(s, 2, 0, 1), srp_sdc_cell(s, 12, 0, 2), srp_sdc_cell(s, 30, 0, 3)};
    size_t d = srp_sdc_cell(s, 44, 0, 4);
    assert_int_equal(srp_sdc_relation_total(s, o, 3, d), 0);
    assert_int_equal(srp_sdc_solve(s), 1);
    assert_int_equal(srp_sdc_state(s, o[1]), SRP_SDC_SECONDARY); /* cheaper than 30 or 44 */
    assert_int_equal(srp_sdc_state(s, d), SRP_SDC_PUBLISHED);
    assert_interval(s, o[0], 0, 14);
    srp_sdc_free(s);
}

/* A 3 x 3 table with its margins and one small cell: the cheapest
 * protecting pattern by hand is the rectangle through 6, 8 and 9 (23
 * persons; any other costs at least 6 + 40 + 7 = 53). Then 2 lies in
 * [0, 8]. The quick start alone takes more (the cheapest cell of each
 * relation in turn); thinning brings it down to the optimum. */
static void table3(srp_sdc *s, size_t *cell)
{
    static const long counts[9] = {2, 30, 6, 40, 50, 7, 8, 60, 9};
    for (size_t i = 0; i < 9; i++)
        cell[i] = srp_sdc_cell(s, counts[i], 0, 100 + i);
    for (size_t r = 0; r < 3; r++) {
        size_t row[3] = {cell[r * 3], cell[r * 3 + 1], cell[r * 3 + 2]};
        size_t col[3] = {cell[r], cell[3 + r], cell[6 + r]};
        assert_int_equal(srp_sdc_relation(s, row, 3), 0);
        assert_int_equal(srp_sdc_relation(s, col, 3), 0);
    }
}

static void test_least_cost_by_hand(void **state)
{
    (void)state;
    for (int thin = 0; thin < 2; thin++) {
        srp_sdc *s = srp_sdc_new(5);
        size_t cell[9];
        srp_sdc_set_thinning(s, thin);
        srp_sdc_set_exact_intervals(s, 1);
        table3(s, cell);
        size_t added = srp_sdc_solve(s);
        srp_sdc_report rep;
        srp_sdc_report_of(s, &rep);
        if (!thin) { /* the quick start alone: protected, at a higher cost */
            assert_true(added >= 3);
            assert_true(rep.persons_hidden > 2 + 23);
            double lo, hi;
            srp_sdc_interval(s, cell[0], &lo, &hi);
            assert_true(lo <= 0 && hi >= 4);
            srp_sdc_free(s);
            continue;
        }
        assert_int_equal(added, 3);
        for (size_t i = 0; i < 9; i++)
            assert_int_equal(srp_sdc_state(s, cell[i]), i == 0 ? SRP_SDC_SMALL
                                                        : i == 2 || i == 6 || i == 8
                                                            ? SRP_SDC_SECONDARY
                                                            : SRP_SDC_PUBLISHED);
        assert_interval(s, cell[0], 0, 8);
        assert_int_equal(rep.persons_hidden, 2 + 23);
        srp_sdc_free(s);
    }
}

/* Thinning publishes a secondary the audit does not need: the quick start
 * takes 40 (the cheapest in the first relation), which the second relation
 * (with 45 withheld by the costs given) makes needless. */
static void test_thinning_publishes_the_needless(void **state)
{
    (void)state;
    srp_sdc *s = srp_sdc_new(5);
    srp_sdc_set_thinning(s, 1);
    size_t a = srp_sdc_cell(s, 3, 0, 1), b = srp_sdc_cell(s, 40, 0, 2),
           c = srp_sdc_cell(s, 45, 0, 3), d = srp_sdc_cell(s, 50, 0, 4);
    srp_sdc_set_cost(s, c, 1000); /* say, a group's total */
    size_t abd[3] = {a, b, d}, ac[2] = {a, c};
    assert_int_equal(srp_sdc_relation(s, abd, 3), 0);
    assert_int_equal(srp_sdc_relation(s, ac, 2), 0);
    /* ac needs c whatever it costs; then abd still needs b or d: b stays. */
    assert_int_equal(srp_sdc_solve(s), 2);
    assert_int_equal(srp_sdc_state(s, b), SRP_SDC_SECONDARY);
    assert_int_equal(srp_sdc_state(s, c), SRP_SDC_SECONDARY);
    assert_int_equal(srp_sdc_state(s, d), SRP_SDC_PUBLISHED);
    srp_sdc_free(s);
}

/* A kept cell is never a complement: 2 (small) + 9 (kept) + 12 = known;
 * the dearer 12 goes instead of 9. A held cell stays withheld although
 * nothing needs it, unless the published ones pin it; a latent one needs
 * no interval of its own. */
static void test_kept_held_latent(void **state)
{
    (void)state;
    srp_sdc *s = srp_sdc_new(5);
    size_t c[3] = {srp_sdc_cell(s, 2, 0, 1), srp_sdc_cell(s, 9, 0, 2), srp_sdc_cell(s, 12, 0, 3)};
    srp_sdc_keep(s, c[1]);
    assert_int_equal(srp_sdc_relation(s, c, 3), 0);
    srp_sdc_solve(s);
    assert_int_equal(srp_sdc_state(s, c[0]), SRP_SDC_SMALL);
    assert_int_equal(srp_sdc_state(s, c[1]), SRP_SDC_PUBLISHED);
    assert_int_equal(srp_sdc_state(s, c[2]), SRP_SDC_SECONDARY);
    srp_sdc_free(s);

    /* answered (7) + skipped (latent, 2) = enabling option (9): the latent
     * is withheld for good, so answered may be published and the option
     * too, while the latent small count is not reported narrow. */
    s = srp_sdc_new(5);
    size_t answered = srp_sdc_cell(s, 7, 0, 1), skipped = srp_sdc_cell(s, 2, 0, 2),
           option = srp_sdc_cell(s, 9, 0, 3), held = srp_sdc_cell(s, 30, 0, 4),
           other = srp_sdc_cell(s, 30, 0, 5);
    srp_sdc_latent(s, skipped);
    srp_sdc_hold(s, held);
    size_t pair[2] = {answered, skipped}, two[2] = {held, other};
    assert_int_equal(srp_sdc_relation_total(s, pair, 2, option), 0);
    assert_int_equal(srp_sdc_relation(s, two, 2), 0);
    srp_sdc_solve(s);
    assert_int_equal(srp_sdc_state(s, answered), SRP_SDC_PUBLISHED);
    assert_int_equal(srp_sdc_state(s, option), SRP_SDC_PUBLISHED);
    assert_int_not_equal(srp_sdc_state(s, skipped), SRP_SDC_PUBLISHED);
    assert_int_equal(srp_sdc_narrow(s, skipped), 0);
    /* Pinned (30 + 30, the other published): the output gives it, so it
     * is published, although another query withholds it. */
    assert_int_equal(srp_sdc_state(s, held), SRP_SDC_PUBLISHED);
    assert_int_equal(srp_sdc_released(s, held), 1);
    srp_sdc_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_primary),
        cmocka_unit_test(test_secondary_takes_the_smallest_nonzero),
        cmocka_unit_test(test_all_zero_rest_still_hides),
        cmocka_unit_test(test_two_by_two),
        cmocka_unit_test(test_chain_and_settled),
        cmocka_unit_test(test_order_free),
        cmocka_unit_test(test_large_relation),
        cmocka_unit_test(test_intervals_by_hand),
        cmocka_unit_test(test_repair_widens),
        cmocka_unit_test(test_unprotectable_is_reported),
        cmocka_unit_test(test_provable_zero_published),
        cmocka_unit_test(test_relation_total),
        cmocka_unit_test(test_least_cost_by_hand),
        cmocka_unit_test(test_thinning_publishes_the_needless),
        cmocka_unit_test(test_kept_held_latent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
