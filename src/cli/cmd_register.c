/*
 * cmd_register.c - `sigreg register CASE FORM`: answers from a file, or asked
 * item by item on a terminal: label, help and numbered options; disabled
 * items skipped; each answer checked as it is typed; a review before saving.
 * Quitting, or the end of input, saves nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sigreg/cases.h"
#include "sigreg/form_store.h"

typedef struct ui_text {
    const char *intro, *skip_hint, *required, *yes_words, *no_words, *review, *save, *saved,
        *cancelled, *none, *choose_many, *yes, *no;
} ui_text;

static const ui_text ui_sv = {
    "Registrera %s (%s version %d) för ärende %s, datum %s.\n",
    "Skriv q för att avbryta utan att spara. Tom rad hoppar över en fråga som inte krävs.\n",
    "ett svar krävs",
    "j ja y yes 1",
    "n nej no 0",
    "\nGranska svaren:\n",
    "Spara? (j/n) ",
    "sparat",
    "avbrutet: ingenting sparades",
    "(inget svar)",
    "Välj en eller flera, med komma emellan (t.ex. 1,3)",
    "ja",
    "nej"};
static const ui_text ui_en = {
    "Register %s (%s version %d) for case %s, date %s.\n",
    "Type q to quit without saving. An empty line skips a question that is not required.\n",
    "an answer is required",
    "y yes j ja 1",
    "n no nej 0",
    "\nReview the answers:\n",
    "Save? (y/n) ",
    "saved",
    "cancelled: nothing was saved",
    "(no answer)",
    "Choose one or more, separated by commas (e.g. 1,3)",
    "yes",
    "no"};

static int word_in(const char *word, const char *list)
{
    char buf[64];
    snprintf(buf, sizeof buf, " %s ", list);
    char w[32];
    snprintf(w, sizeof w, " %s ", word);
    return strstr(buf, w) != NULL;
}

/* Reads a line from the terminal; returns 0 at end of input. */
static int read_answer(char *line, size_t size)
{
    fflush(stdout);
    if (!fgets(line, (int)size, stdin))
        return 0;
    line[strcspn(line, "\r\n")] = '\0';
    return 1;
}

/* The option code that input names: its number in the list, or the code. */
static const char *option_code(const sr_form *form, size_t i, size_t count, const char *input)
{
    char *end = NULL;
    long n = strtol(input, &end, 10);
    const char *code = input;
    if (end && *end == '\0' && n >= 1 && (size_t)n <= count)
        sr_form_option(form, i, (size_t)n - 1, "sv", &code, NULL, NULL);
    return code;
}

/* Turns typed input into a JSON answer (malloc'd) for item i. Input that
 * does not fit the type is passed on as a string, so that the form's own
 * check explains what is wrong. */
static char *to_json(const sr_form *form, size_t i, const char *in, const ui_text *t)
{
    sr_item_info it;
    sr_form_item(form, i, "sv", &it);
    json_t *v = NULL;
    char lower[64];
    size_t k = 0;
    for (; in[k] && k < sizeof lower - 1; k++)
        lower[k] = (char)tolower((unsigned char)in[k]);
    lower[k] = '\0';
    switch (it.type) {
    case SR_ITEM_BOOLEAN:
        v = word_in(lower, t->yes_words)  ? json_true()
            : word_in(lower, t->no_words) ? json_false()
                                          : json_string(in);
        break;
    case SR_ITEM_CHOICE:
        v = json_string(option_code(form, i, it.option_count, in));
        break;
    case SR_ITEM_MULTICHOICE: {
        char copy[1200];
        snprintf(copy, sizeof copy, "%s", in);
        v = json_array();
        char *save = NULL;
        for (char *tok = strtok_r(copy, ", ", &save); tok && v; tok = strtok_r(NULL, ", ", &save))
            json_array_append_new(v, json_string(option_code(form, i, it.option_count, tok)));
        break;
    }
    case SR_ITEM_INTEGER:
    case SR_ITEM_SCALE:
    case SR_ITEM_DECIMAL: {
        char num[64];
        snprintf(num, sizeof num, "%s", in);
        for (char *p = num; *p; p++)
            if (*p == ',') /* Swedish decimal comma */
                *p = '.';
        char *end = NULL;
        errno = 0;
        long long whole = strtoll(num, &end, 10);
        if (*num && end && !*end && !errno) {
            v = json_integer(whole);
            break;
        }
        double d = strtod(num, &end);
        v = *num && end && !*end ? json_real(d) : json_string(in);
        break;
    }
    default:
        v = json_string(in);
        break;
    }
    char *out = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    json_decref(v);
    return out;
}

static void show_item(const sr_form *form, size_t i, const char *lang, size_t shown, size_t total)
{
    sr_item_info it;
    sr_form_item(form, i, lang, &it);
    printf("\n[%zu/%zu] %s%s\n", shown, total, it.label, it.required ? " *" : "");
    if (it.help)
        printf("      %s\n", it.help);
    for (size_t o = 0; o < it.option_count; o++) {
        const char *label;
        int missing;
        sr_form_option(form, i, o, lang, NULL, &label, &missing);
        printf("   %2zu) %s\n", o + 1, label);
    }
    if (it.type == SR_ITEM_SCALE) {
        printf("      %g-%g", it.min, it.max);
        for (long v = (long)it.min; v <= (long)it.max; v++) {
            const char *a = sr_form_anchor(form, i, v, lang);
            if (a)
                printf("  %ld = %s", v, a);
        }
        printf("\n");
    } else if ((it.type == SR_ITEM_INTEGER || it.type == SR_ITEM_DECIMAL) &&
               (it.has_min || it.has_max)) {
        printf("      %g-%g\n", it.min, it.max);
    } else if (it.type == SR_ITEM_DATE) {
        printf("      YYYY-MM-DD\n");
    }
}

static void print_review_value(const sr_form *form, size_t i, const sr_answers *a, const char *lang,
                               const ui_text *t)
{
    sr_item_info it;
    sr_form_item(form, i, lang, &it);
    printf("  %-50.50s ", it.label);
    if (!sr_answers_has(a, i)) {
        printf("%s\n", t->none);
        return;
    }
    int yes = 0;
    if (it.type == SR_ITEM_BOOLEAN && sr_answers_get_boolean(a, it.id, &yes, NULL) == SR_OK) {
        printf("%s\n", yes ? t->yes : t->no);
    } else if (it.type == SR_ITEM_CHOICE || it.type == SR_ITEM_MULTICHOICE) {
        int first = 1;
        for (size_t o = 0; o < it.option_count; o++) {
            const char *code, *label;
            sr_form_option(form, i, o, lang, &code, &label, NULL);
            if (sr_answers_selects(a, it.id, code)) {
                printf("%s%s", first ? "" : "; ", label);
                first = 0;
            }
        }
        printf("\n");
    } else {
        char *v = sr_answers_value_json(a, i);
        printf("%s\n", v ? v : t->none);
        free(v);
    }
}

/* Asks every enabled item; returns the answers JSON (malloc'd) or NULL when
 * the user quit or the input ended. */
static char *ask_interactively(const sr_form *form, const char *code, const char *date,
                               const char *lang, sr_error *err)
{
    const ui_text *t = strcmp(lang, "en") == 0 ? &ui_en : &ui_sv;
    sr_answers *a = sr_answers_new(form);
    sr_problems *p = sr_problems_new();
    char *result = NULL;
    if (!a || !p) {
        sr_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    printf(t->intro, sr_form_title(form, lang), sr_form_id(form), sr_form_version(form), code,
           date);
    printf("%s", t->skip_hint);
    size_t total = 0, shown = 0;
    for (size_t i = 0; i < sr_form_item_count(form); i++) {
        sr_item_info it;
        sr_form_item(form, i, lang, &it);
        total += it.type != SR_ITEM_SECTION;
    }
    for (size_t i = 0; i < sr_form_item_count(form); i++) {
        sr_item_info it;
        sr_form_item(form, i, lang, &it);
        if (!sr_answers_enabled(a, i)) {
            sr_answers_unset(a, i);
            if (it.type != SR_ITEM_SECTION)
                shown++;
            continue;
        }
        if (it.type == SR_ITEM_SECTION) {
            printf("\n== %s\n", it.label ? it.label : "");
            continue;
        }
        show_item(form, i, lang, ++shown, total);
        if (it.type == SR_ITEM_MULTICHOICE)
            printf("      %s\n", t->choose_many);
        for (;;) {
            char line[1200];
            printf("> ");
            if (!read_answer(line, sizeof line) || strcmp(line, "q") == 0) {
                sr_error_set(err, SR_ERR_USAGE, "%s", t->cancelled);
                goto out;
            }
            if (!line[0]) {
                if (!it.required)
                    break;
                printf("  %s\n", t->required);
                continue;
            }
            char *json = to_json(form, i, line, t);
            sr_problems_clear(p);
            sr_error e;
            sr_error_clear(&e);
            sr_status rc = json ? sr_answers_set(a, i, json, p, &e) : SR_ERR_NOMEM;
            free(json);
            if (rc == SR_OK)
                break;
            printf("  %s\n", sr_problems_count(p) ? sr_problems_message(p, 0) : e.message);
        }
    }
    printf("%s", t->review);
    for (size_t i = 0; i < sr_form_item_count(form); i++) {
        sr_item_info it;
        sr_form_item(form, i, lang, &it);
        if (it.type != SR_ITEM_SECTION && sr_answers_enabled(a, i))
            print_review_value(form, i, a, lang, t);
    }
    printf("%s", t->save);
    char line[32];
    if (!read_answer(line, sizeof line) || !word_in(line, t->yes_words)) {
        sr_error_set(err, SR_ERR_USAGE, "%s", t->cancelled);
        goto out;
    }
    result = sr_answers_to_json(a);
out:
    sr_problems_free(p);
    sr_answers_free(a);
    return result;
}

int cmd_register(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err)
{
    (void)g;
    const char *file = cli_opt(args, "answers"), *date = cli_opt(args, "date");
    const char *lang = cli_opt(args, "lang") ? cli_opt(args, "lang") : "sv";
    long version = 0;
    int exit_code = cli_opt_long(args, "version", 1, 1000000, &version, err);
    if (exit_code != CLI_OK)
        return exit_code;
    const char *code = cli_pos(args, 0), *form_id = cli_pos(args, 1);
    char *text = NULL;
    size_t len = 0;
    if (file) {
        text = cli_read_file(file, &len, err);
        if (!text)
            return CLI_FAIL;
    } else {
        if (!isatty(STDIN_FILENO))
            return cli_usage_error(err, "no answers: give --answers FILE (or - for stdin), or run "
                                        "on a terminal to be asked item by item");
        sr_form *form = NULL;
        char canonical[SR_CASE_CODE_SIZE];
        sr_status rc = sr_case_code_normalise(code, canonical, err);
        if (rc == SR_OK)
            rc = sr_form_load(reg, form_id, (int)version, &form, NULL, err);
        if (rc != SR_OK)
            return cli_fail(rc);
        char today[SR_DATE_MAX + 1];
        sr_date_today(today);
        text = ask_interactively(form, canonical, date ? date : today, lang, err);
        sr_form_free(form);
        if (!text)
            return CLI_FAIL;
        len = strlen(text);
    }
    sr_problems *problems = sr_problems_new();
    int64_t id = 0;
    sr_status rc =
        sr_register(reg, code, form_id, (int)version, date, text, len, problems, &id, err);
    free(text);
    cli_print_problems(NULL, problems);
    sr_problems_free(problems);
    if (rc != SR_OK)
        return cli_fail(rc);
    printf("%lld\n", (long long)id);
    return CLI_OK;
}
