/*
 * cmd_response.c - `sigreg response edit`: correct a registration; the old
 * revision is kept in the history.
 */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "sigreg/cases.h"

int cmd_response_edit(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *file = NULL, *date = NULL;
    static const struct option opts[] = {{"answers", required_argument, NULL, 'a'},
                                         {"date", required_argument, NULL, 'd'},
                                         {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'a')
            file = optarg;
        else if (c == 'd')
            date = optarg;
        else
            return cli_usage_error(err, "usage: sigreg response edit ID --answers FILE|- [--date D]");
    }
    long id = 0;
    if (optind + 1 != argc || !file || cli_parse_int(argv[optind], 1, 0x7fffffffL, &id) != 0)
        return cli_usage_error(err, "usage: sigreg response edit ID --answers FILE|- [--date D]");
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
