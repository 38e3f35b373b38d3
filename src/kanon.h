/*
 * kanon.h - k-anonymity over a plain table of quasi-identifiers (internal).
 *
 * A pure step: it sees rows of small typed values, never SQL, a registry,
 * text or a form. The caller adds one row per person (each column's raw
 * value, or SRP_KANON_EMPTY), runs it, and then reads every row's value per
 * column. A run first recodes the whole table in steps (levels), the same
 * step for everyone:
 *   1  codes that fewer than k people share become "other"; whole numbers
 *      fall into five-wide bins
 *   2  months become years
 *   3  whole numbers are left out
 *   4  age bands widen to 0-17 and 18+
 * levels 1-3 while more than max(n / 100, k) people sit in a class (the same
 * tuple) smaller than k; level 4 only when more than a third still would.
 * Then local suppression: for the people still in small classes, the
 * cheapest set of columns (one, two or three; a column's weight says what
 * its loss costs: dates and numbers 1, codes 3, age bands 4) whose blanking
 * brings them into a class of at least k is blanked, for them only, one set
 * at a time, cheapest first. A blanked cell is EMPTY, the same as a missing
 * value, and classes are counted that way. Whoever still stands out is
 * blanked whole, and when fewer than k are wholly blank, more join them
 * (from the largest classes, never taking one below k; then whole classes,
 * smallest first).
 * Memory: two bytes per cell (four in a column whose values need them), and
 * eight bytes per row for what is blanked; during a run nine more per row;
 * nothing per distinct value.
 */
#ifndef SIGREG_KANON_H
#define SIGREG_KANON_H

#include <stddef.h>
#include <stdint.h>

#include "sigreg/status.h"

#define SRP_KANON_EMPTY INT32_MIN       /* no value (missing, left out, blanked) */
#define SRP_KANON_OTHER (INT32_MIN + 1) /* merged into "other" (generalised values only) */
#define SRP_KANON_LEVELS 5              /* levels 0 (as given) to 4 */

typedef enum srp_kanon_kind {
    SRP_KANON_CODE,   /* a code compared for equality (unit, option, truth value, scale step) */
    SRP_KANON_NUMBER, /* a number in 1/scale units; binned from level 1, left out from 4 */
    SRP_KANON_MONTH,  /* year * 12 + month - 1; the year alone from level 2 */
    SRP_KANON_YEAR,   /* a year, never changed */
    SRP_KANON_AGE     /* age in whole years; banded (srp_kanon_age_band) */
} srp_kanon_kind;

typedef struct srp_kanon_column {
    srp_kanon_kind kind;
    int32_t scale;  /* SRP_KANON_NUMBER: raw values are value * scale (0 counts as 1) */
    int32_t weight; /* the cost of blanking it (0: by kind, see above) */
} srp_kanon_column;

/* How to read a column's generalised values at the level reached. */
typedef enum srp_kanon_form {
    SRP_KANON_AS_IS,      /* the raw value (or OTHER) */
    SRP_KANON_BINS,       /* NUMBER: the low end of a five-wide bin, in whole units */
    SRP_KANON_YEARS,      /* MONTH: the year */
    SRP_KANON_BANDS,      /* AGE: a band index, srp_kanon_age_band(value, 0) */
    SRP_KANON_WIDE_BANDS, /* AGE: a band index, srp_kanon_age_band(value, 1) */
    SRP_KANON_LEFT_OUT    /* every value EMPTY */
} srp_kanon_form;

typedef struct srp_kanon srp_kanon;

/* A table of columns (copied); NULL when out of memory. Free with
 * srp_kanon_free. */
srp_kanon *srp_kanon_new(const srp_kanon_column *columns, size_t count);
void srp_kanon_free(srp_kanon *table); /* NULL: no-op */
/* Appends a row of raw values (one per column); returns its index, or -1
 * when out of memory. */
long srp_kanon_add(srp_kanon *table, const int32_t *values);
size_t srp_kanon_rows(const srp_kanon *table);

typedef struct srp_kanon_result {
    int level;          /* the level reached, 0..SRP_KANON_LEVELS-1 */
    size_t outliers;    /* people in classes smaller than k at that level, before blanking */
    size_t blanked;     /* people with at least one column blanked */
    size_t all_blanked; /* people with every column blanked */
    size_t cells;       /* blanked cells */
} srp_kanon_result;

/* Runs the step for k >= 2 over at least k rows (otherwise SR_ERR_USAGE /
 * SR_ERR_STATE with where "k"). May be run again with another k. */
sr_status srp_kanon_run(srp_kanon *table, int k, srp_kanon_result *result, sr_error *err);

/* After a run: row's value in column (EMPTY when blanked or left out, OTHER
 * when merged), the same before local suppression, how the column reads, the
 * columns blanked for row (bit c: column c), and how many. */
int32_t srp_kanon_value(const srp_kanon *table, size_t row, size_t column);
int32_t srp_kanon_generalised(const srp_kanon *table, size_t row, size_t column);
srp_kanon_form srp_kanon_column_form(const srp_kanon *table, size_t column);
uint64_t srp_kanon_mask(const srp_kanon *table, size_t row);
int srp_kanon_blanked(const srp_kanon *table, size_t row);

/* "0-11", "12-14", "15-17", "18-20", "21+" (wide: "0-17", "18+") for a band
 * index; "unknown" for EMPTY. */
const char *srp_kanon_age_band(int32_t band, int wide);
/* What level (1..4) does, in words for the extract's metadata. */
const char *srp_kanon_step(int level);

#endif
