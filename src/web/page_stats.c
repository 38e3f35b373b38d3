/*
 * page_stats.c - "Sammanställningar" (/stats): the live summaries of the
 * library's stats API (the same disclosure control as the CLI; an analyst's
 * come from the newest publication addressed to them), each item as a
 * table and an SVG bar chart drawn here, with the table as its text
 * alternative; the report download (/stats/report) and publishing for the
 * units (/stats/publish).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "sigreg/cases.h"
#include "sigreg/form_store.h"
#include "sigreg/publication.h"
#include "sigreg/report.h"
#include "sigreg/stats.h"

#define FORMS_MAX 64

typedef struct form_choice {
    char id[SR_FORM_ID_MAX + 1];
    char title[256];
} form_choice;

typedef struct form_choices {
    form_choice f[FORMS_MAX];
    size_t count;
} form_choices;

static int add_form(void *ctx, const sr_form_summary *s)
{
    form_choices *c = ctx;
    for (size_t i = 0; i < c->count; i++)
        if (strcmp(c->f[i].id, s->id) == 0)
            return 0;
    if (c->count >= FORMS_MAX)
        return 1;
    snprintf(c->f[c->count].id, sizeof c->f[0].id, "%s", s->id);
    snprintf(c->f[c->count].title, sizeof c->f[0].title, "%s", s->title ? s->title : s->id);
    c->count++;
    return 0;
}

static void option(html *h, const char *value, const char *label, const char *selected)
{
    html_raw(h, "<option value=\"");
    html_attr(h, value);
    html_raw(h, "\"");
    if (selected && strcmp(selected, value) == 0)
        html_raw(h, " selected");
    html_raw(h, ">");
    html_text(h, label);
    html_raw(h, "</option>");
}

/* A query value: NULL when absent or empty. */
static const char *param(const web_request *rq, const char *name)
{
    const char *v = web_fields_get(rq->query, name);
    return v && *v ? v : NULL;
}

static void query_form(const web_request *rq, html *h, const form_choices *forms, const char *form,
                       const sr_form *def, const sr_stats_query *q)
{
    html_raw(h, "<form class=\"filter\" method=\"get\" action=\"/stats\">\n"
                "<div class=\"field\"><label for=\"form\">");
    html_text(h, page_text(rq, WT_STATS_FORM));
    html_raw(h, "</label><select id=\"form\" name=\"form\">");
    option(h, "cases", page_text(rq, WT_STATS_ALL_CASES), form);
    for (size_t i = 0; i < forms->count; i++)
        option(h, forms->f[i].id, forms->f[i].title, form);
    html_raw(h, "</select></div>\n<div class=\"field\"><label for=\"by\">");
    html_text(h, page_text(rq, WT_STATS_BY));
    html_raw(h, "</label><select id=\"by\" name=\"by\">");
    option(h, "", page_text(rq, WT_STATS_BY_NONE), q->by[0] ? q->by[0] : "");
    static const struct {
        const char *code;
        web_text_id label;
    } builtin[] = {{"unit", WT_STATS_BY_UNIT},
                   {"age_band", WT_STATS_BY_AGE},
                   {"year", WT_STATS_BY_YEAR},
                   {"half", WT_STATS_BY_HALF},
                   {"quarter", WT_STATS_BY_QUARTER}};
    for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++)
        option(h, builtin[i].code, page_text(rq, builtin[i].label), q->by[0]);
    for (size_t i = 0; def && i < sr_form_item_count(def); i++) {
        sr_item_info info;
        sr_form_item(def, i, rq->lang, &info);
        if (info.type == SR_ITEM_BOOLEAN || info.type == SR_ITEM_CHOICE)
            option(h, info.id, info.label ? info.label : info.id, q->by[0]);
    }
    html_raw(h, "</select></div>\n<div class=\"field\"><label for=\"from\">");
    html_text(h, page_text(rq, WT_STATS_PERIOD_FROM));
    html_raw(h, "</label><input type=\"date\" id=\"from\" name=\"from\" value=\"");
    html_attr(h, q->from ? q->from : "");
    html_raw(h, "\"></div>\n<div class=\"field\"><label for=\"to\">");
    html_text(h, page_text(rq, WT_STATS_PERIOD_TO));
    html_raw(h, "</label><input type=\"date\" id=\"to\" name=\"to\" value=\"");
    html_attr(h, q->to ? q->to : "");
    html_raw(h, "\"></div>\n<div class=\"field\"><button type=\"submit\">");
    html_text(h, page_text(rq, WT_STATS_SHOW));
    html_raw(h, "</button></div>\n</form>\n");
}

static int is_share(const sr_stats_row *r)
{
    return r->has_percent && !r->suppressed;
}

static void row_label(html *h, const sr_stats_row *r)
{
    if (r->by[0]) {
        html_text(h, r->by_label[0] ? r->by_label[0] : r->by[0]);
        html_raw(h, ": ");
    }
    html_text(h, r->value_label ? r->value_label : r->value);
}

/* A horizontal bar chart of the shares of rows [a, b): role img, with a
 * title and a description; the table after it holds the same figures. */
static void chart(const web_request *rq, html *h, const sr_stats *s, size_t a, size_t b,
                  size_t index)
{
    size_t bars = 0;
    for (size_t i = a; i < b; i++)
        if (sr_stats_row_at(s, i)->has_percent || sr_stats_row_at(s, i)->suppressed)
            bars++;
    if (bars == 0)
        return;
    const int label_w = 260, bar_w = 300, row_h = 24, width = label_w + bar_w + 70;
    int height = (int)bars * row_h + 8;
    const sr_stats_row *first = sr_stats_row_at(s, a);
    html_raw(h,
             "<figure class=\"chart\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" ");
    html_printf(h, "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" ", width, height, width,
                height);
    html_printf(h, "aria-labelledby=\"chart%zu-t chart%zu-d\">", index, index);
    html_printf(h, "<title id=\"chart%zu-t\">", index);
    html_text(h, page_text(rq, WT_STATS_CHART_OF));
    html_raw(h, " ");
    html_text(h, first->item_label ? first->item_label : first->item);
    html_printf(h, "</title><desc id=\"chart%zu-d\">", index);
    html_text(h, page_text(rq, WT_STATS_CHART_DESC));
    html_raw(h, "</desc>\n");
    int y = 4;
    const char *point = page_text(rq, WT_DECIMAL_POINT);
    for (size_t i = a; i < b; i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        if (!r->has_percent && !r->suppressed)
            continue;
        html_printf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", label_w - 6, y + 16);
        row_label(h, r);
        html_raw(h, "</text>");
        if (is_share(r)) {
            double p = r->percent < 0 ? 0 : r->percent > 100 ? 100 : r->percent;
            int w = (int)(p / 100.0 * bar_w + 0.5);
            html_printf(h, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>",
                        label_w, y + 3, w, row_h - 6);
            char num[32];
            snprintf(num, sizeof num, "%.1f %%", r->percent);
            for (char *c = num; *c; c++)
                if (*c == '.')
                    *c = point[0];
            html_printf(h, "<text x=\"%d\" y=\"%d\">", label_w + w + 6, y + 16);
            html_text(h, num);
            html_raw(h, "</text>");
        } else {
            html_printf(h, "<text x=\"%d\" y=\"%d\" class=\"muted\">", label_w + 6, y + 16);
            html_text(h, page_text(rq, WT_STATS_SUPPRESSED));
            html_raw(h, "</text>");
        }
        html_raw(h, "\n");
        y += row_h;
    }
    html_raw(h, "</svg>\n</figure>\n");
}

static void number(const web_request *rq, html *h, double v, int decimals)
{
    char num[48];
    snprintf(num, sizeof num, "%.*f", decimals, v);
    const char *point = page_text(rq, WT_DECIMAL_POINT);
    for (char *c = num; *c; c++)
        if (*c == '.')
            *c = point[0];
    html_text(h, num);
}

static void table(const web_request *rq, html *h, const sr_stats *s, size_t a, size_t b)
{
    const sr_stats_row *first = sr_stats_row_at(s, a);
    html_raw(h, "<table>\n<caption>");
    html_text(h, first->item_label ? first->item_label : first->item);
    if (first->unit_of_count_label) {
        html_raw(h, " (");
        html_text(h, page_text(rq, WT_STATS_COUNT_OF));
        html_raw(h, ": ");
        html_text(h, first->unit_of_count_label);
        html_raw(h, ")");
    }
    html_raw(h, "</caption>\n<thead><tr>");
    if (first->by[0]) {
        html_raw(h, "<th scope=\"col\">");
        html_text(h, page_text(rq, WT_COL_GROUP));
        html_raw(h, "</th>");
    }
    static const web_text_id cols[] = {WT_COL_VALUE, WT_COL_COUNT, WT_COL_PERCENT, WT_COL_ESTIMATE};
    for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
        html_raw(h, "<th scope=\"col\">");
        html_text(h, page_text(rq, cols[c]));
        html_raw(h, "</th>");
    }
    html_raw(h, "</tr></thead>\n<tbody>\n");
    for (size_t i = a; i < b; i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        html_raw(h, "<tr>");
        if (r->by[0]) {
            html_raw(h, "<td>");
            html_text(h, r->by_label[0] ? r->by_label[0] : r->by[0]);
            if (r->by[1]) {
                html_raw(h, ", ");
                html_text(h, r->by_label[1] ? r->by_label[1] : r->by[1]);
            }
            html_raw(h, "</td>");
        }
        html_raw(h, "<th scope=\"row\">");
        html_text(h, r->value_label ? r->value_label : r->value);
        html_raw(h, "</th>");
        if (r->suppressed) {
            html_raw(h, "<td colspan=\"3\" class=\"muted\">");
            html_text(h, page_text(rq, WT_STATS_SUPPRESSED));
            html_raw(h, "</td></tr>\n");
            continue;
        }
        html_raw(h, "<td class=\"num\">");
        if (r->has_count)
            html_long(h, r->count);
        html_raw(h, "</td><td class=\"num\">");
        if (r->has_percent)
            number(rq, h, r->percent, 1);
        html_raw(h, "</td><td class=\"num\">");
        if (r->has_estimate)
            number(rq, h, r->estimate, 2);
        html_raw(h, "</td></tr>\n");
    }
    html_raw(h, "</tbody></table>\n");
}

static void write_stats(const web_request *rq, html *h, const sr_stats *s)
{
    size_t n = sr_stats_row_count(s);
    html_raw(h, "<h2>");
    html_text(h, sr_stats_form_title(s) ? sr_stats_form_title(s) : sr_stats_form(s));
    html_raw(h, "</h2>\n<p class=\"muted\">");
    html_text(h, page_text(rq, WT_STATS_MIN_CELL));
    html_raw(h, ": ");
    html_long(h, sr_stats_min_cell(s));
    if (sr_stats_from(s)) {
        html_raw(h, "; ");
        html_text(h, sr_stats_from(s));
        html_raw(h, " – ");
        html_text(h, sr_stats_to(s));
    }
    if (sr_stats_published_at(s)) {
        html_raw(h, "; ");
        html_text(h, page_text(rq, WT_STATS_PUBLISHED_SUMMARY));
        html_raw(h, " ");
        html_text(h, sr_stats_published_at(s));
        html_raw(h, " ");
        html_text(h, page_text(rq, WT_STATS_PUBLISHED_BY));
        html_raw(h, " ");
        html_text(h, sr_stats_published_by(s));
    }
    html_raw(h, "</p>\n");
    if (n == 0) {
        html_raw(h, "<p>");
        html_text(h, page_text(rq, WT_STATS_NOTHING));
        html_raw(h, "</p>\n");
    }
    size_t index = 0;
    for (size_t a = 0; a < n;) {
        const char *item = sr_stats_row_at(s, a)->item;
        size_t b = a + 1;
        while (b < n && strcmp(sr_stats_row_at(s, b)->item, item) == 0)
            b++;
        const sr_stats_row *first = sr_stats_row_at(s, a);
        html_raw(h, "<section>\n<h3>");
        html_text(h, first->item_label ? first->item_label : first->item);
        html_raw(h, "</h3>\n");
        chart(rq, h, s, a, b, index++);
        table(rq, h, s, a, b);
        html_raw(h, "</section>\n");
        a = b;
    }
    if (sr_stats_note_count(s) > 0) {
        html_raw(h, "<h3>");
        html_text(h, page_text(rq, WT_STATS_NOTES));
        html_raw(h, "</h3>\n<ul>");
        for (size_t i = 0; i < sr_stats_note_count(s); i++) {
            html_raw(h, "<li>");
            html_text(h, sr_stats_note(s, i));
            html_raw(h, "</li>");
        }
        html_raw(h, "</ul>\n");
    }
}

static void publication_info(const web_request *rq, html *h)
{
    sr_publication *pub = NULL;
    sr_error err;
    sr_error_clear(&err);
    html_raw(h, "<h2>");
    html_text(h, page_text(rq, WT_STATS_PUBLICATION));
    html_raw(h, "</h2>\n");
    if (sr_publication_newest(rq->reg, &pub, &err) != SR_OK) {
        html_raw(h, "<p>");
        html_text(h, err.status == SR_ERR_NOT_FOUND ? page_text(rq, WT_STATS_NO_PUBLICATION)
                                                    : err.message);
        html_raw(h, "</p>\n");
        return;
    }
    html_raw(h, "<p>");
    html_text(h, page_text(rq, WT_STATS_PUBLISHED_SUMMARY));
    html_raw(h, " ");
    html_text(h, sr_publication_published_at(pub));
    html_raw(h, " ");
    html_text(h, page_text(rq, WT_STATS_PUBLISHED_BY));
    html_raw(h, " ");
    html_text(h, sr_publication_published_by(pub));
    html_raw(h, ".</p>\n");
    char *contents = sr_publication_contents(pub);
    if (contents) {
        html_raw(h, "<ul>");
        for (char *line = contents; *line;) {
            char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            if (len > 0) {
                html_raw(h, "<li>");
                html_text_n(h, line, len);
                html_raw(h, "</li>");
            }
            line += len + (nl ? 1 : 0);
        }
        html_raw(h, "</ul>\n");
        free(contents);
    }
    sr_publication_free(pub);
}

static void report_and_publish(const web_request *rq, html *h)
{
    char today[SR_DATE_MAX + 1];
    sr_date_today(today);
    html_raw(h, "<h2 id=\"report-h\">");
    html_text(h, page_text(rq, WT_STATS_REPORT));
    html_raw(h, "</h2>\n<p>");
    html_text(h, page_text(rq, WT_STATS_REPORT_EXPLAIN));
    html_raw(h, "</p>\n<form class=\"filter\" method=\"get\" action=\"/stats/report\" "
                "aria-labelledby=\"report-h\">"
                "<div class=\"field\"><label for=\"year\">");
    html_text(h, page_text(rq, WT_STATS_REPORT_YEAR));
    html_raw(h, "</label><input type=\"number\" id=\"year\" name=\"year\" min=\"2000\" "
                "max=\"2100\" value=\"");
    html_text_n(h, today, 4);
    html_raw(h, "\"></div><div class=\"field\"><button type=\"submit\">");
    html_text(h, page_text(rq, WT_STATS_REPORT_DOWNLOAD));
    html_raw(h, "</button></div></form>\n<h2 id=\"publish-h\">");
    html_text(h, page_text(rq, WT_STATS_PUBLISH));
    html_raw(h, "</h2>\n<p>");
    html_text(h, page_text(rq, WT_STATS_PUBLISH_EXPLAIN));
    html_raw(h, "</p>\n<form class=\"filter\" method=\"post\" action=\"/stats/publish\" "
                "aria-labelledby=\"publish-h\">");
    page_csrf_field(rq, h);
    html_raw(h, "<div class=\"field\"><label for=\"periods\">");
    html_text(h, page_text(rq, WT_STATS_PERIODS));
    html_raw(h, "</label><select id=\"periods\" name=\"periods\">");
    option(h, "year", page_text(rq, WT_PERIOD_YEAR), "year");
    option(h, "half", page_text(rq, WT_PERIOD_HALF), NULL);
    option(h, "quarter", page_text(rq, WT_PERIOD_QUARTER), NULL);
    html_raw(h, "</select></div><div class=\"field\"><button type=\"submit\">");
    html_text(h, page_text(rq, WT_STATS_PUBLISH_SUBMIT));
    html_raw(h, "</button></div></form>\n");
}

/* The summary page; publish_result, when not NULL, is shown at the top. */
static void stats_page(const web_request *rq, web_response *rs, const sr_error *problem,
                       const sr_publish_report *published)
{
    html *h = rs->page;
    sr_error err;
    sr_error_clear(&err);
    form_choices *forms = calloc(1, sizeof *forms);
    sr_form *def = NULL;
    sr_stats *s = NULL;
    int analyst = sr_registry_role(rq->reg) == SR_ROLE_ANALYST;
    const char *form = param(rq, "form");
    if (!form)
        form = "cases";
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.form = form;
    q.by[0] = param(rq, "by");
    q.unit = param(rq, "unit");
    q.status = param(rq, "status");
    q.from = param(rq, "from");
    q.to = param(rq, "to");
    q.lang = rq->lang;

    page_begin(rq, rs, page_text(rq, WT_STATS_TITLE));
    if (problem)
        page_error_box(rq, h, problem);
    if (published) {
        html_raw(h, "<p class=\"notice\" role=\"status\">");
        html_text(h, page_text(rq, WT_STATS_PUBLISHED));
        html_raw(h, " ");
        html_text(h, published->published_at);
        html_raw(h, ": ");
        html_long(h, (long long)published->figures);
        html_raw(h, " ");
        html_text(h, page_text(rq, WT_STATS_FIGURES));
        html_raw(h, " (");
        html_long(h, (long long)published->withheld);
        html_raw(h, " ");
        html_text(h, page_text(rq, WT_STATS_WITHHELD));
        html_raw(h, "), ");
        html_long(h, (long long)published->packages);
        html_raw(h, " ");
        html_text(h, page_text(rq, WT_STATS_PACKAGES));
        html_raw(h, ".</p>\n");
    }
    if (analyst)
        publication_info(rq, h);
    if (!forms) {
        page_end(rq, rs);
        return;
    }
    sr_form_list(rq->reg, rq->lang, add_form, forms, NULL);
    if (strcmp(form, "cases") != 0 && sr_form_load(rq->reg, form, 0, &def, NULL, NULL) != SR_OK)
        def = NULL;
    query_form(rq, h, forms, form, def, &q);
    sr_status rc = sr_stats_run(rq->reg, &q, &s, &err);
    if (rc != SR_OK) {
        if (rs->status == 0)
            rs->status = err.status == SR_ERR_USAGE || err.status == SR_ERR_INVALID ||
                                 err.status == SR_ERR_NOT_FOUND
                             ? 400
                             : 500;
        page_error_box(rq, h, &err);
    } else {
        write_stats(rq, h, s);
    }
    if (!analyst)
        report_and_publish(rq, h);
    page_end(rq, rs);
    sr_stats_free(s);
    sr_form_free(def);
    free(forms);
}

void page_stats(const web_request *rq, web_response *rs)
{
    stats_page(rq, rs, NULL, NULL);
}

void page_report(const web_request *rq, web_response *rs)
{
    sr_error err;
    sr_error_clear(&err);
    sr_report *report = NULL;
    sr_report_options o;
    memset(&o, 0, sizeof o);
    o.unit = param(rq, "unit");
    const char *year = param(rq, "year");
    sr_status rc = SR_OK;
    if (year) {
        char *end = NULL;
        long y = strtol(year, &end, 10);
        if (!end || *end || y < 1900 || y > 9999)
            rc = sr_error_set(&err, SR_ERR_USAGE, "'%s' is not a year", year);
        else
            o.year = (int)y;
    }
    if (rc == SR_OK)
        rc = sr_report_run(rq->reg, &o, &report, &err);
    sr_sink_memory mem = {0};
    sr_sink sink = sr_sink_to_memory(&mem);
    if (rc == SR_OK)
        rc = sr_report_write_html(report, &sink, &err);
    sr_report_free(report);
    if (rc != SR_OK || !mem.data) {
        sr_sink_memory_release(&mem);
        rs->status = 400;
        stats_page(rq, rs, &err, NULL);
        return;
    }
    rs->body = mem.data;
    rs->body_len = mem.len;
    rs->content_type = "text/html; charset=utf-8";
    snprintf(rs->filename, sizeof rs->filename, "sig-rapport-%d.html", o.year);
    if (!o.year)
        snprintf(rs->filename, sizeof rs->filename, "sig-rapport.html");
}

void page_publish(const web_request *rq, web_response *rs)
{
    sr_error err;
    sr_error_clear(&err);
    sr_publish_options o;
    memset(&o, 0, sizeof o);
    const char *periods = web_fields_get(rq->form, "periods");
    o.periods = periods && *periods ? periods : NULL;
    sr_publish_report rep;
    memset(&rep, 0, sizeof rep);
    sr_status rc = sr_publish(rq->reg, &o, &rep, &err);
    free(rep.written);
    if (rc != SR_OK) {
        rs->status = err.status == SR_ERR_DENIED ? 403 : 400;
        stats_page(rq, rs, &err, NULL);
        return;
    }
    stats_page(rq, rs, NULL, &rep);
}
