/*
 * cmd_verify.c - `sigreg verify`: the database, the code key and the audit
 * chain, checked whole.
 */
#include "cli.h"
#include "sigreg/maintenance.h"

int cmd_verify(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    (void)args;
    sr_verify_report r;
    sr_status rc = sr_registry_verify(reg, &r, err);
    printf("database:  %s\n", r.database_ok < 0 ? "not checked (needs the data key)"
                              : r.database_ok   ? "ok"
                                                : "DAMAGED");
    printf("code key:  %s\n", r.codekey_ok < 0 ? "not checked (needs the identity key)"
                              : r.codekey_ok   ? "ok"
                                               : "DAMAGED");
    printf("%s %s (%lld entries",
           r.database_ok < 0 ? "access log:" : "audit log:", r.audit_ok ? "ok" : "BROKEN",
           (long long)r.audit_entries);
    if (r.audit_ok)
        printf(", head %s", r.audit_head);
    printf(")\n");
    /* The analysts' access log, when there is one (an analyst's own
     * session checked only that, above). */
    if (r.database_ok >= 0 && (r.sidelog_entries > 0 || !r.sidelog_ok))
        printf("analysts' access log: %s (%lld entries)\n", r.sidelog_ok ? "ok" : "BROKEN",
               (long long)r.sidelog_entries);
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}
