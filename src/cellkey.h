/*
 * cellkey.h - the cell-key method (issue 16, item 7; internal): record keys
 * and the consistent perturbation of counts.
 *
 * Every case has a record key, uniform in 32 bits (libsodium), drawn when the
 * case is made (case.c) or by the migration that brought the key column
 * (store.c). A cell's key is the sum of its cases' record keys modulo 2^32,
 * read as a number in [0, 1) by dividing by 2^32: the same cases always give
 * the same cell key, whatever the query or publication they are in. A count
 * is perturbed by the pTable (ptable.h) row of its true value at its cell
 * key. Sums of keys are additive, so the key of a union of disjoint cells (a
 * total) is the sum of theirs.
 *
 * Record keys never leave this module's callers: they are never printed,
 * written into an output or an extract, nor logged. This module reads the
 * registry's settings and record keys; it never writes, never prints.
 */
#ifndef SIGREG_CELLKEY_H
#define SIGREG_CELLKEY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ptable.h"
#include "sigreg/registry.h"
#include "sigreg/status.h"

typedef struct srp_cellkey srp_cellkey;

/* The cell-key method of reg: *out NULL when the registry's method is
 * suppression, else the pTable and every case's record key (the caller's:
 * srp_cellkey_free). A case without a record key is SR_ERR_CORRUPT. */
sr_status srp_cellkey_open(sr_registry *reg, srp_cellkey **out, sr_error *err);
/* The same from a pTable (taken) and record keys given (for tests and
 * publications): codes[i] has keys[i]. */
sr_status srp_cellkey_from(srp_ptable *pt, const char *const *codes, const uint32_t *keys,
                           size_t count, srp_cellkey **out, sr_error *err);
void srp_cellkey_free(srp_cellkey *ck);

const srp_ptable *srp_cellkey_ptable(const srp_cellkey *ck);
/* The pTable, the caller's from now on: ck perturbs nothing after this. */
srp_ptable *srp_cellkey_take_ptable(srp_cellkey *ck);
/* The record key of a case (0 for a code it does not know). */
uint32_t srp_cellkey_record(const srp_cellkey *ck, const char *case_code);
/* A cell key read as a number in [0, 1): key / 2^32. */
double srp_cellkey_unit(uint32_t cell_key);
/* The perturbed count of a cell with count (>= 0) and cell_key. */
long srp_cellkey_perturb(const srp_cellkey *ck, long count, uint32_t cell_key);

/* The pTable as JSON, for the settings of an output and every publication:
 * {"method": "cell-key", "D": .., "V": .., "js": .., "source": "..", "table":
 * [{"i", "j", "p", "v", "p_int_lb", "p_int_ub"}, ...]}, the last row's i
 * standing for every count at or above it. New reference; NULL on OOM. */
json_t *srp_cellkey_ptable_json(const srp_ptable *pt);

/* Under the registry's cell-key method, sets doc's "settings" to
 * {"method": "cell-key", "min_cell": min_cell, "ptable": (as above)}, for
 * every publication; under suppression leaves doc alone. */
sr_status srp_cellkey_settings_into(sr_registry *reg, int min_cell, json_t *doc, sr_error *err);
/* The pTable of a document's "settings" (as written above), rebuilt from
 * its D, V and js: *out NULL when there is none. */
sr_status srp_cellkey_ptable_of(const json_t *doc, srp_ptable **out, sr_error *err);

#endif
