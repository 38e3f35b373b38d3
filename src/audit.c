/*
 * audit.c - the access log: its hash chain and signatures (audit_int.h),
 * its checkpoints and, on top of them, what a session may do with it
 * (sigreg/audit.h: verify, list, checkpoint).
 */
#include "audit_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/fileio.h"
#include "base/timeutil.h"
#include "registry_int.h"
#include "sidelog.h"
#include "sigreg/audit.h"
#include "sigreg/registry.h"
#include "store.h"

/* A hash or MAC input, built in one buffer and hashed at once (the fields
 * are the log's own text, not secrets). */
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

static void put_seq(mac_input *in, sqlite3_int64 seq)
{
    unsigned char seqb[8];
    for (int i = 0; i < 8; i++)
        seqb[i] = (unsigned char)((sqlite3_uint64)seq >> (8 * i));
    put_field(in, seqb, sizeof seqb);
}

/* An entry's fields as read from or written to a row. */
typedef struct entry_fields {
    sqlite3_int64 seq;
    const unsigned char *at, *user, *action, *case_code, *detail;
    const unsigned char *signer; /* SRP_SIGN_PUBLIC_BYTES or NULL */
} entry_fields;

static void put_fields(mac_input *in, const entry_fields *f)
{
    put_seq(in, f->seq);
    put_text(in, f->at);
    put_text(in, f->user);
    put_text(in, f->action);
    put_text(in, f->case_code);
    put_text(in, f->detail);
}

/* mac = MAC(key, prev || seq || at || user || action || case_code || detail):
 * the entries made before signatures, and by sessions without a key. */
static sr_status entry_mac(const unsigned char key[SRP_KEY_BYTES],
                           const unsigned char prev[SRP_MAC_BYTES], const entry_fields *f,
                           unsigned char out[SRP_MAC_BYTES], sr_error *err)
{
    mac_input in = {NULL, 0, 0, 0};
    put_field(&in, prev, SRP_MAC_BYTES);
    put_fields(&in, f);
    if (in.failed) {
        free(in.p);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    srp_mac(out, key, in.p, in.len);
    free(in.p);
    return SR_OK;
}

/* link = H("sigreg-audit/2" || previous link || fields || signer): unkeyed,
 * so anyone can follow the chain; the signatures make it unforgeable. */
static sr_status entry_link(const unsigned char prev[SRP_MAC_BYTES], const entry_fields *f,
                            unsigned char out[SRP_MAC_BYTES], sr_error *err)
{
    static const char domain[] = "sigreg-audit/2";
    mac_input in = {NULL, 0, 0, 0};
    put_field(&in, domain, sizeof domain - 1);
    put_field(&in, prev, SRP_MAC_BYTES);
    put_fields(&in, f);
    unsigned char present = f->signer != NULL;
    put_bytes(&in, &present, 1);
    put_field(&in, f->signer ? f->signer : (const unsigned char *)"",
              f->signer ? SRP_SIGN_PUBLIC_BYTES : 0);
    if (in.failed) {
        free(in.p);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    srp_hash(out, in.p, in.len);
    free(in.p);
    return SR_OK;
}

/* What an entry's signature covers: a domain and the entry's link. */
static void signed_message(const unsigned char link[SRP_MAC_BYTES], unsigned char out[48])
{
    memcpy(out, "sigreg-audit-entry/2", 16);
    memcpy(out + 16, link, SRP_MAC_BYTES);
}

static const char select_all[] = "SELECT seq, at, user, action, case_code, detail, mac, link,"
                                 " signer, sig FROM audit ORDER BY seq";

static void fields_of_row(sqlite3_stmt *st, entry_fields *f)
{
    f->seq = sqlite3_column_int64(st, 0);
    f->at = sqlite3_column_text(st, 1);
    f->user = sqlite3_column_text(st, 2);
    f->action = sqlite3_column_text(st, 3);
    f->case_code = sqlite3_column_text(st, 4);
    f->detail = sqlite3_column_text(st, 5);
    f->signer =
        sqlite3_column_bytes(st, 8) == SRP_SIGN_PUBLIC_BYTES ? sqlite3_column_blob(st, 8) : NULL;
}

/* Fills in the link of every row written before links were stored (a NULL
 * link), in the caller's transaction: they are a prefix of the log. */
static sr_status backfill_links(sqlite3 *db, sr_error *err)
{
    sqlite3_stmt *st = NULL, *upd = NULL;
    unsigned char link[SRP_MAC_BYTES];
    memset(link, 0, sizeof link);
    sr_status rc = srp_store_prepare(db, select_all, &st, err);
    if (rc == SR_OK)
        rc = srp_store_prepare(db, "UPDATE audit SET link = ?1 WHERE seq = ?2", &upd, err);
    int src = SQLITE_DONE;
    while (rc == SR_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        entry_fields f;
        fields_of_row(st, &f);
        int had = sqlite3_column_bytes(st, 7) == SRP_MAC_BYTES;
        rc = entry_link(link, &f, link, err);
        if (rc != SR_OK || had)
            continue;
        sqlite3_bind_blob(upd, 1, link, sizeof link, SQLITE_TRANSIENT);
        sqlite3_bind_int64(upd, 2, f.seq);
        int urc = sqlite3_step(upd);
        sqlite3_reset(upd);
        if (urc != SQLITE_DONE)
            rc = srp_store_fail(db, urc, "write the audit log", err);
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read the audit log", err);
    sqlite3_finalize(st);
    sqlite3_finalize(upd);
    return rc;
}

static sr_status last_entry(sqlite3 *db, srp_audit_cursor *cur, sr_error *err)
{
    sr_status rc = SR_OK;
    cur->seq = 0;
    memset(cur->mac, 0, SRP_MAC_BYTES);
    memset(cur->link, 0, SRP_MAC_BYTES);
    int need_backfill = 0;
    int src = sqlite3_step(cur->last);
    if (src == SQLITE_ROW) {
        cur->seq = sqlite3_column_int64(cur->last, 0);
        if (sqlite3_column_bytes(cur->last, 1) != SRP_MAC_BYTES)
            rc = srp_error_set(err, SR_ERR_TAMPERED, "audit entry %lld has a damaged MAC",
                               (long long)cur->seq);
        else
            memcpy(cur->mac, sqlite3_column_blob(cur->last, 1), SRP_MAC_BYTES);
        if (sqlite3_column_bytes(cur->last, 2) == SRP_MAC_BYTES)
            memcpy(cur->link, sqlite3_column_blob(cur->last, 2), SRP_MAC_BYTES);
        else
            need_backfill = 1;
    } else if (src != SQLITE_DONE) {
        rc = srp_store_fail(db, src, "read the audit log", err);
    }
    sqlite3_reset(cur->last);
    if (rc == SR_OK && need_backfill) {
        rc = backfill_links(db, err);
        if (rc == SR_OK)
            return last_entry(db, cur, err);
    }
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
                              const unsigned char key[SRP_KEY_BYTES],
                              const srp_audit_signer *signer, const char *user, const char *action,
                              const char *case_code, const char *detail, sr_error *err)
{
    sr_status rc = SR_OK;
    if (cur->db != db) {
        srp_audit_cursor_reset(cur);
        cur->db = db;
    }
    if (!signer && !key)
        return srp_error_set(err, SR_ERR_DENIED, "this session can neither sign nor MAC the log");
    if (!cur->last)
        rc = srp_store_prepare(db, "SELECT seq, mac, link FROM audit ORDER BY seq DESC LIMIT 1",
                               &cur->last, err);
    if (rc == SR_OK && !cur->insert)
        rc = srp_store_prepare(
            db,
            "INSERT INTO audit (seq, at, user, action, case_code, detail, mac,"
            " link, signer, sig) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            &cur->insert, err);
    if (rc == SR_OK && !cur->known) {
        rc = last_entry(db, cur, err);
        cur->known = rc == SR_OK;
    }
    if (rc != SR_OK)
        return rc;
    unsigned char mac[SRP_MAC_BYTES], link[SRP_MAC_BYTES], sig[SRP_SIGNATURE_BYTES];
    char at[32];
    srp_time_now_iso(at, sizeof at);
    entry_fields f = {cur->seq + 1,
                      (const unsigned char *)at,
                      (const unsigned char *)user,
                      (const unsigned char *)action,
                      (const unsigned char *)case_code,
                      (const unsigned char *)detail,
                      signer ? signer->pk : NULL};
    rc = entry_link(cur->link, &f, link, err);
    if (rc == SR_OK && signer) {
        unsigned char msg[48];
        signed_message(link, msg);
        rc = signer->sign(signer->ctx, msg, sizeof msg, sig, err);
        memcpy(mac, link, sizeof mac); /* a signed entry needs no MAC: its column holds the link */
    } else if (rc == SR_OK) {
        rc = entry_mac(key, cur->mac, &f, mac, err);
    }
    if (rc != SR_OK)
        return rc;
    sqlite3_stmt *st = cur->insert;
    sqlite3_bind_int64(st, 1, f.seq);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, user, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
    if (case_code)
        sqlite3_bind_text(st, 5, case_code, -1, SQLITE_STATIC);
    if (detail)
        sqlite3_bind_text(st, 6, detail, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, mac, sizeof mac, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 8, link, sizeof link, SQLITE_TRANSIENT);
    if (signer) {
        sqlite3_bind_blob(st, 9, signer->pk, SRP_SIGN_PUBLIC_BYTES, SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 10, sig, sizeof sig, SQLITE_TRANSIENT);
    }
    int src = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (src != SQLITE_DONE) {
        cur->known = 0;
        return srp_store_fail(db, src, "write the audit log", err);
    }
    cur->seq = f.seq;
    memcpy(cur->mac, mac, SRP_MAC_BYTES);
    memcpy(cur->link, link, SRP_MAC_BYTES);
    return SR_OK;
}

sr_status srp_audit_append(sqlite3 *db, const unsigned char key[SRP_KEY_BYTES],
                           const srp_audit_signer *signer, const char *user, const char *action,
                           const char *case_code, const char *detail, sr_error *err)
{
    srp_audit_cursor cur;
    memset(&cur, 0, sizeof cur);
    sr_status rc = srp_audit_append_at(&cur, db, key, signer, user, action, case_code, detail, err);
    srp_audit_cursor_reset(&cur);
    return rc;
}

/* Signing keys the log itself certifies (see srp_audit_certify_fn). */
typedef struct learned_key {
    char user[128];
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES];
    int is_admin;
} learned_key;
typedef struct learned_keys {
    learned_key *items;
    size_t count, cap;
} learned_keys;

/* The value of key=VALUE in an entry's detail, into out. */
static int detail_value(const char *detail, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    for (const char *p = detail; p && *p;) {
        if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
            const char *v = p + klen + 1;
            size_t n = strcspn(v, " ");
            if (n == 0 || n >= size)
                return 0;
            memcpy(out, v, n);
            out[n] = '\0';
            return 1;
        }
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    return 0;
}

/* Learns the key an admin's user.add or user.remove entry names. */
static void learn_key(learned_keys *lk, const entry_fields *f)
{
    const char *action = (const char *)f->action, *detail = (const char *)f->detail;
    if (!action || !detail || (strcmp(action, "user.add") && strcmp(action, "user.remove")))
        return;
    char user[128], role[32], hex[2 * SRP_SIGN_PUBLIC_BYTES + 1];
    learned_key k;
    if (!detail_value(detail, "user", user, sizeof user) ||
        !detail_value(detail, "role", role, sizeof role) ||
        !detail_value(detail, "sign_key", hex, sizeof hex) ||
        srp_hex_decode(k.pk, sizeof k.pk, hex) != 0)
        return;
    snprintf(k.user, sizeof k.user, "%s", user);
    k.is_admin = strcmp(role, "admin") == 0;
    void *items = lk->items;
    if (srp_grow(&items, &lk->cap, lk->count + 1, sizeof *lk->items) != 0)
        return;
    lk->items = items;
    lk->items[lk->count++] = k;
}

static int learned(const learned_keys *lk, const char *user, const unsigned char *pk, int *is_admin)
{
    for (size_t i = 0; i < lk->count; i++)
        if (strcmp(lk->items[i].user, user) == 0 &&
            memcmp(lk->items[i].pk, pk, SRP_SIGN_PUBLIC_BYTES) == 0) {
            *is_admin = lk->items[i].is_admin;
            return 1;
        }
    return 0;
}

/* Whether a signed entry's signer is certified for its user: by the keyring,
 * or by an admin's entry earlier in the log. Entries whose user is no
 * longer in the keyring and whose key is certified only later in the log
 * (the user.remove entry) are checked once the walk has seen it. */
static int certified(const srp_audit_check *check, const learned_keys *lk, const entry_fields *f,
                     int *is_admin)
{
    *is_admin = 0;
    if (!check || !check->certify)
        return 1;
    return check->certify(check->certify_ctx, (const char *)f->user, f->signer, is_admin) ||
           learned(lk, (const char *)f->user, f->signer, is_admin);
}

static sr_status broken(sr_audit_report *report, sqlite3_int64 seq, sr_error *err, const char *why)
{
    report->first_bad_seq = seq;
    return srp_error_set(err, SR_ERR_TAMPERED, "the audit log is broken at entry %lld: %s",
                         (long long)seq, why);
}

/* Walks the chain; with new_key set, rewrites the MAC of each unsigned
 * entry under it. */
static sr_status walk_chain(sqlite3 *db, const srp_audit_check *check, const unsigned char *new_key,
                            sr_audit_report *report, sr_error *err)
{
    sqlite3_stmt *st = NULL, *upd = NULL;
    unsigned char prev[SRP_MAC_BYTES], mac[SRP_MAC_BYTES], link[SRP_MAC_BYTES];
    unsigned char new_prev[SRP_MAC_BYTES], new_mac[SRP_MAC_BYTES];
    memset(prev, 0, sizeof prev);
    memset(link, 0, sizeof link);
    memset(new_prev, 0, sizeof new_prev);
    memset(report, 0, sizeof *report);
    sr_status rc = srp_store_prepare(db, select_all, &st, err);
    if (rc == SR_OK && new_key)
        rc = srp_store_prepare(db, "UPDATE audit SET mac = ?1 WHERE seq = ?2", &upd, err);
    sqlite3_int64 expected = 1;
    int src = SQLITE_DONE, reached = 0, seen_signed = 0;
    learned_keys lk = {NULL, 0, 0}, pending = {NULL, 0, 0};
    while (rc == SR_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        entry_fields f;
        fields_of_row(st, &f);
        if (f.seq != expected) {
            rc = broken(report, f.seq, err, "entries are missing or out of order");
            break;
        }
        rc = entry_link(link, &f, link, err);
        if (rc != SR_OK)
            break;
        if (sqlite3_column_bytes(st, 7) == SRP_MAC_BYTES &&
            srp_memcmp(link, sqlite3_column_blob(st, 7), SRP_MAC_BYTES) != 0) {
            rc = broken(report, f.seq, err,
                        "it was altered, or entries before it were removed or reordered");
            break;
        }
        int is_signed = sqlite3_column_type(st, 9) != SQLITE_NULL;
        int mac_len = sqlite3_column_bytes(st, 6);
        const unsigned char *stored_mac = sqlite3_column_blob(st, 6);
        if (is_signed) {
            unsigned char msg[48];
            signed_message(link, msg);
            if (!f.signer || sqlite3_column_bytes(st, 9) != SRP_SIGNATURE_BYTES ||
                srp_sign_verify(sqlite3_column_blob(st, 9), msg, sizeof msg, f.signer) != 0 ||
                mac_len != SRP_MAC_BYTES || srp_memcmp(stored_mac, link, SRP_MAC_BYTES) != 0) {
                rc = broken(report, f.seq, err,
                            "its signature does not verify: it was altered, or entries before it "
                            "were removed, reordered or inserted");
                break;
            }
            int is_admin = 0;
            if (!certified(check, &lk, &f, &is_admin)) {
                /* Perhaps certified later in the log (a removed user): kept
                 * for the end of the walk. */
                void *items = pending.items;
                if (srp_grow(&items, &pending.cap, pending.count + 1, sizeof *pending.items) != 0) {
                    rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
                    break;
                }
                pending.items = items;
                learned_key *p = &pending.items[pending.count++];
                snprintf(p->user, sizeof p->user, "%s", (const char *)f.user);
                memcpy(p->pk, f.signer, sizeof p->pk);
                p->is_admin = (int)f.seq; /* here: the entry's number */
            } else if (is_admin) {
                learn_key(&lk, &f);
            }
            seen_signed = 1;
            report->signed_entries++;
            memcpy(prev, stored_mac, sizeof prev);
            if (upd)
                memcpy(new_prev, stored_mac, sizeof new_prev);
        } else if (seen_signed) {
            rc = broken(report, f.seq, err,
                        "it is not signed, though entries before it are: it was forged, or the "
                        "log was rewritten");
            break;
        } else {
            const unsigned char *key = check ? check->mac_key : NULL;
            if (key) {
                rc = entry_mac(key, prev, &f, mac, err);
                if (rc != SR_OK)
                    break;
                if (mac_len != SRP_MAC_BYTES || srp_memcmp(mac, stored_mac, SRP_MAC_BYTES) != 0) {
                    rc = broken(report, f.seq, err,
                                "it was altered, or entries before it were removed or reordered");
                    break;
                }
            } else {
                report->unchecked_entries++;
            }
            if (mac_len == SRP_MAC_BYTES)
                memcpy(prev, stored_mac, sizeof prev);
            if (upd) {
                rc = entry_mac(new_key, new_prev, &f, new_mac, err);
                if (rc != SR_OK)
                    break;
                sqlite3_bind_blob(upd, 1, new_mac, sizeof new_mac, SQLITE_TRANSIENT);
                sqlite3_bind_int64(upd, 2, f.seq);
                int urc = sqlite3_step(upd);
                sqlite3_reset(upd);
                if (urc != SQLITE_DONE) {
                    rc = srp_store_fail(db, urc, "rewrite the audit log", err);
                    break;
                }
                memcpy(new_prev, new_mac, sizeof new_prev);
            }
        }
        if (check && check->expect_seq == f.seq) {
            reached = 1;
            if (srp_memcmp(link, check->expect_head, SRP_MAC_BYTES) != 0) {
                rc = broken(report, f.seq, err,
                            "it differs from the checkpoint: the log was rewritten or rolled back");
                break;
            }
        }
        report->entries++;
        expected++;
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read the audit log", err);
    for (size_t i = 0; rc == SR_OK && i < pending.count; i++) {
        int is_admin = 0;
        if (!learned(&lk, pending.items[i].user, pending.items[i].pk, &is_admin))
            rc = broken(report, pending.items[i].is_admin, err,
                        "it is signed by a key that neither the keyring nor an admin's entry "
                        "certifies for its user");
    }
    free(lk.items);
    free(pending.items);
    if (rc == SR_OK && check && check->expect_seq > 0 && !reached) {
        report->first_bad_seq = report->entries + 1;
        rc = srp_error_set(err, SR_ERR_TAMPERED,
                           "the audit log ends at entry %lld, before the checkpoint's entry %lld: "
                           "its tail was cut off or rolled back",
                           (long long)report->entries, (long long)check->expect_seq);
    }
    if (rc == SR_OK)
        srp_hex_encode(report->head, link, SRP_MAC_BYTES);
    sqlite3_finalize(st);
    sqlite3_finalize(upd);
    return rc;
}

sr_status srp_audit_verify(sqlite3 *db, const srp_audit_check *check, sr_audit_report *report,
                           sr_error *err)
{
    return walk_chain(db, check, NULL, report, err);
}

sr_status srp_audit_rekey(sqlite3 *db, const unsigned char old_key[SRP_KEY_BYTES],
                          const unsigned char new_key[SRP_KEY_BYTES], sr_error *err)
{
    sr_audit_report report;
    srp_audit_check check;
    memset(&check, 0, sizeof check);
    check.mac_key = old_key;
    sr_status rc = srp_store_begin(db, err);
    if (rc != SR_OK)
        return rc;
    rc = walk_chain(db, &check, new_key, &report, err);
    if (rc == SR_OK)
        return srp_store_commit(db, err);
    srp_store_rollback(db);
    return rc;
}

/* ---- checkpoints ------------------------------------------------------------------------ */

#define CHECKPOINT_FORMAT "sigreg-audit-checkpoint/1"
#define CHECKPOINT_MAX 4096

sr_status srp_audit_checkpoint_text(sr_registry *reg, char **text, int64_t *seq, sr_error *err)
{
    *text = NULL;
    sr_audit_report report;
    srp_audit_signer signer;
    const char *signer_user = NULL;
    if (!srp_registry_checkpoint_signer(reg, &signer, &signer_user))
        return srp_error_set(err, SR_ERR_DENIED, "user '%s' holds no signing key",
                             sr_registry_user(reg));
    sr_status rc = srp_registry_audit_verify(reg, NULL, &report, err);
    if (rc != SR_OK)
        return rc;
    char at[32], pk[2 * SRP_SIGN_PUBLIC_BYTES + 1], sig_hex[2 * SRP_SIGNATURE_BYTES + 1];
    srp_time_now_iso(at, sizeof at);
    srp_hex_encode(pk, signer.pk, SRP_SIGN_PUBLIC_BYTES);
    char body[CHECKPOINT_MAX];
    int n =
        snprintf(body, sizeof body,
                 CHECKPOINT_FORMAT "\nregistry: %s\nseq: %lld\nhead: %s\nat: %s\nsigner: %s\n"
                                   "key: %s\n",
                 srp_registry_id(reg), (long long)report.entries, report.head, at, signer_user, pk);
    if (n < 0 || (size_t)n >= sizeof body)
        return srp_error_set(err, SR_ERR_INVALID, "the checkpoint is too long");
    unsigned char sig[SRP_SIGNATURE_BYTES];
    rc = signer.sign(signer.ctx, (const unsigned char *)body, (size_t)n, sig, err);
    if (rc != SR_OK)
        return rc;
    srp_hex_encode(sig_hex, sig, sizeof sig);
    size_t cap = (size_t)n + sizeof sig_hex + 128;
    *text = malloc(cap);
    if (!*text)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    snprintf(*text, cap, "%ssignature: %s\n%lld:%s\n", body, sig_hex, (long long)report.entries,
             report.head);
    if (seq)
        *seq = report.entries;
    return SR_OK;
}

/* SEQ:HEAD into *seq and head; 0 when it is one. */
static int parse_expect(const char *text, size_t len, int64_t *seq,
                        unsigned char head[SRP_MAC_BYTES])
{
    const char *colon = memchr(text, ':', len);
    if (!colon || colon == text || (size_t)(text + len - colon - 1) != 2 * SRP_MAC_BYTES)
        return -1;
    int64_t v = 0;
    for (const char *p = text; p < colon; p++) {
        if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    char hex[2 * SRP_MAC_BYTES + 1];
    memcpy(hex, colon + 1, 2 * SRP_MAC_BYTES);
    hex[2 * SRP_MAC_BYTES] = '\0';
    if (v < 1 || srp_hex_decode(head, SRP_MAC_BYTES, hex) != 0)
        return -1;
    *seq = v;
    return 0;
}

/* The value of "name: value" on the line at *p, which moves past it. */
static int take_line(const char **p, const char *end, const char *name, char *out, size_t size)
{
    size_t nlen = strlen(name);
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl || (size_t)(nl - *p) < nlen + 2 || memcmp(*p, name, nlen) != 0 ||
        memcmp(*p + nlen, ": ", 2) != 0)
        return -1;
    size_t vlen = (size_t)(nl - *p) - nlen - 2;
    if (vlen == 0 || vlen >= size)
        return -1;
    memcpy(out, *p + nlen + 2, vlen);
    out[vlen] = '\0';
    *p = nl + 1;
    return 0;
}

/* Checks a checkpoint's form, registry and signature; fills check. */
static sr_status read_checkpoint(sr_registry *reg, const char *where, const char *text, size_t len,
                                 srp_audit_check *check, sr_error *err)
{
    const char *p = text, *end = text + len;
    char registry[128], seq_text[32], head[80], at[40], user[128], key[80], sig[160];
    static const char first[] = CHECKPOINT_FORMAT "\n";
    int ok = len > sizeof first - 1 && memcmp(p, first, sizeof first - 1) == 0;
    if (ok)
        p += sizeof first - 1;
    ok = ok && take_line(&p, end, "registry", registry, sizeof registry) == 0 &&
         take_line(&p, end, "seq", seq_text, sizeof seq_text) == 0 &&
         take_line(&p, end, "head", head, sizeof head) == 0 &&
         take_line(&p, end, "at", at, sizeof at) == 0 &&
         take_line(&p, end, "signer", user, sizeof user) == 0 &&
         take_line(&p, end, "key", key, sizeof key) == 0;
    size_t body_len = (size_t)(p - text);
    ok = ok && take_line(&p, end, "signature", sig, sizeof sig) == 0;
    char expect[160];
    int n = ok ? snprintf(expect, sizeof expect, "%s:%s", seq_text, head) : -1;
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES], sigb[SRP_SIGNATURE_BYTES];
    ok = ok && n > 0 && (size_t)n < sizeof expect &&
         parse_expect(expect, (size_t)n, &check->expect_seq, check->expect_head) == 0 &&
         strlen(key) == 2 * sizeof pk && srp_hex_decode(pk, sizeof pk, key) == 0 &&
         strlen(sig) == 2 * sizeof sigb && srp_hex_decode(sigb, sizeof sigb, sig) == 0;
    if (!ok)
        return srp_error_set_where(err, SR_ERR_INVALID, where, "'%s' is not an audit checkpoint",
                                   where);
    if (strcmp(registry, srp_registry_id(reg)) != 0)
        return srp_error_set_where(err, SR_ERR_NOT_REGISTRY, where,
                                   "the checkpoint '%s' belongs to another registry", where);
    if (srp_sign_verify(sigb, (const unsigned char *)text, body_len, pk) != 0)
        return srp_error_set_where(err, SR_ERR_TAMPERED, where,
                                   "the checkpoint '%s' does not verify: it was altered", where);
    if (!srp_registry_checkpoint_certified(reg, user, pk))
        return srp_error_set_where(err, SR_ERR_TAMPERED, where,
                                   "the checkpoint '%s' is signed by a key that the keyring does "
                                   "not certify for '%s'",
                                   where, user);
    return SR_OK;
}

/* ---- the analysts' side log (sidelog.h) -------------------------------------------------- */

/* A side log signer is certified by the keyring, or (a user removed since)
 * by an admin's user.add or user.remove entry of the database's log naming
 * that key; only a session that reads the database knows the latter. */
static int certify_side(void *ctx, const char *user, const unsigned char pk[SRP_SIGN_PUBLIC_BYTES],
                        int *is_admin)
{
    sr_registry *reg = ctx;
    *is_admin = 0;
    if (srp_registry_certify_signer(reg, user, pk))
        return 1;
    if (!srp_registry_has_database(reg))
        return 0;
    sqlite3_stmt *st = NULL;
    if (srp_store_prepare(srp_registry_db(reg),
                          "SELECT detail FROM audit WHERE action IN ('user.add', 'user.remove')",
                          &st, NULL) != SR_OK)
        return 0;
    char hex[2 * SRP_SIGN_PUBLIC_BYTES + 1], name[64], key[2 * SRP_SIGN_PUBLIC_BYTES + 1];
    srp_hex_encode(hex, pk, SRP_SIGN_PUBLIC_BYTES);
    int found = 0;
    while (!found && sqlite3_step(st) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(st, 0);
        found = detail_value(detail, "user", name, sizeof name) && strcmp(name, user) == 0 &&
                detail_value(detail, "sign_key", key, sizeof key) && strcmp(key, hex) == 0;
    }
    sqlite3_finalize(st);
    return found;
}

/* The newest anchor of the side log in the database's log: its length and
 * head when an admin or coordinator last verified it. */
static void side_anchor(sr_registry *reg, int64_t *seq, unsigned char head[SRP_MAC_BYTES])
{
    *seq = 0;
    sqlite3_stmt *st = NULL;
    if (srp_store_prepare(srp_registry_db(reg),
                          "SELECT detail FROM audit WHERE action = 'sidelog.anchor' "
                          "ORDER BY seq DESC LIMIT 1",
                          &st, NULL) != SR_OK)
        return;
    char entries[24], hex[2 * SRP_MAC_BYTES + 1];
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(st, 0);
        if (detail_value(detail, "entries", entries, sizeof entries) &&
            detail_value(detail, "head", hex, sizeof hex) &&
            srp_hex_decode(head, SRP_MAC_BYTES, hex) == 0)
            *seq = strtoll(entries, NULL, 10);
    }
    sqlite3_finalize(st);
}

/* Verifies the side log (against the newest anchor, in a session that reads
 * the database) and gives each entry to fn. */
static sr_status side_verify(sr_registry *reg, int64_t limit, sr_audit_entry_fn fn, void *ctx,
                             srp_sidelog_report *rep, sr_error *err)
{
    int64_t anchor = 0;
    unsigned char head[SRP_MAC_BYTES];
    if (srp_registry_has_database(reg))
        side_anchor(reg, &anchor, head);
    return srp_sidelog_verify(srp_registry_sidelog_path(reg), srp_registry_id(reg), certify_side,
                              reg, anchor, anchor > 0 ? head : NULL, limit, fn, ctx, rep, err);
}

/* Records what was verified as the side log's newest anchor, when it grew. */
static sr_status side_anchor_write(sr_registry *reg, const srp_sidelog_report *rep, sr_error *err)
{
    int64_t anchor = 0;
    unsigned char head[SRP_MAC_BYTES];
    side_anchor(reg, &anchor, head);
    if (!srp_registry_has_database(reg) || rep->entries <= anchor)
        return SR_OK;
    char hex[2 * SRP_MAC_BYTES + 1], detail[128];
    srp_hex_encode(hex, rep->head, SRP_MAC_BYTES);
    snprintf(detail, sizeof detail, "entries=%lld head=%s", (long long)rep->entries, hex);
    return srp_registry_transaction(reg, "sidelog.anchor", NULL, detail, NULL, NULL, err);
}

int srp_audit_side_anchor_due(sr_registry *reg, char *detail, size_t size)
{
    if (!srp_registry_has_database(reg))
        return 0;
    srp_sidelog_report rep;
    sr_error ignored; /* a broken side log is for the next verification to report */
    memset(&ignored, 0, sizeof ignored);
    if (side_verify(reg, 0, NULL, NULL, &rep, &ignored) != SR_OK)
        return 0;
    int64_t anchor = 0;
    unsigned char head[SRP_MAC_BYTES];
    side_anchor(reg, &anchor, head);
    if (rep.entries <= anchor)
        return 0;
    char hex[2 * SRP_MAC_BYTES + 1];
    srp_hex_encode(hex, rep.head, SRP_MAC_BYTES);
    int n = snprintf(detail, size, "entries=%lld head=%s", (long long)rep.entries, hex);
    return n > 0 && (size_t)n < size;
}

sr_status srp_audit_side_check(sr_registry *reg, int64_t *entries, sr_error *err)
{
    srp_sidelog_report rep;
    sr_status rc = side_verify(reg, 0, NULL, NULL, &rep, err);
    if (rc == SR_OK)
        rc = side_anchor_write(reg, &rep, err);
    *entries = rep.entries;
    return rc;
}

sr_status sr_audit_list_side(sr_registry *reg, int64_t limit, sr_audit_entry_fn fn, void *ctx,
                             sr_error *err)
{
    sr_status rc = sr_registry_require(reg, SR_ROLE_BIT(SR_ROLE_ADMIN), "read the audit log", err);
    srp_sidelog_report rep;
    if (rc == SR_OK)
        rc = side_verify(reg, limit, fn, ctx, &rep, err);
    return rc;
}

/* ---- the public face: a session verifies and reads the log ------------------------------- */

sr_status sr_audit_verify(sr_registry *reg, sr_audit_report *report, sr_error *err)
{
    return sr_audit_verify_against(reg, NULL, NULL, report, err);
}

sr_status sr_audit_verify_against(sr_registry *reg, const char *expect, const char *checkpoint_path,
                                  sr_audit_report *report, sr_error *err)
{
    srp_audit_check check;
    memset(&check, 0, sizeof check);
    memset(report, 0, sizeof *report);
    sr_status rc = SR_OK;
    if (expect && checkpoint_path)
        return srp_error_set_where(err, SR_ERR_USAGE, "expect",
                                   "give an expected SEQ:HEAD or a checkpoint file, not both");
    if (expect && parse_expect(expect, strlen(expect), &check.expect_seq, check.expect_head) != 0)
        return srp_error_set_where(err, SR_ERR_USAGE, "expect",
                                   "'%s' is not SEQ:HEAD (an entry number, a colon and 64 hex "
                                   "digits)",
                                   expect);
    if (checkpoint_path) {
        unsigned char *data = NULL;
        size_t len = 0;
        rc = srp_file_read_all(checkpoint_path, CHECKPOINT_MAX, &data, &len, err);
        if (rc == SR_OK)
            rc = read_checkpoint(reg, checkpoint_path, (const char *)data, len, &check, err);
        free(data);
        if (rc != SR_OK)
            return rc;
    }
    /* An analyst's session holds no key to the database's log: it checks
     * the side log its own entries go to. */
    if (!srp_registry_has_database(reg)) {
        if (check.expect_seq > 0)
            return srp_error_set_where(err, SR_ERR_DENIED, expect ? "expect" : checkpoint_path,
                                       "a checkpoint is of the database's log, which an "
                                       "analyst holds no key to");
        srp_sidelog_report side;
        rc = side_verify(reg, 0, NULL, NULL, &side, err);
        report->entries = report->signed_entries = report->side_entries = side.entries;
        srp_hex_encode(report->head, side.head, SRP_MAC_BYTES);
        memcpy(report->side_head, report->head, sizeof report->side_head);
        report->side_log = 1;
        return rc == SR_OK ? srp_registry_transaction(reg, "audit.verify", NULL, "log=side", NULL,
                                                      NULL, err)
                           : rc;
    }
    rc = srp_registry_audit_verify(reg, check.expect_seq > 0 ? &check : NULL, report, err);
    /* And the analysts' side log, anchored in this log when it grew. */
    if (rc == SR_OK) {
        srp_sidelog_report side;
        rc = side_verify(reg, 0, NULL, NULL, &side, err);
        report->side_entries = side.entries;
        srp_hex_encode(report->side_head, side.head, SRP_MAC_BYTES);
        if (rc == SR_OK)
            rc = side_anchor_write(reg, &side, err);
    }
    char detail[96];
    snprintf(detail, sizeof detail, "entries=%lld%s", (long long)report->entries,
             check.expect_seq > 0 ? (rc == SR_OK ? " checkpoint=held" : " checkpoint=broken") : "");
    if (rc != SR_OK) {
        srp_registry_log_apart(reg, "audit.verify", NULL, detail);
        return rc;
    }
    return srp_registry_transaction(reg, "audit.verify", NULL, detail, NULL, NULL, err);
}

sr_status sr_audit_checkpoint(sr_registry *reg, char **text, sr_error *err)
{
    int64_t seq = 0;
    *text = NULL;
    if (!srp_registry_has_database(reg))
        return srp_error_set(err, SR_ERR_DENIED,
                             "a checkpoint is of the database's log, which an analyst holds no "
                             "key to");
    sr_status rc = srp_audit_checkpoint_text(reg, text, &seq, err);
    if (rc != SR_OK)
        return rc;
    char detail[64];
    snprintf(detail, sizeof detail, "seq=%lld", (long long)seq);
    rc = srp_registry_transaction(reg, "audit.checkpoint", NULL, detail, NULL, NULL, err);
    if (rc != SR_OK) {
        free(*text);
        *text = NULL;
    }
    return rc;
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
        sr_audit_entry e = {sqlite3_column_int64(st, 0),
                            (const char *)sqlite3_column_text(st, 1),
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
