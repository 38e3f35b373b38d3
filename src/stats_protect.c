/*
 * stats_protect.c - hands a summary's figures to disclosure control: every
 * figure becomes a cell (with an identity that is the same in every query
 * that shows it) and every sum an outsider can learn becomes a relation:
 * the options of a group add up to those who answered, the groups along a
 * dimension add up to a coarser query's figure, the paired table's rows and
 * columns, the improved/unchanged/worsened regions. Sized from the data:
 * no relation is ever cut short. Linear in the number of cells: groups are
 * related through a hash of their other keys, never by comparing all pairs.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats_int.h"

/* ---- cells by identity (open addressing) ---- */

struct srp_idmap {
    unsigned long long *ids;
    size_t *cells; /* cell + 1; 0 empty */
    size_t size, count;
};

srp_idmap *srp_idmap_new(void)
{
    return calloc(1, sizeof(srp_idmap));
}

void srp_idmap_free(srp_idmap *map)
{
    if (!map)
        return;
    free(map->ids);
    free(map->cells);
    free(map);
}

size_t srp_idmap_find(const srp_idmap *map, unsigned long long identity)
{
    if (!map->size)
        return (size_t)-1;
    for (size_t h = (size_t)(identity ^ (identity >> 31)) & (map->size - 1); map->cells[h];
         h = (h + 1) & (map->size - 1))
        if (map->ids[h] == identity)
            return map->cells[h] - 1;
    return (size_t)-1;
}

static void idmap_place(unsigned long long *ids, size_t *cells, size_t size,
                        unsigned long long identity, size_t cell1)
{
    size_t h = (size_t)(identity ^ (identity >> 31)) & (size - 1);
    while (cells[h])
        h = (h + 1) & (size - 1);
    ids[h] = identity;
    cells[h] = cell1;
}

int srp_idmap_put(srp_idmap *map, unsigned long long identity, size_t cell)
{
    if ((map->count + 1) * 2 > map->size) {
        size_t size = map->size ? map->size * 2 : 1024;
        unsigned long long *ids = calloc(size, sizeof *ids);
        size_t *cells = calloc(size, sizeof *cells);
        if (!ids || !cells) {
            free(ids);
            free(cells);
            return -1;
        }
        for (size_t i = 0; i < map->size; i++)
            if (map->cells[i])
                idmap_place(ids, cells, size, map->ids[i], map->cells[i]);
        free(map->ids);
        free(map->cells);
        map->ids = ids;
        map->cells = cells;
        map->size = size;
    }
    idmap_place(map->ids, map->cells, map->size, identity, cell + 1);
    map->count++;
    return 0;
}

int srp_stats_region_of(const srp_variable *v, size_t from, size_t to)
{
    /* Ordered choices run from favourable to unfavourable; scales are
     * better high. */
    if (v->missing[from] || v->missing[to])
        return -1;
    if (from == to)
        return 1;
    if (v->type == SR_ITEM_SCALE)
        return atof(v->codes[to]) > atof(v->codes[from]) ? 0 : 2;
    if (v->type == SR_ITEM_CHOICE && v->ordered)
        return to < from ? 0 : 2;
    return -1;
}

unsigned long long srp_stats_table_salt(const char *form, int change)
{
    return srp_stats_hash_text(srp_stats_hash_text(0x5055424C49534821ULL, form),
                               change ? "#change" : "#table");
}

/* A new cell of sdc, or, when the engine shares its problem with other
 * summaries (a publication), the cell that already has this identity: then
 * one figure shown by several tables is one cell, withheld alike in all.
 * salt is the table's whose figure it is (e->salt for the engine's own). A
 * cell of the same identity but another count is another figure (e.g. the
 * intake margins of a change table, which the intake's table of closed
 * cases counts among other people when not every closed case was
 * compared): then the cell is the engine's own. */
static size_t cell_as(srp_sdc *sdc, srp_idmap *map, long count, int force,
                      unsigned long long identity, unsigned long long salt)
{
    if (salt)
        identity = (identity ^ salt) * 0x9E3779B97F4A7C15ULL;
    if (!map)
        return srp_sdc_cell(sdc, count, force, identity);
    size_t cell = srp_idmap_find(map, identity);
    if (cell != (size_t)-1 && srp_sdc_count(sdc, cell) == count) {
        if (force)
            srp_sdc_force(sdc, cell, SRP_SDC_GROUP);
        return cell;
    }
    int shared = cell == (size_t)-1;
    cell = srp_sdc_cell(sdc, count, force, identity);
    if (cell != (size_t)-1 && shared && srp_idmap_put(map, identity, cell) != 0)
        return (size_t)-1;
    return cell;
}

static size_t new_cell(const srp_stats_engine *e, srp_sdc *sdc, srp_idmap *map, long count,
                       int force, unsigned long long identity)
{
    return cell_as(sdc, map, count, force, identity, e->salt);
}

static int change_summarised(const srp_variable *v)
{
    return v->type == SR_ITEM_SCALE || (v->type == SR_ITEM_CHOICE && v->ordered);
}

static size_t columns_of(const srp_stats_engine *e, const srp_variable *v)
{
    if (e->q->change)
        return v->paired ? v->ncodes * v->ncodes : 0;
    return v->ncodes ? v->ncodes : 1;
}

static long cell_count(const srp_stats_engine *e, const srp_variable *v, const srp_accum *a,
                       size_t col)
{
    if (e->q->change)
        return a->pairs[col / v->ncodes][col % v->ncodes];
    return v->ncodes ? a->counts[col] : a->answered;
}

/* The partition of the slots along each dimension: for dimension dim,
 * group_of[dim][slot] is the index of the first slot with the same keys in
 * every other dimension (the slots in one relation), and next[dim][slot]
 * the following slot of that group, or (size_t)-1. Made once per summary,
 * by hashing (keys are interned, so equal keys are equal pointers). */
typedef struct partition {
    int dims;
    size_t count;
    size_t *first[SRP_STATS_MAX_DIMS]; /* per slot: 1 if it opens its group */
    size_t *next[SRP_STATS_MAX_DIMS];
} partition;

static size_t other_hash(const srp_slot *sl, int dim, int dims)
{
    unsigned long long h = 0xCBF29CE484222325ULL;
    for (int d = 0; d < dims; d++)
        if (d != dim)
            h = (h ^ (unsigned long long)(size_t)sl->key[d]) * 0x100000001B3ULL;
    return (size_t)(h ^ (h >> 31));
}

static int same_except(const srp_slot *a, const srp_slot *b, int dim, int dims)
{
    for (int d = 0; d < dims; d++)
        if (d != dim && a->key[d] != b->key[d])
            return 0;
    return 1;
}

static void partition_release(partition *p)
{
    for (int d = 0; d < SRP_STATS_MAX_DIMS; d++) {
        free(p->first[d]);
        free(p->next[d]);
    }
}

static int partition_make(partition *p, const srp_slots *s, int dims)
{
    memset(p, 0, sizeof *p);
    p->dims = dims;
    p->count = s->count;
    size_t size = 16;
    while (size < s->count * 2)
        size *= 2;
    size_t *table = malloc(size * sizeof *table); /* group's first slot + 1 */
    size_t *last = malloc((s->count ? s->count : 1) * sizeof *last);
    if (!table || !last) {
        free(table);
        free(last);
        return -1;
    }
    for (int dim = 0; dim < dims; dim++) {
        p->first[dim] = malloc((s->count ? s->count : 1) * sizeof(size_t));
        p->next[dim] = malloc((s->count ? s->count : 1) * sizeof(size_t));
        if (!p->first[dim] || !p->next[dim]) {
            free(table);
            free(last);
            return -1;
        }
        memset(table, 0, size * sizeof *table);
        for (size_t i = 0; i < s->count; i++) {
            const srp_slot *sl = &s->items[i];
            size_t h = other_hash(sl, dim, dims) & (size - 1);
            while (table[h] && !same_except(&s->items[table[h] - 1], sl, dim, dims))
                h = (h + 1) & (size - 1);
            p->next[dim][i] = (size_t)-1;
            if (!table[h]) {
                table[h] = i + 1;
                p->first[dim][i] = 1;
                last[i] = i;
            } else {
                size_t head = table[h] - 1;
                p->first[dim][i] = 0;
                p->next[dim][last[head]] = i;
                last[head] = i;
            }
        }
    }
    free(table);
    free(last);
    return 0;
}

/* The sums along one dimension that are cells of the problem: those of
 * the same summary without that dimension (e->total_along), when there is
 * one. total_of[slot] is its slot with the same other keys, or (size_t)-1. */
typedef struct dim_sums {
    int dim; /* the dimension, -1 when its sums are not cells */
    size_t *total_of;
    size_t parts_count; /* the slots total_of has (keep_known) */
    const srp_stats_engine *te;
    const srp_slots *ts;
    const srp_layout *tlay;
} dim_sums;

static void dim_sums_release(dim_sums *u)
{
    free(u->total_of);
    memset(u, 0, sizeof *u);
    u->dim = -1;
}

/* The sums along every dimension (sums[d] along d). */
typedef struct all_sums {
    dim_sums along[SRP_STATS_MAX_DIMS];
} all_sums;

static void all_sums_release(all_sums *a)
{
    for (int d = 0; d < SRP_STATS_MAX_DIMS; d++)
        dim_sums_release(&a->along[d]);
}

/* The keys of the slot looked for, in the total summary's dimension order. */
typedef struct slot_probe {
    const char *key[SRP_STATS_MAX_DIMS];
    int dims;
} slot_probe;

static int probe_order(const void *k, const void *item)
{
    const slot_probe *p = k;
    const srp_slot *sl = item;
    for (int d = 0; d < SRP_STATS_MAX_DIMS; d++) {
        int c = strcmp(d < p->dims ? p->key[d] : "", sl->key[d]);
        if (c)
            return c;
    }
    return 0;
}

/* e's unit dimension (the last, as there is one), or -1. */
static int unit_dimension(const srp_stats_engine *e)
{
    int dim = -1;
    for (int d = 0; d < e->dim_count; d++)
        if (e->dims[d].kind == SRP_BY_UNIT)
            dim = d;
    return dim;
}

/* The sums along e's dimension dim in the same summary without it (te,
 * with its slots ts and layout tlay; NULL: none). */
static int dim_sums_make(const srp_stats_engine *e, const srp_slots *s, int dim,
                         const srp_stats_engine *te, const srp_slots *ts, const srp_layout *tlay,
                         dim_sums *u)
{
    memset(u, 0, sizeof *u);
    u->dim = -1;
    if (!te)
        return 0;
    int map[SRP_STATS_MAX_DIMS];
    if (dim < 0 || dim >= e->dim_count || te->dim_count != e->dim_count - 1)
        return 0;
    for (int k = 0; k < te->dim_count; k++) {
        map[k] = -1;
        for (int d = 0; d < e->dim_count; d++)
            if (d != dim && strcmp(e->dims[d].name, te->dims[k].name) == 0)
                map[k] = d;
        if (map[k] < 0)
            return 0;
    }
    u->total_of = malloc((s->count ? s->count : 1) * sizeof *u->total_of);
    if (!u->total_of)
        return -1;
    /* The total's slots are sorted by their keys (srp_slots_sort). */
    for (size_t i = 0; i < s->count; i++) {
        slot_probe p = {{NULL}, te->dim_count};
        for (int k = 0; k < p.dims; k++)
            p.key[k] = s->items[i].key[map[k]];
        const srp_slot *hit =
            ts->count ? bsearch(&p, ts->items, ts->count, sizeof *ts->items, probe_order) : NULL;
        u->total_of[i] = hit ? (size_t)(hit - ts->items) : (size_t)-1;
    }
    u->dim = dim;
    u->te = te;
    u->ts = ts;
    u->tlay = tlay;
    return 0;
}

/* The sums along each of e's dimensions in the summary without it,
 * along[d] (NULL: none): e->total_along, e->coarser. */
static int sums_along(const srp_stats_engine *e, const srp_slots *s,
                      const srp_stats_job *const *along, all_sums *a)
{
    memset(a, 0, sizeof *a);
    for (int d = 0; d < SRP_STATS_MAX_DIMS; d++) {
        a->along[d].dim = -1;
        const srp_stats_job *t = d < e->dim_count ? along[d] : NULL;
        if (t && dim_sums_make(e, s, d, &t->e, &t->s, &t->lay, &a->along[d]) != 0)
            return -1;
    }
    return 0;
}

/* Whether variable j is the same in the total summary (the same codes, in
 * the same order): then its figures there are the sums of its figures here. */
static int dim_sums_variable(const srp_stats_engine *e, const srp_layout *lay, const dim_sums *u,
                             size_t j)
{
    if (u->dim < 0 || j >= u->te->var_count || !u->tlay->cells)
        return 0;
    const srp_variable *v = &e->vars[j], *w = &u->te->vars[j];
    if (strcmp(v->id, w->id) != 0 || v->ncodes != w->ncodes || v->paired != w->paired ||
        lay->columns[j] != u->tlay->columns[j])
        return 0;
    for (size_t c = 0; c < v->ncodes; c++)
        if (strcmp(v->codes[c], w->codes[c]) != 0 || v->missing[c] != w->missing[c])
            return 0;
    return 1;
}

/* The kinds of figure a layout has per slot. */
enum figure_field {
    FIELD_GROUP,
    FIELD_CELLS,
    FIELD_MARGIN,
    FIELD_DENOMINATOR,
    FIELD_ANSWERED,
    FIELD_SUMMARY
};

static const size_t *field_of(const srp_layout *lay, enum figure_field f, size_t j)
{
    switch (f) {
    case FIELD_GROUP:
        return lay->group_cell;
    case FIELD_CELLS:
        return lay->cells ? lay->cells[j] : NULL;
    case FIELD_MARGIN:
        return lay->margin ? lay->margin[j] : NULL;
    case FIELD_DENOMINATOR:
        return lay->denominator ? lay->denominator[j] : NULL;
    case FIELD_ANSWERED:
        return lay->answered ? lay->answered[j] : NULL;
    case FIELD_SUMMARY:
        return lay->summary ? lay->summary[j] : NULL;
    }
    return NULL;
}

/* Where the sums of one kind of figure of variable j are cells: per
 * dimension, the sums (a->along) and the layout they are in (when variable
 * j is the same there; group sizes always). */
typedef struct sums_at {
    const all_sums *a;
    const srp_layout *lay[SRP_STATS_MAX_DIMS];
    enum figure_field field;
    size_t j;
    /* Linked to their totals once the problem is first solved
     * (srp_sdc_relation_total_later): sums along any dimension but the
     * unit, whose tables were always solved with their totals. */
    unsigned char later[SRP_STATS_MAX_DIMS];
} sums_at;

static sums_at sums_of(const srp_stats_engine *e, const srp_layout *lay, const all_sums *a,
                       enum figure_field field, size_t j)
{
    sums_at at = {a, {NULL}, field, j, {0}};
    for (int d = 0; a && d < SRP_STATS_MAX_DIMS; d++)
        if (a->along[d].dim == d &&
            (field == FIELD_GROUP || dim_sums_variable(e, lay, &a->along[d], j))) {
            at.lay[d] = a->along[d].tlay;
            at.later[d] = e->dims[d].kind != SRP_BY_UNIT;
        }
    return at;
}

/* Relations along each dimension: the cells (col of each slot) that differ
 * only in that dimension sum to a figure a coarser query publishes. When
 * that query is part of the problem (a publication: at->lay[dim], its
 * cells of the same kind), that figure is its cell: the parts and their
 * total, whether the total is published or not. */
static int relate_dimensions(srp_sdc *sdc, const partition *p, const size_t *cell_of, size_t stride,
                             size_t col, size_t *members, const sums_at *at)
{
    for (int dim = 0; dim < p->dims; dim++)
        for (size_t i = 0; i < p->count; i++) {
            if (!p->first[dim][i])
                continue;
            size_t n = 0;
            long sum = 0;
            for (size_t k = i; k != (size_t)-1; k = p->next[dim][k]) {
                members[n] = cell_of[k * stride + col];
                sum += srp_sdc_count(sdc, members[n++]);
            }
            size_t total = (size_t)-1;
            const dim_sums *u = at ? &at->a->along[dim] : NULL;
            const size_t *total_cells =
                u && at->lay[dim] ? field_of(at->lay[dim], at->field, at->j) : NULL;
            if (total_cells && u->total_of[i] != (size_t)-1)
                total = total_cells[u->total_of[i] * stride + col];
            /* Only a true sum: e.g. a repeatable form counts a person once
             * per period, so periods need not add up to the whole. */
            if (total != (size_t)-1 && srp_sdc_count(sdc, total) == sum) {
                if ((at->later[dim] ? srp_sdc_relation_total_later(sdc, members, n, total)
                                    : srp_sdc_relation_total(sdc, members, n, total)) != 0)
                    return -1;
            } else if (srp_sdc_relation_outside(sdc, members, n) != 0) {
                return -1;
            }
        }
    return 0;
}

/* Whether empty slot i's 0 is published by a query it adds up to along an
 * item's dimension (e->coarser, with the slots mapped in sums): that
 * item's figure for the slot's value there, in the other's group. */
static int coarser_publishes(const srp_stats_engine *e, const srp_slots *s, const all_sums *sums,
                             size_t i)
{
    for (int d = 0; d < e->dim_count; d++) {
        const srp_stats_job *c = e->coarser[d];
        size_t t = sums->along[d].dim == d ? sums->along[d].total_of[i] : (size_t)-1;
        if (!c || t == (size_t)-1 || !c->lay.cells)
            continue;
        for (size_t j = 0; j < c->e.var_count; j++) {
            const srp_variable *v = &c->e.vars[j];
            if (strcmp(v->id, e->dims[d].name) != 0 || !c->lay.cells[j] ||
                c->lay.columns[j] != v->ncodes)
                continue;
            for (size_t k = 0; k < v->ncodes; k++) {
                if (strcmp(v->codes[k], s->items[i].key[d]) != 0)
                    continue;
                size_t cell = c->lay.cells[j][t * c->lay.columns[j] + k];
                if (srp_sdc_state(e->coarser_sdc[d], cell) == SRP_SDC_PUBLISHED &&
                    srp_sdc_count(e->coarser_sdc[d], cell) == 0)
                    return 1;
            }
        }
    }
    return 0;
}

/* Stage 1: groups. A group smaller than min is withheld whole, and as many
 * others as it takes that its size cannot be recomputed (once g is solved). */
int srp_stats_protect_groups(srp_stats_engine *e, srp_slots *s, srp_sdc *g, srp_layout *lay)
{
    int rc = -1;
    partition part;
    size_t *members = malloc((s->count + 1) * sizeof *members);
    int made = partition_make(&part, s, e->dim_count) == 0;
    all_sums coarser, u;
    memset(&u, 0, sizeof u);
    lay->group_cell = calloc(s->count ? s->count : 1, sizeof(size_t));
    if (sums_along(e, s, e->coarser, &coarser) != 0 || !made || !members || !lay->group_cell)
        goto out;
    for (size_t i = 0; i < s->count; i++) {
        if ((lay->group_cell[i] = new_cell(e, g, e->group_map, s->items[i].people, 0,
                                           s->items[i].identity)) == (size_t)-1)
            goto out;
        /* An empty combination (srp_slots_complete) is shown withheld like
         * a small group, but a coarser breakdown may publish its 0: it is
         * no complement. When it does (coarser_publishes), it is public,
         * and published. */
        if (s->items[i].people == 0 && coarser_publishes(e, s, &coarser, i))
            srp_sdc_publish_known(g, lay->group_cell[i]);
        else if (s->items[i].people == 0)
            srp_sdc_known_withheld(g, lay->group_cell[i]);
    }
    if (sums_along(e, s, e->total_along, &u) == 0) {
        sums_at at = sums_of(e, lay, &u, FIELD_GROUP, 0);
        rc = relate_dimensions(g, &part, lay->group_cell, 1, 0, members, &at);
    }
    if (rc == 0)
        rc = srp_stats_pair_groups(e, s, g, lay);
out:
    all_sums_release(&u);
    all_sums_release(&coarser);
    free(members);
    partition_release(&part);
    return rc;
}

/* The answered of variable j in group i as a cell of its own, for an item
 * enabled by another's option (linked to it in link_enabled). */
static size_t answered_cell(srp_stats_engine *e, srp_slots *s, srp_sdc *sdc, srp_layout *lay,
                            size_t j, size_t i, int group_withheld, unsigned long long base)
{
    if (!lay->answered[j]) {
        lay->answered[j] = calloc(s->count + 1, sizeof(size_t));
        if (!lay->answered[j])
            return (size_t)-1;
    }
    size_t cell = new_cell(e, sdc, e->cell_map, s->items[i].acc[j].answered, group_withheld,
                           srp_stats_hash_text(base, "#answered"));
    if (cell != (size_t)-1)
        lay->answered[j][i] = cell;
    return cell;
}

static int ensure_denominators(srp_slots *s, srp_layout *lay, size_t j)
{
    if (!lay->denominator[j])
        lay->denominator[j] = calloc(s->count + 1, sizeof(size_t));
    return lay->denominator[j] ? 0 : -1;
}

/* Whether variable j is an item every version has and requires, with no
 * condition: then everyone in a group answered it, and nobody skipped it. */
int srp_stats_required_everywhere(const srp_stats_engine *e, const srp_variable *v)
{
    if (v->derived || e->version_count == 0)
        return 0;
    for (size_t k = 0; k < e->version_count; k++) {
        if (v->item_of[k] < 0)
            return 0;
        const srp_item *it = &e->forms[k]->items[v->item_of[k]];
        if (!it->required || it->condition)
            return 0;
    }
    return 1;
}

int srp_stats_item_required_everywhere(const srp_stats_engine *e, const char *id)
{
    for (size_t j = 0; j < e->var_count; j++)
        if (!e->vars[j].derived && strcmp(e->vars[j].id, id) == 0)
            return srp_stats_required_everywhere(e, &e->vars[j]);
    return 0;
}

/* Within a group the options add up to those who answered, which any
 * required item reveals. With 'missing' options there is also the
 * denominator (the rest), a figure of its own: then non-missing options +
 * denominator, and missing options + denominator, are relations too (their
 * difference would otherwise give the missing count away). For an item
 * that another's option enables (enabled), those who answered are a cell
 * of their own, linked to that option's (link_enabled), and the sums above
 * add up to it. */
static int relate_options(srp_stats_engine *e, srp_slots *s, srp_sdc *sdc, srp_layout *lay,
                          size_t j, size_t i, int group_withheld, unsigned long long base,
                          int enabled, size_t *all, size_t *kept, size_t *missing)
{
    srp_variable *v = &e->vars[j];
    size_t cols = lay->columns[j], na = 0, nk = 0, nm = 0, answered = (size_t)-1;
    for (size_t c = 0; c < v->ncodes; c++) {
        size_t cell = lay->cells[j][i * cols + c];
        all[na++] = cell;
        if (v->missing[c])
            missing[nm++] = cell;
        else
            kept[nk++] = cell;
    }
    if (enabled &&
        (answered = answered_cell(e, s, sdc, lay, j, i, group_withheld, base)) == (size_t)-1)
        return -1;
    /* The options add up to those who answered: a figure an outsider has
     * when the group is published (in a withheld group, nothing) and
     * everyone answers the item, or no option is 'missing' (the
     * denominator printed with every option is that sum). Else who
     * answered is no published figure: the sum protects, but never proves
     * a figure public (an outside relation). */
    int known = nm == 0 || srp_stats_required_everywhere(e, &e->vars[j]);
    if (answered != (size_t)-1 ? srp_sdc_relation_total(sdc, all, na, answered) != 0
        : group_withheld       ? 0
        : known                ? srp_sdc_relation(sdc, all, na) != 0
                               : srp_sdc_relation_outside(sdc, all, na) != 0)
        return -1;
    if (nm == 0)
        return 0;
    if (ensure_denominators(s, lay, j) != 0)
        return -1;
    size_t d = new_cell(e, sdc, e->cell_map, s->items[i].acc[j].denominator, group_withheld,
                        srp_stats_hash_text(base, "#denominator"));
    if (d == (size_t)-1)
        return -1;
    lay->denominator[j][i] = d;
    /* The denominator is the sum of the other options; with the missing
     * ones it makes those who answered. */
    if (srp_sdc_relation_total(sdc, kept, nk, d) != 0)
        return -1;
    missing[nm++] = d;
    if (answered != (size_t)-1)
        return srp_sdc_relation_total(sdc, missing, nm, answered) != 0 ? -1 : 0;
    if (group_withheld)
        return 0;
    return (known ? srp_sdc_relation(sdc, missing, nm)
                  : srp_sdc_relation_outside(sdc, missing, nm)) != 0
               ? -1
               : 0;
}

/* A multichoice's options add up to nothing; its denominator, printed with
 * every option, is a figure of its own. With 'missing' options it leaves
 * out those who chose only those: they and the denominator add up to those
 * who answered. */
static int relate_multichoice(srp_stats_engine *e, srp_slots *s, srp_sdc *sdc, srp_layout *lay,
                              size_t j, size_t i, int group_withheld, unsigned long long base,
                              int enabled)
{
    const srp_variable *v = &e->vars[j];
    int has_missing = 0;
    for (size_t c = 0; c < v->ncodes; c++)
        has_missing |= v->missing[c];
    if (ensure_denominators(s, lay, j) != 0)
        return -1;
    const srp_accum *a = &s->items[i].acc[j];
    size_t pair[2];
    pair[0] = new_cell(e, sdc, e->cell_map, a->denominator, group_withheld,
                       srp_stats_hash_text(base, "#denominator"));
    if (pair[0] == (size_t)-1)
        return -1;
    lay->denominator[j][i] = pair[0];
    if (!has_missing) {
        /* The denominator is those who answered. */
        if (enabled) {
            if (!lay->answered[j] && !(lay->answered[j] = calloc(s->count + 1, sizeof(size_t))))
                return -1;
            lay->answered[j][i] = pair[0];
        }
        return 0;
    }
    pair[1] = new_cell(e, sdc, e->cell_map, a->answered - a->denominator, group_withheld,
                       srp_stats_hash_text(base, "#missing_only"));
    if (pair[1] == (size_t)-1)
        return -1;
    if (enabled) {
        size_t answered = answered_cell(e, s, sdc, lay, j, i, group_withheld, base);
        return answered == (size_t)-1 || srp_sdc_relation_total(sdc, pair, 2, answered) != 0 ? -1
                                                                                             : 0;
    }
    return group_withheld ? 0 : srp_sdc_relation(sdc, pair, 2);
}

/* The option of another variable that enables variable j (enable_when
 * "=" or "includes", the same in every version that has the item), into
 * *by and *code; *required when every version requires the item then.
 * Returns 0 when there is none. */
static int enabler_of(const srp_stats_engine *e, size_t j, size_t *by, size_t *code, int *required)
{
    const srp_variable *v = &e->vars[j];
    int found = 0;
    if (v->derived || e->q->change)
        return 0;
    *required = 1;
    for (size_t k = 0; k < e->version_count; k++) {
        if (v->item_of[k] < 0)
            continue;
        const srp_item *it = &e->forms[k]->items[v->item_of[k]];
        const json_t *c = it->condition, *value = c ? json_object_get(c, "value") : NULL;
        const char *item = c ? json_string_value(json_object_get(c, "item")) : NULL;
        const char *op = c ? json_string_value(json_object_get(c, "op")) : NULL;
        if (!item || !op || (strcmp(op, "=") != 0 && strcmp(op, "includes") != 0))
            return 0;
        char text[SR_OPTION_CODE_MAX + 1];
        if (json_is_boolean(value))
            snprintf(text, sizeof text, "%s", json_is_true(value) ? "true" : "false");
        else if (json_is_string(value))
            snprintf(text, sizeof text, "%s", json_string_value(value));
        else if (json_is_integer(value))
            snprintf(text, sizeof text, "%lld", (long long)json_integer_value(value));
        else
            return 0;
        size_t other = e->var_count;
        for (size_t m = 0; m < e->var_count; m++)
            if (m != j && !e->vars[m].derived && e->vars[m].ncodes &&
                strcmp(e->vars[m].id, item) == 0)
                other = m;
        if (other == e->var_count)
            return 0;
        int idx = srp_stats_code_index((srp_variable *)&e->vars[other], text, NULL, 0, 0);
        if (idx < 0 || (found && (other != *by || (size_t)idx != *code)))
            return 0;
        *by = other;
        *code = (size_t)idx;
        *required &= it->required != 0;
        found = 1;
    }
    return found;
}

/* Those who answered an enabled item are those with the enabling option,
 * less (when it is optional) those who left it unanswered: a latent cell,
 * shown nowhere. In a repeatable form, a person with the option ever. */
static int link_enabled(srp_stats_engine *e, srp_slots *s, srp_sdc *sdc, srp_layout *lay, size_t j,
                        size_t by, size_t code, int required)
{
    /* A number's one cell is those who answered it (its n). */
    const size_t *cells = lay->answered[j] ? lay->answered[j] : lay->cells[j];
    for (size_t i = 0; i < s->count; i++) {
        size_t answered = cells[i];
        size_t option = lay->cells[by][i * lay->columns[by] + code];
        long skipped = srp_sdc_count(sdc, option) - srp_sdc_count(sdc, answered);
        if (skipped < 0) /* not the people this model takes them for: no link */
            continue;
        if (required && skipped == 0) {
            if (srp_sdc_relation_total(sdc, &answered, 1, option) != 0)
                return -1;
            continue;
        }
        size_t pair[2] = {
            answered,
            new_cell(e, sdc, e->cell_map, skipped, 0,
                     srp_stats_hash_text(srp_stats_hash_text(s->items[i].identity, e->vars[j].id),
                                         "#skipped"))};
        if (pair[1] == (size_t)-1)
            return -1;
        srp_sdc_latent(sdc, pair[1]);
        if (srp_sdc_relation_total(sdc, pair, 2, option) != 0)
            return -1;
    }
    return 0;
}

/* The improved/unchanged/worsened summaries of a paired table: each is the
 * sum of its region's cells, and the three add up to the comparable ones. */
static int relate_summaries(srp_stats_engine *e, srp_slots *s, srp_sdc *sdc, srp_sdc *g,
                            srp_layout *lay, size_t j, size_t *members)
{
    srp_variable *v = &e->vars[j];
    size_t cols = lay->columns[j];
    lay->summary[j] = calloc(s->count * 3 + 1, sizeof(size_t));
    if (!lay->summary[j])
        return -1;
    for (size_t i = 0; i < s->count; i++) {
        long totals[3] = {0, 0, 0};
        srp_accum *a = &s->items[i].acc[j];
        for (size_t x = 0; x < v->ncodes; x++)
            for (size_t y = 0; y < v->ncodes; y++) {
                int r = srp_stats_region_of(v, x, y);
                if (r >= 0)
                    totals[r] += a->pairs[x][y];
            }
        int group_withheld = srp_sdc_state(g, lay->group_cell[i]) != SRP_SDC_PUBLISHED;
        unsigned long long sbase = srp_stats_hash_text(s->items[i].identity, v->id);
        static const char *const names[3] = {"#improved", "#same", "#worse"};
        for (int r = 0; r < 3; r++) {
            size_t cell = new_cell(e, sdc, e->cell_map, totals[r], group_withheld,
                                   srp_stats_hash_text(sbase, names[r]));
            if (cell == (size_t)-1)
                return -1;
            lay->summary[j][i * 3 + (size_t)r] = cell;
            /* What the reader of a change table reads first: its cells are
             * the complements, a summary only when nothing else will do. */
            srp_sdc_set_cost(sdc, cell, SRP_SUMMARY_COST_WEIGHT * (double)totals[r] + 1.0);
        }
        /* The three make the comparable pairs, their denominator. */
        size_t comparable =
            lay->margin[j][i * SRP_MARGIN_STRIDE(v->ncodes) + SRP_MARGIN_COMPARABLE(v->ncodes)];
        if (srp_sdc_relation_total(sdc, &lay->summary[j][i * 3], 3, comparable) != 0)
            return -1;
        /* A summary is the sum of its region's paired cells. */
        for (int r = 0; r < 3; r++) {
            size_t n = 0;
            for (size_t x = 0; x < v->ncodes; x++)
                for (size_t y = 0; y < v->ncodes; y++)
                    if (srp_stats_region_of(v, x, y) == r)
                        members[n++] = lay->cells[j][i * cols + x * v->ncodes + y];
            if (srp_sdc_relation_total(sdc, members, n, lay->summary[j][i * 3 + (size_t)r]) != 0)
                return -1;
        }
    }
    return 0;
}

static int protect_cells(srp_stats_engine *e, srp_slots *s, srp_sdc *sdc, srp_sdc *g,
                         const partition *part, const all_sums *u, srp_layout *lay, size_t j,
                         size_t *scratch, char (*names)[24], const int *intake_col);

/* One margin of a paired table (side 0: the intake's, 1: the form's). In a
 * publication it is the same cell as the figure the intake's (or the
 * form's) own table shows, when that counts the same people (see cell_as).
 * In a live summary that table is another query, whose solved problem the
 * engine has (margin_sdc): a margin it publishes is known here and never a
 * complement, one it withholds stays withheld; one it does not have (other
 * people) is a cell like any other. */
static size_t margin_cell(const srp_stats_engine *e, srp_sdc *sdc, long count, int force,
                          unsigned long long own, unsigned long long shared, const char *name,
                          int side)
{
    unsigned long long salt = srp_stats_table_salt(side == 0 ? e->intake_id : e->q->form, 0);
    unsigned long long id = srp_stats_hash_text(shared, name);
    if (e->cell_map)
        return cell_as(sdc, e->cell_map, count, force, id, salt);
    /* Its own identity: the other table's may be one of this table's. */
    size_t cell = srp_sdc_cell(sdc, count, force, srp_stats_hash_text(own, name) ^ (side + 1ULL));
    const srp_idmap *map = e->margin_map[side];
    size_t there = map ? srp_idmap_find(map, id) : (size_t)-1;
    if (cell == (size_t)-1 || there == (size_t)-1 ||
        srp_sdc_count(e->margin_sdc[side], there) != count)
        return cell;
    if (srp_sdc_state(e->margin_sdc[side], there) == SRP_SDC_PUBLISHED)
        srp_sdc_keep(sdc, cell);
    else
        srp_sdc_hold(sdc, cell);
    return cell;
}

/* The margins of group i's paired table of variable j, as cells: the
 * intake's answers of those compared (the rows: what the intake's table of
 * closed cases shows), the form's (the columns: what its own table shows),
 * their denominators when options are 'missing', and the comparable pairs
 * (the summaries' denominator). A margin is not known for certain: the
 * table that shows it may withhold it. What is printed with the table, the
 * number of pairs (every row's denominator), is a known sum. */
static int relate_margins(srp_stats_engine *e, srp_slots *s, srp_sdc *sdc, srp_layout *lay,
                          size_t j, size_t i, int group_withheld, const int *intake_col,
                          size_t *scratch)
{
    const srp_variable *v = &e->vars[j];
    const srp_slot *sl = &s->items[i];
    const srp_accum *a = &sl->acc[j];
    size_t n = v->ncodes, cols = lay->columns[j], *m = lay->margin[j] + i * SRP_MARGIN_STRIDE(n);
    const size_t *cells = lay->cells[j] + i * cols;
    int has_missing = 0;
    for (size_t c = 0; c < n; c++)
        has_missing |= v->missing[c];
    unsigned long long own = srp_stats_hash_text(sl->identity, v->id);
    unsigned long long in_base =
        srp_stats_hash_text(srp_stats_group_identity_with(e, sl->key, "status", "closed"), v->id);
    long den[2] = {0, 0}, comparable = 0;
    char name[32];
    for (int side = 0; side < 2; side++)
        for (size_t x = 0; x < n; x++) {
            long count = 0;
            for (size_t y = 0; y < n; y++)
                count += side == 0 ? a->pairs[x][y] : a->pairs[y][x];
            if (!v->missing[x])
                den[side] += count;
            if (side == 0 && intake_col[x] >= 0)
                snprintf(name, sizeof name, "#%d", intake_col[x]);
            else
                snprintf(name, sizeof name, side == 0 ? "#row%zu" : "#%zu", x);
            size_t cell = margin_cell(e, sdc, count, group_withheld, own, side == 0 ? in_base : own,
                                      name, side);
            if (cell == (size_t)-1)
                return -1;
            m[(size_t)side * n + x] = cell;
        }
    for (size_t x = 0; x < n; x++)
        for (size_t y = 0; y < n; y++)
            if (srp_stats_region_of(v, x, y) >= 0)
                comparable += a->pairs[x][y];
    if (has_missing)
        for (int side = 0; side < 2; side++) {
            size_t cell = margin_cell(e, sdc, den[side], group_withheld, own,
                                      side == 0 ? in_base : own, "#denominator", side);
            if (cell == (size_t)-1)
                return -1;
            m[side == 0 ? SRP_MARGIN_ROW_DEN(n) : SRP_MARGIN_COL_DEN(n)] = cell;
        }
    if (change_summarised(v)) {
        size_t cell = new_cell(e, sdc, e->cell_map, comparable, group_withheld,
                               srp_stats_hash_text(own, "#comparable"));
        if (cell == (size_t)-1)
            return -1;
        /* The denominator of the three shares: withheld, it takes all three
         * percentages with it, so it is dearer than any one summary. */
        srp_sdc_set_cost(sdc, cell, 1.5 * SRP_SUMMARY_COST_WEIGHT * (double)comparable + 1.0);
        m[SRP_MARGIN_COMPARABLE(n)] = cell;
    }
    /* Rows and columns add up to their margins. */
    size_t *row = scratch, *col = scratch + n;
    for (size_t x = 0; x < n; x++) {
        for (size_t y = 0; y < n; y++) {
            row[y] = cells[x * n + y];
            col[y] = cells[y * n + x];
        }
        if (srp_sdc_relation_total(sdc, row, n, m[x]) != 0 ||
            srp_sdc_relation_total(sdc, col, n, m[n + x]) != 0)
            return -1;
    }
    for (int side = 0; has_missing && side < 2; side++) {
        size_t k = 0;
        for (size_t x = 0; x < n; x++)
            if (!v->missing[x])
                row[k++] = m[(size_t)side * n + x];
        if (srp_sdc_relation_total(
                sdc, row, k, m[side == 0 ? SRP_MARGIN_ROW_DEN(n) : SRP_MARGIN_COL_DEN(n)]) != 0)
            return -1;
    }
    /* The pairs, every row's denominator, are printed with the group. */
    if (!group_withheld &&
        (srp_sdc_relation(sdc, m, n) != 0 || srp_sdc_relation(sdc, m + n, n) != 0))
        return -1;
    return 0;
}

/* For a publication: the column of each code of paired variable v in the
 * intake's own table of the item (its codes as that table orders them),
 * -1 where it has none. -1 when out of memory. */
static int intake_columns(const srp_stats_engine *e, const srp_variable *v, int *col)
{
    srp_variable tmp;
    memset(&tmp, 0, sizeof tmp);
    int item_of[SRP_STATS_MAX_VERSIONS];
    for (size_t k = 0; k < SRP_STATS_MAX_VERSIONS; k++)
        item_of[k] = k < e->intake_count ? v->intake_item[k] : -1;
    int rc = srp_stats_map_options(&tmp, e->intake_forms, e->intake_count, item_of, tmp.option_map,
                                   e->lang);
    for (size_t x = 0; rc == 0 && x < v->ncodes; x++)
        col[x] = srp_stats_code_index(&tmp, v->codes[x], NULL, 0, 0);
    srp_stats_variable_release(&tmp);
    return rc;
}

static int protect_variable(srp_stats_engine *e, srp_slots *s, srp_sdc *sdc, srp_sdc *g,
                            const partition *part, const all_sums *u, srp_layout *lay, size_t j,
                            size_t *scratch)
{
    srp_variable *v = &e->vars[j];
    size_t cols = columns_of(e, v);
    lay->columns[j] = cols;
    if (!cols)
        return 0;
    lay->cells[j] = calloc(s->count * cols + 1, sizeof(size_t));
    if (!lay->cells[j])
        return -1;
    /* Each cell's identity names its column ("#c"): the names made once. */
    char(*names)[24] = malloc(cols * sizeof *names);
    if (!names)
        return -1;
    for (size_t c = 0; c < cols; c++)
        snprintf(names[c], sizeof names[c], "#%zu", c);
    int *intake_col = NULL, rc = -1;
    if (e->q->change) {
        size_t stride = SRP_MARGIN_STRIDE(v->ncodes);
        lay->margin[j] = malloc((s->count * stride + 1) * sizeof(size_t));
        intake_col = malloc((v->ncodes + 1) * sizeof *intake_col);
        if (!lay->margin[j] || !intake_col)
            goto out;
        for (size_t c = 0; c < s->count * stride; c++)
            lay->margin[j][c] = (size_t)-1;
        for (size_t x = 0; x < v->ncodes; x++)
            intake_col[x] = -1;
        if (intake_columns(e, v, intake_col) != 0)
            goto out;
    }
    rc = protect_cells(e, s, sdc, g, part, u, lay, j, scratch, names, intake_col);
out:
    free(intake_col);
    free(names);
    return rc;
}

static int protect_cells(srp_stats_engine *e, srp_slots *s, srp_sdc *sdc, srp_sdc *g,
                         const partition *part, const all_sums *u, srp_layout *lay, size_t j,
                         size_t *scratch, char (*names)[24], const int *intake_col)
{
    srp_variable *v = &e->vars[j];
    size_t cols = lay->columns[j], n = v->ncodes;
    /* scratch holds at least max(slots, ncodes^2 + 1, 3 * (ncodes + 1)). */
    size_t *all = scratch, *kept = scratch + n + 1, *missing = scratch + 2 * (n + 1);
    size_t by = 0, code = 0;
    int required = 0, enabled = enabler_of(e, j, &by, &code, &required);
    for (size_t i = 0; i < s->count; i++) {
        int group_withheld = srp_sdc_state(g, lay->group_cell[i]) != SRP_SDC_PUBLISHED;
        unsigned long long base = srp_stats_hash_text(s->items[i].identity, v->id);
        for (size_t c = 0; c < cols; c++) {
            long count = cell_count(e, v, &s->items[i].acc[j], c);
            size_t cell = new_cell(e, sdc, e->cell_map, count, group_withheld,
                                   srp_stats_hash_text(base, names[c]));
            if (cell == (size_t)-1)
                return -1;
            lay->cells[j][i * cols + c] = cell;
            /* A scale's two top steps make its top2, what the reader of an
             * experience table reads first: complements come from the
             * other steps when they can. */
            if (!e->q->change && v->type == SR_ITEM_SCALE && n >= 2 && c + 2 >= n && !v->missing[c])
                srp_sdc_set_cost(sdc, cell, SRP_SUMMARY_COST_WEIGHT * (double)count + 1.0);
        }
        if (!e->q->change && n && v->type != SR_ITEM_MULTICHOICE &&
            relate_options(e, s, sdc, lay, j, i, group_withheld, base, enabled, all, kept,
                           missing) != 0)
            return -1;
        if (!e->q->change && v->type == SR_ITEM_MULTICHOICE &&
            relate_multichoice(e, s, sdc, lay, j, i, group_withheld, base, enabled) != 0)
            return -1;
        if (e->q->change &&
            relate_margins(e, s, sdc, lay, j, i, group_withheld, intake_col, scratch) != 0)
            return -1;
    }
    /* Where variable j's sums along a dimension are cells (all_sums). */
    if (part->dims) {
        sums_at at = sums_of(e, lay, u, FIELD_CELLS, j);
        for (size_t c = 0; c < cols; c++)
            if (relate_dimensions(sdc, part, lay->cells[j], cols, c, scratch, &at) != 0)
                return -1;
        size_t stride = SRP_MARGIN_STRIDE(n);
        at.field = FIELD_MARGIN;
        /* Slot 0's row says which margin columns are used (none without a
         * slot: then margin[j] holds no row at all). */
        for (size_t c = 0; lay->margin[j] && s->count && c < stride; c++)
            if (lay->margin[j][c] != (size_t)-1 &&
                relate_dimensions(sdc, part, lay->margin[j], stride, c, scratch, &at) != 0)
                return -1;
        at.field = FIELD_DENOMINATOR;
        if (lay->denominator[j] &&
            relate_dimensions(sdc, part, lay->denominator[j], 1, 0, scratch, &at) != 0)
            return -1;
        at.field = FIELD_ANSWERED;
        if (lay->answered[j] &&
            (!lay->denominator[j] || s->count == 0 ||
             lay->answered[j][0] != lay->denominator[j][0]) &&
            relate_dimensions(sdc, part, lay->answered[j], 1, 0, scratch, &at) != 0)
            return -1;
    }
    if (e->q->change && change_summarised(v)) {
        if (relate_summaries(e, s, sdc, g, lay, j, scratch) != 0)
            return -1;
        sums_at at = sums_of(e, lay, u, FIELD_SUMMARY, j);
        for (int r = 0; r < 3; r++)
            if (part->dims &&
                relate_dimensions(sdc, part, lay->summary[j], 3, (size_t)r, scratch, &at) != 0)
                return -1;
    }
    return 0;
}

/* The figures of one kind of variable j: per slot, stride cells (a
 * (size_t)-1 where the slot has none). */
typedef struct figure_kind {
    const size_t *cells;
    size_t stride;
} figure_kind;

static size_t kinds_of(const srp_stats_engine *e, const srp_layout *lay, size_t j,
                       figure_kind out[5])
{
    size_t n = 0;
    if (lay->cells[j] && lay->columns[j])
        out[n++] = (figure_kind){lay->cells[j], lay->columns[j]};
    if (lay->denominator[j])
        out[n++] = (figure_kind){lay->denominator[j], 1};
    if (lay->answered[j])
        out[n++] = (figure_kind){lay->answered[j], 1};
    if (lay->margin[j])
        out[n++] = (figure_kind){lay->margin[j], SRP_MARGIN_STRIDE(e->vars[j].ncodes)};
    if (lay->summary[j])
        out[n++] = (figure_kind){lay->summary[j], 3};
    return n;
}

/* Rules for zeros, so that no listing tells more than the others:
 * - the figures of an empty group (srp_slots_complete) are shown withheld
 *   with the group, but taken as known (a coarser breakdown publishes
 *   them as 0), so they are no complements;
 * - a figure that is 0 in every group is 0 in the query without the
 *   breakdown (the same filters, units and periods). Where an option of
 *   its item is small there (of options that add up), that query may take
 *   the zero as a complement (as in seed 001's table 5): it is held
 *   withheld in every group, as it is there. Otherwise, with min or more
 *   people, that query publishes it: it is published in every group, even
 *   a withheld one, and is never a complement. Not for a linked figure (an
 *   enabled item's answered or denominator), which is its enabler's
 *   option: that option's rules decide it; nor for a change table's pair
 *   beside a small one, which stays open (held, every pair that the
 *   margins give as 0 would be a withheld zero); nor for a repeatable form,
 *   whose groups may count a person twice, so that neither the people nor
 *   a small option can be told from them. */
static int small_option_overall(const srp_stats_engine *e, const srp_slots *s, const srp_sdc *sdc,
                                const figure_kind *options)
{
    for (size_t c = 0; c < options->stride; c++) {
        long sum = 0;
        for (size_t i = 0; i < s->count; i++) {
            size_t cell = options->cells[i * options->stride + c];
            if (cell != (size_t)-1)
                sum += srp_sdc_count(sdc, cell);
        }
        if (sum > 0 && sum < e->q->min_cell)
            return 1;
    }
    return 0;
}

/* Those who chose one of variable j's 'missing' options, over every group
 * (options: its cells by code); -1 when it has none. When that is 0, the
 * query without the breakdown pins each of them at 0: its denominator (the
 * other options) is those who answered, which for an item that everyone
 * answers (srp_stats_required_everywhere) is the group: it tells nothing of those
 * who skipped it (an optional item's: the reviewer's finding 1). */
static long missing_overall(const srp_stats_engine *e, const srp_slots *s, const srp_sdc *sdc,
                            size_t j, const figure_kind *options)
{
    const srp_variable *v = &e->vars[j];
    long sum = -1;
    for (size_t c = 0; c < v->ncodes && c < options->stride; c++) {
        if (!v->missing[c])
            continue;
        sum = sum < 0 ? 0 : sum;
        for (size_t i = 0; i < s->count; i++) {
            size_t cell = options->cells[i * options->stride + c];
            if (cell != (size_t)-1)
                sum += srp_sdc_count(sdc, cell);
        }
    }
    return sum;
}

/* 1 when two codes, each maybe merged ("other+not_stated"), share one. */
static int codes_share(const char *a, const char *b)
{
    for (const char *x = a; *x;) {
        size_t n = strcspn(x, "+");
        for (const char *y = b; *y;) {
            size_t m = strcspn(y, "+");
            if (n == m && memcmp(x, y, n) == 0)
                return 1;
            y += m + (y[m] == '+');
        }
        x += n + (x[n] == '+');
    }
    return 0;
}

/* A figure of the item that a dimension groups by is 0 outside its own
 * group (boys among the girls) by construction: everyone knows it, so it
 * is published, even in a withheld group, and is never a complement. */
static void mark_structural_zeros(const srp_stats_engine *e, const srp_slots *s, srp_sdc *sdc,
                                  const srp_layout *lay, size_t j)
{
    const srp_variable *v = &e->vars[j];
    if (e->q->change || !v->ncodes || !lay->cells[j] || lay->columns[j] != v->ncodes)
        return;
    for (int d = 0; d < e->dim_count; d++) {
        if (e->dims[d].kind != SRP_BY_ITEM || strcmp(e->dims[d].name, v->id) != 0)
            continue;
        for (size_t i = 0; i < s->count; i++)
            for (size_t c = 0; c < v->ncodes; c++) {
                size_t cell = lay->cells[j][i * v->ncodes + c];
                if (cell != (size_t)-1 && srp_sdc_count(sdc, cell) == 0 &&
                    !codes_share(v->codes[c], s->items[i].key[d]))
                    srp_sdc_publish_known(sdc, cell);
            }
    }
}

static void mark_zeros(const srp_stats_engine *e, const srp_slots *s, srp_sdc *sdc,
                       const srp_layout *lay)
{
    long people = 0;
    for (size_t i = 0; i < s->count; i++)
        people += s->items[i].people;
    for (size_t j = 0; j < e->var_count; j++) {
        figure_kind kinds[5];
        size_t nk = kinds_of(e, lay, j, kinds);
        /* A multichoice's options add up to nothing: none is another's complement. */
        int options_add_up = e->q->change || e->vars[j].type != SR_ITEM_MULTICHOICE;
        int options_small = options_add_up && lay->cells[j] && lay->columns[j] &&
                            small_option_overall(e, s, sdc, &kinds[0]);
        /* No one chose a 'missing' option: each is a zero the query
         * without the breakdown pins, whatever else is small. */
        int no_missing = !e->q->change && options_add_up && lay->cells[j] && lay->columns[j] &&
                         srp_stats_required_everywhere(e, &e->vars[j]) &&
                         missing_overall(e, s, sdc, j, &kinds[0]) == 0;
        for (size_t k = 0; k < nk; k++)
            for (size_t c = 0; c < kinds[k].stride; c++) {
                long sum = 0;
                int any = 0;
                for (size_t i = 0; i < s->count; i++) {
                    size_t cell = kinds[k].cells[i * kinds[k].stride + c];
                    if (cell == (size_t)-1)
                        continue;
                    any = 1;
                    sum += srp_sdc_count(sdc, cell);
                    /* An empty group's figures are 0: published with it
                     * (coarser_publishes), else known and shown withheld. */
                    if (s->items[i].people == 0 && !lay->group_hidden[i])
                        srp_sdc_publish_known(sdc, cell);
                    else if (s->items[i].people == 0)
                        srp_sdc_known_withheld(sdc, cell);
                }
                int options = kinds[k].cells == lay->cells[j];
                int linked =
                    kinds[k].cells == lay->answered[j] || kinds[k].cells == lay->denominator[j];
                int hold = options && options_small && !(no_missing && e->vars[j].missing[c]);
                if (!any || sum != 0 || linked || e->repeatable || (hold && e->q->change) ||
                    (!hold && people < e->q->min_cell))
                    continue; /* a change pair beside a small one: the margins decide it */
                for (size_t i = 0; i < s->count; i++) {
                    size_t cell = kinds[k].cells[i * kinds[k].stride + c];
                    if (cell == (size_t)-1)
                        continue;
                    if (hold)
                        srp_sdc_hold(sdc, cell);
                    else
                        srp_sdc_publish_known(sdc, cell);
                }
            }
        mark_structural_zeros(e, s, sdc, lay, j); /* after: an empty group's too */
    }
}

int srp_stats_protect_figures(srp_stats_engine *e, srp_slots *s, srp_sdc *sdc, srp_sdc *g,
                              srp_layout *lay)
{
    int rc = -1;
    size_t *scratch = NULL;
    partition part;
    all_sums u;
    memset(&u, 0, sizeof u);
    if (partition_make(&part, s, e->dim_count) != 0)
        goto out;
    /* One scratch array for every relation's members, sized from the data. */
    size_t most = s->count + 1;
    for (size_t j = 0; j < e->var_count; j++) {
        size_t n = e->vars[j].ncodes;
        if (n * n + 1 > most)
            most = n * n + 1;
        if (3 * (n + 1) > most)
            most = 3 * (n + 1);
    }
    scratch = malloc(most * sizeof *scratch);
    if (!scratch)
        goto out;
    size_t nv = e->var_count ? e->var_count : 1;
    lay->cells = calloc(nv, sizeof *lay->cells);
    lay->columns = calloc(nv, sizeof *lay->columns);
    lay->summary = calloc(nv, sizeof *lay->summary);
    lay->denominator = calloc(nv, sizeof *lay->denominator);
    lay->margin = calloc(nv, sizeof *lay->margin);
    lay->answered = calloc(nv, sizeof *lay->answered);
    lay->group_hidden = calloc(s->count ? s->count : 1, 1);
    if (!lay->cells || !lay->columns || !lay->summary || !lay->denominator || !lay->margin ||
        !lay->answered || !lay->group_hidden)
        goto out;
    for (size_t i = 0; i < s->count; i++)
        lay->group_hidden[i] = srp_sdc_state(g, lay->group_cell[i]) != SRP_SDC_PUBLISHED;
    if (sums_along(e, s, e->total_along, &u) != 0)
        goto out;
    for (size_t j = 0; j < e->var_count; j++)
        if (protect_variable(e, s, sdc, g, &part, &u, lay, j, scratch) != 0)
            goto out;
    /* Enabled items, once every variable has its cells. */
    for (size_t j = 0; j < e->var_count; j++) {
        size_t by = 0, code = 0;
        int required = 0;
        int number = !e->vars[j].ncodes && lay->columns[j] == 1 && lay->cells[j];
        if ((lay->answered[j] || number) && enabler_of(e, j, &by, &code, &required) && by != j &&
            lay->cells[by] && e->vars[by].ncodes &&
            link_enabled(e, s, sdc, lay, j, by, code, required) != 0)
            goto out;
    }
    if (srp_stats_pair_figures(e, s, sdc, lay) != 0)
        goto out;
    mark_zeros(e, s, sdc, lay);
    rc = 0;
out:
    free(scratch);
    all_sums_release(&u);
    partition_release(&part);
    return rc;
}

/* For a live summary of every unit together (e->unit_parts): keeps
 * published each of its cells of one kind (mine, by slot * stride + col)
 * whose parts along the unit the units' summary all publishes (its cells
 * theirs, in parts_sdc; for group sizes its slots' hidden instead). u maps
 * the units' summary's slots to this one's (dim_sums_make the other way
 * round: the parts as e, this one as the total). */
static int keep_known(srp_sdc *sdc, const dim_sums *u, const srp_sdc *parts_sdc, const size_t *mine,
                      const size_t *theirs, const unsigned char *hidden, size_t stride,
                      size_t count)
{
    if (!mine || (!theirs && !hidden))
        return 0;
    size_t n = count * stride;
    unsigned char *seen = calloc(n ? n : 1, 1); /* 1: every part so far published, 2: not */
    if (!seen)
        return -1;
    for (size_t i = 0; i < u->parts_count; i++) {
        size_t t = u->total_of[i];
        for (size_t c = 0; t != (size_t)-1 && c < stride; c++) {
            size_t cell = theirs ? theirs[i * stride + c] : (size_t)-1;
            int published =
                hidden ? !hidden[i]
                       : cell != (size_t)-1 && srp_sdc_state(parts_sdc, cell) == SRP_SDC_PUBLISHED;
            unsigned char *m = &seen[t * stride + c];
            *m = *m == 2 || !published ? 2 : 1;
        }
    }
    for (size_t x = 0; x < n; x++)
        if (seen[x] == 1 && mine[x] != (size_t)-1)
            srp_sdc_keep(sdc, mine[x]);
    free(seen);
    return 0;
}

static int known_parts(const srp_stats_engine *e, const srp_slots *s, const srp_layout *lay,
                       dim_sums *u)
{
    const srp_stats_job *p = e->unit_parts;
    if (dim_sums_make(&p->e, &p->s, unit_dimension(&p->e), e, s, lay, u) != 0)
        return -1;
    u->parts_count = p->s.count;
    return 0;
}

static int keep_known_figures(const srp_stats_engine *e, const srp_slots *s, srp_sdc *sdc,
                              const srp_layout *lay, const dim_sums *u)
{
    const srp_stats_job *p = e->unit_parts;
    const srp_sdc *ps = e->unit_parts_sdc;
    /* u as seen from this summary: the same variable there, same codes. */
    dim_sums mine = *u;
    mine.te = &p->e;
    mine.tlay = &p->lay;
    for (size_t j = 0; j < e->var_count; j++) {
        if (!dim_sums_variable(e, lay, &mine, j) || !lay->cells[j])
            continue;
        size_t n = e->vars[j].ncodes, cols = lay->columns[j];
        if (keep_known(sdc, u, ps, lay->cells[j], p->lay.cells[j], NULL, cols, s->count) != 0 ||
            keep_known(sdc, u, ps, lay->denominator[j], p->lay.denominator[j], NULL, 1, s->count) !=
                0 ||
            keep_known(sdc, u, ps, lay->answered[j], p->lay.answered[j], NULL, 1, s->count) != 0 ||
            keep_known(sdc, u, ps, lay->margin[j], p->lay.margin[j], NULL, SRP_MARGIN_STRIDE(n),
                       s->count) != 0 ||
            keep_known(sdc, u, ps, lay->summary[j], p->lay.summary[j], NULL, 3, s->count) != 0)
            return -1;
    }
    return 0;
}

int srp_stats_protect(srp_stats_engine *e, srp_slots *s, srp_sdc *sdc, srp_layout *lay)
{
    int rc = -1;
    dim_sums parts = {.dim = -1};
    srp_sdc *g = srp_sdc_new(e->q->min_cell);
    if (!e->pair_memo && !(e->pair_memo = srp_stats_pair_memo_new()))
        goto out;
    if (!g || srp_stats_protect_groups(e, s, g, lay) != 0)
        goto out;
    /* What the units' summary publishes of this one's figures is known. */
    if (e->unit_parts &&
        (known_parts(e, s, lay, &parts) != 0 ||
         (parts.dim >= 0 && keep_known(g, &parts, NULL, lay->group_cell, NULL,
                                       e->unit_parts->lay.group_hidden, 1, s->count) != 0)))
        goto out;
    /* Under the cell-key method nothing is withheld for its count
     * (stats_rows.c): the layout is made, nothing solved. */
    if (!e->ck)
        srp_sdc_solve(g);
    /* Stage 2: every figure. */
    if (srp_stats_protect_figures(e, s, sdc, g, lay) != 0 ||
        (parts.dim >= 0 && keep_known_figures(e, s, sdc, lay, &parts) != 0))
        goto out;
    if (!e->ck)
        srp_sdc_solve(sdc);
    rc = 0;
out:
    dim_sums_release(&parts);
    srp_sdc_free(g);
    return rc;
}

void srp_layout_release(const srp_stats_engine *e, srp_layout *lay)
{
    for (size_t j = 0; lay->cells && j < e->var_count; j++) {
        free(lay->cells[j]);
        if (lay->summary)
            free(lay->summary[j]);
        if (lay->denominator)
            free(lay->denominator[j]);
        if (lay->margin)
            free(lay->margin[j]);
        if (lay->answered)
            free(lay->answered[j]);
    }
    free(lay->cells);
    free(lay->margin);
    free(lay->answered);
    free(lay->summary);
    free(lay->denominator);
    free(lay->columns);
    free(lay->group_cell);
    free(lay->group_hidden);
}

static void count_figure(const srp_sdc *sdc, size_t cell, sr_stats_protection *out, long *hidden,
                         int *whole)
{
    enum srp_sdc_reason st = srp_sdc_state(sdc, cell);
    out->figures++;
    out->released += srp_sdc_released(sdc, cell) != 0;
    out->unprotectable += srp_sdc_narrow(sdc, cell) != 0;
    if (st == SRP_SDC_PUBLISHED)
        return;
    out->withheld++;
    if (st == SRP_SDC_SMALL)
        out->small++;
    else if (st == SRP_SDC_GROUP)
        out->small_group++, *whole = 1;
    else
        out->secondary++;
    *hidden += srp_sdc_count(sdc, cell);
}

void srp_stats_protection(const srp_stats_engine *e, const srp_slots *s, const srp_sdc *sdc,
                          const srp_layout *lay, sr_stats_protection *out)
{
    memset(out, 0, sizeof *out);
    for (size_t j = 0; lay->cells && j < e->var_count; j++) {
        const srp_variable *v = &e->vars[j];
        size_t cols = lay->columns[j];
        /* The options of a multichoice add up to nothing the table shows. */
        int adds_up = e->q->change || v->type != SR_ITEM_MULTICHOICE;
        for (size_t i = 0; cols && i < s->count; i++) {
            long hidden = 0;
            int whole = 0;
            for (size_t c = 0; c < cols; c++)
                count_figure(sdc, lay->cells[j][i * cols + c], out, &hidden, &whole);
            long ignored = 0;
            if (lay->denominator && lay->denominator[j])
                count_figure(sdc, lay->denominator[j][i], out, &ignored, &whole);
            if (lay->answered && lay->answered[j] &&
                !(lay->denominator && lay->denominator[j] &&
                  lay->denominator[j][i] == lay->answered[j][i]))
                count_figure(sdc, lay->answered[j][i], out, &ignored, &whole);
            if (lay->summary && lay->summary[j])
                for (size_t r = 0; r < 3; r++)
                    count_figure(sdc, lay->summary[j][i * 3 + r], out, &ignored, &whole);
            if (whole)
                out->groups_hidden++;
            else if (adds_up)
                out->persons_hidden += hidden; /* the group's n minus what is published */
        }
    }
}
