/*
 * answers.c - checking answers against a form, and evaluating enable_when.
 *
 * A set is rejected whole, with every problem listed by item id. An item is
 * enabled when its condition holds; conditions see only earlier items, and a
 * condition on a disabled or unanswered item is false (but `not` of it is
 * true). A JSON null counts as no answer.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/texts.h"
#include "form_int.h"
#include "freetext.h"
#include "sigreg/limits.h"
#include "base/timeutil.h"

/* ---- conditions ------------------------------------------------------------------ */

static int answered(const json_t *a)
{
    return a && !json_is_null(a);
}

static int compare_numbers(double a, const char *op, double b)
{
    if (strcmp(op, "=") == 0)
        return a == b;
    if (strcmp(op, "!=") == 0)
        return a != b;
    if (strcmp(op, "<") == 0)
        return a < b;
    if (strcmp(op, "<=") == 0)
        return a <= b;
    if (strcmp(op, ">") == 0)
        return a > b;
    return a >= b;
}

static int leaf_holds(const srp_item *target, const json_t *answer, const char *op,
                      const json_t *value)
{
    if (strcmp(op, "answered") == 0)
        return 1;
    if (strcmp(op, "includes") == 0) {
        size_t i;
        json_t *e;
        if (!json_is_array(answer))
            return 0;
        json_array_foreach(answer, i, e) if (json_equal(e, (json_t *)value)) return 1;
        return 0;
    }
    if (json_is_number(answer) && json_is_number(value))
        return compare_numbers(json_number_value(answer), op, json_number_value(value));
    if (target->type == SR_ITEM_DATE && json_is_string(answer) && json_is_string(value)) {
        int c = strcmp(json_string_value(answer), json_string_value(value));
        return compare_numbers(c, op, 0);
    }
    int equal = json_equal((json_t *)answer, (json_t *)value);
    if (strcmp(op, "=") == 0)
        return equal;
    if (strcmp(op, "!=") == 0)
        return !equal;
    return 0;
}

/* enabled[] holds the state of items before the one whose condition this is. */
static int condition_holds(const sr_form *form, const json_t *c, const json_t *answers,
                           const int *enabled)
{
    json_t *list;
    if ((list = json_object_get(c, "all"))) {
        for (size_t i = 0; i < json_array_size(list); i++)
            if (!condition_holds(form, json_array_get(list, i), answers, enabled))
                return 0;
        return 1;
    }
    if ((list = json_object_get(c, "any"))) {
        for (size_t i = 0; i < json_array_size(list); i++)
            if (condition_holds(form, json_array_get(list, i), answers, enabled))
                return 1;
        return 0;
    }
    if ((list = json_object_get(c, "not")))
        return !condition_holds(form, list, answers, enabled);
    size_t index = 0;
    const srp_item *target =
        srp_form_find_item(form, json_string_value(json_object_get(c, "item")), &index);
    if (!target || !enabled[index])
        return 0;
    const json_t *answer = json_object_get(answers, target->id);
    if (!answered(answer))
        return 0;
    return leaf_holds(target, answer, json_string_value(json_object_get(c, "op")),
                      json_object_get(c, "value"));
}

/* Fills enabled[] (item_count entries) for a set of answers. */
static void evaluate_enabled(const sr_form *form, const json_t *answers, int *enabled)
{
    for (size_t i = 0; i < form->item_count; i++)
        enabled[i] = !form->items[i].condition ||
                     condition_holds(form, form->items[i].condition, answers, enabled);
}

/* ---- one answer -------------------------------------------------------------------- */

/* Adds a problem (or a warning) about item id, in the list's language:
 * the item prefix, then text t with its arguments. */
static void say(sr_problems *p, int warning, const char *id, srp_text_id t, ...)
{
    const char *lang = sr_problems_lang(p);
    char message[400];
    va_list ap;
    va_start(ap, t);
    vsnprintf(message, sizeof message, srp_texts_get(t, lang), ap);
    va_end(ap);
    char head[SR_ITEM_ID_MAX + 32];
    snprintf(head, sizeof head, srp_texts_get(SRP_T_ITEM_PREFIX, lang), id);
    if (warning)
        srp_problems_warn(p, id, "%s%s", head, message);
    else
        srp_problems_add(p, id, "%s%s", head, message);
}

static void format_number(char *out, size_t size, double v)
{
    snprintf(out, size, "%.10g", v);
}

/* Free text never identifies anyone: a personnummer or samordningsnummer
 * in it refuses the answer (saying where, never what); what looks like a
 * name is accepted with a warning. */
static int check_free_text(const char *id, const char *text, sr_problems *problems)
{
    char today[11];
    srp_time_today(today, sizeof today);
    size_t at = srp_freetext_find_pnr(text, today);
    if (at) {
        say(problems, 0, id, SRP_T_A_PNR, at);
        return 0;
    }
    at = srp_freetext_find_name(text);
    if (at)
        say(problems, 1, id, SRP_T_A_NAME, at);
    return 1;
}

/* Checks one answer's type and range; adds problems under the item's id. */
static int check_one(const srp_item *it, const json_t *a, sr_problems *problems)
{
    const char *id = it->id;
    char n1[32], n2[32];
    switch (it->type) {
    case SR_ITEM_SECTION:
        say(problems, 0, id, SRP_T_A_SECTION);
        return 0;
    case SR_ITEM_BOOLEAN:
        if (!json_is_boolean(a)) {
            say(problems, 0, id, SRP_T_A_BOOLEAN);
            return 0;
        }
        return 1;
    case SR_ITEM_CHOICE:
        if (!json_is_string(a)) {
            say(problems, 0, id, SRP_T_A_ONE_CODE);
            return 0;
        }
        if (!srp_item_find_option(it, json_string_value(a))) {
            say(problems, 0, id, SRP_T_A_NOT_OPTION, json_string_value(a));
            return 0;
        }
        return 1;
    case SR_ITEM_MULTICHOICE: {
        if (!json_is_array(a)) {
            say(problems, 0, id, SRP_T_A_CODE_ARRAY);
            return 0;
        }
        int good = 1;
        size_t count = json_array_size(a);
        for (size_t i = 0; i < count; i++) {
            json_t *e = json_array_get(a, i);
            if (!json_is_string(e)) {
                say(problems, 0, id, SRP_T_A_ELEMENT, i);
                good = 0;
                continue;
            }
            if (!srp_item_find_option(it, json_string_value(e))) {
                say(problems, 0, id, SRP_T_A_NOT_OPTION, json_string_value(e));
                good = 0;
            }
            for (size_t k = 0; k < i; k++)
                if (json_equal(e, json_array_get(a, k))) {
                    say(problems, 0, id, SRP_T_A_TWICE, json_string_value(e));
                    good = 0;
                    break;
                }
        }
        if (count < it->min_selected) {
            say(problems, 0, id, SRP_T_A_SELECT_MIN, it->min_selected, count);
            good = 0;
        }
        if (count > it->max_selected) {
            say(problems, 0, id, SRP_T_A_SELECT_MAX, it->max_selected, count);
            good = 0;
        }
        return good;
    }
    case SR_ITEM_INTEGER:
    case SR_ITEM_SCALE:
    case SR_ITEM_DECIMAL: {
        int integral = it->type != SR_ITEM_DECIMAL;
        if (integral ? !json_is_integer(a) : !json_is_number(a)) {
            say(problems, 0, id, integral ? SRP_T_A_WHOLE : SRP_T_A_NUMBER);
            return 0;
        }
        double v = json_number_value(a);
        if (it->has_min && v < it->min) {
            format_number(n1, sizeof n1, v);
            format_number(n2, sizeof n2, it->min);
            say(problems, 0, id, SRP_T_A_BELOW, n1, n2);
            return 0;
        }
        if (it->has_max && v > it->max) {
            format_number(n1, sizeof n1, v);
            format_number(n2, sizeof n2, it->max);
            say(problems, 0, id, SRP_T_A_ABOVE, n1, n2);
            return 0;
        }
        if (it->type == SR_ITEM_DECIMAL && it->decimals >= 0) {
            double scaled = v * pow(10, it->decimals);
            if (fabs(scaled - nearbyint(scaled)) > 1e-6 * fmax(1.0, fabs(scaled))) {
                format_number(n1, sizeof n1, v);
                say(problems, 0, id, it->decimals == 1 ? SRP_T_A_DECIMAL_1 : SRP_T_A_DECIMALS, n1,
                    it->decimals);
                return 0;
            }
        }
        return 1;
    }
    case SR_ITEM_DATE: {
        int y, m, d;
        if (!json_is_string(a) || srp_date_parse(json_string_value(a), &y, &m, &d) != 0) {
            say(problems, 0, id, SRP_T_A_DATE,
                json_is_string(a) ? json_string_value(a)
                                  : srp_texts_get(SRP_T_A_THE_ANSWER, sr_problems_lang(problems)));
            return 0;
        }
        char bound[11];
        if (it->min_date) {
            srp_date_bound(it->min_date, bound);
            if (strcmp(json_string_value(a), bound) < 0) {
                say(problems, 0, id, SRP_T_A_DATE_BEFORE, json_string_value(a), bound);
                return 0;
            }
        }
        if (it->max_date) {
            srp_date_bound(it->max_date, bound);
            if (strcmp(json_string_value(a), bound) > 0) {
                say(problems, 0, id, SRP_T_A_DATE_AFTER, json_string_value(a), bound);
                return 0;
            }
        }
        return 1;
    }
    case SR_ITEM_TEXT:
        if (!json_is_string(a)) {
            say(problems, 0, id, SRP_T_A_TEXT);
            return 0;
        }
        if (srp_utf8_length(json_string_value(a)) > it->max_length) {
            say(problems, 0, id, SRP_T_A_TEXT_LONG, it->max_length);
            return 0;
        }
        return check_free_text(id, json_string_value(a), problems);
    default:
        return 0;
    }
}

/* ---- a whole set ------------------------------------------------------------------------ */

/* Adds every problem of a set to problems; returns how many there were. */
static size_t check_set(const sr_form *form, const json_t *answers, sr_problems *problems, int *oom)
{
    size_t before = sr_problems_error_count(problems), found = 0;
    sr_problems *own = problems ? NULL : sr_problems_new();
    sr_problems *p = problems ? problems : own;
    if (!p) {
        *oom = 1;
        return 1;
    }
    if (!json_is_object(answers)) {
        srp_problems_add(p, "(answers)", "%s",
                         srp_texts_get(SRP_T_A_NOT_OBJECT, sr_problems_lang(p)));
        found = 1;
        goto out;
    }
    size_t items = form->item_count ? form->item_count : 1;
    int *enabled = calloc(items, sizeof *enabled);
    const json_t **given = calloc(items, sizeof *given);
    if (!enabled || !given) {
        free(enabled);
        free(given);
        *oom = 1;
        goto out;
    }
    /* Each item's answer, looked up once; keys that are no item's are
     * looked for one by one only when the items do not account for all. */
    size_t known = 0;
    for (size_t i = 0; i < form->item_count; i++)
        known += (given[i] = json_object_get(answers, form->items[i].id)) != NULL;
    const char *key;
    json_t *value;
    if (known != json_object_size(answers))
        json_object_foreach((json_t *)answers, key, value)
        {
            if (!srp_form_find_item(form, key, NULL))
                say(p, 0, key, SRP_T_A_NO_SUCH_ITEM, form->id);
        }
    evaluate_enabled(form, answers, enabled);
    for (size_t i = 0; i < form->item_count; i++) {
        const srp_item *it = &form->items[i];
        const json_t *a = given[i];
        if (!answered(a)) {
            if (it->required && enabled[i])
                say(p, 0, it->id, SRP_T_A_REQUIRED);
            continue;
        }
        if (it->type == SR_ITEM_SECTION) {
            say(p, 0, it->id, SRP_T_A_SECTION);
            continue;
        }
        if (!enabled[i]) {
            say(p, 0, it->id, SRP_T_A_NOT_ENABLED);
            continue;
        }
        if (check_one(it, a, p) && it->required && it->type == SR_ITEM_MULTICHOICE &&
            json_array_size(a) == 0)
            say(p, 0, it->id, SRP_T_A_REQUIRED_ONE);
    }
    free(enabled);
    free(given);
out:
    found = sr_problems_error_count(p) - (problems ? before : 0);
    sr_problems_free(own);
    return found;
}

sr_status srp_answers_not_json(const json_error_t *jerr, sr_problems *problems, const char *where,
                               sr_error *err)
{
    const char *lang = sr_problems_lang(problems);
    srp_problems_add(problems, "(answers)", srp_texts_get(SRP_T_A_NOT_JSON, lang), jerr->text,
                     jerr->line, jerr->column);
    return srp_error_set_where(err, SR_ERR_INVALID, where, "%s",
                               srp_texts_get(SRP_T_A_ANSWERS_NOT_JSON, lang));
}

sr_status srp_form_check_answers_json(const sr_form *form, const json_t *answers,
                                      sr_problems *problems, sr_error *err)
{
    int oom = 0;
    size_t n = check_set(form, answers, problems, &oom);
    if (oom)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (n)
        return srp_error_set(err, SR_ERR_INVALID,
                             srp_texts_get(n == 1 ? SRP_T_A_PROBLEM_1 : SRP_T_A_PROBLEMS,
                                           sr_problems_lang(problems)),
                             n, form->id);
    return SR_OK;
}

sr_status sr_form_check_answers(const sr_form *form, const char *json, size_t len,
                                sr_problems *problems, sr_error *err)
{
    json_error_t jerr;
    json_t *answers = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!answers)
        return srp_answers_not_json(&jerr, problems, NULL, err);
    sr_status rc = srp_form_check_answers_json(form, answers, problems, err);
    json_decref(answers);
    return rc;
}

/* ---- incremental sets ------------------------------------------------------------------------ */

struct sr_answers {
    const sr_form *form;
    json_t *values;
    json_t *typed; /* NULL, or item id -> array of what was typed and refused */
};

sr_answers *sr_answers_new(const sr_form *form)
{
    sr_answers *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->form = form;
    a->values = json_object();
    if (!a->values) {
        free(a);
        return NULL;
    }
    return a;
}

void sr_answers_free(sr_answers *answers)
{
    if (!answers)
        return;
    json_decref(answers->values);
    json_decref(answers->typed);
    free(answers);
}

int sr_answers_enabled(const sr_answers *answers, size_t i)
{
    const sr_form *form = answers->form;
    int *enabled = calloc(form->item_count, sizeof *enabled);
    if (!enabled)
        return 0;
    evaluate_enabled(form, answers->values, enabled);
    int result = enabled[i];
    free(enabled);
    return result;
}

sr_status sr_answers_set(sr_answers *answers, size_t i, const char *json_value,
                         sr_problems *problems, sr_error *err)
{
    const srp_item *it = &answers->form->items[i];
    json_error_t jerr;
    json_t *v = json_loads(json_value, JSON_DECODE_ANY, &jerr);
    const char *lang = sr_problems_lang(problems);
    if (!v) {
        say(problems, 0, it->id, SRP_T_A_INVALID);
        return srp_error_set(err, SR_ERR_INVALID, "%s", srp_texts_get(SRP_T_A_INVALID, lang));
    }
    if (!check_one(it, v, problems)) {
        json_decref(v);
        return srp_error_set(err, SR_ERR_INVALID, srp_texts_get(SRP_T_A_INVALID_TO, lang), it->id);
    }
    if (json_object_set_new(answers->values, it->id, v) != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (answers->typed)
        (void)json_object_del(answers->typed, it->id);
    return SR_OK;
}

void sr_answers_unset(sr_answers *answers, size_t i)
{
    (void)json_object_del(answers->values, answers->form->items[i].id);
    if (answers->typed)
        (void)json_object_del(answers->typed, answers->form->items[i].id);
}

sr_status sr_answers_set_typed(sr_answers *answers, size_t i, const char *const *values, size_t n,
                               sr_error *err)
{
    const char *id = answers->form->items[i].id;
    if (n == 0) {
        if (answers->typed)
            (void)json_object_del(answers->typed, id);
        return SR_OK;
    }
    json_t *list = json_array();
    for (size_t k = 0; list && k < n; k++) {
        json_t *v = values[k] ? json_string(values[k]) : NULL;
        if (!v) {
            json_decref(list);
            return srp_error_set_where(err, SR_ERR_INVALID, id, "what was typed is not UTF-8");
        }
        if (json_array_append_new(list, v) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    if (!answers->typed)
        answers->typed = json_object();
    if (!list || !answers->typed || json_object_set_new(answers->typed, id, list) != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    return SR_OK;
}

size_t sr_answers_typed_count(const sr_answers *answers, size_t i)
{
    return answers->typed
               ? json_array_size(json_object_get(answers->typed, answers->form->items[i].id))
               : 0;
}

const char *sr_answers_typed(const sr_answers *answers, size_t i, size_t k)
{
    if (!answers->typed)
        return NULL;
    return json_string_value(
        json_array_get(json_object_get(answers->typed, answers->form->items[i].id), k));
}

char *sr_answers_to_draft_json(const sr_answers *answers)
{
    if (!answers->typed || json_object_size(answers->typed) == 0)
        return sr_answers_to_json(answers);
    json_t *all = json_copy(answers->values);
    if (!all || json_object_set(all, "_typed", answers->typed) != 0) {
        json_decref(all);
        return NULL;
    }
    char *text = json_dumps(all, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(all);
    return text;
}

int sr_answers_has(const sr_answers *answers, size_t i)
{
    return answered(json_object_get(answers->values, answers->form->items[i].id));
}

char *sr_answers_value_json(const sr_answers *answers, size_t i)
{
    json_t *v = json_object_get(answers->values, answers->form->items[i].id);
    return v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
}

char *sr_answers_to_json(const sr_answers *answers)
{
    return json_dumps(answers->values, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

/* ---- reading a set -----------------------------------------------------------------------------
 */

sr_status sr_answers_from_json(const sr_form *form, const char *json, size_t len, sr_answers **out,
                               sr_problems *problems, sr_error *err)
{
    *out = NULL;
    json_error_t jerr;
    json_t *values = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!values)
        return srp_answers_not_json(&jerr, problems, "answers", err);
    sr_status rc = srp_form_check_answers_json(form, values, problems, err);
    sr_answers *a = rc == SR_OK ? calloc(1, sizeof *a) : NULL;
    if (rc == SR_OK && !a)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc != SR_OK) {
        json_decref(values);
        return rc;
    }
    a->form = form;
    a->values = values;
    *out = a;
    return SR_OK;
}

/* The item called id and its answer (NULL when it has none). */
static sr_status item_answer(const sr_answers *answers, const char *id, const srp_item **item,
                             const json_t **value, sr_error *err)
{
    const srp_item *it = id ? srp_form_find_item(answers->form, id, NULL) : NULL;
    if (!it)
        return srp_error_set_where(err, SR_ERR_NOT_FOUND, id, "form '%s' has no item '%s'",
                                   answers->form->id, id ? id : "");
    *item = it;
    *value = json_object_get(answers->values, it->id);
    if (!answered(*value))
        *value = NULL;
    return SR_OK;
}

/* The answer to id when the item is of one of the types in mask. */
static sr_status typed_answer(const sr_answers *answers, const char *id, unsigned mask,
                              const json_t **value, sr_error *err)
{
    const srp_item *it = NULL;
    sr_status rc = item_answer(answers, id, &it, value, err);
    if (rc != SR_OK)
        return rc;
    if (!(mask & (1u << it->type)))
        return srp_error_set_where(err, SR_ERR_INVALID, id, "item '%s' is a %s item", id,
                                   sr_item_type_name(it->type));
    if (!*value)
        return srp_error_set_where(err, SR_ERR_NOT_FOUND, id, "item '%s' has no answer", id);
    return SR_OK;
}

#define TYPE_BIT(t) (1u << (t))

sr_status sr_answers_type(const sr_answers *answers, const char *id, sr_item_type *type,
                          sr_error *err)
{
    const srp_item *it = NULL;
    const json_t *v = NULL;
    sr_status rc = item_answer(answers, id, &it, &v, err);
    if (rc == SR_OK)
        *type = it->type;
    return rc;
}

sr_status sr_answers_get_boolean(const sr_answers *answers, const char *id, int *value,
                                 sr_error *err)
{
    const json_t *v = NULL;
    sr_status rc = typed_answer(answers, id, TYPE_BIT(SR_ITEM_BOOLEAN), &v, err);
    if (rc == SR_OK && !json_is_boolean(v))
        rc = srp_error_set_where(err, SR_ERR_INVALID, id,
                                 "item '%s': the answer is not true or "
                                 "false",
                                 id);
    if (rc == SR_OK)
        *value = json_is_true(v);
    return rc;
}

sr_status sr_answers_get_choice(const sr_answers *answers, const char *id, const char **code,
                                sr_error *err)
{
    const json_t *v = NULL;
    sr_status rc = typed_answer(answers, id, TYPE_BIT(SR_ITEM_CHOICE), &v, err);
    if (rc == SR_OK && !json_is_string(v))
        rc = srp_error_set_where(err, SR_ERR_INVALID, id,
                                 "item '%s': the answer is not an "
                                 "option code",
                                 id);
    if (rc == SR_OK)
        *code = json_string_value(v);
    return rc;
}

sr_status sr_answers_get_multichoice(const sr_answers *answers, const char *id, const char **codes,
                                     size_t max, size_t *count, sr_error *err)
{
    const json_t *v = NULL;
    *count = 0;
    sr_status rc = typed_answer(answers, id, TYPE_BIT(SR_ITEM_MULTICHOICE), &v, err);
    if (rc == SR_OK && !json_is_array(v))
        rc = srp_error_set_where(err, SR_ERR_INVALID, id,
                                 "item '%s': the answer is not a list "
                                 "of option codes",
                                 id);
    for (size_t i = 0; rc == SR_OK && i < json_array_size(v); i++)
        if (!json_is_string(json_array_get(v, i)))
            rc = srp_error_set_where(err, SR_ERR_INVALID, id,
                                     "item '%s': element %zu is not an "
                                     "option code",
                                     id, i);
    if (rc != SR_OK)
        return rc;
    *count = json_array_size(v);
    for (size_t i = 0; i < *count && i < max; i++)
        codes[i] = json_string_value(json_array_get(v, i));
    return SR_OK;
}

int sr_answers_selects(const sr_answers *answers, const char *id, const char *code)
{
    const srp_item *it = NULL;
    const json_t *v = NULL;
    if (!code || item_answer(answers, id, &it, &v, NULL) != SR_OK || !v)
        return 0;
    if (it->type == SR_ITEM_CHOICE)
        return json_is_string(v) && strcmp(json_string_value(v), code) == 0;
    if (it->type != SR_ITEM_MULTICHOICE)
        return 0;
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) if (json_is_string(e) &&
                                    strcmp(json_string_value(e), code) == 0) return 1;
    return 0;
}

sr_status sr_answers_get_integer(const sr_answers *answers, const char *id, long long *value,
                                 sr_error *err)
{
    const json_t *v = NULL;
    sr_status rc =
        typed_answer(answers, id, TYPE_BIT(SR_ITEM_INTEGER) | TYPE_BIT(SR_ITEM_SCALE), &v, err);
    if (rc == SR_OK && !json_is_integer(v))
        rc = srp_error_set_where(err, SR_ERR_INVALID, id,
                                 "item '%s': the answer is not a whole "
                                 "number",
                                 id);
    if (rc == SR_OK)
        *value = (long long)json_integer_value(v);
    return rc;
}

sr_status sr_answers_get_decimal(const sr_answers *answers, const char *id, double *value,
                                 sr_error *err)
{
    const json_t *v = NULL;
    sr_status rc = typed_answer(
        answers, id,
        TYPE_BIT(SR_ITEM_DECIMAL) | TYPE_BIT(SR_ITEM_INTEGER) | TYPE_BIT(SR_ITEM_SCALE), &v, err);
    if (rc == SR_OK && !json_is_number(v))
        rc = srp_error_set_where(err, SR_ERR_INVALID, id, "item '%s': the answer is not a number",
                                 id);
    if (rc == SR_OK)
        *value = json_number_value(v);
    return rc;
}

static sr_status string_answer(const sr_answers *answers, const char *id, sr_item_type type,
                               const char **out, sr_error *err)
{
    const json_t *v = NULL;
    sr_status rc = typed_answer(answers, id, TYPE_BIT(type), &v, err);
    if (rc == SR_OK && !json_is_string(v))
        rc = srp_error_set_where(err, SR_ERR_INVALID, id, "item '%s': the answer is not a string",
                                 id);
    if (rc == SR_OK)
        *out = json_string_value(v);
    return rc;
}

sr_status sr_answers_get_date(const sr_answers *answers, const char *id, const char **date,
                              sr_error *err)
{
    return string_answer(answers, id, SR_ITEM_DATE, date, err);
}

sr_status sr_answers_get_text(const sr_answers *answers, const char *id, const char **text,
                              sr_error *err)
{
    return string_answer(answers, id, SR_ITEM_TEXT, text, err);
}
