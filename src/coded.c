/*
 * coded.c - encoding and decoding the compact coded answers.
 */
#include "coded.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "form_int.h"
#include "base/timeutil.h"

int32_t srp_days_from_date(const char *date)
{
    int y, m, d;
    if (srp_date_parse(date, &y, &m, &d) != 0)
        return 0;
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

/* The index of option code, -1 when the item has none such (or code is NULL). */
static int option_index(const srp_item *it, const char *code)
{
    for (size_t o = 0; code && o < it->option_count; o++)
        if (strcmp(it->options[o].code, code) == 0)
            return (int)o;
    return -1;
}

int srp_coded_encode(const sr_form *form, const json_t *answers, unsigned char **out, size_t *len)
{
    srp_buf b = SRP_BUF_INIT;
    int unfit = 0; /* an answer the form does not allow: never coded as something else */
    for (size_t i = 0; i < form->item_count; i++) {
        const srp_item *it = &form->items[i];
        const json_t *a = json_object_get(answers, it->id);
        unsigned char present = a && !json_is_null(a) && it->type != SR_ITEM_SECTION;
        srp_buf_put(&b, &present, 1);
        if (!present)
            continue;
        switch (it->type) {
        case SR_ITEM_BOOLEAN: {
            unsigned char v = json_is_true(a);
            unfit |= !json_is_boolean(a);
            srp_buf_put(&b, &v, 1);
            break;
        }
        case SR_ITEM_CHOICE: {
            int o = option_index(it, json_string_value(a));
            unfit |= o < 0;
            srp_buf_put_le(&b, (unsigned)(o < 0 ? 0 : o), 2);
            break;
        }
        case SR_ITEM_MULTICHOICE: {
            unfit |= !json_is_array(a) || json_array_size(a) > 0xFFFF;
            srp_buf_put_le(&b, json_array_size(a), 2);
            for (size_t k = 0; k < json_array_size(a); k++) {
                int o = option_index(it, json_string_value(json_array_get(a, k)));
                unfit |= o < 0;
                srp_buf_put_le(&b, (unsigned)(o < 0 ? 0 : o), 2);
            }
            break;
        }
        case SR_ITEM_INTEGER:
        case SR_ITEM_DECIMAL:
        case SR_ITEM_SCALE: {
            double v = json_number_value(a);
            unfit |= !json_is_number(a);
            srp_buf_put(&b, &v, sizeof v);
            break;
        }
        case SR_ITEM_DATE: {
            int y, m, d;
            unfit |= !json_is_string(a) || srp_date_parse(json_string_value(a), &y, &m, &d) != 0;
            int32_t day = unfit ? 0 : srp_days_from_date(json_string_value(a));
            srp_buf_put(&b, &day, sizeof day);
            break;
        }
        default:
            break;
        }
    }
    srp_buf_put(&b, "", 0); /* a form without items still gets an allocation */
    if (b.oom || unfit) {
        srp_buf_free(&b);
        return -1;
    }
    *out = b.data;
    *len = b.len;
    return 0;
}

int srp_coded_next(const sr_form *form, size_t item, const unsigned char *blob, size_t len,
                   size_t *pos, srp_coded_value *v)
{
    return srp_coded_read(&form->items[item], blob, len, pos, v);
}

int srp_coded_decode(const sr_form *form, const unsigned char *blob, size_t len,
                     srp_coded_value *vals)
{
    size_t pos = 0;
    for (size_t i = 0; i < form->item_count; i++)
        if (srp_coded_read(&form->items[i], blob, len, &pos, &vals[i]) != 0)
            return -1;
    return 0;
}
