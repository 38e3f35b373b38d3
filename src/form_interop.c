/*
 * form_interop.c - what the form interop formats share: the helpers that
 * read the parsed model and build pieces of a sigreg-form/1 document, the
 * handling of conditions (negations pushed down, the folds every format
 * needs) and the comparison of two forms (sr_form_interop_equal). The
 * formats themselves are form_redcap.c (REDCap data dictionary),
 * form_fhir.c (FHIR R4 Questionnaire and QuestionnaireResponse) and
 * form_xlsform.c (XLSForm, export only); what they share is declared in
 * form_interop_int.h.
 *
 * Nothing here knows any one format's syntax. The module never reads or
 * writes files and never touches a registry.
 */
#include "sigreg/form_interop.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/error.h"
#include "base/names.h"
#include "form_int.h"
#include "form_interop_int.h"

/* ---- shared helpers ------------------------------------------------------------------------ */

/* The keys of sigreg-form/1 this module maps one by one. Anything else a
 * definition holds (an extension of the format added later) travels whole
 * in an "extra" tag or extension, so that nothing is lost on the way. */
static const char *const known_item_keys[] = {
    "id",         "type",        "label",        "help",
    "required",   "enable_when", "identifying",  "quasi_identifier",
    "options",    "ordered",     "min_selected", "max_selected",
    "min",        "max",         "decimals",     "anchors",
    "max_length", "derived",     "show_from",    NULL};
static const char *const known_option_keys[] = {"code", "label", "missing", NULL};
const char *const srp_interop_known_document_keys[] = {
    "format", "id",          "version", "phase",   "repeatable",
    "title",  "description", "items",   "consent", NULL};

static int in_list(const char *key, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(key, list[i]) == 0)
            return 1;
    return 0;
}

/* The keys of obj not in known, as a new object (NULL when there are none). */
json_t *srp_interop_leftover_keys(const json_t *obj, const char *const *known)
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
const char *srp_interop_lang_text(const json_t *text, const char *lang)
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

json_t *srp_interop_sv_text(const char *s)
{
    return json_pack("{ss}", "sv", s);
}

/* A number as the shortest text that reads back as the same double. */
void srp_interop_number_text(char *out, size_t size, double v)
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

void srp_interop_problem(srp_interop_problems *p, const char *path, const char *fmt, ...)
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

const srp_item *srp_interop_find_item(const sr_form *form, const char *id)
{
    return id ? srp_form_find_item(form, id, NULL) : NULL;
}

/* The item object called id in a JSON array of items being built, or NULL. */
json_t *srp_interop_built_item(json_t *items, const char *id)
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

int srp_interop_built_option(const json_t *item, const char *code)
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

const char *srp_interop_built_type(const json_t *item)
{
    return json_string_value(json_object_get(item, "type"));
}

/* What sigreg-form/1 keys this module does not map one by one say, for an
 * item and its options: {"item": {...}, "options": {code: {...}}}. */
json_t *srp_interop_extra_keys(const srp_item *it, const json_t *item)
{
    json_t *extra = json_object();
    json_t *own = srp_interop_leftover_keys(item, known_item_keys);
    if (own)
        json_object_set_new(extra, "item", own);
    json_t *opts = NULL;
    size_t o;
    json_t *opt;
    json_array_foreach(json_object_get(item, "options"), o, opt)
    {
        json_t *left = srp_interop_leftover_keys(opt, known_option_keys);
        if (!left)
            continue;
        if (!opts)
            json_object_set_new(extra, "options", opts = json_object());
        json_object_set_new(opts, it->options[o].code, left);
    }
    return extra;
}

const srp_consent *srp_interop_consent_of(const sr_form *form, size_t item)
{
    for (size_t k = 0; k < form->consent_count; k++)
        if (form->consents[k].item == item)
            return &form->consents[k];
    return NULL;
}

void srp_interop_add_consent(json_t *form, const char *item, json_t *given, json_int_t below_age,
                             json_t *explanation)
{
    json_t *rules = json_object_get(form, "consent");
    if (!rules)
        json_object_set_new(form, "consent", rules = json_array());
    json_t *rule = json_pack("{ssso}", "item", item, "given", given ? given : json_array());
    if (below_age)
        json_object_set_new(rule, "below_age", json_integer(below_age));
    if (explanation)
        json_object_set_new(rule, "explanation", explanation);
    json_array_append_new(rules, rule);
}

void srp_interop_redcap_form_name(const char *id, char *out, size_t size)
{
    snprintf(out, size, "%s", id);
    for (char *p = out; *p; p++)
        if (*p == '-')
            *p = '_';
}

sr_status srp_interop_finish_import(json_t *doc, srp_interop_problems *p, char **json,
                                    sr_error *err)
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
json_t *srp_interop_import_document(srp_interop_problems *p, const sr_form_import_options *opts,
                                    const json_t *form, const char *fallback_id,
                                    json_t *fallback_title /* stolen */, json_t *items)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "format", json_string(SR_FORM_FORMAT));
    const char *id = opts && opts->id ? opts->id : json_string_value(json_object_get(form, "id"));
    if (!id)
        id = fallback_id;
    if (!id || !srp_name_form_id_valid(id))
        srp_interop_problem(p, "id",
                            "the form id '%s' is not a sigreg form id ([a-z][a-z0-9-]{0,47})",
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
        srp_interop_problem(p, "phase",
                            "the definition does not say which phase the form belongs to");
    else if (sr_phase_parse(phase, &ph) != 0)
        srp_interop_problem(p, "phase",
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
    if (json_object_get(form, "consent"))
        json_object_set(doc, "consent", json_object_get(form, "consent"));
    json_t *left = srp_interop_leftover_keys(form, srp_interop_known_document_keys);
    if (left)
        json_object_update_missing(doc, left);
    json_decref(left);
    json_object_set(doc, "items", items);
    return doc;
}

/* ---- conditions: negations pushed down, and the folds every format needs ------------------ */

json_t *srp_interop_leaf(const char *item, const char *op, json_t *value /* stolen, may be NULL */)
{
    json_t *c = json_pack("{ssss}", "item", item, "op", op);
    if (c && value)
        json_object_set_new(c, "value", value);
    else
        json_decref(value);
    return c;
}

json_t *srp_interop_negate(json_t *c /* stolen */)
{
    return c ? json_pack("{so}", "not", c) : NULL;
}

/* The condition with every "not" pushed down to a comparison (De Morgan),
 * double negations removed and groups of one replaced by their member. */
json_t *srp_interop_cond_nnf(const json_t *c, int neg)
{
    json_t *all = json_object_get(c, "all"), *any = json_object_get(c, "any");
    json_t *not = json_object_get(c, "not");
    if (all || any) {
        json_t *list = all ? all : any;
        const char *kind = (all != NULL) != (neg != 0) ? "all" : "any";
        if (json_array_size(list) == 1)
            return srp_interop_cond_nnf(json_array_get(list, 0), neg);
        json_t *out = json_array();
        size_t i;
        json_t *member;
        json_array_foreach(list, i, member)
            json_array_append_new(out, srp_interop_cond_nnf(member, neg));
        return json_pack("{so}", kind, out);
    }
    if (not )
        return srp_interop_cond_nnf(not, !neg);
    json_t *copy = json_deep_copy(c);
    return neg ? srp_interop_negate(copy) : copy;
}

const char *srp_interop_negated_op(const char *op)
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
json_t *srp_interop_cond_fold(const json_t *c)
{
    json_t *all = json_object_get(c, "all"), *any = json_object_get(c, "any");
    json_t *not = json_object_get(c, "not");
    if (all || any) {
        json_t *list = all ? all : any;
        json_t *out = json_array();
        size_t i;
        json_t *member;
        json_array_foreach(list, i, member)
            json_array_append_new(out, srp_interop_cond_fold(member));
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
                    json_t *r = srp_interop_leaf(json_string_value(json_object_get(an, "item")),
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
                    json_t *r = srp_interop_negate(srp_interop_leaf(
                        json_string_value(json_object_get(a, "item")), srp_interop_negated_op(op),
                        json_incref(json_object_get(a, "value"))));
                    json_decref(out);
                    return r;
                }
            }
        }
        return json_pack("{so}", all ? "all" : "any", out);
    }
    if (not ) {
        json_t *inner = srp_interop_cond_fold(not );
        if (json_object_get(inner, "not")) {
            json_t *r = json_incref(json_object_get(inner, "not"));
            json_decref(inner);
            return r;
        }
        return srp_interop_negate(inner);
    }
    return json_deep_copy(c);
}

static json_t *cond_normal(const json_t *c)
{
    json_t *n = srp_interop_cond_nnf(c, 0);
    json_t *f = srp_interop_cond_fold(n);
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
    /* Consent rules in the order of their items (a format that writes each
     * rule beside its item reads them back in that order). */
    if (form->consent_count) {
        json_t *rules = json_array();
        for (size_t i = 0; i < form->item_count; i++) {
            const srp_consent *c = srp_interop_consent_of(form, i);
            if (!c)
                continue;
            json_t *rule = json_pack("{sssO}", "item", form->items[i].id, "given", c->given);
            if (c->below_age)
                json_object_set_new(rule, "below_age", json_integer(c->below_age));
            json_object_set_new(rule, "explanation", text_object(c->explanation));
            json_array_append_new(rules, rule);
        }
        json_object_set_new(doc, "consent", rules);
    }
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
