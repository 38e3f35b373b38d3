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

/* The minimum cell a summary uses when requested is asked for (0: none
 * asked). The registry's setting is a floor that nobody but an admin's
 * setting moves: a request below it is refused; a request above it is
 * refused too unless allow_raise (a publication's own settings, applied to
 * the whole package at once, never a live query: two patterns of withheld
 * figures could be combined). SR_ERR_USAGE with where "min_cell". */
sr_status srp_settings_min_cell_for(sr_registry *reg, int requested, int allow_raise, int *min_cell,
                                    sr_error *err);

#endif
