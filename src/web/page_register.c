/*
 * page_register.c - registering a form, and correcting one answer, on the
 * web page (page_register.h).
 */
#include "page_register.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer_view.h"
#include "form_decode.h"
#include "form_page.h"
#include "form_text.h"
#include "sigreg/cases.h"
#include "sigreg/drafts.h"
#include "sigreg/form_store.h"

/* ---- what a registration works on ------------------------------------------------------------ */

typedef struct reg_ctx {
    const web_request *rq;
    web_response *rs;
    const char *lang;
    char code[SR_CASE_CODE_SIZE];
    char form_id[SR_FORM_ID_MAX + 1];
    char url[128]; /* /case/CODE/register/FORM */
    /* What sr_case_allowed_forms says of the form. */
    int found, allowed, newest;
    sr_phase phase;
    sr_status refusal;
    char reason[SR_ERROR_MESSAGE_MAX];
    char earliest[SR_DATE_MAX + 1], latest[SR_DATE_MAX + 1];
    /* The draft, when there is one. */
    int has_draft, version;
    char date[SR_DATE_MAX + 1];
    char saved_at[32];
    char *draft_answers;
    sr_form *form;
    sr_answers *answers;
    sr_problems *problems;
    unsigned char *shown; /* NULL: every item; else the items asked (not the derived ones) */
    char **earlier;       /* NULL, or per item the earlier answer shown beside it */
    size_t earlier_count;
} reg_ctx;

static const char *tr(const reg_ctx *c, form_text_id id)
{
    return form_text(id, c->lang);
}

static void text_f(html *h, const char *lang, form_text_id id, ...)
{
    char buf[SR_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, id);
    vsnprintf(buf, sizeof buf, form_text(id, lang), ap);
    va_end(ap);
    html_text(h, buf);
}

static void redirect_step(reg_ctx *c, const char *step, const char *fragment)
{
    char path[256];
    snprintf(path, sizeof path, "%s%s%s%s%s", c->url, step ? "?step=" : "", step ? step : "",
             fragment ? "#" : "", fragment ? fragment : "");
    page_redirect(c->rs, path);
}

static void redirect_case(reg_ctx *c)
{
    char path[64];
    snprintf(path, sizeof path, "/case/%s", c->code);
    page_redirect(c->rs, path);
}

/* The page for an error of the library that ends the flow. */
static void fail_page(const web_request *rq, web_response *rs, const sr_error *err)
{
    unsigned status = 500;
    switch (err->status) {
    case SR_ERR_NOT_FOUND:
        status = 404;
        break;
    case SR_ERR_DENIED:
        status = 403;
        break;
    case SR_ERR_USAGE:
    case SR_ERR_INVALID:
        status = 400;
        break;
    case SR_ERR_STATE:
    case SR_ERR_EXISTS:
        status = 409;
        break;
    case SR_ERR_BUSY:
        status = 503;
        break;
    default:
        break;
    }
    rs->status = status;
    page_begin(rq, rs, page_text(rq, WT_ERROR_PREFIX));
    page_error_box(rq, rs->page, err);
    page_end(rq, rs);
}

/* ---- drafts (sigreg/drafts.h) ---------------------------------------------------------------- */

/* The newest of the user's drafts of this form on the case (any version). */
static int on_draft(void *ctx, const sr_draft_info *info)
{
    reg_ctx *c = ctx;
    if (strcmp(info->form_id, c->form_id) != 0)
        return 0;
    c->has_draft = 1;
    c->version = info->form_version;
    snprintf(c->saved_at, sizeof c->saved_at, "%s", info->saved_at ? info->saved_at : "");
    return 1;
}

static sr_status draft_read(reg_ctx *c, sr_error *err)
{
    sr_status rc = sr_draft_list(c->rq->reg, c->code, on_draft, c, err);
    if (rc != SR_OK || !c->has_draft)
        return rc;
    rc =
        sr_draft_load(c->rq->reg, c->code, c->form_id, c->version, c->date, &c->draft_answers, err);
    if (rc == SR_ERR_NOT_FOUND) { /* discarded meanwhile */
        sr_error_clear(err);
        c->has_draft = 0;
        c->date[0] = '\0';
        return SR_OK;
    }
    return rc;
}

static sr_status draft_write(reg_ctx *c, sr_error *err)
{
    /* With what was typed and refused: nothing typed is lost (issue 13). */
    char *json = c->answers ? sr_answers_to_draft_json(c->answers) : strdup("{}");
    if (!json)
        return sr_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_status rc = sr_draft_save(c->rq->reg, c->code, c->form_id, c->version, c->date, json, err);
    free(json);
    if (rc == SR_OK)
        c->has_draft = 1;
    return rc;
}

static sr_status draft_drop(reg_ctx *c, sr_error *err)
{
    sr_status rc = sr_draft_discard(c->rq->reg, c->code, c->form_id, c->version, err);
    if (rc == SR_ERR_NOT_FOUND) {
        sr_error_clear(err);
        rc = SR_OK;
    }
    if (rc == SR_OK)
        c->has_draft = 0;
    return rc;
}

/* ---- what was typed and refused -------------------------------------------------------------- */

/* Keeps in the set, for the draft, what was posted for each item the
 * decoding refused (its values as typed). */
static sr_status keep_typed(reg_ctx *c, const web_fields *posted, sr_error *err)
{
    for (size_t k = 0; k < sr_problems_count(c->problems); k++) {
        if (sr_problems_is_warning(c->problems, k))
            continue;
        long i = sr_form_item_index(c->form, sr_problems_path(c->problems, k));
        if (i < 0 || sr_answers_has(c->answers, (size_t)i))
            continue;
        const char *id = sr_problems_path(c->problems, k);
        size_t n = web_fields_count(posted, id);
        if (n == 0 || n > FORM_DECODE_MAX_FIELDS)
            continue;
        const char **values = calloc(n, sizeof *values);
        if (!values)
            return sr_error_set(err, SR_ERR_NOMEM, "out of memory");
        for (size_t v = 0; v < n; v++)
            values[v] = web_fields_get_at(posted, id, v);
        sr_status rc = sr_answers_set_typed(c->answers, (size_t)i, values, n, err);
        free(values);
        if (rc != SR_OK)
            return rc;
    }
    return SR_OK;
}

/* What a draft kept as typed, as posted fields (into, empty before); 0 when
 * there is none, 1 when there is, -1 when memory ran out. */
static int typed_fields(const reg_ctx *c, web_fields *into)
{
    int any = 0;
    for (size_t i = 0; i < sr_form_item_count(c->form); i++) {
        sr_item_info info;
        sr_form_item(c->form, i, c->lang, &info);
        for (size_t k = 0; k < sr_answers_typed_count(c->answers, i); k++) {
            const char *v = sr_answers_typed(c->answers, i, k);
            if (web_fields_add(into, info.id, v, strlen(v)) != 0)
                return -1;
            any = 1;
        }
    }
    return any;
}

static void answers_page(reg_ctx *c, const web_fields *fields, int saved, const sr_error *err);

/* When the draft holds what was typed and refused, the form with it shown
 * back beside its message (checked again, in the page's language), and 1;
 * else 0 and nothing written. */
static int typed_page(reg_ctx *c)
{
    web_fields typed = {0};
    int any = typed_fields(c, &typed);
    if (any <= 0) {
        web_fields_release(&typed);
        return 0;
    }
    sr_error err;
    sr_error_clear(&err);
    if (form_decode_fields(c->form, &typed, c->lang, c->answers, c->problems) < 0 ||
        keep_typed(c, &typed, &err) != SR_OK) {
        web_fields_release(&typed);
        return 0;
    }
    answers_page(c, &typed, 0, NULL);
    if (strcmp(c->rq->method, "GET") == 0)
        c->rs->status = 200; /* a resumed draft is no refused request */
    web_fields_release(&typed);
    return 1;
}

/* ---- loading --------------------------------------------------------------------------------- */

static int on_allowed(void *ctx, const sr_form_allowed *f)
{
    reg_ctx *c = ctx;
    if (strcmp(f->form_id, c->form_id) != 0)
        return 0;
    c->found = 1;
    c->allowed = f->allowed;
    c->newest = f->version;
    c->phase = f->phase;
    c->refusal = f->status;
    snprintf(c->reason, sizeof c->reason, "%s", f->reason ? f->reason : "");
    snprintf(c->earliest, sizeof c->earliest, "%s", f->earliest_date ? f->earliest_date : "");
    snprintf(c->latest, sizeof c->latest, "%s", f->latest_date ? f->latest_date : "");
    return 1;
}

static void ctx_release(reg_ctx *c)
{
    sr_answers_free(c->answers);
    sr_form_free(c->form);
    sr_problems_free(c->problems);
    free(c->draft_answers);
    free(c->shown);
    for (size_t i = 0; c->earlier && i < c->earlier_count; i++)
        free(c->earlier[i]);
    free(c->earlier);
}

static int on_earlier(void *ctx, const sr_earlier_answer *a)
{
    reg_ctx *c = ctx;
    char text[SR_ERROR_MESSAGE_MAX];
    if (a->item >= c->earlier_count)
        return 0;
    snprintf(text, sizeof text, tr(c, FT_EARLIER), a->date ? a->date : "",
             a->label  ? a->label
             : a->json ? a->json
                       : "");
    free(c->earlier[a->item]);
    c->earlier[a->item] = strdup(text);
    return 0;
}

/* Reads the case, what it allows, the draft and the form. 0, or -1 with a
 * page written. */
static int ctx_load(reg_ctx *c, const web_request *rq, web_response *rs)
{
    sr_error err;
    sr_error_clear(&err);
    memset(c, 0, sizeof *c);
    c->rq = rq;
    c->rs = rs;
    c->lang = rq->lang;
    c->problems = sr_problems_new();
    if (!c->problems) {
        sr_error_set(&err, SR_ERR_NOMEM, "out of memory");
        fail_page(rq, rs, &err);
        return -1;
    }
    if (rq->nseg != 4 || sr_case_code_normalise(rq->seg[1], c->code, &err) != SR_OK ||
        strlen(rq->seg[3]) > SR_FORM_ID_MAX) {
        page_message(rq, rs, 404, page_text(rq, WT_NOT_FOUND_TITLE), page_text(rq, WT_NOT_FOUND),
                     NULL);
        return -1;
    }
    snprintf(c->form_id, sizeof c->form_id, "%s", rq->seg[3]);
    snprintf(c->url, sizeof c->url, "/case/%s/register/%s", c->code, c->form_id);
    if (sr_case_allowed_forms(rq->reg, c->code, on_allowed, c, &err) != SR_OK ||
        draft_read(c, &err) != SR_OK) {
        fail_page(rq, rs, &err);
        return -1;
    }
    if (!c->found) {
        page_message(rq, rs, 404, page_text(rq, WT_NOT_FOUND_TITLE), page_text(rq, WT_NOT_FOUND),
                     NULL);
        return -1;
    }
    if (!c->has_draft)
        c->version = c->newest;
    if (sr_form_load(rq->reg, c->form_id, c->version, &c->form, NULL, &err) != SR_OK) {
        fail_page(rq, rs, &err);
        return -1;
    }
    size_t dropped = 0;
    if (c->draft_answers)
        (void)sr_answers_from_draft(c->form, c->draft_answers, strlen(c->draft_answers),
                                    &c->answers, &dropped, NULL);
    if (!c->answers)
        c->answers = sr_answers_new(c->form);
    if (!c->answers) {
        sr_error_set(&err, SR_ERR_NOMEM, "out of memory");
        fail_page(rq, rs, &err);
        return -1;
    }
    /* What the case gives (the birth year from a personnummer) is filled
     * in and not asked. */
    size_t filled = 0, n = sr_form_item_count(c->form);
    if (sr_case_derived_answers(rq->reg, c->code, c->form, c->answers, &filled, &err) != SR_OK) {
        fail_page(rq, rs, &err);
        return -1;
    }
    /* Earlier answers shown beside items (the need at intake beside the
     * need at closure). */
    c->earlier = calloc(n ? n : 1, sizeof *c->earlier);
    c->earlier_count = c->earlier ? n : 0;
    if (!c->earlier ||
        sr_case_earlier_answers(rq->reg, c->code, c->form, c->lang, on_earlier, c, &err) != SR_OK) {
        if (!c->earlier)
            sr_error_set(&err, SR_ERR_NOMEM, "out of memory");
        fail_page(rq, rs, &err);
        return -1;
    }
    if (filled > 0) {
        c->shown = malloc(n ? n : 1);
        if (!c->shown) {
            sr_error_set(&err, SR_ERR_NOMEM, "out of memory");
            fail_page(rq, rs, &err);
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            sr_item_info info;
            sr_form_item(c->form, i, c->lang, &info);
            c->shown[i] = !(info.derived_birth_year && sr_answers_has(c->answers, i));
        }
    }
    return 0;
}

static size_t answer_count(const reg_ctx *c)
{
    size_t n = 0;
    for (size_t i = 0; i < sr_form_item_count(c->form); i++)
        n += sr_answers_has(c->answers, i) != 0;
    return n;
}

/* ---- pieces of the pages --------------------------------------------------------------------- */

static void form_open(reg_ctx *c, html *h, const char *css_class)
{
    html_raw(h, "<form method=\"post\" novalidate action=\"");
    html_attr(h, c->url);
    html_raw(h, "\" class=\"");
    html_attr(h, css_class);
    html_raw(h, "\">\n");
    page_csrf_field(c->rq, h);
    html_raw(h, "\n");
}

static void action_button(html *h, const char *action, const char *label, const char *css_class)
{
    html_raw(h, "<button type=\"submit\" name=\"" FORM_FIELD_ACTION "\" value=\"");
    html_attr(h, action);
    html_raw(h, "\" class=\"");
    html_attr(h, css_class);
    html_raw(h, "\">");
    html_text(h, label);
    html_raw(h, "</button>\n");
}

static void discard_form(reg_ctx *c, html *h)
{
    form_open(c, h, "discard");
    action_button(h, "discard", tr(c, FT_CANCEL), "danger");
    html_raw(h, "</form>\n");
}

static void back_to_case(reg_ctx *c, html *h)
{
    html_raw(h, "<p><a href=\"/case/");
    html_url_component(h, c->code);
    html_raw(h, "\">");
    html_text(h, tr(c, FT_BACK_TO_CASE));
    html_raw(h, "</a></p>\n");
}

static const char *form_title(reg_ctx *c)
{
    return sr_form_title(c->form, c->lang);
}

/* ---- step 1: the date ------------------------------------------------------------------------ */

static void date_page(reg_ctx *c, const char *typed, const char *problem)
{
    html *h = c->rs->page;
    char today[SR_DATE_MAX + 1];
    sr_date_today(today);
    const char *value = typed ? typed : c->date[0] ? c->date : today;
    const char *label = tr(c, c->phase == SR_PHASE_INTAKE ? FT_DATE_INTAKE_LABEL : FT_DATE_LABEL);
    if (problem)
        c->rs->status = 422;
    page_begin(c->rq, c->rs, form_title(c));
    if (problem) {
        html_raw(h, "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" "
                    "aria-labelledby=\"error-summary-title\" id=\"error-summary\">\n"
                    "<h2 id=\"error-summary-title\">");
        html_text(h, tr(c, FT_ERROR_SUMMARY_ONE));
        html_raw(h, "</h2>\n<ul><li><a href=\"#f-_date\">");
        html_text(h, label);
        html_raw(h, ": ");
        html_text(h, problem);
        html_raw(h, "</a></li></ul>\n</div>\n");
    }
    html_raw(h, "<h2>");
    html_text(h, tr(c, FT_DATE_STEP_TITLE));
    html_raw(h, "</h2>\n");
    form_open(c, h, "register-date");
    html_raw(h, "<input type=\"hidden\" name=\"" FORM_FIELD_ACTION "\" value=\"date\">\n"
                "<div class=\"item");
    if (problem)
        html_raw(h, " has-error");
    html_raw(h, "\">\n<label for=\"f-_date\">");
    html_text(h, label);
    html_raw(h, "</label>\n<p class=\"hint\" id=\"b-_date\">");
    if (c->earliest[0])
        text_f(h, c->lang, FT_DATE_STEP_HELP, c->earliest, c->latest[0] ? c->latest : today);
    else
        text_f(h, c->lang, FT_DATE_STEP_HELP_ANY, c->latest[0] ? c->latest : today);
    html_raw(h, "</p>\n");
    if (problem) {
        html_raw(h, "<p class=\"error\" id=\"e-_date\">");
        html_text(h, problem);
        html_raw(h, "</p>\n");
    }
    html_raw(h, "<input type=\"date\" class=\"date\" id=\"f-_date\" name=\"" FORM_FIELD_DATE
                "\" value=\"");
    html_attr(h, value);
    html_raw(h, "\"");
    if (c->earliest[0]) {
        html_raw(h, " min=\"");
        html_attr(h, c->earliest);
        html_raw(h, "\"");
    }
    html_raw(h, " max=\"");
    html_attr(h, c->latest[0] ? c->latest : today);
    html_raw(h, "\"");
    if (problem)
        html_raw(h, " aria-invalid=\"true\" aria-describedby=\"b-_date e-_date\"");
    else
        html_raw(h, " aria-describedby=\"b-_date\"");
    html_raw(h, ">\n</div>\n<div class=\"buttons\">\n<button type=\"submit\">");
    html_text(h, tr(c, FT_NEXT));
    html_raw(h, "</button>\n</div>\n</form>\n");
    if (c->has_draft)
        discard_form(c, h);
    back_to_case(c, h);
    page_end(c->rq, c->rs);
}

/* Checks a typed registration date against the case; NULL when it is
 * good (then c->date holds it), else the message (in buf). */
static const char *check_date(reg_ctx *c, const char *typed, char *buf, size_t size)
{
    char date[11], today[SR_DATE_MAX + 1];
    sr_date_today(today);
    const char *latest = c->latest[0] ? c->latest : today;
    if (!typed || form_decode_date(typed, date) != 0) {
        char shown[48];
        snprintf(shown, sizeof shown, "%.40s", typed ? typed : "");
        snprintf(buf, size, tr(c, FT_E_DATE), shown);
        return buf;
    }
    if (c->earliest[0] && strcmp(date, c->earliest) < 0) {
        snprintf(buf, size, tr(c, FT_E_DATE_BEFORE), date, c->earliest);
        return buf;
    }
    if (strcmp(date, latest) > 0) {
        snprintf(buf, size, tr(c, FT_E_DATE_AFTER), date, latest);
        return buf;
    }
    /* The library has the last word (the case's own dates). */
    sr_error err;
    sr_error_clear(&err);
    if (sr_register_check_date(c->rq->reg, c->code, c->form_id, date, &err) != SR_OK) {
        snprintf(buf, size, "%s", err.message);
        return buf;
    }
    snprintf(c->date, sizeof c->date, "%s", date);
    return NULL;
}

/* ---- step 2: the form ------------------------------------------------------------------------ */

static void answers_page(reg_ctx *c, const web_fields *fields, int saved, const sr_error *err)
{
    html *h = c->rs->page;
    if (sr_problems_count(c->problems) || err)
        c->rs->status = 422;
    page_begin(c->rq, c->rs, form_title(c));
    const char *description = sr_form_description(c->form, c->lang);
    if (description) {
        html_raw(h, "<p class=\"description\">");
        html_text(h, description);
        html_raw(h, "</p>\n");
    }
    if (saved) {
        html_raw(h, "<p class=\"status\" role=\"status\">");
        html_text(h, tr(c, FT_DRAFT_SAVED));
        html_raw(h, "</p>\n");
    }
    if (err)
        page_error_box(c->rq, h, err);
    form_view v = {.form = c->form,
                   .answers = c->answers,
                   .fields = fields,
                   .problems = c->problems,
                   .lang = c->lang,
                   .only = c->shown,
                   .earlier = (const char *const *)c->earlier};
    form_page_errors(h, &v);
    html_raw(h, "<p class=\"registration-date\">");
    html_text(h, tr(c, FT_REGISTRATION_DATE));
    html_raw(h, ": <strong>");
    html_text(h, c->date);
    html_raw(h, "</strong> <a href=\"");
    html_attr(h, c->url);
    html_raw(h, "?step=date\">");
    html_text(h, tr(c, FT_CHANGE));
    html_raw(h, "<span class=\"visually-hidden\"> ");
    html_text(h, tr(c, FT_REGISTRATION_DATE));
    html_raw(h, "</span></a></p>\n");
    form_page_index(h, &v);
    form_open(c, h, "register-form");
    form_page_items(h, &v);
    html_raw(h, "<div class=\"buttons\">\n");
    action_button(h, "review", tr(c, FT_REVIEW), "primary");
    action_button(h, "update", tr(c, FT_UPDATE), "secondary js-optional");
    html_raw(h, "</div>\n</form>\n");
    discard_form(c, h);
    back_to_case(c, h);
    page_end(c->rq, c->rs);
}

/* ---- step 3: the review ---------------------------------------------------------------------- */

static void change_link(reg_ctx *c, html *h, const char *step, const char *item, const char *label)
{
    html_raw(h, "<a href=\"");
    html_attr(h, c->url);
    html_raw(h, "?step=");
    html_attr(h, step);
    if (item) {
        html_raw(h, "#f-");
        html_attr(h, item);
    }
    html_raw(h, "\">");
    html_text(h, tr(c, FT_CHANGE));
    html_raw(h, "<span class=\"visually-hidden\"> ");
    html_text(h, label);
    html_raw(h, "</span></a>");
}

static void review_row_open(html *h, const char *label)
{
    html_raw(h, "<div class=\"row\"><dt>");
    html_text(h, label);
    html_raw(h, "</dt><dd>");
}

static void review_page(reg_ctx *c, const sr_problems *warnings, const sr_error *err)
{
    html *h = c->rs->page;
    if (err)
        c->rs->status = 422;
    page_begin(c->rq, c->rs, tr(c, FT_REVIEW_TITLE));
    html_raw(h, "<p class=\"form-title\">");
    html_text(h, form_title(c));
    html_raw(h, "</p>\n<p>");
    html_text(h, tr(c, FT_REVIEW_INTRO));
    html_raw(h, "</p>\n");
    if (err)
        page_error_box(c->rq, h, err);
    if (warnings && sr_problems_count(warnings)) {
        html_raw(h, "<div class=\"warnings\" role=\"status\">\n<h2>");
        html_text(h, tr(c, FT_WARNINGS));
        html_raw(h, "</h2>\n<ul>\n");
        for (size_t k = 0; k < sr_problems_count(warnings); k++) {
            long i = sr_form_item_index(c->form, sr_problems_path(warnings, k));
            html_raw(h, "<li>");
            if (i >= 0) {
                sr_item_info info;
                sr_form_item(c->form, (size_t)i, c->lang, &info);
                html_raw(h, "<a href=\"");
                html_attr(h, c->url);
                html_raw(h, "?step=form#f-");
                html_attr(h, info.id);
                html_raw(h, "\">");
                html_text(h, info.label ? info.label : info.id);
                html_raw(h, "</a>: ");
            }
            html_text(h, form_page_message(sr_problems_message(warnings, k),
                                           sr_problems_path(warnings, k)));
            html_raw(h, "</li>\n");
        }
        html_raw(h, "</ul>\n</div>\n");
    }
    html_raw(h, "<dl class=\"review\">\n");
    review_row_open(h, tr(c, FT_REGISTRATION_DATE));
    html_text(h, c->date);
    html_raw(h, "</dd><dd class=\"change\">");
    change_link(c, h, "date", NULL, tr(c, FT_REGISTRATION_DATE));
    html_raw(h, "</dd></div>\n");
    for (size_t i = 0; i < sr_form_item_count(c->form); i++) {
        sr_item_info info;
        sr_form_item(c->form, i, c->lang, &info);
        if (!sr_answers_enabled(c->answers, i))
            continue;
        if (info.type == SR_ITEM_SECTION) {
            if (!info.label)
                continue;
            html_raw(h, "</dl>\n<h2>");
            html_text(h, info.label);
            html_raw(h, "</h2>\n<dl class=\"review\">\n");
            continue;
        }
        const char *label = info.label ? info.label : info.id;
        review_row_open(h, label);
        if (answer_view_write(h, c->form, c->answers, i, c->lang) != 0) {
            html_raw(h, "<span class=\"not-answered\">");
            html_text(h, tr(c, FT_NOT_ANSWERED));
            html_raw(h, "</span>");
        }
        html_raw(h, "</dd><dd class=\"change\">");
        if (!c->shown || c->shown[i])
            change_link(c, h, "form", info.id, label);
        html_raw(h, "</dd></div>\n");
    }
    html_raw(h, "</dl>\n");
    form_open(c, h, "register-save");
    html_raw(h, "<div class=\"buttons\">\n");
    action_button(h, "save", tr(c, FT_SAVE), "primary");
    html_raw(h, "</div>\n</form>\n<p><a href=\"");
    html_attr(h, c->url);
    html_raw(h, "?step=form\">");
    html_text(h, tr(c, FT_BACK_TO_FORM));
    html_raw(h, "</a></p>\n");
    discard_form(c, h);
    page_end(c->rq, c->rs);
}

/* The library's check of the answers for the case, as sr_register will
 * make it (the answers, derived ones, consents): its warnings (a free text
 * that looks like a name) into *warnings (new, may be empty), its errors
 * into c->problems (the error itself under its item when no problem names
 * it). SR_OK or the refusal. */
static sr_status case_check(reg_ctx *c, sr_problems **warnings, sr_error *err)
{
    sr_problems *all = sr_problems_new();
    char *json = sr_answers_to_json(c->answers);
    *warnings = sr_problems_new();
    if (!all || !json || !*warnings) {
        sr_problems_free(all);
        free(json);
        return sr_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    sr_status rc =
        sr_case_check_answers(c->rq->reg, c->code, c->form, c->date, json, strlen(json), all, err);
    size_t errors = 0;
    for (size_t k = 0; k < sr_problems_count(all); k++) {
        int warning = sr_problems_is_warning(all, k);
        errors += !warning;
        (void)sr_problems_add(warning ? *warnings : c->problems, sr_problems_path(all, k),
                              sr_problems_message(all, k));
    }
    if (rc != SR_OK && errors == 0 && err->where[0] && sr_form_item_index(c->form, err->where) >= 0)
        (void)sr_problems_add(c->problems, err->where, err->message);
    sr_problems_free(all);
    free(json);
    return rc;
}

/* ---- other pages ------------------------------------------------------------------------------
 */

static void draft_offer_page(reg_ctx *c)
{
    html *h = c->rs->page;
    page_begin(c->rq, c->rs, form_title(c));
    html_raw(h, "<p>");
    /* "YYYY-MM-DDTHH:MM:SSZ" as "YYYY-MM-DD HH:MM UTC". */
    char when[32];
    if (strlen(c->saved_at) >= 16 && c->saved_at[10] == 'T')
        snprintf(when, sizeof when, "%.10s %.5s UTC", c->saved_at, c->saved_at + 11);
    else
        snprintf(when, sizeof when, "%s", c->saved_at[0] ? c->saved_at : c->date);
    text_f(h, c->lang, FT_DRAFT_OFFER, when, answer_count(c));
    html_raw(h, "</p>\n");
    /* A GET form: going on changes nothing, so it is no POST. */
    html_raw(h, "<form method=\"get\" class=\"draft-resume\" action=\"");
    html_attr(h, c->url);
    html_raw(h, "\">\n<input type=\"hidden\" name=\"step\" value=\"");
    if (c->date[0])
        html_raw(h, "form");
    else
        html_raw(h, "date");
    html_raw(h, "\">\n<button type=\"submit\" class=\"primary\">");
    html_text(h, tr(c, FT_DRAFT_RESUME));
    html_raw(h, "</button>\n</form>\n");
    form_open(c, h, "draft-restart");
    action_button(h, "restart", tr(c, FT_DRAFT_RESTART), "secondary");
    html_raw(h, "</form>\n");
    back_to_case(c, h);
    page_end(c->rq, c->rs);
}

static void confirm_discard_page(reg_ctx *c)
{
    html *h = c->rs->page;
    page_begin(c->rq, c->rs, tr(c, FT_CANCEL));
    html_raw(h, "<p>");
    html_text(h, tr(c, FT_CANCEL_CONFIRM));
    html_raw(h, "</p>\n");
    form_open(c, h, "discard-confirm");
    action_button(h, "discard_confirm", tr(c, FT_CANCEL_YES), "danger");
    html_raw(h, "</form>\n<p><a href=\"");
    html_attr(h, c->url);
    if (c->date[0])
        html_raw(h, "?step=form\">");
    else
        html_raw(h, "?step=date\">");
    html_text(h, tr(c, FT_CANCEL_NO));
    html_raw(h, "</a></p>\n");
    page_end(c->rq, c->rs);
}

static void not_allowed_page(reg_ctx *c)
{
    sr_error err;
    sr_error_clear(&err);
    sr_error_set(&err, c->refusal != SR_OK ? c->refusal : SR_ERR_STATE, "%s", c->reason);
    c->rs->status = 409;
    page_begin(c->rq, c->rs, form_title(c));
    page_error_box(c->rq, c->rs->page, &err);
    if (c->has_draft)
        discard_form(c, c->rs->page);
    back_to_case(c, c->rs->page);
    page_end(c->rq, c->rs);
}

/* ---- the flow -------------------------------------------------------------------------------- */

static void on_get(reg_ctx *c)
{
    const char *step = c->rq->query ? web_fields_get(c->rq->query, "step") : NULL;
    if (!c->allowed) {
        not_allowed_page(c);
        return;
    }
    if (!step) {
        if (c->has_draft)
            draft_offer_page(c);
        else
            date_page(c, NULL, NULL);
        return;
    }
    if (strcmp(step, "date") == 0 || !c->has_draft || !c->date[0]) {
        date_page(c, NULL, NULL);
        return;
    }
    if (typed_page(c))
        return;
    if (strcmp(step, "review") == 0) {
        if (form_decode_missing(c->form, c->answers, c->lang, c->problems) > 0) {
            answers_page(c, NULL, 0, NULL);
            return;
        }
        sr_problems *warnings = NULL;
        sr_error err;
        sr_error_clear(&err);
        if (case_check(c, &warnings, &err) != SR_OK)
            answers_page(c, NULL, 0, &err);
        else
            review_page(c, warnings, NULL);
        sr_problems_free(warnings);
        return;
    }
    answers_page(c, NULL, 0, NULL);
}

static void on_save(reg_ctx *c)
{
    sr_error err;
    sr_error_clear(&err);
    if (typed_page(c))
        return;
    if (form_decode_missing(c->form, c->answers, c->lang, c->problems) > 0) {
        answers_page(c, NULL, 0, NULL);
        return;
    }
    char *json = sr_answers_to_json(c->answers);
    int64_t id = 0;
    sr_status rc = json ? sr_register(c->rq->reg, c->code, c->form_id, c->version, c->date, json,
                                      strlen(json), c->problems, &id, &err)
                        : sr_error_set(&err, SR_ERR_NOMEM, "out of memory");
    free(json);
    if (rc == SR_OK) {
        sr_error_clear(&err);
        (void)draft_drop(c, &err); /* sr_register discards it too */
        redirect_case(c);
        return;
    }
    if (strcmp(err.where, "date") == 0) {
        date_page(c, c->date, err.message);
        return;
    }
    /* Answers refused item by item: shown beside their fields (warnings,
     * which refuse nothing, are not). */
    if (sr_problems_error_count(c->problems) > 0) {
        sr_problems *errors = sr_problems_new();
        for (size_t k = 0; errors && k < sr_problems_count(c->problems); k++)
            if (!sr_problems_is_warning(c->problems, k))
                (void)sr_problems_add(errors, sr_problems_path(c->problems, k),
                                      sr_problems_message(c->problems, k));
        if (errors) {
            sr_problems_free(c->problems);
            c->problems = errors;
        }
        answers_page(c, NULL, 0, &err);
        return;
    }
    sr_problems *warnings = NULL;
    sr_error ignored;
    sr_error_clear(&ignored);
    (void)case_check(c, &warnings, &ignored);
    review_page(c, warnings, &err);
    sr_problems_free(warnings);
}

static void on_post(reg_ctx *c)
{
    sr_error err;
    sr_error_clear(&err);
    const web_fields *posted = c->rq->form;
    const char *action = posted ? web_fields_get(posted, FORM_FIELD_ACTION) : NULL;
    if (!action)
        action = "update";
    if (strcmp(action, "discard") == 0) {
        confirm_discard_page(c);
        return;
    }
    if (strcmp(action, "discard_confirm") == 0 || strcmp(action, "restart") == 0) {
        if (draft_drop(c, &err) != SR_OK) {
            fail_page(c->rq, c->rs, &err);
            return;
        }
        if (strcmp(action, "restart") == 0)
            redirect_step(c, "date", NULL);
        else
            redirect_case(c);
        return;
    }
    if (!c->allowed) {
        not_allowed_page(c);
        return;
    }
    if (strcmp(action, "date") == 0) {
        char buf[SR_ERROR_MESSAGE_MAX];
        const char *typed = web_fields_get(posted, FORM_FIELD_DATE);
        const char *problem = check_date(c, typed, buf, sizeof buf);
        if (problem) {
            date_page(c, typed, problem);
            return;
        }
        if (draft_write(c, &err) != SR_OK) {
            fail_page(c->rq, c->rs, &err);
            return;
        }
        redirect_step(c, "form", NULL);
        return;
    }
    if (!c->has_draft || !c->date[0]) {
        redirect_step(c, "date", NULL);
        return;
    }
    if (strcmp(action, "save") == 0) {
        on_save(c);
        return;
    }
    /* "update" and "review": the answers posted, kept as the draft. */
    int problems = form_decode_fields(c->form, posted, c->lang, c->answers, c->problems);
    if (problems >= 0 && (keep_typed(c, posted, &err) != SR_OK || draft_write(c, &err) != SR_OK)) {
        fail_page(c->rq, c->rs, &err);
        return;
    }
    if (problems == 0 && strcmp(action, "review") == 0 &&
        form_decode_missing(c->form, c->answers, c->lang, c->problems) == 0) {
        /* The rules that need the case (a consent the intake requires)
         * refuse here, beside the item, not only when saving. */
        sr_problems *warnings = NULL;
        sr_status rc = case_check(c, &warnings, &err);
        sr_problems_free(warnings);
        if (rc == SR_OK) {
            redirect_step(c, "review", NULL);
            return;
        }
        answers_page(c, posted, 1, &err);
        return;
    }
    answers_page(c, posted, problems >= 0, NULL);
}

void page_register(const web_request *rq, web_response *rs)
{
    reg_ctx c;
    if (ctx_load(&c, rq, rs) == 0) {
        if (strcmp(rq->method, "POST") == 0)
            on_post(&c);
        else
            on_get(&c);
    }
    ctx_release(&c);
}

/* ---- correcting one answer ------------------------------------------------------------------- */

typedef struct edit_ctx {
    int64_t id;
    int found, active;
    char form_id[SR_FORM_ID_MAX + 1];
    int version;
    char *answers;
} edit_ctx;

static int on_response(void *ctx, const sr_response_info *r)
{
    edit_ctx *e = ctx;
    if (r->id != e->id)
        return 0;
    e->found = 1;
    e->active = r->active;
    snprintf(e->form_id, sizeof e->form_id, "%s", r->form_id);
    e->version = r->form_version;
    e->answers = strdup(r->answers ? r->answers : "{}");
    return 1;
}

static int parse_id(const char *s, int64_t *out)
{
    int64_t v = 0;
    if (!s || !*s || strlen(s) > 18)
        return -1;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return v > 0 ? 0 : -1;
}

void page_response_edit(const web_request *rq, web_response *rs)
{
    sr_error err;
    sr_error_clear(&err);
    edit_ctx e = {0};
    char code[SR_CASE_CODE_SIZE] = "";
    sr_form *form = NULL;
    sr_answers *answers = NULL;
    sr_problems *problems = sr_problems_new();
    unsigned char *only = NULL;
    const char *lang = rq->lang;
    const int post = strcmp(rq->method, "POST") == 0;
    const char *item = post ? web_fields_get(rq->form, FORM_FIELD_FOCUS) : NULL;
    if (!item && rq->query)
        item = web_fields_get(rq->query, "item");
    if (!problems) {
        sr_error_set(&err, SR_ERR_NOMEM, "out of memory");
        fail_page(rq, rs, &err);
        goto out;
    }
    if (rq->nseg != 3 || parse_id(rq->seg[1], &e.id) != 0 || !item) {
        page_message(rq, rs, 404, page_text(rq, WT_NOT_FOUND_TITLE), page_text(rq, WT_NOT_FOUND),
                     NULL);
        goto out;
    }
    if (sr_response_case(rq->reg, e.id, code, &err) != SR_OK ||
        sr_case_show(rq->reg, code, NULL, on_response, &e, &err) != SR_OK) {
        fail_page(rq, rs, &err);
        goto out;
    }
    if (!e.found || !e.answers ||
        sr_form_load(rq->reg, e.form_id, e.version, &form, NULL, &err) != SR_OK) {
        if (err.status == SR_OK)
            sr_error_set(&err, SR_ERR_NOT_FOUND, "no response %lld", (long long)e.id);
        fail_page(rq, rs, &err);
        goto out;
    }
    long index = sr_form_item_index(form, item);
    sr_item_info info;
    if (index < 0) {
        page_message(rq, rs, 404, page_text(rq, WT_NOT_FOUND_TITLE), page_text(rq, WT_NOT_FOUND),
                     NULL);
        goto out;
    }
    sr_form_item(form, (size_t)index, lang, &info);
    if (info.type == SR_ITEM_SECTION) {
        page_message(rq, rs, 404, page_text(rq, WT_NOT_FOUND_TITLE), page_text(rq, WT_NOT_FOUND),
                     NULL);
        goto out;
    }
    (void)sr_answers_from_draft(form, e.answers, strlen(e.answers), &answers, NULL, NULL);
    size_t n = sr_form_item_count(form);
    only = calloc(n ? n : 1, 1);
    if (!answers || !only) {
        sr_error_set(&err, SR_ERR_NOMEM, "out of memory");
        fail_page(rq, rs, &err);
        goto out;
    }
    only[index] = 1;
    int failed = 0;
    if (post) {
        /* The items the page showed, which may be more than the one asked
         * for (an answer the change made necessary). */
        const char *shown = web_fields_get(rq->form, FORM_FIELD_SHOWN);
        for (size_t i = 0; shown && i < n; i++) {
            sr_item_info other;
            sr_form_item(form, i, lang, &other);
            size_t len = strlen(other.id);
            for (const char *p = strstr(shown, other.id); p; p = strstr(p + 1, other.id))
                if ((p == shown || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
                    only[i] = 1;
        }
        int bad = form_decode_fields(form, rq->form, lang, answers, problems);
        /* A change that enables a required item asks for it on the same page. */
        size_t before = sr_problems_count(problems);
        size_t missing = bad == 0 ? form_decode_missing(form, answers, lang, problems) : 0;
        for (size_t k = before; k < before + missing; k++) {
            long m = sr_form_item_index(form, sr_problems_path(problems, k));
            if (m >= 0)
                only[m] = 1;
        }
        if (bad == 0 && missing == 0) {
            char *json = sr_answers_to_json(answers);
            int revision = 0;
            sr_status rc = json ? sr_response_edit(rq->reg, e.id, NULL, json, strlen(json),
                                                   problems, &revision, &err)
                                : sr_error_set(&err, SR_ERR_NOMEM, "out of memory");
            free(json);
            if (rc == SR_OK) {
                char path[64];
                snprintf(path, sizeof path, "/case/%s", code);
                page_redirect(rs, path);
                goto out;
            }
            failed = 1;
        }
        rs->status = 422;
    }
    char title[SR_ERROR_MESSAGE_MAX];
    snprintf(title, sizeof title, form_text(FT_EDIT_TITLE, lang), info.label ? info.label : item);
    page_begin(rq, rs, title);
    html *h = rs->page;
    html_raw(h, "<p>");
    text_f(h, lang, FT_EDIT_INTRO, (long long)e.id);
    html_raw(h, "</p>\n");
    if (failed)
        page_error_box(rq, h, &err);
    if (!sr_answers_enabled(answers, (size_t)index)) {
        html_raw(h, "<p class=\"notice\">");
        html_text(h, form_text(FT_NOT_APPLICABLE, lang));
        html_raw(h, "</p>\n");
    }
    form_view v = {.form = form,
                   .answers = answers,
                   .fields = post ? rq->form : NULL,
                   .problems = problems,
                   .lang = lang,
                   .only = only};
    form_page_errors(h, &v);
    html_raw(h, "<form method=\"post\" novalidate class=\"edit-answer\" action=\"/response/");
    html_long(h, (long long)e.id);
    html_raw(h, "/edit?item=");
    html_url_component(h, item);
    html_raw(h, "\">\n");
    page_csrf_field(rq, h);
    html_raw(h, "\n<input type=\"hidden\" name=\"" FORM_FIELD_FOCUS "\" value=\"");
    html_attr(h, info.id);
    html_raw(h, "\">\n");
    form_page_items(h, &v);
    html_raw(h, "<div class=\"buttons\">\n<button type=\"submit\" class=\"primary\">");
    html_text(h, form_text(FT_EDIT_SAVE, lang));
    html_raw(h, "</button>\n</div>\n</form>\n<p><a href=\"/case/");
    html_url_component(h, code);
    html_raw(h, "\">");
    html_text(h, form_text(FT_BACK_TO_CASE, lang));
    html_raw(h, "</a></p>\n");
    page_end(rq, rs);
out:
    free(only);
    free(e.answers);
    sr_answers_free(answers);
    sr_form_free(form);
    sr_problems_free(problems);
}
