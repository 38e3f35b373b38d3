/*
 * page.c - the layout every page shares (page.h).
 */
#include "page.h"

#include "sigreg/units.h"

#include <stdio.h>
#include <string.h>

const char *page_text(const web_request *rq, web_text_id id)
{
    return web_text(id, rq ? rq->lang : "sv");
}

/* The path of this page with lang=OTHER, for the language switch. */
static void lang_switch(const web_request *rq, html *h)
{
    int en = strcmp(rq->lang, "en") == 0;
    html_raw(h, "<a class=\"lang\" href=\"");
    html_attr(h, rq->path && rq->path[0] == '/' ? rq->path : "/");
    html_raw(h, "?lang=");
    if (en)
        html_raw(h, "sv\" lang=\"sv\" hreflang=\"sv\">");
    else
        html_raw(h, "en\" lang=\"en\" hreflang=\"en\">");
    html_text(h, page_text(rq, WT_LANG_SWITCH));
    html_raw(h, "</a>");
}

void page_begin(const web_request *rq, web_response *rs, const char *title)
{
    html *h = rs->page;
    html_raw(h, "<!DOCTYPE html>\n<html lang=\"");
    html_attr(h, rq->lang);
    html_raw(h, "\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<title>");
    html_text(h, title);
    html_raw(h, " – ");
    html_text(h, page_text(rq, WT_APP_NAME));
    html_raw(h, "</title>\n<link rel=\"stylesheet\" href=\"/static/app.css\">\n"
                "<script src=\"/static/app.js\" defer></script>\n</head>\n<body>\n"
                "<a class=\"skip\" href=\"#main\">");
    html_text(h, page_text(rq, WT_SKIP_TO_MAIN));
    html_raw(h, "</a>\n<header>\n<p class=\"brand\">");
    html_text(h, page_text(rq, WT_APP_NAME));
    html_raw(h, "</p>\n");
    if (rq->reg) {
        html_raw(h, "<nav aria-label=\"");
        html_attr(h, page_text(rq, WT_NAV_LABEL));
        html_raw(h, "\"><ul>\n");
        sr_role role = sr_registry_role(rq->reg);
        if (role != SR_ROLE_ANALYST) {
            html_raw(h, "<li><a href=\"/\">");
            html_text(h, page_text(rq, WT_NAV_CASES));
            html_raw(h, "</a></li>\n<li><a href=\"/case/new\">");
            html_text(h, page_text(rq, WT_NAV_NEW_CASE));
            html_raw(h, "</a></li>\n");
        }
        html_raw(h, "<li><a href=\"/stats\">");
        html_text(h, page_text(rq, WT_NAV_STATS));
        html_raw(h, "</a></li>\n</ul></nav>\n<p class=\"who\">");
        html_text(h, page_text(rq, WT_LOGGED_IN_AS));
        html_raw(h, " <strong>");
        html_text(h, rq->user);
        html_raw(h, "</strong></p>\n<form class=\"logout\" method=\"post\" action=\"/logout\">");
        page_csrf_field(rq, h);
        html_raw(h, "<button type=\"submit\">");
        html_text(h, page_text(rq, WT_LOGOUT));
        html_raw(h, "</button></form>\n");
    }
    lang_switch(rq, h);
    html_raw(h, "\n</header>\n<main id=\"main\" tabindex=\"-1\">\n<h1>");
    html_text(h, title);
    html_raw(h, "</h1>\n");
}

void page_end(const web_request *rq, web_response *rs)
{
    (void)rq;
    html_raw(rs->page, "</main>\n</body>\n</html>\n");
}

void page_message(const web_request *rq, web_response *rs, unsigned status, const char *title,
                  const char *text, const char *what_to_do)
{
    rs->status = status;
    page_begin(rq, rs, title);
    html_raw(rs->page, "<p>");
    html_text(rs->page, text);
    html_raw(rs->page, "</p>\n");
    if (what_to_do) {
        html_raw(rs->page, "<p>");
        html_text(rs->page, what_to_do);
        html_raw(rs->page, "</p>\n");
    }
    page_end(rq, rs);
}

void page_error_box(const web_request *rq, html *h, const sr_error *err)
{
    html_raw(h, "<div class=\"error\" role=\"alert\"><p><strong>");
    html_text(h, page_text(rq, WT_ERROR_PREFIX));
    html_raw(h, ":</strong> ");
    html_text(h, err && err->message[0] ? err->message
                                        : sr_strerror(err ? err->status : SR_ERR_INVALID));
    html_raw(h, "</p></div>\n");
}

void page_csrf_field(const web_request *rq, html *h)
{
    html_raw(h, "<input type=\"hidden\" name=\"csrf\" value=\"");
    html_attr(h, rq->csrf ? rq->csrf : "");
    html_raw(h, "\">");
}

/* 1 when path is one on this server: "/..." of printable ASCII, not "//"
 * or "/\" (which browsers take for another host). */
static int local_path(const char *path)
{
    if (!path || path[0] != '/' || path[1] == '/' || path[1] == '\\')
        return 0;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p < 0x21 || *p > 0x7e || *p == '\\')
            return 0;
    return 1;
}

void page_redirect(web_response *rs, const char *path)
{
    if (!local_path(path))
        path = "/";
    snprintf(rs->location, sizeof rs->location, "%s", path);
    rs->status = 303;
}

const char *page_phase_label(const web_request *rq, const char *phase)
{
    static const struct {
        const char *name;
        web_text_id id;
    } phases[] = {{"intake", WT_PHASE_INTAKE},     {"intervention", WT_PHASE_INTERVENTION},
                  {"closure", WT_PHASE_CLOSURE},   {"experience", WT_PHASE_EXPERIENCE},
                  {"followup", WT_PHASE_FOLLOWUP}, {"follow-up", WT_PHASE_FOLLOWUP}};
    for (size_t i = 0; phase && i < sizeof phases / sizeof *phases; i++)
        if (strcmp(phases[i].name, phase) == 0)
            return page_text(rq, phases[i].id);
    return phase ? phase : "";
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int parse_date(const char *s, long *days)
{
    if (!s || strlen(s) < 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    long y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    long m = (s[5] - '0') * 10 + (s[6] - '0');
    long d = (s[8] - '0') * 10 + (s[9] - '0');
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    *days = days_from_civil(y, m, d);
    return 0;
}

long page_days_between(const char *a, const char *b)
{
    long da, db;
    if (parse_date(a, &da) != 0 || parse_date(b, &db) != 0 || db < da)
        return -1;
    return db - da;
}

static int add_unit(void *ctx, const sr_unit_info *unit)
{
    page_units *units = ctx;
    if (units->count >= PAGE_UNITS_MAX)
        return 1;
    snprintf(units->u[units->count].code, sizeof units->u[0].code, "%s", unit->code);
    snprintf(units->u[units->count].name, sizeof units->u[0].name, "%s",
             unit->name ? unit->name : unit->code);
    units->count++;
    return 0;
}

sr_status page_units_load(sr_registry *reg, page_units *units, sr_error *err)
{
    units->count = 0;
    return sr_unit_list(reg, add_unit, units, err);
}

const char *page_unit_name(const page_units *units, const char *code)
{
    for (size_t i = 0; units && code && i < units->count; i++)
        if (strcmp(units->u[i].code, code) == 0)
            return units->u[i].name;
    return code ? code : "";
}
