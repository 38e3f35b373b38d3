/*
 * web_texts.c - the table of the web pages' texts (web_texts.h).
 */
#include "web_texts.h"

#include <string.h>

typedef struct text_pair {
    const char *sv;
    const char *en;
} text_pair;

/* clang-format off */
static const text_pair texts[WT_COUNT] = {
    [WT_APP_NAME] = {"SIG-registret", "SIG registry"},
    [WT_SKIP_TO_MAIN] = {"Hoppa till innehållet", "Skip to content"},
    [WT_NAV_LABEL] = {"Huvudmeny", "Main menu"},
    [WT_NAV_CASES] = {"Mina ärenden", "My cases"},
    [WT_NAV_NEW_CASE] = {"Nytt ärende", "New case"},
    [WT_NAV_STATS] = {"Sammanställningar", "Summaries"},
    [WT_LOGOUT] = {"Logga ut", "Log out"},
    [WT_LANG_SWITCH] = {"In English", "På svenska"},
    [WT_LOGGED_IN_AS] = {"Inloggad som", "Logged in as"},
    [WT_REFUSED_TITLE] = {"Åtkomst nekad", "Access refused"},
    [WT_REFUSED_NO_LAUNCH] = {"Den här webbläsaren har inte öppnat sidan med startlänken.",
                              "This browser did not open the page with the launch link."},
    [WT_REFUSED_LAUNCH_USED] = {"Startlänken har redan använts. Den fungerar bara en gång.",
                                "The launch link has been used already. It works only once."},
    [WT_REFUSED_WHAT_TO_DO] = {"Använd webbläsaren som öppnade startlänken, eller stoppa "
                               "sigreg serve (Ctrl-C) och starta det igen för att få en ny länk.",
                               "Use the browser that opened the launch link, or stop sigreg "
                               "serve (Ctrl-C) and start it again to get a new link."},
    [WT_REFUSED_CSRF] = {"Formuläret kom inte från den här sessionen. Ladda om sidan och "
                         "försök igen.",
                         "The form did not come from this session. Reload the page and try "
                         "again."},
    [WT_REFUSED_ORIGIN] = {"Begäran kom från en annan webbplats och togs inte emot.",
                           "The request came from another site and was not accepted."},
    [WT_REFUSED_HOST] = {"Fel adress: öppna sidan via http://127.0.0.1 och porten som "
                         "sigreg serve skrev ut.",
                         "Wrong address: open the page through http://127.0.0.1 and the port "
                         "sigreg serve printed."},
    [WT_NOT_FOUND_TITLE] = {"Sidan finns inte", "Page not found"},
    [WT_NOT_FOUND] = {"Det finns ingen sida på den adressen.", "There is no page at that address."},
    [WT_TOO_LARGE] = {"Det som skickades var för stort.", "What was sent was too large."},
    [WT_BAD_REQUEST] = {"Begäran gick inte att läsa.", "The request could not be read."},
    [WT_BUSY] = {"För många sessioner är öppna. Logga ut i en annan flik och försök igen.",
                 "Too many sessions are open. Log out in another tab and try again."},
    [WT_LOGIN_TITLE] = {"Logga in", "Log in"},
    [WT_LOGIN_USER] = {"Användarnamn", "User name"},
    [WT_LOGIN_PASSPHRASE] = {"Lösenfras", "Passphrase"},
    [WT_LOGIN_SUBMIT] = {"Logga in", "Log in"},
    [WT_LOGIN_LOCKED] = {"Sessionen låstes eftersom den inte användes. Skriv din lösenfras "
                         "igen för att fortsätta där du var.",
                         "The session was locked because it was not used. Type your "
                         "passphrase again to go on where you were."},
    [WT_LOGIN_LOGGED_OUT] = {"Du är utloggad.", "You are logged out."},
    [WT_LOGIN_OTHER_USER] = {"Logga in som en annan användare", "Log in as another user"},
    [WT_ERROR_PREFIX] = {"Fel", "Error"},
    [WT_ROLE_DENIED] = {"Din roll ger inte tillgång till den här sidan.",
                        "Your role does not give access to this page."},
    [WT_CASES_TITLE] = {"Mina ärenden", "My cases"},
    [WT_CASES_FILTER] = {"Urval", "Filter"},
    [WT_CASES_UNIT] = {"Enhet", "Unit"},
    [WT_CASES_ALL_UNITS] = {"Alla mina enheter", "All my units"},
    [WT_CASES_STATUS] = {"Status", "Status"},
    [WT_STATUS_ANY] = {"Alla", "All"},
    [WT_CASES_SHOW] = {"Visa", "Show"},
    [WT_COL_CASE] = {"Ärende", "Case"},
    [WT_COL_UNIT] = {"Enhet", "Unit"},
    [WT_COL_INTAKE] = {"Inskrivning", "Intake"},
    [WT_COL_DAYS_OPEN] = {"Dagar öppet", "Days open"},
    [WT_COL_LAST] = {"Senaste registrering", "Last registration"},
    [WT_COL_NEXT] = {"Nästa steg", "Next step"},
    [WT_COL_STATUS] = {"Status", "Status"},
    [WT_CASES_NONE] = {"Inga ärenden matchar urvalet.", "No case matches the filter."},
    [WT_CASES_COUNT] = {"Antal ärenden", "Number of cases"},
    [WT_NEXT_INTAKE] = {"Inskrivning", "Intake"},
    [WT_NEXT_INTERVENTION_OR_CLOSURE] = {"Insats eller avslut", "Intervention or closure"},
    [WT_NEXT_EXPERIENCE] = {"Upplevelseenkät", "Experience form"},
    [WT_NEXT_FOLLOWUP] = {"Uppföljning", "Follow-up"},
    [WT_NEXT_NOTHING] = {"Inget", "Nothing"},
    [WT_REMINDERS_TITLE] = {"Påminnelser", "Reminders"},
    [WT_REMINDER_IDLE] = {"Öppna utan registrering på minst", "Open with no registration for at least"},
    [WT_REMINDER_LONG] = {"Öppna längre än", "Open longer than"},
    [WT_REMINDER_NO_EXPERIENCE] = {"Avslutade utan upplevelseenkät",
                                   "Closed without an experience form"},
    [WT_REMINDER_DAYS] = {"dagar", "days"},
    [WT_REMINDER_NONE] = {"Inga", "None"},
    [WT_NEW_CASE_TITLE] = {"Nytt ärende", "New case"},
    [WT_NEW_CASE_PNR] = {"Personnummer eller samordningsnummer",
                         "Personal identity or coordination number"},
    [WT_NEW_CASE_PNR_HELP] = {"10 eller 12 siffror, med eller utan bindestreck. Numret visas "
                              "inte igen och lagras bara krypterat.",
                              "10 or 12 digits, with or without a hyphen. The number is not "
                              "shown again and is stored only encrypted."},
    [WT_NEW_CASE_NO_PNR] = {"Den unga personen har inget personnummer",
                            "The young person has no personal identity number"},
    [WT_NEW_CASE_BIRTH_YEAR] = {"Födelseår (om personnummer saknas)",
                                "Year of birth (without a personal identity number)"},
    [WT_NEW_CASE_SUBMIT] = {"Skapa ärendet", "Open the case"},
    [WT_NEW_CASE_EXISTS] = {"Personen har redan ett ärende", "The person already has a case"},
    [WT_CASE_TITLE] = {"Ärende", "Case"},
    [WT_CASE_OPENED] = {"Inskrivet", "Opened"},
    [WT_CASE_CLOSED_AT] = {"Avslutat", "Closed"},
    [WT_CASE_HAS_PNR] = {"Personnummer registrerat", "Personal identity number recorded"},
    [WT_YES] = {"Ja", "Yes"},
    [WT_NO] = {"Nej", "No"},
    [WT_CASE_RESPONSES] = {"Registreringar", "Registrations"},
    [WT_CASE_NO_RESPONSES] = {"Inget registrerat ännu.", "Nothing registered yet."},
    [WT_CASE_REGISTER] = {"Registrera", "Register"},
    [WT_CASE_NOT_ALLOWED] = {"Kan inte registreras nu", "Cannot be registered now"},
    [WT_CASE_REVISION] = {"version", "revision"},
    [WT_CASE_SET_ASIDE] = {"lagd åt sidan när ärendet öppnades igen",
                           "set aside when the case was reopened"},
    [WT_CASE_EDIT_ANSWER] = {"Ändra", "Change"},
    [WT_CASE_REOPEN] = {"Öppna ärendet igen", "Reopen the case"},
    [WT_CASE_REOPEN_REASON] = {"Skäl", "Reason"},
    [WT_CASE_DELETE] = {"Radera ärendet", "Erase the case"},
    [WT_CASE_DELETE_TITLE] = {"Radera ärendet", "Erase the case"},
    [WT_CASE_DELETE_EXPLAIN] = {"Radering tar bort ärendet, alla dess registreringar och "
                                "deras historik samt kopplingen till personnumret. Det går "
                                "inte att ångra. Använd det när samtycket återkallas. "
                                "Sammanställningar som redan publicerats ändras inte, och "
                                "loggen behåller att ärendet raderades (utan personuppgifter).",
                                "Erasing removes the case, all its registrations and their "
                                "history, and the link to the personal identity number. It "
                                "cannot be undone. Use it when consent is withdrawn. Summaries "
                                "already published do not change, and the log keeps that the "
                                "case was erased (without personal data)."},
    [WT_CASE_DELETE_CONFIRM] = {"Radera för alltid", "Erase for good"},
    [WT_CASE_DELETE_TYPE_CODE] = {"Skriv ärendets kod för att bekräfta",
                                  "Type the case's code to confirm"},
    [WT_CASE_DELETED] = {"Ärendet är raderat.", "The case is erased."},
    [WT_CANCEL] = {"Avbryt", "Cancel"},
    [WT_PHASE_INTAKE] = {"Inskrivning", "Intake"},
    [WT_PHASE_INTERVENTION] = {"Insats", "Intervention"},
    [WT_PHASE_CLOSURE] = {"Avslut", "Closure"},
    [WT_PHASE_EXPERIENCE] = {"Upplevelse", "Experience"},
    [WT_PHASE_FOLLOWUP] = {"Uppföljning", "Follow-up"},
    [WT_ITEM] = {"Fråga", "Question"},
    [WT_ANSWER] = {"Svar", "Answer"},
    [WT_NOT_ANSWERED] = {"Ej besvarad", "Not answered"},
    [WT_STATS_TITLE] = {"Sammanställningar", "Summaries"},
    [WT_STATS_FORM] = {"Formulär", "Form"},
    [WT_STATS_BY] = {"Dela upp efter", "Group by"},
    [WT_STATS_BY_NONE] = {"Ingen uppdelning", "No grouping"},
    [WT_STATS_PERIOD_FROM] = {"Från (första dagen i ett kvartal)", "From (first day of a quarter)"},
    [WT_STATS_PERIOD_TO] = {"Till (sista dagen i ett kvartal)", "To (last day of a quarter)"},
    [WT_STATS_SHOW] = {"Visa", "Show"},
    [WT_STATS_SUPPRESSED] = {"undertryckt", "suppressed"},
    [WT_STATS_CHART_OF] = {"Diagram:", "Chart:"},
    [WT_STATS_MIN_CELL] = {"Minsta cell", "Minimum cell"},
    [WT_STATS_REPORT] = {"Rapport", "Report"},
    [WT_STATS_REPORT_YEAR] = {"År", "Year"},
    [WT_STATS_REPORT_DOWNLOAD] = {"Hämta rapporten", "Download the report"},
    [WT_STATS_PUBLISH] = {"Publicera för enheterna", "Publish for the units"},
    [WT_STATS_PUBLISH_SUBMIT] = {"Publicera", "Publish"},
    [WT_STATS_PUBLISHED] = {"Publicerat", "Published"},
    [WT_STATS_PUBLICATION] = {"Publicering", "Publication"},
    [WT_STATS_NO_PUBLICATION] = {"Ingen publicering är adresserad till dig ännu.",
                                 "No publication is addressed to you yet."},
    [WT_COL_VALUE] = {"Värde", "Value"},
    [WT_COL_COUNT] = {"Antal", "Count"},
    [WT_COL_PERCENT] = {"Procent", "Percent"},
    [WT_COL_ESTIMATE] = {"Skattning", "Estimate"},
    [WT_COL_GROUP] = {"Grupp", "Group"},
    [WT_DATE] = {"Datum", "Date"},
    [WT_NEW_CASE_NEED_UNIT] = {"välj ärendets enhet", "choose the case's unit"},
    [WT_NEW_CASE_BOTH] = {"ett personnummer skrevs, och också att det saknas: välj ett av dem",
                          "a number was typed, and also that there is none: choose one"},
    [WT_NEW_CASE_NEITHER] = {"skriv personnumret, eller kryssa i att den unga personen saknar ett",
                             "type the number, or tick that the young person has none"},
    [WT_NEW_CASE_BIRTH_YEAR_LATER] = {"Utan personnummer frågar inskrivningsformuläret efter "
                                      "födelseåret.",
                                      "Without a number the intake form asks for the year of "
                                      "birth."},
    [WT_CASE_FORMS] = {"Registrera ett formulär", "Register a form"},
    [WT_CASE_REOPEN_NEED_REASON] = {"skriv varför ärendet öppnas igen",
                                    "say why the case is reopened"},
    [WT_CASE_DELETE_WRONG_CODE] = {"koden stämmer inte med ärendets: inget raderades",
                                   "the code is not the case's: nothing was erased"},
    [WT_CASE_RESPONSE_ID] = {"registrering", "response"},
    [WT_DECIMAL_POINT] = {",", "."},
    [WT_STATS_ALL_CASES] = {"Ärenden efter status", "Cases by status"},
    [WT_STATS_NOTES] = {"Om tabellerna", "About the tables"},
    [WT_STATS_PERIODS] = {"Perioder", "Periods"},
    [WT_PERIOD_YEAR] = {"Helår", "Whole years"},
    [WT_PERIOD_HALF] = {"Halvår", "Half-years"},
    [WT_PERIOD_QUARTER] = {"Kvartal", "Quarters"},
    [WT_STATS_PUBLISHED_SUMMARY] = {"Publicerat", "Published"},
    [WT_STATS_PUBLISHED_BY] = {"av", "by"},
    [WT_STATS_FIGURES] = {"tal", "figures"},
    [WT_STATS_WITHHELD] = {"undertryckta", "withheld"},
    [WT_STATS_PACKAGES] = {"paket till mottagarna", "packages for the recipients"},
    [WT_STATS_BY_UNIT] = {"Enhet", "Unit"},
    [WT_STATS_BY_AGE] = {"Åldersgrupp", "Age band"},
    [WT_STATS_BY_YEAR] = {"År", "Year"},
    [WT_STATS_BY_HALF] = {"Halvår", "Half-year"},
    [WT_STATS_BY_QUARTER] = {"Kvartal", "Quarter"},
    [WT_STATS_CHART_DESC] = {"Stapeldiagram över andelarna i tabellen nedan; undertryckta "
                             "värden visas utan stapel.",
                             "Bar chart of the shares in the table below; withheld values "
                             "have no bar."},
    [WT_STATS_NOTHING] = {"Inga tal att visa.", "No figures to show."},
    [WT_STATS_COUNT_OF] = {"Räknas", "Counted"},
    [WT_STATS_REPORT_EXPLAIN] = {"Årsrapporten till nämnden, som en sida att spara och skriva "
                                 "ut. Den har samma röjandeskydd som sammanställningarna.",
                                 "The year's report for the board, as a page to save and print. "
                                 "It has the same disclosure control as the summaries."},
    [WT_CASE_HISTORY] = {"Tidigare versioner", "Earlier revisions"},
    [WT_CASE_HISTORY_BY] = {"registrerad av", "registered by"},
    [WT_CASE_HISTORY_BEFORE] = {"Svar som ändrades därefter", "Answers changed after it"},
    [WT_CASE_HISTORY_SAME] = {"Samma svar som nu (bara datumet ändrades).",
                              "The same answers as now (only the date changed)."},
    [WT_STATS_PUBLISH_EXPLAIN] = {"Beräknar alla sammanställningar för dina enheter, skyddade "
                                  "som en helhet, och förseglar dem till enheternas analytiker.",
                                  "Computes every summary of your units, protected as one "
                                  "whole, and seals them to the units' analysts."},
};
/* clang-format on */

const char *web_lang_norm(const char *lang)
{
    return lang && strcmp(lang, "en") == 0 ? "en" : "sv";
}

const char *web_text(web_text_id id, const char *lang)
{
    if ((unsigned)id >= WT_COUNT)
        return "";
    const text_pair *t = &texts[id];
    const char *s = lang && strcmp(lang, "en") == 0 ? t->en : t->sv;
    return s ? s : (t->sv ? t->sv : "");
}
