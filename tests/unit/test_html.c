/*
 * test_html.c - the web page's escaping functions on hostile strings: no
 * string, however built, can open a tag, close an attribute, start a
 * script URL or smuggle invalid UTF-8 or control characters into a page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "html.h"

typedef void (*escape_fn)(html *, const char *);

/* The escaped form of s in one context (malloc'd). */
static char *escaped(escape_fn fn, const char *s)
{
    html *h = html_new();
    assert_non_null(h);
    fn(h, s);
    assert_false(html_failed(h));
    size_t len = 0;
    char *out = html_take(h, &len);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    html_free(h);
    return out;
}

static void expect(escape_fn fn, const char *in, const char *want)
{
    char *got = escaped(fn, in);
    assert_string_equal(got, want);
    free(got);
}

/* No byte of s is one that could end a text run or an attribute value. */
static void assert_inert(const char *s, const char *forbidden)
{
    for (const char *f = forbidden; *f; f++)
        assert_null(strchr(s, *f));
}

static void test_text_hostile(void **state)
{
    (void)state;
    expect(html_text, "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html_text, "\"><img src=x onerror=alert(1)>",
           "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(html_text, "Tom & Jerry's", "Tom &amp; Jerry&#39;s");
    expect(html_text, "&amp;", "&amp;amp;");
    expect(html_text, "", "");
    /* Text keeps line breaks and tabs; = and ` are harmless there. */
    expect(html_text, "a\tb\nc=`d`", "a\tb\nc=`d`");
}

static void test_attr_hostile(void **state)
{
    (void)state;
    expect(html_attr, "\" onmouseover=\"alert(1)", "&quot; onmouseover&#61;&quot;alert(1)");
    expect(html_attr, "' autofocus onfocus='x", "&#39; autofocus onfocus&#61;&#39;x");
    expect(html_attr, "`x`", "&#96;x&#96;");
    expect(html_attr, "a\tb\nc\rd", "a&#9;b&#10;c&#13;d");
    expect(html_attr, "<>&", "&lt;&gt;&amp;");
    char *got = escaped(html_attr, "\"'`=<>& \t\n\r");
    assert_inert(got, "\"'`=<>\t\n\r");
    free(got);
}

static void test_url_component(void **state)
{
    (void)state;
    /* A javascript: URL loses its scheme: the colon is encoded, so the
     * result can only ever be a relative path segment. */
    expect(html_url_component, "javascript:alert(1)", "javascript%3Aalert%281%29");
    expect(html_url_component, "K7QA-3MXF", "K7QA-3MXF");
    expect(html_url_component, "a b/c?d=e&f#g", "a%20b%2Fc%3Fd%3De%26f%23g");
    expect(html_url_component, "%00", "%2500");
    expect(html_url_component, "\"'<>`", "%22%27%3C%3E%60");
    expect(html_url_component, "\xc3\xa5r", "%C3%A5r");
    expect(html_url_component, "-._~", "-._~");
    /* Invalid UTF-8 becomes U+FFFD here too. */
    expect(html_url_component, "a\xff", "a%EF%BF%BD");
}

static void test_utf8(void **state)
{
    (void)state;
    /* Valid multi-byte text stands as it is. */
    expect(html_text, "Åsa Öberg, fält­arbetare \xe2\x82\xac \xf0\x9f\x98\x80",
           "Åsa Öberg, fält­arbetare \xe2\x82\xac \xf0\x9f\x98\x80");
    /* A stray continuation byte, a truncated sequence, an overlong '<'
     * (C0 BC), an overlong three-byte form, a surrogate and a code point
     * above U+10FFFF are each replaced, never passed on. */
    expect(html_text, "a\x80z", "a\xEF\xBF\xBDz");
    expect(html_text, "a\xc3", "a\xEF\xBF\xBD");
    expect(html_text, "\xc0\xbcscript\xc0\xbe",
           "\xEF\xBF\xBD\xEF\xBF\xBDscript\xEF\xBF\xBD\xEF\xBF\xBD");
    expect(html_text, "\xe0\x80\xbc", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    expect(html_text, "\xed\xa0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    expect(html_text, "\xf4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    expect(html_attr, "\xfe\"", "\xEF\xBF\xBD&quot;");
}

static void test_controls(void **state)
{
    (void)state;
    /* C0 controls (but tab, LF, CR), DEL and C1 controls are replaced. */
    expect(html_text,
           "a\x01"
           "b\x1b[31m\x7f",
           "a\xEF\xBF\xBD"
           "b\xEF\xBF\xBD[31m\xEF\xBF\xBD");
    expect(html_text, "\xc2\x85\xc2\x9f", "\xEF\xBF\xBD\xEF\xBF\xBD");
    expect(html_attr, "\x0b\x0c", "\xEF\xBF\xBD\xEF\xBF\xBD");
}

static void test_long(void **state)
{
    (void)state;
    /* 100 000 hostile characters: every one escaped, nothing lost. */
    size_t n = 100000;
    char *in = malloc(n + 1);
    assert_non_null(in);
    for (size_t i = 0; i < n; i++)
        in[i] = "<\"a"[i % 3];
    in[n] = '\0';
    char *got = escaped(html_attr, in);
    assert_inert(got, "<\"");
    size_t lt = n / 3 + (n % 3 > 0), quot = n / 3 + (n % 3 > 1), a = n / 3;
    assert_int_equal(strlen(got), lt * 4 + quot * 6 + a);
    free(got);
    free(in);
}

static void test_text_n(void **state)
{
    (void)state;
    html *h = html_new();
    html_text_n(h, "<ab>cd", 3);
    assert_string_equal(html_data(h), "&lt;ab");
    /* Cutting in the middle of a sequence replaces the part. */
    html_text_n(h, "\xc3\xa5", 1);
    assert_string_equal(html_data(h), "&lt;ab\xEF\xBF\xBD");
    html_free(h);
}

static void test_printf(void **state)
{
    (void)state;
    html *h = html_new();
    html_raw(h, "<rect x=\"");
    html_printf(h, "%d\" width=\"%.1f\" y=\"%zu%%\"", -3, 12.25, (size_t)7);
    html_long(h, -1234567890123LL);
    assert_false(html_failed(h));
    assert_string_equal(html_data(h), "<rect x=\"-3\" width=\"12.2\" y=\"7%\"-1234567890123");
    assert_int_equal(html_len(h), strlen(html_data(h)));
    html_free(h);

    /* A format that would take a string (or a pointer, or write through
     * %n) writes nothing and fails the page. */
    const char *refused[] = {"%s", "x %c", "%n", "%p", "%*d", "%ls", "%"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        h = html_new();
        html_raw(h, "ok");
        html_printf_literal(h, refused[i], 1);
        assert_true(html_failed(h));
        html_raw(h, "more");
        assert_string_equal(html_data(h), "ok");
        size_t len = 1;
        assert_null(html_take(h, &len));
        assert_int_equal(len, 0);
        html_free(h);
    }
}

static void test_long_printf(void **state)
{
    (void)state;
    html *h = html_new();
    html_printf(h, "%0300d", 5);
    assert_int_equal(html_len(h), 300);
    assert_int_equal(html_data(h)[299], '5');
    html_free(h);
}

static void test_empty_and_null(void **state)
{
    (void)state;
    html *h = html_new();
    assert_string_equal(html_data(h), "");
    html_text(h, NULL);
    html_attr(h, NULL);
    html_url_component(h, NULL);
    size_t len = 9;
    char *out = html_take(h, &len);
    assert_non_null(out);
    assert_int_equal(len, 0);
    assert_string_equal(out, "");
    free(out);
    html_free(h);
    html_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_hostile),  cmocka_unit_test(test_attr_hostile),
        cmocka_unit_test(test_url_component), cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_controls),      cmocka_unit_test(test_long),
        cmocka_unit_test(test_text_n),        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_long_printf),   cmocka_unit_test(test_empty_and_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
