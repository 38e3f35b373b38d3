/*
 * cmd_report.c - `sigreg report [--unit CODE] [--year YYYY | --from DATE
 * --to DATE] [--compare-previous] --out FILE.html [--force]`: the report for
 * the nämnd as one self-contained page. What the page holds and how it looks
 * is the library's (sigreg/report.h); this command parses the options and
 * writes the file through sigreg/output.h (a new file, replaced only with
 * --force, never one of a registry's files).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sigreg/output.h"
#include "sigreg/report.h"

static const char usage[] = "usage: sigreg report [--unit CODE] [--year YYYY | --from DATE --to "
                            "DATE] [--compare-previous] --out FILE.html [--force]";

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

int cmd_report(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    const char *out = NULL;
    sr_report_options options = {0};
    int force = 0;
    long year = 0;
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},  {"unit", required_argument, NULL, 'u'},
        {"year", required_argument, NULL, 'y'}, {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},   {"compare-previous", no_argument, NULL, 'c'},
        {"force", no_argument, NULL, 'f'},      {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'u':
            options.unit = optarg;
            break;
        case 'y':
            if (cli_parse_int(optarg, 1900, 9999, &year) != 0)
                return cli_usage_error(err, "--year: '%s' is not a year YYYY", optarg);
            options.year = (int)year;
            break;
        case 'F':
            options.from = optarg;
            break;
        case 'T':
            options.to = optarg;
            break;
        case 'c':
            options.compare_previous = 1;
            break;
        case 'f':
            force = 1;
            break;
        default:
            return cli_usage_error(err, "%s", usage);
        }
    }
    if (!out || optind < argc)
        return cli_usage_error(err, "%s", usage);
    if (ends_with(out, ".pdf"))
        return cli_usage_error(err, "--out: the report is written as HTML (FILE.html), which "
                                    "prints to A4 from a browser; PDF is not supported");
    /* Refuse a bad period or an output that may not be written before any
     * summary is run (and audited). */
    char from[11], to[11];
    sr_status rc = sr_report_period(&options, from, to, err);
    sr_output_options oo = {force, g->registry};
    if (rc == SR_OK)
        rc = sr_output_check(out, &oo, err);
    if (rc == SR_ERR_EXISTS) {
        sr_error_clear(err);
        sr_error_set(err, rc, "--out: '%s' exists already: give --force to replace it", out);
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
