/*
 * fuzz_import.c - one JSON Lines import line on arbitrary bytes, against a
 * real registry (made once, with the test KDF profile, in a scratch folder).
 * Nothing is committed: each input's transaction is rolled back, so every
 * input meets the same registry. A line must be imported whole or refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sigreg/form_store.h"
#include "sigreg/import.h"
#include "sigreg/registry.h"
#include "sigreg/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sr_registry *reg;
static char dir[64];

static void cleanup(void)
{
    static const char *const files[] = {"reg.db",   "reg.keyring",    "reg.codekey",
                                        "reg.lock", "reg.db-journal", "reg.codekey-journal"};
    sr_registry_close(reg);
    reg = NULL;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        (void)remove(path);
    }
    (void)rmdir(dir);
}

static sr_secret *pass(void)
{
    sr_secret *s = sr_secret_new(32);
    memcpy(sr_secret_data(s), "fuzz-passphrase", 15);
    sr_secret_set_len(s, 15);
    return s;
}

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    char path[128];
    snprintf(dir, sizeof dir, "%s/sigreg-fuzz-import-XXXXXX", base && *base ? base : "/tmp");
    if (sr_crypto_init(NULL) != SR_OK || !mkdtemp(dir))
        abort();
    atexit(cleanup);
    snprintf(path, sizeof path, "%s/reg.db", dir);
    sr_secret *p = pass();
    sr_open_options o = {NULL, 1000};
    size_t n = 0;
    if (sr_registry_create(path, "admin", "insecure-test-only", p, NULL) != SR_OK ||
        sr_registry_open(path, &o, p, &reg, NULL) != SR_OK ||
        sr_form_install_shipped(reg, &n, NULL) != SR_OK ||
        sr_unit_add(reg, "U1", "Enhet", NULL) != SR_OK)
        abort();
    sr_secret_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!reg)
        setup();
    sr_import *imp = NULL;
    if (sr_import_begin(reg, NULL, NULL, &imp, NULL) != SR_OK)
        abort();
    sr_problems *problems = sr_problems_new();
    sr_import_result r;
    sr_error err;
    sr_error_clear(&err);
    sr_status rc = sr_import_line(imp, (const char *)data, size, &r, problems, &err);
    if (rc != SR_OK && err.message[0] == '\0')
        __builtin_trap(); /* a refusal must say why */
    sr_problems_free(problems);
    sr_import_free(imp); /* rolls back */
    return 0;
}
