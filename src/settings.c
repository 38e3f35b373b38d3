/*
 * settings.c - registry settings kept in the database (the minimum cell of
 * summaries; the disclosure method and its perturbation table's parameters).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "ptable.h"
#include "registry_int.h"
#include "settings_int.h"
#include "sigreg/settings.h"
#include "sigreg/stats.h"
#include "store.h"

sr_status srp_settings_min_cell(sr_registry *reg, int *min_cell, sr_error *err)
{
    char *value = NULL;
    *min_cell = 5;
    sr_status rc = srp_registry_meta_get(reg, "min_cell", &value, err);
    if (rc == SR_ERR_NOT_FOUND)
        return SR_OK;
    if (rc == SR_OK) {
        long v = strtol(value, NULL, 10);
        if (v >= SR_STATS_MIN_CELL_FLOOR && v <= 1000000)
            *min_cell = (int)v;
    }
    free(value);
    return rc;
}

sr_status srp_settings_min_cell_for(sr_registry *reg, int requested, int allow_raise, int *min_cell,
                                    sr_error *err)
{
    int floor = 5;
    sr_status rc = srp_settings_min_cell(reg, &floor, err);
    if (rc != SR_OK)
        return rc;
    *min_cell = floor;
    if (!requested || requested == floor)
        return SR_OK;
    if (requested < floor)
        return srp_error_set_where(err, SR_ERR_USAGE, "min_cell",
                                   "the minimum cell %d is below the registry's %d: it is a floor "
                                   "that only an admin's setting changes",
                                   requested, floor);
    if (!allow_raise)
        return srp_error_set_where(err, SR_ERR_USAGE, "min_cell",
                                   "the minimum cell %d differs from the registry's %d: a summary "
                                   "uses the registry's, so that no two patterns of withheld "
                                   "figures can be combined (a publication may raise it)",
                                   requested, floor);
    *min_cell = requested;
    return SR_OK;
}

sr_status sr_settings_min_cell(sr_registry *reg, int *min_cell, sr_error *err)
{
    sr_status rc = srp_settings_min_cell(reg, min_cell, err);
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "settings.show", NULL, NULL, NULL, NULL, err);
    return rc;
}

typedef struct min_cell_ctx {
    int value;
} min_cell_ctx;

static sr_status store_min_cell(sr_registry *reg, void *vctx, sr_error *err)
{
    char text[16];
    snprintf(text, sizeof text, "%d", ((min_cell_ctx *)vctx)->value);
    return srp_store_meta_set(srp_registry_db(reg), "min_cell", text, err);
}

sr_status sr_settings_set_min_cell(sr_registry *reg, int min_cell, sr_error *err)
{
    sr_status rc = sr_registry_require(reg, SR_ROLE_BIT(SR_ROLE_ADMIN), "change settings", err);
    if (rc != SR_OK)
        return rc;
    if (min_cell < SR_STATS_MIN_CELL_FLOOR || min_cell > 1000000)
        return srp_error_set_where(err, SR_ERR_USAGE, "min_cell",
                                   "the minimum cell may not be below %d (nor above 1000000)",
                                   SR_STATS_MIN_CELL_FLOOR);
    min_cell_ctx ctx = {min_cell};
    char detail[48];
    snprintf(detail, sizeof detail, "min_cell=%d", min_cell);
    return srp_registry_transaction(reg, "settings.set", NULL, detail, store_min_cell, &ctx, err);
}

/* ---- the disclosure method ---- */

static void method_defaults(sr_disclosure_method *m)
{
    memset(m, 0, sizeof *m);
    snprintf(m->method, sizeof m->method, "suppression");
    m->ptable_d = 5;
    m->ptable_v = 3.0;
    m->ptable_js = 2;
}

/* Reads one setting into text (left alone when unset). */
static sr_status meta_text(sr_registry *reg, const char *key, char *text, size_t size,
                           sr_error *err)
{
    char *value = NULL;
    sr_status rc = srp_registry_meta_get(reg, key, &value, err);
    if (rc == SR_ERR_NOT_FOUND)
        return SR_OK;
    if (rc == SR_OK && strlen(value) < size)
        memcpy(text, value, strlen(value) + 1);
    free(value);
    return rc;
}

/* Checks a method's settings; the pTable is built (a variance no table has
 * is refused) when build or when the method is the cell-key method, which
 * uses it, and its parameters' ranges only checked otherwise (a summary
 * under suppression reads the settings on every run). */
static sr_status check_method(const sr_disclosure_method *m, int build, sr_error *err)
{
    if (strcmp(m->method, "suppression") != 0 && strcmp(m->method, "cell-key") != 0)
        return srp_error_set_where(err, SR_ERR_USAGE, "method",
                                   "'%s' is not a disclosure method: suppression or cell-key",
                                   m->method);
    if (m->ptable_js < 1)
        return srp_error_set_where(err, SR_ERR_USAGE, "ptable_js",
                                   "the blocked counts js must be 1 to %d", SRP_PTABLE_JS_MAX);
    if (!build && strcmp(m->method, "cell-key") != 0)
        return srp_ptable_check(m->ptable_d, m->ptable_v, m->ptable_js, err);
    srp_ptable *pt = NULL;
    sr_status rc = srp_ptable_create(m->ptable_d, m->ptable_v, m->ptable_js, &pt, err);
    srp_ptable_free(pt);
    return rc;
}

sr_status srp_settings_method(sr_registry *reg, sr_disclosure_method *out, sr_error *err)
{
    method_defaults(out);
    char method[SR_SETTINGS_METHOD_MAX] = "", d[16] = "", v[32] = "", js[16] = "";
    sr_status rc = meta_text(reg, "method", method, sizeof method, err);
    if (rc == SR_OK)
        rc = meta_text(reg, "ptable_d", d, sizeof d, err);
    if (rc == SR_OK)
        rc = meta_text(reg, "ptable_v", v, sizeof v, err);
    if (rc == SR_OK)
        rc = meta_text(reg, "ptable_js", js, sizeof js, err);
    if (rc != SR_OK)
        return rc;
    if (method[0])
        memcpy(out->method, method, sizeof method);
    if (d[0])
        out->ptable_d = (int)strtol(d, NULL, 10);
    if (v[0])
        out->ptable_v = strtod(v, NULL);
    if (js[0])
        out->ptable_js = (int)strtol(js, NULL, 10);
    sr_error check = {0};
    if (check_method(out, 0, &check) != SR_OK)
        return srp_error_set(err, SR_ERR_CORRUPT, "the registry's disclosure method is damaged");
    return SR_OK;
}

sr_status sr_settings_method(sr_registry *reg, sr_disclosure_method *out, sr_error *err)
{
    sr_status rc = srp_settings_method(reg, out, err);
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "settings.show", NULL, "method", NULL, NULL, err);
    return rc;
}

static sr_status store_method(sr_registry *reg, void *vctx, sr_error *err)
{
    const sr_disclosure_method *m = vctx;
    sqlite3 *db = srp_registry_db(reg);
    char d[16], v[32], js[16];
    snprintf(d, sizeof d, "%d", m->ptable_d);
    snprintf(v, sizeof v, "%.6g", m->ptable_v);
    snprintf(js, sizeof js, "%d", m->ptable_js);
    sr_status rc = srp_store_meta_set(db, "method", m->method, err);
    if (rc == SR_OK)
        rc = srp_store_meta_set(db, "ptable_d", d, err);
    if (rc == SR_OK)
        rc = srp_store_meta_set(db, "ptable_v", v, err);
    if (rc == SR_OK)
        rc = srp_store_meta_set(db, "ptable_js", js, err);
    return rc;
}

sr_status sr_settings_set_method(sr_registry *reg, const sr_disclosure_method *method,
                                 sr_error *err)
{
    sr_status rc = sr_registry_require(reg, SR_ROLE_BIT(SR_ROLE_ADMIN), "change settings", err);
    if (rc != SR_OK)
        return rc;
    sr_disclosure_method m = *method;
    m.method[sizeof m.method - 1] = '\0';
    rc = check_method(&m, 1, err);
    if (rc != SR_OK)
        return rc;
    char detail[96];
    snprintf(detail, sizeof detail, "method=%s D=%d V=%.6g js=%d", m.method, m.ptable_d, m.ptable_v,
             m.ptable_js);
    return srp_registry_transaction(reg, "settings.set", NULL, detail, store_method, &m, err);
}
