/*
 * cmd_stats.c - `sigreg stats FORM`: group summaries as an aligned table,
 * tidy CSV (or Swedish Excel's flavour), JSON or an Excel workbook. The
 * options make a query; the library runs it and writes the format
 * (sr_stats_write, sr_stats_write_xlsx). CSV headers are the contract's
 * names for programs, Swedish for people: with --lang sv given, or --excel.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sigreg/limits.h"
#include "sigreg/output.h"
#include "sigreg/stats.h"

int cmd_stats(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.lang = "sv";
    const char *format = cli_opt(args, "format") ? cli_opt(args, "format") : "table";
    const char *out_path = cli_opt(args, "out");
    int excel = cli_flag(args, "excel"), force = cli_flag(args, "force");
    int xlsx = strcmp(format, "xlsx") == 0;
    long min_cell = 0;
    char by_text[3 * (SR_GROUP_KEY_MAX + 1)];
    const char *by[3];
    size_t by_count = 0;
    int code = cli_opt_long(args, "min-cell", 1, 1000000, &min_cell, err);
    if (code == CLI_OK)
        code = cli_opt_list(args, "by", by_text, sizeof by_text, by, 3, &by_count, err);
    if (code != CLI_OK)
        return code;
    q.form = cli_pos(args, 0);
    q.unit = cli_opt(args, "unit");
    q.status = cli_opt(args, "status");
    q.from = cli_opt(args, "from");
    q.to = cli_opt(args, "to");
    q.min_cell = (int)min_cell;
    q.change = cli_flag(args, "change");
    if (cli_opt(args, "lang"))
        q.lang = cli_opt(args, "lang");
    if (excel && strcmp(format, "csv") != 0)
        return cli_usage_error(err, "--excel goes with --format csv");
    if (xlsx && !out_path)
        return cli_usage_error(err, "--format xlsx writes a file: give it with --out FILE (a "
                                    "workbook is never written to standard output)");
    if (force && !out_path)
        return cli_usage_error(err, "--force goes with --out");
    if (by_count > 2)
        return cli_usage_error(err, "--by takes one or two items");
    q.by[0] = by_count > 0 ? by[0] : NULL;
    q.by[1] = by_count > 1 ? by[1] : NULL;
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
    /* Swedish headers for people: --lang given, or the Excel flavour. */
    sr_stats_write_options wo = {0, cli_opt(args, "lang") ? q.lang : excel ? "sv" : NULL};
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
