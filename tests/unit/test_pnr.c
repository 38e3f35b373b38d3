/*
 * test_pnr.c - personnummer and samordningsnummer vectors (white-box): every
 * accepted form, every rule, the century rules around the 100th year, and
 * messages that never repeat the number.
 */
#include "testutil.h"

#include <string.h>

#include "pnr.h"

#define TODAY "2026-11-22"

typedef struct valid_case {
    const char *input, *canonical, *birth;
    int coordination;
} valid_case;

static void test_valid_numbers(void **state)
{
    (void)state;
    static const valid_case cases[] = {
        {"201003151238", "201003151238", "2010-03-15", 0},
        {"20100315-1238", "201003151238", "2010-03-15", 0},
        {"1003151238", "201003151238", "2010-03-15", 0},
        {"100315-1238", "201003151238", "2010-03-15", 0},
        {"  100315-1238 ", "201003151238", "2010-03-15", 0},
        {"100315+1238", "191003151238", "1910-03-15", 0}, /* 100 or older */
        {"191003151238", "191003151238", "1910-03-15", 0},
        {"19100315+1238", "191003151238", "1910-03-15", 0}, /* '+' agrees with the year */
        {"201003751235", "201003751235", "2010-03-15", 1},  /* samordningsnummer: day + 60 */
        {"100375-1235", "201003751235", "2010-03-15", 1},
        {"2611221231", "202611221231", "2026-11-22", 0},  /* born today */
        {"261123+1230", "192611231230", "1926-11-23", 0}, /* turns 100 this year: '+' */
        {"3001011232", "193001011232", "1930-01-01", 0},  /* no separator: under 100 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        srp_pnr p;
        sr_error err;
        sr_error_clear(&err);
        if (srp_pnr_parse(cases[i].input, TODAY, &p, &err) != SR_OK)
            fail_msg("'%s' was refused: %s", cases[i].input, err.message);
        assert_string_equal(p.canonical, cases[i].canonical);
        assert_string_equal(p.birth_date, cases[i].birth);
        assert_int_equal(p.coordination, cases[i].coordination);
    }
}

typedef struct invalid_case {
    const char *input, *reason;
} invalid_case;

static void test_invalid_numbers(void **state)
{
    (void)state;
    static const invalid_case cases[] = {
        {"201003151239", "check digit is wrong"},
        {"1003151239", "check digit is wrong"},
        {"201003151", "expected 10 or 12 digits"},
        {"20100315123", "expected 10 or 12 digits"},
        {"2010031512380", "expected 10 or 12 digits"},
        {"", "expected 10 or 12 digits"},
        {"1002301230", "birth date does not exist"}, /* 30 February */
        {"1013011232", "birth date does not exist"}, /* month 13 */
        {"1003921234", "day minus 60"},              /* samordningsnummer, day 32 */
        {"203001011232", "future"},                  /* 2030-01-01 */
        {"3001011232x", "only digits and one"},
        {"2611231230", "future"}, /* tomorrow, with '-' implied */
        {"20100315+1238", "aged 100 or more"},
        {"1003-151238", "before the last four digits"},
        {"100315--1238", "only digits and one"},
        {"10O315-1238", "only digits and one"},
        {"100315 1238", "only digits and one"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        srp_pnr p;
        sr_error err;
        sr_error_clear(&err);
        if (srp_pnr_parse(cases[i].input, TODAY, &p, &err) == SR_OK)
            fail_msg("'%s' was accepted", cases[i].input);
        assert_int_equal(err.status, SR_ERR_INVALID);
        if (!strstr(err.message, cases[i].reason))
            fail_msg("'%s': message '%s' does not say '%s'", cases[i].input, err.message,
                     cases[i].reason);
        /* No message may repeat the digits it was given. */
        assert_null(strstr(err.message, "1238"));
        assert_null(strstr(err.message, "0315"));
    }
}

static void test_null_input(void **state)
{
    (void)state;
    srp_pnr p;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(srp_pnr_parse(NULL, TODAY, &p, &err), SR_ERR_INVALID);
}

/* A Swedish page or dialog gets the same refusals in Swedish, each naming
 * the field, never repeating the digits. */
static void test_swedish_messages(void **state)
{
    (void)state;
    static const struct {
        const char *input, *message;
    } cases[] = {
        {"19121212-1213", "inte ett giltigt personnummer: kontrollsiffran stämmer inte (ett "
                          "skrivfel?)"},
        {"1912121212123", "inte ett personnummer: det ska ha 10 eller 12 siffror"},
        {"191212x1212", "inte ett personnummer: bara siffror och ett '-' eller '+' är tillåtna"},
        {"1912-12121212", "inte ett personnummer: '-' ska stå före de fyra sista siffrorna"},
        {"19121312-1212", "inte ett giltigt personnummer: födelsedatumet finns inte"},
        {"19121292-1212", "inte ett giltigt samordningsnummer: födelsedatumet (dagen minus 60) "
                          "finns inte"},
        {"20991212-1212", "inte ett giltigt personnummer: födelsedatumet ligger i framtiden"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        srp_pnr p;
        sr_error err;
        sr_error_clear(&err);
        assert_int_equal(srp_pnr_parse_lang(cases[i].input, TODAY, "sv", &p, &err), SR_ERR_INVALID);
        assert_string_equal(err.message, cases[i].message);
        assert_string_equal(err.where, "pnr");
        /* And in English. */
        sr_error_clear(&err);
        assert_int_equal(srp_pnr_parse_lang(cases[i].input, TODAY, "en", &p, &err), SR_ERR_INVALID);
        assert_non_null(strstr(err.message, "not a"));
    }
    srp_pnr p;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(srp_pnr_parse_lang("191212121212", TODAY, "sv", &p, &err), SR_OK);
    assert_string_equal(p.canonical, "191212121212");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_numbers),
        cmocka_unit_test(test_invalid_numbers),
        cmocka_unit_test(test_null_input),
        cmocka_unit_test(test_swedish_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
