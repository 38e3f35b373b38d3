/*
 * ptable.h - perturbation tables (pTables) for the cell-key method on counts
 * (internal).
 *
 * The construction is that of the R package ptable (sdcTools, version 0.3.3,
 * create_cnt_ptable / pt_create_pTable with pstay unset, optim 1, mono on):
 * for each original count i = 1 .. ncat (ncat = D, or D + js + 1 when js > 0;
 * the last row serves every larger count) the targets are
 * j = max(i - D, 0) .. i + D without 1 .. js, and the transition
 * probabilities p(i -> j) are those of maximum entropy subject to
 *   sum p = 1, sum p v = 0 (zero mean), sum p v^2 <= V, p >= 1e-8,
 *   and p rising up to v = 0 from below (the package's monotony condition),
 * with v = j - i. Count 0 stays 0. The intervals [p_int_lb, p_int_ub) are the
 * cumulated probabilities rounded to 8 decimals, as the package rounds them.
 * A parameter set the package refuses ("the variance is too small") is
 * refused here too.
 *
 * A pure module: numbers in, numbers out. It knows nothing of registries,
 * cases or record keys (cellkey.c does), and it never prints.
 */
#ifndef SIGREG_PTABLE_H
#define SIGREG_PTABLE_H

#include <stddef.h>

#include "sigreg/status.h"

/* The parameters' ranges (issue 16: D 2..5, V 0.9..3). */
#define SRP_PTABLE_D_MIN 2
#define SRP_PTABLE_D_MAX 5
#define SRP_PTABLE_V_MIN 0.9
#define SRP_PTABLE_V_MAX 3.0
#define SRP_PTABLE_JS_MAX 9

typedef struct srp_ptable_entry {
    int i;     /* original count (the row; the last row is every count >= it) */
    int j;     /* perturbed count (for the last row: i + v for larger counts) */
    int v;     /* the noise, j - i */
    double p;  /* the probability, p_int_ub - p_int_lb */
    double lb; /* p_int_lb */
    double ub; /* p_int_ub */
} srp_ptable_entry;

typedef struct srp_ptable {
    int d, js;
    double v;
    int rows;                  /* ncat + 1: counts 0 .. ncat */
    srp_ptable_entry *entries; /* by i, then j ascending */
    size_t count;
    size_t *row_start; /* rows + 1 offsets into entries */
} srp_ptable;

/* Builds the table for D, V and js. *out is the caller's (srp_ptable_free).
 * Errors: SR_ERR_USAGE naming "ptable_d", "ptable_v" or "ptable_js" for a
 * value out of range, or "ptable_v" when no table has that variance. */
sr_status srp_ptable_create(int d, double v, int js, srp_ptable **out, sr_error *err);
/* The range checks of srp_ptable_create alone (the same errors but the
 * variance no table has), without building the table. */
sr_status srp_ptable_check(int d, double v, int js, sr_error *err);
void srp_ptable_free(srp_ptable *pt);

/* The entry that perturbs count (>= 0) at cell key r in [0, 1): of the row
 * min(count, ncat), the one with lb <= r < ub. */
const srp_ptable_entry *srp_ptable_lookup(const srp_ptable *pt, long count, double r);
/* The perturbed count: count + v of that entry (0 stays 0; never negative,
 * never 1 .. js). */
long srp_ptable_perturb(const srp_ptable *pt, long count, double r);

#endif
