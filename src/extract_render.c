/*
 * extract_render.c - CSV rows, the codebook and the metadata of an extract,
 * from typed values.
 */
#include "extract_render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"

int srp_extract_item_extracted(const srp_item *it)
{
    return it->type != SR_ITEM_SECTION && it->type != SR_ITEM_TEXT && !it->identifying;
}

int srp_extract_item_quasi(const srp_item *it)
{
    return it->quasi_identifier || strcmp(it->id, "sex") == 0;
}

void srp_csv_field(srp_buf *b, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        srp_buf_puts(b, s);
        return;
    }
    srp_buf_puts(b, "\"");
    for (const char *p = s; *p; p++)
        srp_buf_put(b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
    srp_buf_puts(b, "\"");
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
            srp_csv_field(row, a->item->options[a->value.option].code);
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
    int blanked = srp_kanon_blanked(t, row);
    for (size_t c = 0; c < SRP_EXTRACT_FIXED_QI + plan->qi_count; c++) {
        srp_buf_puts(out, ",");
        if (blanked)
            continue;
        int32_t v = srp_kanon_value(t, row, c);
        srp_kanon_form form = srp_kanon_column_form(t, c);
        if (c == 1) { /* age band */
            srp_buf_puts(out, srp_kanon_age_band(v, form == SRP_KANON_WIDE_BANDS));
            continue;
        }
        if (v == SRP_KANON_EMPTY)
            continue;
        if (v == SRP_KANON_OTHER) {
            srp_buf_puts(out, "other");
            continue;
        }
        if (c == 0) {
            srp_csv_field(out, plan->units[v]);
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
            srp_csv_field(out, it->options[v].code);
            break;
        default:
            srp_buf_printf(out, "%ld", (long)v);
            break;
        }
    }
}

/* ---- the codebook --------------------------------------------------------------------------- */

static void codebook_row(srp_buf *c, const char *variable, const srp_extract_form *f,
                         const char *sv, const char *en, const char *type, const char *codes,
                         int qi)
{
    srp_csv_field(c, variable);
    srp_buf_puts(c, ",");
    srp_csv_field(c, f ? f->id : "");
    srp_buf_puts(c, ",");
    srp_csv_field(c, f ? f->versions_text : "");
    srp_buf_puts(c, ",");
    srp_csv_field(c, sv);
    srp_buf_puts(c, ",");
    srp_csv_field(c, en ? en : sv);
    srp_buf_puts(c, ",");
    srp_csv_field(c, type);
    srp_buf_puts(c, ",");
    srp_csv_field(c, codes);
    srp_buf_puts(c, qi ? ",yes\r\n" : ",no\r\n");
}

static void item_codes(const srp_item *it, srp_buf *out)
{
    for (size_t o = 0; o < it->option_count; o++) {
        srp_buf_printf(out, "%s%s=", o ? "; " : "", it->options[o].code);
        srp_buf_puts(out, srp_text(it->options[o].label, "sv"));
        if (it->options[o].missing)
            srp_buf_puts(out, " (missing)");
    }
}

void srp_extract_codebook_start(const srp_extract_plan *plan, srp_buf *cb, srp_buf *header)
{
    srp_buf_puts(header, "person,unit,age_band,intake_period");
    srp_buf_puts(cb, "variable,form,version,label_sv,label_en,type,codes,quasi_identifier\r\n");
    codebook_row(cb, "person", NULL, "Slumpat id, nytt för varje uttag",
                 "Random id, new in every extract", "text", "", 0);
    codebook_row(cb, "unit", NULL, "Enhet (små enheter som 'other')",
                 "Unit (small ones as 'other')", "choice", "", 1);
    codebook_row(cb, "age_band", NULL, "Åldersgrupp vid inskrivning", "Age band at intake",
                 "choice", "0-11; 12-14; 15-17; 18-20; 21+ (or 0-17; 18+); unknown", 1);
    codebook_row(cb, "intake_period", NULL, "Inskrivningens år och månad (eller år)",
                 "Year and month (or year) of intake", "year-month", "", 1);
    for (size_t q = 0; q < plan->qi_count; q++) {
        const srp_extract_qi *qi = &plan->qis[q];
        const srp_extract_form *f = &plan->forms[qi->form];
        const srp_item *it = &f->newest->items[qi->item];
        srp_buf_puts(header, ",");
        srp_buf_puts(header, qi->column);
        srp_buf codes = SRP_BUF_INIT;
        item_codes(it, &codes);
        codebook_row(cb, qi->column, f, srp_text(it->label, "sv"), srp_text(it->label, "en"),
                     sr_item_type_name(it->type), srp_buf_text(&codes), 1);
        srp_buf_free(&codes);
    }
}

void srp_extract_form_columns(const srp_extract_plan *plan, const srp_extract_form *f,
                              srp_buf *header, srp_buf *cb)
{
    char col[SRP_EXTRACT_COLUMN_MAX + 1];
    const char *p = sr_phase_name(f->phase);
    int rel = plan->relative_dates;
    if (f->phase != SR_PHASE_INTAKE) {
        snprintf(col, sizeof col, "%s_date", p);
        srp_buf_puts(header, ",");
        srp_buf_puts(header, col);
        codebook_row(cb, col, f, rel ? "Dagar från inskrivning" : "År och månad (eller år)",
                     rel ? "Days since intake" : "Year and month (or year)",
                     rel ? "integer" : "year-month", "", 0);
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
                codebook_row(cb, col, f, srp_buf_text(&svl), srp_buf_text(&enl), "0/1",
                             "1=selected; 0=not selected", 0);
                srp_buf_free(&svl);
                srp_buf_free(&enl);
            }
            continue;
        }
        snprintf(col, sizeof col, "%s_%s", p, it->id);
        srp_buf_puts(header, ",");
        srp_buf_puts(header, col);
        srp_buf codes = SRP_BUF_INIT;
        if (it->type == SR_ITEM_BOOLEAN)
            srp_buf_puts(&codes, "1=ja; 0=nej");
        else if (it->type == SR_ITEM_CHOICE)
            item_codes(it, &codes);
        else if (it->type == SR_ITEM_SCALE)
            srp_buf_printf(&codes, "%g-%g", it->min, it->max);
        else if (it->type == SR_ITEM_DATE)
            srp_buf_puts(&codes, rel ? "days since intake" : "YYYY-MM");
        codebook_row(cb, col, f, sv, en, sr_item_type_name(it->type), srp_buf_text(&codes), 0);
        srp_buf_free(&codes);
    }
}

/* ---- metadata ------------------------------------------------------------------------------- */

json_t *srp_extract_metadata(const srp_extract_plan *plan, const srp_extract_summary *s)
{
    json_t *forms = json_array(), *qis = json_array(), *steps = json_array();
    for (size_t f = 0; f < plan->form_count; f++)
        json_array_append_new(forms, json_pack("{s:s, s:s}", "id", plan->forms[f].id, "versions",
                                               plan->forms[f].versions_text));
    json_array_append_new(qis, json_string("unit"));
    json_array_append_new(qis, json_string("age_band"));
    json_array_append_new(qis, json_string("intake_period"));
    for (size_t q = 0; q < plan->qi_count; q++)
        json_array_append_new(qis, json_string(plan->qis[q].column));
    for (int level = 1; level <= s->level; level++)
        json_array_append_new(steps, json_string(srp_kanon_step(level)));
    char today[11], month[8];
    srp_time_today(today, sizeof today);
    snprintf(month, sizeof month, "%.7s", today);
    int year_only = s->level >= 2;
    return json_pack(
        "{s:s, s:s, s:o, s:i, s:I, s:o, s:{s:o, s:I, s:s}, s:s, s:[s,s,s,s], s:O}", "format",
        "sigreg-extract-metadata/1", "made", month, "forms", forms, "k", plan->k, "persons",
        (json_int_t)s->persons, "quasi_identifiers", qis, "anonymisation", "generalisation", steps,
        "blanked_records", (json_int_t)s->blanked, "blanking",
        "the quasi-identifiers of records still in a group smaller than k are left empty", "dates",
        plan->relative_dates ? "days since intake (the intake period as year)"
        : year_only          ? "years (coarsened from year and month to reach k-anonymity)"
                             : "year and month",
        "left_out", "direct identifiers (personnummer, case codes, items marked identifying)",
        "free-text answers", "exact dates and ages", "the order of the registry", "files",
        s->files);
}
