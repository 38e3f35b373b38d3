/*
 * form_text.c - the registration pages' texts (form_text.h).
 */
#include "form_text.h"

#include <string.h>

typedef struct text_pair {
    const char *sv;
    const char *en;
} text_pair;

/* In the order of form_text_id; the build checks the count. */
static const text_pair texts[] = {
    [FT_YES] = {"Ja", "Yes"},
    [FT_NO] = {"Nej", "No"},
    [FT_REQUIRED_MARK] = {"(obligatorisk)", "(required)"},
    [FT_CHOOSE] = {"– Välj –", "– Choose –"},
    [FT_ERROR_SUMMARY] = {"Det finns %zu fel i formuläret", "There are %zu problems in the form"},
    [FT_ERROR_SUMMARY_ONE] = {"Det finns ett fel i formuläret", "There is a problem in the form"},
    [FT_INTEGER_HELP] = {"Ett heltal.", "A whole number."},
    [FT_INTEGER_RANGE] = {"Ett heltal från %s till %s.", "A whole number from %s to %s."},
    [FT_INTEGER_MIN] = {"Ett heltal, minst %s.", "A whole number, at least %s."},
    [FT_INTEGER_MAX] = {"Ett heltal, högst %s.", "A whole number, at most %s."},
    [FT_DECIMAL_HELP] = {"Ett tal.", "A number."},
    [FT_DECIMAL_RANGE] = {"Ett tal från %s till %s.", "A number from %s to %s."},
    [FT_DECIMAL_MIN] = {"Ett tal, minst %s.", "A number, at least %s."},
    [FT_DECIMAL_MAX] = {"Ett tal, högst %s.", "A number, at most %s."},
    [FT_DECIMALS] = {"Högst %d decimaler.", "At most %d decimals."},
    [FT_DATE_HELP] = {"Skriv datumet som ÅÅÅÅ-MM-DD.", "Write the date as YYYY-MM-DD."},
    [FT_DATE_RANGE] = {"Tidigast %s, senast %s.", "From %s to %s."},
    [FT_TEXT_HELP] = {"Högst %zu tecken. Skriv aldrig namn eller personnummer.",
                      "At most %zu characters. Never write names or personal identity numbers."},
    [FT_SELECT_RANGE] = {"Välj minst %zu och högst %zu.", "Choose at least %zu and at most %zu."},
    [FT_SELECT_MIN] = {"Välj minst %zu.", "Choose at least %zu."},
    [FT_SCALE_HELP] = {"Välj ett värde från %ld till %ld.", "Choose a value from %ld to %ld."},
    [FT_E_REQUIRED] = {"svar krävs", "an answer is required"},
    [FT_E_BOOLEAN] = {"svara ja eller nej", "answer yes or no"},
    [FT_E_OPTION] = {"välj ett av svarsalternativen", "choose one of the options"},
    [FT_E_OPTION_TWICE] = {"ett svarsalternativ är valt två gånger", "an option is chosen twice"},
    [FT_E_SELECT_MIN] = {"välj minst %zu", "choose at least %zu"},
    [FT_E_SELECT_MAX] = {"välj högst %zu", "choose at most %zu"},
    [FT_E_INTEGER] = {"'%s' är inget heltal", "'%s' is not a whole number"},
    [FT_E_NUMBER] = {"'%s' är inget tal", "'%s' is not a number"},
    [FT_E_BELOW] = {"%s är mindre än det minsta tillåtna, %s", "%s is below the minimum %s"},
    [FT_E_ABOVE] = {"%s är större än det högsta tillåtna, %s", "%s is above the maximum %s"},
    [FT_E_DECIMALS] = {"högst %d decimaler", "at most %d decimals"},
    [FT_E_DATE] = {"'%s' är inget datum som finns (ÅÅÅÅ-MM-DD)",
                   "'%s' is not a date that exists (YYYY-MM-DD)"},
    [FT_E_DATE_BEFORE] = {"%s är före det tidigaste tillåtna datumet, %s",
                          "%s is before the earliest date %s"},
    [FT_E_DATE_AFTER] = {"%s är efter det senaste tillåtna datumet, %s",
                         "%s is after the latest date %s"},
    [FT_E_TEXT_LONG] = {"texten får vara högst %zu tecken lång (den har %zu)",
                        "the text may be at most %zu characters long (it has %zu)"},
    [FT_E_TEXT_ENCODING] = {"texten innehåller ogiltiga tecken",
                            "the text holds characters that are not valid"},
    [FT_E_TOO_LONG] = {"svaret är för långt", "the answer is too long"},
    [FT_E_FIELDS] = {"formulärets fält kunde inte läsas; ladda om sidan och försök igen",
                     "the form's fields could not be read; reload the page and try again"},
    [FT_UPDATE] = {"Uppdatera", "Update"},
    [FT_REVIEW] = {"Granska", "Review"},
    [FT_SAVE] = {"Spara", "Save"},
    [FT_CHANGE] = {"Ändra", "Change"},
    [FT_CANCEL] = {"Avbryt och kasta utkastet", "Cancel and discard the draft"},
    [FT_CANCEL_CONFIRM] = {"Vill du kasta utkastet? Svaren du har skrivit in går förlorade.",
                           "Discard the draft? The answers you have entered will be lost."},
    [FT_CANCEL_YES] = {"Ja, kasta utkastet", "Yes, discard the draft"},
    [FT_CANCEL_NO] = {"Nej, tillbaka till formuläret", "No, back to the form"},
    [FT_DATE_STEP_TITLE] = {"Steg 1: datum", "Step 1: date"},
    [FT_DATE_LABEL] = {"Registreringsdatum", "Registration date"},
    [FT_DATE_INTAKE_LABEL] = {"Inskrivningsdatum", "Intake date"},
    [FT_DATE_STEP_HELP] = {"ÅÅÅÅ-MM-DD, tidigast %s och senast %s.", "YYYY-MM-DD, from %s to %s."},
    [FT_DATE_STEP_HELP_ANY] = {"ÅÅÅÅ-MM-DD, senast %s.", "YYYY-MM-DD, at the latest %s."},
    [FT_NEXT] = {"Fortsätt", "Continue"},
    [FT_REVIEW_TITLE] = {"Granska svaren", "Review the answers"},
    [FT_REVIEW_INTRO] = {"Kontrollera svaren innan du sparar. Inget sparas förrän du väljer Spara.",
                         "Check the answers before you save. Nothing is saved until you choose "
                         "Save."},
    [FT_NOT_ANSWERED] = {"Inte besvarad", "Not answered"},
    [FT_DRAFT_OFFER] = {"Det finns ett utkast från %s med %zu svar.",
                        "There is a draft from %s with %zu answers."},
    [FT_DRAFT_RESUME] = {"Fortsätt där du slutade", "Continue where you left off"},
    [FT_DRAFT_RESTART] = {"Börja om", "Start again"},
    [FT_DRAFT_SAVED] = {"Utkastet är sparat.", "The draft is saved."},
    [FT_REGISTRATION_DATE] = {"Registreringsdatum", "Registration date"},
    [FT_BACK_TO_FORM] = {"Tillbaka till formuläret", "Back to the form"},
    [FT_BACK_TO_CASE] = {"Tillbaka till ärendet", "Back to the case"},
    [FT_EDIT_TITLE] = {"Ändra svar: %s", "Change an answer: %s"},
    [FT_EDIT_INTRO] = {"Ändringen sparas som en ny version av registrering %lld; de andra svaren "
                       "ändras inte.",
                       "The change is saved as a new revision of registration %lld; the other "
                       "answers stay as they are."},
    [FT_EDIT_SAVE] = {"Spara ändringen", "Save the change"},
    [FT_WARNINGS] = {"Att kontrollera", "Please check"},
    [FT_NOT_APPLICABLE] =
        {"Frågan gäller inte med de andra svaren; ändra först svaret den beror på.",
         "The question does not apply given the other answers; first change "
         "the answer it depends on."},
    [FT_EARLIER] = {"Tidigare svar (%s): %s.", "Earlier answer (%s): %s."},
    [FT_SECTION_INDEX] = {"Formulärets avsnitt", "Sections of the form"},
};

_Static_assert(sizeof texts / sizeof texts[0] == FT_COUNT, "one text per id");

const char *form_text(form_text_id id, const char *lang)
{
    if ((unsigned)id >= FT_COUNT || !texts[id].sv)
        return "";
    if (lang && strcmp(lang, "en") == 0 && texts[id].en)
        return texts[id].en;
    return texts[id].sv;
}
