/*
 * cmd_passwd.c - `sigreg passwd`: change one's own passphrase.
 */
#include "cli.h"
#include "sigreg/users.h"

int cmd_passwd(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    const char *profile = cli_opt(args, "kdf-profile");
    const char *pass_file = cli_opt(args, "new-passphrase-file");
    int for_tests = 0;
    if (profile && !sr_kdf_profile_known(profile, &for_tests))
        return cli_usage_error(err, "unknown key derivation profile '%s'", profile);
    sr_secret *pass = NULL;
    sr_status rc = cli_read_new_passphrase(pass_file, sr_registry_user(reg), &pass, err);
    if (rc == SR_OK)
        rc = sr_user_passwd(reg, g->passphrase, pass, profile, err);
    sr_secret_free(pass);
    if (rc != SR_OK)
        return cli_fail(rc);
    if (for_tests)
        cli_warn_test_kdf(sr_registry_user(reg));
    fprintf(stderr, "changed the passphrase of '%s'%s\n", sr_registry_user(reg),
            profile ? "" : " (the key derivation cost is kept)");
    return CLI_OK;
}
