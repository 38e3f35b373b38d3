/*
 * pnr.h - Swedish personal identity numbers (personnummer) and coordination
 * numbers (samordningsnummer): parsing, validation, canonical form (internal).
 *
 * Accepted: YYYYMMDD-NNNC, YYYYMMDDNNNC, YYMMDD-NNNC, YYMMDDNNNC and
 * YYMMDD+NNNC (+ for people aged 100 or more); surrounding spaces ignored.
 * Validated: the Luhn check digit, a real birth date (a coordination number
 * adds 60 to the day), and a birth date not in the future. Messages say which
 * rule broke and never repeat the number.
 */
#ifndef SIGREG_PNR_H
#define SIGREG_PNR_H

#include "sigreg/status.h"

typedef struct srp_pnr {
    char canonical[13];  /* YYYYMMDDNNNC, NUL-terminated */
    char birth_date[11]; /* YYYY-MM-DD (the real day for coordination numbers) */
    int coordination;    /* 1 for a samordningsnummer */
} srp_pnr;

/* today is "YYYY-MM-DD" (the reference for centuries and the future). */
sr_status srp_pnr_parse(const char *text, const char *today, srp_pnr *out, sr_error *err);
/* The same, with its messages in lang ("sv" or "en", as srp_texts_get);
 * srp_pnr_parse speaks English. */
sr_status srp_pnr_parse_lang(const char *text, const char *today, const char *lang, srp_pnr *out,
                             sr_error *err);

#endif
