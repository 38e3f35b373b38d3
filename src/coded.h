/*
 * coded.h - answers in the compact coded form that statistics read
 * (internal).
 *
 * Alongside its JSON, every response keeps its answers coded by the form
 * version's item order: per item a presence byte, then an option index
 * (choice), a list of option indexes (multichoice), a number (integer,
 * decimal, scale), days since 1970-01-01 (date) or a truth value (boolean).
 * Free text is coded as present or not, never its content. Summaries decode
 * this instead of parsing JSON, which is what makes them fast.
 */
#ifndef SIGREG_CODED_H
#define SIGREG_CODED_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "sigreg/form.h"

typedef struct srp_coded_value {
    int present;
    int boolean;
    int option;                 /* choice */
    const unsigned char *multi; /* multichoice: count then uint16 indexes */
    size_t multi_count;
    double number; /* integer, decimal, scale */
    int32_t day;   /* date */
} srp_coded_value;

/* Encodes validated answers; *out is malloc'd. Returns 0, or -1 on OOM or
 * when an answer does not fit the form (an unknown option code, a wrong JSON
 * type: answers that were never validated), so that nothing is ever coded
 * as something else. */
int srp_coded_encode(const sr_form *form, const json_t *answers, unsigned char **out, size_t *len);
/* Decodes the next item's value at *pos; returns -1 when the blob is damaged:
 * too short, a presence or truth byte other than 0 or 1, an option index
 * the item does not have, or a number that is not finite, not whole for an
 * integer or scale, or outside the item's min..max. Whether the blob ends
 * after the last item is the caller's check. */
int srp_coded_next(const sr_form *form, size_t item, const unsigned char *blob, size_t len,
                   size_t *pos, srp_coded_value *value);
/* Decodes every item of form from blob into vals (one per item, in item
 * order), with the checks of srp_coded_next; -1 when damaged. Whether the
 * blob ends after the last item is the caller's check. */
int srp_coded_decode(const sr_form *form, const unsigned char *blob, size_t len,
                     srp_coded_value *vals);
/* The i-th option index of a multichoice value. */
int srp_coded_multi_at(const srp_coded_value *value, size_t i);
/* Days since 1970-01-01 of a YYYY-MM-DD date. */
int32_t srp_days_from_date(const char *date);

#endif
