/*
 * stats_pairs.c - one pattern per cross-table of items, whichever query
 * shows it (issue 16). The people with x = a and y = p are a count of
 * `--by x` (y's option p in group a), of `--by y` (x's option a in group
 * p) and a group of `--by x,y`. Each query solved alone chose its own
 * pattern for that table, and what one withheld the other published: with
 * `--by x` withholding a's p and q as a pair and `--by y` publishing a's p,
 * a's q was a's size minus p, exactly.
 *
 * The same holds with one item: the no-breakdown summary's count of x = a
 * is the size of `--by x`'s group a, and `--by unit`'s count of a in a
 * unit is a group of `--by x,unit`.
 *
 * So the cross-table of the items a summary shows together (its item
 * dimensions with one of its choice, boolean or scale items; or, for the
 * groups, its item dimensions) is solved as a problem of its own: a cube
 * over the items' codes and the summary's other dimensions (unit, status,
 * period), every line of it (the sum over one coordinate, and over an
 * item's non-missing codes) a figure an outsider may know: one that
 * proves figures public where the summary's own problem takes it so (an
 * item's codes adding up to those who answered, when everyone answers it
 * or it has no 'missing' code), else one that only protects. The cube is the
 * same set of cells and relations in every query that shows it (identities
 * from the coordinates' names and values), so it is solved alike in all;
 * the summary then publishes what the cube publishes (never a complement
 * of its own) and withholds what it withholds. A summary of every unit
 * takes what the units' cube publishes of all its parts as known.
 *
 * Three items make a lattice: `--by x,y` shows z in each group (the cube
 * x, y, z), and its sums along each item are the cubes that `--by x`
 * (with y), `--by x` (with z) and `--by y` (with z) show. Solved alone,
 * the cube of three published what its margins' patterns then pinned.
 * So the order is fixed: each margin (of an item everyone answers) is
 * solved first, as the query that shows it solves it alone; the cube of
 * three then has each of its lines' sums as a cell, published where the
 * margin publishes it and withheld (to be protected) where it withholds
 * it. The margin without the variable is the groups' cube, the same for
 * every required variable: solved once per query.
 */
#include <stdlib.h>
#include <string.h>

#include "stats_int.h"

#define CUBE_MAX_COORDS (SRP_STATS_MAX_DIMS + 1)
/* Past this many points a cube is left to the summary's own problem. */
#define CUBE_MAX_POINTS 200000

/* The item coordinates of a cube: name, codes and which are 'missing'. */
typedef struct cube_coord {
    const char *name;
    size_t ncodes;
    char *const *codes;
    const int *missing;
    int scale; /* a scale: its two top steps are dearer to withhold (stats_protect.c) */
    /* Its codes add up to a figure every query shows beside them (the
     * denominator): an item everyone answers, or one with no 'missing'
     * code. Else who answered is no published figure: its lines protect,
     * but never prove a figure public (srp_sdc_relation_outside). */
    int adds_up;
    /* Everyone answers it: the sum over all its codes is the cross-table
     * of the other coordinates, a figure of its own (a cube's margin). */
    int required;
    int dim; /* the slot key's dimension, -1 for the variable's codes */
} cube_coord;

typedef struct cube {
    const srp_stats_engine *e;
    const srp_slots *s;
    cube_coord coord[CUBE_MAX_COORDS];
    int ncoords;
    int other[SRP_STATS_MAX_DIMS]; /* the dimensions that make blocks */
    int nother;
    size_t grid;        /* points per block: the product of the coords' codes */
    size_t blocks;      /* distinct keys of the other dimensions */
    size_t *block_of;   /* per slot; (size_t)-1 when a coordinate is no code */
    size_t *block_slot; /* per block: a slot of it (its keys) */
    size_t *code_of;    /* per slot * ncoords: the code index of each slot coordinate */
    long *count;        /* per point */
    size_t *main;       /* per point: the summary's cell, (size_t)-1 none */
    /* Per point opening a line of the variable's codes: the summary's
     * cell of its denominator (when the variable has 'missing' codes). */
    size_t *den_main;
    /* The denominators of lines with 'missing' codes, as cells of the
     * cube (den_cell) and of the summary (den_of, (size_t)-1 none). */
    size_t *den_cell, *den_of, nden;
    long var;       /* the variable whose codes it has; -1: the groups' */
    int keep_parts; /* of every unit: the units' cube says which points are known */
    srp_sdc *sdc;   /* the cube's problem */
    size_t *cell;   /* per point: its cell there */
    /* A cube of three coordinates: per coordinate everyone answers, the
     * cube of the other two (its sums along it), solved as it is alone. */
    struct cube *margin[CUBE_MAX_COORDS];
    int borrowed[CUBE_MAX_COORDS]; /* a margin of *shared's, not its own */
    /* The margin without the variable is the groups' cube whichever
     * required variable it is: solved once per query, into *shared.
     * NULL: not shared. */
    struct cube **shared;
    int only_protect; /* solved with every line one that only protects */
    /* A margin: the coordinate summed away, and its cube's variable. */
    const char *dropped;
    long from_var;
} cube;

static void cube_release(cube *c)
{
    for (int k = 0; k < CUBE_MAX_COORDS; k++)
        if (c->margin[k] && !c->borrowed[k]) {
            cube_release(c->margin[k]);
            free(c->margin[k]);
        }
    free(c->block_of);
    free(c->block_slot);
    free(c->code_of);
    free(c->count);
    free(c->main);
    free(c->den_main);
    free(c->den_cell);
    free(c->den_of);
    free(c->cell);
    srp_sdc_free(c->sdc);
    memset(c, 0, sizeof *c);
}

static int code_index(const cube_coord *k, const char *key)
{
    for (size_t c = 0; c < k->ncodes; c++)
        if (strcmp(k->codes[c], key) == 0)
            return (int)c;
    return -1;
}

/* A hash of slot i's keys in the other dimensions, skipping dimension skip. */
static unsigned long long block_hash(const cube *c, size_t i, int skip)
{
    unsigned long long h = 0xCBF29CE484222325ULL;
    for (int k = 0; k < c->nother; k++)
        if (c->other[k] != skip)
            h = srp_stats_hash_text(h, c->s->items[i].key[c->other[k]]);
    return h;
}

static int same_block(const cube *c, size_t a, size_t b, int skip)
{
    for (int k = 0; k < c->nother; k++) {
        int d = c->other[k];
        if (d != skip && strcmp(c->s->items[a].key[d], c->s->items[b].key[d]) != 0)
            return 0;
    }
    return 1;
}

/* Groups the slots (or, with reps, the blocks by their slot) by their keys
 * outside skip: out[x] is the group's number of element x. Returns the
 * number of groups, or (size_t)-1 when out of memory. */
static size_t group_by_keys(const cube *c, const size_t *rep, size_t n, int skip, size_t *out)
{
    size_t size = 16, groups = 0;
    while (size < n * 2)
        size *= 2;
    size_t *table = calloc(size, sizeof *table); /* element + 1 */
    if (!table)
        return (size_t)-1;
    for (size_t x = 0; x < n; x++) {
        size_t h = (size_t)block_hash(c, rep[x], skip) & (size - 1);
        while (table[h] && !same_block(c, rep[table[h] - 1], rep[x], skip))
            h = (h + 1) & (size - 1);
        if (!table[h]) {
            table[h] = x + 1;
            out[x] = groups++;
        } else {
            out[x] = out[table[h] - 1];
        }
    }
    free(table);
    return groups;
}

/* The point's identity: its coordinates' name=value pairs, in name order
 * (skipping the dimension skip): the same in every query that shows it. */
static unsigned long long point_identity(const cube *c, size_t point, int skip)
{
    const char *names[CUBE_MAX_COORDS + SRP_STATS_MAX_DIMS],
        *values[CUBE_MAX_COORDS + SRP_STATS_MAX_DIMS];
    int n = 0;
    size_t b = point / c->grid, g = point % c->grid;
    for (int k = 0; k < c->nother; k++)
        if (c->other[k] != skip) {
            names[n] = c->e->dims[c->other[k]].name;
            values[n++] = c->s->items[c->block_slot[b]].key[c->other[k]];
        }
    for (int k = c->ncoords - 1; k >= 0; k--) {
        names[n] = c->coord[k].name;
        values[n++] = c->coord[k].codes[g % c->coord[k].ncodes];
        g /= c->coord[k].ncodes;
    }
    return srp_stats_identity_of(names, values, n);
}

/* The coordinate of item name, whose codes are v's (dim: its dimension,
 * -1 for the variable's codes). */
static cube_coord coord_of(const srp_stats_engine *e, const char *name, const srp_variable *v,
                           int dim)
{
    int required = srp_stats_item_required_everywhere(e, name), adds_up = 1;
    for (size_t c = 0; c < v->ncodes; c++)
        if (v->missing[c])
            adds_up = required;
    return (cube_coord){name,    v->ncodes, v->codes, v->missing, v->type == SR_ITEM_SCALE,
                        adds_up, required,  dim};
}

static int is_item_dim(const srp_stats_engine *e, int d)
{
    return e->dims[d].kind == SRP_BY_ITEM && e->dims[d].var.ncodes > 0;
}

/* Whether variable j is an item that a query may group by: then another
 * query shows its cross-tables with the item dimensions. */
static int groupable(const srp_stats_engine *e, size_t j)
{
    const srp_variable *v = &e->vars[j];
    if (v->derived || !v->ncodes ||
        !(v->type == SR_ITEM_CHOICE || v->type == SR_ITEM_BOOLEAN || v->type == SR_ITEM_SCALE))
        return 0;
    for (int d = 0; d < e->dim_count; d++)
        if (is_item_dim(e, d) && strcmp(e->dims[d].name, v->id) == 0)
            return 0; /* the dimension's own item: its table is a diagonal */
    return 1;
}

/* Lays out the cube of e's item dimensions (and variable j's codes; j < 0:
 * the groups themselves) over s. Returns 1 when made, 0 when there is none
 * to make (no item coordinate, or too large), -1 on OOM. */
static int cube_make(cube *c, const srp_stats_engine *e, const srp_slots *s, long j)
{
    memset(c, 0, sizeof *c);
    c->e = e;
    c->s = s;
    c->var = j;
    for (int d = 0; d < e->dim_count; d++) {
        if (is_item_dim(e, d))
            c->coord[c->ncoords++] = coord_of(e, e->dims[d].name, &e->dims[d].var, d);
        else
            c->other[c->nother++] = d;
    }
    if (j >= 0)
        c->coord[c->ncoords++] = coord_of(e, e->vars[j].id, &e->vars[j], -1);
    if (c->ncoords < 1 || c->ncoords > 3 || !s->count)
        return 0;
    c->grid = 1;
    for (int k = 0; k < c->ncoords; k++) {
        if (c->coord[k].ncodes > CUBE_MAX_POINTS / c->grid)
            return 0;
        c->grid *= c->coord[k].ncodes;
    }
    size_t *all = malloc(s->count * sizeof *all);
    c->block_of = malloc(s->count * sizeof *c->block_of);
    c->code_of = malloc(s->count * (size_t)c->ncoords * sizeof *c->code_of);
    if (!all || !c->block_of || !c->code_of) {
        free(all);
        return -1;
    }
    for (size_t i = 0; i < s->count; i++)
        all[i] = i;
    size_t blocks = group_by_keys(c, all, s->count, -1, c->block_of);
    free(all);
    if (blocks == (size_t)-1)
        return -1;
    if (blocks > CUBE_MAX_POINTS / c->grid)
        return 0;
    c->blocks = blocks;
    size_t points = blocks * c->grid;
    c->block_slot = malloc(blocks * sizeof *c->block_slot);
    c->count = calloc(points, sizeof *c->count);
    c->main = malloc(points * sizeof *c->main);
    c->den_main = malloc(points * sizeof *c->den_main);
    if (!c->block_slot || !c->count || !c->main || !c->den_main)
        return -1;
    for (size_t x = 0; x < points; x++)
        c->main[x] = c->den_main[x] = (size_t)-1;
    for (size_t i = 0; i < s->count; i++) {
        c->block_slot[c->block_of[i]] = i;
        for (int k = 0; k < c->ncoords; k++) {
            int code = c->coord[k].dim >= 0
                           ? code_index(&c->coord[k], s->items[i].key[c->coord[k].dim])
                           : 0;
            if (code < 0)
                c->block_of[i] = (size_t)-1; /* unanswered: in no other query's table */
            c->code_of[i * (size_t)c->ncoords + (size_t)k] = (size_t)(code < 0 ? 0 : code);
        }
    }
    return 1;
}

/* The point of slot i (with code, the variable's, when the cube has one). */
static size_t slot_point(const cube *c, size_t i, size_t code)
{
    size_t g = 0;
    for (int k = 0; k < c->ncoords; k++)
        g = g * c->coord[k].ncodes +
            (c->coord[k].dim >= 0 ? c->code_of[i * (size_t)c->ncoords + (size_t)k] : code);
    return c->block_of[i] * c->grid + g;
}

/* Fills each point's count (and its cell in the summary's problem, from
 * main_cells: per slot * stride + code; NULL: none; and its denominator's,
 * from main_den: per slot) from s. */
static void cube_fill(cube *c, long j, const size_t *main_cells, size_t stride,
                      const size_t *main_den)
{
    const srp_slots *s = c->s;
    for (size_t i = 0; i < s->count; i++) {
        if (c->block_of[i] == (size_t)-1)
            continue;
        size_t n = j >= 0 ? c->e->vars[j].ncodes : 1;
        for (size_t code = 0; code < n; code++) {
            size_t p = slot_point(c, i, code);
            c->count[p] += j >= 0 ? s->items[i].acc[j].counts[code] : s->items[i].people;
            if (main_cells)
                c->main[p] = main_cells[i * stride + code];
            if (main_den && code == 0)
                c->den_main[p] = main_den[i];
        }
    }
}

/* The point of the cube without a coordinate (of nk codes and grid
 * stride inner) that sums point p along it. */
static size_t projected_point(size_t grid, size_t nk, size_t inner, size_t p)
{
    size_t g = p % grid;
    return p / grid * (grid / nk) + g / (inner * nk) * inner + g % inner;
}

static size_t coord_stride(const cube *c, int k)
{
    size_t inner = 1;
    for (int x = c->ncoords - 1; x > k; x--)
        inner *= c->coord[x].ncodes;
    return inner;
}

/* Makes out the cube of c's coordinates but k, over the same blocks: c's
 * counts summed along k (the cube a query without k shows). 0, or -1 on
 * OOM. */
static int cube_project(const cube *c, int k, cube *out)
{
    memset(out, 0, sizeof *out);
    out->e = c->e;
    out->s = c->s;
    out->var = c->coord[k].dim < 0 ? -1 : c->var;
    out->from_var = c->var;
    out->dropped = c->coord[k].name;
    out->keep_parts = c->keep_parts;
    for (int x = 0; x < c->ncoords; x++)
        if (x != k)
            out->coord[out->ncoords++] = c->coord[x];
    memcpy(out->other, c->other, sizeof out->other);
    out->nother = c->nother;
    size_t nk = c->coord[k].ncodes, inner = coord_stride(c, k);
    out->grid = c->grid / nk;
    out->blocks = c->blocks;
    out->block_slot = malloc(c->blocks * sizeof *out->block_slot);
    out->count = calloc(out->blocks * out->grid, sizeof *out->count);
    if (!out->block_slot || !out->count)
        return -1;
    memcpy(out->block_slot, c->block_slot, c->blocks * sizeof *out->block_slot);
    for (size_t p = 0; p < c->blocks * c->grid; p++)
        out->count[projected_point(c->grid, nk, inner, p)] += c->count[p];
    return 0;
}

/* Whether the solved cube publishes point p (not only as pinned). */
static int point_published(const cube *c, size_t p)
{
    return srp_sdc_state(c->sdc, c->cell[p]) == SRP_SDC_PUBLISHED &&
           !srp_sdc_released(c->sdc, c->cell[p]);
}

/* Whether grid point g is one of a scale's two top steps, which the
 * reader of an experience table reads first (their share, top2): as in
 * the summary's own problem, complements come from the other steps. */
static int top_step(const cube *c, size_t g)
{
    for (int k = c->ncoords - 1; k >= 0; k--) {
        const cube_coord *kc = &c->coord[k];
        size_t code = g % kc->ncodes;
        g /= kc->ncodes;
        if (kc->scale && kc->ncodes >= 2 && code + 2 >= kc->ncodes && !kc->missing[code])
            return 1;
    }
    return 0;
}

static int relate(srp_sdc *sdc, size_t *members, size_t n, int known)
{
    if (n < 2)
        return 0;
    return known ? srp_sdc_relation(sdc, members, n) : srp_sdc_relation_outside(sdc, members, n);
}

/* Fixes a figure another query has solved: known where it publishes it
 * (pinned too: then its published figures give it), else withheld. */
static void fix_as(srp_sdc *sdc, size_t cell, const srp_sdc *solved, size_t solved_cell)
{
    if (srp_sdc_state(solved, solved_cell) == SRP_SDC_PUBLISHED)
        srp_sdc_keep(sdc, cell);
    else
        srp_sdc_hold(sdc, cell);
}

/* Lays c's lines into sdc, over the cells cell[] of c's points: every line
 * along one item coordinate (all its codes, and its non-missing codes when
 * it has 'missing' ones), and along one other dimension, a relation whose
 * sum an outsider may know (see cube_coord.adds_up). With mcell (the cube
 * being solved), a line along a coordinate with a margin totals to the
 * margin's point, a cell made here (into mcell[k]) and fixed as the margin
 * has it, and c's denominators are recorded (den_cell, den_of). Without
 * (c is a solved margin, laid again in its cube of three), each
 * denominator is fixed as c has it. */
static int cube_lines(cube *c, srp_sdc *sdc, const size_t *cell, size_t **mcell, int only_protect)
{
    size_t most = c->blocks > c->grid ? c->blocks : c->grid, nden = 0;
    size_t *members = malloc((most + 1) * sizeof *members);
    size_t *group = malloc((c->blocks + 1) * sizeof *group);
    int rc = -1;
    if (!members || !group)
        goto out;
    /* Along item coordinate k: the points that differ only in its code. */
    for (int k = 0; k < c->ncoords; k++) {
        const cube_coord *kc = &c->coord[k];
        const cube *margin = mcell ? c->margin[k] : NULL;
        size_t inner = coord_stride(c, k);
        int has_missing = 0;
        for (size_t x = 0; x < kc->ncodes; x++)
            has_missing |= kc->missing && kc->missing[x];
        for (size_t b = 0; b < c->blocks; b++)
            for (size_t g = 0; g < c->grid; g++) {
                if ((g / inner) % kc->ncodes)
                    continue; /* each line once, from its first code */
                size_t first = b * c->grid + g, n = 0, nm = 0;
                long kept = 0;
                for (size_t x = 0; x < kc->ncodes; x++)
                    if (!has_missing || !kc->missing[x]) {
                        members[n++] = cell[first + x * inner];
                        kept += c->count[first + x * inner];
                    }
                if (has_missing) {
                    /* The non-missing codes add up to the denominator, a
                     * figure of its own (the summary may withhold it);
                     * with the missing codes it makes the whole line. */
                    size_t den = srp_sdc_cell(
                        sdc, kept, 0,
                        srp_stats_hash_text(point_identity(c, first, -1), kc->name) ^ 0x44454EULL);
                    if (den == (size_t)-1 || srp_sdc_relation_total(sdc, members, n, den) != 0)
                        goto out;
                    if (mcell) {
                        c->den_cell[c->nden] = den;
                        c->den_of[c->nden++] =
                            kc->dim < 0 && c->den_main ? c->den_main[first] : (size_t)-1;
                    } else {
                        fix_as(sdc, den, c->sdc, c->den_cell[nden++]);
                    }
                    members[nm++] = den;
                    for (size_t x = 0; x < kc->ncodes; x++)
                        if (kc->missing[x])
                            members[nm++] = cell[first + x * inner];
                    n = nm;
                }
                if (margin) {
                    /* The line's sum is the margin's point, published or
                     * withheld as the query without k shows it. */
                    size_t mp = projected_point(c->grid, kc->ncodes, inner, first);
                    size_t total =
                        srp_sdc_cell(sdc, margin->count[mp], 0, point_identity(margin, mp, -1));
                    if (total == (size_t)-1)
                        goto out;
                    fix_as(sdc, total, margin->sdc, margin->cell[mp]);
                    mcell[k][mp] = total;
                    if (srp_sdc_relation_total(sdc, members, n, total) != 0)
                        goto out;
                } else if (relate(sdc, members, n, !only_protect && kc->adds_up) != 0) {
                    goto out;
                }
            }
    }
    /* Along each other dimension: the blocks that differ only there. */
    for (int k = 0; k < c->nother; k++) {
        size_t groups = group_by_keys(c, c->block_slot, c->blocks, c->other[k], group);
        if (groups == (size_t)-1)
            goto out;
        for (size_t r = 0; r < groups; r++)
            for (size_t g = 0; g < c->grid; g++) {
                size_t n = 0;
                for (size_t b = 0; b < c->blocks; b++)
                    if (group[b] == r)
                        members[n++] = cell[b * c->grid + g];
                if (relate(sdc, members, n, 0) != 0)
                    goto out;
            }
    }
    rc = 0;
out:
    free(members);
    free(group);
    return rc;
}

/* The cube's problem: a cell per point, and its lines (cube_lines). A
 * cube of three has its margins' points as cells too, fixed as they have
 * them, with every line of the margins among them: what the queries that
 * show the margins give an outsider. */
static int cube_problem(cube *c, long min_cell, int only_protect)
{
    size_t points = c->blocks * c->grid;
    size_t *mcell[CUBE_MAX_COORDS] = {NULL};
    int rc = -1;
    c->sdc = srp_sdc_new(min_cell);
    c->cell = malloc(points * sizeof *c->cell);
    free(c->den_cell);
    free(c->den_of);
    c->nden = 0;
    c->den_cell = malloc((points + 1) * sizeof *c->den_cell);
    c->den_of = malloc((points + 1) * sizeof *c->den_of);
    if (!c->sdc || !c->cell || !c->den_cell || !c->den_of)
        goto out;
    for (int k = 0; k < c->ncoords; k++)
        if (c->margin[k] &&
            !(mcell[k] = malloc(c->margin[k]->blocks * c->margin[k]->grid * sizeof *mcell[k])))
            goto out;
    for (size_t p = 0; p < points; p++) {
        if ((c->cell[p] = srp_sdc_cell(c->sdc, c->count[p], 0, point_identity(c, p, -1))) ==
            (size_t)-1)
            goto out;
        if (top_step(c, p % c->grid))
            srp_sdc_set_cost(c->sdc, c->cell[p],
                             SRP_SUMMARY_COST_WEIGHT * (double)c->count[p] + 1.0);
    }
    if (cube_lines(c, c->sdc, c->cell, mcell, only_protect) != 0)
        goto out;
    for (int k = 0; k < c->ncoords; k++)
        if (c->margin[k] &&
            cube_lines(c->margin[k], c->sdc, mcell[k], NULL, c->margin[k]->only_protect) != 0)
            goto out;
    rc = 0;
out:
    for (int k = 0; k < c->ncoords; k++)
        free(mcell[k]);
    return rc;
}

/* A set of identities (open addressing), each with a flag. */
typedef struct id_flags {
    unsigned long long *ids;
    unsigned char *flag; /* 0 empty, 1 all published, 2 not */
    size_t size;
} id_flags;

static unsigned char *id_slot(id_flags *t, unsigned long long id)
{
    size_t h = (size_t)(id ^ (id >> 29)) & (t->size - 1);
    while (t->flag[h] && t->ids[h] != id)
        h = (h + 1) & (t->size - 1);
    t->ids[h] = id;
    return &t->flag[h];
}

/* The memo: an id_flags that grows, of every cube by unit solved. */
struct srp_pair_memo {
    id_flags t;
    size_t used;
};

struct srp_pair_memo *srp_stats_pair_memo_new(void)
{
    struct srp_pair_memo *m = calloc(1, sizeof *m);
    if (m) {
        m->t.size = 64;
        m->t.ids = malloc(m->t.size * sizeof *m->t.ids);
        m->t.flag = calloc(m->t.size, 1);
        if (!m->t.ids || !m->t.flag) {
            srp_stats_pair_memo_free(m);
            m = NULL;
        }
    }
    return m;
}

void srp_stats_pair_memo_free(struct srp_pair_memo *m)
{
    if (m) {
        free(m->t.ids);
        free(m->t.flag);
        free(m);
    }
}

/* Notes published (all so far) or not for id. -1 on OOM. */
static int memo_note(struct srp_pair_memo *m, unsigned long long id, int published)
{
    if ((m->used + 1) * 2 > m->t.size) {
        id_flags bigger = {malloc(m->t.size * 2 * sizeof *bigger.ids), calloc(m->t.size * 2, 1),
                           m->t.size * 2};
        if (!bigger.ids || !bigger.flag) {
            free(bigger.ids);
            free(bigger.flag);
            return -1;
        }
        for (size_t h = 0; h < m->t.size; h++)
            if (m->t.flag[h])
                *id_slot(&bigger, m->t.ids[h]) = m->t.flag[h];
        free(m->t.ids);
        free(m->t.flag);
        m->t = bigger;
    }
    unsigned char *f = id_slot(&m->t, id);
    m->used += *f == 0;
    *f = *f == 2 || !published ? 2 : 1;
    return 0;
}

/* What the memo holds of id: 0 nothing, 1 all published, 2 not. */
static unsigned char memo_find(const struct srp_pair_memo *m, unsigned long long id)
{
    size_t h = (size_t)(id ^ (id >> 29)) & (m->t.size - 1);
    while (m->t.flag[h] && m->t.ids[h] != id)
        h = (h + 1) & (m->t.size - 1);
    return m->t.flag[h];
}

static int same_codes(const srp_variable *a, const srp_variable *b)
{
    if (a->ncodes != b->ncodes)
        return 0;
    for (size_t c = 0; c < a->ncodes; c++)
        if (strcmp(a->codes[c], b->codes[c]) != 0)
            return 0;
    return 1;
}

/* Keeps whole's points that the units' memo holds as published in every
 * unit. With every: only when it holds every point (else keeps none);
 * returns whether it kept. */
static int keep_from_memo(cube *whole, const struct srp_pair_memo *m, int every)
{
    size_t points = whole->blocks * whole->grid, x = 0;
    while (every && x < points && memo_find(m, point_identity(whole, x, -1)) != 0)
        x++;
    if (every && x < points)
        return 0;
    for (x = 0; x < points; x++)
        if (memo_find(m, point_identity(whole, x, -1)) == 1)
            srp_sdc_keep(whole->sdc, whole->cell[x]);
    return 1;
}

static int cube_solve(cube *c, long min_cell);

/* For a summary of every unit: its points whose parts (the same point of
 * each unit, in the units' cube, solved) are all published are known.
 * The units' summary solved its cubes into its memo already; one it did
 * not solve (or a margin of one) is solved here, into that memo too. */
static int keep_known_parts(cube *whole)
{
    const srp_stats_engine *e = whole->e;
    const srp_stats_job *p = e->unit_parts;
    if (!p->e.pair_memo || keep_from_memo(whole, p->e.pair_memo, 1))
        return 0;
    long j = whole->dropped ? whole->from_var : whole->var, pj = -1;
    if (j >= 0) {
        for (size_t v = 0; v < p->e.var_count && pj < 0; v++)
            if (strcmp(p->e.vars[v].id, e->vars[j].id) == 0 &&
                same_codes(&p->e.vars[v], &e->vars[j]))
                pj = (long)v;
        if (pj < 0)
            return 0;
    }
    cube parts;
    int made = cube_make(&parts, &p->e, &p->s, pj);
    if (made > 0)
        cube_fill(&parts, pj, NULL, 0, NULL);
    if (made > 0 && whole->dropped) { /* a margin: the units' cube's margin */
        cube full = parts;
        int k = full.ncoords - 1;
        while (k >= 0 && strcmp(full.coord[k].name, whole->dropped) != 0)
            k--;
        memset(&parts, 0, sizeof parts);
        made = k < 0 ? 0 : cube_project(&full, k, &parts) == 0 ? 1 : -1;
        cube_release(&full);
    }
    if (made > 0)
        made = cube_solve(&parts, e->q->min_cell) != 0 ? -1 : 1;
    if (made > 0)
        keep_from_memo(whole, p->e.pair_memo, 0);
    cube_release(&parts);
    return made < 0 ? -1 : 0;
}

/* Notes a solved cube by unit in its summary's memo (pair_memo). */
static int memo_cube(const cube *c)
{
    int unit = -1;
    for (int k = 0; k < c->nother; k++)
        if (c->e->dims[c->other[k]].kind == SRP_BY_UNIT)
            unit = c->other[k];
    for (size_t x = 0; c->e->pair_memo && unit >= 0 && x < c->blocks * c->grid; x++)
        if (memo_note(c->e->pair_memo, point_identity(c, x, unit), point_published(c, x)) != 0)
            return -1;
    return 0;
}

/* Lays out the cube's problem and solves it. A line taken as known may
 * leave a count unprotectable (a small code's total, which the query
 * without the breakdown withholds): then no line proves anything, and the
 * cube is solved again with every line one that only protects. */
static int cube_solve(cube *c, long min_cell)
{
    /* A cube of three: its margins first, each as the query that shows it
     * alone solves it; the cube then keeps what they publish and protects
     * what they withhold, so that no two queries' patterns combine. */
    for (int k = 0; c->ncoords == 3 && k < c->ncoords; k++)
        if (c->coord[k].required && !c->margin[k]) {
            int share = c->coord[k].dim < 0 && c->shared;
            if (share && *c->shared) {
                c->margin[k] = *c->shared;
                c->borrowed[k] = 1;
                continue;
            }
            if (!(c->margin[k] = malloc(sizeof *c->margin[k])))
                return -1;
            if (cube_project(c, k, c->margin[k]) != 0 || cube_solve(c->margin[k], min_cell) != 0)
                return -1;
            if (share) {
                *c->shared = c->margin[k];
                c->borrowed[k] = 1;
            }
        }
    for (int only_protect = 0; only_protect < 2; only_protect++) {
        srp_sdc_free(c->sdc);
        free(c->cell);
        c->sdc = NULL;
        c->cell = NULL;
        c->only_protect = only_protect;
        if (cube_problem(c, min_cell, only_protect) != 0)
            return -1;
        if (c->keep_parts && keep_known_parts(c) < 0)
            return -1;
        srp_sdc_solve(c->sdc);
        srp_sdc_report report;
        srp_sdc_report_of(c->sdc, &report);
        if (!report.narrow)
            break;
    }
    return memo_cube(c);
}

/* Solves the cube and makes the summary's cells follow it. */
static int cube_apply(cube *c, srp_sdc *sdc)
{
    c->keep_parts = c->e->unit_parts != NULL;
    if (cube_solve(c, c->e->q->min_cell) != 0)
        return -1;
    for (size_t p = 0; p < c->blocks * c->grid; p++) {
        if (c->main[p] == (size_t)-1)
            continue;
        /* One the cube pins by a line it takes as known (released) may be
         * withheld where that line is: held too, the summary's own
         * problem publishes it when its figures pin it. */
        if (!point_published(c, p))
            srp_sdc_hold(sdc, c->main[p]);
    }
    for (size_t x = 0; x < c->nden; x++)
        if (c->den_of[x] != (size_t)-1 &&
            (srp_sdc_state(c->sdc, c->den_cell[x]) != SRP_SDC_PUBLISHED ||
             srp_sdc_released(c->sdc, c->den_cell[x])))
            srp_sdc_hold(sdc, c->den_of[x]);
    return 0;
}

/* Whether cross-tables apply: a live summary of a form that counts each
 * person once (not a publication, whose tables are one problem already). */
static int pairs_apply(const srp_stats_engine *e)
{
    return !e->ck && !e->q->change && !e->repeatable && !e->group_map &&
           strcmp(e->q->form, "cases") != 0;
}

int srp_stats_pair_figures(const srp_stats_engine *e, const srp_slots *s, srp_sdc *sdc,
                           const srp_layout *lay)
{
    if (!pairs_apply(e))
        return 0;
    cube *shared = NULL;
    int rc = 0;
    for (size_t j = 0; j < e->var_count && rc == 0; j++) {
        if (!groupable(e, j) || !lay->cells[j] || lay->columns[j] != e->vars[j].ncodes)
            continue;
        cube c;
        int made = cube_make(&c, e, s, (long)j);
        c.shared = &shared;
        if (made > 0) {
            cube_fill(&c, (long)j, lay->cells[j], lay->columns[j], lay->denominator[j]);
            made = cube_apply(&c, sdc);
        }
        cube_release(&c);
        rc = made < 0 ? -1 : 0;
    }
    if (shared) {
        cube_release(shared);
        free(shared);
    }
    return rc;
}

int srp_stats_pair_groups(const srp_stats_engine *e, const srp_slots *s, srp_sdc *g,
                          const srp_layout *lay)
{
    if (!pairs_apply(e))
        return 0;
    cube c;
    int made = cube_make(&c, e, s, -1);
    if (made > 0) {
        cube_fill(&c, -1, lay->group_cell, 1, NULL);
        made = cube_apply(&c, g);
    }
    cube_release(&c);
    return made < 0 ? -1 : 0;
}
