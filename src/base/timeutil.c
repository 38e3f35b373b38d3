/*
 * timeutil.c - clock and calendar helpers.
 */
#include "base/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/buffer.h"

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

/* The last second each clock was formatted for, per thread: an import asks
 * for the time once per response, and strftime costs more than the rest of
 * a response's bookkeeping. */
typedef struct time_memo {
    int set;
    time_t at;
    char text[32];
} time_memo;

static _Thread_local time_memo now_memo, today_memo;

/* The clock's second in fmt, as local time when local (UTC if it has none),
 * formatted again only when the second is another than m's. */
static void format_now(time_memo *m, int local, const char *fmt, char *out, size_t size)
{
    time_t t = now_seconds();
    if (!m->set || m->at != t) {
        struct tm tm;
        if (!local || !localtime_r(&t, &tm))
            gmtime_r(&t, &tm);
        if (strftime(m->text, sizeof m->text, fmt, &tm) == 0)
            m->text[0] = '\0';
        m->at = t;
        m->set = 1;
    }
    srp_str_copy(out, size, m->text);
}

void srp_time_now_iso(char *out, size_t size)
{
    format_now(&now_memo, 0, "%Y-%m-%dT%H:%M:%SZ", out, size);
}

void srp_time_today(char *out, size_t size)
{
    format_now(&today_memo, 1, "%Y-%m-%d", out, size);
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
