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

#endif
