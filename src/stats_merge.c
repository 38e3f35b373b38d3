/*
 * stats_merge.c - merging before suppressing (issue 16): categories that
 * are meant to be merged are merged when small, so that disclosure control
 * withholds less.
 *
 *   periods: a year, half-year or quarter with fewer than min people in the
 *            whole computed population (every unit and status, the margin
 *            that every query of the form shares) is merged with its
 *            neighbour, "2023/2024", labelled as such; so is a window on it;
 *   options: a choice item's groups of "mergeable" options (FORMS.md), and
 *            its "missing" options as one group, are merged into one
 *            category, code "a+b", when any of them is a count of 1..min-1
 *            in any group of the computed partition (for a --by item: when
 *            any of its groups is that small).
 *
 * Decisions come from a first scan; when anything merges, the slots are
 * released, the dimensions and variables changed and the caller scans again.
 * Every merge is said in the notes. Nothing here prints or knows a flag.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/texts.h"
#include "stats_int.h"

/* ---- periods ---- */

static int period_dimension(int kind)
{
    return kind == SRP_BY_YEAR || kind == SRP_BY_HALF || kind == SRP_BY_QUARTER ||
           kind == SRP_BY_PERIOD;
}

typedef struct period_total {
    const char *key; /* interned in the slots' pool */
    long people;
} period_total;

static int by_key(const void *a, const void *b)
{
    return strcmp(((const period_total *)a)->key, ((const period_total *)b)->key);
}

static int add_period_merge(srp_dimension *dim, const char *from, const char *to)
{
    size_t n = dim->merge_count + 1;
    char(*f)[SRP_STATS_KEY_SIZE] = realloc(dim->merge_from, n * sizeof *f);
    if (!f)
        return -1;
    dim->merge_from = f;
    char(*t)[SRP_STATS_KEY_SIZE] = realloc(dim->merge_to, n * sizeof *t);
    if (!t)
        return -1;
    dim->merge_to = t;
    snprintf(dim->merge_from[dim->merge_count], SRP_STATS_KEY_SIZE, "%s", from);
    snprintf(dim->merge_to[dim->merge_count], SRP_STATS_KEY_SIZE, "%s", to);
    dim->merge_count = n;
    return 0;
}

/* Plans the runs of one period dimension; -1 on OOM. */
static int plan_periods(srp_stats_engine *e, const srp_slots *s, int d, srp_buf *said)
{
    period_total *t = NULL;
    size_t n = 0, cap = 0;
    int rc = -1;
    for (size_t i = 0; i < s->count; i++) {
        const char *key = s->items[i].key[d];
        if (strcmp(key, "unknown") == 0)
            continue;
        size_t k = 0;
        while (k < n && t[k].key != key)
            k++;
        if (k == n) {
            if (srp_grow((void **)&t, &cap, n + 1, sizeof *t) != 0)
                goto out;
            t[n].key = key;
            t[n++].people = 0;
        }
        t[k].people += s->items[i].people;
    }
    if (n)
        qsort(t, n, sizeof *t, by_key);
    long min = e->q->min_cell;
    /* Runs from the earliest: a run grows while it is small; a small last
     * run joins the one before it. */
    size_t *run_start = calloc(n + 1, sizeof *run_start), runs = 0;
    if (!run_start)
        goto out;
    long total = 0;
    for (size_t k = 0; k < n; k++) {
        if (k == 0 || total >= min) {
            run_start[runs++] = k;
            total = 0;
        }
        total += t[k].people;
    }
    if (runs > 1 && total < min)
        runs--;
    run_start[runs] = n;
    for (size_t r = 0; r < runs; r++) {
        size_t a = run_start[r], b = run_start[r + 1] - 1;
        if (a == b)
            continue;
        char merged[2 * SRP_STATS_KEY_SIZE];
        int len = snprintf(merged, sizeof merged, "%s/%s", t[a].key, t[b].key);
        if (len < 0 || len > SR_GROUP_KEY_MAX)
            continue; /* no key for it: left as it is, and protected as such */
        for (size_t k = a; k <= b; k++)
            if (add_period_merge(&e->dims[d], t[k].key, merged) != 0) {
                free(run_start);
                goto out;
            }
        if (said)
            srp_buf_printf(said, "%s%s", said->len ? ", " : "", merged);
    }
    free(run_start);
    rc = 0;
out:
    free(t);
    return rc;
}

const char *srp_stats_period_merged(const srp_dimension *dim, const char *key)
{
    for (size_t k = 0; k < dim->merge_count; k++)
        if (strcmp(dim->merge_from[k], key) == 0)
            return dim->merge_to[k];
    return key;
}

sr_status srp_stats_merge_periods(srp_stats_engine *e, srp_slots *s, sr_stats *r, int *rescan,
                                  sr_error *err)
{
    *rescan = 0;
    srp_buf said = SRP_BUF_INIT;
    sr_status rc = SR_OK;
    for (int d = 0; d < e->dim_count; d++) {
        srp_dimension *dim = &e->dims[d];
        if (!period_dimension(dim->kind) || dim->merge_count)
            continue;
        if (plan_periods(e, s, d, dim->by_index >= 0 ? &said : NULL) != 0) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            goto out;
        }
        if (!dim->merge_count)
            continue;
        *rescan = 1;
        if (dim->kind == SRP_BY_PERIOD) {
            const char *to = srp_stats_period_merged(dim, e->period_selected);
            if (to != e->period_selected) {
                char asked[SRP_STATS_KEY_SIZE], f[11], t[11];
                snprintf(asked, sizeof asked, "%s", e->period_selected);
                snprintf(e->period_selected, sizeof e->period_selected, "%s", to);
                if (srp_period_bounds(to, f, t) == 0) {
                    memcpy(r->from, f, sizeof f);
                    memcpy(r->to, t, sizeof t);
                }
                char note[400];
                snprintf(note, sizeof note, srp_texts_get(SRP_T_STATS_PERIOD_MERGED, e->lang),
                         asked, r->from, r->to);
                if (srp_stats_add_note(r, note) != 0) {
                    rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
                    goto out;
                }
            }
        }
    }
    if (said.oom) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (said.len) {
        srp_buf note = SRP_BUF_INIT;
        srp_buf_printf(&note, srp_texts_get(SRP_T_STATS_MERGED_PERIODS, e->lang),
                       srp_buf_text(&said));
        int bad = note.oom || srp_stats_add_note(r, srp_buf_text(&note)) != 0;
        srp_buf_free(&note);
        if (bad) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    if (*rescan)
        srp_slots_release(s);
out:
    srp_buf_free(&said);
    return rc;
}

/* ---- options ---- */

/* One planned merge: codes of a variable (or a dimension's variable). */
typedef struct option_merge {
    srp_variable *v;
    int dim; /* the dimension it groups, -1 for a summarised variable */
    int codes[SR_FORM_MAX_OPTIONS];
    size_t n;
    const char *label; /* borrowed: the form's, or the texts' */
} option_merge;

/* The newest version's item of a variable, with the forms it is in. */
static const srp_item *newest_item(const srp_stats_engine *e, const srp_variable *v, int intake,
                                   const sr_form *const **forms, size_t *count)
{
    *forms = intake ? e->intake_forms : e->forms;
    *count = intake ? e->intake_count : e->version_count;
    for (size_t k = *count; k-- > 0;)
        if (v->item_of[k] >= 0)
            return &(*forms)[k]->items[v->item_of[k]];
    return NULL;
}

/* Whether code c of variable j (dim < 0) or of dimension dim is small
 * anywhere in the partition. */
static int small_anywhere(const srp_stats_engine *e, const srp_slots *s, size_t j, int dim, int c)
{
    long min = e->q->min_cell;
    for (size_t i = 0; i < s->count; i++) {
        const srp_slot *sl = &s->items[i];
        long n;
        if (dim >= 0) {
            if (strcmp(sl->key[dim], e->dims[dim].var.codes[c]) != 0)
                continue;
            n = sl->people;
        } else
            n = sl->acc[j].counts[c];
        if (n >= 1 && n < min)
            return 1;
    }
    return 0;
}

/* The groups of one choice variable that should merge; -1 on OOM. */
static int plan_variable(const srp_stats_engine *e, const srp_slots *s, srp_variable *v, size_t j,
                         int dim, option_merge **plan, size_t *count, size_t *cap)
{
    const sr_form *const *forms;
    size_t nforms;
    const srp_item *it =
        newest_item(e, v, dim >= 0 && e->dims[dim].kind == SRP_BY_INTAKE_ITEM, &forms, &nforms);
    if (!it || v->type != SR_ITEM_CHOICE)
        return 0;
    size_t groups = it->mergeable ? json_array_size(it->mergeable) : 0;
    for (size_t g = 0; g <= groups; g++) {
        option_merge m;
        memset(&m, 0, sizeof m);
        m.v = v;
        m.dim = dim;
        for (size_t o = 0; o < it->option_count; o++) {
            int in = g < groups ? it->options[o].merge_group == (int)g + 1
                                : it->options[o].missing && !it->options[o].merge_group;
            int c = in ? srp_stats_code_index(v, it->options[o].code, NULL, 0, 0) : -1;
            if (c >= 0)
                m.codes[m.n++] = c;
        }
        if (m.n < 2)
            continue;
        int small = 0;
        for (size_t k = 0; k < m.n && !small; k++)
            small = small_anywhere(e, s, j, dim, m.codes[k]);
        if (!small)
            continue;
        m.label = g < groups ? srp_text(json_object_get(json_array_get(it->mergeable, g), "label"),
                                        e->lang)
                             : srp_texts_get(SRP_T_STATS_MISSING_LABEL, e->lang);
        if (srp_grow((void **)plan, cap, *count + 1, sizeof **plan) != 0)
            return -1;
        (*plan)[(*count)++] = m;
    }
    return 0;
}

/* Remaps a version's option map through newidx. */
static void remap(int *map, size_t len, const int *newidx)
{
    for (size_t o = 0; map && o < len; o++)
        map[o] = map[o] >= 0 ? newidx[map[o]] : map[o];
}

/* Merges m's codes into the place of the first, code "a+b". -1 on OOM. */
static int apply_merge(srp_stats_engine *e, const option_merge *m, srp_buf *note)
{
    srp_variable *v = m->v;
    int first = m->codes[0];
    for (size_t k = 1; k < m->n; k++)
        first = m->codes[k] < first ? m->codes[k] : first;
    int *newidx = malloc((v->ncodes ? v->ncodes : 1) * sizeof *newidx);
    srp_buf code = SRP_BUF_INIT, names = SRP_BUF_INIT;
    if (!newidx)
        return -1;
    int all_missing = 1;
    for (size_t k = 0; k < m->n; k++) {
        int c = m->codes[k];
        srp_buf_printf(&code, "%s%s", k ? "+" : "", v->codes[c]);
        srp_buf_printf(&names, "%s'%s'", k ? ", " : "",
                       v->code_labels[c] ? v->code_labels[c] : v->codes[c]);
        all_missing &= v->missing[c] != 0;
    }
    char *merged = code.oom ? NULL : srp_buf_take(&code);
    srp_buf_free(&code);
    if (!merged || names.oom || (m->dim >= 0 && strlen(merged) > SR_GROUP_KEY_MAX)) {
        int oom = !merged || names.oom;
        free(merged);
        free(newidx);
        srp_buf_free(&names);
        return oom ? -1 : 0; /* a group key too long to name: left unmerged */
    }
    size_t kept = 0;
    for (size_t c = 0; c < v->ncodes; c++) {
        int member = 0;
        for (size_t k = 0; k < m->n; k++)
            member |= m->codes[k] == (int)c;
        if (member && (int)c != first) {
            newidx[c] = -1; /* set below, once first has its new place */
            free(v->codes[c]);
            continue;
        }
        newidx[c] = (int)kept;
        if ((int)c == first) {
            free(v->codes[c]);
            v->codes[kept] = merged;
            v->code_labels[kept] = m->label;
            v->missing[kept] = all_missing;
        } else {
            v->codes[kept] = v->codes[c];
            v->code_labels[kept] = v->code_labels[c];
            v->missing[kept] = v->missing[c];
        }
        kept++;
    }
    for (size_t k = 0; k < m->n; k++)
        newidx[m->codes[k]] = newidx[first];
    v->ncodes = kept;
    int intake = m->dim >= 0 && e->dims[m->dim].kind == SRP_BY_INTAKE_ITEM;
    const sr_form *const *forms = intake ? e->intake_forms : e->forms;
    size_t nforms = intake ? e->intake_count : e->version_count;
    for (size_t k = 0; k < nforms; k++)
        if (v->item_of[k] >= 0)
            remap(v->option_map[k], forms[k]->items[v->item_of[k]].option_count, newidx);
    for (size_t k = 0; m->dim < 0 && v->paired && k < e->intake_count; k++)
        if (v->intake_item[k] >= 0)
            remap(v->intake_map[k], e->intake_forms[k]->items[v->intake_item[k]].option_count,
                  newidx);
    /* A dimension's variable has no id of its own: the grouping's name. */
    srp_buf_printf(note, srp_texts_get(SRP_T_STATS_MERGED_OPTIONS, e->lang),
                   v->id         ? v->id
                   : m->dim >= 0 ? e->dims[m->dim].name
                                 : "",
                   srp_buf_text(&names));
    srp_buf_free(&names);
    free(newidx);
    return note->oom ? -1 : 0;
}

sr_status srp_stats_merge_options(srp_stats_engine *e, srp_slots *s, sr_stats *r, int *rescan,
                                  sr_error *err)
{
    *rescan = 0;
    option_merge *plan = NULL;
    size_t count = 0, cap = 0;
    sr_status rc = SR_OK;
    if (strcmp(e->q->form, "cases") != 0 && !e->q->change)
        for (size_t j = 0; j < e->var_count; j++)
            if (!e->vars[j].derived &&
                plan_variable(e, s, &e->vars[j], j, -1, &plan, &count, &cap) != 0)
                goto oom;
    for (int d = 0; d < e->dim_count; d++)
        if ((e->dims[d].kind == SRP_BY_ITEM || e->dims[d].kind == SRP_BY_INTAKE_ITEM) &&
            plan_variable(e, s, &e->dims[d].var, 0, d, &plan, &count, &cap) != 0)
            goto oom;
    if (!count)
        goto out;
    /* The slots hold arrays sized by the codes: released before they change. */
    srp_slots_release(s);
    *rescan = 1;
    for (size_t k = 0; k < count; k++) {
        srp_buf note = SRP_BUF_INIT;
        int bad = apply_merge(e, &plan[k], &note) != 0;
        bad = bad || (note.len && srp_stats_add_note(r, srp_buf_text(&note)) != 0);
        srp_buf_free(&note);
        if (bad)
            goto oom;
        /* The groups of one variable are disjoint: a later group's codes
         * move down by the members this merge removed before them (all
         * but the first, which keeps its place). */
        int first = plan[k].codes[0];
        for (size_t y = 1; y < plan[k].n; y++)
            first = plan[k].codes[y] < first ? plan[k].codes[y] : first;
        for (size_t l = k + 1; l < count; l++)
            for (size_t x = 0; plan[l].v == plan[k].v && x < plan[l].n; x++) {
                int removed = 0;
                for (size_t y = 0; y < plan[k].n; y++)
                    removed += plan[k].codes[y] != first && plan[k].codes[y] < plan[l].codes[x];
                plan[l].codes[x] -= removed;
            }
    }
    goto out;
oom:
    rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
out:
    free(plan);
    return rc;
}
