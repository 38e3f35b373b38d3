/*
 * cmd_user.c - `sigreg user add|remove|units|list`: the people who may unlock the
 * registry, their roles and units.
 */
#include <string.h>

#include "cli.h"
#include "sigreg/limits.h"
#include "sigreg/users.h"

#define MAX_UNITS 64

int cmd_user_add(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *role_name = cli_opt(args, "role"), *profile = cli_opt(args, "kdf-profile");
    const char *pass_file = cli_opt(args, "new-passphrase-file");
    const char *name = cli_pos(args, 0);
    char unit_text[MAX_UNITS * (SR_UNIT_CODE_MAX + 1)];
    const char *units[MAX_UNITS];
    size_t unit_count = 0;
    int code =
        cli_opt_list(args, "unit", unit_text, sizeof unit_text, units, MAX_UNITS, &unit_count, err);
    if (code != CLI_OK)
        return code;
    sr_role role;
    if (sr_role_parse(role_name, &role) != 0)
        return cli_usage_error(err, "--role takes admin, coordinator or analyst");
    int for_tests = 0;
    if (profile && !sr_kdf_profile_known(profile, &for_tests))
        return cli_usage_error(err, "unknown key derivation profile '%s'", profile);
    sr_secret *pass = NULL;
    sr_status rc = cli_read_new_passphrase(pass_file, name, &pass, err);
    if (rc == SR_OK)
        rc = sr_user_add(reg, name, role, units, unit_count, profile, pass, err);
    sr_secret_free(pass);
    if (rc != SR_OK)
        return cli_fail(rc);
    if (for_tests)
        cli_warn_test_kdf(name);
    fprintf(stderr, "added user '%s' (%s)\n", name, sr_role_name(role));
    return CLI_OK;
}

int cmd_user_remove(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *name = cli_pos(args, 0);
    sr_status rc = sr_user_remove(reg, name, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "removed user '%s'; the registry's keys were rotated\n", name);
    return CLI_OK;
}

int cmd_user_units(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *name = cli_pos(args, 0);
    char unit_text[MAX_UNITS * (SR_UNIT_CODE_MAX + 1)];
    const char *units[MAX_UNITS];
    size_t unit_count = 0;
    int code =
        cli_opt_list(args, "unit", unit_text, sizeof unit_text, units, MAX_UNITS, &unit_count, err);
    if (code != CLI_OK)
        return code;
    sr_status rc = sr_user_set_units(reg, name, units, unit_count, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "user '%s' now works in", name);
    for (size_t i = 0; i < unit_count; i++)
        fprintf(stderr, "%s%s", i ? "," : " ", units[i]);
    fprintf(stderr, "\n");
    return CLI_OK;
}

static int print_user(void *ctx, const sr_user_info *u)
{
    (void)ctx;
    char cost[64];
    int mib = u->kdf_memlimit >= (1u << 20);
    snprintf(cost, sizeof cost, "%s (ops %llu, %zu %s)", u->kdf_profile, u->kdf_opslimit,
             u->kdf_memlimit >> (mib ? 20 : 10), mib ? "MiB" : "KiB");
    printf("%-24s %-12s %-36s %s\n", u->name, sr_role_name(u->role), cost,
           u->units[0] ? u->units : "-");
    return 0;
}

int cmd_user_list(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    (void)args;
    printf("%-24s %-12s %-36s %s\n", "user", "role", "argon2id profile (cost)", "units");
    sr_status rc = sr_user_list(reg, print_user, NULL, err);
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}
