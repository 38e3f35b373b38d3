/*
 * form_int.h - the internal model of a parsed form (as SQLite has
 * sqliteInt.h): the definition parser (form.c) builds it, and the answer
 * checker, coded answers, summaries and extracts read it. Nothing outside
 * the library sees it. All strings and JSON values are borrowed from the
 * form's root document.
 */
#ifndef SIGREG_FORM_INT_H
#define SIGREG_FORM_INT_H

#include <jansson.h>

#include "sigreg/form.h"

typedef struct srp_option {
    const char *code;
    json_t *label;
    int missing;
    int merge_group; /* 0, or 1 + the index of its group in the item's mergeable */
} srp_option;

typedef struct srp_item {
    const char *id;
    sr_item_type type;
    json_t *label;
    json_t *help;
    int required;
    int identifying;
    int quasi_identifier;
    json_t *condition; /* enable_when, validated; NULL when always enabled */
    int has_min, has_max;
    double min, max;
    const char *min_date, *max_date; /* "YYYY-MM-DD" or "today" */
    int decimals;                    /* -1: not limited */
    size_t max_length;
    srp_option *options;
    size_t option_count;
    size_t min_selected, max_selected;
    int ordered;       /* choice: non-missing options run from most to least favourable */
    json_t *mergeable; /* choice: NULL, or the validated array of groups {options, label} */
    json_t *anchors;
    int derived_birth_year;     /* integer: "derived": "birth_year" */
    const char *show_from_form; /* "show_from": the earlier answer shown beside it, or NULL */
    const char *show_from_item;
} srp_item;

/* A consent an intake requires (the form's "consent" rules). */
typedef struct srp_consent {
    size_t item;         /* the consent item's index */
    const json_t *given; /* the array of answers that count as consent */
    int below_age;       /* 0: at every age; else only while younger than this */
    json_t *explanation;
} srp_consent;

struct sr_form {
    json_t *root;
    const char *id;
    int version;
    sr_phase phase;
    int repeatable;
    json_t *title;
    json_t *description;
    srp_item *items;
    size_t item_count;
    srp_consent *consents;
    size_t consent_count;
    size_t birth_year_item; /* 1 + the index of the derived birth-year item, 0: none */
    /* A memo of case_answers.c: the newest installed version of this form
     * whose consent rules apply to it (NULL: none), once looked up. Owned. */
    struct sr_form *consent_rules;
    int consent_rules_looked;
    char digest[65];
};

/* The string of a text value in lang, falling back to "sv"; NULL if none. */
const char *srp_text(const json_t *text, const char *lang);
/* The item called id, or NULL. */
const srp_item *srp_form_find_item(const sr_form *form, const char *id, size_t *index);
/* The option of item called code, or NULL. */
const srp_option *srp_item_find_option(const srp_item *item, const char *code);
/* Appends a problem; returns -1 when out of memory. */
int srp_problems_add(sr_problems *problems, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends a warning (accepted, but worth a second look); -1 when out of memory. */
int srp_problems_warn(sr_problems *problems, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Checks a parsed set of answers (registration and import use this). */
sr_status srp_form_check_answers_json(const sr_form *form, const json_t *answers,
                                      sr_problems *problems, sr_error *err);
/* Answers that are no JSON: the parser's reason into problems (path
 * "(answers)") and SR_ERR_INVALID with where (may be NULL), in the list's
 * language. */
sr_status srp_answers_not_json(const json_error_t *jerr, sr_problems *problems, const char *where,
                               sr_error *err);
/* Resolves a date bound ("today" or a date) to "YYYY-MM-DD" in out (11 bytes). */
void srp_date_bound(const char *bound, char out[11]);

#endif
