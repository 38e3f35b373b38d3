/*
 * page_login.c - the login form. Logging in and out (opening and closing
 * the registry with the user's passphrase) is the server's (server.c): it
 * owns the sessions.
 */
#include <string.h>

#include "page.h"

void page_login_form(const web_request *rq, web_response *rs, const char *locked_user,
                     const sr_error *err, web_text_id notice)
{
    html *h = rs->page;
    /* After login the browser goes back to the page it asked for. */
    const char *next = rq->form ? web_fields_get(rq->form, "next") : NULL;
    if (!next)
        next = web_fields_get(rq->query, "next");
    if (!next || next[0] != '/')
        next = "/";
    page_begin(rq, rs, page_text(rq, WT_LOGIN_TITLE));
    if (notice != WT_COUNT) {
        html_raw(h, "<p class=\"notice\" role=\"status\">");
        html_text(h, page_text(rq, notice));
        html_raw(h, "</p>\n");
    }
    if (err)
        page_error_box(rq, h, err);
    html_raw(h, "<form method=\"post\" action=\"/login\">\n");
    page_csrf_field(rq, h);
    html_raw(h, "<input type=\"hidden\" name=\"next\" value=\"");
    html_attr(h, next);
    html_raw(h, "\">\n<div class=\"field\"><label for=\"user\">");
    html_text(h, page_text(rq, WT_LOGIN_USER));
    html_raw(h, "</label><input type=\"text\" id=\"user\" name=\"user\" "
                "autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required");
    if (locked_user) {
        html_raw(h, " readonly value=\"");
        html_attr(h, locked_user);
        html_raw(h, "\"");
    } else {
        const char *typed = rq->form ? web_fields_get(rq->form, "user") : NULL;
        if (typed) {
            html_raw(h, " value=\"");
            html_attr(h, typed);
            html_raw(h, "\"");
        }
        html_raw(h, " autofocus");
    }
    html_raw(h, "></div>\n<div class=\"field\"><label for=\"passphrase\">");
    html_text(h, page_text(rq, WT_LOGIN_PASSPHRASE));
    html_raw(h, "</label><input type=\"password\" id=\"passphrase\" name=\"passphrase\" "
                "autocomplete=\"current-password\" required");
    if (locked_user)
        html_raw(h, " autofocus");
    html_raw(h, "></div>\n<p><button type=\"submit\">");
    html_text(h, page_text(rq, WT_LOGIN_SUBMIT));
    html_raw(h, "</button></p>\n</form>\n");
    if (locked_user) {
        html_raw(h, "<form method=\"post\" action=\"/logout\">");
        page_csrf_field(rq, h);
        html_raw(h, "<button type=\"submit\" class=\"secondary\">");
        html_text(h, page_text(rq, WT_LOGIN_OTHER_USER));
        html_raw(h, "</button></form>\n");
    }
    page_end(rq, rs);
}
