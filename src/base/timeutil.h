/*
 * timeutil.h - clock and calendar helpers (internal): the current time as
 * ISO 8601 UTC, today's date, and checks of YYYY-MM-DD dates.
 */
#ifndef SIGREG_TIMEUTIL_H
#define SIGREG_TIMEUTIL_H

#include <stddef.h>

/* "2026-11-22T17:45:52Z" */
void srp_time_now_iso(char *out, size_t size);
/* "2026-11-22" (UTC) */
void srp_time_today(char *out, size_t size);
/* Whether y-m-d is a real Gregorian date. */
int srp_date_valid(int year, int month, int day);
/* Parses exactly "YYYY-MM-DD" into its parts; 0 when it is a real date. */
int srp_date_parse(const char *text, int *year, int *month, int *day);
/* Age in whole years on date of someone born on birth; -1 when either is
 * missing or not a date. */
int srp_age_on(const char *birth, const char *date);
/* The age band of SIG follow-up ("0-11", "12-14", "15-17", "18-20", "21+"),
 * or with wide set "0-17" / "18+"; "unknown" without a birth date. */
const char *srp_age_band(const char *birth, const char *date, int wide);

#endif
