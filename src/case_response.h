/*
 * case_response.h - registering a response on a case and correcting one
 * (internal part; the public calls are in sigreg/cases.h).
 *
 * Both obey case_rules: this module gathers the facts, asks the rules, and
 * stores; it must not decide a life-cycle question itself.
 */
#ifndef SIGREG_CASE_RESPONSE_H
#define SIGREG_CASE_RESPONSE_H

#include <jansson.h>
#include <stdint.h>

#include "case.h"
#include "sigreg/cases.h"
#include "sigreg/limits.h"

/* Registers a response inside the caller's transaction, after the
 * life-cycle and answer checks (the bulk import and sr_register share it). */
/* What a caller that keeps a case's state in memory (an import) knows of
 * the forms registered on it: the first response to each form that is not
 * repeatable. */
#define SRP_CASE_SEEN_MAX 32
typedef struct srp_case_seen {
    struct {
        char id[SR_FORM_ID_MAX + 1];
        int64_t first;
    } forms[SRP_CASE_SEEN_MAX];
    size_t count;
    int overflow; /* more forms than kept: the caller must load the case instead */
} srp_case_seen;
/* The answers to register: as parsed, and the text they were parsed from
 * when the caller has it (text NULL: none). The text is stored as it is when
 * it is already what json_dumps writes (json_span.h); otherwise the parsed
 * answers are written out again. */
typedef struct srp_answers_in {
    const json_t *parsed;
    const char *text;
    size_t len;
} srp_answers_in;
/* srp_register_in_txn on a case whose state c (as srp_case_load reads it,
 * unit access already checked) the caller keeps; c and seen are updated. */
sr_status srp_register_known(sr_registry *reg, srp_case_state *c, srp_case_seen *seen,
                             const sr_form *form, const char *date, srp_answers_in answers,
                             sr_problems *problems, int64_t *response_id, sr_error *err);
sr_status srp_register_in_txn(sr_registry *reg, const char *typed_code, const sr_form *form,
                              const char *date, srp_answers_in answers, sr_problems *problems,
                              int64_t *response_id, sr_error *err);

#endif
