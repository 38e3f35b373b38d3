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
    size_t *touched; /* the variables given an answer (n > 0), in the order first given */
    size_t touched_count;
    unsigned char *flags; /* per variable: SEEN_ANY, SEEN_COUNTED */
    struct seen_code {
        size_t var, code;
    } * seen_list; /* every (variable, code) seen, once each */
    size_t seen_count;
} person;

enum { SEEN_ANY = 1, SEEN_COUNTED = 2 }; /* any code; one that is not 'missing' */

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
        x->touched = calloc(nv, sizeof *x->touched);
        x->flags = calloc(nv, 1);
        size_t codes = 1;
        for (size_t j = 0; j < e->var_count; j++)
            codes += e->vars[j].ncodes;
        x->seen_list = calloc(codes, sizeof *x->seen_list);
        if (!x->seen || !x->sum || !x->n || !x->latest || !x->intake_code || !x->touched ||
            !x->flags || !x->seen_list)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), NULL;
        for (size_t j = 0; j < e->var_count; j++) {
            if (e->vars[j].ncodes && !(x->seen[j] = calloc(e->vars[j].ncodes, 1)))
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory"), NULL;
            x->latest[j] = -1;
            x->intake_code[j] = -1;
        }
    }
    /* Only what the person before touched is cleared (all of it, on the
     * first use, is zeroed by calloc). */
    x->slot = slot_id;
    for (size_t k = 0; k < x->seen_count; k++)
        x->seen[x->seen_list[k].var][x->seen_list[k].code] = 0;
    x->seen_count = 0;
    for (size_t t = 0; t < x->touched_count; t++) {
        size_t j = x->touched[t];
        x->flags[j] = 0;
        x->sum[j] = 0;
        x->n[j] = 0;
        x->latest[j] = -1;
        x->intake_code[j] = -1;
    }
    x->touched_count = 0;
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
        free(x->touched);
        free(x->flags);
        free(x->seen_list);
    }
    free(p->items);
}

/* Notes that variable j of x is answered (before n[j] becomes positive). */
static inline void touch(person *x, size_t j)
{
    if (x->n[j] == 0)
        x->touched[x->touched_count++] = j;
}

/* Notes that x gave code c of variable j. */
static inline void mark(const srp_stats_engine *e, person *x, size_t j, size_t c)
{
    if (x->seen[j][c])
        return;
    x->seen[j][c] = 1;
    x->seen_list[x->seen_count].var = j;
    x->seen_list[x->seen_count++].code = c;
    x->flags[j] |= SEEN_ANY | (e->vars[j].missing[c] ? 0 : SEEN_COUNTED);
}

/* Adds the record key of x's case to the cell key of every figure that
 * flush_people counts x in (the same conditions). */
static void add_keys(const srp_stats_engine *e, srp_slot *sl, const person *x, uint32_t key)
{
    sl->kpeople += key;
    for (size_t k = 0; k < x->seen_count; k++)
        sl->acc[x->seen_list[k].var].kcounts[x->seen_list[k].code] += key;
    for (size_t t = 0; t < x->touched_count; t++) {
        size_t j = x->touched[t];
        const srp_variable *v = &e->vars[j];
        srp_accum *a = &sl->acc[j];
        if (x->n[j] == 0)
            continue;
        a->kanswered += key;
        int counted = (x->flags[j] & SEEN_COUNTED) != 0, any = (x->flags[j] & SEEN_ANY) != 0;
        if (!v->ncodes || counted || (v->type == SR_ITEM_MULTICHOICE && !any))
            a->kdenominator += key;
        if (v->type == SR_ITEM_SCALE && v->ncodes >= 2 &&
            (x->seen[j][v->ncodes - 1] || x->seen[j][v->ncodes - 2]))
            a->ktop2 += key;
        if (a->kpairs && x->latest[j] >= 0 && x->intake_code[j] >= 0)
            a->kpairs[x->intake_code[j]][x->latest[j]] += key;
    }
}

/* Adds everyone gathered to their groups. */
static int flush_people(srp_stats_engine *e, srp_slots *s, people *p)
{
    for (size_t i = 0; i < p->count; i++) {
        person *x = &p->items[i];
        srp_slot *sl = &s->items[x->slot];
        sl->people++;
        for (size_t k = 0; k < x->seen_count; k++)
            sl->acc[x->seen_list[k].var].counts[x->seen_list[k].code]++;
        if (e->ck) /* the same people, the same cell keys (stats_cellkey.c) */
            add_keys(e, sl, x, e->case_key);
        for (size_t t = 0; t < x->touched_count; t++) {
            size_t j = x->touched[t];
            srp_variable *v = &e->vars[j];
            srp_accum *a = &sl->acc[j];
            if (x->n[j] == 0)
                continue;
            a->answered++;
            int counted = (x->flags[j] & SEEN_COUNTED) != 0, any = (x->flags[j] & SEEN_ANY) != 0;
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
    return srp_coded_decode(form, blob, len, vals);
}

static size_t most_items(const sr_form *const *forms, size_t count)
{
    size_t most = 1;
    for (size_t k = 0; k < count; k++)
        if (forms[k]->item_count > most)
            most = forms[k]->item_count;
    return most;
}

/* What each variable is in each version, worked out once per scan. */
enum { KIND_CATEGORICAL = 1, KIND_NUMERIC = 2 };

/* kinds[vslot * var_count + j]; NULL when out of memory. */
static unsigned char *variable_kinds(const srp_stats_engine *e)
{
    unsigned char *k = calloc(e->version_count * e->var_count + 1, 1);
    for (size_t vs = 0; k && vs < e->version_count; vs++)
        for (size_t j = 0; j < e->var_count; j++) {
            int idx = e->vars[j].item_of[vs];
            if (e->vars[j].derived || idx < 0)
                continue;
            sr_item_type t = e->forms[vs]->items[idx].type;
            k[vs * e->var_count + j] =
                (unsigned char)((srp_stats_categorical(t) ? KIND_CATEGORICAL : 0) |
                                (srp_stats_numeric(t) ? KIND_NUMERIC : 0));
        }
    return k;
}

/* One response's answers added to the person gathered. */
static void gather(srp_stats_engine *e, person *x, const char *idate, int vslot, int islot,
                   const srp_coded_value *vals, const srp_coded_value *ivals, int have_intake,
                   const char *date, const unsigned char *kind)
{
    const sr_form *form = e->forms[vslot];
    /* Rows come by response, not date: the change tables want the latest
     * answer by date. */
    int latest = strcmp(date, x->latest_date) >= 0;
    if (latest) {
        size_t n = strlen(date);
        n = n < sizeof x->latest_date ? n : sizeof x->latest_date - 1;
        memcpy(x->latest_date, date, n);
        x->latest_date[n] = '\0';
    }
    for (size_t j = 0; j < e->var_count; j++) {
        srp_variable *v = &e->vars[j];
        if (v->derived == SRP_DERIVED_PER_CASE) {
            touch(x, j);
            x->sum[j] += 1;
            x->n[j] = 1;
            continue;
        }
        if (v->derived == SRP_DERIVED_DAYS_TO_CLOSURE) {
            if (islot >= 0 && idate) {
                touch(x, j);
                x->sum[j] = (double)(srp_days_from_date(date) - srp_days_from_date(idate));
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
        touch(x, j);
        if (it->type == SR_ITEM_MULTICHOICE) {
            for (size_t m = 0; m < cv->multi_count; m++)
                mark(e, x, j, (size_t)v->option_map[vslot][srp_coded_multi_at(cv, m)]);
            x->n[j] = x->n[j] ? x->n[j] : 1;
            continue;
        }
        int c = kind[j] & KIND_CATEGORICAL ? srp_stats_code_of(it, cv, v->option_map[vslot]) : -1;
        if (c >= 0) {
            mark(e, x, j, (size_t)c);
            if (latest)
                x->latest[j] = c;
        }
        if (kind[j] & KIND_NUMERIC)
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

/* The active intake responses of one case, each decoded once for all of the
 * case's responses (the blob is kept: a multichoice value points into it). */
typedef struct intake_row {
    int islot;
    int have; /* decoded */
    char date[SR_DATE_MAX + 1];
    unsigned char *blob;
    size_t len, cap;
    srp_coded_value *vals;
} intake_row;

typedef struct intake_rows {
    intake_row *items;
    size_t count, cap;
    size_t nvals;
    int answers; /* the intake's answers are wanted (not only its version and date) */
} intake_rows;

static void intake_rows_release(intake_rows *r)
{
    for (size_t i = 0; i < r->cap; i++) {
        free(r->items[i].blob);
        free(r->items[i].vals);
    }
    free(r->items);
}

/* Appends the intake row st stands on; -1 when out of memory. */
static int intake_rows_add(srp_stats_engine *e, intake_rows *r, sqlite3_stmt *st)
{
    if (r->count == r->cap) {
        size_t cap = r->cap;
        if (srp_grow((void **)&r->items, &cap, r->count + 1, sizeof *r->items) != 0)
            return -1;
        memset(r->items + r->cap, 0, (cap - r->cap) * sizeof *r->items);
        r->cap = cap;
    }
    intake_row *row = &r->items[r->count];
    if (!row->vals && !(row->vals = calloc(r->nvals, sizeof *row->vals)))
        return -1;
    size_t len = (size_t)sqlite3_column_bytes(st, 2);
    if (len + 1 > row->cap) {
        unsigned char *b = realloc(row->blob, len + 1);
        if (!b)
            return -1;
        row->blob = b;
        row->cap = len + 1;
    }
    if (len)
        memcpy(row->blob, sqlite3_column_blob(st, 2), len);
    row->len = len;
    row->islot = version_slot(e->intake_versions, e->intake_count, sqlite3_column_int(st, 1));
    const char *date = (const char *)sqlite3_column_text(st, 3);
    snprintf(row->date, sizeof row->date, "%s", date ? date : "");
    /* Without a change table or an intake item to group by, nothing reads
     * the intake's answers: they are neither read nor decoded. */
    row->have = r->answers && row->islot >= 0 &&
                decode_all(e->intake_forms[row->islot], row->blob, len, row->vals) == 0;
    r->count++;
    return 0;
}

/* Steps st; 1 on a row, 0 at the end, -1 (rc set) on an error. */
static int step(sqlite3 *db, sqlite3_stmt *st, const char *what, sr_status *rc, sr_error *err)
{
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        return 1;
    if (src == SQLITE_DONE)
        return 0;
    *rc = srp_store_fail(db, src, what, err);
    return -1;
}

/* A scan in case order (the case code in column 0, a lower bound on it in
 * parameter param) that moves forward to a case: by stepping when the case
 * is near, else by searching the index again from that case. A sparse form
 * (few cases have it) so reads the cases it needs, not every case between. */
typedef struct cursor {
    sqlite3_stmt *st;
    int param;
    int more;   /* 1 on a row, 0 at the end */
    long steps; /* rows stepped over or onto, searches included */
} cursor;

/* Steps at most this many rows before searching instead. */
#define SEEK_AFTER 4

/* Moves c to its first row whose case code is code or after it: 1 on a
 * row, 0 at the end, -1 (rc set) on an error. */
static int cursor_to(sqlite3 *db, cursor *c, const char *code, const char *what, sr_status *rc,
                     sr_error *err)
{
    for (int k = 0; c->more == 1; k++) {
        const char *at = (const char *)sqlite3_column_text(c->st, 0);
        if (at && strcmp(at, code) >= 0)
            return 1;
        if (k == SEEK_AFTER) {
            sqlite3_reset(c->st);
            if (sqlite3_bind_text(c->st, c->param, code, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
                *rc = srp_store_fail(db, SQLITE_NOMEM, what, err);
                return c->more = -1;
            }
        }
        c->more = step(db, c->st, what, rc, err);
        c->steps++;
    }
    return c->more;
}

/* One response (of the row r stands on) with one of its case's intake
 * responses (NULL: none), added to its person. */
static sr_status one_row(srp_stats_engine *e, srp_slots *s, people *p, const char *date,
                         const char *const *kase, int vslot, const srp_coded_value *vals,
                         const intake_row *in, const unsigned char *kinds, sr_error *err)
{
    const char *unit = kase[0], *birth = kase[1], *status = kase[2];
    int islot = in ? in->islot : -1;
    int have_intake = in && in->have;
    const srp_coded_value *ivals = have_intake ? in->vals : NULL;
    char keys[SRP_STATS_MAX_DIMS][SRP_STATS_KEY_SIZE];
    sr_status rc =
        srp_stats_dim_values(e, date, unit, birth, status, vals, vslot, ivals, islot, keys, err);
    if (rc != SR_OK)
        return rc;
    long slot_id = srp_slots_find(e, s, keys, err);
    person *x = slot_id >= 0 ? person_for(e, p, slot_id, err) : NULL;
    if (!x)
        return SR_ERR_NOMEM;
    gather(e, x, islot >= 0 ? in->date : NULL, vslot, islot, vals, ivals, have_intake, date,
           kinds + (size_t)vslot * e->var_count);
    return SR_OK;
}

/* The form's answers with their cases, in case order, in one of two ways:
 * merged with a cursor over the cases' covering index (one step per case:
 * the better plan when most cases have the form, as the intake, or many
 * rows each, as the intervention), or joined with that index by SQLite
 * (one search per row: the better plan for a form few cases have, as the
 * follow-up). A scan starts merging and, once it has stepped over
 * SWITCH_AFTER cases, joins from the next case on when the form has had
 * fewer than 3 rows for every 4 cases stepped (a step costs about 3/4 of a
 * search). Both give the rows of the join, in the same order. */
#define MERGE_SQL                                                                                  \
    "SELECT case_code, date, form_version, coded FROM response_codes"                              \
    " WHERE form_id = ?1 AND active ORDER BY form_id, case_code, response_id"
#define JOIN_SQL                                                                                   \
    "SELECT r.case_code, r.date, r.form_version, r.coded, c.unit, c.birth_date, c.status"          \
    " FROM response_codes r JOIN cases c INDEXED BY cases_summary ON c.code = r.case_code"         \
    " WHERE r.form_id = ?1 AND r.active AND r.case_code >= ?2"                                     \
    " ORDER BY r.form_id, r.case_code, r.response_id"
#define CASES_SQL                                                                                  \
    "SELECT code, unit, birth_date, status FROM cases INDEXED BY cases_summary"                    \
    " WHERE code >= ?1 ORDER BY code"
#define SWITCH_AFTER 64

/* Three scans in case order, merged here: the form's active coded answers
 * (by case and response, from the table's own key), the cases' covering
 * index (merged or joined, above), and (when wanted) the intake's active
 * coded answers. Each case's intake is decoded once, not once per
 * response. The rows are those of the join "answers JOIN cases LEFT JOIN
 * intake ORDER BY case, response". */
sr_status srp_stats_scan(srp_stats_engine *e, srp_slots *s, sr_error *err)
{
    sqlite3 *db = srp_registry_db(e->reg);
    sqlite3_stmt *rs = NULL;
    cursor is = {NULL, 2, 0, 0}, cs = {NULL, 1, 0, 0};
    srp_coded_value *vals = NULL;
    unsigned char *kinds = NULL;
    people p = {NULL, 0, 0};
    intake_rows in = {NULL, 0, 0, most_items(e->intake_forms, e->intake_count), e->q->change};
    int case_fields = 0; /* a dimension reads the case's unit, birth date or status */
    for (int d = 0; d < e->dim_count; d++) {
        in.answers |= e->dims[d].kind == SRP_BY_INTAKE_ITEM;
        case_fields |= e->dims[d].kind == SRP_BY_UNIT || e->dims[d].kind == SRP_BY_STATUS ||
                       e->dims[d].kind == SRP_BY_AGE;
    }
    char current[SR_CASE_CODE_SIZE + 4] = "";
    const char *kase[3] = {"", "", ""};
    int more_r, started = 0, joined = 0, case_found = 0;
    long rows = 0;
    sr_status rc = srp_store_prepare(db, MERGE_SQL, &rs, err);
    if (rc == SR_OK)
        rc = srp_store_prepare(db, CASES_SQL, &cs.st, err);
    if (rc == SR_OK && e->need_intake)
        rc = srp_store_prepare(
            db,
            in.answers ? "SELECT case_code, form_version, coded, date FROM response_codes"
                         " WHERE form_id = ?1 AND active AND case_code >= ?2"
                         " ORDER BY form_id, case_code, response_id"
                       : "SELECT case_code, form_version, NULL, date FROM response_codes"
                         " WHERE form_id = ?1 AND active AND case_code >= ?2"
                         " ORDER BY form_id, case_code, response_id",
            &is.st, err);
    if (rc != SR_OK)
        goto out;
    sqlite3_bind_text(rs, 1, e->q->form, -1, SQLITE_STATIC);
    sqlite3_bind_text(cs.st, 1, "", -1, SQLITE_STATIC);
    if (is.st) {
        sqlite3_bind_text(is.st, 1, e->intake_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(is.st, 2, "", -1, SQLITE_STATIC);
    }
    vals = calloc(most_items(e->forms, e->version_count), sizeof *vals);
    kinds = variable_kinds(e);
    if (!vals || !kinds) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((cs.more = step(db, cs.st, "read cases", &rc, err)) < 0)
        goto out;
    if (is.st && (is.more = step(db, is.st, "read responses", &rc, err)) < 0)
        goto out;
    while ((more_r = step(db, rs, "read responses", &rc, err)) == 1) {
        const char *code = (const char *)sqlite3_column_text(rs, 0);
        if (!code)
            continue; /* NOT NULL: a join would match nothing */
        int vslot = version_slot(e->versions, e->version_count, sqlite3_column_int(rs, 2));
        if (vslot < 0)
            continue;
        if (!started || strcmp(code, current) != 0) {
            if (!joined && cs.steps >= SWITCH_AFTER && rows * 4 < cs.steps * 3) {
                /* Few rows per case: SQLite's join from this case on. */
                char from[SR_CASE_CODE_SIZE + 4];
                snprintf(from, sizeof from, "%s", code);
                sqlite3_finalize(rs);
                sqlite3_finalize(cs.st);
                rs = cs.st = NULL;
                joined = 1;
                if ((rc = srp_store_prepare(db, JOIN_SQL, &rs, err)) != SR_OK)
                    goto out;
                sqlite3_bind_text(rs, 1, e->q->form, -1, SQLITE_STATIC);
                if (sqlite3_bind_text(rs, 2, from, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
                    rc = srp_store_fail(db, SQLITE_NOMEM, "read responses", err);
                    goto out;
                }
                continue;
            }
            started = 1;
            if (flush_people(e, s, &p) != 0) {
                rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
                goto out;
            }
            size_t n = (size_t)sqlite3_column_bytes(rs, 0);
            n = n < sizeof current ? n : sizeof current - 1;
            memcpy(current, code, n);
            current[n] = '\0';
            if (joined) {
                case_found = 1;
            } else {
                if (cursor_to(db, &cs, code, "read cases", &rc, err) < 0)
                    goto out;
                const char *at = cs.more == 1 ? (const char *)sqlite3_column_text(cs.st, 0) : NULL;
                case_found = at && strcmp(at, code) == 0; /* else the join has no row */
                if (case_found && case_fields)
                    for (int k = 0; k < 3; k++)
                        kase[k] = (const char *)sqlite3_column_text(cs.st, 1 + k);
            }
            if (!case_found)
                continue;
            if (e->ck)
                e->case_key = srp_cellkey_record(e->ck, code);
            /* This case's intake responses, decoded once. */
            in.count = 0;
            if (is.st && cursor_to(db, &is, code, "read responses", &rc, err) < 0)
                goto out;
            while (is.st && is.more == 1) {
                const char *ic = (const char *)sqlite3_column_text(is.st, 0);
                if (!ic || strcmp(ic, code) != 0)
                    break;
                if (intake_rows_add(e, &in, is.st) != 0) {
                    rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
                    goto out;
                }
                if ((is.more = step(db, is.st, "read responses", &rc, err)) < 0)
                    goto out;
            }
        }
        if (!case_found)
            continue;
        rows++;
        if (joined && case_fields) /* the join's columns last until its next step */
            for (int k = 0; k < 3; k++)
                kase[k] = (const char *)sqlite3_column_text(rs, 4 + k);
        if (decode_all(e->forms[vslot], sqlite3_column_blob(rs, 3),
                       (size_t)sqlite3_column_bytes(rs, 3), vals) != 0) {
            rc = srp_error_set(err, SR_ERR_CORRUPT, "a stored response of case '%s' is damaged",
                               code);
            goto out;
        }
        const char *date = (const char *)sqlite3_column_text(rs, 1);
        if (in.count == 0)
            rc = one_row(e, s, &p, date, kase, vslot, vals, NULL, kinds, err);
        for (size_t k = 0; rc == SR_OK && k < in.count; k++)
            rc = one_row(e, s, &p, date, kase, vslot, vals, &in.items[k], kinds, err);
        if (rc != SR_OK)
            goto out;
    }
    if (rc == SR_OK && more_r == 0 && flush_people(e, s, &p) != 0)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
out:
    people_release(e, &p);
    intake_rows_release(&in);
    free(vals);
    free(kinds);
    sqlite3_finalize(rs);
    sqlite3_finalize(cs.st);
    sqlite3_finalize(is.st);
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
        touch(x, 0);
        mark(e, x, 0, strcmp(status, "closed") == 0 ? 1 : 0);
        x->n[0] = 1;
        if (e->ck)
            e->case_key = srp_cellkey_record(e->ck, (const char *)sqlite3_column_text(st, 0));
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
