/*
 * fuzz_web_request.c - what `sigreg serve` parses itself, on arbitrary bytes:
 * an urlencoded body (also a query string), the Cookie header and the
 * request path (src/web/request.c), and the fields of a posted registration
 * form decoded into answers against the shipped intake form
 * (src/web/form_decode.c), in Swedish and in English.
 *
 * Besides not crashing, each must keep its promises: parsed fields are
 * bounded, valid UTF-8 and round-trip through percent-encoding unchanged; a
 * cookie fits and is NUL-terminated; no path segment is "." or ".." or holds
 * a '/'; a refused post leaves the answers as they were, and no answer is
 * left on an item whose condition does not hold.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form_decode.h"
#include "request.h"
#include "sigreg/form.h"
#include "sigreg/form_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sr_form *intake;

static void load_form(void)
{
    const char *name, *text;
    size_t len;
    for (size_t i = 0; sr_form_shipped(i, &name, &text, &len); i++)
        if (strcmp(name, "sig-intake.json") == 0 &&
            sr_form_parse(text, len, &intake, NULL, NULL) != SR_OK)
            abort();
    if (!intake)
        abort();
}

/* Percent-encodes every byte outside the unreserved set; NULL on OOM. */
static char *encode(const char *s, size_t n, size_t *out_len)
{
    static const char hex[] = "0123456789ABCDEF";
    char *o = malloc(3 * n + 1);
    size_t k = 0;
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            o[k++] = (char)c;
        } else {
            o[k++] = '%';
            o[k++] = hex[c >> 4];
            o[k++] = hex[c & 15];
        }
    }
    o[k] = '\0';
    *out_len = k;
    return o;
}

static void check_fields(const web_fields *f)
{
    if (f->count > WEB_FIELDS_MAX)
        __builtin_trap();
    for (size_t i = 0; i < f->count; i++) {
        const web_field *w = &f->items[i];
        size_t nl = strlen(w->name);
        if (nl == 0 || nl > WEB_NAME_MAX || strlen(w->value) != w->value_len ||
            !web_utf8_valid(w->name, nl) || !web_utf8_valid(w->value, w->value_len))
            __builtin_trap();
    }
}

/* n bytes of s with every CR LF as LF, as the parser gives a value
 * (request.h), into out (n + 1 bytes); returns the new length. */
static size_t crlf_to_lf(const char *s, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n'))
            out[k++] = s[i];
    out[k] = '\0';
    return k;
}

/* The fields encoded again and parsed again are the same fields (names and
 * values once more with CR LF as LF: "\r\r\n" parses to "\r\n", then "\n"). */
static void check_round_trip(const web_fields *f)
{
    char *body = NULL;
    size_t len = 0, cap = 0;
    web_fields again = {0};
    for (size_t i = 0; i < f->count; i++) {
        size_t nl, vl;
        char *n = encode(f->items[i].name, strlen(f->items[i].name), &nl);
        char *v = encode(f->items[i].value, f->items[i].value_len, &vl);
        if (!n || !v || len + nl + vl + 3 > WEB_BODY_MAX) {
            free(n);
            free(v);
            goto out; /* too long to re-encode within the bound: nothing to compare */
        }
        if (len + nl + vl + 3 > cap) {
            cap = 2 * (len + nl + vl + 3);
            char *grown = realloc(body, cap);
            if (!grown) {
                free(n);
                free(v);
                goto out;
            }
            body = grown;
        }
        if (len)
            body[len++] = '&';
        memcpy(body + len, n, nl);
        len += nl;
        body[len++] = '=';
        memcpy(body + len, v, vl);
        len += vl;
        free(n);
        free(v);
    }
    if (web_request_parse_form(body ? body : "", len, &again) != 0)
        __builtin_trap(); /* what the parser gave, well encoded, is refused */
    if (again.count != f->count)
        __builtin_trap();
    for (size_t i = 0; i < f->count; i++) {
        char *want = malloc(f->items[i].value_len + 1);
        if (!want)
            goto out;
        size_t wl = crlf_to_lf(f->items[i].value, f->items[i].value_len, want);
        char name[WEB_NAME_MAX + 1];
        crlf_to_lf(f->items[i].name, strlen(f->items[i].name), name);
        int same = strcmp(again.items[i].name, name) == 0 && again.items[i].value_len == wl &&
                   memcmp(again.items[i].value, want, wl) == 0;
        free(want);
        if (!same)
            __builtin_trap();
    }
out:
    web_fields_release(&again);
    free(body);
}

static void check_decode(const web_fields *f, const char *lang)
{
    sr_answers *answers = sr_answers_new(intake);
    sr_problems *problems = sr_problems_new();
    char *before = NULL, *after = NULL;
    if (!answers || !problems)
        goto out;
    /* A draft's answer to start from, which a refused post must keep. */
    long consent = sr_form_item_index(intake, "consent_young_person");
    if (consent >= 0)
        (void)sr_answers_set(answers, (size_t)consent, "true", problems, NULL);
    sr_problems_clear(problems);
    before = sr_answers_to_json(answers);
    int rc = form_decode_fields(intake, f, lang, answers, problems);
    after = sr_answers_to_json(answers);
    if (!before || !after)
        goto out;
    if (rc < -1 || (rc >= 0 && (size_t)rc != sr_problems_count(problems)))
        __builtin_trap();
    if (rc == -1 && sr_problems_count(problems) > 0 && strcmp(before, after) != 0)
        __builtin_trap(); /* a refused post changed the answers */
    for (size_t i = 0; i < sr_form_item_count(intake); i++)
        if (sr_answers_has(answers, i) && !sr_answers_enabled(answers, i))
            __builtin_trap(); /* an answer kept on an item whose condition fails */
    (void)form_decode_missing(intake, answers, lang, problems);
out:
    free(before);
    free(after);
    sr_problems_free(problems);
    sr_answers_free(answers);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!intake)
        load_form();
    const char *s = (const char *)data;

    web_fields fields = {0};
    if (web_request_parse_form(s, size, &fields) == 0) {
        check_fields(&fields);
        check_round_trip(&fields);
        check_decode(&fields, "sv");
        check_decode(&fields, "en");
    } else if (fields.count != 0) {
        __builtin_trap(); /* refused, but fields left behind */
    }
    web_fields_release(&fields);

    /* The same bytes as a Cookie header and as a path (NUL-terminated). */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char cookie[WEB_COOKIE_MAX + 1];
    memset(cookie, 'x', sizeof cookie);
    if (web_request_cookie(text, "sigreg_session", cookie, sizeof cookie) == 0 &&
        memchr(cookie, '\0', sizeof cookie) == NULL)
        __builtin_trap();
    char date[11];
    if (form_decode_date(text, date) == 0 &&
        (strlen(date) != 10 || date[4] != '-' || date[7] != '-'))
        __builtin_trap();

    char(*seg)[WEB_SEGMENT_MAX + 1] = calloc(WEB_SEGMENTS_MAX, sizeof *seg);
    int n = seg ? web_request_split_path(text, seg, WEB_SEGMENTS_MAX) : -1;
    if (n > WEB_SEGMENTS_MAX)
        __builtin_trap();
    for (int i = 0; i < n; i++)
        if (seg[i][0] == '\0' || strcmp(seg[i], ".") == 0 || strcmp(seg[i], "..") == 0 ||
            strchr(seg[i], '/') != NULL)
            __builtin_trap();
    free(seg);
    free(text);
    return 0;
}
