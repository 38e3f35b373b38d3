/*
 * form_decode.h - the fields of a posted registration form turned into
 * answers, item by item.
 *
 * The page (form_page) names each answer's field after its item id; a
 * multichoice item sends one field per option chosen. Each value is decoded
 * as its item's type asks (yes/no as "ja"/"nej", numbers with a decimal
 * comma or point, dates as YYYY-MM-DD, text as typed) and checked, first
 * here with a message in the page's language and then by the library
 * (sr_answers_set), which has the last word. Every problem goes into a
 * problem list under its item id; an answer that fails is left out of the
 * set, while what was typed stays in the fields for the page to show back.
 *
 * Bounded: a field that names no item and is not one of the page's own
 * (FORM_FIELD_*), too many fields, or one value given twice to an item that
 * takes one, refuses the whole post (nothing in the set changes). This
 * module must not know about HTTP, sessions or the registry: it is a pure
 * function of the form and the fields, and a fuzz target calls it.
 */
#ifndef SIGREG_WEB_FORM_DECODE_H
#define SIGREG_WEB_FORM_DECODE_H

#include <stddef.h>

#include "request.h"
#include "sigreg/form.h"

/* The page's own fields, which hold no answer. */
#define FORM_FIELD_CSRF "csrf" /* the session's token (page_csrf_field; the server checks it) */
#define FORM_FIELD_ACTION "_action" /* which button was pressed */
#define FORM_FIELD_DATE "_date"     /* the registration date */
#define FORM_FIELD_SHOWN "_shown"   /* the items the page showed, separated by spaces */
#define FORM_FIELD_FOCUS "_focus"   /* the item to go back to */

/* At most this many fields in one post (the request parser's own bound). */
#define FORM_DECODE_MAX_FIELDS WEB_FIELDS_MAX
/* The longest value of a field that is not a text item's. */
#define FORM_DECODE_MAX_VALUE 256

/* Decodes fields into `into` (a set for form, which may already hold
 * answers: a draft's). The items named in FORM_FIELD_SHOWN (or, without it,
 * the items that have a field) take the posted answers: an item shown but
 * not answered loses its answer. Items whose condition no longer holds lose
 * their answers (in form order, so that conditions on them follow).
 * Messages are in lang ("sv" or "en"; NULL: Swedish). fields may be the
 * request parser's (request.h) or any others: nothing here relies on the
 * parser's checks.
 *
 * Returns the number of problems added to problems (0: every posted answer
 * was taken), or -1 when the post is refused as a whole (one problem with
 * path "(fields)" says why, and `into` is unchanged) or memory ran out. */
int form_decode_fields(const sr_form *form, const web_fields *fields, const char *lang,
                       sr_answers *into, sr_problems *problems);

/* Checks a typed date (the registration date, or a date item): 0 and the
 * canonical "YYYY-MM-DD" in out, or -1 when it is no date that exists. */
int form_decode_date(const char *typed, char out[11]);

/* Adds FT_E_REQUIRED under each enabled required item that has no answer;
 * returns how many. */
size_t form_decode_missing(const sr_form *form, const sr_answers *answers, const char *lang,
                           sr_problems *problems);

#endif
