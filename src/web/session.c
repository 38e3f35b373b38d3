/*
 * session.c - the session table of the web page (session.h).
 */
#include "session.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

int web_random(unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

int web_token_new(char out[WEB_TOKEN_HEX + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[WEB_TOKEN_BYTES];
    if (web_random(b, sizeof b) != 0)
        return -1;
    for (size_t i = 0; i < sizeof b; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[WEB_TOKEN_HEX] = '\0';
    explicit_bzero(b, sizeof b);
    return 0;
}

int web_token_equal(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return 0;
    volatile unsigned char diff = 0;
    for (size_t i = 0; i < la; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

int web_sessions_init(web_sessions *t)
{
    memset(t, 0, sizeof *t);
    if (pthread_mutex_init(&t->lock, NULL) != 0)
        return -1;
    for (size_t i = 0; i < WEB_SESSIONS_MAX; i++) {
        if (pthread_mutex_init(&t->busy[i], NULL) != 0) {
            while (i-- > 0)
                pthread_mutex_destroy(&t->busy[i]);
            pthread_mutex_destroy(&t->lock);
            return -1;
        }
    }
    return 0;
}

static size_t index_of(const web_sessions *t, const web_session *s)
{
    return (size_t)(s - t->s);
}

static void wipe(web_session *s)
{
    explicit_bzero(s, sizeof *s);
}

/* The slot's index with this id, or WEB_SESSIONS_MAX; under the table's lock. */
static size_t find_locked(web_sessions *t, const char *id)
{
    size_t found = WEB_SESSIONS_MAX;
    if (!id || strlen(id) != WEB_TOKEN_HEX)
        return found;
    for (size_t i = 0; i < WEB_SESSIONS_MAX; i++)
        if (t->s[i].used && web_token_equal(t->s[i].id, id))
            found = i;
    return found;
}

web_session *web_session_find(web_sessions *t, const char *id)
{
    pthread_mutex_lock(&t->lock);
    size_t i = find_locked(t, id);
    pthread_mutex_unlock(&t->lock);
    return i < WEB_SESSIONS_MAX ? &t->s[i] : NULL;
}

web_session *web_session_acquire(web_sessions *t, const char *id, time_t now, int *is_new)
{
    *is_new = 0;
    pthread_mutex_lock(&t->lock);
    size_t i = find_locked(t, id);
    pthread_mutex_unlock(&t->lock);
    if (i < WEB_SESSIONS_MAX) {
        pthread_mutex_lock(&t->busy[i]);
        /* While this request waited, another one of the session may have
         * ended it (logout) or logged it in (a new id), or the slot may have
         * gone to another session: then it is not this request's any more,
         * as if it had come after. */
        if (t->s[i].used && web_token_equal(t->s[i].id, id))
            return &t->s[i];
        pthread_mutex_unlock(&t->busy[i]);
    }
    web_session *s = web_session_new(t, now);
    *is_new = s != NULL;
    return s;
}

void web_session_release(web_sessions *t, web_session *s)
{
    if (s)
        pthread_mutex_unlock(&t->busy[index_of(t, s)]);
}

web_session *web_session_new(web_sessions *t, time_t now)
{
    /* Every slot's lock is only tried, before the table's (the order of
     * every request: a session's lock, then the table's), and a slot whose
     * lock is held (a request of it runs, or waits) is passed over. Its used
     * flag and user are read under its lock alone: they change only under
     * it. A free slot, or else the oldest anonymous session. */
    web_session *slot = NULL;
    for (size_t i = 0; i < WEB_SESSIONS_MAX && !slot; i++) {
        if (pthread_mutex_trylock(&t->busy[i]) != 0)
            continue;
        if (!t->s[i].used)
            slot = &t->s[i];
        else
            pthread_mutex_unlock(&t->busy[i]);
    }
    for (size_t i = 0; i < WEB_SESSIONS_MAX && !(slot && !slot->used); i++) {
        web_session *s = &t->s[i];
        if (pthread_mutex_trylock(&t->busy[i]) != 0)
            continue;
        if (s->used && !s->user[0] && (!slot || s->last_used < slot->last_used)) {
            if (slot)
                pthread_mutex_unlock(&t->busy[index_of(t, slot)]);
            slot = s;
        } else {
            pthread_mutex_unlock(&t->busy[i]);
        }
    }
    if (!slot)
        return NULL;
    char id[WEB_TOKEN_HEX + 1], csrf[WEB_TOKEN_HEX + 1];
    int fresh = web_token_new(id) == 0 && web_token_new(csrf) == 0;
    pthread_mutex_lock(&t->lock);
    wipe(slot); /* a free or anonymous slot: no registry handle */
    if (fresh) {
        memcpy(slot->id, id, sizeof id);
        memcpy(slot->csrf, csrf, sizeof csrf);
        slot->used = 1;
        memcpy(slot->lang, "sv", 3);
        slot->last_used = now;
    }
    pthread_mutex_unlock(&t->lock);
    explicit_bzero(id, sizeof id);
    explicit_bzero(csrf, sizeof csrf);
    if (!fresh) {
        pthread_mutex_unlock(&t->busy[index_of(t, slot)]);
        return NULL;
    }
    return slot;
}

int web_session_login(web_sessions *t, web_session *s, sr_registry *reg, time_t now)
{
    const char *user = sr_registry_user(reg);
    size_t n = strlen(user);
    char id[WEB_TOKEN_HEX + 1], csrf[WEB_TOKEN_HEX + 1];
    if (n > SR_USER_NAME_MAX || web_token_new(id) != 0 || web_token_new(csrf) != 0)
        return -1;
    sr_registry *old = s->reg;
    pthread_mutex_lock(&t->lock);
    memcpy(s->id, id, sizeof id);
    pthread_mutex_unlock(&t->lock);
    memcpy(s->csrf, csrf, sizeof csrf);
    explicit_bzero(id, sizeof id);
    explicit_bzero(csrf, sizeof csrf);
    memcpy(s->user, user, n + 1);
    s->reg = reg;
    s->locked = 0;
    s->last_used = now;
    sr_registry_close(old);
    return 0;
}

void web_session_lock(web_session *s)
{
    if (!s->reg)
        return;
    sr_registry_log_view(s->reg, "lock", NULL, NULL);
    sr_registry_close(s->reg);
    s->reg = NULL;
    s->locked = 1;
}

void web_session_end(web_sessions *t, web_session *s)
{
    if (!s->used)
        return;
    /* Closing may write the handle's last log entries: not under the
     * table's lock. */
    sr_registry_close(s->reg);
    s->reg = NULL;
    pthread_mutex_lock(&t->lock);
    wipe(s);
    pthread_mutex_unlock(&t->lock);
}

int web_session_sweep(web_sessions *t, time_t now, long idle_seconds)
{
    int locked = 0;
    for (size_t i = 0; i < WEB_SESSIONS_MAX; i++) {
        web_session *s = &t->s[i];
        /* A session whose lock is held has a request running (or waiting):
         * it is in use, not idle. */
        if (pthread_mutex_trylock(&t->busy[i]) != 0)
            continue;
        if (s->used && now - s->last_used >= idle_seconds) {
            if (s->reg) {
                web_session_lock(s);
                locked++;
            } else if (!s->user[0] || now - s->last_used >= WEB_LOCKED_MAX_SECONDS) {
                web_session_end(t, s);
            }
        }
        pthread_mutex_unlock(&t->busy[i]);
    }
    return locked;
}

void web_sessions_destroy(web_sessions *t)
{
    for (size_t i = 0; i < WEB_SESSIONS_MAX; i++) {
        pthread_mutex_lock(&t->busy[i]);
        web_session_end(t, &t->s[i]);
        pthread_mutex_unlock(&t->busy[i]);
        pthread_mutex_destroy(&t->busy[i]);
    }
    pthread_mutex_destroy(&t->lock);
}
