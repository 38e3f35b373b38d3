/*
 * settings.h - the registry's settings.
 *
 * Today one: the minimum cell of summaries. Reading and setting are both
 * audited; the library refuses a value below the floor rather than storing it.
 */
#ifndef SIGREG_SETTINGS_H
#define SIGREG_SETTINGS_H

#include "sigreg/registry.h"
#include "sigreg/status.h"

/* The minimum cell of summaries (default 5, never below 3). Any role may
 * read it; admins set it. Both are audited. */
sr_status sr_settings_min_cell(sr_registry *reg, int *min_cell, sr_error *err);
sr_status sr_settings_set_min_cell(sr_registry *reg, int min_cell, sr_error *err);

#endif
