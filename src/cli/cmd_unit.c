/*
 * cmd_unit.c - `sigreg unit add|list`: the units that cases belong to.
 */
#include "cli.h"
#include "sigreg/units.h"

int cmd_unit_add(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *code = cli_pos(args, 0);
    sr_status rc = sr_unit_add(reg, code, cli_opt(args, "name"), err);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "added unit '%s'\n", code);
    return CLI_OK;
}

static int print_unit(void *ctx, const sr_unit_info *u)
{
    (void)ctx;
    printf("%-16s %s\n", u->code, u->name);
    return 0;
}

int cmd_unit_list(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    (void)args;
    sr_status rc = sr_unit_list(reg, print_unit, NULL, err);
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}
