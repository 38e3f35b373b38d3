/*
 * test_registry_log.c - sr_registry_log_view: a front end's session events
 * land in the audit log as "web.WHAT", signed by the session's user, with
 * the case code normalised; anything that could carry user text (a word
 * outside [a-z0-9._-], a long word, a case code that is not one) is
 * refused and logs nothing.
 */
#include <string.h>

#include "sigreg/audit.h"
#include "sigreg/cases.h"
#include "sigreg/units.h"
#include "testutil.h"

typedef struct seen {
    char actions[16][48];
    char cases[16][SR_CASE_CODE_SIZE];
    char users[16][SR_USER_NAME_MAX + 1];
    int count;
} seen;

static int collect(void *ctx, const sr_audit_entry *e)
{
    seen *s = ctx;
    if (strncmp(e->action, "web.", 4) != 0 || s->count >= 16)
        return 0;
    snprintf(s->actions[s->count], sizeof s->actions[0], "%s", e->action);
    snprintf(s->cases[s->count], sizeof s->cases[0], "%s", e->case_code ? e->case_code : "");
    snprintf(s->users[s->count], sizeof s->users[0], "%s", e->user);
    s->count++;
    return 0;
}

static void test_log_view(void **state)
{
    (void)state;
    const char *dir = tu_scratch_dir();
    const char *path = tu_path(dir, "reg.db");
    tu_create_registry(path);
    sr_registry *reg = tu_open(path, NULL, "admin-passphrase");
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_unit_add(reg, "U1", "Enhet 1", &err), SR_OK);
    char code[SR_CASE_CODE_SIZE], lower[SR_CASE_CODE_SIZE];
    assert_int_equal(sr_case_new(reg, "U1", NULL, code, &err), SR_OK);
    for (size_t i = 0; i < sizeof lower; i++)
        lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] - 'A' + 'a' : code[i]);

    assert_int_equal(sr_registry_log_view(reg, "login", NULL, &err), SR_OK);
    assert_int_equal(sr_registry_log_view(reg, "view.case", lower, &err), SR_OK);

    /* Refused: nothing logged, where names the field. */
    const char *bad_what[] = {"",
                              "Login",
                              "view case",
                              "x'y",
                              "19121212-1212 <b>",
                              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof bad_what / sizeof *bad_what; i++) {
        sr_error_clear(&err);
        assert_int_equal(sr_registry_log_view(reg, bad_what[i], NULL, &err), SR_ERR_USAGE);
        assert_string_equal(err.where, "what");
    }
    sr_error_clear(&err);
    assert_int_equal(sr_registry_log_view(reg, "view.case", "191212121212", &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "case");
    assert_int_equal(sr_registry_log_view(reg, NULL, NULL, NULL), SR_ERR_USAGE);
    assert_int_equal(sr_registry_log_view(NULL, "login", NULL, NULL), SR_ERR_USAGE);

    seen s;
    memset(&s, 0, sizeof s);
    sr_error_clear(&err);
    assert_int_equal(sr_audit_list(reg, 0, NULL, collect, &s, &err), SR_OK);
    assert_int_equal(s.count, 2);
    assert_string_equal(s.actions[0], "web.login");
    assert_string_equal(s.cases[0], "");
    assert_string_equal(s.users[0], "admin");
    assert_string_equal(s.actions[1], "web.view.case");
    assert_string_equal(s.cases[1], code);
    sr_audit_report rep;
    assert_int_equal(sr_audit_verify(reg, &rep, &err), SR_OK);
    assert_int_equal(rep.first_bad_seq, 0);
    sr_registry_close(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_log_view)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
