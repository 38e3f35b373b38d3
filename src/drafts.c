/*
 * drafts.c - the drafts of sigreg/drafts.h: half-filled answer sets per
 * case, form version and user, in the drafts table of the encrypted
 * registry. It checks who may keep them and stores them; it must not check
 * answers against their form or decide a registration rule (that is
 * case_response's and case_rules').
 */
#include "sigreg/drafts.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/timeutil.h"
#include "case.h"
#include "drafts_int.h"
#include "freetext.h"
#include "registry_int.h"
#include "store.h"

/* The form version a draft call means: version, or with 0 the newest
 * installed one; a form (version) that is not installed is
 * SR_ERR_NOT_FOUND. */
static sr_status resolve_version(sr_registry *reg, const char *form_id, int version, int *out,
                                 sr_error *err)
{
    if (!form_id || !*form_id || strlen(form_id) > SR_FORM_ID_MAX)
        return srp_error_set_where(err, SR_ERR_INVALID, "form", "'%s' is not a form id",
                                   form_id ? form_id : "");
    if (version < 0)
        return srp_error_set_where(err, SR_ERR_INVALID, "version",
                                   "a form version is a whole number from 1");
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_registry_prepare(
        reg, "SELECT max(version) FROM forms WHERE id = ?1 AND (?2 = 0 OR version = ?2)", &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, version);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *out = sqlite3_column_int(st, 0);
    else if (src == SQLITE_ROW && version)
        rc = srp_error_set_where(err, SR_ERR_NOT_FOUND, "form", "form '%s' has no version %d",
                                 form_id, version);
    else if (src == SQLITE_ROW)
        rc = srp_error_set_where(err, SR_ERR_NOT_FOUND, "form", "no form '%s' is installed",
                                 form_id);
    else
        rc = srp_store_fail(srp_registry_db(reg), src, "read the forms", err);
    srp_stmt_done(reg, st);
    return rc;
}

/* What every draft call on one case does first: the role, the case (and
 * the session's access to its unit), the form version. */
static sr_status open_draft(sr_registry *reg, const char *code, const char *what,
                            const char *form_id, int version, srp_case_state *c, int *resolved,
                            sr_error *err)
{
    sr_status rc = srp_case_open_for(reg, code, what, NULL, c, err);
    if (rc == SR_OK)
        rc = resolve_version(reg, form_id, version, resolved, err);
    return rc;
}

/* The draft's "_typed" (what was typed and refused, per item): an object
 * of arrays of strings, else the draft is refused. An item whose typed
 * text holds a personnummer or samordningsnummer loses it here: such a
 * number is never kept in the clear, not even in a draft. */
static sr_status check_typed(json_t *answers, sr_error *err)
{
    json_t *typed = json_object_get(answers, "_typed");
    if (!typed)
        return SR_OK;
    if (!json_is_object(typed))
        return srp_error_set_where(err, SR_ERR_INVALID, "answers",
                                   "a draft's typed values must be an object of lists of text");
    char today[SR_DATE_MAX + 1];
    srp_time_today(today, sizeof today);
    const char *key;
    json_t *list, *tmp;
    json_object_foreach_safe(typed, tmp, key, list)
    {
        size_t k;
        json_t *v;
        int identifies = 0;
        if (!json_is_array(list))
            return srp_error_set_where(err, SR_ERR_INVALID, "answers",
                                       "a draft's typed values must be an object of lists of text");
        json_array_foreach(list, k, v)
        {
            if (!json_is_string(v))
                return srp_error_set_where(err, SR_ERR_INVALID, "answers",
                                           "a draft's typed values must be an object of lists of "
                                           "text");
            identifies |= srp_freetext_find_pnr(json_string_value(v), today) != 0;
        }
        if (identifies)
            (void)json_object_del(typed, key);
    }
    if (json_object_size(typed) == 0)
        (void)json_object_del(answers, "_typed");
    return SR_OK;
}

/* How many answers a draft holds: its members, less those that are no
 * item's (a name that begins with '_'). */
static size_t answer_count(const json_t *answers)
{
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)answers, key, v) n += key[0] != '_';
    return n;
}

sr_status sr_draft_save(sr_registry *reg, const char *code, const char *form_id, int version,
                        const char *date, const char *answers_json, sr_error *err)
{
    json_t *answers = NULL;
    char *text = NULL;
    srp_case_state c;
    int v = 0;
    sr_status rc = open_draft(reg, code, "keep drafts", form_id, version, &c, &v, err);
    if (rc != SR_OK)
        goto out;
    int y, m, d;
    if (date && *date && srp_date_parse(date, &y, &m, &d) != 0) {
        rc = srp_error_set_where(err, SR_ERR_INVALID, "date",
                                 "'%s' is not a date (YYYY-MM-DD) that exists", date);
        goto out;
    }
    json_error_t jerr;
    answers = answers_json ? json_loads(answers_json, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (!answers || !json_is_object(answers)) {
        rc = srp_error_set_where(err, SR_ERR_INVALID, "answers",
                                 "the answers of a draft must be a JSON object");
        goto out;
    }
    rc = check_typed(answers, err);
    if (rc != SR_OK)
        goto out;
    text = json_dumps(answers, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    char now[32];
    srp_time_now_iso(now, sizeof now);
    rc = srp_store_begin(srp_registry_db(reg), err);
    if (rc != SR_OK)
        goto out;
    sqlite3_stmt *st = NULL;
    rc = srp_registry_prepare(
        reg,
        "INSERT OR REPLACE INTO drafts (case_code, form_id, form_version, user, date, answers,"
        " answered, saved_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        &st, err);
    if (rc == SR_OK) {
        sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, form_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, v);
        sqlite3_bind_text(st, 4, sr_registry_user(reg), -1, SQLITE_STATIC);
        if (date && *date)
            sqlite3_bind_text(st, 5, date, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 5);
        sqlite3_bind_text(st, 6, text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)answer_count(answers));
        sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
        rc = srp_case_step_done(reg, st, "store the draft", err);
    }
    char detail[128];
    snprintf(detail, sizeof detail, "form=%s version=%d answers=%zu", form_id, v,
             answer_count(answers));
    rc = srp_case_commit(reg, rc, "draft.save", c.code, detail, err);
out:
    free(text);
    json_decref(answers);
    return rc;
}

static sr_status no_draft(const char *form_id, sr_error *err)
{
    return srp_error_set_where(err, SR_ERR_NOT_FOUND, "form", "there is no draft of form '%s'",
                               form_id);
}

sr_status sr_draft_load(sr_registry *reg, const char *code, const char *form_id, int version,
                        char date[SR_DATE_MAX + 1], char **answers_json, sr_error *err)
{
    *answers_json = NULL;
    date[0] = '\0';
    srp_case_state c;
    int v = 0;
    sr_status rc = open_draft(reg, code, "read drafts", form_id, version, &c, &v, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = srp_registry_prepare(reg,
                              "SELECT date, answers FROM drafts WHERE case_code = ?1"
                              " AND form_id = ?2 AND form_version = ?3 AND user = ?4",
                              &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, form_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, v);
    sqlite3_bind_text(st, 4, sr_registry_user(reg), -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        const unsigned char *d = sqlite3_column_text(st, 0);
        snprintf(date, SR_DATE_MAX + 1, "%s", d ? (const char *)d : "");
        const unsigned char *a = sqlite3_column_text(st, 1);
        *answers_json = strdup(a ? (const char *)a : "{}");
        if (!*answers_json)
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    } else if (src == SQLITE_DONE) {
        rc = no_draft(form_id, err);
    } else {
        rc = srp_store_fail(srp_registry_db(reg), src, "read the draft", err);
    }
    srp_stmt_done(reg, st);
    if (rc == SR_OK) {
        char detail[96];
        snprintf(detail, sizeof detail, "form=%s version=%d", form_id, v);
        rc = srp_registry_transaction(reg, "draft.load", c.code, detail, NULL, NULL, err);
    }
    if (rc != SR_OK) {
        free(*answers_json);
        *answers_json = NULL;
        date[0] = '\0';
    }
    return rc;
}

sr_status sr_draft_discard(sr_registry *reg, const char *code, const char *form_id, int version,
                           sr_error *err)
{
    srp_case_state c;
    int v = 0;
    sr_status rc = open_draft(reg, code, "keep drafts", form_id, version, &c, &v, err);
    if (rc == SR_OK)
        rc = srp_store_begin(srp_registry_db(reg), err);
    if (rc != SR_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = srp_registry_prepare(reg,
                              "DELETE FROM drafts WHERE case_code = ?1 AND form_id = ?2"
                              " AND form_version = ?3 AND user = ?4",
                              &st, err);
    if (rc == SR_OK) {
        sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, form_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, v);
        sqlite3_bind_text(st, 4, sr_registry_user(reg), -1, SQLITE_STATIC);
        rc = srp_case_step_done(reg, st, "discard the draft", err);
    }
    if (rc == SR_OK && sqlite3_changes(srp_registry_db(reg)) == 0)
        rc = no_draft(form_id, err);
    char detail[96];
    snprintf(detail, sizeof detail, "form=%s version=%d", form_id, v);
    return srp_case_commit(reg, rc, "draft.discard", c.code, detail, err);
}

sr_status srp_draft_drop_in_txn(sr_registry *reg, const char *code, const char *form_id,
                                int version, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_registry_prepare(reg,
                                        "DELETE FROM drafts WHERE case_code = ?1 AND form_id = ?2"
                                        " AND form_version = ?3 AND user = ?4",
                                        &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, form_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, version);
    sqlite3_bind_text(st, 4, sr_registry_user(reg), -1, SQLITE_STATIC);
    return srp_case_step_done(reg, st, "discard the draft", err);
}

sr_status sr_draft_list(sr_registry *reg, const char *code, sr_draft_fn fn, void *ctx,
                        sr_error *err)
{
    srp_case_state c;
    sr_status rc = SR_OK;
    if (code)
        rc = srp_case_open_for(reg, code, "read drafts", NULL, &c, err);
    else
        rc = srp_case_require_role(reg, "read drafts", err);
    if (rc != SR_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = srp_registry_prepare(
        reg,
        "SELECT d.case_code, d.form_id, d.form_version, d.date, d.saved_at, d.answered, c.unit"
        " FROM drafts d JOIN cases c ON c.code = d.case_code"
        " WHERE d.user = ?1 AND (?2 IS NULL OR d.case_code = ?2)"
        " ORDER BY d.saved_at DESC, d.case_code, d.form_id",
        &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, sr_registry_user(reg), -1, SQLITE_STATIC);
    if (code)
        sqlite3_bind_text(st, 2, c.code, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        /* A unit the user no longer works in keeps its drafts out of sight. */
        if (srp_registry_check_unit(reg, (const char *)sqlite3_column_text(st, 6), NULL) != SR_OK)
            continue;
        sr_draft_info info = {(const char *)sqlite3_column_text(st, 0),
                              (const char *)sqlite3_column_text(st, 1),
                              sqlite3_column_int(st, 2),
                              (const char *)sqlite3_column_text(st, 3),
                              (const char *)sqlite3_column_text(st, 4),
                              (long)sqlite3_column_int64(st, 5)};
        if (fn && fn(ctx, &info) != 0) {
            src = SQLITE_DONE;
            break;
        }
    }
    if (src != SQLITE_DONE)
        rc = srp_store_fail(srp_registry_db(reg), src, "list the drafts", err);
    srp_stmt_done(reg, st);
    return rc;
}
