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

int cli_stats_query(const cli_args *args, cli_stats_opts *o, sr_error *err)
{
    sr_stats_query *q = &o->q;
    memset(q, 0, sizeof *q);
    q->lang = "sv";
    long min_cell = 0;
    const char *by[3];
    size_t by_count = 0;
    const char *format = cli_opt(args, "format") ? cli_opt(args, "format") : "table";
    int code = cli_opt_long(args, "min-cell", 1, 1000000, &min_cell, err);
    if (code == CLI_OK)
        code = cli_opt_list(args, "by", o->by_text, sizeof o->by_text, by, 3, &by_count, err);
    if (code != CLI_OK)
        return code;
    q->unit = cli_opt(args, "unit");
    q->status = cli_opt(args, "status");
    q->from = cli_opt(args, "from");
    q->to = cli_opt(args, "to");
    q->min_cell = (int)min_cell;
    q->change = cli_flag(args, "change");
    if (cli_opt(args, "lang"))
        q->lang = cli_opt(args, "lang");
    if (cli_flag(args, "excel") && strcmp(format, "csv") != 0)
        return cli_usage_error(err, "--excel goes with --format csv");
    if (strcmp(format, "xlsx") == 0 && !cli_opt(args, "out"))
        return cli_usage_error(err, "--format xlsx writes a file: give it with --out FILE (a "
                                    "workbook is never written to standard output)");
    if (cli_flag(args, "force") && !cli_opt(args, "out"))
        return cli_usage_error(err, "--force goes with --out");
    if (by_count > 2)
        return cli_usage_error(err, "--by takes one or two items");
    q->by[0] = by_count > 0 ? by[0] : NULL;
    q->by[1] = by_count > 1 ? by[1] : NULL;
    return CLI_OK;
}

int cli_stats_output(const cli_args *args, const cli_globals *g, const sr_stats *s, sr_error *err)
{
    const char *format = cli_opt(args, "format") ? cli_opt(args, "format") : "table";
    const char *out_path = cli_opt(args, "out");
    int excel = cli_flag(args, "excel");
    sr_output_options oo = {cli_flag(args, "force"), g->registry};
    sr_status rc;
    if (strcmp(format, "xlsx") == 0) {
        rc = sr_stats_write_xlsx(s, out_path, &oo, err);
        return rc == SR_OK ? CLI_OK : cli_fail(rc);
    }
    sr_stats_format fmt = strcmp(format, "json") == 0  ? SR_STATS_JSON
                          : strcmp(format, "csv") == 0 ? (excel ? SR_STATS_CSV_EXCEL : SR_STATS_CSV)
                                                       : SR_STATS_TABLE;
    /* Swedish headers for people: --lang given, or the Excel flavour. */
    sr_stats_write_options wo = {0, cli_opt(args, "lang") ? cli_opt(args, "lang")
                                    : excel               ? "sv"
                                                          : NULL};
    sr_output *o = NULL;
    if (out_path && (rc = sr_output_open(out_path, &oo, &o, err)) != SR_OK)
        return cli_fail(rc);
    sr_sink sink = o ? sr_output_sink(o) : sr_sink_file(stdout);
    rc = sr_stats_write(s, fmt, &wo, &sink, err);
    if (o && rc == SR_OK)
        rc = sr_output_commit(o, err);
    else
        sr_output_abort(o);
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}

int cmd_stats(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    cli_stats_opts o;
    int code = cli_stats_query(args, &o, err);
    if (code != CLI_OK)
        return code;
    o.q.form = cli_pos(args, 0);
    sr_stats *s = NULL;
    sr_status rc = sr_stats_run(reg, &o.q, &s, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    code = cli_stats_output(args, g, s, err);
    sr_stats_free(s);
    return code;
}
