/*
 * cmd_import.c - `sigreg import FILE|-`: many cases from JSON Lines. Prints
 * "ref<TAB>case code" for each case once it is committed; a failing line is
 * reported by number and ref and leaves nothing behind. On a terminal, a
 * progress line on stderr.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sigreg/import.h"

#define BATCH_CASES 5000

static void print_committed(const sr_import_result *committed, void *ctx)
{
    (void)ctx;
    printf("%s\t%s\n", committed->ref, committed->code);
}

/* Commits the batch; its cases are reported once committed. */
static sr_status flush_batch(sr_import *imp, sr_error *err)
{
    sr_status rc = sr_import_commit(imp, err);
    fflush(stdout);
    return rc;
}

int cmd_import(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    long batch = BATCH_CASES;
    int exit_code = cli_opt_long(args, "batch", 1, 1000000, &batch, err);
    if (exit_code != CLI_OK)
        return exit_code;
    const char *path = cli_pos(args, 0);
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!in)
        return sr_error_set(err, SR_ERR_IO, "cannot open '%s'", path), CLI_FAIL;
    int progress = isatty(STDERR_FILENO);
    sr_import *imp = NULL;
    sr_status rc = sr_import_begin(reg, print_committed, NULL, &imp, err);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long line_no = 0, failed = 0, imported = 0, in_batch = 0;
    size_t responses = 0;
    time_t start = time(NULL), shown = 0;
    sr_problems *problems = sr_problems_new();
    while (rc == SR_OK && (n = getline(&line, &cap, in)) >= 0) {
        line_no++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        sr_import_result r;
        sr_error lerr;
        sr_error_clear(&lerr);
        sr_problems_clear(problems);
        sr_status lrc = sr_import_line(imp, line, (size_t)n, &r, problems, &lerr);
        if (sr_import_status_is_fatal(lrc)) {
            *err = lerr;
            rc = lrc;
            break;
        }
        if (lrc != SR_OK) {
            failed++;
            fprintf(stderr, "%sline %ld (ref %s): %s\n", progress ? "\r\033[K" : "", line_no,
                    r.ref[0] ? r.ref : "-", lerr.message);
            cli_print_problems("  ", problems);
            continue;
        }
        imported++;
        responses += r.responses;
        if (++in_batch == batch) {
            rc = flush_batch(imp, err);
            in_batch = 0;
        }
        if (progress && time(NULL) != shown) {
            shown = time(NULL);
            fprintf(stderr, "\r\033[Kimporting: line %ld, %ld cases, %zu responses, %ld failed",
                    line_no, imported, responses, failed);
        }
    }
    if (rc == SR_OK && ferror(in))
        rc = sr_error_set(err, SR_ERR_IO, "cannot read '%s'", path);
    if (rc == SR_OK)
        rc = flush_batch(imp, err);
    sr_import_free(imp);
    sr_problems_free(problems);
    free(line);
    if (in != stdin)
        fclose(in);
    double secs = difftime(time(NULL), start);
    fprintf(stderr, "%simported %ld cases with %zu responses in %.0f s; %ld line%s failed\n",
            progress ? "\r\033[K" : "", imported, responses, secs, failed, failed == 1 ? "" : "s");
    if (rc != SR_OK)
        return cli_fail(rc);
    if (failed)
        return sr_error_set(err, SR_ERR_INVALID, "%ld line%s could not be imported", failed,
                            failed == 1 ? "" : "s"),
               CLI_FAIL;
    return CLI_OK;
}
