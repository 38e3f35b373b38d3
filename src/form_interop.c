/*
 * form_interop.c - sigreg-form/1 forms to and from the REDCap data
 * dictionary, the FHIR R4 Questionnaire and (export only) XLSForm.
 *
 * Export reads the parsed model (form_int.h) and the definition it was
 * parsed from. Import builds a sigreg-form/1 document with jansson and
 * leaves its validation to the form parser; what the parser cannot see
 * (a construct of the foreign format with no place in sigreg-form/1) is
 * refused here, every one listed with the field it is in. The module never
 * reads or writes files and never touches a registry.
 */
#include "sigreg/form_interop.h"
#include "sigreg/limits.h"

#include <ctype.h>
#include <math.h>
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

/* ---- shared helpers ------------------------------------------------------------------------ */

/* The keys of sigreg-form/1 this module maps one by one. Anything else a
 * definition holds (an extension of the format added later) travels whole
 * in an "extra" tag or extension, so that nothing is lost on the way. */
static const char *const known_item_keys[] = {
    "id",         "type",        "label",        "help",
    "required",   "enable_when", "identifying",  "quasi_identifier",
    "options",    "ordered",     "min_selected", "max_selected",
    "min",        "max",         "decimals",     "anchors",
    "max_length", NULL};
static const char *const known_option_keys[] = {"code", "label", "missing", NULL};
static const char *const known_document_keys[] = {
    "format", "id", "version", "phase", "repeatable", "title", "description", "items", NULL};

static int in_list(const char *key, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(key, list[i]) == 0)
            return 1;
    return 0;
}

/* The keys of obj not in known, as a new object (NULL when there are none). */
static json_t *leftover_keys(const json_t *obj, const char *const *known)
{
    json_t *out = NULL;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value)
    {
        if (in_list(key, known))
            continue;
        if (!out)
            out = json_object();
        json_object_set(out, key, value);
    }
    return out;
}

/* A text's string in exactly this language (no fallback), or NULL. */
static const char *lang_text(const json_t *text, const char *lang)
{
    if (json_is_string(text))
        return strcmp(lang, "sv") == 0 ? json_string_value(text) : NULL;
    return json_string_value(json_object_get(text, lang));
}

/* A text as an object of language to string (a new reference; NULL for NULL). */
static json_t *text_object(const json_t *text)
{
    if (!text)
        return NULL;
    if (json_is_string(text))
        return json_pack("{sO}", "sv", (json_t *)text);
    return json_deep_copy(text);
}

static json_t *sv_text(const char *s)
{
    return json_pack("{ss}", "sv", s);
}

/* A number as the shortest text that reads back as the same double. */
static void number_text(char *out, size_t size, double v)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(out, size, "%.0f", v);
        return;
    }
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(out, size, "%.*g", precision, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

typedef struct problems_ctx {
    sr_problems *problems;
    size_t count;
    int oom;
} problems_ctx;

static void problem(problems_ctx *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(problems_ctx *p, const char *path, const char *fmt, ...)
{
    char message[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    p->count++;
    if (p->problems && srp_problems_add(p->problems, path, "%s", message) != 0)
        p->oom = 1;
}

static const srp_item *find_item(const sr_form *form, const char *id)
{
    return id ? srp_form_find_item(form, id, NULL) : NULL;
}

/* The item object called id in a JSON array of items being built, or NULL. */
static json_t *built_item(json_t *items, const char *id)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *s = json_string_value(json_object_get(it, "id"));
        if (s && strcmp(s, id) == 0)
            return it;
    }
    return NULL;
}

static int built_option(const json_t *item, const char *code)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(item, "options"), i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "code")), code) == 0)
            return 1;
    }
    return 0;
}

static const char *built_type(const json_t *item)
{
    return json_string_value(json_object_get(item, "type"));
}

/* ---- conditions: negations pushed down, and the folds every format needs ------------------ */

static json_t *leaf(const char *item, const char *op, json_t *value /* stolen, may be NULL */)
{
    json_t *c = json_pack("{ssss}", "item", item, "op", op);
    if (c && value)
        json_object_set_new(c, "value", value);
    else
        json_decref(value);
    return c;
}

static json_t *negate(json_t *c /* stolen */)
{
    return c ? json_pack("{so}", "not", c) : NULL;
}

/* The condition with every "not" pushed down to a comparison (De Morgan),
 * double negations removed and groups of one replaced by their member. */
static json_t *cond_nnf(const json_t *c, int neg)
{
    json_t *all = json_object_get(c, "all"), *any = json_object_get(c, "any");
    json_t *not = json_object_get(c, "not");
    if (all || any) {
        json_t *list = all ? all : any;
        const char *kind = (all != NULL) != (neg != 0) ? "all" : "any";
        if (json_array_size(list) == 1)
            return cond_nnf(json_array_get(list, 0), neg);
        json_t *out = json_array();
        size_t i;
        json_t *member;
        json_array_foreach(list, i, member) json_array_append_new(out, cond_nnf(member, neg));
        return json_pack("{so}", kind, out);
    }
    if (not )
        return cond_nnf(not, !neg);
    json_t *copy = json_deep_copy(c);
    return neg ? negate(copy) : copy;
}

static const char *negated_op(const char *op)
{
    static const char *const pairs[][2] = {{"=", "!="}, {"<", ">="}, {"<=", ">"},
                                           {">", "<="}, {">=", "<"}, {"!=", "="}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (strcmp(op, pairs[i][0]) == 0)
            return pairs[i][1];
    return NULL;
}

static int is_leaf(const json_t *c, const char *op)
{
    const char *o = json_string_value(json_object_get(c, "op"));
    return json_object_get(c, "item") && o && (!op || strcmp(o, op) == 0);
}

static int same_item(const json_t *a, const json_t *b)
{
    return json_equal(json_object_get(a, "item"), json_object_get(b, "item"));
}

/* Folds the two-comparison spellings formats without sigreg's operators
 * need back into one: "x <> v and x <> ''" is x != v, "x <> '' and x < v"
 * is x < v, "x >= v or x = ''" is not (x < v). A new reference. */
static json_t *cond_fold(const json_t *c)
{
    json_t *all = json_object_get(c, "all"), *any = json_object_get(c, "any");
    json_t *not = json_object_get(c, "not");
    if (all || any) {
        json_t *list = all ? all : any;
        json_t *out = json_array();
        size_t i;
        json_t *member;
        json_array_foreach(list, i, member) json_array_append_new(out, cond_fold(member));
        if (json_array_size(out) == 1) {
            json_t *only = json_incref(json_array_get(out, 0));
            json_decref(out);
            return only;
        }
        if (json_array_size(out) == 2) {
            for (int k = 0; k < 2; k++) {
                json_t *a = json_array_get(out, (size_t)k), *b = json_array_get(out, (size_t)!k);
                json_t *an = json_object_get(a, "not"), *bn = json_object_get(b, "not");
                if (all && an && is_leaf(an, "=") && is_leaf(b, "answered") && same_item(an, b)) {
                    json_t *r = leaf(json_string_value(json_object_get(an, "item")),
                                     "!=", json_incref(json_object_get(an, "value")));
                    json_decref(out);
                    return r;
                }
                const char *op = json_string_value(json_object_get(a, "op"));
                int orders = op && (strcmp(op, "<") == 0 || strcmp(op, "<=") == 0 ||
                                    strcmp(op, ">") == 0 || strcmp(op, ">=") == 0);
                if (all && orders && is_leaf(b, "answered") && same_item(a, b)) {
                    json_t *r = json_incref(a);
                    json_decref(out);
                    return r;
                }
                if (any && op && strcmp(op, "answered") && strcmp(op, "includes") &&
                    strcmp(op, "!=") && is_leaf(a, NULL) && bn && is_leaf(bn, "answered") &&
                    same_item(a, bn)) {
                    json_t *r =
                        negate(leaf(json_string_value(json_object_get(a, "item")), negated_op(op),
                                    json_incref(json_object_get(a, "value"))));
                    json_decref(out);
                    return r;
                }
            }
        }
        return json_pack("{so}", all ? "all" : "any", out);
    }
    if (not ) {
        json_t *inner = cond_fold(not );
        if (json_object_get(inner, "not")) {
            json_t *r = json_incref(json_object_get(inner, "not"));
            json_decref(inner);
            return r;
        }
        return negate(inner);
    }
    return json_deep_copy(c);
}

static json_t *cond_normal(const json_t *c)
{
    json_t *n = cond_nnf(c, 0);
    json_t *f = cond_fold(n);
    json_decref(n);
    return f;
}

/* ---- equality ------------------------------------------------------------------------------ */

static void drop_false(json_t *obj, const char *key)
{
    if (json_is_false(json_object_get(obj, key)))
        json_object_del(obj, key);
}

static void normal_text(json_t *obj, const char *key)
{
    json_t *t = json_object_get(obj, key);
    if (t)
        json_object_set_new(obj, key, text_object(t));
}

static json_t *normal_document(const sr_form *form)
{
    json_t *doc = json_deep_copy(form->root);
    json_object_set_new(doc, "repeatable", json_boolean(form->repeatable));
    normal_text(doc, "title");
    normal_text(doc, "description");
    json_t *items = json_object_get(doc, "items");
    for (size_t i = 0; i < form->item_count; i++) {
        const srp_item *it = &form->items[i];
        json_t *item = json_array_get(items, i);
        normal_text(item, "label");
        normal_text(item, "help");
        const char *flags[] = {"required", "identifying", "quasi_identifier", "ordered"};
        for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
            drop_false(item, flags[k]);
        size_t o;
        json_t *opt;
        json_array_foreach(json_object_get(item, "options"), o, opt)
        {
            normal_text(opt, "label");
            drop_false(opt, "missing");
        }
        json_t *anchors = json_object_get(item, "anchors");
        const char *key;
        json_t *text;
        json_object_foreach(anchors, key, text)
            json_object_set_new(anchors, key, text_object(text));
        if (json_object_size(anchors) == 0)
            json_object_del(item, "anchors");
        if (it->condition)
            json_object_set_new(item, "enable_when", cond_normal(it->condition));
        if (it->type == SR_ITEM_TEXT)
            json_object_set_new(item, "max_length", json_integer((json_int_t)it->max_length));
        if (it->type == SR_ITEM_MULTICHOICE) {
            if (it->min_selected == 0)
                json_object_del(item, "min_selected");
            if (it->max_selected == it->option_count)
                json_object_del(item, "max_selected");
        }
        if (it->type == SR_ITEM_DECIMAL) {
            if (it->has_min)
                json_object_set_new(item, "min", json_real(it->min));
            if (it->has_max)
                json_object_set_new(item, "max", json_real(it->max));
        }
    }
    return doc;
}

/* The path of the first difference between a and b, in why. */
static int first_difference(const json_t *a, const json_t *b, const char *path, char *why,
                            size_t size)
{
    char p[512];
    if (json_is_object(a) && json_is_object(b)) {
        const char *key;
        json_t *va;
        json_object_foreach((json_t *)a, key, va)
        {
            snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", key);
            json_t *vb = json_object_get(b, key);
            if (!vb) {
                snprintf(why, size, "%s: only in the first", p);
                return 1;
            }
            if (first_difference(va, vb, p, why, size))
                return 1;
        }
        json_object_foreach((json_t *)b, key, va)
        {
            if (!json_object_get(a, key)) {
                snprintf(why, size, "%s%s%s: only in the second", path, *path ? "." : "", key);
                return 1;
            }
        }
        return 0;
    }
    if (json_is_array(a) && json_is_array(b)) {
        size_t n =
            json_array_size(a) < json_array_size(b) ? json_array_size(a) : json_array_size(b);
        for (size_t i = 0; i < n; i++) {
            snprintf(p, sizeof p, "%s[%zu]", path, i);
            if (first_difference(json_array_get(a, i), json_array_get(b, i), p, why, size))
                return 1;
        }
        if (json_array_size(a) != json_array_size(b)) {
            snprintf(why, size, "%s: %zu against %zu elements", path, json_array_size(a),
                     json_array_size(b));
            return 1;
        }
        return 0;
    }
    if (!json_equal((json_t *)a, (json_t *)b)) {
        char *sa = json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT);
        char *sb = json_dumps(b, JSON_ENCODE_ANY | JSON_COMPACT);
        snprintf(why, size, "%s: %.150s against %.150s", path, sa ? sa : "?", sb ? sb : "?");
        free(sa);
        free(sb);
        return 1;
    }
    return 0;
}

int sr_form_interop_equal(const sr_form *a, const sr_form *b, char *why, size_t why_size)
{
    json_t *na = normal_document(a), *nb = normal_document(b);
    int equal = json_equal(na, nb);
    if (!equal && why && why_size)
        if (!first_difference(na, nb, "", why, why_size))
            snprintf(why, why_size, "(document)");
    json_decref(na);
    json_decref(nb);
    return equal;
}

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
        number_text(num, sizeof num, json_number_value(value));
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
    const srp_item *target = find_item(form, id);
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
        const char *opposite = negated_op(op);
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

/* What sigreg-form/1 keys this module does not map one by one say, for an
 * item and its options: {"item": {...}, "options": {code: {...}}}. */
static json_t *extra_keys(const srp_item *it, const json_t *item)
{
    json_t *extra = json_object();
    json_t *own = leftover_keys(item, known_item_keys);
    if (own)
        json_object_set_new(extra, "item", own);
    json_t *opts = NULL;
    size_t o;
    json_t *opt;
    json_array_foreach(json_object_get(item, "options"), o, opt)
    {
        json_t *left = leftover_keys(opt, known_option_keys);
        if (!left)
            continue;
        if (!opts)
            json_object_set_new(extra, "options", opts = json_object());
        json_object_set_new(opts, it->options[o].code, left);
    }
    return extra;
}

/* The anchor text of a scale value in Swedish, or "". */
static const char *anchor_sv(const json_t *item, long value)
{
    char key[24];
    snprintf(key, sizeof key, "%ld", value);
    const char *s = lang_text(json_object_get(json_object_get(item, "anchors"), key), "sv");
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
        if (strchr(lang_text(text, "sv") ? lang_text(text, "sv") : "", '|'))
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
        number_text(num, sizeof num, is_max ? it->max : it->min);
        srp_buf_puts(cell, num);
    }
}

static void redcap_form_name(const char *id, char *out, size_t size)
{
    snprintf(out, size, "%s", id);
    for (char *p = out; *p; p++)
        if (*p == '-')
            *p = '_';
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
    redcap_form_name(form->id, form_name, sizeof form_name);
    for (int c = 0; c < RC_COLUMNS; c++)
        srp_csv_put_field(&csv, redcap_columns[c], c == 0);
    srp_csv_end_row(&csv);

    /* REDCap's first field is the record id; sigreg's case code takes its
     * place, and the row carries what the form says as a whole. */
    const char *record_id = find_item(form, "record_id") ? "sigreg_record_id" : "record_id";
    srp_buf_puts(&row.cell[RC_VAR], record_id);
    srp_buf_puts(&row.cell[RC_FORM], form_name);
    srp_buf_puts(&row.cell[RC_TYPE], "text");
    srp_buf_puts(&row.cell[RC_LABEL], "Record ID");
    json_t *doc = json_deep_copy(form->root);
    json_object_del(doc, "items");
    json_object_del(doc, "format");
    tag_json(&row.cell[RC_ANNOTATION], "@SIGREG-FORM", doc);
    json_decref(doc);
    row_put(&csv, &row);

    const srp_item *pending = NULL; /* a section whose heading goes on the next field */
    for (size_t i = 0; i < form->item_count && rc == SR_OK; i++) {
        const srp_item *it = &form->items[i];
        json_t *item = json_array_get(items, i);
        if (it->type == SR_ITEM_SECTION && lang_text(it->label, "sv") && i + 1 < form->item_count &&
            form->items[i + 1].type != SR_ITEM_SECTION) {
            pending = it;
            continue;
        }
        srp_buf *ann = &row.cell[RC_ANNOTATION];
        srp_buf_puts(&row.cell[RC_VAR], it->id);
        srp_buf_puts(&row.cell[RC_FORM], form_name);
        if (pending) {
            srp_buf_puts(&row.cell[RC_SECTION], lang_text(pending->label, "sv"));
            json_t *sec = json_deep_copy(json_array_get(items, (size_t)(pending - form->items)));
            json_object_del(sec, "type");
            tag_json(ann, "@SIGREG-SECTION", sec);
            json_decref(sec);
            pending = NULL;
        }
        const char *label = lang_text(it->label, "sv");
        srp_buf_puts(&row.cell[RC_LABEL], label ? label : "");
        if (it->help)
            srp_buf_puts(&row.cell[RC_NOTE], lang_text(it->help, "sv"));
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
                const char *ol = lang_text(it->options[o].label, "sv");
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
        if (it->condition)
            rc_condition(&row.cell[RC_BRANCHING], form, it->condition, 0, 1, err);
        json_t *langs = other_languages(it, item);
        if (json_object_size(langs))
            tag_json(ann, "@SIGREG-LANG", langs);
        json_decref(langs);
        json_t *extra = extra_keys(it, item);
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
    problems_ctx *p;
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
    problem(r->p, r->field, "field '%s': branching logic: %s", r->field, message);
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
    json_t *target = built_item(r->items, name);
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
    const char *type = built_type(target);
    json_t *out = NULL;
    if (strcmp(type, "multichoice") == 0) {
        if (!has_code)
            rp_fail(r,
                    "the checkbox field '%s' is compared as a whole; compare one of its "
                    "boxes, as [%s(code)]",
                    name, name);
        else if (!built_option(target, code))
            rp_fail(r, "'%s' is not a choice of the checkbox field '%s'", code, name);
        else if (!(eq || ne) || (strcmp(lit, "1") && strcmp(lit, "0")))
            rp_fail(r,
                    "a box of the checkbox field '%s' is compared with = or <> and '1' or "
                    "'0'",
                    name);
        else {
            out = leaf(name, "includes", json_string(code));
            if ((strcmp(lit, "1") == 0) == ne)
                out = negate(out);
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
            out = negate(leaf(name, "answered", NULL));
        else if (ne)
            out = leaf(name, "answered", NULL);
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
        if (!built_option(target, lit))
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
    return ne ? negate(leaf(name, "=", value)) : leaf(name, op, value);
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
            return c ? negate(c) : NULL;
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
    json_t *folded = cond_fold(c);
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
    problems_ctx p;
    srp_csv csv;
    int col[RC_COLUMNS];
    const char *instrument;
    json_t *items;
    json_t *form_tag;
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
            problem(&im->p, field, "field '%s': the choice '%s' has no code (code, label)", field,
                    choice);
            free(choice);
            continue;
        }
        *comma = '\0';
        char *code = trimmed(choice), *label = trimmed(comma + 1);
        if (code && label) {
            if (!srp_name_option_code_valid(code))
                problem(&im->p, field,
                        "field '%s': the choice code '%s' is not a sigreg option code "
                        "(1-32 of a-z, 0-9, _)",
                        field, code);
            else if (built_option(item, code))
                problem(&im->p, field, "field '%s': the choice code '%s' comes twice", field, code);
            else
                json_array_append_new(opts, json_pack("{ssso}", "code", code, "label",
                                                      sv_text(*label ? label : code)));
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
        problem(&im->p, field, "field '%s': the %s '%s' is not a date YYYY-MM-DD or 'today'", field,
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
    problem(&im->p, field, "field '%s': the %s '%s' is not %s", field, which, text,
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
        problem(&im->p, field,
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
        problem(&im->p, field, "field '%s': a calculated field cannot be expressed", field);
    else if (strcmp(type, "file") == 0)
        problem(&im->p, field, "field '%s': a file upload field cannot be expressed", field);
    else
        problem(&im->p, field, "field '%s': the field type '%s' cannot be expressed", field, type);
    return NULL;
}

static json_t *tag_json_value(rc_import *im, const char *field, const rc_tag *tag)
{
    json_error_t jerr;
    json_t *v = tag->value ? json_loads(tag->value, JSON_DECODE_ANY, &jerr) : NULL;
    if (!v)
        problem(&im->p, field, "field '%s': the action tag %s holds no valid JSON", field,
                tag->name);
    return v;
}

static void rc_apply_tags(rc_import *im, const char *field, const rc_tags *tags, json_t *item)
{
    const char *type = built_type(item);
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
                    problem(&im->p, field, "field '%s': %s names the unknown choice '%s'", field, n,
                            c);
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
            problem(&im->p, field, "field '%s': the action tag %s cannot be expressed", field, n);
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
        if (strlen(id) > SR_ITEM_ID_MAX || built_item(im->items, id))
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
        problem(&im->p, *field ? field : where,
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
            problem(&im->p, field, "field '%s': the piping '%s' cannot be expressed", field, piped);
    if (*cell(im, row, RC_SECTION))
        json_array_append_new(im->items, rc_section(im, field, cell(im, row, RC_SECTION), &tags));
    if (strcasecmp(cell(im, row, RC_MATRIX_RANKING), "y") == 0)
        problem(&im->p, field, "field '%s': matrix ranking cannot be expressed", field);
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
        json_object_set_new(item, "label", sv_text(label));
    else if (strcmp(type, "section") != 0)
        problem(&im->p, field, "field '%s' has no label", field);
    if (*note)
        json_object_set_new(item, "help", sv_text(note));
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
                json_object_set_new(anchors, key, sv_text(t));
            } else if (t && *t) {
                problem(&im->p, field,
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

static sr_status finish_import(json_t *doc, problems_ctx *p, char **json, sr_error *err)
{
    if (p->oom)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (p->count)
        return srp_error_set(err, SR_ERR_INVALID,
                             "the definition has %zu construct%s sigreg-form/1 cannot express",
                             p->count, p->count == 1 ? "" : "s");
    *json = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!*json)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    return SR_OK;
}

/* The document around the items: what the options say, else what the
 * definition says (form), else what the format gives (fallback id/title). */
static json_t *import_document(problems_ctx *p, const sr_form_import_options *opts,
                               const json_t *form, const char *fallback_id,
                               json_t *fallback_title /* stolen */, json_t *items)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "format", json_string(SR_FORM_FORMAT));
    const char *id = opts && opts->id ? opts->id : json_string_value(json_object_get(form, "id"));
    if (!id)
        id = fallback_id;
    if (!id || !srp_name_form_id_valid(id))
        problem(p, "id", "the form id '%s' is not a sigreg form id ([a-z][a-z0-9-]{0,47})",
                id ? id : "");
    json_object_set_new(doc, "id", json_string(id ? id : ""));
    json_t *version = json_object_get(form, "version");
    if (opts && opts->version > 0)
        json_object_set_new(doc, "version", json_integer(opts->version));
    else if (json_is_integer(version))
        json_object_set(doc, "version", version);
    else
        json_object_set_new(doc, "version", json_integer(1));
    const char *phase =
        opts && opts->phase ? opts->phase : json_string_value(json_object_get(form, "phase"));
    sr_phase ph;
    if (!phase)
        problem(p, "phase", "the definition does not say which phase the form belongs to");
    else if (sr_phase_parse(phase, &ph) != 0)
        problem(p, "phase",
                "'%s' is not a phase (intake, intervention, closure, experience, "
                "followup)",
                phase);
    json_object_set_new(doc, "phase", json_string(phase ? phase : ""));
    json_t *repeatable = json_object_get(form, "repeatable");
    if (opts && opts->repeatable >= 0)
        json_object_set_new(doc, "repeatable", json_boolean(opts->repeatable));
    else
        json_object_set_new(doc, "repeatable", json_boolean(json_is_true(repeatable)));
    json_t *title = json_object_get(form, "title");
    if (title) {
        json_object_set(doc, "title", title);
        json_decref(fallback_title);
    } else {
        json_object_set_new(doc, "title", fallback_title);
    }
    if (json_object_get(form, "description"))
        json_object_set(doc, "description", json_object_get(form, "description"));
    json_t *left = leftover_keys(form, known_document_keys);
    if (left)
        json_object_update_missing(doc, left);
    json_decref(left);
    json_object_set(doc, "items", items);
    return doc;
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
                problem(&im.p, where,
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
            problem(&im.p, "row 1", "row 1: the column '%s' is not a REDCap data dictionary column",
                    name);
        free(name);
    }
    int required_cols[] = {RC_VAR, RC_FORM, RC_TYPE, RC_LABEL};
    for (size_t k = 0; k < 4; k++)
        if (im.col[required_cols[k]] < 0)
            problem(&im.p, "row 1", "row 1: the column '%s' is missing",
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
            redcap_form_name(opts->id, wanted, sizeof wanted);
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
            problem(&im.p, "instrument",
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
            problem(&im.p, "instrument", "the dictionary has no instrument '%s'", im.instrument);
    }
    {
        char fallback[SR_FORM_ID_MAX + 1];
        snprintf(fallback, sizeof fallback, "%s", im.instrument);
        for (char *q = fallback; *q; q++)
            *q = *q == '_' ? '-' : *q;
        doc = import_document(&im.p, opts, im.form_tag, fallback, sv_text(im.instrument), im.items);
    }
done:
    rc = finish_import(doc, &im.p, json, err);
out:
    json_decref(doc);
    json_decref(im.items);
    json_decref(im.form_tag);
    srp_csv_release(&im.csv);
    return rc;
}

/* ---- FHIR R4 Questionnaire: export ---------------------------------------------------------- */

#define HL7_SD "http://hl7.org/fhir/StructureDefinition/"
#define EXT_TRANSLATION HL7_SD "translation"
#define EXT_MIN_VALUE HL7_SD "minValue"
#define EXT_MAX_VALUE HL7_SD "maxValue"
#define EXT_DECIMALS HL7_SD "maxDecimalPlaces"
#define EXT_MIN_OCCURS HL7_SD "questionnaire-minOccurs"
#define EXT_MAX_OCCURS HL7_SD "questionnaire-maxOccurs"
#define EXT_ITEM_CONTROL HL7_SD "questionnaire-itemControl"
#define EXT_SLIDER_STEP HL7_SD "questionnaire-sliderStepValue"
#define EXT_CQF_EXPRESSION HL7_SD "cqf-expression"
#define ITEM_CONTROL_SYSTEM "http://hl7.org/fhir/questionnaire-item-control"
#define SX(name) SR_FHIR_EXTENSION_BASE name

static void add_extension(json_t *obj, json_t *ext /* stolen */)
{
    json_t *list = json_object_get(obj, "extension");
    if (!list)
        json_object_set_new(obj, "extension", list = json_array());
    json_array_append_new(list, ext);
}

/* Sets key to the Swedish text and _key to the other languages as FHIR
 * translation extensions. */
static void fhir_text(json_t *obj, const char *key, const json_t *text)
{
    const char *sv = lang_text(text, "sv");
    if (!sv)
        return;
    json_object_set_new(obj, key, json_string(sv));
    if (!json_is_object(text))
        return;
    json_t *shadow = NULL;
    const char *lang;
    json_t *s;
    json_object_foreach((json_t *)text, lang, s)
    {
        if (strcmp(lang, "sv") == 0)
            continue;
        if (!shadow)
            shadow = json_object();
        add_extension(shadow, json_pack("{sss[{sss s}{ssso}]}", "url", EXT_TRANSLATION, "extension",
                                        "url", "lang", "valueCode", lang, "url", "content",
                                        "valueString", json_incref(s)));
    }
    if (shadow) {
        char k[64];
        snprintf(k, sizeof k, "_%s", key);
        json_object_set_new(obj, k, shadow);
    }
}

static json_t *item_control(const char *code)
{
    return json_pack("{sss{s[{ssss}]}}", "url", EXT_ITEM_CONTROL, "valueCodeableConcept", "coding",
                     "system", ITEM_CONTROL_SYSTEM, "code", code);
}

static json_t *fhir_answer_value(const srp_item *target, const json_t *value, const char **key)
{
    switch (target->type) {
    case SR_ITEM_BOOLEAN:
        *key = "answerBoolean";
        return json_incref((json_t *)value);
    case SR_ITEM_CHOICE:
    case SR_ITEM_MULTICHOICE:
        *key = "answerCoding";
        return json_pack("{sO}", "code", (json_t *)value);
    case SR_ITEM_INTEGER:
    case SR_ITEM_SCALE:
        *key = "answerInteger";
        return json_incref((json_t *)value);
    case SR_ITEM_DECIMAL:
        *key = "answerDecimal";
        return json_real(json_number_value(value));
    case SR_ITEM_DATE:
        *key = "answerDate";
        return json_incref((json_t *)value);
    default:
        *key = "answerString";
        return json_incref((json_t *)value);
    }
}

/* Appends the enableWhen entries for one comparison of a condition in
 * negation normal form. kind is 'a' when they must all hold, 'o' when one
 * is enough, '1' for a single entry; 0 when FHIR cannot say it. */
static int fhir_leaf(const sr_form *form, const json_t *c, json_t *list)
{
    int neg = json_object_get(c, "not") != NULL;
    const json_t *l = neg ? json_object_get(c, "not") : c;
    const char *id = json_string_value(json_object_get(l, "item"));
    const char *op = json_string_value(json_object_get(l, "op"));
    const json_t *value = json_object_get(l, "value");
    const srp_item *target = find_item(form, id);
    const char *key = NULL;
    if (!target || !op)
        return 0;
    if (strcmp(op, "answered") == 0) {
        json_array_append_new(list, json_pack("{sssssb}", "question", id, "operator", "exists",
                                              "answerBoolean", !neg));
        return '1';
    }
    const char *fop = strcmp(op, "includes") == 0 ? "=" : op;
    if (neg && strcmp(fop, "=") == 0)
        fop = "!="; /* FHIR's != holds when no answer equals, also when there is none */
    else if (neg)
        fop = negated_op(fop);
    json_t *v = fhir_answer_value(target, value, &key);
    if (strcmp(op, "!=") == 0 || neg) {
        if (strcmp(op, "!=") == 0 && !neg) {
            json_array_append_new(list,
                                  json_pack("{sssssO}", "question", id, "operator", "!=", key, v));
            json_array_append_new(list, json_pack("{sssssb}", "question", id, "operator", "exists",
                                                  "answerBoolean", 1));
            json_decref(v);
            return 'a';
        }
        if (strcmp(fop, "!=") == 0 && (strcmp(op, "=") == 0 || strcmp(op, "includes") == 0)) {
            json_array_append_new(list,
                                  json_pack("{sssssO}", "question", id, "operator", fop, key, v));
            json_decref(v);
            return '1';
        }
        /* not (x op v): the opposite, or no answer */
        json_array_append_new(list, json_pack("{sssssO}", "question", id, "operator",
                                              strcmp(fop, "!=") == 0 ? "=" : fop, key, v));
        json_array_append_new(
            list, json_pack("{sssssb}", "question", id, "operator", "exists", "answerBoolean", 0));
        json_decref(v);
        return 'o';
    }
    json_array_append_new(list, json_pack("{sssssO}", "question", id, "operator", fop, key, v));
    json_decref(v);
    return '1';
}

/* Writes a condition as enableWhen + enableBehavior where FHIR can say it;
 * else as sigreg's own extension (never approximated). */
static void fhir_condition(const sr_form *form, const json_t *cond, json_t *q)
{
    json_t *c = cond_nnf(cond, 0);
    json_t *list = json_array();
    json_t *all = json_object_get(c, "all"), *any = json_object_get(c, "any");
    int ok = 1;
    char behavior = 0;
    if (all || any) {
        behavior = all ? 'a' : 'o';
        size_t i;
        json_t *m;
        json_array_foreach(all ? all : any, i, m)
        {
            int k = json_object_get(m, "all") || json_object_get(m, "any")
                        ? 0
                        : fhir_leaf(form, m, list);
            if (!(k == '1' || k == behavior))
                ok = 0;
        }
    } else {
        int k = fhir_leaf(form, c, list);
        ok = k != 0;
        behavior = k == '1' ? 0 : (char)k;
    }
    if (ok) {
        json_object_set_new(q, "enableWhen", list);
        if (json_array_size(list) > 1)
            json_object_set_new(q, "enableBehavior", json_string(behavior == 'o' ? "any" : "all"));
    } else {
        json_decref(list);
        char *s = json_dumps(cond, JSON_COMPACT | JSON_SORT_KEYS);
        add_extension(q, json_pack("{ssss}", "url", SX("enable-when"), "valueString", s ? s : ""));
        free(s);
    }
    json_decref(c);
}

static json_t *fhir_bound(const srp_item *it, int is_max)
{
    const char *url = is_max ? EXT_MAX_VALUE : EXT_MIN_VALUE;
    if (it->type == SR_ITEM_DATE) {
        const char *d = is_max ? it->max_date : it->min_date;
        if (!d)
            return NULL;
        if (strcmp(d, "today") == 0)
            return json_pack("{sss{s[{sss{ssss}}]}}", "url", url, "_valueDate", "extension", "url",
                             EXT_CQF_EXPRESSION, "valueExpression", "language", "text/fhirpath",
                             "expression", "today()");
        return json_pack("{ssss}", "url", url, "valueDate", d);
    }
    if (!(is_max ? it->has_max : it->has_min))
        return NULL;
    double v = is_max ? it->max : it->min;
    if (it->type == SR_ITEM_DECIMAL)
        return json_pack("{sssf}", "url", url, "valueDecimal", v);
    return json_pack("{sssI}", "url", url, "valueInteger", (json_int_t)v);
}

static json_t *fhir_help(const srp_item *it)
{
    json_t *h = json_object();
    char link[SR_ITEM_ID_MAX + 8];
    snprintf(link, sizeof link, "%s-help", it->id);
    json_object_set_new(h, "linkId", json_string(link));
    fhir_text(h, "text", it->help);
    json_object_set_new(h, "type", json_string("display"));
    add_extension(h, item_control("help"));
    return h;
}

static void flag_extension(json_t *obj, const char *url, int on)
{
    if (on)
        add_extension(obj, json_pack("{sssb}", "url", url, "valueBoolean", 1));
}

static json_t *fhir_item(const sr_form *form, size_t i)
{
    const srp_item *it = &form->items[i];
    json_t *item = json_array_get(json_object_get(form->root, "items"), i);
    json_t *q = json_object();
    static const char *const types[SR_ITEM_TYPE_COUNT] = {
        "group", "boolean", "choice", "choice", "integer", "decimal", "integer", "date", "text"};
    json_object_set_new(q, "linkId", json_string(it->id));
    if (it->label)
        fhir_text(q, "text", it->label);
    json_object_set_new(q, "type", json_string(types[it->type]));
    if (it->required)
        json_object_set_new(q, "required", json_true());
    if (it->type == SR_ITEM_MULTICHOICE)
        json_object_set_new(q, "repeats", json_true());
    if (it->type == SR_ITEM_TEXT)
        json_object_set_new(q, "maxLength", json_integer((json_int_t)it->max_length));
    json_t *lo = fhir_bound(it, 0), *hi = fhir_bound(it, 1);
    if (lo)
        add_extension(q, lo);
    if (hi)
        add_extension(q, hi);
    if (it->type == SR_ITEM_DECIMAL && it->decimals >= 0)
        add_extension(q, json_pack("{sssi}", "url", EXT_DECIMALS, "valueInteger", it->decimals));
    if (it->type == SR_ITEM_MULTICHOICE && it->min_selected > 0)
        add_extension(q, json_pack("{sssI}", "url", EXT_MIN_OCCURS, "valueInteger",
                                   (json_int_t)it->min_selected));
    if (it->type == SR_ITEM_MULTICHOICE && it->max_selected < it->option_count)
        add_extension(q, json_pack("{sssI}", "url", EXT_MAX_OCCURS, "valueInteger",
                                   (json_int_t)it->max_selected));
    if (it->type == SR_ITEM_SCALE) {
        add_extension(q, item_control("slider"));
        add_extension(q, json_pack("{sssi}", "url", EXT_SLIDER_STEP, "valueInteger", 1));
        const char *value;
        json_t *text;
        json_object_foreach(json_object_get(item, "anchors"), value, text)
        {
            json_t *content = json_object();
            fhir_text(content, "valueString", text);
            json_object_set_new(content, "url", json_string("text"));
            add_extension(q, json_pack("{ss s[{sssI} o]}", "url", SX("anchor"), "extension", "url",
                                       "value", "valueInteger", (json_int_t)strtol(value, NULL, 10),
                                       content));
        }
    }
    flag_extension(q, SX("ordered"), it->ordered);
    flag_extension(q, SX("identifying"), it->identifying);
    flag_extension(q, SX("quasi-identifier"), it->quasi_identifier);
    json_t *extra = extra_keys(it, item);
    if (json_object_size(extra)) {
        char *s = json_dumps(extra, JSON_COMPACT | JSON_SORT_KEYS);
        add_extension(q, json_pack("{ssss}", "url", SX("extra"), "valueString", s ? s : "{}"));
        free(s);
    }
    json_decref(extra);
    if (it->option_count) {
        json_t *opts = json_array();
        for (size_t o = 0; o < it->option_count; o++) {
            json_t *coding = json_pack("{ss}", "code", it->options[o].code);
            fhir_text(coding, "display", it->options[o].label);
            json_t *opt = json_pack("{so}", "valueCoding", coding);
            flag_extension(opt, SX("missing"), it->options[o].missing);
            json_array_append_new(opts, opt);
        }
        json_object_set_new(q, "answerOption", opts);
    }
    if (it->condition)
        fhir_condition(form, it->condition, q);
    if (it->help) {
        json_t *children = json_array();
        json_array_append_new(children, fhir_help(it));
        json_object_set_new(q, "item", children);
    }
    return q;
}

sr_status sr_form_export_fhir(const sr_form *form, char **out, sr_error *err)
{
    char name[SR_FORM_ID_MAX + 1], version[24], url[SR_FORM_ID_MAX + 32];
    *out = NULL;
    redcap_form_name(form->id, name, sizeof name);
    snprintf(version, sizeof version, "%d", form->version);
    snprintf(url, sizeof url, "%s%s", SR_FHIR_FORM_URL_BASE, form->id);
    json_t *q =
        json_pack("{ssssssssssssss}", "resourceType", "Questionnaire", "id", form->id, "url", url,
                  "language", "sv", "name", name, "version", version, "status", "active");
    if (!q)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    fhir_text(q, "title", form->title);
    if (form->description)
        fhir_text(q, "description", form->description);
    add_extension(q,
                  json_pack("{ssss}", "url", SX("phase"), "valueCode", sr_phase_name(form->phase)));
    add_extension(q,
                  json_pack("{sssb}", "url", SX("repeatable"), "valueBoolean", form->repeatable));
    json_t *left = leftover_keys(form->root, known_document_keys);
    if (left) {
        char *s = json_dumps(left, JSON_COMPACT | JSON_SORT_KEYS);
        add_extension(q, json_pack("{ssss}", "url", SX("extra"), "valueString", s ? s : "{}"));
        free(s);
        json_decref(left);
    }
    /* A section is a group holding the items up to the next section. */
    json_t *top = json_array(), *group = NULL;
    for (size_t i = 0; i < form->item_count; i++) {
        json_t *q_item = fhir_item(form, i);
        if (form->items[i].type == SR_ITEM_SECTION) {
            json_array_append_new(top, q_item);
            group = q_item;
            if (!json_object_get(group, "item"))
                json_object_set_new(group, "item", json_array());
            continue;
        }
        json_array_append_new(group ? json_object_get(group, "item") : top, q_item);
    }
    /* A group without items is a display item (FHIR's que-1). */
    size_t i;
    json_t *g;
    json_array_foreach(top, i, g)
    {
        if (strcmp(json_string_value(json_object_get(g, "type")), "group") == 0 &&
            json_array_size(json_object_get(g, "item")) == 0) {
            json_object_set_new(g, "type", json_string("display"));
            json_object_del(g, "item");
        }
    }
    json_object_set_new(q, "item", top);
    *out = json_dumps(q, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(q);
    return *out ? SR_OK : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
}

/* ---- FHIR R4 Questionnaire: import ---------------------------------------------------------- */

typedef struct fh_import {
    problems_ctx p;
    json_t *items;
    json_t *all_links; /* every linkId in document order, to tell later from unknown */
} fh_import;

/* A FHIR string with its translations (_key) as a sigreg text, or NULL. */
static json_t *fhir_read_text(const json_t *obj, const char *key)
{
    const char *sv = json_string_value(json_object_get(obj, key));
    if (!sv || !*sv)
        return NULL;
    json_t *text = sv_text(sv);
    char k[64];
    snprintf(k, sizeof k, "_%s", key);
    size_t i;
    json_t *ext;
    json_array_foreach(json_object_get(json_object_get(obj, k), "extension"), i, ext)
    {
        if (strcmp(json_string_value(json_object_get(ext, "url")) ?: "", EXT_TRANSLATION))
            continue;
        const char *lang = NULL, *content = NULL;
        size_t j;
        json_t *sub;
        json_array_foreach(json_object_get(ext, "extension"), j, sub)
        {
            const char *u = json_string_value(json_object_get(sub, "url")) ?: "";
            if (strcmp(u, "lang") == 0)
                lang = json_string_value(json_object_get(sub, "valueCode"));
            else if (strcmp(u, "content") == 0)
                content = json_string_value(json_object_get(sub, "valueString"));
        }
        if (lang && content && *content && strcmp(lang, "sv") != 0)
            json_object_set_new(text, lang, json_string(content));
    }
    return text;
}

static const char *control_code(const json_t *ext)
{
    return json_string_value(json_object_get(
        json_array_get(json_object_get(json_object_get(ext, "valueCodeableConcept"), "coding"), 0),
        "code"));
}

static int has_control(const json_t *q, const char *code)
{
    size_t i;
    json_t *ext;
    json_array_foreach(json_object_get(q, "extension"), i, ext)
    {
        const char *u = json_string_value(json_object_get(ext, "url")) ?: "";
        if (strcmp(u, EXT_ITEM_CONTROL) == 0 && strcmp(control_code(ext) ?: "", code) == 0)
            return 1;
    }
    return 0;
}

static void collect_links(const json_t *items, json_t *out)
{
    size_t i;
    json_t *q;
    json_array_foreach(items, i, q)
    {
        json_array_append(out, json_object_get(q, "linkId"));
        collect_links(json_object_get(q, "item"), out);
    }
}

static json_t *fh_condition_entry(fh_import *im, const char *link, const json_t *ew)
{
    const char *question = json_string_value(json_object_get(ew, "question")) ?: "";
    const char *op = json_string_value(json_object_get(ew, "operator")) ?: "";
    json_t *target = built_item(im->items, question);
    if (!target) {
        size_t i;
        json_t *l;
        int later = 0;
        json_array_foreach(im->all_links, i, l) later |=
            json_is_string(l) && strcmp(json_string_value(l), question) == 0;
        problem(&im->p, link,
                later ? "item '%s': enableWhen names '%s', which does not come before it: a "
                        "sigreg condition may name only earlier items"
                      : "item '%s': enableWhen names the unknown item '%s'",
                link, question);
        return NULL;
    }
    const char *type = built_type(target);
    if (strcmp(op, "exists") == 0) {
        json_t *b = json_object_get(ew, "answerBoolean");
        json_t *c = leaf(question, "answered", NULL);
        return json_is_false(b) ? negate(c) : c;
    }
    static const char *const keys[][2] = {
        {"boolean", "answerBoolean"}, {"choice", "answerCoding"}, {"multichoice", "answerCoding"},
        {"integer", "answerInteger"}, {"scale", "answerInteger"}, {"decimal", "answerDecimal"},
        {"date", "answerDate"},       {"text", "answerString"}};
    const char *key = NULL;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (strcmp(type, keys[k][0]) == 0)
            key = keys[k][1];
    json_t *v = key ? json_object_get(ew, key) : NULL;
    if (!v && strcmp(type, "decimal") == 0)
        v = json_object_get(ew, "answerInteger");
    if (!v) {
        problem(&im->p, link,
                "item '%s': enableWhen compares '%s' (%s) with an answer of another "
                "type",
                link, question, type);
        return NULL;
    }
    json_t *value;
    if (json_is_object(v)) {
        const char *code = json_string_value(json_object_get(v, "code")) ?: "";
        if (!built_option(target, code)) {
            problem(&im->p, link,
                    "item '%s': enableWhen names '%s', which is not an option of '%s'", link, code,
                    question);
            return NULL;
        }
        value = json_string(code);
    } else {
        value = json_deep_copy(v);
    }
    int multi = strcmp(type, "multichoice") == 0;
    int ordering = strcmp(op, "<") == 0 || strcmp(op, "<=") == 0 || strcmp(op, ">") == 0 ||
                   strcmp(op, ">=") == 0;
    if (strcmp(op, "=") == 0)
        return leaf(question, multi ? "includes" : "=", value);
    if (strcmp(op, "!=") == 0)
        return negate(leaf(question, multi ? "includes" : "=", value));
    if (ordering && (strcmp(type, "integer") == 0 || strcmp(type, "scale") == 0 ||
                     strcmp(type, "decimal") == 0 || strcmp(type, "date") == 0))
        return leaf(question, op, value);
    json_decref(value);
    problem(&im->p, link, "item '%s': the enableWhen operator '%s' on '%s' cannot be expressed",
            link, op, question);
    return NULL;
}

static const char *const refused_extensions[][2] = {
    {"calculatedExpression", "a calculated value"},
    {"initialExpression", "an initial value expression"},
    {"enableWhenExpression", "an enableWhen expression"},
    {"answerExpression", "an answer expression"},
    {"candidateExpression", "a candidate expression"},
    {"questionnaire-hidden", "a hidden item"},
    {"regex", "a regular expression constraint"},
    {"minLength", "a minimum length"},
    {"questionnaire-unit", "a unit of measure"},
    {"questionnaire-unitOption", "a unit of measure"},
    {"targetConstraint", "a constraint"},
    {"cqf-expression", "a calculated value"},
    {"cqf-calculatedValue", "a calculated value"}};

static void fh_extensions(fh_import *im, const char *link, const json_t *q, json_t *item)
{
    size_t i;
    json_t *ext;
    if (json_array_size(json_object_get(q, "modifierExtension")))
        problem(&im->p, link, "item '%s': a modifier extension cannot be expressed", link);
    const char *type = built_type(item);
    json_array_foreach(json_object_get(q, "extension"), i, ext)
    {
        const char *url = json_string_value(json_object_get(ext, "url")) ?: "";
        if (strcmp(url, EXT_MIN_VALUE) == 0 || strcmp(url, EXT_MAX_VALUE) == 0) {
            const char *key = strcmp(url, EXT_MIN_VALUE) == 0 ? "min" : "max";
            json_t *v = json_object_get(ext, "valueInteger");
            if (!v)
                v = json_object_get(ext, "valueDecimal");
            if (!v)
                v = json_object_get(ext, "valueDate");
            json_t *shadow = json_object_get(ext, "_valueDate");
            if (!v && shadow) { /* only today(), as sigreg writes it */
                json_t *expr = json_object_get(
                    json_array_get(json_object_get(shadow, "extension"), 0), "valueExpression");
                const char *e = json_string_value(json_object_get(expr, "expression"));
                if (e && strcmp(e, "today()") == 0)
                    json_object_set_new(item, key, json_string("today"));
                else
                    problem(&im->p, link,
                            "item '%s': the %s expression '%s' cannot be expressed "
                            "(sigreg has a date or today)",
                            link, strcmp(key, "min") == 0 ? "minValue" : "maxValue", e ? e : "");
            } else if (v && strcmp(type, "decimal") == 0 && json_is_number(v))
                json_object_set_new(item, key, json_real(json_number_value(v)));
            else if (v)
                json_object_set(item, key, v);
            continue;
        }
        if (strcmp(url, EXT_DECIMALS) == 0) {
            json_object_set(item, "decimals", json_object_get(ext, "valueInteger"));
        } else if (strcmp(url, EXT_MIN_OCCURS) == 0 || strcmp(url, EXT_MAX_OCCURS) == 0) {
            if (strcmp(type, "multichoice") == 0)
                json_object_set(item,
                                strcmp(url, EXT_MIN_OCCURS) == 0 ? "min_selected" : "max_selected",
                                json_object_get(ext, "valueInteger"));
        } else if (strcmp(url, SX("ordered")) == 0) {
            json_object_set_new(item, "ordered", json_true());
        } else if (strcmp(url, SX("identifying")) == 0) {
            json_object_set_new(item, "identifying", json_true());
        } else if (strcmp(url, SX("quasi-identifier")) == 0) {
            json_object_set_new(item, "quasi_identifier", json_true());
        } else if (strcmp(url, SX("anchor")) == 0) {
            json_t *anchors = json_object_get(item, "anchors");
            if (!anchors)
                json_object_set_new(item, "anchors", anchors = json_object());
            json_int_t value = 0;
            json_t *text = NULL;
            size_t j;
            json_t *sub;
            json_array_foreach(json_object_get(ext, "extension"), j, sub)
            {
                const char *u = json_string_value(json_object_get(sub, "url")) ?: "";
                if (strcmp(u, "value") == 0)
                    value = json_integer_value(json_object_get(sub, "valueInteger"));
                else if (strcmp(u, "text") == 0)
                    text = fhir_read_text(sub, "valueString");
            }
            char key[24];
            snprintf(key, sizeof key, "%lld", (long long)value);
            if (text)
                json_object_set_new(anchors, key, text);
        } else if (strcmp(url, SX("enable-when")) == 0) {
            json_error_t jerr;
            json_t *c =
                json_loads(json_string_value(json_object_get(ext, "valueString")) ?: "", 0, &jerr);
            if (c)
                json_object_set_new(item, "enable_when", c);
            else
                problem(&im->p, link, "item '%s': the sigreg enable-when extension is not JSON",
                        link);
        } else if (strcmp(url, SX("extra")) == 0) {
            json_error_t jerr;
            json_t *extra =
                json_loads(json_string_value(json_object_get(ext, "valueString")) ?: "", 0, &jerr);
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
        } else if (strncmp(url, SR_FHIR_EXTENSION_BASE, strlen(SR_FHIR_EXTENSION_BASE)) == 0) {
            problem(&im->p, link, "item '%s': the sigreg extension '%s' is unknown", link, url);
        } else {
            for (size_t k = 0; k < sizeof refused_extensions / sizeof refused_extensions[0]; k++) {
                size_t ul = strlen(url), nl = strlen(refused_extensions[k][0]);
                if (ul >= nl && strcmp(url + ul - nl, refused_extensions[k][0]) == 0)
                    problem(&im->p, link, "item '%s': %s (%s) cannot be expressed", link,
                            refused_extensions[k][1], url);
            }
            /* Any other extension is presentation (rendering, item control,
             * entry format...): FHIR lets a reader that does not know it
             * ignore it. */
        }
    }
}

static void fh_item(fh_import *im, const json_t *q, int depth);

static void fh_options(fh_import *im, const char *link, const json_t *q, json_t *item)
{
    json_t *opts = json_array();
    json_object_set_new(item, "options", opts);
    if (json_object_get(q, "answerValueSet"))
        problem(&im->p, link,
                "item '%s': answerValueSet (options from a value set) cannot be "
                "expressed; list them as answerOption",
                link);
    size_t i;
    json_t *ao;
    json_array_foreach(json_object_get(q, "answerOption"), i, ao)
    {
        json_t *coding = json_object_get(ao, "valueCoding");
        json_t *integer = json_object_get(ao, "valueInteger");
        char code[64] = "";
        json_t *label = NULL;
        if (coding) {
            snprintf(code, sizeof code, "%s",
                     json_string_value(json_object_get(coding, "code")) ?: "");
            label = fhir_read_text(coding, "display");
        } else if (integer) {
            snprintf(code, sizeof code, "%lld", (long long)json_integer_value(integer));
        } else {
            problem(&im->p, link,
                    "item '%s': answerOption %zu is not a coding or an integer, so it "
                    "has no code",
                    link, i + 1);
            continue;
        }
        if (json_is_true(json_object_get(ao, "initialSelected")))
            problem(&im->p, link,
                    "item '%s': the initially selected option '%s' cannot be expressed", link,
                    code);
        if (!srp_name_option_code_valid(code)) {
            problem(
                &im->p, link,
                "item '%s': the option code '%s' is not a sigreg option code (1-32 of a-z, 0-9, _)",
                link, code);
            json_decref(label);
            continue;
        }
        if (built_option(item, code)) {
            problem(&im->p, link, "item '%s': the option code '%s' comes twice", link, code);
            json_decref(label);
            continue;
        }
        json_t *opt = json_pack("{ssso}", "code", code, "label", label ? label : sv_text(code));
        size_t j;
        json_t *ext;
        json_array_foreach(json_object_get(ao, "extension"), j, ext)
        {
            if (strcmp(json_string_value(json_object_get(ext, "url")) ?: "", SX("missing")) == 0)
                json_object_set_new(opt, "missing", json_true());
        }
        json_array_append_new(opts, opt);
    }
    if (json_array_size(json_object_get(q, "answerOption")) == 0 &&
        !json_object_get(q, "answerValueSet"))
        problem(&im->p, link, "item '%s': a choice item has no answerOption", link);
}

static void fh_item(fh_import *im, const json_t *q, int depth)
{
    const char *link = json_string_value(json_object_get(q, "linkId")) ?: "";
    const char *ftype = json_string_value(json_object_get(q, "type")) ?: "";
    if (!srp_name_item_id_valid(link)) {
        problem(&im->p, *link ? link : "item",
                "linkId '%s' is not a sigreg item id ([a-z][a-z0-9_]{0,47})", link);
        /* go on: what else the item holds is reported too */
    }
    const char *type = NULL;
    int repeats = json_is_true(json_object_get(q, "repeats"));
    int group = strcmp(ftype, "group") == 0;
    if (group || strcmp(ftype, "display") == 0) {
        type = "section";
        if (depth > 0 && group) {
            problem(&im->p, link,
                    "item '%s': a group inside a group cannot be expressed (sigreg "
                    "sections do not nest)",
                    link);
            return;
        }
        if (depth > 0) {
            problem(&im->p, link, "item '%s': a display item inside a group cannot be expressed",
                    link);
            return;
        }
        if (repeats)
            problem(&im->p, link, "item '%s': a repeating group cannot be expressed", link);
    } else if (strcmp(ftype, "choice") == 0) {
        type = repeats ? "multichoice" : "choice";
    } else if (strcmp(ftype, "integer") == 0) {
        type = has_control(q, "slider") ? "scale" : "integer";
    } else if (strcmp(ftype, "boolean") == 0 || strcmp(ftype, "decimal") == 0 ||
               strcmp(ftype, "date") == 0) {
        type = ftype;
    } else if (strcmp(ftype, "string") == 0 || strcmp(ftype, "text") == 0) {
        type = "text";
    } else {
        problem(&im->p, link, "item '%s': the item type '%s' cannot be expressed", link, ftype);
        return;
    }
    if (repeats && strcmp(ftype, "choice") && !group)
        problem(&im->p, link, "item '%s': a repeating %s item cannot be expressed", link, ftype);
    if (json_object_get(q, "initial"))
        problem(&im->p, link, "item '%s': an initial value cannot be expressed", link);
    if (json_is_true(json_object_get(q, "readOnly")))
        problem(&im->p, link, "item '%s': a read-only item cannot be expressed", link);
    json_t *item = json_pack("{ssss}", "id", link, "type", type);
    json_t *label = fhir_read_text(q, "text");
    if (label)
        json_object_set_new(item, "label", label);
    else if (strcmp(type, "section") != 0)
        problem(&im->p, link, "item '%s' has no text", link);
    if (json_is_true(json_object_get(q, "required"))) {
        if (strcmp(type, "section") == 0)
            problem(&im->p, link, "item '%s': a required group cannot be expressed", link);
        else
            json_object_set_new(item, "required", json_true());
    }
    if (strcmp(type, "choice") == 0 || strcmp(type, "multichoice") == 0)
        fh_options(im, link, q, item);
    else if (json_object_get(q, "answerOption") || json_object_get(q, "answerValueSet"))
        problem(&im->p, link, "item '%s': options on a %s item cannot be expressed", link, ftype);
    json_t *ml = json_object_get(q, "maxLength");
    if (ml && strcmp(type, "text") == 0)
        json_object_set(item, "max_length", ml);
    else if (ml)
        problem(&im->p, link, "item '%s': maxLength on a %s item cannot be expressed", link, ftype);
    fh_extensions(im, link, q, item);
    if (strcmp(type, "scale") == 0 &&
        !(json_object_get(item, "min") && json_object_get(item, "max")))
        problem(&im->p, link, "item '%s': a slider needs minValue and maxValue", link);
    /* enableWhen. */
    json_t *ew = json_object_get(q, "enableWhen");
    if (json_array_size(ew)) {
        if (group && depth == 0 && strcmp(type, "section") == 0) {
            problem(&im->p, link,
                    "item '%s': enableWhen on a group cannot be expressed (a "
                    "section has no condition)",
                    link);
        } else {
            const char *behavior = json_string_value(json_object_get(q, "enableBehavior"));
            json_t *list = json_array();
            size_t i;
            json_t *e;
            json_array_foreach(ew, i, e)
            {
                json_t *c = fh_condition_entry(im, link, e);
                if (c)
                    json_array_append_new(list, c);
            }
            if (json_array_size(list) == json_array_size(ew)) {
                json_t *c = json_pack(
                    "{sO}", behavior && strcmp(behavior, "any") == 0 ? "any" : "all", list);
                json_t *folded = cond_fold(c);
                json_object_set_new(item, "enable_when", folded);
                json_decref(c);
            }
            json_decref(list);
        }
    }
    /* Children: a help text, or (under a group) the section's items. */
    size_t i;
    json_t *child;
    json_t *children = json_object_get(q, "item");
    size_t first = 0;
    json_t *c0 = json_array_get(children, 0);
    if (c0 && strcmp(json_string_value(json_object_get(c0, "type")) ?: "", "display") == 0 &&
        has_control(c0, "help")) {
        json_t *help = fhir_read_text(c0, "text");
        if (help)
            json_object_set_new(item, "help", help);
        first = 1;
    }
    json_array_append_new(im->items, item);
    json_array_foreach(children, i, child)
    {
        if (i < first)
            continue;
        if (!group) {
            problem(&im->p, link, "item '%s': items nested under a question cannot be expressed",
                    link);
            break;
        }
        fh_item(im, child, depth + 1);
    }
}

sr_status sr_form_import_fhir(const char *text, size_t len, const sr_form_import_options *opts,
                              char **json, sr_problems *problems, sr_error *err)
{
    sr_status rc = SR_OK;
    fh_import im;
    json_error_t jerr;
    json_t *q = NULL, *doc = NULL, *form = NULL;
    memset(&im, 0, sizeof im);
    im.p.problems = problems;
    *json = NULL;
    q = json_loadb(text, len, 0, &jerr);
    if (!q)
        return srp_error_set(err, SR_ERR_INVALID, "not valid JSON: %s at line %d, column %d",
                             jerr.text, jerr.line, jerr.column);
    if (strcmp(json_string_value(json_object_get(q, "resourceType")) ?: "", "Questionnaire")) {
        rc = srp_error_set(err, SR_ERR_INVALID, "not a FHIR Questionnaire resource");
        goto out;
    }
    im.items = json_array();
    im.all_links = json_array();
    collect_links(json_object_get(q, "item"), im.all_links);
    size_t i;
    json_t *top;
    json_array_foreach(json_object_get(q, "item"), i, top) fh_item(&im, top, 0);
    /* What the form says as a whole. */
    form = json_object();
    const char *name = json_string_value(json_object_get(q, "name"));
    char id[SR_FORM_ID_MAX + 1] = "";
    const char *src = name ? name : json_string_value(json_object_get(q, "id"));
    if (src) {
        snprintf(id, sizeof id, "%s", src);
        for (char *p = id; *p; p++)
            *p = *p == '_' ? '-' : (char)tolower((unsigned char)*p);
    }
    const char *version = json_string_value(json_object_get(q, "version"));
    if (version && !(opts && opts->version > 0)) {
        char *end = NULL;
        long v = strtol(version, &end, 10);
        if (*end || v < 1)
            problem(&im.p, "version",
                    "the Questionnaire version '%s' is not a whole number of at least 1", version);
        else
            json_object_set_new(form, "version", json_integer(v));
    }
    json_t *title = fhir_read_text(q, "title");
    if (!title)
        title = sv_text(name ? name : id);
    json_object_set_new(form, "title", title);
    json_t *description = fhir_read_text(q, "description");
    if (description)
        json_object_set_new(form, "description", description);
    json_t *ext;
    json_array_foreach(json_object_get(q, "extension"), i, ext)
    {
        const char *url = json_string_value(json_object_get(ext, "url")) ?: "";
        if (strcmp(url, SX("phase")) == 0)
            json_object_set(form, "phase", json_object_get(ext, "valueCode"));
        else if (strcmp(url, SX("repeatable")) == 0)
            json_object_set(form, "repeatable", json_object_get(ext, "valueBoolean"));
        else if (strcmp(url, SX("extra")) == 0) {
            json_t *extra =
                json_loads(json_string_value(json_object_get(ext, "valueString")) ?: "", 0, &jerr);
            json_object_update_missing(form, extra);
            json_decref(extra);
        }
    }
    if (json_array_size(json_object_get(q, "modifierExtension")))
        problem(&im.p, "(document)",
                "a modifier extension on the Questionnaire cannot be expressed");
    doc = import_document(&im.p, opts, form, id, NULL, im.items);
    rc = finish_import(doc, &im.p, json, err);
out:
    json_decref(q);
    json_decref(doc);
    json_decref(form);
    json_decref(im.items);
    json_decref(im.all_links);
    return rc;
}

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
        number_text(num, sizeof num, json_number_value(value));
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
    const srp_item *target = find_item(form, id);
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
    const char *const tail[] = {"required", "relevant", "constraint", "parameters"};
    for (size_t k = 0; k < 4; k++)
        srp_csv_put_field(&s, tail[k], 0);
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
            for (size_t k = 0; k < 2 * nl + 5; k++)
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
            const char *t = lang_text(it->label, json_string_value(json_array_get(langs, l)));
            srp_csv_put_field(&s, t ? t : "", 0);
        }
        for (size_t l = 0; l < nl; l++) {
            const char *lang = json_string_value(json_array_get(langs, l));
            const char *t = lang_text(it->help, lang);
            srp_buf_free(&cell);
            srp_buf_puts(&cell, t ? t : "");
            /* A range shows no anchors: they go in the hint. */
            const char *value;
            json_t *text;
            json_object_foreach(json_object_get(item, "anchors"), value, text)
            {
                const char *a = lang_text(text, lang);
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
                number_text(num, sizeof num, k ? it->max : it->min);
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
        srp_csv_put_field(&s, srp_buf_text(&cell), 0);
        srp_buf_free(&cell);
        if (it->type == SR_ITEM_SCALE)
            srp_buf_printf(&cell, "start=%.0f end=%.0f step=1", it->min, it->max);
        srp_csv_put_field(&s, srp_buf_text(&cell), 0);
        srp_csv_end_row(&s);
        for (size_t o = 0; o < it->option_count; o++) {
            srp_csv_put_field(&c, it->id, 1);
            srp_csv_put_field(&c, it->options[o].code, 0);
            for (size_t l = 0; l < nl; l++) {
                const char *t =
                    lang_text(it->options[o].label, json_string_value(json_array_get(langs, l)));
                srp_csv_put_field(&c, t ? t : "", 0);
            }
            srp_csv_put_field(&c, it->options[o].missing ? "yes" : "", 0);
            srp_csv_end_row(&c);
        }
    }
    if (in_group) {
        srp_csv_put_field(&s, "end_group", 1);
        for (size_t k = 0; k < 2 * nl + 5; k++)
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

/* ---- FHIR R4 QuestionnaireResponse ---------------------------------------------------------- */

/* The answer entries of item it for the stored answer value. */
static json_t *fhir_answers(const srp_item *it, const json_t *value)
{
    json_t *list = json_array();
    size_t i;
    json_t *v;
    switch (it->type) {
    case SR_ITEM_BOOLEAN:
        json_array_append_new(list, json_pack("{sO}", "valueBoolean", (json_t *)value));
        break;
    case SR_ITEM_CHOICE:
    case SR_ITEM_MULTICHOICE:
        json_array_foreach(json_is_array(value) ? (json_t *)value : NULL, i, v)
        {
            const srp_option *o = srp_item_find_option(it, json_string_value(v));
            json_array_append_new(list, json_pack("{s{sOss}}", "valueCoding", "code", v, "display",
                                                  o ? srp_text(o->label, "sv") : ""));
        }
        if (json_is_string(value)) {
            const srp_option *o = srp_item_find_option(it, json_string_value(value));
            json_array_append_new(list,
                                  json_pack("{s{sOss}}", "valueCoding", "code", (json_t *)value,
                                            "display", o ? srp_text(o->label, "sv") : ""));
        }
        break;
    case SR_ITEM_INTEGER:
    case SR_ITEM_SCALE:
        json_array_append_new(list, json_pack("{sO}", "valueInteger", (json_t *)value));
        break;
    case SR_ITEM_DECIMAL:
        json_array_append_new(list, json_pack("{sf}", "valueDecimal", json_number_value(value)));
        break;
    case SR_ITEM_DATE:
        json_array_append_new(list, json_pack("{sO}", "valueDate", (json_t *)value));
        break;
    default:
        json_array_append_new(list, json_pack("{sO}", "valueString", (json_t *)value));
        break;
    }
    return list;
}

sr_status sr_form_response_fhir(const sr_form *form, const sr_fhir_response_meta *meta,
                                const char *answers, char **out, sr_error *err)
{
    sr_status rc = SR_OK;
    sr_problems *problems = NULL;
    json_t *a = NULL, *qr = NULL;
    char questionnaire[SR_FORM_ID_MAX + 48];
    *out = NULL;
    problems = sr_problems_new();
    if (!problems)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if ((rc = sr_form_check_answers(form, answers, strlen(answers), problems, err)) != SR_OK)
        goto out;
    a = json_loads(answers, 0, NULL);
    snprintf(questionnaire, sizeof questionnaire, "%s%s|%d", SR_FHIR_FORM_URL_BASE, form->id,
             form->version);
    char revision[24];
    snprintf(revision, sizeof revision, "%d", meta->revision);
    qr = json_pack("{sssss{ss}sssssss{s{ssss}}}", "resourceType", "QuestionnaireResponse", "id",
                   meta->id, "meta", "versionId", revision, "questionnaire", questionnaire,
                   "status", "completed", "authored", meta->date, "subject", "identifier", "system",
                   "urn:sigreg:case", "value", meta->subject);
    if (!a || !qr) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!meta->active)
        add_extension(qr, json_pack("{sssb}", "url", SX("set-aside"), "valueBoolean", 1));
    json_t *top = json_array(), *group = NULL;
    for (size_t i = 0; i < form->item_count; i++) {
        const srp_item *it = &form->items[i];
        if (it->type == SR_ITEM_SECTION) {
            group = json_pack("{ss}", "linkId", it->id);
            if (it->label)
                json_object_set_new(group, "text", json_string(srp_text(it->label, "sv")));
            json_object_set_new(group, "item", json_array());
            json_array_append_new(top, group);
            continue;
        }
        json_t *value = json_object_get(a, it->id);
        if (!value || (json_is_array(value) && json_array_size(value) == 0 &&
                       it->type != SR_ITEM_MULTICHOICE))
            continue;
        json_t *entry = json_pack("{ss}", "linkId", it->id);
        if (it->label)
            json_object_set_new(entry, "text", json_string(srp_text(it->label, "sv")));
        json_t *list = fhir_answers(it, value);
        if (json_array_size(list))
            json_object_set_new(entry, "answer", list);
        else
            json_decref(list); /* an empty selection: the question, answered with nothing */
        json_array_append_new(group ? json_object_get(group, "item") : top, entry);
    }
    /* Groups with no answered item are left out. */
    for (size_t i = json_array_size(top); i-- > 0;) {
        json_t *g = json_array_get(top, i);
        json_t *items = json_object_get(g, "item");
        if (items && json_array_size(items) == 0 && !json_object_get(g, "answer"))
            json_array_remove(top, i);
    }
    json_object_set_new(qr, "item", top);
    *out = json_dumps(qr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!*out)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
out:
    json_decref(a);
    json_decref(qr);
    sr_problems_free(problems);
    return rc;
}
