/*
 * page.h - what every page handler gets and gives, and the layout all pages
 * share (page.c): the document head, the header with the menu and the
 * language switch, the skip link, <main>, error boxes, the CSRF field.
 *
 * A handler (web_page_fn) reads the request (path segments, query, POST
 * fields, the session's registry) and fills the response: an HTML page in
 * rs->page, a redirect, or another body (a download). The server has
 * already checked the Host, the launch cookie, the session, the role the
 * route needs, and for a POST the Origin and the CSRF token; it adds the
 * security headers to every response. Handlers must not print, exit or
 * keep pointers into the request after they return.
 */
#ifndef SIGREG_WEB_PAGE_H
#define SIGREG_WEB_PAGE_H

#include <stddef.h>

#include "html.h"
#include "request.h"
#include "sigreg/limits.h"
#include "sigreg/registry.h"
#include "sigreg/status.h"
#include "web_texts.h"

typedef struct web_request {
    const char *method; /* "GET" or "POST" */
    const char *path;   /* as requested, without the query */
    char seg[WEB_SEGMENTS_MAX][WEB_SEGMENT_MAX + 1];
    size_t nseg;             /* decoded path segments */
    const web_fields *query; /* the query string's pairs */
    const web_fields *form;  /* a POST's body (empty for GET); its CSRF token checked */
    sr_registry *reg;        /* the session's unlocked registry; NULL on public pages */
    const char *user;        /* the session's user, NULL before login */
    const char *lang;        /* "sv" or "en" */
    const char *csrf;        /* the session's CSRF token (hex), for forms */
    int idle_minutes;        /* the server's idle lock */
} web_request;

typedef struct web_response {
    unsigned status;          /* 200 unless set */
    html *page;               /* the HTML body (made by the server, may stay empty) */
    char location[512];       /* set: a 303 redirect there (a path on this server) */
    const char *content_type; /* NULL: text/html; charset=utf-8 (static string) */
    char *body;               /* another body than page: malloc'd, the server wipes and frees it */
    size_t body_len;
    char filename[128]; /* with body: sent as an attachment named so */
} web_response;

typedef void (*web_page_fn)(const web_request *rq, web_response *rs);

/* The text of id in the request's language. */
const char *page_text(const web_request *rq, web_text_id id);

/* Begins a page: doctype, <html lang>, head (title, app.css, app.js), the
 * skip link, the header with the menu (when logged in) and the language
 * switch, and opens <main id="main"> with an <h1> holding title. */
void page_begin(const web_request *rq, web_response *rs, const char *title);
/* Closes <main>, the body and the document. */
void page_end(const web_request *rq, web_response *rs);
/* A whole page with one message (a refusal, a not-found): status, title and
 * text, and what to do when given (else NULL). */
void page_message(const web_request *rq, web_response *rs, unsigned status, const char *title,
                  const char *text, const char *what_to_do);
/* A box with an error (role="alert"): the library's message. */
void page_error_box(const web_request *rq, html *h, const sr_error *err);
/* The hidden CSRF field every POST form carries. */
void page_csrf_field(const web_request *rq, html *h);
/* A 303 redirect to path (a path on this server, starting with '/'). */
void page_redirect(web_response *rs, const char *path);
/* The label of a phase name ("intake" -> "Inskrivning"), or the name itself. */
const char *page_phase_label(const web_request *rq, const char *phase);

/* The login form (page_login.c): for a locked session locked_user is the
 * session's user (the only one who may unlock it), else NULL; err is the
 * refused login's error or NULL; notice a text shown above the form, or
 * WT_COUNT for none. */
void page_login_form(const web_request *rq, web_response *rs, const char *locked_user,
                     const sr_error *err, web_text_id notice);

/* Days from date a to date b ("YYYY-MM-DD"), or -1 when either is not a date
 * or b is before a. */
long page_days_between(const char *a, const char *b);

/* The units the session may see, code and name, for labels and filters. */
#define PAGE_UNITS_MAX 64
typedef struct page_units {
    size_t count;
    struct {
        char code[SR_UNIT_CODE_MAX + 1];
        char name[4 * 200 + 1]; /* 200 characters (sr_unit_add) */
    } u[PAGE_UNITS_MAX];
} page_units;
/* Fills units from the registry (sr_unit_list); SR_OK or the library's error. */
sr_status page_units_load(sr_registry *reg, page_units *units, sr_error *err);
/* The name of a unit code, or the code itself when it has none. */
const char *page_unit_name(const page_units *units, const char *code);

/* The pages (page_*.c). The router (router.c) maps paths to them. */
void page_cases(const web_request *rq, web_response *rs);
void page_case_new(const web_request *rq, web_response *rs);
void page_case(const web_request *rq, web_response *rs);
void page_case_reopen(const web_request *rq, web_response *rs);
void page_case_delete(const web_request *rq, web_response *rs);
void page_stats(const web_request *rq, web_response *rs);
void page_report(const web_request *rq, web_response *rs);
void page_publish(const web_request *rq, web_response *rs);
void page_static(const web_request *rq, web_response *rs);
/* The web-forms pages (page_register.c): /case/CODE/register/FORM and
 * /response/ID/edit. */
void page_register(const web_request *rq, web_response *rs);
void page_response_edit(const web_request *rq, web_response *rs);

#endif
