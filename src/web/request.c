/*
 * request.c - parsing form bodies, cookies and paths (request.h).
 */
#include "request.h"

#include <stdlib.h>
#include <string.h>

int web_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        size_t len;
        unsigned v, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, v = c & 0x1Fu, min = 0x80;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, v = c & 0x0Fu, min = 0x800;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, v = c & 0x07u, min = 0x10000;
        else
            return 0;
        if (n - i < len)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
            v = (v << 6) | (p[i + k] & 0x3Fu);
        }
        if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes n bytes of urlencoded text into out (room for n + 1 bytes):
 * the decoded length, or -1 on a bad escape or a NUL. plus: '+' is a space.
 * CR LF and a lone CR become LF. */
static long decode(const char *in, size_t n, char *out, int plus)
{
    size_t o = 0;
    int after_cr = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c == '%') {
            if (n - i < 3)
                return -1;
            int hi = hexval(in[i + 1]), lo = hexval(in[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        }
        if (c == '\0')
            return -1;
        /* Line breaks as HTML normalises them: CR LF and a lone CR are LF
         * (so decoding is idempotent: no CR is left). */
        if (c == '\n' && after_cr) {
            after_cr = 0;
            continue;
        }
        after_cr = c == '\r';
        out[o++] = after_cr ? '\n' : c;
    }
    out[o] = '\0';
    return (long)o;
}

static void wipe_free(char *p, size_t n)
{
    if (p) {
        explicit_bzero(p, n);
        free(p);
    }
}

static int valid_name(const char *name, size_t n)
{
    return n > 0 && n <= WEB_NAME_MAX && memchr(name, '\0', n) == NULL && web_utf8_valid(name, n);
}

/* Appends a pair whose name and value are already decoded. */
static int push(web_fields *f, const char *name, size_t name_len, const char *value, size_t len)
{
    if (!valid_name(name, name_len) || memchr(value, '\0', len) || !web_utf8_valid(value, len))
        return -1;
    if (f->count >= WEB_FIELDS_MAX)
        return -1;
    if (f->count == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        web_field *items = realloc(f->items, cap * sizeof *items);
        if (!items)
            return -1;
        f->items = items;
        f->cap = cap;
    }
    char *mem = malloc(name_len + 1 + len + 1);
    if (!mem)
        return -1;
    memcpy(mem, name, name_len);
    mem[name_len] = '\0';
    memcpy(mem + name_len + 1, value, len);
    mem[name_len + 1 + len] = '\0';
    web_field *fl = &f->items[f->count++];
    fl->name = mem;
    fl->value = mem + name_len + 1;
    fl->value_len = len;
    return 0;
}

int web_fields_add(web_fields *f, const char *name, const char *value, size_t len)
{
    if (!f || !name || !value)
        return -1;
    return push(f, name, strlen(name), value, len);
}

void web_fields_release(web_fields *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->count; i++)
        wipe_free(f->items[i].name, strlen(f->items[i].name) + 1 + f->items[i].value_len + 1);
    free(f->items);
    memset(f, 0, sizeof *f);
}

int web_request_parse_form(const char *body, size_t len, web_fields *out)
{
    int rc = -1;
    char *name = NULL, *value = NULL;
    size_t value_cap = len + 1;
    web_fields_release(out);
    if (len > WEB_BODY_MAX || (len > 0 && !body))
        return -1;
    if (len == 0)
        return 0;
    name = malloc(WEB_NAME_MAX * 3 + 1);
    value = malloc(value_cap);
    if (!name || !value)
        goto out;
    size_t i = 0;
    while (i < len) {
        const char *amp = memchr(body + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - body) : len;
        const char *pair = body + i;
        size_t pair_len = end - i;
        i = end + 1;
        if (pair_len == 0)
            continue;
        const char *eq = memchr(pair, '=', pair_len);
        size_t raw_name_len = eq ? (size_t)(eq - pair) : pair_len;
        if (raw_name_len == 0 || raw_name_len > WEB_NAME_MAX * 3)
            goto out;
        long nl = decode(pair, raw_name_len, name, 1);
        long vl = 0;
        value[0] = '\0';
        if (eq)
            vl = decode(eq + 1, pair_len - raw_name_len - 1, value, 1);
        if (nl < 0 || vl < 0)
            goto out;
        if (push(out, name, (size_t)nl, value, (size_t)vl) != 0)
            goto out;
    }
    rc = 0;
out:
    if (name)
        wipe_free(name, WEB_NAME_MAX * 3 + 1);
    if (value)
        wipe_free(value, value_cap);
    if (rc != 0)
        web_fields_release(out);
    return rc;
}

const char *web_fields_get(const web_fields *f, const char *name)
{
    return web_fields_get_at(f, name, 0);
}

size_t web_fields_count(const web_fields *f, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; f && name && i < f->count; i++)
        if (strcmp(f->items[i].name, name) == 0)
            n++;
    return n;
}

const char *web_fields_get_at(const web_fields *f, const char *name, size_t at)
{
    for (size_t i = 0; f && name && i < f->count; i++)
        if (strcmp(f->items[i].name, name) == 0 && at-- == 0)
            return f->items[i].value;
    return NULL;
}

int web_request_cookie(const char *header, const char *name, char *out, size_t size)
{
    if (!header || !name || !out || size == 0)
        return -1;
    size_t hlen = strnlen(header, 4097), nlen = strlen(name);
    if (hlen > 4096 || nlen == 0)
        return -1;
    const char *p = header, *end = header + hlen;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ';'))
            p++;
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *stop = semi ? semi : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (eq && (size_t)(eq - p) == nlen && memcmp(p, name, nlen) == 0) {
            const char *v = eq + 1, *ve = stop;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            if (ve - v >= 2 && v[0] == '"' && ve[-1] == '"')
                v++, ve--;
            size_t vlen = (size_t)(ve - v);
            if (vlen + 1 > size)
                return -1;
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return 0;
        }
        p = stop;
    }
    return -1;
}

int web_request_split_path(const char *path, char seg[][WEB_SEGMENT_MAX + 1], size_t max)
{
    if (!path || path[0] != '/')
        return -1;
    size_t n = 0;
    const char *p = path + 1;
    char buf[WEB_SEGMENT_MAX * 3 + 1];
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 0)
            return -1; /* "//" (a trailing slash ends the loop below) */
        if (n >= max || n >= WEB_SEGMENTS_MAX || len > WEB_SEGMENT_MAX * 3)
            return -1;
        long dl = decode(p, len, buf, 0);
        if (dl < 0 || dl > WEB_SEGMENT_MAX || memchr(buf, '/', (size_t)dl) ||
            !web_utf8_valid(buf, (size_t)dl) || strcmp(buf, ".") == 0 || strcmp(buf, "..") == 0)
            return -1;
        memcpy(seg[n], buf, (size_t)dl + 1);
        n++;
        if (!slash)
            break;
        p = slash + 1;
    }
    return (int)n;
}

/* Appends s percent-encoded (all but A-Z a-z 0-9 - . _ ~) at out[*n]. */
static int append_encoded(char *out, size_t size, size_t *n, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        size_t need = plain ? 1 : 3;
        if (*n + need >= size)
            return -1;
        if (plain) {
            out[(*n)++] = (char)*p;
        } else {
            out[(*n)++] = '%';
            out[(*n)++] = hex[*p >> 4];
            out[(*n)++] = hex[*p & 15];
        }
    }
    return 0;
}

int web_request_rebuild_url(const char *path, const web_fields *fields, char *out, size_t size)
{
    if (!out || size == 0)
        return -1;
    out[0] = '\0';
    size_t len = path ? strlen(path) : 0;
    if (!path || len + 1 > size)
        return -1;
    memcpy(out, path, len + 1);
    size_t n = len;
    for (size_t i = 0; fields && i < fields->count; i++) {
        int ok = n + 1 < size;
        if (ok)
            out[n++] = i == 0 ? '?' : '&';
        ok = ok && append_encoded(out, size, &n, fields->items[i].name) == 0 && n + 1 < size;
        if (ok)
            out[n++] = '=';
        ok = ok && append_encoded(out, size, &n, fields->items[i].value) == 0;
        if (!ok) {
            out[len] = '\0';
            return -1;
        }
    }
    out[n] = '\0';
    return 0;
}
