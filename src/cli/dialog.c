/*
 * dialog.c - typing answers and reading them back (see dialog.h).
 */
#include "dialog.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_lang_en(const char *lang)
{
    return lang && strcmp(lang, "en") == 0;
}

void cli_fold(const char *in, char *out, size_t size)
{
    if (!size)
        return;
    while (*in && isspace((unsigned char)*in))
        in++;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && n + 1 < size; p++) {
        unsigned char ch = *p;
        if (ch < 0x80) {
            out[n++] = (char)tolower(ch);
        } else if (ch == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97) {
            /* U+00C0..U+00DE (not the multiplication sign): lower case is 0x20 on. */
            if (n + 2 >= size)
                break;
            out[n++] = (char)ch;
            out[n++] = (char)(p[1] + 0x20);
            p++;
        } else {
            out[n++] = (char)ch;
        }
    }
    while (n > 0 && isspace((unsigned char)out[n - 1]))
        n--;
    out[n] = '\0';
}

int cli_yes_no(const char *line)
{
    static const char *const yes[] = {"j", "ja", "y", "yes"};
    static const char *const no[] = {"n", "nej", "no"};
    char w[16];
    cli_fold(line, w, sizeof w);
    for (size_t k = 0; k < sizeof yes / sizeof yes[0]; k++)
        if (strcmp(w, yes[k]) == 0)
            return 1;
    for (size_t k = 0; k < sizeof no / sizeof no[0]; k++)
        if (strcmp(w, no[k]) == 0)
            return 0;
    return -1;
}

static void append(char *buf, size_t size, const char *fmt, const char *a, size_t num)
{
    size_t used = strlen(buf);
    if (used + 1 < size)
        snprintf(buf + used, size - used, fmt, num, a);
}

/* "'x' är inget av svarsalternativen: 1 Pojke, 2 Flicka, ..." over the options in list. */
static void explain(const sr_form *form, size_t i, const char *typed, const char *lang,
                    const size_t *list, size_t count, int ambiguous, char *why, size_t size)
{
    int en = cli_lang_en(lang);
    snprintf(why, size,
             ambiguous
                 ? (en ? "'%s' fits several options:" : "'%s' passar flera svarsalternativ:")
                 : (en ? "'%s' is not one of the options:" : "'%s' är inget av svarsalternativen:"),
             typed);
    for (size_t k = 0; k < count; k++) {
        const char *label = NULL;
        sr_form_option(form, i, list[k], lang, NULL, &label, NULL);
        append(why, size, k ? ", %zu %s" : " %zu %s", label ? label : "", list[k] + 1);
    }
}

/* The option typed (its index), or -1 with why. */
static long match_option(const sr_form *form, size_t i, size_t count, const char *typed,
                         const char *lang, char *why, size_t why_size)
{
    char t[256];
    cli_fold(typed, t, sizeof t);
    char *end = NULL;
    errno = 0;
    long n = strtol(t, &end, 10);
    if (*t && end && !*end && !errno) {
        if (n >= 1 && (size_t)n <= count)
            return n - 1;
    }
    const char *langs[2] = {lang, cli_lang_en(lang) ? "sv" : "en"};
    /* The code, or a whole label. */
    for (size_t o = 0; *t && o < count; o++) {
        const char *code = NULL, *label = NULL;
        sr_form_option(form, i, o, lang, &code, NULL, NULL);
        if (code && strcmp(code, t) == 0)
            return (long)o;
        for (int l = 0; l < 2; l++) {
            char f[256];
            sr_form_option(form, i, o, langs[l], NULL, &label, NULL);
            cli_fold(label ? label : "", f, sizeof f);
            if (strcmp(f, t) == 0)
                return (long)o;
        }
    }
    /* A yes or a no, for an item whose options are yes and no. */
    int yn = cli_yes_no(t);
    for (size_t o = 0; yn >= 0 && o < count; o++) {
        const char *code = NULL;
        sr_form_option(form, i, o, lang, &code, NULL, NULL);
        if (code && strcmp(code, yn ? "yes" : "no") == 0)
            return (long)o;
    }
    /* The beginning of a label: in the language asked, else in the other. */
    size_t hits[SR_FORM_MAX_OPTIONS];
    size_t nhits = 0;
    size_t tl = strlen(t);
    for (int l = 0; l < 2 && nhits == 0; l++) {
        for (size_t o = 0; tl && o < count && o < SR_FORM_MAX_OPTIONS; o++) {
            const char *label = NULL;
            char f[256];
            sr_form_option(form, i, o, langs[l], NULL, &label, NULL);
            cli_fold(label ? label : "", f, sizeof f);
            if (strncmp(f, t, tl) == 0)
                hits[nhits++] = o;
        }
    }
    if (nhits == 1)
        return (long)hits[0];
    if (nhits > 1) {
        explain(form, i, typed, lang, hits, nhits, 1, why, why_size);
        return -1;
    }
    size_t all[SR_FORM_MAX_OPTIONS];
    for (size_t o = 0; o < count && o < SR_FORM_MAX_OPTIONS; o++)
        all[o] = o;
    explain(form, i, typed, lang, all, count < SR_FORM_MAX_OPTIONS ? count : SR_FORM_MAX_OPTIONS, 0,
            why, why_size);
    return -1;
}

static json_t *option_json(const sr_form *form, size_t i, long o)
{
    const char *code = NULL;
    sr_form_option(form, i, (size_t)o, "en", &code, NULL, NULL);
    return json_string(code ? code : "");
}

/* One part of a multichoice answer: an option, or (for "1 3") several
 * numbers or codes separated by spaces. Appends to arr; 0 on success. */
static int add_choices(const sr_form *form, size_t i, size_t count, char *part, const char *lang,
                       json_t *arr, char *why, size_t why_size)
{
    long o = match_option(form, i, count, part, lang, why, why_size);
    if (o >= 0)
        return json_array_append_new(arr, option_json(form, i, o));
    if (!strchr(part, ' '))
        return -1;
    char scratch[64];
    char *save = NULL;
    size_t before = json_array_size(arr);
    for (char *w = strtok_r(part, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        o = match_option(form, i, count, w, lang, scratch, sizeof scratch);
        if (o < 0) {
            while (json_array_size(arr) > before)
                json_array_remove(arr, json_array_size(arr) - 1);
            return -1; /* why still explains the whole part */
        }
        json_array_append_new(arr, option_json(form, i, o));
    }
    return 0;
}

char *cli_typed_answer(const sr_form *form, size_t i, const char *in, const char *lang, char *why,
                       size_t why_size)
{
    sr_item_info it;
    sr_form_item(form, i, lang, &it);
    json_t *v = NULL;
    why[0] = '\0';
    switch (it.type) {
    case SR_ITEM_BOOLEAN: {
        int yn = cli_yes_no(in);
        v = yn == 1 ? json_true() : yn == 0 ? json_false() : json_string(in);
        break;
    }
    case SR_ITEM_CHOICE: {
        long o = match_option(form, i, it.option_count, in, lang, why, why_size);
        if (o < 0)
            return NULL;
        v = option_json(form, i, o);
        break;
    }
    case SR_ITEM_MULTICHOICE: {
        char *copy = strdup(in);
        v = json_array();
        char *save = NULL;
        for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && v;
             tok = strtok_r(NULL, ",", &save)) {
            char part[256];
            cli_fold(tok, part, sizeof part);
            if (!*part)
                continue;
            /* Keep the case of what was typed for the message. */
            if (add_choices(form, i, it.option_count, part, lang, v, why, why_size) != 0) {
                json_decref(v);
                v = NULL;
                break;
            }
        }
        free(copy);
        if (!v)
            return NULL;
        break;
    }
    case SR_ITEM_INTEGER:
    case SR_ITEM_SCALE:
    case SR_ITEM_DECIMAL: {
        char num[64];
        cli_fold(in, num, sizeof num);
        for (char *p = num; *p; p++)
            if (*p == ',') /* Swedish decimal comma */
                *p = '.';
        char *end = NULL;
        errno = 0;
        long long whole = strtoll(num, &end, 10);
        if (*num && end && !*end && !errno) {
            v = json_integer(whole);
            break;
        }
        double d = strtod(num, &end);
        v = *num && end && !*end ? json_real(d) : json_string(in);
        break;
    }
    case SR_ITEM_DATE: {
        char d[32];
        cli_fold(in, d, sizeof d);
        v = json_string(d);
        break;
    }
    default:
        v = json_string(in);
        break;
    }
    char *out = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    json_decref(v);
    if (!out)
        snprintf(why, why_size, "out of memory");
    return out;
}

static const char *option_label(const sr_form *form, size_t i, size_t count, const char *code,
                                const char *lang)
{
    for (size_t o = 0; code && o < count; o++) {
        const char *c = NULL, *label = NULL;
        sr_form_option(form, i, o, lang, &c, &label, NULL);
        if (c && strcmp(c, code) == 0)
            return label ? label : code;
    }
    return code ? code : "?";
}

void cli_answer_text(const sr_form *form, size_t i, const json_t *value, const char *lang,
                     char *out, size_t size)
{
    sr_item_info it;
    sr_form_item(form, i, lang, &it);
    int en = cli_lang_en(lang);
    out[0] = '\0';
    if (json_is_boolean(value)) {
        snprintf(out, size, "%s", json_is_true(value) ? (en ? "Yes" : "Ja") : (en ? "No" : "Nej"));
    } else if (json_is_string(value) && it.type == SR_ITEM_CHOICE) {
        snprintf(out, size, "%s",
                 option_label(form, i, it.option_count, json_string_value(value), lang));
    } else if (json_is_array(value)) {
        size_t k;
        json_t *e;
        json_array_foreach(value, k, e)
        {
            size_t used = strlen(out);
            if (used + 1 >= size)
                break;
            snprintf(out + used, size - used, "%s%s", k ? "; " : "",
                     option_label(form, i, it.option_count, json_string_value(e), lang));
        }
    } else if (json_is_string(value)) {
        snprintf(out, size, "%s", json_string_value(value));
    } else if (json_is_integer(value)) {
        const char *anchor = it.type == SR_ITEM_SCALE
                                 ? sr_form_anchor(form, i, (long)json_integer_value(value), lang)
                                 : NULL;
        snprintf(out, size, anchor ? "%lld (%s)" : "%lld", (long long)json_integer_value(value),
                 anchor ? anchor : "");
    } else if (json_is_real(value)) {
        snprintf(out, size, "%g", json_real_value(value));
    } else {
        char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
        snprintf(out, size, "%s", text ? text : "?");
        free(text);
    }
}

void cli_print_padded(FILE *out, const char *text, size_t width)
{
    size_t chars = 0;
    const char *p = text ? text : "";
    for (const char *q = p; *q; q++)
        chars += ((unsigned char)*q & 0xC0) != 0x80;
    if (chars <= width) {
        fputs(p, out);
        for (; chars < width; chars++)
            fputc(' ', out);
        return;
    }
    /* The first width - 1 characters, then the ellipsis. */
    size_t seen = 0;
    const char *q = p;
    for (; *q; q++) {
        if (((unsigned char)*q & 0xC0) != 0x80 && seen++ == width - 1)
            break;
    }
    fwrite(p, 1, (size_t)(q - p), out);
    fputs("\u2026", out);
}
