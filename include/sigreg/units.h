/*
 * units.h - the units of a registry (the groups that own cases).
 *
 * Admins add units; listing is audited like every other call. A unit is a
 * code and a display name, nothing personal.
 */
#ifndef SIGREG_UNITS_H
#define SIGREG_UNITS_H

#include "sigreg/registry.h"
#include "sigreg/status.h"

typedef struct sr_unit_info {
    const char *code;
    const char *name;
} sr_unit_info;
/* Called once per unit; the strings are borrowed for the call. */
/* 0 to go on, non-zero to stop (the rule of status.h). */
typedef int (*sr_unit_fn)(void *ctx, const sr_unit_info *unit);

sr_status sr_unit_add(sr_registry *reg, const char *code, const char *name, sr_error *err);
sr_status sr_unit_list(sr_registry *reg, sr_unit_fn fn, void *ctx, sr_error *err);

#endif
