/*
 * sink.c - the output sinks of sigreg/sink.h: a stdio stream and memory.
 */
#include "sigreg/sink.h"

#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"

static int file_write(void *ctx, const void *data, size_t len)
{
    return fwrite(data, 1, len, (FILE *)ctx) == len ? 0 : -1;
}

sr_sink sr_sink_file(FILE *stream)
{
    sr_sink s = {file_write, stream};
    return s;
}

static int memory_write(void *ctx, const void *data, size_t len)
{
    sr_sink_memory *m = ctx;
    if (m->failed)
        return -1;
    void *items = m->data;
    if (srp_grow(&items, &m->cap, m->len + len + 1, 1) != 0) {
        m->failed = 1;
        return -1;
    }
    m->data = items;
    memcpy(m->data + m->len, data, len);
    m->len += len;
    m->data[m->len] = '\0';
    return 0;
}

sr_sink sr_sink_to_memory(sr_sink_memory *memory)
{
    sr_sink s = {memory_write, memory};
    return s;
}

void sr_sink_memory_release(sr_sink_memory *memory)
{
    if (!memory)
        return;
    if (memory->data)
        explicit_bzero(memory->data, memory->cap);
    free(memory->data);
    memset(memory, 0, sizeof *memory);
}

sr_status sr_sink_write(const sr_sink *sink, const void *data, size_t len, sr_error *err)
{
    if (len == 0)
        return SR_OK;
    if (!sink || !sink->write || sink->write(sink->ctx, data, len) != 0)
        return srp_error_set(err, SR_ERR_IO, "cannot write the output");
    return SR_OK;
}
