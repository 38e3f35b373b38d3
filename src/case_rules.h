/*
 * case_rules.h - the life-cycle rules of a case (internal, pure): which
 * forms may be registered next, which date a registration or a correction
 * may carry, and why not.
 *
 * A case starts open; exactly one intake comes first and every other
 * registration lies on or after it; interventions may follow any number of
 * times; a closure lies on or after every intake and intervention and
 * closes the case; after closure only experience and follow-up forms are
 * accepted, a follow-up on or after the closure; a form that is not
 * repeatable is answered once (a mistake is corrected, not registered
 * again). No date lies in the future.
 *
 * This module must not touch SQL, the registry or the clock: the caller
 * gives the facts of the case and today's date, and the rules only decide.
 * A refusal is SR_ERR_STATE (SR_ERR_INVALID for a date that is not one, or
 * lies in the future), with where "date" or "form" and a message that says
 * what is wrong, never which command to type.
 */
#ifndef SIGREG_CASE_RULES_H
#define SIGREG_CASE_RULES_H

#include <stdint.h>

#include "sigreg/form.h"
#include "sigreg/status.h"

/* What the rules need to know of a case: its active registrations, less the
 * one being corrected when a correction is checked. Dates are "YYYY-MM-DD",
 * "" when there is none; no pointer is NULL. */
typedef struct srp_case_facts {
    const char *code;           /* the case code, for messages */
    int closed;                 /* the case is closed */
    const char *closed_at;      /* the closure's date, "" while open */
    const char *intake_date;    /* the intake's date */
    const char *first_date;     /* the earliest registration of any form */
    const char *last_work_date; /* the latest intake or intervention */
    const char *first_followup; /* the earliest follow-up */
    const char *lang;           /* the language of the refusals ("en", "sv"; NULL: Swedish) */
} srp_case_facts;

/* What the rules need to know of a form. */
typedef struct srp_form_facts {
    const char *id;
    sr_phase phase;
    int repeatable;
    int64_t existing; /* the first active response to this form on the case, 0 when none */
} srp_form_facts;

/* Whether date is a real date and not after today (the refusal in lang). */
sr_status srp_case_rules_check_date(const char *date, const char *today, const char *lang,
                                    sr_error *why);
/* Whether form f may be registered next on case c, whatever the date. */
sr_status srp_case_rules_form(const srp_case_facts *c, const srp_form_facts *f, sr_error *why);
/* Whether a response of phase dated date keeps its place among the case's
 * other registrations (those c describes). */
sr_status srp_case_rules_order(const srp_case_facts *c, sr_phase phase, const char *date,
                               sr_error *why);
/* A new registration: the date, then the form, then the date's place. */
sr_status srp_case_rules_register(const srp_case_facts *c, const srp_form_facts *f,
                                  const char *date, const char *today, sr_error *why);
/* A correction of response id (of phase; active or set aside) to date
 * (NULL: its date stays); c describes the case without that response. */
sr_status srp_case_rules_edit(const srp_case_facts *c, int64_t id, sr_phase phase, int active,
                              const char *date, const char *today, sr_error *why);
/* The earliest date a registration of phase may carry on case c: a string
 * of c (borrowed), or "" when any date up to today will do. */
const char *srp_case_rules_earliest(const srp_case_facts *c, sr_phase phase);

#endif
