/*
 * audit.h - reading and checking a registry's access log.
 *
 * Every library call that reads or changes registry data appends an entry by
 * itself; front ends only list and verify. Listing is for admins.
 */
#ifndef SIGREG_PUBLIC_AUDIT_H
#define SIGREG_PUBLIC_AUDIT_H

#include <stdint.h>

#include "sigreg/status.h"

typedef struct sr_registry sr_registry;

typedef struct sr_audit_report {
    int64_t entries;       /* entries checked */
    char head[65];         /* hex MAC of the last entry: note it to detect truncation later */
    int64_t first_bad_seq; /* 0 when the chain holds */
} sr_audit_report;

typedef struct sr_audit_entry {
    int64_t seq;
    const char *at; /* UTC, ISO 8601 */
    const char *user;
    const char *action;    /* e.g. "user.add", "case.show" */
    const char *case_code; /* NULL when the action concerns no case */
    const char *detail;    /* NULL or key=value pairs, never personal data */
} sr_audit_entry;

/* Checks the chain. Any role may verify. */
sr_status sr_audit_verify(sr_registry *reg, sr_audit_report *report, sr_error *err);

typedef int (*sr_audit_entry_fn)(void *ctx, const sr_audit_entry *entry);
/* Calls fn for each entry in order (strings borrowed for the call), the last
 * `limit` entries when limit > 0; only for admins; the listing is itself
 * logged. fn follows the rule of status.h: 0 to go on, non-zero to stop. */
sr_status sr_audit_list(sr_registry *reg, int64_t limit, const char *case_code,
                        sr_audit_entry_fn fn, void *ctx, sr_error *err);

#endif
