/*
 * csv.c - comma-separated values, read and written.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

static int add_field(srp_csv_row *row, size_t *cap, srp_buf *field)
{
    void *fields = row->fields;
    if (srp_grow(&fields, cap, row->count + 1, sizeof *row->fields) != 0)
        return -1;
    row->fields = fields;
    char *s = field->data ? srp_buf_take(field) : strdup("");
    if (!s)
        return -1;
    row->fields[row->count++] = s;
    return 0;
}

static void free_row(srp_csv_row *row)
{
    for (size_t i = 0; i < row->count; i++)
        free(row->fields[i]);
    free(row->fields);
}

void srp_csv_release(srp_csv *csv)
{
    if (!csv)
        return;
    for (size_t i = 0; i < csv->count; i++)
        free_row(&csv->rows[i]);
    free(csv->rows);
    csv->rows = NULL;
    csv->count = 0;
}

sr_status srp_csv_parse(const char *text, size_t len, srp_csv *csv, sr_error *err)
{
    sr_status rc = SR_OK;
    size_t rows_cap = 0, fields_cap = 0, line = 1, i = 0;
    srp_buf field = SRP_BUF_INIT;
    srp_csv_row row = {NULL, 0, 1};
    memset(csv, 0, sizeof *csv);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    int in_row = 0;
    while (i <= len) {
        /* One field. */
        int quoted = i < len && text[i] == '"';
        if (quoted) {
            size_t start_line = line;
            i++;
            for (;;) {
                if (i >= len) {
                    rc = srp_error_set(err, SR_ERR_INVALID,
                                       "line %zu: a quoted field is not closed", start_line);
                    goto out;
                }
                if (text[i] == '"') {
                    if (i + 1 < len && text[i + 1] == '"') {
                        srp_buf_put(&field, "\"", 1);
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (text[i] == '\n')
                    line++;
                srp_buf_put(&field, &text[i], 1);
                i++;
            }
            if (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
                rc = srp_error_set(err, SR_ERR_INVALID,
                                   "line %zu: text after the closing quote of a field", line);
                goto out;
            }
        } else {
            while (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
                if (text[i] == '"') {
                    rc = srp_error_set(err, SR_ERR_INVALID,
                                       "line %zu: a quote inside an unquoted field", line);
                    goto out;
                }
                srp_buf_put(&field, &text[i], 1);
                i++;
            }
        }
        if (field.oom || add_field(&row, &fields_cap, &field) != 0) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            goto out;
        }
        in_row = in_row || quoted || row.fields[row.count - 1][0];
        if (i < len && text[i] == ',') {
            i++;
            continue;
        }
        /* End of a row: a line end or the end of the text. */
        if (i < len && text[i] == '\r')
            i++;
        if (i < len && text[i] == '\n')
            i++;
        if (in_row) {
            void *rows = csv->rows;
            if (srp_grow(&rows, &rows_cap, csv->count + 1, sizeof *csv->rows) != 0) {
                rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
                goto out;
            }
            csv->rows = rows;
            csv->rows[csv->count++] = row;
        } else {
            free_row(&row);
        }
        memset(&row, 0, sizeof row);
        fields_cap = 0;
        in_row = 0;
        line++;
        row.line = line;
        if (i >= len)
            break;
    }
out:
    free_row(&row);
    srp_buf_free(&field);
    if (rc != SR_OK)
        srp_csv_release(csv);
    return rc;
}

static void put_quoted(srp_buf *b, const char *field)
{
    srp_buf_put(b, "\"", 1);
    for (const char *p = field; *p; p++) {
        if (*p == '"')
            srp_buf_put(b, "\"", 1);
        srp_buf_put(b, p, 1);
    }
    srp_buf_put(b, "\"", 1);
}

static int needs_quotes(const char *field, char sep)
{
    const char specials[] = {sep, '"', '\r', '\n', '\0'};
    return field[strcspn(field, specials)] != '\0';
}

void srp_csv_quote(srp_buf *b, const char *field, char sep)
{
    if (!field)
        return;
    if (needs_quotes(field, sep))
        put_quoted(b, field);
    else
        srp_buf_puts(b, field);
}

void srp_csv_put_field(srp_buf *b, const char *field, int first)
{
    if (!first)
        srp_buf_put(b, ",", 1);
    size_t n = strlen(field);
    if (n > 0 && (field[0] == ' ' || field[n - 1] == ' '))
        put_quoted(b, field);
    else
        srp_csv_quote(b, field, ',');
}

void srp_csv_end_row(srp_buf *b)
{
    srp_buf_put(b, "\r\n", 2);
}
