/*
 * disclosure.c - primary and secondary cell suppression, audited by LP.
 */
#include "disclosure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "disclosure_lp.h"

typedef struct relation {
    size_t first, count; /* into members; with a total, it is the last member */
    unsigned long long identity;
    int has_total;
    int outside; /* the total is another query's figure */
    /* A total linked later (srp_sdc_solve_linked): its count then, with the
     * total; until then it is outside without it (none below two parts). */
    size_t linked_count;
} relation;

enum {
    F_EXACT = 1,
    F_NARROW = 2,
    F_RELEASED = 4,
    F_UNFIXABLE = 8,
    F_STALE = 16,
    F_KEEP = 32,
    F_HELD = 64,
    F_LATENT = 128,
    F_SHOWN_WITHHELD = 256
};

struct srp_sdc {
    long min_cell;
    long *counts;
    unsigned long long *identity;
    unsigned char *state;
    double *cost, *lo, *hi;
    unsigned short *flags;
    size_t cells, cell_cap;
    size_t *members;
    size_t member_count, member_cap;
    relation *relations;
    size_t relation_count, relation_cap;
    srp_sdc_report report;
    int thin, exact;
    size_t solve_limit;      /* while a part is audited: the report's lp_solves it may reach */
    double work, work_limit; /* columns times linear programs, spent and allowed */
    int over;                /* the part being audited went over a bound */
    int thin_stopped;        /* thinning ran out of its budget */
};

srp_sdc *srp_sdc_new(long min_cell)
{
    srp_sdc *s = calloc(1, sizeof *s);
    if (s) {
        s->min_cell = min_cell;
        s->thin = 1;
    }
    return s;
}

void srp_sdc_free(srp_sdc *s)
{
    if (!s)
        return;
    free(s->counts);
    free(s->identity);
    free(s->state);
    free(s->cost);
    free(s->lo);
    free(s->hi);
    free(s->flags);
    free(s->members);
    free(s->relations);
    free(s);
}

static int grow(void **items, size_t old_cap, size_t need, size_t size, size_t *cap)
{
    size_t c = old_cap;
    if (srp_grow(items, &c, need, size) != 0)
        return -1;
    *cap = c;
    return 0;
}

size_t srp_sdc_cell(srp_sdc *s, long count, int force, unsigned long long identity)
{
    size_t cap = s->cell_cap, need = s->cells + 1;
    if (grow((void **)&s->counts, s->cell_cap, need, sizeof *s->counts, &cap) != 0 ||
        grow((void **)&s->identity, s->cell_cap, need, sizeof *s->identity, &cap) != 0 ||
        grow((void **)&s->state, s->cell_cap, need, sizeof *s->state, &cap) != 0 ||
        grow((void **)&s->cost, s->cell_cap, need, sizeof *s->cost, &cap) != 0 ||
        grow((void **)&s->lo, s->cell_cap, need, sizeof *s->lo, &cap) != 0 ||
        grow((void **)&s->hi, s->cell_cap, need, sizeof *s->hi, &cap) != 0 ||
        grow((void **)&s->flags, s->cell_cap, need, sizeof *s->flags, &cap) != 0)
        return (size_t)-1;
    s->cell_cap = cap;
    s->counts[s->cells] = count;
    s->identity[s->cells] = identity;
    s->cost[s->cells] = (double)count;
    s->lo[s->cells] = s->hi[s->cells] = (double)count;
    s->flags[s->cells] = 0;
    s->state[s->cells] = force                               ? SRP_SDC_GROUP
                         : count >= 1 && count < s->min_cell ? SRP_SDC_SMALL
                                                             : SRP_SDC_PUBLISHED;
    return s->cells++;
}

void srp_sdc_force(srp_sdc *s, size_t cell, enum srp_sdc_reason reason)
{
    if (cell < s->cells && s->state[cell] == SRP_SDC_PUBLISHED)
        s->state[cell] = (unsigned char)reason;
}

static int add_relation(srp_sdc *s, const size_t *cells, size_t n, size_t total, int outside,
                        int later);

int srp_sdc_relation(srp_sdc *s, const size_t *cells, size_t n)
{
    if (n < 2)
        return 0;
    return add_relation(s, cells, n, (size_t)-1, 0, 0);
}

int srp_sdc_relation_outside(srp_sdc *s, const size_t *cells, size_t n)
{
    if (n < 2)
        return 0;
    return add_relation(s, cells, n, (size_t)-1, 1, 0);
}

int srp_sdc_relation_total(srp_sdc *s, const size_t *cells, size_t n, size_t total)
{
    if (n < 1 || total >= s->cells)
        return 0;
    return add_relation(s, cells, n, total, 0, 0);
}

int srp_sdc_relation_total_later(srp_sdc *s, const size_t *cells, size_t n, size_t total)
{
    if (n < 1 || total >= s->cells)
        return 0;
    return add_relation(s, cells, n, total, 1, 1);
}

/* Makes every relation added by srp_sdc_relation_total_later a relation
 * to its total cell. */
static void link_totals(srp_sdc *s)
{
    for (size_t r = 0; r < s->relation_count; r++) {
        relation *rel = &s->relations[r];
        if (rel->linked_count) {
            rel->count = rel->linked_count;
            rel->has_total = 1;
            rel->outside = 0;
            rel->linked_count = 0;
        }
    }
}

static int add_relation(srp_sdc *s, const size_t *cells, size_t n, size_t total, int outside,
                        int later)
{
    size_t all = n + (total != (size_t)-1);
    if (srp_grow((void **)&s->members, &s->member_cap, s->member_count + all, sizeof *s->members) !=
            0 ||
        srp_grow((void **)&s->relations, &s->relation_cap, s->relation_count + 1,
                 sizeof *s->relations) != 0)
        return -1;
    s->relations[s->relation_count].first = s->member_count;
    s->relations[s->relation_count].count = n;
    /* An order-free fingerprint of the members: sum and xor of mixed ids. */
    unsigned long long sum = 0, mix = 0;
    for (size_t i = 0; i < n; i++) {
        s->members[s->member_count++] = cells[i];
        unsigned long long h = s->identity[cells[i]] * 0x9E3779B97F4A7C15ULL;
        sum += h;
        mix ^= (h << 7) | (h >> 57);
    }
    if (total != (size_t)-1) {
        s->members[s->member_count++] = total;
        sum += s->identity[total] * 0xD6E8FEB86659FD93ULL;
    }
    s->relations[s->relation_count].count = !later ? all : n >= 2 ? n : 0;
    s->relations[s->relation_count].has_total = !later && total != (size_t)-1;
    s->relations[s->relation_count].outside = outside;
    s->relations[s->relation_count].linked_count = later ? all : 0;
    s->relations[s->relation_count].identity = sum ^ (mix * 0xBF58476D1CE4E5B9ULL);
    s->relation_count++;
    return 0;
}

typedef struct sized {
    size_t count, index;
    unsigned long long identity;
} sized;

static int by_size(const void *a, const void *b)
{
    const sized *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? -1 : 1;
    if (x->identity != y->identity)
        return x->identity < y->identity ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* A min-heap of relation positions (in the order relations are visited). */
typedef struct heap {
    size_t *items;
    size_t count, cap;
} heap;

static int heap_push(heap *h, size_t v)
{
    if (srp_grow((void **)&h->items, &h->cap, h->count + 1, sizeof *h->items) != 0)
        return -1;
    size_t i = h->count++;
    while (i > 0 && h->items[(i - 1) / 2] > v) {
        h->items[i] = h->items[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->items[i] = v;
    return 0;
}

static size_t heap_pop(heap *h)
{
    size_t top = h->items[0], v = h->items[--h->count], i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->count)
            break;
        if (c + 1 < h->count && h->items[c + 1] < h->items[c])
            c++;
        if (h->items[c] >= v)
            break;
        h->items[i] = h->items[c];
        i = c;
    }
    if (h->count)
        h->items[i] = v;
    return top;
}

/* Whether published cell c may be withheld as a complement (not one kept
 * published, srp_sdc_keep). */
static int open_cell(const srp_sdc *s, size_t c)
{
    return s->state[c] == SRP_SDC_PUBLISHED && !(s->flags[c] & F_KEEP);
}

/* Whether cell c is a better complement than best: a non-zero one first (a
 * zero widens nothing), then the cheapest, then by identity. */
static int better(const srp_sdc *s, size_t c, size_t best)
{
    if (best == (size_t)-1)
        return 1;
    if ((s->counts[best] == 0) != (s->counts[c] == 0))
        return s->counts[c] != 0;
    if (s->cost[c] != s->cost[best])
        return s->cost[c] < s->cost[best];
    if (s->identity[c] != s->identity[best])
        return s->identity[c] < s->identity[best];
    return s->counts[c] < s->counts[best];
}

/* Withholds the cheapest published cell of relation r, preferring non-zero
 * ones (a zero tells less, but an all-zero rest must still hide); ties go
 * by identity. Returns the cell, or (size_t)-1 when none is published. */
static size_t pick(const srp_sdc *s, size_t r)
{
    const size_t *m = s->members + s->relations[r].first;
    size_t n = s->relations[r].count, best = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        size_t c = m[i];
        if (open_cell(s, c) && better(s, c, best))
            best = c;
    }
    return best;
}

/* The relations are visited in sweeps, the most constrained (fewest cells)
 * first: the cell they force often settles the larger ones too, so fewer
 * figures go. A sweep takes every relation that has exactly one withheld
 * cell when its turn comes, until a sweep changes nothing. Rather than
 * visiting every relation in every sweep, only those whose count of
 * withheld cells has just become one are queued: for the current sweep when
 * their turn is still to come, else for the next. The outcome is that of
 * the plain sweeps, in time linear in the members (times a logarithm). */
static size_t quick_start(srp_sdc *s)
{
    size_t added = 0, nr = s->relation_count;
    sized *order = malloc((nr ? nr : 1) * sizeof *order);
    size_t *pos_of = malloc((nr ? nr : 1) * sizeof *pos_of);
    size_t *withheld = calloc(nr ? nr : 1, sizeof *withheld);
    size_t *start = calloc(s->cells + 1, sizeof *start); /* cell -> its positions */
    size_t *in = malloc((s->member_count ? s->member_count : 1) * sizeof *in);
    heap now = {NULL, 0, 0}, later = {NULL, 0, 0};
    if (!order || !pos_of || !withheld || !start || !in)
        goto out;
    for (size_t r = 0; r < nr; r++) {
        order[r].count = s->relations[r].count;
        order[r].identity = s->relations[r].identity;
        order[r].index = r;
    }
    qsort(order, nr, sizeof *order, by_size);
    for (size_t k = 0; k < nr; k++)
        pos_of[order[k].index] = k;
    /* Every membership, grouped by cell (counting sort): the members each
     * relation counts (not a total still to be linked). */
    for (size_t r = 0; r < nr; r++)
        for (size_t i = 0; i < s->relations[r].count; i++)
            start[s->members[s->relations[r].first + i] + 1]++;
    for (size_t c = 0; c < s->cells; c++)
        start[c + 1] += start[c];
    {
        size_t *fill = malloc((s->cells ? s->cells : 1) * sizeof *fill);
        if (!fill)
            goto out;
        memcpy(fill, start, s->cells * sizeof *fill);
        for (size_t r = 0; r < nr; r++) {
            const relation *rel = &s->relations[r];
            for (size_t i = 0; i < rel->count; i++)
                in[fill[s->members[rel->first + i]]++] = pos_of[r];
        }
        free(fill);
    }
    for (size_t r = 0; r < nr; r++) {
        const relation *rel = &s->relations[r];
        for (size_t i = 0; i < rel->count; i++)
            withheld[pos_of[r]] += s->state[s->members[rel->first + i]] != SRP_SDC_PUBLISHED &&
                                   s->counts[s->members[rel->first + i]] != 0;
    }
    for (size_t k = 0; k < nr; k++)
        if (withheld[k] == 1 && heap_push(&now, k) != 0)
            goto out;
    while (now.count || later.count) {
        if (!now.count) { /* the next sweep */
            heap t = now;
            now = later;
            later = t;
        }
        size_t k = heap_pop(&now);
        if (withheld[k] != 1)
            continue;
        size_t best = pick(s, order[k].index);
        if (best == (size_t)-1)
            continue;
        s->state[best] = SRP_SDC_SECONDARY;
        added++;
        for (size_t i = start[best]; i < start[best + 1] && s->counts[best] != 0; i++) {
            size_t p = in[i];
            if (++withheld[p] == 1 && heap_push(p > k ? &now : &later, p) != 0)
                goto out;
        }
    }
out:
    free(order);
    free(pos_of);
    free(withheld);
    free(start);
    free(in);
    free(now.items);
    free(later.items);
    return added;
}

/* ---- the LP audit ------------------------------------------------------------------------- */

/* What the audit of the connected parts shares: memberships by cell, the
 * parts, and scratch space sized by the cells. */
typedef struct audit {
    size_t *rel_start, *rel_of;     /* cell -> the relations it is in */
    size_t *comp_start, *comp_cell; /* part -> its cells */
    size_t *comp_of;                /* cell -> its part */
    size_t comps;
    size_t *col_of;       /* cell -> LP column, or (size_t)-1 */
    unsigned char *state; /* a trial pattern */
    double *lo, *hi;      /* a trial's intervals */
    unsigned char *exact;
    size_t *cand;
    const double *need;     /* by cell: set, audit_part only tells whether each is this wide */
    int verdict;            /* then: 1 when every one is */
    unsigned char *seen;    /* by relation: taken as a row already (all 0 between calls) */
    unsigned char *picked;  /* by cell: asked for by PICKED (all 0 between calls) */
    size_t *fresh;          /* by cell: the generation of the pattern its interval is of */
    size_t generation;      /* of the pattern, while repair changes it */
    size_t *fix_known;      /* by cell: the fix_generation its fix_yes is of */
    unsigned char *fix_yes; /* by cell: withholding the part but its zeros protects it */
    size_t fix_generation;  /* of the pattern of zeros, while repair changes it */
    double enough;          /* when > 0: the width past which a cell's interval is not solved for */
    srp_lp_solver *lp; /* one solver for every linear program of the solve (made when needed) */
} audit;

static double required(const srp_sdc *s)
{
    return s->min_cell > 1 ? (double)(s->min_cell - 1) : 0.0;
}

/* "Contains [0, min-1] or is at least as wide" (the first implies the
 * second; both are written out as the rule says). */
static int holds(const srp_sdc *s, double lo, double hi)
{
    double need = required(s);
    return (lo <= 1e-6 && hi >= need - 1e-6) || hi - lo >= need - 1e-6;
}

/* A count of 1..min-1 is never published, pinned or not: a small count
 * pinned is a failure to report, and one in a withheld group may be pinned
 * only by a total the model knows and the outsider does not. */
static int sensitive(const srp_sdc *s, size_t c)
{
    return s->state[c] == SRP_SDC_SMALL || (s->counts[c] >= 1 && s->counts[c] < s->min_cell);
}

/* Whether a withheld cell needs its protection interval: a small count, or
 * a figure of a group withheld whole. A secondary cell of min or more only
 * protects others: narrowing it tells nothing about a few people (what it
 * would tell about a small cell, that cell's own interval says). */
static int needs_interval(const srp_sdc *s, size_t c)
{
    if (s->flags[c] & F_LATENT)
        return 0;
    return s->state[c] == SRP_SDC_GROUP || sensitive(s, c);
}

static size_t find_root(size_t *parent, size_t c)
{
    while (parent[c] != c) {
        parent[c] = parent[parent[c]];
        c = parent[c];
    }
    return c;
}

static void audit_release(audit *a)
{
    free(a->rel_start);
    free(a->rel_of);
    free(a->comp_start);
    free(a->comp_cell);
    free(a->comp_of);
    free(a->col_of);
    free(a->state);
    free(a->lo);
    free(a->hi);
    free(a->exact);
    free(a->cand);
    free(a->seen);
    free(a->picked);
    free(a->fresh);
    free(a->fix_known);
    free(a->fix_yes);
    srp_lp_solver_free(a->lp);
}

static int audit_make(const srp_sdc *s, audit *a)
{
    size_t n = s->cells, nn = n ? n : 1, nm = s->member_count ? s->member_count : 1;
    memset(a, 0, sizeof *a);
    size_t *parent = malloc(nn * sizeof *parent);
    a->rel_start = calloc(n + 1, sizeof *a->rel_start);
    a->rel_of = malloc(nm * sizeof *a->rel_of);
    a->comp_start = calloc(n + 2, sizeof *a->comp_start);
    a->comp_cell = malloc(nn * sizeof *a->comp_cell);
    a->comp_of = malloc(nn * sizeof *a->comp_of);
    a->col_of = malloc(nn * sizeof *a->col_of);
    a->state = malloc(nn);
    a->lo = malloc(nn * sizeof *a->lo);
    a->hi = malloc(nn * sizeof *a->hi);
    a->exact = malloc(nn);
    a->cand = malloc(nn * sizeof *a->cand);
    a->seen = calloc(s->relation_count ? s->relation_count : 1, 1);
    a->picked = calloc(nn, 1);
    a->fresh = calloc(nn, sizeof *a->fresh);
    a->fix_known = calloc(nn, sizeof *a->fix_known);
    a->fix_yes = calloc(nn, 1);
    if (!parent || !a->picked || !a->fresh || !a->fix_known || !a->fix_yes || !a->rel_start ||
        !a->rel_of || !a->comp_start || !a->comp_cell || !a->comp_of || !a->col_of || !a->state ||
        !a->lo || !a->hi || !a->exact || !a->cand || !a->seen) {
        free(parent);
        return -1;
    }
    for (size_t r = 0; r < s->relation_count; r++)
        for (size_t i = 0; i < s->relations[r].count; i++)
            a->rel_start[s->members[s->relations[r].first + i] + 1]++;
    for (size_t c = 0; c < n; c++)
        a->rel_start[c + 1] += a->rel_start[c];
    memcpy(a->col_of, a->rel_start, n * sizeof *a->col_of); /* as fill pointers */
    for (size_t c = 0; c < n; c++)
        parent[c] = c;
    for (size_t r = 0; r < s->relation_count; r++) {
        const relation *rel = &s->relations[r];
        size_t first = find_root(parent, s->members[rel->first]);
        for (size_t i = 0; i < rel->count; i++) {
            size_t c = s->members[rel->first + i];
            a->rel_of[a->col_of[c]++] = r;
            size_t root = find_root(parent, c);
            if (root != first)
                parent[root] = first;
        }
    }
    /* Parts numbered by their first cell; cells listed in index order. */
    for (size_t c = 0; c < n; c++)
        a->comp_of[c] = (size_t)-1;
    for (size_t c = 0; c < n; c++) {
        size_t root = find_root(parent, c);
        if (a->comp_of[root] == (size_t)-1)
            a->comp_of[root] = a->comps++;
        a->comp_of[c] = a->comp_of[root];
        a->comp_start[a->comp_of[c] + 1]++;
    }
    for (size_t k = 0; k < a->comps; k++)
        a->comp_start[k + 1] += a->comp_start[k];
    memcpy(parent, a->comp_start, a->comps * sizeof *parent); /* as fill pointers */
    for (size_t c = 0; c < n; c++)
        a->comp_cell[parent[a->comp_of[c]]++] = c;
    for (size_t c = 0; c < n; c++)
        a->col_of[c] = (size_t)-1;
    free(parent);
    return 0;
}

/* `only` for audit_part: every withheld cell that needs its interval; the
 * cells marked in audit.picked. */
#define NEEDING ((size_t)-2)
#define PICKED ((size_t)-3)

/* The intervals of the withheld cells of part k under pattern state (only
 * of cell `only` when it is not (size_t)-1; of those that need one when it
 * is NEEDING; of those in audit.picked when it is PICKED), into lo/hi/exact
 * by cell.
 * Returns 0, or -1 when out of memory or the solver failed. */
static int audit_part(srp_sdc *s, audit *a, size_t k, const unsigned char *state, size_t only,
                      int own_only, double *lo, double *hi, unsigned char *exact)
{
    const size_t *cells = a->comp_cell + a->comp_start[k];
    size_t ncells = a->comp_start[k + 1] - a->comp_start[k], cols = 0, rows = 0, nnz = 0;
    int rc = -1;
    size_t *cell_of = NULL, *row_start = NULL, *row_col = NULL;
    double *row_coef = NULL, *rhs = NULL, *value = NULL, *clo = NULL, *chi = NULL, *cneed = NULL;
    unsigned char *want = NULL, *cexact = NULL, *seen = a->seen;
    a->verdict = 1;
    /* The columns: the part's withheld cells. */
    for (size_t i = 0; i < ncells; i++)
        if (state[cells[i]] != SRP_SDC_PUBLISHED)
            a->col_of[cells[i]] = cols++;
    if (cols == 0)
        return 0;
    /* The rows: every relation of the part with a withheld member. */
    size_t max_rows = 0, max_nnz = 0;
    for (size_t i = 0; i < ncells; i++) {
        size_t c = cells[i];
        if (state[c] == SRP_SDC_PUBLISHED)
            continue;
        max_rows += a->rel_start[c + 1] - a->rel_start[c];
    }
    max_nnz = max_rows;
    cell_of = malloc(cols * sizeof *cell_of);
    row_start = malloc((max_rows + 1) * sizeof *row_start);
    row_col = malloc((max_nnz ? max_nnz : 1) * sizeof *row_col);
    row_coef = malloc((max_nnz ? max_nnz : 1) * sizeof *row_coef);
    rhs = malloc((max_rows ? max_rows : 1) * sizeof *rhs);
    value = malloc(cols * sizeof *value);
    clo = calloc(cols, sizeof *clo);
    chi = calloc(cols, sizeof *chi);
    want = calloc(cols, 1);
    cexact = calloc(cols, 1);
    if (!cell_of || !row_start || !row_col || !row_coef || !rhs || !value || !clo || !chi ||
        !want || !cexact)
        goto out;
    for (size_t i = 0; i < ncells; i++) {
        size_t c = cells[i];
        if (a->col_of[c] == (size_t)-1)
            continue;
        cell_of[a->col_of[c]] = c;
        value[a->col_of[c]] = (double)s->counts[c];
        want[a->col_of[c]] =
            only == (size_t)-1 || only == c || (only == PICKED && a->picked[c]) ||
            (only == NEEDING && needs_interval(s, c) && (!a->need || a->need[c] >= 0));
    }
    row_start[0] = 0;
    for (size_t j = 0; j < cols; j++) {
        size_t c = cell_of[j];
        for (size_t q = a->rel_start[c]; q < a->rel_start[c + 1]; q++) {
            size_t r = a->rel_of[q];
            if (seen[r])
                continue;
            seen[r] = 1;
            const relation *rel = &s->relations[r];
            if (own_only && rel->outside)
                continue;
            double sum = 0;
            for (size_t i = 0; i < rel->count; i++) {
                size_t m = s->members[rel->first + i];
                if (state[m] == SRP_SDC_PUBLISHED)
                    continue;
                double coef = rel->has_total && i + 1 == rel->count ? -1.0 : 1.0;
                row_col[nnz] = a->col_of[m];
                row_coef[nnz++] = coef;
                sum += coef * (double)s->counts[m];
            }
            rhs[rows++] = sum;
            row_start[rows] = nnz;
        }
    }
    for (size_t j = 0; j < cols; j++) /* seen is all 0 again for the next call */
        for (size_t q = a->rel_start[cell_of[j]]; q < a->rel_start[cell_of[j] + 1]; q++)
            seen[a->rel_of[q]] = 0;
    size_t nwant = 0;
    for (size_t j = 0; j < cols; j++)
        nwant += want[j];
    double work = 2.0 * (double)nwant * (double)cols;
    if (s->work_limit > 0 && s->work + work > s->work_limit) {
        /* Over budget: srp_sdc_solve withholds the part. The cells asked
         * for read as unbounded meanwhile, so every caller's loop ends. */
        s->over = 1;
        for (size_t j = 0; j < cols; j++)
            if (want[j]) {
                lo[cell_of[j]] = 0;
                hi[cell_of[j]] = HUGE_VAL;
                exact[cell_of[j]] = 0;
            }
        rc = 0;
        goto out;
    }
    s->work += work;
    if (!a->lp && !(a->lp = srp_lp_solver_new()))
        goto out;
    srp_lp_problem p = {cols, rows, row_start, row_col, row_coef, rhs, value};
    if (a->need) {
        cneed = malloc(cols * sizeof *cneed);
        if (!cneed)
            goto out;
        for (size_t j = 0; j < cols; j++)
            cneed[j] = a->need[cell_of[j]];
        if (srp_lp_wide_enough(a->lp, &p, want, cneed, clo, chi, cexact, &s->report.lp_solves,
                               &a->verdict) != 0)
            goto out;
    } else if (srp_lp_intervals(a->lp, &p, want,
                                a->enough > 0 ? a->enough
                                : s->exact    ? HUGE_VAL
                                              : required(s),
                                clo, chi, cexact, &s->report.lp_solves) != 0) {
        goto out;
    }
    for (size_t j = 0; j < cols; j++)
        if (want[j]) {
            lo[cell_of[j]] = clo[j];
            hi[cell_of[j]] = chi[j];
            exact[cell_of[j]] = cexact[j];
        }
    rc = 0;
out:
    for (size_t i = 0; i < ncells; i++)
        a->col_of[cells[i]] = (size_t)-1;
    free(cell_of);
    free(row_start);
    free(row_col);
    free(row_coef);
    free(rhs);
    free(value);
    free(clo);
    free(chi);
    free(want);
    free(cexact);
    free(cneed);
    return rc;
}

static int audit_current(srp_sdc *s, audit *a, size_t k)
{
    if (audit_part(s, a, k, s->state, (size_t)-1, 0, s->lo, s->hi, a->exact) != 0)
        return -1;
    const size_t *cells = a->comp_cell + a->comp_start[k];
    size_t ncells = a->comp_start[k + 1] - a->comp_start[k];
    for (size_t i = 0; i < ncells; i++) {
        size_t c = cells[i];
        if (s->state[c] == SRP_SDC_PUBLISHED) {
            s->lo[c] = s->hi[c] = (double)s->counts[c];
            s->flags[c] |= F_EXACT;
        } else if (a->exact[c]) {
            s->flags[c] |= F_EXACT;
        } else {
            s->flags[c] &= (unsigned short)~F_EXACT;
        }
    }
    return 0;
}

/* Whether withheld cell c is too narrow by its interval as last found, and
 * still thought fixable (what repair takes next, the first by identity). */
static int narrow_candidate(const srp_sdc *s, size_t c)
{
    return s->state[c] != SRP_SDC_PUBLISHED && !(s->flags[c] & F_UNFIXABLE) &&
           needs_interval(s, c) && !holds(s, s->lo[c], s->hi[c]);
}

/* The cheapest published cell in a relation with cell f, else in any
 * relation of the part with a withheld member; (size_t)-1 when none. */
static size_t complement_for(const srp_sdc *s, const audit *a, size_t k, size_t f)
{
    size_t best = (size_t)-1;
    for (size_t q = a->rel_start[f]; q < a->rel_start[f + 1]; q++) {
        const relation *rel = &s->relations[a->rel_of[q]];
        for (size_t i = 0; i < rel->count; i++) {
            size_t m = s->members[rel->first + i];
            if (open_cell(s, m) && better(s, m, best))
                best = m;
        }
    }
    if (best != (size_t)-1)
        return best;
    for (size_t i = a->comp_start[k]; i < a->comp_start[k + 1]; i++) {
        size_t c = a->comp_cell[i];
        if (!open_cell(s, c))
            continue;
        int near = 0; /* shares a relation with a withheld cell */
        for (size_t q = a->rel_start[c]; q < a->rel_start[c + 1] && !near; q++) {
            const relation *rel = &s->relations[a->rel_of[q]];
            for (size_t j = 0; j < rel->count && !near; j++)
                near = s->state[s->members[rel->first + j]] != SRP_SDC_PUBLISHED;
        }
        if (near && better(s, c, best))
            best = c;
    }
    return best;
}

/* The intervals of the cells marked in audit.picked (of part k), again,
 * under the current pattern; picked is all 0 again after. */
static int recheck_picked(srp_sdc *s, audit *a, size_t k)
{
    int rc = audit_part(s, a, k, s->state, PICKED, 0, s->lo, s->hi, a->exact);
    for (size_t i = a->comp_start[k]; i < a->comp_start[k + 1]; i++) {
        size_t c = a->comp_cell[i];
        if (!a->picked[c])
            continue;
        a->picked[c] = 0;
        if (rc != 0)
            continue;
        if (a->exact[c])
            s->flags[c] |= F_EXACT;
        else
            s->flags[c] &= (unsigned short)~F_EXACT;
        s->flags[c] &= (unsigned short)~F_STALE;
        a->fresh[c] = a->generation;
    }
    return rc;
}

/* The interval of one withheld cell c of part k, again. */
static int recheck(srp_sdc *s, audit *a, size_t k, size_t c)
{
    a->picked[c] = 1;
    return recheck_picked(s, a, k);
}

static int by_identity(const void *x, const void *y)
{
    const sized *p = x, *q = y;
    if (p->identity != q->identity)
        return p->identity < q->identity ? -1 : 1;
    if (p->count != q->count)
        return p->count < q->count ? -1 : 1;
    return p->index < q->index ? -1 : p->index > q->index;
}

/* The too narrow cells of a part in the order repair takes them (by
 * identity, then count, then index): those of the part when repair starts,
 * sorted once, and those a recheck finds too narrow later (extra; rare: a
 * complement needs no interval of its own). A cell that holds, or is
 * found unfixable, never is a candidate again but by a recheck, so the
 * sorted ones are passed once. */
typedef struct narrow_queue {
    sized *order;
    size_t count, at;
    size_t *extra;
    size_t extras;
} narrow_queue;

static int narrow_queue_make(const srp_sdc *s, const audit *a, size_t k, narrow_queue *q)
{
    size_t ncells = a->comp_start[k + 1] - a->comp_start[k];
    q->count = q->at = q->extras = 0;
    q->order = malloc((ncells ? ncells : 1) * sizeof *q->order);
    q->extra = malloc((ncells ? ncells : 1) * sizeof *q->extra);
    if (!q->order || !q->extra)
        return -1;
    for (size_t i = a->comp_start[k]; i < a->comp_start[k + 1]; i++) {
        size_t c = a->comp_cell[i];
        if (narrow_candidate(s, c))
            q->order[q->count++] = (sized){(size_t)s->counts[c], c, s->identity[c]};
    }
    qsort(q->order, q->count, sizeof *q->order, by_identity);
    return 0;
}

static void narrow_queue_release(narrow_queue *q)
{
    free(q->order);
    free(q->extra);
}

/* The first too narrow cell still thought fixable; (size_t)-1 when none. */
static size_t narrow_queue_first(const srp_sdc *s, narrow_queue *q)
{
    while (q->at < q->count && !narrow_candidate(s, q->order[q->at].index))
        q->at++;
    size_t best = q->at < q->count ? q->order[q->at].index : (size_t)-1;
    for (size_t i = 0; i < q->extras;) {
        size_t c = q->extra[i];
        if (!narrow_candidate(s, c)) {
            q->extra[i] = q->extra[--q->extras];
            continue;
        }
        sized x = {(size_t)s->counts[c], c, s->identity[c]};
        sized y = {best == (size_t)-1 ? 0 : (size_t)s->counts[best], best,
                   best == (size_t)-1 ? 0 : s->identity[best]};
        if (best == (size_t)-1 || by_identity(&x, &y) < 0)
            best = c;
        i++;
    }
    return best;
}

/* Rechecks f, the first too narrow cell, and with it the next batch - 1
 * whose intervals are older than the pattern (the cells repair would
 * recheck after it, if it withheld nothing more). */
static int recheck_next(srp_sdc *s, audit *a, size_t k, const narrow_queue *q, size_t f,
                        size_t batch)
{
    a->picked[f] = 1;
    for (size_t i = q->at, n = 1; i < q->count && n < batch; i++) {
        size_t c = q->order[i].index;
        if (c != f && a->fresh[c] != a->generation && narrow_candidate(s, c)) {
            a->picked[c] = 1;
            n++;
        }
    }
    return recheck_picked(s, a, k);
}

/* The part size up to which repair asks first whether withholding the
 * whole part would protect a cell (beyond it, after three complements in
 * vain). */
#define SRP_SDC_FIXABLE_FIRST 200

/* Whether withholding the whole part (but its zeros) would protect f. That
 * pattern is the same for every withheld cell, and changes only when
 * repair withholds a zero: so in a part where every too narrow cell is
 * asked (SRP_SDC_FIXABLE_FIRST), those not yet answered for this pattern
 * are asked with f, by one audit. */
static int fixable(srp_sdc *s, audit *a, size_t k, const narrow_queue *q, size_t f, int *yes)
{
    if (a->fix_known[f] != a->fix_generation) {
        for (size_t i = a->comp_start[k]; i < a->comp_start[k + 1]; i++) {
            size_t c = a->comp_cell[i];
            a->state[c] =
                (s->counts[c] == 0 || (s->flags[c] & F_KEEP)) && s->state[c] == SRP_SDC_PUBLISHED
                    ? SRP_SDC_PUBLISHED /* zeros widen nothing; kept ones stay */
                    : SRP_SDC_SECONDARY;
        }
        a->state[f] = SRP_SDC_SECONDARY;
        a->picked[f] = 1;
        if (a->comp_start[k + 1] - a->comp_start[k] <= SRP_SDC_FIXABLE_FIRST) {
            for (size_t i = q->at; i < q->count; i++)
                a->picked[q->order[i].index] = 1;
            for (size_t i = 0; i < q->extras; i++)
                a->picked[q->extra[i]] = 1;
        }
        int rc = 0;
        for (size_t i = a->comp_start[k]; i < a->comp_start[k + 1]; i++) {
            size_t c = a->comp_cell[i]; /* only the too narrow ones not yet answered */
            a->picked[c] =
                a->picked[c] &&
                (c == f || (a->fix_known[c] != a->fix_generation && narrow_candidate(s, c)));
        }
        rc = audit_part(s, a, k, a->state, PICKED, 0, a->lo, a->hi, a->exact);
        for (size_t i = a->comp_start[k]; i < a->comp_start[k + 1]; i++) {
            size_t c = a->comp_cell[i];
            if (a->picked[c] && rc == 0) {
                a->fix_yes[c] = (unsigned char)holds(s, a->lo[c], a->hi[c]);
                a->fix_known[c] = a->fix_generation;
            }
            a->picked[c] = 0;
        }
        if (rc != 0)
            return -1;
    }
    *yes = a->fix_yes[f];
    return 0;
}

/* Repair: while a withheld cell of part k is too narrow, withhold the
 * cheapest cell beside it and look at that cell alone again (withholding
 * more only widens every interval; the cells added are looked at in turn).
 * First (in a part of up to 200 cells, else after three in vain) it is
 * checked whether even withholding the whole part would protect it; if
 * not, it is unfixable, and left so. */
static int repair(srp_sdc *s, audit *a, size_t k)
{
    /* The intervals found so far are the pattern's (settle published only
     * what was pinned, which widens nothing). Each cell withheld makes
     * them old; a cell whose interval is old is rechecked when repair
     * takes it. While repair withholds nothing, the cells it takes next
     * are rechecked together, in batches that double (back to one cell
     * when it withholds one). */
    size_t batch = 1;
    int rc = -1;
    narrow_queue q;
    if (narrow_queue_make(s, a, k, &q) != 0)
        goto out;
    a->generation++;
    a->fix_generation++;
    for (size_t i = a->comp_start[k]; i < a->comp_start[k + 1]; i++)
        a->fresh[a->comp_cell[i]] = a->generation;
    for (;;) {
        if (s->over || (s->solve_limit && s->report.lp_solves > s->solve_limit))
            break; /* over budget: srp_sdc_solve withholds the part */
        size_t stale = 0;
        for (size_t i = a->comp_start[k]; i < a->comp_start[k + 1]; i++)
            if (s->flags[a->comp_cell[i]] & F_STALE) {
                a->picked[a->comp_cell[i]] = 1;
                q.extra[q.extras + stale++] = a->comp_cell[i];
            }
        if (stale && recheck_picked(s, a, k) != 0)
            goto out;
        for (size_t i = 0, kept = q.extras; i < stale; i++) { /* those too narrow themselves */
            size_t c = q.extra[kept + i];
            if (narrow_candidate(s, c))
                q.extra[q.extras++] = c;
        }
        size_t f = narrow_queue_first(s, &q);
        if (f == (size_t)-1)
            break;
        /* Its interval may be old: cells withheld since widen it. */
        if (a->fresh[f] != a->generation && recheck_next(s, a, k, &q, f, batch) != 0)
            goto out;
        size_t part = a->comp_start[k + 1] - a->comp_start[k], before = a->generation;
        int check_at = part <= SRP_SDC_FIXABLE_FIRST ? 0 : 3;
        for (int tries = 0; !holds(s, s->lo[f], s->hi[f]); tries++) {
            if (s->over || (s->solve_limit && s->report.lp_solves > s->solve_limit))
                break;
            size_t c = (size_t)-1;
            int yes = 1;
            if (tries == check_at && fixable(s, a, k, &q, f, &yes) != 0)
                goto out;
            if (yes)
                c = complement_for(s, a, k, f);
            if (c == (size_t)-1) {
                s->flags[f] |= F_UNFIXABLE;
                break;
            }
            s->state[c] = SRP_SDC_SECONDARY;
            s->flags[c] |= F_STALE;
            a->generation++;
            a->fix_generation += s->counts[c] == 0;
            if (recheck(s, a, k, f) != 0)
                goto out;
        }
        batch = a->generation == before ? batch * 2 : 1;
    }
    rc = 0;
out:
    narrow_queue_release(&q);
    return rc;
}

typedef struct ranked {
    double cost;
    unsigned long long identity;
    size_t cell;
} ranked;

/* Dearest first; between equals the higher identity (the quick start
 * withholds the lower one, and thinning keeps it so). */
static int dearest_first(const void *x, const void *y)
{
    const ranked *p = x, *q = y;
    if (p->cost != q->cost)
        return p->cost > q->cost ? -1 : 1;
    if (p->identity != q->identity)
        return p->identity > q->identity ? -1 : 1;
    return p->cell < q->cell ? -1 : p->cell > q->cell;
}

static double width(double lo, double hi)
{
    return hi - lo;
}

static int over_budget(const srp_sdc *s);
static void budget(srp_sdc *s);
static void budget_thinning(srp_sdc *s);

/* Whether publishing cell x would leave a relation to another query's
 * figure with exactly one withheld count above zero. That query solves its
 * own problem and may withhold the figure; if this one published all of its
 * parts but one, and that one were pinned, or all of them, the figure would
 * follow. The quick start never leaves such a relation; neither does
 * thinning. */
static int lone_outside(const srp_sdc *s, const audit *a, size_t x)
{
    if (s->counts[x] == 0)
        return 0;
    for (size_t q = a->rel_start[x]; q < a->rel_start[x + 1]; q++) {
        const relation *rel = &s->relations[a->rel_of[q]];
        if (!rel->outside)
            continue;
        size_t withheld = 0;
        for (size_t i = 0; i < rel->count; i++) {
            size_t m = s->members[rel->first + i];
            withheld += m != x && s->state[m] != SRP_SDC_PUBLISHED && s->counts[m] != 0;
        }
        if (withheld == 1)
            return 1;
    }
    return 0;
}

/* Thinning. First every published zero that shares a relation with a
 * withheld cell of part k is withheld too: it hides nobody, and a withheld
 * zero can grow, which widens the intervals beside it (in a paired table
 * the zeros are often the only complements that leave the improved,
 * unchanged and worsened sums intact). Then each secondary cell, dearest
 * first, is published if every cell that needs an interval keeps one as
 * wide as required (or, for one that cannot have it, as wide as it had).
 * The pattern is protected after every step, so when the budget runs out
 * thinning just stops there. */
static int thin(srp_sdc *s, audit *a, size_t k, int with_zeros)
{
    size_t n = 0, zeros = 0;
    ranked *order = NULL;
    double *full = NULL, *own = NULL; /* by cell: the widths to keep (see below) */
    size_t ncells = a->comp_start[k + 1] - a->comp_start[k];
    const size_t *cells = a->comp_cell + a->comp_start[k];
    for (size_t i = 0; i < ncells; i++) {
        size_t c = cells[i];
        if (!open_cell(s, c) || s->counts[c] != 0)
            continue;
        int near = 0;
        for (size_t q = a->rel_start[c]; q < a->rel_start[c + 1] && !near; q++) {
            const relation *rel = &s->relations[a->rel_of[q]];
            for (size_t j = 0; j < rel->count && !near; j++)
                near = s->state[s->members[rel->first + j]] != SRP_SDC_PUBLISHED;
        }
        if (near && with_zeros)
            a->cand[zeros++] = c;
    }
    for (size_t i = 0; i < zeros; i++)
        s->state[a->cand[i]] = SRP_SDC_SECONDARY;
    for (size_t i = 0; i < ncells; i++)
        n += s->state[cells[i]] == SRP_SDC_SECONDARY;
    if (n == 0)
        return 0;
    order = malloc(n * sizeof *order);
    if (!order)
        return -1;
    n = 0;
    for (size_t i = 0; i < ncells; i++)
        if (s->state[cells[i]] == SRP_SDC_SECONDARY)
            order[n++] = (ranked){s->cost[cells[i]], s->identity[cells[i]], cells[i]};
    qsort(order, n, sizeof *order, dearest_first);
    double need = required(s);
    int rc = -1;
    /* The widths to keep, as they are now (repair leaves the interval of a
     * cell it gave up on as it first found it). */
    if (audit_part(s, a, k, s->state, NEEDING, 0, s->lo, s->hi, a->exact) != 0)
        goto out;
    if (over_budget(s)) {
        s->over = 0;
        s->thin_stopped = 1;
        rc = 0;
        goto out;
    }
    /* What each must keep: the required width, or the width it has when
     * that is less. A cell that cannot be protected is narrow only through
     * the figures of other queries, which those may withhold: it must not
     * get narrower by this problem's own relations either (-1: not looked
     * at by them). */
    full = malloc(s->cells * sizeof *full);
    own = malloc(s->cells * sizeof *own);
    if (!full || !own)
        goto out;
    int any_narrow = 0;
    for (size_t i = 0; i < ncells; i++) {
        size_t c = cells[i];
        full[c] = own[c] = -1;
        if (s->state[c] == SRP_SDC_PUBLISHED || !needs_interval(s, c))
            continue;
        double w = width(s->lo[c], s->hi[c]);
        full[c] = w < need ? w : need;
        any_narrow |= w < need - 1e-6;
    }
    if (any_narrow) {
        if (audit_part(s, a, k, s->state, NEEDING, 1, a->lo, a->hi, a->exact) != 0)
            goto out;
        if (over_budget(s)) {
            s->over = 0;
            s->thin_stopped = 1;
            rc = 0;
            goto out;
        }
        for (size_t i = 0; i < ncells; i++) {
            size_t c = cells[i];
            if (full[c] >= 0 && full[c] < need - 1e-6) {
                double w = width(a->lo[c], a->hi[c]);
                own[c] = w < need ? w : need;
            }
        }
    }
    /* Dearest first, in runs: a run of cells is published together when
     * the audit passes, and the next run is twice as long; when it fails,
     * the run is taken back and tried again half as long, down to one cell,
     * which then stays withheld. Each published set is one the audit
     * passed, as one at a time; a long run of cells that can all go costs
     * one audit instead of one each. */
    size_t run = 1;
    for (size_t t = 0; t < n;) {
        size_t end = t, tried = 0;
        while (end < n && tried < run) {
            size_t x = order[end++].cell;
            if (lone_outside(s, a, x) || (s->flags[x] & F_HELD))
                continue;
            s->state[x] = SRP_SDC_PUBLISHED;
            a->cand[tried++] = x;
        }
        int ok = 1;
        for (int pass = 0; pass < 1 + any_narrow && ok && tried; pass++) {
            a->need = pass == 0 ? full : own;
            int failed = audit_part(s, a, k, s->state, NEEDING, pass, a->lo, a->hi, a->exact);
            a->need = NULL;
            if (failed || over_budget(s)) {
                for (size_t i = 0; i < tried; i++)
                    s->state[a->cand[i]] = SRP_SDC_SECONDARY;
                if (failed)
                    goto out;
                s->over = 0;
                s->thin_stopped = 1;
                rc = 0;
                goto out;
            }
            ok = a->verdict;
        }
        if (ok) {
            t = end;
            run *= 2;
            continue;
        }
        for (size_t i = 0; i < tried; i++)
            s->state[a->cand[i]] = SRP_SDC_SECONDARY;
        if (tried <= 1) {
            t = end;
            run = 1;
        } else {
            run = tried / 2;
        }
    }
    rc = 0;
out:
    free(order);
    free(full);
    free(own);
    return rc;
}

/* What a pattern of part k loses: the cost of each withheld cell, and one
 * more for each (a withheld zero hides nobody, but the reader misses it). */
static double loss(const srp_sdc *s, const audit *a, size_t k)
{
    double sum = 0;
    for (size_t i = a->comp_start[k]; i < a->comp_start[k + 1]; i++)
        if (s->state[a->comp_cell[i]] != SRP_SDC_PUBLISHED)
            sum += s->cost[a->comp_cell[i]] + 1.0;
    return sum;
}

/* Thinning from the repaired pattern, and, when that leaves a cell
 * withheld that costs more than the persons it hides (a change summary),
 * from it with the zeros beside it withheld too; the pattern that loses
 * less is kept (the first when they tie). Each has a budget of its own. */
static int thin_best(srp_sdc *s, audit *a, size_t k)
{
    size_t ncells = a->comp_start[k + 1] - a->comp_start[k];
    const size_t *cells = a->comp_cell + a->comp_start[k];
    unsigned char *start = malloc(ncells ? ncells : 1), *first = malloc(ncells ? ncells : 1);
    int rc = -1;
    if (!start || !first)
        goto out;
    for (size_t i = 0; i < ncells; i++)
        start[i] = s->state[cells[i]];
    budget_thinning(s);
    if (thin(s, a, k, 0) != 0)
        goto out;
    int dear = 0;
    for (size_t i = 0; i < ncells && !dear; i++)
        dear = s->state[cells[i]] != SRP_SDC_PUBLISHED &&
               s->cost[cells[i]] > (double)s->counts[cells[i]] + 1.0;
    if (s->thin_stopped || !dear) {
        rc = 0;
        goto out;
    }
    double lose_first = loss(s, a, k);
    for (size_t i = 0; i < ncells; i++) {
        first[i] = s->state[cells[i]];
        s->state[cells[i]] = start[i];
    }
    budget_thinning(s);
    if (thin(s, a, k, 1) != 0)
        goto out;
    if (loss(s, a, k) >= lose_first)
        for (size_t i = 0; i < ncells; i++)
            s->state[cells[i]] = first[i];
    rc = 0;
out:
    free(start);
    free(first);
    return rc;
}

/* Whether withheld cell c is a candidate for publishing: pinned by every
 * relation, and not a sensitive count (a held figure too: the output gives it). */
static int pinned_candidate(const srp_sdc *s, size_t c)
{
    return s->state[c] != SRP_SDC_PUBLISHED && (s->flags[c] & F_EXACT) &&
           s->hi[c] - s->lo[c] < 1e-6 && !sensitive(s, c);
}

/* Publishes what the LP pins (zeros, and figures the published ones give:
 * not a sensitive count, which stays withheld and is marked narrow), and
 * marks the narrow ones. Pinned is judged again without the relations to
 * other queries' figures: those protect, but another query may withhold
 * them, and then the figure is not public after all. The candidates are
 * judged by one audit: publishing one that is pinned changes no other's
 * interval (it has that value in every solution), and it asks only
 * whether each is pinned, so any two solutions that differ in a cell
 * settle it. */
static int settle(srp_sdc *s, audit *a, size_t k, int mark)
{
    const size_t *cells = a->comp_cell + a->comp_start[k];
    size_t ncells = a->comp_start[k + 1] - a->comp_start[k], cols = 0, picked = 0;
    for (size_t i = 0; i < ncells; i++) {
        cols += s->state[cells[i]] != SRP_SDC_PUBLISHED;
        if (pinned_candidate(s, cells[i])) {
            a->picked[cells[i]] = 1;
            picked++;
        }
    }
    /* One by one, the candidates' audits would add up their work until
     * one went over the budget (which then withholds the part): the first
     * that fit are judged together, and the next goes over. */
    size_t fit = picked;
    if (s->work_limit > 0)
        for (fit = 0;
             fit < picked && s->work + 2.0 * (double)(fit + 1) * (double)cols <= s->work_limit;)
            fit++;
    for (size_t i = 0, seen = 0; i < ncells && fit < picked; i++)
        if (a->picked[cells[i]] && ++seen > fit)
            a->picked[cells[i]] = 0;
    a->enough = 1e-6;
    int rc = fit ? audit_part(s, a, k, s->state, PICKED, 1, a->lo, a->hi, a->exact) : 0;
    if (fit < picked)
        s->over = 1;
    for (size_t i = 0; i < ncells && rc == 0; i++) {
        size_t c = cells[i];
        if (a->picked[c]) {
            a->picked[c] = 0;
            if (a->exact[c] && a->hi[c] - a->lo[c] < 1e-6) {
                s->state[c] = SRP_SDC_PUBLISHED;
                s->flags[c] |= F_RELEASED;
                continue;
            }
        }
        if (mark && s->state[c] != SRP_SDC_PUBLISHED && needs_interval(s, c) &&
            !holds(s, s->lo[c], s->hi[c]))
            s->flags[c] |= F_NARROW;
    }
    a->enough = 0;
    for (size_t i = 0; i < ncells; i++) /* picked is all 0 again (also on failure) */
        a->picked[cells[i]] = 0;
    return rc;
}

/* The LP audit's bounds, so that no query runs for minutes: a connected
 * part with more withheld cells than this (the columns of its linear
 * programs), or one whose audit needs more linear programs or more work
 * (columns times programs), is not audited cell by cell. Every count of it
 * above zero is withheld instead, the safe side (srp_sdc_report.over_budget).
 * The bounds count work, never time, so the outcome is the same on every
 * run. */
#define SRP_SDC_AUDIT_MAX_CELLS 2000
#define SRP_SDC_AUDIT_MAX_SOLVES 20000
#define SRP_SDC_AUDIT_MAX_WORK 4e6
/* Thinning's bounds, for each of its runs (it stops where it is). */
#define SRP_SDC_THIN_MAX_SOLVES 1500
#define SRP_SDC_THIN_MAX_WORK 5e5

static void budget(srp_sdc *s)
{
    s->solve_limit = s->report.lp_solves + SRP_SDC_AUDIT_MAX_SOLVES;
    s->work = 0;
    s->work_limit = SRP_SDC_AUDIT_MAX_WORK;
    s->over = 0;
}

static void budget_thinning(srp_sdc *s)
{
    s->solve_limit = s->report.lp_solves + SRP_SDC_THIN_MAX_SOLVES;
    s->work = 0;
    s->work_limit = SRP_SDC_THIN_MAX_WORK;
    s->over = 0;
    s->thin_stopped = 0;
}

static int over_budget(const srp_sdc *s)
{
    return s->over || s->report.lp_solves > s->solve_limit;
}

static void withhold_part(srp_sdc *s, const audit *a, size_t k)
{
    for (size_t i = a->comp_start[k]; i < a->comp_start[k + 1]; i++) {
        size_t c = a->comp_cell[i];
        if (open_cell(s, c) && s->counts[c] != 0)
            s->state[c] = SRP_SDC_SECONDARY;
        s->flags[c] &= (unsigned short)~(F_NARROW | F_RELEASED);
        s->lo[c] = 0;
        s->hi[c] = HUGE_VAL;
    }
    s->report.over_budget++;
}

size_t srp_sdc_solve(srp_sdc *s)
{
    audit a;
    memset(&s->report, 0, sizeof s->report);
    quick_start(s);
    if (audit_make(s, &a) != 0) {
        s->report.audit_failed = 1;
        goto out;
    }
    s->report.components = a.comps;
    for (size_t k = 0; k < a.comps; k++) {
        size_t withheld = 0;
        for (size_t i = a.comp_start[k]; i < a.comp_start[k + 1]; i++)
            withheld += s->state[a.comp_cell[i]] != SRP_SDC_PUBLISHED;
        if (!withheld)
            continue;
        if (withheld > SRP_SDC_AUDIT_MAX_CELLS) {
            withhold_part(s, &a, k);
            continue;
        }
        budget(s);
        /* The pinned go first, so that repair does not protect them. */
        int failed =
            audit_current(s, &a, k) != 0 || settle(s, &a, k, 0) != 0 || repair(s, &a, k) != 0;
        if (!failed && !over_budget(s)) {
            /* Thinning and the final look have a budget each: thinning
             * stops where it is, the final look withholds the part. */
            failed = s->thin && thin_best(s, &a, k) != 0;
            budget(s);
            failed = failed || audit_current(s, &a, k) != 0 || settle(s, &a, k, 1) != 0;
        }
        if (failed)
            s->report.audit_failed = 1;
        if (over_budget(s))
            withhold_part(s, &a, k);
        s->solve_limit = 0;
        s->work_limit = 0;
        s->over = 0;
    }
out:
    audit_release(&a);
    size_t added = 0;
    for (size_t c = 0; c < s->cells; c++)
        added += s->state[c] == SRP_SDC_SECONDARY;
    return added;
}

size_t srp_sdc_solve_linked(srp_sdc *s)
{
    size_t added = srp_sdc_solve(s);
    int linked = 0;
    for (size_t r = 0; r < s->relation_count && !linked; r++)
        linked = s->relations[r].linked_count != 0;
    if (!linked)
        return added;
    srp_sdc_report first = s->report;
    link_totals(s);
    added = srp_sdc_solve(s);
    s->report.lp_solves += first.lp_solves;
    s->report.audit_failed |= first.audit_failed;
    s->report.over_budget += first.over_budget;
    return added;
}

void srp_sdc_set_thinning(srp_sdc *s, int on)
{
    s->thin = on != 0;
}

void srp_sdc_set_exact_intervals(srp_sdc *s, int on)
{
    s->exact = on != 0;
}

void srp_sdc_keep(srp_sdc *s, size_t cell)
{
    if (cell < s->cells)
        s->flags[cell] |= F_KEEP;
}

void srp_sdc_publish_known(srp_sdc *s, size_t cell)
{
    if (cell < s->cells && !(s->flags[cell] & F_HELD)) {
        unsigned short released =
            s->state[cell] != SRP_SDC_PUBLISHED || (s->flags[cell] & F_SHOWN_WITHHELD) ? F_RELEASED
                                                                                       : 0;
        s->flags[cell] =
            (unsigned short)((s->flags[cell] & ~(F_LATENT | F_SHOWN_WITHHELD)) | F_KEEP | released);
        s->state[cell] = SRP_SDC_PUBLISHED;
    }
}

void srp_sdc_known_withheld(srp_sdc *s, size_t cell)
{
    if (cell < s->cells && !(s->flags[cell] & F_HELD)) {
        s->flags[cell] = (unsigned short)((s->flags[cell] & ~F_LATENT) | F_KEEP | F_SHOWN_WITHHELD);
        s->state[cell] = SRP_SDC_PUBLISHED;
    }
}

void srp_sdc_hold(srp_sdc *s, size_t cell)
{
    if (cell < s->cells) {
        s->flags[cell] |= F_HELD;
        srp_sdc_force(s, cell, SRP_SDC_SECONDARY);
    }
}

void srp_sdc_latent(srp_sdc *s, size_t cell)
{
    if (cell < s->cells) {
        s->flags[cell] |= F_LATENT;
        srp_sdc_hold(s, cell);
    }
}

void srp_sdc_set_cost(srp_sdc *s, size_t cell, double cost)
{
    if (cell < s->cells)
        s->cost[cell] = cost;
}

long srp_sdc_count(const srp_sdc *s, size_t cell)
{
    return cell < s->cells ? s->counts[cell] : 0;
}

int srp_sdc_interval(const srp_sdc *s, size_t cell, double *lo, double *hi)
{
    if (cell >= s->cells) {
        *lo = *hi = 0;
        return 0;
    }
    if (s->state[cell] == SRP_SDC_PUBLISHED) {
        *lo = *hi = (double)s->counts[cell];
        return 1;
    }
    *lo = s->lo[cell];
    *hi = s->hi[cell];
    return (s->flags[cell] & F_EXACT) != 0;
}

int srp_sdc_narrow(const srp_sdc *s, size_t cell)
{
    return cell < s->cells && s->state[cell] != SRP_SDC_PUBLISHED &&
           (s->flags[cell] & F_NARROW) != 0;
}

int srp_sdc_released(const srp_sdc *s, size_t cell)
{
    return cell < s->cells && s->state[cell] == SRP_SDC_PUBLISHED &&
           (s->flags[cell] & F_RELEASED) != 0;
}

void srp_sdc_report_of(const srp_sdc *s, srp_sdc_report *out)
{
    *out = s->report;
    out->cells = s->cells;
    memset(out->withheld, 0, sizeof out->withheld);
    out->persons_hidden = 0;
    out->released = out->narrow = 0;
    for (size_t c = 0; c < s->cells; c++) {
        enum srp_sdc_reason st = srp_sdc_state(s, c);
        out->withheld[st < 4 ? st : 0]++;
        if (st != SRP_SDC_PUBLISHED)
            out->persons_hidden += s->counts[c];
        out->released += srp_sdc_released(s, c);
        out->narrow += srp_sdc_narrow(s, c);
    }
}

enum srp_sdc_reason srp_sdc_state(const srp_sdc *s, size_t cell)
{
    if (cell >= s->cells)
        return SRP_SDC_PUBLISHED;
    return s->flags[cell] & F_SHOWN_WITHHELD ? SRP_SDC_GROUP : (enum srp_sdc_reason)s->state[cell];
}

size_t srp_sdc_cell_count(const srp_sdc *s)
{
    return s->cells;
}
