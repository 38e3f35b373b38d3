/*
 * cmd_extract.c - `sigreg keygen`, `pubkey`, `extract` and `open-extract`:
 * anonymised, sealed and signed extracts for evaluators.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "sigreg/extract.h"

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

int cmd_keygen(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)reg;
    const char *out = NULL, *profile = NULL;
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"kdf-profile", required_argument, NULL, 'k'},
                                         {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else if (c == 'k')
            profile = optarg;
        else
            return cli_usage_error(err, "usage: sigreg keygen --out NAME [--kdf-profile P]");
    }
    if (!out || optind < argc)
        return cli_usage_error(err, "usage: sigreg keygen --out NAME [--kdf-profile P]");
    sr_secret *pass = NULL;
    sr_status rc = g->passphrase_file ? cli_read_passphrase(g, "the new key", &pass, err)
                                      : cli_read_new_passphrase(NULL, "the new key", &pass, err);
    char fp[SR_FINGERPRINT_SIZE];
    if (rc == SR_OK)
        rc = sr_keygen(out, profile, pass, fp, err);
    sr_secret_free(pass);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "wrote %s.pub (give it to the registry) and %s.key (keep it, with its "
                    "passphrase)\nfingerprint:\n",
            out, out);
    print_fingerprint(stdout, fp);
    return CLI_OK;
}

int cmd_pubkey(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    (void)argv;
    if (argc != 1)
        return cli_usage_error(err, "usage: sigreg pubkey");
    char key[64], fp[SR_FINGERPRINT_SIZE];
    sr_status rc = sr_registry_pubkey(reg, key, fp, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    printf("signing key: %s\nfingerprint: %s\n", key, fp);
    return CLI_OK;
}

int cmd_extract(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    sr_extract_options o;
    memset(&o, 0, sizeof o);
    long k = 0;
    char forms_text[1024] = "";
    const char *forms[32];
    static const struct option opts[] = {{"recipient", required_argument, NULL, 'r'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"forms", required_argument, NULL, 'f'},
                                         {"k", required_argument, NULL, 'k'},
                                         {"relative-dates", no_argument, NULL, 'd'},
                                         {NULL, 0, NULL, 0}};
    const char *usage = "usage: sigreg extract --recipient KEY.pub --out FILE [--forms ID,...] "
                        "[--k N] [--relative-dates]";
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'r')
            o.recipient = optarg;
        else if (c == 'o')
            o.out = optarg;
        else if (c == 'f')
            snprintf(forms_text, sizeof forms_text, "%s", optarg);
        else if (c == 'k' && cli_parse_int(optarg, 2, 1000, &k) == 0)
            o.k = (int)k;
        else if (c == 'd')
            o.relative_dates = 1;
        else
            return cli_usage_error(err, "%s", usage);
    }
    if (!o.recipient || !o.out || optind < argc)
        return cli_usage_error(err, "%s", usage);
    if (forms_text[0]) {
        o.form_count = cli_split_commas(forms_text, forms, 32);
        o.forms = forms;
    }
    sr_extract_report r;
    sr_status rc = sr_extract(reg, &o, &r, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr,
            "wrote '%s': %ld people, k = %d, %ld records with blanked quasi-identifiers%s%s\n"
            "sealed to %.16s..., file hash %.16s...\n",
            o.out, r.persons, o.k ? o.k : 5, r.blanked, r.generalised[0] ? ", generalisation steps " : "",
            r.generalised, r.recipient, r.file_hash);
    return CLI_OK;
}

int cmd_open_extract(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)reg;
    const char *key = NULL, *out = NULL, *signer = NULL;
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"signer", required_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    const char *usage = "usage: sigreg open-extract FILE --key NAME.key --out DIR [--signer FINGERPRINT]";
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'k')
            key = optarg;
        else if (c == 'o')
            out = optarg;
        else if (c == 's')
            signer = optarg;
        else
            return cli_usage_error(err, "%s", usage);
    }
    if (!key || !out || optind + 1 != argc)
        return cli_usage_error(err, "%s", usage);
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
    char fp[SR_FINGERPRINT_SIZE] = "";
    if (rc == SR_OK)
        rc = sr_extract_open(argv[optind], key, pass, out, signer ? pinned : NULL, fp, err);
    sr_secret_free(pass);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "verified and opened into '%s'\nsigned by:\n", out);
    print_fingerprint(stderr, fp);
    if (!signer)
        fprintf(stderr, "check this fingerprint against the registry's ('sigreg pubkey'), or "
                        "give it with --signer next time\n");
    return CLI_OK;
}
