/*
 * stats_write.c - a summary as an aligned table, tidy CSV (plain or in
 * Swedish Excel's flavour) or JSON, written through a sink (sink.h). What
 * is written is only what the result holds: withheld figures are already
 * empty there, and the filters printed are the query actually run.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/texts.h"
#include "stats_int.h"

/* Output gathered in a buffer and handed to the sink in pieces. */
typedef struct out {
    srp_buf buf;
    const sr_sink *sink;
    sr_status rc;
    sr_error *err;
} out;

static void flush(out *o)
{
    if (o->rc == SR_OK && o->buf.oom)
        o->rc = srp_error_set(o->err, SR_ERR_NOMEM, "out of memory");
    if (o->rc == SR_OK && o->buf.len)
        o->rc = sr_sink_write(o->sink, o->buf.data, o->buf.len, o->err);
    o->buf.len = 0;
    if (o->buf.data)
        o->buf.data[0] = '\0';
}

static void maybe_flush(out *o)
{
    if (o->buf.len >= 1 << 16)
        flush(o);
}

/* Appends n bytes: straight into the buffer while it has room. */
static void put_n(out *o, const char *s, size_t n)
{
    srp_buf *b = &o->buf;
    if (b->len + n < b->cap && !b->oom) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
    } else {
        srp_buf_put(b, s, n);
    }
}

static void put(out *o, const char *s)
{
    put_n(o, s, strlen(s));
}

static void putc_(out *o, char c)
{
    put_n(o, &c, 1);
}

static void csv_field(out *o, const char *s, char sep)
{
    if (!s)
        return;
    const char specials[] = {sep, '"', '\n', '\0'};
    size_t plain = strcspn(s, specials);
    if (s[plain]) {
        putc_(o, '"');
        for (; *s; s++) {
            if (*s == '"')
                putc_(o, '"');
            putc_(o, *s);
        }
        putc_(o, '"');
    } else {
        put_n(o, s, plain);
    }
}

static void put_long(out *o, long v)
{
    char text[24], *p = text + sizeof text;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    put_n(o, p, (size_t)(text + sizeof text - p));
}

static void number(out *o, double v, int excel)
{
    char text[64];
    snprintf(text, sizeof text, "%g", v);
    if (excel)
        for (char *p = text; *p; p++)
            if (*p == '.')
                *p = ',';
    put(o, text);
}

static void write_csv(out *o, const sr_stats *s, int excel, int labels)
{
    char sep = excel ? ';' : ',';
    if (excel)
        put(o, "\xEF\xBB\xBF");
    srp_buf_printf(&o->buf, "form%citem", sep);
    for (int d = 0; d < 2; d++)
        if (sr_stats_by_name(s, d))
            srp_buf_printf(&o->buf, "%c%s", sep, sr_stats_by_name(s, d));
    srp_buf_printf(&o->buf, "%cvalue%ccount%cdenominator%cpercent%cestimate%csuppressed", sep, sep,
                   sep, sep, sep, sep);
    if (labels) {
        srp_buf_printf(&o->buf, "%citem_label%cvalue_label", sep, sep);
        for (int d = 0; d < 2; d++)
            if (sr_stats_by_name(s, d))
                srp_buf_printf(&o->buf, "%c%s_label", sep, sr_stats_by_name(s, d));
    }
    put(o, "\r\n");
    for (size_t i = 0; i < sr_stats_row_count(s) && o->rc == SR_OK; i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        csv_field(o, r->form, sep);
        putc_(o, sep);
        csv_field(o, r->item, sep);
        for (int d = 0; d < 2; d++)
            if (sr_stats_by_name(s, d)) {
                putc_(o, sep);
                csv_field(o, r->by[d], sep);
            }
        putc_(o, sep);
        csv_field(o, r->value, sep);
        putc_(o, sep);
        if (r->has_count)
            put_long(o, r->count);
        putc_(o, sep);
        if (r->has_denominator)
            put_long(o, r->denominator);
        putc_(o, sep);
        if (r->has_percent)
            number(o, r->percent, excel);
        putc_(o, sep);
        if (r->has_estimate)
            number(o, r->estimate, excel);
        putc_(o, sep);
        put(o, r->suppressed ? "true" : "false");
        if (labels) {
            putc_(o, sep);
            csv_field(o, r->item_label, sep);
            putc_(o, sep);
            csv_field(o, r->value_label, sep);
            for (int d = 0; d < 2; d++)
                if (sr_stats_by_name(s, d)) {
                    putc_(o, sep);
                    csv_field(o, r->by_label[d], sep);
                }
        }
        put(o, "\r\n");
        maybe_flush(o);
    }
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Sets key to value (a new reference, NULL counting as failure); -1 on failure. */
static int set(json_t *o, const char *key, json_t *value)
{
    return value ? json_object_set_new(o, key, value) : -1;
}

static json_t *json_row(const sr_stats *s, const sr_stats_row *r, int labels)
{
    json_t *o = json_object();
    int bad = !o;
    bad |= set(o, "form", json_string(r->form)) != 0;
    bad |= set(o, "item", json_string(r->item)) != 0;
    for (int d = 0; d < 2; d++)
        if (sr_stats_by_name(s, d))
            bad |= set(o, sr_stats_by_name(s, d), string_or_null(r->by[d])) != 0;
    bad |= set(o, "value", json_string(r->value)) != 0;
    bad |= set(o, "count", r->has_count ? json_integer(r->count) : json_null()) != 0;
    bad |=
        set(o, "denominator", r->has_denominator ? json_integer(r->denominator) : json_null()) != 0;
    bad |= set(o, "percent", r->has_percent ? json_real(r->percent) : json_null()) != 0;
    bad |= set(o, "estimate", r->has_estimate ? json_real(r->estimate) : json_null()) != 0;
    bad |= set(o, "suppressed", json_boolean(r->suppressed)) != 0;
    if (labels) {
        bad |= set(o, "item_label", string_or_null(r->item_label)) != 0;
        bad |= set(o, "value_label", string_or_null(r->value_label)) != 0;
        for (int d = 0; d < 2; d++)
            if (sr_stats_by_name(s, d)) {
                char key[SR_ITEM_ID_MAX + 8];
                snprintf(key, sizeof key, "%s_label", sr_stats_by_name(s, d));
                bad |= set(o, key, string_or_null(r->by_label[d])) != 0;
            }
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *json_doc(const sr_stats *s, int labels)
{
    json_t *rows = json_array(), *notes = json_array(), *by = json_array(),
           *versions = json_array();
    int bad = !rows || !notes || !by || !versions;
    for (size_t i = 0; i < sr_stats_row_count(s) && !bad; i++)
        bad |= json_array_append_new(rows, json_row(s, sr_stats_row_at(s, i), labels)) != 0;
    for (size_t i = 0; i < sr_stats_note_count(s) && !bad; i++)
        bad |= json_array_append_new(notes, json_string(sr_stats_note(s, i))) != 0;
    for (int d = 0; d < 2 && !bad; d++)
        if (sr_stats_by_name(s, d))
            bad |= json_array_append_new(by, json_string(sr_stats_by_name(s, d))) != 0;
    const char *p = sr_stats_versions(s);
    while (*p && !bad) {
        char *end = NULL;
        long v = strtol(p, &end, 10);
        if (end != p)
            bad |= json_array_append_new(versions, json_integer(v)) != 0;
        else
            end = (char *)p + 1; /* "-": no versions (cases) */
        p = *end == ',' ? end + 1 : end;
    }
    if (bad) {
        json_decref(rows);
        json_decref(notes);
        json_decref(by);
        json_decref(versions);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:i, s:o, s:{s:s?, s:s?, s:s?, s:s?}, s:o, s:b, s:s, s:o, s:o}",
                     "form", sr_stats_form(s), "title", sr_stats_form_title(s), "min_cell",
                     sr_stats_min_cell(s), "by", by, "filters", "unit", sr_stats_unit(s), "status",
                     sr_stats_status(s), "from", sr_stats_from(s), "to", sr_stats_to(s),
                     "form_versions", versions, "change", sr_stats_change(s), "generated_at",
                     sr_stats_generated_at(s), "notes", notes, "rows", rows);
}

static void write_json(out *o, const sr_stats *s, int labels)
{
    json_t *doc = json_doc(s, labels);
    char *text = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    if (!text) {
        o->rc = srp_error_set(o->err, SR_ERR_NOMEM, "out of memory");
        return;
    }
    put(o, text);
    put(o, "\n");
    free(text);
}

/* Puts s cut or padded to width characters (not bytes: Swedish labels). */
static void pad(out *o, const char *s, size_t width)
{
    size_t chars = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (; *p && chars < width; chars++) {
        size_t n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        for (size_t k = 0; k < n && *p; k++)
            putc_(o, (char)*p++);
    }
    for (; chars < width; chars++)
        putc_(o, ' ');
}

static void write_table(out *o, const sr_stats *s)
{
    const char *lang = sr_stats_lang(s);
    srp_buf_printf(&o->buf, "%s (%s)%s\n", sr_stats_form_title(s), sr_stats_form(s),
                   sr_stats_change(s) ? srp_texts_get(SRP_T_STATS_CHANGE, lang) : "");
    srp_buf_printf(&o->buf, "%s %d", srp_texts_get(SRP_T_STATS_MIN_CELL, lang),
                   sr_stats_min_cell(s));
    if (sr_stats_from(s) || sr_stats_to(s))
        srp_buf_printf(&o->buf, ", %s %s %s", sr_stats_from(s) ? sr_stats_from(s) : "",
                       srp_texts_get(SRP_T_STATS_TO, lang), sr_stats_to(s) ? sr_stats_to(s) : "");
    if (sr_stats_unit(s))
        srp_buf_printf(&o->buf, ", %s %s", srp_texts_get(SRP_T_STATS_UNIT, lang), sr_stats_unit(s));
    if (sr_stats_status(s))
        srp_buf_printf(&o->buf, ", %s", sr_stats_status(s));
    put(o, "\n");
    const char *item = NULL;
    const char *group[2] = {NULL, NULL};
    for (size_t i = 0; i < sr_stats_row_count(s) && o->rc == SR_OK; i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        if (!item || strcmp(item, r->item) != 0) {
            srp_buf_printf(&o->buf, "\n%s [%s]\n", r->item_label ? r->item_label : r->item,
                           r->item);
            item = r->item;
            group[0] = group[1] = NULL;
        }
        int new_group = 0;
        for (int d = 0; d < 2; d++)
            if (r->by[d] && (!group[d] || strcmp(group[d], r->by[d]) != 0))
                new_group = 1;
        if (new_group) {
            srp_buf_printf(&o->buf, "  %s=%s", sr_stats_by_name(s, 0), r->by[0]);
            if (r->by[1])
                srp_buf_printf(&o->buf, ", %s=%s", sr_stats_by_name(s, 1), r->by[1]);
            put(o, "\n");
            group[0] = r->by[0];
            group[1] = r->by[1];
        }
        char count[32] = "..", pct[32] = "", est[32] = "";
        if (r->has_count)
            snprintf(count, sizeof count, "%ld", r->count);
        if (r->has_percent)
            snprintf(pct, sizeof pct, "%.1f %%", r->percent);
        if (r->has_estimate)
            snprintf(est, sizeof est, "%.2f", r->estimate);
        if (r->suppressed)
            snprintf(count, sizeof count, "..");
        put(o, "    ");
        pad(o, r->value_label ? r->value_label : r->value, 44);
        srp_buf_printf(&o->buf, " %7s %9s %9s\n", count, pct, est);
        maybe_flush(o);
    }
    srp_buf_printf(&o->buf, "\n.. = %s\n", srp_texts_get(SRP_T_STATS_WITHHELD, lang));
    for (size_t i = 0; i < sr_stats_note_count(s); i++)
        srp_buf_printf(&o->buf, "- %s\n", sr_stats_note(s, i));
}

sr_status sr_stats_write(const sr_stats *stats, sr_stats_format fmt,
                         const sr_stats_write_options *options, const sr_sink *sink, sr_error *err)
{
    out o = {SRP_BUF_INIT, sink, SR_OK, err};
    int labels = !(options && options->no_labels);
    switch (fmt) {
    case SR_STATS_TABLE:
        write_table(&o, stats);
        break;
    case SR_STATS_CSV:
        write_csv(&o, stats, 0, labels);
        break;
    case SR_STATS_CSV_EXCEL:
        write_csv(&o, stats, 1, labels);
        break;
    case SR_STATS_JSON:
        write_json(&o, stats, labels);
        break;
    default:
        o.rc = srp_error_set_where(err, SR_ERR_USAGE, "format", "not a summary format");
        break;
    }
    flush(&o);
    srp_buf_wipe(&o.buf);
    return o.rc;
}
