/*
 * timeutil.c - clock and calendar helpers.
 */
#include "base/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The clock is never overridable from the environment or a setting: audit
 * timestamps must be the machine's. Only a test fixes it. */
static time_t (*test_clock)(void);

void srp_time_set_clock_for_tests(time_t (*now)(void))
{
    test_clock = now;
}

static time_t now_seconds(void)
{
    return test_clock ? test_clock() : time(NULL);
}

void srp_time_now_iso(char *out, size_t size)
{
    time_t t = now_seconds();
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void srp_time_today(char *out, size_t size)
{
    time_t t = now_seconds();
    struct tm tm;
    if (!localtime_r(&t, &tm))
        gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%d", &tm);
}

int srp_date_valid(int year, int month, int day)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1800 || year > 9999 || month < 1 || month > 12 || day < 1)
        return 0;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int max = days[month - 1] + (month == 2 && leap);
    return day <= max;
}

int srp_date_parse(const char *text, int *year, int *month, int *day)
{
    if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
            return -1;
    int y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
    int m = (text[5] - '0') * 10 + (text[6] - '0');
    int d = (text[8] - '0') * 10 + (text[9] - '0');
    if (!srp_date_valid(y, m, d))
        return -1;
    *year = y;
    *month = m;
    *day = d;
    return 0;
}

int srp_age_on(const char *birth, const char *date)
{
    int by, bm, bd, y, m, d;
    if (!birth || !date || srp_date_parse(birth, &by, &bm, &bd) != 0 ||
        srp_date_parse(date, &y, &m, &d) != 0)
        return -1;
    return y - by - (m < bm || (m == bm && d < bd));
}

const char *srp_age_band(const char *birth, const char *date, int wide)
{
    int age = srp_age_on(birth, date);
    if (age < 0)
        return "unknown";
    if (wide)
        return age < 18 ? "0-17" : "18+";
    return age < 12    ? "0-11"
           : age <= 14 ? "12-14"
           : age <= 17 ? "15-17"
           : age <= 20 ? "18-20"
                       : "21+";
}
