/*
 * extract_known.h - an evaluator's file of known registries (internal), as
 * ssh's known_hosts: one line per registry, "REGISTRY-ID FINGERPRINT", the
 * fingerprint that of the registry signing key last trusted for it. Lines
 * starting with '#' and empty lines are kept as they are.
 *
 * This module only reads and rewrites that file (atomically, mode 0600, its
 * folder made 0700 when missing); deciding whom to trust is extract_open's.
 * It never opens an extract and never holds a key.
 */
#ifndef SIGREG_EXTRACT_KNOWN_H
#define SIGREG_EXTRACT_KNOWN_H

#include "sigreg/extract.h"
#include "sigreg/status.h"

/* The fingerprint known for registry_id into fp; SR_ERR_NOT_FOUND when the
 * file has none (or does not exist); SR_ERR_INVALID (where: the path) when
 * the file is damaged. */
sr_status srp_known_lookup(const char *path, const char *registry_id, char fp[SR_FINGERPRINT_SIZE],
                           sr_error *err);
/* Records fp for registry_id, replacing the line of an earlier one. */
sr_status srp_known_remember(const char *path, const char *registry_id, const char *fp,
                             sr_error *err);

#endif
