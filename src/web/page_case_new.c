/*
 * page_case_new.c - "Nytt ärende" (/case/new): a unit and a personnummer in
 * a POST field, or no personnummer (the intake form then asks the birth
 * year). The number is checked by the library, with its messages, and
 * never shown again: a refused form comes back with the field empty.
 */
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "sigreg/cases.h"

static void form(const web_request *rq, html *h, const page_units *units, const char *unit,
                 int no_pnr)
{
    html_raw(h, "<form method=\"post\" action=\"/case/new\">\n");
    page_csrf_field(rq, h);
    html_raw(h, "\n<div class=\"field\"><label for=\"unit\">");
    html_text(h, page_text(rq, WT_CASES_UNIT));
    html_raw(h, "</label><select id=\"unit\" name=\"unit\" required>");
    for (size_t i = 0; i < units->count; i++) {
        html_raw(h, "<option value=\"");
        html_attr(h, units->u[i].code);
        html_raw(h, "\"");
        if ((unit && strcmp(unit, units->u[i].code) == 0) || units->count == 1)
            html_raw(h, " selected");
        html_raw(h, ">");
        html_text(h, units->u[i].name);
        html_raw(h, "</option>");
    }
    html_raw(h, "</select></div>\n<div class=\"field\"><label for=\"pnr\">");
    html_text(h, page_text(rq, WT_NEW_CASE_PNR));
    html_raw(h, "</label><p class=\"help\" id=\"pnr-help\">");
    html_text(h, page_text(rq, WT_NEW_CASE_PNR_HELP));
    html_raw(h, "</p><input type=\"text\" id=\"pnr\" name=\"pnr\" inputmode=\"numeric\" "
                "autocomplete=\"off\" spellcheck=\"false\" maxlength=\"13\" "
                "aria-describedby=\"pnr-help\"></div>\n"
                "<div class=\"field\"><input type=\"checkbox\" id=\"no_pnr\" name=\"no_pnr\" "
                "value=\"1\"");
    if (no_pnr)
        html_raw(h, " checked");
    html_raw(h, "> <label for=\"no_pnr\" class=\"inline\">");
    html_text(h, page_text(rq, WT_NEW_CASE_NO_PNR));
    html_raw(h, "</label><p class=\"help\">");
    html_text(h, page_text(rq, WT_NEW_CASE_BIRTH_YEAR_LATER));
    html_raw(h, "</p></div>\n<p><button type=\"submit\">");
    html_text(h, page_text(rq, WT_NEW_CASE_SUBMIT));
    html_raw(h, "</button></p>\n</form>\n");
}

void page_case_new(const web_request *rq, web_response *rs)
{
    html *h = rs->page;
    sr_error err;
    sr_error_clear(&err);
    page_units *units = calloc(1, sizeof *units);
    if (!units) {
        page_message(rq, rs, 500, page_text(rq, WT_ERROR_PREFIX), "out of memory", NULL);
        return;
    }
    sr_status rc = page_units_load(rq->reg, units, &err);
    const char *unit = NULL;
    int no_pnr = 0;
    if (rc == SR_OK && strcmp(rq->method, "POST") == 0) {
        unit = web_fields_get(rq->form, "unit");
        const char *pnr = web_fields_get(rq->form, "pnr");
        no_pnr = web_fields_get(rq->form, "no_pnr") != NULL;
        if (pnr && !*pnr)
            pnr = NULL;
        char code[SR_CASE_CODE_SIZE];
        if (!unit || !*unit)
            rc = sr_error_set(&err, SR_ERR_USAGE, "%s", page_text(rq, WT_NEW_CASE_NEED_UNIT));
        else if (pnr && no_pnr)
            rc = sr_error_set(&err, SR_ERR_USAGE, "%s", page_text(rq, WT_NEW_CASE_BOTH));
        else if (!pnr && !no_pnr)
            rc = sr_error_set(&err, SR_ERR_USAGE, "%s", page_text(rq, WT_NEW_CASE_NEITHER));
        else
            rc = sr_case_new(rq->reg, unit, pnr, code, &err);
        if (rc == SR_OK) {
            char path[64];
            size_t n = strlen(code);
            memcpy(path, "/case/", 6);
            memcpy(path + 6, code, n + 1);
            page_redirect(rs, path);
            free(units);
            return;
        }
        rs->status = err.status == SR_ERR_EXISTS ? 409 : 400;
    }
    page_begin(rq, rs, page_text(rq, WT_NEW_CASE_TITLE));
    if (rc != SR_OK)
        page_error_box(rq, h, &err);
    form(rq, h, units, unit, no_pnr);
    page_end(rq, rs);
    free(units);
}
