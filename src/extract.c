/*
 * extract.c - building anonymised extracts and opening them.
 *
 * Rows are built per person: quasi-identifiers (unit, age band, intake
 * period, and every item marked quasi_identifier) apart, the rest rendered.
 * k-anonymity is then reached over the quasi-identifiers by generalising in
 * steps (small units into "other", whole-number identifiers into five-year
 * bins, dates to years, age bands widened, whole-number identifiers left
 * out) until few records stand out, and by blanking the quasi-identifiers of
 * those few, in a group of at least k. Rows go out sorted by their new
 * random ids, so no order carries over from the registry.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buffer.h"
#include "coded.h"
#include "container.h"
#include "base/error.h"
#include "base/fileio.h"
#include "form_int.h"
#include "keyring.h"
#include "form_store_int.h"
#include "registry_int.h"
#include "sigreg/extract.h"
#include "store.h"
#include "base/timeutil.h"

#define MAX_FORMS 32
#define MAX_QI 16
#define LEVELS 5

/* ---- text building -------------------------------------------------------------------- */

/* A CSV field: quoted when it holds a comma, quote or line end. */
static void sb_csv(srp_buf *b, const char *s)
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

/* ---- columns -------------------------------------------------------------------------- */

typedef struct form_set {
    char id[64];
    sr_form *newest;
    char versions[64];
    sr_phase phase;
    int repeatable;
} form_set;

typedef struct qi_item {
    char column[128];
    const form_set *form;
    const srp_item *item;
} qi_item;

typedef struct builder {
    int year_only; /* dates coarsened to years by the generalisation */
    sr_registry *reg;
    const sr_extract_options *opt;
    form_set forms[MAX_FORMS];
    size_t form_count;
    qi_item qis[MAX_QI];
    size_t qi_count;
    srp_buf codebook;
    int k;
} builder;

static const char *phase_word(sr_phase p)
{
    return sr_phase_name(p);
}

static void codebook_row(builder *b, const char *variable, const form_set *f, const char *sv,
                         const char *en, const char *type, const char *codes, int qi)
{
    srp_buf *c = &b->codebook;
    sb_csv(c, variable);
    srp_buf_puts(c, ",");
    sb_csv(c, f ? f->id : "");
    srp_buf_puts(c, ",");
    sb_csv(c, f ? f->versions : "");
    srp_buf_puts(c, ",");
    sb_csv(c, sv);
    srp_buf_puts(c, ",");
    sb_csv(c, en ? en : sv);
    srp_buf_puts(c, ",");
    sb_csv(c, type);
    srp_buf_puts(c, ",");
    sb_csv(c, codes);
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

/* Whether an item is a quasi-identifier: marked so, or the built-in sex. */
static int quasi(const srp_item *it)
{
    return it->quasi_identifier || strcmp(it->id, "sex") == 0;
}

/* Whether an item goes into an extract at all. */
static int extracted(const srp_item *it)
{
    return it->type != SR_ITEM_SECTION && it->type != SR_ITEM_TEXT && !it->identifying;
}

/* Header and codebook rows for the items of one form (non-QI columns). */
static void form_columns(builder *b, const form_set *f, srp_buf *header)
{
    char col[160];
    const char *p = phase_word(f->phase);
    if (f->phase != SR_PHASE_INTAKE) { /* the intake's date is intake_period */
        snprintf(col, sizeof col, "%s_date", p);
        srp_buf_puts(header, ",");
        srp_buf_puts(header, col);
        codebook_row(b, col, f, b->opt->relative_dates ? "Dagar från inskrivning" : "År och månad (eller år)",
                     b->opt->relative_dates ? "Days since intake" : "Year and month (or year)",
                     b->opt->relative_dates ? "integer" : "year-month", "", 0);
    }
    for (size_t i = 0; i < f->newest->item_count; i++) {
        const srp_item *it = &f->newest->items[i];
        if (!extracted(it) || (quasi(it) && !f->repeatable))
            continue;
        const char *sv = srp_text(it->label, "sv"), *en = srp_text(it->label, "en");
        if (it->type == SR_ITEM_MULTICHOICE) {
            for (size_t o = 0; o < it->option_count; o++) {
                snprintf(col, sizeof col, "%s_%s__%s", p, it->id, it->options[o].code);
                srp_buf_puts(header, ",");
                srp_buf_puts(header, col);
                char svl[400], enl[400];
                snprintf(svl, sizeof svl, "%s: %s", sv, srp_text(it->options[o].label, "sv"));
                snprintf(enl, sizeof enl, "%s: %s", en ? en : sv, srp_text(it->options[o].label, "en"));
                codebook_row(b, col, f, svl, enl, "0/1", "1=selected; 0=not selected", 0);
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
            srp_buf_puts(&codes, b->opt->relative_dates ? "days since intake" : "YYYY-MM");
        codebook_row(b, col, f, sv, en, sr_item_type_name(it->type), srp_buf_text(&codes),
                     0);
        srp_buf_free(&codes);
    }
}

/* ---- values ----------------------------------------------------------------------------- */

/* A calendar date is written as a marker, \x01YYYY-MM-DD\x02, and resolved
 * when the files are written, to the precision the generalisation reached. */
static void date_value(const builder *b, const char *date, const char *intake, char out[16])
{
    if (!date) {
        out[0] = '\0';
        return;
    }
    if (b->opt->relative_dates && intake)
        snprintf(out, 16, "%ld", (long)(srp_days_from_date(date) - srp_days_from_date(intake)));
    else
        snprintf(out, 16, "\x01%.10s\x02", date);
}

/* Copies text, resolving date markers to year-month or year. */
static void resolve_dates(srp_buf *out, const char *text, int year_only)
{
    const char *p = text;
    for (const char *m = strchr(p, '\x01'); m; m = strchr(p, '\x01')) {
        srp_buf_put(out, p, (size_t)(m - p));
        const char *end = strchr(m, '\x02');
        if (!end)
            break;
        srp_buf_put(out, m + 1, year_only ? 4 : 7);
        p = end + 1;
    }
    srp_buf_puts(out, p);
}

static void render_items(const builder *b, const form_set *f, const json_t *answers,
                         const char *date, const char *intake, srp_buf *row)
{
    char v[64];
    if (f->phase != SR_PHASE_INTAKE) {
        date_value(b, date, intake, v);
        srp_buf_puts(row, ",");
        srp_buf_puts(row, v);
    }
    for (size_t i = 0; i < f->newest->item_count; i++) {
        const srp_item *it = &f->newest->items[i];
        if (!extracted(it) || (quasi(it) && !f->repeatable))
            continue;
        const json_t *a = answers ? json_object_get(answers, it->id) : NULL;
        int has = a && !json_is_null(a);
        if (it->type == SR_ITEM_MULTICHOICE) {
            for (size_t o = 0; o < it->option_count; o++) {
                int sel = 0;
                size_t k;
                json_t *e;
                if (has)
                    json_array_foreach(a, k, e) sel |= json_is_string(e) &&
                                                       strcmp(json_string_value(e),
                                                              it->options[o].code) == 0;
                srp_buf_puts(row, has ? (sel ? ",1" : ",0") : ",");
            }
            continue;
        }
        srp_buf_puts(row, ",");
        if (!has)
            continue;
        if (json_is_boolean(a))
            srp_buf_puts(row, json_is_true(a) ? "1" : "0");
        else if (json_is_string(a) && it->type == SR_ITEM_DATE) {
            date_value(b, json_string_value(a), intake, v);
            srp_buf_puts(row, v);
        } else if (json_is_string(a))
            sb_csv(row, json_string_value(a));
        else if (json_is_integer(a))
            srp_buf_printf(row, "%lld", (long long)json_integer_value(a));
        else if (json_is_real(a))
            srp_buf_printf(row, "%g", json_real_value(a));
    }
}

/* ---- people and k-anonymity ---------------------------------------------------------------- */

typedef struct person {
    char id[17];
    char unit[40];
    char birth[11];
    char intake[11];
    char *qi_raw[MAX_QI]; /* raw values of the QI items */
    char *rest;           /* the rest of the cases.csv row */
    char (*qi)[40]; /* the generalised QI tuple, qi_width() values */
    char *key; /* the QI values joined, for sorting into classes */
    unsigned char rare[MAX_QI]; /* this person's QI value is one fewer than k share */
    int blanked;
} person;

typedef struct people {
    person *items;
    size_t count, cap;
} people;

typedef struct valued {
    const char *value;
    size_t index;
} valued;

static int by_value(const void *a, const void *c)
{
    return strcmp(((const valued *)a)->value, ((const valued *)c)->value);
}

/* Marks, for QI q, the people whose value fewer than k people share. */
static int mark_rare(const builder *b, people *p, size_t q)
{
    valued *v = malloc((p->count ? p->count : 1) * sizeof *v);
    if (!v)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < p->count; i++)
        if (p->items[i].qi_raw[q])
            v[n++] = (valued){p->items[i].qi_raw[q], i};
    qsort(v, n, sizeof *v, by_value);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && strcmp(v[i].value, v[j].value) == 0)
            j++;
        for (size_t t = i; t < j; t++)
            p->items[v[t].index].rare[q] = j - i < (size_t)b->k;
        i = j;
    }
    free(v);
    return 0;
}

/* The QI tuple of each person at a level of generalisation. */
static void generalise(builder *b, people *p, int level, char **small_units, size_t small_count)
{
    for (size_t i = 0; i < p->count; i++) {
        person *x = &p->items[i];
        int small = 0;
        for (size_t s = 0; level >= 1 && s < small_count; s++)
            small |= strcmp(small_units[s], x->unit) == 0;
        snprintf(x->qi[0], sizeof x->qi[0], "%s", small ? "other" : x->unit);
        snprintf(x->qi[1], sizeof x->qi[1], "%s", srp_age_band(x->birth[0] ? x->birth : NULL, x->intake, level >= 3));
        if (b->opt->relative_dates)
            snprintf(x->qi[2], sizeof x->qi[2], "%.4s", x->intake);
        else
            snprintf(x->qi[2], sizeof x->qi[2], "%.*s", level >= 2 ? 4 : 7, x->intake);
        for (size_t q = 0; q < b->qi_count; q++) {
            const char *raw = x->qi_raw[q];
            char *out = x->qi[3 + q];
            const srp_item *it = b->qis[q].item;
            if (!raw) {
                out[0] = '\0';
            } else if (it->type == SR_ITEM_DATE) {
                snprintf(out, 40, "%.*s", level >= 2 ? 4 : 7, raw);
            } else if (it->type == SR_ITEM_INTEGER || it->type == SR_ITEM_DECIMAL) {
                long v = strtol(raw, NULL, 10);
                if (level >= 4)
                    out[0] = '\0';
                else if (level >= 1)
                    snprintf(out, 40, "%ld-%ld", v - ((v % 5) + 5) % 5, v - ((v % 5) + 5) % 5 + 4);
                else
                    snprintf(out, 40, "%s", raw);
            } else if (level >= 1 && x->rare[q]) {
                snprintf(out, 40, "%s", "other");
            } else {
                snprintf(out, 40, "%s", raw);
            }
        }
    }
}

static size_t qi_width(const builder *b)
{
    return 3 + b->qi_count;
}

static int same_qi(const builder *b, const person *x, const person *y)
{
    for (size_t q = 0; q < qi_width(b); q++)
        if (strcmp(x->qi[q], y->qi[q]) != 0)
            return 0;
    return 1;
}

static int by_qi(const void *a, const void *c)
{
    const person *x = *(person *const *)a, *y = *(person *const *)c;
    int d = strcmp(x->key, y->key);
    return d ? d : strcmp(x->id, y->id);
}

/* Class sizes: size[i] = size of person i's class; returns how many are in
 * classes smaller than k, or (size_t)-1 when out of memory. */
static size_t class_sizes(builder *b, people *p, person **order, size_t *size)
{
    for (size_t i = 0; i < p->count; i++) {
        person *x = &p->items[i];
        srp_buf key = SRP_BUF_INIT;
        for (size_t q = 0; q < qi_width(b); q++) {
            srp_buf_puts(&key, x->qi[q]);
            srp_buf_puts(&key, "\x1f");
        }
        free(x->key);
        x->key = srp_buf_take(&key);
        if (!x->key)
            return (size_t)-1;
        order[i] = x;
    }
    qsort(order, p->count, sizeof *order, by_qi);
    size_t small = 0;
    for (size_t i = 0; i < p->count;) {
        size_t j = i;
        while (j < p->count && same_qi(b, order[i], order[j]))
            j++;
        for (size_t t = i; t < j; t++)
            size[t] = j - i;
        if (j - i < (size_t)b->k)
            small += j - i;
        i = j;
    }
    return small;
}

static sr_status anonymise(builder *b, people *p, sr_extract_report *rep, json_t *steps,
                           sr_error *err)
{
    if (p->count < (size_t)b->k)
        return srp_error_set(err, SR_ERR_STATE,
                             "only %zu people would be in the extract: fewer than k = %d", p->count,
                             b->k);
    sr_status rc = SR_OK;
    person **order = malloc(p->count * sizeof *order);
    size_t *size = malloc(p->count * sizeof *size);
    char **small_units = calloc(p->count, sizeof *small_units);
    char **units = calloc(p->count, sizeof *units);
    size_t *per_unit = calloc(p->count, sizeof *per_unit);
    if (!order || !size || !small_units || !units || !per_unit)
        goto out_of_memory;
    /* Coded values that fewer than k people share are merged into "other"
     * (from the first step on), as are units with fewer than k people. */
    for (size_t q = 0; q < b->qi_count; q++) {
        sr_item_type t = b->qis[q].item->type;
        if (t != SR_ITEM_CHOICE && t != SR_ITEM_BOOLEAN && t != SR_ITEM_SCALE)
            continue;
        if (mark_rare(b, p, q) != 0)
            goto out_of_memory;
    }
    /* Units with fewer than k people are merged into "other". People are
     * counted per unit in one pass (units are few, people many). */
    size_t small_count = 0, unit_count = 0;
    for (size_t i = 0; i < p->count; i++) {
        size_t u = 0;
        while (u < unit_count && strcmp(units[u], p->items[i].unit) != 0)
            u++;
        if (u == unit_count)
            units[unit_count++] = p->items[i].unit;
        per_unit[u]++;
    }
    for (size_t u = 0; u < unit_count; u++)
        if (per_unit[u] < (size_t)b->k)
            small_units[small_count++] = units[u];
    static const char *const step_names[LEVELS] = {
        NULL, "small units and rare values merged into 'other', whole-number identifiers in "
              "five-year bins",
        "dates coarsened to years", "age bands widened to 0-17 and 18+",
        "whole-number identifiers left out"};
    size_t allowed = p->count / 100 > (size_t)b->k ? p->count / 100 : (size_t)b->k;
    int level = 0;
    size_t outliers = 0;
    for (;; level++) {
        generalise(b, p, level, small_units, small_count);
        outliers = class_sizes(b, p, order, size);
        if (outliers == (size_t)-1)
            goto out_of_memory;
        if (level > 0) {
            json_array_append_new(steps, json_string(step_names[level]));
            size_t used = strlen(rep->generalised);
            snprintf(rep->generalised + used, sizeof rep->generalised - used, "%s%d",
                     used ? "," : "", level);
        }
        if (outliers <= allowed || level == LEVELS - 1)
            break;
    }
    b->year_only = level >= 2;
    /* Blank the few that still stand out, in a group of at least k. */
    size_t blanked = 0;
    for (size_t i = 0; i < p->count; i++)
        if (size[i] < (size_t)b->k) {
            order[i]->blanked = 1;
            blanked++;
        }
    if (blanked > 0 && blanked < (size_t)b->k) {
        /* Take more from the largest classes, never below k. */
        for (size_t i = 0; i < p->count && blanked < (size_t)b->k; i++) {
            size_t best = (size_t)-1;
            for (size_t j = 0; j < p->count; j++)
                if (!order[j]->blanked && size[j] > (size_t)b->k &&
                    (best == (size_t)-1 || size[j] > size[best]))
                    best = j;
            if (best == (size_t)-1)
                break;
            order[best]->blanked = 1;
            for (size_t j = 0; j < p->count; j++)
                if (!order[j]->blanked && same_qi(b, order[j], order[best]))
                    size[j]--;
            size[best] = 0;
            blanked++;
        }
    }
    /* Still short of k: whole classes join the blanked group, smallest
     * first, until it is big enough (at worst everyone, and there are at
     * least k people). */
    while (blanked > 0 && blanked < (size_t)b->k) {
        size_t best = (size_t)-1;
        for (size_t j = 0; j < p->count; j++)
            if (!order[j]->blanked && (best == (size_t)-1 || size[j] < size[best]))
                best = j;
        if (best == (size_t)-1)
            break;
        person *pick = order[best];
        for (size_t j = 0; j < p->count; j++)
            if (!order[j]->blanked && same_qi(b, order[j], pick)) {
                order[j]->blanked = 1;
                blanked++;
            }
    }
    for (size_t i = 0; i < p->count; i++)
        if (p->items[i].blanked)
            for (size_t q = 0; q < qi_width(b); q++)
                p->items[i].qi[q][0] = '\0';
    rep->blanked = (long)blanked;
    goto out;
out_of_memory:
    rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
out:
    free(order);
    free(size);
    free(small_units);
    free(units);
    free(per_unit);
    return rc;
}

/* ---- gathering ------------------------------------------------------------------------------- */

typedef struct row_list {
    char **rows;
    size_t count, cap;
    int oom;
} row_list;

static void rows_add(row_list *l, char *row)
{
    if (!row) {
        l->oom = 1;
        return;
    }
    void *rows = l->rows;
    if (srp_grow(&rows, &l->cap, l->count + 1, sizeof *l->rows) != 0) {
        l->oom = 1;
        free(row);
        return;
    }
    l->rows = rows;
    l->rows[l->count++] = row;
}

static int by_id(const void *a, const void *c)
{
    return strcmp((*(person *const *)a)->id, (*(person *const *)c)->id);
}

static int by_text(const void *a, const void *c)
{
    return strcmp(*(char *const *)a, *(char *const *)c);
}

static const form_set *form_of(const builder *b, const char *id)
{
    for (size_t i = 0; i < b->form_count; i++)
        if (strcmp(b->forms[i].id, id) == 0)
            return &b->forms[i];
    return NULL;
}

/* Finishes one person: renders the non-repeatable forms in phase order. */
static void finish_person(builder *b, person *x, json_t **answers, char dates[][11])
{
    srp_buf rest = SRP_BUF_INIT;
    for (size_t f = 0; f < b->form_count; f++) {
        const form_set *fs = &b->forms[f];
        if (fs->repeatable)
            continue;
        render_items(b, fs, answers[f], answers[f] ? dates[f] : NULL, x->intake, &rest);
    }
    x->rest = srp_buf_take(&rest);
    for (size_t q = 0; q < b->qi_count; q++) {
        const json_t *a = answers[b->qis[q].form - b->forms]
                              ? json_object_get(answers[b->qis[q].form - b->forms],
                                                b->qis[q].item->id)
                              : NULL;
        char v[64] = "";
        if (a && json_is_string(a))
            snprintf(v, sizeof v, "%s", json_string_value(a));
        else if (a && json_is_integer(a))
            snprintf(v, sizeof v, "%lld", (long long)json_integer_value(a));
        else if (a && json_is_boolean(a))
            snprintf(v, sizeof v, "%d", json_is_true(a));
        x->qi_raw[q] = v[0] ? strdup(v) : NULL;
    }
}

static sr_status gather(builder *b, people *p, row_list *repeat, sr_error *err)
{
    sqlite3 *db = srp_registry_db(b->reg);
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(
        db,
        "SELECT c.code, c.unit, c.birth_date, r.form_id, r.date, r.answers FROM cases c"
        " JOIN responses r ON r.case_code = c.code AND r.active"
        " WHERE EXISTS (SELECT 1 FROM responses i WHERE i.case_code = c.code AND i.active"
        "  AND i.phase = 'intake') ORDER BY c.code, r.date, r.id",
        &st, err);
    if (rc != SR_OK)
        return rc;
    json_t *answers[MAX_FORMS] = {NULL};
    char dates[MAX_FORMS][11];
    char current[16] = "";
    person *x = NULL;
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        if (strcmp(code, current) != 0) {
            if (x)
                finish_person(b, x, answers, dates);
            for (size_t f = 0; f < MAX_FORMS; f++) {
                json_decref(answers[f]);
                answers[f] = NULL;
            }
            void *items = p->items;
            if (srp_grow(&items, &p->cap, p->count + 1, sizeof *p->items) != 0) {
                rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
                break;
            }
            p->items = items;
            x = &p->items[p->count++];
            memset(x, 0, sizeof *x);
            x->qi = calloc(qi_width(b), sizeof *x->qi);
            if (!x->qi) {
                rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
                break;
            }
            unsigned char id[8];
            srp_random_bytes(id, sizeof id);
            srp_hex_encode(x->id, id, sizeof id);
            snprintf(x->unit, sizeof x->unit, "%s", (const char *)sqlite3_column_text(st, 1));
            snprintf(x->birth, sizeof x->birth, "%s",
                     sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "");
            snprintf(current, sizeof current, "%s", code);
        }
        const form_set *fs = form_of(b, (const char *)sqlite3_column_text(st, 3));
        const char *date = (const char *)sqlite3_column_text(st, 4);
        if (fs && fs->phase == SR_PHASE_INTAKE && !x->intake[0])
            snprintf(x->intake, sizeof x->intake, "%s", date);
        if (!fs)
            continue;
        json_t *a = json_loads((const char *)sqlite3_column_text(st, 5), 0, NULL);
        if (!a) {
            rc = srp_error_set(err, SR_ERR_CORRUPT, "a stored response is damaged");
            break;
        }
        size_t f = (size_t)(fs - b->forms);
        if (fs->repeatable) {
            /* Prefixed by the form's index so that each file gets its own. */
            srp_buf row = SRP_BUF_INIT;
            srp_buf_printf(&row, "%02zu", f);
            srp_buf_puts(&row, x->id);
            render_items(b, fs, a, date, x->intake[0] ? x->intake : NULL, &row);
            srp_buf_puts(&row, "\r\n");
            rows_add(&repeat[0], srp_buf_take(&row));
            json_decref(a);
            continue;
        }
        json_decref(answers[f]); /* the latest wins (one active per form anyway) */
        answers[f] = a;
        snprintf(dates[f], sizeof dates[f], "%s", date);
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read responses", err);
    if (rc == SR_OK && x)
        finish_person(b, x, answers, dates);
    for (size_t f = 0; f < MAX_FORMS; f++)
        json_decref(answers[f]);
    sqlite3_finalize(st);
    if (rc == SR_OK && repeat[0].oom)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    return rc;
}

/* ---- the archive inside the container ------------------------------------------------------- */

/* An entry is: u16 name length | name | u32 data length | data. Entries are
 * written in place: archive_open leaves the length to archive_close. */
static size_t archive_open(srp_buf *ar, const char *name)
{
    size_t n = strlen(name);
    srp_buf_put_le(ar, n, 2);
    srp_buf_put(ar, name, n);
    srp_buf_put_le(ar, 0, 4);
    return ar->len;
}

static void archive_close(srp_buf *ar, size_t start)
{
    if (ar->oom)
        return;
    size_t len = ar->len - start;
    for (int i = 0; i < 4; i++)
        ar->data[start - 4 + (size_t)i] = (unsigned char)(len >> (8 * i));
}

static void archive_add(srp_buf *ar, const char *name, const void *data, size_t len)
{
    size_t start = archive_open(ar, name);
    srp_buf_put(ar, data, len);
    archive_close(ar, start);
}

static int int_cmp(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static sr_status load_forms(builder *b, sr_error *err)
{
    sqlite3 *db = srp_registry_db(b->reg);
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(db, "SELECT DISTINCT id FROM forms ORDER BY id", &st, err);
    if (rc != SR_OK)
        return rc;
    while (rc == SR_OK && sqlite3_step(st) == SQLITE_ROW && b->form_count < MAX_FORMS) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        int wanted = !b->opt->forms;
        for (size_t i = 0; b->opt->forms && i < b->opt->form_count; i++)
            wanted |= strcmp(b->opt->forms[i], id) == 0;
        if (!wanted)
            continue;
        form_set *f = &b->forms[b->form_count];
        memset(f, 0, sizeof *f);
        snprintf(f->id, sizeof f->id, "%s", id);
        rc = srp_form_load_quiet(b->reg, id, 0, &f->newest, NULL, err);
        if (rc != SR_OK)
            break;
        f->phase = sr_form_phase(f->newest);
        f->repeatable = sr_form_repeatable(f->newest);
        int versions[64], n = 0;
        sqlite3_stmt *vs = NULL;
        if (srp_store_prepare(db, "SELECT version FROM forms WHERE id = ?1", &vs, err) == SR_OK) {
            sqlite3_bind_text(vs, 1, id, -1, SQLITE_STATIC);
            while (sqlite3_step(vs) == SQLITE_ROW && n < 64)
                versions[n++] = sqlite3_column_int(vs, 0);
            sqlite3_finalize(vs);
        }
        qsort(versions, (size_t)n, sizeof *versions, int_cmp);
        size_t used = 0;
        for (int k = 0; k < n; k++)
            used += (size_t)snprintf(f->versions + used, sizeof f->versions - used, "%s%d",
                                     k ? "," : "", versions[k]);
        b->form_count++;
    }
    sqlite3_finalize(st);
    if (rc == SR_OK && b->opt->forms && b->form_count != b->opt->form_count)
        rc = srp_error_set(err, SR_ERR_NOT_FOUND, "--forms names a form that is not installed");
    /* Follow-up order: intake, intervention, closure, experience, followup. */
    for (size_t a = 0; a < b->form_count; a++)
        for (size_t c = a + 1; c < b->form_count; c++)
            if (b->forms[c].phase < b->forms[a].phase) {
                form_set t = b->forms[a];
                b->forms[a] = b->forms[c];
                b->forms[c] = t;
            }
    int has_intake = 0;
    for (size_t f = 0; f < b->form_count; f++)
        has_intake |= b->forms[f].phase == SR_PHASE_INTAKE;
    if (rc == SR_OK && !has_intake)
        rc = srp_error_set(err, SR_ERR_USAGE, "an extract needs the intake form (it defines who is in it)");
    /* The quasi-identifying items of the person-level forms. */
    for (size_t f = 0; rc == SR_OK && f < b->form_count; f++) {
        if (b->forms[f].repeatable)
            continue;
        for (size_t i = 0; i < b->forms[f].newest->item_count && b->qi_count < MAX_QI; i++) {
            const srp_item *it = &b->forms[f].newest->items[i];
            if (!quasi(it) || !extracted(it))
                continue;
            qi_item *q = &b->qis[b->qi_count++];
            snprintf(q->column, sizeof q->column, "%s_%s", phase_word(b->forms[f].phase), it->id);
            q->form = &b->forms[f];
            q->item = it;
        }
    }
    return rc;
}

static void release(builder *b, people *p, row_list *repeat)
{
    for (size_t i = 0; i < p->count; i++) {
        free(p->items[i].rest);
        free(p->items[i].key);
        free(p->items[i].qi);
        for (size_t q = 0; q < MAX_QI; q++)
            free(p->items[i].qi_raw[q]);
    }
    free(p->items);
    for (size_t i = 0; i < repeat->count; i++)
        free(repeat->rows[i]);
    free(repeat->rows);
    for (size_t f = 0; f < b->form_count; f++)
        sr_form_free(b->forms[f].newest);
    srp_buf_free(&b->codebook);
}

sr_status sr_extract(sr_registry *reg, const sr_extract_options *opt, sr_extract_report *rep,
                     sr_error *err)
{
    memset(rep, 0, sizeof *rep);
    builder b;
    memset(&b, 0, sizeof b);
    b.reg = reg;
    b.opt = opt;
    b.k = opt->k ? opt->k : 5;
    people p = {NULL, 0, 0};
    row_list repeat = {NULL, 0, 0, 0};
    srp_buf archive = SRP_BUF_INIT;
    unsigned char *sealed = NULL, *pub = NULL;
    size_t sealed_len = 0, pub_len = 0;
    json_t *meta = NULL, *steps = json_array();
    char *meta_text = NULL;
    unsigned char recipient[SRP_BOX_PUBLIC_BYTES];
    const srp_keys *keys = srp_registry_keys(reg);
    sr_status rc = sr_registry_require(reg, SR_ROLE_BIT(SR_ROLE_ADMIN), "make extracts", err);
    if (rc == SR_OK && b.k < 2)
        rc = srp_error_set(err, SR_ERR_USAGE, "--k must be at least 2");
    if (rc == SR_OK && !keys->has_signing)
        rc = srp_error_set(err, SR_ERR_DENIED, "this session holds no signing key");
    if (rc == SR_OK && srp_file_exists(opt->out))
        rc = srp_error_set(err, SR_ERR_EXISTS, "'%s' already exists: not overwriting it", opt->out);
    if (rc == SR_OK)
        rc = srp_file_dir_writable(opt->out, err);
    if (rc == SR_OK)
        rc = srp_file_read_all(opt->recipient, 65536, &pub, &pub_len, err);
    if (rc == SR_OK)
        rc = srp_recipient_public_parse((const char *)pub, pub_len, recipient, err);
    if (rc == SR_OK)
        rc = load_forms(&b, err);
    if (rc == SR_OK)
        rc = gather(&b, &p, &repeat, err);
    if (rc == SR_OK)
        rc = anonymise(&b, &p, rep, steps, err);
    if (rc != SR_OK)
        goto out;
    /* cases.csv: QI columns first, then every person-level form. */
    srp_buf header = SRP_BUF_INIT;
    srp_buf_puts(&header, "person,unit,age_band,intake_period");
    srp_buf_puts(&b.codebook, "variable,form,version,label_sv,label_en,type,codes,quasi_identifier\r\n");
    codebook_row(&b, "person", NULL, "Slumpat id, nytt för varje uttag",
                 "Random id, new in every extract", "text", "", 0);
    codebook_row(&b, "unit", NULL, "Enhet (små enheter som 'other')", "Unit (small ones as 'other')",
                 "choice", "", 1);
    codebook_row(&b, "age_band", NULL, "Åldersgrupp vid inskrivning", "Age band at intake",
                 "choice", "0-11; 12-14; 15-17; 18-20; 21+ (or 0-17; 18+); unknown", 1);
    codebook_row(&b, "intake_period", NULL, "Inskrivningens år och månad (eller år)",
                 "Year and month (or year) of intake", "year-month", "", 1);
    for (size_t q = 0; q < b.qi_count; q++) {
        srp_buf_puts(&header, ",");
        srp_buf_puts(&header, b.qis[q].column);
        srp_buf codes = SRP_BUF_INIT;
        item_codes(b.qis[q].item, &codes);
        codebook_row(&b, b.qis[q].column, b.qis[q].form, srp_text(b.qis[q].item->label, "sv"),
                     srp_text(b.qis[q].item->label, "en"), sr_item_type_name(b.qis[q].item->type),
                     srp_buf_text(&codes), 1);
        srp_buf_free(&codes);
    }
    for (size_t f = 0; f < b.form_count; f++)
        if (!b.forms[f].repeatable)
            form_columns(&b, &b.forms[f], &header);
    /* The CSV files are written straight into the archive. */
    size_t cases_start = archive_open(&archive, "cases.csv");
    srp_buf_puts(&archive, srp_buf_text(&header));
    srp_buf_puts(&archive, "\r\n");
    srp_buf_free(&header);
    person **order = malloc((p.count ? p.count : 1) * sizeof *order);
    if (!order) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < p.count; i++)
        order[i] = &p.items[i];
    /* Sorted by the new random ids: no order carries over. */
    qsort(order, p.count, sizeof *order, by_id);
    for (size_t i = 0; i < p.count; i++) {
        person *x = order[i];
        srp_buf_puts(&archive, x->id);
        for (size_t q = 0; q < qi_width(&b); q++) {
            srp_buf_puts(&archive, ",");
            sb_csv(&archive, x->qi[q]);
        }
        resolve_dates(&archive, x->rest, b.year_only);
        srp_buf_puts(&archive, "\r\n");
    }
    free(order);
    archive_close(&archive, cases_start);
    /* One file per repeatable form, rows by person id. */
    if (repeat.count)
        qsort(repeat.rows, repeat.count, sizeof *repeat.rows, by_text);
    json_t *files = json_object();
    json_object_set_new(files, "cases.csv", json_integer((json_int_t)p.count));
    for (size_t f = 0; f < b.form_count; f++) {
        if (!b.forms[f].repeatable)
            continue;
        char name[80];
        snprintf(name, sizeof name, "%ss.csv", phase_word(b.forms[f].phase));
        size_t file_start = archive_open(&archive, name);
        srp_buf_puts(&archive, "person");
        form_columns(&b, &b.forms[f], &archive);
        srp_buf_puts(&archive, "\r\n");
        char prefix[4];
        snprintf(prefix, sizeof prefix, "%02zu", f);
        long n = 0;
        for (size_t r = 0; r < repeat.count; r++)
            if (strncmp(repeat.rows[r], prefix, 2) == 0) {
                resolve_dates(&archive, repeat.rows[r] + 2, b.year_only);
                n++;
            }
        archive_close(&archive, file_start);
        json_object_set_new(files, name, json_integer(n));
    }
    archive_add(&archive, "codebook.csv", b.codebook.data, b.codebook.len);
    json_t *forms = json_array(), *qis = json_array();
    for (size_t f = 0; f < b.form_count; f++)
        json_array_append_new(forms, json_pack("{s:s, s:s}", "id", b.forms[f].id, "versions",
                                               b.forms[f].versions));
    json_array_append_new(qis, json_string("unit"));
    json_array_append_new(qis, json_string("age_band"));
    json_array_append_new(qis, json_string("intake_period"));
    for (size_t q = 0; q < b.qi_count; q++)
        json_array_append_new(qis, json_string(b.qis[q].column));
    char month[8];
    char today[11];
    srp_time_today(today, sizeof today);
    snprintf(month, sizeof month, "%.7s", today);
    meta = json_pack(
        "{s:s, s:s, s:o, s:i, s:I, s:o, s:{s:o, s:I, s:s}, s:s, s:[s,s,s,s], s:o}", "format",
        "sigreg-extract-metadata/1", "made", month, "forms", forms, "k", b.k, "persons",
        (json_int_t)p.count, "quasi_identifiers", qis, "anonymisation", "generalisation", steps,
        "blanked_records", (json_int_t)rep->blanked, "blanking",
        "the quasi-identifiers of records still in a group smaller than k are left empty",
        "dates",
        opt->relative_dates ? "days since intake (the intake period as year)"
        : b.year_only       ? "years (coarsened from year and month to reach k-anonymity)"
                            : "year and month",
        "left_out",
        "direct identifiers (personnummer, case codes, items marked identifying)",
        "free-text answers", "exact dates and ages", "the order of the registry", "files", files);
    steps = NULL;
    meta_text = meta ? json_dumps(meta, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    if (!meta_text || archive.oom || b.codebook.oom) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    archive_add(&archive, "metadata.json", meta_text, strlen(meta_text));
    rc = srp_container_seal(archive.data, archive.len, recipient,
                            keys->signing, srp_keyring_signing_public(srp_registry_keyring(reg)),
                            &sealed, &sealed_len, err);
    if (rc != SR_OK)
        goto out;
    srp_fingerprint(recipient, sizeof recipient, rep->recipient);
    unsigned char h[SRP_MAC_BYTES];
    srp_hash(h, sealed, sealed_len);
    srp_hex_encode(rep->file_hash, h, sizeof h);
    rep->persons = (long)p.count;
    char detail[400];
    srp_buf sel = SRP_BUF_INIT;
    for (size_t f = 0; f < b.form_count; f++)
        srp_buf_printf(&sel, "%s%s", f ? "," : "", b.forms[f].id);
    snprintf(detail, sizeof detail,
             "forms=%s k=%d persons=%ld blanked=%ld dates=%s recipient=%s file=%s",
             srp_buf_text(&sel), b.k, rep->persons, rep->blanked,
             opt->relative_dates ? "relative" : "month", rep->recipient, rep->file_hash);
    srp_buf_free(&sel);
    /* Written first, logged when on disk: the log never names a file that
     * does not exist. */
    rc = srp_file_write_atomic(opt->out, sealed, sealed_len, err);
    if (rc == SR_OK)
        rc = srp_registry_transaction(reg, "extract", NULL, detail, NULL, NULL, err);
    if (rc != SR_OK)
        (void)unlink(opt->out);
out:
    srp_buf_wipe(&archive);
    free(sealed);
    free(pub);
    free(meta_text);
    json_decref(meta);
    json_decref(steps);
    release(&b, &p, &repeat);
    return rc;
}

/* ---- opening --------------------------------------------------------------------------------- */

static int safe_name(const char *name, size_t n)
{
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || name[i] == '_' || name[i] == '-' ||
              (name[i] == '.' && i > 0)))
            return 0;
    return (n > 4 && memcmp(name + n - 4, ".csv", 4) == 0) ||
           (n > 5 && memcmp(name + n - 5, ".json", 5) == 0);
}

sr_status sr_extract_open(const char *file, const char *key_path, const sr_secret *pass,
                          const char *out_dir, const char *pinned_signer,
                          char signer[SR_FINGERPRINT_SIZE], sr_error *err)
{
    unsigned char *data = NULL, *keytext = NULL, *plain = NULL;
    size_t len = 0, keylen = 0, plain_len = 0;
    unsigned char pk[SRP_BOX_PUBLIC_BYTES];
    sr_secret *sk = sr_secret_new(SRP_BOX_SECRET_BYTES);
    char *tmp = NULL;
    sr_status rc = sk ? SR_OK : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK && srp_file_exists(out_dir))
        rc = srp_error_set(err, SR_ERR_EXISTS, "'%s' already exists: give a new folder", out_dir);
    if (rc == SR_OK)
        rc = srp_file_read_all(file, (size_t)2 << 30, &data, &len, err);
    if (rc == SR_OK)
        rc = srp_file_read_all(key_path, 65536, &keytext, &keylen, err);
    if (rc == SR_OK)
        rc = srp_recipient_key_unlock((const char *)keytext, keylen, sr_secret_cdata(pass),
                                      sr_secret_len(pass), pk, sr_secret_data(sk), err);
    if (rc == SR_OK)
        rc = srp_container_open(data, len, pk, sr_secret_cdata(sk), pinned_signer, &plain,
                                &plain_len, signer, err);
    if (rc != SR_OK)
        goto out;
    /* Check the whole archive before writing anything. */
    size_t pos = 0, files = 0;
    while (pos < plain_len) {
        if (pos + 2 > plain_len)
            break;
        size_t n = (size_t)plain[pos] | (size_t)plain[pos + 1] << 8;
        if (pos + 2 + n + 4 > plain_len || !safe_name((const char *)plain + pos + 2, n))
            break;
        const unsigned char *l = plain + pos + 2 + n;
        size_t dlen = (size_t)l[0] | (size_t)l[1] << 8 | (size_t)l[2] << 16 | (size_t)l[3] << 24;
        if (pos + 2 + n + 4 + dlen > plain_len)
            break;
        pos += 2 + n + 4 + dlen;
        files++;
    }
    if (pos != plain_len || files == 0) {
        rc = srp_error_set(err, SR_ERR_TAMPERED, "the extract's contents are malformed");
        goto out;
    }
    /* Written into a new folder beside the target, then renamed into place. */
    tmp = srp_str_concat(out_dir, ".tmp-XXXXXX");
    if (!tmp || !mkdtemp(tmp)) {
        rc = srp_error_set(err, SR_ERR_IO, "cannot create a folder beside '%s': %s", out_dir,
                           strerror(errno));
        goto out;
    }
    (void)chmod(tmp, 0700);
    for (pos = 0; rc == SR_OK && pos < plain_len;) {
        size_t n = (size_t)plain[pos] | (size_t)plain[pos + 1] << 8;
        char name[80];
        snprintf(name, sizeof name, "%.*s", (int)n, (const char *)plain + pos + 2);
        const unsigned char *l = plain + pos + 2 + n;
        size_t dlen = (size_t)l[0] | (size_t)l[1] << 8 | (size_t)l[2] << 16 | (size_t)l[3] << 24;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", tmp, name);
        rc = srp_file_write_atomic(path, l + 4, dlen, err);
        pos += 2 + n + 4 + dlen;
    }
    if (rc == SR_OK && rename(tmp, out_dir) != 0)
        rc = srp_error_set(err, SR_ERR_IO, "cannot create '%s': %s", out_dir, strerror(errno));
    if (rc != SR_OK) {
        char cmd_path[4096];
        for (pos = 0; pos < plain_len;) { /* remove what was written */
            size_t n = (size_t)plain[pos] | (size_t)plain[pos + 1] << 8;
            const unsigned char *l = plain + pos + 2 + n;
            size_t dlen = (size_t)l[0] | (size_t)l[1] << 8 | (size_t)l[2] << 16 | (size_t)l[3] << 24;
            snprintf(cmd_path, sizeof cmd_path, "%s/%.*s", tmp, (int)n, (const char *)plain + pos + 2);
            (void)unlink(cmd_path);
            pos += 2 + n + 4 + dlen;
        }
        (void)rmdir(tmp);
    }
out:
    if (plain) {
        srp_wipe(plain, plain_len);
        free(plain);
    }
    free(tmp);
    free(data);
    free(keytext);
    sr_secret_free(sk);
    return rc;
}

/* ---- keys ---------------------------------------------------------------------------------------- */

sr_status sr_keygen(const char *stem, const char *kdf_profile, const sr_secret *pass,
                    char fingerprint[SR_FINGERPRINT_SIZE], sr_error *err)
{
    const srp_kdf_profile *profile =
        kdf_profile ? srp_kdf_profile_find(kdf_profile) : srp_kdf_profile_default();
    if (!profile)
        return srp_error_set(err, SR_ERR_USAGE, "unknown key derivation profile '%s'", kdf_profile);
    if (!pass || sr_secret_len(pass) < SR_PASSPHRASE_MIN)
        return srp_error_set(err, SR_ERR_INVALID, "the passphrase must be at least %d characters",
                             SR_PASSPHRASE_MIN);
    char *pub_path = srp_str_concat(stem, ".pub"), *key_path = srp_str_concat(stem, ".key");
    char *pub = NULL, *sec = NULL;
    sr_status rc = pub_path && key_path ? SR_OK : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK && (srp_file_exists(pub_path) || srp_file_exists(key_path)))
        rc = srp_error_set(err, SR_ERR_EXISTS, "'%s' or '%s' already exists: not overwriting a key",
                           pub_path, key_path);
    if (rc == SR_OK)
        rc = srp_recipient_keygen(profile, sr_secret_cdata(pass), sr_secret_len(pass), &pub, &sec,
                                  fingerprint, err);
    int wrote_key = 0;
    if (rc == SR_OK) {
        rc = srp_file_write_atomic(key_path, sec, strlen(sec), err);
        wrote_key = rc == SR_OK;
    }
    if (rc == SR_OK)
        rc = srp_file_write_atomic(pub_path, pub, strlen(pub), err);
    if (rc == SR_OK)
        (void)chmod(pub_path, 0644);
    else if (wrote_key) /* only ever remove what this call wrote */
        (void)unlink(key_path);
    free(pub);
    free(sec);
    free(pub_path);
    free(key_path);
    return rc;
}

sr_status sr_registry_pubkey(sr_registry *reg, char key_b64[64],
                             char fingerprint[SR_FINGERPRINT_SIZE], sr_error *err)
{
    const unsigned char *pk = srp_keyring_signing_public(srp_registry_keyring(reg));
    char *text = srp_base64_encode(pk, SRP_SIGN_PUBLIC_BYTES);
    if (!text)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    snprintf(key_b64, 64, "%s", text);
    free(text);
    srp_fingerprint(pk, SRP_SIGN_PUBLIC_BYTES, fingerprint);
    return srp_registry_transaction(reg, "pubkey.show", NULL, NULL, NULL, NULL, err);
}
