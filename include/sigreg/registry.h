/*
 * registry.h - creating and unlocking a sigreg registry: the session, its
 * user and role.
 *
 * A registry is an encrypted database file plus sidecar files with the same
 * stem: STEM.keyring (the key slots), STEM.codekey (the code key, case code
 * to personnummer, encrypted apart) and STEM.lock (an empty lock file).
 * An sr_registry handle is one unlocked session of one user: a key context
 * that a long-lived process may keep (unlocking runs the KDF once). The
 * registry's lock is taken per write transaction, so sessions of several
 * processes interleave; a session catches up with another's key rotation
 * between operations, without the passphrase.
 *
 * Every call here checks the session's role and appends to the audit log.
 * Users, units, settings and whole-registry checks have headers of their
 * own (sigreg/users.h, units.h, settings.h, maintenance.h).
 */
#ifndef SIGREG_REGISTRY_H
#define SIGREG_REGISTRY_H

#include "sigreg/role.h"
#include "sigreg/secret.h"
#include "sigreg/status.h"

typedef struct sr_registry sr_registry;

/* Minimum length of a new passphrase, in bytes. */
#define SR_PASSPHRASE_MIN 8
#define SR_PASSPHRASE_MAX 1024

typedef struct sr_open_options {
    const char *user;    /* NULL: the admin made by init */
    int busy_timeout_ms; /* how long to wait for another session; 0: 5000 */
} sr_open_options;

/* Creates a registry at path whose first user, admin, unlocks it with pass.
 * kdf_profile: "interactive", "moderate" (NULL means this), "sensitive", or
 * "insecure-test-only" (for test suites; never chosen unless named). Fails
 * with SR_ERR_EXISTS when any of the files is there already. */
sr_status sr_registry_create(const char *path, const char *admin, const char *kdf_profile,
                             const sr_secret *pass, sr_error *err);

/* Unlocks a registry. *out is owned by the caller (sr_registry_close). */
sr_status sr_registry_open(const char *path, const sr_open_options *options, const sr_secret *pass,
                           sr_registry **out, sr_error *err);
/* Closes the session; NULL is a no-op. */
void sr_registry_close(sr_registry *reg);
/* Ends an operation in a long-lived session: frees what a catch-up with
 * another process replaced. Call it between operations (a request), never
 * while holding results of the session. NULL is a no-op. */
void sr_registry_release(sr_registry *reg);

/* The session's user and role (borrowed strings). */
const char *sr_registry_user(const sr_registry *reg);
sr_role sr_registry_role(const sr_registry *reg);
/* The language of the library's messages in this session (errors and the
 * problems the calls taking reg fill): "en" (the default, which the command
 * line's messages keep; NULL sets it back) or "sv" (any other tag), as the
 * front end's user reads them. */
void sr_registry_set_lang(sr_registry *reg, const char *lang);
const char *sr_registry_lang(const sr_registry *reg);
/* 1 when the session's user unlocked a slot made with the test KDF profile
 * ("insecure-test-only"): front ends warn of it on every command. */
int sr_registry_kdf_for_tests(const sr_registry *reg);
/* SR_OK when the session's role is in mask (SR_ROLE_BIT(...) | ...),
 * otherwise SR_ERR_DENIED with a message naming what was refused; the
 * refusal is written to the audit log. */
#define SR_ROLE_BIT(r) (1u << (r))
#define SR_ANY_ROLE                                                                                \
    (SR_ROLE_BIT(SR_ROLE_ADMIN) | SR_ROLE_BIT(SR_ROLE_COORDINATOR) | SR_ROLE_BIT(SR_ROLE_ANALYST))
sr_status sr_registry_require(sr_registry *reg, unsigned role_mask, const char *what,
                              sr_error *err);

/* Names of the KDF profiles a user may choose (NULL-terminated, static). */
const char *const *sr_kdf_profile_names(void);
/* Whether a profile is known; *for_tests_only says whether it is the test one. */
int sr_kdf_profile_known(const char *name, int *for_tests_only);

/* Logs what a front end's session did that no library call logs by itself
 * (a web login, logout, idle lock or page view) as the action "web.WHAT"
 * in an entry of its own, signed by the session's user. what is 1-40 of
 * [a-z0-9._-] (a fixed word of the front end's, never user input);
 * case_code, when not NULL, a case code (never a personnummer). SR_ERR_USAGE
 * (where "what" or "case") for anything else, and nothing is logged. */
sr_status sr_registry_log_view(sr_registry *reg, const char *what, const char *case_code,
                               sr_error *err);

#endif
