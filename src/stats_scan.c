/*
 * stats_scan.c - the one pass over the coded answers: rows come in case
 * order, a person's responses together, and each person's contribution to
 * their group is gathered over their responses before it is added (counted
 * once per option ever given, integers summed, decimals and scales
 * averaged). Cases by status are one person per case.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "registry_int.h"
#include "sigreg/cases.h"
#include "stats_int.h"
#include "store.h"

/* One person's contribution to one group, gathered over their responses. */
typedef struct person {
    long slot;
    unsigned char **seen; /* per variable, per code */
    double *sum;
    long *n;
    int *latest;                       /* change: the latest code given (-1 none) */
    char latest_date[SR_DATE_MAX + 1]; /* the date of the response latest seen */
    int *intake_code;
} person;

typedef struct people {
    person *items;
    size_t count, cap;
} people;

static person *person_for(srp_stats_engine *e, people *p, long slot_id, sr_error *err)
{
    for (size_t i = 0; i < p->count; i++)
        if (p->items[i].slot == slot_id)
            return &p->items[i];
    if (p->count == p->cap) {
        size_t cap = p->cap;
        if (srp_grow((void **)&p->items, &cap, p->count + 1, sizeof *p->items) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), NULL;
        memset(p->items + p->cap, 0, (cap - p->cap) * sizeof *p->items);
        p->cap = cap;
    }
    person *x = &p->items[p->count];
    size_t nv = e->var_count ? e->var_count : 1;
    if (!x->seen) { /* allocated once, reused */
        x->seen = calloc(nv, sizeof *x->seen);
        x->sum = calloc(nv, sizeof *x->sum);
        x->n = calloc(nv, sizeof *x->n);
        x->latest = calloc(nv, sizeof *x->latest);
        x->intake_code = calloc(nv, sizeof *x->intake_code);
        if (!x->seen || !x->sum || !x->n || !x->latest || !x->intake_code)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), NULL;
        for (size_t j = 0; j < e->var_count; j++)
            if (e->vars[j].ncodes && !(x->seen[j] = calloc(e->vars[j].ncodes, 1)))
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), NULL;
    }
    x->slot = slot_id;
    for (size_t j = 0; j < e->var_count; j++) {
        if (x->seen[j])
            memset(x->seen[j], 0, e->vars[j].ncodes);
        x->sum[j] = 0;
        x->n[j] = 0;
        x->latest[j] = -1;
        x->intake_code[j] = -1;
    }
    x->latest_date[0] = '\0';
    p->count++;
    return x;
}

static void people_release(srp_stats_engine *e, people *p)
{
    for (size_t i = 0; i < p->cap; i++) {
        person *x = &p->items[i];
        for (size_t j = 0; x->seen && j < e->var_count; j++)
            free(x->seen[j]);
        free(x->seen);
        free(x->sum);
        free(x->n);
        free(x->latest);
        free(x->intake_code);
    }
    free(p->items);
}

/* Adds everyone gathered to their groups. */
static int flush_people(srp_stats_engine *e, srp_slots *s, people *p)
{
    for (size_t i = 0; i < p->count; i++) {
        person *x = &p->items[i];
        srp_slot *sl = &s->items[x->slot];
        sl->people++;
        for (size_t j = 0; j < e->var_count; j++) {
            srp_variable *v = &e->vars[j];
            srp_accum *a = &sl->acc[j];
            if (x->n[j] == 0)
                continue;
            a->answered++;
            int counted = 0, any = 0;
            for (size_t c = 0; c < v->ncodes; c++)
                if (x->seen[j][c]) {
                    a->counts[c]++;
                    counted |= !v->missing[c];
                    any = 1;
                }
            /* Only 'missing' options chosen: counted, outside the shares (an
             * empty multichoice answer, none of the options, is inside). */
            if (!v->ncodes || counted || (v->type == SR_ITEM_MULTICHOICE && !any))
                a->denominator++;
            if (v->type == SR_ITEM_SCALE && v->ncodes >= 2 &&
                (x->seen[j][v->ncodes - 1] || x->seen[j][v->ncodes - 2]))
                a->top2++; /* once, though a repeatable form may have given both */
            if (srp_stats_numeric(v->type)) {
                double value = v->type == SR_ITEM_INTEGER && e->repeatable && !v->derived
                                   ? x->sum[j]
                                   : x->sum[j] / (double)x->n[j];
                if (v->type == SR_ITEM_SCALE && e->repeatable)
                    value = round(value * 10) / 10;
                if (srp_hist_add(&a->values, value) != 0)
                    return -1;
            }
            if (a->pairs && x->latest[j] >= 0 && x->intake_code[j] >= 0)
                a->pairs[x->intake_code[j]][x->latest[j]]++;
        }
    }
    p->count = 0;
    return 0;
}

static int version_slot(const int *versions, size_t count, int version)
{
    for (size_t k = 0; k < count; k++)
        if (versions[k] == version)
            return (int)k;
    return -1;
}

/* Decodes a blob into vals (one per item of form); -1 when damaged. */
static int decode_all(const sr_form *form, const unsigned char *blob, size_t len,
                      srp_coded_value *vals)
{
    size_t pos = 0;
    for (size_t i = 0; i < form->item_count; i++)
        if (srp_coded_next(form, i, blob, len, &pos, &vals[i]) != 0)
            return -1;
    return 0;
}

static size_t most_items(sr_form *const *forms, size_t count)
{
    size_t most = 1;
    for (size_t k = 0; k < count; k++)
        if (forms[k]->item_count > most)
            most = forms[k]->item_count;
    return most;
}

/* One response's answers added to the person gathered. */
static void gather(srp_stats_engine *e, person *x, sqlite3_stmt *st, int vslot, int islot,
                   const srp_coded_value *vals, const srp_coded_value *ivals, int have_intake,
                   const char *date)
{
    sr_form *form = e->forms[vslot];
    /* Rows come by response, not date: the change tables want the latest
     * answer by date. */
    int latest = strcmp(date, x->latest_date) >= 0;
    if (latest)
        snprintf(x->latest_date, sizeof x->latest_date, "%s", date);
    for (size_t j = 0; j < e->var_count; j++) {
        srp_variable *v = &e->vars[j];
        if (v->derived == SRP_DERIVED_PER_CASE) {
            x->sum[j] += 1;
            x->n[j] = 1;
            continue;
        }
        if (v->derived == SRP_DERIVED_DAYS_TO_CLOSURE) {
            if (islot >= 0 && sqlite3_column_text(st, 9)) {
                x->sum[j] = (double)(srp_days_from_date(date) -
                                     srp_days_from_date((const char *)sqlite3_column_text(st, 9)));
                x->n[j] = 1;
            }
            continue;
        }
        int idx = v->item_of[vslot];
        if (idx < 0)
            continue;
        const srp_item *it = &form->items[idx];
        const srp_coded_value *cv = &vals[idx];
        if (!cv->present)
            continue;
        if (it->type == SR_ITEM_MULTICHOICE) {
            for (size_t m = 0; m < cv->multi_count; m++)
                x->seen[j][v->option_map[vslot][srp_coded_multi_at(cv, m)]] = 1;
            x->n[j] = x->n[j] ? x->n[j] : 1;
            continue;
        }
        int c =
            srp_stats_categorical(it->type) ? srp_stats_code_of(it, cv, v->option_map[vslot]) : -1;
        if (c >= 0) {
            x->seen[j][c] = 1;
            if (latest)
                x->latest[j] = c;
        }
        if (srp_stats_numeric(it->type))
            x->sum[j] += cv->number;
        x->n[j]++;
        if (v->paired && have_intake) {
            int ii = v->intake_item[islot];
            if (ii >= 0)
                x->intake_code[j] = srp_stats_code_of(&e->intake_forms[islot]->items[ii],
                                                      &ivals[ii], v->intake_map[islot]);
        }
    }
}

sr_status srp_stats_scan(srp_stats_engine *e, srp_slots *s, sr_error *err)
{
    sqlite3 *db = srp_registry_db(e->reg);
    /* Rows come in the table's own order, a person's responses together. */
    const char *sql_intake =
        "SELECT r.case_code, r.date, r.form_version, r.coded, c.unit, c.birth_date, c.status,"
        " i.form_version, i.coded, i.date FROM response_codes r JOIN cases c INDEXED BY "
        "cases_summary ON c.code = r.case_code"
        " LEFT JOIN response_codes i ON i.case_code = r.case_code AND i.form_id = ?2 AND i.active"
        " WHERE r.form_id = ?1 AND r.active ORDER BY r.form_id, r.case_code, r.response_id";
    const char *sql_plain =
        "SELECT r.case_code, r.date, r.form_version, r.coded, c.unit, c.birth_date, c.status,"
        " NULL, NULL, NULL FROM response_codes r JOIN cases c INDEXED BY cases_summary ON c.code "
        "= r.case_code"
        " WHERE r.form_id = ?1 AND r.active ORDER BY r.form_id, r.case_code, r.response_id";
    sqlite3_stmt *st = NULL;
    srp_coded_value *vals = NULL, *ivals = NULL;
    people p = {NULL, 0, 0};
    char current[SR_CASE_CODE_SIZE + 4] = "";
    sr_status rc = srp_store_prepare(db, e->need_intake ? sql_intake : sql_plain, &st, err);
    if (rc != SR_OK)
        return rc;
    if (e->need_intake)
        sqlite3_bind_text(st, 2, e->intake_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 1, e->q->form, -1, SQLITE_STATIC);
    vals = calloc(most_items(e->forms, e->version_count), sizeof *vals);
    ivals = calloc(most_items(e->intake_forms, e->intake_count), sizeof *ivals);
    if (!vals || !ivals) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        const char *date = (const char *)sqlite3_column_text(st, 1);
        int vslot = version_slot(e->versions, e->version_count, sqlite3_column_int(st, 2));
        const unsigned char *blob = sqlite3_column_blob(st, 3);
        size_t blen = (size_t)sqlite3_column_bytes(st, 3);
        const char *unit = (const char *)sqlite3_column_text(st, 4);
        const char *birth = (const char *)sqlite3_column_text(st, 5);
        const char *status = (const char *)sqlite3_column_text(st, 6);
        int islot =
            sqlite3_column_type(st, 7) == SQLITE_NULL
                ? -1
                : version_slot(e->intake_versions, e->intake_count, sqlite3_column_int(st, 7));
        if (vslot < 0)
            continue;
        if (strcmp(code, current) != 0) {
            if (flush_people(e, s, &p) != 0) {
                rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
                break;
            }
            snprintf(current, sizeof current, "%s", code);
        }
        if (decode_all(e->forms[vslot], blob, blen, vals) != 0) {
            rc = srp_error_set(err, SR_ERR_CORRUPT, "a stored response of case '%s' is damaged",
                               code);
            break;
        }
        int have_intake = 0;
        if (islot >= 0) {
            const unsigned char *iblob = sqlite3_column_blob(st, 8);
            have_intake = decode_all(e->intake_forms[islot], iblob,
                                     (size_t)sqlite3_column_bytes(st, 8), ivals) == 0;
        }
        char keys[SRP_STATS_MAX_DIMS][SRP_STATS_KEY_SIZE];
        rc = srp_stats_dim_values(e, date, unit, birth, status, vals, vslot,
                                  have_intake ? ivals : NULL, islot, keys, err);
        if (rc != SR_OK)
            break;
        long slot_id = srp_slots_find(e, s, keys, err);
        person *x = slot_id >= 0 ? person_for(e, &p, slot_id, err) : NULL;
        if (!x) {
            rc = SR_ERR_NOMEM;
            break;
        }
        gather(e, x, st, vslot, islot, vals, ivals, have_intake, date);
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read responses", err);
    if (rc == SR_OK && flush_people(e, s, &p) != 0)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
out:
    people_release(e, &p);
    free(vals);
    free(ivals);
    sqlite3_finalize(st);
    return rc;
}

sr_status srp_stats_scan_cases(srp_stats_engine *e, srp_slots *s, sr_error *err)
{
    sqlite3 *db = srp_registry_db(e->reg);
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(
        db,
        "SELECT c.code, coalesce(i.date, c.opened_at), c.unit, c.birth_date, c.status,"
        " i.form_version, i.coded FROM cases c LEFT JOIN response_codes i ON i.case_code = c.code"
        " AND i.form_id = ?1 AND i.active",
        &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, e->intake_id, -1, SQLITE_STATIC);
    srp_coded_value *ivals = calloc(most_items(e->intake_forms, e->intake_count), sizeof *ivals);
    people p = {NULL, 0, 0};
    if (!ivals) {
        sqlite3_finalize(st);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *date = (const char *)sqlite3_column_text(st, 1);
        const char *unit = (const char *)sqlite3_column_text(st, 2);
        const char *birth = (const char *)sqlite3_column_text(st, 3);
        const char *status = (const char *)sqlite3_column_text(st, 4);
        int islot =
            sqlite3_column_type(st, 5) == SQLITE_NULL
                ? -1
                : version_slot(e->intake_versions, e->intake_count, sqlite3_column_int(st, 5));
        int have = islot >= 0 && decode_all(e->intake_forms[islot], sqlite3_column_blob(st, 6),
                                            (size_t)sqlite3_column_bytes(st, 6), ivals) == 0;
        char keys[SRP_STATS_MAX_DIMS][SRP_STATS_KEY_SIZE];
        rc = srp_stats_dim_values(e, date, unit, birth, status, NULL, -1, have ? ivals : NULL,
                                  have ? islot : -1, keys, err);
        if (rc != SR_OK)
            break;
        long slot_id = srp_slots_find(e, s, keys, err);
        person *x = slot_id >= 0 ? person_for(e, &p, slot_id, err) : NULL;
        if (!x) {
            rc = SR_ERR_NOMEM;
            break;
        }
        x->seen[0][strcmp(status, "closed") == 0 ? 1 : 0] = 1;
        x->n[0] = 1;
        if (flush_people(e, s, &p) != 0) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            break;
        }
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read cases", err);
    people_release(e, &p);
    free(ivals);
    sqlite3_finalize(st);
    return rc;
}
