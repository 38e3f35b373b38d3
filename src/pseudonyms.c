/*
 * pseudonyms.c - the pseudonyms of a rotation of the identity key (see
 * pseudonyms.h).
 *
 * The sealed list: nonce (24 bytes), then XChaCha20-Poly1305 under sub-key
 * SRP_SUBKEY_DATA_PSEUDONYMS of the new data key of
 *   count (4 bytes, little-endian), then per case: the case code's length
 *   (1 byte), the case code, the new pseudonym (32 bytes),
 * with a hash of the format, the registry id and the epoch as associated
 * data, so that a list is never applied to another registry or rotation.
 */
#include "pseudonyms.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codekey.h"
#include "registry_int.h"
#include "sigreg/cases.h"
#include "sigreg/limits.h"
#include "store.h"

#define LIST_FORMAT "sigreg-pseudonyms/1"
#define ENTRY_MAX (1 + SR_CASE_CODE_MAX + SRP_MAC_BYTES)

static void list_ad(const char *registry_id, uint32_t epoch, unsigned char ad[SRP_MAC_BYTES])
{
    srp_mac_state *st = srp_mac_begin(NULL);
    if (!st) {
        memset(ad, 0, SRP_MAC_BYTES); /* the list then fails to open, closed */
        return;
    }
    unsigned char num[4] = {(unsigned char)epoch, (unsigned char)(epoch >> 8),
                            (unsigned char)(epoch >> 16), (unsigned char)(epoch >> 24)};
    srp_mac_field(st, LIST_FORMAT, strlen(LIST_FORMAT));
    srp_mac_field(st, registry_id, strlen(registry_id));
    srp_mac_field(st, num, sizeof num);
    srp_mac_end(st, ad);
}

static sr_status count_cases(sqlite3 *db, long *n, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(
        db, "SELECT count(*) FROM main.cases WHERE pseudonym IS NOT NULL", &st, err);
    int src = rc == SR_OK ? sqlite3_step(st) : SQLITE_ERROR;
    if (rc == SR_OK && src == SQLITE_ROW)
        *n = (long)sqlite3_column_int64(st, 0);
    else if (rc == SR_OK)
        rc = srp_store_fail(db, src, "count the cases", err);
    sqlite3_finalize(st);
    return rc;
}

sr_status srp_pseudonyms_seal(sr_registry *reg, const srp_keys *next, unsigned char **out,
                              size_t *out_len, long *count, long *unreadable, sr_error *err)
{
    *out = NULL;
    *out_len = 0;
    *count = *unreadable = 0;
    if (!next->has_identity || !next->has_data)
        return srp_error_set(err, SR_ERR_DENIED,
                             "re-deriving the pseudonyms needs the new identity and data keys");
    sqlite3 *db = srp_registry_db(reg);
    long cases = 0;
    int pending = 0;
    /* Also attaches the code key now, before a statement is open. */
    sr_status rc = srp_codekey_pending(reg, &pending, err);
    if (rc == SR_OK)
        rc = count_cases(db, &cases, err);
    if (rc != SR_OK)
        return rc;
    size_t cap = 4 + (size_t)cases * ENTRY_MAX;
    sr_secret *plain = sr_secret_new(cap);
    sr_secret *keys = sr_secret_new(2 * SRP_KEY_BYTES); /* pseudonym key, list key */
    unsigned char *blob = NULL;
    sqlite3_stmt *st = NULL;
    if (!plain || !keys) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    unsigned char *ps_key = sr_secret_data(keys);
    unsigned char *list_key = ps_key + SRP_KEY_BYTES;
    srp_keys_identity_subkey(next, SRP_SUBKEY_PSEUDONYM, ps_key);
    if (srp_keys_data_subkey(next, SRP_SUBKEY_DATA_PSEUDONYMS, list_key) != 0) {
        rc = srp_error_set(err, SR_ERR_STATE, "the new keys have no data key");
        goto out;
    }
    unsigned char *p = sr_secret_data(plain);
    size_t used = 4;
    uint32_t listed = 0;
    rc = srp_store_prepare(db, "SELECT code FROM main.cases WHERE pseudonym IS NOT NULL", &st, err);
    int src = SQLITE_DONE;
    while (rc == SR_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        size_t code_len = code ? strlen(code) : 0;
        if (code_len == 0 || code_len > SR_CASE_CODE_MAX) {
            rc = srp_error_set(err, SR_ERR_CORRUPT, "a case code of the database is damaged");
            break;
        }
        if (used + ENTRY_MAX > cap) /* more rows than counted: none can appear under the lock */
        {
            rc = srp_error_set(err, SR_ERR_BUSY,
                               "the cases changed while their pseudonyms were "
                               "re-derived; try again");
            break;
        }
        char pnr[SR_PNR_SIZE];
        sr_status grc = srp_codekey_get(reg, code, pnr, sizeof pnr, NULL);
        if (grc == SR_ERR_NOMEM) {
            rc = srp_error_set(err, grc, "out of memory");
            break;
        }
        /* A key the session lacks would cost that case its pseudonym for
         * nothing: refused before anything is written. */
        if (grc == SR_ERR_DENIED) {
            rc = srp_error_set_where(err, SR_ERR_DENIED, "case",
                                     "re-deriving the pseudonyms needs every unit's key, and the "
                                     "key of the unit of case '%s' is missing",
                                     code);
            break;
        }
        if (grc != SR_OK || strlen(pnr) != 12) {
            srp_wipe(pnr, sizeof pnr);
            (*unreadable)++;
            continue;
        }
        p[used] = (unsigned char)code_len;
        memcpy(p + used + 1, code, code_len);
        srp_mac(p + used + 1 + code_len, ps_key, pnr, 12);
        srp_wipe(pnr, sizeof pnr);
        used += 1 + code_len + SRP_MAC_BYTES;
        listed++;
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read the cases", err);
    if (rc != SR_OK)
        goto out;
    p[0] = (unsigned char)listed;
    p[1] = (unsigned char)(listed >> 8);
    p[2] = (unsigned char)(listed >> 16);
    p[3] = (unsigned char)(listed >> 24);
    size_t len = SRP_AEAD_NONCE_BYTES + used + SRP_AEAD_TAG_BYTES;
    blob = malloc(len);
    if (!blob) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    unsigned char ad[SRP_MAC_BYTES];
    list_ad(srp_registry_id(reg), next->epoch, ad);
    srp_aead_encrypt(blob + SRP_AEAD_NONCE_BYTES, blob, p, used, ad, sizeof ad, list_key);
    *out = blob;
    *out_len = len;
    *count = (long)listed;
    blob = NULL;
out:
    sqlite3_finalize(st);
    free(blob);
    sr_secret_free(plain);
    sr_secret_free(keys);
    return rc;
}

/* Sets every case's pseudonym from the opened list p (len bytes). */
static sr_status apply_list(sqlite3 *db, const unsigned char *p, size_t len, sr_error *err)
{
    if (len < 4)
        return srp_error_set(err, SR_ERR_TAMPERED, "the rotation's new pseudonyms are damaged");
    uint32_t n = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_exec(db, "UPDATE main.cases SET pseudonym = NULL", err);
    if (rc == SR_OK)
        rc =
            srp_store_prepare(db, "UPDATE main.cases SET pseudonym = ?2 WHERE code = ?1", &st, err);
    size_t at = 4;
    for (uint32_t i = 0; rc == SR_OK && i < n; i++) {
        size_t code_len = at < len ? p[at] : 0;
        if (code_len == 0 || code_len > SR_CASE_CODE_MAX ||
            len - at < 1 + code_len + SRP_MAC_BYTES) {
            rc = srp_error_set(err, SR_ERR_TAMPERED, "the rotation's new pseudonyms are damaged");
            break;
        }
        sqlite3_bind_text(st, 1, (const char *)p + at + 1, (int)code_len, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, p + at + 1 + code_len, SRP_MAC_BYTES, SQLITE_STATIC);
        int src = sqlite3_step(st);
        sqlite3_reset(st);
        if (src != SQLITE_DONE)
            rc = srp_store_fail(db, src, "write the new pseudonyms", err);
        at += 1 + code_len + SRP_MAC_BYTES;
    }
    if (rc == SR_OK && at != len)
        rc = srp_error_set(err, SR_ERR_TAMPERED, "the rotation's new pseudonyms are damaged");
    sqlite3_finalize(st);
    return rc;
}

sr_status srp_pseudonyms_apply(sqlite3 *db, const srp_keys *keys, const char *registry_id,
                               const unsigned char *blob, size_t len, sr_error *err)
{
    if (len < SRP_AEAD_NONCE_BYTES + SRP_AEAD_TAG_BYTES)
        return srp_error_set(err, SR_ERR_TAMPERED, "the rotation's new pseudonyms are damaged");
    size_t plain_len = len - SRP_AEAD_NONCE_BYTES - SRP_AEAD_TAG_BYTES;
    sr_secret *plain = sr_secret_new(plain_len ? plain_len : 1);
    sr_secret *key = sr_secret_new(SRP_KEY_BYTES);
    sr_status rc = SR_OK;
    if (!plain || !key) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    unsigned char ad[SRP_MAC_BYTES];
    list_ad(registry_id, keys->epoch, ad);
    if (srp_keys_data_subkey(keys, SRP_SUBKEY_DATA_PSEUDONYMS, sr_secret_data(key)) != 0 ||
        srp_aead_decrypt(sr_secret_data(plain), blob + SRP_AEAD_NONCE_BYTES,
                         len - SRP_AEAD_NONCE_BYTES, blob, ad, sizeof ad,
                         sr_secret_cdata(key)) != 0) {
        rc = srp_error_set(err, SR_ERR_TAMPERED,
                           "the rotation's new pseudonyms do not open with the current data key");
        goto out;
    }
    rc = srp_store_exec(db, "BEGIN IMMEDIATE", err);
    if (rc != SR_OK)
        goto out;
    rc = apply_list(db, sr_secret_cdata(plain), plain_len, err);
    if (rc == SR_OK)
        rc = srp_store_exec(db, "COMMIT", err);
    else
        (void)srp_store_exec(db, "ROLLBACK", NULL);
out:
    sr_secret_free(plain);
    sr_secret_free(key);
    return rc;
}
