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
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "form_int.h"
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
/* Days since 1970-01-01 of a YYYY-MM-DD date. */
int32_t srp_days_from_date(const char *date);

/* ---- the reader of one value, inline: a summary reads it once per item of
 * every response it scans (srp_coded_next is the same, by the form). ---- */

static inline unsigned srp_coded_u16(const unsigned char *p)
{
    return (unsigned)p[0] | ((unsigned)p[1] << 8);
}

/* The i-th option index of a multichoice value. */
static inline int srp_coded_multi_at(const srp_coded_value *value, size_t i)
{
    return (int)srp_coded_u16(value->multi + 2 * i);
}

/* Whether a decoded number is one the form could have accepted: a damaged
 * one (NaN, out of range, a fraction for a whole number) would otherwise
 * reach the statistics. */
static inline int srp_coded_number_fits(const srp_item *it, double v)
{
    if (!isfinite(v))
        return 0;
    if (it->type != SR_ITEM_DECIMAL && v != floor(v))
        return 0;
    return !(it->has_min && v < it->min) && !(it->has_max && v > it->max);
}

/* srp_coded_next for item it read as type (it->type: srp_coded_read),
 * always inline: a summary's scan calls it once per item of every response,
 * with type a constant where it knows the item's type, so that the reader
 * is made for that type alone. */
static inline __attribute__((always_inline)) int
srp_coded_read_as(const srp_item *it, sr_item_type type, const unsigned char *blob, size_t len,
                  size_t *pos, srp_coded_value *v)
{
    memset(v, 0, sizeof *v);
    if (*pos >= len)
        return -1;
    unsigned char present = blob[(*pos)++];
    if (present > 1)
        return -1; /* the encoder writes neither */
    v->present = present;
    if (!v->present)
        return 0;
    size_t need;
    switch (type) {
    case SR_ITEM_SECTION:
        return -1; /* never present */
    case SR_ITEM_BOOLEAN:
        if (*pos + 1 > len || blob[*pos] > 1)
            return -1;
        v->boolean = blob[(*pos)++];
        return 0;
    case SR_ITEM_CHOICE:
        if (*pos + 2 > len)
            return -1;
        v->option = (int)srp_coded_u16(blob + *pos);
        *pos += 2;
        return v->option < (int)it->option_count ? 0 : -1;
    case SR_ITEM_MULTICHOICE:
        if (*pos + 2 > len)
            return -1;
        v->multi_count = srp_coded_u16(blob + *pos);
        need = 2 + 2 * v->multi_count;
        if (*pos + need > len)
            return -1;
        v->multi = blob + *pos + 2;
        *pos += need;
        for (size_t k = 0; k < v->multi_count; k++)
            if (srp_coded_u16(v->multi + 2 * k) >= it->option_count)
                return -1;
        return 0;
    case SR_ITEM_INTEGER:
    case SR_ITEM_DECIMAL:
    case SR_ITEM_SCALE:
        if (*pos + sizeof(double) > len)
            return -1;
        memcpy(&v->number, blob + *pos, sizeof(double));
        *pos += sizeof(double);
        return srp_coded_number_fits(it, v->number) ? 0 : -1;
    case SR_ITEM_DATE:
        if (*pos + sizeof(int32_t) > len)
            return -1;
        memcpy(&v->day, blob + *pos, sizeof(int32_t));
        *pos += sizeof(int32_t);
        return 0;
    default:
        return 0;
    }
}

static inline __attribute__((always_inline)) int srp_coded_read(const srp_item *it,
                                                                const unsigned char *blob,
                                                                size_t len, size_t *pos,
                                                                srp_coded_value *v)
{
    return srp_coded_read_as(it, it->type, blob, len, pos, v);
}

#endif
