/*
 * cmd_response.c - `sigreg response edit`: correct a registration; the old
 * revision is kept in the history.
 */
#include <stdlib.h>

#include "cli.h"
#include "sigreg/cases.h"

int cmd_response_edit(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *file = cli_opt(args, "answers"), *date = cli_opt(args, "date");
    long id = 0;
    if (cli_parse_int(cli_pos(args, 0), 1, 0x7fffffffL, &id) != 0)
        return cli_usage_error(err,
                               "'%s' is not a response ID (a whole number, as 'register' "
                               "prints it)",
                               cli_pos(args, 0));
    size_t len = 0;
    char *text = cli_read_file(file, &len, err);
    if (!text)
        return CLI_FAIL;
    sr_problems *problems = sr_problems_new();
    int revision = 0;
    sr_status rc = sr_response_edit(reg, id, date, text, len, problems, &revision, err);
    free(text);
    cli_print_problems(NULL, problems);
    sr_problems_free(problems);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "response %ld is now at revision %d; the earlier one is kept\n", id, revision);
    return CLI_OK;
}
