/*
 * output.h - creating the files a command writes (a summary, a report, an
 * extract, a backup, a key) so that they never damage anything.
 *
 * An output is written to a new temporary file in the target's own folder
 * (mkstemp: created new, never through a planted link, mode 0600), flushed
 * and fsynced, and only then moved into place; a failure or an abort leaves
 * nothing behind. An existing file is replaced only when the caller asks
 * (force), and a registry's own files (the database, its keyring, code key
 * and lock, of this registry or of any registry found beside the target)
 * are never written, whatever the path and whatever force says.
 */
#ifndef SIGREG_OUTPUT_H
#define SIGREG_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "sigreg/sink.h"
#include "sigreg/status.h"

typedef struct sr_output sr_output;

typedef struct sr_output_options {
    int force;            /* replace an existing file (never a registry's) */
    const char *registry; /* the open registry's path, or NULL */
} sr_output_options;

/* Refuses a path that is (or would be) one of a registry's files, or, unless
 * force, one that exists: SR_ERR_DENIED / SR_ERR_EXISTS with where "out". */
sr_status sr_output_check(const char *path, const sr_output_options *options, sr_error *err);
/* Checks path (sr_output_check) and opens a temporary file for it. *out is
 * owned by the caller: end it with sr_output_commit or sr_output_abort. */
sr_status sr_output_open(const char *path, const sr_output_options *options, sr_output **out,
                         sr_error *err);
/* The output as a stdio stream and as a sink (both borrowed from o). */
FILE *sr_output_stream(sr_output *o);
sr_sink sr_output_sink(sr_output *o);
/* Flushes, fsyncs and moves the file into place (checked once more), then
 * frees o; on failure nothing is left behind. */
sr_status sr_output_commit(sr_output *o, sr_error *err);
/* Removes the temporary file and frees o; NULL is a no-op. */
void sr_output_abort(sr_output *o);
/* Writes data as a whole output (open, write, commit). */
sr_status sr_output_write_all(const char *path, const sr_output_options *options, const void *data,
                              size_t len, sr_error *err);

#endif
