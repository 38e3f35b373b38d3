/*
 * case_history.c - sr_case_history: the earlier revisions of a case's
 * responses, as kept when a response was edited (sigreg/cases.h).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/timeutil.h"
#include "case.h"
#include "registry_int.h"
#include "sigreg/cases.h"
#include "store.h"

sr_status sr_case_history(sr_registry *reg, const char *typed, sr_response_fn fn, void *ctx,
                          sr_error *err)
{
    srp_case_state c;
    sr_status rc = srp_case_open_for(reg, typed, "see cases", "case.history", &c, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = srp_registry_prepare(reg,
                              "SELECT r.id, r.form_id, r.form_version, r.phase, h.date, h.revision,"
                              " h.answers, COALESCE(p.replaced_by, r.created_by)"
                              " FROM response_history h JOIN responses r ON r.id = h.response_id"
                              " LEFT JOIN response_history p ON p.response_id = h.response_id"
                              " AND p.revision = h.revision - 1"
                              " WHERE r.case_code = ?1 ORDER BY r.id, h.revision",
                              &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, c.code, -1, SQLITE_STATIC);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        sr_response_info r;
        memset(&r, 0, sizeof r);
        r.id = sqlite3_column_int64(st, 0);
        r.form_id = (const char *)sqlite3_column_text(st, 1);
        r.form_version = sqlite3_column_int(st, 2);
        if (sr_phase_parse((const char *)sqlite3_column_text(st, 3), &r.phase) != 0)
            r.phase = SR_PHASE_INTAKE;
        r.date = (const char *)sqlite3_column_text(st, 4);
        r.revision = sqlite3_column_int(st, 5);
        r.active = 0;
        r.answers = (const char *)sqlite3_column_text(st, 6);
        r.created_by = (const char *)sqlite3_column_text(st, 7);
        r.age = srp_age_on(c.birth_date[0] ? c.birth_date : NULL, r.date);
        if (fn && fn(ctx, &r) != 0)
            break;
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = srp_store_fail(srp_registry_db(reg), src, "read the history of responses", err);
    srp_stmt_done(reg, st);
    return rc;
}
