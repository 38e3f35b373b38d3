/*
 * fileio.c - whole-file reads and crash-safe writes with temp + fsync + rename.
 */
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"

char *srp_path_stem(const char *path)
{
    char *stem = strdup(path);
    if (!stem)
        return NULL;
    char *slash = strrchr(stem, '/');
    char *dot = strrchr(stem, '.');
    if (dot && (!slash || dot > slash + 1))
        *dot = '\0';
    return stem;
}

char *srp_str_concat(const char *prefix, const char *suffix)
{
    size_t a = strlen(prefix), b = strlen(suffix);
    char *s = malloc(a + b + 1);
    if (!s)
        return NULL;
    memcpy(s, prefix, a);
    memcpy(s + a, suffix, b + 1);
    return s;
}

int srp_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

sr_status srp_file_dir_writable(const char *path, sr_error *err)
{
    char *copy = strdup(path);
    if (!copy)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    const char *dir = dirname(copy);
    struct stat st;
    sr_status rc = SR_OK;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        rc = srp_error_set_where(err, SR_ERR_IO, path, "the folder '%s' does not exist", dir);
    else if (access(dir, W_OK) != 0)
        rc = srp_error_set_where(err, SR_ERR_IO, path, "the folder '%s' is not writable", dir);
    free(copy);
    return rc;
}

sr_status srp_file_read_all(const char *path, size_t max_len, unsigned char **out, size_t *out_len,
                            sr_error *err)
{
    sr_status rc = SR_OK;
    unsigned char *buf = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return srp_error_set_where(err, SR_ERR_NOT_FOUND, path, "'%s' does not exist", path);
        return srp_error_set_where(err, SR_ERR_IO, path, "cannot open '%s': %s", path,
                                   strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = srp_error_set_where(err, SR_ERR_IO, path, "'%s' is not a regular file", path);
        goto out;
    }
    if ((size_t)st.st_size > max_len) {
        rc = srp_error_set_where(err, SR_ERR_INVALID, path, "'%s' is larger than %zu bytes", path,
                                 max_len);
        goto out;
    }
    size_t cap = (size_t)st.st_size;
    buf = malloc(cap + 1);
    if (!buf) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory reading '%s'", path);
        goto out;
    }
    size_t got = 0;
    while (got < cap) {
        ssize_t n = read(fd, buf + got, cap - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = srp_error_set_where(err, SR_ERR_IO, path, "cannot read '%s': %s", path,
                                     strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    *out = buf;
    *out_len = got;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return rc;
}

sr_status srp_file_sync_dir(const char *path, sr_error *err)
{
    char *copy = strdup(path);
    if (!copy)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    const char *dir = dirname(copy);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    sr_status rc = SR_OK;
    if (fd < 0 || fsync(fd) != 0)
        rc = srp_error_set_where(err, SR_ERR_IO, path, "cannot sync the folder of '%s': %s", path,
                                 strerror(errno));
    if (fd >= 0)
        close(fd);
    free(copy);
    return rc;
}

static int write_fully(int fd, const unsigned char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int srp_file_temp_beside(const char *path, char **tmp_out)
{
    char *tmp = srp_str_concat(path, ".tmp-XXXXXX");
    if (!tmp)
        return -1;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    (void)fchmod(fd, 0600);
    *tmp_out = tmp;
    return fd;
}

sr_status srp_file_finish_temp(int fd, const char *tmp, const char *path, int replace,
                               sr_error *err)
{
    sr_status rc = SR_OK;
    if (fsync(fd) != 0) {
        rc = srp_error_set_where(err, SR_ERR_IO, path, "cannot write '%s': %s", path,
                                 strerror(errno));
        close(fd);
        unlink(tmp);
        return rc;
    }
    if (close(fd) != 0) {
        rc = srp_error_set_where(err, SR_ERR_IO, path, "cannot write '%s': %s", path,
                                 strerror(errno));
        unlink(tmp);
        return rc;
    }
    if (replace) {
        if (rename(tmp, path) != 0) {
            rc = srp_error_set_where(err, SR_ERR_IO, path, "cannot write '%s': %s", path,
                                     strerror(errno));
            unlink(tmp);
            return rc;
        }
    } else {
        /* link() never replaces: a file that appeared meanwhile is kept. */
        if (link(tmp, path) != 0) {
            int e = errno;
            unlink(tmp);
            if (e == EEXIST)
                return srp_error_set_where(err, SR_ERR_EXISTS, path, "'%s' exists already", path);
            return srp_error_set_where(err, SR_ERR_IO, path, "cannot write '%s': %s", path,
                                       strerror(e));
        }
        unlink(tmp);
    }
    return srp_file_sync_dir(path, err);
}

sr_status srp_file_write_atomic(const char *path, const void *data, size_t len, sr_error *err)
{
    char *tmp = NULL;
    int fd = srp_file_temp_beside(path, &tmp);
    if (fd < 0)
        return srp_error_set_where(err, SR_ERR_IO, path, "cannot create a file beside '%s': %s",
                                   path, strerror(errno));
    sr_status rc;
    if (write_fully(fd, data, len) != 0) {
        rc = srp_error_set_where(err, SR_ERR_IO, path, "cannot write '%s': %s", path,
                                 strerror(errno));
        close(fd);
        unlink(tmp);
    } else {
        rc = srp_file_finish_temp(fd, tmp, path, 1, err);
    }
    free(tmp);
    return rc;
}

sr_status srp_file_copy_atomic(const char *src, const char *dst, sr_error *err)
{
    char *tmp = NULL;
    sr_status rc = SR_OK;
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return srp_error_set_where(err, SR_ERR_IO, src, "cannot open '%s': %s", src,
                                   strerror(errno));
    int fd = srp_file_temp_beside(dst, &tmp);
    if (fd < 0) {
        rc = srp_error_set_where(err, SR_ERR_IO, dst, "cannot create a file beside '%s': %s", dst,
                                 strerror(errno));
        close(in);
        return rc;
    }
    unsigned char buf[65536];
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || (n > 0 && write_fully(fd, buf, (size_t)n) != 0)) {
            rc = srp_error_set_where(err, SR_ERR_IO, dst, "cannot copy '%s' to '%s': %s", src, dst,
                                     strerror(errno));
            close(fd);
            unlink(tmp);
            goto out;
        }
        if (n == 0)
            break;
    }
    rc = srp_file_finish_temp(fd, tmp, dst, 1, err);
out:
    close(in);
    free(tmp);
    return rc;
}
