/*
 * registry_log.c - sr_registry_log_view: audit entries for what a front
 * end's session does that no library call logs by itself (sigreg/registry.h).
 */
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "registry_int.h"
#include "sigreg/cases.h"
#include "sigreg/registry.h"

static int valid_what(const char *what)
{
    size_t n = what ? strlen(what) : 0;
    if (n == 0 || n > 40)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = what[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

sr_status sr_registry_log_view(sr_registry *reg, const char *what, const char *case_code,
                               sr_error *err)
{
    char action[48];
    char code[SR_CASE_CODE_SIZE];
    if (!reg)
        return srp_error_set(err, SR_ERR_USAGE, "no registry session");
    if (!valid_what(what))
        return srp_error_set_where(err, SR_ERR_USAGE, "what",
                                   "a logged action is 1-40 of a-z, 0-9, '.', '_' and '-'");
    if (case_code && sr_case_code_normalise(case_code, code, NULL) != SR_OK)
        return srp_error_set_where(err, SR_ERR_USAGE, "case", "'%s' is not a case code", case_code);
    snprintf(action, sizeof action, "web.%s", what);
    srp_registry_log_apart(reg, action, case_code ? code : NULL, NULL);
    return SR_OK;
}
