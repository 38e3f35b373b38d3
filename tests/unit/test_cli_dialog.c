/*
 * test_cli_dialog.c - answers as the terminal dialog reads them
 * (src/cli/dialog.c), on the shipped intake form: yes and no in every case
 * and form the issue lists, Swedish letters folded, options by number,
 * code, label and a label's beginning, an ambiguous beginning listing the
 * candidates, several options of a multichoice, and answers shown back with
 * their labels.
 */
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "testutil.h"

static sr_form *intake(void)
{
    size_t len = 0;
    unsigned char *text = tu_read_file(SIGREG_SOURCE_DIR "/forms/sig-intake.json", &len);
    assert_non_null(text);
    sr_form *form = NULL;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_form_parse((const char *)text, len, &form, NULL, &err), SR_OK);
    free(text);
    return form;
}

static void test_yes_no(void **state)
{
    (void)state;
    static const char *const yes[] = {"j", "ja", "J", "Ja", "JA", " jA ", "y", "yes", "Y", "YES"};
    static const char *const no[] = {"n", "nej", "N", "Nej", "NEJ", "no", "No", "\tnej "};
    static const char *const neither[] = {"", "jo", "nja", "1", "0", "yess", "ja tack", "?"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_int_equal(cli_yes_no(yes[i]), 1);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_int_equal(cli_yes_no(no[i]), 0);
    for (size_t i = 0; i < sizeof neither / sizeof neither[0]; i++)
        assert_int_equal(cli_yes_no(neither[i]), -1);
}

static void test_fold(void **state)
{
    (void)state;
    char out[64];
    cli_fold("  ÅÄÖ É Stort BEHOV  ", out, sizeof out);
    assert_string_equal(out, "åäö é stort behov");
    cli_fold("Ärende", out, 4); /* never cuts a letter in two */
    assert_string_equal(out, "\xc3\xa4r");
    cli_fold("", out, sizeof out);
    assert_string_equal(out, "");
}

/* The JSON typed for item id, or NULL (then why is kept in why). */
static char *typed(const sr_form *form, const char *id, const char *input, const char *lang,
                   char *why, size_t size)
{
    long i = sr_form_item_index(form, id);
    assert_true(i >= 0);
    return cli_typed_answer(form, (size_t)i, input, lang, why, size);
}

static void expect(const sr_form *form, const char *id, const char *input, const char *json)
{
    char why[1024];
    char *got = typed(form, id, input, "sv", why, sizeof why);
    if (!got)
        fail_msg("'%s' for %s: %s", input, id, why);
    assert_string_equal(got, json);
    free(got);
}

static void test_options(void **state)
{
    (void)state;
    sr_form *form = intake();
    expect(form, "sex", "2", "\"boy\"");
    expect(form, "sex", "girl", "\"girl\"");
    expect(form, "sex", "flicka", "\"girl\"");
    expect(form, "sex", "FLICKA", "\"girl\"");
    expect(form, "sex", "fli", "\"girl\"");
    expect(form, "sex", "Boy", "\"boy\""); /* the English label */
    expect(form, "need_peers", "stort", "\"substantial\"");
    expect(form, "need_peers", "Stort behov", "\"substantial\"");
    expect(form, "living_situation", "växelvis", "\"alternating\"");
    expect(form, "living_situation", "VÄXEL", "\"alternating\"");
    expect(form, "consent_guardians", "j", "\"yes\""); /* yes/no words for yes/no options */
    expect(form, "consent_guardians", "Nej", "\"no\"");
    expect(form, "protective_factors", "stöd, motivation",
           "[\"family_support\",\"school_motivation\"]");
    expect(form, "protective_factors", "1 3", "[\"engaged_adult\",\"prosocial_friends\"]");
    expect(form, "protective_factors", "1,3", "[\"engaged_adult\",\"prosocial_friends\"]");
    expect(form, "consent_young_person", "JA", "true");
    expect(form, "consent_young_person", "nej", "false");
    expect(form, "birth_year", "2010", "2010");
    char why[1024];
    /* An ambiguous beginning names the candidates, by number and label. */
    assert_null(typed(form, "need_peers", "v", "sv", why, sizeof why));
    assert_string_equal(why, "'v' passar flera svarsalternativ: 2 Visst behov, 4 Vet ej");
    assert_null(typed(form, "sex", "x", "sv", why, sizeof why));
    assert_string_equal(
        why, "'x' är inget av svarsalternativen: 1 Flicka, 2 Pojke, 3 Annat, 4 Vill inte ange");
    assert_null(typed(form, "sex", "9", "en", why, sizeof why));
    assert_string_equal(
        why, "'9' is not one of the options: 1 Girl, 2 Boy, 3 Other, 4 Prefers not to say");
    assert_null(typed(form, "protective_factors", "stöd, ingenting", "sv", why, sizeof why));
    assert_non_null(strstr(why, "'ingenting' är inget av svarsalternativen"));
    /* Not a yes/no: passed on for the form's own check to explain. */
    char *raw = typed(form, "consent_young_person", "kanske", "sv", why, sizeof why);
    assert_string_equal(raw, "\"kanske\"");
    free(raw);
    sr_form_free(form);
}

static void test_answer_text(void **state)
{
    (void)state;
    sr_form *form = intake();
    char out[256];
    json_t *v = json_pack("[ss]", "family_support", "school_motivation");
    cli_answer_text(form, (size_t)sr_form_item_index(form, "protective_factors"), v, "sv", out,
                    sizeof out);
    assert_string_equal(out, "Stöd från familjen; Motivation för skola eller arbete");
    json_decref(v);
    v = json_string("substantial");
    cli_answer_text(form, (size_t)sr_form_item_index(form, "need_peers"), v, "en", out, sizeof out);
    assert_string_equal(out, "Substantial need");
    json_decref(v);
    cli_answer_text(form, (size_t)sr_form_item_index(form, "suspected_ever"), json_false(), "sv",
                    out, sizeof out);
    assert_string_equal(out, "Nej");
    sr_form_free(form);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yes_no),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_answer_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
