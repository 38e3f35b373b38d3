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
    printf("database:  %s\n", r.database_ok ? "ok" : "DAMAGED");
    printf("code key:  %s\n", r.codekey_ok < 0 ? "not checked (needs the identity key)"
                              : r.codekey_ok   ? "ok"
                                               : "DAMAGED");
    printf("audit log: %s (%lld entries", r.audit_ok ? "ok" : "BROKEN", (long long)r.audit_entries);
    if (r.audit_ok)
        printf(", head %s", r.audit_head);
    printf(")\n");
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}
