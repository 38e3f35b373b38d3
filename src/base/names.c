/*
 * names.c - validation of user names, unit codes and form identifiers.
 */
#include "base/names.h"

#include <string.h>

#include "sigreg/limits.h"

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

static int is_lower_or_digit(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* first: the first character must be a lower-case letter; extra: the other
 * characters allowed besides a-z and 0-9. */
static int form_name_valid(const char *s, int first_letter, const char *extra, size_t max)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    if (n < 1 || n > max || (first_letter && !(s[0] >= 'a' && s[0] <= 'z')))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_lower_or_digit(s[i]) && !strchr(extra, s[i]))
            return 0;
    return 1;
}

int srp_name_item_id_valid(const char *id)
{
    return form_name_valid(id, 1, "_", SR_ITEM_ID_MAX);
}

int srp_name_form_id_valid(const char *id)
{
    return form_name_valid(id, 1, "-", SR_FORM_ID_MAX);
}

int srp_name_option_code_valid(const char *code)
{
    return form_name_valid(code, 0, "_", SR_OPTION_CODE_MAX);
}
