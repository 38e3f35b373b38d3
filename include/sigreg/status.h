/*
 * status.h - the one status type of libsigreg and its error object.
 *
 * Every library call returns an sr_status (SR_OK is 0) and, when given a
 * non-NULL sr_error, fills it with a message and the place it concerns
 * (a file, a JSON path, an item id). The first error set is kept; later ones
 * do not overwrite it. The library never prints: only front ends turn these
 * into messages. Messages never contain personal data.
 *
 * One rule for every callback a list function takes (sr_case_fn,
 * sr_response_fn, sr_user_fn, sr_unit_fn, sr_form_fn, sr_audit_entry_fn,
 * sr_form_allowed_fn, ...): it returns 0 to go on, or non-zero to stop after
 * the item it was given. A stop is not an error: the list function returns
 * SR_OK, having done what it did up to that item. A NULL callback is
 * skipped. What the callback is given is borrowed for the call.
 * (sr_import_case_fn only tells of a committed case and returns nothing.)
 */
#ifndef SIGREG_STATUS_H
#define SIGREG_STATUS_H

#include <stddef.h>

typedef enum sr_status {
    SR_OK = 0,
    SR_ERR_USAGE,        /* a call or command line that does not make sense */
    SR_ERR_INVALID,      /* input that breaks a rule (form, answer, number, name) */
    SR_ERR_NOMEM,        /* out of memory */
    SR_ERR_IO,           /* a file could not be read or written */
    SR_ERR_AUTH,         /* wrong passphrase or unknown user */
    SR_ERR_DENIED,       /* the user's role does not allow this */
    SR_ERR_NOT_REGISTRY, /* the file is not a sigreg registry (or not this one's) */
    SR_ERR_CORRUPT,      /* a registry file is damaged */
    SR_ERR_TAMPERED,     /* an authenticated structure failed its check */
    SR_ERR_BUSY,         /* another process holds the registry */
    SR_ERR_EXISTS,       /* the thing is there already */
    SR_ERR_NOT_FOUND,    /* no such thing */
    SR_ERR_CRYPTO,       /* a cryptographic primitive failed */
    SR_ERR_DB,           /* the database engine reported an error */
    SR_ERR_NO_CIPHER,    /* linked against SQLite without encryption */
    SR_ERR_STATE,        /* not allowed in the current state (e.g. a closed case) */
    SR_STATUS_COUNT
} sr_status;

#define SR_ERROR_MESSAGE_MAX 512
#define SR_ERROR_WHERE_MAX 256

typedef struct sr_error {
    sr_status status;                   /* SR_OK while nothing has been set */
    char message[SR_ERROR_MESSAGE_MAX]; /* lower case, no full stop */
    char where[SR_ERROR_WHERE_MAX];     /* optional: file, JSON path or item */
} sr_error;

/* A short English description of a status; a static string, never NULL. */
const char *sr_strerror(sr_status status);

/* Sets err to "no error". err may be NULL. */
void sr_error_clear(sr_error *err);

/* Sets err (if not NULL and not yet set) to status and a printf-style
 * message; returns status. For front ends that report their own errors the
 * same way the library does. */
sr_status sr_error_set(sr_error *err, sr_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
