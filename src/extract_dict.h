/*
 * extract_dict.h - the data dictionary of an extract (internal): every
 * variable of every file with its labels, type, value labels and how it was
 * coarsened, and the files rendered from it: codebook.csv (one row per
 * variable), value_labels.csv (one row per code) and the syntax files that
 * load the extract with its labels into R (load_extract.R), Stata
 * (load_extract.do) and SPSS (load_extract.sps). It renders text only: it
 * never reads a registry, never decides what is anonymous, never writes a
 * file.
 */
#ifndef SIGREG_EXTRACT_DICT_H
#define SIGREG_EXTRACT_DICT_H

#include <stddef.h>

#include "base/buffer.h"

/* How a variable is stored in its CSV file, and so how it is loaded. */
typedef enum srp_dict_kind {
    SRP_DICT_TEXT,   /* text without labels (the random id, a period) */
    SRP_DICT_CODED,  /* text codes with value labels */
    SRP_DICT_NUMBER, /* a number */
    SRP_DICT_FLAG    /* 0/1 with value labels */
} srp_dict_kind;

typedef struct srp_dict srp_dict;

/* An empty dictionary, or NULL when out of memory. Free with srp_dict_free. */
srp_dict *srp_dict_new(void);
void srp_dict_free(srp_dict *dict); /* NULL: no-op */

/* Adds a variable of file (e.g. "cases.csv"). Strings are copied; NULL
 * label_en: the Swedish label; NULL strings: empty. Value labels added next
 * belong to it. */
void srp_dict_var(srp_dict *dict, const char *file, const char *name, const char *label_sv,
                  const char *label_en, const char *type, srp_dict_kind kind, int quasi,
                  const char *coarsening, const char *form, const char *version);
/* Adds a value label to the last variable: order is its position on an
 * ordered scale (1 = first), 0 when not ordered. */
void srp_dict_value(srp_dict *dict, const char *code, const char *label_sv, const char *label_en,
                    int order, int missing);
/* Whether any addition ran out of memory. */
int srp_dict_oom(const srp_dict *dict);

/* The five files' text, appended to out. */
void srp_dict_codebook(const srp_dict *dict, srp_buf *out);
void srp_dict_value_labels(const srp_dict *dict, srp_buf *out);
void srp_dict_r(const srp_dict *dict, srp_buf *out);
void srp_dict_stata(const srp_dict *dict, srp_buf *out);
void srp_dict_spss(const srp_dict *dict, srp_buf *out);

#endif
