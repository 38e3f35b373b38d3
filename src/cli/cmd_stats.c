/*
 * cmd_stats.c - `sigreg stats FORM`: group summaries as an aligned table,
 * tidy CSV (or Swedish Excel's flavour) or JSON.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sigreg/stats.h"

static void csv_field(FILE *f, const char *s, char sep)
{
    if (!s)
        return;
    if (strchr(s, sep) || strchr(s, '"') || strchr(s, '\n')) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}

static void number(char *out, size_t size, double v, int excel)
{
    snprintf(out, size, "%g", v);
    if (excel)
        for (char *p = out; *p; p++)
            if (*p == '.')
                *p = ',';
}

static void write_csv(FILE *f, const sr_stats *s, int excel)
{
    char sep = excel ? ';' : ',';
    if (excel)
        fputs("\xEF\xBB\xBF", f);
    fprintf(f, "form%citem", sep);
    for (int d = 0; d < 2; d++)
        if (sr_stats_by_name(s, d))
            fprintf(f, "%c%s", sep, sr_stats_by_name(s, d));
    fprintf(f, "%cvalue%ccount%cdenominator%cpercent%cestimate%csuppressed\r\n", sep, sep, sep,
            sep, sep, sep);
    for (size_t i = 0; i < sr_stats_row_count(s); i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        char buf[64];
        csv_field(f, r->form, sep);
        fputc(sep, f);
        csv_field(f, r->item, sep);
        for (int d = 0; d < 2; d++)
            if (sr_stats_by_name(s, d)) {
                fputc(sep, f);
                csv_field(f, r->by[d], sep);
            }
        fputc(sep, f);
        csv_field(f, r->value, sep);
        fputc(sep, f);
        if (r->has_count)
            fprintf(f, "%ld", r->count);
        fputc(sep, f);
        if (r->has_denominator)
            fprintf(f, "%ld", r->denominator);
        fputc(sep, f);
        if (r->has_percent) {
            number(buf, sizeof buf, r->percent, excel);
            fputs(buf, f);
        }
        fputc(sep, f);
        if (r->has_estimate) {
            number(buf, sizeof buf, r->estimate, excel);
            fputs(buf, f);
        }
        fprintf(f, "%c%s\r\n", sep, r->suppressed ? "true" : "false");
    }
}

static int write_json(FILE *f, const sr_stats *s, const sr_stats_query *q)
{
    json_t *rows = json_array(), *notes = json_array(), *by = json_array();
    for (size_t i = 0; i < sr_stats_row_count(s); i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        json_t *o = json_object();
        json_object_set_new(o, "form", json_string(r->form));
        json_object_set_new(o, "item", json_string(r->item));
        for (int d = 0; d < 2; d++)
            if (sr_stats_by_name(s, d))
                json_object_set_new(o, sr_stats_by_name(s, d), json_string(r->by[d]));
        json_object_set_new(o, "value", json_string(r->value));
        json_object_set_new(o, "count", r->has_count ? json_integer(r->count) : json_null());
        json_object_set_new(o, "denominator",
                            r->has_denominator ? json_integer(r->denominator) : json_null());
        json_object_set_new(o, "percent", r->has_percent ? json_real(r->percent) : json_null());
        json_object_set_new(o, "estimate", r->has_estimate ? json_real(r->estimate) : json_null());
        json_object_set_new(o, "suppressed", json_boolean(r->suppressed));
        json_array_append_new(rows, o);
    }
    for (size_t i = 0; i < sr_stats_note_count(s); i++)
        json_array_append_new(notes, json_string(sr_stats_note(s, i)));
    for (int d = 0; d < 2; d++)
        if (sr_stats_by_name(s, d))
            json_array_append_new(by, json_string(sr_stats_by_name(s, d)));
    json_t *versions = json_array();
    char copy[256];
    snprintf(copy, sizeof copy, "%s", sr_stats_versions(s));
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (strcmp(t, "-") != 0)
            json_array_append_new(versions, json_integer(strtol(t, NULL, 10)));
    json_t *doc = json_pack("{s:s, s:s, s:i, s:o, s:{s:s?, s:s?, s:s?, s:s?}, s:o, s:b, s:s, s:o, s:o}",
                            "form", q->form, "title", sr_stats_form_title(s), "min_cell",
                            sr_stats_min_cell(s), "by", by, "filters", "unit", q->unit, "status",
                            q->status, "from", sr_stats_from(s), "to", sr_stats_to(s),
                            "form_versions", versions, "change", q->change, "generated_at",
                            sr_stats_generated_at(s), "notes", notes, "rows", rows);
    if (!doc)
        return -1;
    char *text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!text)
        return -1;
    fprintf(f, "%s\n", text);
    free(text);
    return 0;
}

/* Prints s cut or padded to width characters (not bytes: Swedish labels). */
static void pad(FILE *f, const char *s, size_t width)
{
    size_t chars = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (; *p && chars < width; chars++) {
        size_t n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        for (size_t k = 0; k < n && *p; k++)
            fputc(*p++, f);
    }
    for (; chars < width; chars++)
        fputc(' ', f);
}

static void write_table(FILE *f, const sr_stats *s, const sr_stats_query *q)
{
    int sv = !q->lang || strcmp(q->lang, "en") != 0;
    fprintf(f, "%s (%s)%s\n", sr_stats_form_title(s), q->form, q->change ? (sv ? ": förändring" : ": change") : "");
    fprintf(f, "%s %d", sv ? "minsta cell" : "minimum cell", sr_stats_min_cell(s));
    if (sr_stats_from(s) || sr_stats_to(s))
        fprintf(f, ", %s %s %s", sr_stats_from(s) ? sr_stats_from(s) : "", sv ? "till" : "to",
                sr_stats_to(s) ? sr_stats_to(s) : "");
    if (q->unit)
        fprintf(f, ", %s %s", sv ? "enhet" : "unit", q->unit);
    if (q->status)
        fprintf(f, ", %s", q->status);
    fprintf(f, "\n");
    const char *item = NULL;
    const char *group[2] = {NULL, NULL};
    for (size_t i = 0; i < sr_stats_row_count(s); i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        if (!item || strcmp(item, r->item) != 0) {
            fprintf(f, "\n%s [%s]\n", r->item_label ? r->item_label : r->item, r->item);
            item = r->item;
            group[0] = group[1] = NULL;
        }
        int new_group = 0;
        for (int d = 0; d < 2; d++)
            if (r->by[d] && (!group[d] || strcmp(group[d], r->by[d]) != 0))
                new_group = 1;
        if (new_group) {
            fprintf(f, "  %s=%s", sr_stats_by_name(s, 0), r->by[0]);
            if (r->by[1])
                fprintf(f, ", %s=%s", sr_stats_by_name(s, 1), r->by[1]);
            fprintf(f, "\n");
            group[0] = r->by[0];
            group[1] = r->by[1];
        }
        char count[32] = "..", pct[32] = "", est[32] = "";
        if (r->has_count)
            snprintf(count, sizeof count, "%ld", r->count);
        if (r->has_percent)
            snprintf(pct, sizeof pct, "%.1f %%", r->percent);
        if (r->has_estimate)
            snprintf(est, sizeof est, "%.2f", r->estimate);
        if (r->suppressed)
            snprintf(count, sizeof count, "..");
        const char *label = r->value_label ? r->value_label : r->value;
        fputs("    ", f);
        pad(f, label, 44);
        fprintf(f, " %7s %9s %9s\n", count, pct, est);
    }
    fprintf(f, "\n.. = %s\n", sv ? "uppgiften redovisas inte (röjanderisk)" : "withheld (disclosure risk)");
    for (size_t i = 0; i < sr_stats_note_count(s); i++)
        fprintf(f, "- %s\n", sr_stats_note(s, i));
}

int cmd_stats(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    sr_stats_query q;
    memset(&q, 0, sizeof q);
    q.lang = "sv";
    const char *format = "table", *out_path = NULL;
    int excel = 0;
    long min_cell = 0;
    char by_text[256] = "";
    static const struct option opts[] = {
        {"by", required_argument, NULL, 'b'},      {"unit", required_argument, NULL, 'u'},
        {"status", required_argument, NULL, 's'},  {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},      {"min-cell", required_argument, NULL, 'm'},
        {"format", required_argument, NULL, 'F'},  {"out", required_argument, NULL, 'o'},
        {"excel", no_argument, NULL, 'x'},         {"change", no_argument, NULL, 'c'},
        {"lang", required_argument, NULL, 'l'},    {NULL, 0, NULL, 0}};
    const char *usage = "usage: sigreg stats FORM [--by ITEM[,ITEM]] [--unit CODE] [--status "
                        "open|closed] [--from DATE] [--to DATE] [--min-cell N] [--change] "
                        "[--format table|csv|json] [--excel] [--out FILE] [--lang sv|en]";
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'b': snprintf(by_text, sizeof by_text, "%s", optarg); break;
        case 'u': q.unit = optarg; break;
        case 's': q.status = optarg; break;
        case 'f': q.from = optarg; break;
        case 't': q.to = optarg; break;
        case 'm':
            if (cli_parse_int(optarg, 1, 1000000, &min_cell) != 0)
                return cli_usage_error(err, "--min-cell takes a whole number");
            q.min_cell = (int)min_cell;
            break;
        case 'F': format = optarg; break;
        case 'o': out_path = optarg; break;
        case 'x': excel = 1; break;
        case 'c': q.change = 1; break;
        case 'l':
            if (strcmp(optarg, "sv") != 0 && strcmp(optarg, "en") != 0)
                return cli_usage_error(err, "--lang takes sv or en");
            q.lang = optarg;
            break;
        default: return cli_usage_error(err, "%s", usage);
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error(err, "%s", usage);
    q.form = argv[optind];
    if (strcmp(format, "table") != 0 && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
        return cli_usage_error(err, "--format takes table, csv or json");
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
    FILE *f = out_path ? fopen(out_path, "wb") : stdout;
    if (!f) {
        sr_stats_free(s);
        return sr_error_set(err, SR_ERR_IO, "cannot write '%s'", out_path), CLI_FAIL;
    }
    int bad = 0;
    if (strcmp(format, "csv") == 0)
        write_csv(f, s, excel);
    else if (strcmp(format, "json") == 0)
        bad = write_json(f, s, &q) != 0;
    else
        write_table(f, s, &q);
    if (out_path && fclose(f) != 0)
        bad = 1;
    sr_stats_free(s);
    if (bad)
        return sr_error_set(err, SR_ERR_IO, "cannot write the summary"), CLI_FAIL;
    return CLI_OK;
}
