/*
 * testutil.c - scratch folders, passphrases and registries for unit tests.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigreg/form_store.h"

const char *tu_scratch_dir(void)
{
    static char dir[512];
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/sigreg-test-XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(dir));
    return dir;
}

const char *tu_path(const char *dir, const char *name)
{
    static char bufs[4][600];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

sr_secret *tu_pass(const char *text)
{
    size_t n = strlen(text);
    sr_secret *s = sr_secret_new(n + 1);
    assert_non_null(s);
    memcpy(sr_secret_data(s), text, n);
    sr_secret_set_len(s, n);
    return s;
}

void tu_create_registry(const char *path)
{
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_crypto_init(&err), SR_OK);
    sr_secret *p = tu_pass("admin-passphrase");
    sr_status rc = sr_registry_create(path, "admin", TEST_KDF, p, &err);
    if (rc != SR_OK)
        fail_msg("create: %s", err.message);
    sr_secret_free(p);
}

sr_registry *tu_open(const char *path, const char *user, const char *pass)
{
    sr_error err;
    sr_error_clear(&err);
    sr_secret *p = tu_pass(pass ? pass : "admin-passphrase");
    sr_open_options opts = {user, 2000};
    sr_registry *reg = NULL;
    sr_status rc = sr_registry_open(path, &opts, p, &reg, &err);
    sr_secret_free(p);
    if (rc != SR_OK)
        fail_msg("open as %s: %s", user ? user : "admin", err.message);
    return reg;
}

sr_registry *tu_create_with_forms(const char *path)
{
    tu_create_registry(path);
    sr_registry *reg = tu_open(path, NULL, NULL);
    sr_error err;
    sr_error_clear(&err);
    size_t n = 0;
    if (sr_form_install_shipped(reg, &n, &err) != SR_OK)
        fail_msg("installing the shipped forms: %s", err.message);
    return reg;
}

int tu_remove_dir(const char *dir)
{
    char cmd[700];
    int len = snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (len < 0 || (size_t)len >= sizeof cmd || strchr(dir, '\'') != NULL)
        return -1;
    return system(cmd) == 0 ? 0 : -1;
}

unsigned char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

void tu_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

int tu_same_file(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    unsigned char *da = tu_read_file(a, &la), *db = tu_read_file(b, &lb);
    int same = da && db && la == lb && memcmp(da, db, la) == 0;
    free(da);
    free(db);
    return same;
}

void tu_copy_file(const char *from, const char *to)
{
    size_t n = 0;
    unsigned char *d = tu_read_file(from, &n);
    assert_non_null(d);
    tu_write_file(to, d, n);
    free(d);
}
