/*
 * ptable.c - perturbation tables by maximum entropy, as the R package ptable
 * builds them (see ptable.h for the construction).
 *
 * Each row is a small convex problem: maximise -sum p log p over at most
 * 2D + 1 probabilities under linear constraints. It is solved through its
 * dual, which is smooth and convex with simple bounds: with multipliers
 * b (mean), c >= 0 (variance), m >= 0 (monotony) and l >= 0 (p >= 1e-8),
 *   t_k = b v_k + c v_k^2 + m_k - m_(k-1) - l_k,   p_k = exp(-t_k) / sum exp(-t),
 *   H = log sum exp(-t) + c V - 1e-8 sum l    (minimised),
 * by projected Newton steps with a backtracking line search. The primal
 * optimum is the p of the dual optimum; a row whose constraints cannot all
 * hold (the dual is unbounded) is refused, as the package refuses it.
 */
#include "ptable.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

#define NMAX (2 * SRP_PTABLE_D_MAX + 1)
#define YMAX (2 + NMAX + NMAX)
#define P_MIN 1e-8 /* the package's lower bound of every probability */

typedef struct problem {
    int n;                /* targets */
    double v[NMAX];       /* their noise */
    int ny;               /* dual variables */
    double f[YMAX][NMAX]; /* d t_k / d y_i */
    double r[YMAX];       /* the linear part of H */
    int bounded[YMAX];    /* y_i >= 0 */
} problem;

/* p, H and the gradient at y. */
static double evaluate(const problem *pb, const double *y, double *p, double *g)
{
    double t[NMAX], tmin = INFINITY;
    for (int k = 0; k < pb->n; k++) {
        t[k] = 0;
        for (int i = 0; i < pb->ny; i++)
            t[k] += y[i] * pb->f[i][k];
        if (t[k] < tmin)
            tmin = t[k];
    }
    double s = 0;
    for (int k = 0; k < pb->n; k++)
        s += p[k] = exp(-(t[k] - tmin));
    double h = -tmin + log(s);
    for (int k = 0; k < pb->n; k++)
        p[k] /= s;
    for (int i = 0; i < pb->ny; i++) {
        h += pb->r[i] * y[i];
        if (g) {
            g[i] = pb->r[i];
            for (int k = 0; k < pb->n; k++)
                g[i] -= p[k] * pb->f[i][k];
        }
    }
    return h;
}

/* Solves a x = b for a symmetric positive definite n x n (row stride YMAX),
 * by Cholesky; -1 when a is not positive definite. */
static int cholesky_solve(double a[][YMAX], int n, double *b)
{
    for (int j = 0; j < n; j++) {
        double d = a[j][j];
        for (int k = 0; k < j; k++)
            d -= a[j][k] * a[j][k];
        if (!(d > 0))
            return -1;
        a[j][j] = sqrt(d);
        for (int i = j + 1; i < n; i++) {
            double s = a[i][j];
            for (int k = 0; k < j; k++)
                s -= a[i][k] * a[j][k];
            a[i][j] = s / a[j][j];
        }
    }
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < i; k++)
            b[i] -= a[i][k] * b[k];
        b[i] /= a[i][i];
    }
    for (int i = n - 1; i >= 0; i--) {
        for (int k = i + 1; k < n; k++)
            b[i] -= a[k][i] * b[k];
        b[i] /= a[i][i];
    }
    return 0;
}

/* The maximum-entropy p of one row; -1 when its constraints cannot hold. */
static int solve_row(problem *pb, double variance, double *p)
{
    double y[YMAX] = {0}, g[YMAX], yn[YMAX], pn[NMAX];
    double h = evaluate(pb, y, p, g);
    for (int it = 0; it < 2000; it++) {
        int free_idx[YMAX], nf = 0;
        double pg = 0;
        for (int i = 0; i < pb->ny; i++)
            if (!pb->bounded[i] || y[i] > 1e-15 || g[i] < 0) {
                free_idx[nf++] = i;
                if (fabs(g[i]) > pg)
                    pg = fabs(g[i]);
            }
        if (pg < 1e-14)
            break;
        /* The Hessian on the free variables: the covariance of the features. */
        double mean[YMAX], hess[YMAX][YMAX], d[YMAX];
        for (int a = 0; a < nf; a++) {
            mean[a] = 0;
            for (int k = 0; k < pb->n; k++)
                mean[a] += p[k] * pb->f[free_idx[a]][k];
        }
        double mu = 1e-12;
        int solved = 0;
        for (int tries = 0; tries < 30 && !solved; tries++, mu *= 10) {
            for (int a = 0; a < nf; a++) {
                for (int c = 0; c <= a; c++) {
                    double s = 0;
                    for (int k = 0; k < pb->n; k++)
                        s += p[k] * pb->f[free_idx[a]][k] * pb->f[free_idx[c]][k];
                    hess[a][c] = hess[c][a] = s - mean[a] * mean[c];
                }
                hess[a][a] += mu;
                d[a] = -g[free_idx[a]];
            }
            solved = cholesky_solve(hess, nf, d) == 0;
        }
        if (!solved)
            break;
        double step = 1;
        int accepted = 0;
        for (int ls = 0; ls < 60 && !accepted; ls++, step /= 2) {
            double decrease = 0;
            memcpy(yn, y, sizeof yn);
            for (int a = 0; a < nf; a++) {
                int i = free_idx[a];
                yn[i] = y[i] + step * d[a];
                if (pb->bounded[i] && yn[i] < 0)
                    yn[i] = 0;
                decrease += g[i] * (yn[i] - y[i]);
            }
            double hn = evaluate(pb, yn, pn, NULL);
            if (hn <= h + 1e-4 * decrease || (decrease > -1e-300 && hn <= h)) {
                accepted = 1;
                memcpy(y, yn, sizeof y);
                h = evaluate(pb, y, p, g);
            }
        }
        if (!accepted)
            break;
    }
    /* The primal constraints, as a check that the dual had an optimum. */
    double m1 = 0, m2 = 0;
    for (int k = 0; k < pb->n; k++) {
        m1 += p[k] * pb->v[k];
        m2 += p[k] * pb->v[k] * pb->v[k];
        if (p[k] < P_MIN * (1 - 1e-6))
            return -1;
    }
    return fabs(m1) <= 1e-9 && m2 <= variance + 1e-9 ? 0 : -1;
}

static double round8(double x)
{
    return round(x * 1e8) / 1e8;
}

void srp_ptable_free(srp_ptable *pt)
{
    if (!pt)
        return;
    free(pt->entries);
    free(pt->row_start);
    free(pt);
}

sr_status srp_ptable_check(int d, double v, int js, sr_error *err)
{
    if (d < SRP_PTABLE_D_MIN || d > SRP_PTABLE_D_MAX)
        return srp_error_set_where(err, SR_ERR_USAGE, "ptable_d",
                                   "the largest noise D must be %d to %d", SRP_PTABLE_D_MIN,
                                   SRP_PTABLE_D_MAX);
    if (!(v >= SRP_PTABLE_V_MIN - 1e-12 && v <= SRP_PTABLE_V_MAX + 1e-12))
        return srp_error_set_where(err, SR_ERR_USAGE, "ptable_v",
                                   "the noise variance V must be %.1f to %.1f", SRP_PTABLE_V_MIN,
                                   SRP_PTABLE_V_MAX);
    if (js < 0 || js > SRP_PTABLE_JS_MAX)
        return srp_error_set_where(err, SR_ERR_USAGE, "ptable_js",
                                   "the blocked counts js must be 0 to %d", SRP_PTABLE_JS_MAX);
    return SR_OK;
}

sr_status srp_ptable_create(int d, double v, int js, srp_ptable **out, sr_error *err)
{
    *out = NULL;
    sr_status rc = srp_ptable_check(d, v, js, err);
    if (rc != SR_OK)
        return rc;
    int ncat = js == 0 ? d : d + js + 1;
    srp_ptable *pt = calloc(1, sizeof *pt);
    size_t cap = 1 + (size_t)ncat * (size_t)(2 * d + 1);
    if (!pt || !(pt->entries = calloc(cap, sizeof *pt->entries)) ||
        !(pt->row_start = calloc((size_t)ncat + 2, sizeof *pt->row_start))) {
        srp_ptable_free(pt);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    pt->d = d;
    pt->v = v;
    pt->js = js;
    pt->rows = ncat + 1;
    pt->entries[0] = (srp_ptable_entry){0, 0, 0, 1.0, 0.0, 1.0};
    pt->count = 1;
    pt->row_start[0] = 0;
    for (int i = 1; i <= ncat; i++) {
        problem pb;
        memset(&pb, 0, sizeof pb);
        int js_of[NMAX];
        int zero = -1;
        for (int j = i - d < 0 ? 0 : i - d; j <= i + d; j++) {
            if (j >= 1 && j <= js)
                continue;
            if (j == i)
                zero = pb.n;
            js_of[pb.n] = j;
            pb.v[pb.n++] = j - i;
        }
        /* b (mean), c (variance), the monotony below v = 0, p >= 1e-8 */
        for (int k = 0; k < pb.n; k++)
            pb.f[0][k] = pb.v[k];
        for (int k = 0; k < pb.n; k++)
            pb.f[1][k] = pb.v[k] * pb.v[k];
        pb.r[1] = v;
        pb.bounded[1] = 1;
        pb.ny = 2;
        for (int a = 0; a < zero; a++) { /* p[a] <= p[a + 1] */
            pb.f[pb.ny][a] = 1;
            pb.f[pb.ny][a + 1] = -1;
            pb.bounded[pb.ny++] = 1;
        }
        for (int k = 0; k < pb.n; k++) {
            pb.f[pb.ny][k] = -1;
            pb.r[pb.ny] = -P_MIN;
            pb.bounded[pb.ny++] = 1;
        }
        double p[NMAX];
        if (solve_row(&pb, v, p) != 0) {
            srp_ptable_free(pt);
            return srp_error_set_where(err, SR_ERR_USAGE, "ptable_v",
                                       "no perturbation table has the variance %g with D = %d "
                                       "and js = %d: the variance is too small",
                                       v, d, js);
        }
        pt->row_start[i] = pt->count;
        double cum = 0;
        for (int k = 0; k < pb.n; k++) {
            srp_ptable_entry *en = &pt->entries[pt->count++];
            cum += p[k];
            en->i = i;
            en->j = js_of[k];
            en->v = (int)pb.v[k];
            en->ub = round8(cum);
            en->lb = round8(cum - p[k]);
            en->p = en->ub - en->lb;
        }
    }
    pt->row_start[ncat + 1] = pt->count;
    *out = pt;
    return SR_OK;
}

const srp_ptable_entry *srp_ptable_lookup(const srp_ptable *pt, long count, double r)
{
    int row = count < 0 ? 0 : count >= pt->rows - 1 ? pt->rows - 1 : (int)count;
    size_t first = pt->row_start[row], end = pt->row_start[row + 1];
    for (size_t k = first; k < end; k++)
        if (r >= pt->entries[k].lb && r < pt->entries[k].ub)
            return &pt->entries[k];
    return &pt->entries[end - 1]; /* r at or above the last bound (rounding) */
}

long srp_ptable_perturb(const srp_ptable *pt, long count, double r)
{
    if (count <= 0)
        return 0;
    return count + srp_ptable_lookup(pt, count, r)->v;
}
