/*
 * test_process.c - a process that holds keys leaves no core dump and cannot
 * be read through /proc by other users.
 */
#include <sys/prctl.h>
#include <sys/resource.h>

#include "sigreg/process.h"
#include "testutil.h"

static void test_harden_turns_dumps_off(void **state)
{
    (void)state;
    sr_error err = {0};
    assert_int_equal(sr_process_harden(&err), SR_OK);
    assert_true(sr_process_is_hardened());
    struct rlimit now;
    assert_int_equal(getrlimit(RLIMIT_CORE, &now), 0);
    assert_int_equal(now.rlim_cur, 0);
    assert_int_equal(now.rlim_max, 0);
    assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
    /* Twice is fine. */
    assert_int_equal(sr_process_harden(&err), SR_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_harden_turns_dumps_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
