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
 *   insider_tool forge-publication RECIPIENT.pub REGISTRY-ID OUT [chain]
 *       a publication package for the recipient that claims to come from
 *       the admin of REGISTRY-ID, signed (and co-signed) by a key of the
 *       forger's own; with "chain" it also claims that key as the
 *       registry's signing key (a chain of one link);
 *   insider_tool forge-rotation REGISTRY USER PASSFILE RECIPIENT.pub OUT [self]
 *       a removed admin's copy of the registry: writes an extract for the
 *       recipient signed by a new key of the forger's, with the keyring's
 *       chain and one more link to that key, signed by the registry signing
 *       key the copy holds (with "self": signed by the new key itself, as
 *       someone without that key would have to).
 *
 *   insider_tool forge-certified REGISTRY USER PASSFILE RECIPIENT.pub OUT MODE
 *       a publication for the recipient signed (and co-signed) with the
 *       user's own key, carrying the certificate of that key from the
 *       keyring and its signing chain, as `publish` makes it; MODE
 *       "genuine" changes nothing, "units" claims unit NORR beyond the
 *       certificate's, "certunits" adds NORR to the certificate's units too,
 *       "user" names "nils" as the publisher, in the certificate as well.
 *
 * Never part of the product: built only for the tests.
 */
#include <jansson.h>
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
#include "signer_chain.h"
#include "sigreg/publication.h"
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

static int forge_publication(const char *pub_path, const char *registry_id, const char *out_path,
                             int with_chain)
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
    char *k64 = srp_base64_encode(pk, sizeof pk);
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:s, s:i, s:s, s:[]}", "format",
                  "sigreg-publication/1", "registry_id", registry_id, "published_at",
                  "2026-01-01T00:00:00Z", "published_by", "admin", "publisher_role", "admin",
                  "units", "U1", "periods", "year", "min_cell", 3, "publisher_key", k64, "tables");
    if (with_chain)
        json_object_set_new(doc, "signer_chain", json_pack("[{s:i, s:s}]", "epoch", 1, "key", k64));
    free(k64);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    unsigned char sig[SRP_SIGNATURE_BYTES];
    srp_sign(sig, (const unsigned char *)text, strlen(text), sk);
    char *s64 = srp_base64_encode(sig, sizeof sig);
    size_t n = strlen(text) + strlen(s64) + 32;
    char *full = malloc(n);
    snprintf(full, n, "%s\npublisher_signature:%s", text, s64);
    free(text);
    free(s64);
    unsigned char *sealed = NULL;
    size_t sealed_len = 0;
    sr_status rc = srp_container_seal((const unsigned char *)full, strlen(full), rpk, sk, pk,
                                      &sealed, &sealed_len, &err);
    free(full);
    srp_wipe(sk, sizeof sk);
    FILE *f = rc == SR_OK ? fopen(out_path, "wb") : NULL;
    int bad = !f || fwrite(sealed, 1, sealed_len, f) != sealed_len;
    if (f && fclose(f) != 0)
        bad = 1;
    free(sealed);
    return bad;
}

/* See forge-certified above. */
static int forge_certified(sr_registry *reg, const char *pub_path, const char *out_path,
                           const char *mode)
{
    sr_error err;
    sr_error_clear(&err);
    srp_keyring *kr = srp_registry_keyring(reg);
    const char *user = sr_registry_user(reg);
    const unsigned char *cert = srp_keyring_publisher_cert(kr, user);
    const unsigned char *pk = srp_keyring_user_sign_public(kr, user);
    const char *const *units = NULL;
    size_t n = 0;
    unsigned char *pub = NULL, rpk[SRP_BOX_PUBLIC_BYTES];
    size_t len = 0;
    sr_secret *sk = sr_secret_new(SRP_SIGN_SECRET_BYTES);
    if (!cert || !pk || !sk || srp_keyring_user_units(kr, user, &units, &n) != 0 ||
        srp_keyring_slot_sign_secret(srp_registry_slot_secret(reg), sr_secret_data(sk), &err) !=
            SR_OK ||
        srp_file_read_all(pub_path, 65536, &pub, &len, &err) != SR_OK ||
        srp_recipient_public_parse((const char *)pub, len, rpk, &err) != SR_OK) {
        fprintf(stderr, "insider_tool: no certificate or key: %s\n", err.message);
        free(pub);
        sr_secret_free(sk);
        return 1;
    }
    free(pub);
    const char *name = strcmp(mode, "user") == 0 ? "nils" : user;
    json_t *claimed = json_array(), *certified = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(claimed, json_string(units[i]));
        json_array_append_new(certified, json_string(units[i]));
    }
    if (strcmp(mode, "units") == 0 || strcmp(mode, "certunits") == 0)
        json_array_append_new(claimed, json_string("NORR"));
    if (strcmp(mode, "certunits") == 0)
        json_array_append_new(certified, json_string("NORR"));
    char *k64 = srp_base64_encode(pk, SRP_SIGN_PUBLIC_BYTES);
    char *c64 = srp_base64_encode(cert, SRP_SIGNATURE_BYTES);
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:i, s:s, s:[], s:{s:s, s:s, s:o, s:s, s:I, s:s}}",
        "format", SR_PUBLICATION_FORMAT, "registry_id", srp_keyring_registry_id(kr), "published_at",
        "2026-01-01T00:00:00Z", "published_by", name, "publisher_role", "coordinator", "units",
        claimed, "periods", "year", "min_cell", 5, "publisher_key", k64, "tables",
        "publisher_certificate", "user", name, "role", "coordinator", "units", certified, "key",
        k64, "signing_epoch", (json_int_t)srp_keyring_signing_epoch(kr), "signature", c64);
    free(k64);
    free(c64);
    sr_status rc = doc ? srp_signer_chain_into(kr, doc, &err) : SR_ERR_NOMEM;
    char *text = rc == SR_OK ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    if (!text) {
        sr_secret_free(sk);
        return 1;
    }
    unsigned char sig[SRP_SIGNATURE_BYTES];
    srp_sign(sig, (const unsigned char *)text, strlen(text), sr_secret_cdata(sk));
    char *s64 = srp_base64_encode(sig, sizeof sig);
    size_t full_len = strlen(text) + strlen(s64) + 32;
    char *full = malloc(full_len);
    snprintf(full, full_len, "%s\npublisher_signature:%s", text, s64);
    free(text);
    free(s64);
    unsigned char *sealed = NULL;
    size_t sealed_len = 0;
    rc = srp_container_seal((const unsigned char *)full, strlen(full), rpk, sr_secret_cdata(sk), pk,
                            &sealed, &sealed_len, &err);
    free(full);
    sr_secret_free(sk);
    FILE *f = rc == SR_OK ? fopen(out_path, "wb") : NULL;
    int bad = !f || fwrite(sealed, 1, sealed_len, f) != sealed_len;
    if (f && fclose(f) != 0)
        bad = 1;
    free(sealed);
    return bad;
}

#ifdef SRP_AUDIT_SIGNED_ENTRIES
static int forge_rotation(sr_registry *reg, const char *pub_path, const char *out_path, int self)
{
    sr_error err;
    sr_error_clear(&err);
    const srp_keys *keys = srp_registry_keys(reg);
    srp_keyring *kr = srp_registry_keyring(reg);
    unsigned char *pub = NULL, rpk[SRP_BOX_PUBLIC_BYTES];
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES], sk[SRP_SIGN_SECRET_BYTES];
    size_t len = 0;
    if (!keys->has_signing || srp_file_read_all(pub_path, 65536, &pub, &len, &err) != SR_OK ||
        srp_recipient_public_parse((const char *)pub, len, rpk, &err) != SR_OK) {
        fprintf(stderr, "insider_tool: no signing key or no recipient: %s\n", err.message);
        free(pub);
        return 1;
    }
    free(pub);
    srp_sign_keypair(pk, sk);
    uint32_t epoch = srp_keyring_signing_epoch(kr) + 1;
    json_t *h = json_pack("{s:s}", "registry", srp_registry_id(reg));
    srp_signer_chain_into(kr, h, &err);
    unsigned char msg[SRP_MAC_BYTES], sig[SRP_SIGNATURE_BYTES];
    srp_signing_rotation_digest(srp_registry_id(reg), epoch, pk, msg);
    srp_sign(sig, msg, sizeof msg, self ? sk : keys->signing);
    char *k64 = srp_base64_encode(pk, sizeof pk), *s64 = srp_base64_encode(sig, sizeof sig);
    json_array_append_new(
        json_object_get(h, "signer_chain"),
        json_pack("{s:i, s:s, s:s}", "epoch", (int)epoch, "key", k64, "sig", s64));
    json_object_set_new(h, "signing_epoch", json_integer(epoch));
    free(k64);
    free(s64);
    char *extra = json_dumps(h, JSON_COMPACT);
    json_decref(h);
    FILE *f = fopen(out_path, "wb");
    srp_container_writer *w = NULL;
    sr_status rc = f && extra
                       ? srp_container_writer_new_ex(rpk, sk, pk, extra, to_file, f, &w, &err)
                       : SR_ERR_IO;
    free(extra);
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
    if (!f || fclose(f) != 0 || rc != SR_OK) {
        fprintf(stderr, "insider_tool: cannot forge: %s\n", err.message);
        return 1;
    }
    return 0;
}
#endif

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "forge-extract") == 0) {
        sr_error e;
        sr_error_clear(&e);
        return sr_crypto_init(&e) == SR_OK ? forge_extract(argv[2], argv[3], argv[4]) : 1;
    }
    if (argc >= 5 && strcmp(argv[1], "forge-publication") == 0) {
        sr_error e;
        sr_error_clear(&e);
        return sr_crypto_init(&e) == SR_OK ? forge_publication(argv[2], argv[3], argv[4], argc > 5)
                                           : 1;
    }
    if (argc < 5 || (strcmp(argv[1], "sql") && strcmp(argv[1], "rechain") &&
                     strcmp(argv[1], "forge-rotation") && strcmp(argv[1], "forge-certified"))) {
        fprintf(stderr, "usage: insider_tool sql|rechain REGISTRY USER PASSFILE [SQL...]\n"
                        "       insider_tool forge-extract RECIPIENT.pub REGISTRY-ID OUT\n"
                        "       insider_tool forge-rotation REGISTRY USER PASSFILE RECIPIENT.pub "
                        "OUT [self]\n");
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
    } else if (strcmp(argv[1], "forge-certified") == 0) {
        rc = argc >= 8 ? forge_certified(reg, argv[5], argv[6], argv[7]) : 2;
    } else if (strcmp(argv[1], "forge-rotation") == 0) {
#ifdef SRP_AUDIT_SIGNED_ENTRIES
        rc = argc >= 7 ? forge_rotation(reg, argv[5], argv[6], argc > 7) : 2;
#else
        rc = 2;
#endif
    } else {
        rc = rechain(reg);
    }
    sr_registry_close(reg);
    sr_secret_free(pass);
    return rc;
}
