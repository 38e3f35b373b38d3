/*
 * stats.h - group summaries with disclosure control.
 *
 * Only aggregated figures leave the registry, and none may reveal a person:
 * counts of 1..min-1 are withheld, so are statistics over fewer than min
 * people and whole groups smaller than min, and further figures are withheld
 * (secondary suppression) so that no withheld one can be recomputed from
 * totals, from the other cells of its row or column, or from the same query
 * without its filter. Every summary is audited with the query actually run.
 * Under the cell-key method (sr_settings_method) nothing is withheld for its
 * count: every count, totals too, is perturbed by consistent noise (the
 * same people, the same noise), and statistics are shown only when the true
 * and the perturbed number of people both reach the minimum cell.
 *
 * Results are tidy: one row per published figure (DESIGN.md's contract),
 * and the library writes them as a table, CSV or JSON (sr_stats_write), so
 * that every front end gives the same bytes. Errors name the query field
 * they are about in err->where ("form", "by", "unit", "status", "from",
 * "to", "min_cell", "change"), never a command-line flag. A form with more
 * than 64 versions is refused (SR_ERR_INVALID), never summarised in part.
 */
#ifndef SIGREG_STATS_H
#define SIGREG_STATS_H

#include <stddef.h>

#include "sigreg/output.h"
#include "sigreg/registry.h"
#include "sigreg/sink.h"

#define SR_STATS_MIN_CELL_FLOOR 3
/* p25, median and p75 need at least this many people (below, they are
 * single people's values), and min_cell values on either side. */
#define SR_STATS_QUANTILE_MIN_N 10

typedef struct sr_stats_query {
    const char *form;   /* a form id, or "cases" for cases by status */
    const char *by[2];  /* NULL, an item id (of the form or the case's intake) or a built-in:
                           unit, age_band, year, half, quarter */
    const char *unit;   /* NULL or a unit code */
    const char *status; /* NULL, "open" or "closed" */
    const char *from;   /* NULL or YYYY-MM-DD: with to, one whole calendar quarter, */
    const char *to;     /* half-year or year (else refused, naming the nearest) */
    int min_cell;       /* 0 or the registry's setting: a floor no query moves */
    int change;         /* paired tables against the intake */
    const char *lang;   /* labels: "sv" (default) or "en" */
} sr_stats_query;

typedef struct sr_stats_row {
    const char *form;
    const char *item;
    const char *item_label;
    const char *by[2]; /* the group's codes (NULL when not grouped) */
    const char *value; /* an option code, or n, mean, median, p25, p75, top2, ... */
    const char *value_label;
    long count;
    long denominator;
    double percent;
    double estimate;
    int has_count, has_denominator, has_percent, has_estimate;
    int suppressed;
    int reason; /* 1 small count, 2 small group, 3 secondary, 4 small base, 5 a quartile over
                   fewer than SR_STATS_QUANTILE_MIN_N people or min_cell values on a side */
    const char *by_label[2]; /* the group's labels in the language asked for: an option's
                                label, a unit's name, else the code; NULL when not grouped
                                or the option has no label */
    /* What count counts (static strings): "people" (each person once, under
     * one answer: shares add up to 100 %), "people_ever" (a repeatable form:
     * people who gave the answer at least once in the period, a person may
     * count under several answers, so shares may add up to more than 100 %),
     * "people_choosing" (a multichoice item: people who chose the option,
     * likewise) or "cases" (cases by status). The label says it in the
     * language asked for. */
    const char *unit_of_count;
    const char *unit_of_count_label;
} sr_stats_row;

typedef struct sr_stats sr_stats;

/* Runs a summary. *out is owned by the caller (sr_stats_free). */
sr_status sr_stats_run(sr_registry *reg, const sr_stats_query *query, sr_stats **out,
                       sr_error *err);
void sr_stats_free(sr_stats *stats);
size_t sr_stats_row_count(const sr_stats *stats);
const sr_stats_row *sr_stats_row_at(const sr_stats *stats, size_t i);
/* The settings used (borrowed strings). */
int sr_stats_min_cell(const sr_stats *stats);
/* How much disclosure control hid in this table, and why (issue 16). The
 * figures are the table's counts (options, paired cells, summaries,
 * denominators); persons_hidden counts only what the table itself gives
 * away (a group's n minus its published counts), groups_hidden the
 * item-by-group blocks withheld whole with their group; released are
 * figures a rule would withhold that are published because the published
 * ones give them anyway (provable zeros); unprotectable are withheld ones
 * whose interval no pattern can make wide enough. All 0 under the cell-key
 * method and for a summary read from a publication. */
typedef struct sr_stats_protection {
    size_t figures, withheld;
    size_t small, small_group, secondary; /* withheld by reason */
    long persons_hidden;
    size_t groups_hidden, released, unprotectable;
} sr_stats_protection;
/* Borrowed from stats; never NULL. */
const sr_stats_protection *sr_stats_protection_of(const sr_stats *stats);
/* The disclosure method: "suppression" or "cell-key" (static). */
const char *sr_stats_method(const sr_stats *stats);
const char *sr_stats_from(const sr_stats *stats); /* the period's; NULL if none */
const char *sr_stats_to(const sr_stats *stats);
/* The query actually run: the unit the figures are of (the one asked for, or
 * the only unit of a coordinator), NULL for all units; the status filter,
 * NULL for both; the form id ("cases"), whether it is a change table, and
 * the language of its labels ("sv" or "en"). */
const char *sr_stats_unit(const sr_stats *stats);
const char *sr_stats_status(const sr_stats *stats);
const char *sr_stats_form(const sr_stats *stats);
int sr_stats_change(const sr_stats *stats);
const char *sr_stats_lang(const sr_stats *stats);
const char *sr_stats_versions(const sr_stats *stats); /* e.g. "1,2" */
const char *sr_stats_generated_at(const sr_stats *stats);
const char *sr_stats_by_name(const sr_stats *stats, int i); /* NULL when not grouped */
const char *sr_stats_form_title(const sr_stats *stats);
/* A summary answered from a publication (for an analyst, or read with
 * sr_publication_stats): when it was published (ISO 8601, UTC), by whom and
 * the signer's key fingerprint; NULL for a live summary. */
const char *sr_stats_published_at(const sr_stats *stats);
const char *sr_stats_published_by(const sr_stats *stats);
const char *sr_stats_signer(const sr_stats *stats);
/* Lines that explain what was done (widened dates, why figures are withheld). */
size_t sr_stats_note_count(const sr_stats *stats);
const char *sr_stats_note(const sr_stats *stats, size_t i);

/* Output formats. The tidy ones (csv, json) have the columns of DESIGN.md's
 * contract: form, item, one per --by item, value, count, denominator,
 * percent, estimate, suppressed, then item_label, value_label and one
 * <by>_label per --by item, then unit_of_count (and, with the labels,
 * unit_of_count_label): columns are only ever added at the end. CSV ends lines with CRLF; the Excel
 * flavour adds a byte-order mark, separates by ';' and writes decimal commas. JSON is an object
 * with the settings and the filters actually applied beside "rows". The table is for reading on a
 * terminal. */
typedef enum sr_stats_format {
    SR_STATS_TABLE = 0,
    SR_STATS_CSV,
    SR_STATS_CSV_EXCEL,
    SR_STATS_JSON
} sr_stats_format;

typedef struct sr_stats_write_options {
    int no_labels; /* csv, json: leave out the label columns */
    /* csv: NULL or "en" for the contract's column names (for programs),
     * "sv" for Swedish headers (for people); JSON keys are never translated. */
    const char *header_lang;
} sr_stats_write_options;

/* Writes stats in fmt through sink; options may be NULL. SR_ERR_IO (err
 * filled) when the sink fails, SR_ERR_NOMEM. Nothing is owned or kept. */
sr_status sr_stats_write(const sr_stats *stats, sr_stats_format fmt,
                         const sr_stats_write_options *options, const sr_sink *sink, sr_error *err);

/* Writes stats as an Excel workbook at path: a cover sheet (the settings, the
 * filters applied, the notes on what is withheld) and a sheet of the form's
 * tables, each item a block with its answers down and the groups across
 * (a count and a percent column per group), withheld figures as "..". The
 * file is made as sigreg/output.h says: written beside path under a
 * temporary name and moved into place, an existing file replaced only with
 * options->force, a registry's files never. SR_ERR_IO, SR_ERR_EXISTS,
 * SR_ERR_DENIED (where "out"), SR_ERR_NOMEM. Nothing is owned or kept. */
sr_status sr_stats_write_xlsx(const sr_stats *stats, const char *path,
                              const sr_output_options *options, sr_error *err);

#endif
