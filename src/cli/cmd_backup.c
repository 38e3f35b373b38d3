/*
 * cmd_backup.c - `sigreg backup --out FILE`: an encrypted, checked copy.
 */
#include "cli.h"
#include "sigreg/maintenance.h"

int cmd_backup(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *out = cli_opt(args, "out");
    sr_status rc = sr_registry_backup(reg, out, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr,
            "wrote backup '%s' with its keyring and code key; it opens with the same "
            "passphrases\n",
            out);
    return CLI_OK;
}
