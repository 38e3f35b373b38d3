/*
 * test_extract_dict.c - the extract's data dictionary (white-box): one
 * codebook row per variable with the contract's columns; a value-label row
 * per code with its ordered position and missing flag; the R, Stata and SPSS
 * files load each coded variable with its labels, quote what needs quoting,
 * and name missing codes.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "extract_dict.h"

static srp_dict *sample(void)
{
    srp_dict *d = srp_dict_new();
    assert_non_null(d);
    srp_dict_var(d, "cases.csv", "person", "Slumpat id", "Random id", "text", SRP_DICT_TEXT, 0, "",
                 NULL, NULL);
    srp_dict_var(d, "cases.csv", "intake_need", "Behov, \"brott\"", "Need", "choice",
                 SRP_DICT_CODED, 0, "", "sig-intake", "1,2");
    srp_dict_value(d, "none", "Inget", "None", 1, 0);
    srp_dict_value(d, "some", "Visst", "Some", 2, 0);
    srp_dict_value(d, "unknown", "Vet ej", "Don't know", 0, 1);
    srp_dict_var(d, "cases.csv", "intake_sex", "Kön", "Sex", "choice", SRP_DICT_CODED, 1,
                 "blanked where it made a record stand out", "sig-intake", "1");
    srp_dict_value(d, "girl", "Flicka", "Girl", 0, 0);
    srp_dict_value(d, "boy", "Pojke", "Boy", 0, 0);
    srp_dict_var(d, "cases.csv", "intake_meetings", "Antal möten", NULL, "integer", SRP_DICT_NUMBER,
                 0, "", "sig-intake", "1");
    srp_dict_var(d, "interventions.csv", "person", "Slumpat id", NULL, "text", SRP_DICT_TEXT, 0, "",
                 NULL, NULL);
    srp_dict_var(d, "interventions.csv",
                 "intervention_actors__a_name_well_over_thirty_two_characters", "Aktörer: x", NULL,
                 "0/1", SRP_DICT_FLAG, 0, "", "sig-intervention", "1");
    srp_dict_value(d, "1", "Vald", "Selected", 0, 0);
    srp_dict_value(d, "0", "Ej vald", "Not selected", 0, 0);
    assert_false(srp_dict_oom(d));
    return d;
}

static char *render(void (*fn)(const srp_dict *, srp_buf *), const srp_dict *d)
{
    srp_buf b = SRP_BUF_INIT;
    fn(d, &b);
    assert_false(b.oom);
    return srp_buf_take(&b);
}

static void test_codebook_and_value_labels(void **state)
{
    (void)state;
    srp_dict *d = sample();
    char *cb = render(srp_dict_codebook, d);
    assert_non_null(strstr(cb, "variable,label,label_en,type,codes,quasi_identifier,coarsening,"
                               "file,form,version\r\n"));
    /* quoted label, a count of codes, not a quasi-identifier, versions quoted */
    assert_non_null(strstr(cb, "intake_need,\"Behov, \"\"brott\"\"\",Need,choice,3 codes in "
                               "value_labels.csv,no,,cases.csv,sig-intake,\"1,2\"\r\n"));
    assert_non_null(strstr(cb, "intake_sex,Kön,Sex,choice,2 codes in value_labels.csv,yes,"
                               "blanked where it made a record stand out,cases.csv,"));
    /* no English label: the Swedish one */
    assert_non_null(strstr(cb, "intake_meetings,Antal möten,Antal möten,integer,,no,"));
    size_t rows = 0;
    for (const char *p = cb; (p = strstr(p, "\r\n")); p += 2)
        rows++;
    assert_int_equal(rows, 1 + 6);
    char *vl = render(srp_dict_value_labels, d);
    assert_non_null(strstr(vl, "variable,code,label_sv,label_en,order,missing\r\n"));
    assert_non_null(strstr(vl, "intake_need,none,Inget,None,1,false\r\n"));
    assert_non_null(strstr(vl, "intake_need,unknown,Vet ej,Don't know,,true\r\n"));
    assert_non_null(strstr(vl, "intake_sex,girl,Flicka,Girl,,false\r\n"));
    free(cb);
    free(vl);
    srp_dict_free(d);
    srp_dict_free(NULL);
}

static void test_syntax_files(void **state)
{
    (void)state;
    srp_dict *d = sample();
    char *r = render(srp_dict_r, d);
    assert_non_null(strstr(r, "cases <- read.csv(\"cases.csv\""));
    assert_non_null(strstr(r, "interventions <- read.csv(\"interventions.csv\""));
    assert_non_null(strstr(r, "\"intake_meetings\" = \"numeric\""));
    assert_non_null(strstr(r, "factor(cases[[\"intake_need\"]], levels = c(\"none\", \"some\", "
                              "\"unknown\"),\n    labels = .sigreg_label(c(\"Inget\", \"Visst\", "
                              "\"Vet ej\"), c(\"None\", \"Some\", \"Don't know\")))"));
    assert_non_null(strstr(r, "attr(cases[[\"intake_need\"]], \"missing_levels\") <- "
                              "levels(cases[[\"intake_need\"]])[c(3)]"));
    assert_non_null(strstr(r, ".sigreg_label(\"Behov, \\\"brott\\\"\", \"Need\")"));
    /* 0/1 columns stay integers */
    assert_null(strstr(r, "factor(interventions"));
    char *st = render(srp_dict_stata, d);
    assert_non_null(strstr(st, "replace _sigreg_v = 3 if intake_need == `\"unknown\"'\n"));
    assert_non_null(strstr(st, "label define intake_need 1 `\"Inget\"' 2 `\"Visst\"' 3 "
                               "`\"Vet ej\"', replace\nlabel values intake_need intake_need\n"));
    assert_non_null(strstr(st, "destring intake_meetings, replace\n"));
    assert_non_null(strstr(st, "varnames(nonames) rowrange(2)"));
    assert_non_null(strstr(st, "rename v1 person\nlabel variable person"));
    assert_non_null(strstr(st, "rename v4 intake_meetings\n"));
    assert_non_null(strstr(st, "rename v2 intervention_actors__a_nam_2\n"));
    assert_non_null(strstr(st, "label define intervention_actors__a_nam_2 1 `\"Vald\"' 0"));
    assert_non_null(strstr(st, "save \"interventions.dta\", replace\n"));
    char *sp = render(srp_dict_spss, d);
    assert_non_null(strstr(sp, "GET DATA /TYPE=TXT /FILE='cases.csv'"));
    assert_non_null(strstr(sp, "    intake_meetings F12.3"));
    assert_non_null(strstr(sp, "intake_need 'none' 'Inget' 'some' 'Visst' 'unknown' 'Vet ej'"));
    assert_non_null(strstr(sp, "MISSING VALUES intake_need ('unknown').\n"));
    assert_null(strstr(sp, "MISSING VALUES intake_sex"));
    assert_non_null(strstr(sp, "SAVE OUTFILE='interventions.sav'."));
    free(r);
    free(st);
    free(sp);
    srp_dict_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codebook_and_value_labels),
        cmocka_unit_test(test_syntax_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
