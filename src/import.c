/*
 * import.c - bulk registration of cases from JSON Lines.
 *
 * Lines are not wrapped in savepoints: SQLCipher encrypts every page a
 * savepoint journals, which made up most of what encryption cost an import.
 * Instead the lines of the open transaction are kept, and when a line fails
 * after writing, the transaction is rolled back and the lines before it are
 * run again and committed. A line that fails before writing anything (most
 * refusals) costs nothing more. Case codes are handed out only once their transaction is
 * committed, so a replay is never seen from outside.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "case.h"
#include "case_response.h"
#include "crypto.h"
#include "base/error.h"
#include "form_int.h"
#include "form_store_int.h"
#include "json_span.h"
#include "registry_int.h"
#include "sigreg/import.h"
#include "store.h"

#define FORM_CACHE 32

typedef struct cached_form {
    char id[64];
    int asked_version; /* 0: newest */
    sr_form *form;
} cached_form;

/* A line imported in the open transaction, kept until it is committed: its
 * text at offset in the batch's text. */
typedef struct batch_line {
    size_t offset, len;
    sr_import_result result;
} batch_line;

struct sr_import {
    sr_registry *reg;
    int in_transaction;
    cached_form forms[FORM_CACHE];
    size_t form_count;
    batch_line *lines; /* of the open transaction */
    size_t line_count, line_cap;
    srp_buf text; /* the lines' text, one after the other (one allocation, not one a line) */
    sr_import_case_fn on_case;
    void *on_case_ctx;
    long line_no, refused, cases; /* for the summary entry of the log */
};

static sr_status form_for(sr_import *imp, const char *id, int version, const sr_form **out,
                          sr_error *err)
{
    for (size_t i = 0; i < imp->form_count; i++)
        if (imp->forms[i].asked_version == version && strcmp(imp->forms[i].id, id) == 0) {
            *out = imp->forms[i].form;
            return SR_OK;
        }
    sr_form *form = NULL;
    sr_status rc = srp_form_load_quiet(imp->reg, id, version, &form, NULL, err);
    if (rc != SR_OK)
        return rc;
    if (imp->form_count == FORM_CACHE) {
        *out = form; /* more forms than the cache holds: keep the first ones */
        sr_form_free(imp->forms[FORM_CACHE - 1].form);
        imp->form_count--;
    }
    cached_form *c = &imp->forms[imp->form_count++];
    snprintf(c->id, sizeof c->id, "%s", id);
    c->asked_version = version;
    c->form = form;
    *out = form;
    return SR_OK;
}

static sr_status begin(sr_import *imp, sr_error *err)
{
    if (imp->in_transaction)
        return SR_OK;
    sr_status rc = srp_store_begin(srp_registry_db(imp->reg), err);
    if (rc == SR_OK)
        imp->in_transaction = 1;
    return rc;
}

sr_status sr_import_begin(sr_registry *reg, sr_import_case_fn on_case, void *ctx, sr_import **out,
                          sr_error *err)
{
    sr_status rc = sr_registry_require(
        reg, SR_ROLE_BIT(SR_ROLE_ADMIN) | SR_ROLE_BIT(SR_ROLE_COORDINATOR), "import cases", err);
    if (rc != SR_OK)
        return rc;
    sr_import *imp = calloc(1, sizeof *imp);
    if (!imp)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    imp->reg = reg;
    imp->on_case = on_case;
    imp->on_case_ctx = ctx;
    /* A bulk import inserts at random places in several indexes (case codes
     * and pseudonyms are random); a larger cache keeps those pages decrypted
     * between batches instead of reading and checking them again. */
    rc = srp_store_set_cache(srp_registry_db(reg), SRP_STORE_IMPORT_CACHE_MIB, err);
    if (rc != SR_OK) {
        free(imp);
        return rc;
    }
    *out = imp;
    return SR_OK;
}

static const char *const line_keys[] = {"ref", "unit", "pnr", "responses", NULL};
static const char *const response_keys[] = {"form", "version", "date", "answers", NULL};

static int key_allowed(const char *key, const char *const *keys)
{
    for (size_t i = 0; keys[i]; i++)
        if (strcmp(key, keys[i]) == 0)
            return 1;
    return 0;
}

/* The first key of obj that is not one of keys, or NULL. */
static const char *unknown_key(json_t *obj, const char *const *keys)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        (void)v;
        if (!key_allowed(key, keys))
            return key;
    }
    return NULL;
}

/* The dates of the first intake and the first closure of a line (each a
 * string no longer than a date, or NULL), in one pass over its responses;
 * what is wrong with a response is found and told later. */
static void phase_dates(sr_import *imp, const json_t *responses, const char **intake,
                        const char **closure)
{
    *intake = *closure = NULL;
    int intake_seen = 0, closure_seen = 0;
    size_t i;
    json_t *r;
    json_array_foreach(responses, i, r)
    {
        json_t *form_id = json_object_get(r, "form"), *version = json_object_get(r, "version");
        json_t *date = json_object_get(r, "date");
        const sr_form *form = NULL;
        if (!json_is_string(form_id) || !json_is_string(date) ||
            (version && (!json_is_integer(version) || json_integer_value(version) < 1)) ||
            form_for(imp, json_string_value(form_id),
                     version ? (int)json_integer_value(version) : 0, &form, NULL) != SR_OK)
            continue;
        const char *fits = json_string_length(date) <= SR_DATE_MAX ? json_string_value(date) : NULL;
        if (sr_form_phase(form) == SR_PHASE_INTAKE && !intake_seen++)
            *intake = fits;
        if (sr_form_phase(form) == SR_PHASE_CLOSURE && !closure_seen++)
            *closure = fits;
    }
}

static sr_status import_object(sr_import *imp, json_t *line, srp_span line_text,
                               sr_import_result *result, sr_problems *problems, sr_error *err)
{
    const char *unknown = unknown_key(line, line_keys);
    if (unknown)
        return srp_error_set(err, SR_ERR_INVALID, "the line: unknown key '%s'", unknown);
    sr_status rc = SR_OK;
    json_t *unit = json_object_get(line, "unit"), *pnr = json_object_get(line, "pnr");
    json_t *responses = json_object_get(line, "responses");
    if (!json_is_string(unit))
        return srp_error_set(err, SR_ERR_INVALID, "'unit' must be a unit code");
    if (pnr && !json_is_null(pnr) && !json_is_string(pnr))
        return srp_error_set(err, SR_ERR_INVALID, "'pnr' must be a string");
    if (responses && !json_is_array(responses))
        return srp_error_set(err, SR_ERR_INVALID, "'responses' must be an array");
    /* The intake and the closure this line registers, if any, are written
     * with the case: a line that fails is rolled back whole, so the row is
     * only ever kept opened and closed with them. (Not for a line of more
     * responses than the per-case state holds: those re-read the case from
     * the database.) */
    const char *opened_at = NULL, *closed_at = NULL;
    if (json_array_size(responses) <= SRP_CASE_SEEN_MAX)
        phase_dates(imp, responses, &opened_at, &closed_at);
    rc = srp_case_insert(imp->reg, json_string_value(unit),
                         json_is_string(pnr) ? json_string_value(pnr) : NULL, opened_at, closed_at,
                         result->code, err);
    if (rc != SR_OK)
        return rc;
    /* The new case's state is kept here, not read back per response: only
     * this line writes to it. */
    srp_case_state state;
    memset(&state, 0, sizeof state);
    snprintf(state.code, sizeof state.code, "%s", result->code);
    snprintf(state.unit, sizeof state.unit, "%s", json_string_value(unit));
    snprintf(state.status, sizeof state.status, "open");
    if (opened_at)
        snprintf(state.row_opened_at, sizeof state.row_opened_at, "%s", opened_at);
    if (closed_at)
        snprintf(state.row_closed_at, sizeof state.row_closed_at, "%s", closed_at);
    srp_case_seen seen;
    memset(&seen, 0, sizeof seen);
    /* Where each response lies in the line, so that its answers' own text
     * can be stored (used only if the spans agree with the parse). */
    srp_span spans[SRP_CASE_SEEN_MAX];
    size_t span_count =
        srp_json_elements_member(line_text, "responses", "answers", spans, SRP_CASE_SEEN_MAX);
    if (span_count != json_array_size(responses))
        span_count = 0;
    size_t i;
    json_t *r;
    json_array_foreach(responses, i, r)
    {
        /* The response is named ("responses[i]") only in a refusal. */
        if (!json_is_object(r))
            return srp_error_set(err, SR_ERR_INVALID, "responses[%zu]: must be an object", i);
        unknown = unknown_key(r, response_keys);
        if (unknown)
            return srp_error_set(err, SR_ERR_INVALID, "responses[%zu]: unknown key '%s'", i,
                                 unknown);
        json_t *form_id = json_object_get(r, "form"), *version = json_object_get(r, "version");
        json_t *date = json_object_get(r, "date"), *answers = json_object_get(r, "answers");
        if (!json_is_string(form_id) || !json_is_string(date) || !json_is_object(answers) ||
            (version && (!json_is_integer(version) || json_integer_value(version) < 1)))
            return srp_error_set(err, SR_ERR_INVALID,
                                 "responses[%zu]: needs 'form' (string), 'date' (YYYY-MM-DD),"
                                 " 'answers' (object) and, optionally, 'version' (integer)",
                                 i);
        const sr_form *form = NULL;
        rc = form_for(imp, json_string_value(form_id),
                      version ? (int)json_integer_value(version) : 0, &form, err);
        srp_answers_in in = {answers, NULL, 0};
        if (i < span_count && i < SRP_CASE_SEEN_MAX) {
            in.text = spans[i].p;
            in.len = spans[i].n;
        }
        int64_t id = 0;
        if (rc == SR_OK)
            rc = seen.overflow
                     ? srp_register_in_txn(imp->reg, result->code, form, json_string_value(date),
                                           in, problems, &id, err)
                     : srp_register_known(imp->reg, &state, &seen, form, json_string_value(date),
                                          in, problems, &id, err);
        if (rc != SR_OK) {
            char prefix[SR_ERROR_MESSAGE_MAX];
            if (err && err->status != SR_OK) {
                snprintf(prefix, sizeof prefix, "responses[%zu] (%s): %s", i,
                         json_string_value(form_id), err->message);
                snprintf(err->message, sizeof err->message, "%s", prefix);
            }
            return rc;
        }
        result->responses++;
    }
    char detail[64];
    snprintf(detail, sizeof detail, "import responses=%zu pnr=%s", result->responses,
             json_is_string(pnr) ? "yes" : "no");
    return srp_registry_audit(imp->reg, "case.new", result->code, detail, err);
}

/* Parses and imports one line in the open transaction (begun if need be). */
static sr_status run_line(sr_import *imp, const char *text, size_t len, sr_import_result *result,
                          sr_problems *problems, sr_error *err)
{
    json_error_t jerr;
    json_t *line = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!line)
        return srp_error_set(err, SR_ERR_INVALID, "not valid JSON: %s (column %d)", jerr.text,
                             jerr.column);
    sr_status rc = SR_OK;
    json_t *ref = json_object_get(line, "ref");
    if (!json_is_object(line)) {
        rc = srp_error_set(err, SR_ERR_INVALID, "a line must be a JSON object");
        goto out;
    }
    if (!json_is_string(ref) || json_string_length(ref) == 0 || json_string_length(ref) > 128 ||
        strpbrk(json_string_value(ref), "\t\r\n")) {
        rc = srp_error_set(err, SR_ERR_INVALID,
                           "'ref' must be a string of 1-128 characters without tabs or newlines");
        goto out;
    }
    snprintf(result->ref, sizeof result->ref, "%s", json_string_value(ref));
    rc = begin(imp, err);
    if (rc == SR_OK)
        rc = import_object(imp, line, (srp_span){text, len}, result, problems, err);
out:
    json_decref(line);
    return rc;
}

static void lines_clear(sr_import *imp)
{
    if (imp->text.data) {
        srp_wipe(imp->text.data, imp->text.len);
        imp->text.data[0] = '\0';
    }
    imp->text.len = 0; /* the allocation stays for the next batch */
    imp->line_count = 0;
}

static sr_status lines_keep(sr_import *imp, const char *text, size_t len,
                            const sr_import_result *result, sr_error *err)
{
    void *lines = imp->lines;
    if (srp_grow(&lines, &imp->line_cap, imp->line_count + 1, sizeof *imp->lines) != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    imp->lines = lines;
    size_t offset = imp->text.len;
    srp_buf_put(&imp->text, text, len);
    if (imp->text.oom)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    batch_line *b = &imp->lines[imp->line_count];
    b->offset = offset;
    b->len = len;
    b->result = *result;
    imp->line_count++;
    return SR_OK;
}

/* Rolls the open transaction back and runs its kept lines again. They went
 * through before on the same data, so a failure now is the database's. */
static sr_status replay(sr_import *imp, sr_error *err)
{
    srp_store_rollback(srp_registry_db(imp->reg));
    imp->in_transaction = 0;
    for (size_t i = 0; i < imp->line_count; i++) {
        batch_line *b = &imp->lines[i];
        sr_error why;
        sr_error_clear(&why);
        memset(&b->result, 0, sizeof b->result);
        sr_status rc =
            run_line(imp, (const char *)imp->text.data + b->offset, b->len, &b->result, NULL, &why);
        if (rc != SR_OK) {
            srp_store_rollback(srp_registry_db(imp->reg));
            imp->in_transaction = 0;
            lines_clear(imp);
            return srp_error_set(err, SR_ERR_DB,
                                 "the import stopped: a line imported before failed when run "
                                 "again (%s); nothing of this batch was kept",
                                 why.message);
        }
    }
    return SR_OK;
}

sr_status sr_import_commit(sr_import *imp, sr_error *err)
{
    if (!imp->in_transaction)
        return SR_OK;
    sr_status rc = srp_store_commit(srp_registry_db(imp->reg), err);
    imp->in_transaction = 0;
    if (rc == SR_OK)
        imp->cases += (long)imp->line_count;
    for (size_t i = 0; rc == SR_OK && imp->on_case && i < imp->line_count; i++)
        imp->on_case(&imp->lines[i].result, imp->on_case_ctx);
    lines_clear(imp);
    return rc;
}

static sr_status import_line(sr_import *imp, const char *text, size_t len, sr_import_result *result,
                             sr_problems *problems, sr_error *err);

/* A short name for why a line was refused, for its log entry. */
static const char *refusal_name(sr_status status)
{
    switch (status) {
    case SR_ERR_EXISTS:
        return "exists";
    case SR_ERR_DENIED:
        return "denied";
    case SR_ERR_NOT_FOUND:
        return "not_found";
    case SR_ERR_STATE:
        return "state";
    case SR_ERR_INVALID:
        return "invalid";
    default:
        return "failed";
    }
}

/* Every refused line leaves an entry of its own (never its ref or its
 * content), outside the import's transaction: the lines around it may be
 * rolled back, the trace of a probe must stay. */
static void log_refusal(sr_import *imp, sr_status status, const sr_error *err)
{
    char detail[64 + SR_ERROR_WHERE_MAX];
    const char *where = err && err->status != SR_OK ? err->where : "";
    imp->refused++;
    /* A where that is a file's path or an answer's text is not for the log:
     * only a field's name (letters, digits, '_', '-', '.', '[', ']'). */
    int plain = where[0] != '\0' && strlen(where) <= 64;
    for (const char *p = where; plain && *p; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                strchr("_-.[]", *p) != NULL;
    snprintf(detail, sizeof detail, "line=%ld status=%s%s%s", imp->line_no, refusal_name(status),
             plain ? " where=" : "", plain ? where : "");
    srp_registry_log_apart(imp->reg, "import.refused", NULL, detail);
}

sr_status sr_import_line(sr_import *imp, const char *text, size_t len, sr_import_result *result,
                         sr_problems *problems, sr_error *err)
{
    memset(result, 0, sizeof *result);
    imp->line_no++;
    sr_status rc = import_line(imp, text, len, result, problems, err);
    if (rc != SR_OK && !sr_import_status_is_fatal(rc))
        log_refusal(imp, rc, err);
    return rc;
}

static sr_status import_line(sr_import *imp, const char *text, size_t len, sr_import_result *result,
                             sr_problems *problems, sr_error *err)
{
    sqlite3 *db = srp_registry_db(imp->reg);
    int changes_before = sqlite3_total_changes(db);
    sr_status rc = run_line(imp, text, len, result, problems, err);
    if (rc == SR_OK)
        rc = lines_keep(imp, text, len, result, err); /* the code goes with the kept line */
    result->code[0] = '\0';                           /* and is told at commit */
    if (rc == SR_OK)
        return SR_OK;
    if (imp->in_transaction && sqlite3_total_changes(db) != changes_before) {
        sr_error replay_err;
        sr_error_clear(&replay_err);
        /* Committed at once: a run of such lines then replays little. */
        sr_status replayed = replay(imp, &replay_err);
        if (replayed == SR_OK)
            replayed = sr_import_commit(imp, &replay_err);
        if (replayed != SR_OK) {
            if (err)
                *err = replay_err;
            return replayed;
        }
    }
    return rc;
}

void sr_import_free(sr_import *imp)
{
    if (!imp)
        return;
    if (imp->in_transaction)
        srp_store_rollback(srp_registry_db(imp->reg));
    char detail[96];
    snprintf(detail, sizeof detail, "lines=%ld cases=%ld refused=%ld", imp->line_no, imp->cases,
             imp->refused);
    srp_registry_log_apart(imp->reg, "import.summary", NULL, detail);
    lines_clear(imp);
    srp_buf_free(&imp->text);
    free(imp->lines);
    for (size_t i = 0; i < imp->form_count; i++)
        sr_form_free(imp->forms[i].form);
    free(imp);
}

int sr_import_status_is_fatal(sr_status status)
{
    return status == SR_ERR_NOMEM || status == SR_ERR_IO || status == SR_ERR_BUSY ||
           status == SR_ERR_DB || status == SR_ERR_CORRUPT;
}
