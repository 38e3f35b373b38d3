/*
 * form_store.c - installing, listing and loading forms in a registry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"
#include "form_int.h"
#include "form_store_int.h"
#include "registry_int.h"
#include "sigreg/form_store.h"
#include "store.h"
#include "base/timeutil.h"

struct srp_shipped_form {
    const char *name;
    const char *text;
    size_t len;
    const char *id; /* the definition's id and version (cmake/embed_forms.cmake) */
    int version;
};
extern const struct srp_shipped_form srp_shipped_forms[];

int sr_form_shipped(size_t i, const char **name, const char **text, size_t *len)
{
    for (size_t k = 0; k <= i; k++)
        if (!srp_shipped_forms[k].name)
            return 0;
    *name = srp_shipped_forms[i].name;
    *text = srp_shipped_forms[i].text;
    *len = srp_shipped_forms[i].len;
    return 1;
}

typedef struct install_ctx {
    const sr_form *form;
    const char *text;
    int *installed;
} install_ctx;

static sr_status insert_form(sr_registry *reg, void *vctx, sr_error *err)
{
    install_ctx *c = vctx;
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    sr_status rc =
        srp_store_prepare(db, "SELECT digest FROM forms WHERE id = ?1 AND version = ?2", &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, sr_form_id(c->form), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, sr_form_version(c->form));
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        int same = strcmp((const char *)sqlite3_column_text(st, 0), sr_form_digest(c->form)) == 0;
        sqlite3_finalize(st);
        if (same) {
            *c->installed = 0;
            return SR_OK;
        }
        return srp_error_set(err, SR_ERR_EXISTS,
                             "form '%s' version %d is installed with different content: an "
                             "installed version never changes, give the change a new version",
                             sr_form_id(c->form), sr_form_version(c->form));
    }
    sqlite3_finalize(st);
    if (src != SQLITE_DONE)
        return srp_store_fail(db, src, "read forms", err);
    char now[32];
    srp_time_now_iso(now, sizeof now);
    rc = srp_store_prepare(db,
                           "INSERT INTO forms (id, version, phase, repeatable, title, definition,"
                           " digest, installed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                           &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, sr_form_id(c->form), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, sr_form_version(c->form));
    sqlite3_bind_text(st, 3, sr_phase_name(sr_form_phase(c->form)), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, sr_form_repeatable(c->form));
    sqlite3_bind_text(st, 5, sr_form_title(c->form, "sv"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, c->text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, sr_form_digest(c->form), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    sqlite3_finalize(st);
    if (src != SQLITE_DONE)
        return srp_store_fail(db, src, "install the form", err);
    *c->installed = 1;
    return SR_OK;
}

sr_status sr_form_install(sr_registry *reg, const char *text, size_t len, sr_problems *problems,
                          int *installed, sr_error *err)
{
    sr_status rc = sr_registry_require(reg, SR_ROLE_BIT(SR_ROLE_ADMIN), "install forms", err);
    if (rc != SR_OK)
        return rc;
    sr_form *form = NULL;
    rc = sr_form_parse(text, len, &form, problems, err);
    if (rc != SR_OK)
        return rc;
    /* Keep the text as given (it is what `form show --json` gives back). */
    char *copy = malloc(len + 1);
    if (!copy) {
        sr_form_free(form);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    int dummy = 0;
    install_ctx ctx = {form, copy, installed ? installed : &dummy};
    char detail[128];
    snprintf(detail, sizeof detail, "form=%s version=%d", sr_form_id(form), sr_form_version(form));
    rc = srp_registry_transaction(reg, "form.install", NULL, detail, insert_form, &ctx, err);
    free(copy);
    sr_form_free(form);
    return rc;
}

sr_status sr_form_install_shipped(sr_registry *reg, size_t *count, sr_error *err)
{
    const char *name, *text;
    size_t len;
    *count = 0;
    for (size_t i = 0; sr_form_shipped(i, &name, &text, &len); i++) {
        sr_problems *problems = sr_problems_new();
        int installed = 0;
        sr_status rc = sr_form_install(reg, text, len, problems, &installed, err);
        if (rc != SR_OK && sr_problems_count(problems) > 0) {
            sr_error_clear(err);
            srp_error_set(err, rc, "shipped form '%s' is invalid: %s: %s", name,
                          sr_problems_path(problems, 0), sr_problems_message(problems, 0));
        }
        sr_problems_free(problems);
        if (rc != SR_OK)
            return rc;
        *count += (size_t)installed;
    }
    return SR_OK;
}

/* Whether the registry holds the id of shipped form i (any version), and
 * whether it lacks that form's version. */
static sr_status shipped_state(sqlite3 *db, sqlite3_stmt *st, size_t i, int *has_id, int *missing,
                               sr_error *err)
{
    sqlite3_bind_text(st, 1, srp_shipped_forms[i].id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, srp_shipped_forms[i].version);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *has_id = sqlite3_column_int(st, 0) > 0;
        *missing = sqlite3_column_int(st, 1) == 0;
    }
    sqlite3_reset(st);
    return src == SQLITE_ROW ? SR_OK : srp_store_fail(db, src, "read forms", err);
}

sr_status srp_form_install_new_shipped(sr_registry *reg, size_t *count, sr_error *err)
{
    sqlite3 *db = srp_registry_db(reg);
    sqlite3_stmt *st = NULL;
    int any_id = 0, any_missing = 0, has_id = 0, missing = 0;
    char detail[512] = "forms=";
    *count = 0;
    sr_status rc = srp_store_prepare(db,
                                     "SELECT (SELECT count(*) FROM forms WHERE id = ?1),"
                                     " (SELECT count(*) FROM forms WHERE id = ?1 AND version = ?2)",
                                     &st, err);
    for (size_t i = 0; rc == SR_OK && srp_shipped_forms[i].name; i++) {
        rc = shipped_state(db, st, i, &has_id, &missing, err);
        any_id |= has_id;
        if (rc == SR_OK && missing) {
            size_t used = strlen(detail);
            snprintf(detail + used, sizeof detail - used, "%s%s:%d", any_missing ? "," : "",
                     srp_shipped_forms[i].id, srp_shipped_forms[i].version);
            any_missing = 1;
        }
    }
    /* A registry none of whose forms came with sigreg is left as it is. */
    if (rc != SR_OK || !any_id || !any_missing)
        goto out;
    /* Logged before the installs, each of which logs itself too. */
    rc = srp_registry_transaction(reg, "forms.upgrade", NULL, detail, NULL, NULL, err);
    for (size_t i = 0; rc == SR_OK && srp_shipped_forms[i].name; i++) {
        rc = shipped_state(db, st, i, &has_id, &missing, err);
        int installed = 0;
        if (rc == SR_OK && missing)
            rc = sr_form_install(reg, srp_shipped_forms[i].text, srp_shipped_forms[i].len, NULL,
                                 &installed, err);
        *count += (size_t)installed;
    }
out:
    sqlite3_finalize(st);
    return rc;
}

sr_status sr_form_list(sr_registry *reg, const char *lang, sr_form_fn fn, void *ctx, sr_error *err)
{
    sr_status rc = srp_registry_transaction(reg, "form.list", NULL, NULL, NULL, NULL, err);
    sqlite3_stmt *st = NULL;
    if (rc == SR_OK)
        rc = srp_store_prepare(srp_registry_db(reg),
                               "SELECT f.id, f.version, f.definition,"
                               " (SELECT count(*) FROM responses r WHERE r.form_id = f.id"
                               "  AND r.form_version = f.version)"
                               " FROM forms f ORDER BY f.id, f.version",
                               &st, err);
    if (rc != SR_OK)
        return rc;
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 2);
        sr_form *form = NULL;
        if (sr_form_parse(text, strlen(text), &form, NULL, NULL) != SR_OK) {
            rc = srp_error_set(err, SR_ERR_CORRUPT, "the stored form '%s' version %d is damaged",
                               (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1));
            break;
        }
        sr_form_summary s = {sr_form_id(form),          sr_form_version(form),
                             sr_form_phase(form),       sr_form_repeatable(form),
                             sr_form_title(form, lang), (long)sqlite3_column_int64(st, 3)};
        int stop = fn && fn(ctx, &s) != 0;
        sr_form_free(form);
        if (stop)
            break;
    }
    if (rc == SR_OK && src != SQLITE_ROW && src != SQLITE_DONE)
        rc = srp_store_fail(srp_registry_db(reg), src, "list forms", err);
    sqlite3_finalize(st);
    return rc;
}

/* Loads without auditing (for registration, which audits its own action). */
sr_status srp_form_load_quiet(sr_registry *reg, const char *id, int version, sr_form **out,
                              char **text, sr_error *err)
{
    sqlite3_stmt *st = NULL;
    *out = NULL;
    sr_status rc = srp_store_prepare(srp_registry_db(reg),
                                     "SELECT version, definition FROM forms WHERE id = ?1 AND"
                                     " (?2 = 0 OR version = ?2) ORDER BY version DESC LIMIT 1",
                                     &st, err);
    if (rc != SR_OK)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, version);
    int src = sqlite3_step(st);
    if (src == SQLITE_DONE) {
        rc = version ? srp_error_set(err, SR_ERR_NOT_FOUND, "no form '%s' version %d", id, version)
                     : srp_error_set_where(err, SR_ERR_NOT_FOUND, "form", "no form '%s'", id);
    } else if (src != SQLITE_ROW) {
        rc = srp_store_fail(srp_registry_db(reg), src, "read the form", err);
    } else {
        const char *def = (const char *)sqlite3_column_text(st, 1);
        if (sr_form_parse(def, strlen(def), out, NULL, NULL) != SR_OK)
            rc = srp_error_set(err, SR_ERR_CORRUPT, "the stored form '%s' is damaged", id);
        else if (text && !(*text = strdup(def)))
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        if (rc != SR_OK) {
            sr_form_free(*out);
            *out = NULL;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* The session's parsed forms (srp_form_load_cached): as many as the
 * registry has installed versions that were summarised, each a few KiB. */
typedef struct form_cache {
    sr_form **forms;
    size_t count, cap;
} form_cache;

static void form_cache_free(void *p)
{
    form_cache *c = p;
    if (!c)
        return;
    for (size_t i = 0; i < c->count; i++)
        sr_form_free(c->forms[i]);
    free(c->forms);
    free(c);
}

sr_status srp_form_load_cached(sr_registry *reg, const char *id, int version, const char *digest,
                               const sr_form **out, sr_error *err)
{
    *out = NULL;
    form_cache *c = srp_registry_form_cache(reg);
    for (size_t i = 0; c && i < c->count; i++) {
        const sr_form *f = c->forms[i];
        if (f->version == version && strcmp(f->digest, digest) == 0 && strcmp(f->id, id) == 0) {
            *out = f;
            return SR_OK;
        }
    }
    if (!c) {
        if (!(c = calloc(1, sizeof *c)))
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        srp_registry_set_form_cache(reg, c, form_cache_free);
    }
    if (c->count == c->cap && srp_grow((void **)&c->forms, &c->cap, c->count + 1, sizeof *c->forms))
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_form *form = NULL;
    sr_status rc = srp_form_load_quiet(reg, id, version, &form, NULL, err);
    if (rc != SR_OK)
        return rc;
    c->forms[c->count++] = form;
    *out = form;
    return SR_OK;
}

sr_status sr_form_load(sr_registry *reg, const char *id, int version, sr_form **out, char **text,
                       sr_error *err)
{
    sr_status rc = srp_form_load_quiet(reg, id, version, out, text, err);
    if (rc != SR_OK)
        return rc;
    char detail[128];
    snprintf(detail, sizeof detail, "form=%s version=%d", id, sr_form_version(*out));
    rc = srp_registry_transaction(reg, "form.show", NULL, detail, NULL, NULL, err);
    if (rc != SR_OK) {
        sr_form_free(*out);
        *out = NULL;
        if (text) {
            free(*text);
            *text = NULL;
        }
    }
    return rc;
}
