/*
 * freetext.h - what free text must not hold (internal): a personnummer or
 * samordningsnummer, which refuses the answer, and what looks like a name,
 * which only warns.
 *
 * Positions are characters (UTF-8 code points) counted from 1, so that a
 * message can say where without repeating what it found. This module must
 * not keep, copy out or report the text it scans: it returns positions only.
 */
#ifndef SIGREG_FREETEXT_H
#define SIGREG_FREETEXT_H

#include <stddef.h>

/* The character position (from 1) of the first valid personnummer or
 * samordningsnummer in text (10 or 12 digits, with or without - or +,
 * Luhn-valid, a real date; not part of a longer run of digits), or 0 when
 * there is none. today ("YYYY-MM-DD") decides centuries. */
size_t srp_freetext_find_pnr(const char *text, const char *today);

/* The character position (from 1) of the first thing in text that looks
 * like a name: two capitalised words in a row ("Anna Berg"), or a
 * capitalised word that is a common first name (the shipped list); 0 when
 * there is none. */
size_t srp_freetext_find_name(const char *text);

#endif
