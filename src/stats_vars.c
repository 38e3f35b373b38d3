/*
 * stats_vars.c - the variables of a summary: the items of a form pooled over
 * its versions (same id, compatible type), their codes in one list with the
 * newest version's labels, the maps from each version's options to that
 * list, and the derived variables (registrations per case, days from intake
 * to closure). Free text, dates and identifying items are never variables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/texts.h"
#include "stats_int.h"

int srp_stats_code_index(srp_variable *v, const char *code, const char *label, int missing, int add)
{
    for (size_t i = 0; i < v->ncodes; i++)
        if (strcmp(v->codes[i], code) == 0)
            return (int)i;
    if (!add)
        return -1;
    void *codes = v->codes, *labels = (void *)v->code_labels, *m = v->missing;
    int failed = srp_grow(&codes, &v->codes_cap, v->ncodes + 1, sizeof *v->codes) != 0;
    v->codes = codes;
    failed = failed || srp_grow(&labels, &v->labels_cap, v->ncodes + 1, sizeof *v->code_labels);
    v->code_labels = labels;
    failed = failed || srp_grow(&m, &v->missing_cap, v->ncodes + 1, sizeof *v->missing);
    v->missing = m;
    if (failed)
        return -2;
    v->codes[v->ncodes] = strdup(code);
    if (!v->codes[v->ncodes])
        return -2;
    v->code_labels[v->ncodes] = label;
    v->missing[v->ncodes] = missing;
    return (int)v->ncodes++;
}

void srp_stats_variable_release(srp_variable *v)
{
    for (size_t i = 0; i < v->ncodes; i++)
        free(v->codes[i]);
    free(v->codes);
    free(v->code_labels);
    free(v->missing);
    for (int k = 0; k < SRP_STATS_MAX_VERSIONS; k++) {
        free(v->option_map[k]);
        free(v->intake_map[k]);
    }
    free(v->id);
}

int srp_stats_map_options(srp_variable *v, const sr_form *const *forms, size_t count,
                          const int *item_of, int **maps, const char *lang)
{
    for (size_t k = count; k-- > 0;) { /* newest first, so its labels win */
        if (item_of[k] < 0)
            continue;
        const srp_item *it = &forms[k]->items[item_of[k]];
        if (it->type == SR_ITEM_BOOLEAN) {
            maps[k] = calloc(2, sizeof(int));
            if (!maps[k])
                return -1;
            int f = srp_stats_code_index(v, "false", srp_texts_get(SRP_T_NO, lang), 0, 1);
            int t = srp_stats_code_index(v, "true", srp_texts_get(SRP_T_YES, lang), 0, 1);
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
                maps[k][s] = srp_stats_code_index(
                    v, code, srp_text(json_object_get(it->anchors, code), lang), 0, 1);
                if (maps[k][s] < 0)
                    return -1;
            }
            continue;
        }
        maps[k] = calloc(it->option_count ? it->option_count : 1, sizeof(int));
        if (!maps[k])
            return -1;
        for (size_t o = 0; o < it->option_count; o++) {
            maps[k][o] =
                srp_stats_code_index(v, it->options[o].code, srp_text(it->options[o].label, lang),
                                     it->options[o].missing, 1);
            if (maps[k][o] < 0)
                return -1;
        }
    }
    return 0;
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

sr_status srp_stats_add_variable(srp_stats_engine *e, const char *id, sr_error *err)
{
    if (srp_grow((void **)&e->vars, &e->var_cap, e->var_count + 1, sizeof *e->vars) != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    srp_variable *v = &e->vars[e->var_count];
    memset(v, 0, sizeof *v);
    v->id = strdup(id);
    if (!v->id)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    e->var_count++;
    return SR_OK;
}

static int known(const srp_stats_engine *e, const char *id)
{
    for (size_t j = 0; j < e->var_count; j++)
        if (strcmp(e->vars[j].id, id) == 0)
            return 1;
    return 0;
}

sr_status srp_stats_build_variables(srp_stats_engine *e, sr_error *err)
{
    /* Items of the newest version first, then those only older ones have. */
    for (size_t k = e->version_count; k-- > 0;) {
        const sr_form *f = e->forms[k];
        for (size_t i = 0; i < f->item_count; i++) {
            const srp_item *it = &f->items[i];
            if (it->type == SR_ITEM_SECTION || it->type == SR_ITEM_TEXT ||
                it->type == SR_ITEM_DATE || it->identifying)
                continue; /* free text and identifiers are never summarised */
            if (known(e, it->id))
                continue;
            sr_status rc = srp_stats_add_variable(e, it->id, err);
            if (rc != SR_OK)
                return rc;
            srp_variable *v = &e->vars[e->var_count - 1];
            v->type = it->type;
            v->label = srp_text(it->label, e->lang);
            v->ordered = it->ordered;
            for (size_t m = 0; m < e->version_count; m++) {
                size_t idx = 0;
                const srp_item *other = srp_form_find_item(e->forms[m], it->id, &idx);
                v->item_of[m] = other && compatible(other, it) ? (int)idx : -1;
            }
            if (srp_stats_categorical(v->type) &&
                srp_stats_map_options(v, e->forms, e->version_count, v->item_of, v->option_map,
                                      e->lang) != 0)
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        }
    }
    if (e->repeatable) {
        sr_status rc = srp_stats_add_variable(e, "registrations_per_case", err);
        if (rc != SR_OK)
            return rc;
        srp_variable *v = &e->vars[e->var_count - 1];
        v->type = SR_ITEM_INTEGER;
        v->derived = SRP_DERIVED_PER_CASE;
        v->label = srp_texts_get(SRP_T_REGISTRATIONS_PER_CASE, e->lang);
    }
    if (e->phase == SR_PHASE_CLOSURE) {
        sr_status rc = srp_stats_add_variable(e, "days_intake_to_closure", err);
        if (rc != SR_OK)
            return rc;
        srp_variable *v = &e->vars[e->var_count - 1];
        v->type = SR_ITEM_INTEGER;
        v->derived = SRP_DERIVED_DAYS_TO_CLOSURE;
        v->label = srp_texts_get(SRP_T_DAYS_INTAKE_TO_CLOSURE, e->lang);
        e->need_intake = 1;
    }
    return SR_OK;
}

sr_status srp_stats_pair_with_intake(srp_stats_engine *e, sr_error *err)
{
    for (size_t j = 0; j < e->var_count; j++) {
        srp_variable *v = &e->vars[j];
        if (v->derived ||
            !(v->type == SR_ITEM_CHOICE || v->type == SR_ITEM_BOOLEAN || v->type == SR_ITEM_SCALE))
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
            size_t span = it->type == SR_ITEM_SCALE     ? (size_t)(it->max - it->min) + 1
                          : it->type == SR_ITEM_BOOLEAN ? 2
                                                        : it->option_count;
            int *map = calloc(span ? span : 1, sizeof(int));
            if (!map)
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            for (size_t o = 0; o < span && ok; o++) {
                char code[24];
                const char *c = code;
                if (it->type == SR_ITEM_SCALE)
                    snprintf(code, sizeof code, "%ld", (long)it->min + (long)o);
                else if (it->type == SR_ITEM_BOOLEAN)
                    c = o ? "true" : "false";
                else
                    c = it->options[o].code;
                map[o] = srp_stats_code_index(v, c, NULL, 0, 0);
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
    return SR_OK;
}
