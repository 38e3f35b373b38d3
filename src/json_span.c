/*
 * json_span.c - spans of values in already parsed JSON text (see json_span.h).
 */
#include "json_span.h"

#include <string.h>

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* After the string that starts at p (its opening quote). */
static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '"')
            return p + 1;
        if (*p == '\\')
            p++;
    }
    return end;
}

/* After the object or array that starts at p: only quotes and brackets
 * matter, so the bytes between them are passed over by memchr-like loops. */
static const char *skip_nested(const char *p, const char *end)
{
    size_t depth = 0;
    while (p < end) {
        char c = *p;
        if (c == '"') {
            p = skip_string(p, end);
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            return p + 1;
        p++;
    }
    return end;
}

/* After the value that starts at p (no whitespace before it). */
static const char *skip_value(const char *p, const char *end)
{
    if (p >= end)
        return end;
    if (*p == '"')
        return skip_string(p, end);
    if (*p == '{' || *p == '[')
        return skip_nested(p, end);
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
           *p != '\r' && *p != '\n')
        p++;
    return p;
}

static srp_span trimmed(srp_span s)
{
    const char *p = skip_ws(s.p, s.p + s.n), *end = s.p + s.n;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
        end--;
    return (srp_span){p, (size_t)(end - p)};
}

/* The start of member key's value in the object s, or NULL. */
static const char *member_start(srp_span s, const char *key)
{
    if (!s.p)
        return NULL;
    const char *p = skip_ws(s.p, s.p + s.n), *end = s.p + s.n;
    size_t klen = strlen(key);
    if (p >= end || *p != '{')
        return NULL;
    p = skip_ws(p + 1, end);
    while (p < end && *p == '"') {
        const char *k = p + 1, *kend = skip_string(p, end);
        int match = (size_t)(kend - k) == klen + 1 && memcmp(k, key, klen) == 0;
        p = skip_ws(kend, end);
        if (p >= end || *p != ':')
            return NULL;
        p = skip_ws(p + 1, end);
        if (match)
            return p;
        p = skip_ws(skip_value(p, end), end);
        if (p >= end || *p != ',')
            return NULL;
        p = skip_ws(p + 1, end);
    }
    return NULL;
}

srp_span srp_json_member(srp_span s, const char *key)
{
    const char *v = member_start(s, key);
    if (!v)
        return (srp_span){NULL, 0};
    return (srp_span){v, (size_t)(skip_value(v, s.p + s.n) - v)};
}

size_t srp_json_elements_member(srp_span s, const char *array_key, const char *key, srp_span *out,
                                size_t max)
{
    const char *p = member_start(s, array_key), *end = s.p + s.n;
    if (!p || *p != '[')
        return 0;
    size_t count = 0;
    p = skip_ws(p + 1, end);
    while (p < end && *p != ']') {
        srp_span found = {NULL, 0};
        if (*p == '{') { /* its members, each value passed over once */
            p = skip_ws(p + 1, end);
            size_t klen = strlen(key);
            while (p < end && *p == '"') {
                const char *k = p + 1, *kend = skip_string(p, end);
                int match = (size_t)(kend - k) == klen + 1 && memcmp(k, key, klen) == 0;
                p = skip_ws(kend, end);
                if (p >= end || *p != ':')
                    return 0;
                p = skip_ws(p + 1, end);
                const char *v = p;
                p = skip_value(p, end);
                if (match)
                    found = (srp_span){v, (size_t)(p - v)};
                p = skip_ws(p, end);
                if (p < end && *p == ',')
                    p = skip_ws(p + 1, end);
            }
            if (p >= end || *p != '}')
                return 0;
            p++;
        } else {
            p = skip_value(p, end);
        }
        if (count < max)
            out[count] = found;
        count++;
        p = skip_ws(p, end);
        if (p >= end || *p != ',')
            break;
        p = skip_ws(p + 1, end);
    }
    return count;
}

size_t srp_json_elements(srp_span s, srp_span *out, size_t max)
{
    if (!s.p)
        return 0;
    s = trimmed(s);
    const char *p = s.p, *end = s.p + s.n;
    if (p >= end || *p != '[')
        return 0;
    size_t count = 0;
    p = skip_ws(p + 1, end);
    while (p < end && *p != ']') {
        const char *v = p;
        p = skip_value(p, end);
        if (count < max)
            out[count] = (srp_span){v, (size_t)(p - v)};
        count++;
        p = skip_ws(p, end);
        if (p >= end || *p != ',')
            break;
        p = skip_ws(p + 1, end);
    }
    return count;
}

int srp_json_is_canonical(srp_span s)
{
    if (!s.p || s.n == 0)
        return 0;
    const unsigned char *p = (const unsigned char *)s.p, *end = p + s.n;
    while (p < end) {
        unsigned char c = *p;
        if (c == '"') {
            for (p++; p < end && *p != '"'; p++)
                if (*p == '\\' || *p < 0x20)
                    return 0; /* json_dumps may spell an escape differently */
            if (p == end)
                return 0;
            p++;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            const unsigned char *start = p;
            for (; p < end && (*p == '-' || (*p >= '0' && *p <= '9')); p++)
                ;
            if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
                return 0; /* a real: written back with %.17g */
            if (p - start == 2 && start[0] == '-' && start[1] == '0')
                return 0; /* -0 is written 0 */
        } else if (c == 't' || c == 'n') {
            if (end - p < 4)
                return 0;
            p += 4;
        } else if (c == 'f') {
            if (end - p < 5)
                return 0;
            p += 5;
        } else if (c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':') {
            p++;
        } else {
            return 0; /* whitespace, or anything else json_dumps does not write */
        }
    }
    return 1;
}
