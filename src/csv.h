/*
 * csv.h - reading and writing comma-separated values (RFC 4180): REDCap data
 * dictionaries and XLSForm sheets, summaries and extracts (internal). Every
 * CSV field sigreg writes is quoted here.
 *
 * The reader takes quoted fields with commas, doubled quotes and line
 * breaks, CRLF or LF line ends, and skips a UTF-8 byte-order mark. It knows
 * nothing of what the columns mean, and never changes a field's bytes
 * (apart from undoing the quoting).
 */
#ifndef SIGREG_CSV_H
#define SIGREG_CSV_H

#include <stddef.h>

#include "base/buffer.h"
#include "sigreg/status.h"

typedef struct srp_csv_row {
    char **fields;
    size_t count;
    size_t line; /* the line the row starts on, from 1 */
} srp_csv_row;

typedef struct srp_csv {
    srp_csv_row *rows;
    size_t count;
} srp_csv;

/* Parses text into rows (rows whose fields are all empty and unquoted, as
 * a spreadsheet's blank rows, are skipped). On SR_ERR_INVALID (an
 * unterminated quote, a quote inside an unquoted field) err names the line.
 * csv is filled on success; release it with srp_csv_release. */
sr_status srp_csv_parse(const char *text, size_t len, srp_csv *csv, sr_error *err);
void srp_csv_release(srp_csv *csv);

/* Appends field (nothing for NULL), quoted as RFC 4180 says when it holds
 * sep, a double quote or a line break; sep is ',' or, for Swedish Excel, ';'. */
void srp_csv_quote(srp_buf *b, const char *field, char sep);
/* Appends one field, quoted when it holds a comma, a quote, a line break or
 * a leading or trailing space; first says whether it starts a row. */
void srp_csv_put_field(srp_buf *b, const char *field, int first);
/* Ends a row (CRLF, as RFC 4180 says). */
void srp_csv_end_row(srp_buf *b);

#endif
