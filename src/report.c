/*
 * report.c - the report for the nämnd: its period, which summaries it runs
 * (key figures for the period and the previous one, every form for the
 * appendix) and its HTML page. It runs summaries through sr_stats_run and
 * renders what they publish: it computes no figure of its own (a withheld
 * count is never turned into a share, a withheld segment never drawn from
 * the rest), and it never opens a file: the page goes to a sink.
 */
#include "sigreg/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/timeutil.h"
#include "period.h"
#include "sigreg/cases.h"
#include "sigreg/form.h"
#include "sigreg/form_store.h"
#include "sigreg/limits.h"
#include "sigreg/units.h"

#define NBSP "\xc2\xa0"

typedef struct section {
    char *heading; /* NULL: the summary's own title */
    sr_stats *stats;
    sr_form *form; /* the newest version, for the labels of transitions; may be NULL */
} section;

enum key { K_CASES, K_AGE, K_CLOSURE, K_CHANGE, K_EXPERIENCE, K_INTERVENTION, K_COUNT };

struct sr_report {
    section *sections; /* the appendix */
    size_t count, cap;
    char *unit;
    char from[11], to[11], pfrom[11], pto[11];
    int compare, by_quarter;
    sr_stats *key[2][K_COUNT]; /* [0] the period (borrowed from sections when the same
                                  summary, else in owned), [1] the previous period */
    sr_stats *owned[2 * K_COUNT + 1];
    size_t owned_count;
    sr_stats *flow; /* cases by year or quarter, over both periods */
    char *user;
    srp_buf units; /* the names of the units the report is of */
};

void sr_report_free(sr_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++) {
        free(r->sections[i].heading);
        sr_stats_free(r->sections[i].stats);
        sr_form_free(r->sections[i].form);
    }
    for (size_t i = 0; i < r->owned_count; i++)
        sr_stats_free(r->owned[i]);
    free(r->sections);
    free(r->unit);
    free(r->user);
    srp_buf_free(&r->units);
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

/* ---- the period ---- */

sr_status sr_report_period(const sr_report_options *o, char from[11], char to[11], sr_error *err)
{
    from[0] = to[0] = '\0';
    if (!o)
        return SR_OK;
    if (o->year) {
        if (o->from || o->to)
            return srp_error_set_where(err, SR_ERR_USAGE, "from",
                                       "give either a year or a start and an end date");
        if (o->year < 1900 || o->year > 9999)
            return srp_error_set_where(err, SR_ERR_USAGE, "date",
                                       "the year %d is not a year of the registry", o->year);
        srp_period_month_date(o->year * 12, 0, from);
        srp_period_month_date(o->year * 12 + 11, 1, to);
        return SR_OK;
    }
    if (!o->from && !o->to && o->compare_previous)
        return srp_error_set_where(err, SR_ERR_USAGE, "from",
                                   "a comparison with the previous period needs a period "
                                   "(a year, or a start and an end date)");
    return srp_period_check(o->from, o->to, from, to, NULL, err);
}

static int month_index(const char *date)
{
    int y, m, d;
    srp_date_parse(date, &y, &m, &d);
    return y * 12 + m - 1;
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

static int has_form(const form_list *l, const char *id)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].id, id) == 0)
            return 1;
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
    if (rc == SR_OK && strcmp(q->form, "cases") != 0)
        rc = sr_form_load(reg, q->form, 0, &s->form, NULL, err);
    if (rc != SR_OK) {
        free(s->heading);
        sr_stats_free(s->stats);
        return rc;
    }
    r->count++;
    return SR_OK;
}

/* Runs a summary the report keeps of its own. */
static sr_status own_summary(sr_report *r, sr_registry *reg, const sr_stats_query *q,
                             sr_stats **out, sr_error *err)
{
    sr_stats *s = NULL;
    sr_status rc = sr_stats_run(reg, q, &s, err);
    if (rc != SR_OK)
        return rc;
    r->owned[r->owned_count++] = s;
    *out = s;
    return SR_OK;
}

static const sr_stats *find_section(const sr_report *r, const char *form, int change)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(sr_stats_form(r->sections[i].stats), form) == 0 &&
            !r->sections[i].heading == !change && sr_stats_change(r->sections[i].stats) == change)
            return r->sections[i].stats;
    return NULL;
}

static int add_unit_name(void *ctx, const sr_unit_info *u)
{
    sr_report *r = ctx;
    if (r->unit && strcmp(r->unit, u->code) != 0)
        return 0;
    if (r->units.len)
        srp_buf_puts(&r->units, ", ");
    srp_buf_puts(&r->units, u->name && *u->name ? u->name : u->code);
    return 0;
}

/* The key figures of one period (p 0: the period, 1: the previous one). */
static sr_status run_key(sr_report *r, sr_registry *reg, const form_list *forms, int p,
                         const char *unit, sr_error *err)
{
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.lang = "sv";
    q.unit = unit;
    q.from = p ? r->pfrom : r->from[0] ? r->from : NULL;
    q.to = p ? r->pto : r->to[0] ? r->to : NULL;
    static const struct {
        const char *form;
        int change;
        const char *by;
    } what[K_COUNT] = {{"cases", 0, NULL},          {"cases", 0, "age_band"},
                       {"sig-closure", 0, NULL},    {"sig-closure", 1, NULL},
                       {"sig-experience", 0, NULL}, {"sig-intervention", 0, NULL}};
    sr_status rc = SR_OK;
    for (int k = 0; rc == SR_OK && k < K_COUNT; k++) {
        if (strcmp(what[k].form, "cases") != 0 && !has_form(forms, what[k].form))
            continue;
        const sr_stats *same =
            p == 0 && !what[k].by ? find_section(r, what[k].form, what[k].change) : NULL;
        if (same) {
            r->key[p][k] = (sr_stats *)same;
            continue;
        }
        q.form = what[k].form;
        q.change = what[k].change;
        q.by[0] = what[k].by;
        rc = own_summary(r, reg, &q, &r->key[p][k], err);
    }
    return rc;
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
    rc = sr_report_period(options, r->from, r->to, err);
    if (rc != SR_OK)
        goto out;
    if (r->from[0] && options->compare_previous) {
        int a = month_index(r->from), b = month_index(r->to), months = b - a + 1;
        r->compare = 1;
        srp_period_month_date(a - months, 0, r->pfrom);
        srp_period_month_date(a - 1, 1, r->pto);
    }
    if (r->from[0] && month_index(r->to) - month_index(r->from) < 12)
        r->by_quarter = 1;
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
    q.from = r->from[0] ? r->from : NULL;
    q.to = r->to[0] ? r->to : NULL;
    q.form = "cases";
    rc = add_summary(r, reg, &q, "Ärenden efter status", err);
    for (size_t i = 0; rc == SR_OK && i < forms.count; i++) {
        q.form = forms.items[i].id;
        q.change = 0;
        rc = add_summary(r, reg, &q, NULL, err);
        if (rc == SR_OK && (forms.items[i].phase == SR_PHASE_CLOSURE ||
                            forms.items[i].phase == SR_PHASE_FOLLOWUP)) {
            char heading[200];
            snprintf(heading, sizeof heading, "%s: förändring från inskrivningen",
                     sr_stats_form_title(r->sections[r->count - 1].stats));
            q.change = 1;
            rc = add_summary(r, reg, &q, heading, err);
        }
    }
    if (rc == SR_OK)
        rc = run_key(r, reg, &forms, 0, unit, err);
    if (rc == SR_OK && r->compare)
        rc = run_key(r, reg, &forms, 1, unit, err);
    if (rc == SR_OK) {
        memset(&q, 0, sizeof q);
        q.lang = "sv";
        q.unit = unit;
        q.form = "cases";
        q.by[0] = r->by_quarter ? "quarter" : "year";
        /* No window: the flow is the whole registry's by year or quarter
         * (a fixed dimension); the page shows the periods it is about. */
        rc = own_summary(r, reg, &q, &r->flow, err);
    }
    /* The unit the figures are of: the one asked for, or a coordinator's
     * only unit (as the summaries ran it). */
    if (rc == SR_OK && r->count && sr_stats_unit(r->sections[0].stats) &&
        !(r->unit = strdup(sr_stats_unit(r->sections[0].stats))))
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK)
        rc = sr_unit_list(reg, add_unit_name, r, err);
    if (rc == SR_OK && r->units.oom)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK && !(r->user = strdup(sr_registry_user(reg) ? sr_registry_user(reg) : "")))
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

/* ---- the page: formatting ---- */

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

/* A count in Swedish: groups of three separated by a non-breaking space. */
static void put_count(srp_buf *b, long n)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%ld", n < 0 ? -n : n);
    if (n < 0)
        srp_buf_puts(b, "−");
    size_t len = strlen(digits);
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            srp_buf_puts(b, NBSP);
        srp_buf_put(b, digits + i, 1);
    }
}

/* A decimal number with a decimal comma, decimals places (none if whole). */
static void put_decimal(srp_buf *b, double v, int decimals)
{
    char text[64];
    if (decimals > 0 && fabs(v - round(v)) < 1e-9 && decimals == 9)
        decimals = 0;
    snprintf(text, sizeof text, "%.*f", decimals == 9 ? 1 : decimals, v);
    for (char *c = text; *c; c++) {
        if (*c == '.')
            *c = ',';
        if (*c == '-') {
            srp_buf_puts(b, "−");
            continue;
        }
        srp_buf_put(b, c, 1);
    }
}

static void put_percent(srp_buf *b, double p)
{
    put_decimal(b, p, 1);
    srp_buf_puts(b, NBSP "%");
}

static const char withheld[] = "<span class=\"wh\">..</span>";

/* The count of a row, ".." when withheld, "–" when there is no row. */
static void cell_count(srp_buf *b, const sr_stats_row *row)
{
    if (!row)
        srp_buf_puts(b, "–");
    else if (row->suppressed || !row->has_count)
        srp_buf_puts(b, withheld);
    else
        put_count(b, row->count);
}

static void cell_percent(srp_buf *b, const sr_stats_row *row)
{
    if (!row)
        srp_buf_puts(b, "–");
    else if (row->suppressed)
        srp_buf_puts(b, withheld);
    else if (row->has_percent)
        put_percent(b, row->percent);
}

static void cell_denominator(srp_buf *b, const sr_stats_row *row)
{
    if (!row)
        srp_buf_puts(b, "–");
    else if (row->has_denominator)
        put_count(b, row->denominator);
    else
        srp_buf_puts(b, withheld);
}

static const sr_stats_row *find_row(const sr_stats *s, const char *item, const char *by,
                                    const char *value)
{
    if (!s)
        return NULL;
    for (size_t i = 0; i < sr_stats_row_count(s); i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        if (strcmp(r->item, item) == 0 && strcmp(r->value, value) == 0 &&
            (!by || (r->by[0] && strcmp(r->by[0], by) == 0)))
            return r;
    }
    return NULL;
}

/* The Swedish name of a statistic or derived value, or NULL. */
static const char *statistic_name(const char *value)
{
    static const char *const names[][2] = {{"n", "Antal svar"},
                                           {"mean", "Medelvärde"},
                                           {"median", "Median"},
                                           {"p25", "Nedre kvartil"},
                                           {"p75", "Övre kvartil"},
                                           {"top2", "Andel 4–5"},
                                           {"improved", "Förbättrad"},
                                           {"unchanged", "Oförändrad"},
                                           {"worsened", "Försämrad"},
                                           {"sd", "Standardavvikelse"},
                                           {"min", "Lägsta"},
                                           {"max", "Högsta"},
                                           {"true", "Ja"},
                                           {"false", "Nej"}};
    if (strcmp(value, "open") == 0 || strcmp(value, "closed") == 0)
        return sr_case_status_label(value, "sv"); /* the one label of a status */
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(names[k][0], value) == 0)
            return names[k][1];
    return NULL;
}

/* An age band "12-14" as "12–14 år"; "unknown" as "Okänd ålder". */
static void put_age_band(srp_buf *b, const char *code)
{
    if (strcmp(code, "unknown") == 0) {
        srp_buf_puts(b, "Okänd ålder");
        return;
    }
    for (const char *c = code; *c; c++) {
        if (*c == '-')
            srp_buf_puts(b, "–");
        else if (*c == '<' || *c == '>' || *c == '&' || *c == '"')
            continue;
        else
            srp_buf_put(b, c, 1);
    }
    srp_buf_puts(b, " år");
}

/* ---- the page: style ---- */

static const char style[] =
    "@page{size:A4;margin:18mm 16mm 18mm 16mm}"
    "body{font:10pt/1.4 'DejaVu Sans',Arial,sans-serif;color:#1b1b1b;margin:2em auto;"
    "max-width:46em}"
    "h1{font-size:19pt;margin:0 0 .3em;color:#17324d}"
    "h2{font-size:14pt;color:#17324d;border-bottom:2px solid #2b5d8c;padding-bottom:.15em;"
    "margin:1.6em 0 .5em;break-after:avoid;page-break-after:avoid}"
    "h3{font-size:11pt;margin:1.1em 0 .3em;break-after:avoid;page-break-after:avoid}"
    "p{margin:.3em 0 .6em}"
    "table{border-collapse:collapse;width:100%;margin:.2em 0 .8em;break-inside:avoid;"
    "page-break-inside:avoid}"
    "td,th{padding:2px 6px;border-bottom:1px solid #e3e3e3;text-align:left;vertical-align:top}"
    "th{font-weight:600;font-size:8.5pt;color:#444;vertical-align:bottom}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;width:5em}"
    "td.bar{width:34%}tr.prev td{color:#555}"
    ".cover{border:1px solid #c9d6e3;background:#f5f8fb;padding:.8em 1.1em;margin:.6em 0 1em;"
    "break-inside:avoid}.cover table{margin:0}.cover td{border:0;padding:1px 6px 1px 0}"
    ".cover td.k{color:#444;width:16em}"
    ".figure,.item{break-inside:avoid;page-break-inside:avoid}"
    ".figure.long{break-inside:auto;page-break-inside:auto}.long table{break-inside:auto;"
    "page-break-inside:auto}tr{break-inside:avoid;page-break-inside:avoid}"
    ".wh{color:#777}.group{background:#f3f6f9;font-weight:600}"
    ".notes{font-size:8.5pt;color:#444}.small{font-size:8.5pt;color:#444}"
    ".legend span{display:inline-block;margin-right:1.2em}"
    ".sw{display:inline-block;width:.9em;height:.9em;vertical-align:-.1em;margin-right:.3em}"
    ".bl{display:flex;align-items:center;min-height:17px}.bl svg{flex:1}"
    ".pl{width:5.5em;font-size:8pt;color:#444;flex:none}.bt{line-height:17px}"
    ".row{display:flex;gap:1.6em;align-items:flex-start}.row>.figure{flex:1;min-width:0}"
    "table.t5 td.n,table.t5 th.n{width:3.6em}"
    ".appendix{break-before:page;page-break-before:always}"
    ".stats{font-size:9pt;color:#333;margin:.1em 0 .6em}"
    "table.x td,table.x th{text-align:right;font-size:8.5pt;padding:1px 4px}"
    "table.x td:first-child,table.x th:first-child{text-align:left}"
    "@media print{body{margin:0;max-width:none}}";

static void bar(srp_buf *b, double percent)
{
    double w = percent < 0 ? 0 : percent > 100 ? 100 : percent;
    srp_buf_printf(b,
                   "<svg width=\"100%%\" height=\"11\" viewBox=\"0 0 100 11\" "
                   "preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect x=\"0\" y=\"1\" "
                   "width=\"100\" height=\"9\" fill=\"#eef2f6\"/><rect x=\"0\" y=\"1\" "
                   "width=\"%.2f\" height=\"9\" fill=\"#2b5d8c\"/></svg>",
                   w);
}

/* ---- the page: the cover and the key figures ---- */

static void put_date(srp_buf *b, const char *date)
{
    /* YYYY-MM-DD is the Swedish standard form. */
    html(b, date);
}

static void put_period(srp_buf *b, const char *from, const char *to)
{
    if (!from[0]) {
        srp_buf_puts(b, "hela registret");
        return;
    }
    if (strcmp(from + 4, "-01-01") == 0 && strcmp(to + 4, "-12-31") == 0 &&
        strncmp(from, to, 4) == 0) {
        srp_buf_printf(b, "år %.4s", from);
        return;
    }
    put_date(b, from);
    srp_buf_puts(b, "–");
    put_date(b, to);
}

static void write_cover(srp_buf *b, const sr_report *r)
{
    const sr_stats *cases = r->key[0][K_CASES];
    const sr_stats_row *open = find_row(cases, "status", NULL, "open");
    const sr_stats_row *closed = find_row(cases, "status", NULL, "closed");
    srp_buf_puts(
        b, "<h1>Sociala insatsgrupper (SIG) – uppföljning</h1>\n<div class=\"cover\"><table>");
    srp_buf_puts(b, "<tr><td class=\"k\">Organisation</td><td>");
    srp_buf_puts(b, r->unit ? "" : "Alla enheter: ");
    html(b, r->units.len ? (const char *)r->units.data : "–");
    if (r->unit) {
        srp_buf_puts(b, " (");
        html(b, r->unit);
        srp_buf_puts(b, ")");
    }
    srp_buf_puts(b, "</td></tr><tr><td class=\"k\">Period</td><td>");
    put_period(b, r->from, r->to);
    if (r->compare) {
        srp_buf_puts(b, ", jämförd med föregående period ");
        put_period(b, r->pfrom, r->pto);
    }
    srp_buf_puts(b, "</td></tr><tr><td class=\"k\">");
    srp_buf_puts(b, r->from[0] ? "Nya ärenden under perioden" : "Ärenden i registret");
    srp_buf_puts(b, "</td><td><b>");
    cell_denominator(b, open);
    srp_buf_puts(b, "</b></td></tr><tr><td class=\"k\">");
    srp_buf_puts(b, r->from[0] ? "– av dessa öppna i dag" : "– öppna");
    srp_buf_puts(b, "</td><td>");
    cell_count(b, open);
    srp_buf_puts(b, "</td></tr><tr><td class=\"k\">");
    srp_buf_puts(b, r->from[0] ? "– av dessa avslutade" : "– avslutade");
    srp_buf_puts(b, "</td><td>");
    cell_count(b, closed);
    if (r->key[0][K_CLOSURE]) {
        const sr_stats_row *any = NULL;
        const sr_stats *c = r->key[0][K_CLOSURE];
        for (size_t i = 0; i < sr_stats_row_count(c) && !any; i++)
            if (strcmp(sr_stats_row_at(c, i)->item, "closure_reason") == 0)
                any = sr_stats_row_at(c, i);
        srp_buf_puts(b, "</td></tr><tr><td class=\"k\">");
        srp_buf_puts(b, r->from[0] ? "Avslut under perioden" : "Avslut registrerade");
        srp_buf_puts(b, "</td><td>");
        cell_denominator(b, any);
    }
    srp_buf_puts(b, "</td></tr><tr><td class=\"k\">Framtagen</td><td>");
    const char *at = cases ? sr_stats_generated_at(cases) : NULL;
    if (at && strlen(at) >= 16)
        srp_buf_printf(b, "%.10s kl. %.5s UTC", at, at + 11);
    srp_buf_puts(b, " av ");
    html(b, r->user && *r->user ? r->user : "admin");
    srp_buf_printf(b, "</td></tr><tr><td class=\"k\">Minsta cellstorlek</td><td>%d</td></tr>",
                   cases ? sr_stats_min_cell(cases) : 0);
    srp_buf_puts(b, "</table></div>\n");
    srp_buf_printf(
        b,
        "<p class=\"small\"><b>Om siffrorna.</b> Rapporten innehåller bara sammanställda "
        "uppgifter. <b>”..”</b> betyder att uppgiften inte redovisas för att skydda enskilda: "
        "antal mellan 1 och %d, grupper med färre än %d personer och uppgifter som annars skulle "
        "kunna räknas fram ur summor eller andra celler döljs. <b>”Vet ej”</b> och andra svar "
        "som anger att uppgiften saknas räknas och visas, men ingår inte i procentsatserna: "
        "andelarna räknas på dem som har en känd uppgift (N). Fritext, datum och identifierande "
        "uppgifter sammanställs aldrig. Åldern är åldern vid inskrivningen.</p>\n",
        cases ? sr_stats_min_cell(cases) - 1 : 4, cases ? sr_stats_min_cell(cases) : 5);
}

/* A short name of a period for a column head: 2025, 2025-Q1 or 2025-Q1–2025-Q2. */
static void period_head(srp_buf *b, const sr_report *r, int p)
{
    const char *from = p ? r->pfrom : r->from, *to = p ? r->pto : r->to;
    int a = month_index(from), z = month_index(to);
    if (a % 12 == 0 && z == a + 11) {
        srp_buf_printf(b, "%.4s", from);
        return;
    }
    srp_buf_printf(b, "%.4s-Q%d", from, a % 12 / 3 + 1);
    if (z - a > 2)
        srp_buf_printf(b, "–%.4s-Q%d", to, z % 12 / 3 + 1);
}

/* The head of a period's columns: nothing for one period, else its name. */
static void period_cols(srp_buf *b, const sr_report *r, int p)
{
    if (!r->compare)
        return;
    period_head(b, r, p);
    srp_buf_puts(b, p ? " (föregående)<br>" : "<br>");
}

/* Columns for one or two periods over rows of options of one item. */
static void option_table(srp_buf *b, const sr_report *r, int k, const char *item, int with_n)
{
    int periods = r->compare ? 2 : 1;
    const sr_stats *s = r->key[0][k];
    srp_buf_puts(b, "<table><thead><tr><th></th>");
    for (int p = 0; p < periods; p++) {
        srp_buf_puts(b, "<th class=\"n\">");
        period_cols(b, r, p);
        srp_buf_puts(b, "antal</th><th class=\"n\">andel</th>");
    }
    srp_buf_puts(b, "</tr></thead>\n");
    for (size_t i = 0; i < sr_stats_row_count(s); i++) {
        const sr_stats_row *row = sr_stats_row_at(s, i);
        if (strcmp(row->item, item) != 0)
            continue;
        srp_buf_puts(b, "<tr><td>");
        html(b, row->value_label ? row->value_label : row->value);
        srp_buf_puts(b, "</td>");
        for (int p = 0; p < periods; p++) {
            const sr_stats_row *x = p ? find_row(r->key[1][k], item, NULL, row->value) : row;
            srp_buf_puts(b, "<td class=\"n\">");
            cell_count(b, x);
            srp_buf_puts(b, "</td><td class=\"n\">");
            cell_percent(b, x);
            srp_buf_puts(b, "</td>");
        }
        srp_buf_puts(b, "</tr>\n");
    }
    if (with_n) {
        const sr_stats_row *any = NULL;
        srp_buf_puts(b, "<tr><td><b>Antal ärenden (N)</b></td>");
        for (int p = 0; p < periods; p++) {
            any = NULL;
            const sr_stats *x = r->key[p][k];
            for (size_t i = 0; x && i < sr_stats_row_count(x) && !any; i++)
                if (strcmp(sr_stats_row_at(x, i)->item, item) == 0)
                    any = sr_stats_row_at(x, i);
            srp_buf_puts(b, "<td class=\"n\"><b>");
            cell_denominator(b, any);
            srp_buf_puts(b, "</b></td><td></td>");
        }
        srp_buf_puts(b, "</tr>\n");
    }
    srp_buf_puts(b, "</table>\n");
}

/* Whether a period of the flow (a year, a quarter, or a merged run of
 * them) overlaps the periods of the report (all of them without a period). */
static int in_flow(const sr_report *r, const char *key)
{
    char from[11], to[11];
    if (!r->from[0])
        return 1;
    if (srp_period_bounds(key, from, to) != 0)
        return 0;
    const char *lo = r->compare ? r->pfrom : r->from;
    return strcmp(to, lo) >= 0 && strcmp(from, r->to) <= 0;
}

static void write_flow(srp_buf *b, const sr_report *r)
{
    const sr_stats *s = r->flow;
    srp_buf_puts(b, "<div class=\"figure\"><h3>Ärendeflöde per ");
    srp_buf_puts(b, r->by_quarter ? "kvartal" : "år");
    srp_buf_puts(b, "</h3><table><tr><th>");
    srp_buf_puts(b, r->by_quarter ? "Kvartal" : "År");
    srp_buf_puts(b, "</th><th class=\"n\">Nya</th><th class=\"n\">Öppna i dag</th><th "
                    "class=\"n\">Avslutade</th></tr>\n");
    for (size_t i = 0; s && i < sr_stats_row_count(s); i++) {
        const sr_stats_row *row = sr_stats_row_at(s, i);
        if (strcmp(row->value, "open") != 0 || !row->by[0] || !in_flow(r, row->by[0]))
            continue;
        const sr_stats_row *closed = find_row(s, "status", row->by[0], "closed");
        int prev =
            r->compare && strcmp(row->by[0], r->from) < 0 && strncmp(row->by[0], r->from, 4) != 0;
        if (r->compare && r->by_quarter) {
            char q[16];
            snprintf(q, sizeof q, "%.4s-Q%d", r->from, (month_index(r->from) % 12) / 3 + 1);
            prev = strcmp(row->by[0], q) < 0;
        }
        srp_buf_printf(b, "<tr%s><td>", prev ? " class=\"prev\"" : "");
        html(b, row->by_label[0] ? row->by_label[0] : row->by[0]);
        if (prev)
            srp_buf_puts(b, "*");
        srp_buf_puts(b, "</td><td class=\"n\">");
        cell_denominator(b, row);
        srp_buf_puts(b, "</td><td class=\"n\">");
        cell_count(b, row);
        srp_buf_puts(b, "</td><td class=\"n\">");
        cell_count(b, closed);
        srp_buf_puts(b, "</td></tr>\n");
    }
    srp_buf_puts(b, "</table><p class=\"small\">Efter inskrivningsdatum.");
    if (r->compare)
        srp_buf_puts(b, " * Föregående period.");
    srp_buf_puts(b, "</p></div>\n");
}

static void write_age(srp_buf *b, const sr_report *r)
{
    const sr_stats *s = r->key[0][K_AGE];
    int periods = r->compare ? 2 : 1;
    srp_buf_puts(b, "<div class=\"figure\"><h3>Ålder vid inskrivningen</h3><table><tr><th>"
                    "Ålder</th>");
    for (int p = 0; p < periods; p++) {
        srp_buf_puts(b, "<th class=\"n\">");
        period_cols(b, r, p);
        srp_buf_puts(b, "nya ärenden</th>");
    }
    srp_buf_puts(b, "</tr>\n");
    for (size_t i = 0; s && i < sr_stats_row_count(s); i++) {
        const sr_stats_row *row = sr_stats_row_at(s, i);
        if (strcmp(row->value, "open") != 0 || !row->by[0])
            continue;
        srp_buf_puts(b, "<tr><td style=\"white-space:nowrap\">");
        put_age_band(b, row->by[0]);
        srp_buf_puts(b, "</td>");
        for (int p = 0; p < periods; p++) {
            srp_buf_puts(b, "<td class=\"n\">");
            cell_denominator(b, p ? find_row(r->key[1][K_AGE], "status", row->by[0], "open") : row);
            srp_buf_puts(b, "</td>");
        }
        srp_buf_puts(b, "</tr>\n");
    }
    srp_buf_puts(b, "</table></div>\n");
}

static const char *const change_colors[3] = {"#2e7d4f", "#b8c4cf", "#c0392b"};
static const char *const change_values[3] = {"improved", "unchanged", "worsened"};

/* One stacked bar improved / unchanged / worsened; nothing drawn when a
 * part is withheld (the rest would give it away). */
static void stacked_bar(srp_buf *b, const sr_report *r, int p, const char *item)
{
    const sr_stats *s = r->key[p][K_CHANGE];
    int thin = p;
    srp_buf_puts(b, "<div class=\"bl\">");
    if (r->compare) {
        srp_buf_puts(b, "<span class=\"pl\">");
        period_head(b, r, p);
        srp_buf_puts(b, "</span>");
    }
    const sr_stats_row *rows[3];
    int drawable = 1;
    for (int k = 0; k < 3; k++) {
        rows[k] = find_row(s, item, NULL, change_values[k]);
        if (!rows[k] || rows[k]->suppressed || !rows[k]->has_percent)
            drawable = 0;
    }
    int h = thin ? 12 : 16;
    if (!drawable) {
        srp_buf_puts(b, "<span class=\"small bt\">");
        for (int k = 0; k < 3; k++) {
            srp_buf_puts(b, k ? " · " : "");
            srp_buf_puts(b, statistic_name(change_values[k]));
            srp_buf_puts(b, " ");
            cell_percent(b, rows[k]);
        }
        srp_buf_puts(b, "</span></div>");
        return;
    }
    srp_buf_printf(b, "<svg width=\"100%%\" height=\"%d\" role=\"img\" aria-label=\"", h);
    for (int k = 0; k < 3; k++) {
        srp_buf_puts(b, k ? ", " : "");
        srp_buf_puts(b, statistic_name(change_values[k]));
        srp_buf_puts(b, " ");
        put_percent(b, rows[k]->percent);
    }
    srp_buf_puts(b, "\">");
    double x = 0;
    for (int k = 0; k < 3; k++) {
        double w = rows[k]->percent;
        if (w < 0)
            w = 0;
        srp_buf_printf(b, "<rect x=\"%.2f%%\" y=\"0\" width=\"%.2f%%\" height=\"%d\" fill=\"%s\"/>",
                       x, w, h, change_colors[k]);
        if (w >= 8.5) {
            srp_buf_printf(b,
                           "<text x=\"%.2f%%\" y=\"%d\" font-size=\"%d\" text-anchor=\"middle\" "
                           "fill=\"%s\" font-family=\"DejaVu Sans,Arial,sans-serif\">",
                           x + w / 2, thin ? 9 : 12, thin ? 8 : 10, k == 1 ? "#1b1b1b" : "#fff");
            put_decimal(b, rows[k]->percent, 0);
            srp_buf_puts(b, NBSP "%</text>");
        }
        x += w;
    }
    srp_buf_puts(b, "</svg>");
}

static void write_change(srp_buf *b, const sr_report *r)
{
    const sr_stats *s = r->key[0][K_CHANGE];
    if (!s)
        return;
    srp_buf_puts(b, r->compare ? "<div class=\"figure long\">" : "<div class=\"figure\">");
    srp_buf_puts(b, "<h3>Förändring per behovsområde från inskrivning till "
                    "avslut</h3><p class=\"small\">Samordnarens bedömning av behovet vid "
                    "inskrivningen och vid avslutet, för ärenden med båda. N är antal ärenden "
                    "med en känd bedömning båda gångerna.</p>"
                    "<p class=\"legend small\">");
    for (int k = 0; k < 3; k++)
        srp_buf_printf(b, "<span><span class=\"sw\" style=\"background:%s\"></span>%s</span>",
                       change_colors[k], statistic_name(change_values[k]));
    srp_buf_puts(b, "<span>En stapel ritas bara när alla tre andelar redovisas</span>");
    srp_buf_puts(b, "</p><table><tr><th>Behovsområde</th><th>Andel förbättrad / oförändrad / "
                    "försämrad</th><th class=\"n\">N</th></tr>\n");
    for (size_t i = 0; i < sr_stats_row_count(s); i++) {
        const sr_stats_row *row = sr_stats_row_at(s, i);
        if (strcmp(row->value, "improved") != 0 || strncmp(row->item, "need_", 5) != 0)
            continue;
        srp_buf_puts(b, "<tr><td>");
        html(b, row->item_label ? row->item_label : row->item);
        srp_buf_puts(b, "</td><td style=\"width:60%\">");
        stacked_bar(b, r, 0, row->item);
        if (r->compare)
            stacked_bar(b, r, 1, row->item);
        srp_buf_puts(b, "</td><td class=\"n\">");
        cell_denominator(b, row);
        if (r->compare) {
            srp_buf_puts(b, "<br><span class=\"small\">");
            cell_denominator(b, find_row(r->key[1][K_CHANGE], row->item, NULL, "improved"));
            srp_buf_puts(b, "</span>");
        }
        srp_buf_puts(b, "</td></tr>\n");
    }
    srp_buf_puts(b, "</table></div>\n");
}

static void write_experience(srp_buf *b, const sr_report *r)
{
    const sr_stats *s = r->key[0][K_EXPERIENCE];
    if (!s)
        return;
    int periods = r->compare ? 2 : 1;
    srp_buf_puts(
        b,
        "<div class=\"figure\"><h3>De ungas upplevelse</h3><p class=\"small\">Andel "
        "som svarat 4 eller 5 på den femgradiga skalan (1 = inte alls, 5 = helt och "
        "hållet). N är antal unga som svarat på frågan.</p><table class=\"t5\"><tr><th>Fråga</th>");
    for (int p = 0; p < periods; p++) {
        srp_buf_puts(b, "<th class=\"n\">");
        period_cols(b, r, p);
        srp_buf_puts(b, "antal 4–5</th><th class=\"n\">N</th><th class=\"n\">andel 4–5</th>");
    }
    srp_buf_puts(b, "</tr>\n");
    for (size_t i = 0; i < sr_stats_row_count(s); i++) {
        const sr_stats_row *row = sr_stats_row_at(s, i);
        if (strcmp(row->value, "top2") != 0)
            continue;
        srp_buf_puts(b, "<tr><td>");
        html(b, row->item_label ? row->item_label : row->item);
        srp_buf_puts(b, "</td>");
        for (int p = 0; p < periods; p++) {
            const sr_stats_row *x =
                p ? find_row(r->key[1][K_EXPERIENCE], row->item, NULL, "top2") : row;
            srp_buf_puts(b, "<td class=\"n\">");
            cell_count(b, x);
            srp_buf_puts(b, "</td><td class=\"n\">");
            cell_denominator(b, x);
            srp_buf_puts(b, "</td><td class=\"n\">");
            cell_percent(b, x);
            srp_buf_puts(b, "</td>");
        }
        srp_buf_puts(b, "</tr>\n");
    }
    srp_buf_puts(b, "</table></div>\n");
}

static void write_key_figures(srp_buf *b, const sr_report *r)
{
    srp_buf_puts(b, "<h2>Nyckeltal</h2>\n");
    srp_buf_puts(b, "<div class=\"row\">");
    write_flow(b, r);
    write_age(b, r);
    srp_buf_puts(b, "</div>\n");
    if (r->key[0][K_CLOSURE]) {
        srp_buf_puts(b, "<div class=\"figure\"><h3>Skäl till avslut</h3>");
        option_table(b, r, K_CLOSURE, "closure_reason", 1);
        srp_buf_puts(b, "</div>\n");
    }
    write_change(b, r);
    write_experience(b, r);
    if (r->key[0][K_INTERVENTION]) {
        /* Side by side when they are narrow (one period). */
        srp_buf_puts(b, r->compare ? "<div>" : "<div class=\"row\">");
        srp_buf_puts(b, "<div class=\"figure long\"><h3>Aktörer som deltagit</h3><p "
                        "class=\"small\">Andel ärenden där aktören deltagit någon gång under "
                        "insatsen (ett ärende kan ha flera aktörer).</p>");
        option_table(b, r, K_INTERVENTION, "actors", 1);
        srp_buf_puts(b, "</div>\n<div class=\"figure\"><h3>Typ av insats</h3><p "
                        "class=\"small\">Andel ärenden där insatsen använts någon gång (ett "
                        "ärende kan ha flera).</p>");
        option_table(b, r, K_INTERVENTION, "focus", 1);
        srp_buf_puts(b, "</div></div>\n");
    }
}

/* ---- the page: the appendix ---- */

/* The label of option code of item in form, or NULL. */
static const char *option_label(const sr_form *form, const char *item, const char *code, size_t len)
{
    if (!form)
        return NULL;
    long i = sr_form_item_index(form, item);
    if (i < 0)
        return NULL;
    sr_item_info info;
    sr_form_item(form, (size_t)i, "sv", &info);
    for (size_t o = 0; o < info.option_count; o++) {
        const char *c, *label;
        int missing;
        sr_form_option(form, (size_t)i, o, "sv", &c, &label, &missing);
        if (strlen(c) == len && strncmp(c, code, len) == 0)
            return label;
    }
    if (info.type == SR_ITEM_BOOLEAN)
        return len == 4 && strncmp(code, "true", 4) == 0    ? "Ja"
               : len == 5 && strncmp(code, "false", 5) == 0 ? "Nej"
                                                            : NULL;
    return NULL;
}

/* The label of one side of a transition "from>to": the option's label, or
 * for a scale the value with its anchor, never the bare code. */
static void put_side(srp_buf *b, const sr_form *form, const char *item, const char *code,
                     size_t len)
{
    const char *label = option_label(form, item, code, len);
    if (label) {
        html(b, label);
        return;
    }
    char text[64];
    snprintf(text, sizeof text, "%.*s", (int)(len < 60 ? len : 60), code);
    html(b, text);
    long i = form ? sr_form_item_index(form, item) : -1;
    const char *anchor = i >= 0 ? sr_form_anchor(form, (size_t)i, atol(text), "sv") : NULL;
    if (anchor) {
        srp_buf_puts(b, " (");
        html(b, anchor);
        srp_buf_puts(b, ")");
    }
}

/* The transitions of one item (rows first..last-1 with values "a>b") as a
 * cross table: intake down, closure across, counts or "..". */
static void transition_table(srp_buf *b, const sr_stats *s, const sr_form *form, size_t first,
                             size_t last)
{
    const char *froms[SR_FORM_MAX_OPTIONS + 1], *tos[SR_FORM_MAX_OPTIONS + 1];
    size_t fl[SR_FORM_MAX_OPTIONS + 1], tl[SR_FORM_MAX_OPTIONS + 1], nf = 0, nt = 0;
    for (size_t i = first; i < last; i++) {
        const char *v = sr_stats_row_at(s, i)->value, *gt = strchr(v, '>');
        if (!gt)
            continue;
        size_t a = (size_t)(gt - v);
        int seen = 0;
        for (size_t k = 0; k < nf; k++)
            seen |= fl[k] == a && strncmp(froms[k], v, a) == 0;
        if (!seen && nf < SR_FORM_MAX_OPTIONS + 1) {
            froms[nf] = v;
            fl[nf++] = a;
        }
        seen = 0;
        for (size_t k = 0; k < nt; k++)
            seen |= strcmp(tos[k], gt + 1) == 0;
        if (!seen && nt < SR_FORM_MAX_OPTIONS + 1) {
            tos[nt] = gt + 1;
            tl[nt++] = strlen(gt + 1);
        }
    }
    const char *item = sr_stats_row_at(s, first)->item;
    srp_buf_puts(b, "<table class=\"x\"><tr><th>Vid inskrivningen ↓ / vid avslutet →</th>");
    for (size_t t = 0; t < nt; t++) {
        srp_buf_puts(b, "<th>");
        put_side(b, form, item, tos[t], tl[t]);
        srp_buf_puts(b, "</th>");
    }
    srp_buf_puts(b, "</tr>\n");
    for (size_t f = 0; f < nf; f++) {
        srp_buf_puts(b, "<tr><td>");
        put_side(b, form, item, froms[f], fl[f]);
        srp_buf_puts(b, "</td>");
        for (size_t t = 0; t < nt; t++) {
            const sr_stats_row *cell = NULL;
            for (size_t i = first; i < last && !cell; i++) {
                const char *v = sr_stats_row_at(s, i)->value;
                if (strncmp(v, froms[f], fl[f]) == 0 && v[fl[f]] == '>' &&
                    strcmp(v + fl[f] + 1, tos[t]) == 0)
                    cell = sr_stats_row_at(s, i);
            }
            srp_buf_puts(b, "<td>");
            cell_count(b, cell);
            srp_buf_puts(b, "</td>");
        }
        srp_buf_puts(b, "</tr>\n");
    }
    srp_buf_puts(b, "</table>\n");
}

static int is_statistic(const char *value)
{
    static const char *const names[] = {"n", "mean", "median", "p25", "p75", "sd", "min", "max"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(names[k], value) == 0)
            return 1;
    return 0;
}

static void put_estimate(srp_buf *b, const sr_stats_row *row)
{
    if (row->suppressed || !row->has_estimate)
        srp_buf_puts(b, withheld);
    else
        put_decimal(b, row->estimate, 9);
}

/* One item's rows first..last-1 (one group) as a table of options and a
 * line of statistics. */
static void write_item_rows(srp_buf *b, const sr_stats *s, const sr_form *form, size_t first,
                            size_t last)
{
    size_t transitions = 0, options = 0;
    for (size_t i = first; i < last; i++) {
        const char *v = sr_stats_row_at(s, i)->value;
        if (strchr(v, '>'))
            transitions++;
        else if (!is_statistic(v))
            options++;
    }
    if (transitions)
        transition_table(b, s, form, first, last);
    if (options) {
        srp_buf_puts(b, "<table><tr><th>");
        srp_buf_puts(b, transitions ? "Förändring" : "Svar");
        srp_buf_puts(b, "</th><th class=\"n\">Antal</th><th class=\"n\">Andel</th><th "
                        "class=\"n\">N</th><th></th></tr>\n");
        for (size_t i = first; i < last; i++) {
            const sr_stats_row *r = sr_stats_row_at(s, i);
            if (strchr(r->value, '>') || is_statistic(r->value))
                continue;
            srp_buf_puts(b, "<tr><td>");
            const char *name = statistic_name(r->value);
            int yes_no = strcmp(r->value, "true") == 0 || strcmp(r->value, "false") == 0 ||
                         strcmp(r->value, "open") == 0 || strcmp(r->value, "closed") == 0;
            if (name &&
                (yes_no || !r->value_label || !*r->value_label || strcmp(r->value, "top2") == 0))
                srp_buf_puts(b, name);
            else if (r->value_label && *r->value_label)
                html(b, r->value_label);
            else
                put_side(b, form, r->item, r->value, strlen(r->value));
            srp_buf_puts(b, "</td><td class=\"n\">");
            cell_count(b, r);
            srp_buf_puts(b, "</td><td class=\"n\">");
            if (r->has_percent || r->suppressed)
                cell_percent(b, r);
            else
                srp_buf_puts(b, "<span class=\"small\">utanför %</span>");
            srp_buf_puts(b, "</td><td class=\"n\">");
            if (r->has_denominator)
                put_count(b, r->denominator);
            srp_buf_puts(b, "</td><td class=\"bar\">");
            if (r->has_percent && !r->suppressed)
                bar(b, r->percent);
            srp_buf_puts(b, "</td></tr>\n");
        }
        srp_buf_puts(b, "</table>\n");
    }
    int stats = 0;
    for (size_t i = first; i < last; i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        if (!is_statistic(r->value))
            continue;
        srp_buf_puts(b, stats++ ? " · " : "<p class=\"stats\">");
        srp_buf_puts(b, statistic_name(r->value));
        srp_buf_puts(b, " ");
        if (strcmp(r->value, "n") == 0)
            cell_count(b, r);
        else
            put_estimate(b, r);
    }
    if (stats)
        srp_buf_puts(b, "</p>\n");
}

/* One summary for the appendix, an item at a time, groups as sub-heads. */
static void write_section(srp_buf *b, const sr_stats *s, const sr_form *form)
{
    size_t n = sr_stats_row_count(s);
    for (size_t i = 0; i < n;) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        size_t end = i + 1;
        while (end < n && strcmp(sr_stats_row_at(s, end)->item, r->item) == 0)
            end++;
        /* A birth year is shown as the age at intake (key figures), never averaged. */
        if (strcmp(r->item, "birth_year") == 0) {
            i = end;
            continue;
        }
        srp_buf_puts(b, "<div class=\"item\"><h3>");
        html(b, r->item_label ? r->item_label : r->item);
        srp_buf_puts(b, "</h3>\n");
        for (size_t g = i; g < end;) {
            size_t gend = g + 1;
            const char *by = sr_stats_row_at(s, g)->by[0];
            while (gend < end && (!by || (sr_stats_row_at(s, gend)->by[0] &&
                                          strcmp(sr_stats_row_at(s, gend)->by[0], by) == 0)))
                gend++;
            if (by) {
                srp_buf_puts(b, "<p class=\"group\">");
                html(b,
                     sr_stats_row_at(s, g)->by_label[0] ? sr_stats_row_at(s, g)->by_label[0] : by);
                srp_buf_puts(b, "</p>");
            }
            write_item_rows(b, s, form, g, gend);
            g = gend;
        }
        srp_buf_puts(b, "</div>\n");
        i = end;
    }
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
                   "<title>SIG – uppföljning</title><style>%s</style></head><body>\n",
                   style);
    write_cover(&b, r);
    write_key_figures(&b, r);
    sr_status rc = flush(&b, sink, err);
    srp_buf_puts(&b, "<div class=\"appendix\"><h2>Bilaga: alla frågor, formulär för "
                     "formulär</h2><p class=\"small\">Varje fråga för perioden. Andelarna räknas "
                     "på dem som besvarat frågan med en känd uppgift (N); ”Vet ej” och andra "
                     "saknade uppgifter visas som antal, utanför procentsatserna. För "
                     "flervalsfrågor kan andelarna tillsammans bli mer än 100&nbsp;%. ”..” = "
                     "redovisas inte för att skydda enskilda.</p></div>\n");
    for (size_t i = 0; rc == SR_OK && i < r->count; i++) {
        srp_buf_puts(&b, "<h2>");
        html(&b, sr_report_section_heading(r, i));
        srp_buf_puts(&b, "</h2>\n");
        write_section(&b, r->sections[i].stats, r->sections[i].form);
        rc = flush(&b, sink, err);
    }
    if (rc == SR_OK) {
        srp_buf_puts(&b, "</body></html>\n");
        rc = flush(&b, sink, err);
    }
    srp_buf_free(&b);
    return rc;
}
