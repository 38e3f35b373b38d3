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
#include "csv.h"
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
    srp_csv_quote(&o->buf, s, sep);
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

/* A header: the contract's name, or its Swedish text for people. */
static void header(out *o, srp_text_id id, const char *lang, char sep, int first)
{
    if (!first)
        putc_(o, sep);
    csv_field(o, srp_texts_get(id, lang ? lang : "en"), sep);
}

static void by_header(out *o, const char *name, int label, const char *lang, char sep)
{
    putc_(o, sep);
    if (!label) {
        csv_field(o, name, sep);
        return;
    }
    srp_buf text = SRP_BUF_INIT;
    srp_buf_printf(&text, srp_texts_get(SRP_T_H_BY_LABEL, lang ? lang : "en"), name);
    if (text.oom && o->rc == SR_OK)
        o->rc = srp_error_set(o->err, SR_ERR_NOMEM, "out of memory");
    csv_field(o, srp_buf_text(&text), sep);
    srp_buf_free(&text);
}

static void write_csv(out *o, const sr_stats *s, int excel, int labels, const char *lang)
{
    char sep = excel ? ';' : ',';
    if (excel)
        put(o, "\xEF\xBB\xBF");
    header(o, SRP_T_H_FORM, lang, sep, 1);
    header(o, SRP_T_H_ITEM, lang, sep, 0);
    for (int d = 0; d < 2; d++)
        if (sr_stats_by_name(s, d))
            by_header(o, sr_stats_by_name(s, d), 0, lang, sep);
    static const srp_text_id middle[] = {SRP_T_H_VALUE,   SRP_T_H_COUNT,    SRP_T_H_DENOMINATOR,
                                         SRP_T_H_PERCENT, SRP_T_H_ESTIMATE, SRP_T_H_SUPPRESSED};
    for (size_t k = 0; k < sizeof middle / sizeof *middle; k++)
        header(o, middle[k], lang, sep, 0);
    if (labels) {
        header(o, SRP_T_H_ITEM_LABEL, lang, sep, 0);
        header(o, SRP_T_H_VALUE_LABEL, lang, sep, 0);
        for (int d = 0; d < 2; d++)
            if (sr_stats_by_name(s, d))
                by_header(o, sr_stats_by_name(s, d), 1, lang, sep);
    }
    header(o, SRP_T_H_UNIT_OF_COUNT, lang, sep, 0);
    if (labels)
        header(o, SRP_T_H_UNIT_OF_COUNT_LABEL, lang, sep, 0);
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
        putc_(o, sep);
        csv_field(o, r->unit_of_count, sep);
        if (labels) {
            putc_(o, sep);
            csv_field(o, r->unit_of_count_label, sep);
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
    bad |= set(o, "unit_of_count", string_or_null(r->unit_of_count)) != 0;
    if (labels)
        bad |= set(o, "unit_of_count_label", string_or_null(r->unit_of_count_label)) != 0;
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
    json_t *doc = json_pack(
        "{s:s, s:s, s:i, s:o, s:{s:s?, s:s?, s:s?, s:s?}, s:o, s:b, s:s, s:o, s:o}", "form",
        sr_stats_form(s), "title", sr_stats_form_title(s), "min_cell", sr_stats_min_cell(s), "by",
        by, "filters", "unit", sr_stats_unit(s), "status", sr_stats_status(s), "from",
        sr_stats_from(s), "to", sr_stats_to(s), "form_versions", versions, "change",
        sr_stats_change(s), "generated_at", sr_stats_generated_at(s), "notes", notes, "rows", rows);
    /* What disclosure control hid, and why (a live summary under suppression). */
    const sr_stats_protection *pr = sr_stats_protection_of(s);
    if (doc && pr->figures &&
        json_object_set_new(
            doc, "protection",
            json_pack("{s:I, s:{s:I, s:I, s:I, s:I}, s:I, s:I, s:I, s:I}", "figures",
                      (json_int_t)pr->figures, "withheld", "total", (json_int_t)pr->withheld,
                      "small", (json_int_t)pr->small, "small_group", (json_int_t)pr->small_group,
                      "secondary", (json_int_t)pr->secondary, "persons_hidden",
                      (json_int_t)pr->persons_hidden, "groups_hidden",
                      (json_int_t)pr->groups_hidden, "released", (json_int_t)pr->released,
                      "unprotectable", (json_int_t)pr->unprotectable)) != 0) {
        json_decref(doc);
        return NULL;
    }
    /* A publication's figures say when and by whom they were published. */
    if (doc && sr_stats_published_at(s) &&
        json_object_set_new(doc, "publication",
                            json_pack("{s:s, s:s?, s:s?}", "published_at", sr_stats_published_at(s),
                                      "published_by", sr_stats_published_by(s), "signer",
                                      sr_stats_signer(s))) != 0) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* Under the cell-key method, the settings the figures were made with: the
 * method and its whole pTable (cellkey.h). */
static json_t *with_settings(json_t *doc, const sr_stats *s)
{
    if (!doc || !s->ptable)
        return doc;
    json_t *settings =
        json_pack("{s:s, s:i, s:o?}", "method", sr_stats_method(s), "min_cell",
                  sr_stats_min_cell(s), "ptable", srp_cellkey_ptable_json(s->ptable));
    if (!settings || json_object_set_new(doc, "settings", settings) != 0) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static void write_json(out *o, const sr_stats *s, int labels)
{
    json_t *doc = with_settings(json_doc(s, labels), s);
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

/* Puts text after lead in lines of at most 80 characters, indented alike. */
static void wrapped(out *o, const char *lead, const char *text)
{
    size_t indent = strlen(lead), col = indent;
    put(o, lead);
    while (*text) {
        size_t word = strcspn(text, " ");
        size_t chars = 0;
        for (size_t k = 0; k < word; k++)
            chars += ((unsigned char)text[k] & 0xC0) != 0x80;
        if (col > indent && col + 1 + chars > 80) {
            put(o, "\n");
            for (col = 0; col < indent; col++)
                putc_(o, ' ');
        } else if (col > indent) {
            putc_(o, ' ');
            col++;
        }
        put_n(o, text, word);
        col += chars;
        text += word;
        text += strspn(text, " ");
    }
    put(o, "\n");
}

/* The base line of a group's shares, when one is pending. */
static void put_base(out *o, const char *lang, long *base)
{
    if (*base < 0)
        return;
    put(o, "    ");
    pad(o, srp_texts_get(SRP_T_XLSX_BASE, lang), 44);
    srp_buf_printf(&o->buf, " %7ld\n", *base);
    *base = -1;
}

/* Whether one person may count under several of the row's answers. */
static int several_per_person(const sr_stats_row *r)
{
    return r->unit_of_count && (strcmp(r->unit_of_count, "people_ever") == 0 ||
                                strcmp(r->unit_of_count, "people_choosing") == 0);
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
    int missing = 0;
    long base = -1; /* the denominator of the group's shares, said after them */
    for (size_t i = 0; i < sr_stats_row_count(s) && o->rc == SR_OK; i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        if (!item || strcmp(item, r->item) != 0) {
            put_base(o, lang, &base);
            srp_buf_printf(&o->buf, "\n%s [%s]\n", r->item_label ? r->item_label : r->item,
                           r->item);
            item = r->item;
            group[0] = group[1] = NULL;
            /* Whether shares add up to 100 %, said before the figures. */
            int several = several_per_person(r);
            if (several)
                wrapped(o, "  * ",
                        srp_texts_get(strcmp(r->unit_of_count, "people_ever") == 0
                                          ? SRP_T_STATS_EVER_NOTE
                                          : SRP_T_STATS_CHOOSING_NOTE,
                                      lang));
            put(o, "    ");
            pad(o, "", 44);
            srp_buf_printf(&o->buf, " %7s %9s%c%9s\n", srp_texts_get(SRP_T_STATS_HEAD_COUNT, lang),
                           srp_texts_get(SRP_T_STATS_HEAD_PERCENT, lang), several ? '*' : ' ',
                           srp_texts_get(SRP_T_STATS_HEAD_ESTIMATE, lang));
        }
        int new_group = 0;
        for (int d = 0; d < 2; d++)
            if (r->by[d] && (!group[d] || strcmp(group[d], r->by[d]) != 0))
                new_group = 1;
        if (new_group) {
            put_base(o, lang, &base);
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
        srp_buf_printf(&o->buf, " %7s %9s%c%9s\n", count, pct,
                       r->has_percent && several_per_person(r) ? '*' : ' ', est);
        missing |= r->has_count && r->has_denominator && !r->has_percent && !r->has_estimate &&
                   strcmp(r->value, "n") != 0;
        if (base < 0 && r->has_denominator && !sr_stats_change(s))
            base = r->denominator;
        maybe_flush(o);
    }
    put_base(o, lang, &base);
    srp_buf_printf(&o->buf, "\n.. = %s\n", srp_texts_get(SRP_T_STATS_WITHHELD, lang));
    if (missing)
        srp_buf_printf(&o->buf, "- %s\n", srp_texts_get(SRP_T_STATS_MISSING_NOTE, lang));
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
        write_csv(&o, stats, 0, labels, options ? options->header_lang : NULL);
        break;
    case SR_STATS_CSV_EXCEL:
        write_csv(&o, stats, 1, labels, options ? options->header_lang : NULL);
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
