/*
 * form.c - parsing and validating form definitions ("sigreg-form/1").
 *
 * Validation never stops at the first problem: every rule is checked and
 * every break is reported with its JSON path, so that the person writing a
 * form can fix them all in one go. A form is only built when there are none.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "base/error.h"
#include "base/names.h"
#include "form_int.h"
#include "sigreg/limits.h"
#include "base/timeutil.h"

static const char *const phase_names[SR_PHASE_COUNT] = {"intake", "intervention", "closure",
                                                        "experience", "followup"};
static const char *const type_names[SR_ITEM_TYPE_COUNT] = {
    "section", "boolean", "choice", "multichoice", "integer", "decimal", "scale", "date", "text"};

const char *sr_phase_name(sr_phase phase)
{
    return (unsigned)phase < SR_PHASE_COUNT ? phase_names[phase] : "unknown";
}

int sr_phase_parse(const char *name, sr_phase *out)
{
    for (int i = 0; i < SR_PHASE_COUNT; i++)
        if (name && strcmp(name, phase_names[i]) == 0) {
            *out = (sr_phase)i;
            return 0;
        }
    return -1;
}

const char *sr_item_type_name(sr_item_type type)
{
    return (unsigned)type < SR_ITEM_TYPE_COUNT ? type_names[type] : "unknown";
}

static int parse_type(const char *name, sr_item_type *out)
{
    for (int i = 0; i < SR_ITEM_TYPE_COUNT; i++)
        if (name && strcmp(name, type_names[i]) == 0) {
            *out = (sr_item_type)i;
            return 0;
        }
    return -1;
}

/* ---- validation context ------------------------------------------------------- */

typedef struct vctx {
    sr_problems *problems;
    size_t count;
    int oom;
} vctx;

static void report(vctx *v, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report(vctx *v, const char *path, const char *fmt, ...)
{
    char message[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    v->count++;
    if (srp_problems_add(v->problems, path, "%s", message) != 0)
        v->oom = 1;
}

static const char *join(char *buf, size_t size, const char *base, const char *key)
{
    snprintf(buf, size, "%s%s%s", base, *base ? "." : "", key);
    return buf;
}

static const char *json_kind(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

static int in_list(const char *key, const char *const *allowed)
{
    for (size_t i = 0; allowed[i]; i++)
        if (strcmp(key, allowed[i]) == 0)
            return 1;
    return 0;
}

static void check_keys(vctx *v, json_t *obj, const char *path, const char *const *allowed,
                       const char *const *extra)
{
    const char *key;
    json_t *value;
    char p[512];
    json_object_foreach(obj, key, value)
    {
        (void)value;
        if (!in_list(key, allowed) && !(extra && in_list(key, extra)))
            report(v, join(p, sizeof p, path, key), "unknown key");
    }
}

static int lang_valid(const char *s)
{
    size_t n = strlen(s), i = 0;
    while (i < n && s[i] >= 'a' && s[i] <= 'z')
        i++;
    if (i < 2 || i > 3)
        return 0;
    while (i < n) {
        if (s[i++] != '-')
            return 0;
        size_t start = i;
        while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                         (s[i] >= '0' && s[i] <= '9')))
            i++;
        if (i == start || i - start > 8)
            return 0;
    }
    return 1;
}

/* A text: a non-empty string, or an object from language tag to string with "sv". */
static void check_text(vctx *v, json_t *t, const char *path)
{
    char p[512];
    if (json_is_string(t)) {
        if (json_string_length(t) == 0)
            report(v, path, "text must not be empty");
        return;
    }
    if (!json_is_object(t)) {
        report(v, path, "must be a text (a string or an object of language to string), not %s",
               json_kind(t));
        return;
    }
    if (!json_object_get(t, "sv"))
        report(v, path, "text needs Swedish ('sv')");
    const char *lang;
    json_t *s;
    json_object_foreach(t, lang, s)
    {
        join(p, sizeof p, path, lang);
        if (!lang_valid(lang))
            report(v, p, "'%s' is not a language tag", lang);
        else if (!json_is_string(s))
            report(v, p, "must be a string, not %s", json_kind(s));
        else if (json_string_length(s) == 0)
            report(v, p, "text must not be empty");
    }
}

static int get_bool(vctx *v, json_t *obj, const char *key, const char *path, int *out)
{
    json_t *b = json_object_get(obj, key);
    char p[512];
    *out = 0;
    if (!b)
        return 0;
    if (!json_is_boolean(b)) {
        report(v, join(p, sizeof p, path, key), "must be true or false, not %s", json_kind(b));
        return -1;
    }
    *out = json_is_true(b);
    return 1;
}

/* ---- options ------------------------------------------------------------------------- */

static const char *const option_keys[] = {"code", "label", "missing", NULL};

static void check_options(vctx *v, json_t *item, const char *path, srp_item *it)
{
    char p[512], q[512];
    json_t *opts = json_object_get(item, "options");
    join(p, sizeof p, path, "options");
    if (!opts) {
        report(v, p, "a %s item needs options", sr_item_type_name(it->type));
        return;
    }
    if (!json_is_array(opts) || json_array_size(opts) == 0) {
        report(v, p, "must be a non-empty array of options");
        return;
    }
    if (json_array_size(opts) > SR_FORM_MAX_OPTIONS) {
        report(v, p, "has more than %d options", SR_FORM_MAX_OPTIONS);
        return;
    }
    it->option_count = json_array_size(opts);
    it->options = calloc(it->option_count, sizeof *it->options);
    if (!it->options) {
        v->oom = 1;
        return;
    }
    for (size_t o = 0; o < it->option_count; o++) {
        json_t *opt = json_array_get(opts, o);
        snprintf(q, sizeof q, "%s[%zu]", p, o);
        if (!json_is_object(opt)) {
            report(v, q, "an option must be an object, not %s", json_kind(opt));
            continue;
        }
        check_keys(v, opt, q, option_keys, NULL);
        char r[512];
        json_t *code = json_object_get(opt, "code");
        join(r, sizeof r, q, "code");
        if (!code)
            report(v, r, "an option needs a code");
        else if (!json_is_string(code))
            report(v, r, "must be a string, not %s", json_kind(code));
        else if (!srp_name_option_code_valid(json_string_value(code)))
            report(v, r, "'%s' is not a valid code (1-32 of a-z, 0-9, _)", json_string_value(code));
        else {
            const char *c = json_string_value(code);
            for (size_t k = 0; k < o; k++)
                if (it->options[k].code && strcmp(it->options[k].code, c) == 0) {
                    report(v, r, "duplicate code '%s'", c);
                    c = NULL;
                    break;
                }
            it->options[o].code = c;
        }
        json_t *label = json_object_get(opt, "label");
        join(r, sizeof r, q, "label");
        if (!label)
            report(v, r, "an option needs a label");
        else
            check_text(v, label, r);
        it->options[o].label = label;
        get_bool(v, opt, "missing", q, &it->options[o].missing);
    }
}

/* "mergeable" (choice items): groups of options that disclosure control
 * merges into one category, with the group's label, before it withholds a
 * small one. Each group names at least two of the item's codes; no code is
 * in two groups. */
static const char *const merge_keys[] = {"options", "label", NULL};

static void check_mergeable(vctx *v, json_t *item, const char *path, srp_item *it)
{
    char p[512], q[512], r[512];
    json_t *groups = json_object_get(item, "mergeable");
    if (!groups)
        return;
    join(p, sizeof p, path, "mergeable");
    if (!json_is_array(groups) || json_array_size(groups) == 0) {
        report(v, p, "must be a non-empty array of groups of options");
        return;
    }
    int ok = 1;
    for (size_t g = 0; g < json_array_size(groups); g++) {
        json_t *group = json_array_get(groups, g);
        snprintf(q, sizeof q, "%s[%zu]", p, g);
        if (!json_is_object(group)) {
            report(v, q, "a group must be an object with options and a label, not %s",
                   json_kind(group));
            ok = 0;
            continue;
        }
        check_keys(v, group, q, merge_keys, NULL);
        json_t *label = json_object_get(group, "label");
        join(r, sizeof r, q, "label");
        if (!label) {
            report(v, r, "a group needs a label for the merged category");
            ok = 0;
        } else
            check_text(v, label, r);
        json_t *codes = json_object_get(group, "options");
        join(r, sizeof r, q, "options");
        if (!codes || !json_is_array(codes) || json_array_size(codes) < 2) {
            report(v, r, "must list at least two of the item's option codes");
            ok = 0;
            continue;
        }
        for (size_t c = 0; c < json_array_size(codes); c++) {
            json_t *code = json_array_get(codes, c);
            char e[512];
            snprintf(e, sizeof e, "%s[%zu]", r, c);
            size_t o = 0;
            while (
                json_is_string(code) && o < it->option_count &&
                !(it->options[o].code && strcmp(it->options[o].code, json_string_value(code)) == 0))
                o++;
            if (!json_is_string(code)) {
                report(v, e, "must be an option code, not %s", json_kind(code));
                ok = 0;
            } else if (o == it->option_count) {
                report(v, e, "unknown option code '%s'", json_string_value(code));
                ok = 0;
            } else if (it->options[o].merge_group) {
                report(v, e, "'%s' is in a group already", json_string_value(code));
                ok = 0;
            } else
                it->options[o].merge_group = (int)g + 1;
        }
    }
    if (ok)
        it->mergeable = groups;
}

/* ---- numeric and date bounds ------------------------------------------------------------ */

static int date_or_today(const char *s)
{
    int y, m, d;
    return strcmp(s, "today") == 0 || srp_date_parse(s, &y, &m, &d) == 0;
}

void srp_date_bound(const char *bound, char out[11])
{
    if (strcmp(bound, "today") == 0)
        srp_time_today(out, 11);
    else
        snprintf(out, 11, "%s", bound);
}

static void check_bounds(vctx *v, json_t *item, const char *path, srp_item *it)
{
    char p[512];
    const char *names[2] = {"min", "max"};
    for (int k = 0; k < 2; k++) {
        json_t *b = json_object_get(item, names[k]);
        join(p, sizeof p, path, names[k]);
        if (!b) {
            if (it->type == SR_ITEM_SCALE)
                report(v, p, "a scale needs %s", names[k]);
            continue;
        }
        if (it->type == SR_ITEM_DATE) {
            if (!json_is_string(b) || !date_or_today(json_string_value(b)))
                report(v, p, "must be a date YYYY-MM-DD or \"today\"");
            else if (k == 0)
                it->min_date = json_string_value(b);
            else
                it->max_date = json_string_value(b);
            continue;
        }
        int integral = it->type != SR_ITEM_DECIMAL;
        if (integral ? !json_is_integer(b) : !json_is_number(b)) {
            report(v, p, "must be %s, not %s", integral ? "an integer" : "a number", json_kind(b));
            continue;
        }
        if (k == 0) {
            it->has_min = 1;
            it->min = json_number_value(b);
        } else {
            it->has_max = 1;
            it->max = json_number_value(b);
        }
    }
    if (it->has_min && it->has_max && it->min > it->max)
        report(v, join(p, sizeof p, path, "min"), "min %g is greater than max %g", it->min,
               it->max);
    else if (it->type == SR_ITEM_SCALE && it->has_min && it->has_max &&
             it->max - it->min + 1 > SR_FORM_MAX_SCALE_STEPS)
        report(v, join(p, sizeof p, path, "max"),
               "the scale %g-%g has %.0f steps, at most %d are allowed", it->min, it->max,
               it->max - it->min + 1, SR_FORM_MAX_SCALE_STEPS);
    if (it->min_date && it->max_date) {
        char a[11], b[11];
        srp_date_bound(it->min_date, a);
        srp_date_bound(it->max_date, b);
        if (strcmp(a, b) > 0)
            report(v, join(p, sizeof p, path, "min"), "min %s is after max %s", it->min_date,
                   it->max_date);
    }
}

static void check_type_extras(vctx *v, json_t *item, const char *path, srp_item *it)
{
    char p[512];
    switch (it->type) {
    case SR_ITEM_CHOICE:
        check_options(v, item, path, it);
        get_bool(v, item, "ordered", path, &it->ordered);
        if (it->options)
            check_mergeable(v, item, path, it);
        break;
    case SR_ITEM_MULTICHOICE: {
        check_options(v, item, path, it);
        it->max_selected = it->option_count;
        const char *names[2] = {"min_selected", "max_selected"};
        long long got[2] = {-1, -1};
        for (int k = 0; k < 2; k++) {
            json_t *n = json_object_get(item, names[k]);
            join(p, sizeof p, path, names[k]);
            if (!n)
                continue;
            if (!json_is_integer(n) || json_integer_value(n) < 0)
                report(v, p, "must be a whole number of at least 0");
            else if (it->option_count && (size_t)json_integer_value(n) > it->option_count)
                report(v, p, "%lld is more than the %zu options", json_integer_value(n),
                       it->option_count);
            else
                got[k] = json_integer_value(n);
        }
        if (got[0] >= 0)
            it->min_selected = (size_t)got[0];
        if (got[1] >= 0)
            it->max_selected = (size_t)got[1];
        if (got[0] >= 0 && got[1] >= 0 && got[0] > got[1])
            report(v, join(p, sizeof p, path, "min_selected"),
                   "min_selected %lld is greater than max_selected %lld", got[0], got[1]);
        if (got[1] == 0)
            report(v, join(p, sizeof p, path, "max_selected"), "must be at least 1");
        break;
    }
    case SR_ITEM_INTEGER:
    case SR_ITEM_DECIMAL:
    case SR_ITEM_SCALE:
    case SR_ITEM_DATE:
        check_bounds(v, item, path, it);
        break;
    default:
        break;
    }
    if (it->type == SR_ITEM_DECIMAL) {
        json_t *d = json_object_get(item, "decimals");
        it->decimals = -1;
        if (d && (!json_is_integer(d) || json_integer_value(d) < 0 || json_integer_value(d) > 9))
            report(v, join(p, sizeof p, path, "decimals"), "must be a whole number from 0 to 9");
        else if (d)
            it->decimals = (int)json_integer_value(d);
    }
    if (it->type == SR_ITEM_TEXT) {
        json_t *m = json_object_get(item, "max_length");
        it->max_length = SR_FORM_DEFAULT_TEXT_LENGTH;
        if (m && (!json_is_integer(m) || json_integer_value(m) < 1 ||
                  json_integer_value(m) > SR_FORM_MAX_TEXT_LENGTH))
            report(v, join(p, sizeof p, path, "max_length"), "must be a whole number from 1 to %d",
                   SR_FORM_MAX_TEXT_LENGTH);
        else if (m)
            it->max_length = (size_t)json_integer_value(m);
    }
    if (it->type == SR_ITEM_SCALE) {
        json_t *a = json_object_get(item, "anchors");
        join(p, sizeof p, path, "anchors");
        if (a && !json_is_object(a)) {
            report(v, p, "must be an object from scale value to text");
        } else if (a) {
            it->anchors = a;
            const char *key;
            json_t *text;
            char q[512];
            json_object_foreach(a, key, text)
            {
                join(q, sizeof q, p, key);
                char *end = NULL;
                long value = strtol(key, &end, 10);
                if (!*key || *end)
                    report(v, q, "'%s' is not a scale value", key);
                else if ((it->has_min && value < it->min) || (it->has_max && value > it->max))
                    report(v, q, "%ld is outside the scale %g-%g", value, it->min, it->max);
                check_text(v, text, q);
            }
        }
    }
}

/* ---- conditions ------------------------------------------------------------------------------ */

static const char *const leaf_keys[] = {"item", "op", "value", NULL};
static const char *const comparison_ops[] = {"=",  "!=",       "<",        "<=", ">",
                                             ">=", "includes", "answered", NULL};

static void check_condition_value(vctx *v, const srp_item *target, const char *op, json_t *value,
                                  const char *path)
{
    char p[512];
    join(p, sizeof p, path, "value");
    int ordering = strcmp(op, "<") == 0 || strcmp(op, "<=") == 0 || strcmp(op, ">") == 0 ||
                   strcmp(op, ">=") == 0;
    sr_item_type t = target->type;
    if (strcmp(op, "includes") == 0) {
        if (t != SR_ITEM_MULTICHOICE) {
            report(v, path, "'includes' needs a multichoice item; '%s' is %s", target->id,
                   sr_item_type_name(t));
            return;
        }
    } else if (t == SR_ITEM_MULTICHOICE) {
        report(v, path, "'%s' is a multichoice item: compare it with 'includes'", target->id);
        return;
    } else if (ordering && !(t == SR_ITEM_INTEGER || t == SR_ITEM_DECIMAL || t == SR_ITEM_SCALE ||
                             t == SR_ITEM_DATE)) {
        report(v, path, "'%s' compares numbers, scale values and dates; '%s' is %s", op, target->id,
               sr_item_type_name(t));
        return;
    }
    switch (t) {
    case SR_ITEM_BOOLEAN:
        if (!json_is_boolean(value))
            report(v, p, "item '%s' is boolean: compare with true or false, not %s", target->id,
                   json_kind(value));
        break;
    case SR_ITEM_CHOICE:
    case SR_ITEM_MULTICHOICE:
        if (!json_is_string(value))
            report(v, p, "item '%s' has option codes: compare with a code, not %s", target->id,
                   json_kind(value));
        else if (!srp_item_find_option(target, json_string_value(value)))
            report(v, p, "unknown option code '%s' of item '%s'", json_string_value(value),
                   target->id);
        break;
    case SR_ITEM_INTEGER:
    case SR_ITEM_SCALE:
        if (!json_is_integer(value))
            report(v, p, "item '%s' is %s: compare with an integer, not %s", target->id,
                   sr_item_type_name(t), json_kind(value));
        break;
    case SR_ITEM_DECIMAL:
        if (!json_is_number(value))
            report(v, p, "item '%s' is decimal: compare with a number, not %s", target->id,
                   json_kind(value));
        break;
    case SR_ITEM_DATE: {
        int y, m, d;
        if (!json_is_string(value) || srp_date_parse(json_string_value(value), &y, &m, &d) != 0)
            report(v, p, "item '%s' is a date: compare with a date YYYY-MM-DD", target->id);
        break;
    }
    case SR_ITEM_TEXT:
        if (!json_is_string(value))
            report(v, p, "item '%s' is text: compare with a string, not %s", target->id,
                   json_kind(value));
        break;
    default:
        break;
    }
}

static void check_condition(vctx *v, const sr_form *form, size_t self, json_t *c, const char *path,
                            int depth)
{
    char p[512];
    if (depth > SR_FORM_MAX_CONDITION_DEPTH) {
        report(v, path, "conditions are nested too deeply");
        return;
    }
    if (!json_is_object(c)) {
        report(v, path, "a condition must be an object, not %s", json_kind(c));
        return;
    }
    json_t *all = json_object_get(c, "all"), *any = json_object_get(c, "any");
    json_t *not = json_object_get(c, "not"), *item = json_object_get(c, "item");
    int forms = (all != NULL) + (any != NULL) + (not != NULL) + (item != NULL);
    if (forms != 1) {
        report(v, path, "a condition has exactly one of 'item', 'all', 'any' or 'not'");
        return;
    }
    if (all || any) {
        json_t *list = all ? all : any;
        const char *name = all ? "all" : "any";
        if (json_object_size(c) != 1)
            check_keys(v, c, path, (const char *const[]){name, NULL}, NULL);
        join(p, sizeof p, path, name);
        if (!json_is_array(list) || json_array_size(list) == 0) {
            report(v, p, "must be a non-empty array of conditions");
            return;
        }
        for (size_t i = 0; i < json_array_size(list); i++) {
            char q[512];
            snprintf(q, sizeof q, "%s[%zu]", p, i);
            check_condition(v, form, self, json_array_get(list, i), q, depth + 1);
        }
        return;
    }
    if (not ) {
        if (json_object_size(c) != 1)
            check_keys(v, c, path, (const char *const[]){"not", NULL}, NULL);
        check_condition(v, form, self, not, join(p, sizeof p, path, "not"), depth + 1);
        return;
    }
    check_keys(v, c, path, leaf_keys, NULL);
    join(p, sizeof p, path, "item");
    if (!json_is_string(item)) {
        report(v, p, "must be an item id, not %s", json_kind(item));
        return;
    }
    const char *target_id = json_string_value(item);
    size_t target_index = 0;
    const srp_item *target = NULL;
    for (size_t i = 0; i < form->item_count; i++)
        if (form->items[i].id && strcmp(form->items[i].id, target_id) == 0) {
            target = &form->items[i];
            target_index = i;
            break;
        }
    if (!target) {
        report(v, p, "unknown item '%s'", target_id);
        return;
    }
    if (target_index >= self) {
        report(v, p,
               "item '%s' does not come before this item: a condition may name only "
               "earlier items",
               target_id);
        return;
    }
    if (target->type == SR_ITEM_SECTION) {
        report(v, p, "item '%s' is a section, which is never answered", target_id);
        return;
    }
    json_t *op = json_object_get(c, "op");
    json_t *value = json_object_get(c, "value");
    join(p, sizeof p, path, "op");
    if (!json_is_string(op) || !in_list(json_string_value(op), comparison_ops)) {
        report(v, p, "must be one of =, !=, <, <=, >, >=, includes, answered");
        return;
    }
    if (strcmp(json_string_value(op), "answered") == 0) {
        if (value)
            report(v, join(p, sizeof p, path, "value"), "'answered' takes no value");
        return;
    }
    if (!value) {
        report(v, join(p, sizeof p, path, "value"), "'%s' needs a value", json_string_value(op));
        return;
    }
    check_condition_value(v, target, json_string_value(op), value, path);
}

/* ---- items and the document ------------------------------------------------------------------ */

static const char *const common_item_keys[] = {
    "id",        "type",        "label",       "help",
    "required",  "enable_when", "identifying", "quasi_identifier",
    "show_from", NULL};
static const char *const *const type_extra_keys[SR_ITEM_TYPE_COUNT] = {
    [SR_ITEM_SECTION] = (const char *const[]){NULL},
    [SR_ITEM_BOOLEAN] = (const char *const[]){NULL},
    [SR_ITEM_CHOICE] = (const char *const[]){"options", "ordered", "mergeable", NULL},
    [SR_ITEM_MULTICHOICE] = (const char *const[]){"options", "min_selected", "max_selected", NULL},
    [SR_ITEM_INTEGER] = (const char *const[]){"min", "max", "derived", NULL},
    [SR_ITEM_DECIMAL] = (const char *const[]){"min", "max", "decimals", NULL},
    [SR_ITEM_SCALE] = (const char *const[]){"min", "max", "anchors", NULL},
    [SR_ITEM_DATE] = (const char *const[]){"min", "max", NULL},
    [SR_ITEM_TEXT] = (const char *const[]){"max_length", NULL},
};

/* "derived": "birth_year" on an integer item, once in a form. */
static void check_derived(vctx *v, sr_form *form, size_t index, json_t *item, const char *path)
{
    json_t *d = json_object_get(item, "derived");
    char p[512];
    if (!d)
        return;
    join(p, sizeof p, path, "derived");
    if (!json_is_string(d) || strcmp(json_string_value(d), "birth_year") != 0) {
        report(v, p, "must be \"birth_year\", the one value known");
        return;
    }
    if (form->birth_year_item) {
        report(v, p, "items[%zu] is the derived birth year already", form->birth_year_item - 1);
        return;
    }
    form->items[index].derived_birth_year = 1;
    form->birth_year_item = index + 1;
}

/* "show_from": {"form": ID, "item": ID}: the earlier answer front ends show
 * beside the item. The form need not be installed: it is looked up on the
 * case when shown. */
static void check_show_from(vctx *v, json_t *item, const char *path, srp_item *it)
{
    static const char *const keys[] = {"form", "item", NULL};
    json_t *from = json_object_get(item, "show_from");
    char p[512], q[512];
    if (!from)
        return;
    join(p, sizeof p, path, "show_from");
    if (!json_is_object(from)) {
        report(v, p, "must be an object with form and item, not %s", json_kind(from));
        return;
    }
    if (it->type == SR_ITEM_SECTION) {
        report(v, p, "a section shows no answer");
        return;
    }
    check_keys(v, from, p, keys, NULL);
    json_t *f = json_object_get(from, "form"), *i = json_object_get(from, "item");
    join(q, sizeof q, p, "form");
    if (!f)
        report(v, q, "missing: the form whose answer is shown");
    else if (!json_is_string(f) || !srp_name_form_id_valid(json_string_value(f)))
        report(v, q, "'%s' is not a valid form id ([a-z][a-z0-9-]{0,47})",
               json_is_string(f) ? json_string_value(f) : json_kind(f));
    join(q, sizeof q, p, "item");
    if (!i)
        report(v, q, "missing: the item whose answer is shown");
    else if (!json_is_string(i) || !srp_name_item_id_valid(json_string_value(i)))
        report(v, q, "'%s' is not a valid item id ([a-z][a-z0-9_]{0,47})",
               json_is_string(i) ? json_string_value(i) : json_kind(i));
    if (json_is_string(f) && json_is_string(i)) {
        it->show_from_form = json_string_value(f);
        it->show_from_item = json_string_value(i);
    }
}

static void check_item(vctx *v, sr_form *form, size_t index, json_t *item)
{
    char path[64], p[512];
    snprintf(path, sizeof path, "items[%zu]", index);
    srp_item *it = &form->items[index];
    if (!json_is_object(item)) {
        report(v, path, "an item must be an object, not %s", json_kind(item));
        return;
    }
    json_t *id = json_object_get(item, "id");
    join(p, sizeof p, path, "id");
    if (!id)
        report(v, p, "an item needs an id");
    else if (!json_is_string(id) || !srp_name_item_id_valid(json_string_value(id)))
        report(v, p, "'%s' is not a valid item id ([a-z][a-z0-9_]{0,47})",
               json_is_string(id) ? json_string_value(id) : json_kind(id));
    else {
        const char *s = json_string_value(id);
        for (size_t k = 0; k < index; k++)
            if (form->items[k].id && strcmp(form->items[k].id, s) == 0) {
                report(v, p, "duplicate item id '%s'", s);
                s = NULL;
                break;
            }
        it->id = s;
    }
    json_t *type = json_object_get(item, "type");
    join(p, sizeof p, path, "type");
    int typed = 0;
    if (!type)
        report(v, p, "an item needs a type");
    else if (!json_is_string(type) || parse_type(json_string_value(type), &it->type) != 0)
        report(v, p, "unknown type '%s'", json_is_string(type) ? json_string_value(type) : "");
    else
        typed = 1;
    if (typed) {
        check_keys(v, item, path, common_item_keys, type_extra_keys[it->type]);
    } else {
        /* Without a type, only keys that no type knows are surely wrong. */
        static const char *const any_type_keys[] = {
            "options",  "ordered", "min_selected", "max_selected", "min",     "max",
            "decimals", "anchors", "max_length",   "mergeable",    "derived", NULL};
        check_keys(v, item, path, common_item_keys, any_type_keys);
    }
    it->label = json_object_get(item, "label");
    it->help = json_object_get(item, "help");
    if (it->label)
        check_text(v, it->label, join(p, sizeof p, path, "label"));
    else if (typed && it->type != SR_ITEM_SECTION)
        report(v, join(p, sizeof p, path, "label"), "an item needs a label");
    if (it->help)
        check_text(v, it->help, join(p, sizeof p, path, "help"));
    get_bool(v, item, "required", path, &it->required);
    get_bool(v, item, "identifying", path, &it->identifying);
    get_bool(v, item, "quasi_identifier", path, &it->quasi_identifier);
    if (typed && it->type == SR_ITEM_SECTION && it->required)
        report(v, join(p, sizeof p, path, "required"), "a section is never answered");
    if (typed)
        check_type_extras(v, item, path, it);
    if (typed && it->type == SR_ITEM_INTEGER)
        check_derived(v, form, index, item, path);
    check_show_from(v, item, path, it);
    it->condition = json_object_get(item, "enable_when");
}

static const char *const document_keys[] = {"format",     "id",    "version",     "phase",
                                            "repeatable", "title", "description", "items",
                                            "consent",    NULL};

/* One answer in a consent rule's "given": true/false for a boolean item,
 * an option code of a choice item. */
static void check_given_answer(vctx *v, const srp_item *it, json_t *g, const char *path)
{
    if (it->type == SR_ITEM_BOOLEAN) {
        if (!json_is_boolean(g))
            report(v, path, "must be true or false for the boolean item '%s', not %s", it->id,
                   json_kind(g));
        return;
    }
    if (!json_is_string(g))
        report(v, path, "must be an option code of '%s', not %s", it->id, json_kind(g));
    else if (!srp_item_find_option(it, json_string_value(g)))
        report(v, path, "unknown option code '%s'", json_string_value(g));
}

/* The form's "consent": a non-empty array of {item, given, below_age,
 * explanation}, each naming a boolean or choice item once. */
static void check_consent(vctx *v, sr_form *form)
{
    static const char *const keys[] = {"item", "given", "below_age", "explanation", NULL};
    json_t *list = json_object_get(form->root, "consent");
    char p[64], q[128], r[160];
    if (!list)
        return;
    if (!json_is_array(list) || json_array_size(list) == 0) {
        report(v, "consent", "must be a non-empty array of consent rules");
        return;
    }
    if (json_array_size(list) > form->item_count) {
        report(v, "consent", "has more rules than the form has items");
        return;
    }
    form->consents = calloc(json_array_size(list), sizeof *form->consents);
    if (!form->consents) {
        v->oom = 1;
        return;
    }
    size_t k;
    json_t *rule;
    json_array_foreach(list, k, rule)
    {
        snprintf(p, sizeof p, "consent[%zu]", k);
        if (!json_is_object(rule)) {
            report(v, p,
                   "a consent rule must be an object with item, given and explanation, not %s",
                   json_kind(rule));
            continue;
        }
        check_keys(v, rule, p, keys, NULL);
        srp_consent c = {0, NULL, 0, NULL};
        int good = 1;
        json_t *item = json_object_get(rule, "item");
        const srp_item *it = NULL;
        join(q, sizeof q, p, "item");
        if (!item) {
            report(v, q, "missing: the item that records the consent");
            good = 0;
        } else if (!json_is_string(item) ||
                   !(it = srp_form_find_item(form, json_string_value(item), &c.item))) {
            report(v, q, "unknown item '%s'",
                   json_is_string(item) ? json_string_value(item) : json_kind(item));
            good = 0;
        } else if (it->type != SR_ITEM_BOOLEAN && it->type != SR_ITEM_CHOICE) {
            report(v, q, "'%s' is %s: a consent is a boolean or choice item", it->id,
                   sr_item_type_name(it->type));
            good = 0;
        } else {
            for (size_t j = 0; j < form->consent_count; j++)
                if (form->consents[j].item == c.item) {
                    report(v, q, "'%s' has a consent rule already", it->id);
                    good = 0;
                }
        }
        json_t *given = json_object_get(rule, "given");
        join(q, sizeof q, p, "given");
        if (!given) {
            report(v, q, "missing: the answers that count as consent");
            good = 0;
        } else if (!json_is_array(given) || json_array_size(given) == 0) {
            report(v, q, "must be a non-empty array of the answers that count as consent");
            good = 0;
        } else if (it && good) {
            size_t g;
            json_t *e;
            json_array_foreach(given, g, e)
            {
                snprintf(r, sizeof r, "%s[%zu]", q, g);
                check_given_answer(v, it, e, r);
                for (size_t h = 0; h < g; h++)
                    if (json_equal(e, json_array_get(given, h))) {
                        report(v, r, "repeats an answer given before");
                        break;
                    }
            }
            c.given = given;
        }
        json_t *age = json_object_get(rule, "below_age");
        join(q, sizeof q, p, "below_age");
        if (age && (!json_is_integer(age) || json_integer_value(age) < 1 ||
                    json_integer_value(age) > 150)) {
            report(v, q, "must be a whole number from 1 to 150");
            good = 0;
        } else if (age) {
            c.below_age = (int)json_integer_value(age);
        }
        c.explanation = json_object_get(rule, "explanation");
        join(q, sizeof q, p, "explanation");
        if (!c.explanation) {
            report(v, q, "missing: the text a refused registration is given");
            good = 0;
        } else {
            check_text(v, c.explanation, q);
            if (json_is_string(c.explanation) &&
                json_string_length(c.explanation) > SR_FORM_MAX_EXPLANATION)
                report(v, q, "is longer than %d bytes", SR_FORM_MAX_EXPLANATION);
            const char *lang;
            json_t *t;
            if (json_is_object(c.explanation)) {
                json_object_foreach(c.explanation, lang, t)
                {
                    if (json_is_string(t) && json_string_length(t) > SR_FORM_MAX_EXPLANATION)
                        report(v, q, "the '%s' text is longer than %d bytes", lang,
                               SR_FORM_MAX_EXPLANATION);
                }
            }
        }
        if (good)
            form->consents[form->consent_count++] = c;
    }
}

static void check_document(vctx *v, sr_form *form)
{
    json_t *root = form->root;
    check_keys(v, root, "", document_keys, NULL);
    json_t *format = json_object_get(root, "format");
    if (!format)
        report(v, "format", "missing: a form starts with \"format\": \"%s\"", SR_FORM_FORMAT);
    else if (!json_is_string(format) || strcmp(json_string_value(format), SR_FORM_FORMAT) != 0)
        report(v, "format", "must be \"%s\"", SR_FORM_FORMAT);
    json_t *id = json_object_get(root, "id");
    if (!id)
        report(v, "id", "missing");
    else if (!json_is_string(id) || !srp_name_form_id_valid(json_string_value(id)))
        report(v, "id", "'%s' is not a valid form id ([a-z][a-z0-9-]{0,47})",
               json_is_string(id) ? json_string_value(id) : json_kind(id));
    else
        form->id = json_string_value(id);
    json_t *version = json_object_get(root, "version");
    if (!version)
        report(v, "version", "missing");
    else if (!json_is_integer(version) || json_integer_value(version) < 1 ||
             json_integer_value(version) > 1000000)
        report(v, "version", "must be a whole number of at least 1");
    else
        form->version = (int)json_integer_value(version);
    json_t *phase = json_object_get(root, "phase");
    if (!phase)
        report(v, "phase", "missing");
    else if (!json_is_string(phase) || sr_phase_parse(json_string_value(phase), &form->phase))
        report(v, "phase", "must be intake, intervention, closure, experience or followup");
    get_bool(v, root, "repeatable", "", &form->repeatable);
    form->title = json_object_get(root, "title");
    if (!form->title)
        report(v, "title", "missing");
    else
        check_text(v, form->title, "title");
    form->description = json_object_get(root, "description");
    if (form->description)
        check_text(v, form->description, "description");
    json_t *items = json_object_get(root, "items");
    if (!items) {
        report(v, "items", "missing");
        return;
    }
    if (!json_is_array(items) || json_array_size(items) == 0) {
        report(v, "items", "must be a non-empty array of items");
        return;
    }
    if (json_array_size(items) > SR_FORM_MAX_ITEMS) {
        report(v, "items", "has more than %d items", SR_FORM_MAX_ITEMS);
        return;
    }
    form->item_count = json_array_size(items);
    form->items = calloc(form->item_count, sizeof *form->items);
    if (!form->items) {
        v->oom = 1;
        return;
    }
    for (size_t i = 0; i < form->item_count; i++)
        check_item(v, form, i, json_array_get(items, i));
    /* Conditions once every id is known, so that a later item is reported
     * as later and not as unknown. */
    for (size_t i = 0; i < form->item_count; i++)
        if (form->items[i].condition) {
            char p[64];
            snprintf(p, sizeof p, "items[%zu].enable_when", i);
            check_condition(v, form, i, form->items[i].condition, p, 0);
        }
    check_consent(v, form);
    int answerable = 0;
    for (size_t i = 0; i < form->item_count; i++)
        answerable |= form->items[i].id && form->items[i].type != SR_ITEM_SECTION;
    if (!answerable && v->count == 0)
        report(v, "items", "a form needs at least one item that can be answered");
}

static void compute_digest(sr_form *form)
{
    char *canonical = json_dumps(form->root, JSON_SORT_KEYS | JSON_COMPACT);
    unsigned char hash[SRP_MAC_BYTES];
    if (canonical) {
        srp_hash(hash, canonical, strlen(canonical));
        srp_hex_encode(form->digest, hash, sizeof hash);
        free(canonical);
    }
}

void sr_form_free(sr_form *form)
{
    if (!form)
        return;
    for (size_t i = 0; i < form->item_count; i++)
        free(form->items[i].options);
    free(form->items);
    free(form->consents);
    sr_form_free(form->consent_rules);
    json_decref(form->root);
    free(form);
}

sr_status sr_form_parse(const char *text, size_t len, sr_form **out, sr_problems *problems,
                        sr_error *err)
{
    *out = NULL;
    vctx v = {problems, 0, 0};
    json_error_t jerr;
    sr_form *form = calloc(1, sizeof *form);
    if (!form)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    form->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!form->root) {
        report(&v, "(document)", "not valid UTF-8 JSON: %s at line %d, column %d", jerr.text,
               jerr.line, jerr.column);
    } else if (!json_is_object(form->root)) {
        report(&v, "(document)", "a form must be a JSON object, not %s", json_kind(form->root));
    } else {
        check_document(&v, form);
    }
    if (v.oom) {
        sr_form_free(form);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    if (v.count > 0) {
        sr_form_free(form);
        return srp_error_set(err, SR_ERR_INVALID, "the form definition has %zu error%s", v.count,
                             v.count == 1 ? "" : "s");
    }
    compute_digest(form);
    *out = form;
    return SR_OK;
}

/* ---- queries ------------------------------------------------------------------------------------
 */

const char *srp_text(const json_t *text, const char *lang)
{
    if (!text)
        return NULL;
    if (json_is_string(text))
        return json_string_value(text);
    const char *s = json_string_value(json_object_get(text, lang ? lang : "sv"));
    return s ? s : json_string_value(json_object_get(text, "sv"));
}

const srp_item *srp_form_find_item(const sr_form *form, const char *id, size_t *index)
{
    for (size_t i = 0; i < form->item_count; i++)
        if (form->items[i].id && strcmp(form->items[i].id, id) == 0) {
            if (index)
                *index = i;
            return &form->items[i];
        }
    return NULL;
}

const srp_option *srp_item_find_option(const srp_item *item, const char *code)
{
    for (size_t o = 0; o < item->option_count; o++)
        if (item->options[o].code && strcmp(item->options[o].code, code) == 0)
            return &item->options[o];
    return NULL;
}

const char *sr_form_id(const sr_form *form)
{
    return form->id;
}
int sr_form_version(const sr_form *form)
{
    return form->version;
}
sr_phase sr_form_phase(const sr_form *form)
{
    return form->phase;
}
int sr_form_repeatable(const sr_form *form)
{
    return form->repeatable;
}
const char *sr_form_digest(const sr_form *form)
{
    return form->digest;
}
size_t sr_form_item_count(const sr_form *form)
{
    return form->item_count;
}

const char *sr_form_title(const sr_form *form, const char *lang)
{
    return srp_text(form->title, lang);
}

const char *sr_form_description(const sr_form *form, const char *lang)
{
    return srp_text(form->description, lang);
}

long sr_form_item_index(const sr_form *form, const char *id)
{
    size_t i;
    return srp_form_find_item(form, id, &i) ? (long)i : -1;
}

void sr_form_item(const sr_form *form, size_t i, const char *lang, sr_item_info *info)
{
    const srp_item *it = &form->items[i];
    memset(info, 0, sizeof *info);
    info->id = it->id;
    info->type = it->type;
    info->label = srp_text(it->label, lang);
    info->help = srp_text(it->help, lang);
    info->required = it->required;
    info->identifying = it->identifying;
    info->quasi_identifier = it->quasi_identifier;
    info->has_condition = it->condition != NULL;
    info->has_min = it->has_min;
    info->has_max = it->has_max;
    info->min = it->min;
    info->max = it->max;
    info->min_date = it->min_date;
    info->max_date = it->max_date;
    info->decimals = it->decimals;
    info->max_length = it->max_length;
    info->option_count = it->option_count;
    info->min_selected = it->min_selected;
    info->max_selected = it->max_selected;
    info->ordered = it->ordered;
    info->derived_birth_year = it->derived_birth_year;
    info->show_from_form = it->show_from_form;
    info->show_from_item = it->show_from_item;
}

size_t sr_form_consent_count(const sr_form *form)
{
    return form->consent_count;
}

void sr_form_consent(const sr_form *form, size_t k, const char *lang, sr_consent_info *info)
{
    const srp_consent *c = &form->consents[k];
    info->item = c->item;
    info->below_age = c->below_age;
    info->explanation = srp_text(c->explanation, lang);
}

void sr_form_option(const sr_form *form, size_t i, size_t o, const char *lang, const char **code,
                    const char **label, int *missing)
{
    const srp_option *opt = &form->items[i].options[o];
    if (code)
        *code = opt->code;
    if (label)
        *label = srp_text(opt->label, lang);
    if (missing)
        *missing = opt->missing;
}

const char *sr_form_anchor(const sr_form *form, size_t i, long value, const char *lang)
{
    char key[24];
    snprintf(key, sizeof key, "%ld", value);
    return srp_text(json_object_get(form->items[i].anchors, key), lang);
}

char *sr_form_item_condition(const sr_form *form, size_t i)
{
    if (i >= form->item_count || !form->items[i].condition)
        return NULL;
    return json_dumps(form->items[i].condition, JSON_COMPACT | JSON_SORT_KEYS);
}
