/*
 * registry.c - the sr_registry session: create, unlock, key rotation, users,
 * units, verification and backup.
 *
 * Key rotation (on user removal) is ordered so that a crash at any point
 * leaves files that the remaining users can open:
 *   1. the keyring is rewritten with the new keys and, beside them, the
 *      previous ones (the removed user's slot already gone);
 *   2. the database and the code key are exported under the new keys to
 *      temporary files, checked by reopening, and renamed into place;
 *   3. the keyring is rewritten without the previous keys.
 * Opening tries the current keys first and then the previous ones, and an
 * admin's or coordinator's session finishes a rotation it finds half done.
 *
 * A session is a key context, not a lock. Unlocking runs Argon2id once and
 * keeps the slot's own secret key in guarded memory; the registry's lock
 * (lock.h) is taken exclusively for each write transaction (through the
 * store's transaction hooks, whichever module begins it), each rotation and
 * each keyring change, and released after. Reads take no lock of ours:
 * SQLite's own locks keep each statement consistent. Every file of the set is
 * stamped (device, inode, size, time) when the session loads it. A session
 * that finds the stamps changed between operations (another process rotated
 * the keys or changed the keyring) loads the set again with the kept slot
 * key, without the KDF; one that finds them changed when it takes the lock in
 * the middle of an operation refuses that transaction ("try again") rather
 * than write into a file that was replaced. Connections, keyrings and keys
 * replaced by a reload are kept until sr_registry_release, so pointers that
 * a running operation holds stay valid (a replaced connection refuses to
 * begin a transaction).
 */
#include "sigreg/registry.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit_int.h"
#include "base/buffer.h"
#include "base/error.h"
#include "base/fileio.h"
#include "form_store_int.h"
#include "keyring_file.h"
#include "keyring_seen.h"
#include "lock.h"
#include "base/names.h"
#include "base/texts.h"
#include "publication_int.h"
#include "registry_int.h"
#include "sidelog.h"
#include "sigreg/limits.h"
#include "codekey.h"
#include "pseudonyms.h"
#include "store.h"
#include "base/timeutil.h"

typedef struct registry_paths {
    char *db;
    char *keyring;
    char *codekey;
    char *lock;
} registry_paths;

typedef struct file_stamp {
    int present;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
} file_stamp;

/* A statement of the session's cache; out: handed out and not yet done. */
typedef struct stmt_entry {
    uint64_t hash;
    char *sql;
    const char *given; /* the caller's text when last asked for (a literal, mostly) */
    sqlite3_stmt *st;
    int out;
} stmt_entry;

/* What a reload replaced, kept until the running operation is over. */
typedef struct retired_set {
    sqlite3 *db;
    srp_keyring *keyring;
    srp_keys *keys;
    sr_secret *audit_key;
    srp_unit_keys *unit_keys;
} retired_set;

/* An audit entry waiting for its own transaction. */
typedef struct pending_entry {
    char *action, *case_code, *detail;
} pending_entry;

struct sr_registry {
    registry_paths paths;
    int lock_fd;            /* open for the session's life; locked only when lock_depth > 0 */
    int lock_depth;         /* nested exclusive sections (transactions, rotations, keyring edits) */
    int loading;            /* the set is being (re)loaded under the lock */
    sr_secret *slot_secret; /* the user's slot key: reopens the keyring without the KDF */
    srp_keyring *keyring;
    srp_keys *keys;
    srp_unit_keys *unit_keys;      /* the unit keys the slot holds (empty for analysts) */
    srp_unit_keys *next_unit_keys; /* a rotation's, until its keyring is written */
    int db_on_previous;            /* the database is still under the previous master key */
    /* The session holds no key to the database (an analyst's): db is an
     * in-memory directory filled from the newest publication addressed to
     * the user, and the user's entries go to the side log (sidelog.h). */
    int no_database;
    char *sidelog;
    sqlite3 *db;
    int codekey_attached; /* attached on first use: read-only work never opens it */
    int audit_only;       /* the transaction being begun writes only an audit entry */
    sr_secret *audit_key;
    sr_secret *pseudonym_key;
    srp_audit_cursor audit;
    file_stamp db_stamp, codekey_stamp, keyring_stamp;
    file_stamp side_stamp; /* the side log when this session last anchored it */
    int side_anchoring;
    stmt_entry *stmts;
    size_t stmt_count, stmt_cap;
    retired_set *retired;
    size_t retired_count, retired_cap;
    char *user;
    sr_role role;
    int role_known;
    int busy_timeout_ms;
    int lang_sv; /* messages in Swedish (sr_registry_set_lang); 0: English */
    /* Entries to be written in a transaction of their own once none is
     * open (refusals: they must outlive the rollback of what was refused). */
    pending_entry *pending;
    size_t pending_count, pending_cap;
    int flushing;
    /* What another module keeps for the session's life (the form store's
     * parsed forms), freed with it by its own function. */
    void *form_cache;
    void (*form_cache_free)(void *);
};

static sr_status set_hooks(sr_registry *reg, sr_error *err);
static sr_status rotate_locked(sr_registry *reg, unsigned what, sr_error *err);
static sr_status admin_unit_keys(sr_registry *reg, sr_error *err);
static void close_database(sr_registry *reg);
static void flush_pending(sr_registry *reg);
static void pending_free(pending_entry *e);

/* ---- file stamps ----------------------------------------------------------------- */

static void stamp_take(const char *path, file_stamp *s)
{
    struct stat st;
    memset(s, 0, sizeof *s);
    if (stat(path, &st) != 0)
        return;
    s->present = 1;
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    s->size = st.st_size;
    s->mtime = st.st_mtim;
}

static int stamp_same(const file_stamp *a, const file_stamp *b)
{
    return a->present == b->present && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* Whether the database or the code key file was replaced (a rotation). */
static int db_files_changed(const sr_registry *reg)
{
    file_stamp d, c;
    stamp_take(reg->paths.db, &d);
    stamp_take(reg->paths.codekey, &c);
    return d.ino != reg->db_stamp.ino || d.dev != reg->db_stamp.dev ||
           c.ino != reg->codekey_stamp.ino || c.dev != reg->codekey_stamp.dev;
}

static int keyring_changed(const sr_registry *reg)
{
    file_stamp k;
    stamp_take(reg->paths.keyring, &k);
    return !stamp_same(&k, &reg->keyring_stamp);
}

static void stamps_take(sr_registry *reg)
{
    stamp_take(reg->paths.db, &reg->db_stamp);
    stamp_take(reg->paths.codekey, &reg->codekey_stamp);
    stamp_take(reg->paths.keyring, &reg->keyring_stamp);
}

/* ---- the statement cache ------------------------------------------------------------ */

static uint64_t sql_hash(const char *sql)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

/* Finalizes the cached statements; one still handed out leaves the cache
 * and is finalized when it is done. */
static void stmts_clear(sr_registry *reg)
{
    for (size_t i = 0; i < reg->stmt_count; i++) {
        stmt_entry *e = &reg->stmts[i];
        if (e->out) {
            e->st = NULL; /* srp_stmt_done finds it nowhere and finalizes it */
        } else {
            sqlite3_finalize(e->st);
        }
        free(e->sql);
    }
    reg->stmt_count = 0;
    srp_audit_cursor_reset(&reg->audit);
}

sr_status srp_registry_prepare(sr_registry *reg, const char *sql, sqlite3_stmt **out, sr_error *err)
{
    *out = NULL;
    sqlite3 *db = srp_registry_db(reg);
    /* The same text at the same address as before (a literal): compared,
     * but not hashed again. */
    for (size_t i = 0; i < reg->stmt_count; i++) {
        stmt_entry *e = &reg->stmts[i];
        if (e->given == sql && !e->out && strcmp(e->sql, sql) == 0) {
            e->out = 1;
            *out = e->st;
            return SR_OK;
        }
    }
    uint64_t h = sql_hash(sql);
    for (size_t i = 0; i < reg->stmt_count; i++) {
        stmt_entry *e = &reg->stmts[i];
        if (e->hash == h && !e->out && strcmp(e->sql, sql) == 0) {
            e->out = 1;
            e->given = sql;
            *out = e->st;
            return SR_OK;
        }
    }
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(db, sql, &st, err);
    if (rc != SR_OK)
        return rc;
    void *items = reg->stmts;
    char *copy = strdup(sql);
    if (!copy || srp_grow(&items, &reg->stmt_cap, reg->stmt_count + 1, sizeof *reg->stmts) != 0) {
        free(copy);
        sqlite3_finalize(st);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    reg->stmts = items;
    reg->stmts[reg->stmt_count++] = (stmt_entry){h, copy, sql, st, 1};
    *out = st;
    return SR_OK;
}

sr_status srp_registry_meta_get(sr_registry *reg, const char *key, char **value_out, sr_error *err)
{
    /* srp_store_meta_get's reading, with the cached statement */
    sqlite3_stmt *st = NULL;
    *value_out = NULL;
    sr_status rc = srp_registry_prepare(reg, SRP_STORE_META_SQL, &st, err);
    rc = rc == SR_OK ? srp_store_meta_read(srp_registry_db(reg), st, key, value_out, err) : rc;
    srp_stmt_done(reg, st); /* NULL when not prepared */
    return rc;
}

void srp_stmt_done(sr_registry *reg, sqlite3_stmt *st)
{
    if (!st)
        return;
    for (size_t i = 0; reg && i < reg->stmt_count; i++)
        if (reg->stmts[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            reg->stmts[i].out = 0;
            return;
        }
    sqlite3_finalize(st); /* its cache was cleared while it was out */
}

/* ---- paths ------------------------------------------------------------------ */

static void paths_release(registry_paths *p)
{
    free(p->db);
    free(p->keyring);
    free(p->codekey);
    free(p->lock);
    memset(p, 0, sizeof *p);
}

/* STEM is the path without the extension of its last component. */
static sr_status paths_init(registry_paths *p, const char *path, sr_error *err)
{
    memset(p, 0, sizeof *p);
    if (!path || !*path)
        return srp_error_set(err, SR_ERR_USAGE, "no registry given: the registry's path is empty");
    char *stem = srp_path_stem(path);
    if (!stem)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    p->db = strdup(path);
    p->keyring = srp_str_concat(stem, ".keyring");
    p->codekey = srp_str_concat(stem, ".codekey");
    p->lock = srp_str_concat(stem, ".lock");
    free(stem);
    if (!p->db || !p->keyring || !p->codekey || !p->lock) {
        paths_release(p);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    if (strcmp(p->db, p->keyring) == 0 || strcmp(p->db, p->codekey) == 0 ||
        strcmp(p->db, p->lock) == 0) {
        paths_release(p);
        return srp_error_set(err, SR_ERR_USAGE,
                             "the registry file may not end in .keyring, .codekey or .lock");
    }
    return SR_OK;
}

/* ---- keys of a session ---------------------------------------------------------- */

static sr_secret *master_subkey(const srp_keys *keys, int previous, uint64_t id)
{
    sr_secret *k = sr_secret_new(SRP_KEY_BYTES);
    if (k) {
        srp_keys_master_subkey(keys, previous, id, sr_secret_data(k));
        sr_secret_set_len(k, SRP_KEY_BYTES);
    }
    return k;
}

/* The database's key of the current (or previous) epoch: from its data
 * key, or from its master key for an epoch sealed before data keys. NULL
 * when the session lacks it (an analyst) or out of memory. */
static sr_secret *database_key(const srp_keyring *kr, const srp_keys *keys, int previous)
{
    uint32_t first = srp_keyring_data_epoch(kr);
    uint32_t epoch = previous ? keys->previous_epoch : keys->epoch;
    sr_secret *k = sr_secret_new(SRP_KEY_BYTES);
    if (k &&
        srp_keys_database_key(keys, previous, first && epoch >= first, sr_secret_data(k)) != 0) {
        sr_secret_free(k);
        return NULL;
    }
    if (k)
        sr_secret_set_len(k, SRP_KEY_BYTES);
    return k;
}

/* The code key database's key binds the identity key to a master epoch
 * (the previous epoch's own identity key while a rotation replaces it). */
static sr_secret *codekey_key(const srp_keys *keys, int previous)
{
    sr_secret *k = sr_secret_new(SRP_KEY_BYTES);
    sr_secret *m = master_subkey(keys, previous, SRP_SUBKEY_CODEKEY);
    sr_secret *i = sr_secret_new(SRP_KEY_BYTES);
    if (k && m && i) {
        if (previous)
            srp_keys_previous_identity_subkey(keys, SRP_SUBKEY_CODEKEY_ID, sr_secret_data(i));
        else
            srp_keys_identity_subkey(keys, SRP_SUBKEY_CODEKEY_ID, sr_secret_data(i));
        srp_mac(sr_secret_data(k), sr_secret_cdata(m), sr_secret_cdata(i), SRP_KEY_BYTES);
        sr_secret_set_len(k, SRP_KEY_BYTES);
    } else {
        sr_secret_free(k);
        k = NULL;
    }
    sr_secret_free(m);
    sr_secret_free(i);
    return k;
}

/* The session's pseudonym key, from its (current) identity key. */
static sr_status derive_pseudonym_key(sr_registry *reg, sr_error *err)
{
    sr_secret_free(reg->pseudonym_key);
    reg->pseudonym_key = sr_secret_new(SRP_KEY_BYTES);
    if (!reg->pseudonym_key)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    srp_keys_identity_subkey(reg->keys, SRP_SUBKEY_PSEUDONYM, sr_secret_data(reg->pseudonym_key));
    sr_secret_set_len(reg->pseudonym_key, SRP_KEY_BYTES);
    return SR_OK;
}

static sr_status refresh_audit_key(sr_registry *reg, sr_error *err)
{
    sr_secret_free(reg->audit_key);
    reg->audit_key = master_subkey(reg->keys, reg->db_on_previous, SRP_SUBKEY_AUDIT);
    return reg->audit_key ? SR_OK : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
}

/* The units of every user, as the signed keyring says, in a TEMP table of
 * the session's connection (temp.keyring_units) for queries that join on
 * them: the database's own user_units is not what decides. A keyring of the
 * first format (read-only until an admin upgrades it) has no units yet, and
 * the database's table stands in for them. */
sr_status srp_registry_sync_units(sr_registry *reg, sr_error *err)
{
    sqlite3 *db = reg->db;
    sr_status rc = srp_store_exec(db,
                                  "CREATE TEMP TABLE IF NOT EXISTS keyring_units (user TEXT NOT "
                                  "NULL, unit TEXT NOT NULL, PRIMARY KEY (user, unit));"
                                  "DELETE FROM temp.keyring_units;",
                                  err);
    if (rc != SR_OK)
        return rc;
    if (srp_keyring_is_legacy(reg->keyring))
        return srp_store_exec(db,
                              "INSERT OR IGNORE INTO temp.keyring_units SELECT user, unit FROM "
                              "main.user_units",
                              err);
    sqlite3_stmt *ins = NULL;
    rc = srp_store_prepare(db, "INSERT OR IGNORE INTO temp.keyring_units VALUES (?1, ?2)", &ins,
                           err);
    for (size_t i = 0; rc == SR_OK && i < srp_keyring_user_count(reg->keyring); i++) {
        const char *name = NULL, *profile = NULL;
        const char *const *units = NULL;
        size_t n = 0;
        sr_role role;
        srp_keyring_user_at(reg->keyring, i, &name, &role, &profile);
        (void)srp_keyring_user_units(reg->keyring, name, &units, &n);
        for (size_t u = 0; rc == SR_OK && u < n; u++) {
            sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 2, units[u], -1, SQLITE_STATIC);
            int src = sqlite3_step(ins);
            sqlite3_reset(ins);
            if (src != SQLITE_DONE)
                rc = srp_store_fail(db, src, "list the units of users", err);
        }
    }
    sqlite3_finalize(ins);
    return rc;
}

/* Opens the database with the current keys, or the previous ones while a
 * rotation is unfinished. */
static sr_status open_database(sr_registry *reg, sr_error *err)
{
    for (int previous = 0; previous <= (reg->keys->has_previous ? 1 : 0); previous++) {
        sr_secret *key = database_key(reg->keyring, reg->keys, previous);
        if (!key)
            continue; /* an epoch whose data key this slot does not hold */
        sr_status rc = srp_store_open(reg->paths.db, sr_secret_cdata(key), 0, reg->busy_timeout_ms,
                                      &reg->db, err);
        sr_secret_free(key);
        if (rc == SR_OK) {
            reg->db_on_previous = previous;
            reg->codekey_attached = 0;
            rc = set_hooks(reg, err);
            if (rc == SR_OK)
                rc = srp_registry_sync_units(reg, err);
            return rc == SR_OK ? refresh_audit_key(reg, err) : rc;
        }
        if (rc != SR_ERR_AUTH)
            return rc;
    }
    return srp_error_set_where(err, SR_ERR_NOT_REGISTRY, reg->paths.db,
                               "the database '%s' does not open with its keyring's keys: it is "
                               "damaged, or the keyring belongs to another registry",
                               reg->paths.db);
}

static sr_status attach_codekey(sr_registry *reg, sr_error *err)
{
    if (!srp_file_exists(reg->paths.codekey))
        return srp_error_set_where(err, SR_ERR_CORRUPT, reg->paths.codekey,
                                   "the code key file '%s' is missing: restore it from a backup",
                                   reg->paths.codekey);
    /* The current keys, or the previous ones while a rotation is unfinished. */
    sr_status rc = SR_ERR_AUTH;
    for (int previous = 0; rc == SR_ERR_AUTH && previous <= (reg->keys->has_previous ? 1 : 0);
         previous++) {
        sr_secret *key = codekey_key(reg->keys, previous);
        if (!key)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        rc = srp_store_attach(reg->db, reg->paths.codekey, "codekey", sr_secret_cdata(key), err);
        sr_secret_free(key);
    }
    if (rc == SR_ERR_AUTH)
        rc = srp_error_set_where(err, SR_ERR_CORRUPT, reg->paths.codekey,
                                 "the code key file '%s' is damaged or belongs to another registry",
                                 reg->paths.codekey);
    if (rc == SR_OK)
        reg->codekey_attached = 1;
    return rc;
}

/* Attaches the code key when the session holds the identity key and it is
 * not attached yet; only outside a transaction (SQLite attaches no file
 * inside one), which is why a write transaction attaches it when it begins. */
static sr_status need_codekey(sr_registry *reg, sr_error *err)
{
    if (reg->codekey_attached || !reg->keys->has_identity || !sqlite3_get_autocommit(reg->db))
        return SR_OK;
    return attach_codekey(reg, err);
}

static sr_status check_registry_id(sr_registry *reg, sr_error *err)
{
    char *id = NULL;
    sr_status rc = srp_store_meta_get(reg->db, "registry_id", &id, err);
    if (rc == SR_ERR_NOT_FOUND ||
        (rc == SR_OK && strcmp(id, srp_keyring_registry_id(reg->keyring))))
        rc = srp_error_set_where(err, SR_ERR_NOT_REGISTRY, reg->paths.db,
                                 "the keyring and the database '%s' belong to different registries",
                                 reg->paths.db);
    free(id);
    return rc;
}

/* The root of the keyring's signing chain, as the database remembers it
 * (meta "keyring_root", set at creation and at the upgrade): a keyring
 * under another root, or one of the first format in place of a signed one,
 * is refused also by a user without a record of their own (keyring_seen.h)
 * unless whoever swapped it could also write the database. */
static sr_status root_hex(const srp_keyring *kr, char out[2 * SRP_SIGN_PUBLIC_BYTES + 1])
{
    const unsigned char *root = srp_keyring_signing_key_at(kr, 1);
    if (!root)
        return SR_ERR_STATE;
    srp_hex_encode(out, root, SRP_SIGN_PUBLIC_BYTES);
    return SR_OK;
}

static sr_status check_keyring_root(sr_registry *reg, sr_error *err)
{
    char *stored = NULL;
    sr_status rc = srp_store_meta_get(reg->db, "keyring_root", &stored, err);
    if (rc == SR_ERR_NOT_FOUND)
        return SR_OK; /* a registry of the first release, not yet upgraded */
    if (rc != SR_OK)
        return rc;
    char hex[2 * SRP_SIGN_PUBLIC_BYTES + 1];
    if (root_hex(reg->keyring, hex) != SR_OK)
        rc = srp_error_set(err, SR_ERR_TAMPERED,
                           "the keyring has been replaced by one of an older release: the "
                           "database says it was signed");
    else if (strcmp(hex, stored) != 0)
        rc = srp_error_set(err, SR_ERR_TAMPERED,
                           "the keyring has been replaced: it is signed under another registry "
                           "signing key than the database's");
    free(stored);
    return rc;
}

static sr_status store_keyring_root(sr_registry *reg, void *ctx, sr_error *err)
{
    (void)ctx;
    char hex[2 * SRP_SIGN_PUBLIC_BYTES + 1];
    if (root_hex(reg->keyring, hex) != SR_OK)
        return srp_error_set(err, SR_ERR_STATE, "the keyring is not signed");
    return srp_store_meta_set(reg->db, "keyring_root", hex, err);
}

/* ---- rotation ---------------------------------------------------------------------- */

/* A rotation that replaced the identity key: the new pseudonyms the admin
 * computed before it began (carried by the keyring, under the new data key)
 * go into the database's copy under the new key, so that the file renamed
 * into place has both or neither. Needs no unit key: a coordinator finishes
 * it as well as an admin. */
static sr_status new_pseudonyms(sr_registry *reg, sqlite3 *copy, sr_error *err)
{
    size_t len = 0;
    const unsigned char *blob = srp_keyring_rotation_data(reg->keyring, &len);
    if (blob)
        return srp_pseudonyms_apply(copy, reg->keys, srp_keyring_registry_id(reg->keyring), blob,
                                    len, err);
    if (reg->keys->has_previous_identity &&
        srp_memcmp(reg->keys->previous_identity, reg->keys->identity, SRP_KEY_BYTES) != 0)
        return srp_error_set(err, SR_ERR_CORRUPT,
                             "the rotation replaced the identity key, but the keyring does not "
                             "hold the new pseudonyms: restore the registry from a backup");
    return SR_OK;
}

/* Re-encrypts the database under the current keys (it is under the previous
 * ones), re-keys the audit chain, and reopens it with the new key. */
static sr_status move_database_to_current(sr_registry *reg, sr_error *err)
{
    sr_status rc = SR_OK;
    sqlite3 *copy = NULL;
    char *tmp = srp_str_concat(reg->paths.db, ".rekey");
    sr_secret *new_db = database_key(reg->keyring, reg->keys, 0);
    sr_secret *old_audit = master_subkey(reg->keys, 1, SRP_SUBKEY_AUDIT);
    sr_secret *new_audit = master_subkey(reg->keys, 0, SRP_SUBKEY_AUDIT);
    if (!tmp || !new_db || !old_audit || !new_audit) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = srp_store_export(reg->db, tmp, sr_secret_cdata(new_db), err);
    if (rc != SR_OK)
        goto out;
    rc = srp_store_open(tmp, sr_secret_cdata(new_db), 0, reg->busy_timeout_ms, &copy, err);
    if (rc == SR_OK)
        rc = srp_audit_rekey(copy, sr_secret_cdata(old_audit), sr_secret_cdata(new_audit), err);
    if (rc == SR_OK)
        rc = new_pseudonyms(reg, copy, err);
    srp_store_close(copy);
    copy = NULL;
    if (rc != SR_OK) {
        (void)unlink(tmp);
        goto out;
    }
    close_database(reg);
    if (rename(tmp, reg->paths.db) != 0) {
        rc = srp_error_set(err, SR_ERR_IO, "cannot replace '%s': %s", reg->paths.db,
                           strerror(errno));
        (void)unlink(tmp);
    } else {
        rc = srp_file_sync_dir(reg->paths.db, err);
    }
    /* Reopen whatever is in place now; with the rename done that is the new
     * key, otherwise the old. SQLCipher's own rekey can report success after
     * a rollback, which is why the copy is never trusted before this. */
    sr_status orc = open_database(reg, err);
    if (rc == SR_OK)
        rc = orc;
    if (rc == SR_OK && reg->db_on_previous)
        rc =
            srp_error_set(err, SR_ERR_CRYPTO, "the re-encrypted database did not take its new key");
out:
    free(tmp);
    sr_secret_free(new_db);
    sr_secret_free(old_audit);
    sr_secret_free(new_audit);
    return rc;
}

/* Re-encrypts the code key file under the current keys when it is still
 * under the previous ones. */
static sr_status move_codekey_to_current(sr_registry *reg, int *moved, sr_error *err)
{
    *moved = 0;
    sr_status rc = SR_OK;
    sqlite3 *old = NULL;
    char *tmp = srp_str_concat(reg->paths.codekey, ".rekey");
    sr_secret *cur = codekey_key(reg->keys, 0);
    sr_secret *prev = codekey_key(reg->keys, 1);
    if (!tmp || !cur || !prev) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = srp_store_open(reg->paths.codekey, sr_secret_cdata(cur), 0, reg->busy_timeout_ms, &old,
                        err);
    srp_store_close(old);
    old = NULL;
    if (rc != SR_ERR_AUTH) /* SR_OK: already current */
        goto out;
    rc = srp_store_open(reg->paths.codekey, sr_secret_cdata(prev), 0, reg->busy_timeout_ms, &old,
                        err);
    if (rc == SR_ERR_AUTH)
        rc = srp_error_set_where(err, SR_ERR_CORRUPT, reg->paths.codekey,
                                 "the code key file '%s' is damaged or belongs to another registry",
                                 reg->paths.codekey);
    if (rc == SR_OK)
        rc = srp_store_export(old, tmp, sr_secret_cdata(cur), err);
    srp_store_close(old);
    if (rc != SR_OK)
        goto out;
    if (rename(tmp, reg->paths.codekey) != 0) {
        rc = srp_error_set(err, SR_ERR_IO, "cannot replace '%s': %s", reg->paths.codekey,
                           strerror(errno));
        (void)unlink(tmp);
        goto out;
    }
    rc = srp_file_sync_dir(reg->paths.codekey, err);
    *moved = rc == SR_OK;
out:
    free(tmp);
    sr_secret_free(cur);
    sr_secret_free(prev);
    return rc;
}

/* Removes what a crash during a rotation or a keyring write left behind:
 * temporary copies (and their journals) and keyring temp files. Called with
 * the registry lock held, so nothing else is writing them. */
static void remove_leftovers(const sr_registry *reg)
{
    const char *bases[] = {reg->paths.db, reg->paths.codekey};
    for (size_t i = 0; i < 2; i++) {
        char *tmp = srp_str_concat(bases[i], ".rekey");
        char *journal = tmp ? srp_str_concat(tmp, "-journal") : NULL;
        if (tmp)
            (void)unlink(tmp);
        if (journal)
            (void)unlink(journal);
        free(tmp);
        free(journal);
    }
    char *copy = strdup(reg->paths.keyring);
    if (!copy)
        return;
    char *slash = strrchr(copy, '/');
    const char *dir = slash ? (*slash = '\0', copy) : ".";
    const char *base = slash ? slash + 1 : reg->paths.keyring;
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s.tmp-", base);
    DIR *d = opendir(*dir ? dir : "/");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", *dir ? dir : "", e->d_name);
        (void)unlink(path);
    }
    if (d)
        closedir(d);
    free(copy);
}

/* The part of finishing a rotation that any holder of the data key can do
 * (a coordinator among them): the database and the code key copied under the
 * current keys and renamed into place. The keyring still carries the
 * previous epoch, sealed only to the users who remain, until an admin drops
 * it; the removed user's copy opens neither file any more. Logged when
 * something was moved. */
static sr_status finish_rotation_files(sr_registry *reg, sr_error *err)
{
    sr_status rc = SR_OK;
    int moved = reg->db_on_previous;
    if (reg->db_on_previous)
        rc = move_database_to_current(reg, err);
    int codekey_moved = 0;
    if (rc == SR_OK)
        rc = move_codekey_to_current(reg, &codekey_moved, err);
    if (rc == SR_OK && (moved || codekey_moved) && !reg->keys->has_signing) {
        char detail[64];
        snprintf(detail, sizeof detail, "epoch=%u finished_by=%s",
                 (unsigned)srp_keyring_epoch(reg->keyring), sr_role_name(reg->role));
        rc = srp_registry_transaction(reg, "keys.rotate", NULL, detail, NULL, NULL, err);
    }
    return rc;
}

static sr_status finish_rotation(sr_registry *reg, sr_error *err)
{
    sr_status rc = finish_rotation_files(reg, err);
    if (rc != SR_OK)
        return rc;
    reg->keys->has_previous = 0;
    srp_wipe(reg->keys->previous, sizeof reg->keys->previous);
    reg->keys->has_previous_data = 0;
    srp_wipe(reg->keys->previous_data, sizeof reg->keys->previous_data);
    reg->keys->has_previous_identity = 0;
    srp_wipe(reg->keys->previous_identity, sizeof reg->keys->previous_identity);
    /* The new pseudonyms are in the database now. */
    rc = srp_keyring_set_rotation_data(reg->keyring, NULL, 0, err);
    if (rc == SR_OK)
        rc = srp_keyring_reseal(reg->keyring, reg->keys, err);
    if (rc == SR_OK)
        rc = srp_keyring_write(reg->keyring, reg->paths.keyring, reg->keys, err);
    return rc;
}

/* ---- the lock and the transaction hooks ---------------------------------------------------- */

static void lock_leave(sr_registry *reg)
{
    if (reg->lock_depth > 0 && --reg->lock_depth == 0) {
        srp_audit_cursor_forget(&reg->audit);
        srp_lock_drop(reg->lock_fd);
    }
}

/* Takes the registry's lock (nested sections share it). Outside a load, a
 * database or code key file replaced since the session loaded them means
 * another process rotated the keys in the middle of this operation. */
static sr_status lock_enter(sr_registry *reg, sr_error *err)
{
    if (reg->lock_depth++ > 0)
        return SR_OK;
    /* A session that takes the lock in the middle of reading rows (a list's
     * callback that logs a view) holds SQLite's shared lock meanwhile: the
     * lock's holder, at its commit, waits for that reader, so waiting for
     * the lock here would only make both wait out their timeouts. It is
     * tried once instead, and busy at once when another session holds it. */
    int timeout_ms = reg->db && srp_store_reading(reg->db) ? 0 : reg->busy_timeout_ms;
    sr_status rc = srp_lock_take(reg->lock_fd, 1, timeout_ms, err);
    if (rc == SR_OK && !reg->loading && db_files_changed(reg))
        rc = srp_error_set(err, SR_ERR_BUSY,
                           "the registry is busy: another session changed its keys while this "
                           "one worked; try again");
    if (rc != SR_OK) {
        reg->lock_depth--;
        if (reg->lock_depth == 0)
            srp_lock_drop(reg->lock_fd);
        return rc;
    }
    srp_audit_cursor_forget(&reg->audit);
    return SR_OK;
}

static sr_status hook_enter(void *ctx, sr_error *err)
{
    sr_registry *reg = ctx;
    /* Until an admin upgrades a first-format keyring, nothing but the log
     * is written: its slots are not signed yet. */
    if (!reg->audit_only && !reg->loading && reg->keyring && srp_keyring_is_legacy(reg->keyring))
        return srp_error_set(err, SR_ERR_STATE,
                             "the registry is read-only: its keyring is from an older release and "
                             "is upgraded the first time an admin opens it");
    sr_status rc = lock_enter(reg, err);
    /* A transaction that writes more than its audit entry may write the
     * code key; with deferred transactions, one that does not leaves it out
     * of the commit even so. */
    if (rc == SR_OK && !reg->audit_only) {
        rc = need_codekey(reg, err);
        if (rc != SR_OK)
            lock_leave(reg);
    }
    return rc;
}

static sr_status hook_prepare(void *ctx, const char *sql, sr_error *err)
{
    sr_registry *reg = ctx;
    return strstr(sql, "codekey.") ? need_codekey(reg, err) : SR_OK;
}

static void hook_leave(void *ctx)
{
    lock_leave(ctx);
    flush_pending(ctx);
}

static sr_status hook_refuse(void *ctx, sr_error *err)
{
    (void)ctx;
    return srp_error_set(err, SR_ERR_BUSY,
                         "the registry is busy: another session changed its keys while this one "
                         "worked; try again");
}

static sr_status set_hooks(sr_registry *reg, sr_error *err)
{
    srp_store_hooks hooks = {hook_enter, hook_leave, hook_prepare, reg};
    return srp_store_set_hooks(reg->db, &hooks, err);
}

static void close_database(sr_registry *reg)
{
    stmts_clear(reg);
    srp_store_close(reg->db);
    reg->db = NULL;
}

sr_status srp_registry_lock(sr_registry *reg, sr_error *err)
{
    if (reg->lock_depth == 0) {
        sr_status rc = srp_registry_refresh(reg, err);
        if (rc != SR_OK)
            return rc;
    }
    sr_status rc = lock_enter(reg, err);
    /* A keyring changed between the catch-up and the lock is edited stale. */
    if (rc == SR_OK && reg->lock_depth == 1 && keyring_changed(reg)) {
        lock_leave(reg);
        rc = srp_error_set(err, SR_ERR_BUSY,
                           "the registry is busy: another session changed its keyring; try again");
    }
    return rc;
}

void srp_registry_unlock(sr_registry *reg)
{
    /* Whatever changed under the lock was this session's own doing. */
    if (reg->lock_depth == 1) {
        stamps_take(reg);
        srp_seen_record(reg->keyring, reg->user);
    }
    lock_leave(reg);
    flush_pending(reg);
}

/* ---- loading the set of files ------------------------------------------------------------- */

static sr_status check_passphrase(const sr_secret *pass, sr_error *err)
{
    if (!pass || sr_secret_len(pass) == 0)
        return srp_error_set(err, SR_ERR_AUTH, "no passphrase given");
    return SR_OK;
}

/* Upgrades a first-format keyring (its MAC verified by the unlock) on an
 * admin's first unlock: a signing key for every slot, the units of each user
 * from the database into their signed slot, the signing chain's root, then
 * the log entry and the keyring written in one rename. Under the lock. */
static sr_status upgrade_keyring(sr_registry *reg, sr_error *err)
{
    srp_keyring *kr = reg->keyring;
    sr_status rc = srp_keyring_upgrade(kr, reg->keys, err);
    sqlite3_stmt *st = NULL;
    if (rc == SR_OK)
        rc = srp_store_prepare(reg->db, "SELECT unit FROM main.user_units WHERE user = ?1", &st,
                               err);
    for (size_t i = 0; rc == SR_OK && i < srp_keyring_user_count(kr); i++) {
        const char *name = NULL, *profile = NULL;
        sr_role role;
        srp_keyring_user_at(kr, i, &name, &role, &profile);
        const char *units[SRP_KEYRING_MAX_UNITS];
        char *copies[SRP_KEYRING_MAX_UNITS];
        size_t n = 0;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        int src;
        while ((src = sqlite3_step(st)) == SQLITE_ROW && n < SRP_KEYRING_MAX_UNITS) {
            copies[n] = strdup((const char *)sqlite3_column_text(st, 0));
            if (!copies[n])
                break;
            units[n] = copies[n];
            n++;
        }
        sqlite3_reset(st);
        if (src != SQLITE_DONE && src != SQLITE_ROW)
            rc = srp_store_fail(reg->db, src, "read unit membership", err);
        if (rc == SR_OK)
            rc = srp_keyring_set_units(kr, name, units, n, err);
        for (size_t u = 0; u < n; u++)
            free(copies[u]);
    }
    sqlite3_finalize(st);
    char detail[96];
    snprintf(detail, sizeof detail, "from=sigreg-keyring/1 to=%s slots=%zu", SRP_KEYRING_FORMAT,
             srp_keyring_user_count(kr));
    /* The signed keyring is written before the database records its root:
     * killed in between, the database still says "not yet upgraded" and the
     * next admin's unlock records the root (record_missing_root). The other
     * order would leave a database that refuses its own, unsigned keyring. */
    if (rc == SR_OK)
        rc = srp_keyring_write(kr, reg->paths.keyring, reg->keys, err);
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "keyring.upgrade", NULL, detail, store_keyring_root,
                                      NULL, err);
    if (rc == SR_OK)
        rc = srp_registry_sync_units(reg, err);
    return rc;
}

/* An upgrade killed after the signed keyring was written and before the
 * database recorded its root: an admin's unlock records it now, logged. */
static sr_status record_missing_root(sr_registry *reg, sr_error *err)
{
    char *stored = NULL;
    sr_status rc = srp_store_meta_get(reg->db, "keyring_root", &stored, err);
    free(stored);
    if (rc != SR_ERR_NOT_FOUND)
        return rc;
    return srp_registry_transaction(reg, "keyring.upgrade", NULL,
                                    "finished: the signed keyring's root recorded",
                                    store_keyring_root, NULL, err);
}

/* Gives a registry of an earlier release, whose database key derived from
 * the master key that every slot holds, a data key of its own that only
 * admins and coordinators are sealed: a key rotation (crash-safe as every
 * rotation is: the keyring with both epochs, the database and the code key
 * copied under the new keys and renamed, the keyring without the old
 * epoch), logged before it starts. On an admin's unlock, under the lock. */
static sr_status upgrade_data_key(sr_registry *reg, sr_error *err)
{
    char detail[64];
    snprintf(detail, sizeof detail, "data_key=new epoch=%u",
             (unsigned)(srp_keyring_epoch(reg->keyring) + 1));
    sr_status rc = srp_registry_transaction(reg, "keys.upgrade", NULL, detail, NULL, NULL, err);
    if (rc == SR_OK)
        rc = rotate_locked(reg, 0, err);
    return rc;
}

/* An analyst's session: no key opens the database, so the commands an
 * analyst may run read a directory in memory instead, with the schema and
 * the units, forms and settings of the newest publication addressed to them
 * (none before the first). Their figures come from that publication too. */
static sr_status open_directory(sr_registry *reg, sr_error *err)
{
    sr_status rc = srp_store_open_memory(&reg->db, err);
    if (rc != SR_OK)
        return rc;
    reg->db_on_previous = 0;
    reg->codekey_attached = 0;
    reg->no_database = 1;
    sr_publication *pub = NULL;
    sr_error quiet;
    sr_error_clear(&quiet);
    /* A package that does not verify fills nothing; a summary says why. */
    if (sr_publication_newest(reg, &pub, &quiet) == SR_OK)
        rc = srp_publication_fill_directory(pub, reg->db, err);
    sr_publication_free(pub);
    if (rc == SR_OK)
        rc = set_hooks(reg, err);
    if (rc == SR_OK)
        rc = srp_registry_sync_units(reg, err);
    if (rc == SR_OK)
        rc = refresh_audit_key(reg, err);
    return rc;
}

/* Reads the keyring and opens the keys sealed to the session's slot, the
 * database and the code key: everything after the KDF. Under the lock. */
static sr_status load_set(sr_registry *reg, sr_error *err)
{
    sr_status rc = srp_keyring_read(reg->paths.keyring, &reg->keyring, err);
    if (rc == SR_OK)
        rc = srp_seen_check(reg->keyring, reg->user, err);
    if (rc != SR_OK)
        return rc;
    sr_role role;
    rc = srp_keyring_unlock_slot(reg->keyring, reg->user, reg->slot_secret, &reg->keys, &role, err);
    if (rc != SR_OK)
        return rc;
    if (reg->role_known && role != reg->role)
        return srp_error_set(err, SR_ERR_AUTH,
                             "the role of user '%s' changed: unlock the registry again", reg->user);
    reg->role = role;
    reg->role_known = 1;
    srp_unit_keys_free(reg->unit_keys);
    reg->unit_keys = NULL;
    rc =
        srp_keyring_open_unit_keys(reg->keyring, reg->user, reg->slot_secret, &reg->unit_keys, err);
    if (rc != SR_OK)
        return rc;
    if (!srp_role_holds_data(role) && srp_keyring_data_epoch(reg->keyring) != 0) {
        rc = open_directory(reg, err);
        if (rc == SR_OK) {
            stamps_take(reg);
            srp_seen_record(reg->keyring, reg->user);
        }
        return rc;
    }
    reg->no_database = 0;
    rc = open_database(reg, err);
    if (rc == SR_OK)
        rc = check_registry_id(reg, err);
    if (rc == SR_OK)
        rc = check_keyring_root(reg, err);
    if (rc == SR_OK)
        rc = srp_store_migrate(reg->db, err);
    if (rc == SR_OK && srp_keyring_is_legacy(reg->keyring) && reg->keys->has_signing)
        rc = upgrade_keyring(reg, err);
    else if (rc == SR_OK && reg->keys->has_signing)
        rc = record_missing_root(reg, err);
    if (rc == SR_OK && reg->keys->has_identity)
        remove_leftovers(reg);
    /* An interrupted rotation is finished before anything is written: any
     * holder of the data key moves the database and the code key to the new
     * keys (nothing more is needed for that), and an admin, who alone signs
     * the keyring, also drops the previous epoch from it. */
    if (rc == SR_OK && reg->keys->has_previous && reg->keys->has_signing)
        rc = finish_rotation(reg, err);
    else if (rc == SR_OK && reg->keys->has_previous && reg->keys->has_data)
        rc = finish_rotation_files(reg, err);
    if (rc == SR_OK && srp_keyring_data_epoch(reg->keyring) == 0 && reg->keys->has_signing)
        rc = upgrade_data_key(reg, err);
    if (rc == SR_OK && reg->keys->has_signing && !srp_keyring_is_legacy(reg->keyring))
        rc = admin_unit_keys(reg, err);
    if (rc == SR_OK && reg->keys->has_identity && !srp_file_exists(reg->paths.codekey))
        rc = srp_error_set_where(err, SR_ERR_CORRUPT, reg->paths.codekey,
                                 "the code key file '%s' is missing: restore it from a backup",
                                 reg->paths.codekey);
    if (rc == SR_OK && reg->keys->has_identity)
        rc = derive_pseudonym_key(reg, err);
    /* A registry of an earlier release gets the shipped form versions it
     * lacks on an admin's unlock (who alone installs forms). A failure
     * keeps no one out: it is logged, and the next admin's unlock tries
     * again. */
    if (rc == SR_OK && reg->role == SR_ROLE_ADMIN && !srp_keyring_is_legacy(reg->keyring)) {
        sr_error quiet;
        sr_error_clear(&quiet);
        size_t installed = 0;
        if (srp_form_install_new_shipped(reg, &installed, &quiet) != SR_OK)
            srp_registry_log_apart(reg, "forms.upgrade.failed", NULL, quiet.message);
    }
    if (rc == SR_OK) {
        stamps_take(reg);
        srp_seen_record(reg->keyring, reg->user);
    }
    return rc;
}

static void set_free(retired_set *r)
{
    srp_store_close(r->db);
    srp_keyring_free(r->keyring);
    srp_keys_free(r->keys);
    sr_secret_free(r->audit_key);
    srp_unit_keys_free(r->unit_keys);
    memset(r, 0, sizeof *r);
}

/* Loads the set again when another process changed it since: the old
 * connection, keyring and keys are retired, not freed, and the old
 * connection refuses to begin a transaction. On failure the old set stays. */
sr_status srp_registry_refresh(sr_registry *reg, sr_error *err)
{
    if (reg->lock_depth > 0 || reg->loading || !reg->db)
        return SR_OK;
    if (!db_files_changed(reg) && !keyring_changed(reg))
        return SR_OK;
    reg->loading = 1;
    sr_status rc = lock_enter(reg, err);
    if (rc != SR_OK) {
        reg->loading = 0;
        return rc;
    }
    void *items = reg->retired;
    if (srp_grow(&items, &reg->retired_cap, reg->retired_count + 1, sizeof *reg->retired) != 0) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    reg->retired = items;
    retired_set old = {reg->db, reg->keyring, reg->keys, reg->audit_key, reg->unit_keys};
    int old_previous = reg->db_on_previous;
    stmts_clear(reg);
    srp_store_hooks refuse = {hook_refuse, NULL, NULL, reg};
    rc = srp_store_set_hooks(old.db, &refuse, err);
    if (rc != SR_OK)
        goto out;
    reg->db = NULL;
    reg->keyring = NULL;
    reg->keys = NULL;
    reg->audit_key = NULL;
    reg->unit_keys = NULL;
    rc = load_set(reg, err);
    if (rc != SR_OK) {
        retired_set fresh = {reg->db, reg->keyring, reg->keys, reg->audit_key, reg->unit_keys};
        set_free(&fresh);
        reg->db = old.db;
        reg->keyring = old.keyring;
        reg->keys = old.keys;
        reg->unit_keys = old.unit_keys;
        reg->audit_key = old.audit_key;
        reg->db_on_previous = old_previous;
        (void)set_hooks(reg, NULL);
        goto out;
    }
    reg->retired[reg->retired_count++] = old;
out:
    lock_leave(reg);
    reg->loading = 0;
    return rc;
}

void sr_registry_release(sr_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->retired_count; i++)
        set_free(&reg->retired[i]);
    reg->retired_count = 0;
}

sr_status sr_registry_open(const char *path, const sr_open_options *options, const sr_secret *pass,
                           sr_registry **out, sr_error *err)
{
    sr_status rc = SR_OK;
    srp_keyring *kr = NULL;
    *out = NULL;
    sr_registry *reg = calloc(1, sizeof *reg);
    if (!reg)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    reg->lock_fd = -1;
    reg->busy_timeout_ms =
        options && options->busy_timeout_ms > 0 ? options->busy_timeout_ms : 5000;
    rc = paths_init(&reg->paths, path, err);
    if (rc == SR_OK && !(reg->sidelog = srp_sidelog_path(path)))
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc != SR_OK)
        goto out;
    if (!srp_file_exists(reg->paths.db)) {
        rc = srp_error_set_where(err, SR_ERR_NOT_FOUND, path, "no registry at '%s'", path);
        goto out;
    }
    rc = srp_store_require_encrypted(reg->paths.db, path, err);
    if (rc != SR_OK)
        goto out;
    rc = check_passphrase(pass, err);
    if (rc != SR_OK)
        goto out;
    rc = srp_lock_open(reg->paths.lock, &reg->lock_fd, err);
    if (rc != SR_OK)
        goto out;
    /* The KDF runs without the lock: the keyring is replaced atomically, and
     * its slot key outlives a rotation or a passphrase change. */
    rc = srp_keyring_read(reg->paths.keyring, &kr, err);
    if (rc != SR_OK)
        goto out;
    const char *user = options && options->user ? options->user : srp_keyring_default_user(kr);
    reg->user = strdup(user);
    if (!reg->user) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = srp_seen_check(kr, reg->user, err);
    if (rc == SR_OK)
        rc = srp_keyring_open_slot(kr, reg->user, sr_secret_cdata(pass), sr_secret_len(pass),
                                   &reg->slot_secret, err);
    if (rc != SR_OK)
        goto out;
    reg->loading = 1;
    rc = lock_enter(reg, err);
    if (rc == SR_OK) {
        rc = load_set(reg, err);
        lock_leave(reg);
    }
    reg->loading = 0;
    if (rc != SR_OK)
        goto out;
    *out = reg;
    reg = NULL;
out:
    srp_keyring_free(kr);
    sr_registry_close(reg);
    return rc;
}

void sr_registry_close(sr_registry *reg)
{
    if (!reg)
        return;
    sr_registry_release(reg);
    flush_pending(reg);
    for (size_t i = 0; i < reg->pending_count; i++)
        pending_free(&reg->pending[i]);
    free(reg->pending);
    free(reg->retired);
    close_database(reg);
    free(reg->stmts);
    if (reg->form_cache_free)
        reg->form_cache_free(reg->form_cache);
    srp_keys_free(reg->keys);
    srp_unit_keys_free(reg->unit_keys);
    srp_unit_keys_free(reg->next_unit_keys);
    sr_secret_free(reg->audit_key);
    sr_secret_free(reg->pseudonym_key);
    sr_secret_free(reg->slot_secret);
    srp_keyring_free(reg->keyring);
    srp_lock_release(reg->lock_fd);
    paths_release(&reg->paths);
    free(reg->sidelog);
    free(reg->user);
    free(reg);
}

sr_status sr_registry_create(const char *path, const char *admin, const char *kdf_profile,
                             const sr_secret *pass, sr_error *err)
{
    registry_paths paths;
    srp_keyring *kr = NULL;
    srp_keys *keys = NULL;
    sqlite3 *db = NULL;
    sr_secret *dbkey = NULL, *ckkey = NULL, *audit = NULL;
    int lock_fd = -1, created = 0;
    sr_status rc = paths_init(&paths, path, err);
    if (rc != SR_OK)
        return rc;
    const srp_kdf_profile *profile = srp_kdf_profile_choose(kdf_profile, err);
    if (!profile) {
        rc = SR_ERR_USAGE;
        goto out;
    }
    if (!srp_name_user_valid(admin)) {
        rc = srp_error_set(err, SR_ERR_INVALID, "user name '%s' is not valid", admin ? admin : "");
        goto out;
    }
    if (!pass || sr_secret_len(pass) < SR_PASSPHRASE_MIN) {
        rc = srp_error_set(err, SR_ERR_INVALID, "the passphrase must be at least %d characters",
                           SR_PASSPHRASE_MIN);
        goto out;
    }
    /* The lock first: a concurrent init that got there before us has made
     * its files by the time we look, and we never touch them. */
    rc = srp_lock_acquire(paths.lock, 5000, &lock_fd, err);
    if (rc != SR_OK)
        goto out;
    char *sidelog = srp_sidelog_path(path);
    const char *existing[] = {paths.db, paths.keyring, paths.codekey, sidelog ? sidelog : ""};
    for (size_t i = 0; i < 4; i++)
        if (srp_file_exists(existing[i])) {
            rc =
                srp_error_set_where(err, SR_ERR_EXISTS, existing[i],
                                    "'%s' already exists: not overwriting a registry", existing[i]);
            free(sidelog);
            goto out;
        }
    free(sidelog);
    rc = srp_keyring_create(admin, profile, sr_secret_cdata(pass), sr_secret_len(pass), &kr, &keys,
                            err);
    if (rc != SR_OK)
        goto out;
    dbkey = database_key(kr, keys, 0);
    ckkey = codekey_key(keys, 0);
    audit = master_subkey(keys, 0, SRP_SUBKEY_AUDIT);
    if (!dbkey || !ckkey || !audit) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* From here on, whatever of the set exists is ours (we hold the lock and
     * none of it was there): a failure removes what this call made. */
    created = 1;
    rc = srp_store_open(paths.db, sr_secret_cdata(dbkey), 1, 5000, &db, err);
    if (rc == SR_OK)
        rc = srp_store_migrate(db, err);
    if (rc == SR_OK)
        rc = srp_store_attach(db, paths.codekey, "codekey", sr_secret_cdata(ckkey), err);
    if (rc == SR_OK) {
        (void)chmod(paths.codekey, 0600);
        rc = srp_store_begin(db, err);
    }
    char now[32];
    srp_time_now_iso(now, sizeof now);
    if (rc == SR_OK)
        rc = srp_store_init_codekey(db, err);
    if (rc == SR_OK)
        rc = srp_store_meta_set(db, "registry_id", srp_keyring_registry_id(kr), err);
    if (rc == SR_OK)
        rc = srp_store_meta_set(db, "created_at", now, err);
    if (rc == SR_OK)
        rc = srp_store_meta_set(db, "min_cell", "5", err);
    char root[2 * SRP_SIGN_PUBLIC_BYTES + 1];
    if (rc == SR_OK && root_hex(kr, root) == SR_OK)
        rc = srp_store_meta_set(db, "keyring_root", root, err);
    if (rc == SR_OK)
        rc = srp_audit_append(db, sr_secret_cdata(audit), NULL, admin, "registry.init", NULL,
                              profile->for_tests_only ? "kdf=insecure-test-only" : NULL, err);
    if (rc == SR_OK)
        rc = srp_store_commit(db, err);
    else
        srp_store_rollback(db);
    srp_store_close(db);
    db = NULL;
    /* The keyring comes last: without it there is no registry. */
    if (rc == SR_OK)
        rc = srp_keyring_write(kr, paths.keyring, keys, err);
out:
    if (rc != SR_OK && created) {
        (void)unlink(paths.db);
        (void)unlink(paths.codekey);
        (void)unlink(paths.keyring);
    }
    srp_store_close(db);
    sr_secret_free(dbkey);
    sr_secret_free(ckkey);
    sr_secret_free(audit);
    srp_keys_free(keys);
    srp_keyring_free(kr);
    srp_lock_release(lock_fd);
    paths_release(&paths);
    return rc;
}

/* ---- session accessors ---------------------------------------------------------------- */

const char *sr_registry_user(const sr_registry *reg)
{
    return reg->user;
}

void sr_registry_set_lang(sr_registry *reg, const char *lang)
{
    if (reg)
        reg->lang_sv = lang && !srp_lang_is_en(lang);
}

const char *sr_registry_lang(const sr_registry *reg)
{
    return reg && reg->lang_sv ? "sv" : "en";
}

sr_role sr_registry_role(const sr_registry *reg)
{
    return reg->role;
}

int sr_registry_kdf_for_tests(const sr_registry *reg)
{
    for (size_t i = 0; i < srp_keyring_user_count(reg->keyring); i++) {
        const char *name = NULL, *profile = NULL;
        sr_role role;
        srp_keyring_user_at(reg->keyring, i, &name, &role, &profile);
        if (strcmp(name, reg->user) == 0) {
            const srp_kdf_profile *p = srp_kdf_profile_find(profile);
            return p && p->for_tests_only;
        }
    }
    return 0;
}

sr_status sr_registry_require(sr_registry *reg, unsigned role_mask, const char *what, sr_error *err)
{
    if (role_mask & SR_ROLE_BIT(reg->role))
        return SR_OK;
    /* A refusal is itself worth a line in the access log, in a transaction
     * of its own. */
    char detail[160];
    snprintf(detail, sizeof detail, "refused=%s reason=role", what);
    srp_registry_log_apart(reg, "access.denied", NULL, detail);
    return srp_error_set(err, SR_ERR_DENIED, "user '%s' (%s) may not %s", reg->user,
                         sr_role_name(reg->role), what);
}

sqlite3 *srp_registry_db(sr_registry *reg)
{
    /* Between operations, catch up with what other processes changed. */
    if (reg->lock_depth == 0)
        (void)srp_registry_refresh(reg, NULL);
    return reg->db;
}

/* An analyst's entry into the side log, under the lock. The log must still
 * hold the newest entry this user appended (their record beside the
 * keyring's, keyring_seen.h): when it does not, someone cut or rewrote it
 * since, and the entry appended instead says so (sidelog.cut, signed by
 * this user, for the admins' next check) and the action is refused. */
static sr_status side_append(sr_registry *reg, const srp_audit_signer *signer, const char *action,
                             const char *case_code, const char *detail, sr_error *err)
{
    const char *id = srp_keyring_registry_id(reg->keyring);
    srp_sidelog_mark mark;
    int had = srp_seen_sidelog_get(id, reg->user, &mark.seq, mark.link);
    int held = had ? srp_sidelog_holds(reg->sidelog, &mark) : 1;
    char cut_detail[96];
    if (held == 0)
        snprintf(cut_detail, sizeof cut_detail, "entry=%lld refused=%s", (long long)mark.seq,
                 action);
    sr_status rc = held < 0 ? srp_error_set_where(err, SR_ERR_IO, reg->sidelog,
                                                  "cannot read the access log '%s'", reg->sidelog)
                   : held   ? srp_sidelog_append(reg->sidelog, id, signer, reg->user, action,
                                                 case_code, detail, err)
                            : srp_sidelog_append(reg->sidelog, id, signer, reg->user, "sidelog.cut",
                                                 NULL, cut_detail, err);
    srp_sidelog_mark head;
    if (rc == SR_OK && srp_sidelog_head(reg->sidelog, &head, NULL) == SR_OK && head.seq > 0)
        srp_seen_sidelog_put(id, reg->user, head.seq, head.link);
    if (rc == SR_OK && held == 0)
        rc = srp_error_set_where(err, SR_ERR_TAMPERED, reg->sidelog,
                                 "the access log '%s' has been cut or rewritten: it no longer "
                                 "holds entry %lld, which user '%s' wrote to it; this is now "
                                 "noted in it, and an admin should look at it",
                                 reg->sidelog, (long long)mark.seq, reg->user);
    return rc;
}

sr_status srp_registry_audit(sr_registry *reg, const char *action, const char *case_code,
                             const char *detail, sr_error *err)
{
    /* The head is kept only while the lock is held: nobody else appends. */
    if (reg->lock_depth == 0)
        srp_audit_cursor_forget(&reg->audit);
    srp_audit_signer signer;
    int can_sign = srp_registry_entry_signer(reg, &signer);
    if (reg->no_database) {
        if (!can_sign)
            return srp_error_set(err, SR_ERR_STATE, "user '%s' has no signing key", reg->user);
        int took = reg->lock_depth == 0;
        sr_status rc = took ? srp_lock_take(reg->lock_fd, 1, reg->busy_timeout_ms, err) : SR_OK;
        if (rc == SR_OK)
            rc = side_append(reg, &signer, action, case_code, detail, err);
        if (took)
            srp_lock_drop(reg->lock_fd);
        return rc;
    }
    /* The analysts' side log, anchored when it grew (audit_int.h). */
    file_stamp side;
    memset(&side, 0, sizeof side);
    if (reg->sidelog)
        stamp_take(reg->sidelog, &side);
    if (side.present && !reg->side_anchoring && !stamp_same(&side, &reg->side_stamp)) {
        char anchor[128];
        reg->side_anchoring = 1;
        sr_status arc =
            srp_audit_side_anchor_due(reg, anchor, sizeof anchor)
                ? srp_audit_append_at(
                      &reg->audit, reg->db, reg->audit_key ? sr_secret_cdata(reg->audit_key) : NULL,
                      can_sign ? &signer : NULL, reg->user, "sidelog.anchor", NULL, anchor, err)
                : SR_OK;
        reg->side_anchoring = 0;
        if (arc != SR_OK)
            return arc;
        reg->side_stamp = side;
    }
    return srp_audit_append_at(
        &reg->audit, reg->db, reg->audit_key ? sr_secret_cdata(reg->audit_key) : NULL,
        can_sign ? &signer : NULL, reg->user, action, case_code, detail, err);
}

static sr_status sign_as_user(void *ctx, const unsigned char *msg, size_t len,
                              unsigned char sig[SRP_SIGNATURE_BYTES], sr_error *err)
{
    return srp_registry_user_sign(ctx, msg, len, sig, err);
}

int srp_registry_entry_signer(sr_registry *reg, srp_audit_signer *out)
{
    /* The user's own key, when their slot holds one (every slot, once an
     * admin upgraded the keyring). */
    const unsigned char *pk =
        reg->keyring ? srp_keyring_user_sign_public(reg->keyring, reg->user) : NULL;
    if (!pk || !reg->slot_secret || !srp_keyring_slot_can_sign(reg->slot_secret))
        return 0;
    memcpy(out->pk, pk, SRP_SIGN_PUBLIC_BYTES);
    out->sign = sign_as_user;
    out->ctx = reg;
    return 1;
}

static int certify_signer(void *ctx, const char *user,
                          const unsigned char pk[SRP_SIGN_PUBLIC_BYTES], int *is_admin)
{
    sr_registry *reg = ctx;
    const unsigned char *known = srp_keyring_user_sign_public(reg->keyring, user);
    sr_role role = SR_ROLE_ANALYST;
    if (!known || srp_memcmp(known, pk, SRP_SIGN_PUBLIC_BYTES) != 0 ||
        srp_keyring_find_user(reg->keyring, user, &role) != 0)
        return 0;
    *is_admin = role == SR_ROLE_ADMIN;
    return 1;
}

sr_status srp_registry_audit_verify(sr_registry *reg, const srp_audit_check *expect,
                                    sr_audit_report *report, sr_error *err)
{
    srp_audit_check check;
    memset(&check, 0, sizeof check);
    if (expect)
        check = *expect;
    check.mac_key = reg->audit_key ? sr_secret_cdata(reg->audit_key) : NULL;
    check.certify = certify_signer;
    check.certify_ctx = reg;
    return srp_audit_verify(srp_registry_db(reg), &check, report, err);
}

static sr_status sign_with_registry_key(void *ctx, const unsigned char *msg, size_t len,
                                        unsigned char sig[SRP_SIGNATURE_BYTES], sr_error *err)
{
    const srp_keys *keys = ctx;
    (void)err;
    srp_sign(sig, msg, len, keys->signing);
    return SR_OK;
}

int srp_registry_checkpoint_signer(sr_registry *reg, srp_audit_signer *out, const char **user)
{
    /* The user's own key (any role); the registry signing key for a slot
     * that holds none yet (admins of a keyring not yet upgraded). */
    *user = reg->user;
    if (srp_registry_entry_signer(reg, out))
        return 1;
    if (!reg->keys->has_signing)
        return 0;
    memcpy(out->pk, srp_keyring_signing_public(reg->keyring), SRP_SIGN_PUBLIC_BYTES);
    out->sign = sign_with_registry_key;
    out->ctx = reg->keys;
    return 1;
}

int srp_registry_checkpoint_certified(sr_registry *reg, const char *user,
                                      const unsigned char pk[SRP_SIGN_PUBLIC_BYTES])
{
    int is_admin = 0;
    return certify_signer(reg, user, pk, &is_admin) ||
           srp_memcmp(pk, srp_keyring_signing_public(reg->keyring), SRP_SIGN_PUBLIC_BYTES) == 0;
}

void *srp_registry_form_cache(const sr_registry *reg)
{
    return reg->form_cache;
}

void srp_registry_set_form_cache(sr_registry *reg, void *cache, void (*free_fn)(void *))
{
    reg->form_cache = cache;
    reg->form_cache_free = free_fn;
}

const char *srp_registry_id(const sr_registry *reg)
{
    return srp_keyring_registry_id(reg->keyring);
}

int srp_registry_has_database(const sr_registry *reg)
{
    return !reg->no_database;
}

const char *srp_registry_sidelog_path(const sr_registry *reg)
{
    return reg->sidelog;
}

int srp_registry_certify_signer(sr_registry *reg, const char *user,
                                const unsigned char pk[SRP_SIGN_PUBLIC_BYTES])
{
    int is_admin = 0;
    return certify_signer(reg, user, pk, &is_admin);
}

int srp_registry_has_identity(const sr_registry *reg)
{
    return reg->keys->has_identity;
}

void srp_registry_pseudonym_key(const sr_registry *reg, unsigned char out[SRP_KEY_BYTES])
{
    srp_keys_identity_subkey(reg->keys, SRP_SUBKEY_PSEUDONYM, out);
}

sr_status srp_registry_pseudonym(const sr_registry *reg, const unsigned char *canonical, size_t len,
                                 unsigned char out[SRP_MAC_BYTES], sr_error *err)
{
    if (!reg->keys->has_identity || !reg->pseudonym_key)
        return srp_error_set(err, SR_ERR_DENIED, "pseudonyms need the identity key");
    srp_mac(out, sr_secret_cdata(reg->pseudonym_key), canonical, len);
    return SR_OK;
}

sr_status srp_registry_check_unit(sr_registry *reg, const char *unit, sr_error *err)
{
    if (reg->role == SR_ROLE_ADMIN)
        return SR_OK;
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_registry_prepare(
        reg, "SELECT 1 FROM temp.keyring_units WHERE user = ?1 AND unit = ?2", &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, reg->user, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_DONE)
        rc = srp_error_set(err, SR_ERR_DENIED, "user '%s' does not work in unit '%s'", reg->user,
                           unit);
    else if (src != SQLITE_ROW)
        rc = srp_store_fail(reg->db, src, "read unit membership", err);
    srp_stmt_done(reg, st);
    return rc;
}

sr_status srp_registry_require_unit(sr_registry *reg, const char *unit, sr_error *err)
{
    sr_status rc = srp_registry_check_unit(reg, unit, err);
    if (rc == SR_ERR_DENIED) {
        char detail[SR_UNIT_CODE_MAX + 48];
        snprintf(detail, sizeof detail, "refused=unit reason=wrong_unit unit=%s", unit);
        srp_registry_log_apart(reg, "access.denied", NULL, detail);
    }
    return rc;
}

/* ---- entries in a transaction of their own --------------------------------------------- */

static void pending_free(pending_entry *e)
{
    free(e->action);
    free(e->case_code);
    free(e->detail);
    memset(e, 0, sizeof *e);
}

/* Writes the waiting entries when no transaction is open; those that cannot
 * be written now (the registry is busy) wait for the next chance. */
static void flush_pending(sr_registry *reg)
{
    if (!reg || reg->flushing || reg->pending_count == 0 || !reg->db || reg->lock_depth > 0 ||
        reg->loading || !sqlite3_get_autocommit(reg->db))
        return;
    reg->flushing = 1;
    reg->audit_only = 1;
    sr_status rc = srp_store_begin(reg->db, NULL);
    reg->audit_only = 0;
    size_t i = 0;
    for (; rc == SR_OK && i < reg->pending_count; i++) {
        const pending_entry *e = &reg->pending[i];
        rc = srp_registry_audit(reg, e->action, e->case_code, e->detail, NULL);
    }
    if (rc == SR_OK)
        rc = srp_store_commit(reg->db, NULL);
    else
        srp_store_rollback(reg->db);
    if (rc == SR_OK) {
        for (i = 0; i < reg->pending_count; i++)
            pending_free(&reg->pending[i]);
        reg->pending_count = 0;
    }
    reg->flushing = 0;
}

void srp_registry_log_apart(sr_registry *reg, const char *action, const char *case_code,
                            const char *detail)
{
    void *items = reg->pending;
    if (srp_grow(&items, &reg->pending_cap, reg->pending_count + 1, sizeof *reg->pending) == 0) {
        reg->pending = items;
        pending_entry e = {strdup(action), case_code ? strdup(case_code) : NULL,
                           detail ? strdup(detail) : NULL};
        if (e.action && (!case_code || e.case_code) && (!detail || e.detail))
            reg->pending[reg->pending_count++] = e;
        else
            pending_free(&e);
    }
    flush_pending(reg);
}

sr_status srp_registry_transaction(sr_registry *reg, const char *action, const char *case_code,
                                   const char *detail, srp_txn_fn fn, void *ctx, sr_error *err)
{
    sqlite3 *db = srp_registry_db(reg);
    reg->audit_only = fn == NULL;
    sr_status rc = srp_store_begin(db, err);
    reg->audit_only = 0;
    if (rc != SR_OK)
        return rc;
    if (fn)
        rc = fn(reg, ctx, err);
    if (rc == SR_OK)
        rc = srp_registry_audit(reg, action, case_code, detail, err);
    if (rc == SR_OK)
        return srp_store_commit(reg->db, err);
    srp_store_rollback(reg->db);
    return rc;
}

/* ---- KDF profiles ------------------------------------------------------------------------ */

const char *const *sr_kdf_profile_names(void)
{
    static const char *const names[] = {"interactive", "moderate", "sensitive",
                                        "insecure-test-only", NULL};
    return names;
}

int sr_kdf_profile_known(const char *name, int *for_tests_only)
{
    const srp_kdf_profile *p = srp_kdf_profile_find(name);
    if (p && for_tests_only)
        *for_tests_only = p->for_tests_only;
    return p != NULL;
}

/* ---- internal accessors and rotation --------------------------------------------------------- */

sr_status srp_registry_user_sign(const sr_registry *reg, const void *msg, size_t len,
                                 unsigned char sig[SRP_SIGNATURE_BYTES], sr_error *err)
{
    return srp_keyring_slot_sign(reg->slot_secret, msg, len, sig, err);
}

sr_status srp_registry_user_sign_public(const sr_registry *reg, const char *user,
                                        unsigned char pk[SRP_SIGN_PUBLIC_BYTES], sr_error *err)
{
    const char *who = user ? user : reg->user;
    const unsigned char *p = srp_keyring_user_sign_public(reg->keyring, who);
    if (!p)
        return srp_error_set(err, SR_ERR_NOT_FOUND, "user '%s' has no signing key in the keyring",
                             who);
    memcpy(pk, p, SRP_SIGN_PUBLIC_BYTES);
    return SR_OK;
}

srp_keyring *srp_registry_keyring(sr_registry *reg)
{
    return reg->keyring;
}

const srp_keys *srp_registry_keys(const sr_registry *reg)
{
    return reg->keys;
}

const sr_secret *srp_registry_slot_secret(const sr_registry *reg)
{
    return reg->slot_secret;
}

const char *srp_registry_keyring_path(const sr_registry *reg)
{
    return reg->paths.keyring;
}

const char *srp_registry_db_path(const sr_registry *reg)
{
    return reg->paths.db;
}

const char *srp_registry_codekey_path(const sr_registry *reg)
{
    return reg->paths.codekey;
}

sr_secret *srp_registry_database_key(const sr_registry *reg)
{
    return database_key(reg->keyring, reg->keys, reg->db_on_previous);
}

sr_secret *srp_registry_codekey_key(const sr_registry *reg)
{
    return codekey_key(reg->keys, 0);
}

sr_status srp_registry_rotate(sr_registry *reg, sr_error *err)
{
    return srp_registry_rotate_keys(reg, 0, err);
}

sr_status srp_registry_rotate_keys(sr_registry *reg, unsigned what, sr_error *err)
{
    if (!reg->keys->has_identity)
        return srp_error_set(err, SR_ERR_DENIED,
                             "only a holder of the identity key can rotate keys");
    sr_status rc = srp_registry_lock(reg, err);
    if (rc != SR_OK)
        return rc;
    rc = rotate_locked(reg, what, err);
    srp_registry_unlock(reg);
    return rc;
}

static sr_status rotate_locked(sr_registry *reg, unsigned what, sr_error *err)
{
    srp_keys *next = srp_keys_new();
    if (!next)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    memcpy(next, reg->keys, sizeof *next);
    next->previous_epoch = reg->keys->epoch;
    memcpy(next->previous, reg->keys->master, SRP_KEY_BYTES);
    next->has_previous = 1;
    next->epoch = reg->keys->epoch + 1;
    srp_random_bytes(next->master, SRP_KEY_BYTES);
    /* A new data key (the first one, for a registry of an earlier release
     * whose database key derived from the master key). */
    int first_data = srp_keyring_data_epoch(reg->keyring) == 0;
    if (!reg->keys->has_data && !first_data) {
        srp_keys_free(next);
        return srp_error_set(err, SR_ERR_DENIED, "only a holder of the data key can rotate keys");
    }
    next->has_previous_data = reg->keys->has_data;
    memcpy(next->previous_data, reg->keys->data, SRP_KEY_BYTES);
    next->has_data = 1;
    srp_random_bytes(next->data, SRP_KEY_BYTES);
    /* A new identity key (admins only: re-deriving the pseudonyms needs
     * every unit's key). Every case's new pseudonym is computed now, before
     * the keyring's first write, and travels in that write under the new
     * data key: what a crash leaves is work any holder of that key can
     * finish (new_pseudonyms). */
    next->has_previous_identity = 0;
    srp_wipe(next->previous_identity, sizeof next->previous_identity);
    long renamed = 0, unreadable = 0;
    int new_identity = 0;
    if (what & SRP_ROTATE_IDENTITY) {
        if (!reg->keys->has_signing) {
            srp_keys_free(next);
            return srp_error_set(err, SR_ERR_DENIED, "only an admin can rotate the identity key");
        }
        next->has_previous_identity = 1;
        memcpy(next->previous_identity, reg->keys->identity, SRP_KEY_BYTES);
        srp_random_bytes(next->identity, SRP_KEY_BYTES);
        unsigned char *list = NULL;
        size_t list_len = 0;
        sr_status prc =
            srp_pseudonyms_seal(reg, next, &list, &list_len, &renamed, &unreadable, err);
        if (prc == SR_OK)
            prc = srp_keyring_set_rotation_data(reg->keyring, list, list_len, err);
        free(list);
        if (prc != SR_OK) {
            srp_keys_free(next);
            return prc;
        }
        new_identity = 1;
    }
    /* A new registry signing key, signed by the old one in the keyring's
     * chain: whoever kept the old one signs nothing this registry trusts
     * any more. It is in the keyring's first write, with the new keys. */
    int new_signing = 0;
    if (what & SRP_ROTATE_SIGNING) {
        if (!reg->keys->has_signing) {
            srp_keys_free(next);
            return srp_error_set(err, SR_ERR_DENIED, "only an admin can rotate the signing key");
        }
        unsigned char pk[SRP_SIGN_PUBLIC_BYTES];
        srp_sign_keypair(pk, next->signing);
        sr_status src = srp_keyring_rotate_signing(reg->keyring, reg->keys, next, err);
        if (src != SR_OK) {
            srp_keys_free(next);
            return src;
        }
        new_signing = 1;
    }
    /* The code key must be detached before its file is replaced, and no
     * statement may hold it. */
    stmts_clear(reg);
    sr_status rc =
        reg->codekey_attached ? srp_store_exec(reg->db, "DETACH DATABASE codekey", err) : SR_OK;
    reg->codekey_attached = 0;
    if (rc == SR_OK && first_data)
        srp_keyring_set_data_epoch(reg->keyring, next->epoch);
    if (rc == SR_OK)
        rc = srp_keyring_reseal(reg->keyring, next, err);
    /* New unit key generations go out with the new epoch, the old ones
     * stay sealed until the code key's rows are resealed. */
    srp_unit_keys *next_units = reg->next_unit_keys;
    reg->next_unit_keys = NULL;
    if (rc == SR_OK && next_units)
        rc = srp_keyring_seal_unit_keys(reg->keyring, next_units, err);
    if (rc == SR_OK)
        rc = srp_keyring_write(reg->keyring, reg->paths.keyring, next, err);
    if (rc != SR_OK) {
        if (new_signing)
            srp_keyring_drop_newest_signing(reg->keyring);
        if (new_identity)
            (void)srp_keyring_set_rotation_data(reg->keyring, NULL, 0, NULL);
        if (first_data)
            srp_keyring_set_data_epoch(reg->keyring, 0);
        if (next_units)
            (void)srp_keyring_seal_unit_keys(reg->keyring, reg->unit_keys, NULL);
        srp_unit_keys_free(next_units);
        srp_keys_free(next);
        return rc;
    }
    if (next_units) {
        srp_unit_keys_free(reg->unit_keys);
        reg->unit_keys = next_units;
    }
    srp_keys_free(reg->keys);
    reg->keys = next;
    reg->db_on_previous = 1;
    rc = refresh_audit_key(reg, err);
    if (rc == SR_OK && new_identity)
        rc = derive_pseudonym_key(reg, err);
    if (rc == SR_OK)
        rc = finish_rotation(reg, err);
    if (rc == SR_OK)
        rc = attach_codekey(reg, err);
    if (rc == SR_OK && next_units)
        rc = admin_unit_keys(reg, err);
    if (rc == SR_OK && new_identity) {
        char detail[96];
        snprintf(detail, sizeof detail, "epoch=%u identity=new pseudonyms=%ld unreadable=%ld",
                 (unsigned)srp_keyring_epoch(reg->keyring), renamed, unreadable);
        rc = srp_registry_transaction(reg, "keys.identity", NULL, detail, NULL, NULL, err);
    }
    return rc;
}

/* The session's unit keys with a new generation of each of these units
 * (a unit without keys yet is left as it is): what a rotation seals. */
static sr_status next_generations(sr_registry *reg, const char *const *units, size_t count,
                                  srp_unit_keys **out, sr_error *err)
{
    sr_status rc = SR_OK;
    srp_unit_keys *next = srp_unit_keys_copy(reg->unit_keys);
    if (!next)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == SR_OK && i < count; i++)
        if (srp_unit_keys_newest(next, units[i]) != 0)
            rc = srp_unit_keys_add_generation(next, units[i], NULL, err);
    *out = next;
    return rc;
}

sr_status srp_registry_rotate_units(sr_registry *reg, unsigned what, const char *const *units,
                                    size_t count, sr_error *err)
{
    if (!reg->keys->has_signing)
        return srp_error_set(err, SR_ERR_DENIED, "only an admin can rotate unit keys");
    sr_status rc = srp_registry_lock(reg, err);
    if (rc != SR_OK)
        return rc;
    srp_unit_keys *next = NULL;
    rc = next_generations(reg, units, count, &next, err);
    if (rc == SR_OK) {
        srp_unit_keys_free(reg->next_unit_keys);
        reg->next_unit_keys = next;
        next = NULL;
        rc = rotate_locked(reg, what, err);
    }
    srp_unit_keys_free(next);
    srp_registry_unlock(reg);
    return rc;
}

srp_unit_keys *srp_registry_unit_keys(sr_registry *reg)
{
    return reg->unit_keys;
}

sr_status srp_registry_seal_unit_keys(sr_registry *reg, sr_error *err)
{
    if (!reg->keys->has_signing || srp_keyring_is_legacy(reg->keyring))
        return SR_OK; /* an upgrade seals them later */
    return srp_keyring_seal_unit_keys(reg->keyring, reg->unit_keys, err);
}

/* Writes the keyring with next's unit keys; on success they are the
 * session's (next is consumed either way). */
static sr_status write_unit_keys(sr_registry *reg, srp_unit_keys *next, sr_error *err)
{
    sr_status rc = srp_keyring_seal_unit_keys(reg->keyring, next, err);
    if (rc == SR_OK)
        rc = srp_keyring_write(reg->keyring, reg->paths.keyring, reg->keys, err);
    if (rc != SR_OK) {
        (void)srp_keyring_seal_unit_keys(reg->keyring, reg->unit_keys, NULL);
        srp_unit_keys_free(next);
        return rc;
    }
    srp_unit_keys_free(reg->unit_keys);
    reg->unit_keys = next;
    return SR_OK;
}

/* What an admin's session puts right about unit keys, each step crash-safe
 * because it comes after the one it depends on: every unit has a key (an
 * upgraded registry's, or a unit whose key was not written), sealed and in
 * the keyring before any row is sealed under it; every row of the code key
 * sealed under its unit's newest key (one transaction, logged); and only then
 * older generations dropped from the keyring. Under the lock. */
static sr_status admin_unit_keys(sr_registry *reg, sr_error *err)
{
    srp_unit_keys *next = srp_unit_keys_copy(reg->unit_keys);
    sqlite3_stmt *st = NULL;
    size_t added = 0;
    sr_status rc = next ? srp_store_prepare(reg->db, "SELECT code FROM main.units", &st, err)
                        : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    int src = SQLITE_DONE;
    while (rc == SR_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *unit = (const char *)sqlite3_column_text(st, 0);
        if (unit && srp_unit_keys_newest(next, unit) == 0) {
            rc = srp_unit_keys_add_generation(next, unit, NULL, err);
            added++;
        }
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(reg->db, src, "list units", err);
    sqlite3_finalize(st);
    if (rc == SR_OK && added) {
        rc = write_unit_keys(reg, next, err);
        next = NULL;
        char detail[48];
        snprintf(detail, sizeof detail, "unit_keys=new units=%zu", added);
        if (rc == SR_OK)
            rc = srp_registry_transaction(reg, "keys.units", NULL, detail, NULL, NULL, err);
    }
    srp_unit_keys_free(next);
    next = NULL;
    if (rc != SR_OK)
        return rc;
    /* A code key of an earlier release gets the index that the look-up of
     * rows waiting to be resealed reads (store.c). */
    rc = srp_store_migrate_codekey(reg->db, err);
    int pending = 0;
    if (rc == SR_OK)
        rc = srp_codekey_pending(reg, &pending, err);
    if (rc == SR_OK && pending)
        rc = srp_codekey_reseal(reg, "codekey.seal", err);
    /* The clear rows are sealed: the signed keyring says so, and from then
     * on a clear row (planted with the file's key) is never sealed. */
    if (rc == SR_OK && !srp_keyring_codekey_sealed(reg->keyring) &&
        srp_keyring_has_unit_keys(reg->keyring)) {
        srp_keyring_set_codekey_sealed(reg->keyring, 1);
        rc = srp_keyring_write(reg->keyring, reg->paths.keyring, reg->keys, err);
        if (rc != SR_OK)
            srp_keyring_set_codekey_sealed(reg->keyring, 0);
    }
    if (rc != SR_OK || !srp_unit_keys_rotating(reg->unit_keys))
        return rc;
    next = srp_unit_keys_copy(reg->unit_keys);
    if (!next)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < srp_unit_keys_count(next);) {
        const char *unit = NULL;
        uint32_t gen = 0;
        srp_unit_keys_at(next, i, &unit, &gen, NULL);
        if (gen == srp_unit_keys_newest(next, unit)) {
            i++;
            continue;
        }
        char copy[SR_UNIT_CODE_MAX + 1];
        snprintf(copy, sizeof copy, "%s", unit);
        srp_unit_keys_drop_older(next, copy);
        i = 0;
    }
    return write_unit_keys(reg, next, err);
}

sr_status srp_registry_unit_key_add(sr_registry *reg, const char *unit, sr_error *err)
{
    if (!reg->keys->has_signing || srp_keyring_is_legacy(reg->keyring))
        return SR_OK;
    if (srp_unit_keys_newest(reg->unit_keys, unit) != 0)
        return SR_OK;
    sr_status rc = srp_registry_lock(reg, err);
    if (rc != SR_OK)
        return rc;
    srp_unit_keys *next = srp_unit_keys_copy(reg->unit_keys);
    rc = next ? srp_unit_keys_add_generation(next, unit, NULL, err)
              : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK)
        rc = write_unit_keys(reg, next, err);
    else
        srp_unit_keys_free(next);
    char detail[64];
    snprintf(detail, sizeof detail, "unit_keys=new unit=%s", unit);
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "keys.units", NULL, detail, NULL, NULL, err);
    srp_registry_unlock(reg);
    return rc;
}

sr_status srp_registry_rotate_unit_keys(sr_registry *reg, const char *const *units, size_t count,
                                        int *written, sr_error *err)
{
    *written = 0;
    if (!reg->keys->has_signing || srp_keyring_is_legacy(reg->keyring))
        return srp_error_set(err, SR_ERR_DENIED, "only an admin can rotate unit keys");
    sr_status rc = srp_registry_lock(reg, err);
    if (rc != SR_OK)
        return rc;
    srp_unit_keys *next = NULL;
    rc = next_generations(reg, units, count, &next, err);
    /* One keyring write seals the new generations to the slots that may
     * hold them now (and the older ones to those same slots only, until the
     * rows are resealed); from then on new rows are sealed under the new
     * generation. The rows are resealed and the older generations dropped
     * next, as any admin's unlock would finish them after a crash. */
    if (rc == SR_OK) {
        rc = write_unit_keys(reg, next, err);
        next = NULL;
        *written = rc == SR_OK;
    }
    if (rc == SR_OK)
        rc = admin_unit_keys(reg, err);
    srp_unit_keys_free(next);
    srp_registry_unlock(reg);
    return rc;
}
