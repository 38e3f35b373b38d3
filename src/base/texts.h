/*
 * texts.h - the Swedish and English texts of the library, in one table
 * (internal). A module asks for a text by its id and a language; nothing
 * else in the library compares a language tag. Swedish is the default: any
 * language but "en" gets Swedish. Form texts (labels written in a form) are
 * not here: they come from the form itself.
 */
#ifndef SIGREG_TEXTS_H
#define SIGREG_TEXTS_H

typedef enum srp_text_id {
    SRP_T_YES,
    SRP_T_NO,
    SRP_T_OPEN,
    SRP_T_CLOSED,
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
    SRP_T_COUNT
} srp_text_id;

/* 1 when lang asks for English, 0 for Swedish (the default). */
int srp_lang_is_en(const char *lang);
/* The normalised language tag: "en" or "sv". */
const char *srp_lang_tag(const char *lang);
/* The text id in lang; a static string, never NULL. */
const char *srp_texts_get(srp_text_id id, const char *lang);

#endif
