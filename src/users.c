/*
 * users.c - adding, listing and removing users, and changing passphrases.
 *
 * A user is a key slot in the keyring: name, role, the units they work in
 * and KDF cost, signed by an admin with the registry signing key, and their
 * passphrase. The database's user_units is still written for older
 * releases but decides nothing. Removing a user rotates the keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "keyring_file.h"
#include "base/names.h"
#include "registry_int.h"
#include "sigreg/users.h"
#include "store.h"

static sr_status check_new_passphrase(const sr_secret *pass, sr_error *err)
{
    if (!pass || sr_secret_len(pass) < SR_PASSPHRASE_MIN)
        return srp_error_set(err, SR_ERR_INVALID,
                             "the new passphrase must be at least %d characters",
                             SR_PASSPHRASE_MIN);
    return SR_OK;
}

typedef struct user_units_ctx {
    const char *name;
    const char *const *units;
    size_t count;
} user_units_ctx;

static sr_status store_user_units(sr_registry *reg, void *vctx, sr_error *err)
{
    user_units_ctx *c = vctx;
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *del = NULL, *ins = NULL;
    sr_status rc = srp_store_prepare(db, "DELETE FROM user_units WHERE user = ?1", &del, err);
    if (rc == SR_OK)
        rc = srp_store_prepare(db, "INSERT OR IGNORE INTO user_units (user, unit) VALUES (?1, ?2)",
                               &ins, err);
    if (rc == SR_OK) {
        sqlite3_bind_text(del, 1, c->name, -1, SQLITE_STATIC);
        int src = sqlite3_step(del);
        if (src != SQLITE_DONE)
            rc = srp_store_fail(db, src, "update unit membership", err);
    }
    for (size_t i = 0; rc == SR_OK && i < c->count; i++) {
        sqlite3_bind_text(ins, 1, c->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, c->units[i], -1, SQLITE_STATIC);
        int src = sqlite3_step(ins);
        sqlite3_reset(ins);
        if (src != SQLITE_DONE)
            rc = srp_store_fail(db, src, "update unit membership", err);
    }
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    return rc;
}

static sr_status check_units_exist(sr_registry *reg, const char *const *units, size_t count,
                                   sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc =
        srp_store_prepare(srp_registry_db(reg), "SELECT 1 FROM units WHERE code = ?1", &st, err);
    for (size_t i = 0; rc == SR_OK && i < count; i++) {
        sqlite3_bind_text(st, 1, units[i], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
            rc = srp_error_set_where(err, SR_ERR_NOT_FOUND, "unit", "no unit '%s'", units[i]);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Appends " sign_key=HEX" (a user's public signing key) to an entry's
 * detail: the log then certifies the key for the user's entries even after
 * the user's slot is gone. */
static void append_sign_key(char *detail, size_t size, const unsigned char *pk)
{
    if (!pk)
        return;
    char hex[2 * SRP_SIGN_PUBLIC_BYTES + 1];
    srp_hex_encode(hex, pk, SRP_SIGN_PUBLIC_BYTES);
    size_t used = strlen(detail);
    snprintf(detail + used, size - used, " sign_key=%s", hex);
}

sr_status sr_user_add(sr_registry *reg, const char *name, sr_role role, const char *const *units,
                      size_t unit_count, const char *kdf_profile, const sr_secret *pass,
                      sr_error *err)
{
    sr_status rc = sr_registry_require(reg, SR_ROLE_BIT(SR_ROLE_ADMIN), "add users", err);
    if (rc != SR_OK)
        return rc;
    const srp_kdf_profile *profile = srp_kdf_profile_choose(kdf_profile, err);
    if (!profile)
        return SR_ERR_USAGE;
    if (role == SR_ROLE_COORDINATOR && unit_count == 0)
        return srp_error_set_where(err, SR_ERR_USAGE, "unit",
                                   "a coordinator works in at least one unit: name it");
    if (role == SR_ROLE_ADMIN && unit_count > 0)
        return srp_error_set_where(err, SR_ERR_USAGE, "unit",
                                   "an admin works in every unit: name none");
    rc = check_new_passphrase(pass, err);
    if (rc == SR_OK)
        rc = check_units_exist(reg, units, unit_count, err);
    if (rc != SR_OK)
        return rc;
    /* The keyring is edited under the lock, as read from disk now: another
     * session may have changed it since this one loaded it. */
    rc = srp_registry_lock(reg, err);
    if (rc != SR_OK)
        return rc;
    srp_keyring *kr = srp_registry_keyring(reg);
    rc = srp_keyring_add_user(kr, srp_registry_keys(reg), name, role, profile,
                              sr_secret_cdata(pass), sr_secret_len(pass), err);
    /* The units are part of the slot's signed header: the keyring decides. */
    if (rc == SR_OK) {
        rc = srp_keyring_set_units(kr, name, units, unit_count, err);
        /* The keys of those units (an admin's: every unit's). */
        if (rc == SR_OK)
            rc = srp_registry_seal_unit_keys(reg, err);
        if (rc != SR_OK)
            (void)srp_keyring_remove_user(kr, name, NULL);
    }
    if (rc != SR_OK) {
        srp_registry_unlock(reg);
        return rc;
    }
    char detail[256];
    snprintf(detail, sizeof detail, "user=%s role=%s units=%zu kdf=%s", name, sr_role_name(role),
             unit_count, profile->name);
    append_sign_key(detail, sizeof detail, srp_keyring_user_sign_public(kr, name));
    user_units_ctx ctx = {name, units, unit_count};
    /* Units and the log entry first: a keyring that fails to write after
     * them leaves a logged attempt and no user, never a user without a log. */
    rc = srp_registry_transaction(reg, "user.add", NULL, detail, store_user_units, &ctx, err);
    if (rc == SR_OK)
        rc = srp_keyring_write(kr, srp_registry_keyring_path(reg), srp_registry_keys(reg), err);
    if (rc != SR_OK)
        (void)srp_keyring_remove_user(kr, name, NULL);
    sr_status urc = srp_registry_sync_units(reg, rc == SR_OK ? err : NULL);
    if (rc == SR_OK)
        rc = urc;
    srp_registry_unlock(reg);
    return rc;
}

/* The units whose keys user's slot holds (copies the caller frees). */
static sr_status units_held(sr_registry *reg, const char *user, sr_role role, char ***out,
                            size_t *count, sr_error *err)
{
    *out = NULL;
    *count = 0;
    const srp_unit_keys *uk = srp_registry_unit_keys(reg);
    const char *const *units = NULL;
    size_t n = 0;
    if (role == SR_ROLE_ADMIN)
        n = srp_unit_keys_count(uk); /* an admin holds every unit's key */
    else if (srp_keyring_user_units(srp_registry_keyring(reg), user, &units, &n) != 0)
        n = 0;
    char **list = calloc(n ? n : 1, sizeof *list);
    if (!list)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        const char *unit = NULL;
        uint32_t gen = 0;
        if (role == SR_ROLE_ADMIN)
            srp_unit_keys_at(uk, i, &unit, &gen, NULL);
        else
            unit = units[i];
        int seen = 0;
        for (size_t j = 0; j < w && !seen; j++)
            seen = strcmp(list[j], unit) == 0;
        if (seen)
            continue;
        if (!(list[w] = strdup(unit))) {
            for (size_t j = 0; j < w; j++)
                free(list[j]);
            free(list);
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        }
        w++;
    }
    *out = list;
    *count = w;
    return SR_OK;
}

sr_status sr_user_remove(sr_registry *reg, const char *name, sr_error *err)
{
    sr_status rc = sr_registry_require(reg, SR_ROLE_BIT(SR_ROLE_ADMIN), "remove users", err);
    if (rc != SR_OK)
        return rc;
    if (strcmp(name, sr_registry_user(reg)) == 0)
        return srp_error_set(err, SR_ERR_USAGE,
                             "you cannot remove yourself: another admin must do it");
    rc = srp_registry_lock(reg, err);
    if (rc != SR_OK)
        return rc;
    srp_keyring *kr = srp_registry_keyring(reg);
    sr_role role = SR_ROLE_ANALYST;
    if (srp_keyring_find_user(kr, name, &role) != 0)
        rc = srp_error_set(err, SR_ERR_NOT_FOUND, "no user '%s' in this registry", name);
    /* The removal is logged before the rotation starts: an interrupted one
     * leaves its trace. A removed admin held the registry signing key. The
     * removed user's signing key stays in the log: their entries still
     * verify once their slot is gone. */
    unsigned what = role == SR_ROLE_ADMIN ? SRP_ROTATE_SIGNING : 0;
    /* Admins and coordinators held the identity key: a new one, and every
     * pseudonym re-derived under it. */
    if (sr_role_holds_identity(role))
        what |= SRP_ROTATE_IDENTITY;
    char detail[256];
    snprintf(detail, sizeof detail, "user=%s role=%s keys=%s", name, sr_role_name(role),
             (what & SRP_ROTATE_SIGNING)    ? "rotating,identity,signing"
             : (what & SRP_ROTATE_IDENTITY) ? "rotating,identity"
                                            : "rotating");
    if (rc == SR_OK)
        append_sign_key(detail, sizeof detail, srp_keyring_user_sign_public(kr, name));
    user_units_ctx ctx = {name, NULL, 0};
    if (rc == SR_OK)
        rc =
            srp_registry_transaction(reg, "user.remove", NULL, detail, store_user_units, &ctx, err);
    /* The unit keys they held get a new generation too: an admin's every
     * unit's, a coordinator's their units'. */
    char **held = NULL;
    size_t held_count = 0;
    if (rc == SR_OK && (role == SR_ROLE_ADMIN || role == SR_ROLE_COORDINATOR))
        rc = units_held(reg, name, role, &held, &held_count, err);
    if (rc == SR_OK)
        rc = srp_keyring_remove_user(kr, name, err);
    if (rc == SR_OK)
        rc = srp_registry_rotate_units(reg, what, (const char *const *)held, held_count, err);
    for (size_t i = 0; i < held_count; i++)
        free(held[i]);
    free(held);
    sr_status urc = srp_registry_sync_units(reg, rc == SR_OK ? err : NULL);
    if (rc == SR_OK)
        rc = urc;
    srp_registry_unlock(reg);
    return rc;
}

/* Copies of the units user's signed slot names (sorted), the caller frees. */
static sr_status units_copy(const srp_keyring *kr, const char *user, char ***out, size_t *count,
                            sr_error *err)
{
    const char *const *units = NULL;
    size_t n = 0;
    *out = NULL;
    *count = 0;
    if (srp_keyring_user_units(kr, user, &units, &n) != 0)
        n = 0;
    char **list = calloc(n ? n : 1, sizeof *list);
    if (!list)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!(list[i] = strdup(units[i]))) {
            for (size_t j = 0; j < i; j++)
                free(list[j]);
            free(list);
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        }
    }
    *out = list;
    *count = n;
    return SR_OK;
}

static void units_release(char **list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(list[i]);
    free(list);
}

static int units_contain(const char *const *units, size_t count, const char *unit)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(units[i], unit) == 0)
            return 1;
    return 0;
}

/* Appends "KEY=A,B" (or "KEY=-") to an entry's detail. */
static void append_units(char *detail, size_t size, const char *key, const char *const *units,
                         size_t count)
{
    size_t used = strlen(detail);
    int w = snprintf(detail + used, size - used, " %s=", key);
    if (w < 0 || (size_t)w >= size - used)
        return;
    used += (size_t)w;
    for (size_t i = 0; i < count; i++) {
        w = snprintf(detail + used, size - used, "%s%s", i ? "," : "", units[i]);
        if (w < 0 || (size_t)w >= size - used)
            return;
        used += (size_t)w;
    }
    if (count == 0)
        snprintf(detail + used, size - used, "-");
}

sr_status sr_user_set_units(sr_registry *reg, const char *name, const char *const *units,
                            size_t unit_count, sr_error *err)
{
    sr_status rc = sr_registry_require(reg, SR_ROLE_BIT(SR_ROLE_ADMIN), "change users' units", err);
    if (rc != SR_OK)
        return rc;
    rc = srp_registry_lock(reg, err);
    if (rc != SR_OK)
        return rc;
    srp_keyring *kr = srp_registry_keyring(reg);
    sr_role role = SR_ROLE_ANALYST;
    char **before = NULL, **after = NULL;
    size_t before_count = 0, after_count = 0;
    const char **lost = NULL;
    size_t lost_count = 0, gained_count = 0;
    int units_changed = 0;
    if (srp_keyring_is_legacy(kr))
        rc = srp_error_set(err, SR_ERR_STATE,
                           "the keyring is of an earlier release: an admin's unlock upgrades it "
                           "first");
    else if (srp_keyring_find_user(kr, name, &role) != 0)
        rc = srp_error_set_where(err, SR_ERR_NOT_FOUND, "name", "no user '%s' in this registry",
                                 name);
    else if (role == SR_ROLE_ADMIN)
        rc = srp_error_set_where(err, SR_ERR_USAGE, "unit",
                                 "'%s' is an admin, who holds every unit's key: an admin's units "
                                 "do not change",
                                 name);
    else if (role == SR_ROLE_COORDINATOR && unit_count == 0)
        rc = srp_error_set_where(err, SR_ERR_USAGE, "unit",
                                 "a coordinator works in at least one unit: name it");
    if (rc == SR_OK)
        rc = check_units_exist(reg, units, unit_count, err);
    /* Keys are sealed only to slots that verify: the keyring as read under
     * the lock, checked again before any of it changes. */
    if (rc == SR_OK)
        rc = srp_keyring_verify(kr, err);
    if (rc == SR_OK)
        rc = units_copy(kr, name, &before, &before_count, err);
    /* The new set as the keyring keeps it (sorted, repeats dropped). */
    if (rc == SR_OK) {
        rc = srp_keyring_set_units(kr, name, units, unit_count, err);
        units_changed = rc == SR_OK;
    }
    if (rc == SR_OK)
        rc = units_copy(kr, name, &after, &after_count, err);
    if (rc == SR_OK && !(lost = calloc(before_count ? before_count : 1, sizeof *lost)))
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == SR_OK && i < before_count; i++)
        if (!units_contain((const char *const *)after, after_count, before[i]))
            lost[lost_count++] = before[i];
    for (size_t i = 0; rc == SR_OK && i < after_count; i++)
        if (!units_contain((const char *const *)before, before_count, after[i]))
            gained_count++;
    if (rc == SR_OK && lost_count == 0 && gained_count == 0)
        rc = srp_error_set_where(err, SR_ERR_USAGE, "unit",
                                 "user '%s' works in these units already", name);
    /* Logged before any key moves: an interrupted change leaves its trace.
     * A coordinator who loses a unit loses its key: a new generation, which
     * her copy of the keyring does not hold, seals that unit's rows. */
    int rotate = role == SR_ROLE_COORDINATOR && lost_count > 0;
    char detail[1024];
    snprintf(detail, sizeof detail, "user=%s role=%s", name, sr_role_name(role));
    append_units(detail, sizeof detail, "units", (const char *const *)after, after_count);
    append_units(detail, sizeof detail, "removed", lost, lost_count);
    if (rotate)
        snprintf(detail + strlen(detail), sizeof detail - strlen(detail), " keys=rotating");
    user_units_ctx ctx = {name, (const char *const *)after, after_count};
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "user.units", NULL, detail, store_user_units, &ctx, err);
    if (rc == SR_OK && rotate) {
        /* Once its keyring write is done, the keyring on disk has the new
         * units: a failure after it is finished by the next admin unlock. */
        int written = 0;
        rc = srp_registry_rotate_unit_keys(reg, lost, lost_count, &written, err);
        if (written)
            units_changed = 0;
    } else if (rc == SR_OK) {
        /* Keys of the units gained (and, for an analyst, none) sealed to the
         * slot, which the unlock verified with the rest of the keyring. */
        rc = srp_registry_seal_unit_keys(reg, err);
        if (rc == SR_OK)
            rc = srp_keyring_write(kr, srp_registry_keyring_path(reg), srp_registry_keys(reg), err);
    }
    if (rc != SR_OK && units_changed) {
        /* The keyring in memory goes back to what is on disk. */
        (void)srp_keyring_set_units(kr, name, (const char *const *)before, before_count, NULL);
        (void)srp_registry_seal_unit_keys(reg, NULL);
    }
    sr_status urc = srp_registry_sync_units(reg, rc == SR_OK ? err : NULL);
    if (rc == SR_OK)
        rc = urc;
    free(lost);
    units_release(before, before_count);
    units_release(after, after_count);
    srp_registry_unlock(reg);
    return rc;
}

typedef struct list_ctx {
    sr_registry *reg;
    sr_user_fn fn;
    void *ctx;
} list_ctx;

/* The units of user as their signed slot names them, comma-separated. */
static void units_of(const srp_keyring *kr, const char *user, char *out, size_t size)
{
    const char *const *units = NULL;
    size_t n = 0, used = 0;
    out[0] = '\0';
    if (srp_keyring_user_units(kr, user, &units, &n) != 0)
        return;
    for (size_t u = 0; u < n; u++) {
        int w = snprintf(out + used, size - used, "%s%s", used ? "," : "", units[u]);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

sr_status sr_user_list(sr_registry *reg, sr_user_fn fn, void *ctx, sr_error *err)
{
    sr_status rc = sr_registry_require(reg, SR_ROLE_BIT(SR_ROLE_ADMIN), "list users", err);
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "user.list", NULL, NULL, NULL, NULL, err);
    if (rc != SR_OK)
        return rc;
    srp_keyring *kr = srp_registry_keyring(reg);
    for (size_t i = 0; i < srp_keyring_user_count(kr); i++) {
        sr_user_info info;
        char units[1024];
        srp_keyring_user_at(kr, i, &info.name, &info.role, &info.kdf_profile);
        srp_keyring_user_kdf(kr, i, &info.kdf_opslimit, &info.kdf_memlimit);
        units_of(kr, info.name, units, sizeof units);
        info.units = units;
        if (fn && fn(ctx, &info) != 0)
            break;
    }
    return SR_OK;
}

/* The profile a user's slot has now; when its name is not a profile of this
 * build (made by another version), its exact cost under that name. */
static const srp_kdf_profile *current_profile(const srp_keyring *kr, const char *user,
                                              srp_kdf_profile *custom)
{
    for (size_t i = 0; i < srp_keyring_user_count(kr); i++) {
        const char *name = NULL, *profile = NULL;
        sr_role role;
        srp_keyring_user_at(kr, i, &name, &role, &profile);
        if (strcmp(name, user) != 0)
            continue;
        const srp_kdf_profile *known = srp_kdf_profile_find(profile);
        if (known)
            return known;
        custom->name = profile;
        custom->for_tests_only = 0;
        srp_keyring_user_kdf(kr, i, &custom->opslimit, &custom->memlimit);
        return custom;
    }
    return NULL;
}

sr_status sr_user_passwd(sr_registry *reg, const sr_secret *old_pass, const sr_secret *new_pass,
                         const char *kdf_profile, sr_error *err)
{
    srp_kdf_profile custom;
    const srp_kdf_profile *profile =
        kdf_profile ? srp_kdf_profile_choose(kdf_profile, err)
                    : current_profile(srp_registry_keyring(reg), sr_registry_user(reg), &custom);
    if (!profile)
        return err && err->status != SR_OK ? err->status
                                           : srp_error_set(err, SR_ERR_NOT_FOUND, "no such user");
    sr_status rc = check_new_passphrase(new_pass, err);
    if (rc != SR_OK)
        return rc;
    /* The KDF cost is signed with the slot's header: only an admin, who
     * holds the registry signing key, can change it. */
    srp_kdf_profile now_custom;
    const srp_kdf_profile *now =
        current_profile(srp_registry_keyring(reg), sr_registry_user(reg), &now_custom);
    if (!srp_registry_keys(reg)->has_signing && now &&
        (now->opslimit != profile->opslimit || now->memlimit != profile->memlimit ||
         strcmp(now->name, profile->name) != 0))
        return srp_error_set_where(err, SR_ERR_DENIED, "kdf_profile",
                                   "the KDF cost of a key slot is signed with the keyring: only an "
                                   "admin can change it (user '%s' has '%s')",
                                   sr_registry_user(reg), now->name);
    rc = srp_registry_lock(reg, err);
    if (rc != SR_OK)
        return rc;
    srp_keyring *kr = srp_registry_keyring(reg);
    rc = srp_keyring_change_passphrase(kr, sr_registry_user(reg), sr_secret_cdata(old_pass),
                                       sr_secret_len(old_pass), sr_secret_cdata(new_pass),
                                       sr_secret_len(new_pass), profile, err);
    char detail[64];
    snprintf(detail, sizeof detail, "kdf=%s", profile->name);
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "user.passwd", NULL, detail, NULL, NULL, err);
    if (rc == SR_OK)
        rc = srp_keyring_write(kr, srp_registry_keyring_path(reg), srp_registry_keys(reg), err);
    srp_registry_unlock(reg);
    return rc;
}
