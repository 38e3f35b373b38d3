/*
 * extract_open.c - the evaluator's side of an extract: key pairs, and
 * verifying and opening an extract into a new folder. It needs no registry.
 *
 * The file is read twice, in pieces: first only checked (decrypted, framed
 * and its signature verified, nothing kept), then opened into a new folder
 * beside the target, checked again as it goes, and renamed into place only
 * when everything verified. Memory stays flat for version 2 files.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "base/buffer.h"
#include "base/error.h"
#include "base/fileio.h"
#include "container.h"
#include "extract_known.h"
#include "keyring.h"
#include "registry_int.h"
#include "sigreg/extract.h"

#define MAX_V1 ((size_t)2 << 30)
#define READ_BLOCK (64 * 1024)

/* ---- opening -------------------------------------------------------------------------------- */

/* The files an extract may hold: plain lower-case names of CSV and JSON,
 * and the three syntax files. */
static int safe_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > SRP_ARCHIVE_NAME_MAX)
        return 0;
    if (strcmp(name, "load_extract.R") == 0 || strcmp(name, "load_extract.do") == 0 ||
        strcmp(name, "load_extract.sps") == 0)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || name[i] == '_' || name[i] == '-' ||
              (name[i] == '.' && i > 0)))
            return 0;
    return (n > 4 && memcmp(name + n - 4, ".csv", 4) == 0) ||
           (n > 5 && memcmp(name + n - 5, ".json", 5) == 0);
}

/* Writes the files into dir (NULL: only checks names). */
typedef struct unpack {
    const char *dir;
    char **written; /* names created, for removing them on failure */
    size_t count, cap;
    int fd;
    char path[4096];
} unpack;

static sr_status unpack_begin(void *ctx, const char *name, sr_error *err)
{
    unpack *u = ctx;
    if (!safe_name(name))
        return srp_error_set(err, SR_ERR_TAMPERED, "the extract's contents are malformed");
    if (!u->dir)
        return SR_OK;
    void *v = u->written;
    char *copy = strdup(name);
    if (!copy || srp_grow(&v, &u->cap, u->count + 1, sizeof *u->written) != 0) {
        free(copy);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    u->written = v;
    snprintf(u->path, sizeof u->path, "%s/%s", u->dir, name);
    u->fd = open(u->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (u->fd < 0) {
        free(copy);
        return errno == EEXIST
                   ? srp_error_set(err, SR_ERR_TAMPERED, "the extract's contents are malformed")
                   : srp_error_set_where(err, SR_ERR_IO, u->dir, "cannot create '%s': %s", u->path,
                                         strerror(errno));
    }
    u->written[u->count++] = copy;
    return SR_OK;
}

static sr_status unpack_data(void *ctx, const void *data, size_t len, sr_error *err)
{
    unpack *u = ctx;
    const char *p = data;
    while (u->dir && len > 0) {
        ssize_t n = write(u->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return srp_error_set_where(err, SR_ERR_IO, u->dir, "cannot write '%s': %s", u->path,
                                       strerror(errno));
        p += n;
        len -= (size_t)n;
    }
    return SR_OK;
}

static sr_status unpack_end(void *ctx, sr_error *err)
{
    unpack *u = ctx;
    if (!u->dir)
        return SR_OK;
    int bad = fsync(u->fd) != 0;
    bad |= close(u->fd) != 0;
    u->fd = -1;
    return bad ? srp_error_set_where(err, SR_ERR_IO, u->dir, "cannot write '%s': %s", u->path,
                                     strerror(errno))
               : SR_OK;
}

static sr_status to_archive(void *ctx, const void *data, size_t len, sr_error *err)
{
    return srp_archive_reader_feed(ctx, data, len, err);
}

/* One pass over the file: the container's plaintext into the archive reader. */
static sr_status read_pass(int fd, const unsigned char *pk, const unsigned char *sk,
                           const char *pinned, unpack *u, char signer[SR_FINGERPRINT_SIZE],
                           sr_error *err)
{
    srp_container_reader *cr = NULL;
    srp_archive_reader *ar = NULL;
    srp_archive_sink sink = {unpack_begin, unpack_data, unpack_end, u};
    unsigned char *block = malloc(READ_BLOCK);
    int version = 0;
    sr_status rc = block ? SR_OK : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK && lseek(fd, 0, SEEK_SET) != 0)
        rc = srp_error_set(err, SR_ERR_IO, "cannot read the extract: %s", strerror(errno));
    /* The archive's format follows the container's version, known after
     * its first bytes: the reader is made on the first plaintext. */
    unsigned char first[12];
    size_t got = 0;
    while (rc == SR_OK && got < sizeof first) {
        ssize_t n = read(fd, first + got, sizeof first - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = srp_error_set(err, SR_ERR_IO, "cannot read the extract: %s", strerror(errno));
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (rc == SR_OK) {
        version = got >= 8 && memcmp(first, SRP_CONTAINER_MAGIC_V1, 8) == 0 ? 1 : 2;
        ar = srp_archive_reader_new(version, &sink);
        if (!ar)
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    if (rc == SR_OK)
        rc = srp_container_reader_new(pk, sk, pinned, MAX_V1, to_archive, ar, &cr, err);
    if (rc == SR_OK)
        rc = srp_container_reader_feed(cr, first, got, err);
    while (rc == SR_OK) {
        ssize_t n = read(fd, block, READ_BLOCK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = srp_error_set(err, SR_ERR_IO, "cannot read the extract: %s", strerror(errno));
        if (n <= 0)
            break;
        rc = srp_container_reader_feed(cr, block, (size_t)n, err);
    }
    if (rc == SR_OK)
        rc = srp_container_reader_finish(cr, signer, NULL, err);
    else if (cr)
        (void)srp_container_reader_finish(cr, signer, NULL, NULL);
    if (rc == SR_OK)
        rc = srp_archive_reader_finish(ar, NULL, err);
    if (u->fd >= 0) {
        (void)close(u->fd);
        u->fd = -1;
    }
    srp_container_reader_free(cr);
    srp_archive_reader_free(ar);
    free(block);
    return rc;
}

sr_status sr_extract_open(const char *file, const char *key_path, const sr_secret *pass,
                          const char *out_dir, const char *pinned_signer,
                          char signer[SR_FINGERPRINT_SIZE], sr_error *err)
{
    sr_extract_signer who;
    sr_status rc =
        sr_extract_open_checked(file, key_path, pass, out_dir, pinned_signer, NULL, &who, err);
    memcpy(signer, who.fingerprint, SR_FINGERPRINT_SIZE);
    return rc;
}

/* The signer a reader must insist on (into pin), decided from the header
 * before anything is decrypted: the pinned or remembered key, or the newer
 * key a rotation chain links it to, or, for a registry not yet known, the
 * signer itself (remembered once the file verified). */
static sr_status decide_trust(const char *file, const char *pinned, const char *known_path,
                              sr_extract_signer *who, char pin[SR_FINGERPRINT_SIZE], int *remember,
                              sr_error *err)
{
    unsigned char head[12 + 4096];
    char *json = NULL;
    *remember = 0;
    pin[0] = '\0';
    if (pinned)
        snprintf(pin, SR_FINGERPRINT_SIZE, "%s", pinned);
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) /* the reader says why */
        return SR_OK;
    ssize_t got = 0;
    while ((size_t)got < sizeof head) {
        ssize_t n = read(fd, head + got, sizeof head - (size_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += n;
    }
    (void)close(fd);
    unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES];
    char recipient[SRP_FINGERPRINT_HEX];
    if (srp_container_header(head, (size_t)got, recipient, signer_pk, NULL) != SR_OK ||
        srp_container_header_json(head, (size_t)got, &json, NULL) != SR_OK)
        return SR_OK; /* a damaged or older header: the reader says so, or checks the pin */
    srp_fingerprint(signer_pk, sizeof signer_pk, who->fingerprint);
    char registry[SRP_ROTATION_ID_MAX + 1];
    uint32_t epoch = 0;
    (void)srp_signer_chain_links(json, NULL, registry, &epoch);
    snprintf(who->registry, sizeof who->registry, "%s", registry);
    who->epoch = epoch;
    json_t *h = json_loads(json, 0, NULL);
    const char *cp = json_string_value(json_object_get(h, "checkpoint"));
    const char *last = cp ? strrchr(cp, '\n') : NULL;
    if (last && last > cp) { /* the last line, before the final newline */
        const char *start = last;
        while (start > cp && start[-1] != '\n')
            start--;
        snprintf(who->checkpoint, sizeof who->checkpoint, "%.*s", (int)(last - start), start);
    }
    json_decref(h);
    sr_status rc = SR_OK;
    char known[SR_FINGERPRINT_SIZE] = "";
    if (!pinned && known_path && registry[0]) {
        rc = srp_known_lookup(known_path, registry, known, err);
        if (rc == SR_ERR_NOT_FOUND) {
            rc = SR_OK;
            who->trust = SR_SIGNER_FIRST_SEEN;
            snprintf(pin, SR_FINGERPRINT_SIZE, "%s", who->fingerprint);
            *remember = 1;
            goto out;
        }
        if (rc != SR_OK)
            goto out;
    }
    const char *trusted = pinned ? pinned : known[0] ? known : NULL;
    if (!trusted)
        goto out;
    snprintf(who->trusted, sizeof who->trusted, "%s", trusted);
    int linked = srp_signer_chain_links(json, trusted, NULL, NULL);
    if (linked == 0) {
        who->trust = pinned ? SR_SIGNER_PINNED : SR_SIGNER_KNOWN;
    } else if (linked == 1) {
        who->trust = SR_SIGNER_ROTATED;
        snprintf(pin, SR_FINGERPRINT_SIZE, "%s", who->fingerprint);
        *remember = !pinned && known_path && registry[0];
    } else if (!pinned) {
        rc = srp_error_set_where(err, SR_ERR_TAMPERED, "signer",
                                 "the extract of registry '%s' is signed by key %.16s..., not by "
                                 "the key %.16s... remembered for it, and no chain of signed key "
                                 "rotations links the two: refused",
                                 registry, who->fingerprint, known);
    } /* pinned and not linked: the reader refuses the pin */
out:
    free(json);
    return rc;
}

sr_status sr_extract_open_checked(const char *file, const char *key_path, const sr_secret *pass,
                                  const char *out_dir, const char *pinned_signer,
                                  const char *known_path, sr_extract_signer *who, sr_error *err)
{
    memset(who, 0, sizeof *who);
    char pin[SR_FINGERPRINT_SIZE];
    int remember = 0;
    char *signer = who->fingerprint;
    unsigned char *keytext = NULL;
    size_t keylen = 0;
    unsigned char pk[SRP_BOX_PUBLIC_BYTES];
    sr_secret *sk = sr_secret_new(SRP_BOX_SECRET_BYTES);
    char *tmp = NULL;
    int fd = -1;
    unpack check = {NULL, NULL, 0, 0, -1, ""}, u = {NULL, NULL, 0, 0, -1, ""};
    sr_status rc = sk ? SR_OK : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK && srp_file_exists(out_dir))
        rc = srp_error_set_where(err, SR_ERR_EXISTS, "out",
                                 "'%s' already exists: give a new folder", out_dir);
    if (rc == SR_OK) {
        fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            rc = srp_error_set_where(err, SR_ERR_IO, file, "cannot read '%s': %s", file,
                                     strerror(errno));
    }
    if (rc == SR_OK)
        rc = srp_file_read_all(key_path, 65536, &keytext, &keylen, err);
    if (rc == SR_OK)
        rc = srp_recipient_key_unlock((const char *)keytext, keylen, sr_secret_cdata(pass),
                                      sr_secret_len(pass), pk, sr_secret_data(sk), err);
    if (rc == SR_OK)
        rc = decide_trust(file, pinned_signer, known_path, who, pin, &remember, err);
    const char *pinned = pin[0] ? pin : NULL;
    /* 1. Everything checked, nothing written. */
    if (rc == SR_OK)
        rc = read_pass(fd, pk, sr_secret_cdata(sk), pinned, &check, signer, err);
    /* A signer first seen, or reached through a rotation, is remembered
     * once the whole file verified under it. */
    if (rc == SR_OK && remember)
        rc = srp_known_remember(known_path, who->registry, who->fingerprint, err);
    if (rc != SR_OK)
        goto out;
    /* 2. Written into a new folder beside the target, checked again as it
     * goes, then renamed into place. */
    tmp = srp_str_concat(out_dir, ".tmp-XXXXXX");
    if (!tmp || !mkdtemp(tmp)) {
        rc = srp_error_set_where(err, SR_ERR_IO, out_dir, "cannot create a folder beside '%s': %s",
                                 out_dir, strerror(errno));
        free(tmp);
        tmp = NULL;
        goto out;
    }
    (void)chmod(tmp, 0700);
    u.dir = tmp;
    rc = read_pass(fd, pk, sr_secret_cdata(sk), pinned, &u, signer, err);
    if (rc == SR_OK && rename(tmp, out_dir) != 0)
        rc = srp_error_set_where(err, SR_ERR_IO, out_dir, "cannot create '%s': %s", out_dir,
                                 strerror(errno));
    if (rc == SR_OK)
        rc = srp_file_sync_dir(out_dir, err);
    if (rc != SR_OK && !srp_file_exists(out_dir)) {
        char path[4096];
        for (size_t i = 0; i < u.count; i++) { /* only what this call wrote */
            snprintf(path, sizeof path, "%s/%s", tmp, u.written[i]);
            (void)unlink(path);
        }
        (void)rmdir(tmp);
    }
out:
    for (size_t i = 0; i < u.count; i++)
        free(u.written[i]);
    free(u.written);
    free(tmp);
    if (fd >= 0)
        (void)close(fd);
    free(keytext);
    sr_secret_free(sk);
    return rc;
}

/* ---- keys
 * ---------------------------------------------------------------------------------------- */

sr_status sr_keygen(const char *stem, const char *kdf_profile, const sr_secret *pass,
                    char fingerprint[SR_FINGERPRINT_SIZE], sr_error *err)
{
    const srp_kdf_profile *profile = srp_kdf_profile_choose(kdf_profile, err);
    if (!profile)
        return SR_ERR_USAGE;
    if (!pass || sr_secret_len(pass) < SR_PASSPHRASE_MIN)
        return srp_error_set(err, SR_ERR_INVALID, "the passphrase must be at least %d characters",
                             SR_PASSPHRASE_MIN);
    char *pub_path = srp_str_concat(stem, ".pub"), *key_path = srp_str_concat(stem, ".key");
    char *pub = NULL, *sec = NULL;
    sr_status rc = pub_path && key_path ? SR_OK : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK && (srp_file_exists(pub_path) || srp_file_exists(key_path)))
        rc = srp_error_set(err, SR_ERR_EXISTS, "'%s' or '%s' already exists: not overwriting a key",
                           pub_path, key_path);
    if (rc == SR_OK)
        rc = srp_recipient_keygen(profile, sr_secret_cdata(pass), sr_secret_len(pass), &pub, &sec,
                                  fingerprint, err);
    int wrote_key = 0;
    if (rc == SR_OK) {
        rc = srp_file_write_atomic(key_path, sec, strlen(sec), err);
        wrote_key = rc == SR_OK;
    }
    if (rc == SR_OK)
        rc = srp_file_write_atomic(pub_path, pub, strlen(pub), err);
    if (rc == SR_OK)
        (void)chmod(pub_path, 0644);
    else if (wrote_key) /* only ever remove what this call wrote */
        (void)unlink(key_path);
    free(pub);
    free(sec);
    free(pub_path);
    free(key_path);
    return rc;
}

sr_status sr_registry_pubkey(sr_registry *reg, char key_b64[64],
                             char fingerprint[SR_FINGERPRINT_SIZE], sr_error *err)
{
    const unsigned char *pk = srp_keyring_signing_public(srp_registry_keyring(reg));
    char *text = srp_base64_encode(pk, SRP_SIGN_PUBLIC_BYTES);
    if (!text)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    snprintf(key_b64, 64, "%s", text);
    free(text);
    srp_fingerprint(pk, SRP_SIGN_PUBLIC_BYTES, fingerprint);
    return srp_registry_transaction(reg, "pubkey.show", NULL, NULL, NULL, NULL, err);
}
