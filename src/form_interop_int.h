/*
 * form_interop_int.h - the internal half of the form interop modules: what
 * form_interop.c shares with the three formats (form_redcap.c, form_fhir.c,
 * form_xlsform.c). Front ends use sigreg/form_interop.h; nothing outside
 * these four files includes this header.
 *
 * The helpers read the parsed model (form_int.h) and the definition it was
 * parsed from, or build pieces of a sigreg-form/1 document with jansson.
 * None of them reads or writes files or touches a registry, and a format
 * module must not reach into another format's module: what two formats
 * need goes here.
 */
#ifndef SIGREG_FORM_INTEROP_INT_H
#define SIGREG_FORM_INTEROP_INT_H

#include <stddef.h>

#include <jansson.h>

#include "form_int.h"
#include "sigreg/form_interop.h"

/* The keys of a sigreg-form/1 document mapped one by one (NULL-ended). */
extern const char *const srp_interop_known_document_keys[];

/* The keys of obj not in the NULL-ended list known, as a new object (NULL
 * when there are none). */
json_t *srp_interop_leftover_keys(const json_t *obj, const char *const *known);

/* A text's string in exactly this language (no fallback), or NULL. */
const char *srp_interop_lang_text(const json_t *text, const char *lang);

/* A new text object {"sv": s}. */
json_t *srp_interop_sv_text(const char *s);

/* A number as the shortest text that reads back as the same double. */
void srp_interop_number_text(char *out, size_t size, double v);

/* The problems an import has found: listed in problems (may be NULL),
 * counted, and oom set when listing one failed. */
typedef struct srp_interop_problems {
    sr_problems *problems;
    size_t count;
    int oom;
} srp_interop_problems;

/* Lists and counts one problem at path. */
void srp_interop_problem(srp_interop_problems *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The parsed item with this id, or NULL (also for a NULL id). */
const srp_item *srp_interop_find_item(const sr_form *form, const char *id);

/* The item object called id in a JSON array of items being built, or NULL. */
json_t *srp_interop_built_item(json_t *items, const char *id);

/* Whether an item being built has an option with this code. */
int srp_interop_built_option(const json_t *item, const char *code);

/* The type of an item being built, or NULL. */
const char *srp_interop_built_type(const json_t *item);

/* What sigreg-form/1 keys the formats do not map one by one say, for an
 * item and its options: {"item": {...}, "options": {code: {...}}}. */
json_t *srp_interop_extra_keys(const srp_item *it, const json_t *item);

/* The consent rule (sigreg-form/1 "consent") whose item is items[item], or NULL. */
const srp_consent *srp_interop_consent_of(const sr_form *form, size_t item);
/* Appends a consent rule {item, given, below_age (0: none), explanation} to
 * the "consent" array of a document being built; given and explanation are
 * stolen (NULL: an empty list, none). */
void srp_interop_add_consent(json_t *form, const char *item, json_t *given, json_int_t below_age,
                             json_t *explanation);
/* The REDCap form name of a sigreg form id ('-' becomes '_'). */
void srp_interop_redcap_form_name(const char *id, char *out, size_t size);

/* The end of an import: an error if there were problems (or no memory),
 * else doc written out to *json. */
sr_status srp_interop_finish_import(json_t *doc, srp_interop_problems *p, char **json,
                                    sr_error *err);

/* The document around the items: what the options say, else what the
 * definition says (form), else what the format gives (fallback id/title). */
json_t *srp_interop_import_document(srp_interop_problems *p, const sr_form_import_options *opts,
                                    const json_t *form, const char *fallback_id,
                                    json_t *fallback_title /* stolen */, json_t *items);

/* A new comparison {item, op[, value]}; NULL when out of memory. */
json_t *srp_interop_leaf(const char *item, const char *op, json_t *value /* stolen, may be NULL */);

/* A new {"not": c}, or NULL (also when c is NULL). */
json_t *srp_interop_negate(json_t *c /* stolen */);

/* Condition c (negated when neg) with every "not" pushed down to a
 * comparison (De Morgan), double negations removed and groups of one
 * replaced by their member. A new reference. */
json_t *srp_interop_cond_nnf(const json_t *c, int neg);

/* The comparison operator that is the negation of op, or NULL. */
const char *srp_interop_negated_op(const char *op);

/* Folds the two-comparison spellings formats without sigreg's operators
 * need back into one ("x <> v and x <> ''" is x != v, and so on). A new
 * reference. */
json_t *srp_interop_cond_fold(const json_t *c);

#endif
