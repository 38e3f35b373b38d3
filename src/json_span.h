/*
 * json_span.h - where a value lies in JSON text that was already parsed, and
 * whether those bytes are already what json_dumps would write (internal).
 *
 * An import parses each line with jansson and then stores each response's
 * answers as text. Serialising the parsed answers again costs as much as a
 * good part of the parse; when the line's own bytes are already the compact
 * text json_dumps writes, they are stored instead. This module finds those
 * bytes and tells when they are the same.
 *
 * It must only be given text that jansson parsed without error: it checks no
 * syntax, and on other text its answers mean nothing (it never reads outside
 * the span it is given).
 */
#ifndef SIGREG_JSON_SPAN_H
#define SIGREG_JSON_SPAN_H

#include <stddef.h>

typedef struct srp_span {
    const char *p; /* NULL: no span */
    size_t n;
} srp_span;

/* The value of member key in the object s (whitespace around it trimmed);
 * {NULL, 0} when s is not an object, has no such member, or spells the key
 * with an escape. */
srp_span srp_json_member(srp_span s, const char *key);

/* The first max elements of the array s into out; returns how many the
 * array has (may exceed max), 0 when s is not an array. */
size_t srp_json_elements(srp_span s, srp_span *out, size_t max);

/* For the array that is member array_key of the object s: the value of
 * member key of each of its first max elements into out ({NULL, 0} where
 * an element has none or is no object), in one pass over the array. Returns
 * how many elements the array has (may exceed max); 0 when there is no
 * such array. */
size_t srp_json_elements_member(srp_span s, const char *array_key, const char *key, srp_span *out,
                                size_t max);

/* 1 when s is byte for byte what json_dumps(value, JSON_COMPACT |
 * JSON_PRESERVE_ORDER) writes for the value it holds: no whitespace outside
 * strings, no escape in a string, only integers (not -0) among the numbers. */
int srp_json_is_canonical(srp_span s);

#endif
