/*
 * fileio.h - whole-file reads and crash-safe whole-file writes (internal).
 *
 * srp_file_write_atomic writes to a temporary file in the same directory,
 * fsyncs it, renames it over the target and fsyncs the directory, so that a
 * crash leaves either the old or the new file, never a mix. Files are created
 * with mode 0600. Nothing here knows what the bytes mean.
 */
#ifndef SIGREG_FILEIO_H
#define SIGREG_FILEIO_H

#include <stddef.h>

#include "sigreg/status.h"

/* Reads all of path (at most max_len bytes) into a new malloc'd buffer with a
 * NUL after the data; the caller frees *out. */
sr_status srp_file_read_all(const char *path, size_t max_len, unsigned char **out, size_t *out_len,
                            sr_error *err);
sr_status srp_file_write_atomic(const char *path, const void *data, size_t len, sr_error *err);
/* Copies src to dst atomically (same guarantees as srp_file_write_atomic). */
sr_status srp_file_copy_atomic(const char *src, const char *dst, sr_error *err);
/* Opens a new temporary file beside path (PATH.tmp-XXXXXX, mkstemp: created
 * new with O_EXCL, never through a link, mode 0600); fills *tmp_out (the
 * caller frees it). -1 with errno set on failure. */
int srp_file_temp_beside(const char *path, char **tmp_out);
/* fsyncs and closes fd, then moves tmp to path: with replace by rename,
 * otherwise by link() so that an existing path is never replaced
 * (SR_ERR_EXISTS). tmp is removed on any failure; the folder is fsynced. */
sr_status srp_file_finish_temp(int fd, const char *tmp, const char *path, int replace,
                               sr_error *err);
/* fsyncs the directory that holds path. */
sr_status srp_file_sync_dir(const char *path, sr_error *err);
int srp_file_exists(const char *path);
/* SR_OK when the folder that would hold path exists and can be written. */
sr_status srp_file_dir_writable(const char *path, sr_error *err);
/* The path without the extension of its last component (registry.db ->
 * registry): the stem that a registry's sidecar files share. New malloc'd
 * string, NULL on OOM. */
char *srp_path_stem(const char *path);
/* A new malloc'd string: prefix followed by suffix; NULL on OOM. */
char *srp_str_concat(const char *prefix, const char *suffix);

#endif
