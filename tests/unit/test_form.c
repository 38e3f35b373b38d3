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
    const char *a =
        "{\"format\":\"sigreg-form/1\",\"id\":\"x\",\"version\":1,\"phase\":\"intake\","
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
    assert_string_equal(sr_problems_message(p, 0),
                        "item 'reason': 'maybe' is not one of its option codes");
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

/* A draft is read back leniently: what is valid stays, nothing is
 * required; and the two helpers front ends use. */
static void test_draft_and_front_end_helpers(void **state)
{
    (void)state;
    sr_form *form = load();
    sr_answers *a = NULL;
    size_t dropped = 99;
    sr_error err;
    sr_error_clear(&err);
    /* reason is required and missing; score 7 is out of range; other_text
     * is disabled (reason not answered); an unknown key is dropped too. */
    const char *draft = "{\"score\":7,\"other_text\":\"x\",\"no_reason\":true,\"nope\":1}";
    assert_int_equal(sr_answers_from_draft(form, draft, strlen(draft), &a, &dropped, &err), SR_OK);
    char *json = sr_answers_to_json(a);
    assert_string_equal(json, "{\"no_reason\":true}");
    free(json);
    assert_int_equal(dropped, 3);
    sr_answers_free(a);
    a = NULL;
    sr_error_clear(&err);
    assert_int_equal(sr_answers_from_draft(form, "[1]", 3, &a, NULL, &err), SR_ERR_INVALID);
    assert_null(a);
    /* An item's condition as JSON, for a page's script. */
    char *c = sr_form_item_condition(form, 1);
    assert_string_equal(c, "{\"item\":\"reason\",\"op\":\"=\",\"value\":\"other\"}");
    free(c);
    assert_null(sr_form_item_condition(form, 0));
    assert_null(sr_form_item_condition(form, 99));
    /* A problem a front end adds. */
    sr_problems *p = sr_problems_new();
    assert_int_equal(sr_problems_add(p, "score", "'x' är inget heltal"), 0);
    assert_int_equal(sr_problems_count(p), 1);
    assert_string_equal(sr_problems_path(p, 0), "score");
    assert_string_equal(sr_problems_message(p, 0), "'x' är inget heltal");
    sr_problems_free(p);
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

static const char TYPED[] =
    "{\"format\":\"sigreg-form/1\",\"id\":\"t\",\"version\":1,\"phase\":\"intake\","
    "\"title\":{\"sv\":\"T\"},\"items\":["
    "{\"id\":\"ok\",\"type\":\"boolean\",\"label\":\"B\"},"
    "{\"id\":\"pick\",\"type\":\"choice\",\"label\":\"C\",\"options\":["
    " {\"code\":\"a\",\"label\":\"A\"},{\"code\":\"ab\",\"label\":\"AB\"}]},"
    "{\"id\":\"many\",\"type\":\"multichoice\",\"label\":\"M\",\"options\":["
    " {\"code\":\"a\",\"label\":\"A\"},{\"code\":\"ab\",\"label\":\"AB\"},"
    " {\"code\":\"c\",\"label\":\"C\"}]},"
    "{\"id\":\"n\",\"type\":\"integer\",\"label\":\"N\"},"
    "{\"id\":\"x\",\"type\":\"decimal\",\"label\":\"X\"},"
    "{\"id\":\"when\",\"type\":\"date\",\"label\":\"D\"},"
    "{\"id\":\"note\",\"type\":\"text\",\"label\":\"T\"}]}";

/* Typed getters read what a set holds, by item id, without looking at JSON text. */
static void test_typed_getters(void **state)
{
    (void)state;
    sr_error err;
    sr_error_clear(&err);
    sr_form *form = NULL;
    assert_int_equal(sr_form_parse(TYPED, strlen(TYPED), &form, NULL, &err), SR_OK);
    const char *json = "{\"ok\":false,\"pick\":\"ab\",\"many\":[\"c\",\"ab\"],\"n\":-3,"
                       "\"x\":2.5,\"when\":\"2025-03-01\",\"note\":\"hej\"}";
    sr_answers *a = NULL;
    assert_int_equal(sr_answers_from_json(form, json, strlen(json), &a, NULL, &err), SR_OK);
    int yes = 1;
    assert_int_equal(sr_answers_get_boolean(a, "ok", &yes, &err), SR_OK);
    assert_int_equal(yes, 0);
    const char *code = NULL;
    assert_int_equal(sr_answers_get_choice(a, "pick", &code, &err), SR_OK);
    assert_string_equal(code, "ab");
    /* "a" is not selected although "ab" contains it (what strstr got wrong). */
    assert_false(sr_answers_selects(a, "pick", "a"));
    assert_true(sr_answers_selects(a, "pick", "ab"));
    assert_false(sr_answers_selects(a, "many", "a"));
    assert_true(sr_answers_selects(a, "many", "c"));
    const char *codes[1];
    size_t count = 0;
    assert_int_equal(sr_answers_get_multichoice(a, "many", codes, 1, &count, &err), SR_OK);
    assert_int_equal(count, 2);
    assert_string_equal(codes[0], "c");
    long long n = 0;
    assert_int_equal(sr_answers_get_integer(a, "n", &n, &err), SR_OK);
    assert_int_equal(n, -3);
    double x = 0;
    assert_int_equal(sr_answers_get_decimal(a, "x", &x, &err), SR_OK);
    assert_true(x == 2.5);
    assert_int_equal(sr_answers_get_decimal(a, "n", &x, &err), SR_OK);
    assert_true(x == -3.0);
    const char *text = NULL;
    assert_int_equal(sr_answers_get_date(a, "when", &text, &err), SR_OK);
    assert_string_equal(text, "2025-03-01");
    assert_int_equal(sr_answers_get_text(a, "note", &text, &err), SR_OK);
    assert_string_equal(text, "hej");
    sr_item_type type;
    assert_int_equal(sr_answers_type(a, "many", &type, &err), SR_OK);
    assert_int_equal(type, SR_ITEM_MULTICHOICE);
    /* Wrong type, unknown item: their own statuses, where = the id. */
    assert_int_equal(sr_answers_get_integer(a, "note", &n, &err), SR_ERR_INVALID);
    assert_string_equal(err.where, "note");
    sr_error_clear(&err);
    assert_int_equal(sr_answers_get_text(a, "shoe", &text, &err), SR_ERR_NOT_FOUND);
    assert_string_equal(err.where, "shoe");
    sr_answers_free(a);
    /* No answer is NOT_FOUND; a set that breaks the form is refused whole. */
    sr_error_clear(&err);
    assert_int_equal(sr_answers_from_json(form, "{}", 2, &a, NULL, &err), SR_OK);
    assert_int_equal(sr_answers_get_boolean(a, "ok", &yes, &err), SR_ERR_NOT_FOUND);
    sr_answers_free(a);
    sr_problems *p = sr_problems_new();
    sr_error_clear(&err);
    a = NULL;
    assert_int_equal(sr_answers_from_json(form, "{\"n\":\"x\"}", 9, &a, p, &err), SR_ERR_INVALID);
    assert_null(a);
    assert_int_equal(sr_problems_count(p), 1);
    assert_string_equal(sr_problems_path(p, 0), "n");
    sr_problems_free(p);
    sr_error_clear(&err);
    assert_int_equal(sr_answers_from_json(form, "{", 1, &a, NULL, &err), SR_ERR_INVALID);
    sr_form_free(form);
}

/* A list in Swedish gets the checks' messages in Swedish (issue 13): the
 * same paths, the Swedish word before the id, no English left. */
static void test_messages_in_swedish(void **state)
{
    (void)state;
    sr_form *form = load();
    sr_answers *a = sr_answers_new(form);
    sr_problems *p = sr_problems_new();
    assert_string_equal(sr_problems_lang(p), "en");
    sr_problems_set_lang(p, "sv");
    assert_string_equal(sr_problems_lang(p), "sv");
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_answers_set(a, 0, "\"maybe\"", p, &err), SR_ERR_INVALID);
    assert_string_equal(sr_problems_path(p, 0), "reason");
    assert_string_equal(sr_problems_message(p, 0),
                        "fråga 'reason': 'maybe' är inget av frågans svarsalternativ");
    assert_string_equal(err.message, "inget giltigt svar på 'reason'");
    sr_error_clear(&err);
    assert_int_equal(sr_answers_set(a, 3, "7", p, &err), SR_ERR_INVALID);
    assert_string_equal(sr_problems_message(p, 1),
                        "fråga 'score': 7 är större än det högsta tillåtna, 5");
    assert_int_equal(sr_answers_set(a, 0, "\"other\"", p, &err), SR_OK);
    sr_error_clear(&err);
    /* A personnummer in free text: refused, saying where, never what. */
    assert_int_equal(sr_answers_set(a, 1, "\"ring 19121212-1212\"", p, &err), SR_ERR_INVALID);
    assert_string_equal(sr_problems_message(p, 2),
                        "fråga 'other_text': texten innehåller ett personnummer eller "
                        "samordningsnummer vid tecken 6: fritext får inte identifiera någon");
    sr_problems_clear(p);
    sr_error_clear(&err);
    const char *set = "{\"other_text\":\"x\",\"nope\":1}";
    assert_int_equal(sr_form_check_answers(form, set, strlen(set), p, &err), SR_ERR_INVALID);
    assert_string_equal(err.message, "3 fel i svaren på 'f'");
    for (size_t i = 0; i < sr_problems_count(p); i++) {
        const char *m = sr_problems_message(p, i);
        if (strstr(m, "item '") || strstr(m, "must") || strstr(m, "required"))
            fail_msg("English in a Swedish list: %s", m);
    }
    /* NULL sets English back; a NULL list reads English. */
    sr_problems_set_lang(p, NULL);
    assert_string_equal(sr_problems_lang(p), "en");
    assert_string_equal(sr_problems_lang(NULL), "en");
    sr_problems_free(p);
    sr_answers_free(a);
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
        cmocka_unit_test(test_messages_in_swedish),
        cmocka_unit_test(test_draft_and_front_end_helpers),
        cmocka_unit_test(test_problem_list_without_a_list),
        cmocka_unit_test(test_typed_getters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
