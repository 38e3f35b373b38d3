/*
 * texts.c - the table of the library's Swedish and English texts.
 */
#include "base/texts.h"

#include <string.h>

static const struct {
    const char *sv, *en;
} texts[SRP_T_COUNT] = {
    [SRP_T_YES] = {"ja", "yes"},
    [SRP_T_NO] = {"nej", "no"},
    [SRP_T_OPEN] = {"öppet", "open"},
    [SRP_T_CLOSED] = {"avslutat", "closed"},
    [SRP_T_STATUS] = {"Status", "Status"},
    [SRP_T_CASES_BY_STATUS] = {"Ärenden efter status", "Cases by status"},
    [SRP_T_REGISTRATIONS_PER_CASE] = {"Registreringar per ärende", "Registrations per case"},
    [SRP_T_DAYS_INTAKE_TO_CLOSURE] = {"Dagar från inskrivning till avslut",
                                      "Days from intake to closure"},
    [SRP_T_STATS_WIDENED] = {"perioden utvidgades till hela månader (%s till %s), så att en dag "
                             "hit eller dit inte kan peka ut någon",
                             "the period was widened to whole months (%s to %s), so that a day "
                             "more or less cannot single anyone out"},
    [SRP_T_STATS_START] = {"start", "start"},
    [SRP_T_STATS_END] = {"end", "end"},
    [SRP_T_STATS_SMALL_COUNTS] = {"antal från 1 till %d redovisas inte (minsta cell %d)",
                                  "counts from 1 to %d are withheld (minimum cell %d)"},
    [SRP_T_STATS_SMALL_GROUPS] = {"grupper med färre än %d personer redovisas inte alls",
                                  "groups of fewer than %d people are withheld whole"},
    [SRP_T_STATS_SECONDARY] = {"fler uppgifter döljs så att ingen dold uppgift kan räknas fram "
                               "ur summor, ur resten av raden eller kolumnen eller ur samma "
                               "fråga utan filter (sekundär röjandekontroll)",
                               "further figures are withheld so that no withheld one can be "
                               "recomputed from totals, from the rest of its row or column, or "
                               "from the same query without its filter (secondary suppression)"},
    [SRP_T_STATS_SMALL_BASE] = {"mått över färre än %d personer redovisas inte",
                                "statistics over fewer than %d people are withheld"},
    [SRP_T_STATS_REPEATABLE] = {"'%s' registreras upprepat: varje person räknas en gång per svar "
                                "under perioden; heltal summeras per person, skalor "
                                "medelvärdesbildas",
                                "'%s' is repeatable: each person counts once per answer given in "
                                "the period; whole numbers are summed per person, scales "
                                "averaged"},
    [SRP_T_STATS_NEVER_SUMMARISED] = {"fritext, datum och direkt identifierande frågor "
                                      "sammanställs aldrig",
                                      "free text, dates and identifying items are never "
                                      "summarised"},
    [SRP_T_STATS_CHANGE] = {": förändring", ": change"},
    [SRP_T_STATS_MIN_CELL] = {"minsta cell", "minimum cell"},
    [SRP_T_STATS_TO] = {"till", "to"},
    [SRP_T_STATS_UNIT] = {"enhet", "unit"},
    [SRP_T_STATS_WITHHELD] = {"uppgiften redovisas inte (röjanderisk)",
                              "withheld (disclosure risk)"},
};

int srp_lang_is_en(const char *lang) { return lang && strcmp(lang, "en") == 0; }

const char *srp_lang_tag(const char *lang) { return srp_lang_is_en(lang) ? "en" : "sv"; }

const char *srp_texts_get(srp_text_id id, const char *lang)
{
    if ((unsigned)id >= SRP_T_COUNT || !texts[id].sv)
        return "";
    return srp_lang_is_en(lang) ? texts[id].en : texts[id].sv;
}
