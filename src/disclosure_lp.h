/*
 * disclosure_lp.h - the attacker's intervals by linear programming (internal).
 *
 * Given unknowns x >= 0 (the withheld counts of one connected part of a
 * disclosure problem), linear equalities over them that an outsider knows
 * (row . x = rhs), and one point that satisfies them (the true counts), this
 * finds for each unknown the least and the greatest value the equalities
 * allow: the tightest interval an LP attacker can derive. One model per
 * solver object, loaded with each problem in turn and solved again with only
 * the objective changed (CoinOR Clp, warm-started).
 * This is the only module that uses the LP solver; it knows nothing of cells,
 * forms or registries, and never prints.
 */
#ifndef SIGREG_DISCLOSURE_LP_H
#define SIGREG_DISCLOSURE_LP_H

#include <stddef.h>

/* Rows in compressed form: row r's entries are row_col/row_coef from
 * row_start[r] to row_start[r + 1]. value[c] is a feasible point (the truth). */
typedef struct srp_lp_problem {
    size_t cols, rows;
    const size_t *row_start;
    const size_t *row_col;
    const double *row_coef;
    const double *rhs;
    const double *value;
} srp_lp_problem;

/* A solver kept across problems (its model and scratch space), so that
 * many small problems do not each pay the solver's set-up. One per thread.
 * srp_lp_solver_new returns NULL when out of memory; the caller frees it
 * with srp_lp_solver_free (NULL is a no-op). */
typedef struct srp_lp_solver srp_lp_solver;
srp_lp_solver *srp_lp_solver_new(void);
void srp_lp_solver_free(srp_lp_solver *sv);
/* Whether the shortcuts are taken (default on; off for tests, which compare
 * the two): the unknowns the rows pin by themselves are answered first, the
 * rest is solved block by block (unknowns that share no row), and a small
 * block with at most one degree of freedom is answered by elimination
 * instead of the simplex. Off, the whole problem goes to the simplex. */
void srp_lp_solver_set_algebra(srp_lp_solver *sv, int on);

/* Fills lo[c] and hi[c] (hi is HUGE_VAL when unbounded) for every column c
 * with want == NULL or want[c] != 0. A column whose feasible values seen so
 * far (the truth and every optimum found, its own minimum among them)
 * already span at least `enough` and differ is not solved for (further):
 * then [lo, hi] is that inner span and exact[c] is 0, else the interval is
 * the LP's and exact[c] is 1. *solves
 * (may be NULL) is increased by the LPs solved. Returns 0, or -1 when out of
 * memory or when the solver fails (then nothing in lo/hi is to be trusted). */
int srp_lp_intervals(srp_lp_solver *sv, const srp_lp_problem *p, const unsigned char *want,
                     double enough, double *lo, double *hi, unsigned char *exact, size_t *solves);

/* Whether every wanted column c's interval is at least need[c] wide: each
 * is solved only as far as it takes to tell, and the first that is not
 * ends the run. *verdict is 1 when all are, else 0; lo/hi/exact are filled
 * for the columns looked at (an inner span, exact 0, for those found wide
 * enough). Returns 0, or -1 as srp_lp_intervals. */
int srp_lp_wide_enough(srp_lp_solver *sv, const srp_lp_problem *p, const unsigned char *want,
                       const double *need, double *lo, double *hi, unsigned char *exact,
                       size_t *solves, int *verdict);

#endif
