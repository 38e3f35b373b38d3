/*
 * maintenance.h - checking a registry whole and writing backups.
 *
 * A backup is a still encrypted copy; this module never writes a decrypted
 * one, and never writes onto the registry's own files.
 */
#ifndef SIGREG_MAINTENANCE_H
#define SIGREG_MAINTENANCE_H

#include <stdint.h>

#include "sigreg/registry.h"
#include "sigreg/status.h"

typedef struct sr_verify_report {
    int database_ok; /* integrity_check of the database; -1 not checked (no data key) */
    int codekey_ok;  /* 1 ok, 0 damaged, -1 not checked (no identity key) */
    int audit_ok;
    int64_t audit_entries;
    char audit_head[65];
    int sidelog_ok; /* the analysts' access log (STEM.sidelog), signed and chained */
    int64_t sidelog_entries;
} sr_verify_report;
/* Checks the database (for holders of the data key), the code key (for
 * holders of the identity key), the audit chain and the analysts' access
 * log. Returns SR_OK only when all hold. An analyst's session checks the
 * access log alone (audit_* then describe it). */
sr_status sr_registry_verify(sr_registry *reg, sr_verify_report *report, sr_error *err);
/* Writes a consistent, still encrypted copy (database, keyring and code key)
 * at out_path and its sidecars, with a signed audit checkpoint of the copy
 * as STEM.checkpoint, then opens the copy and checks it. Admins. */
sr_status sr_registry_backup(sr_registry *reg, const char *out_path, sr_error *err);

#endif
