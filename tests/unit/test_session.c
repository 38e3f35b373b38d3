/*
 * test_session.c - the web page's session table: random tokens, the
 * constant-time comparison, finding a session only by its whole id, the
 * table's bound, the sweep of idle sessions, and the locks that let
 * requests run side by side: the sweep passes over a session with a request
 * running, and a request that waited for a session ended meanwhile gets a
 * new one.
 */
#include "testutil.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "session.h"

static void test_tokens(void **state)
{
    (void)state;
    char a[WEB_TOKEN_HEX + 1], b[WEB_TOKEN_HEX + 1];
    assert_int_equal(web_token_new(a), 0);
    assert_int_equal(web_token_new(b), 0);
    assert_int_equal(strlen(a), WEB_TOKEN_HEX);
    assert_int_equal(strspn(a, "0123456789abcdef"), WEB_TOKEN_HEX);
    assert_string_not_equal(a, b);
    assert_true(web_token_equal(a, a));
    assert_false(web_token_equal(a, b));
    char c[WEB_TOKEN_HEX + 1];
    memcpy(c, a, sizeof c);
    c[WEB_TOKEN_HEX - 1] ^= 1;
    assert_false(web_token_equal(a, c));
    c[WEB_TOKEN_HEX - 1] = '\0';
    assert_false(web_token_equal(a, c)); /* a prefix is not the token */
    assert_false(web_token_equal(a, ""));
    assert_false(web_token_equal(a, NULL));
    assert_false(web_token_equal(NULL, NULL));
}

static void test_find(void **state)
{
    (void)state;
    static web_sessions t;
    assert_int_equal(web_sessions_init(&t), 0);
    web_session *s = web_session_new(&t, 1000);
    assert_non_null(s);
    web_session_release(&t, s);
    assert_string_equal(s->lang, "sv");
    assert_null(s->reg);
    assert_int_equal(strlen(s->csrf), WEB_TOKEN_HEX);
    assert_string_not_equal(s->id, s->csrf);
    assert_ptr_equal(web_session_find(&t, s->id), s);
    char other[WEB_TOKEN_HEX + 1];
    memcpy(other, s->id, sizeof other);
    other[0] = other[0] == 'a' ? 'b' : 'a';
    assert_null(web_session_find(&t, other));
    other[WEB_TOKEN_HEX - 1] = '\0';
    assert_null(web_session_find(&t, other));
    assert_null(web_session_find(&t, ""));
    assert_null(web_session_find(&t, NULL));
    int is_new = -1;
    assert_ptr_equal(web_session_acquire(&t, s->id, 1001, &is_new), s);
    assert_int_equal(is_new, 0);
    web_session_end(&t, s);
    assert_int_equal(s->used, 0);
    assert_int_equal(s->id[0], '\0');
    web_session_release(&t, s);
    web_sessions_destroy(&t);
}

static void test_full_table(void **state)
{
    (void)state;
    static web_sessions t;
    assert_int_equal(web_sessions_init(&t), 0);
    web_session *first = NULL;
    for (int i = 0; i < WEB_SESSIONS_MAX; i++) {
        web_session *s = web_session_new(&t, 1000 + i);
        assert_non_null(s);
        web_session_release(&t, s);
        if (i == 0)
            first = s;
    }
    /* Full of anonymous sessions: the oldest is reused. */
    char old_id[WEB_TOKEN_HEX + 1];
    memcpy(old_id, first->id, sizeof old_id);
    web_session *s = web_session_new(&t, 5000);
    assert_ptr_equal(s, first);
    web_session_release(&t, s);
    assert_null(web_session_find(&t, old_id));
    /* Full of sessions that have a user (locked ones here): none is taken. */
    for (int i = 0; i < WEB_SESSIONS_MAX; i++) {
        memcpy(t.s[i].user, "coord", 6);
        t.s[i].locked = 1;
    }
    assert_null(web_session_new(&t, 6000));
    web_sessions_destroy(&t);
}

static void test_sweep(void **state)
{
    (void)state;
    static web_sessions t;
    assert_int_equal(web_sessions_init(&t), 0);
    web_session *anon = web_session_new(&t, 1000);
    web_session *fresh = web_session_new(&t, 1890);
    web_session *locked = web_session_new(&t, 1000);
    web_session_release(&t, anon);
    web_session_release(&t, fresh);
    web_session_release(&t, locked);
    memcpy(locked->user, "coord", 6);
    locked->locked = 1;
    /* At 1900 with 900 s idle: the anonymous one (idle 900 s) goes, the
     * fresh one stays, the locked one stays (until 12 hours). */
    assert_int_equal(web_session_sweep(&t, 1900, 900), 0);
    assert_int_equal(anon->used, 0);
    assert_int_equal(fresh->used, 1);
    assert_int_equal(locked->used, 1);
    assert_int_equal(web_session_sweep(&t, 1000 + WEB_LOCKED_MAX_SECONDS, 900), 0);
    assert_int_equal(locked->used, 0);
    web_sessions_destroy(&t);
    assert_int_equal(fresh->used, 0);
}

/* The idle lock does not fire on a session while one of its requests runs
 * (its lock is held): the request would use a closed registry handle. Once
 * the request is done, the session is idle and is locked. */
static void test_sweep_spares_a_running_request(void **state)
{
    (void)state;
    char dir[512];
    snprintf(dir, sizeof dir, "%s", tu_scratch_dir());
    char db[600];
    snprintf(db, sizeof db, "%s/reg.db", dir);
    tu_create_registry(db);
    sr_registry *reg = tu_open(db, NULL, NULL);
    static web_sessions t;
    assert_int_equal(web_sessions_init(&t), 0);
    web_session *s = web_session_new(&t, 1000); /* held: a request on it runs */
    assert_non_null(s);
    char anon_id[WEB_TOKEN_HEX + 1];
    memcpy(anon_id, s->id, sizeof anon_id);
    assert_int_equal(web_session_login(&t, s, reg, 1000), 0);
    assert_string_not_equal(s->id, anon_id); /* a new id at login */
    assert_null(web_session_find(&t, anon_id));
    /* Long idle, by its time, but its request still runs. */
    assert_int_equal(web_session_sweep(&t, 1000 + 3600, 900), 0);
    assert_ptr_equal(s->reg, reg);
    assert_int_equal(s->locked, 0);
    web_session_release(&t, s);
    /* Now it is idle: locked, the user kept. */
    assert_int_equal(web_session_sweep(&t, 1000 + 3600, 900), 1);
    assert_null(s->reg);
    assert_int_equal(s->locked, 1);
    assert_string_equal(s->user, "admin");
    int is_new = -1;
    assert_ptr_equal(web_session_acquire(&t, s->id, 5000, &is_new), s);
    assert_int_equal(is_new, 0);
    web_session_release(&t, s);
    web_sessions_destroy(&t);
    assert_int_equal(tu_remove_dir(dir), 0);
}

typedef struct waiter {
    web_sessions *t;
    char id[WEB_TOKEN_HEX + 1];
    web_session *got;
    char got_id[WEB_TOKEN_HEX + 1];
    int is_new;
} waiter;

static void *acquire_by_id(void *arg)
{
    waiter *w = arg;
    w->got = web_session_acquire(w->t, w->id, 2000, &w->is_new);
    if (w->got) {
        memcpy(w->got_id, w->got->id, sizeof w->got_id);
        web_session_release(w->t, w->got);
    }
    return NULL;
}

/* A request for a session that another request of it logs out meanwhile
 * (whether it came before the end and waited, or after) never gets the
 * ended session: it gets a new anonymous one. And two requests of one
 * session: the second waits and gets the same session. */
static void test_request_after_logout(void **state)
{
    (void)state;
    static web_sessions t;
    assert_int_equal(web_sessions_init(&t), 0);
    web_session *s = web_session_new(&t, 1000);
    assert_non_null(s);
    waiter w;
    memset(&w, 0, sizeof w);
    w.t = &t;
    memcpy(w.id, s->id, sizeof w.id);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, acquire_by_id, &w), 0);
    web_session_end(&t, s); /* the logout, while the other request comes */
    web_session_release(&t, s);
    pthread_join(th, NULL);
    assert_non_null(w.got);
    assert_int_equal(w.is_new, 1);
    assert_string_not_equal(w.got_id, w.id);
    assert_null(web_session_find(&t, w.id));

    /* Two requests of one live session: the same session, one after the
     * other. */
    web_session *live = web_session_new(&t, 3000);
    assert_non_null(live);
    waiter v;
    memset(&v, 0, sizeof v);
    v.t = &t;
    memcpy(v.id, live->id, sizeof v.id);
    assert_int_equal(pthread_create(&th, NULL, acquire_by_id, &v), 0);
    live->last_used = 3001; /* the first request's work */
    web_session_release(&t, live);
    pthread_join(th, NULL);
    assert_ptr_equal(v.got, live);
    assert_int_equal(v.is_new, 0);
    assert_string_equal(v.got_id, v.id);
    web_sessions_destroy(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_full_table),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_sweep_spares_a_running_request),
        cmocka_unit_test(test_request_after_logout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
