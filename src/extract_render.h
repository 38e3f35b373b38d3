/*
 * extract_render.h - the text of an extract (internal): CSV rows, the
 * codebook and metadata.json, from typed values. It renders what the plan
 * (extract.c) selected and what k-anonymity (kanon.c) left; it never runs
 * SQL, never decides what is anonymous, never seals or writes a file.
 */
#ifndef SIGREG_EXTRACT_RENDER_H
#define SIGREG_EXTRACT_RENDER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buffer.h"
#include "coded.h"
#include "extract_dict.h"
#include "form_int.h"
#include "kanon.h"
#include "sigreg/limits.h"

/* Columns of cases.csv before the quasi-identifying items. */
#define SRP_EXTRACT_FIXED_QI 3 /* unit, age_band, intake_period */
#define SRP_EXTRACT_COLUMN_MAX (24 + SR_ITEM_ID_MAX + 2 + SR_OPTION_CODE_MAX)
#define SRP_EXTRACT_NO_DAY INT32_MIN

/* One stored version of a selected form, for decoding its coded answers. */
typedef struct srp_extract_version {
    int version;
    sr_form *form;  /* owned */
    long *item_map; /* newest item index -> this version's item index, or -1 */
} srp_extract_version;

typedef struct srp_extract_form {
    char id[SR_FORM_ID_MAX + 1];
    sr_form *newest; /* borrowed from versions[] */
    srp_extract_version *versions;
    size_t version_count;
    char *versions_text; /* "1,2", malloc'd */
    sr_phase phase;
    int repeatable;
    srp_coded_value *scratch; /* one per item of the widest version */
} srp_extract_form;

typedef struct srp_extract_qi {
    char column[SRP_EXTRACT_COLUMN_MAX + 1];
    size_t form;   /* index into the plan's forms */
    size_t item;   /* index into that form's newest items */
    int32_t scale; /* numbers: stored as value * scale */
} srp_extract_qi;

/* What an extract holds, decided before any row is read. */
typedef struct srp_extract_plan {
    srp_extract_form *forms; /* in phase order */
    size_t form_count;
    srp_extract_qi *qis;
    size_t qi_count;
    char **units; /* unit codes; column 0 holds an index into it */
    size_t unit_count;
    int relative_dates;
    int k;
    int level;          /* the generalisation level k-anonymity reached (set before rendering) */
    long birth_year_qi; /* the intake's birth_year among qis, or -1 */
} srp_extract_plan;

/* A decoded answer to one of the newest version's items. */
typedef struct srp_extract_answer {
    const srp_item *item; /* the answering version's item; NULL: not asked */
    srp_coded_value value;
} srp_extract_answer;

/* Whether an item goes into an extract, and whether it is a quasi-identifier. */
int srp_extract_item_extracted(const srp_item *item);
int srp_extract_item_quasi(const srp_item *item);

/* Decodes a coded blob of version into answers (one per newest item; the
 * multichoice values point into blob). -1 when damaged or unknown version. */
int srp_extract_decode(const srp_extract_form *form, int version, const unsigned char *blob,
                       size_t len, srp_extract_answer *answers);

/* The dictionary's variables person, the fixed and the item
 * quasi-identifiers (of cases.csv), and cases.csv's header up to there. */
void srp_extract_codebook_start(const srp_extract_plan *plan, srp_dict *dict, srp_buf *header);
/* ",col..." header fields and the variables of one form's non-QI columns
 * in file. */
void srp_extract_form_columns(const srp_extract_plan *plan, const srp_extract_form *form,
                              const char *file, srp_buf *header, srp_dict *dict);

/* ",v..." for every quasi-identifier of row after k-anonymity. */
void srp_extract_render_qi(const srp_extract_plan *plan, const srp_kanon *table, size_t row,
                           srp_buf *out);
/* ",v..." for one form's columns: its date (day number; not for intake),
 * then its items. answers NULL: not answered. intake_day may be
 * SRP_EXTRACT_NO_DAY; year_only: dates as years. */
void srp_extract_render_items(const srp_extract_plan *plan, const srp_extract_form *form,
                              const srp_extract_answer *answers, int32_t day, int32_t intake_day,
                              int year_only, srp_buf *out);

/* The kanon value of an item quasi-identifier's answer (EMPTY when none). */
int32_t srp_extract_qi_value(const srp_extract_plan *plan, const srp_extract_qi *qi,
                             const srp_extract_answer *answer);
/* A day number as YYYY-MM-DD. */
void srp_extract_day_text(int32_t day, char out[SR_DATE_MAX + 1]);
/* A day number as a kanon month, or SRP_KANON_EMPTY. */
int32_t srp_extract_month_of_day(int32_t day);

/* What metadata.json says (a new reference). */
typedef struct srp_extract_summary {
    size_t persons, blanked, all_blanked, cells;
    size_t smallest_class; /* counted over the written quasi-identifiers */
    int level;
    const srp_kanon *table; /* after the run: what was blanked, per row */
    json_t *files;          /* borrowed: {"cases.csv": n, ...} */
} srp_extract_summary;
json_t *srp_extract_metadata(const srp_extract_plan *plan, const srp_extract_summary *summary);

#endif
