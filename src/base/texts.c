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
};

int srp_lang_is_en(const char *lang) { return lang && strcmp(lang, "en") == 0; }

const char *srp_lang_tag(const char *lang) { return srp_lang_is_en(lang) ? "en" : "sv"; }

const char *srp_texts_get(srp_text_id id, const char *lang)
{
    if ((unsigned)id >= SRP_T_COUNT || !texts[id].sv)
        return "";
    return srp_lang_is_en(lang) ? texts[id].en : texts[id].sv;
}
