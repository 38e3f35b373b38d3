/*
 * fixed_clock.h - a clock the white-box tests set (through timeutil's
 * srp_time_set_clock_for_tests), and UTC instants written as dates, so that
 * "today" can be tested across midnight and daylight-saving changes.
 * Header-only: each test program that includes it gets its own clock.
 */
#ifndef SIGREG_TEST_FIXED_CLOCK_H
#define SIGREG_TEST_FIXED_CLOCK_H

#include <time.h>

#include "base/timeutil.h"

static time_t fixed;
static time_t fixed_clock(void)
{
    return fixed;
}

/* y-mo-d h:mi UTC as a time_t, without the local zone. */
static time_t utc(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    return timegm(&tm);
}

#endif
