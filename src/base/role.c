/*
 * role.c - role names.
 */
#include "sigreg/role.h"

#include <string.h>

static const char *const role_names[] = {"admin", "coordinator", "analyst"};

const char *sr_role_name(sr_role role)
{
    if ((unsigned)role > SR_ROLE_ANALYST)
        return "unknown";
    return role_names[role];
}

int sr_role_parse(const char *name, sr_role *out)
{
    for (unsigned i = 0; i <= SR_ROLE_ANALYST; i++)
        if (name && strcmp(name, role_names[i]) == 0) {
            *out = (sr_role)i;
            return 0;
        }
    return -1;
}

int sr_role_holds_identity(sr_role role)
{
    return role == SR_ROLE_ADMIN || role == SR_ROLE_COORDINATOR;
}
