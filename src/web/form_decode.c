/*
 * form_decode.c - posted fields to answers (form_decode.h).
 */
#include "form_decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form_text.h"
#include "sigreg/cases.h"
#include "sigreg/limits.h"

/* ---- small helpers ----------------------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The trimmed span of s. */
static void trim(const char *s, const char **start, size_t *len)
{
    size_t n = strlen(s);
    while (n && is_space(*s)) {
        s++;
        n--;
    }
    while (n && is_space(s[n - 1]))
        n--;
    *start = s;
    *len = n;
}

/* Copies at most size-1 bytes of the span into out, not cutting a UTF-8
 * sequence, with "..." when it had to shorten it. */
static void quote_typed(const char *s, size_t len, char *out, size_t size)
{
    size_t keep = len;
    if (keep > size - 4) {
        keep = size - 4;
        while (keep && ((unsigned char)s[keep] & 0xC0) == 0x80)
            keep--;
    }
    memcpy(out, s, keep);
    if (keep < len)
        memcpy(out + keep, "...", 3), keep += 3;
    out[keep] = '\0';
}

static int add_problem(sr_problems *problems, const char *id, const char *lang, form_text_id text,
                       ...)
{
    char message[SR_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, text);
    vsnprintf(message, sizeof message, form_text(text, lang), ap);
    va_end(ap);
    return sr_problems_add(problems, id, message);
}

/* Whether s is well-formed UTF-8 (no overlongs, surrogates or values past
 * U+10FFFF); *chars counts its characters. */
static int utf8_valid(const char *s, size_t len, size_t *chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t extra;
        unsigned min;
        if (c < 0x80) {
            i++;
            n++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            extra = 1, min = 0x80;
        else if (c >= 0xE0 && c <= 0xEF)
            extra = 2, min = 0x800;
        else if (c >= 0xF0 && c <= 0xF4)
            extra = 3, min = 0x10000;
        else
            return 0;
        if (len - i <= extra)
            return 0;
        unsigned cp = c & (0x3F >> extra);
        for (size_t k = 1; k <= extra; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += extra + 1;
        n++;
    }
    *chars = n;
    return 1;
}

/* A growable string. */
typedef struct strbuf {
    char *data;
    size_t len, cap;
    int failed;
} strbuf;

static void sb_put(strbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *data = realloc(b->data, cap);
        if (!data) {
            b->failed = 1;
            return;
        }
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void sb_puts(strbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

/* s (valid UTF-8) as a JSON string. */
static void sb_json_string(strbuf *b, const char *s, size_t n)
{
    sb_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            sb_put(b, esc, 2);
        } else if (c == '\n') {
            sb_put(b, "\\n", 2);
        } else if (c == '\t') {
            sb_put(b, "\\t", 2);
        } else if (c < 0x20 || c == 0x7F) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            sb_puts(b, esc);
        } else {
            sb_put(b, (const char *)&s[i], 1);
        }
    }
    sb_put(b, "\"", 1);
}

static void format_number(double v, const char *lang, char *out, size_t size)
{
    snprintf(out, size, "%.10g", v);
    if (!lang || strcmp(lang, "en") != 0)
        for (char *p = out; *p; p++)
            if (*p == '.')
                *p = ',';
}

/* ---- dates --------------------------------------------------------------------------- */

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

int form_decode_date(const char *typed, char out[11])
{
    const char *s;
    size_t n;
    if (!typed)
        return -1;
    trim(typed, &s, &n);
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (size_t i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    memcpy(out, s, 10);
    out[10] = '\0';
    return 0;
}

/* A date bound of a form ("today" or a date) as a date. */
static void date_bound(const char *bound, char out[11])
{
    if (strcmp(bound, "today") == 0) {
        char today[SR_DATE_MAX + 1];
        sr_date_today(today);
        memcpy(out, today, 11);
    } else {
        snprintf(out, 11, "%s", bound);
    }
}

/* ---- numbers -------------------------------------------------------------------------- */

/* Parses [+-]digits[(.|,)digits] with spaces between digit groups
 * allowed; canonical JSON in json (size 40), the value, and the number of
 * significant decimals. 0 or -1. */
static int parse_number(const char *s, size_t n, int integral, char json[40], double *value,
                        int *decimals)
{
    size_t o = 0, digits = 0, frac = 0, frac_nonzero = 0;
    int neg = 0, seen_sep = 0;
    double whole = 0, part = 0, scale = 1;
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+' || (unsigned char)s[i] == 0xE2)) {
        if (s[i] == '-')
            neg = 1, i++;
        else if (s[i] == '+')
            i++;
        else if (n - i >= 3 && (unsigned char)s[i + 1] == 0x88 && (unsigned char)s[i + 2] == 0x92)
            neg = 1, i += 3; /* U+2212 MINUS SIGN */
        else
            return -1;
    }
    if (neg)
        json[o++] = '-';
    size_t first_digit = o;
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (++digits > 17)
                return -1;
            if (!seen_sep) {
                if (o == first_digit + 1 && json[first_digit] == '0')
                    o--; /* no leading zeros in JSON */
                json[o++] = c;
                whole = whole * 10 + (c - '0');
            } else {
                json[o++] = c;
                frac++;
                scale /= 10;
                part += (c - '0') * scale;
                if (c != '0')
                    frac_nonzero = frac;
            }
        } else if (c == ' ' && !seen_sep && i > 0 && i + 1 < n && s[i - 1] >= '0' &&
                   s[i - 1] <= '9' && s[i + 1] >= '0' && s[i + 1] <= '9') {
            continue; /* "1 000" */
        } else if ((c == '.' || c == ',') && !seen_sep && !integral) {
            if (o == first_digit)
                json[o++] = '0';
            seen_sep = 1;
            json[o++] = '.';
        } else {
            return -1;
        }
    }
    if (digits == 0)
        return -1;
    if (seen_sep && frac == 0)
        o--; /* "5." is 5 */
    json[o] = '\0';
    *value = (neg ? -1 : 1) * (whole + part);
    *decimals = (int)frac_nonzero;
    if (*value == 0 && neg)
        memmove(json, json + 1, o); /* -0 is 0 */
    return 0;
}

/* ---- one item ----------------------------------------------------------------------------- */

static int lower_equal(const char *s, size_t n, const char *word)
{
    size_t k = strlen(word);
    if (k != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return 0;
    }
    return 1;
}

static int option_index(const sr_form *form, size_t i, const sr_item_info *info, const char *s,
                        size_t n)
{
    for (size_t o = 0; o < info->option_count; o++) {
        const char *code, *label;
        int missing;
        sr_form_option(form, i, o, "sv", &code, &label, &missing);
        if (strlen(code) == n && memcmp(code, s, n) == 0)
            return (int)o;
    }
    return -1;
}

/* Decodes the values of one item into JSON in b: 1 when there is an
 * answer, 0 when there is none, -1 with a problem added. */
static int decode_item(const sr_form *form, size_t i, const sr_item_info *info, const char **values,
                       size_t nvalues, const char *lang, strbuf *b, sr_problems *problems)
{
    const char *id = info->id;
    char typed[48], n1[40], n2[40];
    const char *s = NULL;
    size_t n = 0;
    if (info->type == SR_ITEM_MULTICHOICE) {
        size_t chosen = 0;
        int bad = 0;
        unsigned char *seen = calloc(info->option_count ? info->option_count : 1, 1);
        if (!seen)
            return -2;
        sb_put(b, "[", 1);
        for (size_t k = 0; k < nvalues; k++) {
            trim(values[k], &s, &n);
            if (n == 0)
                continue;
            int o = option_index(form, i, info, s, n);
            if (o < 0) {
                bad = 1;
                continue;
            }
            if (seen[o]) {
                add_problem(problems, id, lang, FT_E_OPTION_TWICE);
                free(seen);
                return -1;
            }
            seen[o] = 1;
            if (chosen++)
                sb_put(b, ",", 1);
            sb_json_string(b, s, n);
        }
        free(seen);
        sb_put(b, "]", 1);
        if (bad) {
            add_problem(problems, id, lang, FT_E_OPTION);
            return -1;
        }
        if (chosen == 0)
            return 0;
        if (chosen < info->min_selected) {
            add_problem(problems, id, lang, FT_E_SELECT_MIN, info->min_selected);
            return -1;
        }
        if (chosen > info->max_selected) {
            add_problem(problems, id, lang, FT_E_SELECT_MAX, info->max_selected);
            return -1;
        }
        return 1;
    }
    if (nvalues == 0)
        return 0;
    if (info->type == SR_ITEM_TEXT) {
        /* As typed, with the browser's CR LF as LF. */
        const char *v = values[0];
        size_t len = strlen(v), chars = 0;
        trim(v, &s, &n);
        if (n == 0)
            return 0;
        char *text = malloc(len + 1);
        if (!text)
            return -2;
        size_t o = 0;
        for (size_t k = 0; k < len; k++)
            if (!(v[k] == '\r' && v[k + 1] == '\n'))
                text[o++] = v[k] == '\r' ? '\n' : v[k];
        text[o] = '\0';
        if (!utf8_valid(text, o, &chars)) {
            free(text);
            add_problem(problems, id, lang, FT_E_TEXT_ENCODING);
            return -1;
        }
        if (chars > info->max_length) {
            free(text);
            add_problem(problems, id, lang, FT_E_TEXT_LONG, info->max_length, chars);
            return -1;
        }
        sb_json_string(b, text, o);
        free(text);
        return 1;
    }
    trim(values[0], &s, &n);
    if (n == 0)
        return 0;
    if (n > FORM_DECODE_MAX_VALUE) {
        add_problem(problems, id, lang, FT_E_TOO_LONG);
        return -1;
    }
    quote_typed(s, n, typed, sizeof typed);
    switch (info->type) {
    case SR_ITEM_BOOLEAN:
        if (lower_equal(s, n, "ja") || lower_equal(s, n, "j") || lower_equal(s, n, "yes") ||
            lower_equal(s, n, "y") || lower_equal(s, n, "true")) {
            sb_puts(b, "true");
            return 1;
        }
        if (lower_equal(s, n, "nej") || lower_equal(s, n, "n") || lower_equal(s, n, "no") ||
            lower_equal(s, n, "false")) {
            sb_puts(b, "false");
            return 1;
        }
        add_problem(problems, id, lang, FT_E_BOOLEAN);
        return -1;
    case SR_ITEM_CHOICE:
        if (option_index(form, i, info, s, n) < 0) {
            add_problem(problems, id, lang, FT_E_OPTION);
            return -1;
        }
        sb_json_string(b, s, n);
        return 1;
    case SR_ITEM_INTEGER:
    case SR_ITEM_SCALE:
    case SR_ITEM_DECIMAL: {
        int integral = info->type != SR_ITEM_DECIMAL, decimals = 0;
        char json[40];
        double v;
        if (parse_number(s, n, integral, json, &v, &decimals) != 0) {
            add_problem(problems, id, lang, integral ? FT_E_INTEGER : FT_E_NUMBER, typed);
            return -1;
        }
        format_number(v, lang, n1, sizeof n1);
        if (info->has_min && v < info->min) {
            format_number(info->min, lang, n2, sizeof n2);
            add_problem(problems, id, lang, FT_E_BELOW, n1, n2);
            return -1;
        }
        if (info->has_max && v > info->max) {
            format_number(info->max, lang, n2, sizeof n2);
            add_problem(problems, id, lang, FT_E_ABOVE, n1, n2);
            return -1;
        }
        if (!integral && info->decimals >= 0 && decimals > info->decimals) {
            add_problem(problems, id, lang, FT_E_DECIMALS, info->decimals);
            return -1;
        }
        sb_puts(b, json);
        return 1;
    }
    case SR_ITEM_DATE: {
        char date[11], bound[11];
        if (form_decode_date(values[0], date) != 0) {
            add_problem(problems, id, lang, FT_E_DATE, typed);
            return -1;
        }
        if (info->min_date) {
            date_bound(info->min_date, bound);
            if (strcmp(date, bound) < 0) {
                add_problem(problems, id, lang, FT_E_DATE_BEFORE, date, bound);
                return -1;
            }
        }
        if (info->max_date) {
            date_bound(info->max_date, bound);
            if (strcmp(date, bound) > 0) {
                add_problem(problems, id, lang, FT_E_DATE_AFTER, date, bound);
                return -1;
            }
        }
        sb_json_string(b, date, 10);
        return 1;
    }
    default:
        return -1;
    }
}

/* ---- the whole post ------------------------------------------------------------------------ */

static int control_name(const char *name)
{
    static const char *const names[] = {FORM_FIELD_CSRF, FORM_FIELD_ACTION, FORM_FIELD_DATE,
                                        FORM_FIELD_SHOWN, FORM_FIELD_FOCUS};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

/* Marks the items a _shown value names; -1 when one is no item. */
static int mark_shown(const sr_form *form, const char *list, unsigned char *shown)
{
    const char *p = list;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 0)
            break;
        char id[SR_ITEM_ID_MAX + 1];
        if (n > SR_ITEM_ID_MAX)
            return -1;
        memcpy(id, p, n);
        id[n] = '\0';
        long i = sr_form_item_index(form, id);
        if (i < 0)
            return -1;
        shown[i] = 1;
        p += n;
    }
    return 0;
}

int form_decode_fields(const sr_form *form, const web_fields *posted, const char *lang,
                       sr_answers *into, sr_problems *problems)
{
    const web_field *fields = posted ? posted->items : NULL;
    size_t count = posted ? posted->count : 0;
    size_t items = sr_form_item_count(form), before = sr_problems_count(problems);
    size_t *per_item = NULL;
    unsigned char *shown = NULL;
    const char **values = NULL;
    sr_problems *scratch = NULL;
    int rc = -1, refused = 0, any_shown_field = 0;
    strbuf b = {0};

    if (count > FORM_DECODE_MAX_FIELDS || (count && !fields)) {
        refused = 1;
        goto out;
    }
    per_item = calloc(items ? items : 1, sizeof *per_item);
    shown = calloc(items ? items : 1, 1);
    values = calloc(count ? count : 1, sizeof *values);
    scratch = sr_problems_new();
    sr_problems_set_lang(scratch, lang);
    if (!per_item || !shown || !values || !scratch)
        goto out;
    for (size_t k = 0; k < count; k++) {
        const char *name = fields[k].name;
        if (!name || !fields[k].value) {
            refused = 1;
            goto out;
        }
        if (control_name(name) || name[0] == '_') {
            if (!control_name(name)) {
                refused = 1;
                goto out;
            }
            if (strcmp(name, FORM_FIELD_SHOWN) == 0) {
                any_shown_field = 1;
                if (mark_shown(form, fields[k].value, shown) != 0) {
                    refused = 1;
                    goto out;
                }
            }
            continue;
        }
        long i = sr_form_item_index(form, name);
        sr_item_info info;
        if (i < 0) {
            refused = 1;
            goto out;
        }
        sr_form_item(form, (size_t)i, lang, &info);
        per_item[i]++;
        if (info.type == SR_ITEM_SECTION ||
            (info.type == SR_ITEM_MULTICHOICE ? per_item[i] > info.option_count
                                              : per_item[i] > 1)) {
            refused = 1;
            goto out;
        }
    }
    if (!any_shown_field)
        for (size_t i = 0; i < items; i++)
            shown[i] = per_item[i] > 0;

    for (size_t i = 0; i < items; i++) {
        if (!shown[i])
            continue;
        sr_item_info info;
        sr_form_item(form, i, lang, &info);
        if (info.type == SR_ITEM_SECTION)
            continue;
        sr_answers_unset(into, i);
        if (!sr_answers_enabled(into, i))
            continue;
        size_t nvalues = 0;
        for (size_t k = 0; k < count && nvalues < per_item[i]; k++)
            if (strcmp(fields[k].name, info.id) == 0)
                values[nvalues++] = fields[k].value;
        b.len = 0;
        if (b.data)
            b.data[0] = '\0';
        int got = decode_item(form, i, &info, values, nvalues, lang, &b, problems);
        if (got == -2 || b.failed)
            goto out;
        if (got == 1) {
            /* The library has the last word; its warnings (a free text
             * that looks like a name) refuse nothing and belong to the
             * review, not here. */
            sr_status st = sr_answers_set(into, i, b.data, scratch, NULL);
            for (size_t k = 0; k < sr_problems_count(scratch); k++)
                if (!sr_problems_is_warning(scratch, k) &&
                    sr_problems_add(problems, sr_problems_path(scratch, k),
                                    sr_problems_message(scratch, k)) != 0)
                    goto out;
            sr_problems_clear(scratch);
            if (st == SR_ERR_NOMEM)
                goto out;
        }
    }
    /* Answers whose condition no longer holds go, in form order. */
    for (size_t i = 0; i < items; i++)
        if (sr_answers_has(into, i) && !sr_answers_enabled(into, i))
            sr_answers_unset(into, i);
    rc = (int)(sr_problems_count(problems) - before);
out:
    if (refused) {
        add_problem(problems, "(fields)", lang, FT_E_FIELDS);
        rc = -1;
    }
    sr_problems_free(scratch);
    free(b.data);
    free(per_item);
    free(shown);
    free(values);
    return rc;
}

size_t form_decode_missing(const sr_form *form, const sr_answers *answers, const char *lang,
                           sr_problems *problems)
{
    size_t found = 0;
    for (size_t i = 0; i < sr_form_item_count(form); i++) {
        sr_item_info info;
        sr_form_item(form, i, lang, &info);
        if (info.type == SR_ITEM_SECTION || !info.required || sr_answers_has(answers, i) ||
            !sr_answers_enabled(answers, i))
            continue;
        add_problem(problems, info.id, lang, FT_E_REQUIRED);
        found++;
    }
    return found;
}
