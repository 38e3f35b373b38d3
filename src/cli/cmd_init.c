/*
 * cmd_init.c - `sigreg init`: create a registry and its first admin.
 */
#include <string.h>

#include "cli.h"
#include "sigreg/form_store.h"

int cmd_init(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)reg;
    const char *admin = cli_opt(args, "admin"), *profile = cli_opt(args, "kdf-profile");
    if (!g->registry)
        return cli_usage_error(err,
                               "no registry given: use --registry PATH or set SIGREG_REGISTRY");
    int for_tests = 0;
    if (profile && !sr_kdf_profile_known(profile, &for_tests))
        return cli_usage_error(err,
                               "unknown key derivation profile '%s': use interactive, "
                               "moderate or sensitive",
                               profile);
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
        cli_warn_test_kdf(admin);
    fprintf(stderr, "created registry '%s' with admin '%s' and %zu shipped forms\n", g->registry,
            admin, forms);
    return CLI_OK;
}
