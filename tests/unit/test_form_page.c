/*
 * test_form_page.c - forms rendered as HTML fields: the shipped intake with
 * a label for every field, hostile texts from a form escaped, conditions
 * hiding and disabling what does not apply, and a problem shown beside its
 * field (with what was typed) and in the summary that links to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "form_decode.h"
#include "form_page.h"
#include "html.h"
#include "sigreg/form.h"
#include "sigreg/form_store.h"

static sr_form *shipped(const char *id)
{
    const char *name, *text;
    size_t len;
    for (size_t i = 0; sr_form_shipped(i, &name, &text, &len); i++) {
        sr_form *form = NULL;
        if (sr_form_parse(text, len, &form, NULL, NULL) != SR_OK)
            continue;
        if (strcmp(sr_form_id(form), id) == 0)
            return form;
        sr_form_free(form);
    }
    fail_msg("no shipped form '%s'", id);
    return NULL;
}

/* Pairs name, value, ..., NULL as the request parser gives them. */
static web_fields fields_of(const char **pairs)
{
    web_fields f = {0};
    for (size_t k = 0; pairs[k]; k += 2)
        assert_int_equal(web_fields_add(&f, pairs[k], pairs[k + 1], strlen(pairs[k + 1])), 0);
    return f;
}

/* The page's items for a view (malloc'd). */
static char *render(const form_view *v)
{
    html *h = html_new();
    assert_non_null(h);
    form_page_errors(h, v);
    form_page_items(h, v);
    assert_false(html_failed(h));
    size_t len;
    char *out = html_take(h, &len);
    html_free(h);
    assert_non_null(out);
    return out;
}

/* The opening tag that carries attribute `attr` (e.g. id="f-sex"), copied. */
static char *tag_with(const char *page, const char *attr)
{
    const char *at = strstr(page, attr);
    if (!at)
        return NULL;
    const char *start = at;
    while (start > page && *start != '<')
        start--;
    const char *end = strchr(at, '>');
    assert_non_null(end);
    size_t n = (size_t)(end - start + 1);
    char *tag = malloc(n + 1);
    assert_non_null(tag);
    memcpy(tag, start, n);
    tag[n] = '\0';
    return tag;
}

static void test_intake_every_field_labelled(void **state)
{
    (void)state;
    sr_form *form = shipped("sig-intake");
    sr_answers *answers = sr_answers_new(form);
    form_view v = {.form = form, .answers = answers, .lang = "sv"};
    char *page = render(&v);
    size_t fields = 0;
    /* Every input, select and textarea (but the hidden list) has an id with
     * a <label for> of its own. */
    const char *kinds[] = {"<input ", "<select ", "<textarea "};
    for (size_t k = 0; k < 3; k++) {
        for (const char *p = strstr(page, kinds[k]); p; p = strstr(p + 1, kinds[k])) {
            const char *end = strchr(p, '>');
            if (strncmp(p, "<input type=\"hidden\"", 20) == 0)
                continue;
            const char *id = strstr(p, " id=\"");
            assert_non_null(id);
            assert_true(id < end);
            id += 5;
            char want[128];
            int n = snprintf(want, sizeof want, "<label for=\"%.*s\">", (int)(strchr(id, '"') - id),
                             id);
            assert_true(n > 0 && (size_t)n < sizeof want);
            if (!strstr(page, want))
                fail_msg("no label for %s", want);
            fields++;
        }
    }
    /* Each answerable item: a container and a field f-ID; the radio groups
     * a legend. 27 items, 7 of them multichoice or choice with options. */
    size_t items = 0;
    for (size_t i = 0; i < sr_form_item_count(form); i++) {
        sr_item_info info;
        sr_form_item(form, i, "sv", &info);
        char want[96];
        snprintf(want, sizeof want, "id=\"item-%s\"", info.id);
        assert_non_null(strstr(page, want));
        if (info.type == SR_ITEM_SECTION)
            continue;
        items++;
        snprintf(want, sizeof want, "id=\"f-%s\"", info.id);
        assert_non_null(strstr(page, want));
    }
    assert_int_equal(items, 27);
    assert_true(fields > items); /* radios and checkboxes: one field per option */
    /* Labels are the form's Swedish texts; a choice of 4 is radios. */
    assert_non_null(strstr(page, "<legend>Kön <span class=\"required\">(obligatorisk)</span>"
                                 "</legend>"));
    assert_non_null(strstr(page, "value=\"girl\"> <label for=\"f-sex\">Flicka</label>"));
    /* Help tied to its field, bounds in the hint. */
    char *tag = tag_with(page, "id=\"f-birth_year\"");
    assert_non_null(tag);
    assert_non_null(strstr(tag, "aria-describedby=\"h-birth_year b-birth_year\""));
    assert_non_null(strstr(tag, "inputmode=\"numeric\""));
    free(tag);
    assert_non_null(strstr(page, "<p class=\"hint\" id=\"b-birth_year\">Ett heltal från 1995 till "
                                 "2020.</p>"));
    /* The shown list names every answerable item. */
    assert_non_null(strstr(page, "name=\"_shown\" value=\"sex birth_year referral_source "));
    free(page);
    sr_answers_free(answers);
    sr_form_free(form);
}

/* A long form gets an index of its sections: one link per section, in
 * form order, to the section's block; a short form gets none. */
static void test_section_index(void **state)
{
    (void)state;
    sr_form *form = shipped("sig-intake");
    sr_answers *answers = sr_answers_new(form);
    form_view v = {.form = form, .answers = answers, .lang = "sv"};
    html *h = html_new();
    assert_non_null(h);
    form_page_index(h, &v);
    form_page_items(h, &v);
    assert_false(html_failed(h));
    size_t len;
    char *page = html_take(h, &len);
    html_free(h);
    assert_non_null(page);
    const char *nav =
        strstr(page, "<nav class=\"section-index\" aria-labelledby=\"section-index-"
                     "title\">\n<h2 id=\"section-index-title\">Formulärets avsnitt</h2>");
    assert_ptr_equal(nav, page);
    const char *first = strstr(page, "<li><a href=\"#item-");
    const char *school = strstr(page, ">Skola och sysselsättning</a></li>");
    const char *previous = strstr(page, ">Tidigare insatser</a></li>");
    assert_non_null(first);
    assert_non_null(school);
    assert_non_null(previous);
    assert_true(first < school && school < previous);
    /* Each link's target is there. */
    size_t links = 0;
    for (const char *p = strstr(page, "<li><a href=\"#"); p; p = strstr(p + 1, "<li><a href=\"#")) {
        char target[80];
        const char *start = p + strlen("<li><a href=\"#");
        size_t n = strcspn(start, "\"");
        assert_true(n < 60);
        snprintf(target, sizeof target, "id=\"%.*s\"", (int)n, start);
        assert_non_null(strstr(page, target));
        links++;
    }
    assert_int_equal(links, 6);
    free(page);
    sr_answers_free(answers);
    sr_form_free(form);
    /* The experience form is short: no index. */
    form = shipped("sig-experience");
    v.form = form;
    v.answers = NULL;
    h = html_new();
    form_page_index(h, &v);
    assert_int_equal(html_len(h), 0);
    html_free(h);
    sr_form_free(form);
}

static void test_hostile_texts_escaped(void **state)
{
    (void)state;
    static const char json[] =
        "{\"format\": \"sigreg-form/1\", \"id\": \"t-evil\", \"version\": 1, \"phase\": "
        "\"intake\", \"title\": \"T\", \"items\": ["
        "{\"id\": \"q\", \"type\": \"choice\", \"label\": \"<script>alert(1)</script>\","
        " \"help\": \"a & b\", \"options\": ["
        "  {\"code\": \"x\", \"label\": \"\\\"><img src=x onerror=alert(1)>\"}]},"
        "{\"id\": \"t\", \"type\": \"text\", \"label\": \"</textarea><b>\"}]}";
    sr_form *form = NULL;
    assert_int_equal(sr_form_parse(json, strlen(json), &form, NULL, NULL), SR_OK);
    sr_answers *answers = sr_answers_new(form);
    assert_int_equal(sr_answers_set(answers, 1, "\"</textarea><script>x</script>\"", NULL, NULL),
                     SR_OK);
    form_view v = {.form = form, .answers = answers, .lang = "sv"};
    char *page = render(&v);
    assert_null(strstr(page, "<script"));
    assert_null(strstr(page, "<img"));
    assert_null(strstr(page, "<b>"));
    assert_null(strstr(page, "</textarea><"));
    assert_non_null(strstr(page, "<legend>&lt;script&gt;alert(1)&lt;/script&gt;</legend>"));
    assert_non_null(strstr(page, "<label for=\"f-q\">&quot;&gt;&lt;img src=x "
                                 "onerror=alert(1)&gt;</label>"));
    assert_non_null(strstr(page, ">a &amp; b</p>"));
    assert_non_null(strstr(page, ">&lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;</textarea>"));
    free(page);
    sr_answers_free(answers);
    sr_form_free(form);
}

/* A choice of many options is a select with a label, the answer selected. */
static void test_many_options_select(void **state)
{
    (void)state;
    char json[4096];
    size_t n =
        (size_t)snprintf(json, sizeof json,
                         "{\"format\": \"sigreg-form/1\", \"id\": \"t-many\", \"version\": 1,"
                         " \"phase\": \"intake\", \"title\": \"T\", \"items\": [{\"id\": \"q\","
                         " \"type\": \"choice\", \"label\": \"Många\", \"options\": [");
    for (int o = 0; o < FORM_PAGE_MAX_RADIOS + 1; o++)
        n += (size_t)snprintf(json + n, sizeof json - n,
                              "%s{\"code\": \"o%d\", \"label\": \"Val %d\"}", o ? ", " : "", o, o);
    snprintf(json + n, sizeof json - n, "]}]}");
    sr_form *form = NULL;
    assert_int_equal(sr_form_parse(json, strlen(json), &form, NULL, NULL), SR_OK);
    sr_answers *answers = sr_answers_new(form);
    assert_int_equal(sr_answers_set(answers, 0, "\"o3\"", NULL, NULL), SR_OK);
    form_view v = {.form = form, .answers = answers, .lang = "sv"};
    char *page = render(&v);
    assert_non_null(strstr(page, "<label for=\"f-q\">Många</label>"));
    assert_non_null(strstr(page, "<select name=\"q\" id=\"f-q\">"));
    assert_non_null(strstr(page, "<option value=\"\">– Välj –</option>"));
    assert_non_null(strstr(page, "<option value=\"o3\" selected>Val 3</option>"));
    assert_null(strstr(page, "type=\"radio\""));
    free(page);
    sr_answers_free(answers);
    sr_form_free(form);
}

static void test_condition_hides_consent_date(void **state)
{
    (void)state;
    sr_form *form = shipped("sig-intake");
    sr_answers *answers = sr_answers_new(form);
    sr_problems *problems = sr_problems_new();
    /* Consent refused: the post's consent date is dropped, and the page
     * renders the date hidden and disabled, with its condition for the
     * script. */
    web_fields post = fields_of(
        (const char *[]){"consent_young_person", "nej", "consent_date", "2024-01-01", NULL});
    assert_int_equal(form_decode_fields(form, &post, "sv", answers, problems), 0);
    web_fields_release(&post);
    long date = sr_form_item_index(form, "consent_date");
    assert_false(sr_answers_has(answers, (size_t)date));
    form_view v = {.form = form, .answers = answers, .lang = "sv"};
    char *page = render(&v);
    char *tag = tag_with(page, "id=\"item-consent_date\"");
    assert_non_null(tag);
    assert_non_null(strstr(tag, " hidden"));
    assert_non_null(strstr(tag,
                           "data-enable-when=\"{&quot;item&quot;:&quot;consent_young_person&quot;,"
                           "&quot;op&quot;:&quot;&#61;&quot;,&quot;value&quot;:true}\""));
    free(tag);
    tag = tag_with(page, "id=\"f-consent_date\"");
    assert_non_null(tag);
    assert_non_null(strstr(tag, " disabled"));
    assert_non_null(strstr(tag, "type=\"date\""));
    free(tag);
    tag = tag_with(page, "id=\"f-consent_young_person-1\"");
    assert_non_null(strstr(tag, "value=\"nej\" checked"));
    free(tag);
    free(page);
    /* Consent given: shown and enabled. */
    web_fields yes = fields_of((const char *[]){"consent_young_person", "ja", NULL});
    assert_int_equal(form_decode_fields(form, &yes, "sv", answers, problems), 0);
    web_fields_release(&yes);
    page = render(&v);
    tag = tag_with(page, "id=\"item-consent_date\"");
    assert_null(strstr(tag, " hidden"));
    free(tag);
    tag = tag_with(page, "id=\"f-consent_date\"");
    assert_null(strstr(tag, " disabled"));
    free(tag);
    free(page);
    sr_problems_free(problems);
    sr_answers_free(answers);
    sr_form_free(form);
}

static void test_problem_beside_its_field(void **state)
{
    (void)state;
    sr_form *form = shipped("sig-intake");
    sr_answers *answers = sr_answers_new(form);
    sr_problems *problems = sr_problems_new();
    web_fields post = fields_of((const char *[]){"sex", "girl", "birth_year", "tjugo<10", NULL});
    assert_int_equal(form_decode_fields(form, &post, "sv", answers, problems), 1);
    form_view v = {
        .form = form, .answers = answers, .fields = &post, .problems = problems, .lang = "sv"};
    char *page = render(&v);
    /* The message beside the field, tied to it; what was typed shown back. */
    assert_non_null(strstr(page, "<p class=\"error\" id=\"e-birth_year\">&#39;tjugo&lt;10&#39; "
                                 "är inget heltal</p>"));
    char *tag = tag_with(page, "id=\"f-birth_year\"");
    assert_non_null(strstr(tag, "aria-describedby=\"h-birth_year b-birth_year e-birth_year\""));
    assert_non_null(strstr(tag, "aria-invalid=\"true\""));
    assert_non_null(strstr(tag, "value=\"tjugo&lt;10\""));
    free(tag);
    /* The summary at the top links to the field. */
    const char *summary = strstr(page, "<div class=\"error-summary\"");
    assert_true(summary == page);
    assert_non_null(strstr(page, "<h2 id=\"error-summary-title\">Det finns ett fel i formuläret"
                                 "</h2>"));
    assert_non_null(strstr(page, "<li><a href=\"#f-birth_year\">Födelseår: &#39;tjugo&lt;10&#39; "
                                 "är inget heltal</a></li>"));
    /* The good answer is kept and shown. */
    tag = tag_with(page, "id=\"f-sex\"");
    assert_non_null(strstr(tag, "value=\"girl\" checked"));
    free(tag);
    free(page);
    web_fields_release(&post);
    sr_problems_free(problems);
    sr_answers_free(answers);
    sr_form_free(form);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intake_every_field_labelled),
        cmocka_unit_test(test_section_index),
        cmocka_unit_test(test_hostile_texts_escaped),
        cmocka_unit_test(test_many_options_select),
        cmocka_unit_test(test_condition_hides_consent_date),
        cmocka_unit_test(test_problem_beside_its_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
