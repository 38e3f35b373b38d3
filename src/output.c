/*
 * output.c - outputs created new, fsynced and renamed into place, never onto
 * a registry's own files (see sigreg/output.h).
 */
#include "sigreg/output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fileio.h"

struct sr_output {
    char *path;
    char *tmp;
    FILE *stream;
    sr_output_options options;
    char *registry;
};

static const char *const sidecars[] = {".keyring", ".codekey", ".lock", ".sidelog", ".checkpoint"};
#define SIDECARS (sizeof sidecars / sizeof sidecars[0])

/* Whether st is the same file as path (when path exists). */
static int same_file(const struct stat *st, const char *path)
{
    struct stat other;
    return stat(path, &other) == 0 && other.st_dev == st->st_dev && other.st_ino == st->st_ino;
}

/* 1 when stem names a registry: its keyring is there. */
static int is_registry_stem(const char *stem)
{
    char *keyring = srp_str_concat(stem, ".keyring");
    int yes = keyring && srp_file_exists(keyring);
    free(keyring);
    return yes;
}

/* 1 when path is one of the files of the registry at registry_path: by name,
 * or, when both exist, by identity (a link or another name for it). */
static int is_file_of(const char *path, const struct stat *st, int exists,
                      const char *registry_path)
{
    int hit = 0;
    char *stem = srp_path_stem(registry_path);
    if (!stem)
        return 1; /* out of memory: refuse rather than risk it */
    char *files[SIDECARS + 1] = {strdup(registry_path)};
    for (size_t i = 0; i < SIDECARS; i++)
        files[i + 1] = srp_str_concat(stem, sidecars[i]);
    for (size_t i = 0; i < SIDECARS + 1 && !hit; i++) {
        if (!files[i]) {
            hit = 1;
            break;
        }
        if (strcmp(files[i], path) == 0 || (exists && same_file(st, files[i])))
            hit = 1;
    }
    for (size_t i = 0; i < SIDECARS + 1; i++)
        free(files[i]);
    free(stem);
    return hit;
}

/* 1 when path lies in a registry's folder of publications (STEM.publications
 * beside STEM.keyring, or the folder of registry_path by identity). */
static int in_publications(const char *path, const char *registry_path)
{
    static const char ext[] = ".publications";
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return 1;
    struct stat st;
    int hit = 0, exists = stat(dir, &st) == 0;
    size_t n = strlen(dir), e = sizeof ext - 1;
    if (n > e && strcmp(dir + n - e, ext) == 0) {
        char *stem = strndup(dir, n - e);
        hit = !stem || is_registry_stem(stem);
        free(stem);
    }
    if (!hit && exists && registry_path) {
        char *stem = srp_path_stem(registry_path);
        char *own = stem ? srp_str_concat(stem, ext) : NULL;
        hit = !own || same_file(&st, own);
        free(own);
        free(stem);
    }
    free(dir);
    return hit;
}

sr_status sr_output_check(const char *path, const sr_output_options *options, sr_error *err)
{
    if (!path || !*path)
        return srp_error_set_where(err, SR_ERR_USAGE, "out", "no output file named");
    struct stat st;
    int exists = lstat(path, &st) == 0;
    struct stat target;
    int target_exists = stat(path, &target) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return srp_error_set_where(err, SR_ERR_INVALID, "out", "'%s' is a folder, not a file",
                                   path);
    char *stem = srp_path_stem(path);
    if (!stem)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    int registry_file = is_registry_stem(stem);
    free(stem);
    if (!registry_file && options && options->registry)
        registry_file = is_file_of(path, &target, target_exists, options->registry);
    if (!registry_file && in_publications(path, options ? options->registry : NULL))
        return srp_error_set_where(err, SR_ERR_DENIED, "out",
                                   "'%s' is in a registry's own folder of publications: no output "
                                   "goes there",
                                   path);
    if (registry_file)
        return srp_error_set_where(err, SR_ERR_DENIED, "out",
                                   "'%s' is a registry's own file: an output never replaces it",
                                   path);
    if (exists && !(options && options->force))
        return srp_error_set_where(err, SR_ERR_EXISTS, "out",
                                   "'%s' exists already: it is replaced only when asked", path);
    return SR_OK;
}

sr_status sr_output_open(const char *path, const sr_output_options *options, sr_output **out,
                         sr_error *err)
{
    *out = NULL;
    sr_status rc = sr_output_check(path, options, err);
    if (rc != SR_OK)
        return rc;
    rc = srp_file_dir_writable(path, err);
    if (rc != SR_OK)
        return rc;
    sr_output *o = calloc(1, sizeof *o);
    if (!o)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (options)
        o->options = *options;
    o->path = strdup(path);
    o->registry = options && options->registry ? strdup(options->registry) : NULL;
    o->options.registry = o->registry;
    if (!o->path || (options && options->registry && !o->registry)) {
        sr_output_abort(o);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    int fd = srp_file_temp_beside(path, &o->tmp);
    if (fd < 0) {
        rc = srp_error_set_where(err, SR_ERR_IO, "out", "cannot create a file beside '%s': %s",
                                 path, strerror(errno));
        sr_output_abort(o);
        return rc;
    }
    o->stream = fdopen(fd, "wb");
    if (!o->stream) {
        close(fd);
        sr_output_abort(o);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    *out = o;
    return SR_OK;
}

FILE *sr_output_stream(sr_output *o)
{
    return o->stream;
}

sr_sink sr_output_sink(sr_output *o)
{
    return sr_sink_file(o->stream);
}

static void output_free(sr_output *o)
{
    free(o->path);
    free(o->tmp);
    free(o->registry);
    free(o);
}

sr_status sr_output_commit(sr_output *o, sr_error *err)
{
    if (!o)
        return srp_error_set(err, SR_ERR_USAGE, "no output to commit");
    sr_status rc = SR_OK;
    int failed = ferror(o->stream) || fflush(o->stream) != 0;
    int fd = dup(fileno(o->stream));
    if (fclose(o->stream) != 0)
        failed = 1;
    o->stream = NULL;
    if (failed || fd < 0) {
        rc = srp_error_set_where(err, SR_ERR_IO, "out", "cannot write '%s'", o->path);
        if (fd >= 0)
            close(fd);
        unlink(o->tmp);
        output_free(o);
        return rc;
    }
    /* The target may have changed while the output was written. */
    rc = sr_output_check(o->path, &o->options, err);
    if (rc != SR_OK) {
        close(fd);
        unlink(o->tmp);
    } else {
        rc = srp_file_finish_temp(fd, o->tmp, o->path, o->options.force, err);
    }
    output_free(o);
    return rc;
}

void sr_output_abort(sr_output *o)
{
    if (!o)
        return;
    if (o->stream)
        fclose(o->stream);
    if (o->tmp)
        unlink(o->tmp);
    output_free(o);
}

sr_status sr_output_write_all(const char *path, const sr_output_options *options, const void *data,
                              size_t len, sr_error *err)
{
    sr_output *o = NULL;
    sr_status rc = sr_output_open(path, options, &o, err);
    if (rc != SR_OK)
        return rc;
    if (len && fwrite(data, 1, len, o->stream) != len) {
        sr_output_abort(o);
        return srp_error_set_where(err, SR_ERR_IO, "out", "cannot write '%s'", path);
    }
    return sr_output_commit(o, err);
}
