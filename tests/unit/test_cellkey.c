/*
 * test_cellkey.c - the cell-key method's arithmetic (cellkey.c), checked by
 * hand: a cell's key is the sum of its cases' record keys modulo 2^32, read
 * in [0, 1), and its count is perturbed by the row of its true count in the
 * pTable (D 5, V 3, js 2; its intervals are those of R's ptable, see
 * tests/unit/data/ptable/D5_V300_js2.csv). The pTable's JSON as it goes
 * into outputs and publications.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cellkey.h"

static srp_cellkey *three_cases(void)
{
    static const char *const codes[] = {"CCCC-CCCC", "AAAA-AAAA", "BBBB-BBBB"};
    static const uint32_t keys[] = {0x50000000u, 0xC0000000u, 7u};
    srp_ptable *pt = NULL;
    srp_cellkey *ck = NULL;
    sr_error err = {0};
    assert_int_equal(srp_ptable_create(5, 3.0, 2, &pt, &err), SR_OK);
    assert_int_equal(srp_cellkey_from(pt, codes, keys, 3, &ck, &err), SR_OK);
    return ck;
}

static void test_record_keys(void **state)
{
    (void)state;
    srp_cellkey *ck = three_cases();
    assert_int_equal(srp_cellkey_record(ck, "AAAA-AAAA"), 0xC0000000u);
    assert_int_equal(srp_cellkey_record(ck, "BBBB-BBBB"), 7u);
    assert_int_equal(srp_cellkey_record(ck, "CCCC-CCCC"), 0x50000000u);
    assert_int_equal(srp_cellkey_record(ck, "DDDD-DDDD"), 0u);
    srp_cellkey_free(ck);
}

/* A = 0.75 alone; A + C = 0x110000000 mod 2^32 = 0x10000000 = 0.0625. */
static void test_cell_key_by_hand(void **state)
{
    (void)state;
    srp_cellkey *ck = three_cases();
    uint32_t a = srp_cellkey_record(ck, "AAAA-AAAA");
    uint32_t ac = a + srp_cellkey_record(ck, "CCCC-CCCC");
    assert_int_equal(ac, 0x10000000u);
    assert_true(fabs(srp_cellkey_unit(ac) - 0.0625) < 1e-15);
    assert_true(fabs(srp_cellkey_unit(a) - 0.75) < 1e-15);
    assert_true(srp_cellkey_unit(0xFFFFFFFFu) < 1.0);
    assert_true(srp_cellkey_unit(0) == 0.0);
    /* 0.0625: row 1 and row 3 go to 0 (below 0.73446954, 0.20398618);
     * count 40 takes the last row (8): [0.02038279, 0.07267542) is -3. */
    assert_int_equal(srp_cellkey_perturb(ck, 1, ac), 0);
    assert_int_equal(srp_cellkey_perturb(ck, 3, ac), 0);
    assert_int_equal(srp_cellkey_perturb(ck, 40, ac), 37);
    /* 0.75: row 3's [0.59764870, 0.84514109) is +1; row 8's
     * [0.61440075, 0.80859421) is +1; row 1's [0.73446954, 0.87118973) is 3. */
    assert_int_equal(srp_cellkey_perturb(ck, 3, a), 4);
    assert_int_equal(srp_cellkey_perturb(ck, 40, a), 41);
    assert_int_equal(srp_cellkey_perturb(ck, 1, a), 3);
    /* Zero stays zero, whatever the key. */
    assert_int_equal(srp_cellkey_perturb(ck, 0, a), 0);
    srp_cellkey_free(ck);
}

/* The same cases give the same key in any order (the sum commutes), so the
 * same noise in any query. */
static void test_order_free(void **state)
{
    (void)state;
    srp_cellkey *ck = three_cases();
    const char *order1[] = {"AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC"};
    const char *order2[] = {"CCCC-CCCC", "AAAA-AAAA", "BBBB-BBBB"};
    uint32_t k1 = 0, k2 = 0;
    for (int i = 0; i < 3; i++) {
        k1 += srp_cellkey_record(ck, order1[i]);
        k2 += srp_cellkey_record(ck, order2[i]);
    }
    assert_int_equal(k1, k2);
    assert_int_equal(k1, 0x10000007u);
    srp_cellkey_free(ck);
}

static void test_ptable_json(void **state)
{
    (void)state;
    srp_cellkey *ck = three_cases();
    const srp_ptable *pt = srp_cellkey_ptable(ck);
    json_t *j = srp_cellkey_ptable_json(pt);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "method")), "cell-key");
    assert_int_equal(json_integer_value(json_object_get(j, "D")), 5);
    assert_true(json_real_value(json_object_get(j, "V")) == 3.0);
    assert_int_equal(json_integer_value(json_object_get(j, "js")), 2);
    json_t *table = json_object_get(j, "table");
    assert_int_equal(json_array_size(table), pt->count);
    json_t *second = json_array_get(table, 1); /* 1 -> 0 below 0.73446954 */
    assert_int_equal(json_integer_value(json_object_get(second, "i")), 1);
    assert_int_equal(json_integer_value(json_object_get(second, "j")), 0);
    assert_int_equal(json_integer_value(json_object_get(second, "v")), -1);
    assert_true(fabs(json_real_value(json_object_get(second, "p_int_ub")) - 0.73446954) < 1e-12);
    json_decref(j);
    srp_cellkey_free(ck);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_keys),
        cmocka_unit_test(test_cell_key_by_hand),
        cmocka_unit_test(test_order_free),
        cmocka_unit_test(test_ptable_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
