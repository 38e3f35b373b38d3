/*
 * period.c - the fixed periods of summaries: checking a window, and the
 * keys and bounds of quarters, half-years and years (see period.h).
 */
#include "period.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/timeutil.h"

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return days[m - 1] + (m == 2 && srp_date_valid(y, 2, 29));
}

void srp_period_month_date(int index, int last, char out[11])
{
    int y = index / 12, m = index % 12 + 1;
    snprintf(out, 11, "%04d-%02d-%02d", y % 10000, m, last ? month_days(y, m) : 1);
}

/* A window of whole quarters that is not one fixed period: the largest
 * fixed period that starts with it and the smallest that holds it. */
static sr_status not_fixed(int a, int b, sr_error *err)
{
    int len = 3;
    if (a % 12 == 0 && a + 11 <= b)
        len = 12;
    else if (a % 6 == 0 && a + 5 <= b)
        len = 6;
    char from[11], to[11], sfrom[11], sto[11], wfrom[11], wto[11];
    srp_period_month_date(a, 0, from);
    srp_period_month_date(b, 1, to);
    srp_period_month_date(a, 0, sfrom);
    srp_period_month_date(a + len - 1, 1, sto);
    int wide = a / 6 == b / 6 ? 6 : a / 12 == b / 12 ? 12 : 0;
    if (!wide)
        return srp_error_set_where(err, SR_ERR_USAGE, "to",
                                   "the period %s to %s is not one quarter, half-year or year: the "
                                   "nearest is %s to %s",
                                   from, to, sfrom, sto);
    srp_period_month_date(a / wide * wide, 0, wfrom);
    srp_period_month_date(a / wide * wide + wide - 1, 1, wto);
    return srp_error_set_where(err, SR_ERR_USAGE, "to",
                               "the period %s to %s is not one quarter, half-year or year: the "
                               "nearest are %s to %s and %s to %s",
                               from, to, sfrom, sto, wfrom, wto);
}

sr_status srp_period_check(const char *from, const char *to, char out_from[11], char out_to[11],
                           srp_period_kind *kind, sr_error *err)
{
    out_from[0] = out_to[0] = '\0';
    if (kind)
        *kind = SRP_PERIOD_NONE;
    if (!from && !to)
        return SR_OK;
    int y, m, d, a = 0, b = 0;
    if (!from)
        goto one_date;
    if (srp_date_parse(from, &y, &m, &d) != 0)
        return srp_error_set_where(err, SR_ERR_USAGE, "from",
                                   "the start date '%s' is not a date YYYY-MM-DD", from);
    a = y * 12 + (m - 1) / 3 * 3; /* the first month of its quarter */
    if (d != 1 || (m - 1) % 3 != 0) {
        char before[11], after[11];
        srp_period_month_date(a, 0, before);
        srp_period_month_date(a + 3, 0, after);
        return srp_error_set_where(err, SR_ERR_USAGE, "from",
                                   "the start date '%s' is not the first day of a quarter: the "
                                   "nearest are %s and %s",
                                   from, before, after);
    }
one_date:
    if (!to)
        return srp_error_set_where(err, SR_ERR_USAGE, "to",
                                   "a period needs both a start and an end date");
    if (srp_date_parse(to, &y, &m, &d) != 0)
        return srp_error_set_where(err, SR_ERR_USAGE, "to",
                                   "the end date '%s' is not a date YYYY-MM-DD", to);
    b = y * 12 + (m - 1) / 3 * 3 + 2; /* the last month of its quarter */
    if (m % 3 != 0 || d != month_days(y, m)) {
        char before[11], after[11];
        srp_period_month_date(b - 3, 1, before);
        srp_period_month_date(b, 1, after);
        return srp_error_set_where(err, SR_ERR_USAGE, "to",
                                   "the end date '%s' is not the last day of a quarter: the "
                                   "nearest are %s and %s",
                                   to, before, after);
    }
    if (!from)
        return srp_error_set_where(err, SR_ERR_USAGE, "from",
                                   "a period needs both a start and an end date");
    if (a > b) {
        char f[11], t[11];
        srp_period_month_date(a, 0, f);
        srp_period_month_date(b, 1, t);
        return srp_error_set_where(err, SR_ERR_USAGE, "from",
                                   "the start date %s is after the end date %s", f, t);
    }
    int months = b - a + 1;
    srp_period_kind k = months == 3                   ? SRP_PERIOD_QUARTER
                        : months == 6 && a % 6 == 0   ? SRP_PERIOD_HALF
                        : months == 12 && a % 12 == 0 ? SRP_PERIOD_YEAR
                                                      : SRP_PERIOD_NONE;
    if (k == SRP_PERIOD_NONE)
        return not_fixed(a, b, err);
    srp_period_month_date(a, 0, out_from);
    srp_period_month_date(b, 1, out_to);
    if (kind)
        *kind = k;
    return SR_OK;
}

int srp_period_key(srp_period_kind kind, const char *date, char *out, size_t size)
{
    if (!date || strlen(date) < 7)
        return -1;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (date[i] < '0' || date[i] > '9'))
            return -1;
    int month = (date[5] - '0') * 10 + (date[6] - '0');
    if (date[4] != '-' || month < 1 || month > 12)
        return -1;
    int n;
    switch (kind) {
    case SRP_PERIOD_QUARTER:
        n = snprintf(out, size, "%.4s-Q%d", date, (month - 1) / 3 + 1);
        break;
    case SRP_PERIOD_HALF:
        n = snprintf(out, size, "%.4s-H%d", date, (month - 1) / 6 + 1);
        break;
    case SRP_PERIOD_YEAR:
        n = snprintf(out, size, "%.4s", date);
        break;
    default:
        return -1;
    }
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* The first and last month index of one key; -1 when it names no period. */
static int key_months(const char *key, size_t len, int *first, int *last)
{
    if (len < 4)
        return -1;
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (key[i] < '0' || key[i] > '9')
            return -1;
        y = y * 10 + (key[i] - '0');
    }
    if (len == 4) {
        *first = y * 12;
        *last = y * 12 + 11;
        return 0;
    }
    if (len != 7 || key[4] != '-')
        return -1;
    int n = key[6] - '0';
    if (key[5] == 'Q' && n >= 1 && n <= 4) {
        *first = y * 12 + (n - 1) * 3;
        *last = *first + 2;
        return 0;
    }
    if (key[5] == 'H' && n >= 1 && n <= 2) {
        *first = y * 12 + (n - 1) * 6;
        *last = *first + 5;
        return 0;
    }
    return -1;
}

int srp_period_bounds(const char *key, char from[11], char to[11])
{
    if (!key)
        return -1;
    const char *slash = strchr(key, '/');
    size_t len = slash ? (size_t)(slash - key) : strlen(key);
    int a, b, c, d;
    if (key_months(key, len, &a, &b) != 0)
        return -1;
    if (slash && (key_months(slash + 1, strlen(slash + 1), &c, &d) != 0 || c < a))
        return -1;
    srp_period_month_date(a, 0, from);
    srp_period_month_date(slash ? d : b, 1, to);
    return 0;
}
