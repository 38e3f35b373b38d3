/*
 * case_answers.h - the rules of a registration's answers that need the
 * case (internal): answers the library derives from what it keeps of the
 * case (the birth year from the personnummer's birth date), and the
 * consents an intake requires, which depend on the young person's age.
 *
 * Registration, correction and import all go through these, so every front
 * end gets the same rules. This module must not store anything: it checks
 * and fills a set of answers; the caller stores it.
 */
#ifndef SIGREG_CASE_ANSWERS_H
#define SIGREG_CASE_ANSWERS_H

#include <jansson.h>

#include "case.h"

/* Fills the answers the case gives (the derived birth year, when the case
 * has a personnummer and the item is not answered) into *answers: a new
 * reference (the caller decrefs it) when something was filled, else *answers
 * unchanged with *filled 0. A derived item answered differently from what
 * the case gives is SR_ERR_INVALID, with a problem and where = the item. */
sr_status srp_case_fill_derived(const srp_case_state *c, const sr_form *form, json_t **answers,
                                int *filled, sr_problems *problems, sr_error *err);

/* Whether the answers (already checked against form) hold every consent
 * the rules require on date. The rules are form's own, or when it has none,
 * those of the newest installed version of the same form, for the items it
 * shares with it. A consent not given is SR_ERR_INVALID with the rule's
 * explanation, where = the consent item, and a problem under that item. */
sr_status srp_case_check_consent(sr_registry *reg, const srp_case_state *c, const sr_form *form,
                                 const json_t *answers, const char *date, sr_problems *problems,
                                 sr_error *err);

#endif
