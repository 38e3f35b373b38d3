/*
 * caseops.h - case operations that run inside a caller's transaction
 * (internal): the interactive and the bulk paths share them, so both obey
 * the same rules.
 */
#ifndef SIGREG_CASEOPS_H
#define SIGREG_CASEOPS_H

#include <jansson.h>
#include <stdint.h>

#include "sigreg/cases.h"

/* Opens a case (pnr may be NULL); checks unit access and duplicates. */
sr_status srp_case_insert(sr_registry *reg, const char *unit, const char *pnr_text,
                          char code[SR_CASE_CODE_SIZE], sr_error *err);
/* Registers a response after the life-cycle and answer checks. */
sr_status srp_register_in_txn(sr_registry *reg, const char *typed_code, const sr_form *form,
                              const char *date, const json_t *answers, sr_problems *problems,
                              int64_t *response_id, sr_error *err);

#endif
