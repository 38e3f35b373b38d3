/*
 * extract_known.c - the evaluator's file of known registries (see
 * extract_known.h).
 */
#include "extract_known.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/fileio.h"

#define KNOWN_MAX (4 << 20)
#define ID_MAX 128

/* Whether line (len bytes, no newline) is "ID FP"; fills id and fp. */
static int parse_line(const char *line, size_t len, char id[ID_MAX + 1],
                      char fp[SR_FINGERPRINT_SIZE])
{
    const char *space = memchr(line, ' ', len);
    if (!space || space == line || (size_t)(space - line) > ID_MAX ||
        (size_t)(line + len - space - 1) != SR_FINGERPRINT_SIZE - 1)
        return 0;
    for (const char *p = space + 1; p < line + len; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    memcpy(id, line, (size_t)(space - line));
    id[space - line] = '\0';
    memcpy(fp, space + 1, SR_FINGERPRINT_SIZE - 1);
    fp[SR_FINGERPRINT_SIZE - 1] = '\0';
    return 1;
}

static int is_comment(const char *line, size_t len)
{
    return len == 0 || line[0] == '#';
}

/* Reads the file (an absent one is empty); *text is malloc'd. */
static sr_status read_known(const char *path, char **text, size_t *len, sr_error *err)
{
    unsigned char *data = NULL;
    *text = NULL;
    *len = 0;
    if (!srp_file_exists(path))
        return SR_OK;
    sr_status rc = srp_file_read_all(path, KNOWN_MAX, &data, len, err);
    if (rc == SR_OK)
        *text = (char *)data;
    return rc;
}

/* Walks the lines: fn gets each with its parsed id (NULL for a comment). */
static sr_status each_line(const char *path, const char *text, size_t len,
                           int (*fn)(void *ctx, const char *line, size_t n, const char *id,
                                     const char *fp),
                           void *ctx, sr_error *err)
{
    size_t lineno = 0;
    for (size_t at = 0; at < len;) {
        const char *line = text + at;
        const char *nl = memchr(line, '\n', len - at);
        size_t n = nl ? (size_t)(nl - line) : len - at;
        at += n + (nl ? 1 : 0);
        lineno++;
        char id[ID_MAX + 1], fp[SR_FINGERPRINT_SIZE];
        if (is_comment(line, n)) {
            if (fn(ctx, line, n, NULL, NULL))
                break;
            continue;
        }
        if (!parse_line(line, n, id, fp))
            return srp_error_set_where(err, SR_ERR_INVALID, path,
                                       "the file of known registries '%s' is damaged at line %zu",
                                       path, lineno);
        if (fn(ctx, line, n, id, fp))
            break;
    }
    return SR_OK;
}

typedef struct lookup_ctx {
    const char *want;
    char *fp;
    int found;
} lookup_ctx;

static int lookup_one(void *ctx, const char *line, size_t n, const char *id, const char *fp)
{
    lookup_ctx *c = ctx;
    (void)line;
    (void)n;
    if (id && strcmp(id, c->want) == 0) {
        snprintf(c->fp, SR_FINGERPRINT_SIZE, "%s", fp);
        c->found = 1;
        return 1;
    }
    return 0;
}

sr_status srp_known_lookup(const char *path, const char *registry_id, char fp[SR_FINGERPRINT_SIZE],
                           sr_error *err)
{
    char *text = NULL;
    size_t len = 0;
    fp[0] = '\0';
    sr_status rc = read_known(path, &text, &len, err);
    lookup_ctx c = {registry_id, fp, 0};
    if (rc == SR_OK)
        rc = each_line(path, text, len, lookup_one, &c, err);
    free(text);
    if (rc == SR_OK && !c.found)
        rc = SR_ERR_NOT_FOUND;
    return rc;
}

typedef struct rewrite_ctx {
    const char *id, *fp;
    srp_buf out;
    int replaced;
} rewrite_ctx;

static int rewrite_one(void *ctx, const char *line, size_t n, const char *id, const char *fp)
{
    rewrite_ctx *c = ctx;
    (void)fp;
    if (id && strcmp(id, c->id) == 0) {
        if (!c->replaced)
            srp_buf_printf(&c->out, "%s %s\n", c->id, c->fp);
        c->replaced = 1;
    } else {
        srp_buf_printf(&c->out, "%.*s\n", (int)n, line);
    }
    return 0;
}

/* Makes the folder that holds path (and its parents), 0700. */
static sr_status make_parent(const char *path, sr_error *err)
{
    char *dir = strdup(path);
    if (!dir)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    char *slash = strrchr(dir, '/');
    sr_status rc = SR_OK;
    if (slash && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; rc == SR_OK; p++) {
            int end = *p == '\0';
            if (*p == '/' || end) {
                *p = '\0';
                if (mkdir(dir, 0700) != 0 && errno != EEXIST)
                    rc = srp_error_set_where(err, SR_ERR_IO, path, "cannot create '%s': %s", dir,
                                             strerror(errno));
                if (end)
                    break;
                *p = '/';
            }
        }
    }
    free(dir);
    return rc;
}

sr_status srp_known_remember(const char *path, const char *registry_id, const char *fp,
                             sr_error *err)
{
    if (strlen(registry_id) == 0 || strlen(registry_id) > ID_MAX || strchr(registry_id, ' ') ||
        strchr(registry_id, '\n'))
        return srp_error_set(err, SR_ERR_INVALID, "the registry id '%s' cannot be remembered",
                             registry_id);
    char *text = NULL;
    size_t len = 0;
    rewrite_ctx c = {registry_id, fp, SRP_BUF_INIT, 0};
    sr_status rc = read_known(path, &text, &len, err);
    if (rc == SR_OK && !text)
        srp_buf_printf(&c.out, "# sigreg: registries whose extracts this user has opened, and "
                               "the fingerprint of the key that signs them\n");
    if (rc == SR_OK)
        rc = each_line(path, text, len, rewrite_one, &c, err);
    if (rc == SR_OK && !c.replaced)
        srp_buf_printf(&c.out, "%s %s\n", registry_id, fp);
    if (rc == SR_OK && c.out.oom)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK)
        rc = make_parent(path, err);
    if (rc == SR_OK)
        rc = srp_file_write_atomic(path, c.out.data, c.out.len, err);
    srp_buf_free(&c.out);
    free(text);
    return rc;
}
