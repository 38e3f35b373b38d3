/*
 * casecode.h - case codes (internal): random, short, easy to read aloud, with
 * a check character that catches a mistyped or misheard code. They carry no
 * information about the person, the unit or the date.
 */
#ifndef SIGREG_CASECODE_H
#define SIGREG_CASECODE_H

#include "sigreg/cases.h"

/* A fresh random code "XXXX-XXXX" (seven random symbols and a check). */
void srp_case_code_generate(char code[SR_CASE_CODE_SIZE]);

#endif
