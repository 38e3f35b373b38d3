/*
 * cmd_settings.c - `sigreg settings [--min-cell N]`: show or change the
 * registry's settings.
 */
#include "cli.h"
#include "sigreg/settings.h"

int cmd_settings(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    long min_cell = 0;
    int code = cli_opt_long(args, "min-cell", 1, 1000000, &min_cell, err);
    if (code != CLI_OK)
        return code;
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
