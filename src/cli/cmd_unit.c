/*
 * cmd_unit.c - `sigreg unit add|list`: the units that cases belong to.
 */
#include <getopt.h>

#include "cli.h"
#include "sigreg/units.h"

int cmd_unit_add(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *name = NULL;
    static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'n')
            name = optarg;
        else
            return cli_usage_error(err, "unknown or incomplete option '%s'", argv[optind - 1]);
    }
    if (optind + 1 != argc || !name)
        return cli_usage_error(err, "usage: sigreg unit add CODE --name TEXT");
    sr_status rc = sr_unit_add(reg, argv[optind], name, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "added unit '%s'\n", argv[optind]);
    return CLI_OK;
}

static int print_unit(void *ctx, const sr_unit_info *u)
{
    (void)ctx;
    printf("%-16s %s\n", u->code, u->name);
    return 0;
}

int cmd_unit_list(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    (void)argv;
    if (argc != 1)
        return cli_usage_error(err, "unit list takes no arguments");
    sr_status rc = sr_unit_list(reg, print_unit, NULL, err);
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}
