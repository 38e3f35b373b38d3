/*
 * stats_row.h - finds the one row of a summary that the stats tests assert
 * on: item and value, in group by (NULL when not grouped). Header-only, for
 * the test programs that check summaries against hand-computed figures.
 */
#ifndef SIGREG_TEST_STATS_ROW_H
#define SIGREG_TEST_STATS_ROW_H

#include <string.h>

#include "sigreg/stats.h"

/* The row of item and value (in group by, NULL when not grouped); fails when
 * there is none or more than one. */
static const sr_stats_row *row(const sr_stats *s, const char *item, const char *by,
                               const char *value)
{
    const sr_stats_row *found = NULL;
    for (size_t i = 0; i < sr_stats_row_count(s); i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        if (strcmp(r->item, item) != 0 || strcmp(r->value, value) != 0)
            continue;
        if ((by == NULL) != (r->by[0] == NULL) || (by && strcmp(by, r->by[0]) != 0))
            continue;
        if (found)
            fail_msg("two rows for %s %s %s", item, by ? by : "-", value);
        found = r;
    }
    if (!found)
        fail_msg("no row for %s %s %s", item, by ? by : "-", value);
    return found;
}

#endif
