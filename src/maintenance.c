/*
 * maintenance.c - checking a registry whole, listing its audit log, and
 * writing backups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigreg/audit.h"
#include "base/error.h"
#include "base/fileio.h"
#include "audit_int.h"
#include "registry_int.h"
#include "sigreg/maintenance.h"
#include "sidelog.h"
#include "sigreg/output.h"
#include "store.h"

static sr_status integrity(sqlite3 *db, const char *schema, int *ok, sr_error *err)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA %s.integrity_check", schema);
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(db, sql, &st, err);
    if (rc != SR_OK) {
        *ok = 0;
        return rc == SR_ERR_CORRUPT ? SR_OK : rc;
    }
    int src = sqlite3_step(st);
    *ok = src == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0 &&
          sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return SR_OK;
}

sr_status sr_registry_verify(sr_registry *reg, sr_verify_report *report, sr_error *err)
{
    memset(report, 0, sizeof *report);
    report->codekey_ok = -1;
    if (!srp_registry_has_database(reg)) {
        /* An analyst: no key to the database; the access log they write. */
        report->database_ok = -1;
        sr_audit_report side;
        sr_status src = sr_audit_verify(reg, &side, err);
        report->audit_ok = report->sidelog_ok = src == SR_OK;
        report->audit_entries = report->sidelog_entries = side.entries;
        memcpy(report->audit_head, side.head, sizeof report->audit_head);
        return src;
    }
    sqlite3 *db = srp_registry_db(reg);
    sr_status rc = integrity(db, "main", &report->database_ok, err);
    if (rc == SR_OK && srp_registry_has_identity(reg))
        rc = integrity(db, "codekey", &report->codekey_ok, err);
    if (rc != SR_OK)
        return rc;
    sr_audit_report audit;
    sr_error audit_err;
    sr_error_clear(&audit_err);
    sr_status arc = srp_registry_audit_verify(reg, NULL, &audit, &audit_err);
    report->audit_ok = arc == SR_OK;
    report->audit_entries = audit.entries;
    memcpy(report->audit_head, audit.head, sizeof report->audit_head);
    if (!report->database_ok)
        return srp_error_set(err, SR_ERR_CORRUPT, "the database fails its integrity check");
    if (report->codekey_ok == 0)
        return srp_error_set(err, SR_ERR_CORRUPT, "the code key fails its integrity check");
    if (arc != SR_OK) {
        if (err && err->status == SR_OK)
            *err = audit_err;
        return arc;
    }
    arc = srp_audit_side_check(reg, &report->sidelog_entries, err);
    report->sidelog_ok = arc == SR_OK;
    if (arc != SR_OK)
        return arc;
    char detail[96];
    snprintf(detail, sizeof detail, "entries=%lld", (long long)audit.entries);
    return srp_registry_transaction(reg, "registry.verify", NULL, detail, NULL, NULL, err);
}

/* ---- backup ---------------------------------------------------------------------------- */

static sr_status check_copy(const char *path, const sr_secret *key, sr_error *err)
{
    sqlite3 *db = NULL;
    sr_status rc = srp_store_open(path, sr_secret_cdata(key), 0, 0, &db, err);
    if (rc == SR_ERR_AUTH)
        return srp_error_set(err, SR_ERR_CORRUPT, "the backup '%s' does not open", path);
    int ok = 0;
    if (rc == SR_OK)
        rc = integrity(db, "main", &ok, err);
    srp_store_close(db);
    if (rc == SR_OK && !ok)
        rc = srp_error_set(err, SR_ERR_CORRUPT, "the backup '%s' fails its integrity check", path);
    return rc;
}

sr_status sr_registry_backup(sr_registry *reg, const char *out_path, sr_error *err)
{
    sr_status rc = sr_registry_require(reg, SR_ROLE_BIT(SR_ROLE_ADMIN), "make backups", err);
    if (rc != SR_OK)
        return rc;
    char *stem = srp_path_stem(out_path);
    if (!stem)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    char *dst_keyring = srp_str_concat(stem, ".keyring");
    char *dst_codekey = srp_str_concat(stem, ".codekey");
    char *dst_checkpoint = srp_str_concat(stem, ".checkpoint");
    char *dst_sidelog = srp_str_concat(stem, SRP_SIDELOG_EXT);
    char *checkpoint = NULL;
    sr_secret *dbkey = srp_registry_database_key(reg);
    sr_secret *ckkey = srp_registry_codekey_key(reg);
    free(stem);
    if (!dst_keyring || !dst_codekey || !dst_checkpoint || !dst_sidelog || !dbkey || !ckkey) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    const char *targets[] = {out_path, dst_keyring, dst_codekey, dst_checkpoint, dst_sidelog};
    for (int i = 0; i < 5; i++)
        if (srp_file_exists(targets[i])) {
            rc = srp_error_set_where(err, SR_ERR_EXISTS, targets[i],
                                     "'%s' already exists: not overwriting it", targets[i]);
            goto out;
        }
    /* Nor onto (or into the folder of) any registry's own files. */
    sr_output_options oo = {0, srp_registry_db_path(reg)};
    for (int i = 0; i < 5 && rc == SR_OK; i++)
        rc = sr_output_check(targets[i], &oo, err);
    if (rc == SR_OK)
        rc = srp_file_dir_writable(out_path, err);
    if (rc != SR_OK)
        goto out;
    char detail[64];
    snprintf(detail, sizeof detail, "files=4");
    /* Logged before the copy, so that the backup holds its own entry. The
     * copy is made under the registry lock with no transaction open, so the
     * files on disk are a consistent set. */
    rc = srp_registry_lock(reg, err);
    if (rc != SR_OK)
        goto out;
    rc = srp_registry_transaction(reg, "registry.backup", NULL, detail, NULL, NULL, err);
    /* A signed checkpoint of the log as copied, beside the copy: the
     * registry's log may never later fall below it. */
    if (rc == SR_OK)
        rc = srp_audit_checkpoint_text(reg, &checkpoint, NULL, err);
    if (rc == SR_OK)
        rc = srp_file_copy_atomic(srp_registry_db_path(reg), out_path, err);
    if (rc == SR_OK)
        rc = srp_file_copy_atomic(srp_registry_codekey_path(reg), dst_codekey, err);
    if (rc == SR_OK)
        rc = srp_file_copy_atomic(srp_registry_keyring_path(reg), dst_keyring, err);
    if (rc == SR_OK)
        rc = srp_file_write_atomic(dst_checkpoint, checkpoint, strlen(checkpoint), err);
    /* The analysts' access log, which the copied log may have anchored. */
    if (rc == SR_OK && srp_file_exists(srp_registry_sidelog_path(reg)))
        rc = srp_file_copy_atomic(srp_registry_sidelog_path(reg), dst_sidelog, err);
    srp_registry_unlock(reg);
    if (rc == SR_OK)
        rc = check_copy(out_path, dbkey, err);
    if (rc == SR_OK)
        rc = check_copy(dst_codekey, ckkey, err);
out:
    free(dst_keyring);
    free(dst_codekey);
    free(dst_checkpoint);
    free(dst_sidelog);
    free(checkpoint);
    sr_secret_free(dbkey);
    sr_secret_free(ckkey);
    return rc;
}
