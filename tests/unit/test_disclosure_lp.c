/*
 * test_disclosure_lp.c - the attacker's intervals (white-box): hand-computed
 * intervals of small tables (a point, a segment, an unbounded ray, a chain
 * of rows that pin one unknown after another), and the answers of the
 * algebra for small problems against the simplex's, over
 * random problems of many sizes solved one after the other by the same
 * solver object (a model reused across problems must not keep anything of
 * the last one).
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

#include "disclosure_lp.h"

#define MAX_COLS 40
#define MAX_ROWS 60
#define MAX_NNZ (MAX_COLS * MAX_ROWS)

typedef struct built {
    size_t row_start[MAX_ROWS + 1], row_col[MAX_NNZ];
    double row_coef[MAX_NNZ], rhs[MAX_ROWS], value[MAX_COLS];
    srp_lp_problem p;
} built;

/* rows: for each row, its columns, with coefficient -1 where minus[] says,
 * ended by -1; the right-hand sides come from the truth. */
static void build(built *b, size_t cols, const double *truth, const int *const *rows, size_t nrows)
{
    size_t nnz = 0;
    b->row_start[0] = 0;
    for (size_t r = 0; r < nrows; r++) {
        double sum = 0;
        for (const int *e = rows[r]; *e != 0; e++) {
            size_t c = (size_t)abs(*e) - 1;
            double coef = *e < 0 ? -1.0 : 1.0;
            b->row_col[nnz] = c;
            b->row_coef[nnz++] = coef;
            sum += coef * truth[c];
        }
        b->rhs[r] = sum;
        b->row_start[r + 1] = nnz;
    }
    for (size_t c = 0; c < cols; c++)
        b->value[c] = truth[c];
    b->p = (srp_lp_problem){cols, nrows, b->row_start, b->row_col, b->row_coef, b->rhs, b->value};
}

static void exact_intervals(srp_lp_solver *sv, const srp_lp_problem *p, double *lo, double *hi)
{
    unsigned char exact[MAX_COLS];
    size_t solves = 0;
    assert_int_equal(srp_lp_intervals(sv, p, NULL, HUGE_VAL, lo, hi, exact, &solves), 0);
    for (size_t c = 0; c < p->cols; c++)
        assert_int_equal(exact[c], 1);
    assert_int_equal(solves, 2 * p->cols); /* a program per bound, by algebra or not */
}

/* A 2 x 2 table with its margins published: a + b = 5, c + d = 5,
 * a + c = 4, b + d = 6, truth a = 1, b = 4, c = 3, d = 2. One degree of
 * freedom: a in [max(0, 4 - 5), min(5, 4)] = [0, 4], b = 5 - a in [1, 5],
 * c = 4 - a in [0, 4], d = 1 + a in [1, 5]. A lone cell of a row is
 * pinned; a cell equal to another (x - y = 0) is unbounded above. */
static void test_hand_computed(void **state)
{
    (void)state;
    for (int algebra = 0; algebra <= 1; algebra++) {
        srp_lp_solver *sv = srp_lp_solver_new();
        assert_non_null(sv);
        srp_lp_solver_set_algebra(sv, algebra);
        built b;
        double lo[MAX_COLS], hi[MAX_COLS];
        const double t4[] = {1, 4, 3, 2};
        const int r1[] = {1, 2, 0}, r2[] = {3, 4, 0}, r3[] = {1, 3, 0}, r4[] = {2, 4, 0};
        const int *table[] = {r1, r2, r3, r4};
        build(&b, 4, t4, table, 4);
        exact_intervals(sv, &b.p, lo, hi);
        const double want_lo[] = {0, 1, 0, 1}, want_hi[] = {4, 5, 4, 5};
        for (int c = 0; c < 4; c++) {
            assert_true(fabs(lo[c] - want_lo[c]) < 1e-9);
            assert_true(fabs(hi[c] - want_hi[c]) < 1e-9);
        }
        /* x1 alone in a row, x1 + x2 = 7 */
        const double t2[] = {3, 4};
        const int p1[] = {1, 0}, p2[] = {1, 2, 0};
        const int *pinned[] = {p1, p2};
        build(&b, 2, t2, pinned, 2);
        exact_intervals(sv, &b.p, lo, hi);
        assert_true(lo[0] == 3 && hi[0] == 3 && lo[1] == 4 && hi[1] == 4);
        /* x1 - x2 = 0 */
        const double t22[] = {2, 2};
        const int e1[] = {1, -2, 0};
        const int *equal[] = {e1};
        build(&b, 2, t22, equal, 1);
        exact_intervals(sv, &b.p, lo, hi);
        assert_true(lo[0] == 0 && isinf(hi[0]) && lo[1] == 0 && isinf(hi[1]));
        /* A chain the rows pin without a program: x1 + x2 = 0 makes both 0;
         * then x1 + x3 = 2 leaves x3 = 2 alone; then x3 + x4 - x5 = 2 is
         * x4 = x5, unbounded; x5 + x6 = 4 bounds them: x4, x5 in [0, 4],
         * x6 in [0, 4]. */
        const double t6[] = {0, 0, 2, 1, 1, 3};
        const int c1[] = {1, 2, 0}, c2[] = {1, 3, 0}, c3[] = {3, 4, -5, 0}, c4[] = {5, 6, 0};
        const int *chain[] = {c1, c2, c3, c4};
        build(&b, 6, t6, chain, 4);
        exact_intervals(sv, &b.p, lo, hi);
        const double chain_lo[] = {0, 0, 2, 0, 0, 0}, chain_hi[] = {0, 0, 2, 4, 4, 4};
        for (int c = 0; c < 6; c++) {
            assert_true(fabs(lo[c] - chain_lo[c]) < 1e-9);
            assert_true(fabs(hi[c] - chain_hi[c]) < 1e-9);
        }
        /* Asked whether each is 4 wide: x1 is not (two programs, counted
         * as the solver would count them, and the run ends); x4 to x6
         * alone are. */
        double need6[] = {4, 4, 4, 4, 4, 4};
        unsigned char ex6[6], want6[] = {0, 0, 0, 1, 1, 1};
        int verdict = -1;
        size_t solves = 0;
        assert_int_equal(srp_lp_wide_enough(sv, &b.p, NULL, need6, lo, hi, ex6, &solves, &verdict),
                         0);
        assert_int_equal(verdict, 0);
        assert_true(solves >= 2);
        assert_int_equal(srp_lp_wide_enough(sv, &b.p, want6, need6, lo, hi, ex6, NULL, &verdict),
                         0);
        assert_int_equal(verdict, 1);
        srp_lp_solver_free(sv);
    }
    srp_lp_solver_free(NULL);
}

static unsigned long long rng = 0x2545F4914F6CDD1DULL;
static unsigned next(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* Random problems of 1 to 40 unknowns, sparse rows of +1 (sometimes one -1,
 * a total), small whole truths with zeros among them: the algebra and the
 * simplex agree, and neither remembers the problem before. */
static void test_algebra_agrees_with_the_simplex(void **state)
{
    (void)state;
    srp_lp_solver *with = srp_lp_solver_new(), *without = srp_lp_solver_new();
    assert_non_null(with);
    assert_non_null(without);
    srp_lp_solver_set_algebra(without, 0);
    size_t by_algebra = 0;
    for (int round = 0; round < 400; round++) {
        size_t cols = 1 + next(round % 10 == 9 ? MAX_COLS : 6);
        size_t rows = next((unsigned)(cols + 3));
        double truth[MAX_COLS];
        for (size_t c = 0; c < cols; c++)
            truth[c] = next(3) == 0 ? 0 : 1 + next(6);
        built b;
        size_t nnz = 0;
        b.row_start[0] = 0;
        for (size_t r = 0; r < rows; r++) {
            double sum = 0;
            size_t total = next(4) == 0 ? next((unsigned)cols) : (size_t)-1;
            for (size_t c = 0; c < cols; c++)
                if (c == total || next(3) == 0) {
                    double coef = c == total ? -1.0 : 1.0;
                    b.row_col[nnz] = c;
                    b.row_coef[nnz++] = coef;
                    sum += coef * truth[c];
                }
            b.rhs[r] = sum;
            b.row_start[r + 1] = nnz;
        }
        for (size_t c = 0; c < cols; c++)
            b.value[c] = truth[c];
        b.p = (srp_lp_problem){cols, rows, b.row_start, b.row_col, b.row_coef, b.rhs, b.value};
        double lo1[MAX_COLS], hi1[MAX_COLS], lo2[MAX_COLS], hi2[MAX_COLS];
        exact_intervals(with, &b.p, lo1, hi1);
        exact_intervals(without, &b.p, lo2, hi2);
        int dof_small = 1;
        for (size_t c = 0; c < cols; c++) {
            assert_true(fabs(lo1[c] - lo2[c]) < 1e-6);
            assert_true(isinf(hi1[c]) == isinf(hi2[c]));
            if (!isinf(hi1[c]))
                assert_true(fabs(hi1[c] - hi2[c]) < 1e-6);
            assert_true(lo1[c] <= truth[c] + 1e-9 && hi1[c] >= truth[c] - 1e-9);
            dof_small &= lo1[c] == hi1[c];
        }
        by_algebra += dof_small;
        /* The narrower question gives the same verdict either way. */
        double need[MAX_COLS], l[MAX_COLS], h[MAX_COLS];
        unsigned char ex[MAX_COLS];
        int v1 = -1, v2 = -1;
        for (size_t c = 0; c < cols; c++)
            need[c] = 2;
        assert_int_equal(srp_lp_wide_enough(with, &b.p, NULL, need, l, h, ex, NULL, &v1), 0);
        assert_int_equal(srp_lp_wide_enough(without, &b.p, NULL, need, l, h, ex, NULL, &v2), 0);
        assert_int_equal(v1, v2);
        int all_wide = 1;
        for (size_t c = 0; c < cols; c++)
            all_wide &= hi1[c] - lo1[c] >= 2 - 1e-6;
        assert_int_equal(v1, all_wide);
    }
    assert_true(by_algebra > 10); /* pinned problems were among them */
    srp_lp_solver_free(with);
    srp_lp_solver_free(without);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_algebra_agrees_with_the_simplex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
