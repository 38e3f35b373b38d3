/*
 * limits.h - the longest identifiers and the largest structures sigreg
 * accepts, each defined once. Every module that stores or compares a code
 * sizes its buffers from these (plus one for the NUL); a value longer than
 * its limit is refused with a clear error where it enters, never truncated.
 */
#ifndef SIGREG_LIMITS_H
#define SIGREG_LIMITS_H

/* Identifiers (characters, without the terminating NUL). */
#define SR_USER_NAME_MAX 32   /* [A-Za-z0-9._-], first a letter or digit */
#define SR_UNIT_CODE_MAX 32   /* [A-Za-z0-9_-], first a letter or digit */
#define SR_OPTION_CODE_MAX 32 /* [a-z0-9_] (sigreg-form/1) */
#define SR_ITEM_ID_MAX 48     /* [a-z][a-z0-9_]* (sigreg-form/1) */
#define SR_FORM_ID_MAX 48     /* [a-z][a-z0-9-]* (sigreg-form/1) */
#define SR_CASE_CODE_MAX 16   /* XXXX-XXXX and room to spare */
#define SR_DATE_MAX 10        /* YYYY-MM-DD */

/* A grouping key holds any of the codes above (a unit, an option code, an
 * age band, a period such as 2025-Q3). */
#define SR_GROUP_KEY_MAX 48

/* Forms (sigreg-form/1). */
#define SR_FORM_MAX_ITEMS 2000
#define SR_FORM_MAX_OPTIONS 500
#define SR_FORM_MAX_SCALE_STEPS 101 /* max - min + 1; 0..100 covers visual-analogue scales */
#define SR_FORM_DEFAULT_TEXT_LENGTH 1000
#define SR_FORM_MAX_TEXT_LENGTH 100000
#define SR_FORM_MAX_CONDITION_DEPTH 32
/* A consent rule's explanation, in bytes per language: it becomes an error
 * message (SR_ERROR_MESSAGE_MAX) whole, after the item it is about. */
#define SR_FORM_MAX_EXPLANATION 400

#endif
