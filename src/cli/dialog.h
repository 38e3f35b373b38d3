/*
 * dialog.h - answers as people type them, and answers as people read them,
 * for the terminal front end: yes and no in any case and either language,
 * options by number, code, label or an unambiguous beginning of a label,
 * and every stored answer shown with its value label. The register dialog,
 * `response edit --set` and `case show` share it. It never touches the
 * registry; it only turns text into a JSON answer and back.
 */
#ifndef SIGREG_CLI_DIALOG_H
#define SIGREG_CLI_DIALOG_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "sigreg/form.h"
#include "sigreg/limits.h"

/* Whether lang asks for English (anything else is Swedish). */
int cli_lang_en(const char *lang);

/* A yes or a no, typed in any case with spaces around: j, ja, y, yes give
 * 1; n, nej, no give 0; anything else -1. */
int cli_yes_no(const char *line);

/* in, trimmed and lower-cased (ASCII and the Latin-1 letters of UTF-8:
 * Å Ä Ö É and their kin), into out (always NUL-terminated). */
void cli_fold(const char *in, char *out, size_t size);

/* The JSON text of an answer to item i typed as in the dialog (a new
 * string the caller frees). Options by number, code, label (in lang or the
 * other language) or an unambiguous beginning of a label; several of a
 * multichoice separated by commas; yes/no words for a yes/no item; a
 * decimal comma. NULL when the input names no option or several, with why
 * (in lang) listing the options; a value of the wrong kind otherwise goes
 * on as a string, for the form's own check to explain. */
char *cli_typed_answer(const sr_form *form, size_t i, const char *input, const char *lang,
                       char *why, size_t why_size);

/* An answer (as stored) to item i as people read it: option labels, ja/nej,
 * numbers with their scale anchor, text as it is; into out. */
void cli_answer_text(const sr_form *form, size_t i, const json_t *value, const char *lang,
                     char *out, size_t size);

/* Prints text in exactly width characters (UTF-8 code points): cut with
 * "…" when longer, padded with spaces when shorter. */
void cli_print_padded(FILE *out, const char *text, size_t width);

#endif
