/*
 * test_cli_args.c - the command line's one parser (src/cli/args.c) against a
 * made-up command: the synopsis made from the declaration, and every way a
 * command line can fit it or not.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "testutil.h"

static int never_run(const cli_args *a, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)a, (void)g, (void)reg, (void)err;
    return CLI_FAIL;
}

static const cli_option demo_options[] = {
    {"out", CLI_ARG | CLI_NEEDED, "out", "FILE", 0},
    {"from", CLI_ARG, "from", "DATE", 0},
    {"json", CLI_FLAG, NULL, NULL, 0},
    {"unit", CLI_ARG | CLI_MANY, "unit", "CODE[,CODE]", 0},
    {"lang", CLI_ARG | CLI_CHOICE, "lang", "sv|en|de", 0},
    {"pnr", CLI_ARG | CLI_NEEDED, "pnr", "PNR", 1},
    {"no-pnr", CLI_FLAG, NULL, NULL, 1},
    {"a", CLI_FLAG, NULL, NULL, 2},
    {"b", CLI_ARG, NULL, "N", 2},
    {NULL, 0, NULL, NULL, 0},
};
static const cli_command demo = {
    "demo", "sub", never_run, NEEDS_NOTHING, 0, "demo", "FORM [FILE]...", demo_options, "Help."};
static const cli_command bare = {"bare", NULL, never_run, NEEDS_NOTHING, 0,
                                 "bare", NULL, NULL,      NULL};

static char *synopsis(const cli_command *cmd)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    cli_print_synopsis(f, cmd);
    assert_int_equal(fclose(f), 0);
    return text;
}

/* Parses a NULL-ended list of words after the command's name. */
static int parse(const cli_command *cmd, cli_args **out, sr_error *err, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)cmd->name;
    va_list ap;
    va_start(ap, err);
    for (char *w; (w = va_arg(ap, char *)) && argc < 31;)
        argv[argc++] = w;
    va_end(ap);
    argv[argc] = NULL;
    sr_error_clear(err);
    return cli_args_parse(cmd, argc, argv, out, err);
}

#define NOT_FIT(expected, ...)                                                                     \
    do {                                                                                           \
        cli_args *a_ = NULL;                                                                       \
        sr_error e_;                                                                               \
        assert_int_equal(parse(&demo, &a_, &e_, __VA_ARGS__, NULL), CLI_SYNTAX);                   \
        assert_null(a_);                                                                           \
        assert_int_equal(e_.status, SR_ERR_USAGE);                                                 \
        assert_string_equal(e_.message, expected);                                                 \
    } while (0)

static void test_synopsis_is_made_from_the_declaration(void **state)
{
    (void)state;
    char *text = synopsis(&demo);
    assert_string_equal(text, "sigreg demo sub FORM [FILE]... --out FILE [--from DATE] [--json] "
                              "[--unit CODE[,CODE]]... [--lang sv|en|de] (--pnr PNR | --no-pnr) "
                              "[--a | --b N]");
    free(text);
    text = synopsis(&bare);
    assert_string_equal(text, "sigreg bare");
    free(text);
}

static void test_values_are_read_every_way(void **state)
{
    (void)state;
    cli_args *a = NULL;
    sr_error err;
    assert_int_equal(parse(&demo, &a, &err, "--from=2025-01-01", "F", "--out", "-", "x.txt",
                           "--unit", "U1,U2", "--unit=U3", "--no-pnr", "--json", "--lang", "en",
                           "--", "--b", "-", NULL),
                     CLI_OK);
    assert_string_equal(cli_opt(a, "from"), "2025-01-01");
    assert_string_equal(cli_opt(a, "out"), "-");
    assert_string_equal(cli_opt(a, "lang"), "en");
    assert_null(cli_opt(a, "pnr"));
    assert_true(cli_flag(a, "json"));
    assert_true(cli_flag(a, "no-pnr"));
    assert_false(cli_flag(a, "a"));
    assert_int_equal(cli_opt_count(a, "unit"), 2);
    assert_string_equal(cli_opt_at(a, "unit", 0), "U1,U2");
    assert_string_equal(cli_opt_at(a, "unit", 1), "U3");
    assert_null(cli_opt_at(a, "unit", 2));
    /* Positionals in order, options anywhere among them; after "--" all are. */
    assert_int_equal(cli_pos_count(a), 4);
    assert_string_equal(cli_pos(a, 0), "F");
    assert_string_equal(cli_pos(a, 1), "x.txt");
    assert_string_equal(cli_pos(a, 2), "--b");
    assert_string_equal(cli_pos(a, 3), "-");
    assert_null(cli_pos(a, 4));
    const char *parts[3];
    char buf[64];
    size_t n = 0;
    assert_int_equal(cli_opt_list(a, "unit", buf, sizeof buf, parts, 3, &n, &err), CLI_OK);
    assert_int_equal(n, 3);
    assert_string_equal(parts[0], "U1");
    assert_string_equal(parts[1], "U2");
    assert_string_equal(parts[2], "U3");
    assert_int_equal(cli_opt_list(a, "unit", buf, sizeof buf, parts, 2, &n, &err), CLI_SYNTAX);
    assert_string_equal(err.message, "--unit takes at most 2 values");
    cli_args_free(a);

    /* A value may look like an option: "--out --json" gives --out the value. */
    assert_int_equal(parse(&demo, &a, &err, "F", "--out", "--json", "--pnr", "1", "--b=", NULL),
                     CLI_OK);
    assert_string_equal(cli_opt(a, "out"), "--json");
    assert_false(cli_flag(a, "json"));
    assert_string_equal(cli_opt(a, "b"), "");
    cli_args_free(a);
}

static void test_numbers(void **state)
{
    (void)state;
    cli_args *a = NULL;
    sr_error err;
    long v = 7;
    assert_int_equal(parse(&demo, &a, &err, "F", "--out", "o", "--no-pnr", NULL), CLI_OK);
    assert_int_equal(cli_opt_long(a, "b", 1, 9, &v, &err), CLI_OK);
    assert_int_equal(v, 7); /* not given: left alone */
    cli_args_free(a);
    const char *bad[] = {"x", "10", "0", "5x", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse(&demo, &a, &err, "F", "--out", "o", "--b", bad[i], "--no-pnr", NULL),
                         CLI_OK);
        assert_int_equal(cli_opt_long(a, "b", 1, 9, &v, &err), CLI_SYNTAX);
        assert_string_equal(err.message, "--b takes a whole number from 1 to 9");
        cli_args_free(a);
    }
}

static void test_what_does_not_fit(void **state)
{
    (void)state;
    NOT_FIT("unknown option '--bogus'", "F", "--out", "o", "--no-pnr", "--bogus");
    NOT_FIT("unknown option '--bogus'", "F", "--bogus=1");
    NOT_FIT("unknown option '-x'", "F", "-x");
    NOT_FIT("unknown option '--fro'", "F", "--fro", "2025");
    NOT_FIT("unknown option '---out'", "F", "---out", "o");
    NOT_FIT("option '--from' needs a value", "F", "--out", "o", "--from");
    NOT_FIT("option '--json' takes no value", "F", "--json=1");
    NOT_FIT("option '--out' is given more than once", "F", "--out", "o", "--out", "p", "--no-pnr");
    NOT_FIT("demo sub needs FORM", "--out", "o", "--no-pnr");
    NOT_FIT("demo sub needs --out FILE", "F", "--no-pnr");
    NOT_FIT("demo sub needs --pnr or --no-pnr", "F", "--out", "o");
    NOT_FIT("--pnr and --no-pnr exclude each other", "F", "--out", "o", "--pnr", "1", "--no-pnr");
    NOT_FIT("--a and --b exclude each other", "F", "--out", "o", "--no-pnr", "--a", "--b", "1");
    NOT_FIT("--lang takes sv, en or de", "F", "--lang", "s");
    NOT_FIT("--lang takes sv, en or de", "F", "--lang=");

    cli_args *a = NULL;
    sr_error err;
    assert_int_equal(parse(&bare, &a, &err, "x", NULL), CLI_SYNTAX);
    assert_string_equal(err.message, "unexpected argument 'x'");
    assert_int_equal(parse(&bare, &a, &err, "--", "x", NULL), CLI_SYNTAX);
    assert_string_equal(err.message, "unexpected argument 'x'");
    assert_int_equal(parse(&bare, &a, &err, "--", NULL), CLI_OK);
    cli_args_free(a);
}

static void test_where_names_an_option(void **state)
{
    (void)state;
    assert_string_equal(cli_option_for_where(&demo, "from")->name, "from");
    assert_string_equal(cli_option_for_where(&demo, "pnr")->name, "pnr");
    assert_null(cli_option_for_where(&demo, "to"));
    assert_null(cli_option_for_where(&demo, ""));
    assert_null(cli_option_for_where(&demo, NULL));
    assert_null(cli_option_for_where(&bare, "from"));
    assert_null(cli_option_for_where(NULL, "from"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synopsis_is_made_from_the_declaration),
        cmocka_unit_test(test_values_are_read_every_way),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_what_does_not_fit),
        cmocka_unit_test(test_where_names_an_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
