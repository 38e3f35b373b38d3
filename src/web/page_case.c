/*
 * page_case.c - the case page (/case/CODE): the case's facts, every
 * response labelled, in phase order, with its revision; links to register
 * the forms the case allows now and to change one answer; reopen (with a
 * reason) and erase (/case/CODE/delete: a confirmation page that says what
 * erasure means).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer_view.h"
#include "page.h"
#include "sigreg/cases.h"
#include "sigreg/form_store.h"

typedef struct resp {
    int64_t id;
    char form_id[SR_FORM_ID_MAX + 1];
    int version;
    sr_phase phase;
    char date[SR_DATE_MAX + 1];
    int revision;
    int active;
    char created_by[SR_USER_NAME_MAX + 1];
    char *answers;
} resp;

typedef struct case_view {
    char code[SR_CASE_CODE_SIZE];
    char unit[SR_UNIT_CODE_MAX + 1];
    int open;
    char opened[SR_DATE_MAX + 1];
    char closed[SR_DATE_MAX + 1];
    int has_pnr;
    resp *r;
    size_t count, cap;
    resp *old; /* earlier revisions (sr_case_history) */
    size_t old_count, old_cap;
    int failed;
} case_view;

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static int on_case(void *ctx, const sr_case_info *info)
{
    case_view *v = ctx;
    copy(v->code, sizeof v->code, info->code);
    copy(v->unit, sizeof v->unit, info->unit);
    v->open = info->status && strcmp(info->status, "open") == 0;
    copy(v->opened, sizeof v->opened, info->opened_at);
    copy(v->closed, sizeof v->closed, info->closed_at);
    v->has_pnr = info->has_pnr;
    return 0;
}

static int add_resp(case_view *v, resp **list, size_t *count, size_t *cap,
                    const sr_response_info *info)
{
    if (*count == *cap) {
        size_t n = *cap ? *cap * 2 : 8;
        resp *r = realloc(*list, n * sizeof *r);
        if (!r) {
            v->failed = 1;
            return 1;
        }
        *list = r;
        *cap = n;
    }
    resp *r = &(*list)[*count];
    memset(r, 0, sizeof *r);
    r->id = info->id;
    copy(r->form_id, sizeof r->form_id, info->form_id);
    r->version = info->form_version;
    r->phase = info->phase;
    copy(r->date, sizeof r->date, info->date);
    r->revision = info->revision;
    r->active = info->active;
    copy(r->created_by, sizeof r->created_by, info->created_by);
    r->answers = strdup(info->answers ? info->answers : "{}");
    if (!r->answers) {
        v->failed = 1;
        return 1;
    }
    (*count)++;
    return 0;
}

static int on_response(void *ctx, const sr_response_info *info)
{
    case_view *v = ctx;
    return add_resp(v, &v->r, &v->count, &v->cap, info);
}

static int on_old(void *ctx, const sr_response_info *info)
{
    case_view *v = ctx;
    return add_resp(v, &v->old, &v->old_count, &v->old_cap, info);
}

/* Phase order, then date, then the order of registration. */
static int by_phase(const void *a, const void *b)
{
    const resp *x = a, *y = b;
    if (x->phase != y->phase)
        return x->phase < y->phase ? -1 : 1;
    int c = strcmp(x->date, y->date);
    if (c)
        return c;
    return x->id < y->id ? -1 : x->id > y->id;
}

static void resps_free(resp *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].answers) {
            explicit_bzero(r[i].answers, strlen(r[i].answers));
            free(r[i].answers);
        }
    free(r);
}

static void case_view_release(case_view *v)
{
    resps_free(v->r, v->count);
    resps_free(v->old, v->old_count);
    memset(v, 0, sizeof *v);
}

/* The earlier revisions of r: for each, its date, who made it, and the
 * answers that differ from the current revision (cur). */
static void write_history(const web_request *rq, html *h, const resp *r, const sr_form *form,
                          const sr_answers *cur, const case_view *v)
{
    size_t n = 0;
    for (size_t k = 0; k < v->old_count; k++)
        n += v->old[k].id == r->id;
    if (n == 0 || !form)
        return;
    html_raw(h, "<details class=\"history\"><summary>");
    html_text(h, page_text(rq, WT_CASE_HISTORY));
    html_raw(h, " (");
    html_long(h, (long long)n);
    html_raw(h, ")</summary>\n");
    for (size_t k = 0; k < v->old_count; k++) {
        const resp *o = &v->old[k];
        if (o->id != r->id)
            continue;
        sr_answers *old = NULL;
        html_raw(h, "<p><strong>");
        html_text(h, page_text(rq, WT_CASE_REVISION));
        html_raw(h, " ");
        html_long(h, o->revision);
        html_raw(h, "</strong>, ");
        html_text(h, o->date);
        html_raw(h, ", ");
        html_text(h, page_text(rq, WT_CASE_HISTORY_BY));
        html_raw(h, " ");
        html_text(h, o->created_by);
        html_raw(h, "</p>\n");
        if (sr_answers_from_json(form, o->answers, strlen(o->answers), &old, NULL, NULL) != SR_OK)
            continue;
        size_t changed = 0;
        size_t items = sr_form_item_count(form);
        for (size_t i = 0; i < items; i++) {
            char *a = sr_answers_has(old, i) ? sr_answers_value_json(old, i) : NULL;
            char *b = cur && sr_answers_has(cur, i) ? sr_answers_value_json(cur, i) : NULL;
            int differs = (a == NULL) != (b == NULL) || (a && b && strcmp(a, b) != 0);
            free(a);
            free(b);
            if (!differs)
                continue;
            if (changed++ == 0) {
                html_raw(h, "<table><caption>");
                html_text(h, page_text(rq, WT_CASE_HISTORY_BEFORE));
                html_raw(h, "</caption><thead><tr><th scope=\"col\">");
                html_text(h, page_text(rq, WT_ITEM));
                html_raw(h, "</th><th scope=\"col\">");
                html_text(h, page_text(rq, WT_ANSWER));
                html_raw(h, "</th></tr></thead><tbody>\n");
            }
            sr_item_info info;
            sr_form_item(form, i, rq->lang, &info);
            html_raw(h, "<tr><th scope=\"row\">");
            html_text(h, info.label ? info.label : info.id);
            html_raw(h, "</th><td>");
            if (answer_view_write(h, form, old, i, rq->lang) != 0)
                html_text(h, page_text(rq, WT_NOT_ANSWERED));
            html_raw(h, "</td></tr>\n");
        }
        if (changed)
            html_raw(h, "</tbody></table>\n");
        else {
            html_raw(h, "<p>");
            html_text(h, page_text(rq, WT_CASE_HISTORY_SAME));
            html_raw(h, "</p>\n");
        }
        sr_answers_free(old);
    }
    html_raw(h, "</details>\n");
}

static void case_path(html *h, const char *code, const char *rest)
{
    html_raw(h, "/case/");
    html_url_component(h, code);
    if (rest)
        html_attr(h, rest);
}

/* One response: a heading and a table of every answered item. */
static void write_response(const web_request *rq, html *h, const resp *r, const sr_form *form,
                           const case_view *v)
{
    sr_answers *answers = NULL;
    html_raw(h, "<section class=\"response\" aria-labelledby=\"r");
    html_long(h, (long long)r->id);
    html_raw(h, "\">\n<h3 id=\"r");
    html_long(h, (long long)r->id);
    html_raw(h, "\">");
    html_text(h, page_phase_label(rq, sr_phase_name(r->phase)));
    html_raw(h, ": ");
    html_text(h, form ? sr_form_title(form, rq->lang) : r->form_id);
    html_raw(h, ", ");
    html_text(h, r->date);
    html_raw(h, "</h3>\n<p class=\"muted\">");
    html_text(h, page_text(rq, WT_CASE_RESPONSE_ID));
    html_raw(h, " ");
    html_long(h, (long long)r->id);
    html_raw(h, ", ");
    html_text(h, page_text(rq, WT_CASE_REVISION));
    html_raw(h, " ");
    html_long(h, r->revision);
    if (!r->active) {
        html_raw(h, " (");
        html_text(h, page_text(rq, WT_CASE_SET_ASIDE));
        html_raw(h, ")");
    }
    html_raw(h, "</p>\n");
    if (!form ||
        sr_answers_from_json(form, r->answers, strlen(r->answers), &answers, NULL, NULL) != SR_OK) {
        html_raw(h, "</section>\n");
        return;
    }
    html_raw(h, "<table>\n<thead><tr><th scope=\"col\">");
    html_text(h, page_text(rq, WT_ITEM));
    html_raw(h, "</th><th scope=\"col\">");
    html_text(h, page_text(rq, WT_ANSWER));
    html_raw(h, "</th>");
    if (r->active) {
        html_raw(h, "<th scope=\"col\"><span class=\"visually-hidden\">");
        html_text(h, page_text(rq, WT_CASE_EDIT_ANSWER));
        html_raw(h, "</span></th>");
    }
    html_raw(h, "</tr></thead>\n<tbody>\n");
    size_t n = sr_form_item_count(form);
    for (size_t i = 0; i < n; i++) {
        sr_item_info info;
        sr_form_item(form, i, rq->lang, &info);
        if (info.type == SR_ITEM_SECTION || !sr_answers_has(answers, i))
            continue;
        html_raw(h, "<tr><th scope=\"row\">");
        html_text(h, info.label ? info.label : info.id);
        html_raw(h, "</th><td>");
        answer_view_write(h, form, answers, i, rq->lang);
        html_raw(h, "</td>");
        if (r->active) {
            html_raw(h, "<td><a href=\"/response/");
            html_long(h, (long long)r->id);
            html_raw(h, "/edit?item=");
            html_url_component(h, info.id);
            html_raw(h, "\">");
            html_text(h, page_text(rq, WT_CASE_EDIT_ANSWER));
            html_raw(h, "<span class=\"visually-hidden\">: ");
            html_text(h, info.label ? info.label : info.id);
            html_raw(h, "</span></a></td>");
        }
        html_raw(h, "</tr>\n");
    }
    html_raw(h, "</tbody></table>\n");
    write_history(rq, h, r, form, answers, v);
    html_raw(h, "</section>\n");
    sr_answers_free(answers);
}

/* The forms sr_case_allowed_forms lists, copied: each is written after the
 * list is done, since writing one loads its form, and a library call inside
 * the list's callback would take the registry's lock (to log the form's
 * view) while the list still reads, which a concurrent writer's commit
 * waits for. */
typedef struct allowed_form {
    char form_id[SR_FORM_ID_MAX + 1];
    int version;
    int allowed;
    char *reason; /* NULL when allowed */
} allowed_form;

typedef struct allowed_list {
    allowed_form *f;
    size_t count, cap;
    int failed;
} allowed_list;

static int on_allowed(void *ctx, const sr_form_allowed *f)
{
    allowed_list *a = ctx;
    if (a->count == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 8;
        allowed_form *more = realloc(a->f, cap * sizeof *more);
        if (!more) {
            a->failed = 1;
            return 1;
        }
        a->f = more;
        a->cap = cap;
    }
    allowed_form *e = &a->f[a->count];
    memset(e, 0, sizeof *e);
    snprintf(e->form_id, sizeof e->form_id, "%s", f->form_id);
    e->version = f->version;
    e->allowed = f->allowed;
    if (!f->allowed && f->reason && !(e->reason = strdup(f->reason))) {
        a->failed = 1;
        return 1;
    }
    a->count++;
    return 0;
}

static void write_allowed(const web_request *rq, html *h, const char *code, const allowed_form *f)
{
    sr_form *form = NULL;
    if (sr_form_load(rq->reg, f->form_id, f->version, &form, NULL, NULL) != SR_OK)
        form = NULL;
    const char *title = form ? sr_form_title(form, rq->lang) : f->form_id;
    html_raw(h, "<li>");
    if (f->allowed) {
        html_raw(h, "<a href=\"");
        case_path(h, code, "/register/");
        html_url_component(h, f->form_id);
        html_raw(h, "\">");
        html_text(h, title);
        html_raw(h, "</a>");
    } else {
        html_text(h, title);
        html_raw(h, " <span class=\"muted\">(");
        html_text(h, f->reason ? f->reason : page_text(rq, WT_CASE_NOT_ALLOWED));
        html_raw(h, ")</span>");
    }
    html_raw(h, "</li>\n");
    sr_form_free(form);
}

/* Loads the case; on failure writes the error page and returns the status. */
static sr_status load_case(const web_request *rq, web_response *rs, case_view *v, char *code,
                           int with_responses)
{
    sr_error err;
    sr_error_clear(&err);
    sr_status rc = sr_case_code_normalise(rq->seg[1], code, &err);
    if (rc == SR_OK)
        rc = sr_case_show(rq->reg, code, on_case, with_responses ? on_response : NULL, v, &err);
    if (rc == SR_OK && with_responses)
        rc = sr_case_history(rq->reg, code, on_old, v, &err);
    if (rc == SR_OK && v->failed)
        rc = sr_error_set(&err, SR_ERR_NOMEM, "out of memory");
    if (rc != SR_OK) {
        unsigned status = rc == SR_ERR_NOT_FOUND ? 404 : rc == SR_ERR_DENIED ? 403 : 400;
        rs->status = status;
        page_begin(rq, rs, page_text(rq, WT_CASE_TITLE));
        page_error_box(rq, rs->page, &err);
        page_end(rq, rs);
    }
    return rc;
}

static void write_facts(const web_request *rq, html *h, const case_view *v)
{
    page_units units;
    page_units_load(rq->reg, &units, NULL);
    html_raw(h, "<dl class=\"facts\"><dt>");
    html_text(h, page_text(rq, WT_COL_UNIT));
    html_raw(h, "</dt><dd>");
    html_text(h, page_unit_name(&units, v->unit));
    html_raw(h, "</dd><dt>");
    html_text(h, page_text(rq, WT_COL_STATUS));
    html_raw(h, "</dt><dd>");
    html_text(h, sr_case_status_label(v->open ? "open" : "closed", rq->lang));
    html_raw(h, "</dd><dt>");
    html_text(h, page_text(rq, WT_CASE_OPENED));
    html_raw(h, "</dt><dd>");
    html_text(h, v->opened);
    html_raw(h, "</dd>");
    if (!v->open && v->closed[0]) {
        html_raw(h, "<dt>");
        html_text(h, page_text(rq, WT_CASE_CLOSED_AT));
        html_raw(h, "</dt><dd>");
        html_text(h, v->closed);
        html_raw(h, "</dd>");
    }
    char today[SR_DATE_MAX + 1];
    sr_date_today(today);
    long days = page_days_between(v->opened, v->open ? today : v->closed);
    if (days >= 0) {
        html_raw(h, "<dt>");
        html_text(h, page_text(rq, WT_COL_DAYS_OPEN));
        html_raw(h, "</dt><dd>");
        html_long(h, days);
        html_raw(h, "</dd>");
    }
    html_raw(h, "<dt>");
    html_text(h, page_text(rq, WT_CASE_HAS_PNR));
    html_raw(h, "</dt><dd>");
    html_text(h, page_text(rq, v->has_pnr ? WT_YES : WT_NO));
    html_raw(h, "</dd></dl>\n");
}

static void write_case(const web_request *rq, web_response *rs, case_view *v, const char *code,
                       const sr_error *problem)
{
    html *h = rs->page;
    char title[64];
    snprintf(title, sizeof title, "%s %s", page_text(rq, WT_CASE_TITLE), code);
    page_begin(rq, rs, title);
    if (problem)
        page_error_box(rq, h, problem);
    write_facts(rq, h, v);

    html_raw(h, "<h2>");
    html_text(h, page_text(rq, WT_CASE_FORMS));
    html_raw(h, "</h2>\n<ul class=\"forms\">\n");
    allowed_list a = {NULL, 0, 0, 0};
    sr_error err;
    sr_error_clear(&err);
    sr_status arc = sr_case_allowed_forms(rq->reg, code, on_allowed, &a, &err);
    if (arc == SR_OK && a.failed)
        arc = sr_error_set(&err, SR_ERR_NOMEM, "out of memory");
    for (size_t i = 0; arc == SR_OK && i < a.count; i++)
        write_allowed(rq, h, code, &a.f[i]);
    html_raw(h, "</ul>\n");
    if (arc != SR_OK)
        page_error_box(rq, h, &err);
    for (size_t i = 0; i < a.count; i++)
        free(a.f[i].reason);
    free(a.f);

    html_raw(h, "<h2>");
    html_text(h, page_text(rq, WT_CASE_RESPONSES));
    html_raw(h, "</h2>\n");
    if (v->count == 0) {
        html_raw(h, "<p>");
        html_text(h, page_text(rq, WT_CASE_NO_RESPONSES));
        html_raw(h, "</p>\n");
    }
    if (v->count > 1)
        qsort(v->r, v->count, sizeof *v->r, by_phase);
    sr_form *form = NULL;
    for (size_t i = 0; i < v->count; i++) {
        const resp *r = &v->r[i];
        if (!form || strcmp(sr_form_id(form), r->form_id) != 0 ||
            sr_form_version(form) != r->version) {
            sr_form_free(form);
            form = NULL;
            if (sr_form_load(rq->reg, r->form_id, r->version, &form, NULL, NULL) != SR_OK)
                form = NULL;
        }
        write_response(rq, h, r, form, v);
    }
    sr_form_free(form);

    if (!v->open) {
        html_raw(h, "<h2 id=\"reopen-h\">");
        html_text(h, page_text(rq, WT_CASE_REOPEN));
        html_raw(h, "</h2>\n<form method=\"post\" action=\"");
        case_path(h, code, "/reopen");
        html_raw(h, "\" aria-labelledby=\"reopen-h\">");
        page_csrf_field(rq, h);
        html_raw(h, "<div class=\"field\"><label for=\"reason\">");
        html_text(h, page_text(rq, WT_CASE_REOPEN_REASON));
        html_raw(h, "</label><textarea id=\"reason\" name=\"reason\" rows=\"2\" cols=\"60\" "
                    "required></textarea></div><p><button type=\"submit\">");
        html_text(h, page_text(rq, WT_CASE_REOPEN));
        html_raw(h, "</button></p></form>\n");
    }
    html_raw(h, "<h2>");
    html_text(h, page_text(rq, WT_CASE_DELETE));
    html_raw(h, "</h2>\n<p><a href=\"");
    case_path(h, code, "/delete");
    html_raw(h, "\">");
    html_text(h, page_text(rq, WT_CASE_DELETE));
    html_raw(h, "…</a></p>\n");
    page_end(rq, rs);
}

void page_case(const web_request *rq, web_response *rs)
{
    case_view v;
    memset(&v, 0, sizeof v);
    char code[SR_CASE_CODE_SIZE];
    if (load_case(rq, rs, &v, code, 1) == SR_OK)
        write_case(rq, rs, &v, code, NULL);
    case_view_release(&v);
}

void page_case_reopen(const web_request *rq, web_response *rs)
{
    case_view v;
    memset(&v, 0, sizeof v);
    char code[SR_CASE_CODE_SIZE];
    sr_error err;
    sr_error_clear(&err);
    const char *reason = web_fields_get(rq->form, "reason");
    sr_status rc = sr_case_code_normalise(rq->seg[1], code, &err);
    if (rc == SR_OK && (!reason || !*reason))
        rc = sr_error_set(&err, SR_ERR_USAGE, "%s", page_text(rq, WT_CASE_REOPEN_NEED_REASON));
    if (rc == SR_OK)
        rc = sr_case_reopen(rq->reg, code, reason, &err);
    if (rc == SR_OK) {
        char path[64];
        snprintf(path, sizeof path, "/case/%s", code);
        page_redirect(rs, path);
        return;
    }
    if (load_case(rq, rs, &v, code, 1) == SR_OK) {
        rs->status = 400;
        write_case(rq, rs, &v, code, &err);
    }
    case_view_release(&v);
}

void page_case_delete(const web_request *rq, web_response *rs)
{
    case_view v;
    memset(&v, 0, sizeof v);
    char code[SR_CASE_CODE_SIZE];
    sr_error err;
    sr_error_clear(&err);
    int post = strcmp(rq->method, "POST") == 0;
    if (load_case(rq, rs, &v, code, 0) != SR_OK) {
        case_view_release(&v);
        return;
    }
    sr_status rc = SR_OK;
    if (post) {
        const char *typed = web_fields_get(rq->form, "confirm");
        char typed_code[SR_CASE_CODE_SIZE];
        if (!typed || sr_case_code_normalise(typed, typed_code, NULL) != SR_OK ||
            strcmp(typed_code, code) != 0)
            rc = sr_error_set(&err, SR_ERR_USAGE, "%s", page_text(rq, WT_CASE_DELETE_WRONG_CODE));
        else
            rc = sr_case_delete(rq->reg, code, &err);
        if (rc == SR_OK) {
            page_message(rq, rs, 200, page_text(rq, WT_CASE_DELETE_TITLE),
                         page_text(rq, WT_CASE_DELETED), NULL);
            case_view_release(&v);
            return;
        }
        rs->status = 400;
    }
    html *h = rs->page;
    page_begin(rq, rs, page_text(rq, WT_CASE_DELETE_TITLE));
    if (rc != SR_OK)
        page_error_box(rq, h, &err);
    html_raw(h, "<p>");
    html_text(h, page_text(rq, WT_CASE_DELETE_EXPLAIN));
    html_raw(h, "</p>\n<form method=\"post\" action=\"");
    case_path(h, code, "/delete");
    html_raw(h, "\">");
    page_csrf_field(rq, h);
    html_raw(h, "<div class=\"field\"><label for=\"confirm\">");
    html_text(h, page_text(rq, WT_CASE_DELETE_TYPE_CODE));
    html_raw(h, " (");
    html_text(h, code);
    html_raw(h, ")</label><input type=\"text\" id=\"confirm\" name=\"confirm\" "
                "autocomplete=\"off\" required data-confirm-button=\"erase\" "
                "data-confirm-text=\"");
    html_attr(h, code);
    html_raw(h, "\"></div><p><button type=\"submit\" class=\"danger\" id=\"erase\">");
    html_text(h, page_text(rq, WT_CASE_DELETE_CONFIRM));
    html_raw(h, "</button> <a class=\"button secondary\" href=\"");
    case_path(h, code, NULL);
    html_raw(h, "\">");
    html_text(h, page_text(rq, WT_CANCEL));
    html_raw(h, "</a></p></form>\n");
    page_end(rq, rs);
    case_view_release(&v);
}
