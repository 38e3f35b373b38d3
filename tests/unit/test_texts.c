/*
 * test_texts.c - the library's one table of texts (white-box): every id
 * has a Swedish and an English text, a %-format takes the same arguments
 * in both languages (so that a message cannot print garbage in one of
 * them), and the language tags map as texts.h says.
 */
#include "testutil.h"

#include <string.h>

#include "base/texts.h"

/* The conversions of a printf format, in order ("%s%zu%d"), without flags
 * or widths; "%%" is no conversion. */
static void conversions(const char *fmt, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        p++;
        if (*p == '%')
            continue;
        while (*p && strchr("0123456789.-+ #", *p))
            p++;
        while (*p && strchr("zlh", *p) && n + 1 < size)
            out[n++] = *p++;
        if (*p && n + 1 < size)
            out[n++] = *p;
        if (!*p)
            break;
    }
    out[n] = '\0';
}

static void test_every_text_in_both_languages(void **state)
{
    (void)state;
    for (int id = 0; id < SRP_T_COUNT; id++) {
        const char *sv = srp_texts_get((srp_text_id)id, "sv");
        const char *en = srp_texts_get((srp_text_id)id, "en");
        if (!sv[0] || !en[0])
            fail_msg("text %d lacks a language", id);
        assert_true(srp_utf8_valid(sv));
        char a[32], b[32];
        conversions(sv, a, sizeof a);
        conversions(en, b, sizeof b);
        if (strcmp(a, b) != 0)
            fail_msg("text %d: '%s' and '%s' take other arguments (%s, %s)", id, sv, en, a, b);
    }
}

static void test_language_tags(void **state)
{
    (void)state;
    assert_string_equal(srp_texts_get(SRP_T_R_FUTURE, "en"), "the date %s lies in the future");
    assert_string_equal(srp_texts_get(SRP_T_R_FUTURE, "sv"), "datumet %s ligger i framtiden");
    assert_string_equal(srp_texts_get(SRP_T_R_FUTURE, "fi"), "datumet %s ligger i framtiden");
    assert_string_equal(srp_texts_get(SRP_T_R_FUTURE, NULL), "datumet %s ligger i framtiden");
    assert_string_equal(srp_texts_get(SRP_T_COUNT, "sv"), "");
    assert_string_equal(srp_lang_tag("en"), "en");
    assert_string_equal(srp_lang_tag("de"), "sv");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_text_in_both_languages),
        cmocka_unit_test(test_language_tags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
