/*
 * case_answers.c - derived answers and required consents (see
 * case_answers.h).
 */
#include "case_answers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/texts.h"
#include "base/timeutil.h"
#include "form_int.h"
#include "form_store_int.h"
#include "registry_int.h"
#include "store.h"

sr_status srp_case_fill_derived(const srp_case_state *c, const sr_form *form, json_t **answers,
                                int *filled, sr_problems *problems, sr_error *err)
{
    *filled = 0;
    if (!form->birth_year_item || !c->birth_date[0] || !json_is_object(*answers))
        return SR_OK;
    const srp_item *it = &form->items[form->birth_year_item - 1];
    long long year = strtoll(c->birth_date, NULL, 10);
    json_t *given = json_object_get(*answers, it->id);
    if (given && !json_is_null(given)) {
        if (json_is_integer(given) && json_integer_value(given) == year)
            return SR_OK;
        char head[SR_ITEM_ID_MAX + 32];
        snprintf(head, sizeof head, srp_texts_get(SRP_T_ITEM_PREFIX, c->lang), it->id);
        srp_problems_add(problems, it->id, "%s%s", head,
                         srp_texts_get(SRP_T_C_BIRTH_YEAR_GIVEN, c->lang));
        return srp_error_set_where(err, SR_ERR_INVALID, it->id, "%s",
                                   srp_texts_get(SRP_T_C_BIRTH_YEAR, c->lang));
    }
    json_t *copy = json_copy(*answers);
    if (!copy || json_object_set_new(copy, it->id, json_integer(year)) != 0) {
        json_decref(copy);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    *answers = copy;
    *filled = 1;
    return SR_OK;
}

/* Whether the young person is, or may be, younger than age on date: from
 * the case's birth date, else from a birth year answered (then the earlier
 * of the two ages that year allows), else unknown, which counts as younger. */
static int may_be_younger(const srp_case_state *c, const json_t *birth_year, const char *date,
                          int age)
{
    if (c->birth_date[0]) {
        int years = srp_age_on(c->birth_date, date);
        return years < 0 || years < age;
    }
    if (json_is_integer(birth_year)) {
        long long youngest = strtoll(date, NULL, 10) - json_integer_value(birth_year) - 1;
        return youngest < age;
    }
    return 1;
}

static int given_in(const srp_consent *rule, const json_t *answer)
{
    size_t i;
    json_t *g;
    if (!answer || json_is_null(answer))
        return 0;
    json_array_foreach(rule->given, i, g) if (json_equal(g, (json_t *)answer)) return 1;
    return 0;
}

/* The newest installed version of form's id when it is newer and has
 * consent rules; NULL (and SR_OK) when there is none. Looked up once per
 * loaded form (an import keeps its forms for every line): the answer is kept
 * in the form (a memo; the form stays the same for its readers) and
 * borrowed from it. */
static sr_status newer_rules(sr_registry *reg, const sr_form *cform, const sr_form **out,
                             sr_error *err)
{
    sr_form *form = (sr_form *)cform; /* only the memo is written */
    *out = form->consent_rules;
    if (form->consent_rules_looked)
        return SR_OK;
    sqlite3_stmt *st = NULL;
    sr_status rc =
        srp_registry_prepare(reg, "SELECT max(version) FROM forms WHERE id = ?1", &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, form->id, -1, SQLITE_STATIC);
    int newest = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    srp_stmt_done(reg, st);
    if (newest <= form->version) {
        form->consent_rules_looked = 1;
        return SR_OK;
    }
    sr_form *f = NULL;
    rc = srp_form_load_quiet(reg, form->id, newest, &f, NULL, err);
    if (rc == SR_OK && f->consent_count == 0) {
        sr_form_free(f);
        f = NULL;
    }
    if (rc == SR_OK) {
        form->consent_rules = f;
        form->consent_rules_looked = 1;
    }
    *out = f;
    return rc;
}

/* Whether the old form has the rule's item as the rules' form defines it:
 * the same id and type (and, for a choice, the codes that count). */
static const srp_item *shared_item(const sr_form *rules, const srp_consent *rule,
                                   const sr_form *form)
{
    const srp_item *want = &rules->items[rule->item];
    const srp_item *have = srp_form_find_item(form, want->id, NULL);
    if (!have || have->type != want->type)
        return NULL;
    size_t i;
    json_t *g;
    if (have->type == SR_ITEM_CHOICE)
        json_array_foreach(rule->given, i,
                           g) if (!srp_item_find_option(have, json_string_value(g))) return NULL;
    return have;
}

sr_status srp_case_check_consent(sr_registry *reg, const srp_case_state *c, const sr_form *form,
                                 const json_t *answers, const char *date, sr_problems *problems,
                                 sr_error *err)
{
    const sr_form *newer = NULL;
    const sr_form *rules = form;
    sr_status rc = SR_OK;
    if (form->consent_count == 0) {
        rc = newer_rules(reg, form, &newer, err);
        if (rc != SR_OK || !newer)
            return rc;
        rules = newer;
    }
    /* The birth year: the rules' derived item, answered on this form. */
    const json_t *birth_year = NULL;
    if (rules->birth_year_item)
        birth_year = json_object_get(answers, rules->items[rules->birth_year_item - 1].id);
    for (size_t k = 0; k < rules->consent_count; k++) {
        const srp_consent *rule = &rules->consents[k];
        const srp_item *it = shared_item(rules, rule, form);
        if (!it)
            continue;
        if (rule->below_age && !may_be_younger(c, birth_year, date, rule->below_age))
            continue;
        if (given_in(rule, json_object_get(answers, it->id)))
            continue;
        /* The form's own explanation, in the session's language. */
        const char *why = srp_text(rule->explanation, c->lang);
        char head[SR_ITEM_ID_MAX + 32];
        snprintf(head, sizeof head, srp_texts_get(SRP_T_ITEM_PREFIX, c->lang), it->id);
        srp_problems_add(problems, it->id, "%s%s", head, why);
        rc = srp_error_set_where(err, SR_ERR_INVALID, it->id, "%s", why);
        break; /* one refusal says it: the later consents were often not asked */
    }
    return rc;
}

sr_status sr_case_derived_answers(sr_registry *reg, const char *code, const sr_form *form,
                                  sr_answers *answers, size_t *filled, sr_error *err)
{
    srp_case_state c;
    if (filled)
        *filled = 0;
    sr_status rc = srp_case_open_for(reg, code, "see cases", "case.derived", &c, err);
    if (rc != SR_OK || !form->birth_year_item || !c.birth_date[0])
        return rc;
    char year[8];
    snprintf(year, sizeof year, "%.4s", c.birth_date);
    rc = sr_answers_set(answers, form->birth_year_item - 1, year, NULL, err);
    if (rc == SR_OK && filled)
        *filled = 1;
    return rc;
}

/* ---- earlier answers shown beside an item (show_from) --------------------------------------- */

/* The label of an answer to item it, in lang: an option's label, the
 * labels of a multichoice's options joined by ", ", yes or no; NULL for
 * other types (the JSON says it). New string. */
static char *answer_label(const srp_item *it, const json_t *answer, const char *lang)
{
    srp_buf b = SRP_BUF_INIT;
    if (it->type == SR_ITEM_BOOLEAN && json_is_boolean(answer))
        srp_buf_printf(&b, "%s", srp_texts_get(json_is_true(answer) ? SRP_T_YES : SRP_T_NO, lang));
    else if (it->type == SR_ITEM_CHOICE && json_is_string(answer)) {
        const srp_option *o = srp_item_find_option(it, json_string_value(answer));
        srp_buf_printf(&b, "%s", o ? srp_text(o->label, lang) : json_string_value(answer));
    } else if (it->type == SR_ITEM_MULTICHOICE && json_is_array(answer)) {
        size_t i;
        json_t *e;
        json_array_foreach(answer, i, e)
        {
            const srp_option *o = srp_item_find_option(it, json_string_value(e));
            srp_buf_printf(&b, "%s%s", i ? ", " : "",
                           o ? srp_text(o->label, lang) : json_string_value(e));
        }
    } else {
        return NULL;
    }
    return srp_buf_take(&b);
}

/* The case's first active response to form_id: its answers (parsed), its
 * form's definition and date; *answers NULL when there is none. */
static sr_status first_response(sr_registry *reg, const char *code, const char *form_id,
                                json_t **answers, sr_form **form, char date[SR_DATE_MAX + 1],
                                sr_error *err)
{
    sqlite3_stmt *st = NULL;
    *answers = NULL;
    *form = NULL;
    sr_status rc = srp_registry_prepare(reg,
                                        "SELECT answers, form_version, date FROM responses"
                                        " WHERE case_code = ?1 AND form_id = ?2 AND active"
                                        " ORDER BY date, id LIMIT 1",
                                        &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, form_id, -1, SQLITE_STATIC);
    int src = sqlite3_step(st), version = 0;
    if (src == SQLITE_ROW) {
        *answers = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
        version = sqlite3_column_int(st, 1);
        snprintf(date, SR_DATE_MAX + 1, "%s", (const char *)sqlite3_column_text(st, 2));
        if (!*answers)
            rc =
                srp_error_set(err, SR_ERR_CORRUPT, "a stored response to '%s' is damaged", form_id);
    } else if (src != SQLITE_DONE) {
        rc = srp_store_fail(srp_registry_db(reg), src, "read the responses", err);
    }
    srp_stmt_done(reg, st);
    if (rc == SR_OK && *answers)
        rc = srp_form_load_quiet(reg, form_id, version, form, NULL, err);
    if (rc != SR_OK) {
        json_decref(*answers);
        *answers = NULL;
    }
    return rc;
}

sr_status sr_case_earlier_answers(sr_registry *reg, const char *code, const sr_form *form,
                                  const char *lang, sr_earlier_answer_fn fn, void *ctx,
                                  sr_error *err)
{
    srp_case_state c;
    sr_status rc = srp_case_open_for(reg, code, "see cases", "case.earlier", &c, err);
    /* One reading per earlier form, however many items show from it. */
    for (size_t i = 0; rc == SR_OK && i < form->item_count; i++) {
        const srp_item *it = &form->items[i];
        if (!it->show_from_form)
            continue;
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = form->items[k].show_from_form &&
                   strcmp(form->items[k].show_from_form, it->show_from_form) == 0;
        if (seen)
            continue;
        json_t *answers = NULL;
        sr_form *earlier = NULL;
        char date[SR_DATE_MAX + 1] = "";
        rc = first_response(reg, c.code, it->show_from_form, &answers, &earlier, date, err);
        int stop = 0;
        for (size_t k = i; rc == SR_OK && answers && !stop && k < form->item_count; k++) {
            const srp_item *shown = &form->items[k];
            if (!shown->show_from_form || strcmp(shown->show_from_form, it->show_from_form) != 0)
                continue;
            const json_t *a = json_object_get(answers, shown->show_from_item);
            const srp_item *source = srp_form_find_item(earlier, shown->show_from_item, NULL);
            if (!a || json_is_null(a) || !source)
                continue;
            char *text = json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT);
            char *label = answer_label(source, a, lang);
            if (!text)
                rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            else if (fn) {
                sr_earlier_answer e = {
                    k, shown->show_from_form, sr_form_version(earlier), date, text, label};
                stop = fn(ctx, &e) != 0;
            }
            free(text);
            free(label);
        }
        json_decref(answers);
        sr_form_free(earlier);
        if (stop)
            break;
    }
    return rc;
}

sr_status sr_case_check_answers(sr_registry *reg, const char *code, const sr_form *form,
                                const char *date, const char *answers_json, size_t len,
                                sr_problems *problems, sr_error *err)
{
    srp_case_state c;
    json_t *answers = NULL;
    char today[SR_DATE_MAX + 1];
    srp_time_today(today, sizeof today);
    sr_problems_set_lang(problems, sr_registry_lang(reg));
    sr_status rc = srp_case_open_for(reg, code, "see cases", NULL, &c, err);
    if (rc != SR_OK)
        return rc;
    json_error_t jerr;
    answers = json_loadb(answers_json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!answers)
        return srp_answers_not_json(&jerr, problems, "answers", err);
    int filled = 0;
    json_t *given = answers;
    rc = srp_case_fill_derived(&c, form, &answers, &filled, problems, err);
    if (filled)
        json_decref(given);
    if (rc == SR_OK)
        rc = srp_form_check_answers_json(form, answers, problems, err);
    if (rc == SR_OK)
        rc = srp_case_check_consent(reg, &c, form, answers, date ? date : today, problems, err);
    json_decref(answers);
    return rc;
}
