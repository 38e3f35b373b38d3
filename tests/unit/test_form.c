/*
 * test_form.c - the form API beyond the data-driven cases: queries, enable_when
 * semantics (a condition on a disabled or unanswered item is false, `not` of
 * it true), and answer sets built item by item as an interactive front end
 * builds them.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "sigreg/form.h"

static const char FORM[] =
    "{\"format\":\"sigreg-form/1\",\"id\":\"f\",\"version\":2,\"phase\":\"closure\","
    "\"title\":{\"sv\":\"Avslut\",\"en\":\"Closure\"},\"items\":["
    "{\"id\":\"reason\",\"type\":\"choice\",\"label\":{\"sv\":\"Orsak\",\"en\":\"Reason\"},"
    " \"required\":true,\"options\":[{\"code\":\"goals\",\"label\":\"Mål\"},"
    " {\"code\":\"other\",\"label\":{\"sv\":\"Annat\",\"en\":\"Other\"}}]},"
    "{\"id\":\"other_text\",\"type\":\"text\",\"label\":\"Vad?\",\"required\":true,"
    " \"enable_when\":{\"item\":\"reason\",\"op\":\"=\",\"value\":\"other\"}},"
    "{\"id\":\"no_reason\",\"type\":\"boolean\",\"label\":\"Ingen\","
    " \"enable_when\":{\"not\":{\"item\":\"other_text\",\"op\":\"answered\"}}},"
    "{\"id\":\"score\",\"type\":\"scale\",\"label\":\"Betyg\",\"min\":1,\"max\":5,"
    " \"anchors\":{\"1\":{\"sv\":\"Dåligt\",\"en\":\"Bad\"}}}]}";

static sr_form *load(void)
{
    sr_form *form = NULL;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_form_parse(FORM, strlen(FORM), &form, NULL, &err), SR_OK);
    return form;
}

static void test_queries(void **state)
{
    (void)state;
    sr_form *form = load();
    assert_string_equal(sr_form_id(form), "f");
    assert_int_equal(sr_form_version(form), 2);
    assert_int_equal(sr_form_phase(form), SR_PHASE_CLOSURE);
    assert_string_equal(sr_form_title(form, "en"), "Closure");
    assert_string_equal(sr_form_title(form, "fi"), "Avslut"); /* falls back to Swedish */
    assert_int_equal(sr_form_item_count(form), 4);
    assert_int_equal(sr_form_item_index(form, "score"), 3);
    assert_int_equal(sr_form_item_index(form, "nope"), -1);
    sr_item_info info;
    sr_form_item(form, 0, "en", &info);
    assert_string_equal(info.label, "Reason");
    assert_int_equal(info.option_count, 2);
    const char *code, *label;
    int missing;
    sr_form_option(form, 0, 1, "en", &code, &label, &missing);
    assert_string_equal(code, "other");
    assert_string_equal(label, "Other");
    assert_string_equal(sr_form_anchor(form, 3, 1, "en"), "Bad");
    assert_null(sr_form_anchor(form, 3, 2, "en"));
    assert_int_equal(strlen(sr_form_digest(form)), 64);
    sr_form_free(form);
}

static void test_digest_ignores_key_order_and_spacing(void **state)
{
    (void)state;
    const char *a = "{\"format\":\"sigreg-form/1\",\"id\":\"x\",\"version\":1,\"phase\":\"intake\","
                    "\"title\":\"T\",\"items\":[{\"id\":\"b\",\"type\":\"boolean\",\"label\":\"B\"}]}";
    const char *b = "{ \"items\": [ {\"label\": \"B\", \"type\": \"boolean\", \"id\": \"b\"} ],"
                    "  \"title\": \"T\", \"phase\": \"intake\", \"version\": 1, \"id\": \"x\","
                    "  \"format\": \"sigreg-form/1\" }";
    sr_form *fa = NULL, *fb = NULL;
    assert_int_equal(sr_form_parse(a, strlen(a), &fa, NULL, NULL), SR_OK);
    assert_int_equal(sr_form_parse(b, strlen(b), &fb, NULL, NULL), SR_OK);
    assert_string_equal(sr_form_digest(fa), sr_form_digest(fb));
    sr_form_free(fa);
    sr_form_free(fb);
}

static void test_incremental_answers(void **state)
{
    (void)state;
    sr_form *form = load();
    sr_answers *a = sr_answers_new(form);
    sr_problems *p = sr_problems_new();
    sr_error err;
    sr_error_clear(&err);
    /* Before anything is answered, other_text is off and no_reason is on
     * (not of a condition on an unanswered item). */
    assert_false(sr_answers_enabled(a, 1));
    assert_true(sr_answers_enabled(a, 2));
    assert_int_equal(sr_answers_set(a, 0, "\"other\"", p, &err), SR_OK);
    assert_true(sr_answers_enabled(a, 1));
    sr_error_clear(&err);
    assert_int_equal(sr_answers_set(a, 0, "\"maybe\"", p, &err), SR_ERR_INVALID);
    assert_int_equal(sr_problems_count(p), 1);
    assert_string_equal(sr_problems_message(p, 0), "item 'reason': 'maybe' is not one of its option codes");
    assert_true(sr_answers_has(a, 0)); /* the rejected value did not replace the good one */
    char *v = sr_answers_value_json(a, 0);
    assert_string_equal(v, "\"other\"");
    free(v);
    sr_error_clear(&err);
    assert_int_equal(sr_answers_set(a, 1, "\"flyttade\"", p, &err), SR_OK);
    assert_false(sr_answers_enabled(a, 2)); /* other_text answered now */
    assert_int_equal(sr_answers_set(a, 3, "7", p, &err), SR_ERR_INVALID);
    sr_error_clear(&err);
    assert_int_equal(sr_answers_set(a, 3, "4", p, &err), SR_OK);
    char *json = sr_answers_to_json(a);
    assert_string_equal(json, "{\"reason\":\"other\",\"other_text\":\"flyttade\",\"score\":4}");
    sr_problems_clear(p);
    sr_error_clear(&err);
    assert_int_equal(sr_form_check_answers(form, json, strlen(json), p, &err), SR_OK);
    free(json);
    sr_answers_unset(a, 1);
    assert_false(sr_answers_has(a, 1));
    json = sr_answers_to_json(a);
    sr_error_clear(&err);
    assert_int_equal(sr_form_check_answers(form, json, strlen(json), p, &err), SR_ERR_INVALID);
    assert_string_equal(sr_problems_message(p, 0), "item 'other_text': an answer is required");
    free(json);
    sr_problems_free(p);
    sr_answers_free(a);
    sr_form_free(form);
}

static void test_problem_list_without_a_list(void **state)
{
    (void)state;
    sr_form *form = load();
    sr_error err;
    sr_error_clear(&err);
    /* problems may be NULL: the status and the message still say it. */
    assert_int_equal(sr_form_check_answers(form, "{}", 2, NULL, &err), SR_ERR_INVALID);
    assert_non_null(strstr(err.message, "1 problem"));
    sr_form *bad = NULL;
    sr_error_clear(&err);
    assert_int_equal(sr_form_parse("{}", 2, &bad, NULL, &err), SR_ERR_INVALID);
    assert_null(bad);
    assert_non_null(strstr(err.message, "6 errors"));
    sr_form_free(form);
}

int main(void)
{
    sr_error err;
    sr_error_clear(&err);
    if (sr_crypto_init(&err) != SR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queries),
        cmocka_unit_test(test_digest_ignores_key_order_and_spacing),
        cmocka_unit_test(test_incremental_answers),
        cmocka_unit_test(test_problem_list_without_a_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
