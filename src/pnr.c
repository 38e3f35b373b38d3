/*
 * pnr.c - personnummer and samordningsnummer parsing and validation.
 */
#include "pnr.h"

#include "base/texts.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/texts.h"
#include "base/timeutil.h"

static int luhn_ok(const char ten[10])
{
    int sum = 0;
    for (int i = 0; i < 10; i++) {
        int d = ten[i] - '0';
        if (i % 2 == 0) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return sum % 10 == 0;
}

sr_status srp_pnr_parse_lang(const char *text, const char *today, const char *lang, srp_pnr *out,
                             sr_error *err)
{
    char digits[13];
    size_t n = 0;
    char separator = 0;
    size_t sep_pos = 0;
    memset(out, 0, sizeof *out);
    if (!text)
        return srp_error_set_where(err, SR_ERR_INVALID, "pnr", "%s",
                                   srp_texts_get(SRP_T_PNR_NONE, lang));
    while (*text == ' ')
        text++;
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] == ' ')
        len--;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            if (n >= 12)
                return srp_error_set_where(err, SR_ERR_INVALID, "pnr", "%s",
                                           srp_texts_get(SRP_T_PNR_DIGITS, lang));
            digits[n++] = c;
        } else if ((c == '-' || c == '+') && !separator) {
            separator = c;
            sep_pos = n;
        } else {
            return srp_error_set_where(err, SR_ERR_INVALID, "pnr", "%s",
                                       srp_texts_get(SRP_T_PNR_CHARACTERS, lang));
        }
    }
    digits[n] = '\0';
    if (n != 10 && n != 12)
        return srp_error_set_where(err, SR_ERR_INVALID, "pnr", "%s",
                                   srp_texts_get(SRP_T_PNR_DIGITS, lang));
    if (separator && sep_pos != n - 4)
        return srp_error_set_where(err, SR_ERR_INVALID, "pnr",
                                   srp_texts_get(SRP_T_PNR_SEPARATOR, lang), separator);
    int ty, tm, td;
    if (srp_date_parse(today, &ty, &tm, &td) != 0)
        return srp_error_set(err, SR_ERR_INVALID, "no valid reference date");
    const char *ten = n == 12 ? digits + 2 : digits;
    int yy = (ten[0] - '0') * 10 + (ten[1] - '0');
    int month = (ten[2] - '0') * 10 + (ten[3] - '0');
    int day = (ten[4] - '0') * 10 + (ten[5] - '0');
    int coordination = day > 60;
    if (coordination)
        day -= 60;
    int year;
    if (n == 12) {
        year = (digits[0] - '0') * 1000 + (digits[1] - '0') * 100 + yy;
    } else {
        /* The separator is by year: '-' until the year the person turns 100,
         * '+' from then on. So '-' (or none) means a year in [today-99,
         * today], '+' one in [today-199, today-100]. */
        int earliest = ty - 99;
        year = earliest + ((yy - earliest) % 100 + 100) % 100;
        if (separator == '+')
            year -= 100;
    }
    if (!srp_date_valid(year, month, day))
        return srp_error_set_where(
            err, SR_ERR_INVALID, "pnr", "%s",
            srp_texts_get(coordination ? SRP_T_PNR_NO_DATE_SAMORD : SRP_T_PNR_NO_DATE, lang));
    char birth[11];
    snprintf(birth, sizeof birth, "%04d-%02d-%02d", year, month, day);
    if (strcmp(birth, today) > 0)
        return srp_error_set_where(err, SR_ERR_INVALID, "pnr", "%s",
                                   srp_texts_get(SRP_T_PNR_FUTURE, lang));
    if (n == 12 && separator == '+') {
        if (ty - year < 100)
            return srp_error_set_where(err, SR_ERR_INVALID, "pnr", "%s",
                                       srp_texts_get(SRP_T_PNR_PLUS, lang));
    }
    if (!luhn_ok(ten))
        return srp_error_set_where(err, SR_ERR_INVALID, "pnr", "%s",
                                   srp_texts_get(SRP_T_PNR_CHECK_DIGIT, lang));
    snprintf(out->canonical, sizeof out->canonical, "%04d%.8s", year, ten + 2);
    memcpy(out->birth_date, birth, sizeof out->birth_date);
    out->coordination = coordination;
    return SR_OK;
}

sr_status srp_pnr_parse(const char *text, const char *today, srp_pnr *out, sr_error *err)
{
    return srp_pnr_parse_lang(text, today, "en", out, err);
}
