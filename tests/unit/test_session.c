/*
 * test_session.c - the web page's session table: random tokens, the
 * constant-time comparison, finding a session only by its whole id, the
 * table's bound and the sweep of idle sessions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_full_table),
        cmocka_unit_test(test_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
