/*
 * disclosure_lp.c - min and max of each unknown under known sums, with Clp.
 *
 * A disclosure audit asks for tens of thousands of small problems (most of
 * one to four unknowns), and for large ones whose unknowns are mostly
 * pinned by their rows. Four things keep that cheap:
 * - what the rows pin by themselves (a row of one unknown left, or of one
 *   sign adding up to 0) is found without a program, in time linear in the
 *   rows, and the rest is solved without those unknowns;
 * - one Clp model per solver object, loaded with each problem in turn (a new
 *   model built its message tables every time);
 * - the first solve of a problem is the dual simplex from the slack basis
 *   (minimising a column is dual feasible there), without presolve, and
 *   every further one the primal simplex from the last basis;
 * - a small problem whose solutions form a point or a segment (at most one
 *   degree of freedom after elimination) is answered by algebra: its end
 *   points are the optima. Such an answer counts as a linear program like
 *   one the solver found, so that the audit's bounds, which count programs,
 *   mean what they meant.
 */
#include "disclosure_lp.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <coin/Clp_C_Interface.h>

/* Problems up to this many unknowns are first looked at by elimination. */
#define SMALL_COLS 16

struct srp_lp_solver {
    Clp_Simplex *m;
    size_t cap, nnz_cap, dense_cap; /* what the scratch arrays below hold */
    CoinBigIndex *start, *fill;
    int *index;
    double *value, *obj, *seen_lo, *seen_hi;
    double *dense; /* a small problem's rows, eliminated */
    double *dir;   /* its one direction of freedom */
    double *point; /* a vertex found by algebra */
    int algebra;   /* see srp_lp_solver_set_algebra */
};

srp_lp_solver *srp_lp_solver_new(void)
{
#ifdef __GLIBC__
    /* Clp allocates its factorization's areas (160 KiB and more) at every
     * solve and frees them at its end. With glibc's defaults each of those
     * goes back to the kernel and is faulted in again: more than half of an
     * audit's CPU time was the kernel's. Keep freed memory in the process
     * (up to 64 MiB) and serve blocks up to 32 MiB from the heap. */
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif
    srp_lp_solver *sv = calloc(1, sizeof *sv);
    if (!sv)
        return NULL;
    sv->m = Clp_newModel();
    if (!sv->m) {
        free(sv);
        return NULL;
    }
    Clp_setLogLevel(sv->m, 0);
    sv->algebra = 1;
    return sv;
}

void srp_lp_solver_set_algebra(srp_lp_solver *sv, int on)
{
    sv->algebra = on != 0;
}

void srp_lp_solver_free(srp_lp_solver *sv)
{
    if (!sv)
        return;
    Clp_deleteModel(sv->m);
    free(sv->start);
    free(sv->fill);
    free(sv->index);
    free(sv->value);
    free(sv->obj);
    free(sv->seen_lo);
    free(sv->seen_hi);
    free(sv->dense);
    free(sv->dir);
    free(sv->point);
    free(sv);
}

static int reserve(void **p, size_t count, size_t size)
{
    void *q = realloc(*p, (count ? count : 1) * size);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

static size_t doubled(size_t have, size_t first, size_t need)
{
    size_t c = have ? have : first;
    while (c < need)
        c *= 2;
    return c;
}

/* Room for n columns, nnz entries and a dense matrix of `dense` numbers. */
static int room(srp_lp_solver *sv, size_t n, size_t nnz, size_t dense)
{
    if (n > sv->cap) {
        size_t c = doubled(sv->cap, 16, n);
        if (reserve((void **)&sv->start, c + 1, sizeof *sv->start) != 0 ||
            reserve((void **)&sv->fill, c, sizeof *sv->fill) != 0 ||
            reserve((void **)&sv->obj, c, sizeof *sv->obj) != 0 ||
            reserve((void **)&sv->seen_lo, c, sizeof *sv->seen_lo) != 0 ||
            reserve((void **)&sv->seen_hi, c, sizeof *sv->seen_hi) != 0 ||
            reserve((void **)&sv->dir, c, sizeof *sv->dir) != 0 ||
            reserve((void **)&sv->point, c, sizeof *sv->point) != 0)
            return -1;
        sv->cap = c;
    }
    if (nnz > sv->nnz_cap) {
        size_t c = doubled(sv->nnz_cap, 64, nnz);
        if (reserve((void **)&sv->index, c, sizeof *sv->index) != 0 ||
            reserve((void **)&sv->value, c, sizeof *sv->value) != 0)
            return -1;
        sv->nnz_cap = c;
    }
    if (dense > sv->dense_cap) {
        size_t c = doubled(sv->dense_cap, 256, dense);
        if (reserve((void **)&sv->dense, c, sizeof *sv->dense) != 0)
            return -1;
        sv->dense_cap = c;
    }
    return 0;
}

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

/* The solutions of a small problem by Gauss-Jordan elimination: returns the
 * number of degrees of freedom (0: the truth is the only solution; 1: the
 * line value + t * dir, dir filled), or 2 for "two or more" (left to the
 * solver). The rows are consistent, the truth satisfying them. */
static int freedom(srp_lp_solver *sv, const srp_lp_problem *p)
{
    size_t n = p->cols, rows = p->rows;
    double *a = sv->dense;
    if (rows) /* without rows there is no matrix (a is NULL then) */
        memset(a, 0, rows * n * sizeof *a);
    for (size_t r = 0; r < rows; r++)
        for (size_t k = p->row_start[r]; k < p->row_start[r + 1]; k++)
            a[r * n + p->row_col[k]] += p->row_coef[k];
    size_t rank = 0, free_col = (size_t)-1;
    size_t pivot_row[SMALL_COLS]; /* by column: its pivot's row, or (size_t)-1 */
    for (size_t c = 0; c < n; c++) {
        pivot_row[c] = (size_t)-1;
        size_t best = rank;
        double big = 0;
        for (size_t r = rank; r < rows; r++)
            if (fabs(a[r * n + c]) > big) {
                big = fabs(a[r * n + c]);
                best = r;
            }
        if (big < 1e-9) {
            if (free_col != (size_t)-1)
                return 2;
            free_col = c;
            continue;
        }
        if (best != rank)
            for (size_t j = 0; j < n; j++) {
                double t = a[best * n + j];
                a[best * n + j] = a[rank * n + j];
                a[rank * n + j] = t;
            }
        double inv = 1.0 / a[rank * n + c];
        for (size_t j = 0; j < n; j++)
            a[rank * n + j] *= inv;
        for (size_t r = 0; r < rows; r++) {
            double f = a[r * n + c];
            if (r == rank || f == 0.0)
                continue;
            for (size_t j = 0; j < n; j++)
                a[r * n + j] -= f * a[rank * n + j];
        }
        pivot_row[c] = rank++;
    }
    if (free_col == (size_t)-1)
        return 0;
    for (size_t c = 0; c < n; c++)
        sv->dir[c] = c == free_col                ? 1.0
                     : pivot_row[c] == (size_t)-1 ? 0.0
                                                  : -a[pivot_row[c] * n + free_col];
    for (size_t c = 0; c < n; c++)
        if (fabs(sv->dir[c]) < 1e-12)
            sv->dir[c] = 0.0;
    return 1;
}

/* The least and the greatest t for which value + t * dir >= 0 (-/+HUGE_VAL
 * when unbounded). */
static void segment(const srp_lp_solver *sv, const srp_lp_problem *p, double *tmin, double *tmax)
{
    *tmin = -HUGE_VAL;
    *tmax = HUGE_VAL;
    for (size_t c = 0; c < p->cols; c++) {
        double d = sv->dir[c];
        if (d == 0.0)
            continue;
        double t = -p->value[c] / d;
        if (d > 0 && t > *tmin)
            *tmin = t;
        if (d < 0 && t < *tmax)
            *tmax = t;
    }
}

/* Solves for column c in direction dir (1 min, -1 max): 0 optimal, 1
 * unbounded, -1 failed. The value is x[c] of the optimum, *x the optimum. */
static int optimise(Clp_Simplex *m, double *obj, size_t c, double dir, int *first, double *value,
                    const double **x)
{
    obj[c] = 1.0;
    Clp_chgObjCoefficients(m, obj);
    obj[c] = 0.0;
    Clp_setOptimizationDirection(m, dir);
    if (*first) {
        Clp_dual(m, 0);
        *first = 0;
    } else {
        Clp_primal(m, 0);
    }
    int status = Clp_status(m);
    if (status == 2)
        return 1;
    if (status != 0)
        return -1;
    *x = Clp_primalColumnSolution(m);
    *value = tidy((*x)[c]);
    return 0;
}

/* The same by algebra, for a problem of `dof` degrees of freedom (0 or 1). */
static int optimise_line(srp_lp_solver *sv, const srp_lp_problem *p, int dof, double tmin,
                         double tmax, size_t c, double dir, double *value, const double **x)
{
    double t = 0;
    if (dof == 1) {
        double d = sv->dir[c] * dir; /* x[c] grows with t * d */
        t = d > 0 ? tmin : d < 0 ? tmax : isfinite(tmin) ? tmin : tmax;
        if (!isfinite(t))
            return 1;
    }
    for (size_t j = 0; j < p->cols; j++) {
        double v = p->value[j] + (dof == 1 ? t * sv->dir[j] : 0.0);
        sv->point[j] = v < 0 && v > -1e-9 ? 0.0 : v;
    }
    *x = sv->point;
    *value = tidy(sv->point[c]);
    return 0;
}

/* Loads problem p into the solver's model (the rows, turned into the
 * columns Clp takes), with no objective and every column in [0, inf). */
static void load(srp_lp_solver *sv, const srp_lp_problem *p)
{
    size_t n = p->cols, nnz = p->row_start[p->rows];
    CoinBigIndex *start = sv->start, *fill = sv->fill;
    memset(start, 0, (n + 1) * sizeof *start);
    memset(sv->obj, 0, n * sizeof *sv->obj);
    for (size_t k = 0; k < nnz; k++)
        start[p->row_col[k] + 1]++;
    for (size_t j = 0; j < n; j++)
        start[j + 1] += start[j];
    for (size_t j = 0; j < n; j++)
        fill[j] = start[j];
    for (size_t r = 0; r < p->rows; r++)
        for (size_t k = p->row_start[r]; k < p->row_start[r + 1]; k++) {
            CoinBigIndex at = fill[p->row_col[k]]++;
            sv->index[at] = (int)r;
            sv->value[at] = p->row_coef[k];
        }
    Clp_loadProblem(sv->m, (int)n, (int)p->rows, start, sv->index, sv->value, NULL, NULL, NULL,
                    p->rhs, p->rhs);
}

/* Whether wanted column c is shown wide enough by the solutions seen. */
static int shown(const srp_lp_solver *sv, const unsigned char *want, double enough,
                 const double *need, size_t c)
{
    double e = need ? need[c] : enough;
    return (want && !want[c]) ||
           (sv->seen_hi[c] - sv->seen_lo[c] >= e && sv->seen_hi[c] > sv->seen_lo[c]);
}

/* Solutions that widen many columns at once, before each is solved for:
 * every solution is a feasible point, and a column whose values seen span
 * what is asked needs no program of its own. In turn, the sum of the
 * columns not yet shown wide enough is maximised, each of them capped at
 * its truth plus what is asked (so the program is bounded, and its
 * solution still feasible without the caps), then minimised, then
 * maximised again while that shows more columns (a column left at its
 * truth by one maximum often moves when the others are no longer in the
 * sum); only while two or more are open, each of which would take up to
 * two programs of its own. Each counts as a program. */
static int witnesses(srp_lp_solver *sv, const srp_lp_problem *p, const unsigned char *want,
                     double enough, const double *need, int *first, size_t *solves)
{
    size_t n = p->cols, open = 0;
    double *cap = sv->point; /* the caps (point is the algebra's, not used here) */
    for (size_t c = 0; c < n; c++)
        open += !shown(sv, want, enough, need, c);
    for (int round = 0; open >= 2; round++) {
        double dir = round == 1 ? 1.0 : -1.0;
        for (size_t c = 0; c < n; c++) {
            int in = !shown(sv, want, enough, need, c);
            double e = need ? need[c] : enough;
            sv->obj[c] = in ? 1.0 : 0.0;
            cap[c] = in && dir < 0 ? p->value[c] + (e > 1.0 ? e : 1.0) : DBL_MAX;
        }
        Clp_chgObjCoefficients(sv->m, sv->obj);
        Clp_chgColumnUpper(sv->m, cap);
        Clp_setOptimizationDirection(sv->m, dir);
        if (*first && dir > 0)
            Clp_dual(sv->m, 0);
        else
            Clp_primal(sv->m, 0);
        *first = 0;
        int status = Clp_status(sv->m);
        for (size_t c = 0; c < n; c++) {
            sv->obj[c] = 0.0;
            cap[c] = DBL_MAX;
        }
        Clp_chgColumnUpper(sv->m, cap);
        if (solves)
            *solves += 1;
        if (status != 0)
            return 0; /* no witness this time: each column is solved for */
        observe(p, Clp_primalColumnSolution(sv->m), sv->seen_lo, sv->seen_hi);
        size_t still = 0;
        for (size_t c = 0; c < n; c++)
            still += !shown(sv, want, enough, need, c);
        if (still == open && round > 1)
            break;
        open = still;
    }
    return 0;
}

/* One connected problem (see columns). */
static int block(srp_lp_solver *sv, const srp_lp_problem *p, const unsigned char *want,
                 double enough, const double *need, double *lo, double *hi, unsigned char *exact,
                 size_t *solves, int *verdict)
{
    size_t n = p->cols, nnz = p->row_start[p->rows];
    if (p->rows > (size_t)INT_MAX - 1 || n > (size_t)INT_MAX - 1 || nnz > (size_t)INT_MAX - 1)
        return -1;
    int small = sv->algebra && n <= SMALL_COLS && p->rows <= 4 * SMALL_COLS;
    if (room(sv, n, nnz, small ? n * p->rows : 0) != 0)
        return -1;
    double *seen_lo = sv->seen_lo, *seen_hi = sv->seen_hi;
    for (size_t c = 0; c < n; c++)
        seen_lo[c] = seen_hi[c] = p->value[c];
    int dof = small ? freedom(sv, p) : 2, loaded = 0, first = 1;
    double tmin = 0, tmax = 0;
    if (dof == 1)
        segment(sv, p, &tmin, &tmax);
    if (verdict)
        *verdict = 1;
    if (dof > 1 && sv->algebra && (need || isfinite(enough))) {
        load(sv, p);
        loaded = 1;
        if (witnesses(sv, p, want, enough, need, &first, solves) != 0)
            return -1;
    }
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
        if (dof > 1 && !loaded) {
            load(sv, p);
            loaded = 1;
        }
        double v = 0;
        const double *x = NULL;
        int st = dof > 1 ? optimise(sv->m, sv->obj, c, 1.0, &first, &v, &x)
                         : optimise_line(sv, p, dof, tmin, tmax, c, 1.0, &v, &x);
        if (st != 0) /* a minimum always exists */
            return -1;
        lo[c] = v < 0 ? 0 : v;
        observe(p, x, seen_lo, seen_hi);
        if (solves)
            *solves += 1;
        if (seen_hi[c] - seen_lo[c] >= enough && seen_hi[c] > seen_lo[c]) {
            hi[c] = seen_hi[c]; /* wide enough: its maximum is not needed */
            exact[c] = 0;
            continue;
        }
        st = dof > 1 ? optimise(sv->m, sv->obj, c, -1.0, &first, &v, &x)
                     : optimise_line(sv, p, dof, tmin, tmax, c, -1.0, &v, &x);
        if (st < 0)
            return -1;
        hi[c] = st == 1 ? HUGE_VAL : v;
        if (st == 0)
            observe(p, x, seen_lo, seen_hi);
        exact[c] = 1;
        if (solves)
            *solves += 1;
        if (need && hi[c] - lo[c] < enough - 1e-6) {
            *verdict = 0;
            break;
        }
    }
    return 0;
}

static size_t root_of(size_t *parent, size_t c)
{
    while (parent[c] != c) {
        parent[c] = parent[parent[c]];
        c = parent[c];
    }
    return c;
}

/* A problem block by block: with need (per column) every wanted column is solved
 * only until its interval is that wide, and the first narrower one ends
 * the run with *verdict 0. The unknowns fall apart into blocks that share
 * no row (a column in no row is a block of its own, [0, unbounded)); each
 * is a problem of its own, and a vertex of each is a vertex of all, so each
 * block is solved alone: a small one by algebra, the rest each with the
 * solver loaded with that block only. */
static int blocks(srp_lp_solver *sv, const srp_lp_problem *p, const unsigned char *want,
                  double enough, const double *need, double *lo, double *hi, unsigned char *exact,
                  size_t *solves, int *verdict)
{
    size_t n = p->cols, rows = p->rows, nnz = p->row_start[rows];
    if (verdict)
        *verdict = 1;
    if (n == 0)
        return 0;
    int rc = -1;
    size_t *parent = malloc(n * sizeof *parent), *count = calloc(n + 1, sizeof *count);
    size_t *order = malloc(n * sizeof *order), *local = malloc(n * sizeof *local);
    size_t *row_order = malloc((rows ? rows : 1) * sizeof *row_order);
    size_t *row_count = calloc(n + 1, sizeof *row_count);
    size_t *b_start = malloc((rows + 1) * sizeof *b_start);
    size_t *b_col = malloc((nnz ? nnz : 1) * sizeof *b_col);
    double *b_coef = malloc((nnz ? nnz : 1) * sizeof *b_coef);
    double *b_rhs = malloc((rows ? rows : 1) * sizeof *b_rhs),
           *b_value = malloc(n * sizeof *b_value);
    double *b_need = malloc(n * sizeof *b_need), *b_lo = malloc(n * sizeof *b_lo);
    double *b_hi = malloc(n * sizeof *b_hi);
    unsigned char *b_want = malloc(n), *b_exact = malloc(n);
    if (!parent || !count || !order || !local || !row_order || !row_count || !b_start || !b_col ||
        !b_coef || !b_rhs || !b_value || !b_need || !b_lo || !b_hi || !b_want || !b_exact)
        goto out;
    for (size_t c = 0; c < n; c++)
        parent[c] = c;
    for (size_t r = 0; r < rows; r++)
        for (size_t k = p->row_start[r] + 1; k < p->row_start[r + 1]; k++) {
            size_t a = root_of(parent, p->row_col[p->row_start[r]]),
                   b = root_of(parent, p->row_col[k]);
            if (a != b)
                parent[a < b ? b : a] = a < b ? a : b; /* the root is the least column */
        }
    /* Blocks by their least column; columns and rows grouped by block. */
    for (size_t c = 0; c < n; c++)
        count[root_of(parent, c) + 1]++;
    if (count[1] == n || !sv->algebra) { /* one block (or no shortcuts): the problem as it is */
        rc = block(sv, p, want, enough, need, lo, hi, exact, solves, verdict);
        goto out;
    }
    for (size_t c = 0; c < n; c++)
        count[c + 1] += count[c];
    for (size_t r = 0; r < rows; r++) /* a row without entries (0 = 0) is left out */
        if (p->row_start[r + 1] > p->row_start[r])
            row_count[root_of(parent, p->row_col[p->row_start[r]]) + 1]++;
    for (size_t c = 0; c < n; c++)
        row_count[c + 1] += row_count[c];
    {
        size_t *fill = local; /* as fill pointers for a moment */
        memcpy(fill, count, n * sizeof *fill);
        for (size_t c = 0; c < n; c++)
            order[fill[root_of(parent, c)]++] = c;
        memcpy(fill, row_count, n * sizeof *fill);
        for (size_t r = 0; r < rows; r++)
            if (p->row_start[r + 1] > p->row_start[r])
                row_order[fill[root_of(parent, p->row_col[p->row_start[r]])]++] = r;
    }
    for (size_t g = 0; g < n; g++) {
        size_t first = count[g], cols = count[g + 1] - first;
        if (cols == 0)
            continue;
        int wanted = 0;
        for (size_t i = 0; i < cols; i++) {
            size_t c = order[first + i];
            local[c] = i;
            b_value[i] = p->value[c];
            b_want[i] = !want || want[c];
            b_need[i] = need ? need[c] : 0;
            wanted |= b_want[i];
        }
        if (!wanted)
            continue;
        size_t brows = 0, bnnz = 0;
        b_start[0] = 0;
        for (size_t q = row_count[g]; q < row_count[g + 1]; q++) {
            size_t r = row_order[q];
            for (size_t k = p->row_start[r]; k < p->row_start[r + 1]; k++) {
                b_col[bnnz] = local[p->row_col[k]];
                b_coef[bnnz++] = p->row_coef[k];
            }
            b_rhs[brows++] = p->rhs[r];
            b_start[brows] = bnnz;
        }
        srp_lp_problem bp = {cols, brows, b_start, b_col, b_coef, b_rhs, b_value};
        int v = 1;
        if (block(sv, &bp, b_want, enough, need ? b_need : NULL, b_lo, b_hi, b_exact, solves,
                  verdict ? &v : NULL) != 0)
            goto out;
        for (size_t i = 0; i < cols; i++)
            if (b_want[i]) {
                size_t c = order[first + i];
                lo[c] = b_lo[i];
                hi[c] = b_hi[i];
                exact[c] = b_exact[i];
            }
        if (verdict && !v) {
            *verdict = 0;
            break;
        }
    }
    rc = 0;
out:
    free(parent);
    free(count);
    free(order);
    free(local);
    free(row_order);
    free(row_count);
    free(b_start);
    free(b_col);
    free(b_coef);
    free(b_rhs);
    free(b_value);
    free(b_need);
    free(b_lo);
    free(b_hi);
    free(b_want);
    free(b_exact);
    return rc;
}

/* The unknowns that the rows pin without a program, by two rules applied
 * until neither applies: a row of one unknown left (a x = b) pins it; a
 * row whose unknowns left all have coefficients of one sign and whose
 * right-hand side is 0 pins them all to 0 (they are >= 0). A pinned
 * unknown is taken out of its rows (the right-hand sides keep its value),
 * and since it has that value in every solution, the intervals of the
 * others are those of the problem without it. pinned[c] is set for those
 * (their values are the truth's), rest[r] is row r's right-hand side less
 * them. Linear in the entries. Returns the number pinned, or (size_t)-1
 * when out of memory. */
typedef struct reduction {
    size_t *col_start, *col_entry; /* column -> its entries */
    size_t *entry_row;
    double *rest;                /* by row: the right-hand side less the pinned (the caller's) */
    size_t *live, *plus, *minus; /* by row: its unknowns left, and of each sign */
    size_t *queue;
    unsigned char *queued;
} reduction;

static void reduction_release(reduction *d)
{
    free(d->col_start);
    free(d->col_entry);
    free(d->entry_row);
    free(d->live);
    free(d->plus);
    free(d->minus);
    free(d->queue);
    free(d->queued);
}

static int pins(const reduction *d, size_t r)
{
    return d->live[r] == 1 ||
           (d->live[r] > 0 && fabs(d->rest[r]) < 1e-9 && (d->plus[r] == 0 || d->minus[r] == 0));
}

static size_t pin(const srp_lp_problem *p, unsigned char *pinned, double *rest)
{
    size_t n = p->cols, rows = p->rows, nnz = p->row_start[rows], found = 0, head = 0, tail = 0;
    reduction d;
    d.col_start = calloc(n + 1, sizeof *d.col_start);
    d.col_entry = malloc((nnz ? nnz : 1) * sizeof *d.col_entry);
    d.entry_row = malloc((nnz ? nnz : 1) * sizeof *d.entry_row);
    d.rest = rest;
    d.live = malloc((rows ? rows : 1) * sizeof *d.live);
    d.plus = calloc(rows ? rows : 1, sizeof *d.plus);
    d.minus = calloc(rows ? rows : 1, sizeof *d.minus);
    d.queue = malloc((rows ? rows : 1) * sizeof *d.queue);
    d.queued = calloc(rows ? rows : 1, 1);
    if (!d.col_start || !d.col_entry || !d.entry_row || !d.live || !d.plus || !d.minus ||
        !d.queue || !d.queued) {
        reduction_release(&d);
        return (size_t)-1;
    }
    memset(pinned, 0, n);
    for (size_t k = 0; k < nnz; k++)
        d.col_start[p->row_col[k] + 1]++;
    for (size_t c = 0; c < n; c++)
        d.col_start[c + 1] += d.col_start[c];
    for (size_t r = 0; r < rows; r++) {
        d.rest[r] = p->rhs[r];
        d.live[r] = p->row_start[r + 1] - p->row_start[r];
        for (size_t k = p->row_start[r]; k < p->row_start[r + 1]; k++) {
            size_t c = p->row_col[k];
            d.col_entry[d.col_start[c]++] = k; /* shifted back below */
            d.entry_row[k] = r;
            if (p->row_coef[k] > 0)
                d.plus[r]++;
            else
                d.minus[r]++;
        }
    }
    for (size_t c = n; c > 0; c--)
        d.col_start[c] = d.col_start[c - 1];
    d.col_start[0] = 0;
    for (size_t r = 0; r < rows; r++)
        if (pins(&d, r)) {
            d.queue[tail++] = r;
            d.queued[r] = 1;
        }
    while (head < tail) {
        size_t r = d.queue[head++];
        if (!pins(&d, r))
            continue;
        for (size_t k = p->row_start[r]; k < p->row_start[r + 1]; k++) {
            size_t c = p->row_col[k];
            if (pinned[c])
                continue;
            pinned[c] = 1;
            found++;
            for (size_t q = d.col_start[c]; q < d.col_start[c + 1]; q++) {
                size_t e = d.col_entry[q], s = d.entry_row[e];
                d.rest[s] -= p->row_coef[e] * p->value[c];
                d.live[s]--;
                if (p->row_coef[e] > 0)
                    d.plus[s]--;
                else
                    d.minus[s]--;
                if (!d.queued[s] && pins(&d, s)) {
                    d.queue[tail++] = s;
                    d.queued[s] = 1;
                }
            }
        }
    }
    reduction_release(&d);
    return found;
}

/* Both entry points (see blocks): with the shortcuts, the unknowns the
 * rows pin are answered first (two programs each, as the solver would
 * count them) and the rest is solved without them. */
static int columns(srp_lp_solver *sv, const srp_lp_problem *p, const unsigned char *want,
                   double enough, const double *need, double *lo, double *hi, unsigned char *exact,
                   size_t *solves, int *verdict)
{
    size_t n = p->cols, rows = p->rows, nnz = p->row_start[rows];
    if (!sv->algebra || n == 0 || rows == 0)
        return blocks(sv, p, want, enough, need, lo, hi, exact, solves, verdict);
    int rc = -1;
    unsigned char *pinned = malloc(n), *r_want = malloc(n), *r_exact = malloc(n);
    double *rest = malloc(rows * sizeof *rest), *r_rhs = malloc(rows * sizeof *r_rhs);
    double *r_value = malloc(n * sizeof *r_value), *r_need = malloc(n * sizeof *r_need);
    double *r_lo = malloc(n * sizeof *r_lo), *r_hi = malloc(n * sizeof *r_hi);
    double *r_coef = malloc((nnz ? nnz : 1) * sizeof *r_coef);
    size_t *local = malloc(n * sizeof *local), *original = malloc(n * sizeof *original);
    size_t *r_start = malloc((rows + 1) * sizeof *r_start);
    size_t *r_col = malloc((nnz ? nnz : 1) * sizeof *r_col);
    size_t found;
    if (!pinned || !r_want || !r_exact || !rest || !r_rhs || !r_value || !r_need || !r_lo ||
        !r_hi || !r_coef || !local || !original || !r_start || !r_col ||
        (found = pin(p, pinned, rest)) == (size_t)-1)
        goto out;
    if (found == 0) {
        rc = blocks(sv, p, want, enough, need, lo, hi, exact, solves, verdict);
        goto out;
    }
    if (verdict)
        *verdict = 1;
    size_t cols = 0;
    for (size_t c = 0; c < n; c++) {
        if (!pinned[c]) {
            local[c] = cols;
            original[cols] = c;
            r_value[cols] = p->value[c];
            r_want[cols] = !want || want[c];
            r_need[cols] = need ? need[c] : 0;
            cols++;
            continue;
        }
        if (want && !want[c])
            continue;
        lo[c] = hi[c] = p->value[c];
        exact[c] = 1;
        if (solves)
            *solves += 2;
        if (need && need[c] > 1e-6 && verdict) { /* narrower than asked: the run ends */
            *verdict = 0;
            rc = 0;
            goto out;
        }
    }
    size_t r_rows = 0, r_nnz = 0;
    r_start[0] = 0;
    for (size_t r = 0; r < rows; r++) {
        for (size_t k = p->row_start[r]; k < p->row_start[r + 1]; k++)
            if (!pinned[p->row_col[k]]) {
                r_col[r_nnz] = local[p->row_col[k]];
                r_coef[r_nnz++] = p->row_coef[k];
            }
        if (r_nnz > r_start[r_rows]) {
            r_rhs[r_rows++] = rest[r];
            r_start[r_rows] = r_nnz;
        }
    }
    srp_lp_problem rp = {cols, r_rows, r_start, r_col, r_coef, r_rhs, r_value};
    if (blocks(sv, &rp, r_want, enough, need ? r_need : NULL, r_lo, r_hi, r_exact, solves,
               verdict) != 0)
        goto out;
    for (size_t j = 0; j < cols; j++)
        if (r_want[j]) {
            lo[original[j]] = r_lo[j];
            hi[original[j]] = r_hi[j];
            exact[original[j]] = r_exact[j];
        }
    rc = 0;
out:
    free(pinned);
    free(r_want);
    free(r_exact);
    free(rest);
    free(r_rhs);
    free(r_value);
    free(r_need);
    free(r_lo);
    free(r_hi);
    free(r_coef);
    free(local);
    free(original);
    free(r_start);
    free(r_col);
    return rc;
}

int srp_lp_intervals(srp_lp_solver *sv, const srp_lp_problem *p, const unsigned char *want,
                     double enough, double *lo, double *hi, unsigned char *exact, size_t *solves)
{
    return columns(sv, p, want, enough, NULL, lo, hi, exact, solves, NULL);
}

int srp_lp_wide_enough(srp_lp_solver *sv, const srp_lp_problem *p, const unsigned char *want,
                       const double *need, double *lo, double *hi, unsigned char *exact,
                       size_t *solves, int *verdict)
{
    return columns(sv, p, want, 0, need, lo, hi, exact, solves, verdict);
}
