/*
 * stats.c - the summary engine's run and its result: checks the query,
 * loads the form versions, sets up the dimensions (the --by items and one
 * per filter), scans, protects, makes the rows, explains what was withheld
 * and audits the query actually run. The steps are modules of their own
 * (see stats_int.h); this file holds no SQL of the scan and no output format.
 *
 * Counting is by people: in a repeatable form a person counts once for each
 * option they were ever given in the period, integers (e.g. meetings) are
 * summed per person, decimals and scales averaged per person. Cells of the
 * published table and of its complement (when a filter narrows the query)
 * are related to one another by the sums an outsider could learn from other
 * queries, and suppressed together (see disclosure.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/texts.h"
#include "base/timeutil.h"
#include "form_store_int.h"
#include "period.h"
#include "publication_int.h"
#include "registry_int.h"
#include "settings_int.h"
#include "sigreg/cases.h"
#include "stats_int.h"
#include "store.h"

/* ---- interned strings: one copy of each, found by hash ---- */

struct srp_strings {
    char **items; /* open addressing; NULL empty */
    size_t size, count;
};

srp_strings *srp_strings_new(void)
{
    return calloc(1, sizeof(srp_strings));
}

void srp_strings_free(srp_strings *pool)
{
    if (!pool)
        return;
    for (size_t i = 0; i < pool->size; i++)
        free(pool->items[i]);
    free(pool->items);
    free(pool);
}

static size_t string_hash(const char *s)
{
    unsigned long long h = srp_stats_hash_text(0xCBF29CE484222325ULL, s);
    return (size_t)(h ^ (h >> 29));
}

static int strings_rehash(srp_strings *pool)
{
    size_t size = pool->size ? pool->size * 2 : 256;
    char **items = calloc(size, sizeof *items);
    if (!items)
        return -1;
    for (size_t i = 0; i < pool->size; i++)
        if (pool->items[i]) {
            size_t h = string_hash(pool->items[i]) & (size - 1);
            while (items[h])
                h = (h + 1) & (size - 1);
            items[h] = pool->items[i];
        }
    free(pool->items);
    pool->items = items;
    pool->size = size;
    return 0;
}

const char *srp_strings_intern(srp_strings *pool, const char *s)
{
    if (!s)
        return NULL;
    if ((pool->count + 1) * 2 > pool->size && strings_rehash(pool) != 0)
        return NULL;
    size_t h = string_hash(s) & (pool->size - 1);
    for (; pool->items[h]; h = (h + 1) & (pool->size - 1))
        if (strcmp(pool->items[h], s) == 0)
            return pool->items[h];
    pool->items[h] = strdup(s);
    if (!pool->items[h])
        return NULL;
    pool->count++;
    return pool->items[h];
}

/* ---- the result ---- */

void sr_stats_free(sr_stats *r)
{
    if (!r)
        return;
    srp_strings_free(r->strings);
    for (size_t i = 0; i < r->note_count; i++)
        free(r->notes[i]);
    free(r->notes);
    free(r->rows);
    free(r->title);
    free(r->versions);
    free(r->published_by);
    free(r->signer);
    srp_ptable_free(r->ptable);
    free(r);
}

size_t sr_stats_row_count(const sr_stats *r)
{
    return r->count;
}
const sr_stats_row *sr_stats_row_at(const sr_stats *r, size_t i)
{
    return &r->rows[i];
}
const sr_stats_protection *sr_stats_protection_of(const sr_stats *r)
{
    return &r->protection;
}

const char *sr_stats_method(const sr_stats *r)
{
    return r->ptable ? "cell-key" : "suppression";
}
int sr_stats_min_cell(const sr_stats *r)
{
    return r->min_cell;
}
const char *sr_stats_from(const sr_stats *r)
{
    return r->from[0] ? r->from : NULL;
}
const char *sr_stats_to(const sr_stats *r)
{
    return r->to[0] ? r->to : NULL;
}
const char *sr_stats_unit(const sr_stats *r)
{
    return r->unit[0] ? r->unit : NULL;
}
const char *sr_stats_status(const sr_stats *r)
{
    return r->status[0] ? r->status : NULL;
}
const char *sr_stats_form(const sr_stats *r)
{
    return r->form;
}
int sr_stats_change(const sr_stats *r)
{
    return r->change;
}
const char *sr_stats_lang(const sr_stats *r)
{
    return r->lang;
}
const char *sr_stats_versions(const sr_stats *r)
{
    return r->versions ? r->versions : "";
}
const char *sr_stats_generated_at(const sr_stats *r)
{
    return r->generated_at;
}
const char *sr_stats_form_title(const sr_stats *r)
{
    return r->title ? r->title : "";
}
size_t sr_stats_note_count(const sr_stats *r)
{
    return r->note_count;
}
const char *sr_stats_note(const sr_stats *r, size_t i)
{
    return r->notes[i];
}

const char *sr_stats_published_at(const sr_stats *r)
{
    return r->published_at[0] ? r->published_at : NULL;
}
const char *sr_stats_published_by(const sr_stats *r)
{
    return r->published_by;
}
const char *sr_stats_signer(const sr_stats *r)
{
    return r->signer;
}

const char *sr_stats_by_name(const sr_stats *r, int i)
{
    return i >= 0 && i < 2 && r->by[i][0] ? r->by[i] : NULL;
}

/* ---- setting up ---- */

/* The installed versions of form_id, oldest first, each parsed once per
 * session (borrowed from it: form_store_int.h). */
static sr_status load_versions(srp_stats_engine *e, const char *form_id, const sr_form **forms,
                               int *versions, size_t *count, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_registry_prepare(
        e->reg, "SELECT version, digest FROM forms WHERE id = ?1 ORDER BY version", &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
    *count = 0;
    while (rc == SR_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (*count == SRP_STATS_MAX_VERSIONS) {
            rc = srp_error_set_where(err, SR_ERR_INVALID, "form",
                                     "form '%s' has more than %d versions: at most %d are "
                                     "summarised together",
                                     form_id, SRP_STATS_MAX_VERSIONS, SRP_STATS_MAX_VERSIONS);
            break;
        }
        int version = sqlite3_column_int(st, 0);
        const char *digest = (const char *)sqlite3_column_text(st, 1);
        rc = srp_form_load_cached(e->reg, form_id, version, digest ? digest : "", &forms[*count],
                                  err);
        if (rc == SR_OK)
            versions[(*count)++] = version;
    }
    srp_stmt_done(e->reg, st);
    return rc;
}

static srp_dimension *add_dimension(srp_stats_engine *e, const char *name, int kind, int by_index)
{
    srp_dimension *dim = &e->dims[e->dim_count++];
    memset(dim, 0, sizeof *dim);
    snprintf(dim->name, sizeof dim->name, "%s", name);
    dim->kind = kind;
    dim->by_index = by_index;
    return dim;
}

static sr_status setup_by(srp_stats_engine *e, int by_index, const char *name, sr_error *err)
{
    static const char *const builtins[] = {"unit", "age_band", "year", "quarter", "half"};
    static const int kinds[] = {SRP_BY_UNIT, SRP_BY_AGE, SRP_BY_YEAR, SRP_BY_QUARTER, SRP_BY_HALF};
    if (strlen(name) > SR_ITEM_ID_MAX)
        return srp_error_set_where(err, SR_ERR_USAGE, "by",
                                   "'%.*s...' is longer than an item id (%d characters)", 20, name,
                                   SR_ITEM_ID_MAX);
    for (int d = 0; d < e->dim_count; d++)
        if (strcmp(e->dims[d].name, name) == 0)
            return srp_error_set_where(err, SR_ERR_USAGE, "by", "'%s' is named twice", name);
    for (int b = 0; b < 5; b++)
        if (strcmp(name, builtins[b]) == 0) {
            add_dimension(e, name, kinds[b], by_index);
            return SR_OK;
        }
    srp_dimension *dim = add_dimension(e, name, SRP_BY_NONE, by_index);
    srp_variable *bv = &dim->var;
    /* An item of this form, else one of the case's intake. */
    int found = 0;
    for (int pass = 0; pass < 2 && !found; pass++) {
        const sr_form **forms = pass == 0 ? e->forms : e->intake_forms;
        size_t count = pass == 0 ? e->version_count : e->intake_count;
        if (pass == 0 && strcmp(e->q->form, "cases") == 0)
            continue;
        for (size_t k = 0; k < count; k++) {
            size_t idx = 0;
            const srp_item *it = srp_form_find_item(forms[k], name, &idx);
            bv->item_of[k] = -1;
            if (!it)
                continue;
            if (!(it->type == SR_ITEM_CHOICE || it->type == SR_ITEM_BOOLEAN ||
                  it->type == SR_ITEM_SCALE))
                return srp_error_set_where(err, SR_ERR_USAGE, "by",
                                           "'%s': only choice, boolean and scale items group",
                                           name);
            bv->item_of[k] = (int)idx;
            bv->type = it->type;
            found = 1;
        }
        if (found) {
            dim->kind = pass == 0 ? SRP_BY_ITEM : SRP_BY_INTAKE_ITEM;
            if (pass == 1)
                e->need_intake = 1;
            if (srp_stats_map_options(bv, forms, count, bv->item_of, bv->option_map, e->lang) != 0)
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        }
    }
    if (!found)
        return srp_error_set_where(err, SR_ERR_USAGE, "by",
                                   "'%s' is not an item of '%s' or of the intake, nor unit, "
                                   "age_band, year, half or quarter",
                                   name, e->q->form);
    return SR_OK;
}

/* Who may see which units: admins all; a coordinator (or an analyst with
 * units) only theirs, one unit at a time, so that figures are always those
 * of a whole unit, computed and protected as in the table of all units. The
 * units' summary of a live summary of all units (parts) is never shown. */
static sr_status restrict_units(srp_stats_engine *e, int parts, sr_error *err)
{
    sqlite3 *db = srp_registry_db(e->reg);
    sqlite3_stmt *st = NULL;
    sr_status rc;
    if (e->q->unit) { /* a unit that does not exist is a typo, not an empty summary */
        rc = srp_store_prepare(db, "SELECT 1 FROM units WHERE code = ?1", &st, err);
        if (rc != SR_OK)
            return rc;
        sqlite3_bind_text(st, 1, e->q->unit, -1, SQLITE_STATIC);
        int src = sqlite3_step(st);
        sqlite3_finalize(st);
        st = NULL;
        if (src != SQLITE_ROW && src != SQLITE_DONE)
            return srp_store_fail(db, src, "read units", err);
        if (src == SQLITE_DONE)
            return srp_error_set_where(err, SR_ERR_NOT_FOUND, "unit", "no unit '%s'", e->q->unit);
    }
    if (parts || sr_registry_role(e->reg) == SR_ROLE_ADMIN)
        return SR_OK;
    rc = srp_store_prepare(db, "SELECT unit FROM temp.keyring_units WHERE user = ?1 ORDER BY unit",
                           &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, sr_registry_user(e->reg), -1, SQLITE_STATIC);
    int count = 0, allowed = 0;
    char only[SR_UNIT_CODE_MAX + 1] = "";
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *unit = (const char *)sqlite3_column_text(st, 0);
        if (count++ == 0)
            snprintf(only, sizeof only, "%s", unit);
        allowed |= e->q->unit && strcmp(unit, e->q->unit) == 0;
    }
    sqlite3_finalize(st);
    if (count == 0 && sr_registry_role(e->reg) == SR_ROLE_ANALYST)
        return SR_OK; /* an analyst without units sees every unit */
    if (e->q->unit && !allowed)
        return srp_error_set_where(err, SR_ERR_DENIED, "unit",
                                   "user '%s' does not work in unit '%s'", sr_registry_user(e->reg),
                                   e->q->unit);
    if (!e->q->unit && count == 1)
        snprintf(e->unit_filter, sizeof e->unit_filter, "%s", only);
    else if (!e->q->unit)
        return srp_error_set_where(err, SR_ERR_USAGE, "unit",
                                   "user '%s' works in several units: a summary is of one of "
                                   "them",
                                   sr_registry_user(e->reg));
    return SR_OK;
}

/* The units' names, for the labels of a unit dimension. */
static sr_status load_unit_names(srp_stats_engine *e, sr_error *err)
{
    sqlite3 *db = srp_registry_db(e->reg);
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(db, "SELECT code, name FROM units ORDER BY code", &st, err);
    if (rc != SR_OK)
        return rc;
    size_t cap = 0, cap2 = 0;
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (srp_grow((void **)&e->unit_codes, &cap, e->unit_count + 1, sizeof *e->unit_codes) !=
                0 ||
            srp_grow((void **)&e->unit_names, &cap2, e->unit_count + 1, sizeof *e->unit_names) !=
                0) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            break;
        }
        e->unit_codes[e->unit_count] = strdup((const char *)sqlite3_column_text(st, 0));
        e->unit_names[e->unit_count] = strdup((const char *)sqlite3_column_text(st, 1));
        e->unit_count++;
        if (!e->unit_codes[e->unit_count - 1] || !e->unit_names[e->unit_count - 1]) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            break;
        }
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read units", err);
    sqlite3_finalize(st);
    return rc;
}

/* A filter is a dimension whose every value is computed; only the selected
 * one is published. */
static void setup_filters(srp_stats_engine *e, sr_stats *r)
{
    const char *unit = e->q->unit ? e->q->unit : e->unit_filter[0] ? e->unit_filter : NULL;
    if (unit) {
        int found = 0;
        for (int d = 0; d < e->dim_count; d++)
            if (e->dims[d].kind == SRP_BY_UNIT) {
                e->dims[d].selected = unit;
                found = 1;
            }
        if (!found)
            add_dimension(e, "unit", SRP_BY_UNIT, -1)->selected = unit;
        snprintf(r->unit, sizeof r->unit, "%s", unit);
    }
    if (e->q->status) {
        add_dimension(e, "status", SRP_BY_STATUS, -1)->selected = e->q->status;
        snprintf(r->status, sizeof r->status, "%s", e->q->status);
    }
    if (e->period_kind != SRP_PERIOD_NONE)
        add_dimension(e, "period", SRP_BY_PERIOD, -1)->selected = e->period_selected;
}

/* The window: no dates, or one fixed period (period.h), which becomes a
 * dimension of its kind whose every period is computed and protected. */
static sr_status check_period(srp_stats_engine *e, sr_stats *r, sr_error *err)
{
    sr_status rc = srp_period_check(e->q->from, e->q->to, e->from, e->to, &e->period_kind, err);
    if (rc != SR_OK)
        return rc;
    if (e->period_kind != SRP_PERIOD_NONE &&
        srp_period_key(e->period_kind, e->from, e->period_selected, sizeof e->period_selected) != 0)
        return srp_error_set_where(err, SR_ERR_USAGE, "from", "the period cannot be named");
    memcpy(r->from, e->from, sizeof r->from);
    memcpy(r->to, e->to, sizeof r->to);
    return SR_OK;
}

static sr_status explain(const srp_stats_engine *e, sr_stats *r, sr_error *err)
{
    int reasons[6] = {0};
    for (size_t i = 0; i < r->count; i++)
        reasons[r->rows[i].reason]++;
    int n = e->q->min_cell;
    char texts[6][400];
    snprintf(texts[1], sizeof texts[1], srp_texts_get(SRP_T_STATS_SMALL_COUNTS, e->lang), n - 1, n);
    snprintf(texts[2], sizeof texts[2], srp_texts_get(SRP_T_STATS_SMALL_GROUPS, e->lang), n);
    snprintf(texts[3], sizeof texts[3], "%s", srp_texts_get(SRP_T_STATS_SECONDARY, e->lang));
    snprintf(texts[4], sizeof texts[4], srp_texts_get(SRP_T_STATS_SMALL_BASE, e->lang), n);
    snprintf(texts[5], sizeof texts[5], srp_texts_get(SRP_T_STATS_QUANTILES, e->lang),
             SR_STATS_QUANTILE_MIN_N, n);
    for (int k = 1; k < 6; k++)
        if (reasons[k] && srp_stats_add_note(r, texts[k]) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (e->repeatable) {
        char note[400];
        snprintf(note, sizeof note, srp_texts_get(SRP_T_STATS_REPEATABLE, e->lang), e->q->form);
        if (srp_stats_add_note(r, note) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    if (srp_stats_add_note(r, srp_texts_get(SRP_T_STATS_NEVER_SUMMARISED, e->lang)) != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    const sr_stats_protection *p = &r->protection;
    if (p->withheld || p->released) {
        char note[600];
        snprintf(note, sizeof note, srp_texts_get(SRP_T_STATS_PROTECTION, e->lang), p->withheld,
                 p->figures, p->small, p->small_group, p->secondary, p->persons_hidden,
                 p->groups_hidden, p->released);
        if (srp_stats_add_note(r, note) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    return SR_OK;
}

/* The intake form is found by phase, whatever its id, when there is no
 * 'sig-intake'. */
static sr_status load_intake(srp_stats_engine *e, sr_error *err)
{
    snprintf(e->intake_id, sizeof e->intake_id, "sig-intake");
    sr_status rc =
        load_versions(e, "sig-intake", e->intake_forms, e->intake_versions, &e->intake_count, err);
    if (rc != SR_OK || e->intake_count)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = srp_store_prepare(srp_registry_db(e->reg),
                           "SELECT id FROM forms WHERE phase = 'intake' ORDER BY id LIMIT 1", &st,
                           err);
    if (rc == SR_OK && sqlite3_step(st) == SQLITE_ROW) {
        snprintf(e->intake_id, sizeof e->intake_id, "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        st = NULL;
        rc = load_versions(e, e->intake_id, e->intake_forms, e->intake_versions, &e->intake_count,
                           err);
    }
    sqlite3_finalize(st);
    return rc;
}

static sr_status setup_cases(srp_stats_engine *e, sr_stats *r, sr_error *err)
{
    r->title = strdup(srp_texts_get(SRP_T_CASES_BY_STATUS, e->lang));
    r->versions = strdup("-");
    if (!r->title || !r->versions)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_status rc = srp_stats_add_variable(e, "status", err);
    if (rc != SR_OK)
        return rc;
    srp_variable *v = &e->vars[0];
    v->type = SR_ITEM_CHOICE;
    v->derived = SRP_DERIVED_STATUS;
    v->label = srp_texts_get(SRP_T_STATUS, e->lang);
    if (srp_stats_code_index(v, "open", srp_texts_get(SRP_T_STATUS_OPEN_LABEL, e->lang), 0, 1) <
            0 ||
        srp_stats_code_index(v, "closed", srp_texts_get(SRP_T_STATUS_CLOSED_LABEL, e->lang), 0, 1) <
            0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    return SR_OK;
}

static sr_status setup_form(srp_stats_engine *e, sr_stats *r, sr_error *err)
{
    const sr_form *newest = e->forms[e->version_count - 1];
    e->repeatable = newest->repeatable;
    e->phase = newest->phase;
    r->title = strdup(sr_form_title(newest, e->lang));
    srp_buf versions = SRP_BUF_INIT;
    for (size_t k = 0; k < e->version_count; k++)
        srp_buf_printf(&versions, "%s%d", k ? "," : "", e->versions[k]);
    r->versions = versions.oom ? NULL : srp_buf_take(&versions);
    srp_buf_free(&versions);
    if (!r->title || !r->versions)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_status rc = srp_stats_build_variables(e, err);
    if (rc == SR_OK && e->q->change) {
        if (e->phase == SR_PHASE_INTAKE)
            return srp_error_set_where(err, SR_ERR_USAGE, "change",
                                       "a change table compares a later form with the intake: "
                                       "'%s' is the intake",
                                       e->q->form);
        e->need_intake = 1;
        rc = srp_stats_pair_with_intake(e, err);
    }
    return rc;
}

static void engine_release(srp_stats_engine *e)
{
    for (size_t j = 0; j < e->var_count; j++)
        srp_stats_variable_release(&e->vars[j]);
    free(e->vars);
    for (int d = 0; d < e->dim_count; d++) {
        srp_stats_variable_release(&e->dims[d].var);
        free(e->dims[d].merge_from);
        free(e->dims[d].merge_to);
    }
    for (size_t u = 0; u < e->unit_count; u++) {
        free(e->unit_codes[u]);
        free(e->unit_names[u]);
    }
    free(e->unit_codes);
    free(e->unit_names);
    srp_stats_pair_memo_free(e->pair_memo);
}

/* The audit entry: the query actually run (the effective unit, status and
 * widened period), never the one asked for. */
static sr_status audit(sr_registry *reg, const sr_stats_query *q, const sr_stats *r, sr_error *err)
{
    char detail[512];
    snprintf(detail, sizeof detail,
             "form=%s by=%s%s%s unit=%s status=%s from=%s to=%s min_cell=%d change=%d rows=%zu"
             " method=%s",
             q->form, q->by[0] ? q->by[0] : "-", q->by[1] ? "," : "", q->by[1] ? q->by[1] : "",
             r->unit[0] ? r->unit : "*", r->status[0] ? r->status : "*", r->from[0] ? r->from : "-",
             r->to[0] ? r->to : "-", q->min_cell, q->change, r->count, sr_stats_method(r));
    return srp_registry_transaction(reg, "stats", NULL, detail, NULL, NULL, err);
}

static sr_status check_query(const sr_stats_query *q, sr_error *err)
{
    if (!q->form || !q->form[0])
        return srp_error_set_where(err, SR_ERR_USAGE, "form", "a summary needs a form");
    if (strlen(q->form) > SR_FORM_ID_MAX)
        return srp_error_set_where(err, SR_ERR_NOT_FOUND, "form", "no form '%.*s...'", 20, q->form);
    if (q->status && strcmp(q->status, "open") != 0 && strcmp(q->status, "closed") != 0)
        return srp_error_set_where(err, SR_ERR_USAGE, "status",
                                   "'%s' is not a status: open or closed", q->status);
    if (q->unit && strlen(q->unit) > SR_UNIT_CODE_MAX)
        return srp_error_set_where(err, SR_ERR_USAGE, "unit",
                                   "a unit code has at most %d characters", SR_UNIT_CODE_MAX);
    return SR_OK;
}

/* Whether job is of every unit together (no unit dimension) and
 * suppressed, so that a units' summary adds up to it. */
static int has_unit_parts(const srp_stats_job *job)
{
    for (int d = 0; d < job->e.dim_count; d++)
        if (job->e.dims[d].kind == SRP_BY_UNIT)
            return 0;
    return !job->e.ck;
}

/* When job is the units' summary of whole (the same query of a unit), the
 * key of each of its dimensions in whole's groups by unit (whole->units:
 * whole's dimensions, then the unit) into key_of; 0 when they do not
 * match. */
static int units_keys(const srp_stats_job *whole, const srp_stats_job *job, int *key_of)
{
    const srp_stats_engine *w = &whole->e, *e = &job->e;
    int m = 0, unit = 0;
    if (!whole->units.pool)
        return 0;
    for (int d = 0; d < e->dim_count; d++) {
        const srp_dimension *dim = &e->dims[d];
        if (!unit && dim->kind == SRP_BY_UNIT && dim->by_index < 0) {
            key_of[d] = w->dim_count;
            unit = 1;
        } else if (m < w->dim_count && w->dims[m].kind == dim->kind &&
                   strcmp(w->dims[m].name, dim->name) == 0) {
            key_of[d] = m++;
        } else {
            return 0;
        }
    }
    return unit && m == w->dim_count && srp_slots_fit(e, &whole->units);
}

/* The first scan of a job of a form: the groups of whole's first scan by
 * unit when job is whole's units' summary (whole is then not scanned
 * again), else a scan, by unit as well when the job's units' summary may
 * be wanted (SRP_JOB_UNITS). */
static sr_status first_scan(srp_stats_job *job, const srp_stats_job *whole, int flags,
                            sr_error *err)
{
    int key_of[SRP_STATS_MAX_DIMS];
    if (whole && units_keys(whole, job, key_of))
        return srp_slots_add(&job->e, &job->s, &whole->units, key_of, err);
    if ((flags & SRP_JOB_UNITS) && has_unit_parts(job))
        return srp_stats_scan_by_unit(&job->e, &job->s, &job->units, err);
    return srp_stats_scan(&job->e, &job->s, err);
}

/* srp_stats_job_prepare, for the units' summary of whole when whole is not
 * NULL. */
static sr_status job_prepare(sr_registry *reg, const sr_stats_query *query, int flags,
                             const srp_stats_job *whole, srp_stats_job *job, sr_error *err)
{
    memset(job, 0, sizeof *job);
    job->q = *query;
    srp_stats_engine *e = &job->e;
    sr_stats_query *q = &job->q;
    e->reg = reg;
    e->q = q;
    e->lang = srp_lang_tag(q->lang);
    sr_stats *r = job->r = calloc(1, sizeof *r);
    if (!r || !(r->strings = srp_strings_new()))
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    int min_cell = 5;
    sr_status rc = check_query(q, err);
    if (rc == SR_OK)
        rc = srp_settings_min_cell_for(reg, q->min_cell, (flags & SRP_JOB_RAISE) != 0, &min_cell,
                                       err);
    if (rc == SR_OK)
        rc = srp_stats_ck_begin(e, &job->ck, err);
    if (rc != SR_OK)
        return rc;
    q->min_cell = min_cell;
    r->min_cell = q->min_cell;
    r->change = q->change;
    snprintf(r->form, sizeof r->form, "%s", q->form);
    snprintf(r->lang, sizeof r->lang, "%s", e->lang);
    srp_time_now_iso(r->generated_at, sizeof r->generated_at);
    rc = check_period(e, r, err);
    if (rc == SR_OK)
        rc = restrict_units(e, (flags & SRP_JOB_PARTS) != 0, err);
    if (rc == SR_OK)
        rc = load_intake(e, err);
    int cases = strcmp(q->form, "cases") == 0;
    if (rc == SR_OK && !cases) {
        rc = load_versions(e, q->form, e->forms, e->versions, &e->version_count, err);
        if (rc == SR_OK && e->version_count == 0)
            rc = srp_error_set_where(err, SR_ERR_NOT_FOUND, "form", "no form '%s'", q->form);
    }
    if (rc == SR_OK)
        rc = cases ? setup_cases(e, r, err) : setup_form(e, r, err);
    for (int d = 0; d < 2 && rc == SR_OK; d++)
        if (q->by[d]) {
            rc = setup_by(e, d, q->by[d], err);
            snprintf(r->by[d], sizeof r->by[d], "%s", q->by[d]);
        }
    for (int d = 0; d < e->dim_count && rc == SR_OK; d++)
        if (e->dims[d].kind == SRP_BY_UNIT && e->dims[d].by_index >= 0)
            rc = load_unit_names(e, err);
    if (rc == SR_OK)
        rc = srp_slots_init(&job->s, err);
    if (rc != SR_OK)
        return rc;
    setup_filters(e, r);
    /* Scan; merge small periods, then small mergeable options, scanning
     * again after each that merged anything (stats_merge.c). */
    for (int stage = 0, scans = 0; stage < 3; stage++, scans++) {
        rc = cases        ? srp_stats_scan_cases(e, &job->s, err)
             : scans == 0 ? first_scan(job, whole, flags, err)
                          : srp_stats_scan(e, &job->s, err);
        if (rc != SR_OK)
            return rc;
        srp_slots_sort(&job->s);
        int rescan = 0;
        while (stage < 2 && !rescan) {
            rc = stage == 0 ? srp_stats_merge_periods(e, &job->s, r, &rescan, err)
                            : srp_stats_merge_options(e, &job->s, r, &rescan, err);
            if (rc != SR_OK)
                return rc;
            if (!rescan)
                stage++;
        }
        if (!rescan)
            break;
        rc = srp_slots_init(&job->s, err);
        if (rc != SR_OK)
            return rc;
    }
    /* Under suppression, every combination is a group (an empty one is
     * withheld like a small one); the cell-key method shows zeros as they
     * are, so a listing without the empty ones tells nothing more there. */
    return e->ck ? SR_OK : srp_slots_complete(e, &job->s, err);
}

sr_status srp_stats_job_prepare(sr_registry *reg, const sr_stats_query *query, int flags,
                                srp_stats_job *job, sr_error *err)
{
    return job_prepare(reg, query, flags, NULL, job, err);
}

sr_status srp_stats_job_finish(srp_stats_job *job, srp_sdc *sdc, sr_error *err)
{
    if (srp_stats_emit(&job->e, &job->s, sdc, &job->lay, job->r) != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (!job->e.ck)
        srp_stats_protection(&job->e, &job->s, sdc, &job->lay, &job->r->protection);
    sr_status rc = explain(&job->e, job->r, err);
    if (rc == SR_OK)
        rc = srp_stats_ck_finish(&job->e, job->ck, job->r, err);
    return rc;
}

void srp_stats_job_release(srp_stats_job *job)
{
    srp_layout_release(&job->e, &job->lay);
    srp_slots_release(&job->s);
    srp_slots_release(&job->units);
    engine_release(&job->e);
    srp_cellkey_free(job->ck);
    sr_stats_free(job->r);
    memset(job, 0, sizeof *job);
}

/* Releases and frees *job (a job of another query), and clears it. */
static void job_free(srp_stats_job **job)
{
    if (*job) {
        srp_stats_job_release(*job);
        free(*job);
        *job = NULL;
    }
}

/* Prepares another query that a live summary depends on into a new *job;
 * one that cannot be made (an item the form lacks) leaves *job NULL and is
 * no error, but running out of memory is. */
static sr_status prepare_other(sr_registry *reg, const sr_stats_query *q, srp_stats_job **job,
                               sr_error *err)
{
    if (!(*job = malloc(sizeof **job)))
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_error local;
    memset(&local, 0, sizeof local);
    if (srp_stats_job_prepare(reg, q, SRP_JOB_UNITS, *job, &local) == SR_OK)
        return SR_OK;
    job_free(job);
    return local.status == SR_ERR_NOMEM ? srp_error_set(err, SR_ERR_NOMEM, "out of memory") : SR_OK;
}

/* ---- a live summary of every unit together ---- */

/* A live summary without the unit (the table of all units) and the same
 * query of a unit compute the same people: the units' figures add up to
 * its figures. The units' summary is solved on its own, as a unit's query
 * is (it takes those sums as known, so whatever this one publishes, the
 * units' figures stay protected); this one then keeps published every
 * figure whose parts the units' summary all publishes, which an outsider
 * has anyway (srp_stats_engine.unit_parts): it never withholds what the
 * units' tables give away, and protects its small counts without them. */
typedef struct margin_jobs margin_jobs;
typedef struct unit_parts {
    srp_stats_job *job; /* NULL: none */
    srp_sdc *sdc;
    margin_jobs *margins; /* a change table's, as the unit's own query has them */
    char unit[SR_UNIT_CODE_MAX + 1];
} unit_parts;

static sr_status margin_jobs_run(sr_registry *reg, srp_stats_job *job, margin_jobs *m,
                                 sr_error *err);
static void margin_jobs_release(margin_jobs *m);
static margin_jobs *margin_jobs_new(void);

static void unit_parts_release(unit_parts *p)
{
    job_free(&p->job);
    srp_sdc_free(p->sdc);
    if (p->margins) {
        margin_jobs_release(p->margins);
        free(p->margins);
    }
    memset(p, 0, sizeof *p);
}

/* The first unit, into p->unit; "" when there is none. */
static sr_status first_unit(sr_registry *reg, unit_parts *p, sr_error *err)
{
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(db, "SELECT code FROM units ORDER BY code LIMIT 1", &st, err);
    if (rc != SR_OK)
        return rc;
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        snprintf(p->unit, sizeof p->unit, "%s", (const char *)sqlite3_column_text(st, 0));
    else if (src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read units", err);
    sqlite3_finalize(st);
    return rc;
}

/* Solves the units' summary of job's query into p and points job at it,
 * when job is of every unit together (no unit dimension) and suppressed.
 * It starts from job's first scan by unit, when kept (SRP_JOB_UNITS). */
static sr_status unit_parts_run(sr_registry *reg, srp_stats_job *job, unit_parts *p, sr_error *err)
{
    memset(p, 0, sizeof *p);
    if (!has_unit_parts(job))
        return SR_OK;
    sr_status rc = first_unit(reg, p, err);
    if (rc != SR_OK || !p->unit[0])
        return rc;
    sr_stats_query q = job->q;
    q.unit = p->unit;
    sr_error local;
    memset(&local, 0, sizeof local);
    p->job = malloc(sizeof *p->job);
    p->sdc = srp_sdc_new(job->q.min_cell);
    if (!p->job || !p->sdc)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (job_prepare(reg, &q, SRP_JOB_PARTS, job, p->job, &local) != SR_OK) {
        /* One that cannot be made leaves this summary as it is alone. */
        unit_parts_release(p);
        return local.status == SR_ERR_NOMEM ? srp_error_set(err, SR_ERR_NOMEM, "out of memory")
                                            : SR_OK;
    }
    /* Solved as the unit's own query is, margins and all. */
    if (!(p->margins = margin_jobs_new()))
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    rc = margin_jobs_run(reg, p->job, p->margins, err);
    if (rc != SR_OK)
        return rc;
    if (srp_stats_protect(&p->job->e, &p->job->s, p->sdc, &p->job->lay) != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    job->e.unit_parts = p->job;
    job->e.unit_parts_sdc = p->sdc;
    return SR_OK;
}

/* Whether job's protection in sdc withholds nothing: no figure, no group. */
static int withholds_nothing(const srp_stats_job *job, const srp_sdc *sdc)
{
    srp_sdc_report r;
    srp_sdc_report_of(sdc, &r);
    if (r.withheld[SRP_SDC_SMALL] || r.withheld[SRP_SDC_GROUP] || r.withheld[SRP_SDC_SECONDARY])
        return 0;
    for (size_t i = 0; job->lay.group_hidden && i < job->s.count; i++)
        if (job->lay.group_hidden[i])
            return 0;
    return 1;
}

/* Protects job's figures into *sdc (made here; the caller frees it). A
 * summary of every unit together is protected alone first: when that
 * withholds nothing, its units' summary could only keep published what is
 * published already (srp_sdc_keep never withholds), so it is not run, and
 * its scan and its problem are saved (a large registry's tables withhold
 * nothing). Otherwise the units' summary is solved into parts and job is
 * protected again, from scratch, with what it publishes; *map (when
 * given: the job's cells by identity, which protecting fills) anew. */
static sr_status protect_job(sr_registry *reg, srp_stats_job *job, unit_parts *parts, srp_sdc **sdc,
                             srp_idmap **map, sr_error *err)
{
    for (int round = 0;; round++) {
        *sdc = srp_sdc_new(job->q.min_cell);
        if (!*sdc || srp_stats_protect(&job->e, &job->s, *sdc, &job->lay) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        if (round > 0 || !has_unit_parts(job) || withholds_nothing(job, *sdc))
            return SR_OK;
        srp_layout_release(&job->e, &job->lay);
        memset(&job->lay, 0, sizeof job->lay);
        srp_sdc_free(*sdc);
        *sdc = NULL;
        if (map) {
            srp_idmap_free(*map);
            if (!(*map = srp_idmap_new()))
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            job->e.cell_map = *map;
        }
        sr_status rc = unit_parts_run(reg, job, parts, err);
        if (rc != SR_OK)
            return rc;
    }
}

/* The margins of a live change table are figures of two other queries: the
 * intake's table of closed cases (its rows) and the form's own table (its
 * columns). Those are run and solved here as they would be on their own,
 * so that the change table's problem knows which margins they publish
 * (srp_stats_engine.margin_sdc). A query that cannot be made (e.g. an item
 * to group by that the intake lacks) leaves its margins unknown. */
struct margin_jobs {
    srp_stats_job *job[2];
    srp_sdc *sdc[2];
    srp_idmap *map[2];
    unit_parts parts[2];
};

static margin_jobs *margin_jobs_new(void)
{
    return calloc(1, sizeof(margin_jobs));
}

static void margin_jobs_release(margin_jobs *m)
{
    for (int k = 0; k < 2; k++) {
        job_free(&m->job[k]);
        srp_sdc_free(m->sdc[k]);
        srp_idmap_free(m->map[k]);
        unit_parts_release(&m->parts[k]);
    }
}

static sr_status margin_jobs_run(sr_registry *reg, srp_stats_job *job, margin_jobs *m,
                                 sr_error *err)
{
    memset(m, 0, sizeof *m);
    if (!job->q.change || job->e.ck || job->q.status)
        return SR_OK;
    for (int k = 0; k < 2; k++) {
        sr_stats_query q = job->q;
        q.change = 0;
        q.form = k == 0 ? job->e.intake_id : job->q.form;
        q.status = k == 0 ? "closed" : NULL;
        if (!(m->map[k] = srp_idmap_new()))
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        sr_status rc = prepare_other(reg, &q, &m->job[k], err);
        if (rc != SR_OK)
            return rc;
        if (!m->job[k])
            continue;
        m->job[k]->e.cell_map = m->map[k];
        rc = protect_job(reg, m->job[k], &m->parts[k], &m->sdc[k], &m->map[k], err);
        if (rc != SR_OK)
            return rc;
        job->e.margin_sdc[k] = m->sdc[k];
        job->e.margin_map[k] = m->map[k];
    }
    return SR_OK;
}

/* The queries a live breakdown of two dimensions adds up to along an
 * item's dimension, each without it, solved as they would be alone
 * (srp_stats_engine.coarser). Run only when there is an empty
 * combination: its 0 is public when such a query publishes it. */
typedef struct coarser_jobs {
    srp_stats_job *job[2];
    srp_sdc *sdc[2];
    unit_parts parts[2];
} coarser_jobs;

static void coarser_jobs_release(coarser_jobs *c)
{
    for (int k = 0; k < 2; k++) {
        job_free(&c->job[k]);
        srp_sdc_free(c->sdc[k]);
        unit_parts_release(&c->parts[k]);
    }
    memset(c, 0, sizeof *c);
}

static int has_empty_slot(const srp_stats_job *job)
{
    for (size_t i = 0; i < job->s.count; i++)
        if (job->s.items[i].people == 0)
            return 1;
    return 0;
}

static sr_status coarser_jobs_run(sr_registry *reg, srp_stats_job *job, coarser_jobs *c,
                                  sr_error *err)
{
    memset(c, 0, sizeof *c);
    if (!job->q.by[0] || !job->q.by[1] || job->e.ck || job->q.change || !has_empty_slot(job))
        return SR_OK;
    for (int k = 0; k < 2; k++) {
        int d = -1;
        for (int x = 0; x < job->e.dim_count; x++)
            if (job->e.dims[x].by_index == k && job->e.dims[x].kind == SRP_BY_ITEM)
                d = x;
        if (d < 0)
            continue; /* not the form's item: no figure of the other query shows it */
        sr_stats_query q = job->q;
        q.by[0] = job->q.by[1 - k];
        q.by[1] = NULL;
        /* One that cannot be made leaves the combinations as they are. */
        sr_status rc = prepare_other(reg, &q, &c->job[k], err);
        if (rc != SR_OK)
            return rc;
        if (!c->job[k])
            continue;
        rc = protect_job(reg, c->job[k], &c->parts[k], &c->sdc[k], NULL, err);
        if (rc != SR_OK)
            return rc;
        job->e.coarser[d] = c->job[k];
        job->e.coarser_sdc[d] = c->sdc[k];
    }
    return SR_OK;
}

sr_status sr_stats_run(sr_registry *reg, const sr_stats_query *query, sr_stats **out, sr_error *err)
{
    *out = NULL;
    /* Analysts hold no key to the data: their figures come from the newest
     * publication addressed to them. */
    if (sr_registry_role(reg) == SR_ROLE_ANALYST)
        return srp_publication_answer(reg, query, out, err);
    srp_sdc *sdc = NULL;
    margin_jobs margins;
    unit_parts parts;
    coarser_jobs coarser;
    memset(&margins, 0, sizeof margins);
    memset(&parts, 0, sizeof parts);
    memset(&coarser, 0, sizeof coarser);
    srp_stats_job *job = malloc(sizeof *job);
    if (!job)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_status rc = srp_stats_job_prepare(reg, query, SRP_JOB_UNITS, job, err);
    if (rc == SR_OK)
        rc = margin_jobs_run(reg, job, &margins, err);
    if (rc == SR_OK)
        rc = coarser_jobs_run(reg, job, &coarser, err);
    if (rc == SR_OK)
        rc = protect_job(reg, job, &parts, &sdc, NULL, err);
    if (rc != SR_OK)
        goto out;
    rc = srp_stats_job_finish(job, sdc, err);
    if (rc == SR_OK)
        rc = audit(reg, &job->q, job->r, err);
    if (rc == SR_OK) {
        *out = job->r;
        job->r = NULL;
    }
out:
    srp_sdc_free(sdc);
    srp_stats_job_release(job);
    free(job);
    unit_parts_release(&parts);
    margin_jobs_release(&margins);
    coarser_jobs_release(&coarser);
    return rc;
}
