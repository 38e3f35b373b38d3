/*
 * buffer.c - growable byte buffers and arrays.
 */
#include "base/buffer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int srp_grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    void *grown = realloc(*items, n * size);
    if (!grown)
        return -1;
    *items = grown;
    *cap = n;
    return 0;
}

void srp_str_copy(char *dst, size_t size, const char *src)
{
    if (size == 0)
        return;
    size_t n = src ? strlen(src) : 0;
    if (n >= size)
        n = size - 1;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

int srp_str_same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

void srp_buf_put(srp_buf *b, const void *bytes, size_t n)
{
    if (b->oom)
        return;
    size_t cap = b->cap;
    void *data = b->data;
    /* Text buffers start small; they double from there. */
    if (srp_grow(&data, &cap, b->len + n + 1, 1) != 0) {
        b->oom = 1;
        return;
    }
    b->data = data;
    b->cap = cap;
    if (n)
        memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void srp_buf_puts(srp_buf *b, const char *text)
{
    srp_buf_put(b, text, strlen(text));
}

void srp_buf_printf(srp_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        srp_buf_put(b, small, (size_t)n);
        return;
    }
    char *large = malloc((size_t)n + 1);
    if (!large) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(large, (size_t)n + 1, fmt, ap);
    va_end(ap);
    srp_buf_put(b, large, (size_t)n);
    free(large);
}

void srp_buf_put_le(srp_buf *b, uint64_t v, size_t bytes)
{
    unsigned char x[8];
    for (size_t i = 0; i < bytes && i < sizeof x; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    srp_buf_put(b, x, bytes < sizeof x ? bytes : sizeof x);
}

const char *srp_buf_text(const srp_buf *b)
{
    return b->data ? (const char *)b->data : "";
}

char *srp_buf_take(srp_buf *b)
{
    char *text = NULL;
    if (!b->oom) {
        text = b->data ? realloc(b->data, b->len + 1) : strdup("");
        if (!text && b->data)
            text = (char *)b->data; /* shrinking failed: keep it as it is */
        b->data = NULL;
    }
    srp_buf_free(b);
    return text;
}

void srp_buf_free(srp_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

void srp_buf_wipe(srp_buf *b)
{
    if (b->data)
        explicit_bzero(b->data, b->cap);
    srp_buf_free(b);
}
