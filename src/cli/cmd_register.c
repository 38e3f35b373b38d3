/*
 * cmd_register.c - `sigreg register CASE FORM`: answers from a file, or asked
 * item by item on a terminal.
 *
 * The dialog asks and checks the date first (before any question), then the
 * items in order, skipping disabled ones; `<` goes back a question, `?`
 * helps, q stops. Every answer goes into the user's draft as it is given
 * (sigreg/drafts.h), so a dialog that is stopped, cut off or closed loses
 * nothing, and the next `register` of the same form offers to resume it.
 * The review numbers every answer with its label; `ändra N` changes one.
 * Only "Spara? j" registers; n asks whether to keep the draft.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dialog.h"
#include "sigreg/cases.h"
#include "sigreg/drafts.h"
#include "sigreg/form_store.h"

typedef struct ui_text {
    const char *intro, *hint, *date_prompt, *intake_date_prompt, *date_is, *resume, *yes_no_again,
        *required, *current, *no_earlier, *help, *choose_many, *yes_no_item, *review, *review_hint,
        *save, *save_again, *keep_draft, *discard_sure, *cancelled, *cancelled_kept, *discarded,
        *none, *draft_failed, *no_such_answer, *fix_and_save, *warning, *earlier, *derived;
} ui_text;

static const ui_text ui_sv = {
    "Registrera %s (%s version %d) för ärende %s.\n",
    "Skriv < för att gå tillbaka en fråga, ? för hjälp och q för att avbryta. Svaren sparas som\n"
    "utkast medan du svarar. Tom rad hoppar över en fråga som inte krävs.\n",
    "Datum för registreringen (ÅÅÅÅ-MM-DD) [%s]: ",
    "Inskrivningsdatum (ÅÅÅÅ-MM-DD) [%s]: ",
    "Datum: %s\n",
    "Det finns ett utkast från %s med %ld svar. Fortsätta? (j/n) ",
    "  svara j eller n\n",
    "ett svar krävs",
    "      (nu: %s; Enter behåller svaret)\n",
    "  det finns ingen tidigare fråga\n",
    "  Svara med numret, koden eller namnet på ett svarsalternativ (början räcker när den\n"
    "  bara passar ett). < går tillbaka en fråga, q avbryter; utkastet finns kvar.\n",
    "      Välj en eller flera, med komma emellan (t.ex. 1,3)\n",
    "      (j/n)\n",
    "\nGranska svaren:\n",
    "Skriv ändra N för att ändra svar N.\n",
    "Spara? (j/n) ",
    "  svara j, n eller ändra N\n",
    "Behålla svaren som utkast så att du kan fortsätta senare? (j/n) ",
    "Kasta utkastet med %zu svar? Det går inte att ångra. (j/n) ",
    "avbrutet: ingenting registrerades",
    "avbrutet: ingenting registrerades; utkastet med %zu svar finns kvar",
    "ingenting registrerades och utkastet är kastat",
    "(inget svar)",
    "varning: utkastet kunde inte sparas: %s\n",
    "  det finns inget svar %s\n",
    "Rätta svaren med ändra N och spara igen.\n",
    "varning",
    "      (tidigare, %s: %s)\n",
    " (ur personnumret)"};
static const ui_text ui_en = {
    "Register %s (%s version %d) for case %s.\n",
    "Type < to go back a question, ? for help and q to stop. The answers are kept as a draft\n"
    "while you answer. An empty line skips a question that is not required.\n",
    "Date of the registration (YYYY-MM-DD) [%s]: ",
    "Intake date (YYYY-MM-DD) [%s]: ",
    "Date: %s\n",
    "There is a draft from %s with %ld answers. Continue it? (y/n) ",
    "  answer y or n\n",
    "an answer is required",
    "      (now: %s; Enter keeps it)\n",
    "  there is no earlier question\n",
    "  Answer with the number, the code or the name of an option (its beginning will do when\n"
    "  it fits only one). < goes back a question, q stops; the draft is kept.\n",
    "      Choose one or more, separated by commas (e.g. 1,3)\n",
    "      (y/n)\n",
    "\nReview the answers:\n",
    "Type change N to change answer N.\n",
    "Save? (y/n) ",
    "  answer y, n or change N\n",
    "Keep the answers as a draft to go on later? (y/n) ",
    "Throw away the draft with %zu answers? This cannot be undone. (y/n) ",
    "cancelled: nothing was registered",
    "cancelled: nothing was registered; the draft with %zu answers is kept",
    "nothing was registered and the draft is thrown away",
    "(no answer)",
    "warning: the draft could not be saved: %s\n",
    "  there is no answer %s\n",
    "Correct the answers with change N and save again.\n",
    "warning",
    "      (earlier, %s: %s)\n",
    " (from the personnummer)"};

typedef struct dialog {
    sr_registry *reg;
    const sr_form *form;
    const char *code; /* canonical */
    const char *lang;
    const ui_text *t;
    sr_answers *a;
    sr_problems *p;
    char date[SR_DATE_MAX + 1];
    int date_fixed; /* --date given: not asked */
    size_t total;   /* questions (items that are not sections) */
    int has_draft;  /* a draft of ours is in the registry */
    int warned;
    char *line; /* the last line read (getline's) */
    size_t line_cap;
    char **earlier;         /* per item: the earlier answer shown beside it, or NULL */
    unsigned char *derived; /* per item: filled by the library, not asked */
} dialog;

enum ask_result { ASK_OK, ASK_BACK, ASK_QUIT, ASK_EOF };

/* Reads a line from the terminal into d->line; 0 at the end of input. */
static int read_line(dialog *d)
{
    fflush(stdout);
    ssize_t n = getline(&d->line, &d->line_cap, stdin);
    if (n < 0)
        return 0;
    d->line[strcspn(d->line, "\r\n")] = '\0';
    return 1;
}

/* Asks a yes/no question until it gets one: 1, 0, or -1 at end of input. */
static int ask_yes_no(dialog *d, const char *question)
{
    for (;;) {
        printf("%s", question);
        if (!read_line(d))
            return -1;
        int yn = cli_yes_no(d->line);
        if (yn >= 0)
            return yn;
        printf("%s", d->t->yes_no_again);
    }
}

static size_t answer_count(const dialog *d)
{
    size_t n = 0;
    for (size_t i = 0; i < sr_form_item_count(d->form); i++)
        n += sr_answers_has(d->a, i) != 0;
    return n;
}

/* Writes the answers so far into the draft. */
static void save_draft(dialog *d)
{
    char *json = sr_answers_to_json(d->a);
    sr_error e;
    sr_error_clear(&e);
    sr_status rc = json ? sr_draft_save(d->reg, d->code, sr_form_id(d->form),
                                        sr_form_version(d->form), d->date, json, &e)
                        : sr_error_set(&e, SR_ERR_NOMEM, "out of memory");
    free(json);
    if (rc == SR_OK)
        d->has_draft = 1;
    else if (!d->warned++)
        printf(d->t->draft_failed, e.message);
}

/* Forgets the answers of items that are disabled by the answers before them. */
static int tidy(dialog *d)
{
    int changed = 0;
    for (size_t i = 0; i < sr_form_item_count(d->form); i++)
        if (!sr_answers_enabled(d->a, i) && sr_answers_has(d->a, i)) {
            sr_answers_unset(d->a, i);
            changed = 1;
        }
    return changed;
}

/* The date, asked (default: the one kept, else today) and checked against
 * the case before any question. ASK_OK, or ASK_QUIT/ASK_EOF. */
static int ask_date(dialog *d)
{
    int intake = sr_form_phase(d->form) == SR_PHASE_INTAKE;
    for (;;) {
        printf(intake ? d->t->intake_date_prompt : d->t->date_prompt, d->date);
        if (!read_line(d))
            return ASK_EOF;
        char typed[32];
        cli_fold(d->line, typed, sizeof typed);
        if (strcmp(typed, "q") == 0)
            return ASK_QUIT;
        if (strcmp(typed, "?") == 0 || strcmp(typed, "<") == 0) {
            printf("%s", d->t->help);
            continue;
        }
        if (!typed[0])
            snprintf(typed, sizeof typed, "%s", d->date);
        sr_error e;
        sr_error_clear(&e);
        if (strlen(typed) <= SR_DATE_MAX &&
            sr_register_check_date(d->reg, d->code, sr_form_id(d->form), typed, &e) == SR_OK) {
            snprintf(d->date, sizeof d->date, "%s", typed);
            return ASK_OK;
        }
        printf("  %s\n", e.status != SR_OK ? e.message : "?");
    }
}

/* The 1-based number of item i among the questions. */
static size_t question_number(const dialog *d, size_t i)
{
    size_t n = 0;
    for (size_t k = 0; k <= i; k++) {
        sr_item_info it;
        sr_form_item(d->form, k, d->lang, &it);
        n += it.type != SR_ITEM_SECTION;
    }
    return n;
}

static void show_item(const dialog *d, size_t i)
{
    const sr_form *form = d->form;
    sr_item_info it;
    sr_form_item(form, i, d->lang, &it);
    printf("\n[%zu/%zu] %s%s\n", question_number(d, i), d->total, it.label,
           it.required ? " *" : "");
    if (it.help)
        printf("      %s\n", it.help);
    if (d->earlier && d->earlier[i])
        printf("%s", d->earlier[i]);
    for (size_t o = 0; o < it.option_count; o++) {
        const char *label;
        sr_form_option(form, i, o, d->lang, NULL, &label, NULL);
        printf("   %2zu) %s\n", o + 1, label);
    }
    if (it.type == SR_ITEM_MULTICHOICE)
        printf("%s", d->t->choose_many);
    else if (it.type == SR_ITEM_BOOLEAN)
        printf("%s", d->t->yes_no_item);
    if (it.type == SR_ITEM_SCALE) {
        printf("      %g-%g", it.min, it.max);
        for (long v = (long)it.min; v <= (long)it.max; v++) {
            const char *a = sr_form_anchor(form, i, v, d->lang);
            if (a)
                printf("  %ld = %s", v, a);
        }
        printf("\n");
    } else if ((it.type == SR_ITEM_INTEGER || it.type == SR_ITEM_DECIMAL) &&
               (it.has_min || it.has_max)) {
        printf("      %g-%g\n", it.min, it.max);
    } else if (it.type == SR_ITEM_DATE) {
        printf("      %s\n", cli_lang_en(d->lang) ? "YYYY-MM-DD" : "ÅÅÅÅ-MM-DD");
    }
}

/* The answer to item i as people read it, into out. */
static void answer_text(const dialog *d, size_t i, char *out, size_t size)
{
    char *v = sr_answers_value_json(d->a, i);
    json_t *value = v ? json_loads(v, JSON_DECODE_ANY, NULL) : NULL;
    if (value)
        cli_answer_text(d->form, i, value, d->lang, out, size);
    else
        snprintf(out, size, "%s", d->t->none);
    json_decref(value);
    free(v);
}

/* Asks item i until it has a valid answer (or is skipped). */
/* A problem about the item just asked, without the library's "item 'ID': "
 * (in the dialog's language) before it: the question is on the screen. */
static const char *plain(const char *message, const char *id)
{
    size_t n = strlen(id), w = strcspn(message, " '");
    const char *p = message + w;
    if (w > 0 && w < 16 && strncmp(p, " '", 2) == 0 && strncmp(p + 2, id, n) == 0 &&
        strncmp(p + 2 + n, "': ", 3) == 0)
        return p + 2 + n + 3;
    return message;
}

static int ask_item(dialog *d, size_t i)
{
    sr_item_info it;
    sr_form_item(d->form, i, d->lang, &it);
    show_item(d, i);
    if (sr_answers_has(d->a, i)) {
        char now[512];
        answer_text(d, i, now, sizeof now);
        printf(d->t->current, now);
    }
    for (;;) {
        printf("> ");
        if (!read_line(d))
            return ASK_EOF;
        char w[8];
        cli_fold(d->line, w, sizeof w);
        if (strcmp(w, "q") == 0)
            return ASK_QUIT;
        if (strcmp(w, "<") == 0)
            return ASK_BACK;
        if (strcmp(w, "?") == 0) {
            if (it.help)
                printf("  %s\n", it.help);
            printf("%s", d->t->help);
            continue;
        }
        if (!w[0]) {
            if (sr_answers_has(d->a, i) || !it.required)
                return ASK_OK;
            printf("  %s\n", d->t->required);
            continue;
        }
        char why[2048];
        char *json = cli_typed_answer(d->form, i, d->line, d->lang, why, sizeof why);
        if (!json) {
            printf("  %s\n", why);
            continue;
        }
        sr_problems_clear(d->p);
        sr_error e;
        sr_error_clear(&e);
        sr_status rc = sr_answers_set(d->a, i, json, d->p, &e);
        free(json);
        if (rc == SR_OK) {
            for (size_t k = 0; k < sr_problems_count(d->p); k++)
                printf("  %s: %s\n", d->t->warning,
                       plain(sr_problems_message(d->p, k), sr_problems_path(d->p, k)));
            tidy(d);
            save_draft(d);
            return ASK_OK;
        }
        printf("  %s\n", sr_problems_count(d->p)
                             ? plain(sr_problems_message(d->p, 0), sr_problems_path(d->p, 0))
                             : e.message);
    }
}

static int is_question(const dialog *d, size_t i)
{
    sr_item_info it;
    sr_form_item(d->form, i, d->lang, &it);
    return it.type != SR_ITEM_SECTION && sr_answers_enabled(d->a, i);
}

/* Asks the items from `from` on; `<` goes back no further than floor.
 * With enabled_before, only those that have no answer and were not
 * enabled before (enabled_before[i] == 0). */
static int ask_items(dialog *d, size_t from, size_t floor, const unsigned char *enabled_before)
{
    const size_t first = floor;
    size_t count = sr_form_item_count(d->form);
    size_t i = from;
    while (i < count) {
        sr_item_info it;
        sr_form_item(d->form, i, d->lang, &it);
        if (!sr_answers_enabled(d->a, i)) {
            if (sr_answers_has(d->a, i)) {
                sr_answers_unset(d->a, i);
                save_draft(d);
            }
            i++;
            continue;
        }
        if (it.type == SR_ITEM_SECTION) {
            if (!enabled_before)
                printf("\n== %s\n", it.label ? it.label : "");
            i++;
            continue;
        }
        if ((enabled_before && (enabled_before[i] || sr_answers_has(d->a, i))) ||
            (d->derived[i] && sr_answers_has(d->a, i))) {
            i++;
            continue;
        }
        int r = ask_item(d, i);
        if (r == ASK_QUIT || r == ASK_EOF)
            return r;
        if (r == ASK_OK) {
            i++;
            continue;
        }
        /* Back: the nearest earlier question that is enabled now. */
        size_t k = i;
        while (k > first && (!is_question(d, k - 1) || d->derived[k - 1]))
            k--;
        if (k > first) {
            i = k - 1;
        } else if (!enabled_before && !d->date_fixed && first == 0) {
            int rd = ask_date(d);
            if (rd != ASK_OK)
                return rd;
            save_draft(d);
        } else {
            printf("%s", d->t->no_earlier);
        }
    }
    return ASK_OK;
}

/* The review: every enabled question numbered, with its label and answer.
 * index[n - 1] is the item of answer n; returns how many. */
static size_t show_review(const dialog *d, size_t *index)
{
    printf("%s", d->t->review);
    printf(d->t->date_is, d->date);
    size_t n = 0;
    for (size_t i = 0; i < sr_form_item_count(d->form); i++) {
        if (!is_question(d, i))
            continue;
        sr_item_info it;
        sr_form_item(d->form, i, d->lang, &it);
        char value[1024];
        if (sr_answers_has(d->a, i))
            answer_text(d, i, value, sizeof value);
        else
            snprintf(value, sizeof value, "%s", d->t->none);
        index[n++] = i;
        printf("  %2zu. ", n);
        cli_print_padded(stdout, it.label, 50);
        printf(" %s%s\n", value, d->derived[i] ? d->t->derived : "");
    }
    /* What the form accepts but warns of (a free text that looks like a name). */
    char *json = sr_answers_to_json(d->a);
    sr_problems_clear(d->p);
    if (json)
        (void)sr_form_check_answers(d->form, json, strlen(json), d->p, NULL);
    free(json);
    for (size_t k = 0; k < sr_problems_count(d->p); k++)
        if (sr_problems_is_warning(d->p, k))
            printf("  %s: %s\n", d->t->warning, sr_problems_message(d->p, k));
    printf("%s", d->t->review_hint);
    return n;
}

/* "ändra 3", "andra 3", "change 3": the number, else 0. */
static long change_number(const char *line)
{
    char w[64];
    cli_fold(line, w, sizeof w);
    static const char *const verbs[] = {"ändra ", "andra ", "change "};
    for (size_t k = 0; k < sizeof verbs / sizeof verbs[0]; k++) {
        size_t len = strlen(verbs[k]);
        if (strncmp(w, verbs[k], len) == 0) {
            long n = 0;
            const char *num = w + len;
            while (*num == ' ')
                num++;
            return cli_parse_int(num, 1, 100000, &n) == 0 ? n : -1;
        }
    }
    return 0;
}

/* Changes answer n of the review, then asks what the change enabled. */
static int change_answer(dialog *d, size_t item)
{
    size_t count = sr_form_item_count(d->form);
    unsigned char *before = calloc(count ? count : 1, 1);
    if (!before)
        return ASK_EOF;
    for (size_t i = 0; i < count; i++)
        before[i] = (unsigned char)sr_answers_enabled(d->a, i);
    int r = ask_item(d, item);
    if (r == ASK_OK)
        r = ask_items(d, item + 1, item + 1, before);
    free(before);
    return r == ASK_BACK ? ASK_OK : r;
}

/* Stops the dialog without registering: says what became of the draft. */
static int stop(dialog *d, sr_error *err)
{
    size_t n = answer_count(d);
    if (d->has_draft)
        sr_error_set(err, SR_ERR_USAGE, d->t->cancelled_kept, n);
    else
        sr_error_set(err, SR_ERR_USAGE, "%s", d->t->cancelled);
    return CLI_FAIL;
}

/* Registers the answers; SR_OK, or an error printed or in err. */
static sr_status save(dialog *d, int64_t *id, sr_error *err)
{
    char *json = sr_answers_to_json(d->a);
    if (!json)
        return sr_error_set(err, SR_ERR_NOMEM, "out of memory");
    sr_problems_clear(d->p);
    sr_status rc = sr_register(d->reg, d->code, sr_form_id(d->form), sr_form_version(d->form),
                               d->date, json, strlen(json), d->p, id, err);
    free(json);
    return rc;
}

/* Offers the user's draft of this form version, if there is one. */
typedef struct draft_found {
    const char *form_id;
    int version;
    int found;
    char saved[SR_DATE_MAX + 1];
    long answers;
} draft_found;

static int find_draft(void *ctx, const sr_draft_info *info)
{
    draft_found *f = ctx;
    if (strcmp(info->form_id, f->form_id) != 0 || info->form_version != f->version)
        return 0;
    f->found = 1;
    snprintf(f->saved, sizeof f->saved, "%.10s", info->saved_at ? info->saved_at : "");
    f->answers = info->answers;
    return 1;
}

/* Loads the draft's answers into the set (those that still fit the form). */
static sr_status resume_draft(dialog *d, sr_error *err)
{
    char date[SR_DATE_MAX + 1];
    char *text = NULL;
    sr_status rc = sr_draft_load(d->reg, d->code, sr_form_id(d->form), sr_form_version(d->form),
                                 date, &text, err);
    if (rc != SR_OK)
        return rc;
    json_t *obj = json_loads(text, 0, NULL);
    free(text);
    for (size_t i = 0; obj && i < sr_form_item_count(d->form); i++) {
        sr_item_info it;
        sr_form_item(d->form, i, d->lang, &it);
        json_t *v = json_object_get(obj, it.id);
        char *vj = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
        if (vj)
            (void)sr_answers_set(d->a, i, vj, d->p, NULL);
        free(vj);
    }
    json_decref(obj);
    if (!d->date_fixed && date[0])
        snprintf(d->date, sizeof d->date, "%s", date);
    d->has_draft = 1;
    return SR_OK;
}

/* Keeps the earlier answer shown beside an item (the need at intake beside
 * the need at closure). */
static int keep_earlier(void *ctx, const sr_earlier_answer *e)
{
    dialog *d = ctx;
    if (e->item >= sr_form_item_count(d->form) || d->earlier[e->item])
        return 0;
    char line[1024];
    snprintf(line, sizeof line, d->t->earlier, e->date ? e->date : "",
             e->label  ? e->label
             : e->json ? e->json
                       : "");
    d->earlier[e->item] = strdup(line);
    return 0;
}

static int run_dialog(dialog *d, sr_error *err)
{
    const ui_text *t = d->t;
    printf(t->intro, sr_form_title(d->form, d->lang), sr_form_id(d->form), sr_form_version(d->form),
           d->code);
    printf("%s", t->hint);
    draft_found f = {sr_form_id(d->form), sr_form_version(d->form), 0, "", 0};
    sr_status rc = sr_draft_list(d->reg, d->code, find_draft, &f, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    if (f.found) {
        char question[256];
        snprintf(question, sizeof question, t->resume, f.saved, f.answers);
        int yn = ask_yes_no(d, question);
        if (yn < 0)
            return stop(d, err);
        if (yn == 1 && (rc = resume_draft(d, err)) != SR_OK)
            return cli_fail(rc);
        /* A fresh start replaces the old draft with the first answer. */
    }
    /* The date first: a date the case cannot take stops here, before any question. */
    if (d->date_fixed) {
        rc = sr_register_check_date(d->reg, d->code, sr_form_id(d->form), d->date, err);
        if (rc != SR_OK)
            return cli_fail(rc);
        printf(t->date_is, d->date);
    } else {
        int r = ask_date(d);
        if (r != ASK_OK)
            return stop(d, err);
    }
    /* What the library fills itself (the birth year from a personnummer) is not asked. */
    size_t filled = 0;
    rc = sr_case_derived_answers(d->reg, d->code, d->form, d->a, &filled, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    for (size_t i = 0; filled && i < sr_form_item_count(d->form); i++) {
        sr_item_info it;
        sr_form_item(d->form, i, d->lang, &it);
        d->derived[i] = it.derived_birth_year && sr_answers_has(d->a, i);
    }
    rc = sr_case_earlier_answers(d->reg, d->code, d->form, d->lang, keep_earlier, d, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    /* On from the last question answered (from the first, fresh). */
    size_t first = 0;
    for (size_t i = 0; d->has_draft && i < sr_form_item_count(d->form); i++)
        if (is_question(d, i) && sr_answers_has(d->a, i) && !d->derived[i])
            first = i + 1;
    int r = ask_items(d, first, 0, NULL);
    if (r != ASK_OK)
        return stop(d, err);
    if (tidy(d))
        save_draft(d);
    size_t *index = calloc(sr_form_item_count(d->form) + 1, sizeof *index);
    if (!index)
        return sr_error_set(err, SR_ERR_NOMEM, "out of memory"), CLI_FAIL;
    int exit_code = CLI_FAIL;
    for (;;) {
        size_t n = show_review(d, index);
        printf("%s", t->save);
        if (!read_line(d)) {
            exit_code = stop(d, err);
            break;
        }
        long change = change_number(d->line);
        if (change > 0 && (size_t)change <= n) {
            r = change_answer(d, index[change - 1]);
            if (r == ASK_QUIT || r == ASK_EOF) {
                exit_code = stop(d, err);
                break;
            }
            continue;
        }
        if (change != 0) {
            const char *num = strchr(d->line, ' ');
            printf(t->no_such_answer, num ? num + 1 : "");
            continue;
        }
        int yn = cli_yes_no(d->line);
        if (yn < 0) {
            printf("%s", t->save_again);
            continue;
        }
        if (yn == 0) {
            int keep = ask_yes_no(d, t->keep_draft);
            if (keep == 0) {
                char question[256];
                snprintf(question, sizeof question, t->discard_sure, answer_count(d));
                keep = ask_yes_no(d, question) == 1 ? 0 : 1;
            }
            if (keep == 0 && d->has_draft &&
                sr_draft_discard(d->reg, d->code, sr_form_id(d->form), sr_form_version(d->form),
                                 err) != SR_OK) {
                exit_code = CLI_FAIL;
                break;
            }
            if (keep == 0) {
                d->has_draft = 0;
                sr_error_set(err, SR_ERR_USAGE, "%s", t->discarded);
                break;
            }
            if (!d->has_draft)
                save_draft(d);
            exit_code = stop(d, err);
            break;
        }
        int64_t id = 0;
        sr_error e;
        sr_error_clear(&e);
        rc = save(d, &id, &e);
        if (rc == SR_OK) {
            printf("%lld\n", (long long)id);
            exit_code = CLI_OK;
            break;
        }
        /* Answers the form refuses as a whole: say why, and back to the review. */
        if (rc == SR_ERR_INVALID && sr_problems_count(d->p)) {
            for (size_t k = 0; k < sr_problems_count(d->p); k++)
                printf("  %s: %s\n", sr_problems_path(d->p, k), sr_problems_message(d->p, k));
            printf("%s", t->fix_and_save);
            continue;
        }
        *err = e;
        exit_code = cli_fail(rc);
        break;
    }
    free(index);
    return exit_code;
}

static int interactive(sr_registry *reg, const char *typed_code, const char *form_id, int version,
                       const char *date, const char *lang, sr_error *err)
{
    char code[SR_CASE_CODE_SIZE];
    sr_form *form = NULL;
    sr_status rc = sr_case_code_normalise(typed_code, code, err);
    if (rc == SR_OK)
        rc = sr_form_load(reg, form_id, version, &form, NULL, err);
    if (rc != SR_OK)
        return cli_fail(rc);
    dialog d = {.reg = reg,
                .form = form,
                .code = code,
                .lang = lang,
                .t = cli_lang_en(lang) ? &ui_en : &ui_sv};
    d.a = sr_answers_new(form);
    d.p = sr_problems_new();
    /* The dialog speaks the user's language: so do the library's checks. */
    sr_registry_set_lang(reg, lang);
    sr_problems_set_lang(d.p, lang);
    size_t items = sr_form_item_count(form);
    d.earlier = calloc(items + 1, sizeof *d.earlier);
    d.derived = calloc(items + 1, 1);
    int exit_code = CLI_FAIL;
    if (!d.a || !d.p || !d.earlier || !d.derived) {
        sr_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (date && strlen(date) > SR_DATE_MAX) {
        sr_error_set(err, SR_ERR_INVALID, "'%s' is not a date (YYYY-MM-DD)", date);
        goto out;
    }
    if (date) {
        snprintf(d.date, sizeof d.date, "%s", date);
        d.date_fixed = 1;
    } else {
        sr_date_today(d.date);
    }
    for (size_t i = 0; i < sr_form_item_count(form); i++) {
        sr_item_info it;
        sr_form_item(form, i, lang, &it);
        d.total += it.type != SR_ITEM_SECTION;
    }
    exit_code = run_dialog(&d, err);
out:
    for (size_t i = 0; d.earlier && i < items; i++)
        free(d.earlier[i]);
    free(d.earlier);
    free(d.derived);
    free(d.line);
    sr_problems_free(d.p);
    sr_answers_free(d.a);
    sr_form_free(form);
    return exit_code;
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
    if (!file) {
        if (!isatty(STDIN_FILENO))
            return cli_usage_error(err, "no answers: give --answers FILE (or - for stdin), or run "
                                        "on a terminal to be asked item by item");
        return interactive(reg, code, form_id, (int)version, date, lang, err);
    }
    size_t len = 0;
    char *text = cli_read_file(file, &len, err);
    if (!text)
        return CLI_FAIL;
    sr_problems *problems = sr_problems_new();
    int64_t id = 0;
    /* The library's messages stay English for programs unless a language
     * is asked for. */
    if (cli_opt(args, "lang"))
        sr_registry_set_lang(reg, lang);
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
