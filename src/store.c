/*
 * store.c - SQLCipher databases: keying, pragmas, migrations, statements.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/fileio.h"

/* Each migration takes the schema from version i to i + 1. Never edit one
 * that has shipped: add a new one. */
static const char *const migrations[SRP_SCHEMA_VERSION] = {
    /* 0 -> 1: settings, units, unit membership, audit log */
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE units (code TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL);"
    "CREATE TABLE user_units (user TEXT NOT NULL, unit TEXT NOT NULL REFERENCES units(code),"
    "  PRIMARY KEY (user, unit));"
    "CREATE TABLE audit (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT NOT NULL,"
    "  action TEXT NOT NULL, case_code TEXT, detail TEXT, mac BLOB NOT NULL);",
    /* 1 -> 2: form definitions, immutable per id and version */
    "CREATE TABLE forms (id TEXT NOT NULL, version INTEGER NOT NULL, phase TEXT NOT NULL,"
    "  repeatable INTEGER NOT NULL, title TEXT NOT NULL, definition TEXT NOT NULL,"
    "  digest TEXT NOT NULL, installed_at TEXT NOT NULL, PRIMARY KEY (id, version));",
    /* 2 -> 3: cases and responses */
    "CREATE TABLE cases (code TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code),"
    "  pseudonym BLOB UNIQUE, birth_date TEXT, status TEXT NOT NULL, opened_at TEXT NOT NULL,"
    "  closed_at TEXT);"
    "CREATE INDEX cases_unit ON cases(unit, status);"
    "CREATE TABLE responses (id INTEGER PRIMARY KEY, case_code TEXT NOT NULL"
    "  REFERENCES cases(code) ON DELETE CASCADE, form_id TEXT NOT NULL,"
    "  form_version INTEGER NOT NULL, phase TEXT NOT NULL, date TEXT NOT NULL,"
    "  revision INTEGER NOT NULL DEFAULT 1, answers TEXT NOT NULL, created_at TEXT NOT NULL,"
    "  created_by TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1,"
    "  FOREIGN KEY (form_id, form_version) REFERENCES forms(id, version));"
    "CREATE INDEX responses_case ON responses(case_code, date);"
    "CREATE INDEX responses_form ON responses(form_id, form_version);"
    "CREATE TABLE response_history (response_id INTEGER NOT NULL REFERENCES responses(id)"
    "  ON DELETE CASCADE, revision INTEGER NOT NULL, date TEXT NOT NULL, answers TEXT NOT NULL,"
    "  replaced_at TEXT NOT NULL, replaced_by TEXT NOT NULL, PRIMARY KEY (response_id, revision));"
    /* The coded answers that summaries read, clustered by form and case so
     * that a summary reads one run of pages and never the JSON. */
    "CREATE TABLE response_codes (form_id TEXT NOT NULL, case_code TEXT NOT NULL,"
    "  response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
    "  form_version INTEGER NOT NULL, date TEXT NOT NULL, active INTEGER NOT NULL,"
    "  coded BLOB NOT NULL, PRIMARY KEY (form_id, case_code, response_id)) WITHOUT ROWID;"
    "CREATE INDEX response_codes_response ON response_codes(response_id);"
    "CREATE INDEX response_codes_case ON response_codes(case_code, form_id);"
    "CREATE TABLE case_events (case_code TEXT NOT NULL REFERENCES cases(code) ON DELETE CASCADE,"
    "  at TEXT NOT NULL, user TEXT NOT NULL, event TEXT NOT NULL, reason TEXT);",
    /* 3 -> 4: what a summary needs of a case, readable from this index alone:
     * every page read is decrypted and checked, and the case rows are three
     * times the size. */
    "CREATE INDEX cases_summary ON cases(code, unit, birth_date, status);",
    /* 4 -> 5: each case's record key for the cell-key method (cellkey.h):
     * uniform 32 bits from libsodium, drawn here for the cases there are
     * (sigreg_record_key(), registered on every connection) and by case.c
     * for every new one. Never printed, never in an extract. */
    "ALTER TABLE cases ADD COLUMN record_key INTEGER;"
    "UPDATE cases SET record_key = sigreg_record_key();",
    /* 5 -> 6: the audit log's unkeyed hash chain (link) and each entry's
     * signature by the acting user (signer: Ed25519 public key, sig); rows
     * written before keep a NULL link until the next append fills it in. */
    "ALTER TABLE audit ADD COLUMN link BLOB;"
    "ALTER TABLE audit ADD COLUMN signer BLOB;"
    "ALTER TABLE audit ADD COLUMN sig BLOB;",
    /* 6 -> 7: drafts (sigreg/drafts.h): one half-filled answer set per case,
     * form version and user, until it is registered or discarded. */
    "CREATE TABLE drafts (case_code TEXT NOT NULL REFERENCES cases(code) ON DELETE CASCADE,"
    "  form_id TEXT NOT NULL, form_version INTEGER NOT NULL, user TEXT NOT NULL, date TEXT,"
    "  answers TEXT NOT NULL, answered INTEGER NOT NULL, saved_at TEXT NOT NULL,"
    "  PRIMARY KEY (case_code, form_id, form_version, user),"
    "  FOREIGN KEY (form_id, form_version) REFERENCES forms(id, version));"
    "CREATE INDEX drafts_user ON drafts(user, saved_at);",
    /* 7 -> 8: a case is opened on its intake's date, not on the day the
     * record was made: cases with an intake get that date (the rest keep
     * theirs, and get the intake's when it is registered). */
    "UPDATE cases SET opened_at = (SELECT min(r.date) FROM responses r WHERE"
    " r.case_code = cases.code AND r.phase = 'intake' AND r.active)"
    " WHERE EXISTS (SELECT 1 FROM responses r WHERE r.case_code = cases.code"
    " AND r.phase = 'intake' AND r.active);",
    /* 8 -> 9: the newest anchor of the analysts' side log (audit.c), which
     * the first entry of every session that reads the database looks up:
     * an index of the anchors alone, so that look-up no longer reads back
     * through every entry since the last one, and no other entry costs more. */
    "CREATE INDEX IF NOT EXISTS audit_side_anchor ON audit(seq)"
    " WHERE action = 'sidelog.anchor';",
};

/*
 * The plaintext benchmark build. tools/bench builds the same code once more
 * with SIGREG_PLAINTEXT_BENCHMARK defined (target sigreg-plaintext-benchmark:
 * never built by default, never installed) to measure what the encryption
 * costs. There, and only there, the key is empty, which leaves SQLCipher's
 * codec off, and every use must name itself in the environment.
 */
#ifdef SIGREG_PLAINTEXT_BENCHMARK
#define STORE_ENCRYPTED 0
#define PLAINTEXT_CONSENT "SIGREG_PLAINTEXT_BENCHMARK"
#else
#define STORE_ENCRYPTED 1
#endif

static const char plaintext_header[16] = "SQLite format 3";

int srp_store_is_plaintext(const char *path)
{
    char head[16];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    return n == (ssize_t)sizeof head && memcmp(head, plaintext_header, sizeof head) == 0;
}

sr_status srp_store_require_encrypted(const char *path, const char *display, sr_error *err)
{
#if !STORE_ENCRYPTED
    (void)path;
    (void)display;
    const char *consent = getenv(PLAINTEXT_CONSENT);
    if (!consent || strcmp(consent, "synthetic-data-only") != 0)
        return srp_error_set(err, SR_ERR_USAGE,
                             "this is the plaintext benchmark build of sigreg: it never holds real "
                             "data (set " PLAINTEXT_CONSENT "=synthetic-data-only to benchmark)");
    return SR_OK;
#else
    if (srp_store_is_plaintext(path))
        return srp_error_set_where(err, SR_ERR_NOT_REGISTRY, display,
                                   "'%s' is a plain SQLite database, not a sigreg registry",
                                   display);
    return SR_OK;
#endif
}

sr_status srp_store_fail(sqlite3 *db, int sqlite_rc, const char *what, sr_error *err)
{
    int primary = sqlite_rc & 0xff;
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(sqlite_rc);
    switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return srp_error_set(err, SR_ERR_BUSY, "the registry is busy: another process is using it");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return srp_error_set(err, SR_ERR_CORRUPT,
                             "the registry database is damaged: cannot %s; restore a backup", what);
    case SQLITE_NOMEM:
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory (%s)", what);
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
        return srp_error_set(err, SR_ERR_IO, "cannot %s: %s", what, msg);
    default:
        return srp_error_set(err, SR_ERR_DB, "cannot %s: %s", what, msg);
    }
}

sr_status srp_store_exec(sqlite3 *db, const char *sql, sr_error *err)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? SR_OK : srp_store_fail(db, rc, "update the database", err);
}

/* ---- transaction hooks -----------------------------------------------------------------
 * A session registers hooks on its connection so that every transaction
 * begun through this module takes the registry's lock, whichever module
 * begins it. The table is small (one entry per open session connection). */

typedef struct hook_entry {
    sqlite3 *db;
    srp_store_hooks hooks;
    int entered; /* enter succeeded and leave is owed */
} hook_entry;

static pthread_mutex_t hooks_mutex = PTHREAD_MUTEX_INITIALIZER;
static hook_entry *hook_table;
static size_t hook_count, hook_cap;

static hook_entry *hook_find(sqlite3 *db)
{
    for (size_t i = 0; i < hook_count; i++)
        if (hook_table[i].db == db)
            return &hook_table[i];
    return NULL;
}

sr_status srp_store_set_hooks(sqlite3 *db, const srp_store_hooks *hooks, sr_error *err)
{
    sr_status rc = SR_OK;
    pthread_mutex_lock(&hooks_mutex);
    hook_entry *e = hook_find(db);
    if (!hooks) {
        if (e)
            *e = hook_table[--hook_count];
    } else if (e) {
        e->hooks = *hooks;
    } else {
        void *table = hook_table;
        if (srp_grow(&table, &hook_cap, hook_count + 1, sizeof *hook_table) != 0) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        } else {
            hook_table = table;
            hook_table[hook_count++] = (hook_entry){db, *hooks, 0};
        }
    }
    if (!hooks && hook_count == 0) {
        free(hook_table);
        hook_table = NULL;
        hook_cap = 0;
    }
    pthread_mutex_unlock(&hooks_mutex);
    return rc;
}

/* Copies db's hooks out (the table may move while they run). */
static int hooks_of(sqlite3 *db, srp_store_hooks *out, int *entered, int set_entered)
{
    pthread_mutex_lock(&hooks_mutex);
    hook_entry *e = hook_find(db);
    if (e) {
        *out = e->hooks;
        if (entered)
            *entered = e->entered;
        if (set_entered >= 0)
            e->entered = set_entered;
    }
    pthread_mutex_unlock(&hooks_mutex);
    return e != NULL;
}

static void hooks_leave(sqlite3 *db)
{
    srp_store_hooks h;
    int entered = 0;
    if (db && hooks_of(db, &h, &entered, 0) && entered && h.leave)
        h.leave(h.ctx);
}

sr_status srp_store_begin(sqlite3 *db, sr_error *err)
{
    srp_store_hooks h;
    if (!hooks_of(db, &h, NULL, -1))
        return srp_store_exec(db, "BEGIN IMMEDIATE", err);
    /* The session's lock keeps every other writer out, so the transaction
     * may be deferred: only the files it writes take part in its commit (an
     * attached code key that is only read stays out of it). */
    sr_status rc = h.enter ? h.enter(h.ctx, err) : SR_OK;
    if (rc != SR_OK)
        return rc;
    (void)hooks_of(db, &h, NULL, 1);
    rc = srp_store_exec(db, "BEGIN", err);
    if (rc != SR_OK)
        hooks_leave(db);
    return rc;
}

int srp_store_reading(sqlite3 *db)
{
    for (sqlite3_stmt *st = db ? sqlite3_next_stmt(db, NULL) : NULL; st;
         st = sqlite3_next_stmt(db, st))
        if (sqlite3_stmt_busy(st))
            return 1;
    return 0;
}

sr_status srp_store_commit(sqlite3 *db, sr_error *err)
{
    sr_status rc = srp_store_exec(db, "COMMIT", err);
    if (rc != SR_OK)
        srp_store_rollback(db);
    else
        hooks_leave(db);
    return rc;
}

void srp_store_rollback(sqlite3 *db)
{
    if (db && !sqlite3_get_autocommit(db))
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    hooks_leave(db);
}

sr_status srp_store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out, sr_error *err)
{
    srp_store_hooks h;
    if (hooks_of(db, &h, NULL, -1) && h.prepare) {
        sr_status hrc = h.prepare(h.ctx, sql, err);
        if (hrc != SR_OK)
            return hrc;
    }
    int rc = sqlite3_prepare_v2(db, sql, -1, out, NULL);
    return rc == SQLITE_OK ? SR_OK : srp_store_fail(db, rc, "prepare a query", err);
}

/* The key in SQLCipher's raw form x'<64 hex>', in guarded memory. */
static sr_secret *raw_key_literal(const unsigned char key[SRP_KEY_BYTES])
{
    sr_secret *lit = sr_secret_new(2 * SRP_KEY_BYTES + 4);
    if (!lit)
        return NULL;
    if (!STORE_ENCRYPTED) {
        sr_secret_set_len(lit, 0); /* no key: SQLCipher leaves the pages plain */
        return lit;
    }
    char *p = (char *)sr_secret_data(lit);
    p[0] = 'x';
    p[1] = '\'';
    srp_hex_encode(p + 2, key, SRP_KEY_BYTES);
    p[2 + 2 * SRP_KEY_BYTES] = '\'';
    sr_secret_set_len(lit, 2 * SRP_KEY_BYTES + 3);
    return lit;
}

static sr_status check_cipher(sqlite3 *db, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = SR_OK;
    if (sqlite3_prepare_v2(db, "PRAGMA cipher_version", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW || sqlite3_column_text(st, 0) == NULL)
        rc =
            srp_error_set(err, SR_ERR_NO_CIPHER,
                          "the library is linked to SQLite without encryption (no cipher_version): "
                          "refusing to write plaintext");
    sqlite3_finalize(st);
    return rc;
}

/* After keying: the page size must be set before the first read, and the
 * key verified before anything else reads the file. */
sr_status srp_store_apply_pragmas(sqlite3 *db, sr_error *err)
{
    static const char *const pragmas[] = {
        "PRAGMA temp_store = MEMORY", "PRAGMA secure_delete = ON",    "PRAGMA foreign_keys = ON",
        "PRAGMA synchronous = FULL",  "PRAGMA journal_mode = DELETE",
    };
    for (size_t i = 0; i < sizeof pragmas / sizeof pragmas[0]; i++) {
        int rc = sqlite3_exec(db, pragmas[i], NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return srp_store_fail(db, rc, "configure the database", err);
    }
    return srp_store_set_cache(db, SRP_STORE_CACHE_MIB, err);
}

sr_status srp_store_set_cache(sqlite3 *db, int mib, sr_error *err)
{
    char sql[48];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", mib * 1024);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? SR_OK : srp_store_fail(db, rc, "set the page cache", err);
}

/* sigreg_record_key(): a uniform 32-bit record key from libsodium (the
 * migration that gives existing cases their keys). */
static void record_key_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    uint32_t key;
    srp_random_bytes(&key, sizeof key);
    sqlite3_result_int64(ctx, (sqlite3_int64)key);
}

sr_status srp_store_open(const char *path, const unsigned char key[SRP_KEY_BYTES], int create,
                         int busy_timeout_ms, sqlite3 **out, sr_error *err)
{
    sqlite3 *db = NULL;
    sr_secret *lit = NULL;
    sr_status rc = SR_OK;
    *out = NULL;
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (create && exists)
        return srp_error_set_where(err, SR_ERR_EXISTS, path, "'%s' already exists", path);
    if (!create && !exists)
        return srp_error_set_where(err, SR_ERR_NOT_FOUND, path, "no registry at '%s'", path);
    sr_status refused = srp_store_require_encrypted(path, path, err);
    if (refused != SR_OK)
        return refused;
    /* CREATE is always on so that ATTACH may create files; whether the main
     * file may be created was decided above. */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_CREATE;
    int src = sqlite3_open_v2(path, &db, flags, NULL);
    if (src != SQLITE_OK) {
        rc = srp_store_fail(db, src, "open the registry database", err);
        goto out;
    }
    if (create)
        (void)chmod(path, 0600);
    rc = check_cipher(db, err);
    if (rc != SR_OK)
        goto out;
    /* Databases attached to this connection (the code key, exports) take
     * the default page size, so it must be ours too. */
    if (sqlite3_exec(db, "PRAGMA cipher_default_page_size = 4096", NULL, NULL, NULL) != SQLITE_OK) {
        rc = srp_error_set(err, SR_ERR_DB, "cannot set the cipher page size");
        goto out;
    }
    lit = raw_key_literal(key);
    if (!lit) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* An empty literal (the plaintext benchmark build) means no key at all. */
    if (sr_secret_len(lit) > 0 &&
        sqlite3_key(db, sr_secret_data(lit), (int)sr_secret_len(lit)) != SQLITE_OK) {
        rc = srp_error_set(err, SR_ERR_DB, "cannot set the database key");
        goto out;
    }
    if (sqlite3_exec(db, "PRAGMA cipher_page_size = 4096", NULL, NULL, NULL) != SQLITE_OK) {
        rc = srp_error_set(err, SR_ERR_DB, "cannot set the cipher page size");
        goto out;
    }
    sqlite3_busy_timeout(db, busy_timeout_ms > 0 ? busy_timeout_ms : 5000);
    src = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
    if (src == SQLITE_NOTADB) {
        rc = SR_ERR_AUTH; /* wrong key; no message: the caller decides */
        goto out;
    }
    if (src != SQLITE_OK) {
        rc = srp_store_fail(db, src, "read the registry database", err);
        goto out;
    }
    rc = srp_store_apply_pragmas(db, err);
    if (rc != SR_OK)
        goto out;
    if (sqlite3_create_function(db, "sigreg_record_key", 0, SQLITE_UTF8, NULL, record_key_fn, NULL,
                                NULL) != SQLITE_OK) {
        rc = srp_error_set(err, SR_ERR_DB, "cannot register the record key function");
        goto out;
    }
    *out = db;
    db = NULL;
out:
    sr_secret_free(lit);
    if (db)
        sqlite3_close(db);
    return rc;
}

sr_status srp_store_open_memory(sqlite3 **out, sr_error *err)
{
    sqlite3 *db = NULL;
    *out = NULL;
    int src = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    sr_status rc = src == SQLITE_OK ? SR_OK : srp_store_fail(db, src, "open a directory", err);
    if (rc == SR_OK)
        rc = check_cipher(db, err);
    if (rc == SR_OK)
        rc = srp_store_exec(db, "PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = ON", err);
    if (rc == SR_OK && sqlite3_create_function(db, "sigreg_record_key", 0, SQLITE_UTF8, NULL,
                                               record_key_fn, NULL, NULL) != SQLITE_OK)
        rc = srp_error_set(err, SR_ERR_DB, "cannot register the record key function");
    if (rc == SR_OK)
        rc = srp_store_migrate(db, err);
    if (rc != SR_OK) {
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return SR_OK;
}

void srp_store_close(sqlite3 *db)
{
    if (!db)
        return;
    (void)srp_store_set_hooks(db, NULL, NULL);
    /* A statement still open (a caller's, after the session moved on to a
     * new connection) keeps the connection alive until it is finalized. */
    sqlite3_close_v2(db);
}

sr_status srp_store_attach(sqlite3 *db, const char *path, const char *schema,
                           const unsigned char key[SRP_KEY_BYTES], sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_secret *lit = raw_key_literal(key);
    sr_status rc = SR_OK;
    if (!lit)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    char sql[96];
    snprintf(sql, sizeof sql, "ATTACH DATABASE ?1 AS %s KEY ?2", schema);
    rc = srp_store_prepare(db, sql, &st, err);
    if (rc != SR_OK)
        goto out;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, (const char *)sr_secret_data(lit), (int)sr_secret_len(lit),
                      SQLITE_STATIC);
    int src = sqlite3_step(st);
    if ((src & 0xff) == SQLITE_NOTADB) {
        rc = SR_ERR_AUTH; /* a wrong key shows already when attaching */
        goto out;
    }
    if (src != SQLITE_DONE) {
        rc = srp_store_fail(db, src, "attach a database", err);
        goto out;
    }
    char probe[96];
    snprintf(probe, sizeof probe, "SELECT count(*) FROM %s.sqlite_master", schema);
    src = sqlite3_exec(db, probe, NULL, NULL, NULL);
    if (src != SQLITE_OK) {
        char detach[64];
        snprintf(detach, sizeof detach, "DETACH DATABASE %s", schema);
        (void)sqlite3_exec(db, detach, NULL, NULL, NULL);
        rc = src == SQLITE_NOTADB ? SR_ERR_AUTH : srp_store_fail(db, src, "read a database", err);
    }
out:
    sqlite3_finalize(st);
    sr_secret_free(lit);
    return rc;
}

sr_status srp_store_export(sqlite3 *db, const char *path, const unsigned char key[SRP_KEY_BYTES],
                           sr_error *err)
{
    sr_status rc = SR_OK;
    sqlite3 *check = NULL;
    /* A copy left by a crash, and above all its hot journal, must go: SQLite
     * would otherwise roll that journal into the new file. */
    char *journal = srp_str_concat(path, "-journal");
    if (!journal)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    (void)unlink(path);
    (void)unlink(journal);
    free(journal);
    rc = srp_store_attach(db, path, "export_target", key, err);
    if (rc != SR_OK)
        return rc == SR_ERR_AUTH ? srp_error_set(err, SR_ERR_IO, "cannot create '%s'", path) : rc;
    (void)chmod(path, 0600);
    const char *sql = "SELECT sqlcipher_export('export_target')";
    int src = sqlite3_exec(db, "PRAGMA export_target.cipher_page_size = 4096", NULL, NULL, NULL);
    if (src == SQLITE_OK)
        src = sqlite3_exec(db, sql, NULL, NULL, NULL);
    int drc = sqlite3_exec(db, "DETACH DATABASE export_target", NULL, NULL, NULL);
    if (src != SQLITE_OK || drc != SQLITE_OK) {
        rc = srp_store_fail(db, src != SQLITE_OK ? src : drc, "copy the database", err);
        (void)unlink(path);
        return rc;
    }
    /* Reopen with the new key and read it whole before anyone relies on it. */
    rc = srp_store_open(path, key, 0, 0, &check, err);
    if (rc == SR_OK) {
        sqlite3_stmt *st = NULL;
        rc = srp_store_prepare(check, "PRAGMA integrity_check", &st, err);
        if (rc == SR_OK) {
            if (sqlite3_step(st) != SQLITE_ROW ||
                strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
                rc = srp_error_set(err, SR_ERR_CORRUPT, "the copy '%s' does not check out", path);
            sqlite3_finalize(st);
        }
    } else if (rc == SR_ERR_AUTH) {
        rc =
            srp_error_set(err, SR_ERR_CRYPTO, "the copy '%s' does not open with its new key", path);
    }
    srp_store_close(check);
    if (rc != SR_OK)
        (void)unlink(path);
    return rc;
}

sr_status srp_store_meta_read(sqlite3 *db, sqlite3_stmt *st, const char *key, char **value_out,
                              sr_error *err)
{
    *value_out = NULL;
    sr_status rc = SR_OK;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *value_out = strdup((const char *)sqlite3_column_text(st, 0));
        if (!*value_out)
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    } else if (src == SQLITE_DONE) {
        rc = SR_ERR_NOT_FOUND; /* a normal answer: no message */
    } else {
        rc = srp_store_fail(db, src, "read a setting", err);
    }
    return rc;
}

sr_status srp_store_meta_get(sqlite3 *db, const char *key, char **value_out, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    *value_out = NULL;
    sr_status rc = srp_store_prepare(db, SRP_STORE_META_SQL, &st, err);
    if (rc != SR_OK)
        return rc;
    rc = srp_store_meta_read(db, st, key, value_out, err);
    sqlite3_finalize(st);
    return rc;
}

sr_status srp_store_meta_set(sqlite3 *db, const char *key, const char *value, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc =
        srp_store_prepare(db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "write a setting", err);
    sqlite3_finalize(st);
    return rc;
}

static sr_status schema_version(sqlite3 *db, long *out, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(
        db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'", &st, err);
    if (rc != SR_OK)
        return rc;
    int has_meta = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
    sqlite3_finalize(st);
    *out = 0;
    if (!has_meta)
        return SR_OK;
    char *value = NULL;
    rc = srp_store_meta_get(db, "schema_version", &value, err);
    if (rc == SR_ERR_NOT_FOUND)
        return srp_error_set(err, SR_ERR_CORRUPT, "the registry has no schema version");
    if (rc != SR_OK)
        return rc;
    char *end = NULL;
    *out = strtol(value, &end, 10);
    if (!end || *end != '\0' || *out < 1)
        rc = srp_error_set(err, SR_ERR_CORRUPT, "the registry's schema version is damaged");
    free(value);
    return rc;
}

sr_status srp_store_migrate(sqlite3 *db, sr_error *err)
{
    long version = 0;
    sr_status rc = schema_version(db, &version, err);
    if (rc != SR_OK)
        return rc;
    if (version > SRP_SCHEMA_VERSION)
        return srp_error_set(err, SR_ERR_STATE,
                             "the registry has schema version %ld, newer than this sigreg "
                             "understands (%d): upgrade sigreg",
                             version, SRP_SCHEMA_VERSION);
    if (version == SRP_SCHEMA_VERSION)
        return SR_OK;
    rc = srp_store_begin(db, err);
    if (rc != SR_OK)
        return rc;
    for (long v = version; v < SRP_SCHEMA_VERSION && rc == SR_OK; v++)
        rc = srp_store_exec(db, migrations[v], err);
    char text[16];
    snprintf(text, sizeof text, "%d", SRP_SCHEMA_VERSION);
    if (rc == SR_OK)
        rc = srp_store_meta_set(db, "schema_version", text, err);
    if (rc == SR_OK)
        rc = srp_store_commit(db, err);
    else
        srp_store_rollback(db);
    return rc;
}

/* The code key is a file of its own (schema "codekey"), so its schema has
 * its own version: the user_version of its header, 0 for the code keys of
 * earlier releases (which had the tables, or some of them). Each migration
 * takes it from i to i + 1. Never edit one that has shipped: add a new one. */
static const char *const codekey_migrations[SRP_CODEKEY_VERSION] = {
    /* 0 -> 1: the rows in the clear of the releases before unit keys, the
     * personnummer sealed under its unit's key (codekey.h), and the index an
     * admin's unlock finds rows under another generation than their unit's
     * newest by (a few look-ups per unit, not a read of every row). */
    "CREATE TABLE IF NOT EXISTS codekey.code_key ("
    "  case_code TEXT PRIMARY KEY, pnr TEXT NOT NULL UNIQUE,"
    "  created_at TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS codekey.pnr_sealed ("
    "  case_code TEXT PRIMARY KEY, unit TEXT NOT NULL,"
    "  generation INTEGER NOT NULL, sealed BLOB NOT NULL,"
    "  created_at TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS codekey.pnr_sealed_generation ON pnr_sealed(unit, generation);",
};

static sr_status codekey_version(sqlite3 *db, long *out, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    *out = 0;
    sr_status rc = srp_store_prepare(db, "PRAGMA codekey.user_version", &st, err);
    if (rc != SR_OK)
        return rc;
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        *out = (long)sqlite3_column_int64(st, 0);
    else
        rc = srp_store_fail(db, src, "read the code key's schema version", err);
    sqlite3_finalize(st);
    if (rc == SR_OK && *out > SRP_CODEKEY_VERSION)
        rc = srp_error_set(err, SR_ERR_STATE,
                           "the code key has schema version %ld, newer than this sigreg "
                           "understands (%d): upgrade sigreg",
                           *out, SRP_CODEKEY_VERSION);
    return rc;
}

sr_status srp_store_init_codekey(sqlite3 *db, sr_error *err)
{
    long version = 0;
    sr_status rc = codekey_version(db, &version, err);
    for (long v = version; v < SRP_CODEKEY_VERSION && rc == SR_OK; v++)
        rc = srp_store_exec(db, codekey_migrations[v], err);
    char sql[48];
    snprintf(sql, sizeof sql, "PRAGMA codekey.user_version = %d", SRP_CODEKEY_VERSION);
    if (rc == SR_OK && version < SRP_CODEKEY_VERSION)
        rc = srp_store_exec(db, sql, err);
    return rc;
}

sr_status srp_store_migrate_codekey(sqlite3 *db, sr_error *err)
{
    long version = 0;
    sr_status rc = codekey_version(db, &version, err);
    if (rc != SR_OK || version == SRP_CODEKEY_VERSION)
        return rc;
    rc = srp_store_begin(db, err);
    if (rc != SR_OK)
        return rc;
    rc = srp_store_init_codekey(db, err);
    if (rc == SR_OK)
        rc = srp_store_commit(db, err);
    else
        srp_store_rollback(db);
    return rc;
}
