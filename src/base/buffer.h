/*
 * buffer.h - growable byte buffers and arrays (internal).
 *
 * A buffer remembers a failed allocation (oom) and ignores what is added
 * after it, so a builder checks once, at the end. The bytes are always
 * followed by a NUL, so a buffer of text is a C string as it grows.
 */
#ifndef SIGREG_BUFFER_H
#define SIGREG_BUFFER_H

#include <stddef.h>
#include <stdint.h>

typedef struct srp_buf {
    unsigned char *data;
    size_t len, cap;
    int oom;
} srp_buf;

#define SRP_BUF_INIT                                                                               \
    {                                                                                              \
        NULL, 0, 0, 0                                                                              \
    }

void srp_buf_put(srp_buf *b, const void *bytes, size_t n);
void srp_buf_puts(srp_buf *b, const char *text);
void srp_buf_printf(srp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* v in `bytes` bytes, least significant first. */
void srp_buf_put_le(srp_buf *b, uint64_t v, size_t bytes);
/* The text so far ("" when nothing was added). */
const char *srp_buf_text(const srp_buf *b);
/* The text in an allocation of its own size, handed to the caller; the
 * buffer is left empty. NULL (and nothing held) after a failed allocation. */
char *srp_buf_take(srp_buf *b);
/* Frees; srp_buf_wipe first overwrites what the buffer held. */
void srp_buf_free(srp_buf *b);
void srp_buf_wipe(srp_buf *b);

/* Copies src (NULL: "") into dst of size bytes, cut to size - 1 and
 * NUL-terminated: a copy, not a format (cheaper than snprintf "%s"). */
void srp_str_copy(char *dst, size_t size, const char *src);

/* Whether two texts are the same, NULL being the same only as NULL. */
int srp_str_same(const char *a, const char *b);

/* Makes *items (of *cap elements of `size` bytes) hold at least `need`,
 * doubling; 0, or -1 with *items untouched when out of memory. */
int srp_grow(void **items, size_t *cap, size_t need, size_t size);

#endif
