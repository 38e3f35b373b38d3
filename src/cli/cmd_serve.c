/*
 * cmd_serve.c - `sigreg serve`: the local web page for coordinators. The
 * server is the web front end's (src/web); this only hands it the options.
 */
#include <stdlib.h>

#include "cli.h"
#include "web_entry.h"

int cmd_serve(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)reg;
    web_serve_options o = {g->registry, 0, 1, 15, 0, g->busy_timeout_ms};
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
    /* The command tests lock sessions sooner than a minute; never later. */
    const char *test_idle = getenv("SIGREG_SERVE_IDLE_SECONDS");
    long secs = 0;
    if (test_idle && cli_parse_int(test_idle, 1, 60L * idle, &secs) == 0)
        o.idle_seconds = (int)secs;
    sr_status rc = web_serve(&o, err);
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}
