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

#include "sigreg/cases.h"

/* Registers a response inside the caller's transaction, after the
 * life-cycle and answer checks (the bulk import and sr_register share it). */
sr_status srp_register_in_txn(sr_registry *reg, const char *typed_code, const sr_form *form,
                              const char *date, const json_t *answers, sr_problems *problems,
                              int64_t *response_id, sr_error *err);

#endif
