/*
 * extract_int.h - the internal half of the extract module (extract.c): the
 * statements an extract reads the registry with, named here so that a test
 * can check their query plans (tests/unit/test_extract_plan.c).
 *
 * Every one reads in case order from an index or the primary key: none may
 * sort a table (no temporary B-tree) and none may read the answers' JSON
 * (the coded answers, response_codes, are decoded instead). Memory then
 * grows with the quasi-identifier table only, never with the answers.
 */
#ifndef SIGREG_EXTRACT_INT_H
#define SIGREG_EXTRACT_INT_H

/* Pass 1: every case, in code order, from the covering summary index. */
#define SRP_EXTRACT_SQL_CASES                                                                      \
    "SELECT code, unit, birth_date FROM cases INDEXED BY cases_summary ORDER BY code"

/* One case's active responses to one form, in response id order, from the
 * primary key of response_codes (form_id, case_code, response_id). */
#define SRP_EXTRACT_SQL_ROWS                                                                       \
    "SELECT response_id, form_version, date, coded FROM response_codes"                            \
    " WHERE form_id = ?1 AND case_code = ?2 AND active"

/* Whether a case has an active response to a form (who is in the extract). */
#define SRP_EXTRACT_SQL_EXISTS                                                                     \
    "SELECT 1 FROM response_codes WHERE form_id = ?1 AND case_code = ?2 AND active LIMIT 1"

#endif
