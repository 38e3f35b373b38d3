/*
 * test_extract_plan.c - the statements an extract reads with (white-box,
 * extract_int.h), as SQLCipher plans them on a registry's own schema: each
 * reads in case order from an index or the primary key, none sorts a table
 * (a temporary B-tree would hold the whole responses table, answers
 * included, at 100k cases hundreds of MiB), and none reads the answers'
 * JSON.
 */
#include "testutil.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "extract_int.h"
#include "registry_int.h"

/* The plan's detail lines of sql, joined by newlines, in buf. */
static void plan_of(sqlite3 *db, const char *sql, char *buf, size_t cap)
{
    char *q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
    assert_non_null(q);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
    sqlite3_free(q);
    buf[0] = '\0';
    size_t used = 0;
    int n = sqlite3_column_count(st);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(st, n - 1);
        int w = snprintf(buf + used, cap - used, "%s\n", detail ? detail : "");
        assert_true(w > 0 && (size_t)w < cap - used);
        used += (size_t)w;
    }
    sqlite3_finalize(st);
}

static int sorts(const char *plan)
{
    return strstr(plan, "TEMP B-TREE") != NULL;
}

static void test_extract_statements_read_in_order(void **state)
{
    (void)state;
    const char *dir = tu_scratch_dir();
    sr_registry *reg = tu_create_with_forms(tu_path(dir, "r.db"));
    sqlite3 *db = srp_registry_db(reg);
    char plan[2048];

    plan_of(db, SRP_EXTRACT_SQL_CASES, plan, sizeof plan);
    if (sorts(plan) || !strstr(plan, "COVERING INDEX cases_summary"))
        fail_msg("the cases are not read in order from cases_summary:\n%s", plan);

    plan_of(db, SRP_EXTRACT_SQL_ROWS, plan, sizeof plan);
    if (sorts(plan) || !strstr(plan, "SEARCH") || !strstr(plan, "PRIMARY KEY"))
        fail_msg("a case's responses are not looked up by the primary key:\n%s", plan);

    plan_of(db, SRP_EXTRACT_SQL_EXISTS, plan, sizeof plan);
    if (sorts(plan) || !strstr(plan, "SEARCH") || !strstr(plan, "PRIMARY KEY"))
        fail_msg("whether a case is in the extract is not looked up by the primary key:\n%s", plan);

    /* The check itself sees a sort: the whole table in date order would
     * need one. */
    plan_of(db, "SELECT coded FROM response_codes ORDER BY date", plan, sizeof plan);
    assert_true(sorts(plan));

    /* The coded answers, never the JSON text. */
    assert_null(strstr(SRP_EXTRACT_SQL_ROWS, "answers"));
    assert_non_null(strstr(SRP_EXTRACT_SQL_ROWS, "coded FROM response_codes"));
    sr_registry_close(reg);
    assert_int_equal(tu_remove_dir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extract_statements_read_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
