/*
 * audit.c - the access log: its keyed hash chain (audit_int.h) and, on top of
 * it, what a session may do with it (sigreg/audit.h: verify, list).
 */
#include "audit_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buffer.h"
#include "base/error.h"
#include "registry_int.h"
#include "sigreg/audit.h"
#include "sigreg/registry.h"
#include "store.h"
#include "base/timeutil.h"

/* The MAC's input, built in one buffer and hashed at once: the same bytes
 * as a streamed MAC, without a guarded state allocated per entry (the
 * fields are the log's own text, not secrets). */
typedef struct mac_input {
    unsigned char *p;
    size_t len, cap;
    int failed;
} mac_input;

static void put_bytes(mac_input *in, const void *data, size_t len)
{
    if (in->failed || len == 0)
        return;
    if (srp_grow((void **)&in->p, &in->cap, in->len + len, 1) != 0) {
        in->failed = 1;
        return;
    }
    memcpy(in->p + in->len, data, len);
    in->len += len;
}

/* A field: its length (8 bytes, little endian), then its bytes. */
static void put_field(mac_input *in, const void *data, size_t len)
{
    unsigned char prefix[8];
    uint64_t n = len;
    for (int i = 0; i < 8; i++)
        prefix[i] = (unsigned char)(n >> (8 * i));
    put_bytes(in, prefix, sizeof prefix);
    put_bytes(in, data, len);
}

static void put_text(mac_input *in, const unsigned char *text)
{
    /* A NULL and an empty string must hash differently. */
    unsigned char present = text != NULL;
    put_bytes(in, &present, 1);
    put_field(in, text ? text : (const unsigned char *)"", text ? strlen((const char *)text) : 0);
}

/* mac = MAC(key, prev || seq || at || user || action || case_code || detail) */
static sr_status entry_mac(const unsigned char key[SRP_KEY_BYTES],
                           const unsigned char prev[SRP_MAC_BYTES], sqlite3_int64 seq,
                           const unsigned char *at, const unsigned char *user,
                           const unsigned char *action, const unsigned char *case_code,
                           const unsigned char *detail, unsigned char out[SRP_MAC_BYTES],
                           sr_error *err)
{
    mac_input in = {NULL, 0, 0, 0};
    unsigned char seqb[8];
    for (int i = 0; i < 8; i++)
        seqb[i] = (unsigned char)((sqlite3_uint64)seq >> (8 * i));
    put_field(&in, prev, SRP_MAC_BYTES);
    put_field(&in, seqb, sizeof seqb);
    put_text(&in, at);
    put_text(&in, user);
    put_text(&in, action);
    put_text(&in, case_code);
    put_text(&in, detail);
    if (in.failed) {
        free(in.p);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    srp_mac(out, key, in.p, in.len);
    free(in.p);
    return SR_OK;
}

static sr_status last_entry(sqlite3 *db, sqlite3_stmt *st, sqlite3_int64 *seq,
                            unsigned char mac[SRP_MAC_BYTES], sr_error *err)
{
    sr_status rc = SR_OK;
    *seq = 0;
    memset(mac, 0, SRP_MAC_BYTES);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        if (sqlite3_column_bytes(st, 1) != SRP_MAC_BYTES)
            rc = srp_error_set(err, SR_ERR_TAMPERED, "audit entry %lld has a damaged MAC",
                               (long long)*seq);
        else
            memcpy(mac, sqlite3_column_blob(st, 1), SRP_MAC_BYTES);
    } else if (src != SQLITE_DONE) {
        rc = srp_store_fail(db, src, "read the audit log", err);
    }
    sqlite3_reset(st);
    return rc;
}

void srp_audit_cursor_reset(srp_audit_cursor *cur)
{
    sqlite3_finalize(cur->last);
    sqlite3_finalize(cur->insert);
    memset(cur, 0, sizeof *cur);
}

void srp_audit_cursor_forget(srp_audit_cursor *cur)
{
    cur->known = 0;
}

sr_status srp_audit_append_at(srp_audit_cursor *cur, sqlite3 *db,
                              const unsigned char key[SRP_KEY_BYTES], const char *user,
                              const char *action, const char *case_code, const char *detail,
                              sr_error *err)
{
    sr_status rc = SR_OK;
    if (cur->db != db) {
        srp_audit_cursor_reset(cur);
        cur->db = db;
    }
    if (!cur->last)
        rc = srp_store_prepare(db, "SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1",
                               &cur->last, err);
    if (rc == SR_OK && !cur->insert)
        rc = srp_store_prepare(db,
                               "INSERT INTO audit (seq, at, user, action, case_code, detail, mac)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                               &cur->insert, err);
    if (rc == SR_OK && !cur->known) {
        rc = last_entry(db, cur->last, &cur->seq, cur->mac, err);
        cur->known = rc == SR_OK;
    }
    if (rc != SR_OK)
        return rc;
    unsigned char mac[SRP_MAC_BYTES];
    char at[32];
    srp_time_now_iso(at, sizeof at);
    sqlite3_int64 seq = cur->seq + 1;
    rc = entry_mac(key, cur->mac, seq, (const unsigned char *)at, (const unsigned char *)user,
                   (const unsigned char *)action, (const unsigned char *)case_code,
                   (const unsigned char *)detail, mac, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_stmt *st = cur->insert;
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, user, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
    if (case_code)
        sqlite3_bind_text(st, 5, case_code, -1, SQLITE_STATIC);
    if (detail)
        sqlite3_bind_text(st, 6, detail, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, mac, sizeof mac, SQLITE_TRANSIENT);
    int src = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (src != SQLITE_DONE) {
        cur->known = 0;
        return srp_store_fail(db, src, "write the audit log", err);
    }
    cur->seq = seq;
    memcpy(cur->mac, mac, SRP_MAC_BYTES);
    return SR_OK;
}

sr_status srp_audit_append(sqlite3 *db, const unsigned char key[SRP_KEY_BYTES], const char *user,
                           const char *action, const char *case_code, const char *detail,
                           sr_error *err)
{
    srp_audit_cursor cur;
    memset(&cur, 0, sizeof cur);
    sr_status rc = srp_audit_append_at(&cur, db, key, user, action, case_code, detail, err);
    srp_audit_cursor_reset(&cur);
    return rc;
}

/* Walks the chain; with new_key set, rewrites each MAC under it. */
static sr_status walk_chain(sqlite3 *db, const unsigned char key[SRP_KEY_BYTES],
                            const unsigned char *new_key, sr_audit_report *report, sr_error *err)
{
    sqlite3_stmt *st = NULL, *upd = NULL;
    unsigned char prev[SRP_MAC_BYTES], mac[SRP_MAC_BYTES];
    unsigned char new_prev[SRP_MAC_BYTES], new_mac[SRP_MAC_BYTES];
    memset(prev, 0, sizeof prev);
    memset(new_prev, 0, sizeof new_prev);
    memset(report, 0, sizeof *report);
    sr_status rc = srp_store_prepare(
        db, "SELECT seq, at, user, action, case_code, detail, mac FROM audit ORDER BY seq", &st,
        err);
    if (rc == SR_OK && new_key)
        rc = srp_store_prepare(db, "UPDATE audit SET mac = ?1 WHERE seq = ?2", &upd, err);
    sqlite3_int64 expected = 1;
    int src;
    while (rc == SR_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 seq = sqlite3_column_int64(st, 0);
        rc = entry_mac(key, prev, seq, sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
                       sqlite3_column_text(st, 3), sqlite3_column_text(st, 4),
                       sqlite3_column_text(st, 5), mac, err);
        if (rc != SR_OK)
            break;
        int mac_ok = sqlite3_column_bytes(st, 6) == SRP_MAC_BYTES &&
                     srp_memcmp(mac, sqlite3_column_blob(st, 6), SRP_MAC_BYTES) == 0;
        if (seq != expected || !mac_ok) {
            report->first_bad_seq = seq;
            rc = srp_error_set(err, SR_ERR_TAMPERED,
                               seq != expected
                                   ? "the audit log is broken at entry %lld: entries are missing "
                                     "or out of order"
                                   : "the audit log is broken at entry %lld: it was altered, "
                                     "or entries before it were removed or reordered",
                               (long long)seq);
            break;
        }
        memcpy(prev, mac, sizeof prev);
        if (upd) {
            rc = entry_mac(new_key, new_prev, seq, sqlite3_column_text(st, 1),
                           sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
                           sqlite3_column_text(st, 4), sqlite3_column_text(st, 5), new_mac, err);
            if (rc != SR_OK)
                break;
            sqlite3_bind_blob(upd, 1, new_mac, sizeof new_mac, SQLITE_TRANSIENT);
            sqlite3_bind_int64(upd, 2, seq);
            int urc = sqlite3_step(upd);
            sqlite3_reset(upd);
            if (urc != SQLITE_DONE) {
                rc = srp_store_fail(db, urc, "rewrite the audit log", err);
                break;
            }
            memcpy(new_prev, new_mac, sizeof new_prev);
        }
        report->entries++;
        expected++;
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read the audit log", err);
    if (rc == SR_OK)
        srp_hex_encode(report->head, upd ? new_prev : prev, SRP_MAC_BYTES);
    sqlite3_finalize(st);
    sqlite3_finalize(upd);
    return rc;
}

sr_status srp_audit_verify(sqlite3 *db, const unsigned char key[SRP_KEY_BYTES],
                           sr_audit_report *report, sr_error *err)
{
    return walk_chain(db, key, NULL, report, err);
}

sr_status srp_audit_rekey(sqlite3 *db, const unsigned char old_key[SRP_KEY_BYTES],
                          const unsigned char new_key[SRP_KEY_BYTES], sr_error *err)
{
    sr_audit_report report;
    sr_status rc = srp_store_begin(db, err);
    if (rc != SR_OK)
        return rc;
    rc = walk_chain(db, old_key, new_key, &report, err);
    if (rc == SR_OK)
        return srp_store_commit(db, err);
    srp_store_rollback(db);
    return rc;
}

/* ---- the public face: a session verifies and reads the log ------------------------------- */

sr_status sr_audit_verify(sr_registry *reg, sr_audit_report *report, sr_error *err)
{
    sr_status rc = srp_registry_audit_verify(reg, report, err);
    if (rc != SR_OK)
        return rc;
    char detail[96];
    snprintf(detail, sizeof detail, "entries=%lld", (long long)report->entries);
    return srp_registry_transaction(reg, "audit.verify", NULL, detail, NULL, NULL, err);
}

sr_status sr_audit_list(sr_registry *reg, int64_t limit, const char *case_code,
                        sr_audit_entry_fn fn, void *ctx, sr_error *err)
{
    sr_status rc = sr_registry_require(reg, SR_ROLE_BIT(SR_ROLE_ADMIN), "read the audit log", err);
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "audit.show", case_code, NULL, NULL, NULL, err);
    sqlite3_stmt *st = NULL;
    if (rc == SR_OK)
        rc = srp_store_prepare(srp_registry_db(reg),
                               "SELECT seq, at, user, action, case_code, detail FROM ("
                               " SELECT * FROM audit WHERE ?1 IS NULL OR case_code = ?1"
                               " ORDER BY seq DESC LIMIT ?2) ORDER BY seq",
                               &st, err);
    if (rc != SR_OK)
        return rc;
    if (case_code)
        sqlite3_bind_text(st, 1, case_code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        sr_audit_entry e = {sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
                            (const char *)sqlite3_column_text(st, 2),
                            (const char *)sqlite3_column_text(st, 3),
                            (const char *)sqlite3_column_text(st, 4),
                            (const char *)sqlite3_column_text(st, 5)};
        if (fn && fn(ctx, &e) != 0)
            break;
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = srp_store_fail(srp_registry_db(reg), src, "read the audit log", err);
    sqlite3_finalize(st);
    return rc;
}
