/*
 * cellkey.c - the cell-key method: the registry's record keys by case code,
 * the pTable of its settings, and the perturbation of a count at its cell
 * key (see cellkey.h).
 */
#include "cellkey.h"

#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "registry_int.h"
#include "settings_int.h"
#include "sigreg/cases.h"
#include "store.h"

typedef struct case_key {
    char code[SR_CASE_CODE_SIZE];
    uint32_t key;
} case_key;

struct srp_cellkey {
    srp_ptable *pt;
    case_key *keys; /* sorted by code */
    size_t count, cap;
};

void srp_cellkey_free(srp_cellkey *ck)
{
    if (!ck)
        return;
    srp_ptable_free(ck->pt);
    if (ck->keys)
        memset(ck->keys, 0, ck->cap * sizeof *ck->keys);
    free(ck->keys);
    free(ck);
}

static int by_code(const void *a, const void *b)
{
    return strcmp(((const case_key *)a)->code, ((const case_key *)b)->code);
}

static int add_key(srp_cellkey *ck, const char *code, uint32_t key)
{
    size_t n = strlen(code);
    if (n >= SR_CASE_CODE_SIZE)
        return -1;
    if (srp_grow((void **)&ck->keys, &ck->cap, ck->count + 1, sizeof *ck->keys) != 0)
        return -2;
    memcpy(ck->keys[ck->count].code, code, n + 1);
    ck->keys[ck->count++].key = key;
    return 0;
}

sr_status srp_cellkey_from(srp_ptable *pt, const char *const *codes, const uint32_t *keys,
                           size_t count, srp_cellkey **out, sr_error *err)
{
    *out = NULL;
    srp_cellkey *ck = calloc(1, sizeof *ck);
    if (!ck) {
        srp_ptable_free(pt);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    ck->pt = pt;
    for (size_t i = 0; i < count; i++) {
        int bad = add_key(ck, codes[i], keys[i]);
        if (bad) {
            srp_cellkey_free(ck);
            return bad == -2 ? srp_error_set(err, SR_ERR_NOMEM, "out of memory")
                             : srp_error_set(err, SR_ERR_USAGE, "a case code is too long");
        }
    }
    if (ck->count)
        qsort(ck->keys, ck->count, sizeof *ck->keys, by_code);
    *out = ck;
    return SR_OK;
}

sr_status srp_cellkey_open(sr_registry *reg, srp_cellkey **out, sr_error *err)
{
    *out = NULL;
    sr_disclosure_method m;
    sr_status rc = srp_settings_method(reg, &m, err);
    if (rc != SR_OK || strcmp(m.method, "cell-key") != 0)
        return rc;
    srp_ptable *pt = NULL;
    rc = srp_ptable_create(m.ptable_d, m.ptable_v, m.ptable_js, &pt, err);
    srp_cellkey *ck = NULL;
    if (rc == SR_OK)
        rc = srp_cellkey_from(pt, NULL, NULL, 0, &ck, err);
    if (rc != SR_OK)
        return rc;
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    rc = srp_store_prepare(db, "SELECT code, record_key FROM cases ORDER BY code", &st, err);
    int src = SQLITE_DONE;
    while (rc == SR_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        if (!code || sqlite3_column_type(st, 1) != SQLITE_INTEGER) {
            rc = srp_error_set(err, SR_ERR_CORRUPT, "a case has no record key");
            break;
        }
        int bad = add_key(ck, code, (uint32_t)sqlite3_column_int64(st, 1));
        if (bad)
            rc = bad == -2 ? srp_error_set(err, SR_ERR_NOMEM, "out of memory")
                           : srp_error_set(err, SR_ERR_CORRUPT, "a case code is damaged");
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read the record keys", err);
    sqlite3_finalize(st);
    if (rc != SR_OK) {
        srp_cellkey_free(ck);
        return rc;
    }
    if (ck->count)
        qsort(ck->keys, ck->count, sizeof *ck->keys, by_code);
    *out = ck;
    return SR_OK;
}

const srp_ptable *srp_cellkey_ptable(const srp_cellkey *ck)
{
    return ck->pt;
}

srp_ptable *srp_cellkey_take_ptable(srp_cellkey *ck)
{
    srp_ptable *pt = ck->pt;
    ck->pt = NULL;
    return pt;
}

uint32_t srp_cellkey_record(const srp_cellkey *ck, const char *case_code)
{
    size_t lo = 0, hi = ck->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ck->keys[mid].code, case_code);
        if (c == 0)
            return ck->keys[mid].key;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

double srp_cellkey_unit(uint32_t cell_key)
{
    return (double)cell_key / 4294967296.0;
}

long srp_cellkey_perturb(const srp_cellkey *ck, long count, uint32_t cell_key)
{
    return srp_ptable_perturb(ck->pt, count, srp_cellkey_unit(cell_key));
}

json_t *srp_cellkey_ptable_json(const srp_ptable *pt)
{
    json_t *table = json_array();
    int bad = !table;
    for (size_t k = 0; k < pt->count && !bad; k++) {
        const srp_ptable_entry *en = &pt->entries[k];
        bad |= json_array_append_new(table, json_pack("{s:i, s:i, s:f, s:i, s:f, s:f}", "i", en->i,
                                                      "j", en->j, "p", en->p, "v", en->v,
                                                      "p_int_lb", en->lb, "p_int_ub", en->ub)) != 0;
    }
    if (bad) {
        json_decref(table);
        return NULL;
    }
    return json_pack("{s:s, s:i, s:f, s:i, s:s, s:o}", "method", "cell-key", "D", pt->d, "V", pt->v,
                     "js", pt->js, "source",
                     "maximum entropy, as the R package ptable (sdcTools) builds it", "table",
                     table);
}

sr_status srp_cellkey_settings_into(sr_registry *reg, int min_cell, json_t *doc, sr_error *err)
{
    srp_cellkey *ck = NULL;
    sr_status rc = srp_cellkey_open(reg, &ck, err);
    if (rc != SR_OK || !ck)
        return rc;
    json_t *settings = json_pack("{s:s, s:i, s:o?}", "method", "cell-key", "min_cell", min_cell,
                                 "ptable", srp_cellkey_ptable_json(ck->pt));
    srp_cellkey_free(ck);
    if (!settings || !json_object_get(settings, "ptable") ||
        json_object_set_new(doc, "settings", settings) != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    return SR_OK;
}

sr_status srp_cellkey_ptable_of(const json_t *doc, srp_ptable **out, sr_error *err)
{
    *out = NULL;
    json_t *pt = json_object_get(json_object_get(doc, "settings"), "ptable");
    if (!pt)
        return SR_OK;
    json_t *d = json_object_get(pt, "D"), *v = json_object_get(pt, "V"),
           *js = json_object_get(pt, "js");
    if (!json_is_integer(d) || !json_is_number(v) || !json_is_integer(js))
        return srp_error_set(err, SR_ERR_CORRUPT,
                             "the publication's perturbation table is damaged");
    return srp_ptable_create((int)json_integer_value(d), json_number_value(v),
                             (int)json_integer_value(js), out, err);
}
