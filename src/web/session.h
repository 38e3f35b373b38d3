/*
 * session.h - the sessions of the web page: who is logged in with which
 * registry handle, their CSRF tokens, the idle lock.
 *
 * A session starts before login (it carries the login form's CSRF token),
 * gets a registry handle when its user logs in (the handle holds that
 * user's key context, in the library's guarded memory, for this session
 * alone), loses it when idle longer than the lock time (the user is kept,
 * so the same user can unlock it again) and ends at logout or when the
 * server stops. Session ids and tokens are 32 random bytes, compared in
 * constant time. Ids change at login.
 *
 * Requests run side by side, one thread each. Two kinds of lock:
 *   - the table's lock, held only for a moment: finding a session by its
 *     id, taking a slot, changing a session's id or wiping it;
 *   - each session's own lock, held for a whole request on it (and by the
 *     idle sweep while it locks the session): a session's requests run one
 *     at a time and its registry handle, with its keys, is never used by two
 *     threads at once.
 * A session's lock is taken before the table's, never while holding it;
 * taking a slot and the sweep only try a session's lock and pass over a
 * busy one. A session's id and used flag change only under both locks (so
 * either lock suffices to read them); everything else in it, only under its
 * own. This module must not know about HTTP or pages.
 */
#ifndef SIGREG_WEB_SESSION_H
#define SIGREG_WEB_SESSION_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "sigreg/limits.h"
#include "sigreg/registry.h"
#include "sigreg/status.h"

#define WEB_TOKEN_BYTES 32
#define WEB_TOKEN_HEX (2 * WEB_TOKEN_BYTES)
#define WEB_SESSIONS_MAX 64
#define WEB_LOCKED_MAX_SECONDS (12 * 3600) /* a locked session ends after this long */

typedef struct web_session {
    int used;
    char id[WEB_TOKEN_HEX + 1];   /* the session cookie's value */
    char csrf[WEB_TOKEN_HEX + 1]; /* the forms' token */
    char user[SR_USER_NAME_MAX + 1];
    sr_registry *reg; /* NULL before login and while locked */
    int locked;       /* 1: idle lock; user is set, reg NULL */
    char lang[3];     /* "sv" or "en" */
    time_t last_used;
} web_session;

typedef struct web_sessions {
    pthread_mutex_t lock;                   /* the table's */
    pthread_mutex_t busy[WEB_SESSIONS_MAX]; /* each session's, for a whole request */
    web_session s[WEB_SESSIONS_MAX];        /* wiped at the end; the locks stay */
} web_sessions;

/* Fills buf with n random bytes from the system (getrandom); 0 or -1. */
int web_random(unsigned char *buf, size_t n);
/* A new random token as hex into out; 0 or -1. */
int web_token_new(char out[WEB_TOKEN_HEX + 1]);
/* 1 when a and b (NUL-terminated) are equal, in time that depends only on
 * their lengths. */
int web_token_equal(const char *a, const char *b);

/* Makes the table's locks, with every slot empty; 0 or -1. */
int web_sessions_init(web_sessions *t);
/* Ends every session and destroys the locks (at shutdown, when no request
 * runs any more). */
void web_sessions_destroy(web_sessions *t);

/* The session with this id, or NULL (every slot is compared). Takes the
 * table's lock for the search. The result is not locked: see
 * web_session_acquire. */
web_session *web_session_find(web_sessions *t, const char *id);
/* The session for a request, with its lock held until
 * web_session_release: the one with this id when it exists (waiting for its
 * other requests to finish), or else a new anonymous one (*is_new = 1).
 * NULL when the table is full of sessions that have a user or are busy. */
web_session *web_session_acquire(web_sessions *t, const char *id, time_t now, int *is_new);
/* Releases the session's lock that web_session_acquire took. */
void web_session_release(web_sessions *t, web_session *s);
/* A new anonymous session (a fresh id and CSRF token), locked as
 * web_session_acquire leaves it, or NULL when the table is full of
 * logged-in or busy sessions (the oldest anonymous one is reused). */
web_session *web_session_new(web_sessions *t, time_t now);
/* Logs the locked session s in with reg (taken over): a new id, a new CSRF
 * token. */
int web_session_login(web_sessions *t, web_session *s, sr_registry *reg, time_t now);
/* Closes the locked session's registry handle (the key context is wiped),
 * keeping the user: the idle lock. Logged as "web.lock" first. */
void web_session_lock(web_session *s);
/* Ends the locked session s: closes its handle and wipes the slot (its
 * lock stays held, for web_session_release). */
void web_session_end(web_sessions *t, web_session *s);
/* Locks every session idle longer than idle_seconds, drops anonymous ones
 * idle that long and locked ones idle WEB_LOCKED_MAX_SECONDS; returns how
 * many were locked. A session with a request running is not idle and is
 * left alone. */
int web_session_sweep(web_sessions *t, time_t now, long idle_seconds);

#endif
