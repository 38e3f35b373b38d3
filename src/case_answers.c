/*
 * case_answers.c - derived answers and required consents (see
 * case_answers.h).
 */
#include "case_answers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/timeutil.h"
#include "form_int.h"
#include "form_store_int.h"
#include "registry_int.h"

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
        srp_problems_add(problems, it->id,
                         "item '%s': the birth year comes from the case's personnummer: leave it "
                         "unanswered",
                         it->id);
        return srp_error_set_where(err, SR_ERR_INVALID, it->id,
                                   "the birth year comes from the case's personnummer");
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
 * consent rules; NULL (and SR_OK) when there is none. */
static sr_status newer_rules(sr_registry *reg, const sr_form *form, sr_form **out, sr_error *err)
{
    *out = NULL;
    sqlite3_stmt *st = NULL;
    sr_status rc =
        srp_registry_prepare(reg, "SELECT max(version) FROM forms WHERE id = ?1", &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, form->id, -1, SQLITE_STATIC);
    int newest = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    srp_stmt_done(reg, st);
    if (newest <= form->version)
        return SR_OK;
    sr_form *f = NULL;
    rc = srp_form_load_quiet(reg, form->id, newest, &f, NULL, err);
    if (rc == SR_OK && f->consent_count == 0) {
        sr_form_free(f);
        f = NULL;
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
    sr_form *newer = NULL;
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
        const char *why = srp_text(rule->explanation, "sv");
        srp_problems_add(problems, it->id, "item '%s': %s", it->id, why);
        rc = srp_error_set_where(err, SR_ERR_INVALID, it->id, "%s", why);
    }
    sr_form_free(newer);
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
