/*
 * publication.c - making a publication: which tables it holds, one
 * disclosure problem for all of them, the packages (one per recipient,
 * sealed and signed) and the audit entry. The tables are summaries of the
 * stats engine (srp_stats_job_*), run in steps so that every figure of every
 * table is a cell of the same problem: the groups of all tables are related
 * and solved together, then every figure. The same figure shown by two
 * tables is one cell (cells are merged by identity), so it is withheld alike
 * in both, and every relation of every table constrains it.
 * This module never prints and computes no figure itself.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>

#include "cellkey.h"
#include "audit_int.h"
#include "base/buffer.h"
#include "base/error.h"
#include "base/fileio.h"
#include "base/texts.h"
#include "base/timeutil.h"
#include "container.h"
#include "keyring.h"
#include "publication_int.h"
#include "signer_chain.h"
#include "registry_int.h"
#include "settings_int.h"
#include "sigreg/output.h"
#include "stats_int.h"
#include "store.h"

/* The id of the stop-gap publication signing key under the master key
 * (context "sigregmk"), apart from the ids of keyring.h: only for keyrings
 * whose slots have no signing keys of their own, and to read packages of
 * earlier releases. */
#define PUBLICATION_SUBKEY 0x7075626CULL /* "publ" */

char *srp_publication_dir(const char *db_path)
{
    char *stem = srp_path_stem(db_path);
    char *dir = stem ? srp_str_concat(stem, ".publications") : NULL;
    free(stem);
    return dir;
}

sr_status srp_publication_signer(sr_registry *reg, unsigned char pk[SRP_SIGN_PUBLIC_BYTES],
                                 sr_secret *sk, sr_error *err)
{
    const srp_keys *keys = srp_registry_keys(reg);
    if (keys->has_signing) {
        memcpy(sr_secret_data(sk), keys->signing, SRP_SIGN_SECRET_BYTES);
        memcpy(pk, srp_keyring_signing_public(srp_registry_keyring(reg)), SRP_SIGN_PUBLIC_BYTES);
        return SR_OK;
    }
    /* A coordinator's own signing key, which the signed keyring certifies
     * (every slot of a keyring of this format has one). */
    if (srp_registry_user_sign_public(reg, NULL, pk, NULL) == SR_OK &&
        srp_keyring_slot_sign_secret(srp_registry_slot_secret(reg), sr_secret_data(sk), NULL) ==
            SR_OK)
        return SR_OK;
    /* The stop-gap of keyrings before users' signing keys: every slot holds
     * the master key it derives from, so it is no longer made where the
     * keyring certifies a key of the publisher's own. */
    unsigned char seed[SRP_KEY_BYTES];
    srp_keys_master_subkey(keys, 0, PUBLICATION_SUBKEY, seed);
    int bad = srp_sign_seed_keypair(pk, sr_secret_data(sk), seed);
    srp_wipe(seed, sizeof seed);
    return bad ? srp_error_set(err, SR_ERR_CRYPTO, "cannot make the publication signing key")
               : SR_OK;
}

/* "publisher_certificate": the registry signing key's certificate of the
 * publisher's own key (keyring.h), with what it signs, so that a reader
 * without the registry checks the package against the registry's key and
 * its chain ("signer_chain"). Nothing for a slot signed before
 * certificates: the reader then pins the publisher's key as before. */
static sr_status certificate_into(sr_registry *reg, json_t *head, sr_error *err)
{
    srp_keyring *kr = srp_registry_keyring(reg);
    const char *user = sr_registry_user(reg);
    const unsigned char *cert = srp_keyring_publisher_cert(kr, user);
    const unsigned char *pk = srp_keyring_user_sign_public(kr, user);
    const char *const *units = NULL;
    size_t n = 0;
    if (!cert || !pk || srp_keyring_user_units(kr, user, &units, &n) != 0)
        return SR_OK;
    sr_role role = SR_ROLE_ANALYST;
    (void)srp_keyring_find_user(kr, user, &role);
    char *key = srp_base64_encode(pk, SRP_SIGN_PUBLIC_BYTES);
    char *sig = srp_base64_encode(cert, SRP_SIGNATURE_BYTES);
    json_t *list = json_array();
    int bad = !key || !sig || !list;
    for (size_t i = 0; i < n && !bad; i++)
        bad |= json_array_append_new(list, json_string(units[i])) != 0;
    json_t *c = bad ? NULL
                    : json_pack("{s:s, s:s, s:O, s:s, s:I, s:s}", "user", user, "role",
                                sr_role_name(role), "units", list, "key", key, "signing_epoch",
                                (json_int_t)srp_keyring_signing_epoch(kr), "signature", sig);
    json_decref(list);
    free(key);
    free(sig);
    if (!c || json_object_set_new(head, "publisher_certificate", c) != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    return SR_OK;
}

int srp_publication_signer_trusted(sr_registry *reg, const char *fingerprint)
{
    char fp[SRP_FINGERPRINT_HEX];
    srp_keyring *kr = srp_registry_keyring(reg);
    srp_fingerprint(srp_keyring_signing_public(kr), SRP_SIGN_PUBLIC_BYTES, fp);
    if (strcmp(fp, fingerprint) == 0)
        return 1;
    /* The own key of a user who may publish, as the signed keyring has it. */
    for (size_t i = 0; i < srp_keyring_user_count(kr); i++) {
        const char *name = NULL, *profile = NULL;
        sr_role role;
        srp_keyring_user_at(kr, i, &name, &role, &profile);
        const unsigned char *pk = srp_keyring_user_sign_public(kr, name);
        if (!pk || role == SR_ROLE_ANALYST)
            continue;
        srp_fingerprint(pk, SRP_SIGN_PUBLIC_BYTES, fp);
        if (strcmp(fp, fingerprint) == 0)
            return 1;
    }
    /* Packages of earlier releases, signed with the stop-gap key. */
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES], seed[SRP_KEY_BYTES];
    sr_secret *sk = sr_secret_new(SRP_SIGN_SECRET_BYTES);
    if (!sk)
        return 0;
    srp_keys_master_subkey(srp_registry_keys(reg), 0, PUBLICATION_SUBKEY, seed);
    int bad = srp_sign_seed_keypair(pk, sr_secret_data(sk), seed);
    srp_wipe(seed, sizeof seed);
    sr_secret_free(sk);
    if (bad)
        return 0;
    srp_fingerprint(pk, sizeof pk, fp);
    return strcmp(fp, fingerprint) == 0;
}

/* ---- the directory ---- */

/* Rows of sql as JSON arrays (text and integer columns) into arr. */
static sr_status rows_into(sqlite3 *db, const char *sql, json_t *arr, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    sr_status rc = srp_store_prepare(db, sql, &st, err);
    int src;
    while (rc == SR_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = json_array();
        int bad = !row;
        for (int c = 0; !bad && c < sqlite3_column_count(st); c++)
            bad |= json_array_append_new(
                row, sqlite3_column_type(st, c) == SQLITE_INTEGER
                         ? json_integer((json_int_t)sqlite3_column_int64(st, c))
                         : json_string((const char *)sqlite3_column_text(st, c)));
        if (bad || json_array_append_new(arr, row) != 0)
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read the registry's directory", err);
    sqlite3_finalize(st);
    return rc;
}

/* What an analyst's session reads instead of the database, which it has no
 * key to (registry_int.h): the units, the installed forms and the settings
 * that summaries depend on. None of it is about a person. */
static sr_status add_directory(sr_registry *reg, json_t *doc, sr_error *err)
{
    sqlite3 *db = srp_registry_db(reg);
    json_t *units = json_array(), *forms = json_array(), *meta = json_array();
    json_t *dir = json_object();
    sr_status rc =
        units && forms && meta && dir ? SR_OK : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK)
        rc = rows_into(db, "SELECT code, name, created_at FROM units ORDER BY code", units, err);
    if (rc == SR_OK)
        rc = rows_into(db,
                       "SELECT id, version, phase, repeatable, title, definition, digest, "
                       "installed_at FROM forms ORDER BY id, version",
                       forms, err);
    if (rc == SR_OK)
        rc = rows_into(db,
                       "SELECT key, value FROM meta WHERE key IN ('registry_id', 'created_at', "
                       "'min_cell', 'method', 'ptable_d', 'ptable_v', 'ptable_js') ORDER BY key",
                       meta, err);
    if (rc == SR_OK &&
        (json_object_set(dir, "units", units) != 0 || json_object_set(dir, "forms", forms) != 0 ||
         json_object_set(dir, "settings", meta) != 0 ||
         json_object_set(doc, "directory", dir) != 0))
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    json_decref(units);
    json_decref(forms);
    json_decref(meta);
    json_decref(dir);
    return rc;
}

/* ---- what the publication holds ---- */

/* One table: a summary query. Strings are the build's. */
typedef struct spec {
    const char *form;
    const char *by;
    const char *unit; /* NULL: every unit of the registry */
    const char *status;
    int change;
} spec;

typedef struct build {
    sr_registry *reg;
    char **units; /* the units published */
    size_t unit_count;
    int all; /* also tables of every unit together (an admin's whole registry) */
    char **forms;
    size_t form_count;
    const char *period;
    int min_cell;
    spec *specs;
    size_t spec_count, spec_cap;
    json_t *tables; /* every table of both languages */
    size_t figures, withheld, table_count;
    long persons_hidden;
    size_t released, narrow, lp_solves;
    int audit_failed;
} build;

static void free_strings(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

static sr_status collect(sqlite3 *db, const char *sql, const char *bind, char ***items,
                         size_t *count, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    sr_status rc = srp_store_prepare(db, sql, &st, err);
    if (rc != SR_OK)
        return rc;
    if (bind)
        sqlite3_bind_text(st, 1, bind, -1, SQLITE_STATIC);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (srp_grow((void **)items, &cap, *count + 1, sizeof **items) != 0 ||
            !((*items)[*count] = strdup((const char *)sqlite3_column_text(st, 0)))) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            break;
        }
        (*count)++;
    }
    if (rc == SR_OK && src != SQLITE_DONE)
        rc = srp_store_fail(db, src, "read the registry", err);
    sqlite3_finalize(st);
    return rc;
}

static int has_string(char *const *items, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i], s) == 0)
            return 1;
    return 0;
}

/* The units published: those asked for, each one the user may see, or
 * every one the user may see. */
static sr_status choose_units(build *b, const sr_publish_options *o, sr_error *err)
{
    sqlite3 *db = srp_registry_db(b->reg);
    char **all = NULL, **mine = NULL;
    size_t all_n = 0, mine_n = 0;
    int admin = sr_registry_role(b->reg) == SR_ROLE_ADMIN;
    sr_status rc = collect(db, "SELECT code FROM units ORDER BY code", NULL, &all, &all_n, err);
    if (rc == SR_OK && !admin)
        rc = collect(db, "SELECT unit FROM temp.keyring_units WHERE user = ?1 ORDER BY unit",
                     sr_registry_user(b->reg), &mine, &mine_n, err);
    char **may = admin ? all : mine;
    size_t may_n = admin ? all_n : mine_n;
    size_t cap = 0;
    for (size_t i = 0; rc == SR_OK && i < (o->unit_count ? o->unit_count : may_n); i++) {
        const char *u = o->unit_count ? o->units[i] : may[i];
        if (!has_string(all, all_n, u))
            rc = srp_error_set_where(err, SR_ERR_NOT_FOUND, "unit", "no unit '%s'", u);
        else if (!has_string(may, may_n, u))
            rc = srp_error_set_where(err, SR_ERR_DENIED, "unit",
                                     "user '%s' does not work in unit '%s'",
                                     sr_registry_user(b->reg), u);
        else if (has_string(b->units, b->unit_count, u))
            continue;
        else if (srp_grow((void **)&b->units, &cap, b->unit_count + 1, sizeof *b->units) != 0 ||
                 !(b->units[b->unit_count] = strdup(u)))
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        else
            b->unit_count++;
    }
    if (rc == SR_OK && b->unit_count == 0)
        rc = srp_error_set_where(err, SR_ERR_NOT_FOUND, "unit", "there is no unit to publish");
    /* Tables of the units together only when they are the whole registry. */
    b->all = rc == SR_OK && admin && b->unit_count == all_n && all_n > 1;
    free_strings(all, all_n);
    free_strings(mine, mine_n);
    return rc;
}

static int add_spec(build *b, const char *form, const char *by, const char *unit,
                    const char *status, int change)
{
    if (srp_grow((void **)&b->specs, &b->spec_cap, b->spec_count + 1, sizeof *b->specs) != 0)
        return -1;
    b->specs[b->spec_count++] = (spec){form, by, unit, status, change};
    return 0;
}

/* Every form: overall, by sex, age band, period (and unit), by status, the
 * change table; the case flow overall, by period, by age band (and unit):
 * what the report's key figures need. One period
 * only, so that no table's period is a sum of another's. */
static int plan(build *b)
{
    size_t scopes = b->unit_count + (size_t)b->all;
    for (size_t k = 0; k < scopes; k++) {
        const char *unit = k < b->unit_count ? b->units[k] : NULL;
        for (size_t f = 0; f < b->form_count; f++) {
            const char *form = b->forms[f];
            const char *bys[] = {NULL, "sex", "age_band", b->period, unit ? NULL : "unit"};
            for (size_t i = 0; i < sizeof bys / sizeof *bys; i++)
                if ((i == 0 || bys[i]) && add_spec(b, form, bys[i], unit, NULL, 0) != 0)
                    return -1;
            if (add_spec(b, form, NULL, unit, "open", 0) != 0 ||
                add_spec(b, form, NULL, unit, "closed", 0) != 0 ||
                add_spec(b, form, NULL, unit, NULL, 1) != 0)
                return -1;
        }
        if (add_spec(b, "cases", NULL, unit, NULL, 0) != 0 ||
            add_spec(b, "cases", b->period, unit, NULL, 0) != 0 ||
            add_spec(b, "cases", "age_band", unit, NULL, 0) != 0 ||
            (!unit && add_spec(b, "cases", "unit", unit, NULL, 0) != 0))
            return -1;
    }
    return 0;
}

/* ---- one table as JSON ---- */

static int set_number(json_t *o, const char *key, int has, json_t *value)
{
    if (!value)
        return -1;
    if (!has) {
        json_decref(value);
        value = json_null();
    }
    return json_object_set_new(o, key, value);
}

static json_t *row_json(const sr_stats_row *r)
{
    json_t *o =
        json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:s?, s:b, s:i, s:s?, s:s?}", "item",
                  r->item, "item_label", r->item_label, "by0", r->by[0], "by0_label",
                  r->by_label[0], "by1", r->by[1], "by1_label", r->by_label[1], "value", r->value,
                  "value_label", r->value_label, "suppressed", r->suppressed, "reason", r->reason,
                  "unit_of_count", r->unit_of_count, "unit_of_count_label", r->unit_of_count_label);
    if (!o || set_number(o, "count", r->has_count, json_integer(r->count)) != 0 ||
        set_number(o, "denominator", r->has_denominator, json_integer(r->denominator)) != 0 ||
        set_number(o, "percent", r->has_percent, json_real(r->percent)) != 0 ||
        set_number(o, "estimate", r->has_estimate, json_real(r->estimate)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *table_json(const spec *sp, const sr_stats *s)
{
    json_t *rows = json_array(), *notes = json_array();
    int bad = !rows || !notes;
    for (size_t i = 0; !bad && i < sr_stats_row_count(s); i++)
        bad = json_array_append_new(rows, row_json(sr_stats_row_at(s, i))) != 0;
    for (size_t i = 0; !bad && i < sr_stats_note_count(s); i++)
        bad = json_array_append_new(notes, json_string(sr_stats_note(s, i))) != 0;
    if (bad) {
        json_decref(rows);
        json_decref(notes);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:b, s:i, s:o, s:o}", "form", sp->form,
                     "title", sr_stats_form_title(s), "versions", sr_stats_versions(s), "lang",
                     sr_stats_lang(s), "by", sp->by, "unit", sp->unit, "status", sp->status,
                     "change", sp->change, "min_cell", sr_stats_min_cell(s), "notes", notes, "rows",
                     rows);
}

/* ---- one problem for every table ---- */

/* Whether a table cannot be made of this form (an item it lacks, a change
 * table of the intake): then it is not part of the publication. */
static int not_applicable(const sr_error *e)
{
    return e->status == SR_ERR_USAGE &&
           (strcmp(e->where, "by") == 0 || strcmp(e->where, "change") == 0);
}

static int by_unit(const spec *sp)
{
    return sp->by && strcmp(sp->by, "unit") == 0;
}

/* The table that table i's groups along its dimension dim (a name: "unit"
 * for a unit's table or the one by unit, "status", or its --by) add up to:
 * its spec without that dimension; -1 when there is none. Its figures are
 * then the cells of those sums (srp_stats_engine.total_along), the parts
 * and their total. */
static long total_along_of(const build *b, srp_stats_job *const *jobs, size_t i, const char *dim)
{
    const spec *p = &b->specs[i];
    spec want = *p;
    if (strcmp(dim, "unit") == 0 && (p->unit || by_unit(p))) {
        want.unit = NULL;
        if (by_unit(p))
            want.by = NULL;
    } else if (strcmp(dim, "status") == 0 && p->status) {
        want.status = NULL;
    } else if (p->by && !by_unit(p) && strcmp(dim, p->by) == 0) {
        want.by = NULL;
    } else {
        return -1;
    }
    for (size_t t = 0; t < b->spec_count; t++) {
        const spec *q = &b->specs[t];
        if (jobs[t] && strcmp(q->form, want.form) == 0 && q->change == want.change &&
            srp_str_same(q->status, want.status) && srp_str_same(q->by, want.by) &&
            srp_str_same(q->unit, want.unit))
            return (long)t;
    }
    return -1;
}

/* Whether every table that job's dimensions add up to is done. */
static int totals_done(const srp_stats_job *job, srp_stats_job *const *jobs,
                       const unsigned char *done, size_t count)
{
    for (int d = 0; d < job->e.dim_count; d++)
        for (size_t t = 0; job->e.total_along[d] && t < count; t++)
            if (jobs[t] == job->e.total_along[d] && !done[t])
                return 0;
    return 1;
}

/* The order the tables are protected in: each after the tables its sums
 * are cells of (total_along), into order[]. Returns how many are ordered
 * (every table: the specs make no cycle), or (size_t)-1 on OOM. */
static size_t protection_order(const build *b, srp_stats_job *const *jobs, size_t *order)
{
    unsigned char *done = calloc(b->spec_count + 1, 1);
    if (!done)
        return (size_t)-1;
    size_t n = 0;
    for (int progress = 1; progress;) {
        progress = 0;
        for (size_t i = 0; i < b->spec_count; i++)
            if (jobs[i] && !done[i] && totals_done(jobs[i], jobs, done, b->spec_count)) {
                done[i] = 1;
                order[n++] = i;
                progress = 1;
            }
    }
    free(done);
    return n;
}

/* The languages of the labels, the first the one whose report counts. */
static const char *const languages[] = {"sv", "en"};
#define LANGUAGES (sizeof languages / sizeof *languages)

/* Whether two jobs of one table in two languages have the same groups and
 * variables: then the second can be finished with the first's layout (the
 * cells of the one solved problem). Always so, as groups are keyed by
 * codes and merged by counts, never by labels; checked all the same, since
 * a figure under another's label must never be published. */
static int same_structure(const srp_stats_job *a, const srp_stats_job *b)
{
    if (a->s.count != b->s.count || a->e.var_count != b->e.var_count)
        return 0;
    for (size_t i = 0; i < a->s.count; i++)
        if (a->s.items[i].identity != b->s.items[i].identity ||
            a->s.items[i].people != b->s.items[i].people)
            return 0;
    for (size_t j = 0; j < a->e.var_count; j++)
        if (a->e.vars[j].ncodes != b->e.vars[j].ncodes)
            return 0;
    return 1;
}

/* One table's job in a language: prepared (checked, set up, scanned). A
 * table that cannot be made of its form (not_applicable) leaves the job
 * NULL and is no error. */
static sr_status prepare_job(build *b, const spec *sp, const char *lang, srp_stats_job **job,
                             sr_error *err)
{
    sr_stats_query q = {sp->form, {sp->by, NULL}, sp->unit,   sp->status, NULL,
                        NULL,     b->min_cell,    sp->change, lang};
    sr_error local;
    memset(&local, 0, sizeof local);
    *job = malloc(sizeof **job);
    if (!*job)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_status rc = srp_stats_job_prepare(b->reg, &q, SRP_JOB_RAISE, *job, &local);
    if (rc == SR_OK)
        return SR_OK;
    srp_stats_job_release(*job);
    free(*job);
    *job = NULL;
    if (not_applicable(&local))
        return SR_OK;
    if (err && err->status == SR_OK)
        *err = local;
    return rc;
}

/* The rows and notes of a prepared job, from the solved problem, as one more
 * table of the publication; count: into the publication's figures. */
static sr_status finish_job(build *b, const spec *sp, srp_stats_job *job, srp_sdc *cells,
                            const char *lang, int count, sr_error *err)
{
    sr_status rc = srp_stats_job_finish(job, cells, err);
    if (rc != SR_OK)
        return rc;
    const sr_stats *s = job->r;
    if (srp_stats_add_note(job->r, srp_texts_get(SRP_T_PUB_PROTECTED, lang)) != 0 ||
        json_array_append_new(b->tables, table_json(sp, s)) != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (count) {
        b->table_count++;
        for (size_t k = 0; k < sr_stats_row_count(s); k++) {
            b->figures++;
            b->withheld += sr_stats_row_at(s, k)->suppressed != 0;
        }
    }
    return SR_OK;
}

/* Every table in every language, from one disclosure problem: the tables
 * of the first language are laid out as its cells and solved; those of the
 * others (their labels: the figures are the same) are finished with the
 * first one's layouts, so the problem is solved once, not once per
 * language. */
static sr_status run_tables(build *b, sr_error *err)
{
    srp_stats_job **jobs = calloc(LANGUAGES * b->spec_count + 1, sizeof *jobs);
    srp_sdc *groups = srp_sdc_new(b->min_cell), *cells = srp_sdc_new(b->min_cell);
    srp_idmap *group_map = srp_idmap_new(), *cell_map = srp_idmap_new();
    sr_status rc = jobs && groups && cells && group_map && cell_map
                       ? SR_OK
                       : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    /* jobs[l * spec_count + i]: table i in language l. */
    srp_stats_job **first = jobs;
    /* Thinned as every problem is (srp_sdc_new's default): a secondary
     * cell is published back only when every protected cell keeps an
     * interval as wide as required, and one that cannot have it (narrow)
     * as wide as it had, so no narrow cell becomes exact (it once did,
     * 8 - 5 = 3, when thinning published beside narrow cells). */
    for (size_t i = 0; rc == SR_OK && i < b->spec_count; i++) {
        const spec *sp = &b->specs[i];
        rc = prepare_job(b, sp, languages[0], &first[i], err);
        for (size_t l = 1; rc == SR_OK && first[i] && l < LANGUAGES; l++) {
            srp_stats_job **other = &jobs[l * b->spec_count + i];
            rc = prepare_job(b, sp, languages[l], other, err);
            if (rc == SR_OK && (!*other || !same_structure(first[i], *other)))
                rc = srp_error_set(err, SR_ERR_STATE,
                                   "the tables of a publication differ between languages: "
                                   "nothing is published");
        }
        if (rc != SR_OK || !first[i])
            continue;
        srp_stats_engine *e = &first[i]->e;
        e->group_map = group_map;
        e->cell_map = cell_map;
        e->salt = srp_stats_table_salt(sp->form, sp->change);
    }
    /* Each table's sums along a dimension are the cells of the table
     * without it, which is protected first. */
    size_t tables = 0, ordered = 0, *order = calloc(b->spec_count + 1, sizeof *order);
    if (rc == SR_OK && !order)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == SR_OK && i < b->spec_count; i++) {
        srp_stats_engine *e = first[i] ? &first[i]->e : NULL;
        for (int d = 0; e && d < e->dim_count; d++) {
            long t = total_along_of(b, first, i, e->dims[d].name);
            e->total_along[d] = t >= 0 && (size_t)t != i ? first[t] : NULL;
        }
        tables += e != NULL;
    }
    if (rc == SR_OK && (ordered = protection_order(b, first, order)) != tables)
        rc = ordered == (size_t)-1 ? srp_error_set(err, SR_ERR_NOMEM, "out of memory")
                                   : srp_error_set(err, SR_ERR_STATE,
                                                   "the tables of a publication add up in a "
                                                   "circle: nothing is published");
    for (size_t k = 0; rc == SR_OK && k < ordered; k++) {
        srp_stats_job *job = first[order[k]];
        if (srp_stats_protect_groups(&job->e, &job->s, groups, &job->lay) != 0)
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    /* Under the cell-key method nothing is withheld for its count: nothing
     * to solve (the jobs perturb their counts, cellkey.h). */
    int cell_key = 0;
    for (size_t i = 0; jobs && i < b->spec_count; i++)
        cell_key |= first[i] && first[i]->e.ck;
    if (rc == SR_OK && !cell_key)
        srp_sdc_solve_linked(groups);
    for (size_t k = 0; rc == SR_OK && k < ordered; k++) {
        srp_stats_job *job = first[order[k]];
        if (srp_stats_protect_figures(&job->e, &job->s, cells, groups, &job->lay) != 0)
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    if (rc == SR_OK && !cell_key)
        srp_sdc_solve_linked(cells);
    if (rc == SR_OK) { /* what the one problem hid, and why */
        srp_sdc_report sr;
        srp_sdc_report_of(cells, &sr);
        b->persons_hidden = sr.persons_hidden;
        b->released = sr.released;
        b->narrow = sr.narrow;
        b->lp_solves = sr.lp_solves;
        b->audit_failed = sr.audit_failed;
        if (sr.audit_failed)
            rc = srp_error_set(err, SR_ERR_STATE,
                               "the disclosure audit of the publication failed: nothing is "
                               "published");
    }
    /* Every table of a language before the next language's, as before. The
     * other languages' jobs take the first one's layout in turn. */
    for (size_t l = 0; rc == SR_OK && l < LANGUAGES; l++)
        for (size_t i = 0; rc == SR_OK && i < b->spec_count; i++) {
            srp_stats_job *job = jobs[l * b->spec_count + i];
            if (!job)
                continue;
            if (l > 0) {
                srp_layout moved = job->lay;
                job->lay = jobs[(l - 1) * b->spec_count + i]->lay;
                jobs[(l - 1) * b->spec_count + i]->lay = moved;
            }
            rc = finish_job(b, &b->specs[i], job, cells, languages[l], l == 0, err);
        }
    for (size_t k = 0; jobs && k < LANGUAGES * b->spec_count; k++)
        if (jobs[k]) {
            srp_stats_job_release(jobs[k]);
            free(jobs[k]);
        }
    free(jobs);
    free(order);
    srp_sdc_free(groups);
    srp_sdc_free(cells);
    srp_idmap_free(group_map);
    srp_idmap_free(cell_map);
    return rc;
}

/* ---- packages ---- */

typedef struct recipient {
    char name[SRP_FINGERPRINT_HEX]; /* a user name (at most SR_USER_NAME_MAX) or a fingerprint */
    int analyst;
    unsigned char pk[SRP_BOX_PUBLIC_BYTES];
    char **units; /* an analyst's units (none: every unit) */
    size_t unit_count;
} recipient;

/* Whether a table goes to r: an evaluator gets every table, an analyst those
 * of their units (of every unit together only when they have none). */
static int table_for(const recipient *r, json_t *table)
{
    if (!r->analyst || r->unit_count == 0)
        return 1;
    const char *unit = json_string_value(json_object_get(table, "unit"));
    return unit && has_string(r->units, r->unit_count, unit);
}

/* Appends the publisher's own signature line to *text (a new string in its
 * place); a keyring from before users had signing keys gets none. */
static sr_status sign_as_publisher(sr_registry *reg, char **text, sr_error *err)
{
    unsigned char sig[SRP_SIGNATURE_BYTES];
    sr_error local;
    memset(&local, 0, sizeof local);
    sr_status rc = srp_registry_user_sign(reg, *text, strlen(*text), sig, &local);
    if (rc == SR_ERR_STATE)
        return SR_OK;
    if (rc != SR_OK) {
        if (err && err->status == SR_OK)
            *err = local;
        return rc;
    }
    char *b64 = srp_base64_encode(sig, sizeof sig);
    srp_buf out = SRP_BUF_INIT;
    srp_buf_puts(&out, *text);
    srp_buf_puts(&out, SRP_PUBLICATION_SIG_PREFIX);
    srp_buf_puts(&out, b64 ? b64 : "");
    free(b64);
    if (!b64 || out.oom) {
        srp_buf_wipe(&out);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    srp_wipe(*text, strlen(*text));
    free(*text);
    *text = srp_buf_take(&out);
    return SR_OK;
}

static sr_status write_package(build *b, const recipient *r, json_t *head, const char *dir,
                               unsigned long seq, const unsigned char *sign_pk,
                               const sr_secret *sign_sk, srp_buf *written, size_t *packages,
                               sr_error *err)
{
    json_t *tables = json_array(), *doc = json_deep_copy(head);
    unsigned char *sealed = NULL;
    size_t sealed_len = 0, n = 0;
    char *text = NULL, *path = NULL;
    sr_status rc = tables && doc ? SR_OK : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == SR_OK && i < json_array_size(b->tables); i++) {
        json_t *t = json_array_get(b->tables, i);
        if (!table_for(r, t))
            continue;
        n++;
        if (json_array_append(tables, t) != 0)
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    if (rc != SR_OK || n == 0)
        goto out;
    json_t *who = r->analyst ? json_pack("{s:s, s:s}", "kind", "analyst", "user", r->name)
                             : json_pack("{s:s, s:s}", "kind", "evaluator", "fingerprint", r->name);
    if (json_object_set_new(doc, "recipient", who) != 0 ||
        json_object_set(doc, "tables", tables) != 0 ||
        !(text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = sign_as_publisher(b->reg, &text, err);
    if (rc != SR_OK)
        goto out;
    rc = srp_container_seal((const unsigned char *)text, strlen(text), r->pk,
                            sr_secret_cdata(sign_sk), sign_pk, &sealed, &sealed_len, err);
    if (rc != SR_OK)
        goto out;
    srp_buf name = SRP_BUF_INIT;
    srp_buf_printf(&name, "%s/%06lu-%.16s%s", dir, seq, r->name, SRP_PUBLICATION_EXT);
    path = name.oom ? NULL : srp_buf_take(&name);
    srp_buf_free(&name);
    if (!path) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* Into the registry's own folder of packages, where no output goes
     * (sigreg/output.h), by a name of its own (the folder's next number). */
    rc = srp_file_exists(path)
             ? srp_error_set_where(err, SR_ERR_EXISTS, path, "'%s' exists already", path)
             : srp_file_write_atomic(path, sealed, sealed_len, err);
    if (rc == SR_OK) {
        srp_buf_printf(written, "%s\t%s\n", r->name, path);
        (*packages)++;
    }
out:
    if (text) {
        srp_wipe(text, strlen(text));
        free(text);
    }
    free(sealed);
    free(path);
    json_decref(tables);
    json_decref(doc);
    return rc;
}

/* The next sequence number of the folder's packages (the newest is the
 * highest), making the folder when it is missing. */
static sr_status next_sequence(const char *dir, unsigned long *seq, sr_error *err)
{
    *seq = 1;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return srp_error_set_where(err, SR_ERR_IO, "out", "cannot create '%s': %s", dir,
                                   strerror(errno));
    DIR *d = opendir(dir);
    if (!d)
        return srp_error_set_where(err, SR_ERR_IO, "out", "cannot read '%s': %s", dir,
                                   strerror(errno));
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        char *end = NULL;
        unsigned long n = strtoul(ent->d_name, &end, 10);
        if (end != ent->d_name && *end == '-' && n >= *seq)
            *seq = n + 1;
    }
    closedir(d);
    return SR_OK;
}

static sr_status load_recipients(build *b, const sr_publish_options *o, recipient **out,
                                 size_t *count, sr_error *err)
{
    srp_keyring *kr = srp_registry_keyring(b->reg);
    size_t cap = 0;
    sr_status rc = SR_OK;
    for (size_t i = 0; rc == SR_OK && i < srp_keyring_user_count(kr); i++) {
        const char *name = NULL, *profile = NULL;
        sr_role role;
        srp_keyring_user_at(kr, i, &name, &role, &profile);
        const unsigned char *pk = srp_keyring_user_public(kr, name);
        if (role != SR_ROLE_ANALYST || !pk)
            continue;
        if (srp_grow((void **)out, &cap, *count + 1, sizeof **out) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        recipient *r = &(*out)[(*count)++];
        memset(r, 0, sizeof *r);
        snprintf(r->name, sizeof r->name, "%s", name);
        r->analyst = 1;
        memcpy(r->pk, pk, sizeof r->pk);
        rc = collect(srp_registry_db(b->reg),
                     "SELECT unit FROM temp.keyring_units WHERE user = ?1 ORDER BY unit", name,
                     &r->units, &r->unit_count, err);
    }
    for (size_t i = 0; rc == SR_OK && i < o->recipient_count; i++) {
        unsigned char *text = NULL;
        size_t len = 0;
        if (srp_grow((void **)out, &cap, *count + 1, sizeof **out) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        recipient *r = &(*out)[*count];
        memset(r, 0, sizeof *r);
        rc = srp_file_read_all(o->recipients[i], 65536, &text, &len, err);
        if (rc == SR_OK)
            rc = srp_recipient_public_parse((const char *)text, len, r->pk, err);
        free(text);
        if (rc != SR_OK) {
            srp_error_where(err, "recipient");
            break;
        }
        srp_fingerprint(r->pk, sizeof r->pk, r->name);
        (*count)++;
    }
    return rc;
}

static sr_status audit_publish(build *b, const sr_publish_report *rep, sr_error *err)
{
    srp_buf d = SRP_BUF_INIT;
    srp_buf_printf(&d, "units=");
    for (size_t i = 0; i < b->unit_count; i++)
        srp_buf_printf(&d, "%s%s", i ? "," : "", b->units[i]);
    srp_buf_printf(&d, " periods=%s min_cell=%d tables=%zu figures=%zu withheld=%zu packages=%zu",
                   b->period, b->min_cell, rep->tables, rep->figures, rep->withheld, rep->packages);
    /* The recipients, by user name or key fingerprint (never a path). */
    srp_buf_puts(&d, " recipients=");
    for (const char *p = rep->written; p && *p;) {
        const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
        if (!tab || !nl)
            break;
        srp_buf_printf(&d, "%s%.*s", p == rep->written ? "" : ",", (int)(tab - p), p);
        p = nl + 1;
    }
    sr_status rc = d.oom ? srp_error_set(err, SR_ERR_NOMEM, "out of memory")
                         : srp_registry_transaction(b->reg, "publish", NULL, srp_buf_text(&d), NULL,
                                                    NULL, err);
    srp_buf_free(&d);
    return rc;
}

sr_status sr_publish(sr_registry *reg, const sr_publish_options *o, sr_publish_report *rep,
                     sr_error *err)
{
    memset(rep, 0, sizeof *rep);
    build b;
    memset(&b, 0, sizeof b);
    b.reg = reg;
    b.period = o->periods ? o->periods : "year";
    recipient *rcp = NULL;
    size_t rcp_count = 0;
    json_t *head = NULL;
    char *dir = NULL;
    sr_secret *sign_sk = NULL;
    srp_buf written = SRP_BUF_INIT;
    sr_status rc = SR_OK;
    if (sr_registry_role(reg) == SR_ROLE_ANALYST) {
        rc = srp_error_set(err, SR_ERR_DENIED, "analysts read publications, they do not make them");
        goto out;
    }
    if (strcmp(b.period, "year") != 0 && strcmp(b.period, "half") != 0 &&
        strcmp(b.period, "quarter") != 0) {
        rc = srp_error_set_where(err, SR_ERR_USAGE, "periods",
                                 "'%s' is not a period: year, half or quarter", b.period);
        goto out;
    }
    /* The registry's floor, which a publication may raise for all its
     * tables (the same rule as a live summary's, which may not). */
    rc = srp_settings_min_cell_for(reg, o->min_cell, 1, &b.min_cell, err);
    if (rc != SR_OK)
        goto out;
    rc = choose_units(&b, o, err);
    if (rc == SR_OK)
        rc = collect(srp_registry_db(reg), "SELECT DISTINCT id FROM forms ORDER BY id", NULL,
                     &b.forms, &b.form_count, err);
    if (rc == SR_OK)
        rc = load_recipients(&b, o, &rcp, &rcp_count, err);
    if (rc != SR_OK)
        goto out;
    b.tables = json_array();
    if (!b.tables || plan(&b) != 0) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* Labels in both languages; the figures are the same (the problem and
     * its solution do not depend on the labels). */
    rc = run_tables(&b, err);
    if (rc != SR_OK)
        goto out;
    srp_time_now_iso(rep->published_at, sizeof rep->published_at);
    rep->min_cell = b.min_cell;
    rep->tables = b.table_count;
    rep->figures = b.figures;
    rep->withheld = b.withheld;
    rep->persons_hidden = b.persons_hidden;
    rep->released = b.released;
    rep->narrow = b.narrow;
    rep->lp_solves = b.lp_solves;
    json_t *units = json_array();
    for (size_t i = 0; units && i < b.unit_count; i++)
        if (json_array_append_new(units, json_string(b.units[i])) != 0) {
            json_decref(units);
            units = NULL;
        }
    srp_keyring *kr = srp_registry_keyring(reg);
    /* The audit log's signed checkpoint (its last line SEQ:HEAD) as it was
     * when the publication was made, signed with the publisher's own key
     * (a coordinator's as well as an admin's); null only for a slot that
     * holds no signing key of its own and no registry signing key (a
     * coordinator's slot of an earlier release, before an admin upgraded
     * the keyring). */
    char *checkpoint = NULL;
    int64_t checkpoint_seq = 0;
    srp_audit_signer probe;
    const char *probe_user = NULL;
    sr_error cerr;
    memset(&cerr, 0, sizeof cerr);
    sr_status crc = srp_registry_checkpoint_signer(reg, &probe, &probe_user)
                        ? srp_audit_checkpoint_text(reg, &checkpoint, &checkpoint_seq, &cerr)
                        : SR_OK;
    if (crc != SR_OK) {
        json_decref(units);
        rc = crc;
        if (err && err->status == SR_OK)
            *err = cerr;
        goto out;
    }
    head = units
               ? json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:i, s:s?}", "format",
                           SR_PUBLICATION_FORMAT, "registry_id", srp_keyring_registry_id(kr),
                           "published_at", rep->published_at, "published_by", sr_registry_user(reg),
                           "publisher_role", sr_role_name(sr_registry_role(reg)), "units", units,
                           "periods", b.period, "min_cell", b.min_cell, "checkpoint", checkpoint)
               : NULL;
    free(checkpoint);
    /* The registry signing key's epoch and chain (a reader who knows an
     * older key follows the rotations), and the publisher's own key, whose
     * co-signature ends the document (a reader without the registry checks
     * it against this key). */
    if (head && rc == SR_OK)
        rc = srp_signer_chain_into(kr, head, err);
    unsigned char own_pk[SRP_SIGN_PUBLIC_BYTES];
    if (head && rc == SR_OK && srp_registry_user_sign_public(reg, NULL, own_pk, NULL) == SR_OK &&
        srp_keyring_slot_can_sign(srp_registry_slot_secret(reg))) {
        char *b64 = srp_base64_encode(own_pk, sizeof own_pk);
        if (!b64 || json_object_set_new(head, "publisher_key", json_string(b64)) != 0)
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        free(b64);
    }
    if (head && rc == SR_OK && !srp_registry_keys(reg)->has_signing)
        rc = certificate_into(reg, head, err);
    if (head && rc == SR_OK)
        rc = srp_cellkey_settings_into(reg, b.min_cell, head, err);
    if (head && rc == SR_OK)
        rc = add_directory(reg, head, err);
    dir = srp_publication_dir(srp_registry_db_path(reg));
    sign_sk = sr_secret_new(SRP_SIGN_SECRET_BYTES);
    if (!head || !dir || !sign_sk) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    unsigned char sign_pk[SRP_SIGN_PUBLIC_BYTES];
    unsigned long seq = 0;
    rc = srp_publication_signer(reg, sign_pk, sign_sk, err);
    if (rc == SR_OK)
        rc = next_sequence(dir, &seq, err);
    for (size_t i = 0; rc == SR_OK && i < rcp_count; i++)
        rc = write_package(&b, &rcp[i], head, dir, seq, sign_pk, sign_sk, &written, &rep->packages,
                           err);
    if (rc == SR_OK && rep->packages == 0)
        rc = srp_error_set_where(err, SR_ERR_NOT_FOUND, "recipient",
                                 "nobody would receive this publication: no analyst works in "
                                 "these units and no recipient key was given");
    if (rc == SR_OK && written.oom)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK) {
        rep->written = srp_buf_take(&written);
        rc = audit_publish(&b, rep, err);
    }
out:
    for (size_t i = 0; i < rcp_count; i++)
        free_strings(rcp[i].units, rcp[i].unit_count);
    free(rcp);
    json_decref(head);
    json_decref(b.tables);
    free_strings(b.units, b.unit_count);
    free_strings(b.forms, b.form_count);
    free(b.specs);
    free(dir);
    sr_secret_free(sign_sk);
    if (rc != SR_OK) { /* nothing half published: remove what this call wrote */
        const char *list = rep->written ? rep->written : srp_buf_text(&written);
        for (const char *p = list; p && *p;) {
            const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
            if (!tab || !nl)
                break;
            char path[4096];
            snprintf(path, sizeof path, "%.*s", (int)(nl - tab - 1), tab + 1);
            (void)unlink(path);
            p = nl + 1;
        }
        free(rep->written);
        rep->written = NULL;
    }
    srp_buf_free(&written);
    return rc;
}
