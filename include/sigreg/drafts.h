/*
 * drafts.h - half-filled answer sets kept until they are saved or discarded.
 *
 * A draft belongs to one case, one form version and one user: the answers
 * given so far (a JSON object, as FORMS.md describes answers, possibly
 * incomplete) and the registration date, if one was chosen. It lives in the
 * encrypted registry, so that a dialog or a web page that is interrupted
 * (a closed terminal, a locked session) loses nothing. Registering the
 * response (sr_register) discards the user's draft of it in the same
 * transaction; erasing the case erases its drafts.
 *
 * Only roles that may register (admins, coordinators) keep drafts, and only
 * on cases of their units. A draft is not checked against its form beyond
 * being a JSON object: it is work in progress. Its member "_typed" (no item
 * id begins with '_') holds what was typed and refused, per item, as lists
 * of text (sr_answers_to_draft_json); a typed value that holds a
 * personnummer or samordningsnummer is not kept. Members beginning with '_'
 * are not counted as answers. Saving and discarding are
 * audited (draft.save, draft.discard) without the answers; so is loading
 * (draft.load). This module never prints and never decides a registration
 * rule.
 */
#ifndef SIGREG_DRAFTS_H
#define SIGREG_DRAFTS_H

#include <stddef.h>

#include "sigreg/limits.h"
#include "sigreg/registry.h"

/* The form version of a draft: version 0 in every call below means the
 * form's newest installed version, as in sr_register. */

/* Saves (replaces) the session user's draft of form_id/version on case
 * code. date: the registration date chosen ("YYYY-MM-DD"), or NULL/"" when
 * none is yet. answers_json: a JSON object (NUL-terminated). A form that is
 * not installed is SR_ERR_NOT_FOUND with where "form"; answers that are not
 * an object SR_ERR_INVALID with where "answers"; a date that is not one
 * SR_ERR_INVALID with where "date". */
sr_status sr_draft_save(sr_registry *reg, const char *code, const char *form_id, int version,
                        const char *date, const char *answers_json, sr_error *err);

/* Loads the session user's draft: *answers_json (owned by the caller,
 * free()) and date ("" when the draft has none). SR_ERR_NOT_FOUND with
 * where "form" when there is no draft; then *answers_json is NULL. */
sr_status sr_draft_load(sr_registry *reg, const char *code, const char *form_id, int version,
                        char date[SR_DATE_MAX + 1], char **answers_json, sr_error *err);

/* Discards the session user's draft. SR_ERR_NOT_FOUND when there is none. */
sr_status sr_draft_discard(sr_registry *reg, const char *code, const char *form_id, int version,
                           sr_error *err);

typedef struct sr_draft_info {
    const char *case_code;
    const char *form_id;
    int form_version;
    const char *date;     /* the registration date chosen, NULL when none */
    const char *saved_at; /* when it was last saved, UTC "YYYY-MM-DDTHH:MM:SSZ" */
    long answers;         /* how many answers it holds */
} sr_draft_info;
/* Calls fn for each of the session user's drafts, on case code (NULL: on
 * every case of the user's units), newest first. Strings are borrowed for
 * the call; fn returning non-zero stops the list (the call returns SR_OK). */
typedef int (*sr_draft_fn)(void *ctx, const sr_draft_info *info);
sr_status sr_draft_list(sr_registry *reg, const char *code, sr_draft_fn fn, void *ctx,
                        sr_error *err);

#endif
