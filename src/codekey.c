/*
 * codekey.c - the code key's rows, sealed under unit keys (see codekey.h).
 */
#include "codekey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "registry_int.h"
#include "sigreg/cases.h"
#include "store.h"
#include "unitkeys.h"

/* *has: whether the code key has the table of sealed rows. */
static sr_status sealed_table(sr_registry *reg, int *has, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    *has = 0;
    sr_status rc = srp_registry_prepare(reg,
                                        "SELECT 1 FROM codekey.sqlite_master WHERE type = 'table'"
                                        " AND name = 'pnr_sealed'",
                                        &st, err);
    if (rc != SR_OK)
        return rc;
    int src = sqlite3_step(st);
    srp_stmt_done(reg, st);
    if (src == SQLITE_ROW)
        *has = 1;
    else if (src != SQLITE_DONE)
        rc = srp_store_fail(srp_registry_db(reg), src, "read the code key", err);
    return rc;
}

/* Runs sql, an INSERT of a sealed row (?1-?5), once: *src is the engine's
 * outcome. */
static sr_status step_sealed(sr_registry *reg, const char *sql, const char *case_code,
                             const char *unit, uint32_t generation, const unsigned char *sealed,
                             size_t len, const char *created_at, int *src, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_registry_prepare(reg, sql, &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, case_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, generation);
    sqlite3_bind_blob(st, 4, sealed, (int)len, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, created_at, -1, SQLITE_STATIC);
    *src = sqlite3_step(st);
    srp_stmt_done(reg, st);
    return SR_OK;
}

/* Seals pnr and writes the case's row. A new case's row (is_new) is tried
 * as a plain INSERT first: SQLCipher 3.4's SQLite opens a statement journal
 * for an INSERT OR REPLACE and encrypts every page it journals (two a row,
 * most of what a code-key row cost an import). A row already under the
 * code (none should be) is replaced, as a reseal replaces every row. */
static sr_status insert_sealed(sr_registry *reg, const char *case_code, const char *unit,
                               const char *pnr, const char *created_at, int is_new, sr_error *err)
{
    static const char insert[] = "INSERT INTO codekey.pnr_sealed (case_code, unit, generation,"
                                 " sealed, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
    static const char replace[] = "INSERT OR REPLACE INTO codekey.pnr_sealed (case_code, unit,"
                                  " generation, sealed, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
    unsigned char sealed[SRP_UNIT_SEALED_MAX];
    size_t len = 0;
    uint32_t generation = 0;
    sr_status rc = srp_unit_keys_seal_pnr(srp_registry_unit_keys(reg), unit, case_code, pnr, sealed,
                                          &len, &generation, err);
    int src = SQLITE_CONSTRAINT;
    if (rc == SR_OK && is_new)
        rc = step_sealed(reg, insert, case_code, unit, generation, sealed, len, created_at, &src,
                         err);
    if (rc == SR_OK && (src & 0xff) == SQLITE_CONSTRAINT)
        rc = step_sealed(reg, replace, case_code, unit, generation, sealed, len, created_at, &src,
                         err);
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(srp_registry_db(reg), src, "write the code key", err);
    return rc;
}

sr_status srp_codekey_put(sr_registry *reg, const char *case_code, const char *unit,
                          const char *pnr, const char *created_at, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = SR_OK;
    /* Once the keyring has unit keys, or says the clear rows are sealed,
     * nothing is written in the clear: not even when the database was made
     * to look as if it had none. */
    if (srp_keyring_has_unit_keys(srp_registry_keyring(reg)) ||
        srp_keyring_codekey_sealed(srp_registry_keyring(reg))) {
        int has = 0;
        rc = sealed_table(reg, &has, err);
        if (rc == SR_OK && !has)
            rc = srp_store_init_codekey(srp_registry_db(reg), err);
        return rc == SR_OK ? insert_sealed(reg, case_code, unit, pnr, created_at, 1, err) : rc;
    }
    rc = srp_registry_prepare(reg,
                              "INSERT INTO codekey.code_key (case_code, pnr, created_at)"
                              " VALUES (?1, ?2, ?3)",
                              &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, case_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pnr, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, created_at, -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    srp_stmt_done(reg, st);
    if (src != SQLITE_DONE)
        rc = srp_store_fail(srp_registry_db(reg), src, "write the code key", err);
    return rc;
}

static void copy_text(char *out, size_t size, const unsigned char *text)
{
    srp_str_copy(out, size, (const char *)text);
}

sr_status srp_codekey_get(sr_registry *reg, const char *case_code, char *pnr, size_t size,
                          sr_error *err)
{
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    int has = 0;
    sr_status rc = sealed_table(reg, &has, err);
    if (rc != SR_OK)
        return rc;
    if (has) {
        rc = srp_registry_prepare(reg,
                                  "SELECT unit, generation, sealed FROM codekey.pnr_sealed WHERE"
                                  " case_code = ?1",
                                  &st, err);
        if (rc != SR_OK)
            return rc;
        sqlite3_bind_text(st, 1, case_code, -1, SQLITE_STATIC);
        int src = sqlite3_step(st);
        rc = SR_ERR_NOT_FOUND;
        if (src == SQLITE_ROW) {
            const char *unit = (const char *)sqlite3_column_text(st, 0);
            sqlite3_int64 gen = sqlite3_column_int64(st, 1);
            rc = srp_unit_keys_open_pnr(srp_registry_unit_keys(reg), unit ? unit : "",
                                        gen > 0 && gen <= UINT32_MAX ? (uint32_t)gen : 0, case_code,
                                        sqlite3_column_blob(st, 2),
                                        (size_t)sqlite3_column_bytes(st, 2), pnr, size, err);
        } else if (src != SQLITE_DONE) {
            rc = srp_store_fail(db, src, "read the code key", err);
        }
        srp_stmt_done(reg, st);
        if (rc != SR_ERR_NOT_FOUND)
            return rc;
    }
    /* A row of an earlier release, not yet sealed: read only while the
     * keyring has no unit keys. From then on a clear row is nothing anyone
     * should trust (anyone with the database's key could have put it there);
     * an admin's unlock seals the rows that the upgrade found. */
    if (srp_keyring_has_unit_keys(srp_registry_keyring(reg)) ||
        srp_keyring_codekey_sealed(srp_registry_keyring(reg)))
        return srp_error_set(err, SR_ERR_NOT_FOUND, "case '%s' has no personnummer", case_code);
    rc = srp_registry_prepare(reg, "SELECT pnr FROM codekey.code_key WHERE case_code = ?1", &st,
                              err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, case_code, -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        copy_text(pnr, size, sqlite3_column_text(st, 0));
    else if (src == SQLITE_DONE)
        rc = srp_error_set(err, SR_ERR_NOT_FOUND, "case '%s' has no personnummer", case_code);
    else
        rc = srp_store_fail(db, src, "read the code key", err);
    srp_stmt_done(reg, st);
    return rc;
}

sr_status srp_codekey_delete(sr_registry *reg, const char *case_code, sr_error *err)
{
    const char *sql[] = {"DELETE FROM codekey.code_key WHERE case_code = ?1",
                         "DELETE FROM codekey.pnr_sealed WHERE case_code = ?1"};
    int has = 0;
    sr_status rc = sealed_table(reg, &has, err);
    for (int i = 0; i < 1 + has && rc == SR_OK; i++) {
        sqlite3_stmt *st = NULL;
        rc = srp_registry_prepare(reg, sql[i], &st, err);
        if (rc != SR_OK)
            break;
        sqlite3_bind_text(st, 1, case_code, -1, SQLITE_STATIC);
        int src = sqlite3_step(st);
        srp_stmt_done(reg, st);
        if (src != SQLITE_DONE)
            rc = srp_store_fail(srp_registry_db(reg), src, "erase from the code key", err);
    }
    return rc;
}

/* ---- rows waiting to be sealed or resealed ----------------------------------- */

/* Calls fn for each unit that has sealed rows, with the session's newest
 * generation of that unit (0 for a unit it holds no key of), walking the
 * index pnr_sealed_generation (store.c): two look-ups per unit, never a read
 * of every row. */
typedef sr_status (*unit_fn)(sr_registry *reg, const char *unit, uint32_t newest, void *ctx,
                             sr_error *err);

static sr_status each_sealed_unit(sr_registry *reg, unit_fn fn, void *ctx, sr_error *err)
{
    char unit[SR_UNIT_CODE_MAX + 1] = "";
    int first = 1;
    sr_status rc = SR_OK;
    while (rc == SR_OK) {
        sqlite3_stmt *st = NULL;
        rc =
            srp_registry_prepare(reg,
                                 first ? "SELECT min(unit) FROM codekey.pnr_sealed"
                                       : "SELECT min(unit) FROM codekey.pnr_sealed WHERE unit > ?1",
                                 &st, err);
        if (rc != SR_OK)
            break;
        if (!first)
            sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
        int src = sqlite3_step(st);
        const char *text = src == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        int found = text != NULL, damaged = text && strlen(text) > SR_UNIT_CODE_MAX;
        char next[SR_UNIT_CODE_MAX + 1] = "";
        if (found && !damaged)
            copy_text(next, sizeof next, (const unsigned char *)text);
        srp_stmt_done(reg, st);
        if (src != SQLITE_ROW)
            return srp_store_fail(srp_registry_db(reg), src, "read the code key", err);
        if (!found)
            break;
        if (damaged)
            return srp_error_set(err, SR_ERR_CORRUPT, "a row of the code key is damaged");
        memcpy(unit, next, sizeof unit);
        rc = fn(reg, unit, srp_unit_keys_newest(srp_registry_unit_keys(reg), unit), ctx, err);
        first = 0;
    }
    return rc;
}

/* *out: the one integer that sql (binding unit and newest, if any) gives. */
static sr_status count_of(sr_registry *reg, const char *sql, const char *unit, uint32_t newest,
                          long *out, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_registry_prepare(reg, sql, &st, err);
    if (rc != SR_OK)
        return rc;
    if (unit) {
        sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, newest);
    }
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        *out = (long)sqlite3_column_int64(st, 0);
    else
        rc = srp_store_fail(srp_registry_db(reg), src, "read the code key", err);
    srp_stmt_done(reg, st);
    return rc;
}

/* A unit's rows under another generation than its newest: two ranges of
 * the index, so only the rows that are counted are read. */
static sr_status count_older(sr_registry *reg, const char *unit, uint32_t newest, void *ctx,
                             sr_error *err)
{
    long n = 0;
    sr_status rc = count_of(reg,
                            "SELECT (SELECT count(*) FROM codekey.pnr_sealed WHERE unit = ?1 AND"
                            " generation < ?2) + (SELECT count(*) FROM codekey.pnr_sealed WHERE"
                            " unit = ?1 AND generation > ?2)",
                            unit, newest, &n, err);
    *(long *)ctx += n;
    return rc;
}

/* Counts rows in the clear (none once the signed keyring says they were
 * sealed: a clear row then is one somebody planted with the file's key, to
 * have an admin seal a personnummer of their choosing onto another unit's
 * case), and sealed rows under another generation than the session's newest
 * of their unit. What it reads grows with those rows, not with the code key. */
static sr_status count_pending(sr_registry *reg, long *clear, long *older, sr_error *err)
{
    *clear = *older = 0;
    int has = 0;
    sr_status rc = sealed_table(reg, &has, err); /* attaches the code key */
    /* A row without its case (none should be) stays where it is. */
    if (rc == SR_OK && !srp_keyring_codekey_sealed(srp_registry_keyring(reg)))
        rc = count_of(reg,
                      "SELECT count(*) FROM codekey.code_key k WHERE EXISTS (SELECT 1 FROM"
                      " main.cases c WHERE c.code = k.case_code)",
                      NULL, 0, clear, err);
    if (rc == SR_OK && has)
        rc = each_sealed_unit(reg, count_older, older, err);
    return rc;
}

sr_status srp_codekey_pending(sr_registry *reg, int *pending, sr_error *err)
{
    long clear = 0, older = 0;
    sr_status rc = count_pending(reg, &clear, &older, err);
    *pending = rc == SR_OK && (clear > 0 || older > 0);
    return rc;
}

typedef struct plain_row {
    char code[SR_CASE_CODE_MAX + 1];
    char unit[SR_UNIT_CODE_MAX + 1];
    char created[32];
    char pnr[SR_PNR_SIZE];
} plain_row;

/* The rows that need sealing, in the clear, in guarded memory. */
typedef struct pending_rows {
    sr_secret *rows;
    size_t count, cap;
    long damaged;
} pending_rows;

static plain_row *pending_append(pending_rows *p)
{
    if (p->count == p->cap) {
        size_t ncap = p->cap ? 2 * p->cap : 64;
        sr_secret *bigger = sr_secret_new(ncap * sizeof(plain_row));
        if (!bigger)
            return NULL;
        if (p->count)
            memcpy(sr_secret_data(bigger), sr_secret_cdata(p->rows), p->count * sizeof(plain_row));
        sr_secret_free(p->rows);
        p->rows = bigger;
        p->cap = ncap;
    }
    plain_row *r = (plain_row *)(void *)sr_secret_data(p->rows) + p->count;
    memset(r, 0, sizeof *r);
    return r;
}

/* Takes every row st gives (case_code, unit, created_at, pnr or NULL,
 * generation, sealed): a clear one as it is, a sealed one opened. */
static sr_status take_rows(sr_registry *reg, sqlite3_stmt *st, pending_rows *p, sr_error *err)
{
    sr_status rc = SR_OK;
    int src = SQLITE_DONE;
    while (rc == SR_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        const char *unit = (const char *)sqlite3_column_text(st, 1);
        int sealed = sqlite3_column_type(st, 3) == SQLITE_NULL;
        sqlite3_int64 gen = sqlite3_column_int64(st, 4);
        if (!code || !unit || strlen(code) > SR_CASE_CODE_MAX || strlen(unit) > SR_UNIT_CODE_MAX) {
            rc = srp_error_set(err, SR_ERR_CORRUPT, "a row of the code key is damaged");
            break;
        }
        plain_row *r = pending_append(p);
        if (!r) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            break;
        }
        copy_text(r->code, sizeof r->code, (const unsigned char *)code);
        copy_text(r->unit, sizeof r->unit, (const unsigned char *)unit);
        copy_text(r->created, sizeof r->created, sqlite3_column_text(st, 2));
        if (!sealed) {
            copy_text(r->pnr, sizeof r->pnr, sqlite3_column_text(st, 3));
        } else if (srp_unit_keys_open_pnr(srp_registry_unit_keys(reg), unit,
                                          gen > 0 && gen <= UINT32_MAX ? (uint32_t)gen : 0, code,
                                          sqlite3_column_blob(st, 5),
                                          (size_t)sqlite3_column_bytes(st, 5), r->pnr,
                                          sizeof r->pnr, NULL) != SR_OK) {
            /* A row that does not open (altered, or under a key the
             * session lacks) stays as it is: it must not stop a rotation. */
            p->damaged++;
            continue;
        }
        p->count++;
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(srp_registry_db(reg), src, "read the code key", err);
    return rc;
}

/* A unit's rows under another generation than its newest (count_older). */
static sr_status read_older(sr_registry *reg, const char *unit, uint32_t newest, void *ctx,
                            sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_registry_prepare(
        reg,
        "SELECT case_code, unit, created_at, NULL, generation, sealed FROM codekey.pnr_sealed"
        " WHERE unit = ?1 AND generation < ?2 UNION ALL SELECT case_code, unit, created_at, NULL,"
        " generation, sealed FROM codekey.pnr_sealed WHERE unit = ?1 AND generation > ?2",
        &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, newest);
    rc = take_rows(reg, st, ctx, err);
    srp_stmt_done(reg, st);
    return rc;
}

/* Reads every row that needs sealing (count_pending), in the clear, into
 * guarded memory. */
static sr_status read_pending(sr_registry *reg, pending_rows *p, sr_error *err)
{
    int has = 0;
    sr_status rc = sealed_table(reg, &has, err);
    if (rc == SR_OK && !srp_keyring_codekey_sealed(srp_registry_keyring(reg))) {
        sqlite3_stmt *st = NULL;
        rc = srp_registry_prepare(reg,
                                  "SELECT k.case_code, c.unit, k.created_at, k.pnr, NULL, NULL"
                                  " FROM codekey.code_key k JOIN main.cases c"
                                  " ON c.code = k.case_code",
                                  &st, err);
        if (rc == SR_OK)
            rc = take_rows(reg, st, p, err);
        srp_stmt_done(reg, st);
    }
    if (rc == SR_OK && has)
        rc = each_sealed_unit(reg, read_older, p, err);
    return rc;
}

static sr_status reseal_rows(sr_registry *reg, void *vctx, sr_error *err)
{
    const pending_rows *p = vctx;
    sr_status rc = srp_store_init_codekey(srp_registry_db(reg), err);
    for (size_t i = 0; i < p->count && rc == SR_OK; i++) {
        const plain_row *r = (const plain_row *)(const void *)sr_secret_cdata(p->rows) + i;
        rc = insert_sealed(reg, r->code, r->unit, r->pnr, r->created, 0, err);
    }
    if (rc == SR_OK)
        rc = srp_store_exec(srp_registry_db(reg),
                            "DELETE FROM codekey.code_key WHERE case_code IN (SELECT code FROM"
                            " main.cases)",
                            err);
    return rc;
}

sr_status srp_codekey_reseal(sr_registry *reg, const char *action, sr_error *err)
{
    long clear = 0, older = 0;
    sr_status rc = count_pending(reg, &clear, &older, err);
    if (rc != SR_OK || (clear == 0 && older == 0))
        return rc;
    pending_rows p = {NULL, 0, 0, 0};
    rc = read_pending(reg, &p, err);
    char detail[128];
    snprintf(detail, sizeof detail, "sealed=%ld resealed=%ld unreadable=%ld", clear,
             older - p.damaged, p.damaged);
    if (rc == SR_OK && p.count > 0)
        rc = srp_registry_transaction(reg, action, NULL, detail, reseal_rows, &p, err);
    sr_secret_free(p.rows);
    return rc;
}
