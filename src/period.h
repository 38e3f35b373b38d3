/*
 * period.h - the fixed periods of summaries (internal): whole calendar
 * quarters, half-years and years, and nothing else.
 *
 * Every date window of a summary (live statistics, the report, a
 * publication) is checked here and only here, so that no two windows can
 * differ by a month or a day: a window is one calendar quarter, one
 * half-year (January-June, July-December) or one calendar year, or no
 * window at all. A refused window is named with the nearest fixed periods.
 * Periods are also the groups of a dimension (srp_period_key), whose keys
 * sort in time order ("2025", "2025-H1", "2025-Q3"). It knows nothing of
 * forms, registries or disclosure control, and never names a command-line
 * flag: errors say where "from" or "to".
 */
#ifndef SIGREG_PERIOD_H
#define SIGREG_PERIOD_H

#include <stddef.h>

#include "sigreg/status.h"

typedef enum srp_period_kind {
    SRP_PERIOD_NONE = 0, /* no window */
    SRP_PERIOD_QUARTER,
    SRP_PERIOD_HALF,
    SRP_PERIOD_YEAR
} srp_period_kind;

/* Checks a window. from and to are NULL (no window) or YYYY-MM-DD; both or
 * neither. A window must start on the first day of a quarter, end on the
 * last day of a quarter, and be exactly one quarter, half-year or year.
 * On success out_from and out_to (11 bytes each) get the window ("" for
 * none) and *kind (may be NULL) its kind. Refused: SR_ERR_USAGE with where
 * "from" or "to" and a message naming the nearest fixed periods, e.g. "the
 * start date '2025-02-01' is not the first day of a quarter: the nearest are
 * 2025-01-01 and 2025-04-01". */
sr_status srp_period_check(const char *from, const char *to, char out_from[11], char out_to[11],
                           srp_period_kind *kind, sr_error *err);

/* The key of the period of kind that holds date (YYYY-MM-DD...): "2025",
 * "2025-H1" or "2025-Q3"; -1 when date is not a date or size too small. */
int srp_period_key(srp_period_kind kind, const char *date, char *out, size_t size);

/* The first and last day (11 bytes each) of the period named by key (as
 * srp_period_key makes them, or a merged run "2023/2024" of two keys:
 * from the start of the first to the end of the second); -1 when key
 * names no period. */
int srp_period_bounds(const char *key, char from[11], char to[11]);
/* The month index y*12 + m-1 as a date YYYY-MM-DD: its first day, or
 * (last) its last. */
void srp_period_month_date(int index, int last, char out[11]);

#endif
