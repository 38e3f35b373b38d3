/*
 * cmd_settings.c - `sigreg settings [--min-cell N]`: show or change the
 * registry's settings.
 */
#include <getopt.h>

#include "cli.h"
#include "sigreg/settings.h"

int cmd_settings(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    long min_cell = 0;
    static const struct option opts[] = {{"min-cell", required_argument, NULL, 'm'},
                                         {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c != 'm' || cli_parse_int(optarg, 1, 1000000, &min_cell) != 0)
            return cli_usage_error(err, "usage: sigreg settings [--min-cell N]");
    }
    if (optind < argc)
        return cli_usage_error(err, "usage: sigreg settings [--min-cell N]");
    sr_status rc = SR_OK;
    if (min_cell)
        rc = sr_settings_set_min_cell(reg, (int)min_cell, err);
    int value = 0;
    if (rc == SR_OK)
        rc = sr_settings_min_cell(reg, &value, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    printf("min_cell\t%d\n", value);
    return CLI_OK;
}
