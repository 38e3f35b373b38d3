/*
 * disclosure.h - small-cell suppression with secondary suppression (internal).
 *
 * A problem is a set of cells (counts) and a set of relations: groups of
 * cells whose sum an outsider can learn (a published total, or a figure that
 * another query publishes), or whose sum is another cell (a total that may
 * itself be withheld). A cell is withheld when its count is between 1 and
 * min-1 (primary), or when it is forced (e.g. its whole group is too small).
 *
 * Then secondary cells are chosen by least information loss (each cell's
 * cost: by default the persons it hides), until an LP attacker who knows
 * every relation, every published cell and that counts are >= 0 cannot
 * narrow any small count (1..min-1) or figure of a withheld group below the
 * protection interval: its tightest interval [lo, hi] must contain
 * [0, min-1] or be at least min-1 wide. (A secondary cell of min or more
 * needs no interval of its own: it only protects the others.) A quick
 * start (no relation with exactly one withheld cell, cheapest first) is
 * audited by LP per connected part of the relations, repaired (the
 * cheapest cell beside a too narrow one) and thinned: each secondary cell,
 * dearest first, is published when that narrows no protected cell below
 * the requirement (nor one that cannot be protected below what it has, by
 * this problem's own relations either), nor leaves a relation to another
 * query's figure with one withheld count; thinning is tried with the zeros
 * beside the withheld cells withheld too (a withheld zero can grow, which
 * widens the others), and the pattern that loses less is kept. A withheld
 * cell the LP pins exactly (a provable zero, or a figure the published ones
 * give anyway) is published, unless it is a small count: that is reported
 * as narrow instead.
 *
 * The outcome depends only on the sets of cells and relations (ties go by
 * identity), never on the order they were added in: queries that share
 * figures agree on them. This module knows nothing of forms or registries.
 */
#ifndef SIGREG_DISCLOSURE_H
#define SIGREG_DISCLOSURE_H

#include <stddef.h>

typedef struct srp_sdc srp_sdc;

enum srp_sdc_reason { SRP_SDC_PUBLISHED = 0, SRP_SDC_SMALL, SRP_SDC_GROUP, SRP_SDC_SECONDARY };

srp_sdc *srp_sdc_new(long min_cell);
void srp_sdc_free(srp_sdc *sdc);
/* Adds a cell; returns its id, or (size_t)-1 when out of memory. identity is
 * a hash of what the cell means (item, option, group): the same figure in
 * two queries must carry the same identity, so that both withhold it alike. */
size_t srp_sdc_cell(srp_sdc *sdc, long count, int force, unsigned long long identity);
/* Marks a cell withheld for a reason (e.g. a too small group). */
void srp_sdc_force(srp_sdc *sdc, size_t cell, enum srp_sdc_reason reason);
/* Adds a relation over n cells (ignored when n < 2). Returns -1 on OOM. */
int srp_sdc_relation(srp_sdc *sdc, const size_t *cells, size_t n);
/* Secondary suppression until every withheld cell's interval holds (see
 * above). Returns the number of cells withheld in this step (secondary). */
size_t srp_sdc_solve(srp_sdc *sdc);
enum srp_sdc_reason srp_sdc_state(const srp_sdc *sdc, size_t cell);
size_t srp_sdc_cell_count(const srp_sdc *sdc);

/* Additive extensions (issue 16). */

/* The information lost when the cell is withheld (default: its count, the
 * persons it hides). Give a whole group's total a heavy cost. */
void srp_sdc_set_cost(srp_sdc *sdc, size_t cell, double cost);
/* Keeps a cell published unless a rule withholds it (a small count, a
 * withheld group): it is never a complement. For a figure that another
 * query shows by its own rules, which this problem must take as known. */
void srp_sdc_keep(srp_sdc *sdc, size_t cell);
/* Publishes a cell that every outsider has already (e.g. a zero whose
 * total another query publishes as 0), whatever rule withheld it; it is
 * never a complement. A held cell (srp_sdc_hold) stays withheld. */
void srp_sdc_publish_known(srp_sdc *sdc, size_t cell);
/* A cell an outsider may know (an empty group's zero, which a coarser
 * breakdown publishes as 0) that is shown withheld all the same: the
 * audit takes it as published, so it is never a complement, and
 * srp_sdc_state reports it SRP_SDC_GROUP. A held cell stays as it is. */
void srp_sdc_known_withheld(srp_sdc *sdc, size_t cell);
/* Withholds a cell for good (as secondary; thinning never publishes it): a
 * figure that another query withholds, which this problem may count on.
 * Pinned by the published figures, it is published all the same: the
 * output gives it (srp_sdc_released). */
void srp_sdc_hold(srp_sdc *sdc, size_t cell);
/* Makes a cell latent: a count that no output shows (e.g. those to whom an
 * optional item was put who did not answer it), held withheld, needing no
 * interval of its own. */
void srp_sdc_latent(srp_sdc *sdc, size_t cell);
/* Thinning (see above) on or off (default on; off leaves the repaired
 * quick start, for tests). */
void srp_sdc_set_thinning(srp_sdc *sdc, int on);
/* Exact intervals for every withheld cell (default off: a cell whose
 * feasible values seen already span min-1 is not solved for, and
 * srp_sdc_interval gives that inner span). */
void srp_sdc_set_exact_intervals(srp_sdc *sdc, int on);
/* Adds the relation "the n cells add up to cell total" (total may be
 * withheld itself). Ignored when n < 1. Returns -1 on OOM. */
int srp_sdc_relation_total(srp_sdc *sdc, const size_t *cells, size_t n, size_t total);
/* Adds a relation whose sum is another query's figure: an outsider may
 * know it, so it protects; but that query may withhold it, so it never
 * proves a figure public (see srp_sdc_released). */
int srp_sdc_relation_outside(srp_sdc *sdc, const size_t *cells, size_t n);
/* Adds the relation "the n cells add up to cell total", taken at first as
 * a relation to another query's figure (srp_sdc_relation_outside: the
 * total is not one of its members), until srp_sdc_solve_linked links it. For a
 * problem of many tables: the first solve keeps each table's parts apart
 * from the tables they add up to (small parts, quick), the second, after
 * the link, repairs what the totals then leave too narrow. Ignored when
 * n < 1 (one part is a relation only once linked). Returns -1 on OOM. */
int srp_sdc_relation_total_later(srp_sdc *sdc, const size_t *cells, size_t n, size_t total);
/* srp_sdc_solve; then, when there are totals to link, links them and
 * solves again from that pattern (adding what the totals make necessary,
 * thinning what they make unnecessary, publishing what they pin). Returns
 * the cells withheld as secondary. */
size_t srp_sdc_solve_linked(srp_sdc *sdc);
long srp_sdc_count(const srp_sdc *sdc, size_t cell);
/* After srp_sdc_solve: the attacker's interval of a cell (a published one:
 * its count twice; hi is HUGE_VAL when unbounded). Returns 1 when [lo, hi]
 * is the LP's tightest, 0 when it is a feasible span already wide enough. */
int srp_sdc_interval(const srp_sdc *sdc, size_t cell, double *lo, double *hi);
/* 1 when the cell is withheld and still narrower than required: no pattern
 * of this problem protects it (e.g. a relation whose known total is small). */
int srp_sdc_narrow(const srp_sdc *sdc, size_t cell);
/* 1 when the cell was withheld by a rule but is published, the LP having
 * pinned it (a provable zero, or given by the published figures). */
int srp_sdc_released(const srp_sdc *sdc, size_t cell);

/* What one solve hid and why, over all cells. */
typedef struct srp_sdc_report {
    size_t cells;
    size_t withheld[4];  /* by enum srp_sdc_reason; [SRP_SDC_PUBLISHED] is the published */
    long persons_hidden; /* the sum of the withheld counts */
    size_t released;     /* published although a rule withheld them (LP-pinned) */
    size_t narrow;       /* withheld but unprotectable (see srp_sdc_narrow) */
    size_t components;   /* connected parts audited */
    size_t lp_solves;    /* linear programs solved */
    int audit_failed;    /* the solver failed or memory ran out: the quick start stands */
    size_t over_budget;  /* parts too large to audit: every count above zero withheld */
} srp_sdc_report;
void srp_sdc_report_of(const srp_sdc *sdc, srp_sdc_report *out);

#endif
