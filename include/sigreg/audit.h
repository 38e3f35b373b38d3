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
    int64_t entries;           /* entries checked */
    char head[65];             /* hex link of the last entry: with entries, a checkpoint */
    int64_t first_bad_seq;     /* 0 when the chain holds */
    int64_t signed_entries;    /* entries signed by their user (the others predate signatures) */
    int64_t unchecked_entries; /* unsigned entries whose MAC this session cannot check */
    /* The analysts' access log beside the registry (STEM.sidelog): they
     * hold no key to the database, so their entries go there, each signed
     * and hash-chained. In an analyst's session side_log is 1 and entries and
     * head above are the side log's. */
    int side_log;
    int64_t side_entries;
    char side_head[65];
} sr_audit_report;

typedef struct sr_audit_entry {
    int64_t seq;
    const char *at; /* UTC, ISO 8601 */
    const char *user;
    const char *action;    /* e.g. "user.add", "case.show" */
    const char *case_code; /* NULL when the action concerns no case */
    const char *detail;    /* NULL or key=value pairs, never personal data */
} sr_audit_entry;

/* Checks the chain: links, each entry's signature and that the keyring
 * certifies its signer. Any role may verify; the check is logged. */
sr_status sr_audit_verify(sr_registry *reg, sr_audit_report *report, sr_error *err);
/* The same, and that the log still holds what a checkpoint saw: expect is
 * "SEQ:HEAD" (where "expect" when malformed), or checkpoint_path names a
 * signed checkpoint file (sr_audit_checkpoint; its signature and registry
 * are checked first). A log cut below SEQ, or rewritten up to it, is
 * SR_ERR_TAMPERED. Either may be NULL, not both given. */
sr_status sr_audit_verify_against(sr_registry *reg, const char *expect, const char *checkpoint_path,
                                  sr_audit_report *report, sr_error *err);
/* A signed checkpoint of the log as it is now, as text (*text is the
 * caller's, free()): lines "name: value" (format, registry, seq, head, at,
 * signer, key, signature), the last line "SEQ:HEAD" with HEAD in hex.
 * Signed with the session user's signing key; any role; logged. */
sr_status sr_audit_checkpoint(sr_registry *reg, char **text, sr_error *err);

typedef int (*sr_audit_entry_fn)(void *ctx, const sr_audit_entry *entry);
/* Calls fn for each entry in order (strings borrowed for the call), the last
 * `limit` entries when limit > 0; only for admins; the listing is itself
 * logged. fn follows the rule of status.h: 0 to go on, non-zero to stop. */
sr_status sr_audit_list(sr_registry *reg, int64_t limit, const char *case_code,
                        sr_audit_entry_fn fn, void *ctx, sr_error *err);
/* The same for the analysts' access log (its last `limit` entries), after
 * the whole of it verified; admins only. */
sr_status sr_audit_list_side(sr_registry *reg, int64_t limit, sr_audit_entry_fn fn, void *ctx,
                             sr_error *err);

#endif
