/*
 * html.c - the page buffer and its escaping functions (html.h).
 */
#include "html.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigreg/sink.h"

struct html {
    sr_sink_memory mem;
    sr_sink sink;
    int failed;
};

/* The UTF-8 of U+FFFD REPLACEMENT CHARACTER. */
static const char replacement[] = "\xEF\xBF\xBD";

html *html_new(void)
{
    html *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->sink = sr_sink_to_memory(&h->mem);
    return h;
}

void html_free(html *h)
{
    if (!h)
        return;
    sr_sink_memory_release(&h->mem);
    free(h);
}

int html_failed(const html *h)
{
    return !h || h->failed || h->mem.failed;
}

const char *html_data(const html *h)
{
    return h && h->mem.data ? h->mem.data : "";
}

size_t html_len(const html *h)
{
    return h ? h->mem.len : 0;
}

char *html_take(html *h, size_t *len)
{
    if (html_failed(h)) {
        *len = 0;
        return NULL;
    }
    char *data = h->mem.data;
    *len = h->mem.len;
    if (!data) {
        data = calloc(1, 1);
        if (!data)
            h->failed = 1;
    }
    memset(&h->mem, 0, sizeof h->mem);
    return data;
}

static void put(html *h, const char *s, size_t n)
{
    if (!h || h->failed || n == 0)
        return;
    if (sr_sink_write(&h->sink, s, n, NULL) != SR_OK)
        h->failed = 1;
}

void html_raw_literal(html *h, const char *literal)
{
    put(h, literal, strlen(literal));
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0 when
 * the bytes there are not one: a stray continuation byte, a truncated
 * sequence, an overlong form, a surrogate or a code point above U+10FFFF.
 * *cp gets the code point. */
static size_t utf8_sequence(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, v = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, v = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, v = c & 0x07, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

enum { CTX_TEXT, CTX_ATTR };

/* The reference a byte needs in a context, or NULL when it stands as it is. */
static const char *reference(unsigned char c, int ctx)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        break;
    }
    if (ctx != CTX_ATTR)
        return NULL;
    switch (c) {
    case '`':
        return "&#96;";
    case '=':
        return "&#61;";
    case '\t':
        return "&#9;";
    case '\n':
        return "&#10;";
    case '\r':
        return "&#13;";
    default:
        return NULL;
    }
}

/* Control characters: C0 but tab, line feed and carriage return; DEL; C1. */
static int is_control(uint32_t cp)
{
    return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp <= 0x9F);
}

static void escape(html *h, const char *s, size_t n, int ctx)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0; /* bytes at p that stand as they are, not yet written */
    size_t i = 0;
    while (i < n) {
        uint32_t cp = 0;
        size_t len = utf8_sequence(p + i, n - i, &cp);
        const char *ref = NULL;
        if (len == 0 || is_control(cp))
            ref = replacement, len = len ? len : 1;
        else if (len == 1)
            ref = reference(p[i], ctx);
        if (ref) {
            put(h, (const char *)p + i - run, run);
            put(h, ref, strlen(ref));
            run = 0;
        } else {
            run += len;
        }
        i += len;
    }
    put(h, (const char *)p + n - run, run);
}

void html_text(html *h, const char *s)
{
    if (s)
        escape(h, s, strlen(s), CTX_TEXT);
}

void html_text_n(html *h, const char *s, size_t n)
{
    if (s)
        escape(h, s, n, CTX_TEXT);
}

void html_attr(html *h, const char *s)
{
    if (s)
        escape(h, s, strlen(s), CTX_ATTR);
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static void percent_bytes(html *h, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        if (unreserved(p[i])) {
            put(h, (const char *)p + i, 1);
        } else {
            char e[3] = {'%', hex[p[i] >> 4], hex[p[i] & 15]};
            put(h, e, 3);
        }
    }
}

void html_url_component(html *h, const char *s)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    size_t i = 0;
    while (i < n) {
        uint32_t cp = 0;
        size_t len = utf8_sequence(p + i, n - i, &cp);
        if (len == 0 || is_control(cp)) {
            percent_bytes(h, (const unsigned char *)replacement, 3);
            i += len ? len : 1;
        } else {
            percent_bytes(h, p + i, len);
            i += len;
        }
    }
}

void html_long(html *h, long long v)
{
    char b[32];
    int n = snprintf(b, sizeof b, "%lld", v);
    if (n > 0)
        put(h, b, (size_t)n);
}

/* 1 when every conversion of format is numeric (or %%). */
static int numeric_only(const char *format)
{
    for (const char *p = format; *p; p++) {
        if (*p != '%')
            continue;
        p++;
        if (*p == '%')
            continue;
        while (*p && strchr("-+ #0", *p))
            p++;
        while (*p >= '0' && *p <= '9')
            p++;
        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9')
                p++;
        }
        while (*p && strchr("hlLqjzt", *p))
            p++;
        if (!*p || !strchr("diouxXfFeEgG", *p))
            return 0;
    }
    return 1;
}

void html_printf_literal(html *h, const char *format, ...)
{
    if (!h || h->failed)
        return;
    if (!numeric_only(format)) {
        h->failed = 1;
        return;
    }
    char small[256];
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(small, sizeof small, format, ap);
    va_end(ap);
    if (n < 0) {
        h->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        put(h, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        h->failed = 1;
        return;
    }
    va_start(ap, format);
    vsnprintf(big, (size_t)n + 1, format, ap);
    va_end(ap);
    put(h, big, (size_t)n);
    free(big);
}
