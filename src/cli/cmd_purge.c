/*
 * cmd_purge.c - `sigreg purge --closed-before DATE`: the retention purge
 * (gallring). It says what it will erase and asks unless given --yes.
 */
#include "cli.h"
#include "sigreg/cases.h"

static int print_planned(void *ctx, const sr_case_info *c)
{
    (void)ctx;
    fprintf(stderr, "  %s  unit %-10s closed %s\n", c->code, c->unit, c->closed_at);
    return 0;
}

int cmd_purge(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *before = cli_opt(args, "closed-before");
    int yes = cli_flag(args, "yes");
    size_t count = 0;
    fprintf(stderr, "cases closed before %s:\n", before);
    sr_status rc = sr_purge(reg, before, 0, print_planned, NULL, &count, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    if (count == 0) {
        fprintf(stderr, "  none: nothing to purge\n");
        return CLI_OK;
    }
    fprintf(stderr, "%zu case%s will be erased for good, with all answers and code key entries.\n",
            count, count == 1 ? "" : "s");
    if (!yes && !cli_confirm("Type 'purge' to go on:", "purge"))
        return sr_error_set(err, SR_ERR_USAGE,
                            "not confirmed: nothing was erased (give --yes when there is no "
                            "terminal)"),
               CLI_USAGE;
    rc = sr_purge(reg, before, 1, NULL, NULL, &count, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    printf("purged %zu cases\n", count);
    return CLI_OK;
}
