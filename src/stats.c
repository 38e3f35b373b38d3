/*
 * stats.c - the summary engine: reads coded answers once, accumulates per
 * person and group, then hands every figure to disclosure control.
 *
 * Counting is by people: in a repeatable form a person counts once for each
 * option they were ever given in the period, integers (e.g. meetings) are
 * summed per person, decimals and scales averaged per person. Cells of the
 * published table and of its complement (when a filter narrows the query)
 * are related to one another by the sums an outsider could learn from other
 * queries, and suppressed together (see disclosure.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coded.h"
#include "disclosure.h"
#include "base/error.h"
#include "form_int.h"
#include "form_store_int.h"
#include "registry_int.h"
#include "settings_int.h"
#include "sigreg/cases.h"
#include "sigreg/stats.h"
#include "store.h"
#include "base/timeutil.h"

#define MAX_VERSIONS 64

enum { DERIVED_NONE = 0, DERIVED_PER_CASE, DERIVED_DAYS_TO_CLOSURE, DERIVED_STATUS };
enum { BY_NONE = 0, BY_UNIT, BY_AGE, BY_YEAR, BY_QUARTER, BY_ITEM, BY_INTAKE_ITEM, BY_STATUS,
       BY_PERIOD };
#define MAX_DIMS 5

/* ---- a histogram of numbers (memory grows with distinct values, not people) */

typedef struct hist {
    double *values;
    long *counts;
    size_t n, cap;
    long total;
} hist;

static int hist_add(hist *h, double v)
{
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (h->values[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < h->n && h->values[lo] == v) {
        h->counts[lo]++;
        h->total++;
        return 0;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        double *nv = realloc(h->values, cap * sizeof *nv);
        if (!nv)
            return -1;
        h->values = nv;
        long *nc = realloc(h->counts, cap * sizeof *nc);
        if (!nc)
            return -1;
        h->counts = nc;
        h->cap = cap;
    }
    memmove(h->values + lo + 1, h->values + lo, (h->n - lo) * sizeof *h->values);
    memmove(h->counts + lo + 1, h->counts + lo, (h->n - lo) * sizeof *h->counts);
    h->values[lo] = v;
    h->counts[lo] = 1;
    h->n++;
    h->total++;
    return 0;
}

/* The value at 0-based rank k. */
static double hist_rank(const hist *h, long k)
{
    long seen = 0;
    for (size_t i = 0; i < h->n; i++) {
        seen += h->counts[i];
        if (k < seen)
            return h->values[i];
    }
    return h->n ? h->values[h->n - 1] : 0;
}

/* Quantile p by linear interpolation between order statistics (R's type 7). */
static double hist_quantile(const hist *h, double p)
{
    double pos = (double)(h->total - 1) * p;
    long lo = (long)floor(pos);
    double frac = pos - (double)lo;
    double a = hist_rank(h, lo), b = hist_rank(h, lo + 1 < h->total ? lo + 1 : lo);
    return a + (b - a) * frac;
}

static double hist_mean(const hist *h)
{
    double sum = 0;
    for (size_t i = 0; i < h->n; i++)
        sum += h->values[i] * (double)h->counts[i];
    return h->total ? sum / (double)h->total : 0;
}

static void hist_release(hist *h)
{
    free(h->values);
    free(h->counts);
}

/* ---- variables: the items summarised, pooled over form versions ----------------- */

typedef struct variable {
    char *id;
    const char *label;
    sr_item_type type;
    int ordered;
    int derived;
    size_t ncodes;
    char **codes;
    const char **code_labels;
    int *missing;
    int item_of[MAX_VERSIONS];        /* item index in each version, -1 absent */
    int *option_map[MAX_VERSIONS];    /* version option index -> code index */
    int intake_item[MAX_VERSIONS];    /* change: item index in each intake version */
    int *intake_map[MAX_VERSIONS];
    int paired;                       /* has an intake counterpart */
} variable;

typedef struct dimension {
    int kind;
    char name[64];
    variable var;         /* for item dimensions */
    const char *selected; /* a filter's value, or NULL */
    int by_index;         /* the --by column it fills, or -1 */
} dimension;

typedef struct engine {
    sr_registry *reg;
    const sr_stats_query *q;
    const char *lang;
    sr_form *forms[MAX_VERSIONS];
    int versions[MAX_VERSIONS];
    size_t version_count;
    sr_form *intake_forms[MAX_VERSIONS];
    int intake_versions[MAX_VERSIONS];
    size_t intake_count;
    int repeatable;
    sr_phase phase;
    variable *vars;
    size_t var_count;
    /* Dimensions: the --by ones (shown in rows) and one per filter (unit,
     * status, period), whose whole partition is always computed so that a
     * filtered figure is protected exactly as the same figure unfiltered. */
    dimension dims[MAX_DIMS];
    int dim_count;
    char from[11], to[11];
    char unit_filter[64];
    char intake_id[64];
    int need_intake;
} engine;

static int code_index(variable *v, const char *code, const char *label, int missing, int add)
{
    for (size_t i = 0; i < v->ncodes; i++)
        if (strcmp(v->codes[i], code) == 0)
            return (int)i;
    if (!add)
        return -1;
    char **codes = realloc(v->codes, (v->ncodes + 1) * sizeof *codes);
    if (!codes)
        return -2;
    v->codes = codes;
    const char **labels = realloc(v->code_labels, (v->ncodes + 1) * sizeof *labels);
    if (!labels)
        return -2;
    v->code_labels = labels;
    int *m = realloc(v->missing, (v->ncodes + 1) * sizeof *m);
    if (!m)
        return -2;
    v->missing = m;
    v->codes[v->ncodes] = strdup(code);
    if (!v->codes[v->ncodes])
        return -2;
    v->code_labels[v->ncodes] = label;
    v->missing[v->ncodes] = missing;
    return (int)v->ncodes++;
}

static void variable_release(variable *v)
{
    for (size_t i = 0; i < v->ncodes; i++)
        free(v->codes[i]);
    free(v->codes);
    free(v->code_labels);
    free(v->missing);
    for (int k = 0; k < MAX_VERSIONS; k++) {
        free(v->option_map[k]);
        free(v->intake_map[k]);
    }
    free(v->id);
}

/* Builds the code list and option maps of a choice-like item across the
 * versions of one form; returns -1 on OOM. */
static int map_options(variable *v, sr_form *const *forms, size_t count, const int *item_of,
                       int **maps, const char *lang)
{
    for (size_t k = count; k-- > 0;) { /* newest first, so its labels win */
        if (item_of[k] < 0)
            continue;
        const srp_item *it = &forms[k]->items[item_of[k]];
        if (it->type == SR_ITEM_BOOLEAN) {
            maps[k] = calloc(2, sizeof(int));
            if (!maps[k])
                return -1;
            int f = code_index(v, "false", lang && strcmp(lang, "en") == 0 ? "no" : "nej", 0, 1);
            int t = code_index(v, "true", lang && strcmp(lang, "en") == 0 ? "yes" : "ja", 0, 1);
            if (f < 0 || t < 0)
                return -1;
            maps[k][0] = f;
            maps[k][1] = t;
            continue;
        }
        if (it->type == SR_ITEM_SCALE) {
            size_t span = (size_t)(it->max - it->min) + 1;
            maps[k] = calloc(span, sizeof(int));
            if (!maps[k])
                return -1;
            for (size_t s = 0; s < span; s++) {
                char code[24];
                snprintf(code, sizeof code, "%ld", (long)it->min + (long)s);
                maps[k][s] = code_index(v, code, srp_text(json_object_get(it->anchors, code), lang),
                                        0, 1);
                if (maps[k][s] < 0)
                    return -1;
            }
            continue;
        }
        maps[k] = calloc(it->option_count ? it->option_count : 1, sizeof(int));
        if (!maps[k])
            return -1;
        for (size_t o = 0; o < it->option_count; o++) {
            maps[k][o] = code_index(v, it->options[o].code, srp_text(it->options[o].label, lang),
                                    it->options[o].missing, 1);
            if (maps[k][o] < 0)
                return -1;
        }
    }
    return 0;
}

static int categorical(sr_item_type t)
{
    return t == SR_ITEM_BOOLEAN || t == SR_ITEM_CHOICE || t == SR_ITEM_MULTICHOICE ||
           t == SR_ITEM_SCALE;
}

static int numeric(sr_item_type t)
{
    return t == SR_ITEM_INTEGER || t == SR_ITEM_DECIMAL || t == SR_ITEM_SCALE;
}

/* Whether two items may be pooled as one variable. */
static int compatible(const srp_item *a, const srp_item *b)
{
    if (a->type != b->type)
        return 0;
    if (a->type == SR_ITEM_SCALE && (a->min != b->min || a->max != b->max))
        return 0;
    return 1;
}

static sr_status add_variable(engine *e, const char *id, sr_error *err)
{
    variable *grown = realloc(e->vars, (e->var_count + 1) * sizeof *grown);
    if (!grown)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    e->vars = grown;
    variable *v = &e->vars[e->var_count];
    memset(v, 0, sizeof *v);
    v->id = strdup(id);
    if (!v->id)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    e->var_count++;
    return SR_OK;
}

static sr_status build_variables(engine *e, sr_error *err)
{
    sr_form *newest = e->forms[e->version_count - 1];
    /* Items of the newest version first, then those only older ones have. */
    for (size_t k = e->version_count; k-- > 0;) {
        sr_form *f = e->forms[k];
        for (size_t i = 0; i < f->item_count; i++) {
            const srp_item *it = &f->items[i];
            if (it->type == SR_ITEM_SECTION || it->type == SR_ITEM_TEXT ||
                it->type == SR_ITEM_DATE || it->identifying)
                continue; /* free text and identifiers are never summarised */
            int known = 0;
            for (size_t j = 0; j < e->var_count; j++)
                if (strcmp(e->vars[j].id, it->id) == 0)
                    known = 1;
            if (known)
                continue;
            sr_status rc = add_variable(e, it->id, err);
            if (rc != SR_OK)
                return rc;
            variable *v = &e->vars[e->var_count - 1];
            v->type = it->type;
            v->label = srp_text(it->label, e->lang);
            v->ordered = it->ordered;
            for (size_t m = 0; m < e->version_count; m++) {
                size_t idx = 0;
                const srp_item *other = srp_form_find_item(e->forms[m], it->id, &idx);
                v->item_of[m] = other && compatible(other, it) ? (int)idx : -1;
            }
            if (categorical(v->type) &&
                map_options(v, e->forms, e->version_count, v->item_of, v->option_map, e->lang) != 0)
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        }
    }
    (void)newest;
    if (e->repeatable) {
        sr_status rc = add_variable(e, "registrations_per_case", err);
        if (rc != SR_OK)
            return rc;
        variable *v = &e->vars[e->var_count - 1];
        v->type = SR_ITEM_INTEGER;
        v->derived = DERIVED_PER_CASE;
        v->label = strcmp(e->lang, "en") == 0 ? "Registrations per case" : "Registreringar per ärende";
    }
    if (e->phase == SR_PHASE_CLOSURE) {
        sr_status rc = add_variable(e, "days_intake_to_closure", err);
        if (rc != SR_OK)
            return rc;
        variable *v = &e->vars[e->var_count - 1];
        v->type = SR_ITEM_INTEGER;
        v->derived = DERIVED_DAYS_TO_CLOSURE;
        v->label = strcmp(e->lang, "en") == 0 ? "Days from intake to closure"
                                              : "Dagar från inskrivning till avslut";
        e->need_intake = 1;
    }
    return SR_OK;
}

/* Pairs each variable with the same item of the intake (same type and codes). */
static void pair_with_intake(engine *e)
{
    for (size_t j = 0; j < e->var_count; j++) {
        variable *v = &e->vars[j];
        if (v->derived || !(v->type == SR_ITEM_CHOICE || v->type == SR_ITEM_BOOLEAN ||
                            v->type == SR_ITEM_SCALE))
            continue;
        int any = 0;
        for (size_t k = 0; k < e->intake_count; k++) {
            size_t idx = 0;
            const srp_item *it = srp_form_find_item(e->intake_forms[k], v->id, &idx);
            v->intake_item[k] = -1;
            if (!it || it->type != v->type)
                continue;
            /* Every intake code must be one of the variable's codes. */
            int ok = 1;
            size_t span = it->type == SR_ITEM_SCALE ? (size_t)(it->max - it->min) + 1
                          : it->type == SR_ITEM_BOOLEAN ? 2
                                                        : it->option_count;
            int *map = calloc(span ? span : 1, sizeof(int));
            if (!map)
                continue;
            for (size_t o = 0; o < span && ok; o++) {
                char code[24];
                const char *c = code;
                if (it->type == SR_ITEM_SCALE)
                    snprintf(code, sizeof code, "%ld", (long)it->min + (long)o);
                else if (it->type == SR_ITEM_BOOLEAN)
                    c = o ? "true" : "false";
                else
                    c = it->options[o].code;
                map[o] = code_index(v, c, NULL, 0, 0);
                ok = map[o] >= 0;
            }
            if (!ok) {
                free(map);
                continue;
            }
            v->intake_item[k] = (int)idx;
            v->intake_map[k] = map;
            any = 1;
        }
        v->paired = any;
    }
}

/* ---- groups ---------------------------------------------------------------------- */

typedef struct accum {
    long *counts;  /* per code */
    long **pairs;  /* change: [intake code][code] */
    long answered;
    long denominator;
    long top2; /* scale: people who gave one of the two highest steps */
    hist values;
} accum;

typedef struct slot {
    char *key[MAX_DIMS];
    int selected;              /* published (every filter matches) */
    unsigned long long identity; /* of the group, from its dimension=value pairs */
    long people;
    accum *acc; /* per variable */
} slot;

typedef struct slots {
    slot *items;
    size_t count, cap;
} slots;

static unsigned long long hash_text(unsigned long long h, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 0x100000001B3ULL;
    return (h ^ 0xFF) * 0x100000001B3ULL;
}

/* The group's identity: its name=value pairs in name order. */
static unsigned long long group_identity(const engine *e, char *const *keys)
{
    int order[MAX_DIMS];
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
        h = hash_text(h, e->dims[order[k]].name);
        h = hash_text(h, keys[order[k]]);
    }
    return h;
}

static long find_slot(engine *e, slots *s, char keys[MAX_DIMS][32], sr_error *err)
{
    for (size_t i = 0; i < s->count; i++) {
        int same = 1;
        for (int d = 0; d < e->dim_count && same; d++)
            same = strcmp(s->items[i].key[d], keys[d]) == 0;
        if (same)
            return (long)i;
    }
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        slot *grown = realloc(s->items, cap * sizeof *grown);
        if (!grown)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), -1;
        s->items = grown;
        s->cap = cap;
    }
    slot *sl = &s->items[s->count];
    memset(sl, 0, sizeof *sl);
    sl->selected = 1;
    for (int d = 0; d < MAX_DIMS; d++) {
        sl->key[d] = strdup(d < e->dim_count ? keys[d] : "");
        if (!sl->key[d])
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), -1;
        if (d < e->dim_count && e->dims[d].selected && strcmp(e->dims[d].selected, keys[d]) != 0)
            sl->selected = 0;
    }
    sl->identity = group_identity(e, sl->key);
    sl->acc = calloc(e->var_count ? e->var_count : 1, sizeof *sl->acc);
    if (!sl->acc)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), -1;
    for (size_t j = 0; j < e->var_count; j++) {
        variable *v = &e->vars[j];
        if (v->ncodes) {
            sl->acc[j].counts = calloc(v->ncodes, sizeof(long));
            if (!sl->acc[j].counts)
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), -1;
        }
        if (e->q->change && v->paired) {
            sl->acc[j].pairs = calloc(v->ncodes, sizeof(long *));
            if (!sl->acc[j].pairs)
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), -1;
            for (size_t c = 0; c < v->ncodes; c++)
                if (!(sl->acc[j].pairs[c] = calloc(v->ncodes, sizeof(long))))
                    return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), -1;
        }
    }
    return (long)s->count++;
}

static void slots_release(engine *e, slots *s)
{
    for (size_t i = 0; i < s->count; i++) {
        slot *sl = &s->items[i];
        for (size_t j = 0; sl->acc && j < e->var_count; j++) {
            free(sl->acc[j].counts);
            if (sl->acc[j].pairs)
                for (size_t c = 0; c < e->vars[j].ncodes; c++)
                    free(sl->acc[j].pairs[c]);
            free(sl->acc[j].pairs);
            hist_release(&sl->acc[j].values);
        }
        free(sl->acc);
        for (int d = 0; d < MAX_DIMS; d++)
            free(sl->key[d]);
    }
    free(s->items);
}

/* ---- one person's contribution to one group, gathered over their responses --- */

typedef struct person {
    long slot;
    unsigned char **seen; /* per variable, per code */
    double *sum;
    long *n;
    int *latest;          /* change: the latest code given (-1 none) */
    char latest_date[11]; /* the date of the response latest seen */
    int *intake_code;
} person;

typedef struct people {
    person *items;
    size_t count, cap;
} people;

static person *person_for(engine *e, people *p, long slot_id, sr_error *err)
{
    for (size_t i = 0; i < p->count; i++)
        if (p->items[i].slot == slot_id)
            return &p->items[i];
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4;
        person *grown = realloc(p->items, cap * sizeof *grown);
        if (!grown)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), NULL;
        memset(grown + p->cap, 0, (cap - p->cap) * sizeof *grown);
        p->items = grown;
        p->cap = cap;
    }
    person *x = &p->items[p->count];
    if (!x->seen) { /* allocated once, reused */
        x->seen = calloc(e->var_count ? e->var_count : 1, sizeof *x->seen);
        x->sum = calloc(e->var_count ? e->var_count : 1, sizeof *x->sum);
        x->n = calloc(e->var_count ? e->var_count : 1, sizeof *x->n);
        x->latest = calloc(e->var_count ? e->var_count : 1, sizeof *x->latest);
        x->intake_code = calloc(e->var_count ? e->var_count : 1, sizeof *x->intake_code);
        if (!x->seen || !x->sum || !x->n || !x->latest || !x->intake_code)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), NULL;
        for (size_t j = 0; j < e->var_count; j++)
            if (e->vars[j].ncodes && !(x->seen[j] = calloc(e->vars[j].ncodes, 1)))
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), NULL;
    }
    x->slot = slot_id;
    for (size_t j = 0; j < e->var_count; j++) {
        if (x->seen[j])
            memset(x->seen[j], 0, e->vars[j].ncodes);
        x->sum[j] = 0;
        x->n[j] = 0;
        x->latest[j] = -1;
        x->intake_code[j] = -1;
    }
    x->latest_date[0] = '\0';
    p->count++;
    return x;
}

static void people_release(engine *e, people *p)
{
    for (size_t i = 0; i < p->cap; i++) {
        person *x = &p->items[i];
        for (size_t j = 0; x->seen && j < e->var_count; j++)
            free(x->seen[j]);
        free(x->seen);
        free(x->sum);
        free(x->n);
        free(x->latest);
        free(x->intake_code);
    }
    free(p->items);
}

static int flush_people(engine *e, slots *s, people *p)
{
    for (size_t i = 0; i < p->count; i++) {
        person *x = &p->items[i];
        slot *sl = &s->items[x->slot];
        sl->people++;
        for (size_t j = 0; j < e->var_count; j++) {
            variable *v = &e->vars[j];
            accum *a = &sl->acc[j];
            if (x->n[j] == 0)
                continue;
            a->answered++;
            int counted = 0, any = 0;
            for (size_t c = 0; c < v->ncodes; c++)
                if (x->seen[j][c]) {
                    a->counts[c]++;
                    counted |= !v->missing[c];
                    any = 1;
                }
            /* Only 'missing' options chosen: counted, outside the shares (an
             * empty multichoice answer, none of the options, is inside). */
            if (!v->ncodes || counted || (v->type == SR_ITEM_MULTICHOICE && !any))
                a->denominator++;
            if (v->type == SR_ITEM_SCALE && v->ncodes >= 2 &&
                (x->seen[j][v->ncodes - 1] || x->seen[j][v->ncodes - 2]))
                a->top2++; /* once, though a repeatable form may have given both */
            if (numeric(v->type)) {
                double value = v->type == SR_ITEM_INTEGER && e->repeatable && !v->derived
                                   ? x->sum[j]
                                   : x->sum[j] / (double)x->n[j];
                if (v->type == SR_ITEM_SCALE && e->repeatable)
                    value = round(value * 10) / 10;
                if (hist_add(&a->values, value) != 0)
                    return -1;
            }
            if (a->pairs && x->latest[j] >= 0 && x->intake_code[j] >= 0)
                a->pairs[x->intake_code[j]][x->latest[j]]++;
        }
    }
    p->count = 0;
    return 0;
}

/* ---- scanning -------------------------------------------------------------------- */

static int version_slot(const int *versions, size_t count, int version)
{
    for (size_t k = 0; k < count; k++)
        if (versions[k] == version)
            return (int)k;
    return -1;
}

/* Decodes a blob into vals (one per item of form); -1 when damaged. */
static int decode_all(const sr_form *form, const unsigned char *blob, size_t len,
                      srp_coded_value *vals)
{
    size_t pos = 0;
    for (size_t i = 0; i < form->item_count; i++)
        if (srp_coded_next(form, i, blob, len, &pos, &vals[i]) != 0)
            return -1;
    return 0;
}

/* The code index of a choice-like coded value, -1 when unanswered. */
static int code_of(const srp_item *it, const srp_coded_value *cv, const int *map)
{
    if (!cv->present || !map)
        return -1;
    if (it->type == SR_ITEM_BOOLEAN)
        return map[cv->boolean ? 1 : 0];
    if (it->type == SR_ITEM_SCALE) {
        long k = (long)cv->number - (long)it->min;
        return k >= 0 && k <= (long)(it->max - it->min) ? map[k] : -1;
    }
    if (it->type == SR_ITEM_CHOICE)
        return map[cv->option];
    return -1;
}

/* The value of dimension d for one response. */
static void dim_value(engine *e, int d, const char *date, const char *unit, const char *birth,
                      const char *status, const srp_coded_value *vals, int vslot,
                      const srp_coded_value *ivals, int islot, char out[32])
{
    dimension *dim = &e->dims[d];
    switch (dim->kind) {
    case BY_UNIT:
        snprintf(out, 32, "%s", unit);
        return;
    case BY_STATUS:
        snprintf(out, 32, "%s", status);
        return;
    case BY_PERIOD:
        snprintf(out, 32, "%s", e->from[0] && strcmp(date, e->from) < 0 ? "before"
                                : e->to[0] && strcmp(date, e->to) > 0   ? "after"
                                                                        : "inside");
        return;
    case BY_AGE:
        snprintf(out, 32, "%s", srp_age_band(birth, date, 0));
        return;
    case BY_YEAR:
        snprintf(out, 32, "%.4s", date);
        return;
    case BY_QUARTER: {
        int month = (date[5] - '0') * 10 + (date[6] - '0');
        snprintf(out, 32, "%.4s-Q%d", date, (month - 1) / 3 + 1);
        return;
    }
    case BY_ITEM:
    case BY_INTAKE_ITEM: {
        variable *bv = &dim->var;
        int intake = dim->kind == BY_INTAKE_ITEM;
        int k = intake ? islot : vslot;
        const srp_coded_value *vv = intake ? ivals : vals;
        sr_form *f = k >= 0 ? (intake ? e->intake_forms[k] : e->forms[k]) : NULL;
        int idx = k >= 0 ? bv->item_of[k] : -1;
        int c = f && idx >= 0 && vv ? code_of(&f->items[idx], &vv[idx], bv->option_map[k]) : -1;
        snprintf(out, 32, "%s", c >= 0 ? bv->codes[c] : "unanswered");
        return;
    }
    default:
        out[0] = '\0';
    }
}

static void dim_values(engine *e, const char *date, const char *unit, const char *birth,
                       const char *status, const srp_coded_value *vals, int vslot,
                       const srp_coded_value *ivals, int islot, char keys[MAX_DIMS][32])
{
    for (int d = 0; d < e->dim_count; d++)
        dim_value(e, d, date, unit, birth, status, vals, vslot, ivals, islot, keys[d]);
}

static sr_status scan(engine *e, slots *s, sr_error *err)
{
    sqlite3 *db = srp_registry_db(e->reg);
    /* Rows come in the table's own order, a person's responses together. */
    const char *sql_intake =
        "SELECT r.case_code, r.date, r.form_version, r.coded, c.unit, c.birth_date, c.status,"
        " i.form_version, i.coded, i.date FROM response_codes r JOIN cases c INDEXED BY cases_summary ON c.code = r.case_code"
        " LEFT JOIN response_codes i ON i.case_code = r.case_code AND i.form_id = ?2 AND i.active"
        " WHERE r.form_id = ?1 AND r.active ORDER BY r.form_id, r.case_code, r.response_id";
    const char *sql_plain =
        "SELECT r.case_code, r.date, r.form_version, r.coded, c.unit, c.birth_date, c.status,"
        " NULL, NULL, NULL FROM response_codes r JOIN cases c INDEXED BY cases_summary ON c.code = r.case_code"
        " WHERE r.form_id = ?1 AND r.active ORDER BY r.form_id, r.case_code, r.response_id";
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(db, e->need_intake ? sql_intake : sql_plain, &st, err);
    if (rc != SR_OK)
        return rc;
    if (e->need_intake)
        sqlite3_bind_text(st, 2, e->intake_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 1, e->q->form, -1, SQLITE_STATIC);
    size_t maxitems = 1;
    for (size_t k = 0; k < e->version_count; k++)
        if (e->forms[k]->item_count > maxitems)
            maxitems = e->forms[k]->item_count;
    size_t maxintake = 1;
    for (size_t k = 0; k < e->intake_count; k++)
        if (e->intake_forms[k]->item_count > maxintake)
            maxintake = e->intake_forms[k]->item_count;
    srp_coded_value *vals = calloc(maxitems, sizeof *vals);
    srp_coded_value *ivals = calloc(maxintake, sizeof *ivals);
    people p = {NULL, 0, 0};
    char current[SR_CASE_CODE_SIZE + 4] = "";
    if (!vals || !ivals) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        const char *date = (const char *)sqlite3_column_text(st, 1);
        int vslot = version_slot(e->versions, e->version_count, sqlite3_column_int(st, 2));
        const unsigned char *blob = sqlite3_column_blob(st, 3);
        size_t blen = (size_t)sqlite3_column_bytes(st, 3);
        const char *unit = (const char *)sqlite3_column_text(st, 4);
        const char *birth = (const char *)sqlite3_column_text(st, 5);
        const char *status = (const char *)sqlite3_column_text(st, 6);
        int islot = sqlite3_column_type(st, 7) == SQLITE_NULL
                        ? -1
                        : version_slot(e->intake_versions, e->intake_count, sqlite3_column_int(st, 7));
        if (vslot < 0)
            continue;
        if (strcmp(code, current) != 0) {
            if (flush_people(e, s, &p) != 0) {
                rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
                break;
            }
            snprintf(current, sizeof current, "%s", code);
        }
        sr_form *form = e->forms[vslot];
        if (decode_all(form, blob, blen, vals) != 0) {
            rc = srp_error_set(err, SR_ERR_CORRUPT, "a stored response of case '%s' is damaged",
                               code);
            break;
        }
        int have_intake = 0;
        if (islot >= 0) {
            const unsigned char *iblob = sqlite3_column_blob(st, 8);
            have_intake = decode_all(e->intake_forms[islot], iblob,
                                     (size_t)sqlite3_column_bytes(st, 8), ivals) == 0;
        }
        char keys[MAX_DIMS][32];
        dim_values(e, date, unit, birth, status, vals, vslot, have_intake ? ivals : NULL, islot,
                   keys);
        long slot_id = find_slot(e, s, keys, err);
        if (slot_id < 0) {
            rc = SR_ERR_NOMEM;
            break;
        }
        person *x = person_for(e, &p, slot_id, err);
        if (!x) {
            rc = SR_ERR_NOMEM;
            break;
        }
        /* Rows come by response, not date: the change tables want the
         * latest answer by date. */
        int latest = strcmp(date, x->latest_date) >= 0;
        if (latest)
            snprintf(x->latest_date, sizeof x->latest_date, "%s", date);
        for (size_t j = 0; j < e->var_count; j++) {
            variable *v = &e->vars[j];
            if (v->derived == DERIVED_PER_CASE) {
                x->sum[j] += 1;
                x->n[j] = 1;
                continue;
            }
            if (v->derived == DERIVED_DAYS_TO_CLOSURE) {
                if (islot >= 0 && sqlite3_column_text(st, 9)) {
                    x->sum[j] = (double)(srp_days_from_date(date) -
                                         srp_days_from_date((const char *)sqlite3_column_text(st, 9)));
                    x->n[j] = 1;
                }
                continue;
            }
            int idx = v->item_of[vslot];
            if (idx < 0)
                continue;
            const srp_item *it = &form->items[idx];
            const srp_coded_value *cv = &vals[idx];
            if (!cv->present)
                continue;
            if (it->type == SR_ITEM_MULTICHOICE) {
                for (size_t m = 0; m < cv->multi_count; m++)
                    x->seen[j][v->option_map[vslot][srp_coded_multi_at(cv, m)]] = 1;
                x->n[j] = x->n[j] ? x->n[j] : 1;
                continue;
            }
            int c = categorical(it->type) ? code_of(it, cv, v->option_map[vslot]) : -1;
            if (c >= 0) {
                x->seen[j][c] = 1;
                if (latest)
                    x->latest[j] = c;
            }
            if (numeric(it->type))
                x->sum[j] += cv->number;
            x->n[j]++;
            if (v->paired && have_intake) {
                int ii = v->intake_item[islot];
                if (ii >= 0)
                    x->intake_code[j] = code_of(&e->intake_forms[islot]->items[ii], &ivals[ii],
                                                v->intake_map[islot]);
            }
        }
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read responses", err);
    if (rc == SR_OK && flush_people(e, s, &p) != 0)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
out:
    people_release(e, &p);
    free(vals);
    free(ivals);
    sqlite3_finalize(st);
    return rc;
}

/* Cases by status: one person per case, dated by the intake (or the day the
 * case was opened), grouped by built-ins or intake items. */
static sr_status scan_cases(engine *e, slots *s, sr_error *err)
{
    sqlite3 *db = srp_registry_db(e->reg);
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(
        db,
        "SELECT c.code, coalesce(i.date, c.opened_at), c.unit, c.birth_date, c.status,"
        " i.form_version, i.coded FROM cases c LEFT JOIN response_codes i ON i.case_code = c.code"
        " AND i.form_id = ?1 AND i.active",
        &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, e->intake_id, -1, SQLITE_STATIC);
    size_t maxintake = 1;
    for (size_t k = 0; k < e->intake_count; k++)
        if (e->intake_forms[k]->item_count > maxintake)
            maxintake = e->intake_forms[k]->item_count;
    srp_coded_value *ivals = calloc(maxintake, sizeof *ivals);
    people p = {NULL, 0, 0};
    if (!ivals) {
        sqlite3_finalize(st);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *date = (const char *)sqlite3_column_text(st, 1);
        const char *unit = (const char *)sqlite3_column_text(st, 2);
        const char *birth = (const char *)sqlite3_column_text(st, 3);
        const char *status = (const char *)sqlite3_column_text(st, 4);
        int islot = sqlite3_column_type(st, 5) == SQLITE_NULL
                        ? -1
                        : version_slot(e->intake_versions, e->intake_count, sqlite3_column_int(st, 5));
        int have = islot >= 0 && decode_all(e->intake_forms[islot], sqlite3_column_blob(st, 6),
                                            (size_t)sqlite3_column_bytes(st, 6), ivals) == 0;
        char keys[MAX_DIMS][32];
        dim_values(e, date, unit, birth, status, NULL, -1, have ? ivals : NULL, have ? islot : -1,
                   keys);
        long slot_id = find_slot(e, s, keys, err);
        person *x = slot_id >= 0 ? person_for(e, &p, slot_id, err) : NULL;
        if (!x) {
            rc = SR_ERR_NOMEM;
            break;
        }
        x->seen[0][strcmp(status, "closed") == 0 ? 1 : 0] = 1;
        x->n[0] = 1;
        if (flush_people(e, s, &p) != 0) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            break;
        }
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read cases", err);
    people_release(e, &p);
    free(ivals);
    sqlite3_finalize(st);
    return rc;
}

/* ---- the result ----------------------------------------------------------------------- */

struct sr_stats {
    sr_stats_row *rows;
    size_t count, cap;
    char **strings; /* every string the rows point to */
    size_t string_count, string_cap;
    char **notes;
    size_t note_count;
    int min_cell;
    char from[11], to[11];
    char versions[256];
    char generated_at[32];
    char by[2][64];
    char *title;
};

static const char *keep(sr_stats *r, const char *s)
{
    if (!s)
        return NULL;
    if (r->string_count == r->string_cap) {
        size_t cap = r->string_cap ? r->string_cap * 2 : 256;
        char **grown = realloc(r->strings, cap * sizeof *grown);
        if (!grown)
            return NULL;
        r->strings = grown;
        r->string_cap = cap;
    }
    char *copy = strdup(s);
    if (copy)
        r->strings[r->string_count++] = copy;
    return copy;
}

static int add_note(sr_stats *r, const char *text)
{
    char **grown = realloc(r->notes, (r->note_count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    r->notes = grown;
    r->notes[r->note_count] = strdup(text);
    return r->notes[r->note_count++] ? 0 : -1;
}

static sr_stats_row *new_row(sr_stats *r)
{
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 128;
        sr_stats_row *grown = realloc(r->rows, cap * sizeof *grown);
        if (!grown)
            return NULL;
        r->rows = grown;
        r->cap = cap;
    }
    sr_stats_row *row = &r->rows[r->count++];
    memset(row, 0, sizeof *row);
    return row;
}

void sr_stats_free(sr_stats *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->string_count; i++)
        free(r->strings[i]);
    for (size_t i = 0; i < r->note_count; i++)
        free(r->notes[i]);
    free(r->strings);
    free(r->notes);
    free(r->rows);
    free(r->title);
    free(r);
}

size_t sr_stats_row_count(const sr_stats *r) { return r->count; }
const sr_stats_row *sr_stats_row_at(const sr_stats *r, size_t i) { return &r->rows[i]; }
int sr_stats_min_cell(const sr_stats *r) { return r->min_cell; }
const char *sr_stats_from(const sr_stats *r) { return r->from[0] ? r->from : NULL; }
const char *sr_stats_to(const sr_stats *r) { return r->to[0] ? r->to : NULL; }
const char *sr_stats_versions(const sr_stats *r) { return r->versions; }
const char *sr_stats_generated_at(const sr_stats *r) { return r->generated_at; }
const char *sr_stats_form_title(const sr_stats *r) { return r->title ? r->title : ""; }
size_t sr_stats_note_count(const sr_stats *r) { return r->note_count; }
const char *sr_stats_note(const sr_stats *r, size_t i) { return r->notes[i]; }

const char *sr_stats_by_name(const sr_stats *r, int i)
{
    return i >= 0 && i < 2 && r->by[i][0] ? r->by[i] : NULL;
}

/* ---- disclosure control over the accumulated table ------------------------------------ */

typedef struct layout {
    size_t **denominator; /* per variable: per slot, the denominator's cell or -1 */
    size_t *group_cell;   /* per slot: group size cell */
    size_t **cells;       /* per variable: slot * columns */
    size_t *columns;      /* per variable */
    size_t **summary;     /* per variable: slot * 3 (improved, unchanged, worsened) */
} layout;

static int same_except(const slot *a, const slot *b, int dim, int dims)
{
    for (int d = 0; d < dims; d++)
        if (d != dim && strcmp(a->key[d], b->key[d]) != 0)
            return 0;
    return 1;
}

/* Relations along each dimension: the cells (col of each slot) that differ
 * only in that dimension sum to a figure a coarser query publishes. */
static int relate_dimensions(srp_sdc *sdc, const slots *s, const size_t *cell_of, size_t stride,
                             size_t col, int dims)
{
    size_t *members = malloc((s->count ? s->count : 1) * sizeof *members);
    unsigned char *done = malloc(s->count ? s->count : 1);
    if (!members || !done) {
        free(members);
        free(done);
        return -1;
    }
    for (int dim = 0; dim < dims; dim++) {
        memset(done, 0, s->count ? s->count : 1);
        for (size_t i = 0; i < s->count; i++) {
            if (done[i])
                continue;
            size_t n = 0;
            for (size_t k = i; k < s->count; k++)
                if (!done[k] && same_except(&s->items[i], &s->items[k], dim, dims)) {
                    done[k] = 1;
                    members[n++] = cell_of[k * stride + col];
                }
            if (srp_sdc_relation(sdc, members, n) != 0) {
                free(members);
                free(done);
                return -1;
            }
        }
    }
    free(members);
    free(done);
    return 0;
}

static int region_of(const variable *v, size_t from, size_t to)
{
    /* 0 improved, 1 unchanged, 2 worsened, -1 not comparable. Ordered
     * choices run from favourable to unfavourable; scales are better high. */
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

static int change_summarised(const variable *v)
{
    return v->type == SR_ITEM_SCALE || (v->type == SR_ITEM_CHOICE && v->ordered);
}

static size_t columns_of(const engine *e, const variable *v)
{
    if (e->q->change)
        return v->paired ? v->ncodes * v->ncodes : 0;
    return v->ncodes ? v->ncodes : 1;
}

static long cell_count(const engine *e, const variable *v, const accum *a, size_t col)
{
    if (e->q->change)
        return a->pairs[col / v->ncodes][col % v->ncodes];
    return v->ncodes ? a->counts[col] : a->answered;
}

static int protect(engine *e, slots *s, srp_sdc *sdc, layout *lay)
{
    int dims = e->dim_count;
    /* Stage 1: groups. A group smaller than min is withheld whole, and as
     * many others as it takes that its size cannot be recomputed. */
    srp_sdc *g = srp_sdc_new(e->q->min_cell);
    lay->group_cell = calloc(s->count ? s->count : 1, sizeof(size_t));
    if (!g || !lay->group_cell)
        return -1;
    for (size_t i = 0; i < s->count; i++)
        lay->group_cell[i] = srp_sdc_cell(g, s->items[i].people, 0, s->items[i].identity);
    if (dims && relate_dimensions(g, s, lay->group_cell, 1, 0, dims) != 0)
        return -1;
    srp_sdc_solve(g);
    /* Stage 2: every figure. */
    lay->cells = calloc(e->var_count ? e->var_count : 1, sizeof *lay->cells);
    lay->columns = calloc(e->var_count ? e->var_count : 1, sizeof *lay->columns);
    lay->summary = calloc(e->var_count ? e->var_count : 1, sizeof *lay->summary);
    lay->denominator = calloc(e->var_count ? e->var_count : 1, sizeof *lay->denominator);
    if (!lay->cells || !lay->columns || !lay->summary || !lay->denominator)
        return -1;
    for (size_t j = 0; j < e->var_count; j++) {
        variable *v = &e->vars[j];
        size_t cols = columns_of(e, v);
        lay->columns[j] = cols;
        if (!cols)
            continue;
        lay->cells[j] = calloc(s->count * cols + 1, sizeof(size_t));
        if (!lay->cells[j])
            return -1;
        for (size_t i = 0; i < s->count; i++) {
            int group_withheld = srp_sdc_state(g, lay->group_cell[i]) != SRP_SDC_PUBLISHED;
            unsigned long long base = hash_text(s->items[i].identity, v->id);
            for (size_t c = 0; c < cols; c++) {
                long count = cell_count(e, v, &s->items[i].acc[j], c);
                char column[32];
                snprintf(column, sizeof column, "#%zu", c);
                lay->cells[j][i * cols + c] =
                    srp_sdc_cell(sdc, count, group_withheld, hash_text(base, column));
            }
            /* Within a group the options add up to those who answered,
             * which any required item reveals. With 'missing' options there
             * is also the denominator (the rest), a figure of its own: then
             * non-missing options + denominator, and missing options +
             * denominator, are relations too (their difference would
             * otherwise give the missing count away). */
            if (!e->q->change && v->ncodes && v->type != SR_ITEM_MULTICHOICE) {
                size_t all[512], kept[513], missing[513], na = 0, nk = 0, nm = 0;
                for (size_t c = 0; c < v->ncodes && c < 512; c++) {
                    size_t cell = lay->cells[j][i * cols + c];
                    all[na++] = cell;
                    if (v->missing[c])
                        missing[nm++] = cell;
                    else
                        kept[nk++] = cell;
                }
                if (srp_sdc_relation(sdc, all, na) != 0)
                    return -1;
                if (nm > 0) {
                    if (!lay->denominator[j]) {
                        lay->denominator[j] = calloc(s->count + 1, sizeof(size_t));
                        if (!lay->denominator[j])
                            return -1;
                    }
                    size_t d = srp_sdc_cell(sdc, s->items[i].acc[j].denominator, group_withheld,
                                            hash_text(base, "#denominator"));
                    lay->denominator[j][i] = d;
                    kept[nk++] = d;
                    missing[nm++] = d;
                    if (srp_sdc_relation(sdc, kept, nk) != 0 ||
                        srp_sdc_relation(sdc, missing, nm) != 0)
                        return -1;
                }
            }
            /* A multichoice's options add up to nothing, but with 'missing'
             * options its denominator leaves out those who chose only
             * those: they and the denominator add up to those who answered. */
            if (!e->q->change && v->type == SR_ITEM_MULTICHOICE) {
                int has_missing = 0;
                for (size_t c = 0; c < v->ncodes; c++)
                    has_missing |= v->missing[c];
                if (has_missing) {
                    if (!lay->denominator[j]) {
                        lay->denominator[j] = calloc(s->count + 1, sizeof(size_t));
                        if (!lay->denominator[j])
                            return -1;
                    }
                    const accum *a = &s->items[i].acc[j];
                    size_t pair[2];
                    pair[0] = srp_sdc_cell(sdc, a->denominator, group_withheld,
                                           hash_text(base, "#denominator"));
                    pair[1] = srp_sdc_cell(sdc, a->answered - a->denominator, group_withheld,
                                           hash_text(base, "#missing_only"));
                    lay->denominator[j][i] = pair[0];
                    if (srp_sdc_relation(sdc, pair, 2) != 0)
                        return -1;
                }
            }
            if (e->q->change) {
                /* Rows and columns of the paired table. */
                for (size_t a = 0; a < v->ncodes; a++) {
                    size_t row[512], col[512];
                    for (size_t b = 0; b < v->ncodes && b < 512; b++) {
                        row[b] = lay->cells[j][i * cols + a * v->ncodes + b];
                        col[b] = lay->cells[j][i * cols + b * v->ncodes + a];
                    }
                    if (srp_sdc_relation(sdc, row, v->ncodes) != 0 ||
                        srp_sdc_relation(sdc, col, v->ncodes) != 0)
                        return -1;
                }
            }
        }
        if (dims) {
            for (size_t c = 0; c < cols; c++)
                if (relate_dimensions(sdc, s, lay->cells[j], cols, c, dims) != 0)
                    return -1;
            if (lay->denominator[j] && relate_dimensions(sdc, s, lay->denominator[j], 1, 0, dims) != 0)
                return -1;
        }
        if (e->q->change && change_summarised(v)) {
            lay->summary[j] = calloc(s->count * 3 + 1, sizeof(size_t));
            if (!lay->summary[j])
                return -1;
            for (size_t i = 0; i < s->count; i++) {
                long totals[3] = {0, 0, 0};
                accum *a = &s->items[i].acc[j];
                for (size_t x = 0; x < v->ncodes; x++)
                    for (size_t y = 0; y < v->ncodes; y++) {
                        int r = region_of(v, x, y);
                        if (r >= 0)
                            totals[r] += a->pairs[x][y];
                    }
                int group_withheld = srp_sdc_state(g, lay->group_cell[i]) != SRP_SDC_PUBLISHED;
                unsigned long long sbase = hash_text(s->items[i].identity, v->id);
                for (int r = 0; r < 3; r++)
                    lay->summary[j][i * 3 + r] =
                        srp_sdc_cell(sdc, totals[r], group_withheld,
                                     hash_text(sbase, r == 0 ? "#improved" : r == 1 ? "#same" : "#worse"));
                if (srp_sdc_relation(sdc, &lay->summary[j][i * 3], 3) != 0)
                    return -1;
                /* A summary is the sum of its region's paired cells: with it
                 * published, the region with it is one more relation. */
                for (int r = 0; r < 3; r++) {
                    size_t members[4096], n = 0;
                    for (size_t x = 0; x < v->ncodes; x++)
                        for (size_t y = 0; y < v->ncodes && n < 4095; y++)
                            if (region_of(v, x, y) == r)
                                members[n++] = lay->cells[j][i * cols + x * v->ncodes + y];
                    members[n++] = lay->summary[j][i * 3 + (size_t)r];
                    if (srp_sdc_relation(sdc, members, n) != 0)
                        return -1;
                }
            }
            for (int r = 0; r < 3; r++)
                if (dims && relate_dimensions(sdc, s, lay->summary[j], 3, (size_t)r, dims) != 0)
                    return -1;
        }
    }
    srp_sdc_solve(sdc);
    srp_sdc_free(g);
    return 0;
}

static void layout_release(const engine *e, layout *lay)
{
    for (size_t j = 0; lay->cells && j < e->var_count; j++) {
        free(lay->cells[j]);
        if (lay->summary)
            free(lay->summary[j]);
        if (lay->denominator)
            free(lay->denominator[j]);
    }
    free(lay->cells);
    free(lay->summary);
    free(lay->denominator);
    free(lay->columns);
    free(lay->group_cell);
}

/* ---- rows ---------------------------------------------------------------------------------- */

static int slot_order(const void *a, const void *b)
{
    const slot *x = a, *y = b;
    for (int d = 0; d < MAX_DIMS; d++) {
        int c = strcmp(x->key[d], y->key[d]);
        if (c)
            return c;
    }
    return 0;
}

static int reason_of(enum srp_sdc_reason state)
{
    return state == SRP_SDC_SMALL ? 1 : state == SRP_SDC_GROUP ? 2 : state == SRP_SDC_SECONDARY ? 3 : 0;
}

static sr_stats_row *row_for(engine *e, sr_stats *r, const variable *v, const slot *sl,
                             const char *value, const char *value_label)
{
    sr_stats_row *row = new_row(r);
    if (!row)
        return NULL;
    row->form = keep(r, e->q->form);
    row->item = keep(r, v->id);
    row->item_label = keep(r, v->label);
    for (int d = 0; d < e->dim_count; d++)
        if (e->dims[d].by_index >= 0)
            row->by[e->dims[d].by_index] = keep(r, sl->key[d]);
    row->value = keep(r, value);
    row->value_label = keep(r, value_label);
    return row;
}

static void set_count(sr_stats_row *row, long count, long denominator, int denominator_ok,
                      enum srp_sdc_reason state)
{
    row->suppressed = state != SRP_SDC_PUBLISHED;
    row->reason = reason_of(state);
    if (denominator_ok) {
        row->denominator = denominator;
        row->has_denominator = 1;
    }
    if (row->suppressed)
        return;
    row->count = count;
    row->has_count = 1;
    if (denominator_ok && denominator > 0) {
        row->percent = round(1000.0 * (double)count / (double)denominator) / 10.0;
        row->has_percent = 1;
    }
}

static int emit_numeric(engine *e, sr_stats *r, const variable *v, const slot *sl, const accum *a,
                        int withheld, int reason)
{
    static const char *const names[] = {"n", "mean", "median", "p25", "p75"};
    long n = a->values.total;
    for (int k = 0; k < 5; k++) {
        sr_stats_row *row = row_for(e, r, v, sl, names[k], NULL);
        if (!row)
            return -1;
        row->has_denominator = 0;
        if (withheld || (k > 0 && n < e->q->min_cell) || (k > 0 && n == 0)) {
            row->suppressed = k > 0 || withheld;
            row->reason = withheld ? reason : 4;
            if (k == 0 && !withheld) {
                row->count = n;
                row->has_count = 1;
                row->suppressed = 0;
            }
            continue;
        }
        if (k == 0) {
            row->count = n;
            row->has_count = 1;
            continue;
        }
        row->count = n;
        row->has_count = 1;
        double est = k == 1 ? hist_mean(&a->values)
                            : hist_quantile(&a->values, k == 2 ? 0.5 : k == 3 ? 0.25 : 0.75);
        row->estimate = round(est * 100) / 100;
        row->has_estimate = 1;
    }
    return 0;
}

static int emit(engine *e, slots *s, srp_sdc *sdc, layout *lay, sr_stats *r)
{
    for (size_t j = 0; j < e->var_count; j++) {
        variable *v = &e->vars[j];
        size_t cols = lay->columns[j];
        for (size_t i = 0; i < s->count; i++) {
            slot *sl = &s->items[i];
            if (!sl->selected)
                continue;
            accum *a = &sl->acc[j];
            int group_ok = 1;
            if (cols && lay->cells[j])
                group_ok = srp_sdc_state(sdc, lay->cells[j][i * cols]) != SRP_SDC_GROUP;
            if (e->q->change) {
                if (!v->paired)
                    continue;
                long pairs = 0;
                for (size_t x = 0; x < v->ncodes; x++)
                    for (size_t y = 0; y < v->ncodes; y++)
                        pairs += a->pairs[x][y];
                for (size_t x = 0; x < v->ncodes; x++)
                    for (size_t y = 0; y < v->ncodes; y++) {
                        char value[140];
                        snprintf(value, sizeof value, "%s>%s", v->codes[x], v->codes[y]);
                        sr_stats_row *row = row_for(e, r, v, sl, value, NULL);
                        if (!row)
                            return -1;
                        set_count(row, a->pairs[x][y], pairs, group_ok,
                                  srp_sdc_state(sdc, lay->cells[j][i * cols + x * v->ncodes + y]));
                    }
                if (lay->summary[j]) {
                    static const char *const names[] = {"improved", "unchanged", "worsened"};
                    long totals[3] = {0, 0, 0}, comparable = 0;
                    for (size_t x = 0; x < v->ncodes; x++)
                        for (size_t y = 0; y < v->ncodes; y++) {
                            int reg = region_of(v, x, y);
                            if (reg >= 0) {
                                totals[reg] += a->pairs[x][y];
                                comparable += a->pairs[x][y];
                            }
                        }
                    for (int k = 0; k < 3; k++) {
                        sr_stats_row *row = row_for(e, r, v, sl, names[k], NULL);
                        if (!row)
                            return -1;
                        set_count(row, totals[k], comparable, group_ok,
                                  srp_sdc_state(sdc, lay->summary[j][i * 3 + (size_t)k]));
                    }
                }
                continue;
            }
            if (v->ncodes) {
                int any_withheld = 0;
                int denominator_ok = group_ok && (!lay->denominator[j] ||
                                                  srp_sdc_state(sdc, lay->denominator[j][i]) ==
                                                      SRP_SDC_PUBLISHED);
                any_withheld |= !denominator_ok;
                for (size_t c = 0; c < v->ncodes; c++) {
                    enum srp_sdc_reason st = srp_sdc_state(sdc, lay->cells[j][i * cols + c]);
                    any_withheld |= st != SRP_SDC_PUBLISHED;
                    sr_stats_row *row = row_for(e, r, v, sl, v->codes[c], v->code_labels[c]);
                    if (!row)
                        return -1;
                    set_count(row, a->counts[c], a->denominator, denominator_ok, st);
                    if (v->missing[c]) /* counted and shown, outside the shares */
                        row->has_percent = 0;
                }
                if (v->type == SR_ITEM_SCALE) {
                    /* top2: the two highest steps; then n, mean, median,
                     * quartiles. Any withheld step withholds them all:
                     * each would add an equation to solve it with. */
                    sr_stats_row *row = row_for(e, r, v, sl, "top2", NULL);
                    if (!row)
                        return -1;
                    /* People, not answers: in a repeatable form one may
                     * have given both steps. Those who did are the two
                     * steps' sum less top2, a figure of its own. */
                    long top = a->top2;
                    long both = v->ncodes >= 2
                                    ? a->counts[v->ncodes - 1] + a->counts[v->ncodes - 2] - top
                                    : 0;
                    long min = e->q->min_cell;
                    set_count(row, top, a->denominator, denominator_ok,
                              any_withheld ? (group_ok ? SRP_SDC_SECONDARY : SRP_SDC_GROUP)
                              : top >= 1 && top < min   ? SRP_SDC_SMALL
                              : both >= 1 && both < min ? SRP_SDC_SECONDARY
                                                        : SRP_SDC_PUBLISHED);
                    if (emit_numeric(e, r, v, sl, a, any_withheld, group_ok ? 3 : 2) != 0)
                        return -1;
                }
                continue;
            }
            enum srp_sdc_reason st = srp_sdc_state(sdc, lay->cells[j][i * cols]);
            if (emit_numeric(e, r, v, sl, a, st != SRP_SDC_PUBLISHED, reason_of(st)) != 0)
                return -1;
        }
    }
    return 0;
}

/* ---- setting up ------------------------------------------------------------------------------ */

static sr_status load_versions(engine *e, const char *form_id, sr_form **forms, int *versions,
                               size_t *count, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(srp_registry_db(e->reg),
                                     "SELECT version FROM forms WHERE id = ?1 ORDER BY version",
                                     &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
    *count = 0;
    while (rc == SR_OK && sqlite3_step(st) == SQLITE_ROW && *count < MAX_VERSIONS) {
        int version = sqlite3_column_int(st, 0);
        rc = srp_form_load_quiet(e->reg, form_id, version, &forms[*count], NULL, err);
        if (rc == SR_OK)
            versions[(*count)++] = version;
    }
    sqlite3_finalize(st);
    return rc;
}

static dimension *add_dimension(engine *e, const char *name, int kind, int by_index)
{
    dimension *dim = &e->dims[e->dim_count++];
    memset(dim, 0, sizeof *dim);
    snprintf(dim->name, sizeof dim->name, "%s", name);
    dim->kind = kind;
    dim->by_index = by_index;
    return dim;
}

static sr_status setup_by(engine *e, int by_index, const char *name, sr_error *err)
{
    static const char *const builtins[] = {"unit", "age_band", "year", "quarter"};
    for (int d = 0; d < e->dim_count; d++)
        if (strcmp(e->dims[d].name, name) == 0)
            return srp_error_set(err, SR_ERR_USAGE, "--by names '%s' twice", name);
    for (int b = 0; b < 4; b++)
        if (strcmp(name, builtins[b]) == 0) {
            add_dimension(e, name, BY_UNIT + b, by_index);
            return SR_OK;
        }
    dimension *dim = add_dimension(e, name, BY_NONE, by_index);
    variable *bv = &dim->var;
    /* An item of this form, else one of the case's intake. */
    int found = 0;
    for (int pass = 0; pass < 2 && !found; pass++) {
        sr_form **forms = pass == 0 ? e->forms : e->intake_forms;
        size_t count = pass == 0 ? e->version_count : e->intake_count;
        if (pass == 0 && strcmp(e->q->form, "cases") == 0)
            continue;
        for (size_t k = 0; k < count; k++) {
            size_t idx = 0;
            const srp_item *it = srp_form_find_item(forms[k], name, &idx);
            bv->item_of[k] = -1;
            if (!it)
                continue;
            if (!(it->type == SR_ITEM_CHOICE || it->type == SR_ITEM_BOOLEAN ||
                  it->type == SR_ITEM_SCALE))
                return srp_error_set(err, SR_ERR_USAGE,
                                     "--by '%s': only choice, boolean and scale items group", name);
            bv->item_of[k] = (int)idx;
            bv->type = it->type;
            found = 1;
        }
        if (found) {
            dim->kind = pass == 0 ? BY_ITEM : BY_INTAKE_ITEM;
            if (pass == 1)
                e->need_intake = 1;
            if (map_options(bv, forms, count, bv->item_of, bv->option_map, e->lang) != 0)
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        }
    }
    if (!found)
        return srp_error_set(err, SR_ERR_USAGE,
                             "--by '%s': not an item of '%s' or of the intake, nor unit, "
                             "age_band, year or quarter",
                             name, e->q->form);
    return SR_OK;
}

/* Who may see which units: admins all; a coordinator (or an analyst with
 * units) only theirs, one unit at a time, so that figures are always those
 * of a whole unit, computed and protected as in the table of all units. */
static sr_status restrict_units(engine *e, sr_error *err)
{
    sqlite3 *db = srp_registry_db(e->reg);
    sqlite3_stmt *st = NULL;
    sr_status rc;
    if (e->q->unit) { /* a unit that does not exist is a typo, not an empty summary */
        rc = srp_store_prepare(db, "SELECT 1 FROM units WHERE code = ?1", &st, err);
        if (rc != SR_OK)
            return rc;
        sqlite3_bind_text(st, 1, e->q->unit, -1, SQLITE_STATIC);
        int src = sqlite3_step(st);
        sqlite3_finalize(st);
        st = NULL;
        if (src != SQLITE_ROW && src != SQLITE_DONE)
            return srp_store_fail(db, src, "read units", err);
        if (src == SQLITE_DONE)
            return srp_error_set_where(err, SR_ERR_NOT_FOUND, "unit", "no unit '%s'", e->q->unit);
    }
    if (sr_registry_role(e->reg) == SR_ROLE_ADMIN)
        return SR_OK;
    rc = srp_store_prepare(db, "SELECT unit FROM user_units WHERE user = ?1 ORDER BY unit", &st,
                           err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, sr_registry_user(e->reg), -1, SQLITE_STATIC);
    int count = 0, allowed = 0;
    char only[64] = "";
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *unit = (const char *)sqlite3_column_text(st, 0);
        if (count++ == 0)
            snprintf(only, sizeof only, "%s", unit);
        allowed |= e->q->unit && strcmp(unit, e->q->unit) == 0;
    }
    sqlite3_finalize(st);
    if (count == 0 && sr_registry_role(e->reg) == SR_ROLE_ANALYST)
        return SR_OK; /* an analyst without units sees every unit */
    if (e->q->unit && !allowed)
        return srp_error_set(err, SR_ERR_DENIED, "user '%s' does not work in unit '%s'",
                             sr_registry_user(e->reg), e->q->unit);
    if (!e->q->unit && count == 1)
        snprintf(e->unit_filter, sizeof e->unit_filter, "%s", only);
    else if (!e->q->unit)
        return srp_error_set(err, SR_ERR_USAGE,
                             "you work in several units: give --unit CODE for one of them");
    return SR_OK;
}

/* A filter is a dimension whose every value is computed; only the selected
 * one is published. */
static void setup_filters(engine *e)
{
    const char *unit = e->q->unit ? e->q->unit : e->unit_filter[0] ? e->unit_filter : NULL;
    if (unit) {
        int found = 0;
        for (int d = 0; d < e->dim_count; d++)
            if (e->dims[d].kind == BY_UNIT) {
                e->dims[d].selected = unit;
                found = 1;
            }
        if (!found)
            add_dimension(e, "unit", BY_UNIT, -1)->selected = unit;
    }
    if (e->q->status)
        add_dimension(e, "status", BY_STATUS, -1)->selected = e->q->status;
    if (e->from[0] || e->to[0])
        add_dimension(e, "period", BY_PERIOD, -1)->selected = "inside";
}

static sr_status widen_dates(engine *e, sr_stats *r, sr_error *err)
{
    int y, m, d;
    if (e->q->from) {
        if (srp_date_parse(e->q->from, &y, &m, &d) != 0)
            return srp_error_set(err, SR_ERR_USAGE, "--from needs a date YYYY-MM-DD");
        snprintf(e->from, sizeof e->from, "%04d-%02d-01", y, m);
    }
    if (e->q->to) {
        if (srp_date_parse(e->q->to, &y, &m, &d) != 0)
            return srp_error_set(err, SR_ERR_USAGE, "--to needs a date YYYY-MM-DD");
        static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int last = days[m - 1] + (m == 2 && srp_date_valid(y, 2, 29));
        snprintf(e->to, sizeof e->to, "%04d-%02d-%02d", y, m, last);
    }
    if (e->from[0] && e->to[0] && strcmp(e->from, e->to) > 0)
        return srp_error_set(err, SR_ERR_USAGE, "--from is after --to");
    memcpy(r->from, e->from, sizeof r->from);
    memcpy(r->to, e->to, sizeof r->to);
    if ((e->q->from && strcmp(e->q->from, e->from) != 0) || (e->q->to && strcmp(e->q->to, e->to) != 0)) {
        char note[300];
        snprintf(note, sizeof note,
                 strcmp(e->lang, "en") == 0
                     ? "the period was widened to whole months (%s to %s), so that a day more or "
                       "less cannot single anyone out"
                     : "perioden utvidgades till hela månader (%s till %s), så att en dag hit "
                       "eller dit inte kan peka ut någon",
                 e->from[0] ? e->from : "start", e->to[0] ? e->to : "end");
        if (add_note(r, note) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    return SR_OK;
}

static sr_status explain(const engine *e, sr_stats *r, sr_error *err)
{
    int sv = strcmp(e->lang, "en") != 0;
    int reasons[5] = {0};
    for (size_t i = 0; i < r->count; i++)
        reasons[r->rows[i].reason]++;
    int n = e->q->min_cell;
    char texts[5][400];
    snprintf(texts[1], sizeof texts[1],
             sv ? "antal från 1 till %d redovisas inte (minsta cell %d)"
                : "counts from 1 to %d are withheld (minimum cell %d)",
             n - 1, n);
    snprintf(texts[2], sizeof texts[2],
             sv ? "grupper med färre än %d personer redovisas inte alls"
                : "groups of fewer than %d people are withheld whole",
             n);
    snprintf(texts[3], sizeof texts[3], "%s",
             sv ? "fler uppgifter döljs så att ingen dold uppgift kan räknas fram ur summor, ur "
                  "resten av raden eller kolumnen eller ur samma fråga utan filter "
                  "(sekundär röjandekontroll)"
                : "further figures are withheld so that no withheld one can be recomputed from "
                  "totals, from the rest of its row or column, or from the same query without "
                  "its filter (secondary suppression)");
    snprintf(texts[4], sizeof texts[4],
             sv ? "mått över färre än %d personer redovisas inte"
                : "statistics over fewer than %d people are withheld",
             n);
    for (int k = 1; k < 5; k++)
        if (reasons[k] && add_note(r, texts[k]) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    char note[400];
    if (e->repeatable) {
        snprintf(note, sizeof note,
                 sv ? "'%s' registreras upprepat: varje person räknas en gång per svar under "
                      "perioden; heltal summeras per person, skalor medelvärdesbildas"
                    : "'%s' is repeatable: each person counts once per answer given in the "
                      "period; whole numbers are summed per person, scales averaged",
                 e->q->form);
        if (add_note(r, note) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    if (add_note(r, sv ? "fritext, datum och direkt identifierande frågor sammanställs aldrig"
                       : "free text, dates and identifying items are never summarised") != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    return SR_OK;
}

sr_status sr_stats_run(sr_registry *reg, const sr_stats_query *query, sr_stats **out,
                       sr_error *err)
{
    *out = NULL;
    sr_stats_query q = *query;
    engine e;
    memset(&e, 0, sizeof e);
    e.reg = reg;
    e.q = &q;
    e.lang = q.lang && strcmp(q.lang, "en") == 0 ? "en" : "sv";
    slots s = {NULL, 0, 0};
    srp_sdc *sdc = NULL;
    layout lay;
    memset(&lay, 0, sizeof lay);
    sr_stats *r = calloc(1, sizeof *r);
    if (!r)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    int configured = 5;
    sr_status rc = srp_settings_min_cell(reg, &configured, err);
    if (rc == SR_OK && q.min_cell && q.min_cell < SR_STATS_MIN_CELL_FLOOR)
        rc = srp_error_set(err, SR_ERR_USAGE, "--min-cell may not be below %d",
                           SR_STATS_MIN_CELL_FLOOR);
    if (rc == SR_OK && q.status && strcmp(q.status, "open") != 0 && strcmp(q.status, "closed") != 0)
        rc = srp_error_set(err, SR_ERR_USAGE, "--status takes open or closed");
    if (rc != SR_OK)
        goto out;
    q.min_cell = q.min_cell ? q.min_cell : configured;
    r->min_cell = q.min_cell;
    srp_time_now_iso(r->generated_at, sizeof r->generated_at);
    rc = widen_dates(&e, r, err);
    if (rc == SR_OK)
        rc = restrict_units(&e, err);
    snprintf(e.intake_id, sizeof e.intake_id, "sig-intake");
    if (rc == SR_OK)
        rc = load_versions(&e, "sig-intake", e.intake_forms, e.intake_versions, &e.intake_count,
                           err);
    int cases = strcmp(q.form, "cases") == 0;
    if (rc == SR_OK && !cases) {
        rc = load_versions(&e, q.form, e.forms, e.versions, &e.version_count, err);
        if (rc == SR_OK && e.version_count == 0)
            rc = srp_error_set(err, SR_ERR_NOT_FOUND, "no form '%s': see 'sigreg form list'",
                               q.form);
    }
    if (rc != SR_OK)
        goto out;
    /* The intake form is found by phase, whatever its id. */
    if (e.intake_count == 0) {
        sqlite3_stmt *st = NULL;
        rc = srp_store_prepare(srp_registry_db(reg),
                               "SELECT id FROM forms WHERE phase = 'intake' ORDER BY id LIMIT 1",
                               &st, err);
        if (rc == SR_OK && sqlite3_step(st) == SQLITE_ROW) {
            snprintf(e.intake_id, sizeof e.intake_id, "%s", (const char *)sqlite3_column_text(st, 0));
            sqlite3_finalize(st);
            st = NULL;
            rc = load_versions(&e, e.intake_id, e.intake_forms, e.intake_versions, &e.intake_count,
                               err);
        }
        sqlite3_finalize(st);
        if (rc != SR_OK)
            goto out;
    }
    if (cases) {
        r->title = strdup(strcmp(e.lang, "en") == 0 ? "Cases by status" : "Ärenden efter status");
        rc = add_variable(&e, "status", err);
        if (rc != SR_OK)
            goto out;
        variable *v = &e.vars[0];
        v->type = SR_ITEM_CHOICE;
        v->derived = DERIVED_STATUS;
        v->label = strcmp(e.lang, "en") == 0 ? "Status" : "Status";
        if (code_index(v, "open", strcmp(e.lang, "en") == 0 ? "open" : "öppet", 0, 1) < 0 ||
            code_index(v, "closed", strcmp(e.lang, "en") == 0 ? "closed" : "avslutat", 0, 1) < 0) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            goto out;
        }
        snprintf(r->versions, sizeof r->versions, "-");
    } else {
        sr_form *newest = e.forms[e.version_count - 1];
        e.repeatable = newest->repeatable;
        e.phase = newest->phase;
        r->title = strdup(sr_form_title(newest, e.lang));
        size_t used = 0;
        r->versions[0] = '\0';
        for (size_t k = 0; k < e.version_count; k++)
            used += (size_t)snprintf(r->versions + used, sizeof r->versions - used, "%s%d",
                                     k ? "," : "", e.versions[k]);
        rc = build_variables(&e, err);
        if (rc == SR_OK && q.change) {
            if (e.phase == SR_PHASE_INTAKE)
                rc = srp_error_set(err, SR_ERR_USAGE, "--change compares a later form with the "
                                                      "intake: give the closure or follow-up form");
            e.need_intake = 1;
            pair_with_intake(&e);
        }
    }
    if (rc != SR_OK)
        goto out;
    for (int d = 0; d < 2 && rc == SR_OK; d++)
        if (q.by[d]) {
            rc = setup_by(&e, d, q.by[d], err);
            snprintf(r->by[d], sizeof r->by[d], "%s", q.by[d]);
        }
    if (rc != SR_OK)
        goto out;
    setup_filters(&e);
    rc = cases ? scan_cases(&e, &s, err) : scan(&e, &s, err);
    if (rc != SR_OK)
        goto out;
    if (s.count)
        qsort(s.items, s.count, sizeof *s.items, slot_order);
    sdc = srp_sdc_new(q.min_cell);
    if (!sdc || protect(&e, &s, sdc, &lay) != 0 || emit(&e, &s, sdc, &lay, r) != 0) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = explain(&e, r, err);
    char detail[400];
    snprintf(detail, sizeof detail,
             "form=%s by=%s%s%s unit=%s status=%s from=%s to=%s min_cell=%d change=%d rows=%zu",
             q.form, q.by[0] ? q.by[0] : "-", q.by[1] ? "," : "", q.by[1] ? q.by[1] : "",
             q.unit ? q.unit : "*", q.status ? q.status : "*", e.from[0] ? e.from : "-",
             e.to[0] ? e.to : "-", q.min_cell, q.change, r->count);
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "stats", NULL, detail, NULL, NULL, err);
out:
    layout_release(&e, &lay);
    srp_sdc_free(sdc);
    slots_release(&e, &s);
    for (size_t j = 0; j < e.var_count; j++)
        variable_release(&e.vars[j]);
    free(e.vars);
    for (int d = 0; d < e.dim_count; d++)
        variable_release(&e.dims[d].var);
    for (size_t k = 0; k < e.version_count; k++)
        sr_form_free(e.forms[k]);
    for (size_t k = 0; k < e.intake_count; k++)
        sr_form_free(e.intake_forms[k]);
    if (rc != SR_OK) {
        sr_stats_free(r);
        return rc;
    }
    *out = r;
    return SR_OK;
}
