/*
 * cmd_init.c - `sigreg init`: create a registry and its first admin.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "sigreg/form_store.h"

int cmd_init(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)reg;
    const char *admin = NULL, *profile = NULL;
    static const struct option opts[] = {{"admin", required_argument, NULL, 'a'},
                                         {"kdf-profile", required_argument, NULL, 'k'},
                                         {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'a')
            admin = optarg;
        else if (c == 'k')
            profile = optarg;
        else
            return cli_usage_error(err, "unknown or incomplete option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_usage_error(err, "unexpected argument '%s'", argv[optind]);
    if (!admin)
        return cli_usage_error(err, "init needs --admin NAME");
    if (!g->registry)
        return cli_usage_error(err, "no registry given: use --registry PATH or set SIGREG_REGISTRY");
    int for_tests = 0;
    if (profile && !sr_kdf_profile_known(profile, &for_tests))
        return cli_usage_error(err, "unknown key derivation profile '%s': use interactive, "
                                    "moderate or sensitive", profile);
    sr_secret *pass = NULL;
    sr_status rc = g->passphrase_file ? cli_read_passphrase(g, admin, &pass, err)
                                      : cli_read_new_passphrase(NULL, admin, &pass, err);
    if (rc == SR_OK)
        rc = sr_registry_create(g->registry, admin, profile, pass, err);
    /* The shipped SIG forms go in at once, as the admin. */
    sr_registry *created = NULL;
    size_t forms = 0;
    sr_open_options open_opts = {admin, g->busy_timeout_ms};
    if (rc == SR_OK)
        rc = sr_registry_open(g->registry, &open_opts, pass, &created, err);
    if (rc == SR_OK)
        rc = sr_form_install_shipped(created, &forms, err);
    sr_registry_close(created);
    sr_secret_free(pass);
    if (rc != SR_OK)
        return cli_fail(rc);
    if (for_tests)
        fprintf(stderr, "warning: the key derivation profile 'insecure-test-only' is for test "
                        "suites; never use it for real data\n");
    fprintf(stderr, "created registry '%s' with admin '%s' and %zu shipped forms\n", g->registry,
            admin, forms);
    return CLI_OK;
}
