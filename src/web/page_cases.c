/*
 * page_cases.c - "Mina ärenden" (/): the cases of the user's units with
 * intake date, days open, last registration and the next step, filtered by
 * unit and status, and the reminders: open cases idle for N days, open
 * longer than N days, closed without an experience form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "sigreg/cases.h"

#define IDLE_DEFAULT 30
#define LONG_DEFAULT 180

typedef struct case_row {
    char code[SR_CASE_CODE_SIZE];
    char unit[SR_UNIT_CODE_MAX + 1];
    char status[8];
    char opened[SR_DATE_MAX + 1];
    char closed[SR_DATE_MAX + 1];
    char last[SR_DATE_MAX + 1];
    char phases[96];
} case_row;

typedef struct rows {
    case_row *r;
    size_t count, cap;
    int failed;
} rows;

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static int add_row(void *ctx, const sr_case_info *info)
{
    rows *rs = ctx;
    if (rs->count == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 64;
        case_row *r = realloc(rs->r, cap * sizeof *r);
        if (!r) {
            rs->failed = 1;
            return 1;
        }
        rs->r = r;
        rs->cap = cap;
    }
    case_row *row = &rs->r[rs->count++];
    copy(row->code, sizeof row->code, info->code);
    copy(row->unit, sizeof row->unit, info->unit);
    copy(row->status, sizeof row->status, info->status);
    copy(row->opened, sizeof row->opened, info->opened_at);
    copy(row->closed, sizeof row->closed, info->closed_at);
    copy(row->last, sizeof row->last, info->last_date);
    copy(row->phases, sizeof row->phases, info->phases);
    return 0;
}

static int has_phase(const char *phases, const char *phase)
{
    size_t n = strlen(phase);
    for (const char *p = phases; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && memcmp(p, phase, n) == 0)
            return 1;
        p = comma ? comma + 1 : p + len;
    }
    return 0;
}

/* What the case needs next, from what it has. */
static web_text_id next_step(const case_row *r)
{
    if (!has_phase(r->phases, "intake"))
        return WT_NEXT_INTAKE;
    if (strcmp(r->status, "open") == 0)
        return WT_NEXT_INTERVENTION_OR_CLOSURE;
    if (!has_phase(r->phases, "experience"))
        return WT_NEXT_EXPERIENCE;
    if (!has_phase(r->phases, "followup"))
        return WT_NEXT_FOLLOWUP;
    return WT_NEXT_NOTHING;
}

static void case_link(html *h, const char *code)
{
    html_raw(h, "<a href=\"/case/");
    html_url_component(h, code);
    html_raw(h, "\">");
    html_text(h, code);
    html_raw(h, "</a>");
}

static void status_label(const web_request *rq, html *h, const char *status)
{
    html_text(h, sr_case_status_label(status, rq->lang));
}

static void option(html *h, const char *value, const char *label, int selected)
{
    html_raw(h, "<option value=\"");
    html_attr(h, value);
    html_raw(h, "\"");
    if (selected)
        html_raw(h, " selected");
    html_raw(h, ">");
    html_text(h, label);
    html_raw(h, "</option>");
}

static void filter_form(const web_request *rq, html *h, const page_units *units, const char *unit,
                        const char *status, long idle, long long_days)
{
    html_raw(h, "<form class=\"filter\" method=\"get\" action=\"/\" aria-labelledby=\"filter-h\">"
                "<h2 id=\"filter-h\" class=\"visually-hidden\">");
    html_text(h, page_text(rq, WT_CASES_FILTER));
    html_raw(h, "</h2>\n<div class=\"field\"><label for=\"unit\">");
    html_text(h, page_text(rq, WT_CASES_UNIT));
    html_raw(h, "</label><select id=\"unit\" name=\"unit\">");
    option(h, "", page_text(rq, WT_CASES_ALL_UNITS), !unit);
    for (size_t i = 0; i < units->count; i++)
        option(h, units->u[i].code, units->u[i].name, unit && strcmp(unit, units->u[i].code) == 0);
    html_raw(h, "</select></div>\n<div class=\"field\"><label for=\"status\">");
    html_text(h, page_text(rq, WT_CASES_STATUS));
    html_raw(h, "</label><select id=\"status\" name=\"status\">");
    option(h, "open", sr_case_status_label("open", rq->lang),
           status && strcmp(status, "open") == 0);
    option(h, "closed", sr_case_status_label("closed", rq->lang),
           status && strcmp(status, "closed") == 0);
    option(h, "any", page_text(rq, WT_STATUS_ANY), !status);
    html_raw(h, "</select></div>\n<div class=\"field\"><label for=\"idle\">");
    html_text(h, page_text(rq, WT_REMINDER_IDLE));
    html_raw(h, " (");
    html_text(h, page_text(rq, WT_REMINDER_DAYS));
    html_raw(h, ")</label><input type=\"number\" id=\"idle\" name=\"idle\" min=\"1\" max=\"3650\" "
                "value=\"");
    html_long(h, idle);
    html_raw(h, "\"></div>\n<div class=\"field\"><label for=\"long\">");
    html_text(h, page_text(rq, WT_REMINDER_LONG));
    html_raw(h, " (");
    html_text(h, page_text(rq, WT_REMINDER_DAYS));
    html_raw(h, ")</label><input type=\"number\" id=\"long\" name=\"long\" min=\"1\" max=\"3650\" "
                "value=\"");
    html_long(h, long_days);
    html_raw(h, "\"></div>\n<div class=\"field\"><button type=\"submit\">");
    html_text(h, page_text(rq, WT_CASES_SHOW));
    html_raw(h, "</button></div></form>\n");
}

/* A whole number in [1, 3650] from the query, else the default. */
static long days_param(const web_request *rq, const char *name, long fallback)
{
    const char *v = web_fields_get(rq->query, name);
    if (!v || !*v || strlen(v) > 4)
        return fallback;
    long n = 0;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9')
            return fallback;
        n = n * 10 + (*p - '0');
    }
    return n >= 1 && n <= 3650 ? n : fallback;
}

static void reminder_list(const web_request *rq, html *h, const rows *list, const char *id,
                          web_text_id title, long days)
{
    html_raw(h, "<h3 id=\"");
    html_attr(h, id);
    html_raw(h, "\">");
    html_text(h, page_text(rq, title));
    if (days > 0) {
        html_raw(h, " ");
        html_long(h, days);
        html_raw(h, " ");
        html_text(h, page_text(rq, WT_REMINDER_DAYS));
    }
    html_raw(h, " (");
    html_long(h, (long long)list->count);
    html_raw(h, ")</h3>\n");
    if (list->count == 0) {
        html_raw(h, "<p class=\"muted\">");
        html_text(h, page_text(rq, WT_REMINDER_NONE));
        html_raw(h, "</p>\n");
        return;
    }
    html_raw(h, "<ul class=\"reminders\">");
    for (size_t i = 0; i < list->count; i++) {
        html_raw(h, "<li>");
        case_link(h, list->r[i].code);
        html_raw(h, "</li>");
    }
    html_raw(h, "</ul>\n");
}

void page_cases(const web_request *rq, web_response *rs)
{
    /* Analysts have no cases: their start page is the summaries. */
    if (sr_registry_role(rq->reg) == SR_ROLE_ANALYST) {
        page_redirect(rs, "/stats");
        return;
    }
    html *h = rs->page;
    sr_error err;
    sr_error_clear(&err);
    page_units *units = calloc(1, sizeof *units);
    rows all = {0}, idle_rows = {0}, long_rows = {0}, no_exp = {0};
    char today[SR_DATE_MAX + 1];
    sr_date_today(today);

    const char *unit = web_fields_get(rq->query, "unit");
    if (unit && !*unit)
        unit = NULL;
    const char *status = web_fields_get(rq->query, "status");
    if (!status)
        status = "open";
    else if (strcmp(status, "any") == 0 || !*status)
        status = NULL;
    long idle = days_param(rq, "idle", IDLE_DEFAULT);
    long long_days = days_param(rq, "long", LONG_DEFAULT);

    page_begin(rq, rs, page_text(rq, WT_CASES_TITLE));
    sr_status rc = units ? page_units_load(rq->reg, units, &err)
                         : sr_error_set(&err, SR_ERR_NOMEM, "out of memory");
    sr_case_filter f = {unit, status, NULL, 0};
    if (rc == SR_OK)
        rc = sr_case_list(rq->reg, &f, add_row, &all, &err);
    sr_case_filter fi = {unit, "open", NULL, (int)idle};
    if (rc == SR_OK)
        rc = sr_case_list(rq->reg, &fi, add_row, &idle_rows, &err);
    sr_case_filter fo = {unit, "open", NULL, 0};
    rows open_rows = {0};
    if (rc == SR_OK)
        rc = sr_case_list(rq->reg, &fo, add_row, &open_rows, &err);
    for (size_t i = 0; rc == SR_OK && i < open_rows.count; i++) {
        long d = page_days_between(open_rows.r[i].opened, today);
        if (d > long_days)
            add_row(&long_rows, &(sr_case_info){.code = open_rows.r[i].code,
                                                .unit = open_rows.r[i].unit,
                                                .status = open_rows.r[i].status,
                                                .opened_at = open_rows.r[i].opened});
    }
    free(open_rows.r);
    sr_case_filter fe = {unit, "closed", "experience", 0};
    if (rc == SR_OK)
        rc = sr_case_list(rq->reg, &fe, add_row, &no_exp, &err);
    if (rc == SR_OK && (all.failed || idle_rows.failed || long_rows.failed || no_exp.failed))
        rc = sr_error_set(&err, SR_ERR_NOMEM, "out of memory");
    if (rc != SR_OK) {
        if (err.status == SR_ERR_USAGE)
            rs->status = 400;
        page_error_box(rq, h, &err);
    }
    if (units)
        filter_form(rq, h, units, unit, status, idle, long_days);

    if (rc == SR_OK) {
        html_raw(h, "<h2 id=\"list\">");
        html_text(h, page_text(rq, WT_CASES_COUNT));
        html_raw(h, ": ");
        html_long(h, (long long)all.count);
        html_raw(h, "</h2>\n");
        if (all.count == 0) {
            html_raw(h, "<p>");
            html_text(h, page_text(rq, WT_CASES_NONE));
            html_raw(h, "</p>\n");
        } else {
            static const web_text_id cols[] = {WT_COL_CASE,   WT_COL_UNIT,      WT_COL_STATUS,
                                               WT_COL_INTAKE, WT_COL_DAYS_OPEN, WT_COL_LAST,
                                               WT_COL_NEXT};
            html_raw(h, "<table class=\"cases\">\n<caption>");
            html_text(h, page_text(rq, WT_CASES_TITLE));
            html_raw(h, "</caption>\n<thead><tr>");
            for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
                html_raw(h, "<th scope=\"col\">");
                html_text(h, page_text(rq, cols[c]));
                html_raw(h, "</th>");
            }
            html_raw(h, "</tr></thead>\n<tbody>\n");
            for (size_t i = 0; i < all.count; i++) {
                const case_row *r = &all.r[i];
                int open = strcmp(r->status, "open") == 0;
                long days = page_days_between(r->opened, open ? today : r->closed);
                html_raw(h, "<tr><th scope=\"row\">");
                case_link(h, r->code);
                html_raw(h, "</th><td>");
                html_text(h, page_unit_name(units, r->unit));
                html_raw(h, "</td><td>");
                status_label(rq, h, r->status);
                html_raw(h, "</td><td>");
                html_text(h, r->opened);
                html_raw(h, "</td><td class=\"num\">");
                if (days >= 0)
                    html_long(h, days);
                html_raw(h, "</td><td>");
                html_text(h, r->last[0] ? r->last : "–");
                html_raw(h, "</td><td>");
                html_text(h, page_text(rq, next_step(r)));
                html_raw(h, "</td></tr>\n");
            }
            html_raw(h, "</tbody></table>\n");
        }
        html_raw(h, "<h2 id=\"reminders\">");
        html_text(h, page_text(rq, WT_REMINDERS_TITLE));
        html_raw(h, "</h2>\n");
        reminder_list(rq, h, &idle_rows, "rem-idle", WT_REMINDER_IDLE, idle);
        reminder_list(rq, h, &long_rows, "rem-long", WT_REMINDER_LONG, long_days);
        reminder_list(rq, h, &no_exp, "rem-experience", WT_REMINDER_NO_EXPERIENCE, 0);
    }
    page_end(rq, rs);
    free(all.r);
    free(idle_rows.r);
    free(long_rows.r);
    free(no_exp.r);
    free(units);
}
