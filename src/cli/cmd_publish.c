/*
 * cmd_publish.c - `sigreg publish` (a publication for the analysts of some
 * units and named evaluators) and `sigreg view PUBLICATION [FORM]` (its
 * figures without a registry, with the stats command's options and outputs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sigreg/extract.h"
#include "sigreg/publication.h"

#define MAX_UNITS 64
#define MAX_RECIPIENTS 64

int cmd_publish(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    char unit_text[MAX_UNITS * (SR_UNIT_CODE_MAX + 1)];
    const char *units[MAX_UNITS], *recipients[MAX_RECIPIENTS];
    size_t unit_count = 0, recipient_count = cli_opt_count(args, "recipient");
    long min_cell = 0;
    int code = cli_opt_list(args, "units", unit_text, sizeof unit_text, units, MAX_UNITS,
                            &unit_count, err);
    if (code == CLI_OK)
        code = cli_opt_long(args, "min-cell", 1, 1000000, &min_cell, err);
    if (code != CLI_OK)
        return code;
    if (recipient_count > MAX_RECIPIENTS)
        return cli_usage_error(err, "--recipient is given at most %d times", MAX_RECIPIENTS);
    for (size_t i = 0; i < recipient_count; i++)
        recipients[i] = cli_opt_at(args, "recipient", i);
    sr_publish_options o = {units,         unit_count, cli_opt(args, "periods"),
                            (int)min_cell, recipients, recipient_count};
    sr_publish_report rep;
    sr_status rc = sr_publish(reg, &o, &rep, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    /* One line per package: the recipient and the file. */
    fputs(rep.written ? rep.written : "", stdout);
    fprintf(stderr,
            "published %s: %zu tables, %zu figures (%zu withheld), min cell %d, protected as one "
            "system (%ld persons hidden, %zu pinned figures published, %zu unprotectable, %zu "
            "linear programs); %zu packages\n",
            rep.published_at, rep.tables, rep.figures, rep.withheld, rep.min_cell,
            rep.persons_hidden, rep.released, rep.narrow, rep.lp_solves, rep.packages);
    free(rep.written);
    return CLI_OK;
}

int cmd_view(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)reg;
    const char *key = cli_opt(args, "key"), *signer = cli_opt(args, "signer");
    char pinned[SR_FINGERPRINT_SIZE] = "";
    if (signer) { /* a fingerprint may be typed with spaces, as it is printed */
        size_t n = 0;
        for (const char *p = signer; *p && n < sizeof pinned - 1; p++)
            if (*p != ' ')
                pinned[n++] = *p;
        pinned[n] = '\0';
    }
    cli_stats_opts so;
    int code = cli_stats_query(args, &so, err);
    if (code != CLI_OK)
        return code;
    sr_secret *pass = NULL;
    sr_publication *pub = NULL;
    sr_extract_signer who;
    char *known = signer ? NULL : cli_known_registries_path();
    sr_status rc = cli_read_passphrase(g, key, &pass, err);
    if (rc == SR_OK)
        rc = sr_publication_open_checked(cli_pos(args, 0), key, pass, signer ? pinned : NULL, known,
                                         &pub, &who, err);
    sr_secret_free(pass);
    if (rc != SR_OK) {
        free(known);
        return cli_fail(rc);
    }
    /* Whom the reader trusted, as open-extract says it. */
    switch (who.trust) {
    case SR_SIGNER_FIRST_SEEN:
        if (who.certified_by[0])
            fprintf(stderr,
                    "registry %s was not known: its signing key %.16s..., which certifies the "
                    "publisher's key, is now remembered in '%s'; check it against 'sigreg pubkey' "
                    "once\n",
                    who.registry, who.certified_by, known);
        else
            fprintf(stderr,
                    "this publisher of registry %s was not known: its key %.16s... is now "
                    "remembered in '%s'; check it against the registry's once\n",
                    who.registry, who.fingerprint, known);
        break;
    case SR_SIGNER_ROTATED:
        fprintf(stderr,
                "the registry's signing key was rotated: the new key is signed by the one you "
                "trusted (%.16s...)%s\n",
                who.trusted, known ? ", and is remembered now" : "; pin the new one next time");
        break;
    case SR_SIGNER_UNCHECKED:
        if (!signer)
            fprintf(stderr, "the signer %.16s... was not checked: give it with --signer\n",
                    who.fingerprint);
        break;
    case SR_SIGNER_KNOWN:
    case SR_SIGNER_PINNED:
        break;
    }
    free(known);
    so.q.form = cli_pos(args, 1);
    if (!so.q.form) { /* what the package holds */
        char *contents = sr_publication_contents(pub);
        const char *checkpoint = sr_publication_checkpoint(pub);
        printf("published %s by %s\nsigned by %s\n", sr_publication_published_at(pub),
               sr_publication_published_by(pub), sr_publication_signer(pub));
        if (who.certified_by[0])
            printf("certified by the registry's signing key %s\n", who.certified_by);
        if (checkpoint) /* up to its newline */
            printf("audit checkpoint %.*s\n", (int)strcspn(checkpoint, "\n"), checkpoint);
        printf("%s\n", contents ? contents : "");
        free(contents);
        sr_publication_free(pub);
        return CLI_OK;
    }
    sr_stats *s = NULL;
    rc = sr_publication_stats(pub, &so.q, &s, err);
    sr_publication_free(pub);
    if (rc != SR_OK)
        return cli_fail(rc);
    code = cli_stats_output(args, g, s, err);
    sr_stats_free(s);
    return code;
}
