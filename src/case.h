/*
 * case.h - opening, finding, showing and listing cases (internal part).
 *
 * What the case modules (case, case_response, case_erase) and the bulk
 * import share: the state of one case as loaded for a check, the audited
 * commit, and opening a case inside a caller's transaction. The public
 * calls are in sigreg/cases.h. The rules themselves are case_rules'; this
 * module only gathers the facts they decide on.
 */
#ifndef SIGREG_CASE_H
#define SIGREG_CASE_H

#include <sqlite3.h>
#include <stdint.h>

#include "case_rules.h"
#include "sigreg/cases.h"
#include "sigreg/limits.h"

#define SRP_CASE_ROLES (SR_ROLE_BIT(SR_ROLE_ADMIN) | SR_ROLE_BIT(SR_ROLE_COORDINATOR))

/* A case as loaded for a check (dates "" when there is none). */
typedef struct srp_case_state {
    char code[SR_CASE_CODE_SIZE];
    char unit[SR_UNIT_CODE_MAX + 1];
    char status[8];
    char closed_at[SR_DATE_MAX + 1];
    char birth_date[SR_DATE_MAX + 1];
    char intake_date[SR_DATE_MAX + 1];    /* the active intake */
    char first_date[SR_DATE_MAX + 1];     /* the earliest active registration */
    char last_work_date[SR_DATE_MAX + 1]; /* the latest active intake or intervention */
    char first_followup[SR_DATE_MAX + 1]; /* the earliest active follow-up */
    char row_opened_at[SR_DATE_MAX + 1];  /* the intake date the row already holds, "" */
    char row_closed_at[SR_DATE_MAX + 1];  /* the closure date the row already holds, "" */
    const char *lang;                     /* the session's language (sr_registry_lang), static */
} srp_case_state;

/* Loads a typed case code's case, leaving response `without` (0: none) out
 * of its dates, and checks that the session may work on its unit. */
sr_status srp_case_load(sr_registry *reg, const char *typed, int64_t without, srp_case_state *c,
                        sr_error *err);
/* The facts the rules need, borrowing c's strings. */
void srp_case_facts_of(const srp_case_state *c, srp_case_facts *facts);
/* SR_OK when the session's role works on cases. */
sr_status srp_case_require_role(sr_registry *reg, const char *what, sr_error *err);
/* What every reading of one case does first: checks the role (refused as
 * "may not what"), loads the case (srp_case_load, nothing left out) and,
 * when action is not NULL, logs the reading as action on the case. */
sr_status srp_case_open_for(sr_registry *reg, const char *typed, const char *what,
                            const char *action, srp_case_state *c, sr_error *err);
/* Steps st to its end and finalizes it. */
sr_status srp_case_step_done(sr_registry *reg, sqlite3_stmt *st, const char *what, sr_error *err);
/* Runs sql with the case code bound as ?1. */
sr_status srp_case_exec(sr_registry *reg, const char *sql, const char *code, sr_error *err);
/* Ends the transaction begun for an action: when rc is SR_OK, writes the
 * audit entry and commits; otherwise rolls back. Returns the outcome. */
sr_status srp_case_commit(sr_registry *reg, sr_status rc, const char *action, const char *code,
                          const char *detail, sr_error *err);

/* The columns of sr_case_info, to be followed by a WHERE clause. */
extern const char srp_case_select[];
/* Fills info from a row of srp_case_select (strings borrowed from st). */
void srp_case_fill_info(sqlite3_stmt *st, sr_case_info *info);

/* Opens a case (pnr may be NULL) inside the caller's transaction; checks
 * unit access and duplicates. opened_at and closed_at: NULL, or the dates of
 * the intake and the closure that the same transaction registers (an import
 * knows them in advance), so that the row is written with them at once
 * instead of updated (opened_at NULL: opened today). */
sr_status srp_case_insert(sr_registry *reg, const char *unit, const char *pnr_text,
                          const char *opened_at, const char *closed_at,
                          char code[SR_CASE_CODE_SIZE], sr_error *err);

#endif
