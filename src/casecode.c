/*
 * casecode.c - generating and checking case codes.
 *
 * The alphabet leaves out symbols that are easily confused on paper or on
 * the phone: 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B, G/6.
 */
#include <ctype.h>
#include <string.h>

#include "casecode.h"
#include "crypto.h"
#include "base/error.h"

static const char alphabet[] = "ACDEFHJKMNPRTUVWXY34679";
#define ALPHABET_SIZE (sizeof alphabet - 1)

static char check_symbol(const char symbols[7])
{
    unsigned sum = 0;
    for (int i = 0; i < 7; i++)
        sum += (unsigned)(strchr(alphabet, symbols[i]) - alphabet) * (unsigned)(i + 2);
    return alphabet[sum % ALPHABET_SIZE];
}

void srp_case_code_generate(char code[SR_CASE_CODE_SIZE])
{
    char s[7];
    for (int i = 0; i < 7; i++)
        s[i] = alphabet[srp_random_uniform(ALPHABET_SIZE)];
    memcpy(code, s, 4);
    code[4] = '-';
    memcpy(code + 5, s + 4, 3);
    code[8] = check_symbol(s);
    code[9] = '\0';
}

sr_status sr_case_code_normalise(const char *typed, char code[SR_CASE_CODE_SIZE], sr_error *err)
{
    char s[8];
    size_t n = 0;
    for (const char *p = typed ? typed : ""; *p; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        char c = (char)toupper((unsigned char)*p);
        if (n == 8 || !strchr(alphabet, c) || c == '\0')
            return srp_error_set_where(err, SR_ERR_INVALID, "case",
                                       "'%s' is not a case code (like ACDE-FH34)",
                                       typed ? typed : "");
        s[n++] = c;
    }
    if (n != 8)
        return srp_error_set_where(err, SR_ERR_INVALID, "case",
                                   "'%s' is not a case code (like ACDE-FH34)", typed ? typed : "");
    if (check_symbol(s) != s[7])
        return srp_error_set_where(err, SR_ERR_INVALID, "case",
                                   "case code '%s' is mistyped: its check character does not match",
                                   typed);
    memcpy(code, s, 4);
    code[4] = '-';
    memcpy(code + 5, s + 4, 4);
    code[9] = '\0';
    return SR_OK;
}
