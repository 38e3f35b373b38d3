/*
 * form_page.h - a form rendered from its definition as the fields of an
 * HTML form, and answers rendered for people to read.
 *
 * Every item of the form becomes a field with a <label> (or a <fieldset>
 * with a <legend> for radios and checkboxes), its help tied to it with
 * aria-describedby, and the problem the last post had with it beside it;
 * sections become headings. Items whose condition does not hold are
 * rendered hidden and disabled, carrying their condition in
 * data-enable-when, so that /static/app.js can show them as one answers,
 * and a page without the script shows them after "Uppdatera". The field of
 * an item is "f-ID" (for a group, its first option), so that the error
 * summary links to it.
 *
 * (Answers as people read them, for the review: answer_view.h.)
 * Everything goes through html.h's escaping. This module must not know
 * about HTTP, sessions or the registry: it writes what it is given.
 */
#ifndef SIGREG_WEB_FORM_PAGE_H
#define SIGREG_WEB_FORM_PAGE_H

#include <stddef.h>

#include "form_decode.h"
#include "html.h"
#include "sigreg/form.h"

/* More options than this: a choice item is a select, not radios. */
#define FORM_PAGE_MAX_RADIOS 15
/* More steps than this: a scale item is a number field, not radios. */
#define FORM_PAGE_MAX_SCALE_RADIOS 11

typedef struct form_view {
    const sr_form *form;
    const sr_answers *answers;   /* the values shown */
    const web_fields *fields;    /* the post as typed, shown back for items with a
                                    problem; may be NULL */
    const sr_problems *problems; /* by item id; may be NULL */
    const char *lang;            /* "sv" or "en" */
    const unsigned char *only;   /* NULL: every item; else only items i with only[i] */
    const char *const *earlier;  /* NULL, or per item an earlier answer to show beside it
                                    (the intake's need beside the closure's), or NULL */
} form_view;

/* The summary of the problems at the top of a page, each linking to its
 * field; nothing when there are none. */
void form_page_errors(html *h, const form_view *v);

/* Fewer sections than this: a form has no index of its sections. */
#define FORM_PAGE_INDEX_MIN_SECTIONS 3

/* A list of links to the form's sections (those shown and enabled, with a
 * label), for a long form: nothing when it has fewer than
 * FORM_PAGE_INDEX_MIN_SECTIONS. Plain links, reachable from the keyboard,
 * to each section's block (id "item-ID"). */
void form_page_index(html *h, const form_view *v);

/* The items' fields (within a <form> the caller writes), ending with the
 * hidden list of the items shown (FORM_FIELD_SHOWN). */
void form_page_items(html *h, const form_view *v);

/* A problem's message without the library's "item 'ID': " before it (beside
 * the field, or after its label, the item is said already); borrowed. */
const char *form_page_message(const char *message, const char *id);
/* The first problem with path id in problems, or NULL (borrowed), as
 * form_page_message gives it. */
const char *form_page_problem(const sr_problems *problems, const char *id);

#endif
