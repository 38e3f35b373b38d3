/*
 * archive.c - writing and reading the named files inside an extract.
 */
#include "archive.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "crypto.h"

struct srp_archive_writer {
    srp_archive_out_fn out;
    void *ctx;
    unsigned char *block; /* 4-byte length, then up to SRP_ARCHIVE_BLOCK bytes */
    size_t used;
    int open;
};

static void put_le(unsigned char *p, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

srp_archive_writer *srp_archive_writer_new(srp_archive_out_fn out, void *ctx)
{
    srp_archive_writer *w = calloc(1, sizeof *w);
    if (w)
        w->block = malloc(4 + SRP_ARCHIVE_BLOCK);
    if (!w || !w->block) {
        srp_archive_writer_free(w);
        return NULL;
    }
    w->out = out;
    w->ctx = ctx;
    return w;
}

void srp_archive_writer_free(srp_archive_writer *w)
{
    if (!w)
        return;
    if (w->block) {
        srp_wipe(w->block, 4 + SRP_ARCHIVE_BLOCK);
        free(w->block);
    }
    free(w);
}

static sr_status flush_block(srp_archive_writer *w, sr_error *err)
{
    if (w->used == 0)
        return SR_OK;
    put_le(w->block, (uint32_t)w->used, 4);
    sr_status rc = w->out(w->ctx, w->block, 4 + w->used, err);
    srp_wipe(w->block, 4 + w->used);
    w->used = 0;
    return rc;
}

sr_status srp_archive_end(srp_archive_writer *w, sr_error *err)
{
    if (!w->open)
        return SR_OK;
    w->open = 0;
    sr_status rc = flush_block(w, err);
    unsigned char zero[4] = {0, 0, 0, 0};
    return rc == SR_OK ? w->out(w->ctx, zero, sizeof zero, err) : rc;
}

sr_status srp_archive_begin(srp_archive_writer *w, const char *name, sr_error *err)
{
    sr_status rc = srp_archive_end(w, err);
    size_t n = strlen(name);
    if (rc != SR_OK)
        return rc;
    if (n == 0 || n > SRP_ARCHIVE_NAME_MAX)
        return srp_error_set(err, SR_ERR_USAGE, "'%s' is not a name for a file in an extract",
                             name);
    unsigned char len[2];
    put_le(len, (uint32_t)n, 2);
    rc = w->out(w->ctx, len, sizeof len, err);
    if (rc == SR_OK)
        rc = w->out(w->ctx, name, n, err);
    w->open = rc == SR_OK;
    return rc;
}

sr_status srp_archive_write(srp_archive_writer *w, const void *data, size_t len, sr_error *err)
{
    if (!w->open)
        return srp_error_set(err, SR_ERR_STATE, "no file is open in the extract");
    const unsigned char *p = data;
    while (len > 0) {
        if (w->used == SRP_ARCHIVE_BLOCK) {
            sr_status rc = flush_block(w, err);
            if (rc != SR_OK)
                return rc;
        }
        size_t n = SRP_ARCHIVE_BLOCK - w->used;
        if (n > len)
            n = len;
        memcpy(w->block + 4 + w->used, p, n);
        w->used += n;
        p += n;
        len -= n;
    }
    return SR_OK;
}

sr_status srp_archive_add(srp_archive_writer *w, const char *name, const void *data, size_t len,
                          sr_error *err)
{
    sr_status rc = srp_archive_begin(w, name, err);
    if (rc == SR_OK)
        rc = srp_archive_write(w, data, len, err);
    if (rc == SR_OK)
        rc = srp_archive_end(w, err);
    return rc;
}

/* ---- reading -------------------------------------------------------------------------------- */

enum { A_NAME_LEN, A_NAME, A_LEN, A_DATA };

struct srp_archive_reader {
    int format;
    srp_archive_sink sink;
    int has_sink;
    int state;
    unsigned char head[4];
    size_t head_len, head_need;
    char name[SRP_ARCHIVE_NAME_MAX + 1];
    size_t name_len;
    size_t left; /* data bytes left in the current entry (1) or block (2) */
    size_t files;
    int failed;
};

srp_archive_reader *srp_archive_reader_new(int format, const srp_archive_sink *sink)
{
    srp_archive_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->format = format;
    if (sink) {
        r->sink = *sink;
        r->has_sink = 1;
    }
    r->state = A_NAME_LEN;
    r->head_need = 2;
    return r;
}

void srp_archive_reader_free(srp_archive_reader *r)
{
    free(r);
}

static sr_status malformed(sr_error *err)
{
    return srp_error_set(err, SR_ERR_TAMPERED, "the extract's contents are malformed");
}

static uint32_t get_le(const unsigned char *p, size_t bytes)
{
    uint32_t v = 0;
    for (size_t i = 0; i < bytes; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static sr_status file_end(srp_archive_reader *r, sr_error *err)
{
    r->files++;
    r->state = A_NAME_LEN;
    r->head_need = 2;
    return r->has_sink && r->sink.end ? r->sink.end(r->sink.ctx, err) : SR_OK;
}

sr_status srp_archive_reader_feed(srp_archive_reader *r, const void *data, size_t len,
                                  sr_error *err)
{
    const unsigned char *p = data;
    sr_status rc = r->failed ? malformed(err) : SR_OK;
    while (rc == SR_OK && len > 0) {
        if (r->state == A_DATA) {
            size_t n = r->left < len ? r->left : len;
            if (r->has_sink && r->sink.data)
                rc = r->sink.data(r->sink.ctx, p, n, err);
            p += n;
            len -= n;
            r->left -= n;
            if (rc == SR_OK && r->left == 0) {
                if (r->format == 1)
                    rc = file_end(r, err);
                else {
                    r->state = A_LEN;
                    r->head_need = 4;
                }
            }
            continue;
        }
        if (r->state == A_NAME) {
            size_t n = r->left < len ? r->left : len;
            memcpy(r->name + r->name_len, p, n);
            r->name_len += n;
            p += n;
            len -= n;
            r->left -= n;
            if (r->left == 0) {
                r->name[r->name_len] = '\0';
                if (memchr(r->name, '\0', r->name_len))
                    rc = malformed(err);
                else if (r->has_sink && r->sink.begin)
                    rc = r->sink.begin(r->sink.ctx, r->name, err);
                r->state = A_LEN;
                r->head_need = 4;
            }
            continue;
        }
        size_t n = r->head_need - r->head_len < len ? r->head_need - r->head_len : len;
        memcpy(r->head + r->head_len, p, n);
        r->head_len += n;
        p += n;
        len -= n;
        if (r->head_len < r->head_need)
            continue;
        uint32_t v = get_le(r->head, r->head_need);
        r->head_len = 0;
        if (r->state == A_NAME_LEN) {
            if (v == 0 || v > SRP_ARCHIVE_NAME_MAX) {
                rc = malformed(err);
                break;
            }
            r->state = A_NAME;
            r->left = v;
            r->name_len = 0;
        } else if (v == 0) { /* A_LEN: an empty file (1), the end of a file (2) */
            rc = file_end(r, err);
        } else {
            r->state = A_DATA;
            r->left = v;
        }
    }
    if (rc != SR_OK)
        r->failed = 1;
    return rc;
}

sr_status srp_archive_reader_finish(srp_archive_reader *r, size_t *files, sr_error *err)
{
    if (files)
        *files = r->files;
    if (r->failed || r->state != A_NAME_LEN || r->head_len != 0 || r->files == 0)
        return malformed(err);
    return SR_OK;
}
