/*
 * cmd_audit.c - `sigreg audit verify|show|checkpoint`: check and read the
 * access log, and pin its length with a signed checkpoint.
 */
#include <stdlib.h>

#include "cli.h"
#include "sigreg/audit.h"

int cmd_audit_verify(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    sr_audit_report report;
    const char *expect = cli_opt(args, "expect"), *checkpoint = cli_opt(args, "checkpoint");
    sr_status rc = sr_audit_verify_against(reg, expect, checkpoint, &report, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    if (report.side_log) { /* an analyst's session: the log they write */
        printf("analysts' access log ok: %lld entries, head %s\n", (long long)report.entries,
               report.head);
        return CLI_OK;
    }
    printf("audit log ok: %lld entries, head %s\n", (long long)report.entries, report.head);
    printf("signed by their users: %lld of %lld entries\n", (long long)report.signed_entries,
           (long long)report.entries);
    if (report.unchecked_entries > 0)
        printf("note: %lld older unsigned entries could not be checked with your keys\n",
               (long long)report.unchecked_entries);
    if (expect || checkpoint)
        printf("checkpoint held: the log still holds what it saw\n");
    if (report.side_entries > 0)
        printf("analysts' access log ok: %lld entries, head %s\n", (long long)report.side_entries,
               report.side_head);
    return CLI_OK;
}

int cmd_audit_checkpoint(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    (void)args;
    char *text = NULL;
    sr_status rc = sr_audit_checkpoint(reg, &text, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    fputs(text, stdout);
    free(text);
    return CLI_OK;
}

static int print_entry(void *ctx, const sr_audit_entry *e)
{
    (void)ctx;
    printf("%lld\t%s\t%s\t%s\t%s\t%s\n", (long long)e->seq, e->at, e->user, e->action,
           e->case_code ? e->case_code : "-", e->detail ? e->detail : "-");
    return 0;
}

static int count_entry(void *ctx, const sr_audit_entry *e)
{
    (void)e;
    *(int *)ctx = 1;
    return 1;
}

int cmd_audit_show(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    long last = 0;
    const char *case_code = cli_opt(args, "case");
    int code = cli_opt_long(args, "last", 1, 100000000, &last, err);
    if (code != CLI_OK)
        return code;
    printf("seq\tat\tuser\taction\tcase\tdetail\n");
    sr_status rc = sr_audit_list(reg, last, case_code, print_entry, NULL, err);
    /* Then the analysts' access log (no entry there names a case). */
    int any = 0;
    if (rc == SR_OK && !case_code)
        rc = sr_audit_list_side(reg, last, count_entry, &any, err);
    if (rc == SR_OK && any) {
        printf("\nanalysts' access log\nseq\tat\tuser\taction\tcase\tdetail\n");
        rc = sr_audit_list_side(reg, last, print_entry, NULL, err);
    }
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}
