/*
 * disclosure_lp.c - min and max of each unknown under known sums, with Clp.
 */
#include "disclosure_lp.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include <coin/Clp_C_Interface.h>

/* An optimum within the solver's tolerance of a whole number is that number. */
static double tidy(double x)
{
    double r = floor(x + 0.5);
    return fabs(x - r) < 1e-7 ? r : x;
}

static void observe(const srp_lp_problem *p, const double *x, double *seen_lo, double *seen_hi)
{
    for (size_t c = 0; c < p->cols; c++) {
        double v = tidy(x[c]);
        if (v < seen_lo[c])
            seen_lo[c] = v;
        if (v > seen_hi[c])
            seen_hi[c] = v;
    }
}

/* Solves for column c in direction dir (1 min, -1 max): 0 optimal, 1
 * unbounded, -1 failed. The value is x[c] of the optimum. */
static int optimise(Clp_Simplex *m, double *obj, size_t c, double dir, int *first, double *value)
{
    obj[c] = 1.0;
    Clp_chgObjCoefficients(m, obj);
    obj[c] = 0.0;
    Clp_setOptimizationDirection(m, dir);
    if (*first) {
        Clp_initialSolve(m);
        *first = 0;
    } else {
        Clp_primal(m, 0);
    }
    int status = Clp_status(m);
    if (status == 2)
        return 1;
    if (status != 0)
        return -1;
    *value = tidy(Clp_primalColumnSolution(m)[c]);
    return 0;
}

/* Both entry points: with need (per column) every wanted column is solved
 * only until its interval is that wide, and the first narrower one ends
 * the run with *verdict 0. */
static int columns(const srp_lp_problem *p, const unsigned char *want, double enough,
                   const double *need, double *lo, double *hi, unsigned char *exact, size_t *solves,
                   int *verdict)
{
    int rc = -1;
    size_t n = p->cols, nnz = p->row_start[p->rows];
    Clp_Simplex *m = NULL;
    CoinBigIndex *start = calloc(n + 1, sizeof *start);
    int *index = malloc((nnz ? nnz : 1) * sizeof *index);
    double *value = malloc((nnz ? nnz : 1) * sizeof *value);
    double *obj = calloc(n ? n : 1, sizeof *obj);
    double *seen_lo = malloc((n ? n : 1) * sizeof *seen_lo);
    double *seen_hi = malloc((n ? n : 1) * sizeof *seen_hi);
    CoinBigIndex *fill = malloc((n ? n : 1) * sizeof *fill);
    if (!start || !index || !value || !obj || !seen_lo || !seen_hi || !fill)
        goto out;
    if (p->rows > (size_t)INT_MAX - 1 || n > (size_t)INT_MAX - 1)
        goto out;
    /* The rows, turned into the columns Clp takes. */
    for (size_t k = 0; k < nnz; k++)
        start[p->row_col[k] + 1]++;
    for (size_t c = 0; c < n; c++)
        start[c + 1] += start[c];
    for (size_t c = 0; c < n; c++)
        fill[c] = start[c];
    for (size_t r = 0; r < p->rows; r++)
        for (size_t k = p->row_start[r]; k < p->row_start[r + 1]; k++) {
            CoinBigIndex at = fill[p->row_col[k]]++;
            index[at] = (int)r;
            value[at] = p->row_coef[k];
        }
    for (size_t c = 0; c < n; c++)
        seen_lo[c] = seen_hi[c] = p->value[c];
    m = Clp_newModel();
    if (!m)
        goto out;
    Clp_setLogLevel(m, 0);
    Clp_loadProblem(m, (int)n, (int)p->rows, start, index, value, NULL, NULL, NULL, p->rhs, p->rhs);
    int first = 1;
    if (verdict)
        *verdict = 1;
    for (size_t c = 0; c < n; c++) {
        if (want && !want[c])
            continue;
        if (need)
            enough = need[c];
        if (seen_hi[c] - seen_lo[c] >= enough && seen_hi[c] > seen_lo[c]) {
            lo[c] = seen_lo[c];
            hi[c] = seen_hi[c];
            exact[c] = 0;
            continue;
        }
        double v = 0;
        if (optimise(m, obj, c, 1.0, &first, &v) != 0) /* a minimum always exists */
            goto out;
        lo[c] = v < 0 ? 0 : v;
        observe(p, Clp_primalColumnSolution(m), seen_lo, seen_hi);
        if (solves)
            *solves += 1;
        if (need && seen_hi[c] - seen_lo[c] >= enough && seen_hi[c] > seen_lo[c]) {
            hi[c] = seen_hi[c]; /* wide enough: its maximum is not needed */
            exact[c] = 0;
            continue;
        }
        int st = optimise(m, obj, c, -1.0, &first, &v);
        if (st < 0)
            goto out;
        hi[c] = st == 1 ? HUGE_VAL : v;
        if (st == 0)
            observe(p, Clp_primalColumnSolution(m), seen_lo, seen_hi);
        exact[c] = 1;
        if (solves)
            *solves += 1;
        if (need && hi[c] - lo[c] < enough - 1e-6) {
            *verdict = 0;
            break;
        }
    }
    rc = 0;
out:
    if (m)
        Clp_deleteModel(m);
    free(start);
    free(index);
    free(value);
    free(obj);
    free(seen_lo);
    free(seen_hi);
    free(fill);
    return rc;
}

int srp_lp_intervals(const srp_lp_problem *p, const unsigned char *want, double enough, double *lo,
                     double *hi, unsigned char *exact, size_t *solves)
{
    return columns(p, want, enough, NULL, lo, hi, exact, solves, NULL);
}

int srp_lp_wide_enough(const srp_lp_problem *p, const unsigned char *want, const double *need,
                       double *lo, double *hi, unsigned char *exact, size_t *solves, int *verdict)
{
    return columns(p, want, 0, need, lo, hi, exact, solves, verdict);
}
