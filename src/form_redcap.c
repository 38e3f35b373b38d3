/*
 * form_redcap.c - sigreg-form/1 forms to and from the REDCap data
 * dictionary (CSV): action tags, branching logic written and read, export
 * and import.
 *
 * Export reads the parsed model (form_int.h) and the definition it was
 * parsed from. Import builds a sigreg-form/1 document with jansson and
 * leaves its validation to the form parser; what the parser cannot see
 * (a REDCap construct with no place in sigreg-form/1) is refused here,
 * every one listed with the field it is in. The module must not read or
 * write files, touch a registry, or use another format's module; what it
 * shares with them is in form_interop_int.h.
 */
#include "sigreg/form_interop.h"
#include "sigreg/limits.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/names.h"
#include "base/texts.h"
#include "base/timeutil.h"
#include "csv.h"
#include "form_int.h"
#include "form_interop_int.h"

/* ---- REDCap: action tags --------------------------------------------------------------------- */

static const char *const redcap_columns[] = {"Variable / Field Name",
                                             "Form Name",
                                             "Section Header",
                                             "Field Type",
                                             "Field Label",
                                             "Choices, Calculations, OR Slider Labels",
                                             "Field Note",
                                             "Text Validation Type OR Show Slider Number",
                                             "Text Validation Min",
                                             "Text Validation Max",
                                             "Identifier?",
                                             "Branching Logic (Show field only if...)",
                                             "Required Field?",
                                             "Custom Alignment",
                                             "Question Number (surveys only)",
                                             "Matrix Group Name",
                                             "Matrix Ranking?",
                                             "Field Annotation"};
/* The same columns as the REDCap API's metadata export names them. */
static const char *const redcap_api_columns[] = {
    "field_name",          "form_name",
    "section_header",      "field_type",
    "field_label",         "select_choices_or_calculations",
    "field_note",          "text_validation_type_or_show_slider_number",
    "text_validation_min", "text_validation_max",
    "identifier",          "branching_logic",
    "required_field",      "custom_alignment",
    "question_number",     "matrix_group_name",
    "matrix_ranking",      "field_annotation"};
enum {
    RC_VAR,
    RC_FORM,
    RC_SECTION,
    RC_TYPE,
    RC_LABEL,
    RC_CHOICES,
    RC_NOTE,
    RC_VALIDATION,
    RC_MIN,
    RC_MAX,
    RC_IDENTIFIER,
    RC_BRANCHING,
    RC_REQUIRED,
    RC_ALIGNMENT,
    RC_QUESTION_NUMBER,
    RC_MATRIX_GROUP,
    RC_MATRIX_RANKING,
    RC_ANNOTATION,
    RC_COLUMNS
};

static void tag_flag(srp_buf *b, const char *name)
{
    if (b->len)
        srp_buf_puts(b, " ");
    srp_buf_puts(b, name);
}

static void tag_number(srp_buf *b, const char *name, long long v)
{
    if (b->len)
        srp_buf_puts(b, " ");
    srp_buf_printf(b, "%s=%lld", name, v);
}

/* NAME='json', with every ' inside the JSON written as \u0027 (which only
 * strings can hold, so the JSON means the same). */
static void tag_json(srp_buf *b, const char *name, const json_t *value)
{
    char *s = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
    if (!s) {
        b->oom = 1;
        return;
    }
    if (b->len)
        srp_buf_puts(b, " ");
    srp_buf_printf(b, "%s='", name);
    for (const char *p = s; *p; p++)
        if (*p == '\'')
            srp_buf_puts(b, "\\u0027");
        else
            srp_buf_put(b, p, 1);
    srp_buf_puts(b, "'");
    free(s);
}

typedef struct rc_tag {
    char name[64];
    char *value; /* NULL for a flag */
} rc_tag;

typedef struct rc_tags {
    rc_tag *tags;
    size_t count, cap;
} rc_tags;

static void tags_release(rc_tags *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->tags[i].value);
    free(t->tags);
    memset(t, 0, sizeof *t);
}

/* Splits a Field Annotation into its action tags (@NAME, @NAME=value,
 * @NAME='value' or @NAME="value"); other words are notes and are skipped. */
static int tags_parse(const char *s, rc_tags *t)
{
    memset(t, 0, sizeof *t);
    size_t i = 0, n = strlen(s);
    while (i < n) {
        if (isspace((unsigned char)s[i])) {
            i++;
            continue;
        }
        if (s[i] != '@' || (i > 0 && !isspace((unsigned char)s[i - 1]))) {
            while (i < n && !isspace((unsigned char)s[i]))
                i++;
            continue;
        }
        size_t start = ++i;
        while (i < n && (isupper((unsigned char)s[i]) || isdigit((unsigned char)s[i]) ||
                         s[i] == '-' || s[i] == '_'))
            i++;
        if (i == start)
            continue;
        void *tags = t->tags;
        if (srp_grow(&tags, &t->cap, t->count + 1, sizeof *t->tags) != 0)
            return -1;
        t->tags = tags;
        rc_tag *tag = &t->tags[t->count++];
        snprintf(tag->name, sizeof tag->name, "@%.*s", (int)(i - start), s + start);
        tag->value = NULL;
        if (i < n && s[i] == '=') {
            i++;
            size_t vstart = i, vend;
            if (i < n && (s[i] == '\'' || s[i] == '"')) {
                char q = s[i++];
                vstart = i;
                while (i < n && s[i] != q)
                    i++;
                vend = i;
                if (i < n)
                    i++;
            } else {
                while (i < n && !isspace((unsigned char)s[i]))
                    i++;
                vend = i;
            }
            tag->value = strndup(s + vstart, vend - vstart);
            if (!tag->value)
                return -1;
        }
    }
    return 0;
}

static const rc_tag *tag_find(const rc_tags *t, const char *name)
{
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->tags[i].name, name) == 0)
            return &t->tags[i];
    return NULL;
}

/* ---- REDCap: branching logic, written ------------------------------------------------------- */

/* A value in branching logic. REDCap's guides quote every value except a
 * number compared with < or >; quoted is 0 only there. */
static void rc_value(srp_buf *b, const srp_item *target, const json_t *value, int quoted,
                     sr_error *err)
{
    char num[40];
    switch (target->type) {
    case SR_ITEM_BOOLEAN:
        srp_buf_puts(b, json_is_true(value) ? "'1'" : "'0'");
        break;
    case SR_ITEM_INTEGER:
    case SR_ITEM_SCALE:
    case SR_ITEM_DECIMAL:
        srp_interop_number_text(num, sizeof num, json_number_value(value));
        srp_buf_printf(b, quoted ? "'%s'" : "%s", num);
        break;
    default: {
        const char *s = json_string_value(value);
        if (strchr(s, '\'') && strchr(s, '"')) {
            srp_error_set_where(err, SR_ERR_INVALID, target->id,
                                "a condition on '%s' compares with a text holding both kinds "
                                "of quotes, which REDCap cannot write",
                                target->id);
            return;
        }
        char q = strchr(s, '\'') ? '"' : '\'';
        srp_buf_printf(b, "%c%s%c", q, s, q);
    }
    }
}

static void rc_condition(srp_buf *b, const sr_form *form, const json_t *c, int neg, int top,
                         sr_error *err)
{
    json_t *all = json_object_get(c, "all"), *any = json_object_get(c, "any");
    json_t *not = json_object_get(c, "not");
    if (not ) {
        rc_condition(b, form, not, !neg, top, err);
        return;
    }
    if (all || any) {
        json_t *list = all ? all : any;
        const char *joiner = (all != NULL) != (neg != 0) ? " and " : " or ";
        if (json_array_size(list) == 1) {
            rc_condition(b, form, json_array_get(list, 0), neg, top, err);
            return;
        }
        if (!top)
            srp_buf_puts(b, "(");
        size_t i;
        json_t *member;
        json_array_foreach(list, i, member)
        {
            if (i)
                srp_buf_puts(b, joiner);
            rc_condition(b, form, member, neg, 0, err);
        }
        if (!top)
            srp_buf_puts(b, ")");
        return;
    }
    const char *id = json_string_value(json_object_get(c, "item"));
    const char *op = json_string_value(json_object_get(c, "op"));
    json_t *value = json_object_get(c, "value");
    const srp_item *target = srp_interop_find_item(form, id);
    if (!target || !op)
        return;
    if (strcmp(op, "includes") == 0) {
        srp_buf_printf(b, "[%s(%s)] = '%s'", id, json_string_value(value), neg ? "0" : "1");
        return;
    }
    if (strcmp(op, "answered") == 0) {
        if (target->type == SR_ITEM_MULTICHOICE) {
            /* A checkbox field has no blank of its own: one of its boxes is ticked. */
            srp_buf_puts(b, target->option_count > 1 && !top ? "(" : "");
            for (size_t o = 0; o < target->option_count; o++)
                srp_buf_printf(b, "%s[%s(%s)] = '%s'", o ? (neg ? " and " : " or ") : "", id,
                               target->options[o].code, neg ? "0" : "1");
            srp_buf_puts(b, target->option_count > 1 && !top ? ")" : "");
        } else {
            srp_buf_printf(b, "[%s] %s ''", id, neg ? "=" : "<>");
        }
        return;
    }
    /* x = v is false on a blank, as in sigreg; x <> v is true on a blank,
     * so sigreg's != (false on an unanswered item) adds "x <> ''". How
     * REDCap compares a blank with < is not written down, so an ordering
     * says "x <> ''" too, and its negation "or x = ''": exact either way. */
    int ordering = strcmp(op, "=") != 0 && strcmp(op, "!=") != 0;
    if (!neg && strcmp(op, "=") == 0) {
        srp_buf_printf(b, "[%s] = ", id);
        rc_value(b, target, value, 1, err);
    } else if (neg && strcmp(op, "=") == 0) {
        srp_buf_printf(b, "[%s] <> ", id);
        rc_value(b, target, value, 1, err);
    } else if (!neg) { /* != and the orderings */
        if (ordering)
            srp_buf_printf(b, "%s[%s] <> '' and [%s] %s ", top ? "" : "(", id, id, op);
        else
            srp_buf_printf(b, "%s[%s] <> ", top ? "" : "(", id);
        rc_value(b, target, value, !ordering, err);
        if (ordering)
            srp_buf_puts(b, top ? "" : ")");
        else
            srp_buf_printf(b, " and [%s] <> ''%s", id, top ? "" : ")");
    } else { /* not (x op v) with op one of != < <= > >=: blank, or the opposite */
        const char *opposite = srp_interop_negated_op(op);
        int opposite_orders = strcmp(opposite, "=") != 0;
        srp_buf_printf(b, "%s[%s] %s ", top ? "" : "(", id, opposite);
        rc_value(b, target, value, !opposite_orders, err);
        srp_buf_printf(b, " or [%s] = ''%s", id, top ? "" : ")");
    }
}

/* ---- REDCap: export ------------------------------------------------------------------------- */

typedef struct rc_row {
    srp_buf cell[RC_COLUMNS];
} rc_row;

static void row_put(srp_buf *out, rc_row *row)
{
    for (int c = 0; c < RC_COLUMNS; c++) {
        srp_csv_put_field(out, srp_buf_text(&row->cell[c]), c == 0);
        srp_buf_free(&row->cell[c]);
    }
    srp_csv_end_row(out);
}

/* The texts of an item in every language but Swedish, for @SIGREG-LANG. */
static json_t *other_languages(const srp_item *it, const json_t *item)
{
    json_t *langs = json_object();
    const json_t *texts[] = {it->label, it->help};
    const char *names[] = {"label", "help"};
    for (int k = 0; k < 2; k++) {
        const char *lang;
        json_t *s;
        if (!json_is_object(texts[k]))
            continue;
        json_object_foreach((json_t *)texts[k], lang, s)
        {
            if (strcmp(lang, "sv") == 0)
                continue;
            json_t *l = json_object_get(langs, lang);
            if (!l)
                json_object_set_new(langs, lang, l = json_object());
            json_object_set(l, names[k], s);
        }
    }
    for (size_t o = 0; o < it->option_count; o++) {
        const char *lang;
        json_t *s;
        if (!json_is_object(it->options[o].label))
            continue;
        json_object_foreach(it->options[o].label, lang, s)
        {
            if (strcmp(lang, "sv") == 0)
                continue;
            json_t *l = json_object_get(langs, lang);
            if (!l)
                json_object_set_new(langs, lang, l = json_object());
            json_t *opts = json_object_get(l, "options");
            if (!opts)
                json_object_set_new(l, "options", opts = json_object());
            json_object_set(opts, it->options[o].code, s);
        }
    }
    const char *value;
    json_t *anchor;
    json_object_foreach(json_object_get(item, "anchors"), value, anchor)
    {
        const char *lang;
        json_t *s;
        if (!json_is_object(anchor))
            continue;
        json_object_foreach(anchor, lang, s)
        {
            if (strcmp(lang, "sv") == 0)
                continue;
            json_t *l = json_object_get(langs, lang);
            if (!l)
                json_object_set_new(langs, lang, l = json_object());
            json_t *a = json_object_get(l, "anchors");
            if (!a)
                json_object_set_new(l, "anchors", a = json_object());
            json_object_set(a, value, s);
        }
    }
    return langs;
}

/* The anchor text of a scale value in Swedish, or "". */
static const char *anchor_sv(const json_t *item, long value)
{
    char key[24];
    snprintf(key, sizeof key, "%ld", value);
    const char *s =
        srp_interop_lang_text(json_object_get(json_object_get(item, "anchors"), key), "sv");
    return s ? s : "";
}

/* Whether every anchor sits on the left end, the middle or the right end. */
static int anchors_fit_slider(const srp_item *it, const json_t *item)
{
    long lo = (long)it->min, hi = (long)it->max;
    const char *key;
    json_t *text;
    json_object_foreach(json_object_get(item, "anchors"), key, text)
    {
        long v = strtol(key, NULL, 10);
        if (v != lo && v != hi && !((lo + hi) % 2 == 0 && v == (lo + hi) / 2))
            return 0;
        if (strchr(srp_interop_lang_text(text, "sv") ? srp_interop_lang_text(text, "sv") : "", '|'))
            return 0;
    }
    return 1;
}

static void rc_bound(srp_buf *cell, const srp_item *it, int is_max)
{
    char num[40];
    if (it->type == SR_ITEM_DATE) {
        const char *d = is_max ? it->max_date : it->min_date;
        if (d)
            srp_buf_puts(cell, d);
        return;
    }
    if (is_max ? it->has_max : it->has_min) {
        srp_interop_number_text(num, sizeof num, is_max ? it->max : it->min);
        srp_buf_puts(cell, num);
    }
}

sr_status sr_form_export_redcap(const sr_form *form, char **out, sr_error *caller_err)
{
    sr_status rc = SR_OK;
    sr_error local, *err = caller_err ? caller_err : &local;
    sr_error_clear(&local);
    srp_buf csv = SRP_BUF_INIT;
    rc_row row;
    json_t *items = json_object_get(form->root, "items");
    char form_name[SR_FORM_ID_MAX + 1];
    *out = NULL;
    memset(&row, 0, sizeof row);
    srp_interop_redcap_form_name(form->id, form_name, sizeof form_name);
    for (int c = 0; c < RC_COLUMNS; c++)
        srp_csv_put_field(&csv, redcap_columns[c], c == 0);
    srp_csv_end_row(&csv);

    /* REDCap's first field is the record id; sigreg's case code takes its
     * place, and the row carries what the form says as a whole. */
    const char *record_id =
        srp_interop_find_item(form, "record_id") ? "sigreg_record_id" : "record_id";
    srp_buf_puts(&row.cell[RC_VAR], record_id);
    srp_buf_puts(&row.cell[RC_FORM], form_name);
    srp_buf_puts(&row.cell[RC_TYPE], "text");
    srp_buf_puts(&row.cell[RC_LABEL], "Record ID");
    json_t *doc = json_deep_copy(form->root);
    json_object_del(doc, "items");
    json_object_del(doc, "format");
    json_object_del(doc, "consent"); /* each rule goes beside its item */
    tag_json(&row.cell[RC_ANNOTATION], "@SIGREG-FORM", doc);
    json_decref(doc);
    row_put(&csv, &row);

    const srp_item *pending = NULL; /* a section whose heading goes on the next field */
    for (size_t i = 0; i < form->item_count && rc == SR_OK; i++) {
        const srp_item *it = &form->items[i];
        json_t *item = json_array_get(items, i);
        if (it->type == SR_ITEM_SECTION && srp_interop_lang_text(it->label, "sv") &&
            i + 1 < form->item_count && form->items[i + 1].type != SR_ITEM_SECTION) {
            pending = it;
            continue;
        }
        srp_buf *ann = &row.cell[RC_ANNOTATION];
        srp_buf_puts(&row.cell[RC_VAR], it->id);
        srp_buf_puts(&row.cell[RC_FORM], form_name);
        if (pending) {
            srp_buf_puts(&row.cell[RC_SECTION], srp_interop_lang_text(pending->label, "sv"));
            json_t *sec = json_deep_copy(json_array_get(items, (size_t)(pending - form->items)));
            json_object_del(sec, "type");
            tag_json(ann, "@SIGREG-SECTION", sec);
            json_decref(sec);
            pending = NULL;
        }
        const char *label = srp_interop_lang_text(it->label, "sv");
        srp_buf_puts(&row.cell[RC_LABEL], label ? label : "");
        if (it->help)
            srp_buf_puts(&row.cell[RC_NOTE], srp_interop_lang_text(it->help, "sv"));
        switch (it->type) {
        case SR_ITEM_SECTION:
            srp_buf_puts(&row.cell[RC_TYPE], "descriptive");
            break;
        case SR_ITEM_BOOLEAN:
            srp_buf_puts(&row.cell[RC_TYPE], "yesno");
            break;
        case SR_ITEM_CHOICE:
        case SR_ITEM_MULTICHOICE: {
            srp_buf_puts(&row.cell[RC_TYPE], it->type == SR_ITEM_CHOICE ? "radio" : "checkbox");
            srp_buf missing = SRP_BUF_INIT;
            for (size_t o = 0; o < it->option_count; o++) {
                const char *ol = srp_interop_lang_text(it->options[o].label, "sv");
                if (strchr(ol, '|') || strchr(ol, '\n')) {
                    rc = srp_error_set_where(err, SR_ERR_INVALID, it->id,
                                             "option '%s' of item '%s' has a '|' or a line "
                                             "break in its label, which REDCap cannot write",
                                             it->options[o].code, it->id);
                    break;
                }
                srp_buf_printf(&row.cell[RC_CHOICES], "%s%s, %s", o ? " | " : "",
                               it->options[o].code, ol);
                if (it->options[o].missing)
                    srp_buf_printf(&missing, "%s%s", missing.len ? "," : "", it->options[o].code);
            }
            if (missing.len) {
                if (ann->len)
                    srp_buf_puts(ann, " ");
                srp_buf_printf(ann, "@SIGREG-MISSING='%s'", srp_buf_text(&missing));
            }
            srp_buf_free(&missing);
            if (it->ordered)
                tag_flag(ann, "@SIGREG-ORDERED");
            if (it->type == SR_ITEM_MULTICHOICE && it->min_selected > 0)
                tag_number(ann, "@SIGREG-MIN-SELECTED", (long long)it->min_selected);
            if (it->type == SR_ITEM_MULTICHOICE && it->max_selected < it->option_count)
                tag_number(ann, "@SIGREG-MAX-SELECTED", (long long)it->max_selected);
            break;
        }
        case SR_ITEM_INTEGER:
        case SR_ITEM_DECIMAL:
        case SR_ITEM_DATE:
            srp_buf_puts(&row.cell[RC_TYPE], "text");
            srp_buf_puts(&row.cell[RC_VALIDATION], it->type == SR_ITEM_INTEGER   ? "integer"
                                                   : it->type == SR_ITEM_DECIMAL ? "number"
                                                                                 : "date_ymd");
            rc_bound(&row.cell[RC_MIN], it, 0);
            rc_bound(&row.cell[RC_MAX], it, 1);
            if (it->type == SR_ITEM_DECIMAL && it->decimals >= 0)
                tag_number(ann, "@SIGREG-DECIMALS", it->decimals);
            break;
        case SR_ITEM_SCALE: {
            long lo = (long)it->min, hi = (long)it->max;
            srp_buf_puts(&row.cell[RC_TYPE], "slider");
            srp_buf_puts(&row.cell[RC_VALIDATION], "number");
            rc_bound(&row.cell[RC_MIN], it, 0);
            rc_bound(&row.cell[RC_MAX], it, 1);
            if (!anchors_fit_slider(it, item)) {
                tag_json(ann, "@SIGREG-ANCHORS", json_object_get(item, "anchors"));
            } else if (it->anchors && json_object_size(it->anchors)) {
                const char *mid =
                    (lo + hi) % 2 == 0 && hi > lo + 1 ? anchor_sv(item, (lo + hi) / 2) : "";
                srp_buf_printf(&row.cell[RC_CHOICES], "%s | %s | %s", anchor_sv(item, lo), mid,
                               anchor_sv(item, hi));
            }
            break;
        }
        case SR_ITEM_TEXT:
            srp_buf_puts(&row.cell[RC_TYPE], "notes");
            tag_number(ann, "@CHARLIMIT", (long long)it->max_length);
            break;
        default:
            break;
        }
        if (it->identifying)
            srp_buf_puts(&row.cell[RC_IDENTIFIER], "y");
        if (it->required)
            srp_buf_puts(&row.cell[RC_REQUIRED], "y");
        if (it->quasi_identifier)
            tag_flag(ann, "@SIGREG-QUASI-IDENTIFIER");
        /* REDCap has no place for these three: sigreg's own tags. */
        if (it->derived_birth_year) {
            if (ann->len)
                srp_buf_puts(ann, " ");
            srp_buf_puts(ann, "@SIGREG-DERIVED='birth_year'");
        }
        if (it->show_from_form) {
            json_t *from =
                json_pack("{ssss}", "form", it->show_from_form, "item", it->show_from_item);
            tag_json(ann, "@SIGREG-SHOW-FROM", from);
            json_decref(from);
        }
        const srp_consent *consent = srp_interop_consent_of(form, i);
        if (consent) {
            json_t *rule =
                json_pack("{sOsO}", "given", consent->given, "explanation", consent->explanation);
            if (consent->below_age)
                json_object_set_new(rule, "below_age", json_integer(consent->below_age));
            tag_json(ann, "@SIGREG-CONSENT", rule);
            json_decref(rule);
        }
        if (it->condition)
            rc_condition(&row.cell[RC_BRANCHING], form, it->condition, 0, 1, err);
        json_t *langs = other_languages(it, item);
        if (json_object_size(langs))
            tag_json(ann, "@SIGREG-LANG", langs);
        json_decref(langs);
        json_t *extra = srp_interop_extra_keys(it, item);
        if (json_object_size(extra))
            tag_json(ann, "@SIGREG-EXTRA", extra);
        json_decref(extra);
        row_put(&csv, &row);
        if (err->status != SR_OK && rc == SR_OK)
            rc = err->status;
    }
    for (int c = 0; c < RC_COLUMNS; c++)
        srp_buf_free(&row.cell[c]);
    if (rc == SR_OK && csv.oom)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK)
        *out = srp_buf_take(&csv);
    srp_buf_free(&csv);
    return rc;
}

/* ---- REDCap: branching logic, read ---------------------------------------------------------- */

typedef struct rc_parser {
    const char *s;
    size_t i;
    const char *field;  /* the variable whose logic this is */
    json_t *items;      /* the items so far, which a condition may name */
    const srp_csv *csv; /* to tell a later field from an unknown one */
    int var_col, form_col;
    const char *instrument;
    srp_interop_problems *p;
    int failed;
} rc_parser;

static void rp_space(rc_parser *r)
{
    while (isspace((unsigned char)r->s[r->i]))
        r->i++;
}

static void rp_fail(rc_parser *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rp_fail(rc_parser *r, const char *fmt, ...)
{
    if (r->failed)
        return;
    char message[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    srp_interop_problem(r->p, r->field, "field '%s': branching logic: %s", r->field, message);
    r->failed = 1;
}

static int rp_word(rc_parser *r, const char *word)
{
    rp_space(r);
    size_t n = strlen(word);
    if (strncasecmp(r->s + r->i, word, n) == 0 && !isalnum((unsigned char)r->s[r->i + n]) &&
        r->s[r->i + n] != '_') {
        r->i += n;
        return 1;
    }
    return 0;
}

static int field_is_later(const rc_parser *r, const char *name)
{
    for (size_t k = 1; k < r->csv->count; k++) {
        const srp_csv_row *row = &r->csv->rows[k];
        if ((size_t)r->var_col < row->count && (size_t)r->form_col < row->count &&
            strcmp(row->fields[r->var_col], name) == 0 &&
            strcmp(row->fields[r->form_col], r->instrument) == 0)
            return 1;
    }
    return 0;
}

static json_t *rp_or(rc_parser *r, int depth);

/* A literal: 'text', "text" or a number; *quoted tells which. */
static char *rp_literal(rc_parser *r, int *quoted)
{
    rp_space(r);
    char c = r->s[r->i];
    if (c == '\'' || c == '"') {
        size_t start = ++r->i;
        while (r->s[r->i] && r->s[r->i] != c)
            r->i++;
        if (!r->s[r->i]) {
            rp_fail(r, "a quote is not closed");
            return NULL;
        }
        *quoted = 1;
        return strndup(r->s + start, r->i++ - start);
    }
    size_t start = r->i;
    if (r->s[r->i] == '-' || r->s[r->i] == '+')
        r->i++;
    while (isdigit((unsigned char)r->s[r->i]) || r->s[r->i] == '.')
        r->i++;
    if (r->i == start) {
        rp_fail(r, "expected a value at '%.20s'", r->s + start);
        return NULL;
    }
    *quoted = 0;
    return strndup(r->s + start, r->i - start);
}

static json_t *rp_number(rc_parser *r, const char *text, int integral)
{
    char *end = NULL;
    if (integral) {
        long long v = strtoll(text, &end, 10);
        if (*text && !*end)
            return json_integer(v);
    } else {
        double v = strtod(text, &end);
        if (*text && !*end)
            return json_real(v);
    }
    rp_fail(r, "'%s' is not %s", text, integral ? "a whole number" : "a number");
    return NULL;
}

static json_t *rp_comparison(rc_parser *r)
{
    rp_space(r);
    if (r->s[r->i] != '[') {
        size_t start = r->i;
        while (isalnum((unsigned char)r->s[r->i]) || r->s[r->i] == '_')
            r->i++;
        rp_space(r);
        if (r->i > start && r->s[r->i] == '(')
            rp_fail(r, "the function '%.*s' cannot be expressed", (int)(r->i - start),
                    r->s + start);
        else
            rp_fail(r, "expected a [field] at '%.20s'", r->s + start);
        return NULL;
    }
    size_t start = ++r->i;
    while (r->s[r->i] && r->s[r->i] != ']' && r->s[r->i] != '(')
        r->i++;
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(r->i - start), r->s + start);
    char code[128] = "";
    int has_code = 0;
    if (r->s[r->i] == '(') {
        size_t cs = ++r->i;
        while (r->s[r->i] && r->s[r->i] != ')')
            r->i++;
        snprintf(code, sizeof code, "%.*s", (int)(r->i - cs), r->s + cs);
        has_code = 1;
        if (r->s[r->i] == ')')
            r->i++;
    }
    if (r->s[r->i] != ']') {
        rp_fail(r, "a [field] is not closed");
        return NULL;
    }
    r->i++;
    if (r->s[r->i] == '[') {
        rp_fail(r, "'[%s][...]' names a field of another event, which a sigreg form cannot", name);
        return NULL;
    }
    if (strchr(name, ':') || strchr(name, '-')) {
        rp_fail(r, "the smart variable '[%s]' cannot be expressed", name);
        return NULL;
    }
    json_t *target = srp_interop_built_item(r->items, name);
    if (!target) {
        if (field_is_later(r, name))
            rp_fail(r,
                    "names the field '%s', which does not come before it: a sigreg "
                    "condition may name only earlier items",
                    name);
        else
            rp_fail(r, "names the unknown field '%s'", name);
        return NULL;
    }
    rp_space(r);
    const char *ops[] = {"<>", "!=", "<=", ">=", "=", "<", ">"};
    const char *op = NULL;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (strncmp(r->s + r->i, ops[k], strlen(ops[k])) == 0) {
            op = ops[k];
            r->i += strlen(ops[k]);
            break;
        }
    if (!op) {
        rp_fail(r, "expected a comparison after '[%s]'", name);
        return NULL;
    }
    int quoted = 0;
    char *lit = rp_literal(r, &quoted);
    if (!lit)
        return NULL;
    int ne = strcmp(op, "<>") == 0 || strcmp(op, "!=") == 0;
    int eq = strcmp(op, "=") == 0;
    const char *type = srp_interop_built_type(target);
    json_t *out = NULL;
    if (strcmp(type, "multichoice") == 0) {
        if (!has_code)
            rp_fail(r,
                    "the checkbox field '%s' is compared as a whole; compare one of its "
                    "boxes, as [%s(code)]",
                    name, name);
        else if (!srp_interop_built_option(target, code))
            rp_fail(r, "'%s' is not a choice of the checkbox field '%s'", code, name);
        else if (!(eq || ne) || (strcmp(lit, "1") && strcmp(lit, "0")))
            rp_fail(r,
                    "a box of the checkbox field '%s' is compared with = or <> and '1' or "
                    "'0'",
                    name);
        else {
            out = srp_interop_leaf(name, "includes", json_string(code));
            if ((strcmp(lit, "1") == 0) == ne)
                out = srp_interop_negate(out);
        }
        free(lit);
        return out;
    }
    if (has_code) {
        rp_fail(r, "'[%s(%s)]' names a box, but '%s' is not a checkbox field", name, code, name);
        free(lit);
        return NULL;
    }
    if (quoted && !*lit) {
        if (eq)
            out = srp_interop_negate(srp_interop_leaf(name, "answered", NULL));
        else if (ne)
            out = srp_interop_leaf(name, "answered", NULL);
        else
            rp_fail(r, "'[%s] %s \"\"' compares with a blank", name, op);
        free(lit);
        return out;
    }
    json_t *value = NULL;
    if (strcmp(type, "boolean") == 0) {
        if (strcmp(lit, "1") && strcmp(lit, "0"))
            rp_fail(r, "the yes/no field '%s' is compared with '1' or '0', not '%s'", name, lit);
        else if (!(eq || ne))
            rp_fail(r, "the yes/no field '%s' is compared with '%s'", name, op);
        else
            value = json_boolean(strcmp(lit, "1") == 0);
    } else if (strcmp(type, "choice") == 0) {
        if (!srp_interop_built_option(target, lit))
            rp_fail(r, "'%s' is not a choice of the field '%s'", lit, name);
        else if (!(eq || ne))
            rp_fail(r,
                    "compares the choices of '%s' with '%s', which a sigreg condition does "
                    "only for numbers, scale values and dates",
                    name, op);
        else
            value = json_string(lit);
    } else if (strcmp(type, "integer") == 0 || strcmp(type, "scale") == 0) {
        value = rp_number(r, lit, 1);
    } else if (strcmp(type, "decimal") == 0) {
        value = rp_number(r, lit, 0);
    } else if (strcmp(type, "date") == 0) {
        int y, m, d;
        if (srp_date_parse(lit, &y, &m, &d) != 0)
            rp_fail(r, "'%s' is not a date YYYY-MM-DD", lit);
        else
            value = json_string(lit);
    } else if (strcmp(type, "text") == 0) {
        if (!(eq || ne))
            rp_fail(r, "the text field '%s' is compared with '%s'", name, op);
        else
            value = json_string(lit);
    } else {
        rp_fail(r, "'%s' is never answered", name);
    }
    free(lit);
    if (!value)
        return NULL;
    return ne ? srp_interop_negate(srp_interop_leaf(name, "=", value))
              : srp_interop_leaf(name, op, value);
}

static json_t *rp_primary(rc_parser *r, int depth)
{
    rp_space(r);
    if (depth > SR_FORM_MAX_CONDITION_DEPTH) {
        rp_fail(r, "nested too deeply");
        return NULL;
    }
    if (r->s[r->i] == '(') {
        r->i++;
        json_t *c = rp_or(r, depth + 1);
        if (!c)
            return NULL;
        rp_space(r);
        if (r->s[r->i] != ')') {
            rp_fail(r, "a parenthesis is not closed");
            json_decref(c);
            return NULL;
        }
        r->i++;
        return c;
    }
    if (rp_word(r, "not")) {
        rp_space(r);
        if (r->s[r->i] == '(') {
            json_t *c = rp_primary(r, depth + 1);
            return c ? srp_interop_negate(c) : NULL;
        }
    }
    return rp_comparison(r);
}

static json_t *rp_list(rc_parser *r, int depth, const char *word, const char *kind,
                       json_t *(*next)(rc_parser *, int))
{
    json_t *first = next(r, depth);
    if (!first)
        return NULL;
    if (!rp_word(r, word))
        return first;
    json_t *list = json_array();
    json_array_append_new(list, first);
    do {
        json_t *c = next(r, depth);
        if (!c) {
            json_decref(list);
            return NULL;
        }
        json_array_append_new(list, c);
    } while (rp_word(r, word));
    return json_pack("{so}", kind, list);
}

static json_t *rp_and(rc_parser *r, int depth)
{
    return rp_list(r, depth, "and", "all", rp_primary);
}
static json_t *rp_or(rc_parser *r, int depth)
{
    return rp_list(r, depth, "or", "any", rp_and);
}

static json_t *rc_parse_logic(rc_parser *r)
{
    json_t *c = rp_or(r, 0);
    rp_space(r);
    if (c && r->s[r->i]) {
        rp_fail(r, "unexpected '%.20s'", r->s + r->i);
        json_decref(c);
        return NULL;
    }
    if (!c)
        return NULL;
    json_t *folded = srp_interop_cond_fold(c);
    json_decref(c);
    return folded;
}

/* ---- REDCap: import ------------------------------------------------------------------------- */

/* Names a piping reference ([field] inside a text), if the text has one. */
static int has_piping(const char *s, char *found, size_t size)
{
    for (const char *p = strchr(s, '['); p; p = strchr(p + 1, '[')) {
        const char *q = p + 1;
        if (!islower((unsigned char)*q))
            continue; /* REDCap's field and smart variable names are lower case */
        while (*q &&
               (islower((unsigned char)*q) || isdigit((unsigned char)*q) || strchr("_:-()", *q)))
            q++;
        if (*q == ']' && q > p + 1) {
            snprintf(found, size, "%.*s", (int)(q - p + 1), p);
            return 1;
        }
    }
    return 0;
}

static char *trimmed(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return strndup(s, n);
}

/* Applies the languages of @SIGREG-LANG to a text key of obj. */
static void merge_language(json_t *obj, const char *key, const char *lang, json_t *s)
{
    json_t *t = json_object_get(obj, key);
    if (!json_is_string(s))
        return;
    if (!t)
        json_object_set_new(obj, key, t = json_object());
    json_object_set(t, lang, s);
}

typedef struct rc_import {
    srp_interop_problems p;
    srp_csv csv;
    int col[RC_COLUMNS];
    const char *instrument;
    json_t *items;
    json_t *form_tag;
    json_t *consent; /* the @SIGREG-CONSENT rules, in field order */
    size_t sections;
} rc_import;

static const char *cell(const rc_import *im, const srp_csv_row *row, int c)
{
    return im->col[c] >= 0 && (size_t)im->col[c] < row->count ? row->fields[im->col[c]] : "";
}

static void rc_choices(rc_import *im, const char *field, const char *text, json_t *item)
{
    json_t *opts = json_array();
    json_object_set_new(item, "options", opts);
    char *copy = strdup(text);
    if (!copy) {
        im->p.oom = 1;
        return;
    }
    char *save = NULL;
    for (char *part = strtok_r(copy, "|\n", &save); part; part = strtok_r(NULL, "|\n", &save)) {
        char *choice = trimmed(part);
        if (!choice) {
            im->p.oom = 1;
            break;
        }
        if (!*choice) {
            free(choice);
            continue;
        }
        char *comma = strchr(choice, ',');
        if (!comma) {
            srp_interop_problem(&im->p, field,
                                "field '%s': the choice '%s' has no code (code, label)", field,
                                choice);
            free(choice);
            continue;
        }
        *comma = '\0';
        char *code = trimmed(choice), *label = trimmed(comma + 1);
        if (code && label) {
            if (!srp_name_option_code_valid(code))
                srp_interop_problem(&im->p, field,
                                    "field '%s': the choice code '%s' is not a sigreg option code "
                                    "(1-32 of a-z, 0-9, _)",
                                    field, code);
            else if (srp_interop_built_option(item, code))
                srp_interop_problem(&im->p, field, "field '%s': the choice code '%s' comes twice",
                                    field, code);
            else
                json_array_append_new(opts, json_pack("{ssso}", "code", code, "label",
                                                      srp_interop_sv_text(*label ? label : code)));
        }
        free(code);
        free(label);
        free(choice);
    }
    free(copy);
}

static json_t *rc_bound_value(rc_import *im, const char *field, const char *type, const char *text,
                              const char *which)
{
    char *end = NULL;
    if (!*text)
        return NULL;
    if (strcmp(type, "date") == 0) {
        int y, m, d;
        if (strcmp(text, "today") == 0 || srp_date_parse(text, &y, &m, &d) == 0)
            return json_string(text);
        srp_interop_problem(&im->p, field,
                            "field '%s': the %s '%s' is not a date YYYY-MM-DD or 'today'", field,
                            which, text);
        return NULL;
    }
    if (strcmp(type, "decimal") == 0) {
        double v = strtod(text, &end);
        if (!*end)
            return json_real(v);
    } else {
        long long v = strtoll(text, &end, 10);
        if (!*end)
            return json_integer(v);
    }
    srp_interop_problem(&im->p, field, "field '%s': the %s '%s' is not %s", field, which, text,
                        strcmp(type, "decimal") == 0 ? "a number" : "a whole number");
    return NULL;
}

/* The sigreg type of a REDCap field, or NULL (the problem reported). */
static const char *rc_type(rc_import *im, const char *field, const char *type,
                           const char *validation, int *decimals)
{
    *decimals = -1;
    if (strcmp(type, "text") == 0) {
        if (!*validation)
            return "text";
        if (strcmp(validation, "integer") == 0)
            return "integer";
        if (strcmp(validation, "number") == 0 || strcmp(validation, "number_comma_decimal") == 0)
            return "decimal";
        if (strncmp(validation, "number_", 7) == 0 && isdigit((unsigned char)validation[7]) &&
            strncmp(validation + 8, "dp", 2) == 0) {
            *decimals = validation[7] - '0';
            return "decimal";
        }
        if (strcmp(validation, "date_ymd") == 0 || strcmp(validation, "date_mdy") == 0 ||
            strcmp(validation, "date_dmy") == 0)
            return "date";
        srp_interop_problem(
            &im->p, field,
            "field '%s': the text validation '%s' cannot be expressed (sigreg has integer, "
            "number and date)",
            field, validation);
        return NULL;
    }
    static const char *const map[][2] = {{"notes", "text"},      {"radio", "choice"},
                                         {"dropdown", "choice"}, {"checkbox", "multichoice"},
                                         {"yesno", "boolean"},   {"truefalse", "boolean"},
                                         {"slider", "scale"},    {"descriptive", "section"}};
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (strcmp(type, map[k][0]) == 0)
            return map[k][1];
    if (strcmp(type, "calc") == 0)
        srp_interop_problem(&im->p, field, "field '%s': a calculated field cannot be expressed",
                            field);
    else if (strcmp(type, "file") == 0)
        srp_interop_problem(&im->p, field, "field '%s': a file upload field cannot be expressed",
                            field);
    else
        srp_interop_problem(&im->p, field, "field '%s': the field type '%s' cannot be expressed",
                            field, type);
    return NULL;
}

static json_t *tag_json_value(rc_import *im, const char *field, const rc_tag *tag)
{
    json_error_t jerr;
    json_t *v = tag->value ? json_loads(tag->value, JSON_DECODE_ANY, &jerr) : NULL;
    if (!v)
        srp_interop_problem(&im->p, field, "field '%s': the action tag %s holds no valid JSON",
                            field, tag->name);
    return v;
}

static void rc_apply_tags(rc_import *im, const char *field, const rc_tags *tags, json_t *item)
{
    const char *type = srp_interop_built_type(item);
    for (size_t k = 0; k < tags->count; k++) {
        const rc_tag *tag = &tags->tags[k];
        const char *n = tag->name;
        long long num = tag->value ? strtoll(tag->value, NULL, 10) : -1;
        if (strcmp(n, "@SIGREG-SECTION") == 0 || strcmp(n, "@SIGREG-FORM") == 0)
            continue; /* read by the caller */
        if (strcmp(n, "@SIGREG-QUASI-IDENTIFIER") == 0) {
            json_object_set_new(item, "quasi_identifier", json_true());
        } else if (strcmp(n, "@SIGREG-ORDERED") == 0 && strcmp(type, "choice") == 0) {
            json_object_set_new(item, "ordered", json_true());
        } else if (strcmp(n, "@SIGREG-MISSING") == 0 && tag->value) {
            char *copy = strdup(tag->value), *save = NULL;
            for (char *c = copy ? strtok_r(copy, ",", &save) : NULL; c;
                 c = strtok_r(NULL, ",", &save)) {
                size_t o;
                json_t *opt;
                int found = 0;
                json_array_foreach(json_object_get(item, "options"), o, opt)
                {
                    if (strcmp(json_string_value(json_object_get(opt, "code")), c) == 0) {
                        json_object_set_new(opt, "missing", json_true());
                        found = 1;
                    }
                }
                if (!found)
                    srp_interop_problem(
                        &im->p, field, "field '%s': %s names the unknown choice '%s'", field, n, c);
            }
            free(copy);
        } else if ((strcmp(n, "@SIGREG-MIN-SELECTED") == 0 ||
                    strcmp(n, "@SIGREG-MAX-SELECTED") == 0) &&
                   strcmp(type, "multichoice") == 0 && num >= 0) {
            json_object_set_new(item, strstr(n, "-MIN-") ? "min_selected" : "max_selected",
                                json_integer(num));
        } else if (strcmp(n, "@CHARLIMIT") == 0 && strcmp(type, "text") == 0 && num > 0) {
            json_object_set_new(item, "max_length", json_integer(num));
        } else if (strcmp(n, "@SIGREG-DECIMALS") == 0 && strcmp(type, "decimal") == 0 && num >= 0) {
            json_object_set_new(item, "decimals", json_integer(num));
        } else if (strcmp(n, "@SIGREG-ANCHORS") == 0 && strcmp(type, "scale") == 0) {
            json_t *a = tag_json_value(im, field, tag);
            if (a)
                json_object_set_new(item, "anchors", a);
        } else if (strcmp(n, "@SIGREG-LANG") == 0) {
            json_t *langs = tag_json_value(im, field, tag);
            const char *lang;
            json_t *l;
            json_object_foreach(langs, lang, l)
            {
                merge_language(item, "label", lang, json_object_get(l, "label"));
                merge_language(item, "help", lang, json_object_get(l, "help"));
                size_t o;
                json_t *opt;
                json_array_foreach(json_object_get(item, "options"), o, opt)
                {
                    const char *code = json_string_value(json_object_get(opt, "code"));
                    merge_language(opt, "label", lang,
                                   json_object_get(json_object_get(l, "options"), code));
                }
                const char *value;
                json_t *s;
                json_t *anchors = json_object_get(item, "anchors");
                json_object_foreach(json_object_get(l, "anchors"), value, s)
                {
                    if (anchors)
                        merge_language(anchors, value, lang, s);
                }
            }
            json_decref(langs);
        } else if (strcmp(n, "@SIGREG-DERIVED") == 0) {
            if (tag->value && strcmp(tag->value, "birth_year") == 0)
                json_object_set_new(item, "derived", json_string("birth_year"));
            else
                srp_interop_problem(&im->p, field,
                                    "field '%s': %s='%s' cannot be expressed (only birth_year)",
                                    field, n, tag->value ? tag->value : "");
        } else if (strcmp(n, "@SIGREG-SHOW-FROM") == 0) {
            json_t *from = tag_json_value(im, field, tag);
            if (from)
                json_object_set_new(item, "show_from", from);
        } else if (strcmp(n, "@SIGREG-CONSENT") == 0) {
            json_t *rule = tag_json_value(im, field, tag);
            if (json_is_object(rule)) {
                json_t *age = json_object_get(rule, "below_age");
                json_t *given = json_object_get(rule, "given");
                json_t *explanation = json_object_get(rule, "explanation");
                if (!im->consent)
                    im->consent = json_object();
                srp_interop_add_consent(im->consent, field, given ? json_incref(given) : NULL,
                                        json_integer_value(age),
                                        explanation ? json_incref(explanation) : NULL);
            } else if (rule) {
                srp_interop_problem(
                    &im->p, field, "field '%s': %s must hold a consent rule (an object)", field, n);
            }
            json_decref(rule);
        } else if (strcmp(n, "@SIGREG-EXTRA") == 0) {
            json_t *extra = tag_json_value(im, field, tag);
            json_object_update_missing(item, json_object_get(extra, "item"));
            size_t o;
            json_t *opt;
            json_array_foreach(json_object_get(item, "options"), o, opt)
            {
                const char *code = json_string_value(json_object_get(opt, "code"));
                json_object_update_missing(
                    opt, json_object_get(json_object_get(extra, "options"), code));
            }
            json_decref(extra);
        } else {
            srp_interop_problem(&im->p, field, "field '%s': the action tag %s cannot be expressed",
                                field, n);
        }
    }
}

/* Builds the section a Section Header (or a descriptive field) stands for. */
static json_t *rc_section(rc_import *im, const char *field, const char *header, const rc_tags *tags)
{
    json_t *sec = NULL;
    const rc_tag *tag = tag_find(tags, "@SIGREG-SECTION");
    if (tag)
        sec = tag_json_value(im, field, tag);
    if (!json_is_object(sec)) {
        json_decref(sec);
        char id[SR_ITEM_ID_MAX + 8];
        snprintf(id, sizeof id, "sec_%s", field);
        if (strlen(id) > SR_ITEM_ID_MAX || srp_interop_built_item(im->items, id))
            snprintf(id, sizeof id, "section_%zu", im->sections + 1);
        sec = json_pack("{ss}", "id", id);
    }
    im->sections++;
    json_object_set_new(sec, "type", json_string("section"));
    json_t *label = json_object_get(sec, "label");
    if (!json_is_object(label))
        json_object_set_new(sec, "label", label = json_object());
    json_object_set_new(label, "sv", json_string(header)); /* the header as REDCap shows it */
    return sec;
}

static void rc_field(rc_import *im, size_t r)
{
    const srp_csv_row *row = &im->csv.rows[r];
    const char *field = cell(im, row, RC_VAR);
    char where[64], piped[80];
    snprintf(where, sizeof where, "row %zu", r + 1);
    if (!srp_name_item_id_valid(field)) {
        srp_interop_problem(
            &im->p, *field ? field : where,
            "%s: the variable name '%s' is not a sigreg item id ([a-z][a-z0-9_]{0,47})", where,
            field);
        return;
    }
    rc_tags tags;
    if (tags_parse(cell(im, row, RC_ANNOTATION), &tags) != 0) {
        im->p.oom = 1;
        tags_release(&tags);
        return;
    }
    const char *texts[] = {cell(im, row, RC_SECTION), cell(im, row, RC_LABEL),
                           cell(im, row, RC_NOTE), cell(im, row, RC_CHOICES)};
    for (size_t k = 0; k < 4; k++)
        if (has_piping(texts[k], piped, sizeof piped))
            srp_interop_problem(&im->p, field, "field '%s': the piping '%s' cannot be expressed",
                                field, piped);
    if (*cell(im, row, RC_SECTION))
        json_array_append_new(im->items, rc_section(im, field, cell(im, row, RC_SECTION), &tags));
    if (strcasecmp(cell(im, row, RC_MATRIX_RANKING), "y") == 0)
        srp_interop_problem(&im->p, field, "field '%s': matrix ranking cannot be expressed", field);
    int decimals;
    const char *type =
        rc_type(im, field, cell(im, row, RC_TYPE), cell(im, row, RC_VALIDATION), &decimals);
    if (!type) {
        tags_release(&tags);
        return;
    }
    json_t *item = json_pack("{ssss}", "id", field, "type", type);
    const char *label = cell(im, row, RC_LABEL), *note = cell(im, row, RC_NOTE);
    if (*label)
        json_object_set_new(item, "label", srp_interop_sv_text(label));
    else if (strcmp(type, "section") != 0)
        srp_interop_problem(&im->p, field, "field '%s' has no label", field);
    if (*note)
        json_object_set_new(item, "help", srp_interop_sv_text(note));
    if (strcmp(type, "choice") == 0 || strcmp(type, "multichoice") == 0)
        rc_choices(im, field, cell(im, row, RC_CHOICES), item);
    if (decimals >= 0)
        json_object_set_new(item, "decimals", json_integer(decimals));
    if (strcmp(type, "integer") == 0 || strcmp(type, "decimal") == 0 || strcmp(type, "date") == 0 ||
        strcmp(type, "scale") == 0) {
        const char *bound_type = strcmp(type, "scale") == 0 ? "integer" : type;
        json_t *lo = rc_bound_value(im, field, bound_type, cell(im, row, RC_MIN), "minimum");
        json_t *hi = rc_bound_value(im, field, bound_type, cell(im, row, RC_MAX), "maximum");
        if (strcmp(type, "scale") == 0) { /* REDCap's slider runs 0-100 unless told */
            if (!lo)
                lo = json_integer(0);
            if (!hi)
                hi = json_integer(100);
        }
        if (lo)
            json_object_set_new(item, "min", lo);
        if (hi)
            json_object_set_new(item, "max", hi);
    }
    if (strcmp(type, "scale") == 0 && *cell(im, row, RC_CHOICES) &&
        !tag_find(&tags, "@SIGREG-ANCHORS")) {
        long lo = (long)json_integer_value(json_object_get(item, "min"));
        long hi = (long)json_integer_value(json_object_get(item, "max"));
        long at[3] = {lo, (lo + hi) / 2, hi};
        char *copy = strdup(cell(im, row, RC_CHOICES)), *p = copy;
        json_t *anchors = json_object();
        for (int k = 0; k < 3 && p; k++) {
            char *bar = strchr(p, '|');
            if (bar)
                *bar = '\0';
            char *t = trimmed(p);
            if (t && *t && !(k == 1 && (lo + hi) % 2)) {
                char key[24];
                snprintf(key, sizeof key, "%ld", at[k]);
                json_object_set_new(anchors, key, srp_interop_sv_text(t));
            } else if (t && *t) {
                srp_interop_problem(
                    &im->p, field,
                    "field '%s': the middle slider label has no whole number under it", field);
            }
            free(t);
            p = bar ? bar + 1 : NULL;
        }
        free(copy);
        if (json_object_size(anchors))
            json_object_set_new(item, "anchors", anchors);
        else
            json_decref(anchors);
    }
    if (strcasecmp(cell(im, row, RC_IDENTIFIER), "y") == 0)
        json_object_set_new(item, "identifying", json_true());
    if (strcasecmp(cell(im, row, RC_REQUIRED), "y") == 0)
        json_object_set_new(item, "required", json_true());
    const char *logic = cell(im, row, RC_BRANCHING);
    if (*logic) {
        rc_parser rp = {
            logic,          0,      field, im->items, &im->csv, im->col[RC_VAR], im->col[RC_FORM],
            im->instrument, &im->p, 0};
        json_t *c = rc_parse_logic(&rp);
        if (c)
            json_object_set_new(item, "enable_when", c);
    }
    rc_apply_tags(im, field, &tags, item);
    json_array_append_new(im->items, item);
    tags_release(&tags);
}

sr_status sr_form_import_redcap(const char *text, size_t len, const sr_form_import_options *opts,
                                char **json, sr_problems *problems, sr_error *err)
{
    sr_status rc = SR_OK;
    rc_import im;
    json_t *doc = NULL;
    memset(&im, 0, sizeof im);
    im.p.problems = problems;
    *json = NULL;
    if ((rc = srp_csv_parse(text, len, &im.csv, err)) != SR_OK)
        goto out;
    for (size_t r = 0; r < im.csv.count; r++)
        for (size_t k = 0; k < im.csv.rows[r].count; k++)
            if (!srp_utf8_valid(im.csv.rows[r].fields[k])) {
                char where[32];
                snprintf(where, sizeof where, "row %zu", r + 1);
                srp_interop_problem(&im.p, where,
                                    "%s: column %zu is not UTF-8 text (save the dictionary as "
                                    "UTF-8)",
                                    where, k + 1);
            }
    if (im.p.count)
        goto done;
    if (im.csv.count < 2) {
        rc = srp_error_set(err, SR_ERR_INVALID, "a data dictionary needs a header and fields");
        goto out;
    }
    for (int c = 0; c < RC_COLUMNS; c++)
        im.col[c] = -1;
    const srp_csv_row *header = &im.csv.rows[0];
    for (size_t k = 0; k < header->count; k++) {
        char *name = trimmed(header->fields[k]);
        int found = 0;
        for (int c = 0; name && c < RC_COLUMNS; c++)
            if (strcasecmp(name, redcap_columns[c]) == 0 ||
                strcmp(name, redcap_api_columns[c]) == 0) {
                im.col[c] = (int)k;
                found = 1;
            }
        if (!found && name && *name)
            srp_interop_problem(&im.p, "row 1",
                                "row 1: the column '%s' is not a REDCap data dictionary column",
                                name);
        free(name);
    }
    int required_cols[] = {RC_VAR, RC_FORM, RC_TYPE, RC_LABEL};
    for (size_t k = 0; k < 4; k++)
        if (im.col[required_cols[k]] < 0)
            srp_interop_problem(&im.p, "row 1", "row 1: the column '%s' is missing",
                                redcap_columns[required_cols[k]]);
    if (im.p.count)
        goto done;
    /* Which instrument. */
    const char *first_form = cell(&im, &im.csv.rows[1], RC_FORM);
    if (opts && opts->instrument) {
        im.instrument = opts->instrument;
    } else {
        char wanted[SR_FORM_ID_MAX + 1] = "";
        if (opts && opts->id)
            srp_interop_redcap_form_name(opts->id, wanted, sizeof wanted);
        size_t distinct = 0;
        for (size_t r = 1; r < im.csv.count; r++) {
            const char *f = cell(&im, &im.csv.rows[r], RC_FORM);
            int seen = 0;
            for (size_t q = 1; q < r && !seen; q++)
                seen = strcmp(cell(&im, &im.csv.rows[q], RC_FORM), f) == 0;
            distinct += !seen;
            if (*wanted && strcmp(f, wanted) == 0)
                im.instrument = f;
        }
        if (!im.instrument && distinct == 1)
            im.instrument = first_form;
        if (!im.instrument) {
            srp_buf names = SRP_BUF_INIT;
            for (size_t r = 1; r < im.csv.count; r++) {
                const char *f = cell(&im, &im.csv.rows[r], RC_FORM);
                int seen = 0;
                for (size_t q = 1; q < r && !seen; q++)
                    seen = strcmp(cell(&im, &im.csv.rows[q], RC_FORM), f) == 0;
                if (!seen)
                    srp_buf_printf(&names, "%s'%s'", names.len ? ", " : "", f);
            }
            srp_interop_problem(
                &im.p, "instrument",
                "the dictionary holds %zu instruments (%s): say which one to import", distinct,
                srp_buf_text(&names));
            srp_buf_free(&names);
            goto done;
        }
    }
    im.items = json_array();
    /* The first field of a dictionary is REDCap's record id: the case code
     * takes its place. What the form says as a whole may ride on it. */
    if (strcmp(first_form, im.instrument) == 0) {
        rc_tags tags;
        if (tags_parse(cell(&im, &im.csv.rows[1], RC_ANNOTATION), &tags) == 0) {
            const rc_tag *t = tag_find(&tags, "@SIGREG-FORM");
            if (t)
                im.form_tag = tag_json_value(&im, cell(&im, &im.csv.rows[1], RC_VAR), t);
        }
        tags_release(&tags);
    }
    size_t found = 0;
    for (size_t r = 2; r < im.csv.count; r++)
        if (strcmp(cell(&im, &im.csv.rows[r], RC_FORM), im.instrument) == 0) {
            rc_field(&im, r);
            found++;
        }
    if (!found && strcmp(first_form, im.instrument) != 0) {
        int any = 0;
        for (size_t r = 1; r < im.csv.count; r++)
            any |= strcmp(cell(&im, &im.csv.rows[r], RC_FORM), im.instrument) == 0;
        if (!any)
            srp_interop_problem(&im.p, "instrument", "the dictionary has no instrument '%s'",
                                im.instrument);
    }
    {
        char fallback[SR_FORM_ID_MAX + 1];
        snprintf(fallback, sizeof fallback, "%s", im.instrument);
        for (char *q = fallback; *q; q++)
            *q = *q == '_' ? '-' : *q;
        /* Consent rules beside their fields (a dictionary of an earlier
         * release has them in @SIGREG-FORM instead). */
        if (im.consent) {
            if (!json_is_object(im.form_tag)) {
                json_decref(im.form_tag);
                im.form_tag = json_object();
            }
            json_object_set(im.form_tag, "consent", json_object_get(im.consent, "consent"));
        }
        doc = srp_interop_import_document(&im.p, opts, im.form_tag, fallback,
                                          srp_interop_sv_text(im.instrument), im.items);
    }
done:
    rc = srp_interop_finish_import(doc, &im.p, json, err);
out:
    json_decref(doc);
    json_decref(im.items);
    json_decref(im.form_tag);
    json_decref(im.consent);
    srp_csv_release(&im.csv);
    return rc;
}
