/*
 * test_stats_write.c - summaries written by the library (sr_stats_write)
 * through a memory sink, and the query a result says it ran: a coordinator
 * of one unit gets that unit, and the JSON filters, the table and the audit
 * entry all name it (issue 11, fault 3). Public API only.
 */
#include "testutil.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "sigreg/audit.h"
#include "sigreg/cases.h"
#include "sigreg/output.h"
#include "sigreg/stats.h"
#include "sigreg/units.h"
#include "sigreg/users.h"

static const char *db;

static int setup(void **state)
{
    (void)state;
    db = tu_path(tu_scratch_dir(), "reg.db");
    tu_create_registry(db);
    sr_registry *reg = tu_open(db, NULL, NULL);
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_unit_add(reg, "U1", "Enhet ett", &err), SR_OK);
    assert_int_equal(sr_unit_add(reg, "U2", "Enhet två", &err), SR_OK);
    const char *units[] = {"U1"};
    sr_secret *pass = tu_pass("coord-passphrase");
    assert_int_equal(sr_user_add(reg, "coord", SR_ROLE_COORDINATOR, units, 1, TEST_KDF, pass, &err),
                     SR_OK);
    sr_secret_free(pass);
    for (int i = 0; i < 13; i++) {
        char code[SR_CASE_CODE_SIZE];
        assert_int_equal(sr_case_new(reg, i < 7 ? "U1" : "U2", NULL, code, &err), SR_OK);
    }
    sr_registry_close(reg);
    return 0;
}

static char *write_out(const sr_stats *s, sr_stats_format fmt)
{
    sr_sink_memory mem;
    memset(&mem, 0, sizeof mem);
    sr_sink sink = sr_sink_to_memory(&mem);
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_stats_write(s, fmt, NULL, &sink, &err), SR_OK);
    assert_false(mem.failed);
    char *text = strdup(mem.data ? mem.data : "");
    sr_sink_memory_release(&mem);
    return text;
}

static void test_csv_with_labels(void **state)
{
    (void)state;
    sr_registry *reg = tu_open(db, NULL, NULL);
    sr_stats_query q = {.form = "cases", .by = {"unit", NULL}};
    sr_stats *s = NULL;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_stats_run(reg, &q, &s, &err), SR_OK);
    char *csv = write_out(s, SR_STATS_CSV);
    const char *expected =
        "form,item,unit,value,count,denominator,percent,estimate,suppressed,item_label,"
        "value_label,unit_label,unit_of_count,unit_of_count_label\r\n"
        "cases,status,U1,open,7,7,100,,false,Status,Öppet,Enhet ett,cases,ärenden\r\n"
        "cases,status,U1,closed,0,7,0,,false,Status,Avslutat,Enhet ett,cases,ärenden\r\n"
        "cases,status,U2,open,6,6,100,,false,Status,Öppet,Enhet två,cases,ärenden\r\n"
        "cases,status,U2,closed,0,6,0,,false,Status,Avslutat,Enhet två,cases,ärenden\r\n";
    assert_string_equal(csv, expected);
    free(csv);
    char *excel = write_out(s, SR_STATS_CSV_EXCEL);
    assert_memory_equal(excel,
                        "\xEF\xBB\xBF"
                        "form;item;unit;value;",
                        24);
    assert_non_null(strstr(
        excel, "\r\ncases;status;U2;open;6;6;100;;false;Status;Öppet;Enhet två;cases;ärenden\r\n"));
    free(excel);
    sr_stats_free(s);
    sr_registry_close(reg);
}

typedef struct last_stats {
    char user[64], detail[512];
} last_stats;

static int find_stats(void *ctx, const sr_audit_entry *e)
{
    last_stats *l = ctx;
    if (strcmp(e->action, "stats") == 0) {
        snprintf(l->user, sizeof l->user, "%s", e->user);
        snprintf(l->detail, sizeof l->detail, "%s", e->detail ? e->detail : "");
    }
    return 0;
}

static void test_coordinator_gets_the_query_run(void **state)
{
    (void)state;
    sr_registry *reg = tu_open(db, "coord", "coord-passphrase");
    sr_stats_query q = {.form = "cases"};
    sr_stats *s = NULL;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_stats_run(reg, &q, &s, &err), SR_OK);
    assert_string_equal(sr_stats_unit(s), "U1");
    assert_null(sr_stats_status(s));
    /* The figures are the unit's: 7 open cases, not 13. */
    assert_int_equal(sr_stats_row_count(s), 2);
    assert_int_equal(sr_stats_row_at(s, 0)->count, 7);
    char *json = write_out(s, SR_STATS_JSON);
    json_error_t jerr;
    json_t *doc = json_loads(json, 0, &jerr);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "filters"), "unit")),
                        "U1");
    json_decref(doc);
    free(json);
    char *table = write_out(s, SR_STATS_TABLE);
    assert_non_null(strstr(table, "minsta cell 5, enhet U1\n"));
    free(table);
    sr_stats_free(s);
    sr_registry_close(reg);
    /* The audit entry names the unit the figures are of. */
    reg = tu_open(db, NULL, NULL);
    last_stats last = {"", ""};
    assert_int_equal(sr_audit_list(reg, 0, NULL, find_stats, &last, &err), SR_OK);
    assert_string_equal(last.user, "coord");
    assert_non_null(strstr(last.detail, " unit=U1 "));
    sr_registry_close(reg);
}

static int failing_write(void *ctx, const void *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
    return -1;
}

static void test_sink_failure(void **state)
{
    (void)state;
    sr_registry *reg = tu_open(db, NULL, NULL);
    sr_stats_query q = {.form = "cases"};
    sr_stats *s = NULL;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_stats_run(reg, &q, &s, &err), SR_OK);
    sr_sink bad = {failing_write, NULL};
    assert_int_equal(sr_stats_write(s, SR_STATS_CSV, NULL, &bad, &err), SR_ERR_IO);
    assert_int_equal(err.status, SR_ERR_IO);
    sr_stats_free(s);
    sr_registry_close(reg);
}

/* Swedish headers for people, the contract's names otherwise; the figures
 * and the machine values (codes, true/false) alike either way. */
static void test_headers(void **state)
{
    (void)state;
    sr_registry *reg = tu_open(db, NULL, NULL);
    sr_stats_query q = {.form = "cases", .by = {"unit", NULL}};
    sr_stats *s = NULL;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_stats_run(reg, &q, &s, &err), SR_OK);
    static const char *const langs[] = {"sv", "en"};
    static const char *const heads[] = {
        "formulär;fråga;unit;värde;antal;bas;procent;skattning;ej redovisad;frågetext;svarstext;"
        "unit (text);räknas som;räknas som (text)\r\n",
        "form;item;unit;value;count;denominator;percent;estimate;suppressed;item_label;value_label;"
        "unit_label;unit_of_count;unit_of_count_label\r\n"};
    for (int k = 0; k < 2; k++) {
        sr_sink_memory mem;
        memset(&mem, 0, sizeof mem);
        sr_sink sink = sr_sink_to_memory(&mem);
        sr_stats_write_options wo = {0, langs[k]};
        assert_int_equal(sr_stats_write(s, SR_STATS_CSV_EXCEL, &wo, &sink, &err), SR_OK);
        assert_memory_equal(mem.data + 3, heads[k], strlen(heads[k]));
        assert_non_null(strstr(mem.data, "\r\ncases;status;U2;open;6;6;100;;false;"));
        sr_sink_memory_release(&mem);
    }
    sr_stats_free(s);
    sr_registry_close(reg);
}

/* The workbook: a zip at the path, never over an existing file unless
 * forced, never over the registry, no temporary file left behind. */
static void test_xlsx_file(void **state)
{
    (void)state;
    sr_registry *reg = tu_open(db, NULL, NULL);
    sr_stats_query q = {.form = "cases", .by = {"unit", NULL}};
    sr_stats *s = NULL;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_stats_run(reg, &q, &s, &err), SR_OK);
    char dir[600], path[700];
    snprintf(dir, sizeof dir, "%s", tu_scratch_dir());
    snprintf(path, sizeof path, "%s/cases.xlsx", dir);
    sr_output_options oo = {0, db};
    assert_int_equal(sr_stats_write_xlsx(s, path, &oo, &err), SR_OK);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char magic[2] = {0, 0};
    assert_int_equal(fread(magic, 1, 2, f), 2);
    fclose(f);
    assert_memory_equal(magic, "PK", 2);
    sr_error_clear(&err);
    assert_int_equal(sr_stats_write_xlsx(s, path, &oo, &err), SR_ERR_EXISTS);
    assert_string_equal(err.where, "out");
    oo.force = 1;
    sr_error_clear(&err);
    assert_int_equal(sr_stats_write_xlsx(s, path, &oo, &err), SR_OK);
    sr_error_clear(&err);
    assert_int_equal(sr_stats_write_xlsx(s, db, &oo, &err), SR_ERR_DENIED);
    sr_error_clear(&err);
    char missing[720];
    snprintf(missing, sizeof missing, "%s/no/such/folder.xlsx", dir);
    assert_int_equal(sr_stats_write_xlsx(s, missing, &oo, &err), SR_ERR_IO);
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *de; (de = readdir(d));)
        assert_null(strstr(de->d_name, ".sigreg-xlsx-"));
    closedir(d);
    sr_stats_free(s);
    sr_registry_close(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_with_labels),
        cmocka_unit_test(test_coordinator_gets_the_query_run),
        cmocka_unit_test(test_sink_failure),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_xlsx_file),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
