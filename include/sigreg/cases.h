/*
 * cases.h - pseudonymised cases and their registrations.
 *
 * A case is known by a random code ("K7QA-3MXF") that carries no
 * information. A personnummer, when the young person has one, is turned into
 * a keyed pseudonym (for refusing duplicates) and a birth date (for ages);
 * the number itself goes only into the code key, encrypted apart under the
 * identity key. A case starts open; exactly one intake comes first;
 * interventions may follow any number of times; closure closes it; after
 * closure only experience and follow-up forms are accepted.
 *
 * Coordinators work on the cases of their own units, admins on all; analysts
 * see no case-level data. Every call is audited by case code, never by
 * personnummer.
 */
#ifndef SIGREG_CASES_H
#define SIGREG_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "sigreg/form.h"
#include "sigreg/limits.h"
#include "sigreg/registry.h"
#include "sigreg/sink.h"

#define SR_CASE_CODE_SIZE 10 /* "XXXX-XXXX" and a NUL */
#define SR_PNR_SIZE 13       /* twelve digits and a NUL */

/* Opens a case in unit. pnr may be NULL (a young person without one).
 * The same person twice gives SR_ERR_EXISTS, naming the existing case. */
sr_status sr_case_new(sr_registry *reg, const char *unit, const char *pnr,
                      char code[SR_CASE_CODE_SIZE], sr_error *err);
/* The case of a personnummer (admins and coordinators; audited). */
sr_status sr_case_find(sr_registry *reg, const char *pnr, char code[SR_CASE_CODE_SIZE],
                       sr_error *err);
/* The personnummer of a case, in canonical 12-digit form (audited). */
sr_status sr_case_identity(sr_registry *reg, const char *code, char pnr[SR_PNR_SIZE],
                           sr_error *err);
/* Normalises a typed case code (case, dash) and checks its check character. */
sr_status sr_case_code_normalise(const char *typed, char code[SR_CASE_CODE_SIZE], sr_error *err);
/* The label of a case status ("open", "closed") in lang, as the summaries
 * and the report name it, capitalised to stand alone ("Öppet", "Avslutat");
 * static. Any status but "open" is closed. */
const char *sr_case_status_label(const char *status, const char *lang);

typedef struct sr_case_info {
    const char *code;
    const char *unit;
    const char *status;     /* "open" or "closed" */
    const char *opened_at;  /* date the case was opened */
    const char *closed_at;  /* closure date, NULL while open */
    const char *birth_date; /* NULL without a personnummer */
    int has_pnr;
    long responses;        /* active responses */
    const char *last_date; /* the latest registration date, NULL if none */
    const char *phases;    /* comma-separated phases registered, e.g. "intake,intervention" */
} sr_case_info;

typedef struct sr_response_info {
    int64_t id;
    const char *form_id;
    int form_version;
    sr_phase phase;
    const char *date;
    int revision;
    int active;          /* 0: a closure set aside when the case was reopened */
    int age;             /* age on the date, -1 when unknown */
    const char *answers; /* JSON object */
    const char *created_by;
} sr_response_info;

/* Callbacks follow the one rule of status.h: return 0 to go on, non-zero
 * to stop after this item (the call then returns SR_OK); strings are
 * borrowed for the call; a NULL callback is skipped. */
typedef int (*sr_case_fn)(void *ctx, const sr_case_info *info);
typedef int (*sr_response_fn)(void *ctx, const sr_response_info *info);

/* Shows one case: fn_case once, then fn_response for each response in date
 * order. fn_case stopping skips the responses. */
sr_status sr_case_show(sr_registry *reg, const char *code, sr_case_fn fn_case,
                       sr_response_fn fn_response, void *ctx, sr_error *err);

/* The earlier revisions of the case's responses (those an edit replaced),
 * by response and revision: fn gets each with active 0, its own date,
 * revision and answers, and created_by the user who made that revision.
 * Audited as "case.history"; refused as sr_case_show is. */
sr_status sr_case_history(sr_registry *reg, const char *code, sr_response_fn fn, void *ctx,
                          sr_error *err);

/* The case and all its responses as one JSON document (what `case show
 * --json` prints), written to sink followed by a newline:
 *   {"code", "unit", "status", "opened_at", "closed_at" (null while open),
 *    "has_pnr", "responses": [{"id", "form", "version", "phase", "date",
 *    "revision", "active", "age" (null when unknown), "answers"}, ...]}
 * With SR_CASE_JSON_IDENTITY also "pnr" (12 digits; audited as
 * sr_case_identity is). Audited as sr_case_show. */
#define SR_CASE_JSON_IDENTITY 1u
sr_status sr_case_write_json(sr_registry *reg, const char *code, unsigned flags,
                             const sr_sink *sink, sr_error *err);

/* The local civil date ("YYYY-MM-DD" under the process's time zone): the
 * date a registration without one gets, and the latest one it may carry. */
void sr_date_today(char out[SR_DATE_MAX + 1]);

/* One installed form (its newest version) and whether it may be registered
 * next on a case. */
typedef struct sr_form_allowed {
    const char *form_id;
    int version; /* the newest installed version */
    sr_phase phase;
    int repeatable;
    int allowed;               /* 1: may be registered next */
    sr_status status;          /* SR_OK when allowed, else what registering it would give */
    const char *reason;        /* NULL when allowed, else why not */
    int64_t existing;          /* a form answered once: its response (to correct instead), else 0 */
    const char *earliest_date; /* the earliest date it may carry, NULL: none */
    const char *latest_date;   /* today: no registration lies in the future */
} sr_form_allowed;
typedef int (*sr_form_allowed_fn)(void *ctx, const sr_form_allowed *form);
/* Calls fn for each installed form, in life-cycle order (intake,
 * intervention, closure, experience, follow-up; then by id), saying whether
 * it may be registered next on the case and, if not, why. The rules are the
 * ones sr_register applies (apart from the answers themselves). Audited. */
sr_status sr_case_allowed_forms(sr_registry *reg, const char *code, sr_form_allowed_fn fn,
                                void *ctx, sr_error *err);

typedef struct sr_case_filter {
    const char *unit;    /* NULL: every unit the user works in */
    const char *status;  /* NULL, "open" or "closed" */
    const char *missing; /* NULL or a phase the case has no response for */
    int idle_days;       /* > 0: open cases without a registration for this many days
                            (counted to the local date) */
} sr_case_filter;
/* Calls fn for each case that passes the filter. A filter value that makes
 * no sense is SR_ERR_USAGE with where "unit", "status", "missing" or
 * "idle_days". */
sr_status sr_case_list(sr_registry *reg, const sr_case_filter *filter, sr_case_fn fn, void *ctx,
                       sr_error *err);

/* Registers answers to form id (version 0: the newest) on date (NULL:
 * today, the local date). A rejected set fills problems and stores
 * nothing; a refusal by the life-cycle rules says why, with where "date"
 * or "form". The rules of the answers that need the case apply too: a
 * derived answer left out is filled (sr_case_derived_answers), a consent
 * the form requires and the answers lack is refused with the form's
 * explanation (where = the consent item; FORMS.md, "consent"), and free text
 * holding a personnummer is refused. Accepted answers may come with
 * warnings in problems (sr_problems_is_warning), e.g. a free text that looks
 * like a name. Registering discards the session user's draft of the form
 * version on the case (sigreg/drafts.h) in the same transaction. */
sr_status sr_register(sr_registry *reg, const char *code, const char *form_id, int version,
                      const char *date, const char *answers_json, size_t len, sr_problems *problems,
                      int64_t *response_id, sr_error *err);
/* Whether a registration of form id (its newest version) on the case may
 * carry date (NULL: today), by the rules sr_register applies before it
 * looks at the answers: SR_OK, or the refusal sr_register would give, with
 * where "date" or "form". Asks nothing of the answers; not audited. */
sr_status sr_register_check_date(sr_registry *reg, const char *code, const char *form_id,
                                 const char *date, sr_error *err);
/* The answers the library derives for a registration of form on the case,
 * set into answers (built on that form): the birth year when the case has a
 * personnummer (the item marked "derived": "birth_year"). A front end does
 * not ask an item that is derived and filled; without a personnummer it is
 * asked. *filled (may be NULL) says how many were set. sr_register fills
 * the same answers when they are left out, and refuses a different one.
 * Audited as a reading of the case. */
sr_status sr_case_derived_answers(sr_registry *reg, const char *code, const sr_form *form,
                                  sr_answers *answers, size_t *filled, sr_error *err);

/* Checks a set of answers to form for the case as sr_register would on
 * date (NULL: today), without storing anything: the answers themselves,
 * the derived ones and the consents (not the life-cycle rules, which
 * sr_register_check_date checks). For a review page: SR_OK with any
 * warnings in problems, or the refusal sr_register would give. Not
 * audited. It may remember in form which version's consent rules apply to
 * it, so a form passed here is used by one thread at a time. */
sr_status sr_case_check_answers(sr_registry *reg, const char *code, const sr_form *form,
                                const char *date, const char *answers_json, size_t len,
                                sr_problems *problems, sr_error *err);

/* An earlier answer shown beside an item (the item's "show_from"). */
typedef struct sr_earlier_answer {
    size_t item;         /* the index of the item it is shown beside */
    const char *form_id; /* the form it was given on (show_from's form) */
    int form_version;    /* the version it was given under */
    const char *date;    /* the date of that response */
    const char *json;    /* the answer, as JSON ("\"some\"", "true", "[...]") */
    const char *label;   /* its label in the asked language (an option's label, options
                            joined by ", ", yes or no), or NULL for other types */
} sr_earlier_answer;
typedef int (*sr_earlier_answer_fn)(void *ctx, const sr_earlier_answer *answer);
/* Calls fn for each item of form that shows an earlier answer and whose
 * answer the case has: the answer given in the case's first active response
 * to show_from's form (any version), e.g. the need at intake beside the
 * need at closure. Items without one are skipped. Audited once, as a
 * reading of the case. */
sr_status sr_case_earlier_answers(sr_registry *reg, const char *code, const sr_form *form,
                                  const char *lang, sr_earlier_answer_fn fn, void *ctx,
                                  sr_error *err);

/* Replaces a response's answers (and date, when not NULL) with a new
 * revision; the old one is kept in the history. The new date must keep the
 * response's place among the case's other registrations (the rules of
 * sr_register). Each failure has its own status: SR_ERR_NOT_FOUND only
 * for a response that does not exist. */
sr_status sr_response_edit(sr_registry *reg, int64_t response_id, const char *date,
                           const char *answers_json, size_t len, sr_problems *problems,
                           int *revision, sr_error *err);
/* The case a response belongs to (for a page that has only the response's
 * id): SR_ERR_NOT_FOUND for no such response; a case outside the user's
 * units is refused as sr_case_show refuses it. Not audited itself: the
 * caller reads the case next (sr_case_show), which is. */
sr_status sr_response_case(sr_registry *reg, int64_t response_id, char code[SR_CASE_CODE_SIZE],
                           sr_error *err);

/* Reads one response: fn once with it (its current revision; strings
 * borrowed for the call). SR_ERR_NOT_FOUND for a response that does not
 * exist; a response of a case outside the user's units is refused as the
 * case is. Audited as response.show. */
sr_status sr_response_get(sr_registry *reg, int64_t response_id, sr_response_fn fn, void *ctx,
                          sr_error *err);

/* Reopens a closed case; the reason is stored encrypted, not in the log. */
sr_status sr_case_reopen(sr_registry *reg, const char *code, const char *reason, sr_error *err);
/* Erases a case, its responses, history and code key entry (withdrawn consent). */
sr_status sr_case_delete(sr_registry *reg, const char *code, sr_error *err);
/* Retention purge: calls fn for each case closed before date (a plan), and
 * when execute is set erases those cases; fn stopping ends the list (and
 * the erasure) after that case. *count says how many. Admins. */
sr_status sr_purge(sr_registry *reg, const char *closed_before, int execute, sr_case_fn fn,
                   void *ctx, size_t *count, sr_error *err);

#endif
