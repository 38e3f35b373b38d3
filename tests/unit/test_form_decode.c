/*
 * test_form_decode.c - posted fields to answers: each item type decoded to
 * the value a registration stores, bad values reported by item id (in
 * Swedish, or English when asked) and left out while the rest is taken,
 * conditions applied, and whole posts that name no item refused with the
 * set unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "form_decode.h"
#include "sigreg/form.h"

static const char form_json[] =
    "{\"format\": \"sigreg-form/1\", \"id\": \"t-all\", \"version\": 1, \"phase\": \"intake\","
    " \"title\": \"Alla typer\", \"items\": ["
    "{\"id\": \"sec\", \"type\": \"section\", \"label\": \"Del\"},"
    "{\"id\": \"b\", \"type\": \"boolean\", \"label\": \"Ja eller nej\", \"required\": true},"
    "{\"id\": \"c\", \"type\": \"choice\", \"label\": \"Val\", \"options\": ["
    "  {\"code\": \"x\", \"label\": \"Ex\"}, {\"code\": \"y\", \"label\": \"Ypsilon\"}]},"
    "{\"id\": \"m\", \"type\": \"multichoice\", \"label\": \"Flera\", \"max_selected\": 2,"
    "  \"options\": [{\"code\": \"a\", \"label\": \"A\"}, {\"code\": \"b2\", \"label\": \"B\"},"
    "  {\"code\": \"c3\", \"label\": \"C\"}]},"
    "{\"id\": \"i\", \"type\": \"integer\", \"label\": \"Heltal\", \"min\": 0, \"max\": 10},"
    "{\"id\": \"d\", \"type\": \"decimal\", \"label\": \"Tal\", \"min\": 0, \"max\": 100,"
    "  \"decimals\": 1},"
    "{\"id\": \"s\", \"type\": \"scale\", \"label\": \"Skala\", \"min\": 1, \"max\": 5},"
    "{\"id\": \"dt\", \"type\": \"date\", \"label\": \"Datum\", \"min\": \"2020-01-01\","
    "  \"max\": \"today\"},"
    "{\"id\": \"t\", \"type\": \"text\", \"label\": \"Fritext\", \"max_length\": 10},"
    "{\"id\": \"cond\", \"type\": \"integer\", \"label\": \"Om ja\", \"required\": true,"
    "  \"enable_when\": {\"item\": \"b\", \"op\": \"=\", \"value\": true}}"
    "]}";

typedef struct fixture {
    sr_form *form;
    sr_answers *answers;
    sr_problems *problems;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    sr_problems *p = sr_problems_new();
    assert_int_equal(sr_form_parse(form_json, strlen(form_json), &f->form, p, NULL), SR_OK);
    sr_problems_free(p);
    f->answers = sr_answers_new(f->form);
    f->problems = sr_problems_new();
    assert_non_null(f->answers);
    assert_non_null(f->problems);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sr_answers_free(f->answers);
    sr_problems_free(f->problems);
    sr_form_free(f->form);
    free(f);
    return 0;
}

typedef struct pair {
    const char *name, *value;
} pair;

#define DECODE(f, lang, ...)                                                                       \
    do_decode((f), (lang), (const pair[]){__VA_ARGS__},                                            \
              sizeof((const pair[]){__VA_ARGS__}) / sizeof(pair))

/* The pairs as the request parser gives them, decoded. */
static int do_decode(fixture *f, const char *lang, const pair *pairs, size_t n)
{
    web_fields fields = {0};
    for (size_t k = 0; k < n; k++)
        assert_int_equal(
            web_fields_add(&fields, pairs[k].name, pairs[k].value, strlen(pairs[k].value)), 0);
    int rc = form_decode_fields(f->form, &fields, lang, f->answers, f->problems);
    web_fields_release(&fields);
    return rc;
}

static size_t index_of(fixture *f, const char *id)
{
    long i = sr_form_item_index(f->form, id);
    assert_true(i >= 0);
    return (size_t)i;
}

/* The stored JSON of one answer ("" when none). */
static void assert_value(fixture *f, const char *id, const char *want)
{
    size_t i = index_of(f, id);
    if (!want) {
        assert_false(sr_answers_has(f->answers, i));
        return;
    }
    assert_true(sr_answers_has(f->answers, i));
    char *got = sr_answers_value_json(f->answers, i);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void assert_problem(fixture *f, const char *id, const char *message)
{
    for (size_t k = 0; k < sr_problems_count(f->problems); k++)
        if (strcmp(sr_problems_path(f->problems, k), id) == 0) {
            assert_string_equal(sr_problems_message(f->problems, k), message);
            return;
        }
    fail_msg("no problem with '%s'", id);
}

static void test_every_type(void **state)
{
    fixture *f = *state;
    int n = DECODE(f, "sv", {FORM_FIELD_CSRF, "token"}, {"b", "ja"}, {"c", "y"}, {"m", "a"},
                   {"m", "c3"}, {"i", " 7 "}, {"d", "3,5"}, {"s", "4"}, {"dt", "2024-02-29"},
                   {"t", "rad1\r\nrad2"}, {"cond", "-0"});
    assert_int_equal(n, 0);
    assert_int_equal(sr_problems_count(f->problems), 0);
    assert_value(f, "b", "true");
    assert_value(f, "c", "\"y\"");
    assert_value(f, "m", "[\"a\",\"c3\"]");
    assert_value(f, "i", "7");
    assert_value(f, "d", "3.5");
    assert_value(f, "s", "4");
    assert_value(f, "dt", "\"2024-02-29\"");
    assert_value(f, "t", "\"rad1\\nrad2\"");
    assert_value(f, "cond", "0");
    double d = 0;
    assert_int_equal(sr_answers_get_decimal(f->answers, "d", &d, NULL), SR_OK);
    assert_true(d == 3.5);
    const char *text = NULL;
    assert_int_equal(sr_answers_get_text(f->answers, "t", &text, NULL), SR_OK);
    assert_string_equal(text, "rad1\nrad2");
}

static void test_numbers(void **state)
{
    fixture *f = *state;
    assert_int_equal(DECODE(f, "sv", {"d", "0.5"}), 0);
    assert_value(f, "d", "0.5");
    assert_int_equal(DECODE(f, "sv", {"d", ",5"}), 0);
    assert_value(f, "d", "0.5");
    assert_int_equal(DECODE(f, "sv", {"d", "12,50"}), 0); /* a trailing zero is no decimal */
    assert_value(f, "d", "12.5");
    assert_int_equal(DECODE(f, "sv", {"d", "007"}), 0);
    assert_value(f, "d", "7");
    assert_int_equal(DECODE(f, "sv", {"i", "1 0"}), 0); /* digit groups, as "1 000" */
    assert_value(f, "i", "10");
    assert_int_equal(DECODE(f, "sv", {"i", "1  0"}), 1);
    assert_problem(f, "i", "'1  0' är inget heltal");
    sr_problems_clear(f->problems);
    assert_int_equal(DECODE(f, "sv", {"i", "2.0"}), 1); /* no decimals in a whole number */
    assert_problem(f, "i", "'2.0' är inget heltal");
}

static void test_yes_no(void **state)
{
    fixture *f = *state;
    const char *yes[] = {"ja", "Ja", "JA", "j", "yes"};
    const char *no[] = {"nej", "Nej", "NEJ", "n", "no"};
    for (size_t k = 0; k < 5; k++) {
        assert_int_equal(DECODE(f, "sv", {"b", yes[k]}), 0);
        assert_value(f, "b", "true");
        assert_int_equal(DECODE(f, "sv", {"b", no[k]}), 0);
        assert_value(f, "b", "false");
    }
    assert_int_equal(DECODE(f, "sv", {"b", "kanske"}), 1);
    assert_problem(f, "b", "svara ja eller nej");
    assert_value(f, "b", NULL);
}

static void test_bad_values_reported_by_item(void **state)
{
    fixture *f = *state;
    int n =
        DECODE(f, "sv", {"b", "nej"}, {"c", "zzz"}, {"m", "a"}, {"m", "b2"}, {"m", "c3"},
               {"i", "abc"}, {"d", "3,55"}, {"s", "6"}, {"dt", "2023-02-29"}, {"t", "elva tecken"});
    assert_int_equal(n, 7);
    assert_problem(f, "c", "välj ett av svarsalternativen");
    assert_problem(f, "m", "välj högst 2");
    assert_problem(f, "i", "'abc' är inget heltal");
    assert_problem(f, "d", "högst 1 decimaler");
    assert_problem(f, "s", "6 är större än det högsta tillåtna, 5");
    assert_problem(f, "dt", "'2023-02-29' är inget datum som finns (ÅÅÅÅ-MM-DD)");
    assert_problem(f, "t", "texten får vara högst 10 tecken lång (den har 11)");
    /* What was good is taken; nothing that failed is. */
    assert_value(f, "b", "false");
    assert_value(f, "c", NULL);
    assert_value(f, "m", NULL);
    assert_value(f, "i", NULL);
    assert_value(f, "d", NULL);
    assert_value(f, "s", NULL);
    assert_value(f, "dt", NULL);
    assert_value(f, "t", NULL);
}

static void test_bounds_and_english(void **state)
{
    fixture *f = *state;
    assert_int_equal(DECODE(f, "sv", {"i", "-1"}, {"d", "100,5"}, {"dt", "2019-12-31"}), 3);
    assert_problem(f, "i", "-1 är mindre än det minsta tillåtna, 0");
    assert_problem(f, "d", "100,5 är större än det högsta tillåtna, 100");
    assert_problem(f, "dt", "2019-12-31 är före det tidigaste tillåtna datumet, 2020-01-01");
    sr_problems_clear(f->problems);
    assert_int_equal(DECODE(f, "en", {"i", "11"}, {"dt", "2999-01-01"}), 2);
    assert_problem(f, "i", "11 is above the maximum 10");
    char want[80];
    /* The latest date is today's; the message names it. */
    const char *got = NULL;
    for (size_t k = 0; k < sr_problems_count(f->problems); k++)
        if (strcmp(sr_problems_path(f->problems, k), "dt") == 0)
            got = sr_problems_message(f->problems, k);
    assert_non_null(got);
    snprintf(want, sizeof want, "2999-01-01 is after the latest date ");
    assert_memory_equal(got, want, strlen(want));
    assert_int_equal(strlen(got), strlen(want) + 10);
}

static void test_unknown_field_refused(void **state)
{
    fixture *f = *state;
    assert_int_equal(DECODE(f, "sv", {"i", "5"}, {"c", "x"}), 0);
    sr_problems_clear(f->problems);
    /* A field that is no item, a section, an unknown control field, a
     * single answer given twice, an unknown item in the shown list: each
     * refuses the post, and the set stays as it was. */
    assert_int_equal(DECODE(f, "sv", {"i", "6"}, {"nope", "1"}), -1);
    assert_int_equal(DECODE(f, "sv", {"i", "6"}, {"sec", "1"}), -1);
    assert_int_equal(DECODE(f, "sv", {"i", "6"}, {"_evil", "1"}), -1);
    assert_int_equal(DECODE(f, "sv", {"i", "6"}, {"c", "x"}, {"c", "y"}), -1);
    assert_int_equal(DECODE(f, "sv", {"i", "6"}, {"_shown", "i nope"}), -1);
    assert_int_equal(DECODE(f, "sv", {"m", "a"}, {"m", "a"}, {"m", "a"}, {"m", "a"}), -1);
    assert_int_equal(sr_problems_count(f->problems), 6);
    for (size_t k = 0; k < 6; k++) {
        assert_string_equal(sr_problems_path(f->problems, k), "(fields)");
        assert_string_equal(sr_problems_message(f->problems, k),
                            "formulärets fält kunde inte läsas; ladda om sidan och försök igen");
    }
    assert_value(f, "i", "5");
    assert_value(f, "c", "\"x\"");
    /* Too many fields. */
    size_t many = FORM_DECODE_MAX_FIELDS + 1;
    web_field *items = calloc(many, sizeof *items);
    assert_non_null(items);
    for (size_t k = 0; k < many; k++)
        items[k] = (web_field){(char *)FORM_FIELD_CSRF, (char *)"x", 1};
    web_fields fields = {items, many, many};
    assert_int_equal(form_decode_fields(f->form, &fields, "sv", f->answers, f->problems), -1);
    free(items);
    assert_value(f, "i", "5");
}

static void test_conditions(void **state)
{
    fixture *f = *state;
    /* A disabled item's field is dropped, without a problem. */
    assert_int_equal(DECODE(f, "sv", {"b", "nej"}, {"cond", "5"}), 0);
    assert_value(f, "cond", NULL);
    assert_int_equal(DECODE(f, "sv", {"b", "ja"}, {"cond", "5"}), 0);
    assert_value(f, "cond", "5");
    /* Only b is on the page (an edit of one answer): cond, no longer enabled,
     * loses its answer, and the other answers stay. */
    assert_int_equal(DECODE(f, "sv", {"i", "3"}), 0);
    assert_int_equal(DECODE(f, "sv", {"_shown", "b"}, {"b", "nej"}), 0);
    assert_value(f, "b", "false");
    assert_value(f, "cond", NULL);
    assert_value(f, "i", "3");
    /* Shown but left empty (an unchecked box, a cleared field): no answer. */
    assert_int_equal(DECODE(f, "sv", {"_shown", "i m"}, {"i", "  "}), 0);
    assert_value(f, "i", NULL);
    assert_value(f, "m", NULL);
    assert_int_equal(sr_problems_count(f->problems), 0);
}

static void test_missing(void **state)
{
    fixture *f = *state;
    assert_int_equal(form_decode_missing(f->form, f->answers, "sv", f->problems), 1);
    assert_problem(f, "b", "svar krävs");
    sr_problems_clear(f->problems);
    assert_int_equal(DECODE(f, "sv", {"b", "ja"}), 0);
    /* Now cond is enabled and required. */
    assert_int_equal(form_decode_missing(f->form, f->answers, "en", f->problems), 1);
    assert_problem(f, "cond", "an answer is required");
}

static void test_date(void **state)
{
    (void)state;
    char out[11];
    assert_int_equal(form_decode_date(" 2024-02-29 ", out), 0);
    assert_string_equal(out, "2024-02-29");
    assert_int_equal(form_decode_date("2023-02-29", out), -1);
    assert_int_equal(form_decode_date("2023-13-01", out), -1);
    assert_int_equal(form_decode_date("2023-1-01", out), -1);
    assert_int_equal(form_decode_date("20230101", out), -1);
    assert_int_equal(form_decode_date("", out), -1);
    assert_int_equal(form_decode_date(NULL, out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_yes_no, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_values_reported_by_item, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounds_and_english, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_field_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conditions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
        cmocka_unit_test(test_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
