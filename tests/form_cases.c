/*
 * form_cases.c - runs one data-driven case folder against its golden file.
 *
 *   form_cases definition DIR   parses DIR/form.json
 *   form_cases answers DIR      checks DIR/answers.json against DIR/form.json
 *                               (or ../form.json when the case has none)
 *   add --print to write what it finds instead of comparing.
 *
 * DIR/expected holds the problems, one "path: message" line each (a
 * warning "path: warning: message"), in the order found; an absent or empty
 * expected means the case must be valid without a warning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sigreg/cases.h"
#include "sigreg/form.h"
#include "sigreg/secret.h"

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown) {
                free(buf);
                buf = NULL;
            }
            buf = grown;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

/* Today's date appears in messages about "today" bounds; golden files say TODAY. */
static void mask_today(char *text)
{
    char today[SR_DATE_MAX + 1];
    sr_date_today(today); /* the local date, as the "today" bound is */
    for (char *hit = strstr(text, today); hit; hit = strstr(hit, today)) {
        memcpy(hit, "TODAY", 5);
        memmove(hit + 5, hit + 10, strlen(hit + 10) + 1);
    }
}

static char *format_problems(const sr_problems *p)
{
    size_t cap = 256;
    for (size_t i = 0; i < sr_problems_count(p); i++)
        cap += strlen(sr_problems_path(p, i)) + strlen(sr_problems_message(p, i)) + 16;
    char *out = malloc(cap);
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sr_problems_count(p); i++)
        used += (size_t)snprintf(out + used, cap - used, "%s: %s%s\n", sr_problems_path(p, i),
                                 sr_problems_is_warning(p, i) ? "warning: " : "",
                                 sr_problems_message(p, i));
    return out;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: form_cases definition|answers DIR [--print]\n");
        return 2;
    }
    sr_error err;
    sr_error_clear(&err);
    if (sr_crypto_init(&err) != SR_OK)
        return 2;
    int print = argc > 3 && strcmp(argv[3], "--print") == 0;
    int answers_mode = strcmp(argv[1], "answers") == 0;
    const char *dir = argv[2];
    char path[1024];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/form.json", dir);
    char *form_text = read_all(path, &len);
    if (!form_text && answers_mode) {
        snprintf(path, sizeof path, "%s/../form.json", dir);
        form_text = read_all(path, &len);
    }
    if (!form_text) {
        fprintf(stderr, "no form.json for %s\n", dir);
        return 2;
    }
    sr_problems *problems = sr_problems_new();
    sr_form *form = NULL;
    sr_status rc = sr_form_parse(form_text, len, &form, problems, &err);
    if (answers_mode) {
        if (rc != SR_OK) {
            fprintf(stderr, "the case's form is invalid: %s\n", err.message);
            return 2;
        }
        snprintf(path, sizeof path, "%s/answers.json", dir);
        size_t alen = 0;
        char *answers = read_all(path, &alen);
        if (!answers) {
            fprintf(stderr, "no answers.json in %s\n", dir);
            return 2;
        }
        sr_error_clear(&err);
        rc = sr_form_check_answers(form, answers, alen, problems, &err);
        free(answers);
    }
    char *found = format_problems(problems);
    mask_today(found);
    /* Warnings refuse nothing: only errors go with a failure. */
    if ((rc == SR_OK) != (sr_problems_error_count(problems) == 0)) {
        fprintf(stderr, "status %d does not agree with %zu errors\n", rc,
                sr_problems_error_count(problems));
        return 1;
    }
    int status = 0;
    if (print) {
        fputs(found, stdout);
    } else {
        snprintf(path, sizeof path, "%s/expected", dir);
        size_t elen = 0;
        char *expected = read_all(path, &elen);
        const char *want = expected ? expected : "";
        if (strcmp(want, found) != 0) {
            fprintf(stderr, "%s\n--- expected\n%s--- found\n%s", dir, want, found);
            status = 1;
        } else {
            printf("ok: %s (%zu problem%s)\n", dir, sr_problems_count(problems),
                   sr_problems_count(problems) == 1 ? "" : "s");
        }
        free(expected);
    }
    free(found);
    free(form_text);
    sr_form_free(form);
    sr_problems_free(problems);
    return status;
}
