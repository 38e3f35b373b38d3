/*
 * cmd_case.c - `sigreg case new|find|show|list|reopen|delete`: the cases a
 * coordinator works on.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sigreg/cases.h"
#include "sigreg/form_interop.h"
#include "sigreg/form_store.h"

int cmd_case_new(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    /* The parser has seen to --unit and that --pnr and --no-pnr exclude each other. */
    const char *unit = cli_opt(args, "unit");
    sr_secret *pnr = NULL;
    sr_status rc = SR_OK;
    if (!cli_flag(args, "no-pnr"))
        rc = cli_read_pnr(cli_opt(args, "pnr"), &pnr, err);
    char code[SR_CASE_CODE_SIZE];
    if (rc == SR_OK)
        rc = sr_case_new(reg, unit, pnr ? (const char *)sr_secret_cdata(pnr) : NULL, code, err);
    sr_secret_free(pnr);
    if (rc != SR_OK)
        return cli_fail(rc);
    printf("%s\n", code);
    return CLI_OK;
}

int cmd_case_find(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    sr_secret *pnr = NULL;
    sr_status rc = cli_read_pnr(cli_opt(args, "pnr"), &pnr, err);
    char code[SR_CASE_CODE_SIZE];
    if (rc == SR_OK)
        rc = sr_case_find(reg, (const char *)sr_secret_cdata(pnr), code, err);
    sr_secret_free(pnr);
    if (rc != SR_OK)
        return cli_fail(rc);
    printf("%s\n", code);
    return CLI_OK;
}

/* ---- show ---------------------------------------------------------------------- */

static int show_case(void *ctx, const sr_case_info *c)
{
    (void)ctx;
    printf("case %s  unit %s  %s  opened %s", c->code, c->unit, c->status, c->opened_at);
    if (c->closed_at)
        printf("  closed %s", c->closed_at);
    printf("  %s\n", c->has_pnr ? "personnummer in the code key" : "no personnummer");
    return 0;
}

static int show_response(void *ctx, const sr_response_info *r)
{
    (void)ctx;
    json_t *answers = json_loads(r->answers, 0, NULL);
    printf("\nresponse %lld  %s  %s version %d (%s)", (long long)r->id, r->date, r->form_id,
           r->form_version, sr_phase_name(r->phase));
    if (r->age >= 0)
        printf("  age %d", r->age);
    if (r->revision > 1)
        printf("  revision %d", r->revision);
    if (!r->active)
        printf("  [set aside at reopening]");
    printf("\n");
    const char *key;
    json_t *v;
    json_object_foreach(answers, key, v)
    {
        char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        printf("    %-28s %s\n", key, text ? text : "?");
        free(text);
    }
    json_decref(answers);
    return 0;
}

/* The responses of a case, kept for --fhir (their forms are loaded after
 * the case has been read). */
typedef struct fhir_response {
    long long id;
    char *form_id, *date, *answers;
    int version, revision, active;
} fhir_response;

typedef struct fhir_responses {
    fhir_response *items;
    size_t count;
    int oom;
} fhir_responses;

static int keep_response(void *ctx, const sr_response_info *r)
{
    fhir_responses *list = ctx;
    fhir_response *grown = realloc(list->items, (list->count + 1) * sizeof *grown);
    if (!grown) {
        list->oom = 1;
        return 1;
    }
    list->items = grown;
    fhir_response *f = &list->items[list->count++];
    f->id = (long long)r->id;
    f->form_id = strdup(r->form_id);
    f->date = strdup(r->date);
    f->answers = strdup(r->answers);
    f->version = r->form_version;
    f->revision = r->revision;
    f->active = r->active;
    list->oom |= !f->form_id || !f->date || !f->answers;
    return list->oom;
}

/* The case's responses as a FHIR Bundle (collection) of QuestionnaireResponses. */
static int show_fhir(sr_registry *reg, const char *code, sr_error *err)
{
    fhir_responses list = {NULL, 0, 0};
    json_t *bundle =
        json_pack("{sssss[]}", "resourceType", "Bundle", "type", "collection", "entry");
    sr_status rc = bundle ? sr_case_show(reg, code, NULL, keep_response, &list, err)
                          : sr_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK && list.oom)
        rc = sr_error_set(err, SR_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == SR_OK && i < list.count; i++) {
        fhir_response *f = &list.items[i];
        sr_form *form = NULL;
        char *qr = NULL, id[64];
        snprintf(id, sizeof id, "%s-%lld", code, f->id);
        sr_fhir_response_meta meta = {id, code, f->date, f->revision, f->active};
        rc = sr_form_load(reg, f->form_id, f->version, &form, NULL, err);
        if (rc == SR_OK)
            rc = sr_form_response_fhir(form, &meta, f->answers, &qr, err);
        json_t *resource = qr ? json_loads(qr, 0, NULL) : NULL;
        if (rc == SR_OK &&
            (!resource || json_array_append_new(json_object_get(bundle, "entry"),
                                                json_pack("{so}", "resource", resource)) != 0))
            rc = sr_error_set(err, SR_ERR_NOMEM, "out of memory");
        free(qr);
        sr_form_free(form);
    }
    if (rc == SR_OK && json_dumpf(bundle, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0)
        putchar('\n');
    for (size_t i = 0; i < list.count; i++) {
        free(list.items[i].form_id);
        free(list.items[i].date);
        free(list.items[i].answers);
    }
    free(list.items);
    json_decref(bundle);
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}

int cmd_case_show(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    int as_json = cli_flag(args, "json"), identity = cli_flag(args, "identity");
    const char *code = cli_pos(args, 0);
    if (cli_flag(args, "fhir") && identity)
        return cli_usage_error(err, "--fhir and --identity exclude each other");
    if (cli_flag(args, "fhir"))
        return show_fhir(reg, code, err);
    if (as_json) {
        sr_sink out = sr_sink_file(stdout);
        sr_status rc =
            sr_case_write_json(reg, code, identity ? SR_CASE_JSON_IDENTITY : 0, &out, err);
        return rc == SR_OK ? CLI_OK : cli_fail(rc);
    }
    sr_status rc = sr_case_show(reg, code, show_case, show_response, NULL, err);
    char pnr[SR_PNR_SIZE] = "";
    if (rc == SR_OK && identity)
        rc = sr_case_identity(reg, code, pnr, err);
    if (rc == SR_OK && identity)
        printf("\npersonnummer: %.8s-%s\n", pnr, pnr + 8);
    memset(pnr, 0, sizeof pnr);
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}

/* ---- list ------------------------------------------------------------------------- */

static void print_case_header(void)
{
    printf("%-10s %-10s %-7s %-10s %-10s %5s  %s\n", "case", "unit", "status", "opened", "latest",
           "resp", "phases");
}

/* The header comes with the first row, so that a refused filter prints
 * nothing on stdout. */
static int print_case_row(void *ctx, const sr_case_info *c)
{
    int *rows = ctx;
    if ((*rows)++ == 0)
        print_case_header();
    printf("%-10s %-10s %-7s %-10s %-10s %5ld  %s\n", c->code, c->unit, c->status, c->opened_at,
           c->last_date ? c->last_date : "-", c->responses, c->phases[0] ? c->phases : "-");
    return 0;
}

int cmd_case_list(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    sr_case_filter f = {cli_opt(args, "unit"), cli_opt(args, "status"), cli_opt(args, "missing"),
                        0};
    long days = 0;
    int code = cli_opt_long(args, "idle-days", 1, 100000, &days, err);
    if (code != CLI_OK)
        return code;
    f.idle_days = (int)days;
    int rows = 0;
    sr_status rc = sr_case_list(reg, &f, print_case_row, &rows, err);
    if (rc == SR_OK && rows == 0)
        print_case_header();
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}

/* ---- reopen and delete -------------------------------------------------------------- */

int cmd_case_reopen(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *code = cli_pos(args, 0), *reason = cli_opt(args, "reason");
    sr_status rc = sr_case_reopen(reg, code, reason, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "reopened case '%s'; its closure is kept but set aside\n", code);
    return CLI_OK;
}

/* Asks on the terminal for the word that confirms an erasure. */
int cli_confirm(const char *question, const char *expected)
{
    if (!isatty(STDIN_FILENO))
        return 0;
    fprintf(stderr, "%s ", question);
    char line[128];
    if (!fgets(line, sizeof line, stdin))
        return 0;
    line[strcspn(line, "\r\n")] = '\0';
    return strcmp(line, expected) == 0;
}

int cmd_case_delete(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    int yes = cli_flag(args, "yes");
    char code[SR_CASE_CODE_SIZE];
    sr_status rc = sr_case_code_normalise(cli_pos(args, 0), code, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    if (!yes) {
        char question[160];
        snprintf(question, sizeof question,
                 "This erases case %s, all its answers and its code key entry for good.\n"
                 "Type the case code to confirm:",
                 code);
        if (!cli_confirm(question, code))
            return sr_error_set(err, SR_ERR_USAGE,
                                "not confirmed: nothing was erased (give --yes when there is no "
                                "terminal)"),
                   CLI_USAGE;
    }
    rc = sr_case_delete(reg, code, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "erased case '%s'\n", code);
    return CLI_OK;
}
