/*
 * names.c - validation of user names and unit codes.
 */
#include "base/names.h"

#include <string.h>

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int valid_with(const char *s, const char *extra)
{
    if (!s || !is_alnum(s[0]))
        return 0;
    size_t n = strlen(s);
    if (n > 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(s[i]) && !strchr(extra, s[i]))
            return 0;
    return 1;
}

int srp_name_user_valid(const char *name)
{
    return valid_with(name, "._-");
}

int srp_name_unit_valid(const char *code)
{
    return valid_with(code, "_-");
}
