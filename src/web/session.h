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
 * constant time. Ids change at login. The table is not locked: the server
 * calls it from one thread at a time. This module must not know about
 * HTTP or pages.
 */
#ifndef SIGREG_WEB_SESSION_H
#define SIGREG_WEB_SESSION_H

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
    web_session s[WEB_SESSIONS_MAX];
} web_sessions;

/* Fills buf with n random bytes from the system (getrandom); 0 or -1. */
int web_random(unsigned char *buf, size_t n);
/* A new random token as hex into out; 0 or -1. */
int web_token_new(char out[WEB_TOKEN_HEX + 1]);
/* 1 when a and b (NUL-terminated) are equal, in time that depends only on
 * their lengths. */
int web_token_equal(const char *a, const char *b);

/* The session with this id, or NULL (every slot is compared). */
web_session *web_session_find(web_sessions *t, const char *id);
/* A new anonymous session (a fresh id and CSRF token), or NULL when the
 * table is full of logged-in sessions (the oldest anonymous one is reused). */
web_session *web_session_new(web_sessions *t, time_t now);
/* Logs the session in with reg (taken over): a new id, a new CSRF token. */
int web_session_login(web_session *s, sr_registry *reg, time_t now);
/* Closes the registry handle (the key context is wiped), keeping the user:
 * the idle lock. Logged as "web.lock" first. */
void web_session_lock(web_session *s);
/* Ends the session: closes its handle and wipes the slot. */
void web_session_end(web_session *s);
/* Locks every session idle longer than idle_seconds, drops anonymous ones
 * idle that long and locked ones idle WEB_LOCKED_MAX_SECONDS; returns how
 * many were locked. */
int web_session_sweep(web_sessions *t, time_t now, long idle_seconds);
/* Ends every session (at shutdown). */
void web_sessions_end_all(web_sessions *t);

#endif
