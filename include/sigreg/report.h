/*
 * report.h - the group report: which summaries a report holds, in which
 * order, and its rendering as one self-contained HTML page (inline CSS and
 * SVG bars, no scripts, nothing fetched, printable on A4), written through a
 * sink so that a file and a web page get the same bytes.
 *
 * The report holds the case flow (cases by status, overall and by year of
 * intake), then every installed form in the order of the follow-up
 * (intake, intervention, closure, ...), and for closure and follow-up forms
 * the change table against the intake. Every figure comes from
 * sr_stats_run, so the page shows exactly what the summaries publish
 * (withheld figures as ".."), and each summary is audited as such.
 */
#ifndef SIGREG_REPORT_H
#define SIGREG_REPORT_H

#include <stddef.h>

#include "sigreg/registry.h"
#include "sigreg/sink.h"
#include "sigreg/stats.h"

typedef struct sr_report_options {
    const char *unit; /* NULL: every unit the user may see (a coordinator's one unit) */
} sr_report_options;

typedef struct sr_report sr_report;

/* Runs every summary of the report. *out is owned by the caller
 * (sr_report_free); on failure nothing is returned. options may be NULL. */
sr_status sr_report_run(sr_registry *reg, const sr_report_options *options, sr_report **out,
                        sr_error *err);
void sr_report_free(sr_report *report);
/* The sections in order: a heading and its summary (both borrowed). */
size_t sr_report_section_count(const sr_report *report);
const char *sr_report_section_heading(const sr_report *report, size_t i);
const sr_stats *sr_report_section_stats(const sr_report *report, size_t i);
/* The unit the report is of (the one asked for, or a coordinator's only
 * unit), or NULL for all units. */
const char *sr_report_unit(const sr_report *report);
/* Writes the page through sink; SR_ERR_IO (err filled) when the sink fails. */
sr_status sr_report_write_html(const sr_report *report, const sr_sink *sink, sr_error *err);

#endif
