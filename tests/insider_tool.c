/*
 * insider_tool.c - what a hostile insider can do with nothing but their own
 * passphrase and the registry's files, for the hostile-insider suite
 * (tests/insider). It unlocks the user's own slot through the library, as
 * the product does, and then works on the files directly, bypassing every
 * check in code: whatever it manages, an insider manages.
 *
 *   insider_tool sql REGISTRY USER PASSFILE SQL...
 *       runs each SQL statement on the database with the user's keys and
 *       prints the rows of a query tab-separated (no lock, no log entry);
 *       the code key file is attached as "codekey" when the user's keys open
 *       it (srp_registry_codekey_key);
 *   insider_tool rechain REGISTRY USER PASSFILE
 *       rewrites the whole audit log so that its chain holds again, with
 *       every key the user holds: each entry appended anew, signed with the
 *       user's own signing key where the library signs entries, MAC'd under
 *       the audit key where it does not (a coordinator covering up an edit);
 *   insider_tool forge-extract RECIPIENT.pub REGISTRY-ID OUT
 *       writes a well-formed extract for the recipient that claims to come
 *       from the registry REGISTRY-ID, signed by a key of the forger's own
 *       (a removed admin's, or anyone's): one cases.csv row.
 *
 * Never part of the product: built only for the tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "audit_int.h"
#include "base/fileio.h"
#include "container.h"
#include "keyring.h"
#include "registry_int.h"
#include "store.h"
#include "sigreg/registry.h"
#include "sigreg/secret.h"

static sr_secret *read_pass(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char line[1100];
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return NULL;
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    size_t n = strlen(line);
    sr_secret *s = sr_secret_new(n);
    if (s) {
        memcpy(sr_secret_data(s), line, n);
        sr_secret_set_len(s, n);
    }
    return s;
}

static int print_row(void *ctx, int n, char **values, char **names)
{
    (void)ctx;
    (void)names;
    for (int i = 0; i < n; i++)
        printf("%s%s", i ? "\t" : "", values[i] ? values[i] : "NULL");
    printf("\n");
    return 0;
}

typedef struct row {
    char *user, *action, *case_code, *detail;
} row;

static char *dup_text(const unsigned char *t)
{
    return t ? strdup((const char *)t) : NULL;
}

static int rechain(sr_registry *reg)
{
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT user, action, case_code, detail FROM audit ORDER BY seq", -1,
                           &st, NULL) != SQLITE_OK)
        return 1;
    row *rows = NULL;
    size_t n = 0, cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            rows = realloc(rows, cap * sizeof *rows);
            if (!rows)
                return 1;
        }
        rows[n].user = dup_text(sqlite3_column_text(st, 0));
        rows[n].action = dup_text(sqlite3_column_text(st, 1));
        rows[n].case_code = dup_text(sqlite3_column_text(st, 2));
        rows[n].detail = dup_text(sqlite3_column_text(st, 3));
        n++;
    }
    sqlite3_finalize(st);
    unsigned char key[SRP_KEY_BYTES];
    srp_keys_master_subkey(srp_registry_keys(reg), 0, SRP_SUBKEY_AUDIT, key);
    int bad = sqlite3_exec(db, "BEGIN; DELETE FROM audit", NULL, NULL, NULL) != SQLITE_OK;
    sr_error err;
    sr_error_clear(&err);
#ifdef SRP_AUDIT_SIGNED_ENTRIES
    srp_audit_signer signer;
    int can_sign = srp_registry_entry_signer(reg, &signer);
#endif
    for (size_t i = 0; i < n && !bad; i++) {
#ifdef SRP_AUDIT_SIGNED_ENTRIES
        bad = srp_audit_append(db, key, can_sign ? &signer : NULL, rows[i].user, rows[i].action,
                               rows[i].case_code, rows[i].detail, &err) != SR_OK;
#else
        bad = srp_audit_append(db, key, rows[i].user, rows[i].action, rows[i].case_code,
                               rows[i].detail, &err) != SR_OK;
#endif
    }
    bad = bad || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK;
    if (bad)
        fprintf(stderr, "insider_tool: rechain failed: %s\n", err.message);
    for (size_t i = 0; i < n; i++) {
        free(rows[i].user);
        free(rows[i].action);
        free(rows[i].case_code);
        free(rows[i].detail);
    }
    free(rows);
    srp_wipe(key, sizeof key);
    return bad;
}

static sr_status to_file(void *ctx, const void *data, size_t len, sr_error *err)
{
    (void)err;
    return fwrite(data, 1, len, ctx) == len ? SR_OK : SR_ERR_IO;
}

static sr_status to_container(void *ctx, const void *data, size_t len, sr_error *err)
{
    return srp_container_write(ctx, data, len, err);
}

static int forge_extract(const char *pub_path, const char *registry_id, const char *out_path)
{
    sr_error err;
    sr_error_clear(&err);
    unsigned char *pub = NULL, rpk[SRP_BOX_PUBLIC_BYTES];
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES], sk[SRP_SIGN_SECRET_BYTES];
    size_t len = 0;
    if (srp_file_read_all(pub_path, 65536, &pub, &len, &err) != SR_OK ||
        srp_recipient_public_parse((const char *)pub, len, rpk, &err) != SR_OK) {
        fprintf(stderr, "insider_tool: %s\n", err.message);
        free(pub);
        return 1;
    }
    free(pub);
    srp_sign_keypair(pk, sk);
    FILE *f = fopen(out_path, "wb");
    if (!f)
        return 1;
    srp_container_writer *w = NULL;
#ifdef SRP_AUDIT_SIGNED_ENTRIES
    char extra[256];
    snprintf(extra, sizeof extra, "{\"registry\":\"%s\"}", registry_id);
    sr_status rc = srp_container_writer_new_ex(rpk, sk, pk, extra, to_file, f, &w, &err);
#else
    (void)registry_id;
    sr_status rc = srp_container_writer_new(rpk, sk, pk, to_file, f, &w, &err);
#endif
    srp_archive_writer *ar = rc == SR_OK ? srp_archive_writer_new(to_container, w) : NULL;
    static const char cases[] = "person,unit,sex\n1,U1,girl\n";
    static const char meta[] = "{\"forged\": true}\n";
    if (rc == SR_OK && !ar)
        rc = SR_ERR_NOMEM;
    if (rc == SR_OK)
        rc = srp_archive_add(ar, "cases.csv", cases, sizeof cases - 1, &err);
    if (rc == SR_OK)
        rc = srp_archive_add(ar, "metadata.json", meta, sizeof meta - 1, &err);
    if (rc == SR_OK)
        rc = srp_container_writer_finish(w, NULL, &err);
    srp_archive_writer_free(ar);
    srp_container_writer_free(w);
    srp_wipe(sk, sizeof sk);
    if (fclose(f) != 0 || rc != SR_OK) {
        fprintf(stderr, "insider_tool: cannot forge: %s\n", err.message);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "forge-extract") == 0) {
        sr_error e;
        sr_error_clear(&e);
        return sr_crypto_init(&e) == SR_OK ? forge_extract(argv[2], argv[3], argv[4]) : 1;
    }
    if (argc < 5 || (strcmp(argv[1], "sql") && strcmp(argv[1], "rechain"))) {
        fprintf(stderr, "usage: insider_tool sql|rechain REGISTRY USER PASSFILE [SQL...]\n"
                        "       insider_tool forge-extract RECIPIENT.pub REGISTRY-ID OUT\n");
        return 2;
    }
    sr_error err;
    sr_error_clear(&err);
    if (sr_crypto_init(&err) != SR_OK)
        return 1;
    sr_secret *pass = read_pass(argv[4]);
    sr_open_options o = {argv[3], 2000};
    sr_registry *reg = NULL;
    if (!pass || sr_registry_open(argv[2], &o, pass, &reg, &err) != SR_OK) {
        fprintf(stderr, "insider_tool: cannot unlock: %s\n", err.message);
        sr_secret_free(pass);
        return 1;
    }
    int rc = 0;
    if (strcmp(argv[1], "sql") == 0) {
        /* The code key too, with whatever key the slot gives for it. */
        int attached = sqlite3_db_filename(srp_registry_db(reg), "codekey") != NULL;
        sr_secret *ck = srp_registry_keys(reg)->has_identity && !attached
                            ? srp_registry_codekey_key(reg)
                            : NULL;
        if (ck && srp_store_attach(srp_registry_db(reg), srp_registry_codekey_path(reg), "codekey",
                                   sr_secret_cdata(ck), &err) != SR_OK)
            sqlite3_exec(srp_registry_db(reg), "DETACH DATABASE codekey", NULL, NULL, NULL);
        sr_secret_free(ck);
        for (int i = 5; i < argc && rc == 0; i++) {
            char *msg = NULL;
            if (sqlite3_exec(srp_registry_db(reg), argv[i], print_row, NULL, &msg) != SQLITE_OK) {
                fprintf(stderr, "insider_tool: %s\n", msg ? msg : "sql failed");
                rc = 1;
            }
            sqlite3_free(msg);
        }
    } else {
        rc = rechain(reg);
    }
    sr_registry_close(reg);
    sr_secret_free(pass);
    return rc;
}
