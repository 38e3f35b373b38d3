/*
 * settings.c - registry settings kept in the database (the minimum cell of
 * summaries).
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "registry_int.h"
#include "settings_int.h"
#include "sigreg/settings.h"
#include "sigreg/stats.h"
#include "store.h"

sr_status srp_settings_min_cell(sr_registry *reg, int *min_cell, sr_error *err)
{
    char *value = NULL;
    *min_cell = 5;
    sr_status rc = srp_store_meta_get(srp_registry_db(reg), "min_cell", &value, err);
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
