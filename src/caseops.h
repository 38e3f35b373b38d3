/*
 * caseops.h - the case operations that run inside a caller's transaction
 * (internal): opening a case (case.h) and registering on it
 * (case_response.h). The interactive and the bulk paths share them, so both
 * obey the same rules. New code includes those two headers instead.
 */
#ifndef SIGREG_CASEOPS_H
#define SIGREG_CASEOPS_H

#include "case.h"
#include "case_response.h"

#endif
