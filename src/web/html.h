/*
 * html.h - HTML built in a growable buffer, with one escaping function per
 * context.
 *
 * Every byte of a page goes through one of these: html_text for element
 * content, html_attr for a quoted attribute value, html_url_component for
 * one component of a URL (a path segment or a query value), and html_raw /
 * html_printf for the page's own markup. html_raw and html_printf take only
 * string literals (the macros make anything else a compile error), and
 * html_printf accepts only numeric conversions, so no user text reaches a
 * page unescaped. Invalid UTF-8 in user text is replaced with U+FFFD, as are
 * control characters other than tab, line feed and carriage return.
 *
 * The buffer is the library's memory sink (sigreg/sink.h); it is wiped when
 * freed. A failed allocation marks the page failed (html_failed) and makes
 * every later call a no-op. This module must not know about HTTP, sessions
 * or the registry.
 */
#ifndef SIGREG_WEB_HTML_H
#define SIGREG_WEB_HTML_H

#include <stddef.h>

typedef struct html html;

/* A new empty page; NULL when out of memory. The caller frees it. */
html *html_new(void);
/* Wipes and frees; NULL is a no-op. */
void html_free(html *h);
/* 1 when an allocation failed or html_printf was given a format it refuses. */
int html_failed(const html *h);
/* What was written so far, NUL-terminated (borrowed; "" when empty). */
const char *html_data(const html *h);
size_t html_len(const html *h);
/* Hands the bytes over: malloc'd, NUL-terminated, *len set (without the NUL);
 * the caller frees them (wiping first). The page is left empty. NULL when
 * the page failed. */
char *html_take(html *h, size_t *len);

/* Element content: & < > " ' as character references. */
void html_text(html *h, const char *s);
/* The first n bytes of s (which may hold no NUL before them) as html_text. */
void html_text_n(html *h, const char *s, size_t n);
/* A double-quoted attribute value: as html_text, and also ` = and tab,
 * line feed and carriage return as references. */
void html_attr(html *h, const char *s);
/* One URL component: every byte outside A-Z a-z 0-9 - . _ ~ percent-encoded
 * (so the result is also safe inside an attribute value). */
void html_url_component(html *h, const char *s);
/* A whole number as decimal text. */
void html_long(html *h, long long v);

/* The page's own markup: a string literal only. */
#define html_raw(h, literal) html_raw_literal((h), "" literal "")
/* Markup with numbers: a literal format whose conversions are numeric only
 * (d i u x X f F e E g G with flags, width, precision, length; %%). Any other
 * conversion (%s, %c, %n, %p, *) writes nothing and fails the page. */
#define html_printf(h, format, ...) html_printf_literal((h), "" format "", __VA_ARGS__)

void html_raw_literal(html *h, const char *literal);
void html_printf_literal(html *h, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
