/*
 * cmd_settings.c - `sigreg settings [--min-cell N] [--method suppression|cell-key]
 * [--ptable-d N] [--ptable-v X] [--ptable-js N]`: show or change the
 * registry's settings.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sigreg/settings.h"

/* --ptable-v: a decimal number (the library checks its range). */
static int opt_double(const cli_args *args, const char *name, double *out, sr_error *err)
{
    const char *text = cli_opt(args, name);
    if (!text)
        return CLI_OK;
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !isfinite(v))
        return cli_usage_error(err, "--%s takes a number such as 2.5", name);
    *out = v;
    return CLI_OK;
}

int cmd_settings(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    long min_cell = 0, d = 0, js = -1;
    double v = 0;
    int code = cli_opt_long(args, "min-cell", 1, 1000000, &min_cell, err);
    if (code == CLI_OK)
        code = cli_opt_long(args, "ptable-d", 0, 1000, &d, err);
    if (code == CLI_OK)
        code = cli_opt_long(args, "ptable-js", 0, 1000, &js, err);
    if (code == CLI_OK)
        code = opt_double(args, "ptable-v", &v, err);
    if (code != CLI_OK)
        return code;
    const char *method = cli_opt(args, "method");
    sr_status rc = SR_OK;
    if (min_cell)
        rc = sr_settings_set_min_cell(reg, (int)min_cell, err);
    sr_disclosure_method m;
    if (rc == SR_OK && (method || d || js >= 0 || v != 0)) {
        rc = sr_settings_method(reg, &m, err);
        if (rc == SR_OK) {
            if (method)
                snprintf(m.method, sizeof m.method, "%s", method);
            if (d)
                m.ptable_d = (int)d;
            if (js >= 0)
                m.ptable_js = (int)js;
            if (v != 0)
                m.ptable_v = v;
            rc = sr_settings_set_method(reg, &m, err);
        }
    }
    int value = 0;
    if (rc == SR_OK)
        rc = sr_settings_min_cell(reg, &value, err);
    if (rc == SR_OK)
        rc = sr_settings_method(reg, &m, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    printf("min_cell\t%d\n", value);
    printf("method\t%s\n", m.method);
    printf("ptable_d\t%d\nptable_v\t%g\nptable_js\t%d\n", m.ptable_d, m.ptable_v, m.ptable_js);
    return CLI_OK;
}
