/*
 * sidelog.h - the access log of users who hold no key to the database
 * (analysts; internal).
 *
 * An analyst's session cannot write the database's own log, so what an
 * analyst does (each publication read, each refusal) is appended to a file
 * beside the registry, STEM.sidelog: one JSON line per entry, each
 * hash-chained to the one before (the first to the registry id) and signed
 * with the acting user's own Ed25519 key from their slot. Admins and
 * coordinators verify it (every link and signature, each signer certified by
 * whoever calls) and anchor its length and head in the database's log, so
 * that a cut or a rewrite below an anchor shows: the anchor is in a log the
 * analysts cannot write. The caller holds the registry's lock around an
 * append. This module never opens the database and never prints.
 */
#ifndef SIGREG_SIDELOG_H
#define SIGREG_SIDELOG_H

#include <stdint.h>

#include "audit_int.h"
#include "sigreg/audit.h"

#define SRP_SIDELOG_EXT ".sidelog"

/* STEM.sidelog of a registry's database path (malloc'd; NULL: no memory). */
char *srp_sidelog_path(const char *db_path);

/* Appends an entry signed by signer; a torn last line (a crash during an
 * earlier append) is cut off first. */
sr_status srp_sidelog_append(const char *path, const char *registry_id,
                             const srp_audit_signer *signer, const char *user, const char *action,
                             const char *case_code, const char *detail, sr_error *err);

/* What a verification found: the entries that hold and the head's link. */
typedef struct srp_sidelog_report {
    int64_t entries;
    unsigned char head[SRP_MAC_BYTES];
} srp_sidelog_report;

/* Checks every entry (sequence, link, signature, certify(user, signer)),
 * and, when anchor_seq > 0, that entry anchor_seq still has link
 * anchor_head: SR_ERR_TAMPERED naming the first bad entry otherwise. A
 * missing file is an empty log. fn, when given, gets each entry (the last
 * limit when limit > 0) after the whole log verified. */
sr_status srp_sidelog_verify(const char *path, const char *registry_id,
                             srp_audit_certify_fn certify, void *certify_ctx, int64_t anchor_seq,
                             const unsigned char *anchor_head, int64_t limit, sr_audit_entry_fn fn,
                             void *fn_ctx, srp_sidelog_report *report, sr_error *err);

/* A position in a side log: an entry's number and its link. */
typedef struct srp_sidelog_mark {
    int64_t seq;
    unsigned char link[SRP_MAC_BYTES];
} srp_sidelog_mark;

/* The newest whole entry's mark into *head (seq 0: an empty or missing
 * log); SR_ERR_TAMPERED when the last line is not an entry. */
sr_status srp_sidelog_head(const char *path, srp_sidelog_mark *head, sr_error *err);
/* 1 when the log still holds entry mark->seq with link mark->link, 0 when
 * it does not (cut, or rewritten at or below it), -1 when it cannot be read.
 * Checks only that line: the chain below it is srp_sidelog_verify's. */
int srp_sidelog_holds(const char *path, const srp_sidelog_mark *mark);

#endif
