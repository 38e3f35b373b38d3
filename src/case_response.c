/*
 * case_response.c - registering responses, correcting them, and what may be
 * registered next on a case (see case_response.h and sigreg/cases.h). The
 * rules are case_rules'; this module gathers the facts and stores.
 */
#include "case_response.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/timeutil.h"
#include "case.h"
#include "case_answers.h"
#include "case_rules.h"
#include "coded.h"
#include "drafts_int.h"
#include "form_int.h"
#include "form_store_int.h"
#include "json_span.h"
#include "registry_int.h"
#include "store.h"

static void copy_text(char *dst, size_t size, const unsigned char *src)
{
    srp_str_copy(dst, size, (const char *)src);
}

/* The first active response to form_id on the case, 0 when none. */
static sr_status first_active(sr_registry *reg, const char *code, const char *form_id,
                              int64_t *first, sr_error *err)
{
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    *first = 0;
    sr_status rc = srp_registry_prepare(reg,
                                        "SELECT min(id) FROM responses INDEXED BY responses_case"
                                        " WHERE case_code = ?1 AND form_id = ?2 AND active",
                                        &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, form_id, -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        *first = sqlite3_column_int64(st, 0);
    else
        rc = srp_store_fail(db, src, "read responses", err);
    srp_stmt_done(reg, st);
    return rc;
}

/* ---- registration -------------------------------------------------------------------------- */

static sr_status register_with(sr_registry *reg, const srp_case_state *cs, const srp_form_facts *ff,
                               const sr_form *form, const char *date, srp_answers_in answers,
                               sr_problems *problems, int64_t *response_id, sr_error *err);

sr_status srp_register_in_txn(sr_registry *reg, const char *typed_code, const sr_form *form,
                              const char *date, srp_answers_in answers, sr_problems *problems,
                              int64_t *response_id, sr_error *err)
{
    srp_case_state c;
    sr_status rc = srp_case_load(reg, typed_code, 0, &c, err);
    srp_form_facts f = {sr_form_id(form), sr_form_phase(form), sr_form_repeatable(form), 0};
    if (rc == SR_OK && !f.repeatable)
        rc = first_active(reg, c.code, f.id, &f.existing, err);
    if (rc != SR_OK)
        return rc;
    return register_with(reg, &c, &f, form, date, answers, problems, response_id, err);
}

static void keep_min(char *kept, size_t size, const char *date)
{
    if (!kept[0] || strcmp(date, kept) < 0)
        srp_str_copy(kept, size, date);
}

sr_status srp_register_known(sr_registry *reg, srp_case_state *c, srp_case_seen *seen,
                             const sr_form *form, const char *date, srp_answers_in answers,
                             sr_problems *problems, int64_t *response_id, sr_error *err)
{
    srp_form_facts f = {sr_form_id(form), sr_form_phase(form), sr_form_repeatable(form), 0};
    for (size_t i = 0; !f.repeatable && i < seen->count; i++)
        if (strcmp(seen->forms[i].id, f.id) == 0)
            f.existing = seen->forms[i].first;
    sr_status rc = register_with(reg, c, &f, form, date, answers, problems, response_id, err);
    if (rc != SR_OK)
        return rc;
    /* The state as srp_case_load would read it back now. */
    if (f.phase == SR_PHASE_INTAKE) {
        keep_min(c->intake_date, sizeof c->intake_date, date);
        srp_str_copy(c->row_opened_at, sizeof c->row_opened_at, date);
    }
    keep_min(c->first_date, sizeof c->first_date, date);
    if ((f.phase == SR_PHASE_INTAKE || f.phase == SR_PHASE_INTERVENTION) &&
        strcmp(date, c->last_work_date) > 0)
        srp_str_copy(c->last_work_date, sizeof c->last_work_date, date);
    if (f.phase == SR_PHASE_FOLLOWUP)
        keep_min(c->first_followup, sizeof c->first_followup, date);
    if (f.phase == SR_PHASE_CLOSURE) {
        srp_str_copy(c->status, sizeof c->status, "closed");
        srp_str_copy(c->closed_at, sizeof c->closed_at, date);
    }
    if (!f.repeatable && !f.existing && seen->count < SRP_CASE_SEEN_MAX &&
        strlen(f.id) <= SR_FORM_ID_MAX) {
        srp_str_copy(seen->forms[seen->count].id, sizeof seen->forms[seen->count].id, f.id);
        seen->forms[seen->count++].first = *response_id;
    } else if (!f.repeatable && !f.existing) {
        seen->overflow = 1;
    }
    return SR_OK;
}

static sr_status set_opened(sr_registry *reg, const char *code, const char *date, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc =
        srp_registry_prepare(reg, "UPDATE cases SET opened_at = ?2 WHERE code = ?1", &st, err);
    if (rc == SR_OK) {
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
        rc = srp_case_step_done(reg, st, "set the case's intake date", err);
    }
    return rc;
}

static sr_status register_with(sr_registry *reg, const srp_case_state *cs, const srp_form_facts *ff,
                               const sr_form *form, const char *date, srp_answers_in answers,
                               sr_problems *problems, int64_t *response_id, sr_error *err)
{
    srp_case_state c = *cs;
    c.lang = sr_registry_lang(reg);
    sr_problems_set_lang(problems, c.lang);
    const srp_form_facts f = *ff;
    sqlite3 *db = srp_registry_db(reg);
    sr_status rc = SR_OK;
    {
        char today[SR_DATE_MAX + 1];
        srp_time_today(today, sizeof today);
        srp_case_facts facts;
        srp_case_facts_of(&c, &facts);
        rc = srp_case_rules_register(&facts, &f, date, today, err);
    }
    /* Answers the case gives are filled in (then the text is written anew). */
    json_t *filled_answers = (json_t *)answers.parsed;
    int filled = 0;
    if (rc == SR_OK)
        rc = srp_case_fill_derived(&c, form, &filled_answers, &filled, problems, err);
    if (filled) {
        answers.parsed = filled_answers;
        answers.text = NULL;
    }
    if (rc == SR_OK)
        rc = srp_form_check_answers_json(form, answers.parsed, problems, err);
    if (rc == SR_OK)
        rc = srp_case_check_consent(reg, &c, form, answers.parsed, date, problems, err);
    if (rc != SR_OK) {
        if (filled)
            json_decref(filled_answers);
        return rc;
    }
    /* The caller's text when it is what json_dumps would write: then the
     * answers are not serialised again. */
    char *dumped = NULL;
    const char *text = answers.text;
    size_t text_len = answers.len;
    if (!text || text_len > INT_MAX || !srp_json_is_canonical((srp_span){text, text_len})) {
        dumped = json_dumps(answers.parsed, JSON_COMPACT | JSON_PRESERVE_ORDER);
        text = dumped;
        text_len = dumped ? strlen(dumped) : 0;
    }
    unsigned char *coded = NULL;
    size_t coded_len = 0;
    char now[32];
    srp_time_now_iso(now, sizeof now);
    sqlite3_stmt *st = NULL;
    if (!text || text_len > INT_MAX ||
        srp_coded_encode(form, answers.parsed, &coded, &coded_len) != 0) {
        free(dumped);
        if (filled)
            json_decref(filled_answers);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    rc = srp_registry_prepare(
        reg,
        "INSERT INTO responses (case_code, form_id, form_version, phase, date,"
        " answers, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        &st, err);
    if (rc == SR_OK) {
        sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, sr_form_id(form), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, sr_form_version(form));
        sqlite3_bind_text(st, 4, sr_phase_name(sr_form_phase(form)), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, date, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, text, (int)text_len, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, sr_registry_user(reg), -1, SQLITE_STATIC);
        rc = srp_case_step_done(reg, st, "store the response", err);
    }
    if (rc == SR_OK)
        *response_id = sqlite3_last_insert_rowid(db);
    if (rc == SR_OK)
        rc = srp_registry_prepare(
            reg,
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
        rc = srp_case_step_done(reg, st, "store the coded answers", err);
    }
    free(dumped);
    free(coded);
    if (filled)
        json_decref(filled_answers);
    /* A case is opened on its intake's date, not on the day the record was
     * made. An import writes the row with it: then there is nothing to
     * update (an UPDATE journals its page for the statement, encrypted). */
    if (rc == SR_OK && sr_form_phase(form) == SR_PHASE_INTAKE && strcmp(c.row_opened_at, date) != 0)
        rc = set_opened(reg, c.code, date, err);
    /* An import writes the row closed when it opens the case (the same
     * transaction): then there is nothing to update. */
    if (rc == SR_OK && sr_form_phase(form) == SR_PHASE_CLOSURE &&
        strcmp(c.row_closed_at, date) != 0) {
        rc = srp_registry_prepare(
            reg, "UPDATE cases SET status = 'closed', closed_at = ?2 WHERE code = ?1", &st, err);
        if (rc == SR_OK) {
            sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
            rc = srp_case_step_done(reg, st, "close the case", err);
        }
    }
    return rc;
}

/* The answers' text parsed; the problems, from here on, in the session's
 * language. */
static sr_status parse_answers(sr_registry *reg, const char *text, size_t len, json_t **out,
                               sr_problems *problems, sr_error *err)
{
    sr_problems_set_lang(problems, sr_registry_lang(reg));
    json_error_t jerr;
    *out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!*out)
        return srp_answers_not_json(&jerr, problems, "answers", err);
    return SR_OK;
}

sr_status sr_register(sr_registry *reg, const char *code, const char *form_id, int version,
                      const char *date, const char *answers_json, size_t len, sr_problems *problems,
                      int64_t *response_id, sr_error *err)
{
    sr_form *form = NULL;
    json_t *answers = NULL;
    char today[SR_DATE_MAX + 1];
    srp_time_today(today, sizeof today);
    sr_status rc = srp_case_require_role(reg, "register answers", err);
    if (rc == SR_OK)
        rc = parse_answers(reg, answers_json, len, &answers, problems, err);
    if (rc == SR_OK)
        rc = srp_form_load_quiet(reg, form_id, version, &form, NULL, err);
    if (rc == SR_OK)
        rc = srp_store_begin(srp_registry_db(reg), err);
    if (rc != SR_OK)
        goto out;
    char canonical[SR_CASE_CODE_SIZE] = "";
    (void)sr_case_code_normalise(code, canonical, NULL);
    rc = srp_register_in_txn(reg, code, form, date ? date : today,
                             (srp_answers_in){answers, answers_json, len}, problems, response_id,
                             err);
    /* The draft the response was made from goes with its registration. */
    if (rc == SR_OK)
        rc = srp_draft_drop_in_txn(reg, canonical, sr_form_id(form), sr_form_version(form), err);
    char detail[128];
    snprintf(detail, sizeof detail, "form=%s version=%d response=%lld", form_id,
             form ? sr_form_version(form) : 0, rc == SR_OK ? (long long)*response_id : 0LL);
    rc = srp_case_commit(reg, rc, "response.add", canonical[0] ? canonical : NULL, detail, err);
out:
    json_decref(answers);
    sr_form_free(form);
    return rc;
}

sr_status sr_register_check_date(sr_registry *reg, const char *code, const char *form_id,
                                 const char *date, sr_error *err)
{
    sr_form *form = NULL;
    srp_case_state c;
    char today[SR_DATE_MAX + 1];
    srp_time_today(today, sizeof today);
    sr_status rc = srp_case_open_for(reg, code, "register answers", NULL, &c, err);
    if (rc == SR_OK)
        rc = srp_form_load_quiet(reg, form_id, 0, &form, NULL, err);
    if (rc != SR_OK)
        goto out;
    srp_form_facts f = {sr_form_id(form), sr_form_phase(form), sr_form_repeatable(form), 0};
    if (!f.repeatable)
        rc = first_active(reg, c.code, f.id, &f.existing, err);
    if (rc == SR_OK) {
        srp_case_facts facts;
        srp_case_facts_of(&c, &facts);
        rc = srp_case_rules_register(&facts, &f, date ? date : today, today, err);
    }
out:
    sr_form_free(form);
    return rc;
}

/* ---- correction ------------------------------------------------------------------------------ */

typedef struct stored_response {
    char code[SR_CASE_CODE_SIZE];
    char form_id[SR_FORM_ID_MAX + 1];
    int version, revision, active;
    char date[SR_DATE_MAX + 1];
    sr_phase phase;
} stored_response;

/* Reads a response; a missing one is SR_ERR_NOT_FOUND, a failing read the
 * engine's own error. */
static sr_status read_response(sr_registry *reg, int64_t id, stored_response *r, sr_error *err)
{
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    memset(r, 0, sizeof *r);
    sr_status rc = srp_registry_prepare(reg,
                                        "SELECT case_code, form_id, form_version, date, revision,"
                                        " active, phase FROM responses WHERE id = ?1",
                                        &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        copy_text(r->code, sizeof r->code, sqlite3_column_text(st, 0));
        copy_text(r->form_id, sizeof r->form_id, sqlite3_column_text(st, 1));
        r->version = sqlite3_column_int(st, 2);
        copy_text(r->date, sizeof r->date, sqlite3_column_text(st, 3));
        r->revision = sqlite3_column_int(st, 4);
        r->active = sqlite3_column_int(st, 5);
        if (sr_phase_parse((const char *)sqlite3_column_text(st, 6), &r->phase) != 0)
            rc = srp_error_set(err, SR_ERR_CORRUPT, "response %lld has no known phase",
                               (long long)id);
    } else if (src == SQLITE_DONE) {
        rc = srp_error_set(err, SR_ERR_NOT_FOUND, "no response %lld", (long long)id);
    } else {
        rc = srp_store_fail(db, src, "read the response", err);
    }
    srp_stmt_done(reg, st);
    return rc;
}

/* Stores a new revision of the response (the old one into the history). */
static sr_status store_revision(sr_registry *reg, int64_t id, const sr_form *form,
                                const json_t *answers, const char *date, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    srp_time_now_iso(now, sizeof now);
    sr_status rc = srp_registry_prepare(reg,
                                        "INSERT INTO response_history (response_id, revision, date,"
                                        " answers, replaced_at, replaced_by) SELECT id, revision,"
                                        " date, answers, ?2, ?3 FROM responses WHERE id = ?1",
                                        &st, err);
    if (rc == SR_OK) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, sr_registry_user(reg), -1, SQLITE_STATIC);
        rc = srp_case_step_done(reg, st, "keep the old revision", err);
    }
    char *text = rc == SR_OK ? json_dumps(answers, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    unsigned char *coded = NULL;
    size_t coded_len = 0;
    if (rc == SR_OK && (!text || srp_coded_encode(form, answers, &coded, &coded_len) != 0))
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK)
        rc = srp_registry_prepare(reg,
                                  "UPDATE responses SET answers = ?2, date = ?3,"
                                  " revision = revision + 1 WHERE id = ?1",
                                  &st, err);
    if (rc == SR_OK) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, date, -1, SQLITE_STATIC);
        rc = srp_case_step_done(reg, st, "store the new revision", err);
    }
    if (rc == SR_OK)
        rc = srp_registry_prepare(
            reg, "UPDATE response_codes SET coded = ?2, date = ?3 WHERE response_id = ?1", &st,
            err);
    if (rc == SR_OK) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_blob(st, 2, coded, (int)coded_len, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, date, -1, SQLITE_STATIC);
        rc = srp_case_step_done(reg, st, "store the new coded answers", err);
    }
    free(text);
    free(coded);
    return rc;
}

sr_status sr_response_edit(sr_registry *reg, int64_t response_id, const char *date,
                           const char *answers_json, size_t len, sr_problems *problems,
                           int *revision, sr_error *err)
{
    sqlite3 *db = srp_registry_db(reg);
    sr_form *form = NULL;
    json_t *answers = NULL;
    stored_response r;
    srp_case_state c;
    sr_status rc = srp_case_require_role(reg, "correct responses", err);
    if (rc == SR_OK)
        rc = parse_answers(reg, answers_json, len, &answers, problems, err);
    if (rc == SR_OK)
        rc = read_response(reg, response_id, &r, err);
    /* The case as it would be without this response: the rules then place
     * the corrected date among the others. */
    if (rc == SR_OK)
        rc = srp_case_load(reg, r.code, response_id, &c, err);
    if (rc == SR_OK) {
        char today[SR_DATE_MAX + 1];
        srp_time_today(today, sizeof today);
        srp_case_facts facts;
        srp_case_facts_of(&c, &facts);
        rc = srp_case_rules_edit(&facts, response_id, r.phase, r.active, date, today, err);
    }
    if (rc == SR_OK)
        rc = srp_form_load_quiet(reg, r.form_id, r.version, &form, NULL, err);
    int filled = 0;
    json_t *given = answers;
    if (rc == SR_OK)
        rc = srp_case_fill_derived(&c, form, &answers, &filled, problems, err);
    if (filled)
        json_decref(given);
    if (rc == SR_OK)
        rc = srp_form_check_answers_json(form, answers, problems, err);
    if (rc == SR_OK)
        rc = srp_case_check_consent(reg, &c, form, answers, date ? date : r.date, problems, err);
    if (rc == SR_OK)
        rc = srp_store_begin(db, err);
    if (rc != SR_OK)
        goto out;
    const char *new_date = date ? date : r.date;
    rc = store_revision(reg, response_id, form, answers, new_date, err);
    if (rc == SR_OK && r.phase == SR_PHASE_INTAKE && date)
        rc = set_opened(reg, r.code, date, err);
    if (rc == SR_OK && r.phase == SR_PHASE_CLOSURE && date)
        rc = srp_case_exec(reg,
                           "UPDATE cases SET closed_at = (SELECT max(date) FROM responses"
                           " WHERE case_code = ?1 AND phase = 'closure' AND active)"
                           " WHERE code = ?1 AND status = 'closed'",
                           r.code, err);
    char detail[96];
    snprintf(detail, sizeof detail, "response=%lld revision=%d", (long long)response_id,
             r.revision + 1);
    rc = srp_case_commit(reg, rc, "response.edit", r.code, detail, err);
    if (rc == SR_OK && revision)
        *revision = r.revision + 1;
out:
    json_decref(answers);
    sr_form_free(form);
    return rc;
}

sr_status sr_response_get(sr_registry *reg, int64_t response_id, sr_response_fn fn, void *ctx,
                          sr_error *err)
{
    stored_response r;
    srp_case_state c;
    sr_status rc = srp_case_require_role(reg, "see cases", err);
    if (rc == SR_OK)
        rc = read_response(reg, response_id, &r, err);
    if (rc == SR_OK)
        rc = srp_case_load(reg, r.code, 0, &c, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = srp_registry_prepare(reg, "SELECT answers, created_by FROM responses WHERE id = ?1", &st,
                              err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_int64(st, 1, response_id);
    int src = sqlite3_step(st);
    if (src != SQLITE_ROW) {
        rc = srp_store_fail(srp_registry_db(reg), src, "read the response", err);
        srp_stmt_done(reg, st);
        return rc;
    }
    const unsigned char *a = sqlite3_column_text(st, 0), *by = sqlite3_column_text(st, 1);
    char *answers = strdup(a ? (const char *)a : "{}");
    char *created_by = strdup(by ? (const char *)by : "");
    srp_stmt_done(reg, st);
    if (!answers || !created_by)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    char detail[64];
    snprintf(detail, sizeof detail, "response=%lld", (long long)response_id);
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "response.show", c.code, detail, NULL, NULL, err);
    sr_response_info info = {response_id, r.form_id,
                             r.version,   r.phase,
                             r.date,      r.revision,
                             r.active,    srp_age_on(c.birth_date[0] ? c.birth_date : NULL, r.date),
                             answers,     created_by};
    if (rc == SR_OK && fn)
        (void)fn(ctx, &info);
    free(answers);
    free(created_by);
    return rc;
}

sr_status sr_response_case(sr_registry *reg, int64_t response_id, char code[SR_CASE_CODE_SIZE],
                           sr_error *err)
{
    stored_response r;
    srp_case_state c;
    code[0] = '\0';
    sr_status rc = srp_case_require_role(reg, "see cases", err);
    if (rc == SR_OK)
        rc = read_response(reg, response_id, &r, err);
    /* A response of a case outside the user's units is refused as the case
     * itself would be. */
    if (rc == SR_OK)
        rc = srp_case_open_for(reg, r.code, "see cases", NULL, &c, err);
    if (rc == SR_OK)
        memcpy(code, c.code, SR_CASE_CODE_SIZE);
    return rc;
}

/* ---- what may come next ------------------------------------------------------------------------
 */

sr_status sr_case_allowed_forms(sr_registry *reg, const char *code, sr_form_allowed_fn fn,
                                void *ctx, sr_error *err)
{
    srp_case_state c;
    sr_status rc = srp_case_open_for(reg, code, "see cases", "case.forms", &c, err);
    if (rc != SR_OK)
        return rc;
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    rc = srp_registry_prepare(
        reg,
        "SELECT f.id, f.version, f.phase, f.repeatable,"
        " (SELECT min(r.id) FROM responses r INDEXED BY responses_case"
        "  WHERE r.case_code = ?1 AND r.form_id = f.id AND r.active)"
        " FROM forms f WHERE f.version ="
        " (SELECT max(g.version) FROM forms g WHERE g.id = f.id)"
        " ORDER BY CASE f.phase WHEN 'intake' THEN 0 WHEN 'intervention' THEN 1"
        " WHEN 'closure' THEN 2 WHEN 'experience' THEN 3 ELSE 4 END, f.id",
        &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
    char today[SR_DATE_MAX + 1];
    srp_time_today(today, sizeof today);
    srp_case_facts facts;
    srp_case_facts_of(&c, &facts);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        srp_form_facts f = {(const char *)sqlite3_column_text(st, 0), SR_PHASE_INTAKE,
                            sqlite3_column_int(st, 3), sqlite3_column_int64(st, 4)};
        if (sr_phase_parse((const char *)sqlite3_column_text(st, 2), &f.phase) != 0) {
            rc =
                srp_error_set(err, SR_ERR_CORRUPT, "the stored form '%s' has no known phase", f.id);
            break;
        }
        sr_error why;
        sr_error_clear(&why);
        sr_status verdict = srp_case_rules_form(&facts, &f, &why);
        const char *earliest = srp_case_rules_earliest(&facts, f.phase);
        sr_form_allowed a = {f.id,
                             sqlite3_column_int(st, 1),
                             f.phase,
                             f.repeatable,
                             verdict == SR_OK,
                             verdict,
                             verdict == SR_OK ? NULL : why.message,
                             f.repeatable ? 0 : f.existing,
                             earliest[0] ? earliest : NULL,
                             today};
        if (fn && fn(ctx, &a) != 0)
            break;
    }
    if (rc == SR_OK && src != SQLITE_ROW && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "list the forms", err);
    srp_stmt_done(reg, st);
    return rc;
}
