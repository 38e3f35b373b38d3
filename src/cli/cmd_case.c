/*
 * cmd_case.c - `sigreg case new|find|show|list|reopen|delete`: the cases a
 * coordinator works on.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sigreg/cases.h"
#include "sigreg/form_interop.h"
#include "sigreg/form_store.h"

int cmd_case_new(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *unit = NULL, *pnr = NULL;
    int no_pnr = 0;
    static const struct option opts[] = {{"unit", required_argument, NULL, 'u'},
                                         {"pnr", required_argument, NULL, 'p'},
                                         {"no-pnr", no_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'u')
            unit = optarg;
        else if (c == 'p')
            pnr = optarg;
        else if (c == 'n')
            no_pnr = 1;
        else
            return cli_usage_error(err, "usage: sigreg case new --unit CODE [--pnr PNR | --no-pnr]");
    }
    if (!unit || optind < argc || (pnr && no_pnr) || (!pnr && !no_pnr))
        return cli_usage_error(err, "usage: sigreg case new --unit CODE (--pnr PNR | --no-pnr)");
    char code[SR_CASE_CODE_SIZE];
    sr_status rc = sr_case_new(reg, unit, pnr, code, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    printf("%s\n", code);
    return CLI_OK;
}

int cmd_case_find(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *pnr = NULL;
    static const struct option opts[] = {{"pnr", required_argument, NULL, 'p'},
                                         {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c != 'p')
            return cli_usage_error(err, "usage: sigreg case find --pnr PNR");
        pnr = optarg;
    }
    if (!pnr || optind < argc)
        return cli_usage_error(err, "usage: sigreg case find --pnr PNR");
    char code[SR_CASE_CODE_SIZE];
    sr_status rc = sr_case_find(reg, pnr, code, err);
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

int cmd_case_show(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    int as_json = 0, identity = 0, as_fhir = 0;
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"identity", no_argument, NULL, 'i'},
                                         {"fhir", no_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    static const char usage[] = "usage: sigreg case show CASE [--json | --fhir] [--identity]";
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'j')
            as_json = 1;
        else if (c == 'i')
            identity = 1;
        else if (c == 'f')
            as_fhir = 1;
        else
            return cli_usage_error(err, "%s", usage);
    }
    if (optind + 1 != argc || (as_fhir && (as_json || identity)))
        return cli_usage_error(err, "%s", usage);
    if (as_fhir)
        return show_fhir(reg, argv[optind], err);
    if (as_json) {
        sr_sink out = sr_sink_file(stdout);
        sr_status rc =
            sr_case_write_json(reg, argv[optind], identity ? SR_CASE_JSON_IDENTITY : 0, &out, err);
        return rc == SR_OK ? CLI_OK : cli_fail(rc);
    }
    sr_status rc = sr_case_show(reg, argv[optind], show_case, show_response, NULL, err);
    char pnr[SR_PNR_SIZE] = "";
    if (rc == SR_OK && identity)
        rc = sr_case_identity(reg, argv[optind], pnr, err);
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

int cmd_case_list(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    sr_case_filter f = {NULL, NULL, NULL, 0};
    long days = 0;
    static const struct option opts[] = {{"unit", required_argument, NULL, 'u'},
                                         {"status", required_argument, NULL, 's'},
                                         {"missing", required_argument, NULL, 'm'},
                                         {"idle-days", required_argument, NULL, 'd'},
                                         {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'u')
            f.unit = optarg;
        else if (c == 's')
            f.status = optarg;
        else if (c == 'm')
            f.missing = optarg;
        else if (c == 'd' && cli_parse_int(optarg, 1, 100000, &days) == 0)
            f.idle_days = (int)days;
        else
            return cli_usage_error(err, "usage: sigreg case list [--unit CODE] [--status "
                                        "open|closed] [--missing PHASE] [--idle-days N]");
    }
    if (optind < argc)
        return cli_usage_error(err, "unexpected argument '%s'", argv[optind]);
    int rows = 0;
    sr_status rc = sr_case_list(reg, &f, print_case_row, &rows, err);
    if (rc == SR_OK && rows == 0)
        print_case_header();
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}

/* ---- reopen and delete -------------------------------------------------------------- */

int cmd_case_reopen(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *reason = NULL;
    static const struct option opts[] = {{"reason", required_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c != 'r')
            return cli_usage_error(err, "usage: sigreg case reopen CASE --reason TEXT");
        reason = optarg;
    }
    if (optind + 1 != argc || !reason)
        return cli_usage_error(err, "usage: sigreg case reopen CASE --reason TEXT");
    sr_status rc = sr_case_reopen(reg, argv[optind], reason, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "reopened case '%s'; its closure is kept but set aside\n", argv[optind]);
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

int cmd_case_delete(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    int yes = 0;
    static const struct option opts[] = {{"yes", no_argument, NULL, 'y'}, {NULL, 0, NULL, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c != 'y')
            return cli_usage_error(err, "usage: sigreg case delete CASE [--yes]");
        yes = 1;
    }
    if (optind + 1 != argc)
        return cli_usage_error(err, "usage: sigreg case delete CASE [--yes]");
    char code[SR_CASE_CODE_SIZE];
    sr_status rc = sr_case_code_normalise(argv[optind], code, err);
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
