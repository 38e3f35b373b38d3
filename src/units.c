/*
 * units.c - the organisational units (enheter) that cases belong to.
 */
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/names.h"
#include "registry_int.h"
#include "sigreg/units.h"
#include "store.h"

typedef struct unit_add_ctx {
    const char *code;
    const char *name;
} unit_add_ctx;

static sr_status insert_unit(sr_registry *reg, void *vctx, sr_error *err)
{
    unit_add_ctx *c = vctx;
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(db,
                                     "INSERT INTO units (code, name, created_at) VALUES (?1, ?2, "
                                     "strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
                                     &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, c->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if ((src & 0xff) == SQLITE_CONSTRAINT)
        rc = srp_error_set(err, SR_ERR_EXISTS, "unit '%s' already exists", c->code);
    else if (src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "add the unit", err);
    sqlite3_finalize(st);
    return rc;
}

sr_status sr_unit_add(sr_registry *reg, const char *code, const char *name, sr_error *err)
{
    sr_status rc = sr_registry_require(reg, SR_ROLE_BIT(SR_ROLE_ADMIN), "add units", err);
    if (rc != SR_OK)
        return rc;
    if (!srp_name_unit_valid(code))
        return srp_error_set_where(err, SR_ERR_INVALID, "unit",
                                   "unit code '%s' is not valid: use 1-32 letters, digits, '_' "
                                   "or '-'",
                                   code ? code : "");
    if (!name || !*name || strlen(name) > 200)
        return srp_error_set_where(err, SR_ERR_INVALID, "name",
                                   "a unit needs a name of 1-200 characters");
    unit_add_ctx ctx = {code, name};
    char detail[64];
    snprintf(detail, sizeof detail, "unit=%s", code);
    rc = srp_registry_transaction(reg, "unit.add", NULL, detail, insert_unit, &ctx, err);
    /* Its key, sealed to the admins (and later to its coordinators). A crash
     * in between leaves the unit without one until an admin's next unlock. */
    if (rc == SR_OK)
        rc = srp_registry_unit_key_add(reg, code, err);
    return rc;
}

sr_status sr_unit_list(sr_registry *reg, sr_unit_fn fn, void *ctx, sr_error *err)
{
    sr_status rc = srp_registry_transaction(reg, "unit.list", NULL, NULL, NULL, NULL, err);
    sqlite3_stmt *st = NULL;
    if (rc == SR_OK)
        rc = srp_store_prepare(srp_registry_db(reg), "SELECT code, name FROM units ORDER BY code",
                               &st, err);
    if (rc != SR_OK)
        return rc;
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        sr_unit_info info = {(const char *)sqlite3_column_text(st, 0),
                             (const char *)sqlite3_column_text(st, 1)};
        if (fn && fn(ctx, &info) != 0)
            break;
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = srp_store_fail(srp_registry_db(reg), src, "list units", err);
    sqlite3_finalize(st);
    return rc;
}
