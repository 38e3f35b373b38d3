/*
 * cmd_response.c - `sigreg response edit`: correct a registration; the old
 * revision is kept in the history. --answers gives the whole answer set,
 * --set item=value changes single answers (typed as in the dialog) and
 * keeps the rest as they are.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dialog.h"
#include "sigreg/cases.h"
#include "sigreg/form_store.h"

typedef struct current {
    char form_id[SR_FORM_ID_MAX + 1];
    int version;
    char *answers;
} current;

static int keep_current(void *ctx, const sr_response_info *r)
{
    current *c = ctx;
    snprintf(c->form_id, sizeof c->form_id, "%s", r->form_id);
    c->version = r->form_version;
    c->answers = strdup(r->answers ? r->answers : "{}");
    return 0;
}

/* The response's answers with each --set applied (a new string), or NULL
 * with err set. Answers that the changes disable are dropped. */
static char *apply_sets(const cli_args *args, sr_registry *reg, long id, const char *lang,
                        sr_error *err)
{
    current cur = {"", 0, NULL};
    sr_form *form = NULL;
    sr_answers *a = NULL;
    sr_problems *p = sr_problems_new();
    char *result = NULL;
    sr_status rc = p ? sr_response_get(reg, id, keep_current, &cur, err)
                     : sr_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK && !cur.answers)
        rc = sr_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (rc == SR_OK)
        rc = sr_form_load(reg, cur.form_id, cur.version, &form, NULL, err);
    if (rc == SR_OK)
        rc = sr_answers_from_json(form, cur.answers, strlen(cur.answers), &a, p, err);
    for (size_t k = 0; rc == SR_OK && k < cli_opt_count(args, "set"); k++) {
        const char *set = cli_opt_at(args, "set", k);
        const char *eq = strchr(set, '=');
        char item[SR_ITEM_ID_MAX + 1];
        if (!eq || eq == set || (size_t)(eq - set) > SR_ITEM_ID_MAX) {
            rc = sr_error_set(err, SR_ERR_USAGE, "--set '%s': give ITEM=VALUE", set);
            break;
        }
        snprintf(item, sizeof item, "%.*s", (int)(eq - set), set);
        long i = sr_form_item_index(form, item);
        sr_item_info it;
        if (i >= 0)
            sr_form_item(form, (size_t)i, lang, &it);
        if (i < 0 || it.type == SR_ITEM_SECTION) {
            rc = sr_error_set(err, SR_ERR_INVALID, "form '%s' has no item '%s'", cur.form_id, item);
            break;
        }
        if (!eq[1]) {
            sr_answers_unset(a, (size_t)i);
            continue;
        }
        char why[2048];
        char *json = cli_typed_answer(form, (size_t)i, eq + 1, lang, why, sizeof why);
        if (!json) {
            rc = sr_error_set(err, SR_ERR_INVALID, "item '%s': %s", item, why);
            break;
        }
        sr_problems_clear(p);
        rc = sr_answers_set(a, (size_t)i, json, p, err);
        free(json);
        if (rc == SR_ERR_INVALID && sr_problems_count(p))
            cli_print_problems(NULL, p);
    }
    if (rc == SR_OK) {
        for (size_t i = 0; i < sr_form_item_count(form); i++)
            if (!sr_answers_enabled(a, i))
                sr_answers_unset(a, i);
        result = sr_answers_to_json(a);
        if (!result)
            sr_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    if (rc != SR_OK && rc != SR_ERR_INVALID && sr_problems_count(p))
        cli_print_problems(NULL, p);
    free(cur.answers);
    sr_answers_free(a);
    sr_form_free(form);
    sr_problems_free(p);
    return result;
}

int cmd_response_edit(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *file = cli_opt(args, "answers"), *date = cli_opt(args, "date");
    const char *lang = cli_opt(args, "lang") ? cli_opt(args, "lang") : "sv";
    long id = 0;
    if (cli_parse_int(cli_pos(args, 0), 1, 0x7fffffffL, &id) != 0)
        return cli_usage_error(err,
                               "'%s' is not a response ID (a whole number, as 'register' "
                               "prints it)",
                               cli_pos(args, 0));
    size_t len = 0;
    char *text = file ? cli_read_file(file, &len, err) : apply_sets(args, reg, id, lang, err);
    if (!text)
        return err->status == SR_ERR_USAGE ? CLI_USAGE : CLI_FAIL;
    if (!file)
        len = strlen(text);
    sr_problems *problems = sr_problems_new();
    int revision = 0;
    sr_status rc = sr_response_edit(reg, id, date, text, len, problems, &revision, err);
    free(text);
    cli_print_problems(NULL, problems);
    sr_problems_free(problems);
    if (rc != SR_OK)
        return cli_fail(rc);
    fprintf(stderr, "response %ld is now at revision %d; the earlier one is kept\n", id, revision);
    return CLI_OK;
}
