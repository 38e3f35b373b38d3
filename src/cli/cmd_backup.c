/*
 * cmd_backup.c - `sigreg backup --out FILE`: an encrypted, checked copy.
 */
#include <getopt.h>

#include "cli.h"
#include "sigreg/maintenance.h"

int cmd_backup(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *out = NULL;
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else
            return cli_usage_error(err, "usage: sigreg backup --out FILE");
    }
    if (!out || optind < argc)
        return cli_usage_error(err, "usage: sigreg backup --out FILE");
    sr_status rc = sr_registry_backup(reg, out, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "wrote backup '%s' with its keyring and code key; it opens with the same "
                    "passphrases\n", out);
    return CLI_OK;
}
