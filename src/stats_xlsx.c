/*
 * stats_xlsx.c - a summary as an Excel workbook (libxlsxwriter): a cover
 * sheet with the settings, the filters applied and the notes on what is
 * withheld, then the form's sheet, each item a block with its answers down
 * and its groups across (a count and a percent column per group), numbers
 * as numbers, percentages in a percent format, ".." where a figure is
 * withheld. It writes only what the result holds (withheld figures are
 * already empty there), and creates the file as sigreg/output.h says: under
 * a temporary name beside the target, moved into place when complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/texts.h"
#include "stats_int.h"

typedef struct formats {
    lxw_format *title, *bold, *head, *head_left, *note, *label, *left, *count, *decimal, *percent,
        *withheld;
} formats;

typedef struct book {
    lxw_workbook *wb;
    formats f;
    const sr_stats *s;
    const char *lang;
    int oom;
} book;

static const char *text(const book *b, srp_text_id id)
{
    return srp_texts_get(id, b->lang);
}

static void make_formats(book *b)
{
    formats *f = &b->f;
    f->title = workbook_add_format(b->wb);
    format_set_bold(f->title);
    format_set_font_size(f->title, 14);
    f->bold = workbook_add_format(b->wb);
    format_set_bold(f->bold);
    f->head = workbook_add_format(b->wb);
    format_set_bold(f->head);
    format_set_align(f->head, LXW_ALIGN_CENTER);
    format_set_bottom(f->head, LXW_BORDER_THIN);
    format_set_bg_color(f->head, 0xDDE7F0);
    f->head_left = workbook_add_format(b->wb);
    format_set_bold(f->head_left);
    format_set_bottom(f->head_left, LXW_BORDER_THIN);
    format_set_bg_color(f->head_left, 0xDDE7F0);
    f->left = workbook_add_format(b->wb);
    format_set_align(f->left, LXW_ALIGN_LEFT);
    f->note = workbook_add_format(b->wb);
    format_set_italic(f->note);
    format_set_font_color(f->note, 0x555555);
    f->label = workbook_add_format(b->wb);
    format_set_text_wrap(f->label);
    format_set_align(f->label, LXW_ALIGN_VERTICAL_TOP);
    f->count = workbook_add_format(b->wb);
    format_set_num_format(f->count, "0");
    f->decimal = workbook_add_format(b->wb);
    format_set_num_format(f->decimal, "0.00");
    f->percent = workbook_add_format(b->wb);
    format_set_num_format(f->percent, "0.0 %");
    f->withheld = workbook_add_format(b->wb);
    format_set_align(f->withheld, LXW_ALIGN_RIGHT);
}

static int is_statistic(const char *value)
{
    static const char *const names[] = {"n", "mean", "median", "p25", "p75"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++)
        if (strcmp(value, names[k]) == 0)
            return 1;
    return 0;
}

/* A label and value line of the cover sheet. */
static void cover_line(book *b, lxw_worksheet *ws, lxw_row_t *row, const char *label,
                       const char *value)
{
    worksheet_write_string(ws, *row, 0, label, b->f.bold);
    worksheet_write_string(ws, *row, 1, value, b->f.label);
    (*row)++;
}

/* A note of the cover sheet, wrapped in its column: the row made as high
 * as its lines (a workbook's rows do not grow by themselves). */
static void cover_note(book *b, lxw_worksheet *ws, lxw_row_t *row, const char *note)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)note; *p; p++)
        chars += (*p & 0xC0) != 0x80;
    size_t lines = chars / 95 + 1;
    worksheet_set_row(ws, *row, 15.0 * (double)lines, NULL);
    worksheet_write_string(ws, *row, 1, note, b->f.label);
    (*row)++;
}

static void write_cover(book *b)
{
    const sr_stats *s = b->s;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, text(b, SRP_T_XLSX_COVER));
    if (!ws) {
        b->oom = 1;
        return;
    }
    worksheet_set_column(ws, 0, 0, 42, NULL);
    worksheet_set_column(ws, 1, 1, 90, NULL);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    lxw_row_t row = 0;
    worksheet_write_string(ws, row, 0, sr_stats_form_title(s), b->f.title);
    row += 2;
    srp_buf t = SRP_BUF_INIT;
    srp_buf_printf(&t, "%s (%s)%s", sr_stats_form_title(s), sr_stats_form(s),
                   sr_stats_change(s) ? text(b, SRP_T_STATS_CHANGE) : "");
    cover_line(b, ws, &row, text(b, SRP_T_XLSX_FORM), srp_buf_text(&t));
    cover_line(b, ws, &row, text(b, SRP_T_XLSX_VERSIONS), sr_stats_versions(s));
    cover_line(b, ws, &row, text(b, SRP_T_XLSX_GENERATED_AT), sr_stats_generated_at(s));
    worksheet_write_string(ws, row, 0, text(b, SRP_T_XLSX_MIN_CELL), b->f.bold);
    worksheet_write_number(ws, row++, 1, sr_stats_min_cell(s), b->f.left);
    row++;
    worksheet_write_string(ws, row++, 0, text(b, SRP_T_XLSX_FILTERS), b->f.title);
    cover_line(b, ws, &row, text(b, SRP_T_XLSX_UNIT),
               sr_stats_unit(s) ? sr_stats_unit(s) : text(b, SRP_T_XLSX_ALL_UNITS));
    const char *status = sr_stats_status(s);
    cover_line(b, ws, &row, text(b, SRP_T_XLSX_STATUS),
               !status                       ? text(b, SRP_T_XLSX_BOTH_STATUSES)
               : strcmp(status, "open") == 0 ? text(b, SRP_T_STATUS_OPEN_LABEL)
                                             : text(b, SRP_T_STATUS_CLOSED_LABEL));
    t.len = 0;
    if (sr_stats_from(s) || sr_stats_to(s))
        srp_buf_printf(&t, "%s – %s", sr_stats_from(s) ? sr_stats_from(s) : "",
                       sr_stats_to(s) ? sr_stats_to(s) : "");
    else
        srp_buf_puts(&t, text(b, SRP_T_XLSX_WHOLE_PERIOD));
    cover_line(b, ws, &row, text(b, SRP_T_XLSX_PERIOD), srp_buf_text(&t));
    t.len = 0;
    for (int d = 0; d < 2; d++)
        if (sr_stats_by_name(s, d))
            srp_buf_printf(&t, "%s%s", d ? ", " : "", sr_stats_by_name(s, d));
    cover_line(b, ws, &row, text(b, SRP_T_XLSX_BY), t.len ? srp_buf_text(&t) : "–");
    row++;
    worksheet_write_string(ws, row++, 0, text(b, SRP_T_XLSX_NOTES), b->f.title);
    t.len = 0;
    srp_buf_printf(&t, ".. = %s", text(b, SRP_T_STATS_WITHHELD));
    cover_note(b, ws, &row, srp_buf_text(&t));
    cover_note(b, ws, &row, text(b, SRP_T_STATS_MISSING_NOTE));
    int ever = 0, choosing = 0;
    for (size_t i = 0; i < sr_stats_row_count(s); i++) {
        const char *u = sr_stats_row_at(s, i)->unit_of_count;
        ever |= u && strcmp(u, "people_ever") == 0;
        choosing |= u && strcmp(u, "people_choosing") == 0;
    }
    if (ever)
        cover_note(b, ws, &row, text(b, SRP_T_STATS_EVER_NOTE));
    if (choosing)
        cover_note(b, ws, &row, text(b, SRP_T_STATS_CHOOSING_NOTE));
    for (size_t i = 0; i < sr_stats_note_count(s); i++)
        cover_note(b, ws, &row, sr_stats_note(s, i));
    b->oom |= t.oom;
    srp_buf_free(&t);
}

/* The distinct values and groups of one item's rows [first, end). */
typedef struct block {
    const sr_stats_row **values; /* the first row of each value */
    size_t nvalues, vcap;
    const sr_stats_row **groups; /* the first row of each group */
    size_t ngroups, gcap;
} block;

static long find_value(const block *k, const sr_stats_row *r)
{
    for (size_t i = 0; i < k->nvalues; i++)
        if (strcmp(k->values[i]->value, r->value) == 0)
            return (long)i;
    return -1;
}

static long find_group(const block *k, const sr_stats_row *r)
{
    for (size_t i = 0; i < k->ngroups; i++)
        if (srp_str_same(k->groups[i]->by[0], r->by[0]) &&
            srp_str_same(k->groups[i]->by[1], r->by[1]))
            return (long)i;
    return -1;
}

static int gather_block(block *k, const sr_stats *s, size_t first, size_t end)
{
    k->nvalues = k->ngroups = 0;
    for (size_t i = first; i < end; i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        if (find_value(k, r) < 0) {
            if (srp_grow((void **)&k->values, &k->vcap, k->nvalues + 1, sizeof *k->values) != 0)
                return -1;
            k->values[k->nvalues++] = r;
        }
        if (find_group(k, r) < 0) {
            if (srp_grow((void **)&k->groups, &k->gcap, k->ngroups + 1, sizeof *k->groups) != 0)
                return -1;
            k->groups[k->ngroups++] = r;
        }
    }
    return 0;
}

/* One item: heading, the note on what is counted, the groups' header, the
 * answers, the base. Returns the next free row. */
static lxw_row_t write_item(book *b, lxw_worksheet *ws, lxw_row_t row, block *k, size_t first,
                            size_t end)
{
    const sr_stats *s = b->s;
    const sr_stats_row *r0 = sr_stats_row_at(s, first);
    srp_buf t = SRP_BUF_INIT;
    srp_buf_printf(&t, "%s [%s]", r0->item_label ? r0->item_label : r0->item, r0->item);
    worksheet_write_string(ws, row++, 0, srp_buf_text(&t), b->f.bold);
    int several = 0, estimates = 0, base = 0;
    for (size_t i = first; i < end; i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        several |= r->unit_of_count && (strcmp(r->unit_of_count, "people_ever") == 0 ||
                                        strcmp(r->unit_of_count, "people_choosing") == 0);
        estimates |= is_statistic(r->value);
        base |= r->has_denominator;
    }
    if (several)
        worksheet_write_string(ws, row++, 0,
                               text(b, strcmp(r0->unit_of_count, "people_ever") == 0
                                           ? SRP_T_STATS_EVER_NOTE
                                           : SRP_T_STATS_CHOOSING_NOTE),
                               b->f.note);
    /* The groups across: a label over a count and a percent column each. */
    worksheet_write_string(ws, row, 0, text(b, SRP_T_XLSX_ANSWER), b->f.head_left);
    worksheet_write_string(ws, row + 1, 0, "", b->f.head_left);
    for (size_t g = 0; g < k->ngroups; g++) {
        const sr_stats_row *gr = k->groups[g];
        t.len = 0;
        for (int d = 0; d < 2; d++)
            if (gr->by[d])
                srp_buf_printf(&t, "%s%s", d ? " / " : "",
                               gr->by_label[d] ? gr->by_label[d] : gr->by[d]);
        if (!t.len)
            srp_buf_puts(&t, text(b, SRP_T_XLSX_ALL));
        lxw_col_t c = (lxw_col_t)(1 + 2 * g);
        worksheet_merge_range(ws, row, c, row, c + 1, srp_buf_text(&t), b->f.head);
        worksheet_write_string(
            ws, row + 1, c, text(b, estimates ? SRP_T_XLSX_COUNT_OR_VALUE : SRP_T_STATS_HEAD_COUNT),
            b->f.head);
        t.len = 0;
        srp_buf_printf(&t, "%s%s", text(b, SRP_T_STATS_HEAD_PERCENT), several ? "*" : "");
        worksheet_write_string(ws, row + 1, c + 1, srp_buf_text(&t), b->f.head);
    }
    row += 2;
    for (size_t v = 0; v < k->nvalues; v++) {
        const sr_stats_row *vr = k->values[v];
        worksheet_write_string(ws, row + (lxw_row_t)v, 0,
                               vr->value_label ? vr->value_label : vr->value, b->f.label);
    }
    /* The base of each group: the denominator its answers share. */
    lxw_row_t base_row = row + (lxw_row_t)k->nvalues;
    if (base)
        worksheet_write_string(ws, base_row, 0, text(b, SRP_T_XLSX_BASE), b->f.bold);
    for (size_t i = first; i < end; i++) {
        const sr_stats_row *r = sr_stats_row_at(s, i);
        lxw_row_t at = row + (lxw_row_t)find_value(k, r);
        lxw_col_t c = (lxw_col_t)(1 + 2 * find_group(k, r));
        int statistic = is_statistic(r->value);
        if (r->suppressed) {
            worksheet_write_string(ws, at, c, "..", b->f.withheld);
            if (!statistic)
                worksheet_write_string(ws, at, c + 1, "..", b->f.withheld);
        } else if (statistic && strcmp(r->value, "n") != 0) {
            if (r->has_estimate)
                worksheet_write_number(ws, at, c, r->estimate, b->f.decimal);
        } else if (r->has_count) {
            worksheet_write_number(ws, at, c, (double)r->count, b->f.count);
        }
        if (!r->suppressed && r->has_percent)
            worksheet_write_number(ws, at, c + 1, r->percent / 100.0, b->f.percent);
    }
    if (base)
        for (size_t g = 0; g < k->ngroups; g++) {
            lxw_col_t c = (lxw_col_t)(1 + 2 * g);
            const sr_stats_row *found = NULL;
            for (size_t i = first; i < end && !found; i++) {
                const sr_stats_row *r = sr_stats_row_at(s, i);
                if (r->has_denominator && find_group(k, r) == (long)g)
                    found = r;
            }
            if (found)
                worksheet_write_number(ws, base_row, c, (double)found->denominator, b->f.count);
            else
                worksheet_write_string(ws, base_row, c, "..", b->f.withheld);
        }
    b->oom |= t.oom;
    srp_buf_free(&t);
    return base_row + (base ? 2 : 1);
}

static void write_form(book *b)
{
    const sr_stats *s = b->s;
    char name[32];
    snprintf(name, sizeof name, "%s", sr_stats_form(s)); /* a sheet's name has 31 at most */
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, name);
    if (!ws) {
        b->oom = 1;
        return;
    }
    size_t widest = 1;
    worksheet_set_column(ws, 0, 0, 48, NULL);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    lxw_row_t row = 0;
    srp_buf t = SRP_BUF_INIT;
    srp_buf_printf(&t, "%s (%s)%s", sr_stats_form_title(s), sr_stats_form(s),
                   sr_stats_change(s) ? text(b, SRP_T_STATS_CHANGE) : "");
    worksheet_write_string(ws, row++, 0, srp_buf_text(&t), b->f.title);
    t.len = 0;
    srp_buf_printf(&t, "%s %d", text(b, SRP_T_STATS_MIN_CELL), sr_stats_min_cell(s));
    if (sr_stats_from(s) || sr_stats_to(s))
        srp_buf_printf(&t, ", %s – %s", sr_stats_from(s) ? sr_stats_from(s) : "",
                       sr_stats_to(s) ? sr_stats_to(s) : "");
    if (sr_stats_unit(s))
        srp_buf_printf(&t, ", %s %s", text(b, SRP_T_STATS_UNIT), sr_stats_unit(s));
    srp_buf_printf(&t, "; .. = %s", text(b, SRP_T_STATS_WITHHELD));
    worksheet_write_string(ws, row++, 0, srp_buf_text(&t), b->f.note);
    row++;
    block k = {NULL, 0, 0, NULL, 0, 0};
    size_t n = sr_stats_row_count(s);
    for (size_t first = 0; first < n && !b->oom;) {
        size_t end = first + 1;
        while (end < n &&
               strcmp(sr_stats_row_at(s, end)->item, sr_stats_row_at(s, first)->item) == 0)
            end++;
        if (gather_block(&k, s, first, end) != 0) {
            b->oom = 1;
            break;
        }
        if (k.ngroups > widest)
            widest = k.ngroups;
        row = write_item(b, ws, row, &k, first, end);
        first = end;
    }
    worksheet_set_column(ws, 1, (lxw_col_t)(2 * widest), 11, NULL);
    worksheet_freeze_panes(ws, 0, 1);
    free(k.values);
    free(k.groups);
    b->oom |= t.oom;
    srp_buf_free(&t);
}

/* The folder of path ("." when it names none), in dir. */
static int folder_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    int n =
        slash ? snprintf(dir, size, "%.*s", (int)(slash - path), path) : snprintf(dir, size, ".");
    if (slash == path)
        n = snprintf(dir, size, "/");
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

sr_status sr_stats_write_xlsx(const sr_stats *stats, const char *path,
                              const sr_output_options *options, sr_error *err)
{
    char dir[4096], tmp[4200];
    int fd = -1, made = 0;
    book b = {NULL, {0}, stats, sr_stats_lang(stats), 0};
    sr_status rc = sr_output_check(path, options, err);
    if (rc != SR_OK)
        return rc;
    if (folder_of(path, dir, sizeof dir) != 0 ||
        snprintf(tmp, sizeof tmp, "%s/.sigreg-xlsx-XXXXXX", dir) >= (int)sizeof tmp)
        return srp_error_set_where(err, SR_ERR_INVALID, "out", "the path '%s' is too long", path);
    fd = mkstemp(tmp);
    if (fd < 0)
        return srp_error_set_where(err, SR_ERR_IO, "out", "cannot create a file in '%s': %s", dir,
                                   strerror(errno));
    made = 1;
    close(fd);
    fd = -1;
    lxw_workbook_options wo = {LXW_FALSE, NULL, LXW_FALSE};
    b.wb = workbook_new_opt(tmp, &wo);
    if (!b.wb) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    make_formats(&b);
    write_cover(&b);
    write_form(&b);
    lxw_error xe = workbook_close(b.wb);
    b.wb = NULL;
    if (b.oom) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (xe != LXW_NO_ERROR) {
        rc = srp_error_set_where(err, SR_ERR_IO, "out", "cannot write the workbook '%s': %s", path,
                                 lxw_strerror(xe));
        goto out;
    }
    fd = open(tmp, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0) {
        rc = srp_error_set_where(err, SR_ERR_IO, "out", "cannot write '%s': %s", path,
                                 strerror(errno));
        goto out;
    }
    /* Checked once more: nothing may have appeared at path meanwhile. */
    rc = sr_output_check(path, options, err);
    if (rc != SR_OK)
        goto out;
    if (rename(tmp, path) != 0) {
        rc = srp_error_set_where(err, SR_ERR_IO, "out", "cannot write '%s': %s", path,
                                 strerror(errno));
        goto out;
    }
    made = 0;
    close(fd);
    fd = open(dir, O_RDONLY | O_DIRECTORY); /* the new name made durable too */
    if (fd >= 0)
        (void)fsync(fd);
out:
    if (b.wb)
        workbook_close(b.wb);
    if (fd >= 0)
        close(fd);
    if (made)
        unlink(tmp);
    return rc;
}
