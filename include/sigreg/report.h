/*
 * report.h - the report for the nämnd (the unit's board): which summaries
 * it holds and its rendering as one self-contained HTML page (inline CSS and
 * SVG charts, no scripts, nothing fetched, printable on A4), written through
 * a sink so that a file and a web page get the same bytes.
 *
 * A cover (organisation units by name, the period, N cases, when and by
 * whom, the minimum cell), then one to three pages of key figures (the case
 * flow, the age at intake, the reasons for closure, the change per need
 * area between intake and closure, the young people's experience as the
 * share answering 4-5, the actors and the kinds of intervention), each
 * beside the previous period of the same length when asked, then every
 * form item by item in an appendix. Every figure comes from sr_stats_run, so
 * the page shows exactly what the summaries publish (withheld figures as
 * ".."), computes none of its own, and each summary is audited as such.
 * It must not open files or print.
 */
#ifndef SIGREG_REPORT_H
#define SIGREG_REPORT_H

#include <stddef.h>

#include "sigreg/registry.h"
#include "sigreg/sink.h"
#include "sigreg/stats.h"

typedef struct sr_report_options {
    const char *unit;     /* NULL: every unit the user may see (a coordinator's one unit) */
    int year;             /* 0, or the calendar year the report is of */
    const char *from;     /* NULL or YYYY-MM-DD: with to, one quarter, half-year or year */
    const char *to;       /* (not with year) */
    int compare_previous; /* each key figure beside the previous period of the same length */
} sr_report_options;

typedef struct sr_report sr_report;

/* Checks the period of options: one calendar quarter, half-year or year
 * (the one check of every summary's window). A date off a boundary, or
 * whole quarters that are none of those, are refused (SR_ERR_USAGE, where
 * "from" or "to") with a message naming the nearest fixed periods;
 * compare_previous needs a period.
 * On success from and to (11 bytes each) get the period, or "" for none. */
sr_status sr_report_period(const sr_report_options *options, char from[11], char to[11],
                           sr_error *err);
/* Runs every summary of the report. *out is owned by the caller
 * (sr_report_free); on failure nothing is returned. options may be NULL. */
sr_status sr_report_run(sr_registry *reg, const sr_report_options *options, sr_report **out,
                        sr_error *err);
void sr_report_free(sr_report *report);
/* The appendix sections in order: a heading and its summary (both borrowed). */
size_t sr_report_section_count(const sr_report *report);
const char *sr_report_section_heading(const sr_report *report, size_t i);
const sr_stats *sr_report_section_stats(const sr_report *report, size_t i);
/* The unit the report is of (the one asked for, or a coordinator's only
 * unit), or NULL for all units. */
const char *sr_report_unit(const sr_report *report);
/* Writes the page through sink; SR_ERR_IO (err filled) when the sink fails. */
sr_status sr_report_write_html(const sr_report *report, const sr_sink *sink, sr_error *err);

#endif
