/*
 * test_timeutil.c - the clock and calendar helpers (white-box): "today" is
 * the local civil date in Sweden, across midnight and both changes of
 * daylight-saving time, under a clock the test fixes.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/timeutil.h"
#include "fixed_clock.h"

static int setup(void **state)
{
    (void)state;
    setenv("TZ", "Europe/Stockholm", 1);
    tzset();
    srp_time_set_clock_for_tests(fixed_clock);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    srp_time_set_clock_for_tests(NULL);
    return 0;
}

typedef struct instant {
    int y, mo, d, h, mi; /* UTC */
    const char *today;   /* the Swedish date then */
    const char *what;
} instant;

static const instant instants[] = {
    {2026, 11, 22, 22, 59, "2026-11-22", "23:59 in winter"},
    {2026, 11, 22, 23, 0, "2026-11-23", "midnight in winter (UTC still the day before)"},
    {2026, 11, 23, 0, 59, "2026-11-23", "01:59 in winter"},
    {2026, 6, 14, 21, 59, "2026-06-14", "23:59 in summer"},
    {2026, 6, 14, 22, 0, "2026-06-15", "midnight in summer"},
    {2026, 6, 14, 23, 59, "2026-06-15", "01:59 in summer (UTC still the day before)"},
    /* Last Sunday of March 2026 (29th): 02:00 CET becomes 03:00 CEST at 01:00Z. */
    {2026, 3, 28, 23, 30, "2026-03-29", "00:30 on the night clocks go forward"},
    {2026, 3, 29, 0, 59, "2026-03-29", "01:59, the last minute of winter time"},
    {2026, 3, 29, 1, 0, "2026-03-29", "03:00, the first minute of summer time"},
    {2026, 3, 29, 21, 59, "2026-03-29", "23:59 that day, now on summer time"},
    {2026, 3, 29, 22, 0, "2026-03-30", "midnight after the change"},
    /* Last Sunday of October 2026 (25th): 03:00 CEST becomes 02:00 CET at 01:00Z. */
    {2026, 10, 24, 22, 0, "2026-10-25", "midnight on the night clocks go back"},
    {2026, 10, 25, 0, 30, "2026-10-25", "02:30 summer time"},
    {2026, 10, 25, 1, 30, "2026-10-25", "02:30 again, winter time"},
    {2026, 10, 25, 22, 59, "2026-10-25", "23:59 that day, now on winter time"},
    {2026, 10, 25, 23, 0, "2026-10-26", "midnight after the change"},
};

static void test_today_is_the_swedish_date(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++) {
        const instant *t = &instants[i];
        fixed = utc(t->y, t->mo, t->d, t->h, t->mi);
        char today[11];
        srp_time_today(today, sizeof today);
        if (strcmp(today, t->today) != 0)
            fail_msg("%s: today is %s, expected %s", t->what, today, t->today);
    }
}

static void test_timestamps_stay_utc(void **state)
{
    (void)state;
    fixed = utc(2026, 3, 28, 23, 30);
    char now[32];
    srp_time_now_iso(now, sizeof now);
    assert_string_equal(now, "2026-03-28T23:30:00Z");
}

static void test_dates(void **state)
{
    (void)state;
    int y, m, d;
    assert_int_equal(srp_date_parse("2024-02-29", &y, &m, &d), 0);
    assert_int_equal(srp_date_parse("2025-02-29", &y, &m, &d), -1);
    assert_int_equal(srp_date_parse("2025-2-01", &y, &m, &d), -1);
    assert_int_equal(srp_age_on("2010-03-15", "2026-03-14"), 15);
    assert_int_equal(srp_age_on("2010-03-15", "2026-03-15"), 16);
    assert_string_equal(srp_age_band("2010-03-15", "2026-03-15", 0), "15-17");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_today_is_the_swedish_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timestamps_stay_utc, setup, teardown),
        cmocka_unit_test(test_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
