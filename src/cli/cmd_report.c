/*
 * cmd_report.c - `sigreg report --out FILE.html`: one self-contained page
 * with every form's group summary, the change tables and the case flow.
 * Inline CSS and SVG bars, no scripts, nothing fetched from anywhere; it
 * prints on A4. What the page holds and how it looks is the library's
 * (sigreg/report.h); this command parses the options and writes the file.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sigreg/report.h"

int cmd_report(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *out = cli_opt(args, "out"), *unit = cli_opt(args, "unit");
    sr_report *report = NULL;
    sr_report_options options = {unit};
    sr_status rc = sr_report_run(reg, &options, &report, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        sr_report_free(report);
        return sr_error_set(err, SR_ERR_IO, "cannot write '%s'", out), CLI_FAIL;
    }
    sr_sink sink = sr_sink_file(f);
    rc = sr_report_write_html(report, &sink, err);
    sr_report_free(report);
    int bad = fclose(f) != 0;
    if (rc != SR_OK || bad) {
        remove(tmp);
        if (rc == SR_OK)
            sr_error_set(err, SR_ERR_IO, "cannot write '%s'", out);
        return CLI_FAIL;
    }
    if (rename(tmp, out) != 0) {
        remove(tmp);
        return sr_error_set(err, SR_ERR_IO, "cannot write '%s'", out), CLI_FAIL;
    }
    fprintf(stderr, "wrote the report '%s'\n", out);
    return CLI_OK;
}
