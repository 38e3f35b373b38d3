/*
 * answer_view.c - answers as labels (answer_view.h).
 */
#include "answer_view.h"

#include <stdio.h>
#include <string.h>

#include "sigreg/limits.h"
#include "web_texts.h"

/* The label of option code of item i, or the code when it has none. */
static const char *option_label(const sr_form *form, size_t i, size_t count, const char *code,
                                const char *lang)
{
    for (size_t o = 0; o < count; o++) {
        const char *c = NULL, *label = NULL;
        int missing = 0;
        sr_form_option(form, i, o, lang, &c, &label, &missing);
        if (c && strcmp(c, code) == 0)
            return label ? label : code;
    }
    return code;
}

int answer_view_write(html *h, const sr_form *form, const sr_answers *answers, size_t i,
                      const char *lang)
{
    sr_item_info info;
    sr_form_item(form, i, lang, &info);
    if (!sr_answers_has(answers, i))
        return -1;
    switch (info.type) {
    case SR_ITEM_BOOLEAN: {
        int v = 0;
        if (sr_answers_get_boolean(answers, info.id, &v, NULL) != SR_OK)
            return -1;
        html_text(h, web_text(v ? WT_YES : WT_NO, lang));
        return 0;
    }
    case SR_ITEM_CHOICE: {
        const char *code = NULL;
        if (sr_answers_get_choice(answers, info.id, &code, NULL) != SR_OK || !code)
            return -1;
        html_text(h, option_label(form, i, info.option_count, code, lang));
        return 0;
    }
    case SR_ITEM_MULTICHOICE: {
        const char *codes[SR_FORM_MAX_OPTIONS];
        size_t count = 0;
        if (sr_answers_get_multichoice(answers, info.id, codes, SR_FORM_MAX_OPTIONS, &count,
                                       NULL) != SR_OK)
            return -1;
        for (size_t k = 0; k < count && k < SR_FORM_MAX_OPTIONS; k++) {
            if (k > 0)
                html_raw(h, "; ");
            html_text(h, option_label(form, i, info.option_count, codes[k], lang));
        }
        return 0;
    }
    case SR_ITEM_INTEGER:
    case SR_ITEM_SCALE: {
        long long v = 0;
        if (sr_answers_get_integer(answers, info.id, &v, NULL) != SR_OK)
            return -1;
        html_long(h, v);
        const char *anchor =
            info.type == SR_ITEM_SCALE ? sr_form_anchor(form, i, (long)v, lang) : NULL;
        if (anchor) {
            html_raw(h, " (");
            html_text(h, anchor);
            html_raw(h, ")");
        }
        return 0;
    }
    case SR_ITEM_DECIMAL: {
        double v = 0;
        if (sr_answers_get_decimal(answers, info.id, &v, NULL) != SR_OK)
            return -1;
        char b[64];
        snprintf(b, sizeof b, "%.*f", info.decimals >= 0 && info.decimals <= 10 ? info.decimals : 2,
                 v);
        /* The language's decimal point (a comma in Swedish). */
        const char *point = web_text(WT_DECIMAL_POINT, lang);
        for (char *p = b; *p; p++)
            if (*p == '.')
                *p = point[0];
        html_text(h, b);
        return 0;
    }
    case SR_ITEM_DATE: {
        const char *d = NULL;
        if (sr_answers_get_date(answers, info.id, &d, NULL) != SR_OK)
            return -1;
        html_text(h, d);
        return 0;
    }
    case SR_ITEM_TEXT: {
        const char *t = NULL;
        if (sr_answers_get_text(answers, info.id, &t, NULL) != SR_OK)
            return -1;
        html_text(h, t);
        return 0;
    }
    default:
        return -1;
    }
}
