/*
 * test_json_span.c - finding a value's bytes in parsed JSON text, and
 * telling when those bytes are exactly what json_dumps writes (white-box):
 * every text said to be canonical must equal jansson's own compact output,
 * and texts jansson would write differently (whitespace, escapes, reals,
 * -0) must not be said to be.
 */
#include "testutil.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "json_span.h"

static srp_span span_of(const char *s)
{
    return (srp_span){s, strlen(s)};
}

static void assert_span(srp_span s, const char *expected)
{
    assert_non_null(s.p);
    assert_int_equal(s.n, strlen(expected));
    assert_memory_equal(s.p, expected, s.n);
}

static void test_member_and_elements(void **state)
{
    (void)state;
    const char *line = " {\"ref\" : \"a,}\\\"b\", \"nested\":{\"answers\":1},"
                       "\"responses\": [ {\"form\":\"f\",\"answers\": {\"x\":[1,{\"y\":\"]\"}]} },"
                       "{\"answers\":{}} , 7 ] }\n";
    /* A member nested deeper is not the object's own. */
    assert_null(srp_json_member(span_of(line), "answers").p);
    assert_span(srp_json_member(span_of(line), "ref"), "\"a,}\\\"b\"");
    srp_span r = srp_json_member(span_of(line), "responses");
    srp_span items[2];
    assert_int_equal(srp_json_elements(r, items, 2), 3); /* three, two kept */
    assert_span(items[0], "{\"form\":\"f\",\"answers\": {\"x\":[1,{\"y\":\"]\"}]} }");
    assert_span(srp_json_member(items[0], "answers"), "{\"x\":[1,{\"y\":\"]\"}]}");
    assert_span(srp_json_member(items[1], "answers"), "{}");
    /* The same in one pass: each element's answers. */
    srp_span answers[4];
    assert_int_equal(srp_json_elements_member(span_of(line), "responses", "answers", answers, 4),
                     3);
    assert_span(answers[0], "{\"x\":[1,{\"y\":\"]\"}]}");
    assert_span(answers[1], "{}");
    assert_null(answers[2].p); /* 7 is no object */
    assert_int_equal(srp_json_elements_member(span_of(line), "nested", "answers", answers, 4), 0);
    assert_int_equal(srp_json_elements_member(span_of(line), "none", "answers", answers, 4), 0);
    assert_int_equal(srp_json_elements(span_of("[]"), items, 2), 0);
    assert_int_equal(srp_json_elements(span_of("{}"), items, 2), 0); /* not an array */
    /* A key spelt with an escape is not found (the caller serialises). */
    assert_null(srp_json_member(span_of("{\"answ\\u0065rs\":{}}"), "answers").p);
    assert_null(srp_json_member(span_of("[1]"), "answers").p);
    assert_null(srp_json_member((srp_span){NULL, 0}, "answers").p);
}

typedef struct canonical_case {
    const char *text;
    int canonical;
    int never; /* jansson's own text is not taken either: a real (%.17g) or an escape */
} canonical_case;

static const canonical_case cases[] = {
    {"{\"a\":1,\"b\":[true,false,null],\"c\":\"x\",\"d\":{}}", 1, 0},
    {"{\"a\":-12,\"b\":0,\"c\":[]}", 1, 0},
    {"{\"t\":\"\xc3\xa5ngest/\xe2\x82\xac\"}", 1, 0}, /* UTF-8 and '/' are written as they are */
    {"{\"b\":1,\"a\":2}", 1, 0},                      /* the order is kept */
    {"{}", 1, 0},
    {"{\"a\": 1}", 0, 0},
    {" {\"a\":1}", 0, 0},
    {"{\"a\":1}\n", 0, 0},
    {"{\"a\":1.5}", 0, 1},
    {"{\"a\":1.0}", 0, 1},
    {"{\"a\":1e3}", 0, 1},
    {"{\"a\":1E3}", 0, 1},
    {"{\"a\":-0}", 0, 0},
    {"{\"a\":\"\\u00e5\"}", 0, 0},
    {"{\"a\":\"\\/\"}", 0, 0},
    {"{\"a\":\"\\n\"}", 0, 1},
    {"{\"a\":[1, 2]}", 0, 0},
};

static void test_canonical_is_what_jansson_writes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *text = cases[i].text;
        json_error_t jerr;
        json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
        assert_non_null(v);
        char *dumped = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
        assert_non_null(dumped);
        int canonical = srp_json_is_canonical(span_of(text));
        if (canonical != cases[i].canonical)
            fail_msg("case %zu (%s): canonical %d, expected %d", i, text, canonical,
                     cases[i].canonical);
        /* Whatever is said to be canonical is jansson's text, byte for byte;
         * and jansson's own text is canonical unless it holds a real or an
         * escape. */
        if (canonical)
            assert_string_equal(text, dumped);
        assert_int_equal(srp_json_is_canonical(span_of(dumped)), !cases[i].never);
        free(dumped);
        json_decref(v);
    }
    assert_int_equal(srp_json_is_canonical((srp_span){NULL, 0}), 0);
    assert_int_equal(srp_json_is_canonical(span_of("")), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_and_elements),
        cmocka_unit_test(test_canonical_is_what_jansson_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
