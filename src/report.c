/*
 * report.c - the group report's content (which summaries, in which order)
 * and its HTML page. It runs summaries through sr_stats_run and renders
 * what they publish; it computes no figure of its own and never opens a
 * file: the page goes to a sink.
 */
#include "sigreg/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "sigreg/form_store.h"
#include "sigreg/limits.h"

typedef struct section {
    char *heading; /* NULL: the summary's own title */
    sr_stats *stats;
} section;

struct sr_report {
    section *sections;
    size_t count, cap;
    char *unit;
};

void sr_report_free(sr_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++) {
        free(r->sections[i].heading);
        sr_stats_free(r->sections[i].stats);
    }
    free(r->sections);
    free(r->unit);
    free(r);
}

size_t sr_report_section_count(const sr_report *r)
{
    return r->count;
}
const sr_stats *sr_report_section_stats(const sr_report *r, size_t i)
{
    return r->sections[i].stats;
}
const char *sr_report_section_heading(const sr_report *r, size_t i)
{
    return r->sections[i].heading ? r->sections[i].heading
                                  : sr_stats_form_title(r->sections[i].stats);
}
const char *sr_report_unit(const sr_report *r)
{
    return r->unit;
}

/* ---- which forms, in which order ---- */

typedef struct form_entry {
    char id[SR_FORM_ID_MAX + 1];
    sr_phase phase;
} form_entry;

typedef struct form_list {
    form_entry *items;
    size_t count, cap;
    int oom;
} form_list;

static int collect_form(void *ctx, const sr_form_summary *s)
{
    form_list *l = ctx;
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].id, s->id) == 0)
            return 0;
    if (srp_grow((void **)&l->items, &l->cap, l->count + 1, sizeof *l->items) != 0) {
        l->oom = 1;
        return 1;
    }
    snprintf(l->items[l->count].id, sizeof l->items[0].id, "%s", s->id);
    l->items[l->count++].phase = s->phase;
    return 0;
}

static sr_status add_summary(sr_report *r, sr_registry *reg, const sr_stats_query *q,
                             const char *heading, sr_error *err)
{
    if (srp_grow((void **)&r->sections, &r->cap, r->count + 1, sizeof *r->sections) != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    section *s = &r->sections[r->count];
    memset(s, 0, sizeof *s);
    if (heading && !(s->heading = strdup(heading)))
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_status rc = sr_stats_run(reg, q, &s->stats, err);
    if (rc != SR_OK) {
        free(s->heading);
        return rc;
    }
    r->count++;
    return SR_OK;
}

sr_status sr_report_run(sr_registry *reg, const sr_report_options *options, sr_report **out,
                        sr_error *err)
{
    *out = NULL;
    const char *unit = options ? options->unit : NULL;
    form_list forms = {NULL, 0, 0, 0};
    sr_report *r = calloc(1, sizeof *r);
    sr_status rc = SR_OK;
    if (!r) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = sr_form_list(reg, "sv", collect_form, &forms, err);
    if (rc == SR_OK && forms.oom)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc != SR_OK)
        goto out;
    /* In the order of the follow-up: intake, intervention, closure, ... */
    for (size_t a = 0; a < forms.count; a++)
        for (size_t b = a + 1; b < forms.count; b++)
            if (forms.items[b].phase < forms.items[a].phase) {
                form_entry t = forms.items[a];
                forms.items[a] = forms.items[b];
                forms.items[b] = t;
            }
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.lang = "sv";
    q.unit = unit;
    q.form = "cases";
    rc = add_summary(r, reg, &q, "Ärendeflöde: ärenden efter status", err);
    if (rc == SR_OK) {
        q.by[0] = "year";
        rc = add_summary(r, reg, &q, "Ärendeflöde per inskrivningsår", err);
        q.by[0] = NULL;
    }
    for (size_t i = 0; rc == SR_OK && i < forms.count; i++) {
        q.form = forms.items[i].id;
        q.change = 0;
        rc = add_summary(r, reg, &q, NULL, err);
        if (rc == SR_OK && (forms.items[i].phase == SR_PHASE_CLOSURE ||
                            forms.items[i].phase == SR_PHASE_FOLLOWUP)) {
            char heading[160];
            snprintf(heading, sizeof heading, "Förändring från inskrivning: %s", forms.items[i].id);
            q.change = 1;
            rc = add_summary(r, reg, &q, heading, err);
        }
    }
    /* The unit the figures are of: the one asked for, or a coordinator's
     * only unit (as the summaries ran it). */
    if (rc == SR_OK && r->count && sr_stats_unit(r->sections[0].stats) &&
        !(r->unit = strdup(sr_stats_unit(r->sections[0].stats))))
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
out:
    free(forms.items);
    if (rc != SR_OK) {
        sr_report_free(r);
        return rc;
    }
    *out = r;
    return SR_OK;
}

/* ---- the page ---- */

static void html(srp_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            srp_buf_puts(b, "&lt;");
            break;
        case '>':
            srp_buf_puts(b, "&gt;");
            break;
        case '&':
            srp_buf_puts(b, "&amp;");
            break;
        case '"':
            srp_buf_puts(b, "&quot;");
            break;
        default:
            srp_buf_put(b, s, 1);
        }
    }
}

static const char style[] =
    "body{font:10.5pt/1.4 'DejaVu Sans',Arial,sans-serif;color:#1b1b1b;margin:2em auto;"
    "max-width:52em}h1{font-size:18pt;margin:0 0 .2em}h2{font-size:14pt;border-bottom:2px solid "
    "#2b5d8c;padding-bottom:.2em;margin-top:2em;page-break-after:avoid}h3{font-size:11pt;"
    "margin:1.2em 0 .3em}.meta{color:#555;font-size:9pt}table{border-collapse:collapse;"
    "width:100%;page-break-inside:avoid}td,th{padding:2px 6px;border-bottom:1px solid #e3e3e3;"
    "text-align:left;vertical-align:middle}th{font-weight:600;font-size:9pt;color:#444}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;width:4.5em}td.bar{width:42%}"
    ".item{page-break-inside:avoid}.wh{color:#888}.group{background:#f3f6f9;font-weight:600}"
    ".notes{font-size:9pt;color:#444}@page{size:A4;margin:16mm 14mm}"
    "@media print{body{margin:0;max-width:none}h2{page-break-before:auto}}";

static void bar(srp_buf *b, double percent)
{
    double w = percent < 0 ? 0 : percent > 100 ? 100 : percent;
    srp_buf_printf(
        b,
        "<svg width=\"100%%\" height=\"12\" viewBox=\"0 0 100 12\" preserveAspectRatio=\"none\" "
        "role=\"img\" aria-label=\"%.1f %%\"><rect x=\"0\" y=\"1\" width=\"100\" height=\"10\" "
        "fill=\"#eef2f6\"/><rect x=\"0\" y=\"1\" width=\"%.2f\" height=\"10\" fill=\"#2b5d8c\"/>"
        "</svg>",
        percent, w);
}

static const char *group_name(const char *name)
{
    static const char *const names[][2] = {
        {"unit", "Enhet"}, {"year", "År"}, {"quarter", "Kvartal"}, {"age_band", "Åldersgrupp"}};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(names[k][0], name) == 0)
            return names[k][1];
    return name;
}

/* One summary as HTML tables, an item at a time, groups as header rows. */
static void write_section(srp_buf *b, const sr_stats *s)
{
    const char *item = NULL, *group = NULL;
    int open = 0;
    for (size_t i = 0; i < sr_stats_row_count(s); i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        if (!item || strcmp(item, r->item) != 0) {
            if (open)
                srp_buf_puts(b, "</table></div>\n");
            srp_buf_puts(b, "<div class=\"item\"><h3>");
            html(b, r->item_label ? r->item_label : r->item);
            srp_buf_puts(b, "</h3><table><tr><th>Svar</th><th class=\"n\">Antal</th><th "
                            "class=\"n\">Andel</th><th class=\"n\">Värde</th><th></th></tr>\n");
            item = r->item;
            group = NULL;
            open = 1;
        }
        if (r->by[0] && (!group || strcmp(group, r->by[0]) != 0)) {
            srp_buf_puts(b, "<tr class=\"group\"><td colspan=\"5\">");
            html(b, group_name(sr_stats_by_name(s, 0)));
            srp_buf_puts(b, ": ");
            html(b, r->by[0]);
            srp_buf_puts(b, "</td></tr>\n");
            group = r->by[0];
        }
        srp_buf_puts(b, "<tr><td>");
        html(b, r->value_label ? r->value_label : r->value);
        srp_buf_puts(b, "</td>");
        if (r->suppressed) {
            srp_buf_puts(b, "<td class=\"n wh\">..</td><td class=\"n wh\">..</td><td "
                            "class=\"n\"></td><td class=\"bar\"></td></tr>\n");
            continue;
        }
        srp_buf_printf(b, "<td class=\"n\">%ld</td>", r->count);
        if (r->has_percent)
            srp_buf_printf(b, "<td class=\"n\">%.1f&#8239;%%</td>", r->percent);
        else
            srp_buf_puts(b, "<td class=\"n\"></td>");
        if (r->has_estimate)
            srp_buf_printf(b, "<td class=\"n\">%.2f</td>", r->estimate);
        else
            srp_buf_puts(b, "<td class=\"n\"></td>");
        srp_buf_puts(b, "<td class=\"bar\">");
        if (r->has_percent)
            bar(b, r->percent);
        srp_buf_puts(b, "</td></tr>\n");
    }
    if (open)
        srp_buf_puts(b, "</table></div>\n");
    if (sr_stats_note_count(s)) {
        srp_buf_puts(b, "<ul class=\"notes\">");
        for (size_t i = 0; i < sr_stats_note_count(s); i++) {
            srp_buf_puts(b, "<li>");
            html(b, sr_stats_note(s, i));
            srp_buf_puts(b, "</li>");
        }
        srp_buf_puts(b, "</ul>\n");
    }
}

/* Hands what b holds to the sink and empties b. */
static sr_status flush(srp_buf *b, const sr_sink *sink, sr_error *err)
{
    if (b->oom)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_status rc = b->len ? sr_sink_write(sink, b->data, b->len, err) : SR_OK;
    b->len = 0;
    return rc;
}

sr_status sr_report_write_html(const sr_report *r, const sr_sink *sink, sr_error *err)
{
    srp_buf b = SRP_BUF_INIT;
    srp_buf_printf(&b,
                   "<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\">"
                   "<title>SIG – gruppsammanställning</title><style>%s</style></head><body>\n",
                   style);
    srp_buf_puts(&b, "<h1>Sociala insatsgrupper – gruppsammanställning</h1>\n<p class=\"meta\">");
    if (r->unit) {
        srp_buf_puts(&b, "Enhet ");
        html(&b, r->unit);
        srp_buf_puts(&b, ". ");
    }
    srp_buf_puts(&b, "Endast sammanställda uppgifter. Antal under den minsta cellstorleken och "
                     "uppgifter som skulle kunna räknas fram ur dem redovisas inte (..). "
                     "Fritext, datum och identifierande uppgifter sammanställs aldrig.</p>\n");
    sr_status rc = SR_OK;
    for (size_t i = 0; rc == SR_OK && i < r->count; i++) {
        srp_buf_puts(&b, "<h2>");
        html(&b, sr_report_section_heading(r, i));
        srp_buf_puts(&b, "</h2>\n");
        write_section(&b, r->sections[i].stats);
        rc = flush(&b, sink, err);
    }
    if (rc == SR_OK) {
        srp_buf_puts(&b, "</body></html>\n");
        rc = flush(&b, sink, err);
    }
    srp_buf_free(&b);
    return rc;
}
