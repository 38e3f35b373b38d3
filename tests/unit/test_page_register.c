/*
 * test_page_register.c - the registration flow of the web page on a real
 * registry, the pages called as the server calls them: the date asked and
 * checked first, every post kept as a draft (a bad value shown back with
 * its message, the good answers kept), the draft offered again, the review
 * with labels, the save that registers and discards the draft, discarding
 * with a confirmation, and one saved answer changed with the rest as it was.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "page.h"
#include "page_register.h"
#include "request.h"
#include "sigreg/cases.h"
#include "sigreg/drafts.h"
#include "sigreg/form_store.h"
#include "sigreg/units.h"

typedef struct fixture {
    char dir[512], db[600];
    sr_registry *reg;
    char code[SR_CASE_CODE_SIZE];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "%s", tu_scratch_dir());
    snprintf(f->db, sizeof f->db, "%s/reg.db", f->dir);
    f->reg = tu_create_with_forms(f->db);
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_unit_add(f->reg, "U1", "Enhet 1", &err), SR_OK);
    assert_int_equal(sr_case_new(f->reg, "U1", NULL, f->code, &err), SR_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sr_registry_close(f->reg);
    int rc = tu_remove_dir(f->dir);
    free(f);
    return rc;
}

/* One request and what the page answered. */
typedef struct exchange {
    web_request rq;
    web_response rs;
    web_fields query, form;
    char path[256];
} exchange;

/* Calls fn for method path?query with the pairs "name", "value", ...,
 * NULL (a POST's body). */
static void call(fixture *f, exchange *x, web_page_fn fn, const char *method, const char *path,
                 const char *query, ...)
{
    memset(x, 0, sizeof *x);
    snprintf(x->path, sizeof x->path, "%s", path);
    int nseg = web_request_split_path(path, x->rq.seg, WEB_SEGMENTS_MAX);
    assert_true(nseg > 0);
    x->rq.nseg = (size_t)nseg;
    x->rq.method = method;
    x->rq.path = x->path;
    if (query)
        assert_int_equal(web_request_parse_form(query, strlen(query), &x->query), 0);
    va_list ap;
    va_start(ap, query);
    const char *name;
    while ((name = va_arg(ap, const char *))) {
        const char *value = va_arg(ap, const char *);
        assert_int_equal(web_fields_add(&x->form, name, value, strlen(value)), 0);
    }
    va_end(ap);
    x->rq.query = &x->query;
    x->rq.form = &x->form;
    x->rq.reg = f->reg;
    x->rq.user = "admin";
    x->rq.lang = "sv";
    sr_registry_set_lang(f->reg, x->rq.lang); /* as the server does for every request */
    x->rq.csrf = "token";
    x->rq.idle_minutes = 15;
    x->rs.status = 200;
    x->rs.page = html_new();
    assert_non_null(x->rs.page);
    fn(&x->rq, &x->rs);
    assert_false(html_failed(x->rs.page));
}

static void done(exchange *x)
{
    html_free(x->rs.page);
    free(x->rs.body);
    web_fields_release(&x->query);
    web_fields_release(&x->form);
}

static const char *page(const exchange *x)
{
    return html_data(x->rs.page);
}

static void assert_contains(const exchange *x, const char *want)
{
    if (!strstr(page(x), want)) {
        const char *main = strstr(page(x), "<main");
        print_message("%.3000s\n", main ? main : page(x));
        fail_msg("the page lacks: %s", want);
    }
}

static int count_drafts(void *ctx, const sr_draft_info *info)
{
    (void)info;
    (*(int *)ctx)++;
    return 0;
}

static int drafts(fixture *f)
{
    int n = 0;
    assert_int_equal(sr_draft_list(f->reg, f->code, count_drafts, &n, NULL), SR_OK);
    return n;
}

/* The draft's answers (malloc'd), or NULL. */
static char *draft_answers(fixture *f, char date[SR_DATE_MAX + 1])
{
    char *json = NULL;
    sr_error err;
    sr_error_clear(&err);
    if (sr_draft_load(f->reg, f->code, "sig-intake", 0, date, &json, &err) != SR_OK)
        return NULL;
    return json;
}

typedef struct saved {
    int count;
    int64_t id;
    int revision;
    char answers[4096];
} saved;

static int keep_response(void *ctx, const sr_response_info *r)
{
    saved *s = ctx;
    s->count++;
    s->id = r->id;
    s->revision = r->revision;
    snprintf(s->answers, sizeof s->answers, "%s", r->answers);
    return 0;
}

static saved responses(fixture *f)
{
    saved s = {0};
    assert_int_equal(sr_case_show(f->reg, f->code, NULL, keep_response, &s, NULL), SR_OK);
    return s;
}

#define INTAKE_FIELDS                                                                              \
    "sex", "girl", "birth_year", "2010", "referral_source", "school", "consent_young_person",      \
        "ja", "consent_guardians", "yes", "living_situation", "both_parents", "school_situation",  \
        "absence", "need_crime", "some", "need_attitudes", "none", "need_peers", "some",           \
        "need_family", "none", "need_school", "substantial", "need_leisure", "some",               \
        "need_substances", "none", "need_mental_health", "unknown", "need_violence_exposure",      \
        "none", "need_honour", "none", "substance_use", "none", "police_contacts_6m", "one",       \
        "suspected_ever", "nej", "victim_of_crime", "no"

static void test_register_flow(void **state)
{
    fixture *f = *state;
    char url[128], date[SR_DATE_MAX + 1];
    snprintf(url, sizeof url, "/case/%s/register/sig-intake", f->code);
    exchange x;

    /* 1. The date comes first: the intake asks for the intake date. */
    call(f, &x, page_register, "GET", url, NULL, NULL);
    assert_int_equal(x.rs.status, 200);
    assert_contains(&x, "<h2>Steg 1: datum</h2>");
    assert_contains(&x, "<label for=\"f-_date\">Inskrivningsdatum</label>");
    assert_contains(&x, "name=\"_date\"");
    done(&x);
    /* A date in the future is refused before any question, and nothing is kept. */
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "date", "_date",
         "2999-01-01", NULL);
    assert_int_equal(x.rs.status, 422);
    assert_contains(&x, "<p class=\"error\" id=\"e-_date\">2999-01-01 är efter det senaste "
                        "tillåtna datumet, ");
    assert_contains(&x, "value=\"2999-01-01\"");
    assert_null(strstr(page(&x), "id=\"f-sex\""));
    assert_int_equal(drafts(f), 0);
    done(&x);
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "date", "_date",
         "2025-03-01", NULL);
    assert_int_equal(x.rs.status, 303);
    char want[200];
    snprintf(want, sizeof want, "%s?step=form", url);
    assert_string_equal(x.rs.location, want);
    assert_int_equal(drafts(f), 1);
    done(&x);

    /* 2. The form, with the date shown. */
    call(f, &x, page_register, "GET", url, "step=form", NULL);
    assert_int_equal(x.rs.status, 200);
    assert_contains(&x, "Registreringsdatum: <strong>2025-03-01</strong>");
    assert_contains(&x, "id=\"f-sex\"");
    done(&x);
    /* A bad value: shown back with its message; the good answers are kept
     * in the draft; the consent date, disabled by "nej", is dropped. */
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "update", "sex",
         "girl", "birth_year", "tjugo", "consent_young_person", "nej", "consent_date", "2024-01-01",
         NULL);
    assert_int_equal(x.rs.status, 422);
    assert_contains(&x, "<p class=\"error\" id=\"e-birth_year\">&#39;tjugo&#39; är inget heltal"
                        "</p>");
    assert_contains(&x, "value=\"tjugo\"");
    assert_contains(&x, "<p class=\"status\" role=\"status\">Utkastet är sparat.</p>");
    done(&x);
    char *json = draft_answers(f, date);
    assert_non_null(json);
    /* What was refused is kept too, as typed (issue 13: nothing typed is
     * lost), beside the answers and not counted as one. */
    assert_string_equal(json, "{\"sex\":\"girl\",\"consent_young_person\":false,"
                              "\"_typed\":{\"birth_year\":[\"tjugo\"]}}");
    assert_string_equal(date, "2025-03-01");
    free(json);
    /* Resumed (a new request, as after an idle lock): the refused value is
     * back in its field with its message, and the review waits for it. */
    call(f, &x, page_register, "GET", url, "step=form", NULL);
    assert_int_equal(x.rs.status, 200);
    assert_contains(&x, "value=\"tjugo\"");
    assert_contains(&x, "<p class=\"error\" id=\"e-birth_year\">&#39;tjugo&#39; är inget heltal"
                        "</p>");
    assert_contains(&x, "<a href=\"#f-birth_year\">");
    done(&x);
    call(f, &x, page_register, "GET", url, "step=review", NULL);
    assert_contains(&x, "id=\"e-birth_year\"");
    done(&x);
    /* A personnummer typed into free text is refused and never kept, not
     * even as typed in the draft. */
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "update", "notes",
         "ring 19121212-1212", NULL);
    assert_int_equal(x.rs.status, 422);
    assert_contains(&x, "<p class=\"error\" id=\"e-notes\">texten innehåller ett personnummer");
    done(&x);
    json = draft_answers(f, date);
    assert_non_null(json);
    assert_null(strstr(json, "1212"));
    assert_non_null(strstr(json, "\"birth_year\":[\"tjugo\"]"));
    free(json);

    /* Opened again: the draft is offered. */
    call(f, &x, page_register, "GET", url, NULL, NULL);
    assert_contains(&x, " med 2 svar.</p>");
    assert_contains(&x, "<input type=\"hidden\" name=\"step\" value=\"form\">\n<button "
                        "type=\"submit\" class=\"primary\">Fortsätt där du slutade</button>");
    done(&x);

    /* Missing required answers keep the form from the review. */
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "review", "sex",
         "girl", NULL);
    assert_int_equal(x.rs.status, 422);
    assert_contains(&x, "<p class=\"error\" id=\"e-referral_source\">svar krävs</p>");
    done(&x);

    /* 3. Complete: to the review, every answer with its label. */
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "review",
         INTAKE_FIELDS, NULL);
    assert_int_equal(x.rs.status, 303);
    snprintf(want, sizeof want, "%s?step=review", url);
    assert_string_equal(x.rs.location, want);
    done(&x);
    call(f, &x, page_register, "GET", url, "step=review", NULL);
    assert_int_equal(x.rs.status, 200);
    assert_contains(&x, "<dt>Kön</dt><dd>Flicka</dd>");
    assert_contains(&x, "<dd><span class=\"not-answered\">Inte besvarad</span></dd>");
    assert_contains(&x, "<dt>Har den unge samtyckt till samverkan i SIG?</dt><dd>Ja</dd>");
    snprintf(want, sizeof want, "href=\"%s?step=form#f-sex\">Ändra", url);
    assert_contains(&x, want);
    done(&x);
    assert_int_equal(responses(f).count, 0);

    /* Saved: registered, and the draft is gone. */
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "save", NULL);
    assert_int_equal(x.rs.status, 303);
    snprintf(want, sizeof want, "/case/%s", f->code);
    assert_string_equal(x.rs.location, want);
    done(&x);
    saved s = responses(f);
    assert_int_equal(s.count, 1);
    assert_non_null(strstr(s.answers, "\"sex\":\"girl\""));
    assert_non_null(strstr(s.answers, "\"referral_source\":\"school\""));
    assert_int_equal(drafts(f), 0);

    /* One answer changed: a new revision, the rest unchanged. */
    char edit[64];
    snprintf(edit, sizeof edit, "/response/%lld/edit", (long long)s.id);
    call(f, &x, page_response_edit, "GET", edit, "item=sex", NULL);
    assert_int_equal(x.rs.status, 200);
    assert_contains(&x, "value=\"girl\" checked");
    assert_null(strstr(page(&x), "id=\"f-referral_source\""));
    done(&x);
    call(f, &x, page_response_edit, "POST", edit, "item=sex", "csrf", "token", "_focus", "sex",
         "_shown", "sex", "sex", "boy", NULL);
    assert_int_equal(x.rs.status, 303);
    assert_string_equal(x.rs.location, want);
    done(&x);
    saved t = responses(f);
    assert_int_equal(t.count, 1);
    assert_int_equal(t.revision, s.revision + 1);
    assert_non_null(strstr(t.answers, "\"sex\":\"boy\""));
    assert_non_null(strstr(t.answers, "\"referral_source\":\"school\""));
    assert_non_null(strstr(t.answers, "\"need_school\":\"substantial\""));

    /* The closure shows the need at intake beside each need area. */
    snprintf(url, sizeof url, "/case/%s/register/sig-closure", f->code);
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "date", "_date",
         "2025-06-01", NULL);
    assert_int_equal(x.rs.status, 303);
    done(&x);
    call(f, &x, page_register, "GET", url, "step=form", NULL);
    assert_int_equal(x.rs.status, 200);
    assert_contains(&x, "<p class=\"hint\" id=\"b-need_school\">Tidigare svar (2025-03-01): "
                        "Stort behov.</p>");
    char *tag = strstr(page(&x), "id=\"item-need_school\"");
    assert_non_null(tag);
    assert_non_null(strstr(tag, "aria-describedby=\"b-need_school\""));
    done(&x);
}

static void test_discard_needs_confirmation(void **state)
{
    fixture *f = *state;
    char url[128];
    snprintf(url, sizeof url, "/case/%s/register/sig-intake", f->code);
    exchange x;
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "date", "_date",
         "2025-03-01", NULL);
    done(&x);
    assert_int_equal(drafts(f), 1);
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "discard", NULL);
    assert_int_equal(x.rs.status, 200);
    assert_contains(&x, "Vill du kasta utkastet?");
    assert_contains(&x, "value=\"discard_confirm\"");
    done(&x);
    assert_int_equal(drafts(f), 1); /* asking is not discarding */
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "discard_confirm",
         NULL);
    assert_int_equal(x.rs.status, 303);
    done(&x);
    assert_int_equal(drafts(f), 0);
    assert_int_equal(responses(f).count, 0);
}

static void test_unknown_field_changes_nothing(void **state)
{
    fixture *f = *state;
    char url[128], date[SR_DATE_MAX + 1];
    snprintf(url, sizeof url, "/case/%s/register/sig-intake", f->code);
    exchange x;
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "date", "_date",
         "2025-03-01", NULL);
    done(&x);
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "update", "sex",
         "girl", NULL);
    done(&x);
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "update", "sex",
         "boy", "no_such_item", "1", NULL);
    assert_int_equal(x.rs.status, 422);
    assert_contains(&x, "formulärets fält kunde inte läsas");
    done(&x);
    char *json = draft_answers(f, date);
    assert_string_equal(json, "{\"sex\":\"girl\"}");
    free(json);
    /* A form the registry does not have. */
    snprintf(url, sizeof url, "/case/%s/register/no-such-form", f->code);
    call(f, &x, page_register, "GET", url, NULL, NULL);
    assert_int_equal(x.rs.status, 404);
    done(&x);
}

/* The rules of the library, shown: a case with a personnummer is not asked
 * the birth year (it is derived); a free text with a personnummer is
 * refused beside its field; one that looks like a name is a warning on the
 * review, which does not stop the save. */
static void test_library_rules_shown(void **state)
{
    fixture *f = *state;
    sr_error err;
    sr_error_clear(&err);
    assert_int_equal(sr_case_new(f->reg, "U1", "20100315-1238", f->code, &err), SR_OK);
    char url[128];
    snprintf(url, sizeof url, "/case/%s/register/sig-intake", f->code);
    exchange x;
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "date", "_date",
         "2025-03-01", NULL);
    assert_int_equal(x.rs.status, 303);
    done(&x);
    call(f, &x, page_register, "GET", url, "step=form", NULL);
    assert_null(strstr(page(&x), "id=\"f-birth_year\""));
    assert_null(strstr(page(&x), " birth_year "));
    assert_contains(&x, "id=\"f-sex\"");
    done(&x);
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "review",
         INTAKE_FIELDS, "notes", "ring 20100315-1238", NULL);
    assert_int_equal(x.rs.status, 422);
    assert_contains(&x, "<p class=\"error\" id=\"e-notes\">");
    assert_contains(&x, "personnummer");
    done(&x);
    /* No consent: refused at the review, beside the item, with the form's
     * own explanation; nothing is registered. */
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "review",
         INTAKE_FIELDS, NULL);
    assert_int_equal(x.rs.status, 303);
    done(&x);
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "review", "_shown",
         "consent_young_person consent_guardians consent_date", "consent_young_person", "nej",
         NULL);
    assert_int_equal(x.rs.status, 422);
    assert_contains(&x, "<p class=\"error\" id=\"e-consent_young_person\">samverkan i SIG "
                        "förutsätter den unges samtycke");
    done(&x);
    assert_int_equal(responses(f).count, 0);
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "review",
         INTAKE_FIELDS, "notes", "Träffade Anna Svensson i skolan", NULL);
    assert_int_equal(x.rs.status, 303);
    done(&x);
    call(f, &x, page_register, "GET", url, "step=review", NULL);
    assert_int_equal(x.rs.status, 200);
    assert_contains(&x, "<div class=\"warnings\" role=\"status\">");
    assert_contains(&x, "ser ut som ett namn");
    assert_contains(&x, "<dt>Födelseår</dt><dd>2010</dd>"); /* derived, shown */
    done(&x);
    call(f, &x, page_register, "POST", url, NULL, "csrf", "token", "_action", "save", NULL);
    assert_int_equal(x.rs.status, 303);
    done(&x);
    saved s = responses(f);
    assert_int_equal(s.count, 1);
    assert_non_null(strstr(s.answers, "\"birth_year\":2010"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_register_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discard_needs_confirmation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_field_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_library_rules_shown, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
