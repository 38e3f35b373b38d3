/*
 * cmd_serve.c - `sigreg serve`: the local web page for coordinators. The
 * server is the web front end's (src/web); this only hands it the options.
 */
#include "cli.h"
#include "web_entry.h"

int cmd_serve(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)reg;
    web_serve_options o = {g->registry, 0, 1, 15, g->busy_timeout_ms};
    long port = 0, idle = 15;
    if (!g->registry || !*g->registry)
        return sr_error_set(err, SR_ERR_USAGE,
                            "no registry given: use --registry PATH or set SIGREG_REGISTRY"),
               CLI_USAGE;
    int code = cli_opt_long(args, "port", 0, 65535, &port, err);
    if (code == CLI_OK)
        code = cli_opt_long(args, "idle-minutes", 1, 24 * 60, &idle, err);
    if (code != CLI_OK)
        return code;
    o.port = (int)port;
    o.idle_minutes = (int)idle;
    o.open_browser = !cli_flag(args, "no-browser");
    sr_status rc = web_serve(&o, err);
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}
