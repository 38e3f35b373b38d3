/*
 * extract_render.c - CSV rows, the codebook and the metadata of an extract,
 * from typed values.
 */
#include "extract_render.h"

#include "csv.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"

/* A date that is a quasi-identifier (the consent date) is left out: coarsened
 * to what k-anonymity allows it repeats the intake period, and as days from
 * intake it would place the person in time more finely than the period
 * does, so it could only cost k-anonymity. */
int srp_extract_item_extracted(const srp_item *it)
{
    return it->type != SR_ITEM_SECTION && it->type != SR_ITEM_TEXT && !it->identifying &&
           !(it->type == SR_ITEM_DATE && it->quasi_identifier);
}

int srp_extract_item_quasi(const srp_item *it)
{
    return it->quasi_identifier || strcmp(it->id, "sex") == 0;
}

/* ---- decoding ------------------------------------------------------------------------------- */

int srp_extract_decode(const srp_extract_form *f, int version, const unsigned char *blob,
                       size_t len, srp_extract_answer *answers)
{
    const srp_extract_version *v = NULL;
    for (size_t i = 0; i < f->version_count && !v; i++)
        if (f->versions[i].version == version)
            v = &f->versions[i];
    if (!v)
        return -1;
    size_t pos = 0;
    for (size_t j = 0; j < v->form->item_count; j++)
        if (srp_coded_next(v->form, j, blob, len, &pos, &f->scratch[j]) != 0)
            return -1;
    for (size_t i = 0; i < f->newest->item_count; i++) {
        long j = v->item_map[i];
        const srp_item *it = j >= 0 ? &v->form->items[j] : NULL;
        answers[i].item = NULL;
        memset(&answers[i].value, 0, sizeof answers[i].value);
        /* An item that changed its type between versions is not compared. */
        if (it && it->type == f->newest->items[i].type && f->scratch[j].present) {
            answers[i].item = it;
            answers[i].value = f->scratch[j];
        }
    }
    return 0;
}

/* ---- values --------------------------------------------------------------------------------- */

/* The civil date of a day number (days since 1970-01-01). */
static void civil(int32_t day, int *year, int *month, int *mday)
{
    long z = (long)day + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *mday = (int)d;
}

int32_t srp_extract_month_of_day(int32_t day)
{
    if (day == SRP_EXTRACT_NO_DAY)
        return SRP_KANON_EMPTY;
    int y, m, d;
    civil(day, &y, &m, &d);
    return (int32_t)y * 12 + (m - 1);
}

void srp_extract_day_text(int32_t day, char out[SR_DATE_MAX + 1])
{
    int y, m, d;
    civil(day, &y, &m, &d);
    snprintf(out, SR_DATE_MAX + 1, "%04d-%02d-%02d", y % 10000, m, d);
}

static void put_month(srp_buf *out, int32_t month, int year_only)
{
    int32_t y = month >= 0 ? month / 12 : -((-month + 11) / 12);
    int32_t m = month - y * 12 + 1;
    if (year_only)
        srp_buf_printf(out, "%04d", (int)y);
    else
        srp_buf_printf(out, "%04d-%02d", (int)y, (int)m);
}

/* A calendar date: days since intake, or year-month / year. */
static void put_date(srp_buf *out, const srp_extract_plan *plan, int32_t day, int32_t intake_day,
                     int year_only)
{
    if (day == SRP_EXTRACT_NO_DAY)
        return;
    if (plan->relative_dates && intake_day != SRP_EXTRACT_NO_DAY)
        srp_buf_printf(out, "%ld", (long)day - (long)intake_day);
    else
        put_month(out, srp_extract_month_of_day(day), year_only);
}

static void put_number(srp_buf *out, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        srp_buf_printf(out, "%lld", (long long)v);
    else
        srp_buf_printf(out, "%g", v);
}

static int option_selected(const srp_extract_answer *a, const char *code)
{
    for (size_t k = 0; k < a->value.multi_count; k++) {
        int idx = srp_coded_multi_at(&a->value, k);
        if (strcmp(a->item->options[idx].code, code) == 0)
            return 1;
    }
    return 0;
}

void srp_extract_render_items(const srp_extract_plan *plan, const srp_extract_form *f,
                              const srp_extract_answer *answers, int32_t day, int32_t intake_day,
                              int year_only, srp_buf *row)
{
    if (f->phase != SR_PHASE_INTAKE) { /* the intake's date is intake_period */
        srp_buf_puts(row, ",");
        if (answers)
            put_date(row, plan, day, intake_day, year_only);
    }
    for (size_t i = 0; i < f->newest->item_count; i++) {
        const srp_item *it = &f->newest->items[i];
        if (!srp_extract_item_extracted(it) || (srp_extract_item_quasi(it) && !f->repeatable))
            continue;
        const srp_extract_answer *a = answers && answers[i].item ? &answers[i] : NULL;
        if (it->type == SR_ITEM_MULTICHOICE) {
            for (size_t o = 0; o < it->option_count; o++)
                srp_buf_puts(row, !a ? "," : option_selected(a, it->options[o].code) ? ",1" : ",0");
            continue;
        }
        srp_buf_puts(row, ",");
        if (!a)
            continue;
        switch (it->type) {
        case SR_ITEM_BOOLEAN:
            srp_buf_puts(row, a->value.boolean ? "1" : "0");
            break;
        case SR_ITEM_CHOICE:
            srp_csv_quote(row, a->item->options[a->value.option].code, ',');
            break;
        case SR_ITEM_INTEGER:
        case SR_ITEM_DECIMAL:
        case SR_ITEM_SCALE:
            put_number(row, a->value.number);
            break;
        case SR_ITEM_DATE:
            put_date(row, plan, a->value.day, intake_day, year_only);
            break;
        default:
            break;
        }
    }
}

int32_t srp_extract_qi_value(const srp_extract_plan *plan, const srp_extract_qi *qi,
                             const srp_extract_answer *a)
{
    const srp_item *it = &plan->forms[qi->form].newest->items[qi->item];
    if (!a || !a->item)
        return SRP_KANON_EMPTY;
    switch (it->type) {
    case SR_ITEM_CHOICE: {
        const srp_option *o = srp_item_find_option(it, a->item->options[a->value.option].code);
        return o ? (int32_t)(o - it->options) : SRP_KANON_EMPTY;
    }
    case SR_ITEM_BOOLEAN:
        return a->value.boolean ? 1 : 0;
    case SR_ITEM_SCALE:
        return (int32_t)a->value.number;
    case SR_ITEM_DATE:
        return srp_extract_month_of_day(a->value.day);
    case SR_ITEM_INTEGER:
    case SR_ITEM_DECIMAL: {
        double v = a->value.number * qi->scale;
        return fabs(v) < 2e9 ? (int32_t)llround(v) : SRP_KANON_EMPTY;
    }
    default:
        return SRP_KANON_EMPTY;
    }
}

void srp_extract_render_qi(const srp_extract_plan *plan, const srp_kanon *t, size_t row,
                           srp_buf *out)
{
    for (size_t c = 0; c < SRP_EXTRACT_FIXED_QI + plan->qi_count; c++) {
        srp_buf_puts(out, ",");
        /* Blanked and missing read the same (empty): they are one value
         * when classes are counted. */
        int32_t v = srp_kanon_value(t, row, c);
        srp_kanon_form form = srp_kanon_column_form(t, c);
        if (v == SRP_KANON_EMPTY)
            continue;
        if (c == 1) { /* age band */
            srp_buf_puts(out, srp_kanon_age_band(v, form == SRP_KANON_WIDE_BANDS));
            continue;
        }
        if (v == SRP_KANON_OTHER) {
            srp_buf_puts(out, "other");
            continue;
        }
        if (c == 0) {
            srp_csv_quote(out, plan->units[v], ',');
            continue;
        }
        if (c == 2 && (plan->relative_dates || form == SRP_KANON_YEARS)) {
            srp_buf_printf(out, "%04d", (int)v); /* a year */
            continue;
        }
        if (c == 2) {
            put_month(out, v, 0);
            continue;
        }
        const srp_extract_qi *qi = &plan->qis[c - SRP_EXTRACT_FIXED_QI];
        const srp_item *it = &plan->forms[qi->form].newest->items[qi->item];
        switch (it->type) {
        case SR_ITEM_DATE:
            if (form == SRP_KANON_YEARS)
                srp_buf_printf(out, "%04d", (int)v);
            else
                put_month(out, v, 0);
            break;
        case SR_ITEM_INTEGER:
        case SR_ITEM_DECIMAL:
            if (form == SRP_KANON_BINS)
                srp_buf_printf(out, "%ld-%ld", (long)v, (long)v + 4);
            else
                put_number(out, (double)v / qi->scale);
            break;
        case SR_ITEM_CHOICE:
            srp_csv_quote(out, it->options[v].code, ',');
            break;
        default:
            srp_buf_printf(out, "%ld", (long)v);
            break;
        }
    }
}

/* ---- the codebook --------------------------------------------------------------------------- */

/* The value labels of a choice item: its options (ordered position among
 * the non-missing ones when the item is ordered), and "other" when rare
 * codes were merged. */
static void option_values(srp_dict *d, const srp_item *it, int merged)
{
    int pos = 0;
    for (size_t o = 0; o < it->option_count; o++) {
        const srp_option *op = &it->options[o];
        int order = it->ordered && !op->missing ? ++pos : 0;
        srp_dict_value(d, op->code, srp_text(op->label, "sv"), srp_text(op->label, "en"), order,
                       op->missing);
    }
    if (merged && !srp_item_find_option(it, "other"))
        srp_dict_value(d, "other", "Övrigt (sällsynta sammanslagna)", "Other (rare ones merged)", 0,
                       0);
}

static const char *const BLANKED_EN = "; blanked where it made a record stand out";

void srp_extract_codebook_start(const srp_extract_plan *plan, srp_dict *d, srp_buf *header)
{
    const char *file = "cases.csv";
    int level = plan->level;
    srp_buf note = SRP_BUF_INIT;
    srp_buf_puts(header, "person,unit,age_band,intake_period");
    srp_dict_var(d, file, "person", "Slumpat id, nytt för varje uttag",
                 "Random id, new in every extract", "text", SRP_DICT_TEXT, 0, "", NULL, NULL);
    srp_buf_printf(&note, "%s%s", level >= 1 ? "units fewer than k share as 'other'" : "as is",
                   BLANKED_EN);
    srp_dict_var(d, file, "unit", "Enhet", "Unit", "choice", SRP_DICT_CODED, 1, srp_buf_text(&note),
                 NULL, NULL);
    for (size_t u = 0; u < plan->unit_count; u++)
        srp_dict_value(d, plan->units[u], plan->units[u], plan->units[u], 0, 0);
    if (level >= 1)
        srp_dict_value(d, "other", "Övriga enheter", "Other units", 0, 0);
    note.len = 0;
    srp_buf_printf(
        &note,
        "age in whole years at intake (from the birth date; without one, from the birth year "
        "where both possible ages fall in one band), in %s%s",
        level >= 4 ? "bands widened to 0-17 and 18+" : "bands", BLANKED_EN);
    srp_dict_var(d, file, "age_band", "Åldersgrupp vid inskrivning", "Age band at intake", "choice",
                 SRP_DICT_CODED, 1, srp_buf_text(&note), NULL, NULL);
    int wide = level >= 4;
    for (int32_t band = 0; band < (wide ? 2 : 5); band++) {
        const char *t = srp_kanon_age_band(band, wide);
        srp_dict_value(d, t, t, t, band + 1, 0);
    }
    note.len = 0;
    srp_buf_printf(&note, "%s%s",
                   plan->relative_dates ? "year of intake (other dates are days from intake)"
                   : level >= 2         ? "year of intake (months coarsened to years)"
                                        : "year and month of intake",
                   BLANKED_EN);
    srp_dict_var(d, file, "intake_period",
                 plan->relative_dates || level >= 2 ? "Inskrivningsår"
                                                    : "Inskrivningens år och månad",
                 plan->relative_dates || level >= 2 ? "Year of intake" : "Year and month of intake",
                 plan->relative_dates || level >= 2 ? "year" : "year-month", SRP_DICT_TEXT, 1,
                 srp_buf_text(&note), NULL, NULL);
    for (size_t q = 0; q < plan->qi_count; q++) {
        const srp_extract_qi *qi = &plan->qis[q];
        const srp_extract_form *f = &plan->forms[qi->form];
        const srp_item *it = &f->newest->items[qi->item];
        srp_buf_puts(header, ",");
        srp_buf_puts(header, qi->column);
        note.len = 0;
        int number = it->type == SR_ITEM_INTEGER || it->type == SR_ITEM_DECIMAL;
        if (number)
            srp_buf_puts(&note, level >= 3   ? "left out (always empty)"
                                : level >= 1 ? "in five-wide bins (low-high)"
                                             : "as is");
        else if (it->type == SR_ITEM_CHOICE)
            srp_buf_puts(&note, level >= 1 ? "codes fewer than k share as 'other'" : "as is");
        else
            srp_buf_puts(&note, "as is");
        srp_buf_puts(&note, BLANKED_EN);
        srp_dict_var(d, file, qi->column, srp_text(it->label, "sv"), srp_text(it->label, "en"),
                     sr_item_type_name(it->type),
                     it->type == SR_ITEM_CHOICE    ? SRP_DICT_CODED
                     : it->type == SR_ITEM_BOOLEAN ? SRP_DICT_FLAG
                                                   : SRP_DICT_TEXT, /* numbers as bins are text */
                     1, srp_buf_text(&note), f->id, f->versions_text);
        if (it->type == SR_ITEM_CHOICE)
            option_values(d, it, level >= 1);
        else if (it->type == SR_ITEM_BOOLEAN) {
            srp_dict_value(d, "1", "Ja", "Yes", 0, 0);
            srp_dict_value(d, "0", "Nej", "No", 0, 0);
        }
    }
    srp_buf_free(&note);
}

void srp_extract_form_columns(const srp_extract_plan *plan, const srp_extract_form *f,
                              const char *file, srp_buf *header, srp_dict *d)
{
    char col[SRP_EXTRACT_COLUMN_MAX + 1];
    const char *p = sr_phase_name(f->phase);
    int rel = plan->relative_dates, year_only = plan->level >= 2;
    const char *date_note = rel         ? "days from the intake (negative: before it)"
                            : year_only ? "year (months coarsened to years)"
                                        : "year and month";
    const char *date_type = rel ? "integer" : year_only ? "year" : "year-month";
    if (f->phase != SR_PHASE_INTAKE) {
        if (rel)
            snprintf(col, sizeof col, "days_to_%s", p);
        else
            snprintf(col, sizeof col, "%s_date", p);
        srp_buf_puts(header, ",");
        srp_buf_puts(header, col);
        srp_dict_var(d, file, col,
                     rel         ? "Dagar från inskrivning till registreringen"
                     : year_only ? "Registreringens år"
                                 : "Registreringens år och månad",
                     rel         ? "Days from intake to the registration"
                     : year_only ? "Year of the registration"
                                 : "Year and month of the registration",
                     date_type, rel ? SRP_DICT_NUMBER : SRP_DICT_TEXT, 0, date_note, f->id,
                     f->versions_text);
    }
    for (size_t i = 0; i < f->newest->item_count; i++) {
        const srp_item *it = &f->newest->items[i];
        if (!srp_extract_item_extracted(it) || (srp_extract_item_quasi(it) && !f->repeatable))
            continue;
        const char *sv = srp_text(it->label, "sv"), *en = srp_text(it->label, "en");
        if (it->type == SR_ITEM_MULTICHOICE) {
            for (size_t o = 0; o < it->option_count; o++) {
                snprintf(col, sizeof col, "%s_%s__%s", p, it->id, it->options[o].code);
                srp_buf_puts(header, ",");
                srp_buf_puts(header, col);
                srp_buf svl = SRP_BUF_INIT, enl = SRP_BUF_INIT;
                srp_buf_printf(&svl, "%s: %s", sv, srp_text(it->options[o].label, "sv"));
                srp_buf_printf(&enl, "%s: %s", en ? en : sv, srp_text(it->options[o].label, "en"));
                srp_dict_var(d, file, col, srp_buf_text(&svl), srp_buf_text(&enl), "0/1",
                             SRP_DICT_FLAG, 0, "", f->id, f->versions_text);
                srp_dict_value(d, "1", "Vald", "Selected", 0, 0);
                srp_dict_value(d, "0", "Ej vald", "Not selected", 0, 0);
                srp_buf_free(&svl);
                srp_buf_free(&enl);
            }
            continue;
        }
        if (rel && it->type == SR_ITEM_DATE)
            snprintf(col, sizeof col, "days_to_%s_%s", p, it->id);
        else
            snprintf(col, sizeof col, "%s_%s", p, it->id);
        srp_buf_puts(header, ",");
        srp_buf_puts(header, col);
        int date = it->type == SR_ITEM_DATE;
        srp_dict_kind kind = it->type == SR_ITEM_CHOICE    ? SRP_DICT_CODED
                             : it->type == SR_ITEM_BOOLEAN ? SRP_DICT_FLAG
                             : date                        ? (rel ? SRP_DICT_NUMBER : SRP_DICT_TEXT)
                                                           : SRP_DICT_NUMBER;
        srp_dict_var(d, file, col, sv, en, date ? date_type : sr_item_type_name(it->type), kind, 0,
                     date ? date_note : "", f->id, f->versions_text);
        if (it->type == SR_ITEM_CHOICE)
            option_values(d, it, 0);
        else if (it->type == SR_ITEM_BOOLEAN) {
            srp_dict_value(d, "1", "Ja", "Yes", 0, 0);
            srp_dict_value(d, "0", "Nej", "No", 0, 0);
        }
    }
}

/* ---- metadata ------------------------------------------------------------------------------- */

static double share(size_t part, size_t whole)
{
    return whole ? floor(1000.0 * (double)part / (double)whole + 0.5) / 1000.0 : 0.0;
}

/* The name of quasi-identifier column c. */
static const char *qi_name(const srp_extract_plan *plan, size_t c)
{
    static const char *const fixed[SRP_EXTRACT_FIXED_QI] = {"unit", "age_band", "intake_period"};
    return c < SRP_EXTRACT_FIXED_QI ? fixed[c] : plan->qis[c - SRP_EXTRACT_FIXED_QI].column;
}

/* A group's value as the extract would show it before blanking (JSON null
 * when missing). */
static json_t *group_value(const srp_extract_plan *plan, const srp_kanon *t, size_t c, int32_t v)
{
    if (v == SRP_KANON_EMPTY)
        return json_null();
    if (v == SRP_KANON_OTHER)
        return json_string("other");
    if (c == 0)
        return json_string(plan->units[v]);
    if (c == 1)
        return json_string(
            srp_kanon_age_band(v, srp_kanon_column_form(t, 1) == SRP_KANON_WIDE_BANDS));
    const srp_extract_qi *qi = &plan->qis[c - SRP_EXTRACT_FIXED_QI];
    const srp_item *it = &plan->forms[qi->form].newest->items[qi->item];
    return json_string(it->options[v].code);
}

/* The columns blanked for row that had a value (a column left out, or a
 * missing value, loses nothing when blanked). */
static uint64_t effective_mask(const srp_extract_plan *plan, const srp_kanon *t, size_t row)
{
    uint64_t m = srp_kanon_mask(t, row);
    for (size_t c = 0; c < SRP_EXTRACT_FIXED_QI + plan->qi_count; c++)
        if ((m >> c & 1) && srp_kanon_generalised(t, row, c) == SRP_KANON_EMPTY)
            m &= ~((uint64_t)1 << c);
    return m;
}

static int bits(uint64_t m)
{
    int n = 0;
    for (; m; m &= m - 1)
        n++;
    return n;
}

typedef struct group_count {
    int32_t value;
    size_t records, kept, any;
} group_count;

/* Per value of group column c: how many records, how many keep that
 * value, how many have any quasi-identifier blanked. */
static json_t *group_table(const srp_extract_plan *plan, const srp_kanon *t, size_t c,
                           size_t persons)
{
    group_count *g = NULL;
    size_t ng = 0, cap = 0;
    for (size_t r = 0; r < persons; r++) {
        int32_t v = srp_kanon_generalised(t, r, c);
        size_t i = 0;
        while (i < ng && g[i].value != v)
            i++;
        if (i == ng) {
            if (ng == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                group_count *x = realloc(g, ncap * sizeof *x);
                if (!x) {
                    free(g);
                    return NULL;
                }
                g = x;
                cap = ncap;
            }
            g[ng++] = (group_count){v, 0, 0, 0};
        }
        uint64_t m = effective_mask(plan, t, r);
        g[i].records++;
        g[i].kept += !(m >> c & 1);
        g[i].any += m != 0;
    }
    json_t *out = json_array();
    for (size_t i = 0; out && i < ng; i++)
        json_array_append_new(
            out, json_pack("{s:o, s:I, s:I, s:f, s:I, s:f}", "value",
                           group_value(plan, t, c, g[i].value), "records", (json_int_t)g[i].records,
                           "kept", (json_int_t)g[i].kept, "share_kept",
                           share(g[i].kept, g[i].records), "any_blanked", (json_int_t)g[i].any,
                           "share_any_blanked", share(g[i].any, g[i].records)));
    free(g);
    return out;
}

/* How much local suppression blanked: per identifier, per group (unit, age
 * band, and each coded quasi-identifier such as sex), and how many records
 * have 0, 1, 2, ... blanked. */
static json_t *blanking_report(const srp_extract_plan *plan, const srp_extract_summary *s)
{
    size_t ncol = SRP_EXTRACT_FIXED_QI + plan->qi_count;
    size_t *per_col = calloc(ncol, sizeof *per_col),
           *per_count = calloc(ncol + 1, sizeof *per_count);
    json_t *ids = json_object(), *groups = json_object(), *counts = json_object();
    if (!per_col || !per_count || !ids || !groups || !counts) {
        free(per_col);
        free(per_count);
        json_decref(ids);
        json_decref(groups);
        json_decref(counts);
        return NULL;
    }
    for (size_t r = 0; r < s->persons; r++) {
        uint64_t m = effective_mask(plan, s->table, r);
        for (size_t c = 0; c < ncol; c++)
            per_col[c] += m >> c & 1;
        per_count[bits(m)]++;
    }
    for (size_t c = 0; c < ncol; c++) {
        json_object_set_new(ids, qi_name(plan, c),
                            json_pack("{s:I, s:f}", "blanked", (json_int_t)per_col[c], "share",
                                      share(per_col[c], s->persons)));
        int coded = c < 2;
        if (c >= SRP_EXTRACT_FIXED_QI) {
            const srp_extract_qi *qi = &plan->qis[c - SRP_EXTRACT_FIXED_QI];
            coded = plan->forms[qi->form].newest->items[qi->item].type == SR_ITEM_CHOICE;
        }
        if (coded) {
            json_t *g = group_table(plan, s->table, c, s->persons);
            json_object_set_new(groups, qi_name(plan, c), g ? g : json_null());
        }
    }
    for (size_t n = 0; n <= ncol; n++) {
        char key[16];
        snprintf(key, sizeof key, "%zu", n);
        json_object_set_new(counts, key, json_integer((json_int_t)per_count[n]));
    }
    free(per_col);
    free(per_count);
    return json_pack(
        "{s:s, s:I, s:I, s:I, s:o, s:o, s:o, s:s}", "method",
        "local suppression: for each record still in a group smaller than k, the fewest "
        "quasi-identifiers whose blanking brings it into a group of at least k are left empty, "
        "the cheapest first (dates before codes, codes before age bands; a value that fewer "
        "than a tenth have costs three times as much, so that small groups keep what makes "
        "them a group); a blanked field reads as a missing one",
        "records_blanked", (json_int_t)s->blanked, "records_all_blanked",
        (json_int_t)s->all_blanked, "cells_blanked", (json_int_t)s->cells,
        "records_by_blanked_count", counts, "by_identifier", ids, "by_group", groups, "groups_note",
        "groups by the value before blanking; kept: records that keep that value; any_blanked: "
        "records with at least one quasi-identifier blanked; records_by_blanked_count and "
        "by_identifier count values lost (blanking a field that was empty loses nothing)");
}

json_t *srp_extract_metadata(const srp_extract_plan *plan, const srp_extract_summary *s)
{
    json_t *forms = json_array(), *qis = json_array(), *steps = json_array();
    for (size_t f = 0; f < plan->form_count; f++)
        json_array_append_new(forms, json_pack("{s:s, s:s}", "id", plan->forms[f].id, "versions",
                                               plan->forms[f].versions_text));
    for (size_t c = 0; c < SRP_EXTRACT_FIXED_QI + plan->qi_count; c++)
        json_array_append_new(qis, json_string(qi_name(plan, c)));
    for (int level = 1; level <= s->level; level++)
        json_array_append_new(steps, json_string(srp_kanon_step(level)));
    /* Date quasi-identifiers left out (the consent date). */
    json_t *left_dates = json_array();
    for (size_t f = 0; f < plan->form_count; f++) {
        const srp_extract_form *fs = &plan->forms[f];
        for (size_t i = 0; i < fs->newest->item_count; i++) {
            const srp_item *it = &fs->newest->items[i];
            if (it->type == SR_ITEM_DATE && it->quasi_identifier) {
                char col[SRP_EXTRACT_COLUMN_MAX + 1];
                snprintf(col, sizeof col, "%s_%s", sr_phase_name(fs->phase), it->id);
                json_array_append_new(left_dates, json_string(col));
            }
        }
    }
    char today[11], month[8];
    srp_time_today(today, sizeof today);
    snprintf(month, sizeof month, "%.7s", today);
    int year_only = s->level >= 2;
    json_t *blanking = blanking_report(plan, s);
    return json_pack(
        "{s:s, s:s, s:o, s:i, s:I, s:o, s:{s:o, s:I, s:o, s:I}, s:s, s:[s,s,s,s], "
        "s:{s:o, s:s}, s:O}",
        "format", "sigreg-extract-metadata/2", "made", month, "forms", forms, "k", plan->k,
        "persons", (json_int_t)s->persons, "quasi_identifiers", qis, "anonymisation",
        "generalisation", steps, "blanked_records", (json_int_t)s->blanked, "blanking",
        blanking ? blanking : json_null(), "smallest_group_checked", (json_int_t)s->smallest_class,
        "dates",
        plan->relative_dates ? "days from intake (days_to_* columns; the intake period as year)"
        : year_only          ? "years (coarsened from year and month to reach k-anonymity)"
                             : "year and month",
        "left_out", "direct identifiers (personnummer, case codes, items marked identifying)",
        "free-text answers", "exact dates and ages", "the order of the registry", "left_out_dates",
        "columns", left_dates, "why",
        "a date that is a quasi-identifier (the consent date) is left out: it falls at the "
        "intake, so coarsened it only repeats the intake period, and as days from the intake it "
        "would date the intake more finely than the period does; consent is a condition of "
        "being registered, so it tells an evaluation nothing",
        "files", s->files);
}
