/*
 * case_erase.c - erasing cases: one case on withdrawn consent, and the
 * retention purge of cases closed before a date (see sigreg/cases.h). An
 * erasure takes the case, its responses, their history, its events, its
 * drafts and its code key entry, in one transaction with its audit entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/timeutil.h"
#include "case.h"
#include "codekey.h"
#include "registry_int.h"
#include "store.h"

/* Erases one case inside the caller's transaction. */
static sr_status erase_case(sr_registry *reg, const char *code, int has_codekey, sr_error *err)
{
    static const char *const statements[] = {
        ("DELETE FROM response_history WHERE response_id IN"
         " (SELECT id FROM responses WHERE case_code = ?1)"),
        "DELETE FROM response_codes WHERE case_code = ?1",
        "DELETE FROM responses WHERE case_code = ?1",
        "DELETE FROM case_events WHERE case_code = ?1",
        "DELETE FROM drafts WHERE case_code = ?1",
        "DELETE FROM cases WHERE code = ?1",
    };
    sr_status rc = SR_OK;
    size_t n = sizeof statements / sizeof statements[0];
    for (size_t i = 0; i < n && rc == SR_OK; i++)
        rc = srp_case_exec(reg, statements[i], code, err);
    if (rc == SR_OK && has_codekey)
        rc = srp_codekey_delete(reg, code, err);
    return rc;
}

sr_status sr_case_delete(sr_registry *reg, const char *typed, sr_error *err)
{
    srp_case_state c;
    sr_status rc = srp_case_open_for(reg, typed, "erase cases", NULL, &c, err);
    sqlite3 *db = srp_registry_db(reg);
    if (rc == SR_OK)
        rc = srp_store_begin(db, err);
    if (rc != SR_OK)
        return rc;
    rc = erase_case(reg, c.code, srp_registry_has_identity(reg), err);
    return srp_case_commit(reg, rc, "case.delete", c.code, "reason=erasure", err);
}

sr_status sr_purge(sr_registry *reg, const char *closed_before, int execute, sr_case_fn fn,
                   void *ctx, size_t *count, sr_error *err)
{
    int y, m, d;
    *count = 0;
    sr_status rc = sr_registry_require(reg, SR_ROLE_BIT(SR_ROLE_ADMIN), "purge cases", err);
    if (rc == SR_OK && srp_date_parse(closed_before, &y, &m, &d) != 0)
        rc = srp_error_set_where(err, SR_ERR_USAGE, "closed_before",
                                 "the cut-off date must be a date (YYYY-MM-DD) that exists");
    sqlite3 *db = srp_registry_db(reg);
    if (rc == SR_OK)
        rc = srp_store_begin(db, err);
    if (rc != SR_OK)
        return rc;
    char sql[1024];
    snprintf(sql, sizeof sql, "%s WHERE c.status = 'closed' AND c.closed_at < ?1 ORDER BY c.code",
             srp_case_select);
    sqlite3_stmt *st = NULL;
    rc = srp_registry_prepare(reg, sql, &st, err);
    char(*codes)[SR_CASE_CODE_SIZE] = NULL;
    size_t n = 0, cap = 0;
    if (rc == SR_OK) {
        sqlite3_bind_text(st, 1, closed_before, -1, SQLITE_STATIC);
        int src;
        while ((src = sqlite3_step(st)) == SQLITE_ROW) {
            sr_case_info info;
            srp_case_fill_info(st, &info);
            void *items = codes;
            if (srp_grow(&items, &cap, n + 1, sizeof *codes) != 0) {
                rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
                break;
            }
            codes = items;
            snprintf(codes[n++], SR_CASE_CODE_SIZE, "%s", info.code);
            /* A stop after this case: the cases told are the ones purged. */
            if (fn && fn(ctx, &info) != 0) {
                src = SQLITE_DONE;
                break;
            }
        }
        if (rc == SR_OK && src != SQLITE_DONE)
            rc = srp_store_fail(db, src, "list cases to purge", err);
        srp_stmt_done(reg, st);
    }
    for (size_t i = 0; execute && rc == SR_OK && i < n; i++)
        rc = erase_case(reg, codes[i], srp_registry_has_identity(reg), err);
    free(codes);
    *count = n;
    char detail[96];
    snprintf(detail, sizeof detail, "closed_before=%s cases=%zu%s", closed_before, n,
             execute ? "" : " plan=yes");
    return srp_case_commit(reg, rc, execute ? "purge" : "purge.plan", NULL, detail, err);
}
