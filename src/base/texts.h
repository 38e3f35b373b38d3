/*
 * texts.h - the Swedish and English texts of the library, in one table
 * (internal). A module asks for a text by its id and a language; nothing
 * else in the library compares a language tag. Swedish is the default: any
 * language but "en" gets Swedish. Form texts (labels written in a form) are
 * not here: they come from the form itself.
 */
#ifndef SIGREG_TEXTS_H
#define SIGREG_TEXTS_H

#include <stddef.h>

typedef enum srp_text_id {
    SRP_T_YES,
    SRP_T_NO,
    SRP_T_STATUS,
    SRP_T_CASES_BY_STATUS,
    SRP_T_REGISTRATIONS_PER_CASE,
    SRP_T_DAYS_INTAKE_TO_CLOSURE,
    /* Summaries (stats): notes, and the words of the table (%-formats noted). */
    SRP_T_STATS_WIDENED, /* %s from, %s to */
    SRP_T_STATS_START,
    SRP_T_STATS_END,
    SRP_T_STATS_SMALL_COUNTS, /* %d min-1, %d min */
    SRP_T_STATS_SMALL_GROUPS, /* %d min */
    SRP_T_STATS_SECONDARY,
    SRP_T_STATS_SMALL_BASE, /* %d min */
    SRP_T_STATS_REPEATABLE, /* %s form */
    SRP_T_STATS_NEVER_SUMMARISED,
    SRP_T_STATS_CHANGE, /* after the title of a change table */
    SRP_T_STATS_MIN_CELL,
    SRP_T_STATS_TO,
    SRP_T_STATS_UNIT,
    SRP_T_STATS_WITHHELD,
    /* Statistics' names, units of count and CSV headers (stats_rows, stats_write). */
    SRP_T_STAT_N,
    SRP_T_STAT_MEAN,
    SRP_T_STAT_MEDIAN,
    SRP_T_STAT_P25,
    SRP_T_STAT_P75,
    SRP_T_STAT_TOP2, /* %s the second highest step, %s the highest */
    SRP_T_STAT_IMPROVED,
    SRP_T_STAT_UNCHANGED,
    SRP_T_STAT_WORSENED,
    SRP_T_STAT_PAIR, /* %s at intake, %s now */
    SRP_T_UNIT_PEOPLE,
    SRP_T_UNIT_PEOPLE_EVER,
    SRP_T_UNIT_PEOPLE_CHOOSING,
    SRP_T_UNIT_CASES,
    SRP_T_STATS_EVER_NOTE,
    SRP_T_STATS_CHOOSING_NOTE,
    SRP_T_STATS_MISSING_NOTE,
    SRP_T_STATS_HEAD_COUNT,
    SRP_T_STATS_HEAD_PERCENT,
    SRP_T_STATS_HEAD_ESTIMATE,
    SRP_T_H_FORM,
    SRP_T_H_ITEM,
    SRP_T_H_VALUE,
    SRP_T_H_COUNT,
    SRP_T_H_DENOMINATOR,
    SRP_T_H_PERCENT,
    SRP_T_H_ESTIMATE,
    SRP_T_H_SUPPRESSED,
    SRP_T_H_ITEM_LABEL,
    SRP_T_H_VALUE_LABEL,
    SRP_T_H_BY_LABEL, /* %s the --by item */
    SRP_T_H_UNIT_OF_COUNT,
    SRP_T_H_UNIT_OF_COUNT_LABEL,
    /* The workbook (stats_xlsx). */
    SRP_T_XLSX_COVER,
    SRP_T_XLSX_FORM,
    SRP_T_XLSX_FILTERS,
    SRP_T_XLSX_ALL_UNITS,
    SRP_T_XLSX_BOTH_STATUSES,
    SRP_T_XLSX_WHOLE_PERIOD,
    SRP_T_XLSX_PERIOD,
    SRP_T_XLSX_STATUS,
    SRP_T_XLSX_BY,
    SRP_T_XLSX_GENERATED_AT,
    SRP_T_XLSX_VERSIONS,
    SRP_T_XLSX_NOTES,
    SRP_T_XLSX_ANSWER,
    SRP_T_XLSX_ALL,
    SRP_T_XLSX_BASE,
    SRP_T_XLSX_COUNT_OR_VALUE,
    SRP_T_XLSX_MIN_CELL,
    SRP_T_XLSX_UNIT,
    SRP_T_STATS_CELL_KEY,
    SRP_T_STATS_CELL_KEY_STATS,
    SRP_T_PUB_PUBLISHED,
    SRP_T_PUB_PROTECTED,
    /* Disclosure control's rules (issue 16). */
    SRP_T_STATS_QUANTILES,      /* %d people at least, %d values on either side */
    SRP_T_STATS_MERGED_OPTIONS, /* %s item, %s the options' labels */
    SRP_T_STATS_MISSING_LABEL,
    SRP_T_STATS_MERGED_PERIODS, /* %s the merged periods */
    SRP_T_STATS_PERIOD_MERGED,  /* %s the period asked for, %s to %s the merged one */
    SRP_T_STATS_PROTECTION,
    /* Messages of the library's checks (issue 13): answers, case rules, consents. */
    SRP_T_ITEM_PREFIX, /* %s item id; begins every problem about one item */
    SRP_T_A_SECTION,
    SRP_T_A_BOOLEAN,
    SRP_T_A_ONE_CODE,
    SRP_T_A_NOT_OPTION, /* %s the code */
    SRP_T_A_CODE_ARRAY,
    SRP_T_A_ELEMENT,    /* %zu index */
    SRP_T_A_TWICE,      /* %s the code */
    SRP_T_A_SELECT_MIN, /* %zu min, %zu got */
    SRP_T_A_SELECT_MAX, /* %zu max, %zu got */
    SRP_T_A_WHOLE,
    SRP_T_A_NUMBER,
    SRP_T_A_BELOW,       /* %s value, %s min */
    SRP_T_A_ABOVE,       /* %s value, %s max */
    SRP_T_A_DECIMAL_1,   /* %s value, %d decimals (1) */
    SRP_T_A_DECIMALS,    /* %s value, %d decimals */
    SRP_T_A_DATE,        /* %s what was given */
    SRP_T_A_THE_ANSWER,  /* stands for an answer that is no string */
    SRP_T_A_DATE_BEFORE, /* %s date, %s earliest */
    SRP_T_A_DATE_AFTER,  /* %s date, %s latest */
    SRP_T_A_TEXT,
    SRP_T_A_TEXT_LONG, /* %zu max */
    SRP_T_A_PNR,       /* %zu character */
    SRP_T_A_NAME,      /* %zu character */
    SRP_T_A_NOT_OBJECT,
    SRP_T_A_NO_SUCH_ITEM, /* %s form id */
    SRP_T_A_REQUIRED,
    SRP_T_A_NOT_ENABLED,
    SRP_T_A_REQUIRED_ONE,
    SRP_T_A_PROBLEM_1, /* %zu count (1), %s form id */
    SRP_T_A_PROBLEMS,  /* %zu count, %s form id */
    SRP_T_A_NOT_JSON,  /* %s parser's text, %d line, %d column */
    SRP_T_A_ANSWERS_NOT_JSON,
    SRP_T_A_INVALID,
    SRP_T_A_INVALID_TO,             /* %s item id */
    SRP_T_R_NOT_DATE,               /* %s what was given */
    SRP_T_R_FUTURE,                 /* %s date */
    SRP_T_R_CLOSED,                 /* %s case code */
    SRP_T_R_HAS_INTAKE,             /* %s case code, %s intake date */
    SRP_T_R_NO_INTAKE,              /* %s case code */
    SRP_T_R_OPEN_FOLLOWUP,          /* %s case code */
    SRP_T_R_ANSWERED,               /* %s case code, %s form id, %lld response */
    SRP_T_R_INTAKE_AFTER,           /* %s date, %s first registration */
    SRP_T_R_BEFORE_INTAKE,          /* %s date, %s intake */
    SRP_T_R_CLOSURE_BEFORE,         /* %s date, %s latest registration */
    SRP_T_R_CLOSURE_AFTER_FOLLOWUP, /* %s date, %s follow-up */
    SRP_T_R_AFTER_CLOSURE,          /* %s date, %s closure */
    SRP_T_R_FOLLOWUP_BEFORE,        /* %s date, %s closure */
    SRP_T_R_SET_ASIDE,              /* %lld response */
    SRP_T_C_BIRTH_YEAR_GIVEN,
    SRP_T_C_BIRTH_YEAR,
    /* A case's status standing alone (a table cell, a choice, the report):
     * Öppet/Avslutat, in every summary, page and report alike. */
    SRP_T_STATUS_OPEN_LABEL,
    SRP_T_STATUS_CLOSED_LABEL,
    /* Personnummer checks (pnr.c). */
    SRP_T_PNR_NONE,
    SRP_T_PNR_DIGITS,
    SRP_T_PNR_CHARACTERS,
    SRP_T_PNR_SEPARATOR, /* %c the separator */
    SRP_T_PNR_NO_DATE_SAMORD,
    SRP_T_PNR_NO_DATE,
    SRP_T_PNR_FUTURE,
    SRP_T_PNR_PLUS,
    SRP_T_PNR_CHECK_DIGIT,
    SRP_T_COUNT
} srp_text_id;

/* Whether s is well-formed UTF-8 (no overlong forms, no surrogates). */
int srp_utf8_valid(const char *s);
/* The number of characters (code points) of UTF-8 text. */
size_t srp_utf8_length(const char *s);

/* 1 when lang asks for English, 0 for Swedish (the default). */
int srp_lang_is_en(const char *lang);
/* The normalised language tag: "en" or "sv". */
const char *srp_lang_tag(const char *lang);
/* The text id in lang; a static string, never NULL. */
const char *srp_texts_get(srp_text_id id, const char *lang);

#endif
