/*
 * case_rules.c - the life-cycle rules of a case (see case_rules.h): pure
 * decisions over the facts a caller gives.
 */
#include "case_rules.h"

#include <string.h>

#include "base/error.h"
#include "base/texts.h"
#include "base/timeutil.h"

/* Dates are compared as text: "YYYY-MM-DD" sorts as it counts. */
static int before(const char *a, const char *b)
{
    return a[0] && b[0] && strcmp(a, b) < 0;
}

sr_status srp_case_rules_check_date(const char *date, const char *today, const char *lang,
                                    sr_error *why)
{
    int y, m, d;
    if (srp_date_parse(date, &y, &m, &d) != 0)
        return srp_error_set_where(why, SR_ERR_INVALID, "date",
                                   srp_texts_get(SRP_T_R_NOT_DATE, lang), date);
    if (strcmp(date, today) > 0)
        return srp_error_set_where(why, SR_ERR_INVALID, "date", srp_texts_get(SRP_T_R_FUTURE, lang),
                                   date);
    return SR_OK;
}

sr_status srp_case_rules_form(const srp_case_facts *c, const srp_form_facts *f, sr_error *why)
{
    sr_phase phase = f->phase;
    const char *lang = c->lang;
    if (c->closed && phase != SR_PHASE_EXPERIENCE && phase != SR_PHASE_FOLLOWUP)
        return srp_error_set_where(why, SR_ERR_STATE, "form", srp_texts_get(SRP_T_R_CLOSED, lang),
                                   c->code);
    if (phase == SR_PHASE_INTAKE && c->intake_date[0])
        return srp_error_set_where(why, SR_ERR_STATE, "form",
                                   srp_texts_get(SRP_T_R_HAS_INTAKE, lang), c->code,
                                   c->intake_date);
    if (phase != SR_PHASE_INTAKE && !c->intake_date[0])
        return srp_error_set_where(why, SR_ERR_STATE, "form",
                                   srp_texts_get(SRP_T_R_NO_INTAKE, lang), c->code);
    if (phase == SR_PHASE_FOLLOWUP && !c->closed)
        return srp_error_set_where(why, SR_ERR_STATE, "form",
                                   srp_texts_get(SRP_T_R_OPEN_FOLLOWUP, lang), c->code);
    if (!f->repeatable && f->existing > 0)
        return srp_error_set_where(why, SR_ERR_STATE, "form", srp_texts_get(SRP_T_R_ANSWERED, lang),
                                   c->code, f->id, (long long)f->existing);
    return SR_OK;
}

sr_status srp_case_rules_order(const srp_case_facts *c, sr_phase phase, const char *date,
                               sr_error *why)
{
    const char *lang = c->lang;
    if (phase == SR_PHASE_INTAKE) {
        if (before(c->first_date, date))
            return srp_error_set_where(why, SR_ERR_STATE, "date",
                                       srp_texts_get(SRP_T_R_INTAKE_AFTER, lang), date,
                                       c->first_date);
        return SR_OK;
    }
    if (before(date, c->intake_date))
        return srp_error_set_where(why, SR_ERR_STATE, "date",
                                   srp_texts_get(SRP_T_R_BEFORE_INTAKE, lang), date,
                                   c->intake_date);
    if (phase == SR_PHASE_CLOSURE && before(date, c->last_work_date))
        return srp_error_set_where(why, SR_ERR_STATE, "date",
                                   srp_texts_get(SRP_T_R_CLOSURE_BEFORE, lang), date,
                                   c->last_work_date);
    if (phase == SR_PHASE_CLOSURE && before(c->first_followup, date))
        return srp_error_set_where(why, SR_ERR_STATE, "date",
                                   srp_texts_get(SRP_T_R_CLOSURE_AFTER_FOLLOWUP, lang), date,
                                   c->first_followup);
    if (phase == SR_PHASE_INTERVENTION && c->closed && before(c->closed_at, date))
        return srp_error_set_where(why, SR_ERR_STATE, "date",
                                   srp_texts_get(SRP_T_R_AFTER_CLOSURE, lang), date, c->closed_at);
    if (phase == SR_PHASE_FOLLOWUP && before(date, c->closed_at))
        return srp_error_set_where(why, SR_ERR_STATE, "date",
                                   srp_texts_get(SRP_T_R_FOLLOWUP_BEFORE, lang), date,
                                   c->closed_at);
    return SR_OK;
}

sr_status srp_case_rules_register(const srp_case_facts *c, const srp_form_facts *f,
                                  const char *date, const char *today, sr_error *why)
{
    sr_status rc = srp_case_rules_check_date(date, today, c->lang, why);
    if (rc == SR_OK)
        rc = srp_case_rules_form(c, f, why);
    if (rc == SR_OK)
        rc = srp_case_rules_order(c, f->phase, date, why);
    return rc;
}

sr_status srp_case_rules_edit(const srp_case_facts *c, int64_t id, sr_phase phase, int active,
                              const char *date, const char *today, sr_error *why)
{
    if (!active)
        return srp_error_set(why, SR_ERR_STATE, srp_texts_get(SRP_T_R_SET_ASIDE, c->lang),
                             (long long)id);
    if (!date)
        return SR_OK;
    sr_status rc = srp_case_rules_check_date(date, today, c->lang, why);
    if (rc == SR_OK)
        rc = srp_case_rules_order(c, phase, date, why);
    return rc;
}

static const char *later(const char *a, const char *b)
{
    return before(a, b) || !a[0] ? b : a;
}

const char *srp_case_rules_earliest(const srp_case_facts *c, sr_phase phase)
{
    switch (phase) {
    case SR_PHASE_INTAKE:
        return "";
    case SR_PHASE_CLOSURE:
        return later(c->intake_date, c->last_work_date);
    case SR_PHASE_FOLLOWUP:
        return later(c->intake_date, c->closed_at);
    default:
        return c->intake_date;
    }
}
