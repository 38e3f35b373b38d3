/*
 * sink.h - where the library writes a rendered output (a summary as CSV or
 * JSON, a report page, a case as JSON): a file, a memory buffer for a web
 * page, or anything else that takes bytes. The library never opens the
 * destination itself; the front end hands it a sink.
 */
#ifndef SIGREG_SINK_H
#define SIGREG_SINK_H

#include <stddef.h>
#include <stdio.h>

#include "sigreg/status.h"

typedef struct sr_sink {
    /* Writes len bytes; returns 0, or -1 when the destination failed. */
    int (*write)(void *ctx, const void *data, size_t len);
    void *ctx;
} sr_sink;

/* A sink onto an open stdio stream (borrowed; the caller closes it). */
sr_sink sr_sink_file(FILE *stream);

/* A sink into memory: a growing buffer the caller owns. */
typedef struct sr_sink_memory {
    char *data; /* NUL-terminated, malloc'd; NULL until something is written */
    size_t len;
    size_t cap;
    int failed; /* an allocation failed; data holds what came before */
} sr_sink_memory;
sr_sink sr_sink_to_memory(sr_sink_memory *memory);
/* Frees what a memory sink holds (wiped first) and empties it. */
void sr_sink_memory_release(sr_sink_memory *memory);

/* Writes through a sink; SR_ERR_IO (err filled, naming what) on failure. */
sr_status sr_sink_write(const sr_sink *sink, const void *data, size_t len, sr_error *err);

#endif
