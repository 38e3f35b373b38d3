/*
 * test_publication.c - publications through the public API: made by a
 * coordinator, read as an analyst of the unit (figures against a truth
 * worked out by hand), refused to an analyst of another unit, refused when
 * tampered with, read by an evaluator without a registry, and queries the
 * package does not hold refused with what it holds.
 *
 * The registry has its own small intake form (pt-intake: sex, and a choice
 * 'need') and two units. U1 has 12 cases of 2025: 7 girls (need: 5 'some',
 * 2 'none') and 5 boys (need: all 5 'some'); U2 has 10 cases: 5 girls and 5
 * boys, all 'none'. min_cell is 5.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "sigreg/cases.h"
#include "sigreg/extract.h"
#include "sigreg/form_store.h"
#include "sigreg/publication.h"
#include "sigreg/settings.h"
#include "sigreg/stats.h"
#include "sigreg/units.h"
#include "sigreg/users.h"

static const char FORM[] =
    "{\"format\":\"sigreg-form/1\",\"id\":\"pt-intake\",\"version\":1,\"phase\":\"intake\","
    "\"title\":\"Publiceringstest\",\"items\":["
    "{\"id\":\"sex\",\"type\":\"choice\",\"required\":true,\"label\":\"Kön\",\"options\":["
    "{\"code\":\"girl\",\"label\":\"Flicka\"},{\"code\":\"boy\",\"label\":\"Pojke\"}]},"
    "{\"id\":\"need\",\"type\":\"choice\",\"required\":true,\"label\":\"Behov\",\"options\":["
    "{\"code\":\"none\",\"label\":\"Inget\"},{\"code\":\"some\",\"label\":\"Visst\"}]}]}";

typedef struct fixture {
    char dir[512], db[600], eval[600], eval_key[620], eval_pub[620];
    char *written; /* the coordinator's publication: recipient<TAB>path lines */
} fixture;

static void add_case(sr_registry *reg, const char *unit, const char *sex, const char *need)
{
    char code[SR_CASE_CODE_SIZE], json[128];
    sr_error err;
    sr_error_clear(&err);
    if (sr_case_new(reg, unit, NULL, code, &err) != SR_OK)
        fail_msg("case new: %s", err.message);
    snprintf(json, sizeof json, "{\"sex\":\"%s\",\"need\":\"%s\"}", sex, need);
    sr_problems *problems = sr_problems_new();
    int64_t id = 0;
    if (sr_register(reg, code, "pt-intake", 0, "2025-04-01", json, strlen(json), problems, &id,
                    &err) != SR_OK)
        fail_msg("register: %s", err.message);
    sr_problems_free(problems);
}

static void add_user(sr_registry *reg, const char *name, sr_role role, const char *unit)
{
    sr_error err;
    sr_error_clear(&err);
    sr_secret *pass = tu_pass("user-passphrase");
    const char *units[1] = {unit};
    if (sr_user_add(reg, name, role, units, 1, TEST_KDF, pass, &err) != SR_OK)
        fail_msg("user add %s: %s", name, err.message);
    sr_secret_free(pass);
}

static int group_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "%s", tu_scratch_dir());
    snprintf(f->db, sizeof f->db, "%s/reg.db", f->dir);
    snprintf(f->eval, sizeof f->eval, "%s/eval", f->dir);
    snprintf(f->eval_key, sizeof f->eval_key, "%s.key", f->eval);
    snprintf(f->eval_pub, sizeof f->eval_pub, "%s.pub", f->eval);
    tu_create_registry(f->db);
    sr_registry *reg = tu_open(f->db, NULL, NULL);
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_unit_add(reg, "U1", "Enhet 1", &err), SR_OK);
    assert_int_equal(sr_unit_add(reg, "U2", "Enhet 2", &err), SR_OK);
    sr_problems *problems = sr_problems_new();
    int installed = 0;
    assert_int_equal(sr_form_install(reg, FORM, strlen(FORM), problems, &installed, &err), SR_OK);
    sr_problems_free(problems);
    add_user(reg, "coord", SR_ROLE_COORDINATOR, "U1");
    add_user(reg, "ana1", SR_ROLE_ANALYST, "U1");
    add_user(reg, "ana2", SR_ROLE_ANALYST, "U2");
    for (int i = 0; i < 7; i++)
        add_case(reg, "U1", "girl", i < 5 ? "some" : "none");
    for (int i = 0; i < 5; i++)
        add_case(reg, "U1", "boy", "some");
    for (int i = 0; i < 10; i++)
        add_case(reg, "U2", i < 5 ? "girl" : "boy", "none");
    sr_registry_close(reg);
    char fp[SR_FINGERPRINT_SIZE];
    sr_secret *pass = tu_pass("eval-passphrase");
    assert_int_equal(sr_keygen(f->eval, TEST_KDF, pass, fp, &err), SR_OK);
    sr_secret_free(pass);
    /* The coordinator publishes U1 for its analysts and the evaluator. */
    reg = tu_open(f->db, "coord", "user-passphrase");
    const char *recipients[1] = {f->eval_pub};
    sr_publish_options o = {NULL, 0, NULL, 0, recipients, 1};
    sr_publish_report rep;
    if (sr_publish(reg, &o, &rep, &err) != SR_OK)
        fail_msg("publish: %s", err.message);
    assert_int_equal(rep.min_cell, 5);
    assert_true(rep.tables > 0 && rep.figures > rep.withheld);
    f->written = rep.written;
    sr_registry_close(reg);
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *f = *state;
    int rc = tu_remove_dir(f->dir);
    free(f->written);
    free(f);
    return rc;
}

/* The package path written for recipient (a user, or "" for the key). */
static const char *package_of(const fixture *f, const char *recipient)
{
    static char path[1024];
    for (const char *p = f->written; p && *p;) {
        const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
        assert_non_null(tab);
        assert_non_null(nl);
        int is_key = tab - p == 64;
        if ((*recipient && (size_t)(tab - p) == strlen(recipient) &&
             strncmp(p, recipient, (size_t)(tab - p)) == 0) ||
            (!*recipient && is_key)) {
            snprintf(path, sizeof path, "%.*s", (int)(nl - tab - 1), tab + 1);
            return path;
        }
        p = nl + 1;
    }
    fail_msg("no package for '%s'", recipient);
    return NULL;
}

static const sr_stats_row *row(const sr_stats *s, const char *item, const char *by,
                               const char *value)
{
    for (size_t i = 0; i < sr_stats_row_count(s); i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        if (strcmp(r->item, item) == 0 && strcmp(r->value, value) == 0 &&
            ((!by && !r->by[0]) || (by && r->by[0] && strcmp(r->by[0], by) == 0)))
            return r;
    }
    fail_msg("no row %s %s %s", item, by ? by : "-", value);
    return NULL;
}

static void expect_count(const sr_stats *s, const char *item, const char *by, const char *value,
                         long count, long denominator)
{
    const sr_stats_row *r = row(s, item, by, value);
    if (r->suppressed)
        fail_msg("%s %s %s is withheld (reason %d)", item, by ? by : "-", value, r->reason);
    assert_int_equal(r->count, count);
    assert_int_equal(r->denominator, denominator);
}

static void test_analyst_reads_hand_computed_figures(void **state)
{
    fixture *f = *state;
    sr_registry *reg = tu_open(f->db, "ana1", "user-passphrase");
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.form = "pt-intake";
    sr_stats *s = NULL;
    sr_error err;
    sr_error_clear(&err);
    if (sr_stats_run(reg, &q, &s, &err) != SR_OK)
        fail_msg("stats: %s", err.message);
    /* U1 only: 7 girls and 5 boys of 12. Need: 2 none (small: withheld),
     * so 10 some is withheld too (12 - 2 would give it back). */
    expect_count(s, "sex", NULL, "girl", 7, 12);
    expect_count(s, "sex", NULL, "boy", 5, 12);
    assert_true(row(s, "need", NULL, "none")->suppressed);
    assert_int_equal(row(s, "need", NULL, "none")->reason, 1);
    assert_true(row(s, "need", NULL, "some")->suppressed);
    assert_string_equal(sr_stats_unit(s), "U1");
    assert_string_equal(sr_stats_published_by(s), "coord");
    assert_non_null(sr_stats_published_at(s));
    sr_stats_free(s);
    /* By sex: girls' 'none' is 2, a small count: withheld, and so is
     * something beside it, so that 7 - 5 does not give it back. */
    q.by[0] = "sex";
    assert_int_equal(sr_stats_run(reg, &q, &s, &err), SR_OK);
    const sr_stats_row *none = row(s, "need", "girl", "none");
    assert_true(none->suppressed);
    const sr_stats_row *some = row(s, "need", "girl", "some");
    assert_true(some->suppressed || !none->has_denominator);
    sr_stats_free(s);
    sr_registry_close(reg);
}

static void test_query_not_published_is_refused(void **state)
{
    fixture *f = *state;
    sr_registry *reg = tu_open(f->db, "ana1", "user-passphrase");
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.form = "pt-intake";
    q.by[0] = "quarter";
    sr_stats *s = NULL;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_stats_run(reg, &q, &s, &err), SR_ERR_NOT_FOUND);
    assert_null(s);
    assert_string_equal(err.where, "by");
    assert_non_null(strstr(err.message, "'pt-intake' by 'quarter' is not published"));
    assert_non_null(strstr(err.message, "pt-intake: by -, sex, age_band, year"));
    q.by[0] = NULL;
    q.from = "2025-01-01";
    sr_error_clear(&err);
    assert_int_equal(sr_stats_run(reg, &q, &s, &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "from");
    q.from = NULL;
    q.unit = "U2";
    sr_error_clear(&err);
    assert_int_equal(sr_stats_run(reg, &q, &s, &err), SR_ERR_NOT_FOUND);
    assert_string_equal(err.where, "unit");
    sr_registry_close(reg);
}

static void test_analyst_of_another_unit_cannot_open(void **state)
{
    fixture *f = *state;
    sr_registry *reg = tu_open(f->db, "ana2", "user-passphrase");
    sr_publication *pub = NULL;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_publication_newest(reg, &pub, &err), SR_ERR_NOT_FOUND);
    assert_null(pub);
    sr_registry_close(reg);
    /* Nor with the evaluator's key: ana1's package is sealed to ana1. */
    sr_secret *pass = tu_pass("eval-passphrase");
    sr_error_clear(&err);
    assert_int_not_equal(
        sr_publication_open(package_of(f, "ana1"), f->eval_key, pass, NULL, &pub, &err), SR_OK);
    assert_null(pub);
    sr_secret_free(pass);
}

static void test_evaluator_views_without_registry(void **state)
{
    fixture *f = *state;
    sr_secret *pass = tu_pass("eval-passphrase");
    sr_publication *pub = NULL;
    sr_error err;
    sr_error_clear(&err);
    if (sr_publication_open(package_of(f, ""), f->eval_key, pass, NULL, &pub, &err) != SR_OK)
        fail_msg("open: %s", err.message);
    assert_string_equal(sr_publication_published_by(pub), "coord");
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.form = "pt-intake";
    sr_stats *s = NULL;
    assert_int_equal(sr_publication_stats(pub, &q, &s, &err), SR_OK);
    expect_count(s, "sex", NULL, "girl", 7, 12);
    sr_stats_free(s);
    /* The case flow: 12 open cases in U1. */
    q.form = "cases";
    assert_int_equal(sr_publication_stats(pub, &q, &s, &err), SR_OK);
    expect_count(s, "status", NULL, "open", 12, 12);
    sr_stats_free(s);
    /* Another min_cell is refused. */
    q.min_cell = 7;
    sr_error_clear(&err);
    assert_int_equal(sr_publication_stats(pub, &q, &s, &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "min_cell");
    sr_publication_free(pub);
    /* A pinned signer that differs is refused. */
    sr_error_clear(&err);
    assert_int_not_equal(sr_publication_open(package_of(f, ""), f->eval_key, pass,
                                             "00112233445566778899aabbccddeeff00112233445566778899"
                                             "aabbccddeeff",
                                             &pub, &err),
                         SR_OK);
    sr_secret_free(pass);
}

static void test_tampered_package_refused(void **state)
{
    fixture *f = *state;
    size_t len = 0;
    unsigned char *data = tu_read_file(package_of(f, ""), &len);
    assert_non_null(data);
    const char *bad = tu_path(f->dir, "tampered.sigpub");
    for (size_t at = 40; at < len; at += len / 7) { /* header, body and signature */
        data[at] ^= 0x01;
        tu_write_file(bad, data, len);
        data[at] ^= 0x01;
        sr_secret *pass = tu_pass("eval-passphrase");
        sr_publication *pub = NULL;
        sr_error err;
        sr_error_clear(&err);
        assert_int_not_equal(sr_publication_open(bad, f->eval_key, pass, NULL, &pub, &err), SR_OK);
        assert_null(pub);
        assert_non_null(strstr(err.message, "is refused"));
        sr_secret_free(pass);
    }
    free(data);
}

static void test_min_cell_only_raised(void **state)
{
    fixture *f = *state;
    sr_registry *reg = tu_open(f->db, "coord", "user-passphrase");
    sr_publish_options o = {NULL, 0, NULL, 3, NULL, 0};
    sr_publish_report rep;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_publish(reg, &o, &rep, &err), SR_ERR_USAGE);
    assert_string_equal(err.where, "min_cell");
    const char *u2[1] = {"U2"};
    sr_publish_options other = {u2, 1, NULL, 0, NULL, 0};
    sr_error_clear(&err);
    assert_int_equal(sr_publish(reg, &other, &rep, &err), SR_ERR_DENIED);
    assert_string_equal(err.where, "unit");
    sr_registry_close(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analyst_reads_hand_computed_figures),
        cmocka_unit_test(test_query_not_published_is_refused),
        cmocka_unit_test(test_analyst_of_another_unit_cannot_open),
        cmocka_unit_test(test_evaluator_views_without_registry),
        cmocka_unit_test(test_tampered_package_refused),
        cmocka_unit_test(test_min_cell_only_raised),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
