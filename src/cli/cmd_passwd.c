/*
 * cmd_passwd.c - `sigreg passwd`: change one's own passphrase.
 */
#include <getopt.h>

#include "cli.h"
#include "sigreg/users.h"

int cmd_passwd(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    const char *profile = NULL, *pass_file = NULL;
    static const struct option opts[] = {{"kdf-profile", required_argument, NULL, 'k'},
                                         {"new-passphrase-file", required_argument, NULL, 'p'},
                                         {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'k')
            profile = optarg;
        else if (c == 'p')
            pass_file = optarg;
        else
            return cli_usage_error(err, "unknown or incomplete option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_usage_error(err, "unexpected argument '%s'", argv[optind]);
    if (profile && !sr_kdf_profile_known(profile, NULL))
        return cli_usage_error(err, "unknown key derivation profile '%s'", profile);
    sr_secret *pass = NULL;
    sr_status rc = cli_read_new_passphrase(pass_file, sr_registry_user(reg), &pass, err);
    if (rc == SR_OK)
        rc = sr_user_passwd(reg, g->passphrase, pass, profile, err);
    sr_secret_free(pass);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "changed the passphrase of '%s'\n", sr_registry_user(reg));
    return CLI_OK;
}
