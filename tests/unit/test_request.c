/*
 * test_request.c - the web front end's own request parsing: urlencoded
 * bodies, cookies and paths, on good and hostile input. Whatever is over a
 * bound or malformed is refused whole, never cut or half-parsed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "request.h"

static int parse(const char *body, web_fields *f)
{
    memset(f, 0, sizeof *f);
    return web_request_parse_form(body, strlen(body), f);
}

static void test_form_basic(void **state)
{
    (void)state;
    web_fields f;
    assert_int_equal(parse("user=coord&passphrase=a+b%2Bc%26d%3D&next=%2Fcase%2FK7QA", &f), 0);
    assert_int_equal(f.count, 3);
    assert_string_equal(web_fields_get(&f, "user"), "coord");
    assert_string_equal(web_fields_get(&f, "passphrase"), "a b+c&d=");
    assert_string_equal(web_fields_get(&f, "next"), "/case/K7QA");
    assert_null(web_fields_get(&f, "nope"));
    web_fields_release(&f);
    assert_int_equal(f.count, 0);
    assert_null(f.items);
}

static void test_form_repeated_and_empty(void **state)
{
    (void)state;
    web_fields f;
    /* Empty pairs are skipped; a name without '=' has the value "". */
    assert_int_equal(parse("&a=1&&a=2&flag&b=&a=3&", &f), 0);
    assert_int_equal(f.count, 5);
    assert_int_equal(web_fields_count(&f, "a"), 3);
    assert_string_equal(web_fields_get_at(&f, "a", 0), "1");
    assert_string_equal(web_fields_get_at(&f, "a", 1), "2");
    assert_string_equal(web_fields_get_at(&f, "a", 2), "3");
    assert_null(web_fields_get_at(&f, "a", 3));
    assert_string_equal(web_fields_get(&f, "flag"), "");
    assert_string_equal(web_fields_get(&f, "b"), "");
    web_fields_release(&f);
    assert_int_equal(parse("", &f), 0);
    assert_int_equal(f.count, 0);
    web_fields_release(&f);
}

static void test_form_utf8_and_newlines(void **state)
{
    (void)state;
    web_fields f;
    /* "Åsa" percent-encoded, and a textarea's CR LF as LF. */
    assert_int_equal(parse("name=%C3%85sa&text=rad1%0D%0Arad2%0Arad3", &f), 0);
    assert_string_equal(web_fields_get(&f, "name"), "\xc3\x85sa");
    assert_string_equal(web_fields_get(&f, "text"), "rad1\nrad2\nrad3");
    assert_int_equal(f.items[1].value_len, 14);
    web_fields_release(&f);
    /* A lone CR is a line break too, and CR CR LF two: no CR is left, so
     * decoding what was decoded and encoded again gives the same. */
    assert_int_equal(parse("t=a%0Db%0D%0D%0Ac%0D", &f), 0);
    assert_string_equal(web_fields_get(&f, "t"), "a\nb\n\nc\n");
    web_fields_release(&f);
}

static void test_form_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "a=%00",       /* an encoded NUL */
        "a=%",         /* a cut escape */
        "a=%4",        /* a cut escape */
        "a=%G1",       /* not hex */
        "a=%C3",       /* a cut UTF-8 sequence */
        "a=%C0%BC",    /* an overlong '<' */
        "a=%ED%A0%80", /* a surrogate */
        "a=%FF",       /* never UTF-8 */
        "=value",      /* an empty name */
        "%00=1",       /* a NUL name */
        "ok=1&b%FF=2", /* a bad name after a good pair: nothing is kept */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        web_fields f;
        assert_int_equal(parse(bad[i], &f), -1);
        assert_int_equal(f.count, 0);
        assert_null(f.items);
    }
    /* A raw NUL inside the given length. */
    web_fields f = {0};
    assert_int_equal(web_request_parse_form("a=1\0b=2", 7, &f), -1);
    assert_int_equal(f.count, 0);
}

static void test_form_bounds(void **state)
{
    (void)state;
    web_fields f = {0};
    /* WEB_FIELDS_MAX pairs pass, one more is refused. */
    size_t cap = (WEB_FIELDS_MAX + 1) * 4 + 1;
    char *body = malloc(cap);
    assert_non_null(body);
    size_t n = 0;
    for (size_t i = 0; i < WEB_FIELDS_MAX; i++) {
        memcpy(body + n, "a=1&", 4);
        n += 4;
    }
    assert_int_equal(web_request_parse_form(body, n, &f), 0);
    assert_int_equal(f.count, WEB_FIELDS_MAX);
    web_fields_release(&f);
    memcpy(body + n, "a=1&", 4);
    assert_int_equal(web_request_parse_form(body, n + 4, &f), -1);
    assert_int_equal(f.count, 0);
    free(body);

    /* A body of exactly WEB_BODY_MAX bytes passes; one byte more is refused. */
    body = malloc(WEB_BODY_MAX + 2);
    assert_non_null(body);
    memcpy(body, "v=", 2);
    memset(body + 2, 'x', WEB_BODY_MAX - 2);
    assert_int_equal(web_request_parse_form(body, WEB_BODY_MAX, &f), 0);
    assert_int_equal(f.items[0].value_len, WEB_BODY_MAX - 2);
    web_fields_release(&f);
    body[WEB_BODY_MAX] = 'x';
    assert_int_equal(web_request_parse_form(body, WEB_BODY_MAX + 1, &f), -1);
    free(body);

    /* A name of WEB_NAME_MAX bytes passes, one longer is refused. */
    char name[WEB_NAME_MAX + 4];
    memset(name, 'n', WEB_NAME_MAX);
    memcpy(name + WEB_NAME_MAX, "=1", 3);
    assert_int_equal(parse(name, &f), 0);
    web_fields_release(&f);
    memset(name, 'n', WEB_NAME_MAX + 1);
    memcpy(name + WEB_NAME_MAX + 1, "=1", 3);
    assert_int_equal(parse(name, &f), -1);
}

static void test_fields_add(void **state)
{
    (void)state;
    web_fields f = {0};
    assert_int_equal(web_fields_add(&f, "lang", "en", 2), 0);
    assert_int_equal(web_fields_add(&f, "bad", "\xff", 1), -1);
    assert_int_equal(web_fields_add(&f, "", "x", 1), -1);
    assert_int_equal(f.count, 1);
    assert_string_equal(web_fields_get(&f, "lang"), "en");
    web_fields_release(&f);
    web_fields_release(NULL);
}

static void test_cookie(void **state)
{
    (void)state;
    char v[WEB_COOKIE_MAX + 1];
    const char *h = "theme=dark; sigreg_session_8080=abc123;sigreg_launch_8080=\"q\" ; x=";
    assert_int_equal(web_request_cookie(h, "sigreg_session_8080", v, sizeof v), 0);
    assert_string_equal(v, "abc123");
    assert_int_equal(web_request_cookie(h, "sigreg_launch_8080", v, sizeof v), 0);
    assert_string_equal(v, "q");
    assert_int_equal(web_request_cookie(h, "x", v, sizeof v), 0);
    assert_string_equal(v, "");
    /* A prefix or a suffix of a name is not the name. */
    assert_int_equal(web_request_cookie(h, "sigreg_session", v, sizeof v), -1);
    assert_int_equal(web_request_cookie(h, "session_8080", v, sizeof v), -1);
    assert_int_equal(web_request_cookie(NULL, "x", v, sizeof v), -1);
    /* The first of two with the same name. */
    assert_int_equal(web_request_cookie("a=1; a=2", "a", v, sizeof v), 0);
    assert_string_equal(v, "1");
    /* A value that does not fit is refused, not cut. */
    char small[4];
    assert_int_equal(web_request_cookie("a=12345", "a", small, sizeof small), -1);
    /* A header over 4096 bytes is refused. */
    char *big = malloc(5000);
    assert_non_null(big);
    memset(big, 'z', 4999);
    memcpy(big, "a=1; ", 5);
    big[4999] = '\0';
    assert_int_equal(web_request_cookie(big, "a", v, sizeof v), -1);
    free(big);
}

static void test_path(void **state)
{
    (void)state;
    char seg[WEB_SEGMENTS_MAX][WEB_SEGMENT_MAX + 1];
    assert_int_equal(web_request_split_path("/", seg, WEB_SEGMENTS_MAX), 0);
    assert_int_equal(
        web_request_split_path("/case/K7QA-3MXF/register/sig-intake", seg, WEB_SEGMENTS_MAX), 4);
    assert_string_equal(seg[0], "case");
    assert_string_equal(seg[1], "K7QA-3MXF");
    assert_string_equal(seg[3], "sig-intake");
    assert_int_equal(web_request_split_path("/stats/", seg, WEB_SEGMENTS_MAX), 1);
    assert_int_equal(web_request_split_path("/a%20b", seg, WEB_SEGMENTS_MAX), 1);
    assert_string_equal(seg[0], "a b");
    /* '+' is not a space in a path. */
    assert_int_equal(web_request_split_path("/a+b", seg, WEB_SEGMENTS_MAX), 1);
    assert_string_equal(seg[0], "a+b");

    const char *bad[] = {"",        "case",   "//",    "/a//b", "/..", "/a/../b",
                         "/%2e%2e", "/a%2Fb", "/a%00", "/%ff",  "/%",  "/1/2/3/4/5/6/7/8/9"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(web_request_split_path(bad[i], seg, WEB_SEGMENTS_MAX), -1);
    char longp[WEB_SEGMENT_MAX + 3];
    longp[0] = '/';
    memset(longp + 1, 'a', WEB_SEGMENT_MAX);
    longp[WEB_SEGMENT_MAX + 1] = '\0';
    assert_int_equal(web_request_split_path(longp, seg, WEB_SEGMENTS_MAX), 1);
    longp[WEB_SEGMENT_MAX + 1] = 'a';
    longp[WEB_SEGMENT_MAX + 2] = '\0';
    assert_int_equal(web_request_split_path(longp, seg, WEB_SEGMENTS_MAX), -1);
}

static void test_utf8_valid(void **state)
{
    (void)state;
    assert_true(web_utf8_valid("", 0));
    assert_true(web_utf8_valid("\xc3\xa5\xe2\x82\xac\xf0\x9f\x98\x80", 9));
    assert_false(web_utf8_valid("\xc3", 1));
    assert_false(web_utf8_valid("\xe0\x80\xaf", 3));
    assert_false(web_utf8_valid("\xf4\x90\x80\x80", 4));
    assert_false(web_utf8_valid("\x80", 1));
}

static void test_rebuild_url(void **state)
{
    (void)state;
    web_fields f = {0};
    char out[64];
    assert_int_equal(web_request_rebuild_url("/case/K7QA", &f, out, sizeof out), 0);
    assert_string_equal(out, "/case/K7QA");
    assert_int_equal(web_fields_add(&f, "item", "sex", 3), 0);
    assert_int_equal(web_fields_add(&f, "a b", "x&y=\xc3\xa5", 6), 0);
    assert_int_equal(web_request_rebuild_url("/response/7/edit", &f, out, sizeof out), 0);
    assert_string_equal(out, "/response/7/edit?item=sex&a%20b=x%26y%3D%C3%A5");
    /* Too long: the path alone, and -1. */
    char small[24];
    assert_int_equal(web_request_rebuild_url("/response/7/edit", &f, small, sizeof small), -1);
    assert_string_equal(small, "/response/7/edit");
    assert_int_equal(
        web_request_rebuild_url("/a-path-longer-than-this-buffer", &f, small, sizeof small), -1);
    assert_string_equal(small, "");
    web_fields_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_basic),
        cmocka_unit_test(test_form_repeated_and_empty),
        cmocka_unit_test(test_form_utf8_and_newlines),
        cmocka_unit_test(test_form_refused),
        cmocka_unit_test(test_form_bounds),
        cmocka_unit_test(test_fields_add),
        cmocka_unit_test(test_cookie),
        cmocka_unit_test(test_path),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_rebuild_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
