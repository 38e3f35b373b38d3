/*
 * test_coded.c - the coded answers that summaries read (white-box): every
 * item type encoded and decoded back, edge values, the exact layout, free
 * text that leaves no content behind, and damaged blobs and unvalidated
 * answers refused rather than read as something else.
 */
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coded.h"
#include "form_int.h"

static const char FORM[] =
    "{\"format\":\"sigreg-form/1\",\"id\":\"coded-test\",\"version\":1,\"phase\":\"intake\","
    "\"title\":\"Kodtest\",\"items\":["
    "{\"id\":\"h\",\"type\":\"section\",\"label\":\"Rubrik\"},"
    "{\"id\":\"b\",\"type\":\"boolean\",\"label\":\"B\"},"
    "{\"id\":\"c\",\"type\":\"choice\",\"label\":\"C\",\"options\":["
    "{\"code\":\"a\",\"label\":\"A\"},{\"code\":\"b\",\"label\":\"B\"},"
    "{\"code\":\"c\",\"label\":\"C\",\"missing\":true}]},"
    "{\"id\":\"m\",\"type\":\"multichoice\",\"label\":\"M\",\"options\":["
    "{\"code\":\"x\",\"label\":\"X\"},{\"code\":\"y\",\"label\":\"Y\"},"
    "{\"code\":\"z\",\"label\":\"Z\"}]},"
    "{\"id\":\"i\",\"type\":\"integer\",\"label\":\"I\"},"
    "{\"id\":\"d\",\"type\":\"decimal\",\"label\":\"D\"},"
    "{\"id\":\"s\",\"type\":\"scale\",\"min\":0,\"max\":100,\"label\":\"S\"},"
    "{\"id\":\"dt\",\"type\":\"date\",\"label\":\"Datum\"},"
    "{\"id\":\"t\",\"type\":\"text\",\"label\":\"T\"},"
    "{\"id\":\"k\",\"type\":\"integer\",\"min\":-5,\"max\":5,\"label\":\"K\"}]}";

enum { H, B, C, M, I, D, S, DT, T, K, ITEMS };

static sr_form *parse_form(void)
{
    sr_form *form = NULL;
    sr_error err;
    sr_error_clear(&err);
    sr_problems *problems = sr_problems_new();
    if (sr_form_parse(FORM, strlen(FORM), &form, problems, &err) != SR_OK)
        fail_msg("parse: %s (%s: %s)", err.message,
                 sr_problems_count(problems) ? sr_problems_path(problems, 0) : "",
                 sr_problems_count(problems) ? sr_problems_message(problems, 0) : "");
    sr_problems_free(problems);
    assert_int_equal(form->item_count, ITEMS);
    return form;
}

/* Encodes answers (JSON text); returns the blob (caller frees), or NULL when
 * the encoder refused. */
static unsigned char *encode(const sr_form *form, const char *answers, size_t *len)
{
    json_error_t jerr;
    json_t *a = json_loads(answers, 0, &jerr);
    if (!a)
        fail_msg("bad test JSON %s: %s", answers, jerr.text);
    unsigned char *blob = NULL;
    *len = 0;
    int rc = srp_coded_encode(form, a, &blob, len);
    json_decref(a);
    if (rc != 0) {
        assert_null(blob);
        return NULL;
    }
    assert_non_null(blob);
    return blob;
}

/* Decodes every item; 0 when the whole blob was read exactly, -1 when an
 * item refused, -2 when bytes were left over. */
static int decode(const sr_form *form, const unsigned char *blob, size_t len, srp_coded_value *v)
{
    size_t pos = 0;
    for (size_t i = 0; i < form->item_count; i++)
        if (srp_coded_next(form, i, blob, len, &pos, &v[i]) != 0)
            return -1;
    return pos == len ? 0 : -2;
}

static void test_round_trip_every_type(void **state)
{
    (void)state;
    sr_form *form = parse_form();
    srp_coded_value v[ITEMS];
    size_t len = 0;

    unsigned char *blob =
        encode(form,
               "{\"b\":true,\"c\":\"a\",\"m\":[\"z\",\"x\"],\"i\":0,\"d\":0.1,\"s\":0,"
               "\"dt\":\"1970-01-01\",\"t\":\"hemlig text\",\"k\":-5}",
               &len);
    /* Presence bytes for all ten; section 0, boolean 1, choice 2,
     * multichoice 2 + 2*2, integer, decimal and scale 8 each, date 4, text
     * 0, k 8: 10 + 1 + 2 + 6 + 24 + 4 + 8 = 55. */
    assert_int_equal(len, 55);
    assert_int_equal(decode(form, blob, len, v), 0);
    assert_false(v[H].present);
    assert_true(v[B].present);
    assert_int_equal(v[B].boolean, 1);
    assert_int_equal(v[C].option, 0);
    assert_int_equal(v[M].multi_count, 2);
    assert_int_equal(srp_coded_multi_at(&v[M], 0), 2); /* in the order given */
    assert_int_equal(srp_coded_multi_at(&v[M], 1), 0);
    assert_true(v[I].present && v[I].number == 0.0);
    assert_true(v[D].number == 0.1);
    assert_true(v[S].present && v[S].number == 0.0);
    assert_true(v[DT].present);
    assert_int_equal(v[DT].day, 0);
    assert_true(v[T].present);
    assert_true(v[K].number == -5.0);
    /* Free text is coded as present, never its content. */
    assert_null(memmem(blob, len, "hemlig", 6));
    free(blob);

    blob = encode(form,
                  "{\"b\":false,\"c\":\"c\",\"m\":[],\"i\":-9007199254740992,\"d\":-2.5,"
                  "\"s\":100,\"dt\":\"1969-12-31\",\"t\":\"\",\"k\":5}",
                  &len);
    assert_int_equal(decode(form, blob, len, v), 0);
    assert_true(v[B].present);
    assert_int_equal(v[B].boolean, 0);
    assert_int_equal(v[C].option, 2); /* the last option, a 'missing' one */
    assert_true(v[M].present);        /* an empty selection is an answer */
    assert_int_equal(v[M].multi_count, 0);
    assert_true(v[I].number == -9007199254740992.0); /* -2^53, exact */
    assert_true(v[D].number == -2.5);
    assert_true(v[S].number == 100.0);
    assert_int_equal(v[DT].day, -1);
    assert_true(v[T].present);
    assert_true(v[K].number == 5.0);
    free(blob);

    blob = encode(form,
                  "{\"m\":[\"x\",\"y\",\"z\"],\"i\":9007199254740992,\"d\":1e-9,"
                  "\"dt\":\"2000-02-29\"}",
                  &len);
    assert_int_equal(decode(form, blob, len, v), 0);
    assert_false(v[B].present);
    assert_false(v[C].present);
    assert_int_equal(v[M].multi_count, 3);
    for (int k = 0; k < 3; k++)
        assert_int_equal(srp_coded_multi_at(&v[M], (size_t)k), k);
    assert_true(v[I].number == 9007199254740992.0); /* 2^53 */
    assert_true(v[D].number == 1e-9);
    assert_int_equal(v[DT].day, 11016);
    assert_false(v[T].present);
    free(blob);

    /* Nothing answered, or null: one absent byte per item. */
    const char *empty[] = {"{}", "{\"b\":null,\"c\":null,\"m\":null,\"t\":null}"};
    for (int e = 0; e < 2; e++) {
        blob = encode(form, empty[e], &len);
        assert_int_equal(len, ITEMS);
        assert_int_equal(decode(form, blob, len, v), 0);
        for (int k = 0; k < ITEMS; k++)
            assert_false(v[k].present);
        free(blob);
    }
    sr_form_free(form);
}

static void test_days_from_date(void **state)
{
    (void)state;
    /* Days since 1970-01-01, computed independently (Python's date). */
    static const struct {
        const char *date;
        int32_t days;
    } cases[] = {
        {"1970-01-01", 0},       {"1969-12-31", -1},     {"2000-02-29", 11016},
        {"2025-02-01", 20120},   {"1900-03-01", -25508}, {"2100-03-01", 47541},
        {"9999-12-31", 2932896}, {"1800-01-01", -62091},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        if (srp_days_from_date(cases[k].date) != cases[k].days)
            fail_msg("%s: %d, expected %d", cases[k].date, srp_days_from_date(cases[k].date),
                     cases[k].days);
    /* Consecutive days are one apart across month, leap and year ends. */
    assert_int_equal(srp_days_from_date("2024-03-01") - srp_days_from_date("2024-02-28"), 2);
    assert_int_equal(srp_days_from_date("2023-03-01") - srp_days_from_date("2023-02-28"), 1);
    assert_int_equal(srp_days_from_date("2025-01-01") - srp_days_from_date("2024-12-31"), 1);
}

/* A valid blob with every item present, to damage. */
static unsigned char *full_blob(const sr_form *form, size_t *len)
{
    return encode(form,
                  "{\"b\":true,\"c\":\"b\",\"m\":[\"y\"],\"i\":7,\"d\":1.5,\"s\":50,"
                  "\"dt\":\"2025-02-01\",\"t\":\"x\",\"k\":1}",
                  len);
}

/* Offsets in full_blob's layout. */
enum {
    AT_H = 0,
    AT_B = 1,  /* presence, then the truth byte at 2 */
    AT_C = 3,  /* presence, index at 4..5 */
    AT_M = 6,  /* presence, count at 7..8, the index at 9..10 */
    AT_I = 11, /* presence, double at 12..19 */
    AT_D = 20,
    AT_S = 29,
    AT_DT = 38, /* presence, int32 at 39..42 */
    AT_T = 43,
    AT_K = 44,
    FULL = 53
};

static void expect_damaged(const sr_form *form, const unsigned char *blob, size_t len,
                           const char *what)
{
    srp_coded_value v[ITEMS];
    if (decode(form, blob, len, v) != -1)
        fail_msg("%s: read as if whole", what);
}

static void put_double(unsigned char *at, double d)
{
    memcpy(at, &d, sizeof d);
}

static void test_damaged_blobs_refused(void **state)
{
    (void)state;
    sr_form *form = parse_form();
    size_t len = 0;
    unsigned char *good = full_blob(form, &len);
    assert_int_equal(len, FULL);
    srp_coded_value v[ITEMS];
    assert_int_equal(decode(form, good, len, v), 0);
    assert_int_equal(v[C].option, 1);
    assert_int_equal(srp_coded_multi_at(&v[M], 0), 1);
    assert_int_equal(v[DT].day, 20120);

    /* Every truncation fails, at whichever item it cuts. */
    for (size_t cut = 0; cut < len; cut++) {
        char what[32];
        snprintf(what, sizeof what, "cut at %zu", cut);
        expect_damaged(form, good, cut, what);
    }
    /* Bytes after the last item are the caller's to notice. */
    unsigned char longer[FULL + 1];
    memcpy(longer, good, len);
    longer[len] = 0;
    assert_int_equal(decode(form, longer, len + 1, v), -2);

    unsigned char bad[FULL];
#define DAMAGE(stmt, what)                                                                         \
    do {                                                                                           \
        memcpy(bad, good, len);                                                                    \
        stmt;                                                                                      \
        expect_damaged(form, bad, len, what);                                                      \
    } while (0)
    DAMAGE(bad[AT_H] = 1, "a section marked answered");
    DAMAGE(bad[AT_B] = 2, "presence byte 2");
    DAMAGE(bad[AT_B + 1] = 2, "truth byte 2");
    DAMAGE(bad[AT_C + 1] = 3, "choice index 3 of 3 options");
    DAMAGE((bad[AT_C + 1] = 0xFF, bad[AT_C + 2] = 0xFF), "choice index 65535");
    DAMAGE(bad[AT_M + 3] = 3, "multichoice index 3 of 3 options");
    DAMAGE(bad[AT_M + 1] = 2, "multichoice count 2 for 1 index");
    DAMAGE((bad[AT_M + 1] = 0xFF, bad[AT_M + 2] = 0xFF), "multichoice count 65535");
    DAMAGE(put_double(bad + AT_I + 1, NAN), "integer NaN");
    DAMAGE(put_double(bad + AT_I + 1, INFINITY), "integer infinity");
    DAMAGE(put_double(bad + AT_I + 1, 2.5), "integer 2.5");
    DAMAGE(put_double(bad + AT_D + 1, -INFINITY), "decimal -infinity");
    DAMAGE(put_double(bad + AT_D + 1, NAN), "decimal NaN");
    DAMAGE(put_double(bad + AT_S + 1, 101), "scale 101 on 0..100");
    DAMAGE(put_double(bad + AT_S + 1, -1), "scale -1 on 0..100");
    DAMAGE(put_double(bad + AT_S + 1, 50.5), "scale 50.5");
    DAMAGE(put_double(bad + AT_K + 1, 6), "integer 6 on -5..5");
    DAMAGE(put_double(bad + AT_K + 1, -6), "integer -6 on -5..5");
#undef DAMAGE
    /* The edges themselves are fine. */
    memcpy(bad, good, len);
    put_double(bad + AT_S + 1, 100);
    put_double(bad + AT_K + 1, -5);
    put_double(bad + AT_D + 1, -1e300);
    assert_int_equal(decode(form, bad, len, v), 0);
    assert_true(v[S].number == 100 && v[K].number == -5 && v[D].number == -1e300);
    free(good);
    sr_form_free(form);
}

static void test_unvalidated_answers_refused(void **state)
{
    (void)state;
    sr_form *form = parse_form();
    size_t len = 0;
    /* Never coded as something else: an unknown code is not the first
     * option, a number is not a code, a string is not a number. */
    static const char *const refused[] = {
        "{\"c\":\"nope\"}",
        "{\"c\":1}",
        "{\"m\":[\"x\",\"nope\"]}",
        "{\"m\":[1]}",
        "{\"m\":\"x\"}",
        "{\"i\":\"7\"}",
        "{\"s\":true}",
        "{\"b\":\"true\"}",
        "{\"dt\":\"2025-02-30\"}",
        "{\"dt\":20120}",
        "{\"dt\":\"1799-12-31\"}",
    };
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        unsigned char *blob = encode(form, refused[k], &len);
        if (blob) {
            free(blob);
            fail_msg("%s was coded", refused[k]);
        }
    }
    sr_form_free(form);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_every_type),
        cmocka_unit_test(test_days_from_date),
        cmocka_unit_test(test_damaged_blobs_refused),
        cmocka_unit_test(test_unvalidated_answers_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
