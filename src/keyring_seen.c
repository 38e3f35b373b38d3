/*
 * keyring_seen.c - the per-user record of the newest keyring seen (see
 * keyring_seen.h).
 *
 * File: "sigreg-seen/1\nversion N\nepoch E\nroot HEX\nkey HEX\n", mode 0600;
 * beside it ".sidelog": "sigreg-sidelog-seen/1\nseq N\nlink HEX\n".
 */
#include "keyring_seen.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"
#include "base/fileio.h"
#include "base/names.h"

#define SEEN_FORMAT "sigreg-seen/1"
#define KEY_HEX (2 * SRP_SIGN_PUBLIC_BYTES)

typedef struct seen {
    uint64_t version;
    uint32_t epoch;
    char root[KEY_HEX + 1];
    char key[KEY_HEX + 1];
} seen;

/* The state folder, created (0700) when create; NULL when there is none. */
static char *seen_dir(int create)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    char base[4096];
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(base, sizeof base, "%s", xdg);
    else if (home && home[0] == '/')
        n = snprintf(base, sizeof base, "%s/.local/state", home);
    else
        return NULL;
    if (n < 0 || (size_t)n >= sizeof base - 32)
        return NULL;
    if (create) {
        /* Each level in turn; an existing one is fine. */
        char path[4096];
        snprintf(path, sizeof path, "%s", base);
        for (char *p = path + 1; *p; p++) {
            if (*p != '/')
                continue;
            *p = '\0';
            (void)mkdir(path, 0700);
            *p = '/';
        }
        (void)mkdir(path, 0700);
    }
    size_t len = strlen(base) + sizeof "/sigreg/seen";
    char *dir = malloc(len);
    if (!dir)
        return NULL;
    snprintf(dir, len, "%s/sigreg", base);
    if (create)
        (void)mkdir(dir, 0700);
    snprintf(dir, len, "%s/sigreg/seen", base);
    if (create)
        (void)mkdir(dir, 0700);
    return dir;
}

static char *seen_path_of(const char *registry_id, const char *user, const char *suffix, int create)
{
    if (!srp_name_user_valid(user) || !registry_id || !*registry_id || strchr(registry_id, '/'))
        return NULL;
    char *dir = seen_dir(create);
    if (!dir)
        return NULL;
    size_t len = strlen(dir) + strlen(registry_id) + strlen(user) + strlen(suffix) + 4;
    char *path = malloc(len);
    if (path)
        snprintf(path, len, "%s/%s-%s%s", dir, registry_id, user, suffix);
    free(dir);
    return path;
}

static char *seen_path(const srp_keyring *kr, const char *user, int create)
{
    return seen_path_of(srp_keyring_registry_id(kr), user, "", create);
}

/* 1 and *out filled when a well-formed record exists, 0 when none, -1 when
 * the record is damaged. */
static int seen_read(const char *path, seen *out)
{
    unsigned char *data = NULL;
    size_t len = 0;
    if (srp_file_read_all(path, 4096, &data, &len, NULL) != SR_OK)
        return srp_file_exists(path) ? -1 : 0;
    char fmt[32];
    unsigned long long version = 0;
    unsigned long epoch = 0;
    int n = sscanf((const char *)data, "%31s version %llu epoch %lu root %64s key %64s", fmt,
                   &version, &epoch, out->root, out->key);
    free(data);
    if (n != 5 || strcmp(fmt, SEEN_FORMAT) != 0 || epoch < 1 || epoch > UINT32_MAX ||
        strlen(out->root) != KEY_HEX || strlen(out->key) != KEY_HEX)
        return -1;
    out->version = version;
    out->epoch = (uint32_t)epoch;
    return 1;
}

static void key_hex(char out[KEY_HEX + 1], const unsigned char *pk)
{
    srp_hex_encode(out, pk, SRP_SIGN_PUBLIC_BYTES);
}

sr_status srp_seen_check(const srp_keyring *kr, const char *user, sr_error *err)
{
    char *path = seen_path(kr, user, 0);
    if (!path)
        return SR_OK;
    seen s;
    int got = seen_read(path, &s);
    sr_status rc = SR_OK;
    if (got != 0 && srp_keyring_is_legacy(kr)) {
        rc = srp_error_set(err, SR_ERR_TAMPERED,
                           "the keyring has been replaced by one of an older release: user '%s' "
                           "has seen it signed",
                           user);
        goto out;
    }
    if (srp_keyring_is_legacy(kr))
        goto out; /* not signed yet: its MAC is checked, the upgrade records it */
    if (got < 0) {
        rc = srp_error_set_where(err, SR_ERR_CORRUPT, path,
                                 "the record of the keyrings that user '%s' has seen ('%s') is "
                                 "damaged: remove it only if you trust the keyring as it is",
                                 user, path);
        goto out;
    }
    if (got == 0)
        goto out;
    char hex[KEY_HEX + 1];
    key_hex(hex, srp_keyring_signing_key_at(kr, 1));
    if (strcmp(hex, s.root) != 0) {
        rc = srp_error_set(err, SR_ERR_TAMPERED,
                           "the keyring has been replaced: it is signed under another registry "
                           "signing key than the one user '%s' has seen for this registry",
                           user);
        goto out;
    }
    const unsigned char *at = srp_keyring_signing_key_at(kr, s.epoch);
    if (!at) {
        rc = srp_error_set(err, SR_ERR_TAMPERED,
                           "the keyring has been rolled back: its signing key is of epoch %" PRIu32
                           ", user '%s' has seen epoch %" PRIu32,
                           srp_keyring_signing_epoch(kr), user, s.epoch);
        goto out;
    }
    key_hex(hex, at);
    if (strcmp(hex, s.key) != 0) {
        rc = srp_error_set(err, SR_ERR_TAMPERED,
                           "the keyring has been replaced: its signing key of epoch %" PRIu32
                           " is not the one user '%s' has seen",
                           s.epoch, user);
        goto out;
    }
    if (srp_keyring_version(kr) < s.version)
        rc = srp_error_set(err, SR_ERR_TAMPERED,
                           "the keyring has been rolled back: it is version %" PRIu64
                           ", user '%s' has seen version %" PRIu64,
                           srp_keyring_version(kr), user, s.version);
out:
    free(path);
    return rc;
}

void srp_seen_record(const srp_keyring *kr, const char *user)
{
    if (srp_keyring_is_legacy(kr))
        return;
    char *path = seen_path(kr, user, 1);
    if (!path)
        return;
    seen s;
    int got = seen_read(path, &s);
    if (got == 1 && s.version >= srp_keyring_version(kr) &&
        s.epoch >= srp_keyring_signing_epoch(kr)) {
        free(path);
        return;
    }
    if (got < 0) { /* a damaged record is left for the check to report */
        free(path);
        return;
    }
    char root[KEY_HEX + 1], key[KEY_HEX + 1], text[512];
    key_hex(root, srp_keyring_signing_key_at(kr, 1));
    key_hex(key, srp_keyring_signing_key_at(kr, srp_keyring_signing_epoch(kr)));
    int n =
        snprintf(text, sizeof text, "%s\nversion %" PRIu64 "\nepoch %" PRIu32 "\nroot %s\nkey %s\n",
                 SEEN_FORMAT, srp_keyring_version(kr), srp_keyring_signing_epoch(kr), root, key);
    if (n > 0 && (size_t)n < sizeof text)
        (void)srp_file_write_atomic(path, text, (size_t)n, NULL);
    free(path);
}

/* ---- the access log as the user last wrote it ---- */

#define SIDELOG_FORMAT "sigreg-sidelog-seen/1"

int srp_seen_sidelog_get(const char *registry_id, const char *user, int64_t *seq,
                         unsigned char link[SRP_MAC_BYTES])
{
    char *path = seen_path_of(registry_id, user, ".sidelog", 0);
    unsigned char *data = NULL;
    size_t len = 0;
    *seq = 0;
    if (!path)
        return 0;
    int got = srp_file_read_all(path, 4096, &data, &len, NULL) == SR_OK;
    free(path);
    if (!got)
        return 0;
    char fmt[32], hex[2 * SRP_MAC_BYTES + 1];
    long long n = 0;
    int ok = sscanf((const char *)data, "%31s seq %lld link %64s", fmt, &n, hex) == 3 &&
             strcmp(fmt, SIDELOG_FORMAT) == 0 && n > 0 &&
             srp_hex_decode(link, SRP_MAC_BYTES, hex) == 0;
    free(data);
    if (ok)
        *seq = n;
    return ok;
}

void srp_seen_sidelog_put(const char *registry_id, const char *user, int64_t seq,
                          const unsigned char link[SRP_MAC_BYTES])
{
    char *path = seen_path_of(registry_id, user, ".sidelog", 1);
    if (!path)
        return;
    char hex[2 * SRP_MAC_BYTES + 1], text[160];
    srp_hex_encode(hex, link, SRP_MAC_BYTES);
    int n =
        snprintf(text, sizeof text, "%s\nseq %lld\nlink %s\n", SIDELOG_FORMAT, (long long)seq, hex);
    if (n > 0 && (size_t)n < sizeof text)
        (void)srp_file_write_atomic(path, text, (size_t)n, NULL);
    free(path);
}
