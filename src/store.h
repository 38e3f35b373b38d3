/*
 * store.h - the encrypted SQLite database underneath a registry (internal).
 *
 * Opens SQLCipher databases with a raw 256-bit key (never the passphrase
 * path), refuses an engine without encryption, sets the pragmas the security
 * model asks for, verifies the key by reading sqlite_master, and applies the
 * schema migrations. It knows nothing of users, forms or cases beyond the
 * schema text, and it never prints.
 */
#ifndef SIGREG_STORE_H
#define SIGREG_STORE_H

#include <sqlite3.h>

#include "crypto.h"
#include "sigreg/status.h"

#define SRP_SCHEMA_VERSION 9

/* Opens (or, with create, creates: the file must not exist) a database and
 * keys it. A wrong key gives SR_ERR_AUTH with err left clean, so that the
 * caller can try another key; *out is NULL then. */
sr_status srp_store_open(const char *path, const unsigned char key[SRP_KEY_BYTES], int create,
                         int busy_timeout_ms, sqlite3 **out, sr_error *err);
/* A database in memory with the registry's schema and nothing in it (an
 * analyst's directory, registry_int.h): never on disk. */
sr_status srp_store_open_memory(sqlite3 **out, sr_error *err);
void srp_store_close(sqlite3 *db);
/* Attaches another encrypted database under schema name (created if missing). */
sr_status srp_store_attach(sqlite3 *db, const char *path, const char *schema,
                           const unsigned char key[SRP_KEY_BYTES], sr_error *err);
/* Copies the main database of db into a new database at path under key
 * (sqlcipher_export; 3.4.1 exports only "main"), then reopens the copy with
 * key and checks its integrity. A failed export leaves no file behind. */
sr_status srp_store_export(sqlite3 *db, const char *path, const unsigned char key[SRP_KEY_BYTES],
                           sr_error *err);

/* The pragmas every registry connection runs after keying (secure delete,
 * foreign keys, full sync, rollback journal, the page cache); tools/floor
 * uses them too, so that its figures compare like with like. */
sr_status srp_store_apply_pragmas(sqlite3 *db, sr_error *err);
/* Brings the main schema up to SRP_SCHEMA_VERSION inside one transaction. */
sr_status srp_store_migrate(sqlite3 *db, sr_error *err);
/* The code key's schema (its own file, attached as schema "codekey"), as
 * its header's user_version numbers it. */
#define SRP_CODEKEY_VERSION 1
/* Creates the code key's tables and indexes, or brings those of an earlier
 * release up to SRP_CODEKEY_VERSION, in the caller's transaction. */
sr_status srp_store_init_codekey(sqlite3 *db, sr_error *err);
/* The same in a transaction of its own, when the code key is behind (an
 * admin's unlock); SR_ERR_STATE for a code key newer than this sigreg. */
sr_status srp_store_migrate_codekey(sqlite3 *db, sr_error *err);

sr_status srp_store_exec(sqlite3 *db, const char *sql, sr_error *err);
/* What a session does around each transaction on its connection: enter
 * before BEGIN (takes the registry's lock; its failure fails the BEGIN),
 * leave after COMMIT or ROLLBACK, prepare before compiling. A connection with hooks begins deferred
 * transactions (enter keeps other writers out); one without, immediate ones.
 * NULL hooks remove them; srp_store_close removes them too. */
typedef struct srp_store_hooks {
    sr_status (*enter)(void *ctx, sr_error *err);
    void (*leave)(void *ctx);
    /* Before a statement is compiled (may attach a schema it names). */
    sr_status (*prepare)(void *ctx, const char *sql, sr_error *err);
    void *ctx;
} srp_store_hooks;
sr_status srp_store_set_hooks(sqlite3 *db, const srp_store_hooks *hooks, sr_error *err);
sr_status srp_store_begin(sqlite3 *db, sr_error *err);
sr_status srp_store_commit(sqlite3 *db, sr_error *err);
/* Rolls back if a transaction is open; never fails. */
void srp_store_rollback(sqlite3 *db);
/* 1 when a statement of db is in the middle of its rows (stepped, not yet
 * reset): outside a transaction of its own, db then holds SQLite's shared
 * lock, which a committing writer of another connection waits for. */
int srp_store_reading(sqlite3 *db);
sr_status srp_store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out, sr_error *err);
/* Maps an SQLite result code onto a status and fills err. */
sr_status srp_store_fail(sqlite3 *db, int sqlite_rc, const char *what, sr_error *err);

/* Settings in the meta table. */
sr_status srp_store_meta_get(sqlite3 *db, const char *key, char **value_out, sr_error *err);
/* The same with st, a statement of SRP_STORE_META_SQL (bound and stepped
 * here, reset by the caller). */
#define SRP_STORE_META_SQL "SELECT value FROM meta WHERE key = ?1"
sr_status srp_store_meta_read(sqlite3 *db, sqlite3_stmt *st, const char *key, char **value_out,
                              sr_error *err);
sr_status srp_store_meta_set(sqlite3 *db, const char *key, const char *value, sr_error *err);

/* The page cache of a connection, in MiB. It is bounded because every page
 * missed is read, decrypted and checked; a bulk import asks for more. */
#define SRP_STORE_CACHE_MIB 32
#define SRP_STORE_IMPORT_CACHE_MIB 256
sr_status srp_store_set_cache(sqlite3 *db, int mib, sr_error *err);

/* Whether the file begins with SQLite's plaintext header. */
int srp_store_is_plaintext(const char *path);
/* Refuses a plain SQLite file where a registry database should be, with a
 * message naming display (the path the user gave). */
sr_status srp_store_require_encrypted(const char *path, const char *display, sr_error *err);

#endif
