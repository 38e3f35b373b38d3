/*
 * settings.h - the registry's settings.
 *
 * The minimum cell of summaries, and the disclosure method: suppression
 * (the default) or the cell-key method with its perturbation table's D, V
 * and js. Reading and setting are both audited; the library refuses a value
 * out of range (or a table that cannot be built) rather than storing it.
 */
#ifndef SIGREG_SETTINGS_H
#define SIGREG_SETTINGS_H

#include "sigreg/registry.h"
#include "sigreg/status.h"

/* The minimum cell of summaries (default 5, never below 3). Any role may
 * read it; admins set it. Both are audited. */
sr_status sr_settings_min_cell(sr_registry *reg, int *min_cell, sr_error *err);
sr_status sr_settings_set_min_cell(sr_registry *reg, int min_cell, sr_error *err);

/* The disclosure method of summaries and publications. */
#define SR_SETTINGS_METHOD_MAX 16
typedef struct sr_disclosure_method {
    char method[SR_SETTINGS_METHOD_MAX]; /* "suppression" (default) or "cell-key" */
    int ptable_d;                        /* the largest noise D, 2..5 (default 5) */
    double ptable_v;                     /* the noise variance V, 0.9..3 (default 3) */
    int ptable_js;                       /* no perturbed count is 1..js, js >= 1 (default 2) */
} sr_disclosure_method;

/* Any role may read the method; admins set it (the pTable parameters are
 * kept, and checked, whichever the method). Errors name "method",
 * "ptable_d", "ptable_v" or "ptable_js". Both are audited. */
sr_status sr_settings_method(sr_registry *reg, sr_disclosure_method *out, sr_error *err);
sr_status sr_settings_set_method(sr_registry *reg, const sr_disclosure_method *method,
                                 sr_error *err);

#endif
