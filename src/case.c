/*
 * case.c - opening, finding, showing, listing and reopening cases, and the
 * case as JSON (see sigreg/cases.h and case.h). Registration is
 * case_response's, erasure case_erase's, the rules case_rules'.
 */
#include "case.h"
#include "codekey.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/texts.h"
#include "base/timeutil.h"
#include "casecode.h"
#include "crypto.h"
#include "pnr.h"
#include "registry_int.h"
#include "sigreg/limits.h"
#include "store.h"

static void copy_text(char *dst, size_t size, const unsigned char *src)
{
    snprintf(dst, size, "%s", src ? (const char *)src : "");
}

/* ---- what the case modules share ----------------------------------------------------- */

sr_status srp_case_load(sr_registry *reg, const char *typed, int64_t without, srp_case_state *c,
                        sr_error *err)
{
    memset(c, 0, sizeof *c);
    c->lang = sr_registry_lang(reg);
    sr_status rc = sr_case_code_normalise(typed, c->code, err);
    if (rc != SR_OK)
        return rc;
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    /* One pass over the case's active responses gathers every date the
     * rules look at. */
    rc = srp_registry_prepare(
        reg,
        "SELECT c.unit, c.status, c.closed_at, c.birth_date,"
        " min(CASE WHEN r.phase = 'intake' THEN r.date END), min(r.date),"
        " max(CASE WHEN r.phase IN ('intake', 'intervention') THEN r.date END),"
        " min(CASE WHEN r.phase = 'followup' THEN r.date END)"
        " FROM cases c LEFT JOIN responses r INDEXED BY responses_case"
        "  ON r.case_code = c.code AND r.active AND r.id != ?2"
        " WHERE c.code = ?1 GROUP BY c.code",
        &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, c->code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, without);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        copy_text(c->unit, sizeof c->unit, sqlite3_column_text(st, 0));
        copy_text(c->status, sizeof c->status, sqlite3_column_text(st, 1));
        copy_text(c->closed_at, sizeof c->closed_at, sqlite3_column_text(st, 2));
        copy_text(c->birth_date, sizeof c->birth_date, sqlite3_column_text(st, 3));
        copy_text(c->intake_date, sizeof c->intake_date, sqlite3_column_text(st, 4));
        copy_text(c->first_date, sizeof c->first_date, sqlite3_column_text(st, 5));
        copy_text(c->last_work_date, sizeof c->last_work_date, sqlite3_column_text(st, 6));
        copy_text(c->first_followup, sizeof c->first_followup, sqlite3_column_text(st, 7));
    } else if (src == SQLITE_DONE) {
        rc = srp_error_set_where(err, SR_ERR_NOT_FOUND, "case", "no case '%s'", c->code);
    } else {
        rc = srp_store_fail(db, src, "read the case", err);
    }
    srp_stmt_done(reg, st);
    if (rc == SR_OK) {
        rc = srp_registry_check_unit(reg, c->unit, err);
        if (rc == SR_ERR_DENIED)
            srp_registry_log_apart(reg, "access.denied", c->code,
                                   "refused=case reason=case_outside_units");
    }
    return rc;
}

const char *sr_case_status_label(const char *status, const char *lang)
{
    int open = status && strcmp(status, "open") == 0;
    return srp_texts_get(open ? SRP_T_STATUS_OPEN_LABEL : SRP_T_STATUS_CLOSED_LABEL, lang);
}

void srp_case_facts_of(const srp_case_state *c, srp_case_facts *facts)
{
    facts->code = c->code;
    facts->closed = strcmp(c->status, "closed") == 0;
    facts->closed_at = c->closed_at;
    facts->intake_date = c->intake_date;
    facts->first_date = c->first_date;
    facts->last_work_date = c->last_work_date;
    facts->first_followup = c->first_followup;
    facts->lang = c->lang;
}

sr_status srp_case_require_role(sr_registry *reg, const char *what, sr_error *err)
{
    return sr_registry_require(reg, SRP_CASE_ROLES, what, err);
}

sr_status srp_case_open_for(sr_registry *reg, const char *typed, const char *what,
                            const char *action, srp_case_state *c, sr_error *err)
{
    sr_status rc = srp_case_require_role(reg, what, err);
    if (rc == SR_OK)
        rc = srp_case_load(reg, typed, 0, c, err);
    if (rc == SR_OK && action)
        rc = srp_registry_transaction(reg, action, c->code, NULL, NULL, NULL, err);
    return rc;
}

sr_status srp_case_step_done(sr_registry *reg, sqlite3_stmt *st, const char *what, sr_error *err)
{
    int src = sqlite3_step(st);
    sr_status rc =
        src == SQLITE_DONE ? SR_OK : srp_store_fail(sqlite3_db_handle(st), src, what, err);
    srp_stmt_done(reg, st);
    return rc;
}

sr_status srp_case_exec(sr_registry *reg, const char *sql, const char *code, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_registry_prepare(reg, sql, &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    return srp_case_step_done(reg, st, "update the case", err);
}

sr_status srp_case_commit(sr_registry *reg, sr_status rc, const char *action, const char *code,
                          const char *detail, sr_error *err)
{
    sqlite3 *db = srp_registry_db(reg);
    if (rc == SR_OK)
        rc = srp_registry_audit(reg, action, code, detail, err);
    if (rc == SR_OK)
        return srp_store_commit(db, err);
    srp_store_rollback(db);
    return rc;
}

const char srp_case_select[] =
    "SELECT c.code, c.unit, c.status, c.opened_at, c.closed_at, c.birth_date,"
    " c.pseudonym IS NOT NULL,"
    " (SELECT count(*) FROM responses r WHERE r.case_code = c.code AND r.active),"
    " (SELECT max(date) FROM responses r WHERE r.case_code = c.code AND r.active),"
    " (SELECT group_concat(phase) FROM (SELECT DISTINCT phase FROM responses r"
    "   WHERE r.case_code = c.code AND r.active ORDER BY phase))"
    " FROM cases c";

void srp_case_fill_info(sqlite3_stmt *st, sr_case_info *info)
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

void sr_date_today(char out[SR_DATE_MAX + 1])
{
    srp_time_today(out, SR_DATE_MAX + 1);
}

/* ---- opening cases ------------------------------------------------------------------ */

/* The pseudonym key is derived once per session, in guarded memory. */
static sr_status pseudonym_of(sr_registry *reg, const srp_pnr *p, unsigned char out[SRP_MAC_BYTES],
                              sr_error *err)
{
    return srp_registry_pseudonym(reg, (const unsigned char *)p->canonical, 12, out, err);
}

/* The case that holds a pseudonym, if any, and its unit. */
static sr_status case_of_pseudonym(sr_registry *reg, const unsigned char ps[SRP_MAC_BYTES],
                                   char code[SR_CASE_CODE_SIZE], char unit[SR_UNIT_CODE_MAX + 1],
                                   int *found, sr_error *err)
{
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    *found = 0;
    sr_status rc =
        srp_registry_prepare(reg, "SELECT code, unit FROM cases WHERE pseudonym = ?1", &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_blob(st, 1, ps, SRP_MAC_BYTES, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        copy_text(code, SR_CASE_CODE_SIZE, sqlite3_column_text(st, 0));
        copy_text(unit, SR_UNIT_CODE_MAX + 1, sqlite3_column_text(st, 1));
        *found = 1;
    } else if (src != SQLITE_DONE) {
        rc = srp_store_fail(db, src, "look up the personnummer", err);
    }
    srp_stmt_done(reg, st);
    return rc;
}

/* A personnummer that already has a case: within the session's units the
 * case is named, outside them it is not (no oracle for other units' codes).
 * Either way the lookup is logged apart, so it outlives the rollback. */
static sr_status refuse_existing(sr_registry *reg, const char *refused, const char *code,
                                 const char *unit, sr_error *err)
{
    char detail[64];
    sr_error why;
    sr_error_clear(&why);
    sr_status rc = srp_registry_check_unit(reg, unit, &why);
    if (rc == SR_ERR_DENIED) {
        snprintf(detail, sizeof detail, "refused=%s reason=case_outside_units", refused);
        srp_registry_log_apart(reg, "access.denied", code, detail);
        return srp_error_set_where(err, SR_ERR_EXISTS, "pnr",
                                   "this person already has a case in another unit: an admin "
                                   "can help");
    }
    if (rc != SR_OK)
        return srp_error_set(err, rc, "%s", why.message);
    snprintf(detail, sizeof detail, "lookup=%s outcome=exists", refused);
    srp_registry_log_apart(reg, "pnr.lookup", code, detail);
    return srp_error_set_where(err, SR_ERR_EXISTS, "pnr", "this personnummer already has case '%s'",
                               code);
}

sr_status srp_case_insert(sr_registry *reg, const char *unit, const char *pnr_text,
                          const char *opened_at, const char *closed_at,
                          char code[SR_CASE_CODE_SIZE], sr_error *err)
{
    sqlite3 *db = srp_registry_db(reg);
    if (!srp_registry_has_identity(reg))
        return srp_error_set(err, SR_ERR_DENIED, "opening a case needs the identity key");
    sr_status rc = srp_registry_require_unit(reg, unit, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = srp_registry_prepare(reg, "SELECT 1 FROM units WHERE code = ?1", &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
    int exists = sqlite3_step(st) == SQLITE_ROW;
    srp_stmt_done(reg, st);
    if (!exists)
        return srp_error_set_where(err, SR_ERR_NOT_FOUND, "unit", "no unit '%s'", unit);
    char today[11];
    srp_time_today(today, sizeof today);
    srp_pnr p;
    unsigned char ps[SRP_MAC_BYTES];
    if (pnr_text) {
        rc = srp_pnr_parse_lang(pnr_text, today, sr_registry_lang(reg), &p, err);
        if (rc == SR_OK)
            rc = pseudonym_of(reg, &p, ps, err);
        int found = 0;
        char existing[SR_CASE_CODE_SIZE], existing_unit[SR_UNIT_CODE_MAX + 1];
        if (rc == SR_OK)
            rc = case_of_pseudonym(reg, ps, existing, existing_unit, &found, err);
        if (rc == SR_OK && found)
            rc = refuse_existing(reg, "case.new", existing, existing_unit, err);
        if (rc != SR_OK) {
            srp_wipe(&p, sizeof p);
            return rc;
        }
    }
    for (int attempt = 0; attempt < 8; attempt++) {
        srp_case_code_generate(code);
        rc = srp_registry_prepare(reg,
                                  "INSERT INTO cases (code, unit, pseudonym, birth_date, status,"
                                  " opened_at, closed_at, record_key) VALUES (?1, ?2, ?3, ?4,"
                                  " CASE WHEN ?6 IS NULL THEN 'open' ELSE 'closed' END, ?5, ?6,"
                                  " ?7)",
                                  &st, err);
        if (rc != SR_OK)
            break;
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
        if (pnr_text) {
            sqlite3_bind_blob(st, 3, ps, SRP_MAC_BYTES, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, p.birth_date, -1, SQLITE_STATIC);
        }
        sqlite3_bind_text(st, 5, opened_at ? opened_at : today, -1, SQLITE_STATIC);
        if (closed_at)
            sqlite3_bind_text(st, 6, closed_at, -1, SQLITE_STATIC);
        uint32_t record_key; /* the cell-key method's (cellkey.h) */
        srp_random_bytes(&record_key, sizeof record_key);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)record_key);
        int src = sqlite3_step(st);
        srp_stmt_done(reg, st);
        if (src == SQLITE_DONE)
            break;
        if ((src & 0xff) != SQLITE_CONSTRAINT || attempt == 7)
            rc = srp_store_fail(db, src, "open the case", err);
    }
    if (rc == SR_OK && pnr_text)
        rc = srp_codekey_put(reg, code, unit, p.canonical, today, err);
    srp_wipe(&p, sizeof p);
    return rc;
}

sr_status sr_case_new(sr_registry *reg, const char *unit, const char *pnr,
                      char code[SR_CASE_CODE_SIZE], sr_error *err)
{
    sr_status rc = srp_case_require_role(reg, "open cases", err);
    if (rc == SR_OK)
        rc = srp_store_begin(srp_registry_db(reg), err);
    if (rc != SR_OK)
        return rc;
    rc = srp_case_insert(reg, unit, pnr, NULL, NULL, code, err);
    char detail[64];
    snprintf(detail, sizeof detail, "unit=%s pnr=%s", unit, pnr ? "yes" : "no");
    return srp_case_commit(reg, rc, "case.new", code, detail, err);
}

sr_status sr_case_find(sr_registry *reg, const char *pnr, char code[SR_CASE_CODE_SIZE],
                       sr_error *err)
{
    sr_status rc = srp_case_require_role(reg, "find cases by personnummer", err);
    if (rc != SR_OK)
        return rc;
    char today[11];
    srp_time_today(today, sizeof today);
    srp_pnr p;
    unsigned char ps[SRP_MAC_BYTES];
    rc = srp_pnr_parse_lang(pnr, today, sr_registry_lang(reg), &p, err);
    if (rc == SR_OK)
        rc = pseudonym_of(reg, &p, ps, err);
    srp_wipe(&p, sizeof p);
    int found = 0;
    char unit[SR_UNIT_CODE_MAX + 1];
    if (rc == SR_OK)
        rc = case_of_pseudonym(reg, ps, code, unit, &found, err);
    if (rc != SR_OK) {
        code[0] = '\0';
        return rc;
    }
    if (!found) {
        /* A miss is logged too: looking people up is what the log is for. */
        srp_registry_log_apart(reg, "case.find", NULL, "found=no");
        return srp_error_set_where(err, SR_ERR_NOT_FOUND, "pnr", "no case has this personnummer");
    }
    /* Outside the session's units the case is not named, not even here. */
    sr_error why;
    sr_error_clear(&why);
    rc = srp_registry_check_unit(reg, unit, &why);
    if (rc == SR_ERR_DENIED) {
        srp_registry_log_apart(reg, "access.denied", code,
                               "refused=case.find reason=case_outside_units");
        code[0] = '\0';
        return srp_error_set_where(err, SR_ERR_DENIED, "pnr",
                                   "this person has a case in another unit: an admin can help");
    }
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "case.find", code, "found=yes", NULL, NULL, err);
    else
        rc = srp_error_set(err, rc, "%s", why.message);
    if (rc != SR_OK)
        code[0] = '\0';
    return rc;
}

sr_status sr_case_identity(sr_registry *reg, const char *typed, char pnr[SR_PNR_SIZE],
                           sr_error *err)
{
    srp_case_state c;
    sr_status rc = srp_case_open_for(reg, typed, "see who a case is", NULL, &c, err);
    if (rc != SR_OK)
        return rc;
    rc = srp_codekey_get(reg, c.code, pnr, SR_PNR_SIZE, err);
    if (rc == SR_ERR_DENIED || rc == SR_ERR_TAMPERED)
        srp_registry_log_apart(reg, "access.denied", c.code,
                               rc == SR_ERR_DENIED ? "refused=case.identity reason=no_unit_key"
                                                   : "refused=case.identity reason=row_damaged");
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "case.identity", c.code, NULL, NULL, NULL, err);
    if (rc != SR_OK)
        srp_wipe(pnr, SR_PNR_SIZE);
    return rc;
}

/* ---- showing and listing ------------------------------------------------------------------------
 */

sr_status sr_case_show(sr_registry *reg, const char *typed, sr_case_fn fn_case,
                       sr_response_fn fn_response, void *ctx, sr_error *err)
{
    srp_case_state c;
    sr_status rc = srp_case_open_for(reg, typed, "see cases", "case.show", &c, err);
    if (rc != SR_OK)
        return rc;
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    char sql[1024];
    snprintf(sql, sizeof sql, "%s WHERE c.code = ?1", srp_case_select);
    rc = srp_registry_prepare(reg, sql, &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
    int src = sqlite3_step(st), stop = 0;
    if (src == SQLITE_ROW) {
        sr_case_info info;
        srp_case_fill_info(st, &info);
        stop = fn_case && fn_case(ctx, &info) != 0;
    } else {
        rc = srp_store_fail(db, src, "read the case", err);
    }
    srp_stmt_done(reg, st);
    if (rc != SR_OK || stop)
        return rc;
    rc = srp_registry_prepare(reg,
                              "SELECT id, form_id, form_version, phase, date, revision, active,"
                              " answers, created_by FROM responses WHERE case_code = ?1"
                              " ORDER BY date, id",
                              &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
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
    srp_stmt_done(reg, st);
    return rc;
}

sr_status sr_case_list(sr_registry *reg, const sr_case_filter *filter, sr_case_fn fn, void *ctx,
                       sr_error *err)
{
    sr_status rc = srp_case_require_role(reg, "list cases", err);
    if (rc == SR_OK && filter->unit)
        rc = srp_registry_require_unit(reg, filter->unit, err);
    sr_phase missing;
    if (rc == SR_OK && filter->missing && sr_phase_parse(filter->missing, &missing) != 0)
        rc = srp_error_set_where(err, SR_ERR_USAGE, "missing",
                                 "'%s' is not a phase: intake, intervention, closure, experience "
                                 "or followup",
                                 filter->missing);
    if (rc == SR_OK && filter->status && strcmp(filter->status, "open") != 0 &&
        strcmp(filter->status, "closed") != 0)
        rc = srp_error_set_where(err, SR_ERR_USAGE, "status",
                                 "'%s' is not a case status: open or closed", filter->status);
    if (rc == SR_OK && filter->idle_days < 0)
        rc = srp_error_set_where(err, SR_ERR_USAGE, "idle_days",
                                 "the number of idle days may not be negative");
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
             " AND (?3 = 'admin' OR c.unit IN"
             "  (SELECT unit FROM temp.keyring_units WHERE user = ?4))"
             " AND (?5 IS NULL OR NOT EXISTS (SELECT 1 FROM responses r WHERE"
             "  r.case_code = c.code AND r.active AND r.phase = ?5))"
             " AND (?6 <= 0 OR (c.status = 'open' AND julianday(?7) - julianday(coalesce("
             "  (SELECT max(date) FROM responses r WHERE r.case_code = c.code AND r.active),"
             "  c.opened_at)) >= ?6))"
             " ORDER BY c.unit, c.opened_at, c.code",
             srp_case_select);
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    rc = srp_registry_prepare(reg, sql, &st, err);
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
        srp_case_fill_info(st, &info);
        if (fn && fn(ctx, &info) != 0)
            break;
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "list cases", err);
    srp_stmt_done(reg, st);
    return rc;
}

/* ---- reopening ------------------------------------------------------------------------- */

sr_status sr_case_reopen(sr_registry *reg, const char *typed, const char *reason, sr_error *err)
{
    srp_case_state c;
    sr_status rc = srp_case_require_role(reg, "reopen cases", err);
    if (rc == SR_OK && (!reason || !*reason || strlen(reason) > 1000))
        rc = srp_error_set_where(err, SR_ERR_USAGE, "reason",
                                 "reopening needs a reason of 1 to 1000 characters");
    if (rc == SR_OK)
        rc = srp_case_load(reg, typed, 0, &c, err);
    if (rc == SR_OK && strcmp(c.status, "closed") != 0)
        rc = srp_error_set(err, SR_ERR_STATE, "case '%s' is not closed", c.code);
    sqlite3 *db = srp_registry_db(reg);
    if (rc == SR_OK)
        rc = srp_store_begin(db, err);
    if (rc != SR_OK)
        return rc;
    rc = srp_case_exec(reg, "UPDATE cases SET status = 'open', closed_at = NULL WHERE code = ?1",
                       c.code, err);
    /* The closure (and anything registered after it) stays, set aside. */
    if (rc == SR_OK)
        rc = srp_case_exec(reg,
                           "UPDATE response_codes SET active = 0 WHERE response_id IN"
                           " (SELECT id FROM responses WHERE case_code = ?1 AND active"
                           "  AND phase IN ('closure', 'followup'))",
                           c.code, err);
    if (rc == SR_OK)
        rc = srp_case_exec(reg,
                           "UPDATE responses SET active = 0 WHERE case_code = ?1 AND active"
                           " AND phase IN ('closure', 'followup')",
                           c.code, err);
    char now[32];
    srp_time_now_iso(now, sizeof now);
    sqlite3_stmt *st = NULL;
    if (rc == SR_OK)
        rc = srp_registry_prepare(reg,
                                  "INSERT INTO case_events (case_code, at, user, event, reason)"
                                  " VALUES (?1, ?2, ?3, 'reopen', ?4)",
                                  &st, err);
    if (rc == SR_OK) {
        sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, sr_registry_user(reg), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
        rc = srp_case_step_done(reg, st, "record the reopening", err);
    }
    return srp_case_commit(reg, rc, "case.reopen", c.code, NULL, err);
}

/* ---- the case as JSON -------------------------------------------------------------------- */

typedef struct json_ctx {
    json_t *doc;
    json_t *responses;
    int failed;
} json_ctx;

static int json_case(void *vctx, const sr_case_info *c)
{
    json_ctx *j = vctx;
    j->doc = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:b}", "code", c->code, "unit", c->unit,
                       "status", c->status, "opened_at", c->opened_at, "closed_at", c->closed_at,
                       "has_pnr", c->has_pnr);
    j->responses = json_array();
    j->failed = !j->doc || !j->responses;
    return j->failed;
}

static int json_response(void *vctx, const sr_response_info *r)
{
    json_ctx *j = vctx;
    json_t *answers = r->answers ? json_loads(r->answers, 0, NULL) : NULL;
    json_t *o =
        json_pack("{s:I, s:s, s:i, s:s, s:s, s:i, s:b, s:o, s:o}", "id", (json_int_t)r->id, "form",
                  r->form_id, "version", r->form_version, "phase", sr_phase_name(r->phase), "date",
                  r->date, "revision", r->revision, "active", r->active, "age",
                  r->age >= 0 ? json_integer(r->age) : json_null(), "answers",
                  answers ? answers : json_object());
    if (!o || json_array_append_new(j->responses, o) != 0)
        j->failed = 1;
    return j->failed;
}

sr_status sr_case_write_json(sr_registry *reg, const char *code, unsigned flags,
                             const sr_sink *sink, sr_error *err)
{
    json_ctx j = {NULL, NULL, 0};
    char pnr[SR_PNR_SIZE] = "";
    char *text = NULL;
    sr_status rc = sr_case_show(reg, code, json_case, json_response, &j, err);
    if (rc == SR_OK && !j.failed && j.doc) {
        int bad = json_object_set_new(j.doc, "responses", j.responses) != 0;
        j.responses = NULL; /* the document's, even when setting it failed */
        j.failed = bad;
    }
    if (rc == SR_OK && (j.failed || !j.doc))
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK && (flags & SR_CASE_JSON_IDENTITY))
        rc = sr_case_identity(reg, code, pnr, err);
    if (rc == SR_OK) {
        text = json_dumps(j.doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!text)
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    if (rc == SR_OK && (flags & SR_CASE_JSON_IDENTITY)) {
        /* The personnummer goes straight to the sink, never into a JSON
         * value or a copy of the text on the heap. */
        size_t len = strlen(text);
        while (len > 0 && text[len - 1] != '}')
            len--;
        if (len > 0)
            len--; /* the closing brace */
        while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
            len--;
        rc = sr_sink_write(sink, text, len, err);
        if (rc == SR_OK)
            rc = sr_sink_write(sink, ",\n  \"pnr\": \"", 12, err);
        if (rc == SR_OK)
            rc = sr_sink_write(sink, pnr, strlen(pnr), err);
        if (rc == SR_OK)
            rc = sr_sink_write(sink, "\"\n}\n", 4, err);
    } else if (rc == SR_OK) {
        rc = sr_sink_write(sink, text, strlen(text), err);
        if (rc == SR_OK)
            rc = sr_sink_write(sink, "\n", 1, err);
    }
    srp_wipe(pnr, sizeof pnr);
    free(text);
    json_decref(j.doc);
    json_decref(j.responses);
    return rc;
}
