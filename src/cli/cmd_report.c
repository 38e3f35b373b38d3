/*
 * cmd_report.c - `sigreg report [--unit CODE] [--year YYYY | --from DATE
 * --to DATE] [--compare-previous] --out FILE.html [--force]`: the report for
 * the nämnd as one self-contained page. What the page holds and how it looks
 * is the library's (sigreg/report.h); this command takes the options and
 * writes the file through sigreg/output.h (a new file, replaced only with
 * --force, never one of a registry's files).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sigreg/output.h"
#include "sigreg/report.h"

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

int cmd_report(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    const char *out = cli_opt(args, "out");
    sr_report_options options = {0};
    long year = 0;
    int code = cli_opt_long(args, "year", 1900, 9999, &year, err);
    if (code != CLI_OK)
        return code;
    options.unit = cli_opt(args, "unit");
    options.year = (int)year;
    options.from = cli_opt(args, "from");
    options.to = cli_opt(args, "to");
    options.compare_previous = cli_flag(args, "compare-previous");
    if (ends_with(out, ".pdf"))
        return cli_usage_error(err, "--out: the report is written as HTML (FILE.html), which "
                                    "prints to A4 from a browser; PDF is not supported");
    /* Refuse a bad period or an output that may not be written before any
     * summary is run (and audited). */
    char from[11], to[11];
    sr_status rc = sr_report_period(&options, from, to, err);
    sr_output_options oo = {cli_flag(args, "force"), g->registry};
    if (rc == SR_OK)
        rc = sr_output_check(out, &oo, err);
    if (rc == SR_ERR_EXISTS) {
        sr_error_clear(err);
        sr_error_set(err, rc, "'%s' exists already: give --force to replace it", out);
        snprintf(err->where, sizeof err->where, "out");
    }
    if (rc != SR_OK)
        return cli_fail(rc);
    sr_report *report = NULL;
    rc = sr_report_run(reg, &options, &report, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    sr_output *o = NULL;
    rc = sr_output_open(out, &oo, &o, err);
    if (rc == SR_OK) {
        sr_sink sink = sr_output_sink(o);
        rc = sr_report_write_html(report, &sink, err);
        if (rc == SR_OK)
            rc = sr_output_commit(o, err);
        else
            sr_output_abort(o);
    }
    sr_report_free(report);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "wrote the report '%s'\n", out);
    return CLI_OK;
}
