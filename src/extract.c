/*
 * extract.c - making an anonymised extract: what is selected, the SQL that
 * reads it, and the order of the work. It never renders text (that is
 * extract_render.c), never decides what is anonymous (kanon.c) and never
 * touches a key (crypto/container.c).
 *
 * Two passes over the registry, both in case order from indexes, neither
 * sorting a table and neither parsing JSON (answers are read coded):
 *   1. every person with an intake: the quasi-identifiers alone, into a
 *      compact table (kanon), and a new random id;
 *   2. after k-anonymity decided, person by person in the order of their
 *      random ids (so that no order carries over from the registry), each
 *      person's responses are looked up by its case and rendered, one file
 *      after another, straight into the archive, the container and the file.
 * Memory grows with the quasi-identifier table only, never with the answers.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "base/buffer.h"
#include "base/error.h"
#include "base/fileio.h"
#include "base/timeutil.h"
#include "coded.h"
#include "container.h"
#include "extract_int.h"
#include "extract_render.h"
#include "signer_chain.h"
#include "form_int.h"
#include "kanon.h"
#include "keyring.h"
#include "form_store_int.h"
#include "audit_int.h"
#include "registry_int.h"
#include "sigreg/extract.h"
#include "store.h"

#ifndef EXTRACT_CACHE_MIB
#define EXTRACT_CACHE_MIB 12
#endif

/* ---- the output file ------------------------------------------------------------------------ */

/* A new file beside the target, renamed into place only when complete. */
typedef struct out_file {
    int fd;
    char *tmp;
    const char *path;
} out_file;

static sr_status out_open(out_file *o, const char *path, sr_error *err)
{
    o->fd = -1;
    o->path = path;
    o->tmp = srp_str_concat(path, ".tmp-XXXXXX");
    if (!o->tmp)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    o->fd = mkstemp(o->tmp);
    if (o->fd < 0)
        return srp_error_set_where(err, SR_ERR_IO, path, "cannot create a file beside '%s': %s",
                                   path, strerror(errno));
    (void)fchmod(o->fd, 0600);
    return SR_OK;
}

static sr_status out_write(void *ctx, const void *data, size_t len, sr_error *err)
{
    out_file *o = ctx;
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(o->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return srp_error_set_where(err, SR_ERR_IO, o->path, "cannot write '%s': %s", o->path,
                                       strerror(errno));
        p += n;
        len -= (size_t)n;
    }
    return SR_OK;
}

static sr_status out_commit(out_file *o, sr_error *err)
{
    if (fsync(o->fd) != 0 || close(o->fd) != 0) {
        o->fd = -1;
        return srp_error_set_where(err, SR_ERR_IO, o->path, "cannot write '%s': %s", o->path,
                                   strerror(errno));
    }
    o->fd = -1;
    /* link() never replaces what appeared meanwhile; rename where links are
     * not supported. */
    if (link(o->tmp, o->path) != 0) {
        if (errno == EEXIST)
            return srp_error_set_where(err, SR_ERR_EXISTS, o->path,
                                       "'%s' already exists: not overwriting it", o->path);
        if (srp_file_exists(o->path) || rename(o->tmp, o->path) != 0)
            return srp_error_set_where(err, SR_ERR_IO, o->path, "cannot create '%s': %s", o->path,
                                       strerror(errno));
    } else {
        (void)unlink(o->tmp);
    }
    free(o->tmp);
    o->tmp = NULL;
    return srp_file_sync_dir(o->path, err);
}

static void out_abandon(out_file *o)
{
    if (o->fd >= 0)
        (void)close(o->fd);
    o->fd = -1;
    if (o->tmp)
        (void)unlink(o->tmp);
    free(o->tmp);
    o->tmp = NULL;
}

/* ---- the work ------------------------------------------------------------------------------- */

/* One person in pass 2, looked up by output position. */
typedef struct person {
    const char *code;
    uint32_t row;       /* in the kanon table and the code list */
    uint64_t id;        /* the new random id */
    int32_t intake_day; /* only with relative dates */
} person;

typedef struct response {
    long long id;
    int32_t day;
    int version;
    size_t at, len; /* the coded answers in the blob buffer */
} response;

typedef struct work {
    sr_registry *reg;
    sqlite3 *db;
    const sr_extract_options *opt;
    srp_extract_plan plan;
    char **intake_forms; /* every installed intake-phase form: who is in the extract */
    size_t intake_form_count;
    sqlite3_stmt *rows, *exists;
    /* Per person, as little as possible: the case codes (fixed width, by
     * kanon row), then after k-anonymity the sorted random ids and the
     * random order of rows that takes them. */
    char *codes;
    size_t code_width, codes_cap, count;
    uint64_t *ids;
    uint32_t *perm;
    srp_kanon *table;
    srp_extract_answer *answers; /* for the widest newest version */
    response *responses;         /* one case's responses to one form */
    size_t response_count, response_cap;
    srp_buf blobs, row;
    srp_archive_writer *archive;
    srp_container_writer *container;
} work;

static int by_version(const void *a, const void *b)
{
    return ((const srp_extract_version *)a)->version - ((const srp_extract_version *)b)->version;
}

/* Loads every version of a form and maps the newest items onto each. */
static sr_status load_form(work *w, srp_extract_form *f, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(w->db, "SELECT version FROM forms WHERE id = ?1", &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, f->id, -1, SQLITE_STATIC);
    size_t cap = 0;
    int src;
    while (rc == SR_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        void *v = f->versions;
        if (srp_grow(&v, &cap, f->version_count + 1, sizeof *f->versions) != 0) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            break;
        }
        f->versions = v;
        srp_extract_version *ver = &f->versions[f->version_count++];
        memset(ver, 0, sizeof *ver);
        ver->version = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    if (rc != SR_OK)
        return rc;
    qsort(f->versions, f->version_count, sizeof *f->versions, by_version);
    for (size_t i = 0; rc == SR_OK && i < f->version_count; i++)
        rc = srp_form_load_quiet(w->reg, f->id, f->versions[i].version, &f->versions[i].form, NULL,
                                 err);
    if (rc != SR_OK || f->version_count == 0)
        return rc != SR_OK ? rc
                           : srp_error_set_where(err, SR_ERR_NOT_FOUND, "forms",
                                                 "form '%s' is not installed", f->id);
    f->newest = f->versions[f->version_count - 1].form;
    f->phase = sr_form_phase(f->newest);
    f->repeatable = sr_form_repeatable(f->newest);
    srp_buf text = SRP_BUF_INIT;
    size_t widest = 0;
    for (size_t i = 0; i < f->version_count; i++) {
        srp_extract_version *ver = &f->versions[i];
        srp_buf_printf(&text, "%s%d", i ? "," : "", ver->version);
        if (ver->form->item_count > widest)
            widest = ver->form->item_count;
        ver->item_map =
            malloc((f->newest->item_count ? f->newest->item_count : 1) * sizeof *ver->item_map);
        if (!ver->item_map)
            break;
        for (size_t j = 0; j < f->newest->item_count; j++) {
            size_t at = 0;
            ver->item_map[j] =
                srp_form_find_item(ver->form, f->newest->items[j].id, &at) ? (long)at : -1;
        }
    }
    f->versions_text = srp_buf_take(&text);
    f->scratch = malloc((widest ? widest : 1) * sizeof *f->scratch);
    for (size_t i = 0; i < f->version_count; i++)
        if (!f->versions[i].item_map)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (!f->versions_text || !f->scratch)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    return SR_OK;
}

static int wanted(const sr_extract_options *opt, const char *id)
{
    if (!opt->forms)
        return 1;
    for (size_t i = 0; i < opt->form_count; i++)
        if (strcmp(opt->forms[i], id) == 0)
            return 1;
    return 0;
}

static int by_phase(const void *a, const void *b)
{
    const srp_extract_form *x = a, *y = b;
    return x->phase != y->phase ? (int)x->phase - (int)y->phase : strcmp(x->id, y->id);
}

/* The selection: forms in phase order, their quasi-identifying items. */
static sr_status plan_extract(work *w, sr_error *err)
{
    srp_extract_plan *p = &w->plan;
    for (size_t i = 0; w->opt->forms && i < w->opt->form_count; i++) {
        int found = 0;
        sqlite3_stmt *st = NULL;
        sr_status rc = srp_store_prepare(w->db, "SELECT 1 FROM forms WHERE id = ?1", &st, err);
        if (rc != SR_OK)
            return rc;
        sqlite3_bind_text(st, 1, w->opt->forms[i], -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        if (!found)
            return srp_error_set_where(err, SR_ERR_NOT_FOUND, "forms", "form '%s' is not installed",
                                       w->opt->forms[i]);
    }
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(
        w->db, "SELECT id, max(phase = 'intake') FROM forms GROUP BY id ORDER BY id", &st, err);
    size_t cap = 0, icap = 0;
    int src = SQLITE_DONE;
    while (rc == SR_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        if (sqlite3_column_int(st, 1)) {
            void *v = w->intake_forms;
            char *copy = strdup(id);
            if (!copy || srp_grow(&v, &icap, w->intake_form_count + 1, sizeof(char *)) != 0) {
                free(copy);
                rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
                break;
            }
            w->intake_forms = v;
            w->intake_forms[w->intake_form_count++] = copy;
        }
        if (!wanted(w->opt, id))
            continue;
        if (strlen(id) > SR_FORM_ID_MAX) {
            rc = srp_error_set_where(err, SR_ERR_CORRUPT, "forms", "form id '%s' is too long", id);
            break;
        }
        void *v = p->forms;
        if (srp_grow(&v, &cap, p->form_count + 1, sizeof *p->forms) != 0) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            break;
        }
        p->forms = v;
        srp_extract_form *f = &p->forms[p->form_count++];
        memset(f, 0, sizeof *f);
        snprintf(f->id, sizeof f->id, "%s", id);
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(w->db, src, "read the forms", err);
    sqlite3_finalize(st);
    for (size_t f = 0; rc == SR_OK && f < p->form_count; f++)
        rc = load_form(w, &p->forms[f], err);
    if (rc != SR_OK)
        return rc;
    /* Follow-up order: intake, intervention, closure, experience, followup. */
    qsort(p->forms, p->form_count, sizeof *p->forms, by_phase);
    int has_intake = 0;
    size_t widest = 1;
    for (size_t f = 0; f < p->form_count; f++) {
        has_intake |= p->forms[f].phase == SR_PHASE_INTAKE;
        if (p->forms[f].newest->item_count > widest)
            widest = p->forms[f].newest->item_count;
    }
    if (!has_intake)
        return srp_error_set_where(err, SR_ERR_USAGE, "forms",
                                   "an extract needs the intake form (it defines who is in it)");
    w->answers = malloc(widest * sizeof *w->answers);
    if (!w->answers)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    /* The quasi-identifying items of the person-level forms. */
    size_t qcap = 0;
    p->birth_year_qi = -1;
    for (size_t f = 0; f < p->form_count; f++) {
        const srp_extract_form *fs = &p->forms[f];
        if (fs->repeatable)
            continue;
        for (size_t i = 0; i < fs->newest->item_count; i++) {
            const srp_item *it = &fs->newest->items[i];
            if (!srp_extract_item_quasi(it) || !srp_extract_item_extracted(it))
                continue;
            void *v = p->qis;
            if (srp_grow(&v, &qcap, p->qi_count + 1, sizeof *p->qis) != 0)
                return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            p->qis = v;
            srp_extract_qi *q = &p->qis[p->qi_count++];
            snprintf(q->column, sizeof q->column, "%s_%s", sr_phase_name(fs->phase), it->id);
            q->form = f;
            q->item = i;
            q->scale = it->type == SR_ITEM_DECIMAL ? 1000 : 1;
            if (fs->phase == SR_PHASE_INTAKE && it->type == SR_ITEM_INTEGER &&
                strcmp(it->id, "birth_year") == 0)
                p->birth_year_qi = (long)(p->qi_count - 1);
        }
    }
    return SR_OK;
}

/* Reads one case's active responses to one form (in response id order, from
 * the primary key: no sort) into w->responses and w->blobs. */
static sr_status read_responses(work *w, const char *form, const char *code, sr_error *err)
{
    w->response_count = 0;
    w->blobs.len = 0;
    sqlite3_reset(w->rows);
    sqlite3_bind_text(w->rows, 1, form, -1, SQLITE_STATIC);
    sqlite3_bind_text(w->rows, 2, code, -1, SQLITE_STATIC);
    int src;
    while ((src = sqlite3_step(w->rows)) == SQLITE_ROW) {
        void *v = w->responses;
        if (srp_grow(&v, &w->response_cap, w->response_count + 1, sizeof *w->responses) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        w->responses = v;
        response *r = &w->responses[w->response_count++];
        r->id = sqlite3_column_int64(w->rows, 0);
        r->version = sqlite3_column_int(w->rows, 1);
        const char *date = (const char *)sqlite3_column_text(w->rows, 2);
        int y, m, d;
        if (!date || srp_date_parse(date, &y, &m, &d) != 0)
            return srp_error_set(err, SR_ERR_CORRUPT, "a stored response is damaged");
        r->day = srp_days_from_date(date);
        r->at = w->blobs.len;
        r->len = (size_t)sqlite3_column_bytes(w->rows, 3);
        srp_buf_put(&w->blobs, sqlite3_column_blob(w->rows, 3), r->len);
        if (w->blobs.oom)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    sqlite3_reset(w->rows);
    return src == SQLITE_DONE ? SR_OK : srp_store_fail(w->db, src, "read responses", err);
}

static int by_date(const void *a, const void *b)
{
    const response *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The latest response (by date, then id), or NULL. */
static const response *latest(const work *w)
{
    const response *best = NULL;
    for (size_t i = 0; i < w->response_count; i++)
        if (!best || by_date(&w->responses[i], best) > 0)
            best = &w->responses[i];
    return best;
}

static sr_status decode(work *w, const srp_extract_form *f, const response *r, sr_error *err)
{
    if (srp_extract_decode(f, r->version, w->blobs.data + r->at, r->len, w->answers) != 0)
        return srp_error_set(err, SR_ERR_CORRUPT, "a stored response is damaged");
    return SR_OK;
}

static size_t unit_index(work *w, const char *unit, int *oom)
{
    srp_extract_plan *p = &w->plan;
    for (size_t u = 0; u < p->unit_count; u++)
        if (strcmp(p->units[u], unit) == 0)
            return u;
    void *v = p->units;
    size_t cap = p->unit_count; /* grown one at a time: units are few */
    char *copy = strdup(unit);
    if (!copy || srp_grow(&v, &cap, p->unit_count + 1, sizeof *p->units) != 0) {
        free(copy);
        *oom = 1;
        return 0;
    }
    p->units = v;
    p->units[p->unit_count] = copy;
    return p->unit_count++;
}

/* Appends a case code, widening every slot when a longer one comes. */
static int add_code(work *w, const char *code)
{
    size_t n = strlen(code) + 1;
    if (n > w->code_width) {
        size_t width = n < 10 ? 10 : n;
        char *wider = calloc(w->count + 1, width);
        if (!wider)
            return -1;
        for (size_t i = 0; i < w->count; i++)
            memcpy(wider + i * width, w->codes + i * w->code_width, w->code_width);
        free(w->codes);
        w->codes = wider;
        w->code_width = width;
        w->codes_cap = w->count + 1;
    }
    void *v = w->codes;
    if (srp_grow(&v, &w->codes_cap, w->count + 1, w->code_width) != 0)
        return -1;
    w->codes = v;
    memset(w->codes + w->count * w->code_width, 0, w->code_width);
    memcpy(w->codes + w->count * w->code_width, code, n);
    w->count++;
    return 0;
}

/* Pass 1: who is in the extract, and their quasi-identifiers. */
static sr_status gather(work *w, sr_error *err)
{
    srp_extract_plan *p = &w->plan;
    size_t ncol = SRP_EXTRACT_FIXED_QI + p->qi_count;
    srp_kanon_column *cols = calloc(ncol, sizeof *cols);
    int32_t *cells = calloc(ncol, sizeof *cells);
    sqlite3_stmt *cases = NULL;
    sr_status rc = cols && cells ? SR_OK : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc != SR_OK)
        goto out;
    cols[0].kind = SRP_KANON_CODE;
    cols[1].kind = SRP_KANON_AGE;
    cols[2].kind = p->relative_dates ? SRP_KANON_YEAR : SRP_KANON_MONTH;
    for (size_t q = 0; q < p->qi_count; q++) {
        sr_item_type t = p->forms[p->qis[q].form].newest->items[p->qis[q].item].type;
        cols[SRP_EXTRACT_FIXED_QI + q].kind = t == SR_ITEM_DATE ? SRP_KANON_MONTH
                                              : t == SR_ITEM_INTEGER || t == SR_ITEM_DECIMAL
                                                  ? SRP_KANON_NUMBER
                                                  : SRP_KANON_CODE;
        cols[SRP_EXTRACT_FIXED_QI + q].scale = p->qis[q].scale;
    }
    w->table = srp_kanon_new(cols, ncol);
    if (!w->table) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* Every case in code order from the covering index: no sort. */
    rc = srp_store_prepare(w->db, SRP_EXTRACT_SQL_CASES, &cases, err);
    int src = SQLITE_DONE;
    while (rc == SR_OK && (src = sqlite3_step(cases)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(cases, 0);
        const char *unit = (const char *)sqlite3_column_text(cases, 1);
        const char *birth = (const char *)sqlite3_column_text(cases, 2);
        if (!code || strlen(code) > SR_CASE_CODE_MAX || !unit) {
            rc = srp_error_set(err, SR_ERR_CORRUPT, "a stored case is damaged");
            break;
        }
        int in = 0;
        for (size_t i = 0; !in && i < w->intake_form_count; i++) {
            sqlite3_reset(w->exists);
            sqlite3_bind_text(w->exists, 1, w->intake_forms[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(w->exists, 2, code, -1, SQLITE_STATIC);
            int e = sqlite3_step(w->exists);
            if (e != SQLITE_ROW && e != SQLITE_DONE) {
                rc = srp_store_fail(w->db, e, "read responses", err);
                break;
            }
            in = e == SQLITE_ROW;
            sqlite3_reset(w->exists);
        }
        if (rc != SR_OK || !in)
            continue;
        for (size_t c = 0; c < ncol; c++)
            cells[c] = SRP_KANON_EMPTY;
        int32_t intake_day = SRP_EXTRACT_NO_DAY;
        long long intake_id = 0;
        for (size_t f = 0; rc == SR_OK && f < p->form_count; f++) {
            const srp_extract_form *fs = &p->forms[f];
            int has_qi = 0;
            for (size_t q = 0; q < p->qi_count; q++)
                has_qi |= p->qis[q].form == f;
            if (fs->phase != SR_PHASE_INTAKE && !has_qi)
                continue;
            rc = read_responses(w, fs->id, code, err);
            if (rc != SR_OK)
                break;
            for (size_t r = 0; fs->phase == SR_PHASE_INTAKE && r < w->response_count; r++) {
                const response *x = &w->responses[r];
                if (intake_day == SRP_EXTRACT_NO_DAY || x->day < intake_day ||
                    (x->day == intake_day && x->id < intake_id)) {
                    intake_day = x->day;
                    intake_id = x->id;
                }
            }
            const response *best = latest(w);
            if (!has_qi || !best)
                continue;
            rc = decode(w, fs, best, err);
            for (size_t q = 0; rc == SR_OK && q < p->qi_count; q++)
                if (p->qis[q].form == f)
                    cells[SRP_EXTRACT_FIXED_QI + q] =
                        srp_extract_qi_value(p, &p->qis[q], &w->answers[p->qis[q].item]);
        }
        if (rc != SR_OK)
            break;
        int oom = 0;
        cells[0] = (int32_t)unit_index(w, unit, &oom);
        if (intake_day != SRP_EXTRACT_NO_DAY) {
            int32_t month = srp_extract_month_of_day(intake_day);
            cells[2] = p->relative_dates ? month / 12 : month;
            char intake[SR_DATE_MAX + 1];
            srp_extract_day_text(intake_day, intake);
            int age = birth ? srp_age_on(birth, intake) : -1;
            cells[1] = age >= 0 ? age : SRP_KANON_EMPTY;
            /* No birth date (no personnummer): the birth year answered
             * gives an age of Y - 1 or Y, Y = intake year - birth year;
             * used when both fall in the same age band. */
            if (age < 0 && p->birth_year_qi >= 0) {
                int32_t by = cells[SRP_EXTRACT_FIXED_QI + (size_t)p->birth_year_qi];
                int32_t y = by == SRP_KANON_EMPTY ? -1 : month / 12 - by;
                if (y >= 1 && y < 130 && y != 12 && y != 15 && y != 18 && y != 21)
                    cells[1] = y - 1;
            }
        }
        long row = oom ? -1 : srp_kanon_add(w->table, cells);
        if (row < 0 || add_code(w, code) != 0) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            break;
        }
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(w->db, src, "read cases", err);
out:
    sqlite3_finalize(cases);
    free(cols);
    free(cells);
    return rc;
}

/* ---- the check ------------------------------------------------------------------------------ */

static int by_hash(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* k-anonymity counted again, independently of how it was reached: every
 * row's quasi-identifiers as they will be written (the text of their
 * fields, hashed), sorted, and every run of equal ones at least k long.
 * An extract that fails is refused. */
static sr_status verify_k(work *w, size_t *smallest, sr_error *err)
{
    size_t n = w->count;
    uint64_t *h = malloc((n ? n : 1) * sizeof *h);
    srp_buf row = SRP_BUF_INIT;
    if (!h)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    for (size_t r = 0; r < n; r++) {
        row.len = 0;
        srp_extract_render_qi(&w->plan, w->table, r, &row);
        uint64_t x = 1469598103934665603ULL; /* FNV-1a */
        for (size_t i = 0; i < row.len; i++)
            x = (x ^ (unsigned char)row.data[i]) * 1099511628211ULL;
        h[r] = x;
    }
    int oom = row.oom;
    srp_buf_wipe(&row);
    if (oom) {
        free(h);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    qsort(h, n, sizeof *h, by_hash);
    *smallest = n;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && h[j] == h[i])
            j++;
        if (j - i < *smallest)
            *smallest = j - i;
        i = j;
    }
    free(h);
    if (*smallest < (size_t)w->plan.k)
        return srp_error_set_where(err, SR_ERR_STATE, "k",
                                   "the extract would not be k-anonymous: a group of %zu people "
                                   "share their quasi-identifiers, fewer than k = %d",
                                   *smallest, w->plan.k);
    return SR_OK;
}

/* ---- pass 2: the files ---------------------------------------------------------------------- */

static sr_status to_container(void *ctx, const void *data, size_t len, sr_error *err)
{
    return srp_container_write(ctx, data, len, err);
}

static int by_id(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* New random ids, unique and sorted, and a random order of the rows that
 * takes them: no order carries over from the registry. */
static sr_status shuffle(work *w, sr_error *err)
{
    size_t n = w->count;
    w->ids = malloc((n ? n : 1) * sizeof *w->ids);
    w->perm = malloc((n ? n : 1) * sizeof *w->perm);
    if (!w->ids || !w->perm)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    srp_random_bytes(w->ids, n * sizeof *w->ids);
    for (;;) {
        qsort(w->ids, n, sizeof *w->ids, by_id);
        int again = 0;
        for (size_t i = 1; i < n; i++)
            if (w->ids[i] == w->ids[i - 1]) {
                srp_random_bytes(&w->ids[i], sizeof w->ids[i]);
                again = 1;
            }
        if (!again)
            break;
    }
    for (size_t i = 0; i < n; i++)
        w->perm[i] = (uint32_t)i;
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
        size_t j = srp_random_uniform((uint32_t)i);
        uint32_t t = w->perm[i - 1];
        w->perm[i - 1] = w->perm[j];
        w->perm[j] = t;
    }
    return SR_OK;
}

/* The earliest response to a selected intake form (for relative dates). */
static sr_status intake_of(work *w, const char *code, int32_t *day, sr_error *err)
{
    *day = SRP_EXTRACT_NO_DAY;
    long long best_id = 0;
    for (size_t f = 0; f < w->plan.form_count; f++) {
        if (w->plan.forms[f].phase != SR_PHASE_INTAKE)
            continue;
        sr_status rc = read_responses(w, w->plan.forms[f].id, code, err);
        if (rc != SR_OK)
            return rc;
        for (size_t r = 0; r < w->response_count; r++) {
            const response *x = &w->responses[r];
            if (*day == SRP_EXTRACT_NO_DAY || x->day < *day ||
                (x->day == *day && x->id < best_id)) {
                *day = x->day;
                best_id = x->id;
            }
        }
    }
    return SR_OK;
}

/* The person at output position i. */
static sr_status person_at(work *w, size_t i, person *x, sr_error *err)
{
    x->row = w->perm[i];
    x->id = w->ids[i];
    x->code = w->codes + (size_t)x->row * w->code_width;
    x->intake_day = SRP_EXTRACT_NO_DAY;
    return w->plan.relative_dates ? intake_of(w, x->code, &x->intake_day, err) : SR_OK;
}

static void put_id(srp_buf *row, const person *x)
{
    unsigned char id[8];
    for (int i = 0; i < 8; i++)
        id[i] = (unsigned char)(x->id >> (56 - 8 * i));
    char hex[17];
    srp_hex_encode(hex, id, sizeof id);
    srp_buf_puts(row, hex);
}

/* Writes the row buffer into the open archive file and empties it. */
static sr_status put_row(work *w, sr_error *err)
{
    srp_buf_puts(&w->row, "\r\n");
    if (w->row.oom)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_status rc = srp_archive_write(w->archive, w->row.data, w->row.len, err);
    srp_wipe(w->row.data, w->row.len);
    w->row.len = 0;
    return rc;
}

static sr_status write_cases(work *w, int year_only, srp_dict *dict, sr_error *err)
{
    const srp_extract_plan *p = &w->plan;
    srp_buf header = SRP_BUF_INIT;
    srp_extract_codebook_start(p, dict, &header);
    for (size_t f = 0; f < p->form_count; f++)
        if (!p->forms[f].repeatable)
            srp_extract_form_columns(p, &p->forms[f], "cases.csv", &header, dict);
    srp_buf_puts(&header, "\r\n");
    sr_status rc = header.oom ? srp_error_set(err, SR_ERR_NOMEM, "out of memory") : SR_OK;
    if (rc == SR_OK)
        rc = srp_archive_begin(w->archive, "cases.csv", err);
    if (rc == SR_OK)
        rc = srp_archive_write(w->archive, header.data, header.len, err);
    srp_buf_free(&header);
    for (size_t i = 0; rc == SR_OK && i < w->count; i++) {
        person x;
        rc = person_at(w, i, &x, err);
        if (rc != SR_OK)
            break;
        put_id(&w->row, &x);
        srp_extract_render_qi(p, w->table, x.row, &w->row);
        for (size_t f = 0; rc == SR_OK && f < p->form_count; f++) {
            const srp_extract_form *fs = &p->forms[f];
            if (fs->repeatable)
                continue;
            rc = read_responses(w, fs->id, x.code, err);
            const response *r = rc == SR_OK ? latest(w) : NULL;
            if (r)
                rc = decode(w, fs, r, err);
            if (rc == SR_OK)
                srp_extract_render_items(p, fs, r ? w->answers : NULL, r ? r->day : 0, x.intake_day,
                                         year_only, &w->row);
        }
        if (rc == SR_OK)
            rc = put_row(w, err);
    }
    if (rc == SR_OK)
        rc = srp_archive_end(w->archive, err);
    return rc;
}

/* One file per repeatable form, rows by person id, then by date. */
static sr_status write_repeated(work *w, const srp_extract_form *fs, int year_only, srp_dict *dict,
                                long *rows, sr_error *err)
{
    char name[64];
    snprintf(name, sizeof name, "%ss.csv", sr_phase_name(fs->phase));
    srp_buf header = SRP_BUF_INIT;
    srp_buf_puts(&header, "person");
    srp_dict_var(dict, name, "person", "Slumpat id (som i cases.csv)",
                 "Random id (as in cases.csv)", "text", SRP_DICT_TEXT, 0, "", NULL, NULL);
    srp_extract_form_columns(&w->plan, fs, name, &header, dict);
    srp_buf_puts(&header, "\r\n");
    sr_status rc = header.oom ? srp_error_set(err, SR_ERR_NOMEM, "out of memory") : SR_OK;
    if (rc == SR_OK)
        rc = srp_archive_begin(w->archive, name, err);
    if (rc == SR_OK)
        rc = srp_archive_write(w->archive, header.data, header.len, err);
    srp_buf_free(&header);
    *rows = 0;
    for (size_t i = 0; rc == SR_OK && i < w->count; i++) {
        person x;
        rc = person_at(w, i, &x, err);
        if (rc == SR_OK)
            rc = read_responses(w, fs->id, x.code, err);
        if (rc != SR_OK)
            break;
        qsort(w->responses, w->response_count, sizeof *w->responses, by_date);
        for (size_t r = 0; rc == SR_OK && r < w->response_count; r++) {
            rc = decode(w, fs, &w->responses[r], err);
            if (rc != SR_OK)
                break;
            put_id(&w->row, &x);
            srp_extract_render_items(&w->plan, fs, w->answers, w->responses[r].day, x.intake_day,
                                     year_only, &w->row);
            rc = put_row(w, err);
            (*rows)++;
        }
    }
    if (rc == SR_OK)
        rc = srp_archive_end(w->archive, err);
    return rc;
}

static void release(work *w)
{
    srp_extract_plan *p = &w->plan;
    for (size_t f = 0; f < p->form_count; f++) {
        srp_extract_form *fs = &p->forms[f];
        for (size_t v = 0; v < fs->version_count; v++) {
            sr_form_free(fs->versions[v].form);
            free(fs->versions[v].item_map);
        }
        free(fs->versions);
        free(fs->versions_text);
        free(fs->scratch);
    }
    free(p->forms);
    free(p->qis);
    for (size_t u = 0; u < p->unit_count; u++)
        free(p->units[u]);
    free(p->units);
    for (size_t i = 0; i < w->intake_form_count; i++)
        free(w->intake_forms[i]);
    free(w->intake_forms);
    sqlite3_finalize(w->rows);
    sqlite3_finalize(w->exists);
    if (w->codes)
        srp_wipe(w->codes, w->count * w->code_width);
    free(w->codes);
    free(w->ids);
    free(w->perm);
    srp_kanon_free(w->table);
    free(w->answers);
    free(w->responses);
    srp_buf_wipe(&w->blobs);
    srp_buf_wipe(&w->row);
    srp_archive_writer_free(w->archive);
    srp_container_writer_free(w->container);
}

/* The header fields of an extract (container.h): the registry's id and a
 * signed checkpoint of its log (malloc'd JSON object text). */
static sr_status extract_header_fields(sr_registry *reg, char **out, sr_error *err)
{
    char *checkpoint = NULL;
    *out = NULL;
    sr_status rc = srp_audit_checkpoint_text(reg, &checkpoint, NULL, err);
    if (rc != SR_OK)
        return rc;
    json_t *h = json_pack("{s:s, s:s}", "registry", srp_registry_id(reg), "checkpoint", checkpoint);
    /* The signing key's epoch and chain: an evaluator who knows an older
     * key of this registry follows the rotations to the one that signs. */
    if (h && srp_signer_chain_into(srp_registry_keyring(reg), h, err) != SR_OK) {
        json_decref(h);
        free(checkpoint);
        return SR_ERR_NOMEM;
    }
    *out = h ? json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(h);
    free(checkpoint);
    return *out ? SR_OK : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
}

sr_status sr_extract(sr_registry *reg, const sr_extract_options *opt, sr_extract_report *rep,
                     sr_error *err)
{
    memset(rep, 0, sizeof *rep);
    work w;
    memset(&w, 0, sizeof w);
    w.reg = reg;
    w.db = srp_registry_db(reg);
    w.opt = opt;
    w.plan.k = opt->k ? opt->k : 5;
    w.plan.relative_dates = opt->relative_dates;
    w.blobs = (srp_buf)SRP_BUF_INIT;
    w.row = (srp_buf)SRP_BUF_INIT;
    srp_dict *dict = srp_dict_new();
    srp_buf text = SRP_BUF_INIT;
    out_file out = {-1, NULL, opt->out};
    unsigned char *pub = NULL;
    size_t pub_len = 0;
    json_t *meta = NULL, *files = json_object();
    char *meta_text = NULL, *header_extra = NULL;
    int reading = 0;
    unsigned char recipient[SRP_BOX_PUBLIC_BYTES];
    const srp_keys *keys = srp_registry_keys(reg);
    sr_status rc = sr_registry_require(reg, SR_ROLE_BIT(SR_ROLE_ADMIN), "make extracts", err);
    if (rc == SR_OK && w.plan.k < 2)
        rc = srp_error_set_where(err, SR_ERR_USAGE, "k", "k must be at least 2, not %d", w.plan.k);
    if (rc == SR_OK && !keys->has_signing)
        rc = srp_error_set(err, SR_ERR_DENIED, "this session holds no signing key");
    if (rc == SR_OK && (!files || !dict))
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK && srp_file_exists(opt->out))
        rc = srp_error_set_where(err, SR_ERR_EXISTS, "out",
                                 "'%s' already exists: not overwriting it", opt->out);
    if (rc == SR_OK)
        rc = srp_file_dir_writable(opt->out, err);
    if (rc == SR_OK)
        rc = srp_file_read_all(opt->recipient, 65536, &pub, &pub_len, err);
    if (rc == SR_OK)
        rc = srp_recipient_public_parse((const char *)pub, pub_len, recipient, err);
    /* A small page cache from here on: the checkpoint verifies the whole
     * audit log (one entry per case and more), which would fill the session's
     * cache with pages read once, and pass 2 reads by case in random order,
     * which a larger cache would not save. So memory stays the same at any
     * size of registry. */
    if (rc == SR_OK)
        rc = srp_store_set_cache(w.db, EXTRACT_CACHE_MIB, err);
    /* The header names the registry and carries a checkpoint of its log. */
    if (rc == SR_OK)
        rc = extract_header_fields(reg, &header_extra, err);
    if (rc != SR_OK)
        goto out;
    /* Both passes read one snapshot. */
    if (sqlite3_exec(w.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        rc = srp_store_fail(w.db, sqlite3_errcode(w.db), "read the registry", err);
        goto out;
    }
    reading = 1;
    rc = plan_extract(&w, err);
    if (rc == SR_OK)
        rc = srp_store_prepare(w.db, SRP_EXTRACT_SQL_ROWS, &w.rows, err);
    if (rc == SR_OK)
        rc = srp_store_prepare(w.db, SRP_EXTRACT_SQL_EXISTS, &w.exists, err);
    if (rc == SR_OK)
        rc = gather(&w, err);
    srp_kanon_result kr;
    if (rc == SR_OK)
        rc = srp_kanon_run(w.table, w.plan.k, &kr, err);
    if (rc != SR_OK)
        goto out;
    for (int level = 1; level <= kr.level; level++) {
        size_t used = strlen(rep->generalised);
        snprintf(rep->generalised + used, sizeof rep->generalised - used, "%s%d", used ? "," : "",
                 level);
    }
    rep->blanked = (long)kr.blanked;
    rep->persons = (long)w.count;
    w.plan.level = kr.level;
    int year_only = kr.level >= 2;
    size_t smallest = 0;
    rc = verify_k(&w, &smallest, err);
    if (rc == SR_OK)
        rc = shuffle(&w, err);
    if (rc != SR_OK)
        goto out;
    /* Sealed and signed as it is written. */
    rc = out_open(&out, opt->out, err);
    if (rc == SR_OK)
        rc = srp_container_writer_new_ex(recipient, keys->signing,
                                         srp_keyring_signing_public(srp_registry_keyring(reg)),
                                         header_extra, out_write, &out, &w.container, err);
    if (rc == SR_OK) {
        w.archive = srp_archive_writer_new(to_container, w.container);
        if (!w.archive)
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    if (rc == SR_OK)
        rc = write_cases(&w, year_only, dict, err);
    json_object_set_new(files, "cases.csv", json_integer((json_int_t)w.count));
    for (size_t f = 0; rc == SR_OK && f < w.plan.form_count; f++) {
        if (!w.plan.forms[f].repeatable)
            continue;
        long n = 0;
        rc = write_repeated(&w, &w.plan.forms[f], year_only, dict, &n, err);
        char name[64];
        snprintf(name, sizeof name, "%ss.csv", sr_phase_name(w.plan.forms[f].phase));
        json_object_set_new(files, name, json_integer(n));
    }
    if (rc == SR_OK && srp_dict_oom(dict))
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    /* The dictionary's files: the codebook, the value labels, the syntax. */
    static const char *const dict_files[] = {"codebook.csv", "value_labels.csv", "load_extract.R",
                                             "load_extract.do", "load_extract.sps"};
    for (size_t i = 0; rc == SR_OK && i < sizeof dict_files / sizeof *dict_files; i++) {
        text.len = 0;
        void (*render[])(const srp_dict *, srp_buf *) = {srp_dict_codebook, srp_dict_value_labels,
                                                         srp_dict_r, srp_dict_stata, srp_dict_spss};
        render[i](dict, &text);
        rc = text.oom ? srp_error_set(err, SR_ERR_NOMEM, "out of memory")
                      : srp_archive_add(w.archive, dict_files[i], text.data, text.len, err);
    }
    if (rc == SR_OK) {
        srp_extract_summary s = {w.count,  kr.blanked, kr.all_blanked, kr.cells,
                                 smallest, kr.level,   w.table,        files};
        meta = srp_extract_metadata(&w.plan, &s);
        meta_text = meta ? json_dumps(meta, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        if (!meta_text)
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    if (rc == SR_OK)
        rc = srp_archive_add(w.archive, "metadata.json", meta_text, strlen(meta_text), err);
    unsigned char h[SRP_MAC_BYTES];
    if (rc == SR_OK)
        rc = srp_container_writer_finish(w.container, h, err);
    if (rc != SR_OK)
        goto out;
    (void)sqlite3_exec(w.db, "COMMIT", NULL, NULL, NULL);
    reading = 0;
    srp_fingerprint(recipient, sizeof recipient, rep->recipient);
    srp_hex_encode(rep->file_hash, h, sizeof h);
    srp_buf sel = SRP_BUF_INIT;
    for (size_t f = 0; f < w.plan.form_count; f++)
        srp_buf_printf(&sel, "%s%s", f ? "," : "", w.plan.forms[f].id);
    srp_buf_printf(&sel, " k=%d persons=%ld blanked=%ld dates=%s recipient=%s file=%s", w.plan.k,
                   rep->persons, rep->blanked, opt->relative_dates ? "relative" : "month",
                   rep->recipient, rep->file_hash);
    char *detail = sel.oom ? NULL : srp_str_concat("forms=", srp_buf_text(&sel));
    srp_buf_free(&sel);
    if (!detail) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* Written first, logged when on disk: the log never names a file that
     * does not exist. */
    rc = out_commit(&out, err);
    if (rc == SR_OK) {
        rc = srp_registry_transaction(reg, "extract", NULL, detail, NULL, NULL, err);
        if (rc != SR_OK)
            (void)unlink(opt->out);
    }
    free(detail);
out:
    if (reading)
        (void)sqlite3_exec(w.db, "ROLLBACK", NULL, NULL, NULL);
    (void)srp_store_set_cache(w.db, SRP_STORE_CACHE_MIB, NULL);
    out_abandon(&out);
    srp_buf_wipe(&text);
    srp_dict_free(dict);
    free(pub);
    if (meta_text) {
        srp_wipe(meta_text, strlen(meta_text));
        free(meta_text);
    }
    json_decref(meta);
    json_decref(files);
    free(header_extra);
    release(&w);
    return rc;
}
