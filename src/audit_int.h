/*
 * audit_int.h - the internal half of the audit module (audit.c): the hash
 * chain of the tamper-evident access log inside the registry, each entry
 * signed by the user who acted, and the signed checkpoints that pin its
 * length. Reading and checking the log from a front end is sigreg/audit.h.
 *
 * Each entry (sequence, time, user, action, case code, detail, signer) is
 * linked to the one before by an unkeyed BLAKE2b hash (link = H(previous
 * link, fields)), and the link is signed with the acting user's own Ed25519
 * key (its public half stored with the entry and certified by the keyring),
 * so nobody can edit, delete, reorder or insert another user's entry without
 * breaking a signature they cannot make again. Entries written before
 * signatures (or by a session without a signing key) carry a keyed MAC
 * instead, chained over the previous entry's mac column, as before.
 * Truncation of the tail is caught against a checkpoint (a signed sequence
 * and link). Entries name cases by case code only; callers must never put a
 * personnummer, a pseudonym or free text in a detail. Appending happens
 * inside the caller's transaction, so an action and its entry are stored
 * together or not at all (refusals: srp_registry_log_apart).
 */
#ifndef SIGREG_AUDIT_INT_H
#define SIGREG_AUDIT_INT_H

#include <sqlite3.h>

#include "crypto.h"
#include "sigreg/audit.h"

/* For test tools that must build against older trees too. */
#define SRP_AUDIT_SIGNED_ENTRIES 1

/* Who signs an entry: the public key stored with it and a function that
 * signs with the secret half (kept by whoever owns ctx). */
typedef sr_status (*srp_sign_fn)(void *ctx, const unsigned char *msg, size_t len,
                                 unsigned char sig[SRP_SIGNATURE_BYTES], sr_error *err);
typedef struct srp_audit_signer {
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES];
    srp_sign_fn sign;
    void *ctx;
} srp_audit_signer;

/* Whether the keyring certifies pk as the signing key of user: 1 yes (and
 * *is_admin says whether user is an admin), 0 no. Keys of users no longer in
 * the keyring are learned from the log itself: an entry "user.add" or
 * "user.remove" signed by a certified admin whose detail holds
 * "user=NAME role=ROLE ... sign_key=HEX" certifies that key for NAME's
 * entries (earlier and later). */
typedef int (*srp_audit_certify_fn)(void *ctx, const char *user,
                                    const unsigned char pk[SRP_SIGN_PUBLIC_BYTES], int *is_admin);

/* What a walk of the chain checks beside the links. */
typedef struct srp_audit_check {
    const unsigned char *mac_key; /* for unsigned (older) entries; NULL: their MAC not checked */
    srp_audit_certify_fn certify; /* NULL: any signer is taken as certified */
    void *certify_ctx;
    int64_t expect_seq; /* > 0: the chain must reach this entry with link expect_head */
    unsigned char expect_head[SRP_MAC_BYTES];
} srp_audit_check;

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
    unsigned char mac[SRP_MAC_BYTES];  /* the last entry's mac column */
    unsigned char link[SRP_MAC_BYTES]; /* the last entry's link */
} srp_audit_cursor;
void srp_audit_cursor_reset(srp_audit_cursor *cur);
/* Forgets the head (another process may append) and keeps the statements. */
void srp_audit_cursor_forget(srp_audit_cursor *cur);
/* Appends an entry through a cursor (the head is read once while known):
 * signed by signer when it is given, else MAC'd under key. */
sr_status srp_audit_append_at(srp_audit_cursor *cur, sqlite3 *db,
                              const unsigned char key[SRP_KEY_BYTES],
                              const srp_audit_signer *signer, const char *user, const char *action,
                              const char *case_code, const char *detail, sr_error *err);
sr_status srp_audit_append(sqlite3 *db, const unsigned char key[SRP_KEY_BYTES],
                           const srp_audit_signer *signer, const char *user, const char *action,
                           const char *case_code, const char *detail, sr_error *err);
/* Walks the whole chain; fills report (entries, head) and returns
 * SR_ERR_TAMPERED with the first bad entry named when it breaks, or when it
 * does not reach check->expect_seq with that link. */
sr_status srp_audit_verify(sqlite3 *db, const srp_audit_check *check, sr_audit_report *report,
                           sr_error *err);
/* Verifies the chain under old_key, then rewrites the MAC of every unsigned
 * entry under new_key, in one transaction (signed entries need no key). */
sr_status srp_audit_rekey(sqlite3 *db, const unsigned char old_key[SRP_KEY_BYTES],
                          const unsigned char new_key[SRP_KEY_BYTES], sr_error *err);

/* A signed checkpoint of the session's registry as text (malloc'd, the
 * caller frees), its last line SEQ:HEAD; *seq gets SEQ. Signed with the
 * session's signing key; not logged (callers log it with what they do). */
typedef struct sr_registry sr_registry;
sr_status srp_audit_checkpoint_text(sr_registry *reg, char **text, int64_t *seq, sr_error *err);
/* Verifies the analysts' side log (sidelog.h) against its newest anchor in
 * the database's log and, in a session that writes the database, anchors
 * what it verified; *entries gets its length. */
sr_status srp_audit_side_check(sr_registry *reg, int64_t *entries, sr_error *err);
/* Whether the side log grew beyond its newest anchor and verifies (every
 * entry, and the anchor held): then detail gets the new anchor entry's
 * detail, which the caller appends as "sidelog.anchor" in the transaction
 * it is in. A session that writes the database anchors the side log so at
 * every write, so that an analyst's entries cannot be cut unnoticed once
 * any admin or coordinator has worked since. */
int srp_audit_side_anchor_due(sr_registry *reg, char *detail, size_t size);

#endif
