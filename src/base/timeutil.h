/*
 * timeutil.h - clock and calendar helpers (internal): the current time as
 * ISO 8601 UTC, today's local civil date, and checks of YYYY-MM-DD dates.
 *
 * "Today" is always the civil date where the registry is used (the
 * process's TZ; Europe/Stockholm for a Swedish registry), never the UTC
 * date: between midnight and 01:00 or 02:00 Swedish time the two differ.
 * Timestamps (audit entries) stay in UTC. The clock is the machine's; only
 * a test can fix it, through srp_time_set_clock_for_tests, never through
 * the environment or a setting.
 */
#ifndef SIGREG_TIMEUTIL_H
#define SIGREG_TIMEUTIL_H

#include <stddef.h>
#include <time.h>

/* "2026-11-22T17:45:52Z" (UTC) */
void srp_time_now_iso(char *out, size_t size);
/* "2026-11-22": the local civil date (localtime_r under the process TZ). */
void srp_time_today(char *out, size_t size);
/* For tests only: makes the library's clock call now (NULL: the real clock
 * again). Product code never calls this. */
void srp_time_set_clock_for_tests(time_t (*now)(void));
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
