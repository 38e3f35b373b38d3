/*
 * stats_rows.c - the tidy rows of a summary (DESIGN.md's contract): one row
 * per published figure of every selected group, with what disclosure
 * control withheld marked and emptied. Statistics of a scale are withheld
 * whole when any of its steps is, since each would add an equation to solve
 * a withheld step with. Every string a row points to is interned in the
 * result, once.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/texts.h"
#include "stats_int.h"

sr_stats_row *srp_stats_new_row(sr_stats *r)
{
    if (srp_grow((void **)&r->rows, &r->cap, r->count + 1, sizeof *r->rows) != 0)
        return NULL;
    sr_stats_row *row = &r->rows[r->count++];
    memset(row, 0, sizeof *row);
    return row;
}

int srp_stats_add_note(sr_stats *r, const char *text)
{
    /* A note said once (e.g. a merge of an item that is also the grouping). */
    for (size_t k = 0; k < r->note_count; k++)
        if (strcmp(r->notes[k], text) == 0)
            return 0;
    if (srp_grow((void **)&r->notes, &r->note_cap, r->note_count + 1, sizeof *r->notes) != 0)
        return -1;
    r->notes[r->note_count] = strdup(text);
    return r->notes[r->note_count++] ? 0 : -1;
}

static int reason_of(enum srp_sdc_reason state)
{
    return state == SRP_SDC_SMALL       ? 1
           : state == SRP_SDC_GROUP     ? 2
           : state == SRP_SDC_SECONDARY ? 3
                                        : 0;
}

/* What disclosure control decided of a cell: under the cell-key method
 * nothing is withheld for its count, the noise protects it. */
static enum srp_sdc_reason state_of(const srp_stats_engine *e, const srp_sdc *sdc, size_t cell)
{
    return e->ck ? SRP_SDC_PUBLISHED : srp_sdc_state(sdc, cell);
}

/* The cell key of a figure, 0 when there are none (suppression). */
#define KEY(array, index) ((array) ? (array)[index] : 0U)

/* The label of a group's code in dimension d (borrowed), or NULL. */
static const char *group_label(const srp_stats_engine *e, int d, const char *code)
{
    const srp_dimension *dim = &e->dims[d];
    switch (dim->kind) {
    case SRP_BY_ITEM:
    case SRP_BY_INTAKE_ITEM:
        for (size_t c = 0; c < dim->var.ncodes; c++)
            if (strcmp(dim->var.codes[c], code) == 0)
                return dim->var.code_labels[c];
        return NULL;
    case SRP_BY_UNIT:
        for (size_t u = 0; u < e->unit_count; u++)
            if (strcmp(e->unit_codes[u], code) == 0)
                return e->unit_names[u];
        return code;
    default:
        return code;
    }
}

/* What a row's count counts: a person once under one answer, unless a
 * repeatable form (any answer ever given) or a multichoice item (any option
 * chosen) lets one person count under several. Statistics count people. */
static void unit_of_count(const srp_stats_engine *e, const srp_variable *v, const char *value,
                          sr_stats_row *row)
{
    static const char *const stats[] = {"n", "mean", "median", "p25", "p75"};
    int statistic = 0;
    for (size_t k = 0; k < sizeof stats / sizeof *stats; k++)
        statistic |= strcmp(value, stats[k]) == 0;
    srp_text_id id = SRP_T_UNIT_PEOPLE;
    row->unit_of_count = "people";
    if (strcmp(e->q->form, "cases") == 0) {
        id = SRP_T_UNIT_CASES;
        row->unit_of_count = "cases";
    } else if (v->ncodes && !statistic && !e->q->change && !v->derived) {
        if (e->repeatable) {
            id = SRP_T_UNIT_PEOPLE_EVER;
            row->unit_of_count = "people_ever";
        } else if (v->type == SR_ITEM_MULTICHOICE) {
            id = SRP_T_UNIT_PEOPLE_CHOOSING;
            row->unit_of_count = "people_choosing";
        }
    }
    row->unit_of_count_label = srp_texts_get(id, e->lang);
}

static sr_stats_row *row_for(srp_stats_engine *e, sr_stats *r, const srp_variable *v,
                             const srp_slot *sl, const char *value, const char *value_label)
{
    sr_stats_row *row = srp_stats_new_row(r);
    if (!row)
        return NULL;
    srp_strings *pool = r->strings;
    /* The rows of one variable share its form, id and label: interned once. */
    if (e->labels.variable != v) {
        e->labels.variable = NULL;
        e->labels.form = srp_strings_intern(pool, e->q->form);
        e->labels.item = srp_strings_intern(pool, v->id);
        e->labels.item_label = srp_strings_intern(pool, v->label);
        if (!e->labels.form || !e->labels.item || (v->label && !e->labels.item_label))
            return NULL;
        e->labels.variable = v;
    }
    row->form = e->labels.form;
    row->item = e->labels.item;
    row->item_label = e->labels.item_label;
    int bad = 0;
    /* The rows of one group share its codes' labels: looked up once. */
    group_labels_cache *cache = &e->labels;
    if (cache->slot != sl) {
        cache->slot = NULL;
        for (int d = 0; d < e->dim_count; d++)
            if (e->dims[d].by_index >= 0) {
                const char *label = group_label(e, d, sl->key[d]);
                cache->label[e->dims[d].by_index] = srp_strings_intern(pool, label);
                bad |= label && !cache->label[e->dims[d].by_index];
            }
        if (!bad)
            cache->slot = sl;
    }
    for (int d = 0; d < e->dim_count; d++) {
        int b = e->dims[d].by_index;
        if (b < 0)
            continue;
        row->by[b] = srp_strings_intern(pool, sl->key[d]);
        row->by_label[b] = cache->label[b];
        bad |= !row->by[b];
    }
    unit_of_count(e, v, value, row);
    row->value = srp_strings_intern(pool, value);
    row->value_label = srp_strings_intern(pool, value_label);
    bad |= !row->value || (value_label && !row->value_label);
    return bad ? NULL : row;
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

/* Whether quantile est of a may be published: over at least
 * SR_STATS_QUANTILE_MIN_N people (below, p25, median and p75 are single
 * people's values), with at least min values on either side. */
static int quantile_ok(const srp_accum *a, double est, long min)
{
    return a->values.total >= SR_STATS_QUANTILE_MIN_N && srp_hist_at_most(&a->values, est) >= min &&
           srp_hist_at_least(&a->values, est) >= min;
}

/* The statistics under the cell-key method: n perturbed at its cell key,
 * the others of the true values, shown only when both the true and the
 * perturbed n reach min_cell (a quartile: 10 too). */
static int emit_numeric_ck(srp_stats_engine *e, sr_stats *r, const srp_variable *v,
                           const srp_slot *sl, const srp_accum *a)
{
    static const char *const names[] = {"n", "mean", "median", "p25", "p75"};
    static const srp_text_id labels[] = {SRP_T_STAT_N, SRP_T_STAT_MEAN, SRP_T_STAT_MEDIAN,
                                         SRP_T_STAT_P25, SRP_T_STAT_P75};
    static const double quantiles[] = {0, 0, 0.5, 0.25, 0.75};
    long n = a->values.total;
    for (int k = 0; k < 5; k++) {
        sr_stats_row *row = row_for(e, r, v, sl, names[k], srp_texts_get(labels[k], e->lang));
        if (!row)
            return -1;
        row->has_denominator = 0;
        row->count = srp_stats_ck_count(e, n, a->kanswered);
        row->has_count = 1;
        if (k == 0)
            continue;
        if (!srp_stats_ck_statistic_ok(e, n, a->kanswered, k >= 2)) {
            row->suppressed = 1;
            row->reason = 4;
            continue;
        }
        double est =
            k == 1 ? srp_hist_mean(&a->values) : srp_hist_quantile(&a->values, quantiles[k]);
        if (k >= 2 && !quantile_ok(a, est, e->q->min_cell)) {
            row->suppressed = 1;
            row->reason = 5;
            continue;
        }
        row->estimate = round(est * 100) / 100;
        row->has_estimate = 1;
    }
    return 0;
}

/* n, mean, median, p25, p75. withheld: every figure goes (for reason),
 * except n when n_given (it equals a denominator already published). */
static int emit_numeric(srp_stats_engine *e, sr_stats *r, const srp_variable *v, const srp_slot *sl,
                        const srp_accum *a, int withheld, int reason, int n_given)
{
    static const char *const names[] = {"n", "mean", "median", "p25", "p75"};
    static const srp_text_id labels[] = {SRP_T_STAT_N, SRP_T_STAT_MEAN, SRP_T_STAT_MEDIAN,
                                         SRP_T_STAT_P25, SRP_T_STAT_P75};
    if (e->ck)
        return emit_numeric_ck(e, r, v, sl, a);
    static const double quantiles[] = {0, 0, 0.5, 0.25, 0.75};
    long n = a->values.total, min = e->q->min_cell;
    for (int k = 0; k < 5; k++) {
        sr_stats_row *row = row_for(e, r, v, sl, names[k], srp_texts_get(labels[k], e->lang));
        if (!row)
            return -1;
        row->has_denominator = 0;
        if (withheld && !(k == 0 && n_given)) {
            row->suppressed = 1;
            row->reason = reason;
            continue;
        }
        double est = 0;
        if (k > 0 && (n < min || n == 0)) {
            row->suppressed = 1;
            row->reason = 4;
            continue;
        }
        if (k > 0)
            est = k == 1 ? srp_hist_mean(&a->values) : srp_hist_quantile(&a->values, quantiles[k]);
        if (k >= 2 && !quantile_ok(a, est, min)) {
            row->suppressed = 1;
            row->reason = 5;
            continue;
        }
        row->count = n;
        row->has_count = 1;
        if (k == 0)
            continue;
        row->estimate = round(est * 100) / 100;
        row->has_estimate = 1;
    }
    return 0;
}

/* The paired table of one group, then its improved/unchanged/worsened. */
static int emit_change(srp_stats_engine *e, srp_sdc *sdc, const srp_layout *lay, sr_stats *r,
                       size_t j, size_t i, const srp_slot *sl, int group_ok)
{
    const srp_variable *v = &e->vars[j];
    const srp_accum *a = &sl->acc[j];
    size_t cols = lay->columns[j];
    long pairs = 0;
    uint32_t kpairs = 0; /* the key of a union of cells is the sum of theirs */
    for (size_t x = 0; x < v->ncodes; x++)
        for (size_t y = 0; y < v->ncodes; y++) {
            pairs += a->pairs[x][y];
            kpairs += a->kpairs ? a->kpairs[x][y] : 0U;
        }
    pairs = srp_stats_ck_count(e, pairs, kpairs);
    for (size_t x = 0; x < v->ncodes; x++)
        for (size_t y = 0; y < v->ncodes; y++) {
            char value[2 * SR_OPTION_CODE_MAX + 8];
            snprintf(value, sizeof value, "%s>%s", v->codes[x], v->codes[y]);
            srp_buf label = SRP_BUF_INIT;
            srp_buf_printf(&label, srp_texts_get(SRP_T_STAT_PAIR, e->lang),
                           v->code_labels[x] ? v->code_labels[x] : v->codes[x],
                           v->code_labels[y] ? v->code_labels[y] : v->codes[y]);
            sr_stats_row *row =
                label.oom ? NULL : row_for(e, r, v, sl, value, srp_buf_text(&label));
            srp_buf_free(&label);
            if (!row)
                return -1;
            set_count(row, srp_stats_ck_count(e, a->pairs[x][y], a->kpairs ? a->kpairs[x][y] : 0U),
                      pairs, group_ok,
                      state_of(e, sdc, lay->cells[j][i * cols + x * v->ncodes + y]));
        }
    if (!lay->summary[j])
        return 0;
    static const char *const names[] = {"improved", "unchanged", "worsened"};
    static const srp_text_id labels[] = {SRP_T_STAT_IMPROVED, SRP_T_STAT_UNCHANGED,
                                         SRP_T_STAT_WORSENED};
    long totals[3] = {0, 0, 0}, comparable = 0;
    uint32_t ktotals[3] = {0, 0, 0}, kcomparable = 0;
    for (size_t x = 0; x < v->ncodes; x++)
        for (size_t y = 0; y < v->ncodes; y++) {
            int reg = srp_stats_region_of(v, x, y);
            if (reg >= 0) {
                uint32_t key = a->kpairs ? a->kpairs[x][y] : 0U;
                totals[reg] += a->pairs[x][y];
                comparable += a->pairs[x][y];
                ktotals[reg] += key;
                kcomparable += key;
            }
        }
    comparable = srp_stats_ck_count(e, comparable, kcomparable);
    /* The comparable pairs are a figure of their own (their difference
     * from the pairs counts those with a 'missing' answer). */
    size_t n = v->ncodes;
    int comparable_ok =
        group_ok &&
        (!lay->margin || !lay->margin[j] ||
         state_of(e, sdc, lay->margin[j][i * SRP_MARGIN_STRIDE(n) + SRP_MARGIN_COMPARABLE(n)]) ==
             SRP_SDC_PUBLISHED);
    for (int k = 0; k < 3; k++) {
        sr_stats_row *row = row_for(e, r, v, sl, names[k], srp_texts_get(labels[k], e->lang));
        if (!row)
            return -1;
        set_count(row, srp_stats_ck_count(e, totals[k], ktotals[k]), comparable, comparable_ok,
                  state_of(e, sdc, lay->summary[j][i * 3 + (size_t)k]));
    }
    return 0;
}

/* The options of one group, then (for a scale) top2 and the statistics. */
static int emit_options(srp_stats_engine *e, srp_sdc *sdc, const srp_layout *lay, sr_stats *r,
                        size_t j, size_t i, const srp_slot *sl, int group_ok)
{
    const srp_variable *v = &e->vars[j];
    const srp_accum *a = &sl->acc[j];
    size_t cols = lay->columns[j];
    int any_withheld = 0;
    /* The denominator printed: its own cell, else (an enabled item) those
     * who answered. */
    const size_t *den = lay->denominator[j] ? lay->denominator[j]
                        : lay->answered     ? lay->answered[j]
                                            : NULL;
    int denominator_ok = group_ok && (!den || state_of(e, sdc, den[i]) == SRP_SDC_PUBLISHED);
    any_withheld |= !denominator_ok;
    for (size_t c = 0; c < v->ncodes; c++) {
        enum srp_sdc_reason st = state_of(e, sdc, lay->cells[j][i * cols + c]);
        any_withheld |= st != SRP_SDC_PUBLISHED;
        sr_stats_row *row = row_for(e, r, v, sl, v->codes[c], v->code_labels[c]);
        if (!row)
            return -1;
        set_count(row, srp_stats_ck_count(e, a->counts[c], KEY(a->kcounts, c)),
                  srp_stats_ck_count(e, a->denominator, a->kdenominator), denominator_ok, st);
        if (v->missing[c]) /* counted and shown, outside the shares */
            row->has_percent = 0;
    }
    if (v->type != SR_ITEM_SCALE)
        return 0;
    /* top2: the two highest steps; then n, mean, median, quartiles. Any
     * withheld step withholds them all: each would add an equation to solve
     * it with. */
    char top2_label[2 * SR_OPTION_CODE_MAX + 96] = "";
    if (v->ncodes >= 2)
        snprintf(top2_label, sizeof top2_label, srp_texts_get(SRP_T_STAT_TOP2, e->lang),
                 v->codes[v->ncodes - 2], v->codes[v->ncodes - 1]);
    sr_stats_row *row = row_for(e, r, v, sl, "top2", top2_label[0] ? top2_label : NULL);
    if (!row)
        return -1;
    /* People, not answers: in a repeatable form one may have given both
     * steps. Those who did are the two steps' sum less top2, a figure of
     * its own. */
    long top = a->top2;
    long both = v->ncodes >= 2 ? a->counts[v->ncodes - 1] + a->counts[v->ncodes - 2] - top : 0;
    long min = e->q->min_cell;
    /* Nothing hidden that is given: with both top steps published, top2 is
     * their sum (a person counts once in a form that is not repeatable),
     * whatever else is withheld; in a repeatable form, unless it or those
     * who gave both are a small count. */
    int tops_published =
        v->ncodes >= 2 &&
        state_of(e, sdc, lay->cells[j][i * cols + v->ncodes - 1]) == SRP_SDC_PUBLISHED &&
        state_of(e, sdc, lay->cells[j][i * cols + v->ncodes - 2]) == SRP_SDC_PUBLISHED;
    int top_given = tops_published && (!e->repeatable || both == 0);
    set_count(row, srp_stats_ck_count(e, top, a->ktop2),
              srp_stats_ck_count(e, a->denominator, a->kdenominator), denominator_ok,
              e->ck || top_given                ? SRP_SDC_PUBLISHED
              : any_withheld && !tops_published ? (group_ok ? SRP_SDC_SECONDARY : SRP_SDC_GROUP)
              : top >= 1 && top < min           ? SRP_SDC_SMALL
              : both >= 1 && both < min         ? SRP_SDC_SECONDARY
                                                : SRP_SDC_PUBLISHED);
    /* n is given when it is the published denominator of the steps. */
    int n_given = denominator_ok && a->values.total == a->denominator;
    return emit_numeric(e, r, v, sl, a, any_withheld, group_ok ? 3 : 2, n_given);
}

int srp_stats_emit(srp_stats_engine *e, srp_slots *s, srp_sdc *sdc, srp_layout *lay, sr_stats *r)
{
    for (size_t j = 0; j < e->var_count; j++) {
        srp_variable *v = &e->vars[j];
        size_t cols = lay->columns[j];
        for (size_t i = 0; i < s->count; i++) {
            srp_slot *sl = &s->items[i];
            if (!sl->selected)
                continue;
            int group_ok = e->ck || !lay->group_hidden || !lay->group_hidden[i];
            if (e->q->change) {
                if (v->paired && emit_change(e, sdc, lay, r, j, i, sl, group_ok) != 0)
                    return -1;
                continue;
            }
            if (v->ncodes) {
                if (emit_options(e, sdc, lay, r, j, i, sl, group_ok) != 0)
                    return -1;
                continue;
            }
            enum srp_sdc_reason st = state_of(e, sdc, lay->cells[j][i * cols]);
            if (emit_numeric(e, r, v, sl, &sl->acc[j], st != SRP_SDC_PUBLISHED, reason_of(st), 0) !=
                0)
                return -1;
        }
    }
    return 0;
}
