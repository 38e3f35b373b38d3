/*
 * audit_int.h - the internal half of the audit module (audit.c): the keyed
 * hash chain of the tamper-evident access log inside the registry. Reading
 * and checking the log from a front end is sigreg/audit.h.
 *
 * Each entry (sequence, time, user, action, case code, detail) carries a
 * keyed BLAKE2b MAC over its fields and the previous entry's MAC, so editing,
 * deleting or reordering entries breaks the chain. Entries name cases by case
 * code only; callers must never put a personnummer or free text in a detail.
 * Appending happens inside the caller's transaction, so an action and its
 * entry are stored together or not at all.
 */
#ifndef SIGREG_AUDIT_INT_H
#define SIGREG_AUDIT_INT_H

#include <sqlite3.h>

#include "crypto.h"
#include "sigreg/audit.h"

/* The head of the chain and the statements that append to it, kept by a
 * session between entries. Valid only while nobody else can append (the
 * session holds the registry's lock); zero it to start, and reset it
 * (finalizes its statements) whenever the lock was given up or the
 * connection changes. */
typedef struct srp_audit_cursor {
    sqlite3 *db;
    sqlite3_stmt *last, *insert;
    int known;
    sqlite3_int64 seq;
    unsigned char mac[SRP_MAC_BYTES];
} srp_audit_cursor;
void srp_audit_cursor_reset(srp_audit_cursor *cur);
/* Forgets the head (another process may append) and keeps the statements. */
void srp_audit_cursor_forget(srp_audit_cursor *cur);
/* srp_audit_append through a cursor: the head is read once while known. */
sr_status srp_audit_append_at(srp_audit_cursor *cur, sqlite3 *db,
                              const unsigned char key[SRP_KEY_BYTES], const char *user,
                              const char *action, const char *case_code, const char *detail,
                              sr_error *err);
sr_status srp_audit_append(sqlite3 *db, const unsigned char key[SRP_KEY_BYTES], const char *user,
                           const char *action, const char *case_code, const char *detail,
                           sr_error *err);
/* Walks the whole chain; fills report (entries, head) and returns
 * SR_ERR_TAMPERED with the first bad entry named when it breaks. */
sr_status srp_audit_verify(sqlite3 *db, const unsigned char key[SRP_KEY_BYTES],
                           sr_audit_report *report, sr_error *err);
/* Verifies the chain under old_key, then rewrites every MAC under new_key,
 * in one transaction. */
sr_status srp_audit_rekey(sqlite3 *db, const unsigned char old_key[SRP_KEY_BYTES],
                          const unsigned char new_key[SRP_KEY_BYTES], sr_error *err);

#endif
