/*
 * request.h - the parts of an HTTP request the web front end parses itself:
 * urlencoded form bodies and query strings, the Cookie header, and the
 * request path split into decoded segments.
 *
 * Every size is bounded (WEB_BODY_MAX, WEB_FIELDS_MAX, WEB_NAME_MAX,
 * WEB_SEGMENT_MAX): input over a bound, a bad percent escape, an encoded NUL
 * or invalid UTF-8 is refused whole (-1), never cut. Values are copied into
 * memory the fields own and wiped when released, since a body may hold a
 * personnummer. This module must not know about sessions, pages or the
 * registry; it is the fuzz target's entry point (tests/fuzz).
 */
#ifndef SIGREG_WEB_REQUEST_H
#define SIGREG_WEB_REQUEST_H

#include <stddef.h>

#define WEB_BODY_MAX (256u * 1024u) /* bytes of a POST body */
#define WEB_FIELDS_MAX 1024         /* name=value pairs in a body or query */
#define WEB_NAME_MAX 128            /* bytes of a field's name */
#define WEB_SEGMENT_MAX 128         /* bytes of one decoded path segment */
#define WEB_SEGMENTS_MAX 8          /* segments of a path */
#define WEB_COOKIE_MAX 128          /* bytes of a cookie value we read */

typedef struct web_field {
    char *name;       /* NUL-terminated, owned by the fields */
    char *value;      /* NUL-terminated (holds no NUL), owned by the fields */
    size_t value_len; /* strlen(value) */
} web_field;

typedef struct web_fields {
    web_field *items;
    size_t count;
    size_t cap;
} web_fields;

/* Parses an application/x-www-form-urlencoded body (also a query string
 * without its '?') into out, which must be zeroed or released: '+' is a
 * space, %XX a byte, CR LF and a lone CR become LF, empty pairs are skipped, a name
 * without '=' has the value "". Returns 0, or -1 (out left empty) when the
 * body is longer than WEB_BODY_MAX, has more than WEB_FIELDS_MAX pairs, a
 * name longer than WEB_NAME_MAX or empty, a bad escape, a NUL, or invalid
 * UTF-8 (in a name or a value), or memory ran out. */
int web_request_parse_form(const char *body, size_t len, web_fields *out);

/* Adds one pair (copied; value of len bytes); the same checks as a parsed
 * pair. 0, or -1 (nothing added). */
int web_fields_add(web_fields *f, const char *name, const char *value, size_t len);
/* Wipes and frees what the fields hold and empties them; NULL is a no-op. */
void web_fields_release(web_fields *f);
/* The first value of name (borrowed), or NULL when there is none. */
const char *web_fields_get(const web_fields *f, const char *name);
/* How many pairs have this name, and the i-th such value (NULL past the end). */
size_t web_fields_count(const web_fields *f, const char *name);
const char *web_fields_get_at(const web_fields *f, const char *name, size_t i);

/* The value of cookie name in a Cookie header ("a=1; b=2"), copied into out
 * (size bytes, NUL-terminated); surrounding double quotes are taken off.
 * Returns 0, or -1 when there is no such cookie, the header is longer than
 * 4096 bytes or the value does not fit. With the same name twice, the first. */
int web_request_cookie(const char *header, const char *name, char *out, size_t size);

/* Splits a path ("/case/K7QA-3MXF/register/sig-intake") into its decoded
 * segments. An empty path, "/" and a trailing slash give no segment for it.
 * Returns the number of segments, or -1 when the path does not start with
 * '/', has an empty segment in the middle ("//"), a segment "." or "..",
 * more than WEB_SEGMENTS_MAX segments, one longer than WEB_SEGMENT_MAX, a
 * bad escape, an encoded '/' or NUL, or invalid UTF-8. */
int web_request_split_path(const char *path, char seg[][WEB_SEGMENT_MAX + 1], size_t max);

/* Writes path and then, when fields has any, '?' and its pairs percent-
 * encoded (name=value&...) into out (size bytes, NUL-terminated): the URL
 * a request came to, as a local path. 0, or -1 when it does not fit (out
 * then holds path alone, or "" when even that does not fit). */
int web_request_rebuild_url(const char *path, const web_fields *fields, char *out, size_t size);

/* 1 when the n bytes at s are valid UTF-8 (no overlong forms, surrogates or
 * code points above U+10FFFF), else 0. */
int web_utf8_valid(const char *s, size_t n);

#endif
