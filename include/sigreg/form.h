/*
 * form.h - form definitions (format "sigreg-form/1") and answers to them.
 *
 * A form is parsed and validated as a whole: a definition that breaks any
 * rule is rejected with every problem listed as a JSON path and a reason.
 * Answers are checked the same way, with every problem listed by item id;
 * nothing from a rejected set is ever stored. These functions need no
 * registry, so that a command line, a web page and a linter share them.
 */
#ifndef SIGREG_FORM_H
#define SIGREG_FORM_H

#include <stddef.h>

#include "sigreg/status.h"

#define SR_FORM_FORMAT "sigreg-form/1"

typedef struct sr_form sr_form;
typedef struct sr_problems sr_problems;
typedef struct sr_answers sr_answers;

typedef enum sr_phase {
    SR_PHASE_INTAKE = 0,
    SR_PHASE_INTERVENTION,
    SR_PHASE_CLOSURE,
    SR_PHASE_EXPERIENCE,
    SR_PHASE_FOLLOWUP,
    SR_PHASE_COUNT
} sr_phase;

typedef enum sr_item_type {
    SR_ITEM_SECTION = 0,
    SR_ITEM_BOOLEAN,
    SR_ITEM_CHOICE,
    SR_ITEM_MULTICHOICE,
    SR_ITEM_INTEGER,
    SR_ITEM_DECIMAL,
    SR_ITEM_SCALE,
    SR_ITEM_DATE,
    SR_ITEM_TEXT,
    SR_ITEM_TYPE_COUNT
} sr_item_type;

const char *sr_phase_name(sr_phase phase);
int sr_phase_parse(const char *name, sr_phase *out);
const char *sr_item_type_name(sr_item_type type);

/* ---- problem lists ---------------------------------------------------------- */
/* A list of (path, message) pairs; new and owned by the caller. Most are
 * errors, which refuse what was checked; a warning (sr_problems_is_warning)
 * refuses nothing: it comes with accepted answers (a free text that looks
 * like a name) for a front end to show on the review. */
sr_problems *sr_problems_new(void);
void sr_problems_free(sr_problems *problems);
size_t sr_problems_count(const sr_problems *problems);
/* Borrowed strings, valid until the list is freed or cleared. */
const char *sr_problems_path(const sr_problems *problems, size_t i);
const char *sr_problems_message(const sr_problems *problems, size_t i);
void sr_problems_clear(sr_problems *problems);
/* Whether problem i is a warning, not an error. */
int sr_problems_is_warning(const sr_problems *problems, size_t i);
/* How many of the problems are errors (NULL: 0). */
size_t sr_problems_error_count(const sr_problems *problems);
/* Appends a problem found by a front end (path: an item id); 0, or -1
 * when out of memory. Both strings are copied. */
int sr_problems_add(sr_problems *problems, const char *path, const char *message);
/* The language of the messages the library writes into the list: "en" (the
 * default, for programs and the command line) or "sv" (any other tag). The
 * calls that take a registry write in the registry's language instead
 * (sr_registry_set_lang) and set the list's to it. A NULL lang sets English;
 * a NULL list is a no-op (and reads "en"). */
void sr_problems_set_lang(sr_problems *problems, const char *lang);
const char *sr_problems_lang(const sr_problems *problems);

/* ---- definitions ------------------------------------------------------------------ */
/* Parses and validates a definition. On SR_ERR_INVALID every problem is in
 * problems (which may be NULL). *out is owned by the caller. */
sr_status sr_form_parse(const char *text, size_t len, sr_form **out, sr_problems *problems,
                        sr_error *err);
void sr_form_free(sr_form *form);

const char *sr_form_id(const sr_form *form);
int sr_form_version(const sr_form *form);
sr_phase sr_form_phase(const sr_form *form);
int sr_form_repeatable(const sr_form *form);
/* Text in lang ("sv", "en", ...), falling back to Swedish; borrowed. */
const char *sr_form_title(const sr_form *form, const char *lang);
const char *sr_form_description(const sr_form *form, const char *lang); /* NULL if none */
/* A canonical serialisation's hash (hex, borrowed): equal for equal content. */
const char *sr_form_digest(const sr_form *form);

typedef struct sr_item_info {
    const char *id;
    sr_item_type type;
    const char *label; /* in the asked language; NULL for a section without one */
    const char *help;  /* NULL if none */
    int required;
    int identifying;
    int quasi_identifier;
    int has_condition;
    int has_min, has_max;
    double min, max;      /* integer, decimal, scale */
    const char *min_date; /* date: "YYYY-MM-DD", "today" or NULL */
    const char *max_date;
    int decimals;               /* decimal: -1 when not limited */
    size_t max_length;          /* text */
    size_t option_count;        /* choice, multichoice */
    size_t min_selected;        /* multichoice */
    size_t max_selected;        /* multichoice: option_count when not limited */
    int ordered;                /* choice: options (missing ones aside) run from the most to
                                   the least favourable, so change can be called better/worse */
    int derived_birth_year;     /* integer: the birth year, which the library fills from the
                                   case's personnummer when it has one (not asked then) */
    const char *show_from_form; /* the earlier answer to show beside this item: form id and */
    const char *show_from_item; /* item id (sr_case_earlier_answers), or NULL */
} sr_item_info;

size_t sr_form_item_count(const sr_form *form);
/* Fills info for item i (0-based, display order); strings borrowed. */
void sr_form_item(const sr_form *form, size_t i, const char *lang, sr_item_info *info);
/* The index of the item called id, or -1. */
long sr_form_item_index(const sr_form *form, const char *id);
/* Option o of item i: its code, label in lang, and whether it marks a missing answer. */
void sr_form_option(const sr_form *form, size_t i, size_t o, const char *lang, const char **code,
                    const char **label, int *missing);
/* The anchor text of a scale value, or NULL. */
const char *sr_form_anchor(const sr_form *form, size_t i, long value, const char *lang);
/* Item i's enable_when condition as compact JSON (the format of FORMS.md), a
 * new string the caller frees; NULL when the item has none (or out of
 * memory). For a front end that applies conditions as one answers. */
char *sr_form_item_condition(const sr_form *form, size_t i);

/* ---- consent rules --------------------------------------------------------------- */
/* The consents an intake requires (FORMS.md, "consent"): a registration in
 * which a consent item is not given (while the rule applies: at every age,
 * or below_age) is refused with the rule's explanation, where = the item. */
typedef struct sr_consent_info {
    size_t item;             /* the consent item's index */
    int below_age;           /* 0: at every age; else only while the young person is younger */
    const char *explanation; /* in the asked language, falling back to Swedish; borrowed */
} sr_consent_info;
size_t sr_form_consent_count(const sr_form *form);
void sr_form_consent(const sr_form *form, size_t k, const char *lang, sr_consent_info *info);

/* ---- answers ------------------------------------------------------------------------ */
/* Checks a JSON object of answers against the form: SR_OK, or SR_ERR_INVALID
 * with every problem in problems (path = item id). */
sr_status sr_form_check_answers(const sr_form *form, const char *json, size_t len,
                                sr_problems *problems, sr_error *err);

/* An answer set built up item by item (for interactive registration). */
sr_answers *sr_answers_new(const sr_form *form);
void sr_answers_free(sr_answers *answers);
/* Whether item i is enabled given the answers so far (its condition holds). */
int sr_answers_enabled(const sr_answers *answers, size_t i);
/* Sets item i from JSON text ("3", "\"yes\"", "[\"a\",\"b\"]", "true"),
 * checking that one answer; on SR_ERR_INVALID the reason is in problems. */
sr_status sr_answers_set(sr_answers *answers, size_t i, const char *json_value,
                         sr_problems *problems, sr_error *err);
/* Forgets item i's answer. */
void sr_answers_unset(sr_answers *answers, size_t i);
/* Whether item i has an answer; its JSON text (new string the caller frees). */
int sr_answers_has(const sr_answers *answers, size_t i);
char *sr_answers_value_json(const sr_answers *answers, size_t i);
/* The whole set as a JSON object (new string the caller frees), NULL on OOM. */
char *sr_answers_to_json(const sr_answers *answers);

/* What was typed for item i and refused, kept as typed so that a front end
 * can show it back with its message after an interruption (issue 13): n
 * values (UTF-8; a multichoice may have several), copied; n == 0 forgets
 * them. sr_answers_set and sr_answers_unset of the item forget them too.
 * SR_ERR_INVALID when a value is not UTF-8, SR_ERR_NOMEM. Never part of
 * sr_answers_to_json: only of a draft (sr_answers_to_draft_json). */
sr_status sr_answers_set_typed(sr_answers *answers, size_t i, const char *const *values, size_t n,
                               sr_error *err);
/* How many typed values item i holds, and the k-th (borrowed, NULL past the
 * end; valid until the item changes or the set is freed). */
size_t sr_answers_typed_count(const sr_answers *answers, size_t i);
const char *sr_answers_typed(const sr_answers *answers, size_t i, size_t k);
/* The set as a draft's JSON object: the answers, and under "_typed" (no
 * item id begins with '_') what was typed and refused. New string, NULL on
 * OOM. sr_answers_from_draft reads it back. */
char *sr_answers_to_draft_json(const sr_answers *answers);

/* ---- reading a set of answers ------------------------------------------------------- */
/* A set from a JSON object of answers (as stored, or as a file gives it),
 * checked against the form as sr_form_check_answers checks it: on
 * SR_ERR_INVALID every problem is in problems and *out stays NULL. *out is
 * owned by the caller (sr_answers_free); it borrows form, which must outlive
 * it. */
sr_status sr_answers_from_json(const sr_form *form, const char *json, size_t len, sr_answers **out,
                               sr_problems *problems, sr_error *err);
/* A half-filled set (a draft) from a JSON object of answers, read
 * leniently: each answer that is valid on its own and whose item is enabled
 * is kept, any other is left out (*dropped counts those; dropped may be
 * NULL), and required items may be missing. What was typed and refused
 * ("_typed", sr_answers_to_draft_json) comes back for the items of the form
 * that have no answer. SR_ERR_INVALID only when the text is not a JSON
 * object. *out is owned by the caller and borrows form. */
sr_status sr_answers_from_draft(const sr_form *form, const char *json, size_t len, sr_answers **out,
                                size_t *dropped, sr_error *err);

/* Typed getters, by item id. Each returns SR_OK and the value;
 * SR_ERR_NOT_FOUND (where = the id) when the form has no such item or the
 * item has no answer; SR_ERR_INVALID when the item is not of the type asked
 * for. Strings are borrowed from the set, valid until it changes or is
 * freed. */
sr_status sr_answers_type(const sr_answers *answers, const char *id, sr_item_type *type,
                          sr_error *err);
sr_status sr_answers_get_boolean(const sr_answers *answers, const char *id, int *value,
                                 sr_error *err);
/* A choice item's option code. */
sr_status sr_answers_get_choice(const sr_answers *answers, const char *id, const char **code,
                                sr_error *err);
/* A multichoice item's selected codes, in the order given: *count of them
 * in all, the first `max` in codes (which may be NULL when max is 0). */
sr_status sr_answers_get_multichoice(const sr_answers *answers, const char *id, const char **codes,
                                     size_t max, size_t *count, sr_error *err);
/* Whether a choice item's answer is code, or a multichoice item's answer
 * includes it; 0 for no answer or any other item. */
int sr_answers_selects(const sr_answers *answers, const char *id, const char *code);
/* An integer or scale item's whole number. */
sr_status sr_answers_get_integer(const sr_answers *answers, const char *id, long long *value,
                                 sr_error *err);
/* A decimal, integer or scale item's number. */
sr_status sr_answers_get_decimal(const sr_answers *answers, const char *id, double *value,
                                 sr_error *err);
/* A date item's "YYYY-MM-DD". */
sr_status sr_answers_get_date(const sr_answers *answers, const char *id, const char **date,
                              sr_error *err);
/* A text item's text. */
sr_status sr_answers_get_text(const sr_answers *answers, const char *id, const char **text,
                              sr_error *err);

#endif
