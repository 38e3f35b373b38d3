/*
 * page_register.h - registering a form on a case, and correcting one saved
 * answer, on the web page.
 *
 * /case/CODE/register/FORM runs in steps, each a page of its own that works
 * without JavaScript:
 *   1. the registration date (the intake date for an intake), checked
 *      against the case before anything else is asked;
 *   2. the form, every post of which is kept as an encrypted draft in the
 *      registry (sigreg/drafts.h), so that nothing typed is lost, also
 *      across an idle lock; "Uppdatera" applies the conditions;
 *   3. the review: every answer with its label and a link to change it,
 *      the library's warnings, then "Spara" (sr_register), which discards
 *      the draft.
 * A draft found when the form is opened again is offered ("Fortsätt där du
 * slutade"); "Avbryt och kasta utkastet" discards it after a confirmation.
 *
 * /response/ID/edit?item=ITEM shows that one item (and any required item a
 * change makes necessary) and saves a new revision through
 * sr_response_edit, with the other answers unchanged.
 *
 * The server has checked the session, the role and the CSRF token before
 * these run (page.h). They never put an answer in a URL or a log.
 */
#ifndef SIGREG_WEB_PAGE_REGISTER_H
#define SIGREG_WEB_PAGE_REGISTER_H

#include "page.h"

/* GET and POST /case/CODE/register/FORM[?step=date|form|review]. */
void page_register(const web_request *rq, web_response *rs);
/* GET and POST /response/ID/edit?item=ITEM. */
void page_response_edit(const web_request *rq, web_response *rs);

#endif
