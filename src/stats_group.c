/*
 * stats_group.c - the groups of a summary: one slot per combination of
 * dimension values (the --by items and the filters), found by a hash of its
 * keys, each with the accumulators of every variable. A key is any code of
 * limits.h; one that does not fit is an error, never cut short.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/timeutil.h"
#include "stats_int.h"

unsigned long long srp_stats_hash_text(unsigned long long h, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 0x100000001B3ULL;
    return (h ^ 0xFF) * 0x100000001B3ULL;
}

/* The group's identity: its name=value pairs in name order. */
static unsigned long long group_identity(const srp_stats_engine *e, const char *const *keys)
{
    int order[SRP_STATS_MAX_DIMS];
    for (int d = 0; d < e->dim_count; d++)
        order[d] = d;
    for (int a = 0; a < e->dim_count; a++)
        for (int b = a + 1; b < e->dim_count; b++)
            if (strcmp(e->dims[order[b]].name, e->dims[order[a]].name) < 0) {
                int t = order[a];
                order[a] = order[b];
                order[b] = t;
            }
    unsigned long long h = 0xCBF29CE484222325ULL;
    for (int k = 0; k < e->dim_count; k++) {
        h = srp_stats_hash_text(h, e->dims[order[k]].name);
        h = srp_stats_hash_text(h, keys[order[k]]);
    }
    return h;
}

unsigned long long srp_stats_identity_of(const char **names, const char **values, int n)
{
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++)
            if (strcmp(names[b], names[a]) < 0) {
                const char *t = names[a], *u = values[a];
                names[a] = names[b];
                values[a] = values[b];
                names[b] = t;
                values[b] = u;
            }
    unsigned long long h = 0xCBF29CE484222325ULL;
    for (int k = 0; k < n; k++) {
        h = srp_stats_hash_text(h, names[k]);
        h = srp_stats_hash_text(h, values[k]);
    }
    return h;
}

unsigned long long srp_stats_group_identity_with(const srp_stats_engine *e, const char *const *keys,
                                                 const char *name, const char *value)
{
    const char *names[SRP_STATS_MAX_DIMS + 1], *values[SRP_STATS_MAX_DIMS + 1];
    int n = 0;
    for (int d = 0; d < e->dim_count; d++) {
        names[n] = e->dims[d].name;
        values[n++] = keys[d];
    }
    names[n] = name;
    values[n++] = value;
    return srp_stats_identity_of(names, values, n);
}

/* A hash of the keys in dimension order (the lookup, not the identity). */
static size_t keys_hash(int dims, char keys[][SRP_STATS_KEY_SIZE])
{
    unsigned long long h = 0xCBF29CE484222325ULL;
    for (int d = 0; d < dims; d++)
        h = srp_stats_hash_text(h, keys[d]);
    return (size_t)(h ^ (h >> 29));
}

static size_t slot_hash(int dims, const srp_slot *sl)
{
    unsigned long long h = 0xCBF29CE484222325ULL;
    for (int d = 0; d < dims; d++)
        h = srp_stats_hash_text(h, sl->key[d]);
    return (size_t)(h ^ (h >> 29));
}

sr_status srp_slots_init(srp_slots *s, sr_error *err)
{
    memset(s, 0, sizeof *s);
    s->pool = srp_strings_new();
    if (!s->pool)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    return SR_OK;
}

/* Grows the lookup table (size a power of two, at most half full): twice
 * the size it had, and room for every slot. */
static int rehash(srp_slots *s, int dims)
{
    size_t size = s->table_size ? s->table_size * 2 : 64;
    while (size < 2 * (s->count + 1))
        size *= 2;
    size_t *table = calloc(size, sizeof *table);
    if (!table)
        return -1;
    for (size_t i = 0; i < s->count; i++) {
        size_t h = slot_hash(dims, &s->items[i]) & (size - 1);
        while (table[h])
            h = (h + 1) & (size - 1);
        table[h] = i + 1;
    }
    free(s->table);
    s->table = table;
    s->table_size = size;
    return 0;
}

static sr_status slot_init(srp_stats_engine *e, srp_slots *s, srp_slot *sl,
                           char keys[][SRP_STATS_KEY_SIZE], sr_error *err)
{
    memset(sl, 0, sizeof *sl);
    if (!s->ncodes) { /* the shape of every slot's accumulators */
        if (!(s->ncodes = malloc((e->var_count ? e->var_count : 1) * sizeof *s->ncodes)))
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        for (size_t j = 0; j < e->var_count; j++)
            s->ncodes[j] = e->vars[j].ncodes;
        s->var_count = e->var_count;
    }
    sl->selected = 1;
    for (int d = 0; d < SRP_STATS_MAX_DIMS; d++) {
        sl->key[d] = srp_strings_intern(s->pool, d < e->dim_count ? keys[d] : "");
        if (!sl->key[d])
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        if (d < e->dim_count && e->dims[d].selected && strcmp(e->dims[d].selected, keys[d]) != 0)
            sl->selected = 0;
    }
    sl->identity = group_identity(e, sl->key);
    sl->acc = calloc(e->var_count ? e->var_count : 1, sizeof *sl->acc);
    if (!sl->acc)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < e->var_count; j++) {
        srp_variable *v = &e->vars[j];
        if (v->ncodes) {
            sl->acc[j].counts = calloc(v->ncodes, sizeof(long));
            if (!sl->acc[j].counts)
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        }
        if (e->q->change && v->paired) {
            sl->acc[j].pairs = calloc(v->ncodes, sizeof(long *));
            if (!sl->acc[j].pairs)
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            for (size_t c = 0; c < v->ncodes; c++)
                if (!(sl->acc[j].pairs[c] = calloc(v->ncodes, sizeof(long))))
                    return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        }
        if (e->ck && srp_stats_ck_init(&sl->acc[j], v->ncodes, sl->acc[j].pairs != NULL) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    return SR_OK;
}

long srp_slots_find(srp_stats_engine *e, srp_slots *s, char keys[][SRP_STATS_KEY_SIZE],
                    sr_error *err)
{
    int dims = e->dim_count;
    if (s->table_size) {
        for (size_t h = keys_hash(dims, keys) & (s->table_size - 1); s->table[h];
             h = (h + 1) & (s->table_size - 1)) {
            const srp_slot *sl = &s->items[s->table[h] - 1];
            int same = 1;
            for (int d = 0; d < dims && same; d++)
                same = strcmp(sl->key[d], keys[d]) == 0;
            if (same)
                return (long)(s->table[h] - 1);
        }
    }
    if (srp_grow((void **)&s->items, &s->cap, s->count + 1, sizeof *s->items) != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), -1;
    srp_slot *sl = &s->items[s->count];
    if (slot_init(e, s, sl, keys, err) != SR_OK) {
        s->count++; /* released with the others */
        return -1;
    }
    s->count++;
    if (s->count * 2 > s->table_size) {
        if (rehash(s, dims) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), -1;
    } else {
        size_t h = keys_hash(dims, keys) & (s->table_size - 1);
        while (s->table[h])
            h = (h + 1) & (s->table_size - 1);
        s->table[h] = s->count;
    }
    return (long)(s->count - 1);
}

int srp_slots_fit(const srp_stats_engine *e, const srp_slots *from)
{
    if (!from->ncodes)
        return 1; /* no group yet */
    if (from->var_count != e->var_count)
        return 0;
    for (size_t j = 0; j < e->var_count; j++)
        if (from->ncodes[j] != e->vars[j].ncodes)
            return 0;
    return 1;
}

/* Adds what group from counted to group to (of the same variables); -1
 * when out of memory. */
static int slot_add(const srp_stats_engine *e, srp_slot *to, const srp_slot *from)
{
    to->people += from->people;
    to->kpeople += from->kpeople;
    for (size_t j = 0; j < e->var_count; j++) {
        srp_accum *a = &to->acc[j];
        const srp_accum *b = &from->acc[j];
        size_t n = e->vars[j].ncodes;
        for (size_t c = 0; c < n; c++) {
            a->counts[c] += b->counts[c];
            if (a->kcounts && b->kcounts)
                a->kcounts[c] += b->kcounts[c];
            for (size_t x = 0; a->pairs && b->pairs && x < n; x++)
                a->pairs[c][x] += b->pairs[c][x];
            for (size_t x = 0; a->kpairs && b->kpairs && x < n; x++)
                a->kpairs[c][x] += b->kpairs[c][x];
        }
        a->answered += b->answered;
        a->denominator += b->denominator;
        a->top2 += b->top2;
        a->kanswered += b->kanswered;
        a->kdenominator += b->kdenominator;
        a->ktop2 += b->ktop2;
        if (srp_hist_merge(&a->values, &b->values) != 0)
            return -1;
    }
    return 0;
}

sr_status srp_slots_add(srp_stats_engine *e, srp_slots *s, const srp_slots *from, const int *key_of,
                        sr_error *err)
{
    if (!srp_slots_fit(e, from))
        return srp_error_set(err, SR_ERR_INVALID,
                             "the groups of two scans are of different variables");
    char keys[SRP_STATS_MAX_DIMS][SRP_STATS_KEY_SIZE];
    for (size_t i = 0; i < from->count; i++) {
        const srp_slot *src = &from->items[i];
        for (int d = 0; d < e->dim_count; d++)
            snprintf(keys[d], sizeof keys[d], "%s", src->key[key_of[d]]);
        long slot = srp_slots_find(e, s, keys, err);
        if (slot < 0)
            return err->status ? err->status : SR_ERR_NOMEM;
        if (slot_add(e, &s->items[slot], src) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    return SR_OK;
}

static int by_address(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return x < y ? -1 : x > y;
}

/* The distinct values of dimension d over the first n slots (interned:
 * equal keys are one address), into out; returns how many. */
static size_t distinct_values(const srp_slots *s, size_t n, int d, const char **out)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        out[i] = s->items[i].key[d];
    qsort(out, n, sizeof *out, by_address);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || out[i] != out[count - 1])
            out[count++] = out[i];
    return count;
}

/* The figures a group shows, about: per item its options (or pairs) and
 * the figures beside them. */
static size_t figures_per_group(const srp_stats_engine *e)
{
    size_t n = 0;
    for (size_t j = 0; j < e->var_count; j++) {
        size_t k = e->vars[j].ncodes;
        n += e->q->change ? k * k + 3 : (k ? k + 1 : 4);
    }
    return n ? n : 1;
}

/* A slot's keys in the filter dimensions (NULL in the others). */
typedef struct filter_tuple {
    const char *key[SRP_STATS_MAX_DIMS];
} filter_tuple;

static int tuple_order(const void *a, const void *b)
{
    const filter_tuple *x = a, *y = b;
    for (int d = 0; d < SRP_STATS_MAX_DIMS; d++)
        if (x->key[d] != y->key[d])
            return x->key[d] < y->key[d] ? -1 : 1;
    return 0;
}

sr_status srp_slots_complete(srp_stats_engine *e, srp_slots *s, sr_error *err)
{
    int dims = e->dim_count, by[SRP_STATS_MAX_DIMS], nby = 0, filter[SRP_STATS_MAX_DIMS],
        nfilter = 0;
    for (int d = 0; d < dims; d++) {
        if (e->dims[d].by_index >= 0)
            by[nby++] = d;
        else
            filter[nfilter++] = d;
    }
    if (dims < 2 || nby == 0 || s->count == 0)
        return SR_OK;
    size_t observed = s->count, combinations = 1, tuples = 0;
    const char **values[SRP_STATS_MAX_DIMS] = {NULL};
    size_t nvalues[SRP_STATS_MAX_DIMS] = {0};
    filter_tuple *rows = calloc(observed, sizeof *rows);
    sr_status rc = rows ? SR_OK : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    for (int k = 0; k < nby && rc == SR_OK; k++) {
        if (!(values[k] = malloc(observed * sizeof *values[k]))) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            break;
        }
        nvalues[k] = distinct_values(s, observed, by[k], values[k]);
        if (combinations > SRP_STATS_MAX_GROUPS / nvalues[k])
            rc = srp_error_set_where(err, SR_ERR_USAGE, "by",
                                     "the breakdown makes more than %d groups: choose fewer "
                                     "or coarser ones",
                                     SRP_STATS_MAX_GROUPS);
        combinations *= nvalues[k];
    }
    size_t figures = figures_per_group(e);
    if (rc == SR_OK && combinations > SRP_STATS_MAX_FIGURES / figures)
        rc = srp_error_set_where(err, SR_ERR_USAGE, "by",
                                 "the breakdown makes %zu groups of about %zu figures each, more "
                                 "than %d figures in all: choose fewer or coarser ones",
                                 combinations, figures, SRP_STATS_MAX_FIGURES);
    /* The combinations of the filters' values found, each once. */
    if (rc == SR_OK) {
        for (size_t i = 0; i < observed; i++)
            for (int k = 0; k < nfilter; k++)
                rows[i].key[filter[k]] = s->items[i].key[filter[k]];
        qsort(rows, observed, sizeof *rows, tuple_order);
        for (size_t i = 0; i < observed; i++)
            if (i == 0 || tuple_order(&rows[i], &rows[tuples - 1]) != 0)
                rows[tuples++] = rows[i];
        if (tuples > SRP_STATS_MAX_SLOTS / combinations)
            rc = srp_error_set_where(err, SR_ERR_USAGE, "by",
                                     "the breakdown makes more than %d groups with the units, "
                                     "statuses and periods it is kept apart by: choose fewer "
                                     "or coarser ones",
                                     SRP_STATS_MAX_SLOTS);
    }
    /* The lookup table again (sorting the slots dropped it). */
    if (rc == SR_OK && combinations * tuples > observed && rehash(s, dims) != 0)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    /* Every combination of each, in the order of an odometer over the values. */
    char keys[SRP_STATS_MAX_DIMS][SRP_STATS_KEY_SIZE];
    for (size_t t = 0; rc == SR_OK && combinations * tuples > observed && t < tuples; t++) {
        for (int k = 0; k < nfilter; k++)
            snprintf(keys[filter[k]], sizeof keys[filter[k]], "%s", rows[t].key[filter[k]]);
        size_t at[SRP_STATS_MAX_DIMS] = {0};
        for (size_t c = 0; rc == SR_OK && c < combinations; c++) {
            for (int k = 0; k < nby; k++)
                snprintf(keys[by[k]], sizeof keys[by[k]], "%s", values[k][at[k]]);
            if (srp_slots_find(e, s, keys, err) < 0)
                rc = err->status ? err->status : SR_ERR_NOMEM;
            for (int k = nby - 1; k >= 0 && ++at[k] == nvalues[k]; k--)
                at[k] = 0;
        }
    }
    for (int k = 0; k < nby; k++)
        free(values[k]);
    free(rows);
    if (rc == SR_OK)
        srp_slots_sort(s);
    return rc;
}

static int slot_order(const void *a, const void *b)
{
    const srp_slot *x = a, *y = b;
    for (int d = 0; d < SRP_STATS_MAX_DIMS; d++) {
        int c = strcmp(x->key[d], y->key[d]);
        if (c)
            return c;
    }
    return 0;
}

void srp_slots_sort(srp_slots *s)
{
    free(s->table);
    s->table = NULL;
    s->table_size = 0;
    if (s->count)
        qsort(s->items, s->count, sizeof *s->items, slot_order);
}

void srp_slots_release(srp_slots *s)
{
    for (size_t i = 0; i < s->count; i++) {
        srp_slot *sl = &s->items[i];
        for (size_t j = 0; sl->acc && j < s->var_count; j++) {
            free(sl->acc[j].counts);
            if (sl->acc[j].pairs)
                for (size_t c = 0; c < s->ncodes[j]; c++)
                    free(sl->acc[j].pairs[c]);
            free(sl->acc[j].pairs);
            srp_stats_ck_release(&sl->acc[j], s->ncodes[j]);
            srp_hist_release(&sl->acc[j].values);
        }
        free(sl->acc);
    }
    free(s->items);
    free(s->table);
    free(s->ncodes);
    srp_strings_free(s->pool);
    memset(s, 0, sizeof *s);
}

/* The value of dimension d for one response; -1 when it does not fit. */
static int dim_value(srp_stats_engine *e, int d, const char *date, const char *unit,
                     const char *birth, const char *status, const srp_coded_value *vals, int vslot,
                     const srp_coded_value *ivals, int islot, char out[SRP_STATS_KEY_SIZE])
{
    srp_dimension *dim = &e->dims[d];
    const char *value = "";
    char period[16];
    switch (dim->kind) {
    case SRP_BY_UNIT:
        value = unit;
        break;
    case SRP_BY_STATUS:
        value = status;
        break;
    case SRP_BY_PERIOD:
    case SRP_BY_YEAR:
    case SRP_BY_HALF:
    case SRP_BY_QUARTER: {
        srp_period_kind kind = dim->kind == SRP_BY_PERIOD ? e->period_kind
                               : dim->kind == SRP_BY_YEAR ? SRP_PERIOD_YEAR
                               : dim->kind == SRP_BY_HALF ? SRP_PERIOD_HALF
                                                          : SRP_PERIOD_QUARTER;
        value = srp_period_key(kind, date, period, sizeof period) == 0
                    ? srp_stats_period_merged(dim, period)
                    : "unknown";
        break;
    }
    case SRP_BY_AGE:
        value = srp_age_band(birth, date, 0);
        break;
    case SRP_BY_ITEM:
    case SRP_BY_INTAKE_ITEM: {
        srp_variable *bv = &dim->var;
        int intake = dim->kind == SRP_BY_INTAKE_ITEM;
        int k = intake ? islot : vslot;
        const srp_coded_value *vv = intake ? ivals : vals;
        const sr_form *f = k >= 0 ? (intake ? e->intake_forms[k] : e->forms[k]) : NULL;
        int idx = k >= 0 ? bv->item_of[k] : -1;
        int c = f && idx >= 0 && vv ? srp_stats_code_of(&f->items[idx], &vv[idx], bv->option_map[k])
                                    : -1;
        value = c >= 0 ? bv->codes[c] : "unanswered";
        break;
    }
    default:
        break;
    }
    if (!value)
        value = "";
    size_t n = strlen(value);
    if (n >= SRP_STATS_KEY_SIZE)
        return -1;
    memcpy(out, value, n + 1);
    return 0;
}

sr_status srp_stats_dim_values(srp_stats_engine *e, const char *date, const char *unit,
                               const char *birth, const char *status, const srp_coded_value *vals,
                               int vslot, const srp_coded_value *ivals, int islot,
                               char keys[][SRP_STATS_KEY_SIZE], sr_error *err)
{
    for (int d = 0; d < e->dim_count; d++)
        if (dim_value(e, d, date, unit, birth, status, vals, vslot, ivals, islot, keys[d]) != 0)
            return srp_error_set_where(err, SR_ERR_CORRUPT, e->dims[d].name,
                                       "a group's code is longer than %d characters",
                                       SR_GROUP_KEY_MAX);
    return SR_OK;
}
