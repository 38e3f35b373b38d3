/*
 * test_disclosure.c - primary and secondary suppression (white-box) on
 * small hand-built tables whose answer is known: which cells are withheld,
 * for which reason, that ties go by identity, that the order cells and
 * relations are added in does not matter, and that relations of any size
 * are taken whole.
 */
#include "testutil.h"

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
