/*
 * cmd_report.c - `sigreg report --out FILE.html`: one self-contained page
 * with every form's group summary, the change tables and the case flow.
 * Inline CSS and SVG bars, no scripts, nothing fetched from anywhere; it
 * prints on A4. Every figure comes from sr_stats_run, so the page shows
 * exactly what the summaries publish, withheld figures included as "..".
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sigreg/form_store.h"
#include "sigreg/stats.h"

static void html(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
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

static void bar(FILE *f, double percent)
{
    double w = percent < 0 ? 0 : percent > 100 ? 100 : percent;
    fprintf(f,
            "<svg width=\"100%%\" height=\"12\" viewBox=\"0 0 100 12\" preserveAspectRatio=\"none\" "
            "role=\"img\" aria-label=\"%.1f %%\"><rect x=\"0\" y=\"1\" width=\"100\" height=\"10\" "
            "fill=\"#eef2f6\"/><rect x=\"0\" y=\"1\" width=\"%.2f\" height=\"10\" fill=\"#2b5d8c\"/>"
            "</svg>",
            percent, w);
}

/* One summary as HTML tables, an item at a time, groups as header rows. */
static void section(FILE *f, const sr_stats *s)
{
    const char *item = NULL, *group = NULL;
    int open = 0;
    for (size_t i = 0; i < sr_stats_row_count(s); i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        if (!item || strcmp(item, r->item) != 0) {
            if (open)
                fputs("</table></div>\n", f);
            fputs("<div class=\"item\"><h3>", f);
            html(f, r->item_label ? r->item_label : r->item);
            fputs("</h3><table><tr><th>Svar</th><th class=\"n\">Antal</th><th class=\"n\">Andel"
                  "</th><th class=\"n\">Värde</th><th></th></tr>\n",
                  f);
            item = r->item;
            group = NULL;
            open = 1;
        }
        if (r->by[0] && (!group || strcmp(group, r->by[0]) != 0)) {
            static const char *const names[][2] = {{"unit", "Enhet"},
                                                   {"year", "År"},
                                                   {"quarter", "Kvartal"},
                                                   {"age_band", "Åldersgrupp"}};
            const char *name = sr_stats_by_name(s, 0);
            for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
                if (strcmp(names[k][0], name) == 0)
                    name = names[k][1];
            fputs("<tr class=\"group\"><td colspan=\"5\">", f);
            html(f, name);
            fputs(": ", f);
            html(f, r->by[0]);
            fputs("</td></tr>\n", f);
            group = r->by[0];
        }
        fputs("<tr><td>", f);
        html(f, r->value_label ? r->value_label : r->value);
        fputs("</td>", f);
        if (r->suppressed) {
            fputs("<td class=\"n wh\">..</td><td class=\"n wh\">..</td><td class=\"n\"></td>"
                  "<td class=\"bar\"></td></tr>\n",
                  f);
            continue;
        }
        fprintf(f, "<td class=\"n\">%ld</td>", r->count);
        if (r->has_percent)
            fprintf(f, "<td class=\"n\">%.1f&#8239;%%</td>", r->percent);
        else
            fputs("<td class=\"n\"></td>", f);
        if (r->has_estimate)
            fprintf(f, "<td class=\"n\">%.2f</td>", r->estimate);
        else
            fputs("<td class=\"n\"></td>", f);
        fputs("<td class=\"bar\">", f);
        if (r->has_percent)
            bar(f, r->percent);
        fputs("</td></tr>\n", f);
    }
    if (open)
        fputs("</table></div>\n", f);
    if (sr_stats_note_count(s)) {
        fputs("<ul class=\"notes\">", f);
        for (size_t i = 0; i < sr_stats_note_count(s); i++) {
            fputs("<li>", f);
            html(f, sr_stats_note(s, i));
            fputs("</li>", f);
        }
        fputs("</ul>\n", f);
    }
}

typedef struct form_list {
    char ids[64][64];
    sr_phase phases[64];
    size_t count;
} form_list;

static int collect_form(void *ctx, const sr_form_summary *s)
{
    form_list *l = ctx;
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->ids[i], s->id) == 0)
            return 0;
    if (l->count < 64) {
        snprintf(l->ids[l->count], sizeof l->ids[0], "%s", s->id);
        l->phases[l->count++] = s->phase;
    }
    return 0;
}

static sr_status add_summary(FILE *f, sr_registry *reg, sr_stats_query *q, const char *heading,
                             sr_error *err)
{
    sr_stats *s = NULL;
    sr_status rc = sr_stats_run(reg, q, &s, err);
    if (rc != SR_OK)
        return rc;
    fputs("<h2>", f);
    html(f, heading ? heading : sr_stats_form_title(s));
    fputs("</h2>\n", f);
    section(f, s);
    sr_stats_free(s);
    return SR_OK;
}

int cmd_report(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *out = NULL, *unit = NULL;
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"unit", required_argument, NULL, 'u'},
                                         {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else if (c == 'u')
            unit = optarg;
        else
            return cli_usage_error(err, "usage: sigreg report --out FILE.html [--unit CODE]");
    }
    if (!out || optind < argc)
        return cli_usage_error(err, "usage: sigreg report --out FILE.html [--unit CODE]");
    form_list forms;
    memset(&forms, 0, sizeof forms);
    sr_status rc = sr_form_list(reg, "sv", collect_form, &forms, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    /* In the order of the follow-up: intake, intervention, closure, ... */
    for (size_t a = 0; a < forms.count; a++)
        for (size_t b = a + 1; b < forms.count; b++)
            if (forms.phases[b] < forms.phases[a]) {
                char id[64];
                memcpy(id, forms.ids[a], sizeof id);
                memcpy(forms.ids[a], forms.ids[b], sizeof id);
                memcpy(forms.ids[b], id, sizeof id);
                sr_phase ph = forms.phases[a];
                forms.phases[a] = forms.phases[b];
                forms.phases[b] = ph;
            }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return sr_error_set(err, SR_ERR_IO, "cannot write '%s'", out), CLI_FAIL;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\">"
               "<title>SIG – gruppsammanställning</title><style>%s</style></head><body>\n",
            style);
    fputs("<h1>Sociala insatsgrupper – gruppsammanställning</h1>\n<p class=\"meta\">", f);
    if (unit) {
        fputs("Enhet ", f);
        html(f, unit);
        fputs(". ", f);
    }
    fputs("Endast sammanställda uppgifter. Antal under den minsta cellstorleken och uppgifter "
          "som skulle kunna räknas fram ur dem redovisas inte (..). Fritext, datum och "
          "identifierande uppgifter sammanställs aldrig.</p>\n",
          f);
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.lang = "sv";
    q.unit = unit;
    q.form = "cases";
    rc = add_summary(f, reg, &q, "Ärendeflöde: ärenden efter status", err);
    if (rc == SR_OK) {
        q.by[0] = "year";
        rc = add_summary(f, reg, &q, "Ärendeflöde per inskrivningsår", err);
        q.by[0] = NULL;
    }
    for (size_t i = 0; rc == SR_OK && i < forms.count; i++) {
        q.form = forms.ids[i];
        q.change = 0;
        rc = add_summary(f, reg, &q, NULL, err);
        if (rc == SR_OK && (forms.phases[i] == SR_PHASE_CLOSURE || forms.phases[i] == SR_PHASE_FOLLOWUP)) {
            char heading[160];
            snprintf(heading, sizeof heading, "Förändring från inskrivning: %s", forms.ids[i]);
            q.change = 1;
            rc = add_summary(f, reg, &q, heading, err);
        }
    }
    fputs("</body></html>\n", f);
    int bad = fclose(f) != 0;
    if (rc != SR_OK || bad) {
        remove(tmp);
        if (rc == SR_OK)
            sr_error_set(err, SR_ERR_IO, "cannot write '%s'", out);
        return CLI_FAIL;
    }
    if (rename(tmp, out) != 0) {
        remove(tmp);
        return sr_error_set(err, SR_ERR_IO, "cannot write '%s'", out), CLI_FAIL;
    }
    fprintf(stderr, "wrote the report '%s'\n", out);
    return CLI_OK;
}
