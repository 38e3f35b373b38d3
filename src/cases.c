/*
 * cases.c - opening, finding, showing, registering on, reopening and erasing
 * cases, with the life-cycle rules and unit access checks.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casecode.h"
#include "coded.h"
#include "caseops.h"
#include "crypto.h"
#include "base/error.h"
#include "form_int.h"
#include "pnr.h"
#include "form_store_int.h"
#include "registry_int.h"
#include "sigreg/cases.h"
#include "store.h"
#include "base/timeutil.h"

#define CASE_ROLES (SR_ROLE_BIT(SR_ROLE_ADMIN) | SR_ROLE_BIT(SR_ROLE_COORDINATOR))

/* ---- the state of one case -------------------------------------------------------- */

typedef struct case_state {
    char code[SR_CASE_CODE_SIZE];
    char unit[40];
    char status[8];
    char closed_at[11];
    char birth_date[11];
    char intake_date[11];
    char last_date[11];
} case_state;

static void copy_text(char *dst, size_t size, const unsigned char *src)
{
    snprintf(dst, size, "%s", src ? (const char *)src : "");
}

/* Loads a case and checks that the session may work on it. */
static sr_status load_case(sr_registry *reg, const char *typed, case_state *c, sr_error *err)
{
    memset(c, 0, sizeof *c);
    sr_status rc = sr_case_code_normalise(typed, c->code, err);
    if (rc != SR_OK)
        return rc;
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    rc = srp_store_prepare(db,
                           "SELECT unit, status, closed_at, birth_date,"
                           " (SELECT min(date) FROM responses WHERE case_code = c.code AND active"
                           "  AND phase = 'intake'),"
                           " (SELECT max(date) FROM responses WHERE case_code = c.code AND active)"
                           " FROM cases c WHERE code = ?1",
                           &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, c->code, -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        copy_text(c->unit, sizeof c->unit, sqlite3_column_text(st, 0));
        copy_text(c->status, sizeof c->status, sqlite3_column_text(st, 1));
        copy_text(c->closed_at, sizeof c->closed_at, sqlite3_column_text(st, 2));
        copy_text(c->birth_date, sizeof c->birth_date, sqlite3_column_text(st, 3));
        copy_text(c->intake_date, sizeof c->intake_date, sqlite3_column_text(st, 4));
        copy_text(c->last_date, sizeof c->last_date, sqlite3_column_text(st, 5));
    } else if (src == SQLITE_DONE) {
        rc = srp_error_set(err, SR_ERR_NOT_FOUND, "no case '%s'", c->code);
    } else {
        rc = srp_store_fail(db, src, "read the case", err);
    }
    sqlite3_finalize(st);
    if (rc == SR_OK)
        rc = srp_registry_require_unit(reg, c->unit, err);
    return rc;
}

static sr_status require_case_role(sr_registry *reg, const char *what, sr_error *err)
{
    return sr_registry_require(reg, CASE_ROLES, what, err);
}

static sr_status step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, sr_error *err)
{
    int src = sqlite3_step(st);
    sqlite3_finalize(st);
    return src == SQLITE_DONE ? SR_OK : srp_store_fail(db, src, what, err);
}

/* Runs sql with the case code bound as ?1. */
static sr_status exec_for_case(sqlite3 *db, const char *sql, const char *code, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(db, sql, &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    return step_done(db, st, "update the case", err);
}

static sr_status audited_commit(sr_registry *reg, sr_status rc, const char *action,
                                const char *code, const char *detail, sr_error *err)
{
    sqlite3 *db = srp_registry_db(reg);
    if (rc == SR_OK)
        rc = srp_registry_audit(reg, action, code, detail, err);
    if (rc == SR_OK)
        return srp_store_commit(db, err);
    srp_store_rollback(db);
    return rc;
}

/* ---- opening cases ------------------------------------------------------------------ */

static sr_status pseudonym_of(sr_registry *reg, const srp_pnr *p, unsigned char out[SRP_MAC_BYTES],
                              sr_error *err)
{
    sr_secret *key = sr_secret_new(SRP_KEY_BYTES);
    if (!key)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    srp_registry_pseudonym_key(reg, sr_secret_data(key));
    srp_mac(out, sr_secret_cdata(key), p->canonical, 12);
    sr_secret_free(key);
    return SR_OK;
}

/* The case that holds a pseudonym, if any. */
static sr_status case_of_pseudonym(sqlite3 *db, const unsigned char ps[SRP_MAC_BYTES],
                                   char code[SR_CASE_CODE_SIZE], int *found, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    *found = 0;
    sr_status rc = srp_store_prepare(db, "SELECT code FROM cases WHERE pseudonym = ?1", &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_blob(st, 1, ps, SRP_MAC_BYTES, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        copy_text(code, SR_CASE_CODE_SIZE, sqlite3_column_text(st, 0));
        *found = 1;
    } else if (src != SQLITE_DONE) {
        rc = srp_store_fail(db, src, "look up the personnummer", err);
    }
    sqlite3_finalize(st);
    return rc;
}

sr_status srp_case_insert(sr_registry *reg, const char *unit, const char *pnr_text,
                          char code[SR_CASE_CODE_SIZE], sr_error *err)
{
    sqlite3 *db = srp_registry_db(reg);
    if (!srp_registry_has_identity(reg))
        return srp_error_set(err, SR_ERR_DENIED, "opening a case needs the identity key");
    sr_status rc = srp_registry_require_unit(reg, unit, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = srp_store_prepare(db, "SELECT 1 FROM units WHERE code = ?1", &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
    int exists = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!exists)
        return srp_error_set(err, SR_ERR_NOT_FOUND, "no unit '%s'", unit);
    char today[11];
    srp_time_today(today, sizeof today);
    srp_pnr p;
    unsigned char ps[SRP_MAC_BYTES];
    if (pnr_text) {
        rc = srp_pnr_parse(pnr_text, today, &p, err);
        if (rc == SR_OK)
            rc = pseudonym_of(reg, &p, ps, err);
        int found = 0;
        char existing[SR_CASE_CODE_SIZE];
        if (rc == SR_OK)
            rc = case_of_pseudonym(db, ps, existing, &found, err);
        if (rc == SR_OK && found)
            rc = srp_error_set(err, SR_ERR_EXISTS,
                               "this personnummer already has case '%s'", existing);
        if (rc != SR_OK) {
            srp_wipe(&p, sizeof p);
            return rc;
        }
    }
    for (int attempt = 0; attempt < 8; attempt++) {
        srp_case_code_generate(code);
        rc = srp_store_prepare(db,
                               "INSERT INTO cases (code, unit, pseudonym, birth_date, status,"
                               " opened_at) VALUES (?1, ?2, ?3, ?4, 'open', ?5)",
                               &st, err);
        if (rc != SR_OK)
            break;
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
        if (pnr_text) {
            sqlite3_bind_blob(st, 3, ps, SRP_MAC_BYTES, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, p.birth_date, -1, SQLITE_STATIC);
        }
        sqlite3_bind_text(st, 5, today, -1, SQLITE_STATIC);
        int src = sqlite3_step(st);
        sqlite3_finalize(st);
        if (src == SQLITE_DONE)
            break;
        if ((src & 0xff) != SQLITE_CONSTRAINT || attempt == 7)
            rc = srp_store_fail(db, src, "open the case", err);
    }
    if (rc == SR_OK && pnr_text) {
        rc = srp_store_prepare(db,
                               "INSERT INTO codekey.code_key (case_code, pnr, created_at)"
                               " VALUES (?1, ?2, ?3)",
                               &st, err);
        if (rc == SR_OK) {
            sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, p.canonical, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 3, today, -1, SQLITE_STATIC);
            rc = step_done(db, st, "write the code key", err);
        }
    }
    srp_wipe(&p, sizeof p);
    return rc;
}

sr_status sr_case_new(sr_registry *reg, const char *unit, const char *pnr,
                      char code[SR_CASE_CODE_SIZE], sr_error *err)
{
    sr_status rc = require_case_role(reg, "open cases", err);
    if (rc == SR_OK)
        rc = srp_store_begin(srp_registry_db(reg), err);
    if (rc != SR_OK)
        return rc;
    rc = srp_case_insert(reg, unit, pnr, code, err);
    char detail[64];
    snprintf(detail, sizeof detail, "unit=%s pnr=%s", unit, pnr ? "yes" : "no");
    return audited_commit(reg, rc, "case.new", code, detail, err);
}

sr_status sr_case_find(sr_registry *reg, const char *pnr, char code[SR_CASE_CODE_SIZE],
                       sr_error *err)
{
    sr_status rc = require_case_role(reg, "find cases by personnummer", err);
    if (rc != SR_OK)
        return rc;
    char today[11];
    srp_time_today(today, sizeof today);
    srp_pnr p;
    unsigned char ps[SRP_MAC_BYTES];
    rc = srp_pnr_parse(pnr, today, &p, err);
    if (rc == SR_OK)
        rc = pseudonym_of(reg, &p, ps, err);
    srp_wipe(&p, sizeof p);
    int found = 0;
    if (rc == SR_OK)
        rc = case_of_pseudonym(srp_registry_db(reg), ps, code, &found, err);
    if (rc != SR_OK)
        return rc;
    if (!found) {
        /* A miss is logged too: looking people up is what the log is for. */
        (void)srp_registry_transaction(reg, "case.find", NULL, "found=no", NULL, NULL, NULL);
        return srp_error_set(err, SR_ERR_NOT_FOUND, "no case has this personnummer");
    }
    case_state c;
    rc = load_case(reg, code, &c, err); /* unit access */
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "case.find", code, "found=yes", NULL, NULL, err);
    return rc;
}

sr_status sr_case_identity(sr_registry *reg, const char *typed, char pnr[SR_PNR_SIZE],
                           sr_error *err)
{
    case_state c;
    sr_status rc = require_case_role(reg, "see who a case is", err);
    if (rc == SR_OK)
        rc = load_case(reg, typed, &c, err);
    if (rc != SR_OK)
        return rc;
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    rc = srp_store_prepare(db, "SELECT pnr FROM codekey.code_key WHERE case_code = ?1", &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        copy_text(pnr, SR_PNR_SIZE, sqlite3_column_text(st, 0));
    else if (src == SQLITE_DONE)
        rc = srp_error_set(err, SR_ERR_NOT_FOUND, "case '%s' has no personnummer", c.code);
    else
        rc = srp_store_fail(db, src, "read the code key", err);
    sqlite3_finalize(st);
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "case.identity", c.code, NULL, NULL, NULL, err);
    if (rc != SR_OK)
        srp_wipe(pnr, SR_PNR_SIZE);
    return rc;
}

/* ---- the life-cycle rules ---------------------------------------------------------------- */

static sr_status count_active(sqlite3 *db, const char *code, const char *form_id, int64_t *first,
                              int *count, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(db,
                                     "SELECT count(*), min(id) FROM responses INDEXED BY responses_case"
                                     " WHERE case_code = ?1"
                                     " AND form_id = ?2 AND active",
                                     &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, form_id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *count = sqlite3_column_int(st, 0);
        *first = sqlite3_column_int64(st, 1);
    } else {
        rc = srp_store_fail(db, sqlite3_errcode(db), "read responses", err);
    }
    sqlite3_finalize(st);
    return rc;
}

static sr_status check_date(const char *date, const char *today, sr_error *err)
{
    int y, m, d;
    if (srp_date_parse(date, &y, &m, &d) != 0)
        return srp_error_set(err, SR_ERR_INVALID, "'%s' is not a date (YYYY-MM-DD) that exists",
                             date);
    if (strcmp(date, today) > 0)
        return srp_error_set(err, SR_ERR_INVALID, "the date %s lies in the future", date);
    return SR_OK;
}

static sr_status check_lifecycle(sr_registry *reg, const case_state *c, const sr_form *form,
                                 const char *date, sr_error *err)
{
    char today[11];
    srp_time_today(today, sizeof today);
    sr_status rc = check_date(date, today, err);
    if (rc != SR_OK)
        return rc;
    sr_phase phase = sr_form_phase(form);
    int closed = strcmp(c->status, "closed") == 0;
    if (closed && phase != SR_PHASE_EXPERIENCE && phase != SR_PHASE_FOLLOWUP)
        return srp_error_set(err, SR_ERR_STATE,
                             "case '%s' is closed: only experience and follow-up forms are "
                             "accepted (reopen it with 'sigreg case reopen')",
                             c->code);
    if (phase == SR_PHASE_INTAKE && c->intake_date[0])
        return srp_error_set(err, SR_ERR_STATE, "case '%s' already has its intake (%s)", c->code,
                             c->intake_date);
    if (phase != SR_PHASE_INTAKE && !c->intake_date[0])
        return srp_error_set(err, SR_ERR_STATE,
                             "case '%s' has no intake yet: the intake is registered first",
                             c->code);
    if (c->intake_date[0] && strcmp(date, c->intake_date) < 0)
        return srp_error_set(err, SR_ERR_STATE, "the date %s is before the intake (%s)", date,
                             c->intake_date);
    if (phase == SR_PHASE_CLOSURE && c->last_date[0] && strcmp(date, c->last_date) < 0)
        return srp_error_set(err, SR_ERR_STATE,
                             "the closure date %s is before the latest registration (%s)", date,
                             c->last_date);
    if (phase == SR_PHASE_FOLLOWUP && !closed)
        return srp_error_set(err, SR_ERR_STATE,
                             "case '%s' is open: a follow-up comes after closure", c->code);
    if (phase == SR_PHASE_FOLLOWUP && strcmp(date, c->closed_at) < 0)
        return srp_error_set(err, SR_ERR_STATE, "the follow-up date %s is before the closure (%s)",
                             date, c->closed_at);
    if (!sr_form_repeatable(form)) {
        int count = 0;
        int64_t first = 0;
        rc = count_active(srp_registry_db(reg), c->code, sr_form_id(form), &first, &count, err);
        if (rc == SR_OK && count > 0)
            rc = srp_error_set(err, SR_ERR_STATE,
                               "case '%s' already has a response to '%s' (response %lld): correct "
                               "it with 'sigreg response edit %lld'",
                               c->code, sr_form_id(form), (long long)first, (long long)first);
    }
    return rc;
}

/* ---- registration -------------------------------------------------------------------------- */

sr_status srp_register_in_txn(sr_registry *reg, const char *typed_code, const sr_form *form,
                              const char *date, const json_t *answers, sr_problems *problems,
                              int64_t *response_id, sr_error *err)
{
    case_state c;
    sr_status rc = load_case(reg, typed_code, &c, err);
    if (rc == SR_OK)
        rc = check_lifecycle(reg, &c, form, date, err);
    if (rc == SR_OK)
        rc = srp_form_check_answers_json(form, answers, problems, err);
    if (rc != SR_OK)
        return rc;
    char *text = json_dumps(answers, JSON_COMPACT | JSON_PRESERVE_ORDER);
    unsigned char *coded = NULL;
    size_t coded_len = 0;
    char now[32];
    srp_time_now_iso(now, sizeof now);
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    if (!text || srp_coded_encode(form, answers, &coded, &coded_len) != 0) {
        free(text);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    rc = srp_store_prepare(db,
                           "INSERT INTO responses (case_code, form_id, form_version, phase, date,"
                           " answers, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                           &st, err);
    if (rc == SR_OK) {
        sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, sr_form_id(form), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, sr_form_version(form));
        sqlite3_bind_text(st, 4, sr_phase_name(sr_form_phase(form)), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, date, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, text, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, sr_registry_user(reg), -1, SQLITE_STATIC);
        rc = step_done(db, st, "store the response", err);
    }
    if (rc == SR_OK)
        *response_id = sqlite3_last_insert_rowid(db);
    if (rc == SR_OK)
        rc = srp_store_prepare(db,
                               "INSERT INTO response_codes (form_id, case_code, response_id,"
                               " form_version, date, active, coded) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)",
                               &st, err);
    if (rc == SR_OK) {
        sqlite3_bind_text(st, 1, sr_form_id(form), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, c.code, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, *response_id);
        sqlite3_bind_int(st, 4, sr_form_version(form));
        sqlite3_bind_text(st, 5, date, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 6, coded, (int)coded_len, SQLITE_STATIC);
        rc = step_done(db, st, "store the coded answers", err);
    }
    free(text);
    free(coded);
    if (rc == SR_OK && sr_form_phase(form) == SR_PHASE_CLOSURE) {
        rc = srp_store_prepare(db, "UPDATE cases SET status = 'closed', closed_at = ?2 WHERE code = ?1",
                               &st, err);
        if (rc == SR_OK) {
            sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
            rc = step_done(db, st, "close the case", err);
        }
    }
    return rc;
}

static sr_status parse_answers(const char *text, size_t len, json_t **out, sr_problems *problems,
                               sr_error *err)
{
    json_error_t jerr;
    *out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!*out) {
        srp_problems_add(problems, "(answers)", "not valid UTF-8 JSON: %s at line %d, column %d",
                         jerr.text, jerr.line, jerr.column);
        return srp_error_set(err, SR_ERR_INVALID, "the answers are not valid JSON");
    }
    return SR_OK;
}

sr_status sr_register(sr_registry *reg, const char *code, const char *form_id, int version,
                      const char *date, const char *answers_json, size_t len,
                      sr_problems *problems, int64_t *response_id, sr_error *err)
{
    sr_form *form = NULL;
    json_t *answers = NULL;
    char today[11];
    srp_time_today(today, sizeof today);
    sr_status rc = require_case_role(reg, "register answers", err);
    if (rc == SR_OK)
        rc = parse_answers(answers_json, len, &answers, problems, err);
    if (rc == SR_OK)
        rc = srp_form_load_quiet(reg, form_id, version, &form, NULL, err);
    if (rc == SR_OK)
        rc = srp_store_begin(srp_registry_db(reg), err);
    if (rc != SR_OK)
        goto out;
    char canonical[SR_CASE_CODE_SIZE] = "";
    (void)sr_case_code_normalise(code, canonical, NULL);
    rc = srp_register_in_txn(reg, code, form, date ? date : today, answers, problems, response_id,
                             err);
    char detail[128];
    snprintf(detail, sizeof detail, "form=%s version=%d response=%lld", form_id,
             form ? sr_form_version(form) : 0, rc == SR_OK ? (long long)*response_id : 0LL);
    rc = audited_commit(reg, rc, "response.add", canonical[0] ? canonical : NULL, detail, err);
out:
    json_decref(answers);
    sr_form_free(form);
    return rc;
}

sr_status sr_response_edit(sr_registry *reg, int64_t response_id, const char *date,
                           const char *answers_json, size_t len, sr_problems *problems,
                           int *revision, sr_error *err)
{
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    sr_form *form = NULL;
    json_t *answers = NULL;
    char code[SR_CASE_CODE_SIZE] = "", form_id[64] = "", old_date[11] = "";
    int version = 0, rev = 0, active = 0;
    char phase[16] = "";
    sr_status rc = require_case_role(reg, "correct responses", err);
    if (rc == SR_OK)
        rc = parse_answers(answers_json, len, &answers, problems, err);
    if (rc == SR_OK)
        rc = srp_store_prepare(db,
                               "SELECT case_code, form_id, form_version, date, revision, active,"
                               " phase FROM responses WHERE id = ?1",
                               &st, err);
    if (rc != SR_OK)
        goto out;
    sqlite3_bind_int64(st, 1, response_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        copy_text(code, sizeof code, sqlite3_column_text(st, 0));
        copy_text(form_id, sizeof form_id, sqlite3_column_text(st, 1));
        version = sqlite3_column_int(st, 2);
        copy_text(old_date, sizeof old_date, sqlite3_column_text(st, 3));
        rev = sqlite3_column_int(st, 4);
        active = sqlite3_column_int(st, 5);
        copy_text(phase, sizeof phase, sqlite3_column_text(st, 6));
    } else {
        rc = srp_error_set(err, SR_ERR_NOT_FOUND, "no response %lld", (long long)response_id);
    }
    sqlite3_finalize(st);
    case_state c;
    if (rc == SR_OK)
        rc = load_case(reg, code, &c, err);
    if (rc == SR_OK && !active)
        rc = srp_error_set(err, SR_ERR_STATE,
                           "response %lld was set aside when its case was reopened",
                           (long long)response_id);
    if (rc == SR_OK)
        rc = srp_form_load_quiet(reg, form_id, version, &form, NULL, err);
    const char *new_date = date ? date : old_date;
    char today[11];
    srp_time_today(today, sizeof today);
    if (rc == SR_OK && date) {
        rc = check_date(date, today, err);
        if (rc == SR_OK && strcmp(phase, "intake") != 0 && strcmp(date, c.intake_date) < 0)
            rc = srp_error_set(err, SR_ERR_STATE, "the date %s is before the intake (%s)", date,
                               c.intake_date);
        if (rc == SR_OK && strcmp(phase, "intake") == 0 && c.last_date[0] &&
            strcmp(date, old_date) != 0 && strcmp(date, c.last_date) > 0 &&
            strcmp(c.last_date, old_date) != 0)
            rc = srp_error_set(err, SR_ERR_STATE,
                               "the intake date %s would come after later registrations", date);
    }
    if (rc == SR_OK)
        rc = srp_form_check_answers_json(form, answers, problems, err);
    if (rc == SR_OK)
        rc = srp_store_begin(db, err);
    if (rc != SR_OK)
        goto out;
    char now[32];
    srp_time_now_iso(now, sizeof now);
    rc = srp_store_prepare(db,
                           "INSERT INTO response_history (response_id, revision, date, answers,"
                           " replaced_at, replaced_by) SELECT id, revision, date, answers, ?2, ?3"
                           " FROM responses WHERE id = ?1",
                           &st, err);
    if (rc == SR_OK) {
        sqlite3_bind_int64(st, 1, response_id);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, sr_registry_user(reg), -1, SQLITE_STATIC);
        rc = step_done(db, st, "keep the old revision", err);
    }
    char *text = rc == SR_OK ? json_dumps(answers, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    unsigned char *coded = NULL;
    size_t coded_len = 0;
    if (rc == SR_OK && (!text || srp_coded_encode(form, answers, &coded, &coded_len) != 0))
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK)
        rc = srp_store_prepare(db,
                               "UPDATE responses SET answers = ?2, date = ?3,"
                               " revision = revision + 1 WHERE id = ?1",
                               &st, err);
    if (rc == SR_OK) {
        sqlite3_bind_int64(st, 1, response_id);
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, new_date, -1, SQLITE_STATIC);
        rc = step_done(db, st, "store the new revision", err);
    }
    if (rc == SR_OK)
        rc = srp_store_prepare(db,
                               "UPDATE response_codes SET coded = ?2, date = ?3 WHERE response_id = ?1",
                               &st, err);
    if (rc == SR_OK) {
        sqlite3_bind_int64(st, 1, response_id);
        sqlite3_bind_blob(st, 2, coded, (int)coded_len, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, new_date, -1, SQLITE_STATIC);
        rc = step_done(db, st, "store the new coded answers", err);
    }
    free(text);
    free(coded);
    if (rc == SR_OK && strcmp(phase, "closure") == 0 && date)
        rc = exec_for_case(db, "UPDATE cases SET closed_at = (SELECT max(date) FROM responses"
                               " WHERE case_code = ?1 AND phase = 'closure' AND active)"
                               " WHERE code = ?1 AND status = 'closed'",
                           code, err);
    if (revision)
        *revision = rev + 1;
    char detail[96];
    snprintf(detail, sizeof detail, "response=%lld revision=%d", (long long)response_id, rev + 1);
    rc = audited_commit(reg, rc, "response.edit", code, detail, err);
out:
    json_decref(answers);
    sr_form_free(form);
    return rc;
}

/* ---- showing and listing ------------------------------------------------------------------------ */

static const char case_select[] =
    "SELECT c.code, c.unit, c.status, c.opened_at, c.closed_at, c.birth_date,"
    " c.pseudonym IS NOT NULL,"
    " (SELECT count(*) FROM responses r WHERE r.case_code = c.code AND r.active),"
    " (SELECT max(date) FROM responses r WHERE r.case_code = c.code AND r.active),"
    " (SELECT group_concat(phase) FROM (SELECT DISTINCT phase FROM responses r"
    "   WHERE r.case_code = c.code AND r.active ORDER BY phase))"
    " FROM cases c";

static void fill_case_info(sqlite3_stmt *st, sr_case_info *info)
{
    info->code = (const char *)sqlite3_column_text(st, 0);
    info->unit = (const char *)sqlite3_column_text(st, 1);
    info->status = (const char *)sqlite3_column_text(st, 2);
    info->opened_at = (const char *)sqlite3_column_text(st, 3);
    info->closed_at = (const char *)sqlite3_column_text(st, 4);
    info->birth_date = (const char *)sqlite3_column_text(st, 5);
    info->has_pnr = sqlite3_column_int(st, 6);
    info->responses = (long)sqlite3_column_int64(st, 7);
    info->last_date = (const char *)sqlite3_column_text(st, 8);
    info->phases = sqlite3_column_text(st, 9) ? (const char *)sqlite3_column_text(st, 9) : "";
}

sr_status sr_case_show(sr_registry *reg, const char *typed, sr_case_fn fn_case,
                       sr_response_fn fn_response, void *ctx, sr_error *err)
{
    case_state c;
    sr_status rc = require_case_role(reg, "see cases", err);
    if (rc == SR_OK)
        rc = load_case(reg, typed, &c, err);
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "case.show", c.code, NULL, NULL, NULL, err);
    if (rc != SR_OK)
        return rc;
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    char sql[sizeof case_select + 32];
    snprintf(sql, sizeof sql, "%s WHERE c.code = ?1", case_select);
    rc = srp_store_prepare(db, sql, &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        sr_case_info info;
        fill_case_info(st, &info);
        if (fn_case)
            fn_case(ctx, &info);
    }
    sqlite3_finalize(st);
    rc = srp_store_prepare(db,
                           "SELECT id, form_id, form_version, phase, date, revision, active,"
                           " answers, created_by FROM responses WHERE case_code = ?1"
                           " ORDER BY date, id",
                           &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        sr_response_info r;
        r.id = sqlite3_column_int64(st, 0);
        r.form_id = (const char *)sqlite3_column_text(st, 1);
        r.form_version = sqlite3_column_int(st, 2);
        if (sr_phase_parse((const char *)sqlite3_column_text(st, 3), &r.phase) != 0)
            r.phase = SR_PHASE_INTAKE;
        r.date = (const char *)sqlite3_column_text(st, 4);
        r.revision = sqlite3_column_int(st, 5);
        r.active = sqlite3_column_int(st, 6);
        r.answers = (const char *)sqlite3_column_text(st, 7);
        r.created_by = (const char *)sqlite3_column_text(st, 8);
        r.age = srp_age_on(c.birth_date[0] ? c.birth_date : NULL, r.date);
        if (fn_response && fn_response(ctx, &r) != 0)
            break;
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read responses", err);
    sqlite3_finalize(st);
    return rc;
}

sr_status sr_case_list(sr_registry *reg, const sr_case_filter *filter, sr_case_fn fn, void *ctx,
                       sr_error *err)
{
    sr_status rc = require_case_role(reg, "list cases", err);
    if (rc == SR_OK && filter->unit)
        rc = srp_registry_require_unit(reg, filter->unit, err);
    sr_phase missing;
    if (rc == SR_OK && filter->missing && sr_phase_parse(filter->missing, &missing) != 0)
        rc = srp_error_set(err, SR_ERR_USAGE,
                           "--missing takes intake, intervention, closure, experience or followup");
    if (rc == SR_OK && filter->status && strcmp(filter->status, "open") != 0 &&
        strcmp(filter->status, "closed") != 0)
        rc = srp_error_set(err, SR_ERR_USAGE, "--status takes open or closed");
    char detail[160];
    snprintf(detail, sizeof detail, "unit=%s status=%s missing=%s idle_days=%d",
             filter->unit ? filter->unit : "*", filter->status ? filter->status : "*",
             filter->missing ? filter->missing : "-", filter->idle_days);
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "case.list", NULL, detail, NULL, NULL, err);
    if (rc != SR_OK)
        return rc;
    char today[11];
    srp_time_today(today, sizeof today);
    char sql[2048];
    snprintf(sql, sizeof sql,
             "%s WHERE (?1 IS NULL OR c.unit = ?1) AND (?2 IS NULL OR c.status = ?2)"
             " AND (?3 = 'admin' OR c.unit IN (SELECT unit FROM user_units WHERE user = ?4))"
             " AND (?5 IS NULL OR NOT EXISTS (SELECT 1 FROM responses r WHERE"
             "  r.case_code = c.code AND r.active AND r.phase = ?5))"
             " AND (?6 <= 0 OR (c.status = 'open' AND julianday(?7) - julianday(coalesce("
             "  (SELECT max(date) FROM responses r WHERE r.case_code = c.code AND r.active),"
             "  c.opened_at)) >= ?6))"
             " ORDER BY c.unit, c.opened_at, c.code",
             case_select);
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    rc = srp_store_prepare(db, sql, &st, err);
    if (rc != SR_OK)
        return rc;
    if (filter->unit)
        sqlite3_bind_text(st, 1, filter->unit, -1, SQLITE_STATIC);
    if (filter->status)
        sqlite3_bind_text(st, 2, filter->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, sr_role_name(sr_registry_role(reg)), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, sr_registry_user(reg), -1, SQLITE_STATIC);
    if (filter->missing)
        sqlite3_bind_text(st, 5, filter->missing, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, filter->idle_days);
    sqlite3_bind_text(st, 7, today, -1, SQLITE_STATIC);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        sr_case_info info;
        fill_case_info(st, &info);
        if (fn(ctx, &info) != 0)
            break;
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "list cases", err);
    sqlite3_finalize(st);
    return rc;
}

/* ---- reopening and erasing ------------------------------------------------------------------------- */

sr_status sr_case_reopen(sr_registry *reg, const char *typed, const char *reason, sr_error *err)
{
    case_state c;
    sr_status rc = require_case_role(reg, "reopen cases", err);
    if (rc == SR_OK && (!reason || !*reason || strlen(reason) > 1000))
        rc = srp_error_set(err, SR_ERR_USAGE, "reopening needs a reason (--reason TEXT, at most "
                                              "1000 characters)");
    if (rc == SR_OK)
        rc = load_case(reg, typed, &c, err);
    if (rc == SR_OK && strcmp(c.status, "closed") != 0)
        rc = srp_error_set(err, SR_ERR_STATE, "case '%s' is not closed", c.code);
    sqlite3 *db = srp_registry_db(reg);
    if (rc == SR_OK)
        rc = srp_store_begin(db, err);
    if (rc != SR_OK)
        return rc;
    rc = exec_for_case(db, "UPDATE cases SET status = 'open', closed_at = NULL WHERE code = ?1",
                       c.code, err);
    /* The closure (and anything registered after it) stays, set aside. */
    if (rc == SR_OK)
        rc = exec_for_case(db, "UPDATE response_codes SET active = 0 WHERE response_id IN"
                               " (SELECT id FROM responses WHERE case_code = ?1 AND active"
                               "  AND phase IN ('closure', 'followup'))",
                           c.code, err);
    if (rc == SR_OK)
        rc = exec_for_case(db, "UPDATE responses SET active = 0 WHERE case_code = ?1 AND active"
                               " AND phase IN ('closure', 'followup')",
                           c.code, err);
    char now[32];
    srp_time_now_iso(now, sizeof now);
    sqlite3_stmt *st = NULL;
    if (rc == SR_OK)
        rc = srp_store_prepare(db,
                               "INSERT INTO case_events (case_code, at, user, event, reason)"
                               " VALUES (?1, ?2, ?3, 'reopen', ?4)",
                               &st, err);
    if (rc == SR_OK) {
        sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, sr_registry_user(reg), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
        rc = step_done(db, st, "record the reopening", err);
    }
    return audited_commit(reg, rc, "case.reopen", c.code, NULL, err);
}

/* Erases one case inside the caller's transaction. */
static sr_status erase_case(sqlite3 *db, const char *code, int has_codekey, sr_error *err)
{
    static const char *const statements[] = {
        ("DELETE FROM response_history WHERE response_id IN"
         " (SELECT id FROM responses WHERE case_code = ?1)"),
        "DELETE FROM response_codes WHERE case_code = ?1",
        "DELETE FROM responses WHERE case_code = ?1",
        "DELETE FROM case_events WHERE case_code = ?1",
        "DELETE FROM cases WHERE code = ?1",
        "DELETE FROM codekey.code_key WHERE case_code = ?1",
    };
    sr_status rc = SR_OK;
    size_t n = sizeof statements / sizeof statements[0] - (has_codekey ? 0 : 1);
    for (size_t i = 0; i < n && rc == SR_OK; i++)
        rc = exec_for_case(db, statements[i], code, err);
    return rc;
}

sr_status sr_case_delete(sr_registry *reg, const char *typed, sr_error *err)
{
    case_state c;
    sr_status rc = require_case_role(reg, "erase cases", err);
    if (rc == SR_OK)
        rc = load_case(reg, typed, &c, err);
    sqlite3 *db = srp_registry_db(reg);
    if (rc == SR_OK)
        rc = srp_store_begin(db, err);
    if (rc != SR_OK)
        return rc;
    rc = erase_case(db, c.code, srp_registry_has_identity(reg), err);
    return audited_commit(reg, rc, "case.delete", c.code, "reason=erasure", err);
}

sr_status sr_purge(sr_registry *reg, const char *closed_before, int execute, sr_case_fn fn,
                   void *ctx, size_t *count, sr_error *err)
{
    int y, m, d;
    *count = 0;
    sr_status rc = sr_registry_require(reg, SR_ROLE_BIT(SR_ROLE_ADMIN), "purge cases", err);
    if (rc == SR_OK && srp_date_parse(closed_before, &y, &m, &d) != 0)
        rc = srp_error_set(err, SR_ERR_USAGE, "--closed-before needs a date YYYY-MM-DD");
    sqlite3 *db = srp_registry_db(reg);
    if (rc == SR_OK)
        rc = srp_store_begin(db, err);
    if (rc != SR_OK)
        return rc;
    char sql[sizeof case_select + 128];
    snprintf(sql, sizeof sql, "%s WHERE c.status = 'closed' AND c.closed_at < ?1 ORDER BY c.code",
             case_select);
    sqlite3_stmt *st = NULL;
    rc = srp_store_prepare(db, sql, &st, err);
    char (*codes)[SR_CASE_CODE_SIZE] = NULL;
    size_t n = 0, cap = 0;
    if (rc == SR_OK) {
        sqlite3_bind_text(st, 1, closed_before, -1, SQLITE_STATIC);
        int src;
        while ((src = sqlite3_step(st)) == SQLITE_ROW) {
            sr_case_info info;
            fill_case_info(st, &info);
            if (fn)
                fn(ctx, &info);
            if (n == cap) {
                cap = cap ? 2 * cap : 64;
                void *grown = realloc(codes, cap * sizeof *codes);
                if (!grown) {
                    rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
                    break;
                }
                codes = grown;
            }
            snprintf(codes[n++], SR_CASE_CODE_SIZE, "%s", info.code);
        }
        if (rc == SR_OK && src != SQLITE_DONE)
            rc = srp_store_fail(db, src, "list cases to purge", err);
        sqlite3_finalize(st);
    }
    for (size_t i = 0; execute && rc == SR_OK && i < n; i++)
        rc = erase_case(db, codes[i], srp_registry_has_identity(reg), err);
    free(codes);
    *count = n;
    char detail[96];
    snprintf(detail, sizeof detail, "closed_before=%s cases=%zu%s", closed_before, n,
             execute ? "" : " plan=yes");
    return audited_commit(reg, rc, execute ? "purge" : "purge.plan", NULL, detail, err);
}
