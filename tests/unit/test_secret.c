/*
 * test_secret.c - guarded secret buffers.
 */
#include "testutil.h"

#include <string.h>

static void test_new_is_zeroed_and_empty(void **state)
{
    (void)state;
    sr_secret *s = sr_secret_new(64);
    assert_non_null(s);
    assert_int_equal(sr_secret_len(s), 0);
    assert_int_equal(sr_secret_capacity(s), 64);
    for (size_t i = 0; i < 64; i++)
        assert_int_equal(sr_secret_data(s)[i], 0);
    sr_secret_free(s);
}

static void test_set_len_wipes_the_tail(void **state)
{
    (void)state;
    sr_secret *s = sr_secret_new(16);
    memset(sr_secret_data(s), 'x', 16);
    sr_secret_set_len(s, 4);
    assert_int_equal(sr_secret_len(s), 4);
    assert_int_equal(sr_secret_data(s)[3], 'x');
    for (size_t i = 4; i < 16; i++)
        assert_int_equal(sr_secret_data(s)[i], 0);
    sr_secret_set_len(s, 100); /* clamps to capacity */
    assert_int_equal(sr_secret_len(s), 16);
    sr_secret_free(s);
}

static void test_free_null_is_a_no_op(void **state)
{
    (void)state;
    sr_secret_free(NULL);
}

int main(void)
{
    sr_error err;
    sr_error_clear(&err);
    if (sr_crypto_init(&err) != SR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_is_zeroed_and_empty),
        cmocka_unit_test(test_set_len_wipes_the_tail),
        cmocka_unit_test(test_free_null_is_a_no_op),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
