/*
 * stats_scan.c - the one pass over the coded answers: rows come in case
 * order, a person's responses together, and each person's contribution to
 * their group is gathered over their responses before it is added (counted
 * once per option ever given, integers summed, decimals and scales
 * averaged). Cases by status are one person per case.
 *
 * Each response is decoded once, item by item, by a plan made per form
 * version (item -> variable, kind, option map). A case's only response
 * (the common case of a form once per case) is counted into its group as
 * it is decoded; a case with several is gathered into people first. Both
 * ways give a variable's answers to the same `given` (give) and count it
 * with the same rules (count_given), so they cannot differ. Each item is
 * read as its type (walk_response), so that the reader and the counting
 * are made for that type; an only response's answers of one code per
 * person are tallied and counted at the end of the scan, as that many
 * people alike (tally).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "registry_int.h"
#include "sigreg/cases.h"
#include "stats_int.h"
#include "store.h"

/* What each variable is in a version (plan_step.kind, answer.kind). */
enum { KIND_CATEGORICAL = 1, KIND_NUMERIC = 2, KIND_MULTI = 4, KIND_PAIRED = 8 };
/* What a person's codes of a variable were: any code, one that is not
 * 'missing', one of a scale's two highest steps. */
enum { SEEN_ANY = 1, SEEN_COUNTED = 2, SEEN_TOP2 = 4 };
/* What the counting rules ask of a variable (plan.rule): its value is
 * numeric, summed over a person's responses (a repeatable form's integer),
 * rounded to a tenth (a repeatable form's scale); it is a multichoice; it
 * has no codes. */
enum { RULE_NUMERIC = 1, RULE_SUM = 2, RULE_ROUND = 4, RULE_MULTI = 8, RULE_NO_CODES = 16 };

/* What one person gave one variable, gathered over their responses. */
typedef struct given {
    unsigned char flags; /* SEEN_* */
    double sum;
    long n;
    int latest;      /* change: the latest code given (-1 none) */
    int intake_code; /* change: the intake's code (-1 none) */
} given;

static const given GIVEN_NONE = {0, 0, 0, -1, -1};

/* One answer of a response as its variable sees it: a code (-1 none) and a
 * number. A multichoice answer is one per option chosen, or one with code
 * -1 when none was. */
typedef struct answer {
    size_t var;
    int code;
    unsigned char kind;
    unsigned char flags; /* SEEN_* of code */
    double number;
} answer;

/* The active intake responses of one case, each decoded once for all of the
 * case's responses (the blob is kept: a multichoice value points into it). */
typedef struct intake_row {
    int islot;
    int have; /* decoded */
    char date[SR_DATE_MAX + 1];
    unsigned char *blob;
    size_t len, cap;
    srp_coded_value *vals;
} intake_row;

/* How the responses of each version are read: per item, the variable it
 * is (-1 none), its kind and option map, and whether a dimension groups by
 * it; then the derived variables, given by every response. */
typedef struct plan_step {
    const srp_item *it;
    long var;
    unsigned char type; /* it->type */
    unsigned char kind;
    const int *map;
    const unsigned char *flags; /* the variable's code_flags, per code */
    int keep;                   /* a dimension's: its value is kept for srp_stats_dim_values */
    long tally;                 /* a case's only response's answer is tallied (tally): at */
    long tally_values;          /* a scale's: how many values it has (plan.tally_values) */
    double tally_least;         /* a scale's least value */
} plan_step;

typedef struct plan {
    plan_step *steps[SRP_STATS_MAX_VERSIONS];
    size_t items[SRP_STATS_MAX_VERSIONS];
    int keeps[SRP_STATS_MAX_VERSIONS]; /* a dimension groups by an item of the version */
    size_t *derived;
    size_t derived_count;
    unsigned char *rule;   /* per variable: RULE_* */
    unsigned char **flags; /* per variable, per code: SEEN_* */
    size_t var_count;
    long *tally_at;      /* per variable: where its tallies start in a group's (-1 none) */
    long *tally_values;  /* per variable: its values, a scale's (1 for any other) */
    double *tally_least; /* per variable: a scale's least value */
    size_t tally_width;  /* the tallies of a group */
} plan;

static void plan_release(plan *pl)
{
    for (size_t k = 0; k < SRP_STATS_MAX_VERSIONS; k++)
        free(pl->steps[k]);
    for (size_t j = 0; pl->flags && j < pl->var_count; j++)
        free(pl->flags[j]);
    free(pl->flags);
    free(pl->rule);
    free(pl->derived);
    free(pl->tally_at);
    free(pl->tally_values);
    free(pl->tally_least);
}

/* The SEEN_* flags that code c of v gives. */
static unsigned char code_flags(const srp_variable *v, size_t c)
{
    return (unsigned char)(SEEN_ANY | (v->missing[c] ? 0 : SEEN_COUNTED) |
                           (v->type == SR_ITEM_SCALE && v->ncodes >= 2 && c + 2 >= v->ncodes
                                ? SEEN_TOP2
                                : 0));
}

/* The RULE_* bits of v in a form (repeatable or not). */
static unsigned char variable_rule(const srp_variable *v, int repeatable)
{
    int numeric = srp_stats_numeric(v->type);
    return (unsigned char)((numeric ? RULE_NUMERIC : 0) |
                           (numeric && v->type == SR_ITEM_INTEGER && repeatable && !v->derived
                                ? RULE_SUM
                                : 0) |
                           (v->type == SR_ITEM_SCALE && repeatable ? RULE_ROUND : 0) |
                           (v->type == SR_ITEM_MULTICHOICE ? RULE_MULTI : 0) |
                           (v->ncodes ? 0 : RULE_NO_CODES));
}

/* The KIND_* bits of an item of type t (paired: its variable is paired
 * with the intake's). */
static inline __attribute__((always_inline)) unsigned char kind_of(sr_item_type t, int paired)
{
    return (unsigned char)((srp_stats_categorical(t) ? KIND_CATEGORICAL : 0) |
                           (srp_stats_numeric(t) ? KIND_NUMERIC : 0) |
                           (t == SR_ITEM_MULTICHOICE ? KIND_MULTI : 0) |
                           (paired ? KIND_PAIRED : 0));
}

/* How many values scale variable v has over its versions (whole steps
 * from *least on), 0 when it is not a scale of at most 100 steps with both
 * bounds in each. */
static long scale_values(const srp_stats_engine *e, const srp_variable *v, double *least)
{
    double lo = 0, hi = -1;
    for (size_t vs = 0; v->type == SR_ITEM_SCALE && vs < e->version_count; vs++) {
        int idx = v->item_of[vs];
        const srp_item *it = idx >= 0 ? &e->forms[vs]->items[idx] : NULL;
        if (!it)
            continue;
        if (it->type != SR_ITEM_SCALE || !it->has_min || !it->has_max || it->min != floor(it->min))
            return 0;
        lo = hi < lo || it->min < lo ? it->min : lo;
        hi = it->max > hi ? it->max : hi;
    }
    if (hi < lo || hi - lo >= 100)
        return 0;
    *least = lo;
    return (long)(hi - lo) + 1;
}

/* The plan of e's form versions; -1 when out of memory. */
static int plan_build(const srp_stats_engine *e, plan *pl)
{
    memset(pl, 0, sizeof *pl);
    pl->derived = calloc(e->var_count + 1, sizeof *pl->derived);
    pl->rule = calloc(e->var_count + 1, 1);
    pl->flags = calloc(e->var_count + 1, sizeof *pl->flags);
    pl->tally_at = calloc(e->var_count + 1, sizeof *pl->tally_at);
    pl->tally_values = calloc(e->var_count + 1, sizeof *pl->tally_values);
    pl->tally_least = calloc(e->var_count + 1, sizeof *pl->tally_least);
    if (!pl->derived || !pl->rule || !pl->flags || !pl->tally_at || !pl->tally_values ||
        !pl->tally_least)
        return -1;
    pl->var_count = e->var_count;
    for (size_t j = 0; j < e->var_count; j++) {
        const srp_variable *v = &e->vars[j];
        if (v->derived)
            pl->derived[pl->derived_count++] = j;
        pl->rule[j] = variable_rule(v, e->repeatable);
        if (!(pl->flags[j] = malloc(v->ncodes + 1)))
            return -1;
        for (size_t c = 0; c < v->ncodes; c++)
            pl->flags[j][c] = code_flags(v, c);
        /* Tallied (tally): one code per person (and a scale's value) and
         * nothing else counted. */
        unsigned rule = pl->rule[j];
        long values = rule & RULE_NUMERIC ? scale_values(e, v, &pl->tally_least[j]) : 1;
        pl->tally_at[j] = -1;
        if (v->derived == SRP_DERIVED_PER_CASE) /* 1 for an only response */
            values = 1;
        if ((!v->derived || v->derived == SRP_DERIVED_PER_CASE) && !v->paired &&
            !(rule & (RULE_MULTI | RULE_SUM)) && values > 0) {
            pl->tally_at[j] = (long)pl->tally_width;
            pl->tally_values[j] = values;
            pl->tally_width += (v->ncodes + 1) * (size_t)values; /* code -1 first */
        }
    }
    for (size_t vs = 0; vs < e->version_count; vs++) {
        const sr_form *form = e->forms[vs];
        plan_step *steps = calloc(form->item_count + 1, sizeof *steps);
        if (!(pl->steps[vs] = steps))
            return -1;
        pl->items[vs] = form->item_count;
        for (size_t i = 0; i < form->item_count; i++) {
            steps[i].it = &form->items[i];
            steps[i].type = (unsigned char)form->items[i].type;
            steps[i].var = -1;
            steps[i].tally = -1;
        }
        for (size_t j = 0; j < e->var_count; j++) {
            const srp_variable *v = &e->vars[j];
            int idx = v->item_of[vs];
            if (v->derived || idx < 0)
                continue;
            plan_step *st = &steps[idx];
            sr_item_type t = st->it->type;
            st->var = (long)j;
            st->map = v->option_map[vs];
            st->flags = pl->flags[j];
            st->kind = kind_of(t, v->paired);
            int scale = pl->rule[j] & RULE_NUMERIC;
            st->tally = st->kind == (scale ? KIND_CATEGORICAL | KIND_NUMERIC : KIND_CATEGORICAL) &&
                                (!scale || t == SR_ITEM_SCALE)
                            ? pl->tally_at[j]
                            : -1;
            st->tally_values = pl->tally_values[j];
            st->tally_least = pl->tally_least[j];
        }
        for (int d = 0; d < e->dim_count; d++)
            if (e->dims[d].kind == SRP_BY_ITEM && e->dims[d].var.item_of[vs] >= 0)
                steps[e->dims[d].var.item_of[vs]].keep = pl->keeps[vs] = 1;
    }
    return 0;
}

/* How many answers value v of step st, read as type (a constant where
 * inlined: st->type), gives (a multichoice value one per option chosen, or
 * one with code -1 when none was), and the m-th. */
static inline __attribute__((always_inline)) size_t answer_count(sr_item_type type,
                                                                 const srp_coded_value *v)
{
    return type == SR_ITEM_MULTICHOICE && v->multi_count ? v->multi_count : 1;
}

static inline __attribute__((always_inline)) answer
answer_of(const plan_step *st, sr_item_type type, const srp_coded_value *v, size_t m)
{
    /* st->kind, with the bits of type known where type is */
    answer a = {(size_t)st->var, -1, kind_of(type, st->kind & KIND_PAIRED), 0, 0};
    if (type == SR_ITEM_MULTICHOICE) {
        if (v->multi_count)
            a.code = st->map[srp_coded_multi_at(v, m)];
    } else {
        a.code = srp_stats_categorical(type) ? srp_stats_code_as(st->it, type, v, st->map) : -1;
        a.number = v->number;
    }
    a.flags = a.code >= 0 ? st->flags[a.code] : 0;
    return a;
}

/* Whether the m-th answer of v repeats an earlier one's code (an option
 * listed twice: a person chose it once). */
static inline __attribute__((always_inline)) int
answer_again(const plan_step *st, sr_item_type type, const srp_coded_value *v, size_t m)
{
    int again = 0;
    for (size_t b = 0; type == SR_ITEM_MULTICHOICE && b < m; b++)
        again |= st->map[srp_coded_multi_at(v, b)] == st->map[srp_coded_multi_at(v, m)];
    return again;
}

/* ---- what a person gave (one definition, for both ways of counting) ---- */

/* Adds answer a (with intake row in; latest: of the latest response by date
 * so far) to what its variable was given. */
static inline __attribute__((always_inline)) void
give(const srp_stats_engine *e, given *g, const answer *a, const intake_row *in, int latest)
{
    g->flags |= a->flags;
    if (a->kind & KIND_MULTI) {
        g->n = g->n ? g->n : 1;
        return;
    }
    if (a->code >= 0 && latest)
        g->latest = a->code;
    if (a->kind & KIND_NUMERIC)
        g->sum += a->number;
    g->n++;
    if ((a->kind & KIND_PAIRED) && in && in->have) {
        const srp_variable *v = &e->vars[a->var];
        int ii = v->intake_item[in->islot];
        if (ii >= 0)
            g->intake_code = srp_stats_code_of(&e->intake_forms[in->islot]->items[ii],
                                               &in->vals[ii], v->intake_map[in->islot]);
    }
}

/* Adds what derived variable v is for a response of date with intake row
 * in; 0 when the response gives it nothing. */
static int give_derived(given *g, const srp_variable *v, const char *date, const intake_row *in)
{
    if (v->derived == SRP_DERIVED_PER_CASE) {
        g->sum += 1;
        g->n = 1;
        return 1;
    }
    if (v->derived == SRP_DERIVED_DAYS_TO_CLOSURE && in && in->islot >= 0) {
        g->sum = (double)(srp_days_from_date(date) - srp_days_from_date(in->date));
        g->n = 1;
        return 1;
    }
    return 0;
}

/* ---- counting a person in their group (and its cell keys, the same
 * figures: stats_cellkey.c) ---- */

static inline void count_person(const srp_stats_engine *e, srp_slot *sl)
{
    sl->people++;
    if (e->ck)
        sl->kpeople += e->case_key;
}

/* Counts code c of variable j for people people alike, whose record keys
 * sum to keys (mod 2^32). */
static inline __attribute__((always_inline)) void count_code_as(const srp_stats_engine *e,
                                                                srp_slot *sl, size_t j, size_t c,
                                                                long people, uint32_t keys)
{
    sl->acc[j].counts[c] += people;
    if (e->ck)
        sl->acc[j].kcounts[c] += keys;
}

static inline __attribute__((always_inline)) void count_code(const srp_stats_engine *e,
                                                             srp_slot *sl, size_t j, size_t c)
{
    count_code_as(e, sl, j, c, 1, e->case_key);
}

/* Counts what people people alike gave variable j (their codes apart:
 * count_code_as), whose record keys sum to keys (mod 2^32): answered, the
 * shares' denominator, top2, the value, the change pair. -1 when out of
 * memory. */
static inline __attribute__((always_inline)) int count_given_as(const srp_stats_engine *e,
                                                                const plan *pl, srp_slot *sl,
                                                                size_t j, const given *g,
                                                                long people, uint32_t keys)
{
    unsigned rule = pl->rule[j];
    srp_accum *a = &sl->acc[j];
    if (g->n == 0)
        return 0;
    /* Only 'missing' options chosen: counted, outside the shares (an empty
     * multichoice answer, none of the options, is inside). */
    int denominator = (rule & RULE_NO_CODES) || (g->flags & SEEN_COUNTED) ||
                      ((rule & RULE_MULTI) && !(g->flags & SEEN_ANY));
    int top2 = (g->flags & SEEN_TOP2) != 0; /* once, though a repeatable form may have given both */
    int pair = a->pairs && g->latest >= 0 && g->intake_code >= 0;
    a->answered += people;
    a->denominator += denominator ? people : 0;
    a->top2 += top2 ? people : 0;
    if (pair)
        a->pairs[g->intake_code][g->latest] += people;
    if (e->ck) {
        a->kanswered += keys;
        a->kdenominator += denominator ? keys : 0;
        a->ktop2 += top2 ? keys : 0;
        if (pair && a->kpairs)
            a->kpairs[g->intake_code][g->latest] += keys;
    }
    if (rule & RULE_NUMERIC) {
        double value = rule & RULE_SUM ? g->sum : g->sum / (double)g->n;
        if (rule & RULE_ROUND)
            value = round(value * 10) / 10;
        if (srp_hist_add_n(&a->values, value, people) != 0)
            return -1;
    }
    return 0;
}

/* Counts what a person gave variable j (count_given_as). */
static inline __attribute__((always_inline)) int
count_given(const srp_stats_engine *e, const plan *pl, srp_slot *sl, size_t j, const given *g)
{
    return count_given_as(e, pl, sl, j, g, 1, e->case_key);
}

/* ---- people gathered over several responses ---- */

/* One person's contribution to one group, gathered over their responses. */
typedef struct person {
    long slot;
    unsigned char **seen;              /* per variable, per code */
    given *given;                      /* per variable */
    char latest_date[SR_DATE_MAX + 1]; /* the date of the response latest seen */
    size_t *touched; /* the variables given an answer (n > 0), in the order first given */
    size_t touched_count;
    struct seen_code {
        size_t var, code;
    } * seen_list; /* every (variable, code) seen, once each */
    size_t seen_count;
} person;

typedef struct people {
    person *items;
    size_t count, cap;
} people;

static person *person_for(srp_stats_engine *e, people *p, long slot_id, sr_error *err)
{
    for (size_t i = 0; i < p->count; i++)
        if (p->items[i].slot == slot_id)
            return &p->items[i];
    if (p->count == p->cap) {
        size_t cap = p->cap;
        if (srp_grow((void **)&p->items, &cap, p->count + 1, sizeof *p->items) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), NULL;
        memset(p->items + p->cap, 0, (cap - p->cap) * sizeof *p->items);
        p->cap = cap;
    }
    person *x = &p->items[p->count];
    size_t nv = e->var_count ? e->var_count : 1;
    if (!x->seen) { /* allocated once, reused */
        x->seen = calloc(nv, sizeof *x->seen);
        x->given = malloc(nv * sizeof *x->given);
        x->touched = calloc(nv, sizeof *x->touched);
        size_t codes = 1;
        for (size_t j = 0; j < e->var_count; j++)
            codes += e->vars[j].ncodes;
        x->seen_list = calloc(codes, sizeof *x->seen_list);
        if (!x->seen || !x->given || !x->touched || !x->seen_list)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), NULL;
        for (size_t j = 0; j < nv; j++)
            x->given[j] = GIVEN_NONE;
        for (size_t j = 0; j < e->var_count; j++)
            if (e->vars[j].ncodes && !(x->seen[j] = calloc(e->vars[j].ncodes, 1)))
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), NULL;
    }
    /* Only what the person before touched is cleared. */
    x->slot = slot_id;
    for (size_t k = 0; k < x->seen_count; k++)
        x->seen[x->seen_list[k].var][x->seen_list[k].code] = 0;
    x->seen_count = 0;
    for (size_t t = 0; t < x->touched_count; t++)
        x->given[x->touched[t]] = GIVEN_NONE;
    x->touched_count = 0;
    x->latest_date[0] = '\0';
    p->count++;
    return x;
}

static void people_release(srp_stats_engine *e, people *p)
{
    for (size_t i = 0; i < p->cap; i++) {
        person *x = &p->items[i];
        for (size_t j = 0; x->seen && j < e->var_count; j++)
            free(x->seen[j]);
        free(x->seen);
        free(x->given);
        free(x->touched);
        free(x->seen_list);
    }
    free(p->items);
}

/* Notes that variable j of x is answered (before its n becomes positive). */
static inline void touch(person *x, size_t j)
{
    if (x->given[j].n == 0)
        x->touched[x->touched_count++] = j;
}

/* Notes that x gave code c of variable j. */
static inline void mark(person *x, size_t j, size_t c)
{
    if (x->seen[j][c])
        return;
    x->seen[j][c] = 1;
    x->seen_list[x->seen_count].var = j;
    x->seen_list[x->seen_count++].code = c;
}

/* Adds everyone gathered to their groups. */
static int flush_people(srp_stats_engine *e, const plan *pl, srp_slots *s, people *p)
{
    for (size_t i = 0; i < p->count; i++) {
        person *x = &p->items[i];
        srp_slot *sl = &s->items[x->slot];
        count_person(e, sl);
        for (size_t k = 0; k < x->seen_count; k++)
            count_code(e, sl, x->seen_list[k].var, x->seen_list[k].code);
        for (size_t t = 0; t < x->touched_count; t++)
            if (count_given(e, pl, sl, x->touched[t], &x->given[x->touched[t]]) != 0)
                return -1;
    }
    p->count = 0;
    return 0;
}

/* ---- answers tallied ---- */

/* A case's only response's answer to a variable of one code per person
 * (a choice, a truth value or a scale of at most 100 steps, not paired
 * with the intake, not summed) counts its code, a scale's value, and what
 * count_given counts of them, and nothing else (and so does its
 * registration, of a repeatable form's registrations per case): such
 * answers are tallied by group, variable, code and value as they are
 * decoded, and each tally is counted once, at the end of the scan, as that
 * many people alike (count_code_as, count_given_as: the same figures, a
 * scale's values added to its histogram that many times). */
typedef struct tally {
    long *n;        /* per group: from plan.tally_at, by code (-1 first), then value */
    uint32_t *keys; /* the same, their record keys summed (the cell-key method) */
    size_t slots;   /* groups allocated */
} tally;

/* One group's tallies. */
typedef struct tally_row {
    long *n;
    uint32_t *keys;
} tally_row;

static void tally_release(tally *t)
{
    free(t->n);
    free(t->keys);
}

/* One person (the case being counted) more in tally at of a group. */
static inline __attribute__((always_inline)) void tally_add(const srp_stats_engine *e, tally_row tr,
                                                            size_t at)
{
    tr.n[at]++;
    if (e->ck)
        tr.keys[at] += e->case_key;
}

/* Makes room for group slot; -1 when out of memory. */
static int tally_grow(const srp_stats_engine *e, const plan *pl, tally *t, size_t slot)
{
    if (slot < t->slots || !pl->tally_width)
        return 0;
    size_t slots = t->slots * 2 > slot + 1 ? t->slots * 2 : slot + 16, w = pl->tally_width;
    long *n = realloc(t->n, slots * w * sizeof *n);
    if (!n)
        return -1;
    t->n = n;
    memset(n + t->slots * w, 0, (slots - t->slots) * w * sizeof *n);
    if (e->ck) {
        uint32_t *k = realloc(t->keys, slots * w * sizeof *k);
        if (!k)
            return -1;
        t->keys = k;
        memset(k + t->slots * w, 0, (slots - t->slots) * w * sizeof *k);
    }
    t->slots = slots;
    return 0;
}

/* Counts every tally in its group; -1 when out of memory. */
static int tally_count(const srp_stats_engine *e, const plan *pl, srp_slots *s, const tally *t)
{
    for (size_t slot = 0; slot < t->slots && slot < s->count; slot++) {
        const long *n = t->n + slot * pl->tally_width;
        const uint32_t *keys = t->keys ? t->keys + slot * pl->tally_width : NULL;
        srp_slot *sl = &s->items[slot];
        for (size_t j = 0; j < pl->var_count; j++) {
            if (pl->tally_at[j] < 0)
                continue;
            int scale = pl->rule[j] & RULE_NUMERIC;
            size_t at = (size_t)pl->tally_at[j];
            /* by code (-1 first), then by a scale's value */
            for (long c = -1; c < (long)e->vars[j].ncodes; c++)
                for (long k = 0; k < pl->tally_values[j]; k++, at++) {
                    if (!n[at])
                        continue;
                    answer a = {
                        j, (int)c, scale ? KIND_CATEGORICAL | KIND_NUMERIC : KIND_CATEGORICAL,
                        c >= 0 ? pl->flags[j][c] : 0, scale ? pl->tally_least[j] + (double)k : 0};
                    given g = GIVEN_NONE;
                    int given_any = 1;
                    if (e->vars[j].derived) /* registrations per case: 1 */
                        given_any = give_derived(&g, &e->vars[j], "", NULL);
                    else
                        give(e, &g, &a, NULL, 1);
                    if (!given_any)
                        continue;
                    uint32_t key = keys ? keys[at] : 0;
                    if (c >= 0)
                        count_code_as(e, sl, j, (size_t)c, n[at], key);
                    if (count_given_as(e, pl, sl, j, &g, n[at], key) != 0)
                        return -1;
                }
        }
    }
    return 0;
}

/* ---- the walk of a response's plan (one, for counting and gathering) ---- */

/* Reads the value of step st of a response, read as type (a constant where
 * inlined: st->type), from byte *pos on, and when answered counts it in sl
 * (x NULL: a case's only response) or gathers it into x (latest: of the
 * latest response by date so far), with intake row in. 0, -1 when the
 * blob is damaged (the checks of srp_coded_decode), -2 when out of
 * memory. */
static inline __attribute__((always_inline)) int
walk_step(const srp_stats_engine *e, const plan *pl, const plan_step *st, sr_item_type type,
          const unsigned char *blob, size_t len, size_t *pos, srp_slot *sl, tally_row tr, person *x,
          const intake_row *in, int latest)
{
    srp_coded_value v;
    if (srp_coded_read_as(st->it, type, blob, len, pos, &v) != 0)
        return -1;
    if (st->var < 0 || !v.present)
        return 0;
    if (!x && (type == SR_ITEM_CHOICE || type == SR_ITEM_BOOLEAN || type == SR_ITEM_SCALE) &&
        st->tally >= 0) {
        answer a = answer_of(st, type, &v, 0);
        /* a scale's values apart: any other has one */
        long k = type == SR_ITEM_SCALE ? (long)(a.number - st->tally_least) : 0;
        long values = type == SR_ITEM_SCALE ? st->tally_values : 1;
        tally_add(e, tr, (size_t)(st->tally + (a.code + 1) * values + k));
        return 0;
    }
    size_t j = (size_t)st->var;
    given one = GIVEN_NONE, *g = x ? &x->given[j] : &one;
    if (x)
        touch(x, j);
    for (size_t m = 0, n = answer_count(type, &v); m < n; m++) {
        answer a = answer_of(st, type, &v, m);
        if (a.code >= 0 && x)
            mark(x, j, (size_t)a.code);
        else if (a.code >= 0 && !answer_again(st, type, &v, m))
            count_code(e, sl, j, (size_t)a.code);
        give(e, g, &a, in, latest);
    }
    return x || count_given(e, pl, sl, j, g) == 0 ? 0 : -2;
}

/* Walks the items of a response of version vs in blob (walk_step), each
 * read as its type. */
static inline __attribute__((always_inline)) int
walk_response(const srp_stats_engine *e, const plan *pl, int vs, const unsigned char *blob,
              size_t len, srp_slot *sl, tally_row tr, person *x, const intake_row *in, int latest)
{
    size_t pos = 0;
    const plan_step *steps = pl->steps[vs];
    for (size_t i = 0, n = pl->items[vs]; i < n; i++) {
        const plan_step *st = &steps[i];
        int r;
/* each type a case of its own: walk_step made for that type */
#define WALK_AS(type)                                                                              \
    case type:                                                                                     \
        r = walk_step(e, pl, st, type, blob, len, &pos, sl, tr, x, in, latest);                    \
        break;
        switch (st->type) {
            WALK_AS(SR_ITEM_CHOICE)
            WALK_AS(SR_ITEM_MULTICHOICE)
            WALK_AS(SR_ITEM_BOOLEAN)
            WALK_AS(SR_ITEM_SCALE)
            WALK_AS(SR_ITEM_INTEGER)
            WALK_AS(SR_ITEM_SECTION)
            WALK_AS(SR_ITEM_TEXT)
        default:
            r = walk_step(e, pl, st, (sr_item_type)st->type, blob, len, &pos, sl, tr, x, in,
                          latest);
            break;
        }
#undef WALK_AS
        if (r != 0)
            return r;
    }
    return 0;
}

/* Counts a person who gave one response (of version vs, date, intake row
 * in) as it is decoded: what gathering it alone and adding the person
 * would count, without the gathering. -1 when the blob is damaged (the
 * checks of srp_coded_decode), -2 when out of memory. */
static int count_response(const srp_stats_engine *e, srp_slot *sl, tally_row tr, const plan *pl,
                          int vs, const unsigned char *blob, size_t len, const char *date,
                          const intake_row *in)
{
    count_person(e, sl);
    for (size_t d = 0; d < pl->derived_count; d++) {
        given g = GIVEN_NONE;
        size_t j = pl->derived[d];
        if (pl->tally_at[j] >= 0) /* a registration: tallied */
            tally_add(e, tr, (size_t)pl->tally_at[j]);
        else if (give_derived(&g, &e->vars[j], date, in) && count_given(e, pl, sl, j, &g) != 0)
            return -2;
    }
    return walk_response(e, pl, vs, blob, len, sl, tr, NULL, in, 1);
}

/* One response (of version vs, date: a buffer of SR_DATE_MAX + 1, intake
 * row in) added to the person gathered as it is decoded; -1 when the blob
 * is damaged (the checks of srp_coded_decode). */
static int gather_response(srp_stats_engine *e, const plan *pl, person *x, int vs,
                           const unsigned char *blob, size_t len, const char *date,
                           const intake_row *in)
{
    /* Rows come by response, not date: the change tables want the latest
     * answer by date. */
    int latest = strcmp(date, x->latest_date) >= 0;
    if (latest)
        memcpy(x->latest_date, date, sizeof x->latest_date);
    for (size_t d = 0; d < pl->derived_count; d++) {
        size_t j = pl->derived[d];
        long before = x->given[j].n;
        if (give_derived(&x->given[j], &e->vars[j], date, in) && before == 0)
            x->touched[x->touched_count++] = j;
    }
    tally_row none = {NULL, NULL};
    return walk_response(e, pl, vs, blob, len, NULL, none, x, in, latest);
}

static int version_slot(const int *versions, size_t count, int version)
{
    for (size_t k = 0; k < count; k++)
        if (versions[k] == version)
            return (int)k;
    return -1;
}

static size_t most_items(const sr_form *const *forms, size_t count)
{
    size_t most = 1;
    for (size_t k = 0; k < count; k++)
        if (forms[k]->item_count > most)
            most = forms[k]->item_count;
    return most;
}

typedef struct intake_rows {
    intake_row *items;
    size_t count, cap;
    size_t nvals;
    int answers; /* the intake's answers are wanted (not only its version and date) */
} intake_rows;

static void intake_rows_release(intake_rows *r)
{
    for (size_t i = 0; i < r->cap; i++) {
        free(r->items[i].blob);
        free(r->items[i].vals);
    }
    free(r->items);
}

/* Appends the intake row st stands on; -1 when out of memory. */
static int intake_rows_add(srp_stats_engine *e, intake_rows *r, sqlite3_stmt *st)
{
    if (r->count == r->cap) {
        size_t cap = r->cap;
        if (srp_grow((void **)&r->items, &cap, r->count + 1, sizeof *r->items) != 0)
            return -1;
        memset(r->items + r->cap, 0, (cap - r->cap) * sizeof *r->items);
        r->cap = cap;
    }
    intake_row *ir = &r->items[r->count];
    if (!ir->vals && !(ir->vals = calloc(r->nvals, sizeof *ir->vals)))
        return -1;
    size_t len = (size_t)sqlite3_column_bytes(st, 2);
    if (len + 1 > ir->cap) {
        unsigned char *b = realloc(ir->blob, len + 1);
        if (!b)
            return -1;
        ir->blob = b;
        ir->cap = len + 1;
    }
    if (len)
        memcpy(ir->blob, sqlite3_column_blob(st, 2), len);
    ir->len = len;
    ir->islot = version_slot(e->intake_versions, e->intake_count, sqlite3_column_int(st, 1));
    const char *date = (const char *)sqlite3_column_text(st, 3);
    snprintf(ir->date, sizeof ir->date, "%s", date ? date : "");
    /* Without a change table or an intake item to group by, nothing reads
     * the intake's answers: they are neither read nor decoded. */
    ir->have = r->answers && ir->islot >= 0 &&
               srp_coded_decode(e->intake_forms[ir->islot], ir->blob, len, ir->vals) == 0;
    r->count++;
    return 0;
}

/* Steps st; 1 on a row, 0 at the end, -1 (rc set) on an error. */
static int step(sqlite3 *db, sqlite3_stmt *st, const char *what, sr_status *rc, sr_error *err)
{
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        return 1;
    if (src == SQLITE_DONE)
        return 0;
    *rc = srp_store_fail(db, src, what, err);
    return -1;
}

/* A scan in case order (the case code in column 0, a lower bound on it in
 * parameter param) that moves forward to a case: by stepping when the case
 * is near, else by searching the index again from that case. A sparse form
 * (few cases have it) so reads the cases it needs, not every case between. */
typedef struct cursor {
    sqlite3_stmt *st;
    int param;
    int more;   /* 1 on a row, 0 at the end */
    long steps; /* rows stepped over or onto, searches included */
} cursor;

/* Steps at most this many rows before searching instead. */
#define SEEK_AFTER 4

/* Moves c to its first row whose case code is code or after it: 1 on a
 * row, 0 at the end, -1 (rc set) on an error. */
static int cursor_to(sqlite3 *db, cursor *c, const char *code, const char *what, sr_status *rc,
                     sr_error *err)
{
    for (int k = 0; c->more == 1; k++) {
        const char *at = (const char *)sqlite3_column_text(c->st, 0);
        if (at && strcmp(at, code) >= 0)
            return 1;
        if (k == SEEK_AFTER) {
            sqlite3_reset(c->st);
            if (sqlite3_bind_text(c->st, c->param, code, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
                *rc = srp_store_fail(db, SQLITE_NOMEM, what, err);
                return c->more = -1;
            }
        }
        c->more = step(db, c->st, what, rc, err);
        c->steps++;
    }
    return c->more;
}

/* The groups of the latest units and statuses seen, when no dimension
 * groups by anything but the case's unit and status (a summary by unit,
 * or of all units, which scans by unit): found again by them alone,
 * without their keys made and looked up again. */
#define MEMO_SIZE 8
typedef struct slot_memo {
    int on;
    size_t count, next;
    struct memo_item {
        char unit[SRP_STATS_KEY_SIZE], status[SRP_STATS_KEY_SIZE];
        long slot;
    } items[MEMO_SIZE];
} slot_memo;

/* strcmp(a, b) == 0, inline (a unit's code is a few characters). */
static inline int same_text(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static void memo_init(const srp_stats_engine *e, slot_memo *m)
{
    memset(m, 0, sizeof *m);
    m->on = 1;
    for (int d = 0; d < e->dim_count; d++)
        m->on &= e->dims[d].kind == SRP_BY_UNIT || e->dims[d].kind == SRP_BY_STATUS;
}

/* The group of a response of date with intake row in, from the values of
 * the dimensions (vals: its items', when a dimension groups by one). */
static sr_status slot_of(srp_stats_engine *e, srp_slots *s, slot_memo *m, const char *date,
                         const intake_row *in, const char *const *kase, int vslot,
                         const srp_coded_value *vals, long *slot, sr_error *err)
{
    const char *unit = kase[0] ? kase[0] : "", *status = kase[2] ? kase[2] : "";
    for (size_t k = 0; m->on && k < m->count; k++)
        if (same_text(m->items[k].unit, unit) && same_text(m->items[k].status, status)) {
            *slot = m->items[k].slot;
            return SR_OK;
        }
    int have_intake = in && in->have;
    char keys[SRP_STATS_MAX_DIMS][SRP_STATS_KEY_SIZE];
    sr_status rc =
        srp_stats_dim_values(e, date, kase[0], kase[1], kase[2], vals, vslot,
                             have_intake ? in->vals : NULL, in ? in->islot : -1, keys, err);
    if (rc != SR_OK)
        return rc;
    *slot = srp_slots_find(e, s, keys, err);
    if (*slot < 0)
        return SR_ERR_NOMEM;
    if (m->on && strlen(unit) < sizeof m->items[0].unit &&
        strlen(status) < sizeof m->items[0].status) {
        struct memo_item *it = &m->items[m->next];
        memcpy(it->unit, unit, strlen(unit) + 1);
        memcpy(it->status, status, strlen(status) + 1);
        it->slot = *slot;
        m->next = (m->next + 1) % MEMO_SIZE;
        m->count += m->count < MEMO_SIZE;
    }
    return SR_OK;
}

/* The case's fields wanted (bit k of fields for kase[k]) from st's
 * columns first, first + 1 and first + 2. */
static inline void case_read(sqlite3_stmt *st, int first, int fields, const char **kase)
{
    for (int k = 0; fields && k < 3; k++)
        if (fields & (1 << k))
            kase[k] = (const char *)sqlite3_column_text(st, first + k);
}

/* The responses of the case being scanned. The first is held (its blob
 * copied) until the case ends, and is then counted as it is decoded when
 * it was the case's only one, the common case of a form once per case;
 * with a second, or several intake responses, every response is gathered
 * into people first. */
typedef struct case_rows {
    long count; /* responses of the case so far */
    struct held {
        unsigned char *blob;
        size_t len, cap;
        int vslot;
        char date[SR_DATE_MAX + 1];
        const intake_row *in;
        long slot; /* -1: nothing held */
    } first;
    people p;
    tally t;
    slot_memo memo;
} case_rows;

static void case_rows_release(srp_stats_engine *e, case_rows *c)
{
    free(c->first.blob);
    people_release(e, &c->p);
    tally_release(&c->t);
}

static sr_status read_failed(int failed, const char *code, sr_error *err)
{
    return failed == -2 ? srp_error_set(err, SR_ERR_NOMEM, "out of memory")
                        : srp_error_set(err, SR_ERR_CORRUPT,
                                        "a stored response of case '%s' is damaged", code);
}

/* A response of the case (its blob, version vslot, date: a buffer of
 * SR_DATE_MAX + 1), with the case's intake rows in: held, or gathered
 * (kase, vals: for its group). */
static sr_status case_add(srp_stats_engine *e, srp_slots *s, const plan *pl, case_rows *c,
                          const unsigned char *blob, size_t len, int vslot, const char *date,
                          const char *const *kase, srp_coded_value *vals, const intake_rows *in,
                          const char *code, sr_error *err)
{
    struct held *h = &c->first;
    /* Grouped by one of its own items: the response is decoded for it. */
    if (pl->keeps[vslot] && srp_coded_decode(e->forms[vslot], blob, len, vals) != 0)
        return read_failed(-1, code, err);
    if (c->count++ == 0 && in->count <= 1) {
        if (len > h->cap) {
            unsigned char *b = realloc(h->blob, len);
            if (!b)
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            h->blob = b;
            h->cap = len;
        }
        if (len)
            memcpy(h->blob, blob, len);
        h->len = len;
        h->vslot = vslot;
        memcpy(h->date, date, sizeof h->date);
        h->in = in->count ? &in->items[0] : NULL;
        return slot_of(e, s, &c->memo, date, h->in, kase, vslot, vals, &h->slot, err);
    }
    if (c->count == 2 && h->slot >= 0) { /* the held one is gathered first */
        person *x = person_for(e, &c->p, h->slot, err);
        if (!x)
            return SR_ERR_NOMEM;
        if (gather_response(e, pl, x, h->vslot, h->blob, h->len, h->date, h->in) != 0)
            return read_failed(-1, code, err);
        h->slot = -1;
    }
    for (size_t k = 0; k < (in->count ? in->count : 1); k++) {
        const intake_row *ir = in->count ? &in->items[k] : NULL;
        long slot = -1;
        sr_status rc = slot_of(e, s, &c->memo, date, ir, kase, vslot, vals, &slot, err);
        if (rc != SR_OK)
            return rc;
        person *x = person_for(e, &c->p, slot, err);
        if (!x)
            return SR_ERR_NOMEM;
        if (gather_response(e, pl, x, vslot, blob, len, date, ir) != 0)
            return read_failed(-1, code, err);
    }
    return SR_OK;
}

/* The case (code) ends: what it gave is counted. */
static sr_status case_end(srp_stats_engine *e, srp_slots *s, const plan *pl, case_rows *c,
                          const char *code, sr_error *err)
{
    struct held *h = &c->first;
    int held = c->count == 1 && h->slot >= 0;
    c->count = 0;
    int failed = 0;
    if (held && tally_grow(e, pl, &c->t, (size_t)h->slot) != 0)
        failed = -2;
    else if (held) {
        size_t at = (size_t)h->slot * pl->tally_width;
        tally_row tr = {c->t.n ? c->t.n + at : NULL, c->t.keys ? c->t.keys + at : NULL};
        failed = count_response(e, &s->items[h->slot], tr, pl, h->vslot, h->blob, h->len, h->date,
                                h->in);
    }
    h->slot = -1;
    if (failed)
        return read_failed(failed, code, err);
    return flush_people(e, pl, s, &c->p) == 0 ? SR_OK
                                              : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
}

/* The form's answers with their cases, in case order, in one of two ways:
 * merged with a cursor over the cases' covering index (one step per case:
 * the better plan when most cases have the form, as the intake, or many
 * rows each, as the intervention), or joined with that index by SQLite
 * (one search per row: the better plan for a form few cases have, as the
 * follow-up). A scan starts merging and, once it has stepped over
 * SWITCH_AFTER cases, joins from the next case on when the form has had
 * fewer than 3 rows for every 4 cases stepped (a step costs about 3/4 of a
 * search). Both give the rows of the join, in the same order. */
#define MERGE_SQL(date)                                                                            \
    "SELECT case_code, " date ", form_version, coded FROM response_codes"                          \
    " WHERE form_id = ?1 AND active ORDER BY form_id, case_code, response_id"
/* The join and the cases' index read only the case's fields a dimension
 * reads (bit k of the index into these for kase[k]: its unit, birth date
 * and status), NULL for the others: SQLite then does not read them; the
 * same for the response's date (the first index: 1 when it is read). */
#define JOIN_SQL(date, unit, birth, status)                                                        \
    "SELECT r.case_code, " date ", r.form_version, r.coded, " unit ", " birth ", " status          \
    " FROM response_codes r JOIN cases c INDEXED BY cases_summary ON c.code = r.case_code"         \
    " WHERE r.form_id = ?1 AND r.active AND r.case_code >= ?2"                                     \
    " ORDER BY r.form_id, r.case_code, r.response_id"
#define CASES_SQL(unit, birth, status)                                                             \
    "SELECT code, " unit ", " birth ", " status " FROM cases INDEXED BY cases_summary"             \
    " WHERE code >= ?1 ORDER BY code"
#define BY_FIELDS(sql, p)                                                                          \
    {                                                                                              \
        sql("NULL", "NULL", "NULL"), sql(p "unit", "NULL", "NULL"),                                \
            sql("NULL", p "birth_date", "NULL"), sql(p "unit", p "birth_date", "NULL"),            \
            sql("NULL", "NULL", p "status"), sql(p "unit", "NULL", p "status"),                    \
            sql("NULL", p "birth_date", p "status"), sql(p "unit", p "birth_date", p "status")     \
    }
#define JOIN_UNDATED(unit, birth, status) JOIN_SQL("NULL", unit, birth, status)
#define JOIN_DATED(unit, birth, status) JOIN_SQL("r.date", unit, birth, status)
static const char *const merge_sql[2] = {MERGE_SQL("NULL"), MERGE_SQL("date")};
static const char *const join_sql[2][8] = {BY_FIELDS(JOIN_UNDATED, "c."),
                                           BY_FIELDS(JOIN_DATED, "c.")};
static const char *const cases_sql[8] = BY_FIELDS(CASES_SQL, "");
#define SWITCH_AFTER 64

/* Three scans in case order, merged here: the form's active coded answers
 * (by case and response, from the table's own key), the cases' covering
 * index (merged or joined, above), and (when wanted) the intake's active
 * coded answers. Each case's intake is decoded once, not once per
 * response. The rows are those of the join "answers JOIN cases LEFT JOIN
 * intake ORDER BY case, response". */
sr_status srp_stats_scan(srp_stats_engine *e, srp_slots *s, sr_error *err)
{
    sqlite3 *db = srp_registry_db(e->reg);
    sqlite3_stmt *rs = NULL;
    cursor is = {NULL, 2, 0, 0}, cs = {NULL, 1, 0, 0};
    srp_coded_value *vals = NULL;
    plan pl;
    memset(&pl, 0, sizeof pl);
    case_rows c;
    memset(&c, 0, sizeof c);
    c.first.slot = -1;
    memo_init(e, &c.memo);
    intake_rows in = {NULL, 0, 0, most_items(e->intake_forms, e->intake_count), e->q->change};
    /* The case's fields a dimension reads, bit k for kase[k]: its unit,
     * birth date and status; those no dimension reads are not read. */
    int case_fields = 0;
    for (int d = 0; d < e->dim_count; d++) {
        in.answers |= e->dims[d].kind == SRP_BY_INTAKE_ITEM;
        case_fields |= (e->dims[d].kind == SRP_BY_UNIT ? 1 : 0) |
                       (e->dims[d].kind == SRP_BY_AGE ? 2 : 0) |
                       (e->dims[d].kind == SRP_BY_STATUS ? 4 : 0);
    }
    /* The response's date, read only when something reads it: a dimension
     * of periods or of age, the days from the intake, a change table's
     * latest answer by date (else a response's date is ""). */
    int dated = e->q->change != 0;
    for (int d = 0; d < e->dim_count; d++) {
        int k = e->dims[d].kind;
        dated |= k == SRP_BY_PERIOD || k == SRP_BY_YEAR || k == SRP_BY_HALF ||
                 k == SRP_BY_QUARTER || k == SRP_BY_AGE;
    }
    for (size_t j = 0; j < e->var_count; j++)
        dated |= e->vars[j].derived == SRP_DERIVED_DAYS_TO_CLOSURE;
    char current[SR_CASE_CODE_SIZE + 4] = "";
    const char *kase[3] = {"", "", ""};
    int more_r, started = 0, joined = 0, case_found = 0;
    long rows = 0;
    sr_status rc = srp_registry_prepare(e->reg, merge_sql[dated], &rs, err);
    if (rc == SR_OK)
        rc = srp_registry_prepare(e->reg, cases_sql[case_fields], &cs.st, err);
    if (rc == SR_OK && e->need_intake)
        rc = srp_registry_prepare(
            e->reg,
            in.answers ? "SELECT case_code, form_version, coded, date FROM response_codes"
                         " WHERE form_id = ?1 AND active AND case_code >= ?2"
                         " ORDER BY form_id, case_code, response_id"
                       : "SELECT case_code, form_version, NULL, date FROM response_codes"
                         " WHERE form_id = ?1 AND active AND case_code >= ?2"
                         " ORDER BY form_id, case_code, response_id",
            &is.st, err);
    if (rc != SR_OK)
        goto out;
    sqlite3_bind_text(rs, 1, e->q->form, -1, SQLITE_STATIC);
    sqlite3_bind_text(cs.st, 1, "", -1, SQLITE_STATIC);
    if (is.st) {
        sqlite3_bind_text(is.st, 1, e->intake_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(is.st, 2, "", -1, SQLITE_STATIC);
    }
    vals = calloc(most_items(e->forms, e->version_count), sizeof *vals);
    if (plan_build(e, &pl) != 0 || !vals) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((cs.more = step(db, cs.st, "read cases", &rc, err)) < 0)
        goto out;
    if (is.st && (is.more = step(db, is.st, "read responses", &rc, err)) < 0)
        goto out;
    while ((more_r = step(db, rs, "read responses", &rc, err)) == 1) {
        const char *code = (const char *)sqlite3_column_text(rs, 0);
        if (!code)
            continue; /* NOT NULL: a join would match nothing */
        int vslot = version_slot(e->versions, e->version_count, sqlite3_column_int(rs, 2));
        if (vslot < 0)
            continue;
        if (!started || strcmp(code, current) != 0) {
            if (!joined && cs.steps >= SWITCH_AFTER && rows * 4 < cs.steps * 3) {
                /* Few rows per case: SQLite's join from this case on. */
                char from[SR_CASE_CODE_SIZE + 4];
                snprintf(from, sizeof from, "%s", code);
                srp_stmt_done(e->reg, rs);
                srp_stmt_done(e->reg, cs.st);
                rs = cs.st = NULL;
                joined = 1;
                if ((rc = srp_registry_prepare(e->reg, join_sql[dated][case_fields], &rs, err)) !=
                    SR_OK)
                    goto out;
                sqlite3_bind_text(rs, 1, e->q->form, -1, SQLITE_STATIC);
                if (sqlite3_bind_text(rs, 2, from, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
                    rc = srp_store_fail(db, SQLITE_NOMEM, "read responses", err);
                    goto out;
                }
                continue;
            }
            started = 1;
            if ((rc = case_end(e, s, &pl, &c, current, err)) != SR_OK)
                goto out;
            size_t n = strnlen(code, sizeof current - 1); /* a code has no NUL */
            memcpy(current, code, n);
            current[n] = '\0';
            if (joined) {
                case_found = 1;
            } else {
                if (cursor_to(db, &cs, code, "read cases", &rc, err) < 0)
                    goto out;
                const char *at = cs.more == 1 ? (const char *)sqlite3_column_text(cs.st, 0) : NULL;
                case_found = at && strcmp(at, code) == 0; /* else the join has no row */
                if (case_found)
                    case_read(cs.st, 1, case_fields, kase);
            }
            if (!case_found)
                continue;
            if (e->ck)
                e->case_key = srp_cellkey_record(e->ck, code);
            /* This case's intake responses, decoded once. */
            in.count = 0;
            if (is.st && cursor_to(db, &is, code, "read responses", &rc, err) < 0)
                goto out;
            while (is.st && is.more == 1) {
                const char *ic = (const char *)sqlite3_column_text(is.st, 0);
                if (!ic || strcmp(ic, code) != 0)
                    break;
                if (intake_rows_add(e, &in, is.st) != 0) {
                    rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
                    goto out;
                }
                if ((is.more = step(db, is.st, "read responses", &rc, err)) < 0)
                    goto out;
            }
        }
        if (!case_found)
            continue;
        rows++;
        if (joined) /* the join's columns last until its next step */
            case_read(rs, 4, case_fields, kase);
        char date[SR_DATE_MAX + 1] = "";
        const char *d = dated ? (const char *)sqlite3_column_text(rs, 1) : NULL;
        size_t date_len = d ? strnlen(d, sizeof date - 1) : 0; /* a date has no NUL */
        if (date_len)
            memcpy(date, d, date_len);
        date[date_len] = '\0';
        rc = case_add(e, s, &pl, &c, sqlite3_column_blob(rs, 3),
                      (size_t)sqlite3_column_bytes(rs, 3), vslot, date, kase, vals, &in, code, err);
        if (rc != SR_OK)
            goto out;
    }
    if (rc == SR_OK && more_r == 0)
        rc = case_end(e, s, &pl, &c, current, err);
    if (rc == SR_OK && tally_count(e, &pl, s, &c.t) != 0)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
out:
    case_rows_release(e, &c);
    intake_rows_release(&in);
    plan_release(&pl);
    free(vals);
    srp_stmt_done(e->reg, rs);
    srp_stmt_done(e->reg, cs.st);
    srp_stmt_done(e->reg, is.st);
    return rc;
}

sr_status srp_stats_scan_by_unit(srp_stats_engine *e, srp_slots *s, srp_slots *units, sr_error *err)
{
    int dims = e->dim_count, key_of[SRP_STATS_MAX_DIMS];
    if (dims >= SRP_STATS_MAX_DIMS)
        return srp_error_set(err, SR_ERR_INVALID, "a summary has at most %d dimensions",
                             SRP_STATS_MAX_DIMS);
    srp_dimension *unit = &e->dims[dims];
    memset(unit, 0, sizeof *unit);
    snprintf(unit->name, sizeof unit->name, "unit");
    unit->kind = SRP_BY_UNIT;
    unit->by_index = -1;
    e->dim_count++;
    sr_status rc = srp_slots_init(units, err);
    if (rc == SR_OK)
        rc = srp_stats_scan(e, units, err);
    e->dim_count = dims;
    memset(unit, 0, sizeof *unit);
    for (int d = 0; d < dims; d++)
        key_of[d] = d;
    return rc == SR_OK ? srp_slots_add(e, s, units, key_of, err) : rc;
}

sr_status srp_stats_scan_cases(srp_stats_engine *e, srp_slots *s, sr_error *err)
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
    srp_coded_value *ivals = calloc(most_items(e->intake_forms, e->intake_count), sizeof *ivals);
    plan pl; /* of its variable: the status */
    if (plan_build(e, &pl) != 0 || !ivals || e->var_count < 1) {
        plan_release(&pl);
        free(ivals);
        sqlite3_finalize(st);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *date = (const char *)sqlite3_column_text(st, 1);
        const char *unit = (const char *)sqlite3_column_text(st, 2);
        const char *birth = (const char *)sqlite3_column_text(st, 3);
        const char *status = (const char *)sqlite3_column_text(st, 4);
        int islot =
            sqlite3_column_type(st, 5) == SQLITE_NULL
                ? -1
                : version_slot(e->intake_versions, e->intake_count, sqlite3_column_int(st, 5));
        int have =
            islot >= 0 && srp_coded_decode(e->intake_forms[islot], sqlite3_column_blob(st, 6),
                                           (size_t)sqlite3_column_bytes(st, 6), ivals) == 0;
        char keys[SRP_STATS_MAX_DIMS][SRP_STATS_KEY_SIZE];
        rc = srp_stats_dim_values(e, date, unit, birth, status, NULL, -1, have ? ivals : NULL,
                                  have ? islot : -1, keys, err);
        if (rc != SR_OK)
            break;
        long slot = srp_slots_find(e, s, keys, err);
        if (slot < 0) {
            rc = SR_ERR_NOMEM;
            break;
        }
        if (e->ck)
            e->case_key = srp_cellkey_record(e->ck, (const char *)sqlite3_column_text(st, 0));
        /* One person per case, who gave the status (variable 0). */
        int c = strcmp(status, "closed") == 0 ? 1 : 0;
        answer a = {0, c, KIND_CATEGORICAL, pl.flags[0][c], 0};
        given g = GIVEN_NONE;
        srp_slot *sl = &s->items[slot];
        count_person(e, sl);
        count_code(e, sl, 0, (size_t)a.code);
        give(e, &g, &a, NULL, 1);
        if (count_given(e, &pl, sl, 0, &g) != 0) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            break;
        }
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read cases", err);
    plan_release(&pl);
    free(ivals);
    sqlite3_finalize(st);
    return rc;
}
