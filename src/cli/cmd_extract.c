/*
 * cmd_extract.c - `sigreg keygen`, `pubkey`, `extract` and `open-extract`:
 * anonymised, sealed and signed extracts for evaluators.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sigreg/extract.h"
#include "sigreg/limits.h"

#define MAX_FORMS 32 /* in one extract; more are refused, not cut */

/* "abcd 1234 ..." in groups of four, for reading aloud and comparing. */
static void print_fingerprint(FILE *f, const char *fp)
{
    for (size_t i = 0; fp[i]; i++) {
        if (i && i % 4 == 0)
            fputc(' ', f);
        fputc(fp[i], f);
    }
    fputc('\n', f);
}

int cmd_keygen(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)reg;
    const char *out = cli_opt(args, "out"), *profile = cli_opt(args, "kdf-profile");
    sr_secret *pass = NULL;
    sr_status rc = g->passphrase_file ? cli_read_passphrase(g, "the new key", &pass, err)
                                      : cli_read_new_passphrase(NULL, "the new key", &pass, err);
    char fp[SR_FINGERPRINT_SIZE];
    if (rc == SR_OK)
        rc = sr_keygen(out, profile, pass, fp, err);
    sr_secret_free(pass);
    if (rc != SR_OK)
        return cli_fail(rc);
    int for_tests = 0;
    if (profile && sr_kdf_profile_known(profile, &for_tests) && for_tests)
        cli_warn_test_kdf("the new key");
    fprintf(stderr,
            "wrote %s.pub (give it to the registry) and %s.key (keep it, with its "
            "passphrase)\nfingerprint:\n",
            out, out);
    print_fingerprint(stdout, fp);
    return CLI_OK;
}

int cmd_pubkey(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    (void)args;
    char key[64], fp[SR_FINGERPRINT_SIZE];
    sr_status rc = sr_registry_pubkey(reg, key, fp, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    printf("signing key: %s\nfingerprint: %s\n", key, fp);
    return CLI_OK;
}

int cmd_extract(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    sr_extract_options o;
    memset(&o, 0, sizeof o);
    long k = 0;
    char forms_text[MAX_FORMS * (SR_FORM_ID_MAX + 1)];
    const char *forms[MAX_FORMS];
    o.recipient = cli_opt(args, "recipient");
    o.out = cli_opt(args, "out");
    o.relative_dates = cli_flag(args, "relative-dates");
    int code = cli_opt_long(args, "k", 2, 1000, &k, err);
    if (code == CLI_OK)
        code = cli_opt_list(args, "forms", forms_text, sizeof forms_text, forms, MAX_FORMS,
                            &o.form_count, err);
    if (code != CLI_OK)
        return code;
    o.k = (int)k;
    if (o.form_count)
        o.forms = forms;
    sr_extract_report r;
    sr_status rc = sr_extract(reg, &o, &r, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr,
            "wrote '%s': %ld people, k = %d, %ld records with blanked quasi-identifiers%s%s\n"
            "sealed to %.16s..., file hash %.16s...\n",
            o.out, r.persons, o.k ? o.k : 5, r.blanked,
            r.generalised[0] ? ", generalisation steps " : "", r.generalised, r.recipient,
            r.file_hash);
    return CLI_OK;
}

/* The evaluator's file of known registries: $SIGREG_KNOWN_REGISTRIES, else
 * $XDG_STATE_HOME/sigreg/known_registries, else
 * ~/.local/state/sigreg/known_registries (malloc'd; NULL when none). */
char *cli_known_registries_path(void)
{
    const char *env = getenv("SIGREG_KNOWN_REGISTRIES");
    const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    char buf[4096];
    int n;
    if (env && *env)
        n = snprintf(buf, sizeof buf, "%s", env);
    else if (state && *state == '/')
        n = snprintf(buf, sizeof buf, "%s/sigreg/known_registries", state);
    else if (home && *home)
        n = snprintf(buf, sizeof buf, "%s/.local/state/sigreg/known_registries", home);
    else
        return NULL;
    return n > 0 && (size_t)n < sizeof buf ? strdup(buf) : NULL;
}

int cmd_open_extract(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)reg;
    const char *key = cli_opt(args, "key"), *out = cli_opt(args, "out");
    const char *signer = cli_opt(args, "signer");
    /* A pinned fingerprint may be typed with spaces, as it is printed. */
    char pinned[SR_FINGERPRINT_SIZE] = "";
    if (signer) {
        size_t n = 0;
        for (const char *p = signer; *p && n < sizeof pinned - 1; p++)
            if (*p != ' ')
                pinned[n++] = *p;
        pinned[n] = '\0';
    }
    sr_secret *pass = NULL;
    sr_status rc = cli_read_passphrase(g, key, &pass, err);
    char *known = signer ? NULL : cli_known_registries_path();
    sr_extract_signer who;
    memset(&who, 0, sizeof who);
    if (rc == SR_OK)
        rc = sr_extract_open_checked(cli_pos(args, 0), key, pass, out, signer ? pinned : NULL,
                                     known, &who, err);
    sr_secret_free(pass);
    if (rc != SR_OK) {
        free(known);
        return cli_fail(rc);
    }
    fprintf(stderr, "verified and opened into '%s'\nsigned by:\n", out);
    print_fingerprint(stderr, who.fingerprint);
    if (who.registry[0])
        fprintf(stderr, "for registry %s\n", who.registry);
    switch (who.trust) {
    case SR_SIGNER_FIRST_SEEN:
        fprintf(stderr,
                "this registry was not known: its signer is now remembered in '%s'; check the "
                "fingerprint against the registry's ('sigreg pubkey') once\n",
                known);
        break;
    case SR_SIGNER_KNOWN:
        fprintf(stderr, "the signer remembered for this registry\n");
        break;
    case SR_SIGNER_ROTATED:
        fprintf(stderr,
                "the registry's signing key was rotated: the new key is signed by the one "
                "you trusted (%.16s...)%s\n",
                who.trusted, known ? ", and is remembered now" : "; pin the new one next time");
        break;
    case SR_SIGNER_PINNED:
        break;
    case SR_SIGNER_UNCHECKED:
        if (!signer)
            fprintf(stderr, "check this fingerprint against the registry's ('sigreg pubkey'), or "
                            "give it with --signer next time\n");
        break;
    }
    if (who.checkpoint[0])
        fprintf(stderr, "audit checkpoint of the registry: %s\n", who.checkpoint);
    free(known);
    return CLI_OK;
}
