/*
 * cmd_form.c - `sigreg form lint|install|list|show|export|import`: form definitions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sigreg/form_interop.h"
#include "sigreg/form_store.h"
#include "sigreg/output.h"

/* Reads a whole file (or stdin for "-") into a malloc'd NUL-terminated buffer. */
static char *slurp(const char *path, size_t *len, sr_error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        sr_error_set(err, SR_ERR_IO, "cannot open '%s'", path);
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
        if (n + 1 == cap) {
            if (cap >= (64u << 20)) {
                sr_error_set(err, SR_ERR_INVALID, "'%s' is too large", path);
                free(buf);
                buf = NULL;
                break;
            }
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (buf && bad) {
        free(buf);
        buf = NULL;
        sr_error_set(err, SR_ERR_IO, "cannot read '%s'", path);
    }
    if (!buf) {
        sr_error_set(err, SR_ERR_NOMEM, "out of memory reading '%s'", path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

char *cli_read_file(const char *path, size_t *len, sr_error *err)
{
    return slurp(path, len, err);
}

void cli_print_problems(const char *prefix, const sr_problems *problems)
{
    for (size_t i = 0; i < sr_problems_count(problems); i++) {
        const char *path = sr_problems_path(problems, i);
        const char *msg = sr_problems_message(problems, i);
        /* Answer problems name their item already: "item 'age': ...". */
        size_t plen = strlen(path);
        int names_item = strncmp(msg, "item '", 6) == 0 && strncmp(msg + 6, path, plen) == 0 &&
                         msg[6 + plen] == '\'';
        const char *kind = sr_problems_is_warning(problems, i) ? "warning: " : "";
        if (names_item || !*path)
            fprintf(stderr, "%s%s%s%s\n", prefix ? prefix : "", prefix ? ": " : "", kind, msg);
        else
            fprintf(stderr, "%s%s%s%s: %s\n", prefix ? prefix : "", prefix ? ": " : "", kind, path,
                    msg);
    }
}

int cmd_form_lint(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    (void)reg;
    int bad = 0;
    for (size_t i = 0; i < cli_pos_count(args); i++) {
        const char *path = cli_pos(args, i);
        size_t len = 0;
        sr_error ferr;
        sr_error_clear(&ferr);
        char *text = slurp(path, &len, &ferr);
        if (!text) {
            fprintf(stderr, "%s: %s\n", path, ferr.message);
            bad = 1;
            continue;
        }
        sr_problems *problems = sr_problems_new();
        sr_form *form = NULL;
        sr_status rc = sr_form_parse(text, len, &form, problems, &ferr);
        if (rc == SR_OK) {
            printf("%s: ok (%s version %d, %s, %zu items)\n", path, sr_form_id(form),
                   sr_form_version(form), sr_phase_name(sr_form_phase(form)),
                   sr_form_item_count(form));
        } else {
            cli_print_problems(path, problems);
            if (sr_problems_count(problems) == 0)
                fprintf(stderr, "%s: %s\n", path, ferr.message);
            bad = 1;
        }
        sr_form_free(form);
        sr_problems_free(problems);
        free(text);
    }
    if (bad)
        sr_error_set(err, SR_ERR_INVALID, "invalid form definitions");
    return bad ? CLI_FAIL : CLI_OK;
}

int cmd_form_install(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    for (size_t i = 0; i < cli_pos_count(args); i++) {
        const char *path = cli_pos(args, i);
        size_t len = 0;
        char *text = slurp(path, &len, err);
        if (!text)
            return CLI_FAIL;
        sr_problems *problems = sr_problems_new();
        int installed = 0;
        sr_status rc = sr_form_install(reg, text, len, problems, &installed, err);
        free(text);
        if (rc != SR_OK) {
            cli_print_problems(path, problems);
            sr_problems_free(problems);
            return cli_fail(rc);
        }
        sr_problems_free(problems);
        fprintf(stderr, "%s: %s\n", path,
                installed ? "installed" : "already installed with the same content");
    }
    return CLI_OK;
}

static int print_summary(void *ctx, const sr_form_summary *s)
{
    (void)ctx;
    printf("%-20s %3d  %-12s %-10s %7ld  %s\n", s->id, s->version, sr_phase_name(s->phase),
           s->repeatable ? "repeatable" : "once", s->responses, s->title);
    return 0;
}

int cmd_form_list(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *lang = cli_opt(args, "lang") ? cli_opt(args, "lang") : "sv";
    printf("%-20s %3s  %-12s %-10s %7s  %s\n", "form", "ver", "phase", "", "answers", "title");
    sr_status rc = sr_form_list(reg, lang, print_summary, NULL, err);
    return rc == SR_OK ? CLI_OK : cli_fail(rc);
}

static void print_form(const sr_form *form, const char *lang)
{
    printf("%s version %d (%s%s): %s\n", sr_form_id(form), sr_form_version(form),
           sr_phase_name(sr_form_phase(form)), sr_form_repeatable(form) ? ", repeatable" : "",
           sr_form_title(form, lang));
    if (sr_form_description(form, lang))
        printf("%s\n", sr_form_description(form, lang));
    size_t number = 0;
    for (size_t i = 0; i < sr_form_item_count(form); i++) {
        sr_item_info it;
        sr_form_item(form, i, lang, &it);
        if (it.type == SR_ITEM_SECTION) {
            printf("\n== %s\n", it.label ? it.label : it.id);
            continue;
        }
        printf("\n%3zu. %s  [%s%s%s%s%s]\n", ++number, it.label, it.id,
               it.required ? ", required" : "", it.has_condition ? ", conditional" : "",
               it.quasi_identifier ? ", quasi-identifier" : "",
               it.identifying ? ", identifying" : "");
        if (it.help)
            printf("     %s\n", it.help);
        printf("     %s", sr_item_type_name(it.type));
        if (it.has_min || it.has_max)
            printf(" %g-%g", it.min, it.max);
        if (it.min_date || it.max_date)
            printf(" %s to %s", it.min_date ? it.min_date : "", it.max_date ? it.max_date : "");
        if (it.type == SR_ITEM_MULTICHOICE)
            printf(", choose %zu-%zu", it.min_selected, it.max_selected);
        printf("\n");
        for (size_t o = 0; o < it.option_count; o++) {
            const char *code, *label;
            int missing;
            sr_form_option(form, i, o, lang, &code, &label, &missing);
            printf("       %-22s %s%s\n", code, label, missing ? "  (missing)" : "");
        }
        if (it.type == SR_ITEM_SCALE)
            for (long v = (long)it.min; v <= (long)it.max; v++) {
                const char *a = sr_form_anchor(form, i, v, lang);
                if (a)
                    printf("       %-22ld %s\n", v, a);
            }
    }
}

int cmd_form_show(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *lang = cli_opt(args, "lang") ? cli_opt(args, "lang") : "sv";
    long version = 0;
    int as_json = cli_flag(args, "json");
    int code = cli_opt_long(args, "version", 1, 1000000, &version, err);
    if (code != CLI_OK)
        return code;
    sr_form *form = NULL;
    char *text = NULL;
    sr_status rc = sr_form_load(reg, cli_pos(args, 0), (int)version, &form, &text, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    if (as_json) {
        fputs(text, stdout);
        if (!*text || text[strlen(text) - 1] != '\n')
            putchar('\n');
    } else {
        print_form(form, lang);
    }
    free(text);
    sr_form_free(form);
    return CLI_OK;
}

int cmd_form_export(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    long version = 0;
    const char *to = cli_opt(args, "to"), *out = cli_opt(args, "out");
    int force = cli_flag(args, "force");
    int code = cli_opt_long(args, "version", 1, 1000000, &version, err);
    if (code != CLI_OK)
        return code;
    if (strcmp(to, "xlsform") == 0 && !out)
        return cli_usage_error(err, "--to xlsform writes two files: give --out BASE for "
                                    "BASE-survey.csv and BASE-choices.csv");
    sr_form *form = NULL;
    char *text = NULL, *data = NULL, *choices = NULL;
    sr_status rc = sr_form_load(reg, cli_pos(args, 0), (int)version, &form, &text, err);
    free(text);
    if (rc != SR_OK)
        return cli_fail(rc);
    if (strcmp(to, "redcap") == 0)
        rc = sr_form_export_redcap(form, &data, err);
    else if (strcmp(to, "fhir") == 0)
        rc = sr_form_export_fhir(form, &data, err);
    else
        rc = sr_form_export_xlsform(form, &data, &choices, err);
    sr_form_free(form);
    int result = rc == SR_OK ? CLI_OK : cli_fail(rc);
    sr_output_options oo = {force, g->registry};
    if (rc == SR_OK && choices) {
        /* BASE (or BASE.csv) -> BASE-survey.csv and BASE-choices.csv */
        size_t n = strlen(out);
        if (n > 4 && strcmp(out + n - 4, ".csv") == 0)
            n -= 4;
        char *survey_path = malloc(n + 16), *choices_path = malloc(n + 16);
        if (!survey_path || !choices_path) {
            rc = sr_error_set(err, SR_ERR_NOMEM, "out of memory");
        } else {
            snprintf(survey_path, n + 16, "%.*s-survey.csv", (int)n, out);
            snprintf(choices_path, n + 16, "%.*s-choices.csv", (int)n, out);
            rc = sr_output_check(survey_path, &oo, err);
            if (rc == SR_OK)
                rc = sr_output_check(choices_path, &oo, err);
            if (rc == SR_OK)
                rc = sr_output_write_all(survey_path, &oo, data, strlen(data), err);
            if (rc == SR_OK)
                rc = sr_output_write_all(choices_path, &oo, choices, strlen(choices), err);
            if (rc == SR_OK)
                fprintf(stderr, "wrote %s and %s\n", survey_path, choices_path);
        }
        free(survey_path);
        free(choices_path);
        result = rc == SR_OK ? CLI_OK : cli_fail(rc);
    } else if (rc == SR_OK && out) {
        rc = sr_output_write_all(out, &oo, data, strlen(data), err);
        result = rc == SR_OK ? CLI_OK : cli_fail(rc);
    } else if (rc == SR_OK) {
        fputs(data, stdout);
        if (*data && data[strlen(data) - 1] != '\n')
            putchar('\n');
    }
    free(data);
    free(choices);
    return result;
}

int cmd_form_import(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    long version = 0;
    const char *from = cli_opt(args, "from"), *path = cli_pos(args, 0);
    sr_form_import_options io = SR_FORM_IMPORT_OPTIONS_INIT;
    int code = cli_opt_long(args, "version", 1, 1000000, &version, err);
    if (code != CLI_OK)
        return code;
    io.id = cli_opt(args, "id");
    io.version = (int)version;
    io.phase = cli_opt(args, "phase");
    if (cli_flag(args, "repeatable"))
        io.repeatable = 1;
    io.instrument = cli_opt(args, "instrument");
    size_t len = 0;
    char *text = slurp(path, &len, err), *json = NULL;
    if (!text)
        return CLI_FAIL;
    sr_problems *problems = sr_problems_new();
    sr_status rc = strcmp(from, "redcap") == 0
                       ? sr_form_import_redcap(text, len, &io, &json, problems, err)
                       : sr_form_import_fhir(text, len, &io, &json, problems, err);
    free(text);
    int installed = 0;
    if (rc == SR_OK)
        rc = sr_form_install(reg, json, strlen(json), problems, &installed, err);
    if (rc != SR_OK) {
        cli_print_problems(path, problems);
        sr_problems_free(problems);
        free(json);
        return cli_fail(rc);
    }
    sr_form *form = NULL;
    if (sr_form_parse(json, strlen(json), &form, NULL, NULL) == SR_OK)
        fprintf(stderr, "%s: %s as %s version %d (%zu items)\n", path,
                installed ? "installed" : "already installed with the same content",
                sr_form_id(form), sr_form_version(form), sr_form_item_count(form));
    sr_form_free(form);
    sr_problems_free(problems);
    free(json);
    return CLI_OK;
}
