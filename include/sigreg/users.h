/*
 * users.h - the users of a registry: adding, removing, listing them, and a
 * user's own passphrase change.
 *
 * Only admins add, remove and list users; any user changes their own
 * passphrase. Each call checks the session's role and is audited. Removing a
 * user rotates the registry's keys; this module never stores or returns a
 * passphrase.
 */
#ifndef SIGREG_USERS_H
#define SIGREG_USERS_H

#include <stddef.h>

#include "sigreg/registry.h"
#include "sigreg/role.h"
#include "sigreg/secret.h"
#include "sigreg/status.h"

typedef struct sr_user_info {
    const char *name;
    sr_role role;
    const char *kdf_profile;
    const char *units;               /* comma-separated unit codes, "" when none */
    unsigned long long kdf_opslimit; /* the slot's actual Argon2id cost */
    size_t kdf_memlimit;             /* in bytes */
} sr_user_info;
/* Called once per user; the strings are borrowed for the call. */
/* 0 to go on, non-zero to stop (the rule of status.h). */
typedef int (*sr_user_fn)(void *ctx, const sr_user_info *user);

/* Adds a user with their own passphrase; units (may be empty) must exist;
 * a coordinator needs at least one. */
sr_status sr_user_add(sr_registry *reg, const char *name, sr_role role, const char *const *units,
                      size_t unit_count, const char *kdf_profile, const sr_secret *pass,
                      sr_error *err);
/* Removes a user and rotates the registry's keys: afterwards the removed
 * passphrase opens nothing; everyone else's still does. */
sr_status sr_user_remove(sr_registry *reg, const char *name, sr_error *err);
/* Sets the units of a coordinator (at least one) or an analyst; units must
 * exist. A coordinator gets the keys of the units gained; a unit lost gets
 * a new key generation that she does not hold, under which its code key
 * rows are resealed, so her old copy of the keyring opens none of that
 * unit's personnummer written after. An analyst's units say only which
 * publications are sealed to them. An admin's units (every unit) do not
 * change; no change at all is refused. Logged before any key moves. */
sr_status sr_user_set_units(sr_registry *reg, const char *name, const char *const *units,
                            size_t unit_count, sr_error *err);
sr_status sr_user_list(sr_registry *reg, sr_user_fn fn, void *ctx, sr_error *err);
/* Changes the session user's own passphrase (old_pass must be right).
 * kdf_profile NULL keeps the cost the user's slot has now. */
sr_status sr_user_passwd(sr_registry *reg, const sr_secret *old_pass, const sr_secret *new_pass,
                         const char *kdf_profile, sr_error *err);

#endif
