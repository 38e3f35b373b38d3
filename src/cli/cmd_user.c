/*
 * cmd_user.c - `sigreg user add|remove|list`: the people who may unlock the
 * registry, their roles and units.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "sigreg/users.h"

#define MAX_UNITS 64

int cmd_user_add(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *role_name = NULL, *profile = NULL, *pass_file = NULL;
    const char *units[MAX_UNITS];
    size_t unit_count = 0;
    static const struct option opts[] = {{"role", required_argument, NULL, 'r'},
                                         {"unit", required_argument, NULL, 'u'},
                                         {"kdf-profile", required_argument, NULL, 'k'},
                                         {"new-passphrase-file", required_argument, NULL, 'p'},
                                         {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'r')
            role_name = optarg;
        else if (c == 'u')
            unit_count += cli_split_commas(optarg, units + unit_count, MAX_UNITS - unit_count);
        else if (c == 'k')
            profile = optarg;
        else if (c == 'p')
            pass_file = optarg;
        else
            return cli_usage_error(err, "unknown or incomplete option '%s'", argv[optind - 1]);
    }
    if (optind + 1 != argc)
        return cli_usage_error(err, "user add needs exactly one NAME");
    const char *name = argv[optind];
    sr_role role;
    if (!role_name || sr_role_parse(role_name, &role) != 0)
        return cli_usage_error(err, "user add needs --role admin, coordinator or analyst");
    if (profile && !sr_kdf_profile_known(profile, NULL))
        return cli_usage_error(err, "unknown key derivation profile '%s'", profile);
    sr_secret *pass = NULL;
    sr_status rc = cli_read_new_passphrase(pass_file, name, &pass, err);
    if (rc == SR_OK)
        rc = sr_user_add(reg, name, role, units, unit_count, profile, pass, err);
    sr_secret_free(pass);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "added user '%s' (%s)\n", name, sr_role_name(role));
    return CLI_OK;
}

int cmd_user_remove(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    if (argc != 2)
        return cli_usage_error(err, "user remove needs exactly one NAME");
    sr_status rc = sr_user_remove(reg, argv[1], err);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "removed user '%s'; the registry's keys were rotated\n", argv[1]);
    return CLI_OK;
}

static int print_user(void *ctx, const sr_user_info *u)
{
    (void)ctx;
    printf("%-24s %-12s %-20s %s\n", u->name, sr_role_name(u->role), u->kdf_profile,
           u->units[0] ? u->units : "-");
    return 0;
}

int cmd_user_list(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    (void)argv;
    if (argc != 1)
        return cli_usage_error(err, "user list takes no arguments");
    printf("%-24s %-12s %-20s %s\n", "user", "role", "kdf profile", "units");
    sr_status rc = sr_user_list(reg, print_user, NULL, err);
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}
