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

web_session *web_session_find(web_sessions *t, const char *id)
{
    web_session *found = NULL;
    if (!id || strlen(id) != WEB_TOKEN_HEX)
        return NULL;
    for (size_t i = 0; i < WEB_SESSIONS_MAX; i++)
        if (t->s[i].used && web_token_equal(t->s[i].id, id))
            found = &t->s[i];
    return found;
}

static void wipe(web_session *s)
{
    explicit_bzero(s, sizeof *s);
}

web_session *web_session_new(web_sessions *t, time_t now)
{
    web_session *slot = NULL;
    for (size_t i = 0; i < WEB_SESSIONS_MAX && !slot; i++)
        if (!t->s[i].used)
            slot = &t->s[i];
    web_session *oldest = NULL;
    for (size_t i = 0; i < WEB_SESSIONS_MAX && !slot; i++) {
        web_session *s = &t->s[i];
        if (!s->user[0] && (!oldest || s->last_used < oldest->last_used))
            oldest = s;
    }
    if (!slot)
        slot = oldest;
    if (!slot)
        return NULL;
    web_session_end(slot);
    if (web_token_new(slot->id) != 0 || web_token_new(slot->csrf) != 0) {
        wipe(slot);
        return NULL;
    }
    slot->used = 1;
    memcpy(slot->lang, "sv", 3);
    slot->last_used = now;
    return slot;
}

int web_session_login(web_session *s, sr_registry *reg, time_t now)
{
    const char *user = sr_registry_user(reg);
    size_t n = strlen(user);
    if (n > SR_USER_NAME_MAX || web_token_new(s->id) != 0 || web_token_new(s->csrf) != 0)
        return -1;
    sr_registry_close(s->reg);
    memcpy(s->user, user, n + 1);
    s->reg = reg;
    s->locked = 0;
    s->last_used = now;
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

void web_session_end(web_session *s)
{
    if (!s->used)
        return;
    sr_registry_close(s->reg);
    wipe(s);
}

int web_session_sweep(web_sessions *t, time_t now, long idle_seconds)
{
    int locked = 0;
    for (size_t i = 0; i < WEB_SESSIONS_MAX; i++) {
        web_session *s = &t->s[i];
        if (!s->used || now - s->last_used < idle_seconds)
            continue;
        if (s->reg) {
            web_session_lock(s);
            locked++;
        } else if (!s->user[0] || now - s->last_used >= WEB_LOCKED_MAX_SECONDS) {
            web_session_end(s);
        }
    }
    return locked;
}

void web_sessions_end_all(web_sessions *t)
{
    for (size_t i = 0; i < WEB_SESSIONS_MAX; i++)
        web_session_end(&t->s[i]);
}
