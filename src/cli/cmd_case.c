/*
 * cmd_case.c - `sigreg case new|find|show|list|reopen|delete`: the cases a
 * coordinator works on.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dialog.h"
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

/* The responses of a case, kept for --fhir (their forms are loaded after
 * the case has been read). */
typedef struct fhir_response {
    long long id;
    char *form_id, *date, *answers;
    int version, revision, active;
    sr_phase phase;
    int age;
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
    f->phase = r->phase;
    f->age = r->age;
    list->oom |= !f->form_id || !f->date || !f->answers;
    return list->oom;
}

/* ---- the text view: labels, phase order, intake date, days open ---------------------- */

typedef struct view_text {
    const char *case_word, *unit, *open, *closed, *intake, *no_intake, *closed_on, *days_open, *pnr,
        *no_pnr, *response, *age, *revision, *set_aside, *no_answers, *version;
    const char *phases[5];
} view_text;

static const view_text view_sv = {"Ärende",
                                  "enhet",
                                  "öppet",
                                  "avslutat",
                                  "inskrivning",
                                  "ingen inskrivning än",
                                  "avslutat",
                                  "%ld dagar öppet",
                                  "personnummer i kodnyckeln",
                                  "utan personnummer",
                                  "svar",
                                  "ålder",
                                  "revision",
                                  "lagt åt sidan när ärendet öppnades igen",
                                  "(inga svar)",
                                  "version",
                                  {"Inskrivning", "Insats", "Avslut", "Upplevelse", "Uppföljning"}};
static const view_text view_en = {"Case",
                                  "unit",
                                  "open",
                                  "closed",
                                  "intake",
                                  "no intake yet",
                                  "closed",
                                  "open %ld days",
                                  "personnummer in the code key",
                                  "no personnummer",
                                  "response",
                                  "age",
                                  "revision",
                                  "set aside when the case was reopened",
                                  "(no answers)",
                                  "version",
                                  {"Intake", "Intervention", "Closure", "Experience", "Follow-up"}};

static const view_text *view_of(const char *lang)
{
    return cli_lang_en(lang) ? &view_en : &view_sv;
}

static const char *phase_label(const view_text *t, sr_phase phase)
{
    return (int)phase >= 0 && (int)phase < 5 ? t->phases[phase] : sr_phase_name(phase);
}

/* Days since 1970-01-01 of "YYYY-MM-DD"; 0 on success. */
static int day_number(const char *date, long *out)
{
    int y, m, d;
    if (!date || sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1)
        return -1;
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *out = era * 146097 + doe - 719468;
    return 0;
}

/* Days from the intake to the closure, or to today while open; -1 unknown. */
static long days_open(const char *intake, const char *closed)
{
    char today[SR_DATE_MAX + 1];
    sr_date_today(today);
    long a, b;
    if (day_number(intake, &a) != 0 || day_number(closed ? closed : today, &b) != 0)
        return -1;
    return b - a;
}

typedef struct shown_case {
    fhir_responses list;
    char code[SR_CASE_CODE_SIZE], unit[SR_UNIT_CODE_MAX + 1], status[8];
    char opened[SR_DATE_MAX + 1], closed[SR_DATE_MAX + 1];
    int has_pnr, has_intake;
} shown_case;

static int keep_case(void *ctx, const sr_case_info *c)
{
    shown_case *s = ctx;
    snprintf(s->code, sizeof s->code, "%s", c->code);
    snprintf(s->unit, sizeof s->unit, "%s", c->unit);
    snprintf(s->status, sizeof s->status, "%s", c->status);
    snprintf(s->opened, sizeof s->opened, "%s", c->opened_at ? c->opened_at : "");
    snprintf(s->closed, sizeof s->closed, "%s", c->closed_at ? c->closed_at : "");
    s->has_pnr = c->has_pnr;
    s->has_intake = c->phases && strstr(c->phases, "intake") != NULL;
    return 0;
}

static int keep_shown_response(void *ctx, const sr_response_info *r)
{
    shown_case *s = ctx;
    return keep_response(&s->list, r);
}

static int by_phase_then_date(const void *a, const void *b)
{
    const fhir_response *x = a, *y = b;
    if (x->phase != y->phase)
        return (int)x->phase - (int)y->phase;
    int c = strcmp(x->date, y->date);
    if (c)
        return c;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* One response: its phase, date and form, then every answer in the form's
 * order with its item label and value label. */
static sr_status print_response(sr_registry *reg, const fhir_response *f, const char *lang,
                                sr_error *err)
{
    const view_text *t = view_of(lang);
    sr_form *form = NULL;
    sr_status rc = sr_form_load(reg, f->form_id, f->version, &form, NULL, err);
    if (rc != SR_OK)
        return rc;
    printf("\n%s  %s  %s (%s %s %d)  %s %lld", phase_label(t, f->phase), f->date,
           sr_form_title(form, lang), f->form_id, t->version, f->version, t->response, f->id);
    if (f->age >= 0)
        printf("  %s %d", t->age, f->age);
    if (f->revision > 1)
        printf("  %s %d", t->revision, f->revision);
    if (!f->active)
        printf("  [%s]", t->set_aside);
    printf("\n");
    json_t *answers = json_loads(f->answers, 0, NULL);
    size_t shown = 0;
    for (size_t i = 0; answers && i < sr_form_item_count(form); i++) {
        sr_item_info it;
        sr_form_item(form, i, lang, &it);
        json_t *v = it.type == SR_ITEM_SECTION ? NULL : json_object_get(answers, it.id);
        if (!v)
            continue;
        char value[2048];
        cli_answer_text(form, i, v, lang, value, sizeof value);
        printf("    ");
        cli_print_padded(stdout, it.label ? it.label : it.id, 44);
        printf(" %s\n", value);
        shown++;
    }
    if (!shown)
        printf("    %s\n", t->no_answers);
    json_decref(answers);
    sr_form_free(form);
    return SR_OK;
}

static int show_text(sr_registry *reg, const char *code, const char *lang, int identity,
                     sr_error *err)
{
    const view_text *t = view_of(lang);
    shown_case all;
    memset(&all, 0, sizeof all);
    sr_status rc = sr_case_show(reg, code, keep_case, keep_shown_response, &all, err);
    if (rc == SR_OK && all.list.oom)
        rc = sr_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK) {
        shown_case *c = &all;
        int closed = strcmp(c->status, "closed") == 0;
        printf("%s %s  %s %s  %s", t->case_word, c->code, t->unit, c->unit,
               closed ? t->closed : t->open);
        if (c->has_intake)
            printf("  %s %s", t->intake, c->opened);
        else
            printf("  %s", t->no_intake);
        if (closed && c->closed[0])
            printf("  %s %s", t->closed_on, c->closed);
        long days = c->has_intake ? days_open(c->opened, closed ? c->closed : NULL) : -1;
        if (days >= 0) {
            printf("  ");
            printf(t->days_open, days);
        }
        printf("\n%s\n", c->has_pnr ? t->pnr : t->no_pnr);
        if (c->list.count) /* a case without responses has no list at all */
            qsort(c->list.items, c->list.count, sizeof *c->list.items, by_phase_then_date);
        for (size_t i = 0; rc == SR_OK && i < c->list.count; i++)
            rc = print_response(reg, &c->list.items[i], lang, err);
    }
    char pnr[SR_PNR_SIZE] = "";
    if (rc == SR_OK && identity)
        rc = sr_case_identity(reg, code, pnr, err);
    if (rc == SR_OK && identity)
        printf("\npersonnummer: %.8s-%s\n", pnr, pnr + 8);
    memset(pnr, 0, sizeof pnr);
    for (size_t i = 0; i < all.list.count; i++) {
        free(all.list.items[i].form_id);
        free(all.list.items[i].date);
        free(all.list.items[i].answers);
    }
    free(all.list.items);
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
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
    return show_text(reg, code, cli_opt(args, "lang") ? cli_opt(args, "lang") : "sv", identity,
                     err);
}

/* ---- list ------------------------------------------------------------------------- */

typedef struct list_ctx {
    int rows;
    const view_text *t;
} list_ctx;

static void print_case_header(const view_text *t)
{
    int en = t == &view_en;
    static const size_t width[] = {10, 10, 9, 10, 5, 10, 5};
    const char *sv[] = {"ärende", "enhet", "status", "inskrivning", "dagar", "senast", "svar"};
    const char *eng[] = {"case", "unit", "status", "intake", "days", "latest", "resp"};
    for (size_t k = 0; k < sizeof width / sizeof width[0]; k++) {
        const char *w = en ? eng[k] : sv[k];
        /* The numbers' columns are right-aligned. */
        if (k == 4 || k == 6)
            printf("%*s", (int)width[k], w);
        else
            cli_print_padded(stdout, w, width[k]);
        printf(k == 6 ? "  " : " ");
    }
    printf("%s\n", en ? "phases" : "faser");
}

/* The phases of a case in life-cycle order, by their labels. */
static void phase_list(const view_text *t, const char *phases, char *out, size_t size)
{
    out[0] = '\0';
    for (int p = 0; p < 5; p++) {
        const char *name = sr_phase_name((sr_phase)p);
        const char *hit = phases ? strstr(phases, name) : NULL;
        size_t len = strlen(name);
        /* A whole entry of the comma-separated list. */
        while (hit && ((hit != phases && hit[-1] != ',') || (hit[len] && hit[len] != ',')))
            hit = strstr(hit + 1, name);
        if (!hit)
            continue;
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", used ? ", " : "", phase_label(t, (sr_phase)p));
    }
    if (!out[0])
        snprintf(out, size, "-");
}

/* The header comes with the first row, so that a refused filter prints
 * nothing on stdout. */
static int print_case_row(void *vctx, const sr_case_info *c)
{
    list_ctx *ctx = vctx;
    const view_text *t = ctx->t;
    if (ctx->rows++ == 0)
        print_case_header(t);
    int closed = strcmp(c->status, "closed") == 0;
    int has_intake = c->phases && strstr(c->phases, "intake") != NULL;
    long days = has_intake ? days_open(c->opened_at, closed ? c->closed_at : NULL) : -1;
    char phases[160];
    phase_list(t, c->phases, phases, sizeof phases);
    printf("%-10s ", c->code);
    cli_print_padded(stdout, c->unit, 10);
    printf(" ");
    cli_print_padded(stdout, closed ? t->closed : t->open, 9);
    printf(" %-10s ", has_intake && c->opened_at ? c->opened_at : "-");
    if (days >= 0)
        printf("%5ld", days);
    else
        printf("%5s", "-");
    printf(" %-10s %5ld  %s\n", c->last_date ? c->last_date : "-", c->responses, phases);
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
    list_ctx ctx = {0, view_of(cli_opt(args, "lang"))};
    sr_status rc = sr_case_list(reg, &f, print_case_row, &ctx, err);
    if (rc == SR_OK && ctx.rows == 0)
        print_case_header(ctx.t);
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
