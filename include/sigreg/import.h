/*
 * import.h - bulk registration from JSON Lines, one case a line:
 *   {"ref": "...", "unit": "U1", "pnr": "..." (or absent),
 *    "responses": [{"form": "sig-intake", "version": 1, "date": "2025-03-01",
 *                   "answers": {...}}, ...]}
 * Each line is all or nothing. Lines are grouped into transactions; a case
 * is only reported back once the transaction that holds it is committed, so
 * that what was reported is always there, even after a crash. The ref is
 * the importer's own reference: it is echoed back, never stored.
 */
#ifndef SIGREG_IMPORT_H
#define SIGREG_IMPORT_H

#include <stddef.h>

#include "sigreg/form.h"
#include "sigreg/registry.h"

typedef struct sr_import sr_import;

typedef struct sr_import_result {
    char ref[129];
    char code[10];
    size_t responses;
} sr_import_result;

/* Called once per committed case, in line order, with its code. */
typedef void (*sr_import_case_fn)(const sr_import_result *committed, void *ctx);

/* Starts an import (admins and coordinators); on_case (may be NULL) hears
 * of every case once it is committed. *out is owned by the caller. */
sr_status sr_import_begin(sr_registry *reg, sr_import_case_fn on_case, void *ctx, sr_import **out,
                          sr_error *err);
/* Imports one line. On success result holds its ref and number of
 * responses; its case code is told at commit. On failure nothing of the line
 * remains, problems and err say why, result->ref holds the line's ref if it
 * had one, and the import goes on, unless sr_import_status_is_fatal says
 * the status ends it: then the open transaction is gone and the import must
 * stop. */
sr_status sr_import_line(sr_import *imp, const char *line, size_t len, sr_import_result *result,
                         sr_problems *problems, sr_error *err);
/* Whether a status from sr_import_line ends the import (the engine, the
 * disk or memory failed, or the registry is busy or damaged) rather than
 * only refusing that line. */
int sr_import_status_is_fatal(sr_status status);
/* Commits what has been imported so far (a line that failed half-way has
 * already committed the lines before it). */
sr_status sr_import_commit(sr_import *imp, sr_error *err);
/* Rolls back anything not committed and frees; NULL is a no-op. */
void sr_import_free(sr_import *imp);

#endif
