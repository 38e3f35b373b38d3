/*
 * form_page.c - forms as HTML fields, answers as text (form_page.h).
 */
#include "form_page.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form_text.h"
#include "sigreg/cases.h"

const char *form_page_message(const char *message, const char *id)
{
    /* The library begins a problem with one word and the quoted id, in
     * its language ("item 'x': ", "fråga 'x': "). */
    size_t n = strlen(id), w = strcspn(message, " '");
    const char *p = message + w;
    if (w > 0 && w < 16 && strncmp(p, " '", 2) == 0 && strncmp(p + 2, id, n) == 0 &&
        strncmp(p + 2 + n, "': ", 3) == 0)
        return p + 2 + n + 3;
    return message;
}

const char *form_page_problem(const sr_problems *problems, const char *id)
{
    for (size_t k = 0; k < sr_problems_count(problems); k++)
        if (strcmp(sr_problems_path(problems, k), id) == 0)
            return form_page_message(sr_problems_message(problems, k), id);
    return NULL;
}

/* A number as the page's language writes it (a decimal comma in Swedish). */
static void format_number(double v, const char *lang, char *out, size_t size)
{
    snprintf(out, size, "%.10g", v);
    if (!lang || strcmp(lang, "en") != 0)
        for (char *p = out; *p; p++)
            if (*p == '.')
                *p = ',';
}

/* A text with printf arguments from the table, as element content. */
static void text_f(html *h, const char *lang, form_text_id id, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, id);
    vsnprintf(buf, sizeof buf, form_text(id, lang), ap);
    va_end(ap);
    html_text(h, buf);
}

/* ---- the error summary ------------------------------------------------------------------- */

void form_page_errors(html *h, const form_view *v)
{
    size_t n = sr_problems_count(v->problems);
    if (n == 0)
        return;
    html_raw(h, "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" "
                "aria-labelledby=\"error-summary-title\" id=\"error-summary\">\n"
                "<h2 id=\"error-summary-title\">");
    if (n == 1)
        html_text(h, form_text(FT_ERROR_SUMMARY_ONE, v->lang));
    else
        text_f(h, v->lang, FT_ERROR_SUMMARY, n);
    html_raw(h, "</h2>\n<ul>\n");
    for (size_t k = 0; k < n; k++) {
        const char *path = sr_problems_path(v->problems, k);
        const char *message = sr_problems_message(v->problems, k);
        long i = sr_form_item_index(v->form, path);
        html_raw(h, "<li>");
        if (i >= 0) {
            sr_item_info info;
            sr_form_item(v->form, (size_t)i, v->lang, &info);
            html_raw(h, "<a href=\"#f-");
            html_attr(h, info.id);
            html_raw(h, "\">");
            if (info.label) {
                html_text(h, info.label);
                html_raw(h, ": ");
            }
            html_text(h, form_page_message(message, info.id));
            html_raw(h, "</a>");
        } else if (strcmp(path, "date") == 0) {
            html_raw(h, "<a href=\"#f-_date\">");
            html_text(h, message);
            html_raw(h, "</a>");
        } else {
            html_text(h, message);
        }
        html_raw(h, "</li>\n");
    }
    html_raw(h, "</ul>\n</div>\n");
}

/* ---- one item ---------------------------------------------------------------------------- */

/* What an item's field shows: from the post when the item had a problem
 * (what was typed), else from the answers. */
typedef struct current {
    const char *text; /* the value of a single field, or NULL */
    char buf[64];
    int from_post;
} current;

static void current_value(const form_view *v, size_t i, const sr_item_info *info, int problem,
                          current *c)
{
    c->text = NULL;
    c->from_post = 0;
    if (problem && v->fields) {
        c->from_post = 1;
        c->text = web_fields_get(v->fields, info->id);
        return;
    }
    if (!v->answers || !sr_answers_has(v->answers, i))
        return;
    switch (info->type) {
    case SR_ITEM_BOOLEAN: {
        int b;
        if (sr_answers_get_boolean(v->answers, info->id, &b, NULL) == SR_OK)
            c->text = b ? "ja" : "nej";
        break;
    }
    case SR_ITEM_CHOICE:
        (void)sr_answers_get_choice(v->answers, info->id, &c->text, NULL);
        break;
    case SR_ITEM_INTEGER:
    case SR_ITEM_SCALE: {
        long long n;
        if (sr_answers_get_integer(v->answers, info->id, &n, NULL) == SR_OK) {
            snprintf(c->buf, sizeof c->buf, "%lld", n);
            c->text = c->buf;
        }
        break;
    }
    case SR_ITEM_DECIMAL: {
        double d;
        if (sr_answers_get_decimal(v->answers, info->id, &d, NULL) == SR_OK) {
            format_number(d, v->lang, c->buf, sizeof c->buf);
            c->text = c->buf;
        }
        break;
    }
    case SR_ITEM_DATE:
        (void)sr_answers_get_date(v->answers, info->id, &c->text, NULL);
        break;
    case SR_ITEM_TEXT:
        (void)sr_answers_get_text(v->answers, info->id, &c->text, NULL);
        break;
    default:
        break;
    }
}

/* Whether option code is chosen in a multichoice item. */
static int multi_checked(const form_view *v, const sr_item_info *info, const current *c,
                         const char *code)
{
    if (c->from_post) {
        const char *value;
        for (size_t k = 0; (value = web_fields_get_at(v->fields, info->id, k)); k++)
            if (strcmp(value, code) == 0)
                return 1;
        return 0;
    }
    return v->answers && sr_answers_selects(v->answers, info->id, code);
}

/* aria-describedby="h-ID b-ID e-ID" with those that are there. */
static void described_by(html *h, const sr_item_info *info, int hint, int problem)
{
    if (!info->help && !hint && !problem)
        return;
    const char *sep = "";
    html_raw(h, " aria-describedby=\"");
    if (info->help) {
        html_raw(h, "h-");
        html_attr(h, info->id);
        sep = " ";
    }
    if (hint) {
        html_attr(h, sep);
        html_raw(h, "b-");
        html_attr(h, info->id);
        sep = " ";
    }
    if (problem) {
        html_attr(h, sep);
        html_raw(h, "e-");
        html_attr(h, info->id);
    }
    html_raw(h, "\"");
}

/* The hint that says what an answer may be (bounds); empty when none. */
static void hint_text(const sr_item_info *info, const char *lang, char *out, size_t size)
{
    char a[40], b[40], d1[11], d2[11];
    out[0] = '\0';
    switch (info->type) {
    case SR_ITEM_INTEGER:
    case SR_ITEM_DECIMAL: {
        int integer = info->type == SR_ITEM_INTEGER;
        format_number(info->min, lang, a, sizeof a);
        format_number(info->max, lang, b, sizeof b);
        if (info->has_min && info->has_max)
            snprintf(out, size, form_text(integer ? FT_INTEGER_RANGE : FT_DECIMAL_RANGE, lang), a,
                     b);
        else if (info->has_min)
            snprintf(out, size, form_text(integer ? FT_INTEGER_MIN : FT_DECIMAL_MIN, lang), a);
        else if (info->has_max)
            snprintf(out, size, form_text(integer ? FT_INTEGER_MAX : FT_DECIMAL_MAX, lang), b);
        else
            snprintf(out, size, "%s", form_text(integer ? FT_INTEGER_HELP : FT_DECIMAL_HELP, lang));
        if (!integer && info->decimals >= 0) {
            size_t used = strlen(out);
            snprintf(out + used, size - used, " ");
            used = strlen(out);
            snprintf(out + used, size - used, form_text(FT_DECIMALS, lang), info->decimals);
        }
        break;
    }
    case SR_ITEM_SCALE:
        snprintf(out, size, form_text(FT_SCALE_HELP, lang), (long)info->min, (long)info->max);
        break;
    case SR_ITEM_DATE: {
        size_t used;
        snprintf(out, size, "%s", form_text(FT_DATE_HELP, lang));
        if (info->min_date && info->max_date) {
            if (strcmp(info->min_date, "today") == 0)
                sr_date_today(d1);
            else
                snprintf(d1, sizeof d1, "%s", info->min_date);
            if (strcmp(info->max_date, "today") == 0)
                sr_date_today(d2);
            else
                snprintf(d2, sizeof d2, "%s", info->max_date);
            used = strlen(out);
            snprintf(out + used, size - used, " ");
            used = strlen(out);
            snprintf(out + used, size - used, form_text(FT_DATE_RANGE, lang), d1, d2);
        }
        break;
    }
    case SR_ITEM_TEXT:
        snprintf(out, size, form_text(FT_TEXT_HELP, lang), info->max_length);
        break;
    case SR_ITEM_MULTICHOICE:
        if (info->min_selected > 1 && info->max_selected < info->option_count)
            snprintf(out, size, form_text(FT_SELECT_RANGE, lang), info->min_selected,
                     info->max_selected);
        else if (info->min_selected > 1)
            snprintf(out, size, form_text(FT_SELECT_MIN, lang), info->min_selected);
        else if (info->max_selected < info->option_count)
            snprintf(out, size, form_text(FT_SELECT_RANGE, lang), info->min_selected,
                     info->max_selected);
        break;
    default:
        break;
    }
}

static void label_text(html *h, const sr_item_info *info, const char *lang)
{
    html_text(h, info->label ? info->label : info->id);
    if (info->required) {
        html_raw(h, " <span class=\"required\">");
        html_text(h, form_text(FT_REQUIRED_MARK, lang));
        html_raw(h, "</span>");
    }
}

static void help_and_problem(html *h, const sr_item_info *info, const char *hint,
                             const char *problem)
{
    if (info->help) {
        html_raw(h, "<p class=\"help\" id=\"h-");
        html_attr(h, info->id);
        html_raw(h, "\">");
        html_text(h, info->help);
        html_raw(h, "</p>\n");
    }
    if (hint[0]) {
        html_raw(h, "<p class=\"hint\" id=\"b-");
        html_attr(h, info->id);
        html_raw(h, "\">");
        html_text(h, hint);
        html_raw(h, "</p>\n");
    }
    if (problem) {
        html_raw(h, "<p class=\"error\" id=\"e-");
        html_attr(h, info->id);
        html_raw(h, "\">");
        html_text(h, problem);
        html_raw(h, "</p>\n");
    }
}

/* The attributes every item's container has. */
static void container_attrs(html *h, const sr_form *form, size_t i, const sr_item_info *info,
                            int enabled)
{
    html_raw(h, " id=\"item-");
    html_attr(h, info->id);
    html_raw(h, "\" data-item=\"");
    html_attr(h, info->id);
    html_raw(h, "\" data-type=\"");
    html_attr(h, sr_item_type_name(info->type));
    html_raw(h, "\"");
    if (info->has_condition) {
        char *condition = sr_form_item_condition(form, i);
        html_raw(h, " data-enable-when=\"");
        html_attr(h, condition ? condition : "");
        html_raw(h, "\"");
        free(condition);
    }
    if (!enabled)
        html_raw(h, " hidden");
}

/* One radio or checkbox with its label. */
static void option_input(html *h, const char *type, const sr_item_info *info, size_t o,
                         const char *value, const char *label, int checked, int enabled,
                         int invalid)
{
    html_raw(h, "<div class=\"option\"><input type=\"");
    html_attr(h, type);
    html_raw(h, "\" name=\"");
    html_attr(h, info->id);
    html_raw(h, "\" id=\"f-");
    html_attr(h, info->id);
    if (o > 0)
        html_printf(h, "-%zu", o);
    html_raw(h, "\" value=\"");
    html_attr(h, value);
    html_raw(h, "\"");
    if (checked)
        html_raw(h, " checked");
    if (!enabled)
        html_raw(h, " disabled");
    if (invalid)
        html_raw(h, " aria-invalid=\"true\"");
    html_raw(h, "> <label for=\"f-");
    html_attr(h, info->id);
    if (o > 0)
        html_printf(h, "-%zu", o);
    html_raw(h, "\">");
    html_text(h, label);
    html_raw(h, "</label></div>\n");
}

static void group_open(html *h, const form_view *v, size_t i, const sr_item_info *info, int enabled,
                       const char *hint, const char *problem)
{
    html_raw(h, "<fieldset class=\"item");
    if (problem)
        html_raw(h, " has-error");
    html_raw(h, "\"");
    container_attrs(h, v->form, i, info, enabled);
    described_by(h, info, hint[0] != '\0', problem != NULL);
    html_raw(h, ">\n<legend>");
    label_text(h, info, v->lang);
    html_raw(h, "</legend>\n");
    help_and_problem(h, info, hint, problem);
}

static void single_open(html *h, const form_view *v, size_t i, const sr_item_info *info,
                        int enabled, const char *hint, const char *problem)
{
    html_raw(h, "<div class=\"item");
    if (problem)
        html_raw(h, " has-error");
    html_raw(h, "\"");
    container_attrs(h, v->form, i, info, enabled);
    html_raw(h, ">\n<label for=\"f-");
    html_attr(h, info->id);
    html_raw(h, "\">");
    label_text(h, info, v->lang);
    html_raw(h, "</label>\n");
    help_and_problem(h, info, hint, problem);
}

/* The common attributes of a single field: name, id, describedby, state. */
static void field_attrs(html *h, const sr_item_info *info, int enabled, const char *hint,
                        const char *problem)
{
    html_raw(h, " name=\"");
    html_attr(h, info->id);
    html_raw(h, "\" id=\"f-");
    html_attr(h, info->id);
    html_raw(h, "\"");
    described_by(h, info, hint[0] != '\0', problem != NULL);
    if (!enabled)
        html_raw(h, " disabled");
    if (problem)
        html_raw(h, " aria-invalid=\"true\"");
}

static void render_item(html *h, const form_view *v, size_t i)
{
    sr_item_info info;
    sr_form_item(v->form, i, v->lang, &info);
    int enabled = v->answers ? sr_answers_enabled(v->answers, i) : !info.has_condition;
    if (info.type == SR_ITEM_SECTION) {
        html_raw(h, "<div class=\"section\"");
        container_attrs(h, v->form, i, &info, enabled);
        html_raw(h, ">\n<h2>");
        html_text(h, info.label ? info.label : "");
        html_raw(h, "</h2>\n");
        if (info.help) {
            html_raw(h, "<p class=\"help\">");
            html_text(h, info.help);
            html_raw(h, "</p>\n");
        }
        html_raw(h, "</div>\n");
        return;
    }
    const char *problem = form_page_problem(v->problems, info.id);
    char hint[512];
    current c;
    hint_text(&info, v->lang, hint, sizeof hint);
    if (v->earlier && v->earlier[i]) {
        /* The earlier answer first, then the bounds. */
        char bounds[sizeof hint];
        snprintf(bounds, sizeof bounds, "%s", hint);
        snprintf(hint, sizeof hint, "%s%s%s", v->earlier[i], bounds[0] ? " " : "", bounds);
    }
    current_value(v, i, &info, problem != NULL, &c);
    const char *value = c.text ? c.text : "";

    switch (info.type) {
    case SR_ITEM_BOOLEAN:
        group_open(h, v, i, &info, enabled, hint, problem);
        html_raw(h, "<div class=\"options inline\">\n");
        option_input(h, "radio", &info, 0, "ja", form_text(FT_YES, v->lang),
                     strcmp(value, "ja") == 0, enabled, problem != NULL);
        option_input(h, "radio", &info, 1, "nej", form_text(FT_NO, v->lang),
                     strcmp(value, "nej") == 0, enabled, problem != NULL);
        html_raw(h, "</div>\n</fieldset>\n");
        break;
    case SR_ITEM_CHOICE:
        if (info.option_count > FORM_PAGE_MAX_RADIOS) {
            single_open(h, v, i, &info, enabled, hint, problem);
            html_raw(h, "<select");
            field_attrs(h, &info, enabled, hint, problem);
            html_raw(h, ">\n<option value=\"\">");
            html_text(h, form_text(FT_CHOOSE, v->lang));
            html_raw(h, "</option>\n");
            for (size_t o = 0; o < info.option_count; o++) {
                const char *code, *label;
                int missing;
                sr_form_option(v->form, i, o, v->lang, &code, &label, &missing);
                html_raw(h, "<option value=\"");
                html_attr(h, code);
                html_raw(h, "\"");
                if (strcmp(value, code) == 0)
                    html_raw(h, " selected");
                html_raw(h, ">");
                html_text(h, label);
                html_raw(h, "</option>\n");
            }
            html_raw(h, "</select>\n</div>\n");
            break;
        }
        group_open(h, v, i, &info, enabled, hint, problem);
        html_raw(h, "<div class=\"options\">\n");
        for (size_t o = 0; o < info.option_count; o++) {
            const char *code, *label;
            int missing;
            sr_form_option(v->form, i, o, v->lang, &code, &label, &missing);
            option_input(h, "radio", &info, o, code, label, strcmp(value, code) == 0, enabled,
                         problem != NULL);
        }
        html_raw(h, "</div>\n</fieldset>\n");
        break;
    case SR_ITEM_MULTICHOICE:
        group_open(h, v, i, &info, enabled, hint, problem);
        html_raw(h, "<div class=\"options\">\n");
        for (size_t o = 0; o < info.option_count; o++) {
            const char *code, *label;
            int missing;
            sr_form_option(v->form, i, o, v->lang, &code, &label, &missing);
            option_input(h, "checkbox", &info, o, code, label, multi_checked(v, &info, &c, code),
                         enabled, problem != NULL);
        }
        html_raw(h, "</div>\n</fieldset>\n");
        break;
    case SR_ITEM_SCALE: {
        long lo = (long)info.min, hi = (long)info.max;
        if (hi - lo + 1 <= FORM_PAGE_MAX_SCALE_RADIOS) {
            group_open(h, v, i, &info, enabled, hint, problem);
            html_raw(h, "<div class=\"options scale\">\n");
            for (long s = lo; s <= hi; s++) {
                char num[24], label[256];
                const char *anchor = sr_form_anchor(v->form, i, s, v->lang);
                snprintf(num, sizeof num, "%ld", s);
                if (anchor)
                    snprintf(label, sizeof label, "%ld – %s", s, anchor);
                else
                    snprintf(label, sizeof label, "%ld", s);
                option_input(h, "radio", &info, (size_t)(s - lo), num, label,
                             strcmp(value, num) == 0, enabled, problem != NULL);
            }
            html_raw(h, "</div>\n</fieldset>\n");
            break;
        }
        /* Many steps (a visual-analogue scale): a number, with the anchors in
         * the hint. */
        size_t used = strlen(hint);
        for (long s = lo; s <= hi && used + 64 < sizeof hint; s++) {
            const char *anchor = sr_form_anchor(v->form, i, s, v->lang);
            if (anchor) {
                snprintf(hint + used, sizeof hint - used, " %ld: %s.", s, anchor);
                used = strlen(hint);
            }
        }
        single_open(h, v, i, &info, enabled, hint, problem);
        html_raw(h, "<input type=\"text\" inputmode=\"numeric\" class=\"number\"");
        field_attrs(h, &info, enabled, hint, problem);
        html_raw(h, " value=\"");
        html_attr(h, value);
        html_raw(h, "\">\n</div>\n");
        break;
    }
    case SR_ITEM_INTEGER:
    case SR_ITEM_DECIMAL:
        single_open(h, v, i, &info, enabled, hint, problem);
        if (info.type == SR_ITEM_INTEGER)
            html_raw(h, "<input type=\"text\" inputmode=\"numeric\" class=\"number\"");
        else
            html_raw(h, "<input type=\"text\" inputmode=\"decimal\" class=\"number\"");
        field_attrs(h, &info, enabled, hint, problem);
        html_raw(h, " value=\"");
        html_attr(h, value);
        html_raw(h, "\">\n</div>\n");
        break;
    case SR_ITEM_DATE:
        single_open(h, v, i, &info, enabled, hint, problem);
        html_raw(h, "<input type=\"date\" class=\"date\" placeholder=\"");
        html_attr(h, form_text(FT_DATE_HELP, v->lang));
        html_raw(h, "\"");
        field_attrs(h, &info, enabled, hint, problem);
        html_raw(h, " value=\"");
        html_attr(h, value);
        html_raw(h, "\">\n</div>\n");
        break;
    case SR_ITEM_TEXT:
        single_open(h, v, i, &info, enabled, hint, problem);
        html_raw(h, "<textarea rows=\"4\"");
        field_attrs(h, &info, enabled, hint, problem);
        html_raw(h, ">");
        html_text(h, value);
        html_raw(h, "</textarea>\n</div>\n");
        break;
    default:
        break;
    }
}

/* Whether item i is a section the page shows, enabled and labelled. */
static int indexed_section(const form_view *v, size_t i, sr_item_info *info)
{
    if (v->only && !v->only[i])
        return 0;
    sr_form_item(v->form, i, v->lang, info);
    if (info->type != SR_ITEM_SECTION || !info->label || !info->label[0])
        return 0;
    return v->answers ? sr_answers_enabled(v->answers, i) : !info->has_condition;
}

void form_page_index(html *h, const form_view *v)
{
    size_t n = sr_form_item_count(v->form), sections = 0;
    sr_item_info info;
    for (size_t i = 0; i < n; i++)
        sections += indexed_section(v, i, &info) != 0;
    if (sections < FORM_PAGE_INDEX_MIN_SECTIONS)
        return;
    html_raw(h, "<nav class=\"section-index\" aria-labelledby=\"section-index-title\">\n"
                "<h2 id=\"section-index-title\">");
    html_text(h, form_text(FT_SECTION_INDEX, v->lang));
    html_raw(h, "</h2>\n<ol>\n");
    for (size_t i = 0; i < n; i++) {
        if (!indexed_section(v, i, &info))
            continue;
        html_raw(h, "<li><a href=\"#item-");
        html_attr(h, info.id);
        html_raw(h, "\">");
        html_text(h, info.label);
        html_raw(h, "</a></li>\n");
    }
    html_raw(h, "</ol>\n</nav>\n");
}

void form_page_items(html *h, const form_view *v)
{
    size_t n = sr_form_item_count(v->form);
    for (size_t i = 0; i < n; i++)
        if (!v->only || v->only[i])
            render_item(h, v, i);
    html_raw(h, "<input type=\"hidden\" name=\"" FORM_FIELD_SHOWN "\" value=\"");
    const char *sep = "";
    for (size_t i = 0; i < n; i++) {
        sr_item_info info;
        if (v->only && !v->only[i])
            continue;
        sr_form_item(v->form, i, v->lang, &info);
        if (info.type == SR_ITEM_SECTION)
            continue;
        html_attr(h, sep);
        html_attr(h, info.id);
        sep = " ";
    }
    html_raw(h, "\">\n");
}
