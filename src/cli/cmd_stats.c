/*
 * cmd_stats.c - `sigreg stats FORM`: group summaries as an aligned table,
 * tidy CSV (or Swedish Excel's flavour), JSON or an Excel workbook. The
 * options make a query; the library runs it and writes the format
 * (sr_stats_write, sr_stats_write_xlsx). CSV headers are the contract's
 * names for programs, Swedish for people: with --lang sv given, or --excel.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sigreg/output.h"
#include "sigreg/stats.h"

int cmd_stats(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.lang = "sv";
    const char *format = "table", *out_path = NULL;
    int excel = 0, force = 0, lang_given = 0;
    long min_cell = 0;
    char by_text[256] = "";
    static const struct option opts[] = {
        {"by", required_argument, NULL, 'b'},     {"unit", required_argument, NULL, 'u'},
        {"status", required_argument, NULL, 's'}, {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},     {"min-cell", required_argument, NULL, 'm'},
        {"format", required_argument, NULL, 'F'}, {"out", required_argument, NULL, 'o'},
        {"excel", no_argument, NULL, 'x'},        {"change", no_argument, NULL, 'c'},
        {"lang", required_argument, NULL, 'l'},   {"force", no_argument, NULL, 'r'},
        {NULL, 0, NULL, 0}};
    const char *usage = "usage: sigreg stats FORM [--by ITEM[,ITEM]] [--unit CODE] [--status "
                        "open|closed] [--from DATE] [--to DATE] [--min-cell N] [--change] "
                        "[--format table|csv|json|xlsx] [--excel] [--out FILE [--force]] "
                        "[--lang sv|en]";
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'b':
            snprintf(by_text, sizeof by_text, "%s", optarg);
            break;
        case 'u':
            q.unit = optarg;
            break;
        case 's':
            q.status = optarg;
            break;
        case 'f':
            q.from = optarg;
            break;
        case 't':
            q.to = optarg;
            break;
        case 'm':
            if (cli_parse_int(optarg, 1, 1000000, &min_cell) != 0)
                return cli_usage_error(err, "--min-cell takes a whole number");
            q.min_cell = (int)min_cell;
            break;
        case 'F':
            format = optarg;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'x':
            excel = 1;
            break;
        case 'c':
            q.change = 1;
            break;
        case 'l':
            if (strcmp(optarg, "sv") != 0 && strcmp(optarg, "en") != 0)
                return cli_usage_error(err, "--lang takes sv or en");
            q.lang = optarg;
            lang_given = 1;
            break;
        case 'r':
            force = 1;
            break;
        default:
            return cli_usage_error(err, "%s", usage);
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error(err, "%s", usage);
    q.form = argv[optind];
    int xlsx = strcmp(format, "xlsx") == 0;
    if (strcmp(format, "table") != 0 && strcmp(format, "csv") != 0 &&
        strcmp(format, "json") != 0 && !xlsx)
        return cli_usage_error(err, "--format takes table, csv, json or xlsx");
    if (xlsx && !out_path)
        return cli_usage_error(err, "--format xlsx writes a file: give it with --out FILE (a "
                                    "workbook is never written to standard output)");
    if (force && !out_path)
        return cli_usage_error(err, "--force goes with --out");
    if (excel && strcmp(format, "csv") != 0)
        return cli_usage_error(err, "--excel goes with --format csv");
    if (by_text[0]) {
        const char *parts[3];
        size_t n = cli_split_commas(by_text, parts, 3);
        if (n > 2)
            return cli_usage_error(err, "--by takes one or two items");
        q.by[0] = parts[0];
        q.by[1] = n > 1 ? parts[1] : NULL;
    }
    sr_stats *s = NULL;
    sr_status rc = sr_stats_run(reg, &q, &s, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    sr_output_options oo = {force, g->registry};
    if (xlsx) {
        rc = sr_stats_write_xlsx(s, out_path, &oo, err);
        sr_stats_free(s);
        return rc == SR_OK ? CLI_OK : cli_fail(rc);
    }
    sr_stats_format fmt = strcmp(format, "json") == 0  ? SR_STATS_JSON
                          : strcmp(format, "csv") == 0 ? (excel ? SR_STATS_CSV_EXCEL : SR_STATS_CSV)
                                                       : SR_STATS_TABLE;
    sr_stats_write_options wo = {0, lang_given ? q.lang : excel ? "sv" : NULL};
    sr_output *o = NULL;
    if (out_path && (rc = sr_output_open(out_path, &oo, &o, err)) != SR_OK) {
        sr_stats_free(s);
        return cli_fail(rc);
    }
    sr_sink sink = o ? sr_output_sink(o) : sr_sink_file(stdout);
    rc = sr_stats_write(s, fmt, &wo, &sink, err);
    if (o && rc == SR_OK)
        rc = sr_output_commit(o, err);
    else
        sr_output_abort(o);
    sr_stats_free(s);
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}
