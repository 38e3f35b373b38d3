/*
 * test_form_upgrade.c - how the version 2 forms reach a registry made by an
 * earlier release, which holds only the version 1 forms: an admin's unlock
 * installs the shipped versions it lacks, logged once ("forms.upgrade"),
 * and leaves version 1 and its answers as they were; a coordinator's unlock
 * installs nothing; a registry none of whose forms came with sigreg is left
 * alone. (The registry of the first release, tests/unit/data/keyring-v1, is
 * upgraded the same way in test_keys.c.)
 */
#include <stdlib.h>
#include <string.h>

#include "sigreg/audit.h"
#include "sigreg/cases.h"
#include "sigreg/form_store.h"
#include "sigreg/units.h"
#include "sigreg/users.h"
#include "testutil.h"

/* A version 1 intake, the school situation then called "hemmasittare". */
static const char INTAKE[] =
    "{\"sex\":\"girl\",\"referral_source\":\"school\",\"consent_young_person\":true,"
    "\"consent_guardians\":\"yes\",\"living_situation\":\"both_parents\","
    "\"school_situation\":\"not_attending\",\"need_crime\":\"some\",\"need_attitudes\":\"none\","
    "\"need_peers\":\"some\",\"need_family\":\"none\",\"need_school\":\"substantial\","
    "\"need_leisure\":\"some\",\"need_substances\":\"none\",\"need_mental_health\":\"unknown\","
    "\"need_violence_exposure\":\"none\",\"need_honour\":\"none\",\"substance_use\":\"none\","
    "\"police_contacts_6m\":\"one\",\"suspected_ever\":false,\"victim_of_crime\":\"no\"}";

typedef struct forms_seen {
    int count;
    int intake_v2;
    long intake_v1_responses;
} forms_seen;

static int collect_form(void *ctx, const sr_form_summary *f)
{
    forms_seen *s = ctx;
    s->count++;
    if (strcmp(f->id, "sig-intake") == 0 && f->version == 2)
        s->intake_v2 = 1;
    if (strcmp(f->id, "sig-intake") == 0 && f->version == 1)
        s->intake_v1_responses = f->responses;
    return 0;
}

static forms_seen list_forms(sr_registry *reg)
{
    forms_seen s = {0, 0, 0};
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_form_list(reg, "sv", collect_form, &s, &err), SR_OK);
    return s;
}

typedef struct upgrades_seen {
    int count;
    char detail[256];
} upgrades_seen;

static int collect_upgrade(void *ctx, const sr_audit_entry *e)
{
    upgrades_seen *s = ctx;
    if (strcmp(e->action, "forms.upgrade") == 0) {
        s->count++;
        snprintf(s->detail, sizeof s->detail, "%s", e->detail ? e->detail : "");
    }
    return 0;
}

static upgrades_seen list_upgrades(sr_registry *reg)
{
    upgrades_seen s;
    memset(&s, 0, sizeof s);
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_audit_list(reg, 0, NULL, collect_upgrade, &s, &err), SR_OK);
    return s;
}

typedef struct response_seen {
    int count;
    int64_t id;
    int version;
    int revision;
    char date[16];
    char *answers;
} response_seen;

static int collect_response(void *ctx, const sr_response_info *r)
{
    response_seen *s = ctx;
    s->count++;
    s->id = r->id;
    s->version = r->form_version;
    s->revision = r->revision;
    snprintf(s->date, sizeof s->date, "%s", r->date);
    free(s->answers);
    s->answers = strdup(r->answers);
    return 0;
}

static response_seen show_case(sr_registry *reg, const char *code)
{
    response_seen s;
    memset(&s, 0, sizeof s);
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_case_show(reg, code, NULL, collect_response, &s, &err), SR_OK);
    return s;
}

/* A registry as an earlier release made it: the shipped version 1 forms only. */
static void install_version_1(sr_registry *reg)
{
    const char *name, *text;
    size_t len;
    int n = 0;
    for (size_t i = 0; sr_form_shipped(i, &name, &text, &len); i++) {
        if (strstr(name, ".v2."))
            continue;
        sr_error err;
        sr_error_clear(&err);
        int installed = 0;
        assert_int_equal(sr_form_install(reg, text, len, NULL, &installed, &err), SR_OK);
        n += installed;
    }
    assert_int_equal(n, 5);
}

static void test_admin_unlock_installs_version_2(void **state)
{
    (void)state;
    const char *dir = tu_scratch_dir();
    const char *path = tu_path(dir, "reg.db");
    tu_create_registry(path);
    sr_error err;
    sr_error_clear(&err);
    char code[SR_CASE_CODE_SIZE];
    /* The session that made it installs version 1 and registers on it;
     * sr_registry_open has run before the forms were there. */
    sr_registry *reg = tu_open(path, NULL, "admin-passphrase");
    install_version_1(reg);
    assert_int_equal(sr_unit_add(reg, "U1", "Enhet 1", &err), SR_OK);
    sr_secret *pass = tu_pass("coord-passphrase");
    const char *units[] = {"U1"};
    assert_int_equal(sr_user_add(reg, "coord", SR_ROLE_COORDINATOR, units, 1, TEST_KDF, pass, &err),
                     SR_OK);
    sr_secret_free(pass);
    assert_int_equal(sr_case_new(reg, "U1", NULL, code, &err), SR_OK);
    int64_t id = 0;
    assert_int_equal(sr_register(reg, code, "sig-intake", 1, "2025-01-10", INTAKE, strlen(INTAKE),
                                 NULL, &id, &err),
                     SR_OK);
    response_seen before = show_case(reg, code);
    assert_int_equal(list_forms(reg).count, 5);
    sr_registry_close(reg);

    /* A coordinator cannot install forms: their unlock changes nothing. */
    reg = tu_open(path, "coord", "coord-passphrase");
    assert_int_equal(list_forms(reg).count, 5);
    sr_registry_close(reg);

    /* The admin's next unlock installs the four version 2 forms. */
    reg = tu_open(path, NULL, "admin-passphrase");
    forms_seen f = list_forms(reg);
    assert_int_equal(f.count, 9);
    assert_true(f.intake_v2);
    assert_int_equal(f.intake_v1_responses, 1);
    upgrades_seen u = list_upgrades(reg);
    assert_int_equal(u.count, 1);
    assert_string_equal(u.detail,
                        "forms=sig-closure:2,sig-followup:2,sig-intake:2,sig-intervention:2");
    /* The version 1 answers are as they were: same response, version,
     * revision, date and answers. */
    response_seen after = show_case(reg, code);
    assert_int_equal(after.count, 1);
    assert_int_equal(after.id, id);
    assert_int_equal(after.version, 1);
    assert_int_equal(after.revision, before.revision);
    assert_string_equal(after.date, before.date);
    assert_string_equal(after.answers, before.answers);
    free(before.answers);
    free(after.answers);
    /* A new intake takes the newest version now. */
    char code2[SR_CASE_CODE_SIZE];
    assert_int_equal(sr_case_new(reg, "U1", NULL, code2, &err), SR_OK);
    assert_int_equal(sr_register(reg, code2, "sig-intake", 0, "2025-02-10", INTAKE, strlen(INTAKE),
                                 NULL, &id, &err),
                     SR_OK);
    response_seen v2 = show_case(reg, code2);
    assert_int_equal(v2.version, 2);
    free(v2.answers);
    sr_registry_close(reg);

    /* Once: a later unlock finds nothing missing and logs nothing. */
    reg = tu_open(path, NULL, "admin-passphrase");
    assert_int_equal(list_forms(reg).count, 9);
    assert_int_equal(list_upgrades(reg).count, 1);
    sr_registry_close(reg);
}

/* A registry that holds none of the shipped forms (an authority's own set)
 * gets none of them. */
static void test_foreign_forms_left_alone(void **state)
{
    (void)state;
    static const char FORM[] =
        "{\"format\":\"sigreg-form/1\",\"id\":\"own-intake\",\"version\":1,\"phase\":\"intake\","
        "\"title\":\"Egen\",\"items\":[{\"id\":\"x\",\"type\":\"boolean\",\"label\":\"X\"}]}";
    const char *dir = tu_scratch_dir();
    const char *path = tu_path(dir, "reg.db");
    tu_create_registry(path);
    sr_error err;
    sr_error_clear(&err);
    sr_registry *reg = tu_open(path, NULL, "admin-passphrase");
    int installed = 0;
    assert_int_equal(sr_form_install(reg, FORM, strlen(FORM), NULL, &installed, &err), SR_OK);
    sr_registry_close(reg);
    reg = tu_open(path, NULL, "admin-passphrase");
    assert_int_equal(list_forms(reg).count, 1);
    assert_int_equal(list_upgrades(reg).count, 0);
    sr_registry_close(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin_unlock_installs_version_2),
        cmocka_unit_test(test_foreign_forms_left_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
