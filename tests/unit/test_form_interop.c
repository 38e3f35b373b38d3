/*
 * test_form_interop.c - forms to and from REDCap, FHIR and XLSForm: every
 * shipped form comes back equal from both round trips, each refusal names
 * the construct and its field, and definitions written by others (kept in
 * tests/interop with their sources) import as they should.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "sigreg/form.h"
#include "sigreg/form_interop.h"
#include "sigreg/form_store.h"

typedef sr_status (*export_fn)(const sr_form *, char **, sr_error *);
typedef sr_status (*import_fn)(const char *, size_t, const sr_form_import_options *, char **,
                               sr_problems *, sr_error *);

static void print_problems(const sr_problems *p)
{
    for (size_t i = 0; i < sr_problems_count(p); i++)
        print_message("  %s: %s\n", sr_problems_path(p, i), sr_problems_message(p, i));
}

static sr_form *parse(const char *text)
{
    sr_form *form = NULL;
    sr_problems *p = sr_problems_new();
    sr_error err;
    sr_error_clear(&err);
    sr_status rc = sr_form_parse(text, strlen(text), &form, p, &err);
    if (rc != SR_OK)
        print_problems(p);
    sr_problems_free(p);
    assert_int_equal(rc, SR_OK);
    return form;
}

/* Imports text, or asserts the import fails; returns the parsed form. */
static sr_form *import(import_fn fn, const char *text, const sr_form_import_options *opts,
                       sr_problems *problems)
{
    char *json = NULL;
    sr_error err;
    sr_error_clear(&err);
    sr_status rc = fn(text, strlen(text), opts, &json, problems, &err);
    if (rc != SR_OK) {
        print_message("import: %s\n", err.message);
        print_problems(problems);
    }
    assert_int_equal(rc, SR_OK);
    sr_form *form = parse(json);
    free(json);
    return form;
}

static void round_trip(export_fn ex, import_fn im, const char *format)
{
    const char *name, *text;
    size_t len, n = 0;
    for (size_t i = 0; sr_form_shipped(i, &name, &text, &len); i++, n++) {
        sr_form *original = parse(text);
        char *out = NULL;
        sr_error err;
        sr_error_clear(&err);
        assert_int_equal(ex(original, &out, &err), SR_OK);
        sr_problems *problems = sr_problems_new();
        sr_form *back = import(im, out, NULL, problems);
        char why[700] = "";
        int equal = sr_form_interop_equal(original, back, why, sizeof why);
        print_message("%s: %s -> %s -> sigreg: %s, %zu items%s%s\n", name, sr_form_id(original),
                      format, equal ? "equal" : "DIFFERENT", sr_form_item_count(back),
                      equal ? "" : ": ", why);
        assert_true(equal);
        sr_problems_free(problems);
        sr_form_free(back);
        sr_form_free(original);
        free(out);
    }
    assert_int_equal(n, 9); /* five forms, four of them in two versions */
}

static void test_round_trip_redcap(void **state)
{
    (void)state;
    round_trip(sr_form_export_redcap, sr_form_import_redcap, "redcap");
}

static void test_round_trip_fhir(void **state)
{
    (void)state;
    round_trip(sr_form_export_fhir, sr_form_import_fhir, "fhir");
}

/* A form with everything sigreg-form/1 has, including conditions neither
 * format has an operator for. */
static const char *const RICH =
    "{\"format\":\"sigreg-form/1\",\"id\":\"rich\",\"version\":3,\"phase\":\"followup\","
    "\"repeatable\":true,\"title\":{\"sv\":\"Rik 'form'\",\"en\":\"Rich\"},"
    "\"description\":\"Bara svenska\",\"items\":["
    "{\"id\":\"a\",\"type\":\"choice\",\"label\":{\"sv\":\"A, \\\"citat\\\"\",\"en\":\"A\"},"
    "\"ordered\":true,\"quasi_identifier\":true,\"options\":["
    "{\"code\":\"x\",\"label\":{\"sv\":\"X\",\"en\":\"Ex\"}},{\"code\":\"y\",\"label\":\"Y\"},"
    "{\"code\":\"dk\",\"label\":\"Vet ej\",\"missing\":true}]},"
    "{\"id\":\"sec\",\"type\":\"section\",\"label\":\"Rubrik\",\"help\":{\"sv\":\"H\",\"en\":"
    "\"Hh\"}},"
    "{\"id\":\"n\",\"type\":\"integer\",\"label\":\"N\",\"min\":-3,\"max\":40,\"required\":true,"
    "\"enable_when\":{\"item\":\"a\",\"op\":\"!=\",\"value\":\"y\"}},"
    "{\"id\":\"d\",\"type\":\"decimal\",\"label\":\"D\",\"min\":0.5,\"max\":9.25,\"decimals\":2,"
    "\"enable_when\":{\"not\":{\"item\":\"n\",\"op\":\"<\",\"value\":5}}},"
    "{\"id\":\"m\",\"type\":\"multichoice\",\"label\":\"M\",\"min_selected\":1,"
    "\"max_selected\":2,\"identifying\":true,\"options\":[{\"code\":\"p\",\"label\":\"P\"},"
    "{\"code\":\"q\",\"label\":\"Q\"},{\"code\":\"r\",\"label\":\"R\"}],"
    "\"enable_when\":{\"not\":{\"any\":[{\"item\":\"a\",\"op\":\"=\",\"value\":\"x\"},"
    "{\"item\":\"n\",\"op\":\"answered\"}]}}},"
    "{\"id\":\"s\",\"type\":\"scale\",\"label\":\"S\",\"min\":0,\"max\":10,"
    "\"anchors\":{\"0\":{\"sv\":\"Noll\",\"en\":\"Zero\"},\"2\":\"Två\",\"10\":\"Tio\"},"
    "\"enable_when\":{\"all\":[{\"item\":\"m\",\"op\":\"includes\",\"value\":\"q\"},"
    "{\"not\":{\"item\":\"m\",\"op\":\"includes\",\"value\":\"r\"}}]}},"
    "{\"id\":\"t\",\"type\":\"date\",\"label\":\"T\",\"min\":\"2020-01-01\",\"max\":\"today\","
    "\"enable_when\":{\"any\":[{\"item\":\"s\",\"op\":\">=\",\"value\":3},"
    "{\"all\":[{\"item\":\"d\",\"op\":\"<=\",\"value\":2.5},{\"item\":\"n\",\"op\":\"=\","
    "\"value\":7}]}]}},"
    "{\"id\":\"b\",\"type\":\"boolean\",\"label\":\"B\","
    "\"enable_when\":{\"item\":\"t\",\"op\":\">\",\"value\":\"2021-06-30\"}},"
    "{\"id\":\"txt\",\"type\":\"text\",\"label\":\"Fri\",\"max_length\":300,"
    "\"enable_when\":{\"item\":\"b\",\"op\":\"=\",\"value\":false}},"
    "{\"id\":\"end\",\"type\":\"section\",\"label\":\"Slut\"}]}";

static void test_round_trip_rich(void **state)
{
    (void)state;
    sr_form *original = parse(RICH);
    export_fn ex[2] = {sr_form_export_redcap, sr_form_export_fhir};
    import_fn im[2] = {sr_form_import_redcap, sr_form_import_fhir};
    for (int k = 0; k < 2; k++) {
        char *out = NULL;
        sr_error err;
        sr_error_clear(&err);
        assert_int_equal(ex[k](original, &out, &err), SR_OK);
        sr_problems *problems = sr_problems_new();
        sr_form *back = import(im[k], out, NULL, problems);
        char why[700] = "";
        int equal = sr_form_interop_equal(original, back, why, sizeof why);
        if (!equal)
            print_message("rich %s: %s\n%s\n", k ? "fhir" : "redcap", why, out);
        assert_true(equal);
        sr_problems_free(problems);
        sr_form_free(back);
        free(out);
    }
    sr_form_free(original);
}

/* The equality is not vacuous: each change is seen. */
static void test_equal_sees_changes(void **state)
{
    (void)state;
    const char *changes[][2] = {{"\"ordered\":true,", ""},
                                {"\"missing\":true", "\"missing\":false"},
                                {"\"en\":\"Ex\"", "\"en\":\"Ecks\""},
                                {"\"value\":\"y\"}", "\"value\":\"x\"}"},
                                {"\"max\":40", "\"max\":41"},
                                {"\"identifying\":true,", ""},
                                {"\"max_length\":300", "\"max_length\":301"}};
    sr_form *original = parse(RICH);
    for (size_t k = 0; k < sizeof changes / sizeof changes[0]; k++) {
        const char *at = strstr(RICH, changes[k][0]);
        assert_non_null(at);
        size_t n = strlen(RICH) + strlen(changes[k][1]) + 1;
        char *changed = malloc(n);
        snprintf(changed, n, "%.*s%s%s", (int)(at - RICH), RICH, changes[k][1],
                 at + strlen(changes[k][0]));
        sr_form *other = parse(changed);
        char why[300];
        assert_false(sr_form_interop_equal(original, other, why, sizeof why));
        sr_form_free(other);
        free(changed);
    }
    sr_form_free(original);
}

/* The version 2 extensions (consent, derived, show_from) are in the
 * definitions the equality compares: dropping or changing one is seen, so
 * the round trips above carry each of them field by field. */
static void test_equal_sees_extensions(void **state)
{
    (void)state;
    const char *changes[][3] = {
        {"sig-intake.v2.json", "\"derived\": \"birth_year\",", ""},
        {"sig-intake.v2.json", "\"below_age\": 18", "\"below_age\": 17"},
        {"sig-intake.v2.json", "SIG requires the young person's consent",
         "SIG requires the consent"},
        {"sig-intake.v2.json", "\"given\": [\n        \"yes\"", "\"given\": [\n        \"no\""},
        {"sig-closure.v2.json", "\"item\": \"need_crime\"", "\"item\": \"need_peers\""},
    };
    for (size_t k = 0; k < sizeof changes / sizeof changes[0]; k++) {
        const char *name, *text;
        size_t len;
        size_t i = 0;
        while (sr_form_shipped(i, &name, &text, &len) && strcmp(name, changes[k][0]) != 0)
            i++;
        assert_string_equal(name, changes[k][0]);
        const char *at = strstr(text, changes[k][1]);
        if (!at)
            print_message("%s: '%s' not found\n", name, changes[k][1]);
        assert_non_null(at);
        size_t n = len + strlen(changes[k][2]) + 1;
        char *changed = malloc(n);
        snprintf(changed, n, "%.*s%s%s", (int)(at - text), text, changes[k][2],
                 at + strlen(changes[k][1]));
        sr_form *original = parse(text), *other = parse(changed);
        char why[300] = "";
        assert_false(sr_form_interop_equal(original, other, why, sizeof why));
        print_message("%s changed: %s\n", name, why);
        sr_form_free(other);
        sr_form_free(original);
        free(changed);
    }
}

/* Each extension goes to the other format's own construct where it has one
 * (FHIR: SDC's initialExpression from the launch context's patient, the
 * questionnaire-constraint; XLSForm: constraint and constraint_message),
 * else to sigreg's documented place beside its item, never to the catch-all
 * tag or extension for keys not mapped one by one. */
static void test_extensions_mapped(void **state)
{
    (void)state;
    const char *name, *text;
    size_t len;
    for (size_t i = 0; sr_form_shipped(i, &name, &text, &len); i++) {
        sr_form *form = parse(text);
        char *redcap = NULL, *fhir = NULL, *survey = NULL, *choices = NULL;
        assert_int_equal(sr_form_export_redcap(form, &redcap, NULL), SR_OK);
        assert_int_equal(sr_form_export_fhir(form, &fhir, NULL), SR_OK);
        assert_int_equal(sr_form_export_xlsform(form, &survey, &choices, NULL), SR_OK);
        const char *outs[3] = {redcap, fhir, survey};
        for (int k = 0; k < 3; k++) {
            assert_null(strstr(outs[k], "\"derived"));
            assert_null(strstr(outs[k], "\"show_from"));
            assert_null(strstr(outs[k], "\"consent\""));
        }
        if (strcmp(name, "sig-intake.v2.json") == 0) {
            /* REDCap: sigreg's tags on the fields themselves. */
            assert_non_null(strstr(redcap, "@SIGREG-DERIVED='birth_year'"));
            assert_non_null(strstr(redcap, "@SIGREG-CONSENT='{\"\"below_age\"\":18,"));
            assert_non_null(strstr(redcap, "\"\"given\"\":[true]}'"));
            /* FHIR: SDC pre-population of the birth year, and each consent as
             * a constraint whose message is the rule's explanation. */
            assert_non_null(strstr(fhir, "sdc-questionnaire-launchContext"));
            assert_non_null(strstr(fhir, "\"expression\": \"%patient.birthDate.toString()"
                                         ".substring(0, 4).toInteger()\""));
            assert_non_null(strstr(fhir, "\"valueId\": \"sigreg-consent-consent-guardians\""));
            assert_non_null(strstr(fhir, "\"valueString\": \"samverkan i SIG förutsätter den "
                                         "unges samtycke: utan samtycke ska ärendet inte "
                                         "registreras\""));
            assert_non_null(strstr(fhir, "where(code = 'yes').exists()"));
            assert_non_null(strstr(fhir, "\"url\": \"below-age\",\n"));
            /* XLSForm: the consent as the item's constraint and message. */
            assert_non_null(strstr(survey, ",yes,,(. = 'true'),samverkan i SIG förutsätter"));
            assert_non_null(strstr(survey, "\"((${birth_year} != '' and int(${birth_year}) + 18 < "
                                           "int(format-date(today(), '%Y'))) or . = 'yes')\""));
            assert_non_null(strstr(survey, ",,,,birth_year,\r\n"));
        }
        if (strcmp(name, "sig-closure.v2.json") == 0) {
            assert_non_null(strstr(redcap, "@SIGREG-SHOW-FROM='{\"\"form\"\":\"\"sig-intake\"\","
                                           "\"\"item\"\":\"\"need_crime\"\"}'"));
            assert_non_null(strstr(fhir, "\"valueCanonical\": \"urn:sigreg:form:sig-intake\""));
            assert_non_null(strstr(survey, ",sig-intake/need_crime\r\n"));
        }
        free(redcap);
        free(fhir);
        free(survey);
        free(choices);
        sr_form_free(form);
    }
}

static void test_redcap_columns_and_logic(void **state)
{
    (void)state;
    const char *name, *text;
    size_t len;
    for (size_t i = 0; sr_form_shipped(i, &name, &text, &len); i++) {
        sr_form *form = parse(text);
        char *out = NULL;
        assert_int_equal(sr_form_export_redcap(form, &out, NULL), SR_OK);
        assert_true(strncmp(out,
                            "Variable / Field Name,Form Name,Section Header,Field Type,Field "
                            "Label,\"Choices, Calculations, OR Slider Labels\",Field Note,Text "
                            "Validation Type OR Show Slider Number,Text Validation Min,Text "
                            "Validation Max,Identifier?,Branching Logic (Show field only "
                            "if...),Required Field?,Custom Alignment,Question Number (surveys "
                            "only),Matrix Group Name,Matrix Ranking?,Field Annotation\r\n",
                            200) == 0);
        if (strcmp(sr_form_id(form), "sig-experience") == 0) {
            assert_non_null(strstr(out, "[answered_by] <> 'declined'"));
            assert_non_null(strstr(out, "felt_safe,sig_experience,,slider,"));
            assert_non_null(strstr(out, ",Inte alls | Delvis | Helt och hållet,,number,1,5,"));
        }
        if (strcmp(sr_form_id(form), "sig-intervention") == 0)
            assert_non_null(strstr(out, "[plan_followed] = 'partly' or [plan_followed] = 'no'"));
        if (strcmp(sr_form_id(form), "sig-intake") == 0) {
            assert_non_null(strstr(out, "[consent_young_person] = '1'"));
            assert_non_null(strstr(out, "girl, Flicka | boy, Pojke | other, Annat | not_stated"));
            assert_non_null(strstr(out, "@SIGREG-MISSING='not_stated'"));
            assert_non_null(strstr(out, "date_ymd,2018-01-01,today"));
        }
        free(out);
        sr_form_free(form);
    }
}

static const char *const HEADER =
    "Variable / Field Name,Form Name,Section Header,Field Type,Field Label,"
    "\"Choices, Calculations, OR Slider Labels\",Field Note,"
    "Text Validation Type OR Show Slider Number,Text Validation Min,Text Validation Max,"
    "Identifier?,Branching Logic (Show field only if...),Required Field?,Custom Alignment,"
    "Question Number (surveys only),Matrix Group Name,Matrix Ranking?,Field Annotation\n"
    "record_id,my_form,,text,Record ID,,,,,,,,,,,,,\n";

/* Imports rows after the header; asserts a refusal that mentions each of
 * the expected strings. */
static void refused_redcap(const char *rows, const char *path, const char *mention)
{
    size_t n = strlen(HEADER) + strlen(rows) + 1;
    char *text = malloc(n);
    snprintf(text, n, "%s%s", HEADER, rows);
    sr_form_import_options opts = SR_FORM_IMPORT_OPTIONS_INIT;
    opts.phase = "intake";
    char *json = NULL;
    sr_problems *p = sr_problems_new();
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_form_import_redcap(text, strlen(text), &opts, &json, p, &err),
                     SR_ERR_INVALID);
    assert_null(json);
    int found = 0;
    for (size_t i = 0; i < sr_problems_count(p); i++)
        found |= strcmp(sr_problems_path(p, i), path) == 0 &&
                 strstr(sr_problems_message(p, i), mention) != NULL;
    if (!found)
        print_problems(p);
    assert_true(found);
    for (size_t i = 0; i < sr_problems_count(p); i++)
        assert_null(strstr(sr_problems_message(p, i), "--"));
    sr_problems_free(p);
    free(text);
}

static void test_redcap_refusals(void **state)
{
    (void)state;
    refused_redcap("bmi,my_form,,calc,BMI,[w]/([h]*[h]),,,,,,,,,,,,\n", "bmi", "calculated field");
    refused_redcap("a,my_form,,text,Hej [name],,,,,,,,,,,,,\n", "a", "piping '[name]'");
    refused_redcap("a,my_form,,yesno,A,,,,,,,[b] = '1',,,,,,\nb,my_form,,yesno,B,,,,,,,,,,,,,\n",
                   "a", "does not come before it");
    refused_redcap("a,my_form,,radio,A,\"1, X | 2, Y\",,,,,,,,,,m,y,\n", "a", "matrix ranking");
    refused_redcap("a,my_form,,text,A,,,email,,,,,,,,,,\n", "a", "validation 'email'");
    refused_redcap("a,my_form,,radio,A,\"1, X | -1, Y\",,,,,,,,,,,,\n", "a", "code '-1'");
    refused_redcap("a,my_form,,yesno,A,,,,,,,,,,,,,@HIDDEN\n", "a", "@HIDDEN");
    refused_redcap("a,my_form,,text,A,,,integer,,,,,,,,,,\n"
                   "b,my_form,,yesno,B,,,,,,,datediff([a],'today','y') > 3,,,,,,\n",
                   "b", "function 'datediff'");
    refused_redcap("a,my_form,,file,A,,,,,,,,,,,,,\n", "a", "file upload");
    /* A group that fails at the very end of the logic (found by fuzzing:
     * the parser stepped past the end). */
    refused_redcap("a,my_form,,yesno,A,,,,,,,,,,,,,\nb,my_form,,yesno,B,,,,,,,([a] =,,,,,,\n", "b",
                   "expected a value");
    refused_redcap("A b,my_form,,text,A,,,,,,,,,,,,,\n", "A b", "not a sigreg item id");
    refused_redcap("a,my_form,,text,\xC5lder,,,,,,,,,,,,,\n", "row 3", "not UTF-8");
}

static void test_redcap_csv_quirks(void **state)
{
    (void)state;
    /* A BOM, CRLF, quoted commas, doubled quotes and a line break in a label,
     * an empty trailing line; logic with not-blank, and/or, <> and a box. */
    const char *text =
        "\xEF\xBB\xBFVariable / Field Name,Form Name,Section Header,Field Type,Field Label,"
        "\"Choices, Calculations, OR Slider Labels\",Field Note,"
        "Text Validation Type OR Show Slider Number,Text Validation Min,Text Validation Max,"
        "Identifier?,Branching Logic (Show field only if...),Required Field?\r\n"
        "record_id,demo_form,,text,Record ID,,,,,,,,\r\n"
        "age,demo_form,Om dig,text,\"Ålder, i år\",,,integer,0,120,,,y\r\n"
        "pets,demo_form,,checkbox,\"Djur \"\"hemma\"\"\nfler rader\",\"1, Katt | 2, "
        "Hund\",,,,,y,,\r\n"
        "why,demo_form,,notes,Varför?,,,,,,,\"[age] <> '' and ([pets(2)] = '1' or [age] > "
        "15)\",\r\n"
        "\r\n";
    sr_form_import_options opts = SR_FORM_IMPORT_OPTIONS_INIT;
    opts.phase = "intake";
    sr_problems *p = sr_problems_new();
    sr_form *f = import(sr_form_import_redcap, text, &opts, p);
    assert_string_equal(sr_form_id(f), "demo-form");
    assert_int_equal(sr_form_item_count(f), 4);
    sr_item_info info;
    sr_form_item(f, 0, "sv", &info);
    assert_int_equal(info.type, SR_ITEM_SECTION);
    assert_string_equal(info.label, "Om dig");
    sr_form_item(f, 1, "sv", &info);
    assert_string_equal(info.label, "Ålder, i år");
    assert_int_equal(info.type, SR_ITEM_INTEGER);
    assert_true(info.required && info.has_max && info.max == 120);
    sr_form_item(f, 2, "sv", &info);
    assert_string_equal(info.label, "Djur \"hemma\"\nfler rader");
    assert_true(info.identifying);
    assert_int_equal(info.option_count, 2);
    const char *code, *label;
    sr_form_option(f, 2, 1, "sv", &code, &label, NULL);
    assert_string_equal(code, "2");
    assert_string_equal(label, "Hund");
    /* The condition holds as REDCap would evaluate it. */
    const char *answers[][2] = {{"{\"age\":20,\"why\":\"x\"}", "ok"},
                                {"{\"age\":10,\"pets\":[\"2\"],\"why\":\"x\"}", "ok"},
                                {"{\"age\":10,\"pets\":[\"1\"],\"why\":\"x\"}", "bad"},
                                {"{\"why\":\"x\"}", "bad"}};
    for (size_t k = 0; k < 4; k++) {
        sr_problems *ap = sr_problems_new();
        sr_status rc = sr_form_check_answers(f, answers[k][0], strlen(answers[k][0]), ap, NULL);
        assert_int_equal(rc, strcmp(answers[k][1], "ok") == 0 ? SR_OK : SR_ERR_INVALID);
        sr_problems_free(ap);
    }
    sr_form_free(f);
    sr_problems_free(p);
}

static void test_fhir_refusals(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"{\"linkId\":\"a\",\"type\":\"attachment\",\"text\":\"A\"}", "a", "'attachment'"},
        {"{\"linkId\":\"a\",\"type\":\"choice\",\"text\":\"A\",\"answerValueSet\":\"http://x\"}",
         "a", "answerValueSet"},
        {"{\"linkId\":\"a\",\"type\":\"boolean\",\"text\":\"A\",\"enableWhen\":[{\"question\":"
         "\"b\","
         "\"operator\":\"exists\",\"answerBoolean\":true}]},{\"linkId\":\"b\",\"type\":\"boolean\","
         "\"text\":\"B\"}",
         "a", "does not come before it"},
        {"{\"linkId\":\"g\",\"type\":\"group\",\"text\":\"G\",\"repeats\":true,\"item\":[{"
         "\"linkId\":"
         "\"a\",\"type\":\"boolean\",\"text\":\"A\"}]}",
         "g", "repeating group"},
        {"{\"linkId\":\"g\",\"type\":\"group\",\"text\":\"G\",\"item\":[{\"linkId\":\"h\",\"type\":"
         "\"group\",\"text\":\"H\",\"item\":[{\"linkId\":\"a\",\"type\":\"boolean\",\"text\":\"A\"}"
         "]}]}",
         "h", "group inside a group"},
        {"{\"linkId\":\"a\",\"type\":\"decimal\",\"text\":\"A\",\"extension\":[{\"url\":\"http://"
         "hl7."
         "org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression\"}]}",
         "a", "calculated value"},
        {"{\"linkId\":\"1.1\",\"type\":\"boolean\",\"text\":\"A\"}", "1.1", "not a sigreg item id"},
        /* Only the initial value sigreg writes, the birth year, comes in. */
        {"{\"linkId\":\"a\",\"type\":\"integer\",\"text\":\"A\",\"extension\":[{\"url\":\"http://"
         "hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-initialExpression\","
         "\"valueExpression\":{\"language\":\"text/fhirpath\",\"expression\":\"%patient.age\"}}]}",
         "a", "'%patient.age'"},
        /* A constraint is refused unless it is a consent rule as sigreg writes it. */
        {"{\"linkId\":\"a\",\"type\":\"boolean\",\"text\":\"A\",\"extension\":[{\"url\":\"http://"
         "hl7.org/fhir/StructureDefinition/questionnaire-constraint\",\"extension\":[{\"url\":"
         "\"key\",\"valueId\":\"k\"},{\"url\":\"severity\",\"valueCode\":\"error\"},{\"url\":"
         "\"expression\",\"valueString\":\"answer.exists()\"},{\"url\":\"human\",\"valueString\":"
         "\"H\"}]}]}",
         "a", "a constraint"},
        {"{\"linkId\":\"a\",\"type\":\"boolean\",\"text\":\"A\",\"extension\":[{\"url\":"
         "\"urn:sigreg:fhir:StructureDefinition:consent\",\"extension\":[{\"url\":\"given\","
         "\"valueBoolean\":true}]}]}",
         "a", "no constraint beside it"},
        {"{\"linkId\":\"a\",\"type\":\"choice\",\"text\":\"A\",\"answerOption\":[{\"valueCoding\":{"
         "\"code\":\"LA6568-5\",\"display\":\"Not at all\"}}]}",
         "a", "'LA6568-5'"},
        {"{\"linkId\":\"a\",\"type\":\"date\",\"text\":\"A\",\"extension\":[{\"url\":\"http://"
         "hl7.org/fhir/StructureDefinition/maxValue\",\"_valueDate\":{\"extension\":[{\"url\":"
         "\"http://hl7.org/fhir/StructureDefinition/cqf-expression\",\"valueExpression\":{"
         "\"language\":\"text/fhirpath\",\"expression\":\"today() - 18 years\"}}]}}]}",
         "a", "'today() - 18 years'"},
        {"{\"linkId\":\"a\",\"type\":\"integer\",\"text\":\"A\",\"extension\":[{\"url\":\"http:"
         "//hl7.org/fhir/StructureDefinition/cqf-expression\",\"valueExpression\":{\"language\":"
         "\"text/cql\",\"expression\":\"CalculateTotalScore\"}}]}",
         "a", "a calculated value"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char text[2000];
        snprintf(text, sizeof text,
                 "{\"resourceType\":\"Questionnaire\",\"name\":\"t\",\"status\":\"draft\","
                 "\"item\":[%s]}",
                 cases[k][0]);
        sr_form_import_options opts = SR_FORM_IMPORT_OPTIONS_INIT;
        opts.phase = "intake";
        char *json = NULL;
        sr_problems *p = sr_problems_new();
        assert_int_equal(sr_form_import_fhir(text, strlen(text), &opts, &json, p, NULL),
                         SR_ERR_INVALID);
        int found = 0;
        for (size_t i = 0; i < sr_problems_count(p); i++)
            found |= strcmp(sr_problems_path(p, i), cases[k][1]) == 0 &&
                     strstr(sr_problems_message(p, i), cases[k][2]) != NULL;
        if (!found)
            print_problems(p);
        assert_true(found);
        sr_problems_free(p);
    }
}

static void test_xlsform(void **state)
{
    (void)state;
    const char *name, *text;
    size_t len;
    for (size_t i = 0; sr_form_shipped(i, &name, &text, &len); i++) {
        sr_form *form = parse(text);
        char *survey = NULL, *choices = NULL;
        assert_int_equal(sr_form_export_xlsform(form, &survey, &choices, NULL), SR_OK);
        assert_true(strncmp(survey, "type,name,label::Svenska (sv),label::English (en)", 48) == 0);
        assert_true(strncmp(choices, "list_name,name,label::Svenska (sv)", 34) == 0);
        if (strcmp(sr_form_id(form), "sig-intake") == 0) {
            assert_non_null(strstr(survey, "select_one sex,sex,Kön,Sex"));
            assert_non_null(strstr(survey, "${consent_young_person} = 'true'"));
            assert_non_null(strstr(survey, ". >= date('2018-01-01') and . <= today()"));
            assert_non_null(
                strstr(choices, "sex,not_stated,Vill inte ange,Prefers not to say,yes"));
        }
        if (strcmp(sr_form_id(form), "sig-experience") == 0) {
            assert_non_null(strstr(survey, "not(${answered_by} = 'declined')"));
            assert_non_null(strstr(survey, "start=1 end=5 step=1"));
        }
        free(survey);
        free(choices);
        sr_form_free(form);
    }
}

/* Definitions others wrote, kept in tests/interop/<format>/<name>/ with a
 * SOURCE file: "expected" says the format, "ok" or "refused", then lines of
 * "path<TAB>text" that some problem (or, for ok, item id<TAB>label) holds. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static const size_t max = 1 << 20;
    char *buf = malloc(max);
    size_t n = fread(buf, 1, max - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_foreign_definitions(void **state)
{
    (void)state;
    const char *formats[] = {"fhir", "redcap"};
    size_t checked = 0;
    for (size_t k = 0; k < 2; k++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/tests/interop/%s", SIGREG_SOURCE_DIR, formats[k]);
        DIR *d = opendir(dir);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char path[1024];
            snprintf(path, sizeof path, "%s/%s/SOURCE", dir, e->d_name);
            char *source = slurp(path);
            assert_non_null(source); /* every definition names where it came from */
            free(source);
            snprintf(path, sizeof path, "%s/%s/expected", dir, e->d_name);
            char *expected = slurp(path);
            assert_non_null(expected);
            snprintf(path, sizeof path, "%s/%s/%s", dir, e->d_name,
                     k == 0 ? "questionnaire.json" : "dictionary.csv");
            char *text = slurp(path);
            assert_non_null(text);
            sr_form_import_options opts = SR_FORM_IMPORT_OPTIONS_INIT;
            opts.phase = "intake";
            /* expected: format, verdict, then "path<TAB>text" lines; a path
             * "@instrument" picks a REDCap instrument; a text "=CODE LABEL"
             * asks for an option of the item. */
            char *lines[64];
            size_t nl = 0;
            char *save = NULL;
            for (char *line = strtok_r(expected, "\n", &save); line && nl < 64;
                 line = strtok_r(NULL, "\n", &save))
                lines[nl++] = line;
            assert_true(nl >= 2);
            for (size_t l = 2; l < nl; l++)
                if (strncmp(lines[l], "@instrument\t", 12) == 0)
                    opts.instrument = lines[l] + 12;
            char *json = NULL;
            sr_problems *p = sr_problems_new();
            sr_status rc = (k == 0 ? sr_form_import_fhir : sr_form_import_redcap)(
                text, strlen(text), &opts, &json, p, NULL);
            print_message("%s/%s: %s, %zu problems\n", formats[k], e->d_name,
                          rc == SR_OK ? "imported" : "refused", sr_problems_count(p));
            if (rc != SR_OK && strcmp(lines[1], "ok") == 0)
                print_problems(p);
            assert_int_equal(rc == SR_OK, strcmp(lines[1], "ok") == 0);
            sr_form *f = rc == SR_OK ? parse(json) : NULL;
            for (size_t l = 2; l < nl; l++) {
                char *line = lines[l];
                if (line[0] == '@')
                    continue;
                char *tab = strchr(line, '\t');
                assert_non_null(tab);
                *tab = '\0';
                const char *want = tab + 1;
                int found = 0;
                for (size_t i = 0; !f && i < sr_problems_count(p); i++)
                    found |= strcmp(sr_problems_path(p, i), line) == 0 &&
                             strstr(sr_problems_message(p, i), want) != NULL;
                long at = f ? sr_form_item_index(f, line) : -1;
                if (at >= 0 && want[0] == '=') {
                    const char *space = strchr(want, ' ');
                    sr_item_info info;
                    sr_form_item(f, (size_t)at, "sv", &info);
                    for (size_t o = 0; space && o < info.option_count; o++) {
                        const char *code, *label;
                        sr_form_option(f, (size_t)at, o, "sv", &code, &label, NULL);
                        found |= strncmp(code, want + 1, (size_t)(space - want - 1)) == 0 &&
                                 code[space - want - 1] == '\0' && strcmp(label, space + 1) == 0;
                    }
                } else if (at >= 0) {
                    sr_item_info info;
                    sr_form_item(f, (size_t)at, "sv", &info);
                    found = info.label && strstr(info.label, want) != NULL;
                }
                if (!found)
                    print_message("  not found: %s: %s\n", line, want);
                assert_true(found);
            }
            sr_form_free(f);
            free(json);
            sr_problems_free(p);
            free(text);
            free(expected);
            checked++;
        }
        closedir(d);
    }
    assert_true(checked >= 6);
}

static void test_questionnaire_response(void **state)
{
    (void)state;
    sr_form *form = parse(RICH);
    const char *answers = "{\"a\":\"dk\",\"n\":7,\"d\":1.5,"
                          "\"t\":\"2021-07-01\",\"b\":false,\"txt\":\"fritt\"}";
    sr_fhir_response_meta meta = {"ABCD-EFGH-12", "ABCD-EFGH", "2025-03-01", 2, 1};
    char *out = NULL;
    sr_error err;
    sr_error_clear(&err);
    sr_status rc = sr_form_response_fhir(form, &meta, answers, &out, &err);
    if (rc != SR_OK)
        print_message("%s\n", err.message);
    assert_int_equal(rc, SR_OK);
    const char *expected[] = {
        "\"resourceType\": \"QuestionnaireResponse\"",
        "\"questionnaire\": \"urn:sigreg:form:rich|3\"",
        "\"authored\": \"2025-03-01\"",
        "\"versionId\": \"2\"",
        "\"value\": \"ABCD-EFGH\"",
        "\"valueCoding\": {\n            \"code\": \"dk\",\n            \"display\": \"Vet ej\"",
        "\"linkId\": \"sec\"",
        "\"valueInteger\": 7",
        "\"valueDecimal\": 1.5",
        "\"valueDate\": \"2021-07-01\"",
        "\"valueBoolean\": false",
        "\"valueString\": \"fritt\""};
    for (size_t k = 0; k < sizeof expected / sizeof expected[0]; k++) {
        if (!strstr(out, expected[k]))
            print_message("missing %s in\n%s\n", expected[k], out);
        assert_non_null(strstr(out, expected[k]));
    }
    /* "end" is a section with nothing answered under it: left out. */
    assert_null(strstr(out, "\"linkId\": \"end\""));
    free(out);
    /* Answers that do not fit the form are refused. */
    assert_int_equal(sr_form_response_fhir(form, &meta, "{\"n\":99}", &out, NULL), SR_ERR_INVALID);
    assert_null(out);
    sr_form_free(form);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_redcap),
        cmocka_unit_test(test_round_trip_fhir),
        cmocka_unit_test(test_round_trip_rich),
        cmocka_unit_test(test_equal_sees_changes),
        cmocka_unit_test(test_equal_sees_extensions),
        cmocka_unit_test(test_extensions_mapped),
        cmocka_unit_test(test_redcap_columns_and_logic),
        cmocka_unit_test(test_redcap_refusals),
        cmocka_unit_test(test_redcap_csv_quirks),
        cmocka_unit_test(test_fhir_refusals),
        cmocka_unit_test(test_xlsform),
        cmocka_unit_test(test_foreign_definitions),
        cmocka_unit_test(test_questionnaire_response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
