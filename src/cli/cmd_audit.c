/*
 * cmd_audit.c - `sigreg audit verify|show`: check and read the access log.
 */
#include <getopt.h>

#include "cli.h"
#include "sigreg/audit.h"

int cmd_audit_verify(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    (void)argv;
    if (argc != 1)
        return cli_usage_error(err, "audit verify takes no arguments");
    sr_audit_report report;
    sr_status rc = sr_audit_verify(reg, &report, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    printf("audit log ok: %lld entries, head %s\n", (long long)report.entries, report.head);
    return CLI_OK;
}

static int print_entry(void *ctx, const sr_audit_entry *e)
{
    (void)ctx;
    printf("%lld\t%s\t%s\t%s\t%s\t%s\n", (long long)e->seq, e->at, e->user, e->action,
           e->case_code ? e->case_code : "-", e->detail ? e->detail : "-");
    return 0;
}

int cmd_audit_show(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    long last = 0;
    const char *case_code = NULL;
    static const struct option opts[] = {{"last", required_argument, NULL, 'l'},
                                         {"case", required_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'l' && cli_parse_int(optarg, 1, 100000000, &last) == 0)
            continue;
        if (c == 'c') {
            case_code = optarg;
            continue;
        }
        return cli_usage_error(err, "usage: sigreg audit show [--last N] [--case CODE]");
    }
    if (optind < argc)
        return cli_usage_error(err, "unexpected argument '%s'", argv[optind]);
    printf("seq\tat\tuser\taction\tcase\tdetail\n");
    sr_status rc = sr_audit_list(reg, last, case_code, print_entry, NULL, err);
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}
