/*
 * archive.h - the named files inside an extract (internal): one writer, one
 * reader. It only frames bytes: it never opens a file, seals, or knows what
 * the files hold.
 *
 * Format 1 (inside container version 1): entries of
 *   u16 name length | name | u32 data length | data.
 * Format 2 (inside container version 2), written as the data streams:
 *   u16 name length | name | blocks of (u32 length | data) | u32 0.
 * Names are 1 to 64 bytes. The reader takes either format, fed in pieces of
 * any size, and hands each file to a sink as it goes.
 */
#ifndef SIGREG_ARCHIVE_H
#define SIGREG_ARCHIVE_H

#include <stddef.h>

#include "sigreg/status.h"

#define SRP_ARCHIVE_NAME_MAX 64
#define SRP_ARCHIVE_BLOCK (64 * 1024)

/* Where the writer's bytes go: SR_OK, or a failure with err filled. */
typedef sr_status (*srp_archive_out_fn)(void *ctx, const void *data, size_t len, sr_error *err);

/* A format 2 writer. Its block buffer holds plaintext and is wiped. */
typedef struct srp_archive_writer srp_archive_writer;
srp_archive_writer *srp_archive_writer_new(srp_archive_out_fn out, void *ctx); /* NULL: OOM */
void srp_archive_writer_free(srp_archive_writer *writer);                      /* NULL: no-op */
/* Starts a file (ending any open one). */
sr_status srp_archive_begin(srp_archive_writer *writer, const char *name, sr_error *err);
sr_status srp_archive_write(srp_archive_writer *writer, const void *data, size_t len,
                            sr_error *err);
/* Ends the open file. */
sr_status srp_archive_end(srp_archive_writer *writer, sr_error *err);
/* A whole file at once. */
sr_status srp_archive_add(srp_archive_writer *writer, const char *name, const void *data,
                          size_t len, sr_error *err);

/* What a reader hands on; any member may be NULL (then only checked).
 * name is NUL-terminated and borrowed for the call. */
typedef struct srp_archive_sink {
    sr_status (*begin)(void *ctx, const char *name, sr_error *err);
    sr_status (*data)(void *ctx, const void *data, size_t len, sr_error *err);
    sr_status (*end)(void *ctx, sr_error *err);
    void *ctx;
} srp_archive_sink;

typedef struct srp_archive_reader srp_archive_reader;
/* format 1 or 2; sink NULL: only checks. */
srp_archive_reader *srp_archive_reader_new(int format, const srp_archive_sink *sink);
void srp_archive_reader_free(srp_archive_reader *reader); /* NULL: no-op */
/* SR_ERR_TAMPERED ("the extract's contents are malformed") on bad framing. */
sr_status srp_archive_reader_feed(srp_archive_reader *reader, const void *data, size_t len,
                                  sr_error *err);
/* SR_OK when the data ended between files and held at least one; *files
 * (may be NULL) is how many. */
sr_status srp_archive_reader_finish(srp_archive_reader *reader, size_t *files, sr_error *err);

#endif
