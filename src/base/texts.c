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
    [SRP_T_STAT_N] = {"antal", "number"},
    [SRP_T_STAT_MEAN] = {"medelvärde", "mean"},
    [SRP_T_STAT_MEDIAN] = {"median", "median"},
    [SRP_T_STAT_P25] = {"25:e percentilen", "25th percentile"},
    [SRP_T_STAT_P75] = {"75:e percentilen", "75th percentile"},
    [SRP_T_STAT_TOP2] = {"andel i de två högsta stegen (%s–%s)",
                         "share in the two highest steps (%s–%s)"},
    [SRP_T_STAT_IMPROVED] = {"förbättrad", "improved"},
    [SRP_T_STAT_UNCHANGED] = {"oförändrad", "unchanged"},
    [SRP_T_STAT_WORSENED] = {"försämrad", "worsened"},
    [SRP_T_STAT_PAIR] = {"%s → %s", "%s → %s"},
    [SRP_T_UNIT_PEOPLE] = {"personer, var och en en gång", "people, each once"},
    [SRP_T_UNIT_PEOPLE_EVER] = {"personer som någon gång gett svaret (kan räknas under flera svar)",
                                "people who ever gave the answer (may count under several)"},
    [SRP_T_UNIT_PEOPLE_CHOOSING] = {"personer som valt alternativet (kan välja flera)",
                                    "people who chose the option (may choose several)"},
    [SRP_T_UNIT_CASES] = {"ärenden", "cases"},
    [SRP_T_STATS_EVER_NOTE] =
        {"Antal personer som någon gång under perioden gett svaret. En person "
         "med flera registreringar räknas under vart och ett av sina svar, "
         "så andelarna kan tillsammans bli mer än 100 %.",
         "People who gave the answer at least once in the period. A person "
         "with several registrations counts under each answer given, so the "
         "shares can add up to more than 100 %."},
    [SRP_T_STATS_CHOOSING_NOTE] = {"Antal personer som valt alternativet. En person kan välja "
                                   "flera, så andelarna kan tillsammans bli mer än 100 %.",
                                   "People who chose the option. A person may choose several, so "
                                   "the shares can add up to more than 100 %."},
    [SRP_T_STATS_MISSING_NOTE] = {"Svar som \"Vet ej\" (alternativ utan ställningstagande) "
                                  "redovisas med antal men ingår inte i andelarna: andelen räknas "
                                  "på dem som tagit ställning.",
                                  "Answers such as \"Don't know\" (options that take no position) "
                                  "are counted but kept outside the shares: a share is of those "
                                  "who took a position."},
    [SRP_T_STATS_HEAD_COUNT] = {"antal", "count"},
    [SRP_T_STATS_HEAD_PERCENT] = {"andel", "share"},
    [SRP_T_STATS_HEAD_ESTIMATE] = {"värde", "value"},
    [SRP_T_H_FORM] = {"formulär", "form"},
    [SRP_T_H_ITEM] = {"fråga", "item"},
    [SRP_T_H_VALUE] = {"värde", "value"},
    [SRP_T_H_COUNT] = {"antal", "count"},
    [SRP_T_H_DENOMINATOR] = {"bas", "denominator"},
    [SRP_T_H_PERCENT] = {"procent", "percent"},
    [SRP_T_H_ESTIMATE] = {"skattning", "estimate"},
    [SRP_T_H_SUPPRESSED] = {"ej redovisad", "suppressed"},
    [SRP_T_H_ITEM_LABEL] = {"frågetext", "item_label"},
    [SRP_T_H_VALUE_LABEL] = {"svarstext", "value_label"},
    [SRP_T_H_BY_LABEL] = {"%s (text)", "%s_label"},
    [SRP_T_H_UNIT_OF_COUNT] = {"räknas som", "unit_of_count"},
    [SRP_T_H_UNIT_OF_COUNT_LABEL] = {"räknas som (text)", "unit_of_count_label"},
    [SRP_T_XLSX_COVER] = {"Om sammanställningen", "About the summary"},
    [SRP_T_XLSX_FORM] = {"Formulär", "Form"},
    [SRP_T_XLSX_FILTERS] = {"Urval", "Filters applied"},
    [SRP_T_XLSX_ALL_UNITS] = {"alla enheter", "all units"},
    [SRP_T_XLSX_BOTH_STATUSES] = {"öppna och avslutade ärenden", "open and closed cases"},
    [SRP_T_XLSX_WHOLE_PERIOD] = {"hela tiden", "all dates"},
    [SRP_T_XLSX_PERIOD] = {"Period", "Period"},
    [SRP_T_XLSX_STATUS] = {"Ärenden", "Cases"},
    [SRP_T_XLSX_BY] = {"Uppdelat på", "Grouped by"},
    [SRP_T_XLSX_GENERATED_AT] = {"Sammanställd", "Generated at"},
    [SRP_T_XLSX_VERSIONS] = {"Formulärversioner", "Form versions"},
    [SRP_T_XLSX_NOTES] = {"Att läsa tabellerna", "Reading the tables"},
    [SRP_T_XLSX_ANSWER] = {"Svar", "Answer"},
    [SRP_T_XLSX_ALL] = {"Alla", "All"},
    [SRP_T_XLSX_BASE] = {"Antal svarande (bas)", "Respondents (base)"},
    [SRP_T_XLSX_COUNT_OR_VALUE] = {"antal / värde", "count / value"},
    [SRP_T_XLSX_MIN_CELL] = {"Minsta cell (minsta antal som redovisas)",
                             "Minimum cell (smallest count published)"},
    [SRP_T_XLSX_UNIT] = {"Enhet", "Unit"},
    [SRP_T_STATS_CELL_KEY] = {"antalen är slumpvis störda med cellnyckelmetoden (D = %d, V = %g, "
                              "js = %d): samma personer ger alltid samma störning, inget antal är "
                              "1-%d, andelar räknas på störda antal, och delarna behöver inte "
                              "summera till sin total",
                              "counts are perturbed by the cell-key method (D = %d, V = %g, "
                              "js = %d): the same people always give the same noise, no count is "
                              "1-%d, percentages are of perturbed counts, and parts need not add "
                              "up to their total"},
    [SRP_T_STATS_CELL_KEY_STATS] = {"medelvärden och kvartiler avser de verkliga värdena och "
                                    "redovisas bara när både det verkliga och det störda antalet "
                                    "personer är minst %d (kvartiler minst %d)",
                                    "means and quartiles are of the true values, shown only when "
                                    "both the true and the perturbed number of people are at "
                                    "least %d (quartiles at least %d)"},
    [SRP_T_PUB_PUBLISHED] = {"ur publiceringen %s av %s (signerad av %.16s…)",
                             "from the publication of %s by %s (signed by %.16s…)"},
    [SRP_T_PUB_PROTECTED] = {"alla tabeller i publiceringen är skyddade tillsammans: ingen "
                             "undanhållen siffra kan räknas fram ur någon kombination av dem",
                             "every table of the publication is protected together: no withheld "
                             "figure can be recomputed from any combination of them"},
    [SRP_T_STATS_QUANTILES] = {"kvartiler (p25, median, p75) redovisas bara över minst %d personer "
                               "och när minst %d värden ligger på vardera sidan",
                               "quartiles (p25, median, p75) are shown only over at least %d "
                               "people, with at least %d values on either side"},
    [SRP_T_STATS_MERGED_OPTIONS] = {"'%s': %s redovisas sammanslagna, eftersom något av dem var "
                                    "litet",
                                    "'%s': %s are shown merged into one, as one of them was "
                                    "small"},
    [SRP_T_STATS_MISSING_LABEL] = {"Uppgift saknas", "Missing"},
    [SRP_T_STATS_MERGED_PERIODS] = {"perioder med för få personer redovisas sammanslagna med en "
                                    "granne: %s",
                                    "periods with too few people are shown merged with a "
                                    "neighbour: %s"},
    [SRP_T_STATS_PERIOD_MERGED] = {"perioden %s har för få personer och redovisas sammanslagen "
                                   "med en granne, %s till %s",
                                   "the period %s has too few people and is shown merged with a "
                                   "neighbour, %s to %s"},
    [SRP_T_STATS_PROTECTION] = {"röjandeskydd: %zu av %zu antal redovisas inte (%zu små, %zu i "
                                "små grupper, %zu för att skydda andra); %ld personer dolda i "
                                "grupper vars antal redovisas, %zu grupper dolda helt; %zu "
                                "antal som övriga siffror ändå ger (t.ex. nollor) redovisas",
                                "disclosure control: %zu of %zu counts withheld (%zu small, %zu "
                                "in small groups, %zu to protect others); %ld persons hidden in "
                                "groups whose size is published, %zu groups hidden whole; %zu "
                                "counts that the other figures give anyway (e.g. zeros) "
                                "published"},
    [SRP_T_ITEM_PREFIX] = {"fråga '%s': ", "item '%s': "},
    [SRP_T_A_SECTION] = {"en rubrik besvaras aldrig", "a section is never answered"},
    [SRP_T_A_BOOLEAN] = {"svaret måste vara ja eller nej", "the answer must be true or false"},
    [SRP_T_A_ONE_CODE] = {"svaret måste vara ett av svarsalternativen",
                          "the answer must be one option code"},
    [SRP_T_A_NOT_OPTION] = {"'%s' är inget av frågans svarsalternativ",
                            "'%s' is not one of its option codes"},
    [SRP_T_A_CODE_ARRAY] = {"svaret måste vara en lista med svarsalternativ",
                            "the answer must be an array of option codes"},
    [SRP_T_A_ELEMENT] = {"val %zu är inget svarsalternativ", "element %zu is not an option code"},
    [SRP_T_A_TWICE] = {"'%s' är valt två gånger", "'%s' is selected twice"},
    [SRP_T_A_SELECT_MIN] = {"välj minst %zu (nu %zu)", "select at least %zu (got %zu)"},
    [SRP_T_A_SELECT_MAX] = {"välj högst %zu (nu %zu)", "select at most %zu (got %zu)"},
    [SRP_T_A_WHOLE] = {"svaret måste vara ett heltal", "the answer must be a whole number"},
    [SRP_T_A_NUMBER] = {"svaret måste vara ett tal", "the answer must be a number"},
    [SRP_T_A_BELOW] = {"%s är mindre än det minsta tillåtna, %s", "%s is below the minimum %s"},
    [SRP_T_A_ABOVE] = {"%s är större än det högsta tillåtna, %s", "%s is above the maximum %s"},
    [SRP_T_A_DECIMAL_1] = {"%s har fler än %d decimal", "%s has more than %d decimal"},
    [SRP_T_A_DECIMALS] = {"%s har fler än %d decimaler", "%s has more than %d decimals"},
    [SRP_T_A_DATE] = {"%s är inget datum som finns (ÅÅÅÅ-MM-DD)",
                      "%s is not a date (YYYY-MM-DD) that exists"},
    [SRP_T_A_THE_ANSWER] = {"svaret", "the answer"},
    [SRP_T_A_DATE_BEFORE] = {"%s är före det tidigaste tillåtna datumet, %s",
                             "%s is before the earliest date %s"},
    [SRP_T_A_DATE_AFTER] = {"%s är efter det senaste tillåtna datumet, %s",
                            "%s is after the latest date %s"},
    [SRP_T_A_TEXT] = {"svaret måste vara text", "the answer must be text"},
    [SRP_T_A_TEXT_LONG] = {"texten är längre än %zu tecken",
                           "the text is longer than %zu characters"},
    [SRP_T_A_PNR] = {"texten innehåller ett personnummer eller samordningsnummer vid tecken %zu: "
                     "fritext får inte identifiera någon",
                     "the text holds a personnummer or samordningsnummer at character %zu: free "
                     "text must not identify anyone"},
    [SRP_T_A_NAME] = {"texten vid tecken %zu ser ut som ett namn: fritext får inte namnge någon",
                      "the text at character %zu looks like a name: free text must not name "
                      "anyone"},
    [SRP_T_A_NOT_OBJECT] = {"svaren måste vara ett JSON-objekt från frågans id till svaret",
                            "the answers must be a JSON object from item id to answer"},
    [SRP_T_A_NO_SUCH_ITEM] = {"formuläret '%s' har ingen sådan fråga",
                              "there is no such item in form '%s'"},
    [SRP_T_A_REQUIRED] = {"svar krävs", "an answer is required"},
    [SRP_T_A_NOT_ENABLED] = {"ska inte besvaras, eftersom villkoret för frågan inte är uppfyllt",
                             "must not be answered, its condition does not hold"},
    [SRP_T_A_REQUIRED_ONE] = {"svar krävs: välj minst ett",
                              "an answer is required: select at least one"},
    [SRP_T_A_PROBLEM_1] = {"%zu fel i svaren på '%s'", "%zu problem with the answers to '%s'"},
    [SRP_T_A_PROBLEMS] = {"%zu fel i svaren på '%s'", "%zu problems with the answers to '%s'"},
    [SRP_T_A_NOT_JSON] = {"inte giltig JSON i UTF-8: %s på rad %d, kolumn %d",
                          "not valid UTF-8 JSON: %s at line %d, column %d"},
    [SRP_T_A_ANSWERS_NOT_JSON] = {"svaren är inte giltig JSON", "the answers are not valid JSON"},
    [SRP_T_A_INVALID] = {"inget giltigt svar", "not a valid answer"},
    [SRP_T_A_INVALID_TO] = {"inget giltigt svar på '%s'", "not a valid answer to '%s'"},
    [SRP_T_R_NOT_DATE] = {"'%s' är inget datum som finns (ÅÅÅÅ-MM-DD)",
                          "'%s' is not a date (YYYY-MM-DD) that exists"},
    [SRP_T_R_FUTURE] = {"datumet %s ligger i framtiden", "the date %s lies in the future"},
    [SRP_T_R_CLOSED] = {"ärendet '%s' är avslutat: bara upplevelse- och uppföljningsformulär tas "
                        "emot tills det har öppnats igen",
                        "case '%s' is closed: only experience and follow-up forms are accepted "
                        "until it is reopened"},
    [SRP_T_R_HAS_INTAKE] = {"ärendet '%s' har redan sin inskrivning (%s)",
                            "case '%s' already has its intake (%s)"},
    [SRP_T_R_NO_INTAKE] = {"ärendet '%s' har ingen inskrivning än: inskrivningen registreras "
                           "först",
                           "case '%s' has no intake yet: the intake is registered first"},
    [SRP_T_R_OPEN_FOLLOWUP] = {"ärendet '%s' är pågående: en uppföljning kommer efter avslutet",
                               "case '%s' is open: a follow-up comes after closure"},
    [SRP_T_R_ANSWERED] = {"ärendet '%s' har redan en registrering av '%s' (registrering %lld): "
                          "rätta den registreringen i stället",
                          "case '%s' already has a response to '%s' (response %lld): correct "
                          "that response instead"},
    [SRP_T_R_INTAKE_AFTER] = {"inskrivningsdatumet %s skulle komma efter en senare registrering "
                              "(%s)",
                              "the intake date %s would come after a later registration (%s)"},
    [SRP_T_R_BEFORE_INTAKE] = {"datumet %s är före inskrivningen (%s)",
                               "the date %s is before the intake (%s)"},
    [SRP_T_R_CLOSURE_BEFORE] = {"avslutsdatumet %s är före den senaste registreringen (%s)",
                                "the closure date %s is before the latest registration (%s)"},
    [SRP_T_R_CLOSURE_AFTER_FOLLOWUP] = {"avslutsdatumet %s skulle komma efter uppföljningen (%s)",
                                        "the closure date %s would come after the follow-up "
                                        "(%s)"},
    [SRP_T_R_AFTER_CLOSURE] = {"datumet %s är efter avslutet (%s)",
                               "the date %s is after the closure (%s)"},
    [SRP_T_R_FOLLOWUP_BEFORE] = {"uppföljningsdatumet %s är före avslutet (%s)",
                                 "the follow-up date %s is before the closure (%s)"},
    [SRP_T_R_SET_ASIDE] = {"registrering %lld lades undan när ärendet öppnades igen",
                           "response %lld was set aside when its case was reopened"},
    [SRP_T_C_BIRTH_YEAR_GIVEN] = {"födelseåret kommer från ärendets personnummer: lämna frågan "
                                  "obesvarad",
                                  "the birth year comes from the case's personnummer: leave it "
                                  "unanswered"},
    [SRP_T_C_BIRTH_YEAR] = {"födelseåret kommer från ärendets personnummer",
                            "the birth year comes from the case's personnummer"},
    [SRP_T_STATUS_OPEN_LABEL] = {"Öppet", "Open"},
    [SRP_T_STATUS_CLOSED_LABEL] = {"Avslutat", "Closed"},
    [SRP_T_PNR_NONE] = {"inget personnummer angivet", "no personnummer given"},
    [SRP_T_PNR_DIGITS] = {"inte ett personnummer: det ska ha 10 eller 12 siffror",
                          "not a personnummer: expected 10 or 12 digits"},
    [SRP_T_PNR_CHARACTERS] = {"inte ett personnummer: bara siffror och ett '-' eller '+' "
                              "är tillåtna",
                              "not a personnummer: only digits and one '-' or '+' are allowed"},
    [SRP_T_PNR_SEPARATOR] = {"inte ett personnummer: '%c' ska stå före de fyra sista siffrorna",
                             "not a personnummer: the '%c' must stand before the last four "
                             "digits"},
    [SRP_T_PNR_NO_DATE_SAMORD] = {"inte ett giltigt samordningsnummer: födelsedatumet (dagen "
                                  "minus 60) finns inte",
                                  "not a valid samordningsnummer: the birth date (day minus 60) "
                                  "does not exist"},
    [SRP_T_PNR_NO_DATE] = {"inte ett giltigt personnummer: födelsedatumet finns inte",
                           "not a valid personnummer: the birth date does not exist"},
    [SRP_T_PNR_FUTURE] = {"inte ett giltigt personnummer: födelsedatumet ligger i framtiden",
                          "not a valid personnummer: the birth date lies in the future"},
    [SRP_T_PNR_PLUS] = {"inte ett giltigt personnummer: '+' används bara för den som fyllt 100",
                        "not a valid personnummer: '+' is only for people aged 100 or more"},
    [SRP_T_PNR_CHECK_DIGIT] = {"inte ett giltigt personnummer: kontrollsiffran stämmer inte "
                               "(ett skrivfel?)",
                               "not a valid personnummer: the check digit is wrong (a typing "
                               "error?)"},
};

int srp_lang_is_en(const char *lang)
{
    return lang && strcmp(lang, "en") == 0;
}

const char *srp_lang_tag(const char *lang)
{
    return srp_lang_is_en(lang) ? "en" : "sv";
}

const char *srp_texts_get(srp_text_id id, const char *lang)
{
    if ((unsigned)id >= SRP_T_COUNT || !texts[id].sv)
        return "";
    return srp_lang_is_en(lang) ? texts[id].en : texts[id].sv;
}

int srp_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = *p < 0x80             ? 0
                   : (*p & 0xE0) == 0xC0 ? 1
                   : (*p & 0xF0) == 0xE0 ? 2
                   : (*p & 0xF8) == 0xF0 ? 3
                                         : 9;
        if (n == 9 || (n == 1 && *p < 0xC2))
            return 0;
        unsigned long cp = n ? *p & (0x3F >> n) : *p;
        for (size_t k = 1; k <= n; k++) {
            if ((p[k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += n + 1;
    }
    return 1;
}

size_t srp_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}
