/*
 * answer_view.h - one saved answer as a person reads it: an option's label
 * (never its code), Ja/Nej, a number with its scale anchor, a date, a text.
 * For the case page and any page that shows answers back (the review).
 * This module must not know about requests or sessions.
 */
#ifndef SIGREG_WEB_ANSWER_VIEW_H
#define SIGREG_WEB_ANSWER_VIEW_H

#include <stddef.h>

#include "html.h"
#include "sigreg/form.h"

/* Writes item i's answer in answers (escaped as element content) in lang;
 * returns 0, or -1 when the item has no answer (nothing written). */
int answer_view_write(html *h, const sr_form *form, const sr_answers *answers, size_t i,
                      const char *lang);

#endif
