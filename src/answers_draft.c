/*
 * answers_draft.c - a half-filled set of answers read back leniently (a
 * draft): every answer that is valid on its own and whose item is enabled
 * is kept, the rest is left out, and nothing is required; what was typed
 * and refused ("_typed") comes back beside them. Built on the
 * public calls of answers.c, so that it cannot accept what sr_answers_set
 * refuses. It must not store anything.
 */
#include <jansson.h>
#include <stdlib.h>

#include "base/error.h"
#include "sigreg/form.h"
#include "sigreg/limits.h"

sr_status sr_answers_from_draft(const sr_form *form, const char *json, size_t len, sr_answers **out,
                                size_t *dropped, sr_error *err)
{
    *out = NULL;
    if (dropped)
        *dropped = 0;
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return srp_error_set(err, SR_ERR_INVALID, "the draft's answers are not a JSON object");
    }
    sr_answers *a = sr_answers_new(form);
    if (!a) {
        json_decref(root);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    size_t kept = 0;
    for (size_t i = 0; i < sr_form_item_count(form); i++) {
        sr_item_info info;
        sr_form_item(form, i, "sv", &info);
        json_t *v = json_object_get(root, info.id);
        if (!v || json_is_null(v))
            continue;
        char *text = NULL;
        if (!sr_answers_enabled(a, i) || !(text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) ||
            sr_answers_set(a, i, text, NULL, NULL) != SR_OK) {
            free(text);
            continue;
        }
        free(text);
        kept++;
    }
    /* What was typed and refused, for the items still without an answer. */
    json_t *typed = json_object_get(root, "_typed");
    for (size_t i = 0; json_is_object(typed) && i < sr_form_item_count(form); i++) {
        sr_item_info info;
        sr_form_item(form, i, "sv", &info);
        json_t *list = json_object_get(typed, info.id);
        size_t n = json_array_size(list);
        if (n == 0 || n > SR_FORM_MAX_OPTIONS || sr_answers_has(a, i))
            continue;
        const char *values[SR_FORM_MAX_OPTIONS];
        size_t got = 0;
        for (size_t k = 0; k < n; k++)
            if (json_is_string(json_array_get(list, k)))
                values[got++] = json_string_value(json_array_get(list, k));
        (void)sr_answers_set_typed(a, i, values, got, NULL);
    }
    if (dropped)
        *dropped = json_object_size(root) - (typed ? 1 : 0) - kept;
    json_decref(root);
    *out = a;
    return SR_OK;
}
