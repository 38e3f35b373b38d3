/*
 * form_xlsform.c - sigreg-form/1 forms to XLSForm (export only): the
 * survey and choices sheets as CSV, conditions as relevance expressions.
 *
 * Export reads the parsed model (form_int.h) and the definition it was
 * parsed from. There is no import. The module must not read or write
 * files, touch a registry, or use another format's module; what it shares
 * with them is in form_interop_int.h.
 */
#include "sigreg/form_interop.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/texts.h"
#include "csv.h"
#include "form_int.h"
#include "form_interop_int.h"

/* ---- XLSForm (export only) ------------------------------------------------------------------ */

static void xls_value(srp_buf *b, const srp_item *target, const json_t *value)
{
    char num[40];
    switch (target->type) {
    case SR_ITEM_BOOLEAN:
        srp_buf_puts(b, json_is_true(value) ? "'true'" : "'false'");
        break;
    case SR_ITEM_INTEGER:
    case SR_ITEM_SCALE:
    case SR_ITEM_DECIMAL:
        srp_interop_number_text(num, sizeof num, json_number_value(value));
        srp_buf_puts(b, num);
        break;
    case SR_ITEM_DATE:
        srp_buf_printf(b, "date('%s')", json_string_value(value));
        break;
    default:
        srp_buf_printf(b, "'%s'", json_string_value(value));
        break;
    }
}

static void xls_condition(srp_buf *b, const sr_form *form, const json_t *c)
{
    json_t *all = json_object_get(c, "all"), *any = json_object_get(c, "any");
    json_t *not = json_object_get(c, "not");
    if (not ) {
        srp_buf_puts(b, "not(");
        xls_condition(b, form, not );
        srp_buf_puts(b, ")");
        return;
    }
    if (all || any) {
        size_t i;
        json_t *m;
        srp_buf_puts(b, "(");
        json_array_foreach(all ? all : any, i, m)
        {
            if (i)
                srp_buf_puts(b, all ? " and " : " or ");
            xls_condition(b, form, m);
        }
        srp_buf_puts(b, ")");
        return;
    }
    const char *id = json_string_value(json_object_get(c, "item"));
    const char *op = json_string_value(json_object_get(c, "op"));
    const srp_item *target = srp_interop_find_item(form, id);
    json_t *value = json_object_get(c, "value");
    if (!target || !op)
        return;
    if (strcmp(op, "includes") == 0)
        srp_buf_printf(b, "selected(${%s}, '%s')", id, json_string_value(value));
    else if (strcmp(op, "answered") == 0)
        srp_buf_printf(b, "${%s} != ''", id);
    else if (strcmp(op, "!=") == 0) {
        srp_buf_printf(b, "(${%s} != ", id);
        xls_value(b, target, value);
        srp_buf_printf(b, " and ${%s} != '')", id);
    } else {
        srp_buf_printf(b, "${%s} %s ", id, op);
        xls_value(b, target, value);
    }
}

/* A consent rule as the consent item's constraint: one of the answers that
 * count, or (below_age) a birth year that makes the young person old enough
 * this year, as the rule counts it (born 2007: 18 only from 2026). */
static void xls_consent(srp_buf *b, const sr_form *form, const srp_item *it, const srp_consent *c)
{
    if (b->len)
        srp_buf_puts(b, " and ");
    srp_buf_puts(b, "(");
    if (c->below_age && form->birth_year_item) {
        const char *by = form->items[form->birth_year_item - 1].id;
        srp_buf_printf(b,
                       "(${%s} != '' and int(${%s}) + %d < int(format-date(today(), '%%Y'))) or ",
                       by, by, c->below_age);
    }
    size_t k;
    json_t *g;
    json_array_foreach(c->given, k, g)
    {
        srp_buf_puts(b, k ? " or . = " : ". = ");
        xls_value(b, it, g);
    }
    srp_buf_puts(b, ")");
}

static void add_languages(json_t *langs, const json_t *text)
{
    const char *lang;
    json_t *value;
    json_object_foreach((json_t *)text, lang, value)
    {
        (void)value;
        int seen = 0;
        size_t i;
        json_t *l;
        json_array_foreach(langs, i, l) seen |= strcmp(json_string_value(l), lang) == 0;
        if (!seen)
            json_array_append_new(langs, json_string(lang));
    }
}

/* The languages a form's texts use, Swedish first, the others in the order
 * they first appear. */
static json_t *form_languages(const sr_form *form)
{
    json_t *langs = json_array();
    json_array_append_new(langs, json_string("sv"));
    add_languages(langs, form->title);
    add_languages(langs, form->description);
    for (size_t i = 0; i < form->item_count; i++) {
        const srp_item *it = &form->items[i];
        add_languages(langs, it->label);
        add_languages(langs, it->help);
        for (size_t o = 0; o < it->option_count; o++)
            add_languages(langs, it->options[o].label);
        const char *key;
        json_t *anchor;
        json_object_foreach(it->anchors, key, anchor) add_languages(langs, anchor);
    }
    return langs;
}

static const char *language_name(const char *lang)
{
    static const char *const names[][2] = {
        {"sv", "Svenska"},  {"en", "English"}, {"fi", "Suomi"},
        {"ar", "Arabic"},   {"so", "Somali"},  {"fa", "Farsi"},
        {"ti", "Tigrinya"}, {"es", "Español"}, {"de", "Deutsch"}};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(lang, names[k][0]) == 0)
            return names[k][1];
    return lang;
}

sr_status sr_form_export_xlsform(const sr_form *form, char **survey, char **choices, sr_error *err)
{
    srp_buf s = SRP_BUF_INIT, c = SRP_BUF_INIT, cell = SRP_BUF_INIT;
    json_t *langs = form_languages(form);
    size_t nl = json_array_size(langs);
    char col[64];
    *survey = *choices = NULL;
    srp_csv_put_field(&s, "type", 1);
    srp_csv_put_field(&s, "name", 0);
    for (int k = 0; k < 2; k++)
        for (size_t l = 0; l < nl; l++) {
            const char *lang = json_string_value(json_array_get(langs, l));
            snprintf(col, sizeof col, "%s::%s (%s)", k ? "hint" : "label", language_name(lang),
                     lang);
            srp_csv_put_field(&s, col, 0);
        }
    const char *const tail[] = {"required", "relevant", "constraint"};
    for (size_t k = 0; k < 3; k++)
        srp_csv_put_field(&s, tail[k], 0);
    for (size_t l = 0; l < nl; l++) {
        const char *lang = json_string_value(json_array_get(langs, l));
        snprintf(col, sizeof col, "constraint_message::%s (%s)", language_name(lang), lang);
        srp_csv_put_field(&s, col, 0);
    }
    /* XLSForm's parameters, then sigreg's own columns, which XLSForm tools
     * ignore: the derived birth year and the earlier answer shown beside
     * an item have no place there. */
    const char *const last[] = {"parameters", "sigreg_derived", "sigreg_show_from"};
    for (size_t k = 0; k < 3; k++)
        srp_csv_put_field(&s, last[k], 0);
    srp_csv_end_row(&s);
    srp_csv_put_field(&c, "list_name", 1);
    srp_csv_put_field(&c, "name", 0);
    for (size_t l = 0; l < nl; l++) {
        const char *lang = json_string_value(json_array_get(langs, l));
        snprintf(col, sizeof col, "label::%s (%s)", language_name(lang), lang);
        srp_csv_put_field(&c, col, 0);
    }
    srp_csv_put_field(&c, "missing", 0);
    srp_csv_end_row(&c);
    int booleans = 0, in_group = 0;
    for (size_t i = 0; i < form->item_count; i++) {
        const srp_item *it = &form->items[i];
        json_t *item = json_array_get(json_object_get(form->root, "items"), i);
        char num[40];
        if (it->type == SR_ITEM_SECTION && in_group) {
            srp_csv_put_field(&s, "end_group", 1);
            for (size_t k = 0; k < 3 * nl + 7; k++)
                srp_csv_put_field(&s, "", 0);
            srp_csv_end_row(&s);
        }
        srp_buf_free(&cell);
        switch (it->type) {
        case SR_ITEM_SECTION:
            srp_buf_puts(&cell, "begin_group");
            in_group = 1;
            break;
        case SR_ITEM_BOOLEAN:
            srp_buf_puts(&cell, "select_one boolean");
            booleans = 1;
            break;
        case SR_ITEM_CHOICE:
            srp_buf_printf(&cell, "select_one %s", it->id);
            break;
        case SR_ITEM_MULTICHOICE:
            srp_buf_printf(&cell, "select_multiple %s", it->id);
            break;
        case SR_ITEM_SCALE:
            srp_buf_puts(&cell, "range");
            break;
        default:
            srp_buf_puts(&cell, sr_item_type_name(it->type));
            break;
        }
        srp_csv_put_field(&s, srp_buf_text(&cell), 1);
        srp_csv_put_field(&s, it->id, 0);
        for (size_t l = 0; l < nl; l++) {
            const char *t =
                srp_interop_lang_text(it->label, json_string_value(json_array_get(langs, l)));
            srp_csv_put_field(&s, t ? t : "", 0);
        }
        for (size_t l = 0; l < nl; l++) {
            const char *lang = json_string_value(json_array_get(langs, l));
            const char *t = srp_interop_lang_text(it->help, lang);
            srp_buf_free(&cell);
            srp_buf_puts(&cell, t ? t : "");
            /* A range shows no anchors: they go in the hint. */
            const char *value;
            json_t *text;
            json_object_foreach(json_object_get(item, "anchors"), value, text)
            {
                const char *a = srp_interop_lang_text(text, lang);
                if (a)
                    srp_buf_printf(&cell, "%s%s = %s", cell.len ? "; " : "", value, a);
            }
            srp_csv_put_field(&s, srp_buf_text(&cell), 0);
        }
        srp_csv_put_field(&s, it->required ? "yes" : "", 0);
        srp_buf_free(&cell);
        if (it->condition)
            xls_condition(&cell, form, it->condition);
        srp_csv_put_field(&s, srp_buf_text(&cell), 0);
        srp_buf_free(&cell);
        const char *bounds_of[2] = {">=", "<="};
        for (int k = 0; k < 2; k++) {
            int has = k ? it->has_max : it->has_min;
            const char *d = k ? it->max_date : it->min_date;
            if (it->type == SR_ITEM_DATE && d) {
                srp_buf_printf(&cell, "%s. %s ", cell.len ? " and " : "", bounds_of[k]);
                if (strcmp(d, "today") == 0)
                    srp_buf_puts(&cell, "today()");
                else
                    srp_buf_printf(&cell, "date('%s')", d);
            } else if (has && it->type != SR_ITEM_SCALE) {
                srp_interop_number_text(num, sizeof num, k ? it->max : it->min);
                srp_buf_printf(&cell, "%s. %s %s", cell.len ? " and " : "", bounds_of[k], num);
            }
        }
        if (it->type == SR_ITEM_DECIMAL && it->decimals >= 0)
            srp_buf_printf(&cell, "%sround(., %d) = .", cell.len ? " and " : "", it->decimals);
        if (it->type == SR_ITEM_MULTICHOICE && it->min_selected > 0)
            srp_buf_printf(&cell, "%scount-selected(.) >= %zu", cell.len ? " and " : "",
                           it->min_selected);
        if (it->type == SR_ITEM_MULTICHOICE && it->max_selected < it->option_count)
            srp_buf_printf(&cell, "%scount-selected(.) <= %zu", cell.len ? " and " : "",
                           it->max_selected);
        if (it->type == SR_ITEM_TEXT)
            srp_buf_printf(&cell, "string-length(.) <= %zu", it->max_length);
        const srp_consent *consent = srp_interop_consent_of(form, i);
        if (consent)
            xls_consent(&cell, form, it, consent);
        srp_csv_put_field(&s, srp_buf_text(&cell), 0);
        for (size_t l = 0; l < nl; l++) {
            const char *t = consent
                                ? srp_interop_lang_text(consent->explanation,
                                                        json_string_value(json_array_get(langs, l)))
                                : NULL;
            srp_csv_put_field(&s, t ? t : "", 0);
        }
        srp_buf_free(&cell);
        if (it->type == SR_ITEM_SCALE)
            srp_buf_printf(&cell, "start=%.0f end=%.0f step=1", it->min, it->max);
        srp_csv_put_field(&s, srp_buf_text(&cell), 0);
        srp_csv_put_field(&s, it->derived_birth_year ? "birth_year" : "", 0);
        srp_buf_free(&cell);
        if (it->show_from_form)
            srp_buf_printf(&cell, "%s/%s", it->show_from_form, it->show_from_item);
        srp_csv_put_field(&s, srp_buf_text(&cell), 0);
        srp_csv_end_row(&s);
        for (size_t o = 0; o < it->option_count; o++) {
            srp_csv_put_field(&c, it->id, 1);
            srp_csv_put_field(&c, it->options[o].code, 0);
            for (size_t l = 0; l < nl; l++) {
                const char *t = srp_interop_lang_text(it->options[o].label,
                                                      json_string_value(json_array_get(langs, l)));
                srp_csv_put_field(&c, t ? t : "", 0);
            }
            srp_csv_put_field(&c, it->options[o].missing ? "yes" : "", 0);
            srp_csv_end_row(&c);
        }
    }
    if (in_group) {
        srp_csv_put_field(&s, "end_group", 1);
        for (size_t k = 0; k < 3 * nl + 7; k++)
            srp_csv_put_field(&s, "", 0);
        srp_csv_end_row(&s);
    }
    if (booleans) {
        for (int v = 0; v < 2; v++) {
            srp_csv_put_field(&c, "boolean", 1);
            srp_csv_put_field(&c, v ? "false" : "true", 0);
            for (size_t l = 0; l < nl; l++) {
                const char *lang = json_string_value(json_array_get(langs, l));
                srp_csv_put_field(&c, srp_texts_get(v ? SRP_T_NO : SRP_T_YES, lang), 0);
            }
            srp_csv_put_field(&c, "", 0);
            srp_csv_end_row(&c);
        }
    }
    json_decref(langs);
    srp_buf_free(&cell);
    if (s.oom || c.oom) {
        srp_buf_free(&s);
        srp_buf_free(&c);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    *survey = srp_buf_take(&s);
    *choices = srp_buf_take(&c);
    return SR_OK;
}
