/*
 * sidelog.c - the analysts' signed, hash-chained access log beside the
 * registry (see sidelog.h).
 *
 * Line format (JSON, one object per line):
 *   {"seq", "at", "user", "action", "case", "detail", "signer", "link", "sig"}
 * link = BLAKE2b of (label, previous link, seq, at, user, action, case,
 * detail, signer), the first entry's previous link the hash of the registry
 * id; sig = Ed25519 of link by signer (hex public key), base64.
 */
#include "sidelog.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fileio.h"
#include "base/timeutil.h"
#include "crypto.h"

#define SIDELOG_MAX_BYTES (256u << 20)

char *srp_sidelog_path(const char *db_path)
{
    char *stem = srp_path_stem(db_path);
    char *path = stem ? srp_str_concat(stem, SRP_SIDELOG_EXT) : NULL;
    free(stem);
    return path;
}

static void put_text(srp_mac_state *st, const char *text)
{
    unsigned char present = text != NULL;
    srp_mac_field(st, &present, 1);
    srp_mac_field(st, text ? text : "", text ? strlen(text) : 0);
}

static void chain_start(const char *registry_id, unsigned char out[SRP_MAC_BYTES])
{
    srp_mac_state *st = srp_mac_begin(NULL);
    if (!st) {
        memset(out, 0, SRP_MAC_BYTES);
        return;
    }
    static const char label[] = "sigreg sidelog";
    srp_mac_field(st, label, sizeof label - 1);
    srp_mac_field(st, registry_id, strlen(registry_id));
    srp_mac_end(st, out);
}

static sr_status link_of(const unsigned char prev[SRP_MAC_BYTES], int64_t seq, const char *at,
                         const char *user, const char *action, const char *case_code,
                         const char *detail, const unsigned char pk[SRP_SIGN_PUBLIC_BYTES],
                         unsigned char out[SRP_MAC_BYTES], sr_error *err)
{
    srp_mac_state *st = srp_mac_begin(NULL);
    if (!st)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    static const char label[] = "sigreg sidelog entry";
    srp_mac_field(st, label, sizeof label - 1);
    srp_mac_field(st, prev, SRP_MAC_BYTES);
    unsigned char num[8];
    for (int i = 0; i < 8; i++)
        num[i] = (unsigned char)((uint64_t)seq >> (8 * i));
    srp_mac_field(st, num, sizeof num);
    put_text(st, at);
    put_text(st, user);
    put_text(st, action);
    put_text(st, case_code);
    put_text(st, detail);
    srp_mac_field(st, pk, SRP_SIGN_PUBLIC_BYTES);
    srp_mac_end(st, out);
    return SR_OK;
}

/* One entry as read from a line; strings borrowed from obj. */
typedef struct entry {
    json_t *obj;
    int64_t seq;
    const char *at, *user, *action, *case_code, *detail;
    unsigned char signer[SRP_SIGN_PUBLIC_BYTES];
    unsigned char link[SRP_MAC_BYTES];
    unsigned char sig[SRP_SIGNATURE_BYTES];
} entry;

static const char *opt_text(json_t *obj, const char *key, int *bad)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_null(v))
        return NULL;
    if (!json_is_string(v))
        *bad = 1;
    return json_string_value(v);
}

/* 0 when the line is an entry of the right shape. */
static int parse_entry(const char *line, size_t len, entry *e)
{
    json_error_t jerr;
    memset(e, 0, sizeof *e);
    e->obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(e->obj))
        return -1;
    int bad = 0;
    json_t *seq = json_object_get(e->obj, "seq");
    e->seq = json_is_integer(seq) ? (int64_t)json_integer_value(seq) : 0;
    e->at = json_string_value(json_object_get(e->obj, "at"));
    e->user = json_string_value(json_object_get(e->obj, "user"));
    e->action = json_string_value(json_object_get(e->obj, "action"));
    e->case_code = opt_text(e->obj, "case", &bad);
    e->detail = opt_text(e->obj, "detail", &bad);
    const char *signer = json_string_value(json_object_get(e->obj, "signer"));
    const char *link = json_string_value(json_object_get(e->obj, "link"));
    const char *sig = json_string_value(json_object_get(e->obj, "sig"));
    if (bad || e->seq < 1 || !e->at || !e->user || !e->action || !signer || !link || !sig ||
        srp_hex_decode(e->signer, sizeof e->signer, signer) != 0 ||
        srp_hex_decode(e->link, sizeof e->link, link) != 0)
        return -1;
    size_t got = 0;
    unsigned char *bin = srp_base64_decode(sig, &got);
    int ok = bin && got == SRP_SIGNATURE_BYTES;
    if (ok)
        memcpy(e->sig, bin, SRP_SIGNATURE_BYTES);
    free(bin);
    return ok ? 0 : -1;
}

static void entry_release(entry *e)
{
    json_decref(e->obj);
    e->obj = NULL;
}

sr_status srp_sidelog_append(const char *path, const char *registry_id,
                             const srp_audit_signer *signer, const char *user, const char *action,
                             const char *case_code, const char *detail, sr_error *err)
{
    sr_status rc = SR_OK;
    unsigned char *data = NULL;
    char *line = NULL;
    entry last = {0};
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return srp_error_set_where(err, SR_ERR_IO, path, "cannot open the access log '%s': %s",
                                   path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)SIDELOG_MAX_BYTES) {
        rc = srp_error_set_where(err, SR_ERR_IO, path, "the access log '%s' is not a file of ours",
                                 path);
        goto out;
    }
    size_t size = (size_t)st.st_size;
    data = malloc(size + 1);
    if (!data) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = pread(fd, data + got, size - got, (off_t)got);
        if (n <= 0) {
            rc = srp_error_set_where(err, SR_ERR_IO, path, "cannot read the access log '%s'", path);
            goto out;
        }
        got += (size_t)n;
    }
    /* Whole lines only: a torn one of an interrupted append is cut off. */
    size_t end = size;
    while (end > 0 && data[end - 1] != '\n')
        end--;
    if (end != size && ftruncate(fd, (off_t)end) != 0) {
        rc = srp_error_set_where(err, SR_ERR_IO, path, "cannot repair the access log '%s': %s",
                                 path, strerror(errno));
        goto out;
    }
    unsigned char prev[SRP_MAC_BYTES];
    int64_t seq = 1;
    chain_start(registry_id, prev);
    if (end > 0) {
        size_t start = end - 1;
        while (start > 0 && data[start - 1] != '\n')
            start--;
        if (parse_entry((const char *)data + start, end - 1 - start, &last) != 0) {
            rc = srp_error_set_where(err, SR_ERR_TAMPERED, path,
                                     "the access log '%s' is damaged at its end: an admin must "
                                     "look at it",
                                     path);
            goto out;
        }
        memcpy(prev, last.link, sizeof prev);
        seq = last.seq + 1;
    }
    char at[32];
    srp_time_now_iso(at, sizeof at);
    unsigned char link[SRP_MAC_BYTES], sig[SRP_SIGNATURE_BYTES];
    rc = link_of(prev, seq, at, user, action, case_code, detail, signer->pk, link, err);
    if (rc == SR_OK)
        rc = signer->sign(signer->ctx, link, sizeof link, sig, err);
    if (rc != SR_OK)
        goto out;
    char pk_hex[2 * SRP_SIGN_PUBLIC_BYTES + 1], link_hex[2 * SRP_MAC_BYTES + 1];
    srp_hex_encode(pk_hex, signer->pk, SRP_SIGN_PUBLIC_BYTES);
    srp_hex_encode(link_hex, link, sizeof link);
    char *sig_b64 = srp_base64_encode(sig, sizeof sig);
    json_t *o = sig_b64 ? json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, s:s}", "seq",
                                    (json_int_t)seq, "at", at, "user", user, "action", action,
                                    "case", case_code, "detail", detail, "signer", pk_hex, "link",
                                    link_hex, "sig", sig_b64)
                        : NULL;
    free(sig_b64);
    line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!line) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    size_t n = strlen(line);
    char *full = srp_str_concat(line, "\n");
    if (!full) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    size_t len = n + 1, done = 0;
    while (done < len) {
        ssize_t w = pwrite(fd, full + done, len - done, (off_t)(end + done));
        if (w <= 0) {
            rc = srp_error_set_where(err, SR_ERR_IO, path, "cannot write the access log '%s': %s",
                                     path, strerror(errno));
            break;
        }
        done += (size_t)w;
    }
    free(full);
    if (rc == SR_OK && fsync(fd) != 0)
        rc = srp_error_set_where(err, SR_ERR_IO, path, "cannot write the access log '%s': %s", path,
                                 strerror(errno));
    if (rc == SR_OK && size == 0)
        rc = srp_file_sync_dir(path, err);
out:
    entry_release(&last);
    free(line);
    free(data);
    close(fd);
    return rc;
}

static sr_status broken(const char *path, int64_t seq, const char *why, sr_error *err)
{
    return srp_error_set_where(err, SR_ERR_TAMPERED, path,
                               "the analysts' access log '%s' has been altered at entry %lld: %s",
                               path, (long long)seq, why);
}

sr_status srp_sidelog_verify(const char *path, const char *registry_id,
                             srp_audit_certify_fn certify, void *certify_ctx, int64_t anchor_seq,
                             const unsigned char *anchor_head, int64_t limit, sr_audit_entry_fn fn,
                             void *fn_ctx, srp_sidelog_report *report, sr_error *err)
{
    memset(report, 0, sizeof *report);
    unsigned char *data = NULL;
    size_t len = 0;
    sr_status rc = SR_OK;
    if (srp_file_exists(path))
        rc = srp_file_read_all(path, SIDELOG_MAX_BYTES, &data, &len, err);
    if (rc != SR_OK)
        return rc;
    unsigned char prev[SRP_MAC_BYTES];
    chain_start(registry_id, prev);
    memcpy(report->head, prev, sizeof prev);
    int anchor_held = anchor_seq <= 0;
    for (int pass = 0; pass < (fn ? 2 : 1) && rc == SR_OK; pass++) {
        size_t at = 0;
        int64_t n = 0;
        while (rc == SR_OK && at < len) {
            const unsigned char *nl = memchr(data + at, '\n', len - at);
            if (!nl)
                break; /* a torn last line: no entry */
            size_t line_len = (size_t)(nl - (data + at));
            entry e;
            int bad = parse_entry((const char *)data + at, line_len, &e);
            at += line_len + 1;
            n++;
            if (pass == 1) {
                if (limit <= 0 || n > report->entries - limit) {
                    sr_audit_entry out = {e.seq, e.at, e.user, e.action, e.case_code, e.detail};
                    if (fn(fn_ctx, &out) != 0) {
                        entry_release(&e);
                        break;
                    }
                }
                entry_release(&e);
                continue;
            }
            unsigned char link[SRP_MAC_BYTES];
            int is_admin = 0;
            if (bad)
                rc = broken(path, n, "it is not an entry", err);
            else if (e.seq != n)
                rc = broken(path, n, "an entry is missing or out of order", err);
            else if ((rc = link_of(prev, e.seq, e.at, e.user, e.action, e.case_code, e.detail,
                                   e.signer, link, err)) != SR_OK)
                ;
            else if (srp_memcmp(link, e.link, sizeof link) != 0)
                rc = broken(path, n, "it does not follow from the entry before", err);
            else if (srp_sign_verify(e.sig, link, sizeof link, e.signer) != 0)
                rc = broken(path, n, "its signature does not verify", err);
            else if (certify && !certify(certify_ctx, e.user, e.signer, &is_admin))
                rc = broken(path, n, "it is signed by a key not certified for its user", err);
            if (rc == SR_OK) {
                memcpy(prev, link, sizeof prev);
                if (anchor_seq == n && anchor_head &&
                    srp_memcmp(link, anchor_head, sizeof link) == 0)
                    anchor_held = 1;
                report->entries = n;
                memcpy(report->head, link, sizeof link);
            }
            entry_release(&e);
        }
    }
    if (rc == SR_OK && !anchor_held)
        rc = srp_error_set_where(err, SR_ERR_TAMPERED, path,
                                 "the analysts' access log '%s' has been cut or rewritten: it held "
                                 "%lld entries when it was last verified, and no longer does",
                                 path, (long long)anchor_seq);
    free(data);
    return rc;
}

/* Calls fn with each whole line's entry number (1-based) until fn returns
 * non-zero; -1 when the file cannot be read, else what fn returned (0 at
 * the end). */
static int each_line(const char *path,
                     int (*fn)(void *ctx, int64_t n, const char *line, size_t len), void *ctx)
{
    unsigned char *data = NULL;
    size_t len = 0;
    if (!srp_file_exists(path))
        return fn(ctx, 0, NULL, 0);
    if (srp_file_read_all(path, SIDELOG_MAX_BYTES, &data, &len, NULL) != SR_OK)
        return -1;
    int r = 0;
    int64_t n = 0;
    for (size_t at = 0; r == 0 && at < len;) {
        const unsigned char *nl = memchr(data + at, '\n', len - at);
        if (!nl)
            break; /* a torn last line: no entry */
        size_t line_len = (size_t)(nl - (data + at));
        r = fn(ctx, ++n, (const char *)data + at, line_len);
        at += line_len + 1;
    }
    if (r == 0)
        r = fn(ctx, -n, NULL, 0); /* the end, after n entries */
    free(data);
    return r;
}

typedef struct head_ctx {
    srp_sidelog_mark *head;
    const char *last;
    size_t last_len;
} head_ctx;

static int head_line(void *ctx, int64_t n, const char *line, size_t len)
{
    head_ctx *c = ctx;
    if (n > 0) {
        c->last = line;
        c->last_len = len;
        return 0;
    }
    if (!c->last)
        return 1; /* empty */
    entry e;
    int bad = parse_entry(c->last, c->last_len, &e);
    if (!bad) {
        c->head->seq = e.seq;
        memcpy(c->head->link, e.link, SRP_MAC_BYTES);
    }
    entry_release(&e);
    return bad ? 2 : 1;
}

sr_status srp_sidelog_head(const char *path, srp_sidelog_mark *head, sr_error *err)
{
    memset(head, 0, sizeof *head);
    head_ctx c = {head, NULL, 0};
    int r = each_line(path, head_line, &c);
    if (r < 0)
        return srp_error_set_where(err, SR_ERR_IO, path, "cannot read the access log '%s'", path);
    if (r == 2)
        return srp_error_set_where(err, SR_ERR_TAMPERED, path,
                                   "the access log '%s' is damaged at its end: an admin must "
                                   "look at it",
                                   path);
    return SR_OK;
}

typedef struct holds_ctx {
    const srp_sidelog_mark *mark;
    int held;
} holds_ctx;

static int holds_line(void *ctx, int64_t n, const char *line, size_t len)
{
    holds_ctx *c = ctx;
    if (n <= 0)
        return 1; /* the end: not found */
    if (n != c->mark->seq)
        return 0;
    entry e;
    c->held = parse_entry(line, len, &e) == 0 && e.seq == n &&
              srp_memcmp(e.link, c->mark->link, SRP_MAC_BYTES) == 0;
    entry_release(&e);
    return 1;
}

int srp_sidelog_holds(const char *path, const srp_sidelog_mark *mark)
{
    if (mark->seq <= 0)
        return 1;
    holds_ctx c = {mark, 0};
    int r = each_line(path, holds_line, &c);
    return r < 0 ? -1 : c.held;
}
