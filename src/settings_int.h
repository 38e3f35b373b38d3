/*
 * settings_int.h - the internal half of the settings module (settings.c):
 * reading a setting for the library's own use, without an audit entry.
 *
 * Only for callers that write their own audit entry for the action the
 * setting serves (a summary); front ends use sigreg/settings.h.
 */
#ifndef SIGREG_SETTINGS_INT_H
#define SIGREG_SETTINGS_INT_H

#include "sigreg/registry.h"
#include "sigreg/settings.h"
#include "sigreg/status.h"

/* The minimum cell setting, without an audit entry (for summaries). */
sr_status srp_settings_min_cell(sr_registry *reg, int *min_cell, sr_error *err);
/* The disclosure method, without an audit entry (for summaries). */
sr_status srp_settings_method(sr_registry *reg, sr_disclosure_method *out, sr_error *err);

#endif
