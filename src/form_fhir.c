/*
 * form_fhir.c - sigreg-form/1 forms to and from the FHIR R4 Questionnaire,
 * and stored answers as a FHIR R4 QuestionnaireResponse.
 *
 * Export reads the parsed model (form_int.h) and the definition it was
 * parsed from. Import builds a sigreg-form/1 document with jansson and
 * leaves its validation to the form parser; what the parser cannot see
 * (a FHIR construct with no place in sigreg-form/1) is refused here, every
 * one listed with the field it is in. The module must not read or write
 * files, touch a registry, or use another format's module; what it shares
 * with them is in form_interop_int.h.
 */
#include "sigreg/form_interop.h"
#include "sigreg/limits.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/buffer.h"
#include "base/error.h"
#include "base/names.h"
#include "form_int.h"
#include "form_interop_int.h"

/* ---- FHIR R4 Questionnaire: export ---------------------------------------------------------- */

#define HL7_SD "http://hl7.org/fhir/StructureDefinition/"
#define EXT_TRANSLATION HL7_SD "translation"
#define EXT_MIN_VALUE HL7_SD "minValue"
#define EXT_MAX_VALUE HL7_SD "maxValue"
#define EXT_DECIMALS HL7_SD "maxDecimalPlaces"
#define EXT_MIN_OCCURS HL7_SD "questionnaire-minOccurs"
#define EXT_MAX_OCCURS HL7_SD "questionnaire-maxOccurs"
#define EXT_ITEM_CONTROL HL7_SD "questionnaire-itemControl"
#define EXT_SLIDER_STEP HL7_SD "questionnaire-sliderStepValue"
#define EXT_CQF_EXPRESSION HL7_SD "cqf-expression"
#define EXT_CONSTRAINT HL7_SD "questionnaire-constraint"
#define ITEM_CONTROL_SYSTEM "http://hl7.org/fhir/questionnaire-item-control"
#define SDC_SD "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
#define EXT_INITIAL_EXPRESSION SDC_SD "sdc-questionnaire-initialExpression"
#define EXT_LAUNCH_CONTEXT SDC_SD "sdc-questionnaire-launchContext"
#define LAUNCH_CONTEXT_SYSTEM "http://hl7.org/fhir/uv/sdc/CodeSystem/launchContext"
/* The derived birth year as SDC pre-population says it: the year of the
 * patient's birth date, empty (so asked) when there is none. */
#define BIRTH_YEAR_FHIRPATH "%patient.birthDate.toString().substring(0, 4).toInteger()"
/* A consent rule's constraint key: this prefix and the item id with '_' as
 * '-' (a FHIR id has no '_'). */
#define CONSENT_KEY_PREFIX "sigreg-consent-"
#define SX(name) SR_FHIR_EXTENSION_BASE name

static void add_extension(json_t *obj, json_t *ext /* stolen */)
{
    json_t *list = json_object_get(obj, "extension");
    if (!list)
        json_object_set_new(obj, "extension", list = json_array());
    json_array_append_new(list, ext);
}

/* Sets key to the Swedish text and _key to the other languages as FHIR
 * translation extensions. */
static void fhir_text(json_t *obj, const char *key, const json_t *text)
{
    const char *sv = srp_interop_lang_text(text, "sv");
    if (!sv)
        return;
    json_object_set_new(obj, key, json_string(sv));
    if (!json_is_object(text))
        return;
    json_t *shadow = NULL;
    const char *lang;
    json_t *s;
    json_object_foreach((json_t *)text, lang, s)
    {
        if (strcmp(lang, "sv") == 0)
            continue;
        if (!shadow)
            shadow = json_object();
        add_extension(shadow, json_pack("{sss[{sss s}{ssso}]}", "url", EXT_TRANSLATION, "extension",
                                        "url", "lang", "valueCode", lang, "url", "content",
                                        "valueString", json_incref(s)));
    }
    if (shadow) {
        char k[64];
        snprintf(k, sizeof k, "_%s", key);
        json_object_set_new(obj, k, shadow);
    }
}

static json_t *item_control(const char *code)
{
    return json_pack("{sss{s[{ssss}]}}", "url", EXT_ITEM_CONTROL, "valueCodeableConcept", "coding",
                     "system", ITEM_CONTROL_SYSTEM, "code", code);
}

static json_t *fhir_answer_value(const srp_item *target, const json_t *value, const char **key)
{
    switch (target->type) {
    case SR_ITEM_BOOLEAN:
        *key = "answerBoolean";
        return json_incref((json_t *)value);
    case SR_ITEM_CHOICE:
    case SR_ITEM_MULTICHOICE:
        *key = "answerCoding";
        return json_pack("{sO}", "code", (json_t *)value);
    case SR_ITEM_INTEGER:
    case SR_ITEM_SCALE:
        *key = "answerInteger";
        return json_incref((json_t *)value);
    case SR_ITEM_DECIMAL:
        *key = "answerDecimal";
        return json_real(json_number_value(value));
    case SR_ITEM_DATE:
        *key = "answerDate";
        return json_incref((json_t *)value);
    default:
        *key = "answerString";
        return json_incref((json_t *)value);
    }
}

/* Appends the enableWhen entries for one comparison of a condition in
 * negation normal form. kind is 'a' when they must all hold, 'o' when one
 * is enough, '1' for a single entry; 0 when FHIR cannot say it. */
static int fhir_leaf(const sr_form *form, const json_t *c, json_t *list)
{
    int neg = json_object_get(c, "not") != NULL;
    const json_t *l = neg ? json_object_get(c, "not") : c;
    const char *id = json_string_value(json_object_get(l, "item"));
    const char *op = json_string_value(json_object_get(l, "op"));
    const json_t *value = json_object_get(l, "value");
    const srp_item *target = srp_interop_find_item(form, id);
    const char *key = NULL;
    if (!target || !op)
        return 0;
    if (strcmp(op, "answered") == 0) {
        json_array_append_new(list, json_pack("{sssssb}", "question", id, "operator", "exists",
                                              "answerBoolean", !neg));
        return '1';
    }
    const char *fop = strcmp(op, "includes") == 0 ? "=" : op;
    if (neg && strcmp(fop, "=") == 0)
        fop = "!="; /* FHIR's != holds when no answer equals, also when there is none */
    else if (neg)
        fop = srp_interop_negated_op(fop);
    json_t *v = fhir_answer_value(target, value, &key);
    if (strcmp(op, "!=") == 0 || neg) {
        if (strcmp(op, "!=") == 0 && !neg) {
            json_array_append_new(list,
                                  json_pack("{sssssO}", "question", id, "operator", "!=", key, v));
            json_array_append_new(list, json_pack("{sssssb}", "question", id, "operator", "exists",
                                                  "answerBoolean", 1));
            json_decref(v);
            return 'a';
        }
        if (strcmp(fop, "!=") == 0 && (strcmp(op, "=") == 0 || strcmp(op, "includes") == 0)) {
            json_array_append_new(list,
                                  json_pack("{sssssO}", "question", id, "operator", fop, key, v));
            json_decref(v);
            return '1';
        }
        /* not (x op v): the opposite, or no answer */
        json_array_append_new(list, json_pack("{sssssO}", "question", id, "operator",
                                              strcmp(fop, "!=") == 0 ? "=" : fop, key, v));
        json_array_append_new(
            list, json_pack("{sssssb}", "question", id, "operator", "exists", "answerBoolean", 0));
        json_decref(v);
        return 'o';
    }
    json_array_append_new(list, json_pack("{sssssO}", "question", id, "operator", fop, key, v));
    json_decref(v);
    return '1';
}

/* Writes a condition as enableWhen + enableBehavior where FHIR can say it;
 * else as sigreg's own extension (never approximated). */
static void fhir_condition(const sr_form *form, const json_t *cond, json_t *q)
{
    json_t *c = srp_interop_cond_nnf(cond, 0);
    json_t *list = json_array();
    json_t *all = json_object_get(c, "all"), *any = json_object_get(c, "any");
    int ok = 1;
    char behavior = 0;
    if (all || any) {
        behavior = all ? 'a' : 'o';
        size_t i;
        json_t *m;
        json_array_foreach(all ? all : any, i, m)
        {
            int k = json_object_get(m, "all") || json_object_get(m, "any")
                        ? 0
                        : fhir_leaf(form, m, list);
            if (!(k == '1' || k == behavior))
                ok = 0;
        }
    } else {
        int k = fhir_leaf(form, c, list);
        ok = k != 0;
        behavior = k == '1' ? 0 : (char)k;
    }
    if (ok) {
        json_object_set_new(q, "enableWhen", list);
        if (json_array_size(list) > 1)
            json_object_set_new(q, "enableBehavior", json_string(behavior == 'o' ? "any" : "all"));
    } else {
        json_decref(list);
        char *s = json_dumps(cond, JSON_COMPACT | JSON_SORT_KEYS);
        add_extension(q, json_pack("{ssss}", "url", SX("enable-when"), "valueString", s ? s : ""));
        free(s);
    }
    json_decref(c);
}

static json_t *fhir_bound(const srp_item *it, int is_max)
{
    const char *url = is_max ? EXT_MAX_VALUE : EXT_MIN_VALUE;
    if (it->type == SR_ITEM_DATE) {
        const char *d = is_max ? it->max_date : it->min_date;
        if (!d)
            return NULL;
        if (strcmp(d, "today") == 0)
            return json_pack("{sss{s[{sss{ssss}}]}}", "url", url, "_valueDate", "extension", "url",
                             EXT_CQF_EXPRESSION, "valueExpression", "language", "text/fhirpath",
                             "expression", "today()");
        return json_pack("{ssss}", "url", url, "valueDate", d);
    }
    if (!(is_max ? it->has_max : it->has_min))
        return NULL;
    double v = is_max ? it->max : it->min;
    if (it->type == SR_ITEM_DECIMAL)
        return json_pack("{sssf}", "url", url, "valueDecimal", v);
    return json_pack("{sssI}", "url", url, "valueInteger", (json_int_t)v);
}

static json_t *fhir_help(const srp_item *it)
{
    json_t *h = json_object();
    char link[SR_ITEM_ID_MAX + 8];
    snprintf(link, sizeof link, "%s-help", it->id);
    json_object_set_new(h, "linkId", json_string(link));
    fhir_text(h, "text", it->help);
    json_object_set_new(h, "type", json_string("display"));
    add_extension(h, item_control("help"));
    return h;
}

static void flag_extension(json_t *obj, const char *url, int on)
{
    if (on)
        add_extension(obj, json_pack("{sssb}", "url", url, "valueBoolean", 1));
}

/* The FHIRPath of a consent rule, for questionnaire-constraint: the answer
 * is one of those that count, or (below_age) the young person is known to
 * be old enough on the response's date, from the patient's birth date or
 * from the form's birth-year item. */
static char *consent_expression(const sr_form *form, const srp_item *it, const srp_consent *c)
{
    srp_buf b = SRP_BUF_INIT;
    if (c->below_age) {
        srp_buf_printf(&b, "(%%patient.birthDate + %d years <= %%resource.authored)", c->below_age);
        if (form->birth_year_item)
            srp_buf_printf(&b,
                           " or (%%resource.repeat(item).where(linkId = '%s').answer.value + %d < "
                           "%%resource.authored.toString().substring(0, 4).toInteger())",
                           form->items[form->birth_year_item - 1].id, c->below_age);
        srp_buf_puts(&b, " or ");
    }
    srp_buf_printf(&b, "%%resource.repeat(item).where(linkId = '%s').answer.value.where(", it->id);
    size_t k;
    json_t *g;
    json_array_foreach(c->given, k, g)
    {
        if (k)
            srp_buf_puts(&b, " or ");
        if (json_is_boolean(g))
            srp_buf_printf(&b, "$this = %s", json_is_true(g) ? "true" : "false");
        else
            srp_buf_printf(&b, "code = '%s'", json_string_value(g));
    }
    srp_buf_puts(&b, ").exists()");
    return b.oom ? (srp_buf_free(&b), NULL) : srp_buf_take(&b);
}

/* A consent rule beside its item: the FHIR constraint (key, severity error,
 * the explanation as the message a form filler shows, the rule as FHIRPath)
 * for every FHIR tool, and sigreg's own extension with the answers that
 * count and the age, which sigreg reads back. */
static void fhir_consent(const sr_form *form, const srp_item *it, const srp_consent *c, json_t *q)
{
    char key[sizeof CONSENT_KEY_PREFIX + SR_ITEM_ID_MAX];
    snprintf(key, sizeof key, "%s%s", CONSENT_KEY_PREFIX, it->id);
    for (char *p = key; *p; p++)
        if (*p == '_')
            *p = '-';
    char *expr = consent_expression(form, it, c);
    json_t *human = json_pack("{ss}", "url", "human");
    fhir_text(human, "valueString", c->explanation);
    add_extension(q,
                  json_pack("{sss[{ssss}{ssss}{ssss}o]}", "url", EXT_CONSTRAINT, "extension", "url",
                            "key", "valueId", key, "url", "severity", "valueCode", "error", "url",
                            "expression", "valueString", expr ? expr : "", human));
    free(expr);
    json_t *rule = json_pack("{ss}", "url", SX("consent"));
    size_t k;
    json_t *g;
    json_array_foreach(c->given, k, g)
    {
        add_extension(rule, json_is_boolean(g)
                                ? json_pack("{sssO}", "url", "given", "valueBoolean", g)
                                : json_pack("{sssO}", "url", "given", "valueCode", g));
    }
    if (c->below_age)
        add_extension(rule, json_pack("{sssi}", "url", "below-age", "valueInteger", c->below_age));
    add_extension(q, rule);
}

static json_t *fhir_item(const sr_form *form, size_t i)
{
    const srp_item *it = &form->items[i];
    json_t *item = json_array_get(json_object_get(form->root, "items"), i);
    json_t *q = json_object();
    static const char *const types[SR_ITEM_TYPE_COUNT] = {
        "group", "boolean", "choice", "choice", "integer", "decimal", "integer", "date", "text"};
    json_object_set_new(q, "linkId", json_string(it->id));
    if (it->label)
        fhir_text(q, "text", it->label);
    json_object_set_new(q, "type", json_string(types[it->type]));
    if (it->required)
        json_object_set_new(q, "required", json_true());
    if (it->type == SR_ITEM_MULTICHOICE)
        json_object_set_new(q, "repeats", json_true());
    if (it->type == SR_ITEM_TEXT)
        json_object_set_new(q, "maxLength", json_integer((json_int_t)it->max_length));
    json_t *lo = fhir_bound(it, 0), *hi = fhir_bound(it, 1);
    if (lo)
        add_extension(q, lo);
    if (hi)
        add_extension(q, hi);
    if (it->type == SR_ITEM_DECIMAL && it->decimals >= 0)
        add_extension(q, json_pack("{sssi}", "url", EXT_DECIMALS, "valueInteger", it->decimals));
    if (it->type == SR_ITEM_MULTICHOICE && it->min_selected > 0)
        add_extension(q, json_pack("{sssI}", "url", EXT_MIN_OCCURS, "valueInteger",
                                   (json_int_t)it->min_selected));
    if (it->type == SR_ITEM_MULTICHOICE && it->max_selected < it->option_count)
        add_extension(q, json_pack("{sssI}", "url", EXT_MAX_OCCURS, "valueInteger",
                                   (json_int_t)it->max_selected));
    if (it->type == SR_ITEM_SCALE) {
        add_extension(q, item_control("slider"));
        add_extension(q, json_pack("{sssi}", "url", EXT_SLIDER_STEP, "valueInteger", 1));
        const char *value;
        json_t *text;
        json_object_foreach(json_object_get(item, "anchors"), value, text)
        {
            json_t *content = json_object();
            fhir_text(content, "valueString", text);
            json_object_set_new(content, "url", json_string("text"));
            add_extension(q, json_pack("{ss s[{sssI} o]}", "url", SX("anchor"), "extension", "url",
                                       "value", "valueInteger", (json_int_t)strtol(value, NULL, 10),
                                       content));
        }
    }
    flag_extension(q, SX("ordered"), it->ordered);
    flag_extension(q, SX("identifying"), it->identifying);
    flag_extension(q, SX("quasi-identifier"), it->quasi_identifier);
    if (it->derived_birth_year)
        add_extension(q, json_pack("{sss{ssss}}", "url", EXT_INITIAL_EXPRESSION, "valueExpression",
                                   "language", "text/fhirpath", "expression", BIRTH_YEAR_FHIRPATH));
    if (it->show_from_form) {
        char canonical[sizeof SR_FHIR_FORM_URL_BASE + SR_FORM_ID_MAX];
        snprintf(canonical, sizeof canonical, "%s%s", SR_FHIR_FORM_URL_BASE, it->show_from_form);
        add_extension(q, json_pack("{sss[{ssss}{ssss}]}", "url", SX("show-from"), "extension",
                                   "url", "questionnaire", "valueCanonical", canonical, "url",
                                   "linkId", "valueString", it->show_from_item));
    }
    const srp_consent *consent = srp_interop_consent_of(form, i);
    if (consent)
        fhir_consent(form, it, consent, q);
    json_t *extra = srp_interop_extra_keys(it, item);
    if (json_object_size(extra)) {
        char *s = json_dumps(extra, JSON_COMPACT | JSON_SORT_KEYS);
        add_extension(q, json_pack("{ssss}", "url", SX("extra"), "valueString", s ? s : "{}"));
        free(s);
    }
    json_decref(extra);
    if (it->option_count) {
        json_t *opts = json_array();
        for (size_t o = 0; o < it->option_count; o++) {
            json_t *coding = json_pack("{ss}", "code", it->options[o].code);
            fhir_text(coding, "display", it->options[o].label);
            json_t *opt = json_pack("{so}", "valueCoding", coding);
            flag_extension(opt, SX("missing"), it->options[o].missing);
            json_array_append_new(opts, opt);
        }
        json_object_set_new(q, "answerOption", opts);
    }
    if (it->condition)
        fhir_condition(form, it->condition, q);
    if (it->help) {
        json_t *children = json_array();
        json_array_append_new(children, fhir_help(it));
        json_object_set_new(q, "item", children);
    }
    return q;
}

sr_status sr_form_export_fhir(const sr_form *form, char **out, sr_error *err)
{
    char name[SR_FORM_ID_MAX + 1], version[24], url[SR_FORM_ID_MAX + 32];
    *out = NULL;
    srp_interop_redcap_form_name(form->id, name, sizeof name);
    snprintf(version, sizeof version, "%d", form->version);
    snprintf(url, sizeof url, "%s%s", SR_FHIR_FORM_URL_BASE, form->id);
    json_t *q =
        json_pack("{ssssssssssssss}", "resourceType", "Questionnaire", "id", form->id, "url", url,
                  "language", "sv", "name", name, "version", version, "status", "active");
    if (!q)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    fhir_text(q, "title", form->title);
    if (form->description)
        fhir_text(q, "description", form->description);
    add_extension(q,
                  json_pack("{ssss}", "url", SX("phase"), "valueCode", sr_phase_name(form->phase)));
    add_extension(q,
                  json_pack("{sssb}", "url", SX("repeatable"), "valueBoolean", form->repeatable));
    /* The patient whose birth date the derived birth year and the consents'
     * ages come from (SDC's launch context). */
    int needs_patient = form->birth_year_item != 0;
    for (size_t k = 0; k < form->consent_count; k++)
        needs_patient |= form->consents[k].below_age != 0;
    if (needs_patient)
        add_extension(q,
                      json_pack("{sss[{ss s{ssss}}{ssss}]}", "url", EXT_LAUNCH_CONTEXT, "extension",
                                "url", "name", "valueCoding", "system", LAUNCH_CONTEXT_SYSTEM,
                                "code", "patient", "url", "type", "valueCode", "Patient"));
    json_t *left = srp_interop_leftover_keys(form->root, srp_interop_known_document_keys);
    if (left) {
        char *s = json_dumps(left, JSON_COMPACT | JSON_SORT_KEYS);
        add_extension(q, json_pack("{ssss}", "url", SX("extra"), "valueString", s ? s : "{}"));
        free(s);
        json_decref(left);
    }
    /* A section is a group holding the items up to the next section. */
    json_t *top = json_array(), *group = NULL;
    for (size_t i = 0; i < form->item_count; i++) {
        json_t *q_item = fhir_item(form, i);
        if (form->items[i].type == SR_ITEM_SECTION) {
            json_array_append_new(top, q_item);
            group = q_item;
            if (!json_object_get(group, "item"))
                json_object_set_new(group, "item", json_array());
            continue;
        }
        json_array_append_new(group ? json_object_get(group, "item") : top, q_item);
    }
    /* A group without items is a display item (FHIR's que-1). */
    size_t i;
    json_t *g;
    json_array_foreach(top, i, g)
    {
        if (strcmp(json_string_value(json_object_get(g, "type")), "group") == 0 &&
            json_array_size(json_object_get(g, "item")) == 0) {
            json_object_set_new(g, "type", json_string("display"));
            json_object_del(g, "item");
        }
    }
    json_object_set_new(q, "item", top);
    *out = json_dumps(q, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(q);
    return *out ? SR_OK : srp_error_set(err, SR_ERR_NOMEM, "out of memory");
}

/* ---- FHIR R4 Questionnaire: import ---------------------------------------------------------- */

typedef struct fh_import {
    srp_interop_problems p;
    json_t *items;
    json_t *form;      /* the document's own keys, consent rules among them */
    json_t *all_links; /* every linkId in document order, to tell later from unknown */
} fh_import;

/* A FHIR string with its translations (_key) as a sigreg text, or NULL. */
static json_t *fhir_read_text(const json_t *obj, const char *key)
{
    const char *sv = json_string_value(json_object_get(obj, key));
    if (!sv || !*sv)
        return NULL;
    json_t *text = srp_interop_sv_text(sv);
    char k[64];
    snprintf(k, sizeof k, "_%s", key);
    size_t i;
    json_t *ext;
    json_array_foreach(json_object_get(json_object_get(obj, k), "extension"), i, ext)
    {
        if (strcmp(json_string_value(json_object_get(ext, "url")) ?: "", EXT_TRANSLATION))
            continue;
        const char *lang = NULL, *content = NULL;
        size_t j;
        json_t *sub;
        json_array_foreach(json_object_get(ext, "extension"), j, sub)
        {
            const char *u = json_string_value(json_object_get(sub, "url")) ?: "";
            if (strcmp(u, "lang") == 0)
                lang = json_string_value(json_object_get(sub, "valueCode"));
            else if (strcmp(u, "content") == 0)
                content = json_string_value(json_object_get(sub, "valueString"));
        }
        if (lang && content && *content && strcmp(lang, "sv") != 0)
            json_object_set_new(text, lang, json_string(content));
    }
    return text;
}

static const char *control_code(const json_t *ext)
{
    return json_string_value(json_object_get(
        json_array_get(json_object_get(json_object_get(ext, "valueCodeableConcept"), "coding"), 0),
        "code"));
}

static int has_control(const json_t *q, const char *code)
{
    size_t i;
    json_t *ext;
    json_array_foreach(json_object_get(q, "extension"), i, ext)
    {
        const char *u = json_string_value(json_object_get(ext, "url")) ?: "";
        if (strcmp(u, EXT_ITEM_CONTROL) == 0 && strcmp(control_code(ext) ?: "", code) == 0)
            return 1;
    }
    return 0;
}

static void collect_links(const json_t *items, json_t *out)
{
    size_t i;
    json_t *q;
    json_array_foreach(items, i, q)
    {
        json_array_append(out, json_object_get(q, "linkId"));
        collect_links(json_object_get(q, "item"), out);
    }
}

static json_t *fh_condition_entry(fh_import *im, const char *link, const json_t *ew)
{
    const char *question = json_string_value(json_object_get(ew, "question")) ?: "";
    const char *op = json_string_value(json_object_get(ew, "operator")) ?: "";
    json_t *target = srp_interop_built_item(im->items, question);
    if (!target) {
        size_t i;
        json_t *l;
        int later = 0;
        json_array_foreach(im->all_links, i, l) later |=
            json_is_string(l) && strcmp(json_string_value(l), question) == 0;
        srp_interop_problem(
            &im->p, link,
            later ? "item '%s': enableWhen names '%s', which does not come before it: a "
                    "sigreg condition may name only earlier items"
                  : "item '%s': enableWhen names the unknown item '%s'",
            link, question);
        return NULL;
    }
    const char *type = srp_interop_built_type(target);
    if (strcmp(op, "exists") == 0) {
        json_t *b = json_object_get(ew, "answerBoolean");
        json_t *c = srp_interop_leaf(question, "answered", NULL);
        return json_is_false(b) ? srp_interop_negate(c) : c;
    }
    static const char *const keys[][2] = {
        {"boolean", "answerBoolean"}, {"choice", "answerCoding"}, {"multichoice", "answerCoding"},
        {"integer", "answerInteger"}, {"scale", "answerInteger"}, {"decimal", "answerDecimal"},
        {"date", "answerDate"},       {"text", "answerString"}};
    const char *key = NULL;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (strcmp(type, keys[k][0]) == 0)
            key = keys[k][1];
    json_t *v = key ? json_object_get(ew, key) : NULL;
    if (!v && strcmp(type, "decimal") == 0)
        v = json_object_get(ew, "answerInteger");
    if (!v) {
        srp_interop_problem(&im->p, link,
                            "item '%s': enableWhen compares '%s' (%s) with an answer of another "
                            "type",
                            link, question, type);
        return NULL;
    }
    json_t *value;
    if (json_is_object(v)) {
        const char *code = json_string_value(json_object_get(v, "code")) ?: "";
        if (!srp_interop_built_option(target, code)) {
            srp_interop_problem(&im->p, link,
                                "item '%s': enableWhen names '%s', which is not an option of '%s'",
                                link, code, question);
            return NULL;
        }
        value = json_string(code);
    } else {
        value = json_deep_copy(v);
    }
    int multi = strcmp(type, "multichoice") == 0;
    int ordering = strcmp(op, "<") == 0 || strcmp(op, "<=") == 0 || strcmp(op, ">") == 0 ||
                   strcmp(op, ">=") == 0;
    if (strcmp(op, "=") == 0)
        return srp_interop_leaf(question, multi ? "includes" : "=", value);
    if (strcmp(op, "!=") == 0)
        return srp_interop_negate(srp_interop_leaf(question, multi ? "includes" : "=", value));
    if (ordering && (strcmp(type, "integer") == 0 || strcmp(type, "scale") == 0 ||
                     strcmp(type, "decimal") == 0 || strcmp(type, "date") == 0))
        return srp_interop_leaf(question, op, value);
    json_decref(value);
    srp_interop_problem(&im->p, link,
                        "item '%s': the enableWhen operator '%s' on '%s' cannot be expressed", link,
                        op, question);
    return NULL;
}

static const char *const refused_extensions[][2] = {
    {"calculatedExpression", "a calculated value"},
    {"initialExpression", "an initial value expression"},
    {"enableWhenExpression", "an enableWhen expression"},
    {"answerExpression", "an answer expression"},
    {"candidateExpression", "a candidate expression"},
    {"questionnaire-hidden", "a hidden item"},
    {"regex", "a regular expression constraint"},
    {"minLength", "a minimum length"},
    {"questionnaire-unit", "a unit of measure"},
    {"questionnaire-unitOption", "a unit of measure"},
    {"targetConstraint", "a constraint"},
    {"cqf-expression", "a calculated value"},
    {"cqf-calculatedValue", "a calculated value"}};

/* The value of an extension's first sub-extension called name, or NULL. */
static json_t *sub_extension(const json_t *ext, const char *name)
{
    size_t i;
    json_t *sub;
    json_array_foreach(json_object_get(ext, "extension"), i, sub)
    {
        if (strcmp(json_string_value(json_object_get(sub, "url")) ?: "", name) == 0)
            return sub;
    }
    return NULL;
}

/* sigreg's consent extension and the constraint beside it as a consent rule. */
static void fh_consent(fh_import *im, const char *link, const json_t *rule,
                       const json_t *constraint)
{
    if (!constraint) {
        srp_interop_problem(&im->p, link,
                            "item '%s': the sigreg consent extension has no constraint beside it "
                            "with the explanation",
                            link);
        return;
    }
    json_t *given = json_array();
    size_t i;
    json_t *sub;
    json_array_foreach(json_object_get(rule, "extension"), i, sub)
    {
        const char *u = json_string_value(json_object_get(sub, "url")) ?: "";
        json_t *v = json_object_get(sub, "valueBoolean");
        if (!v)
            v = json_object_get(sub, "valueCode");
        if (strcmp(u, "given") == 0 && v)
            json_array_append(given, v);
    }
    json_t *age = json_object_get(sub_extension(rule, "below-age"), "valueInteger");
    json_t *explanation = fhir_read_text(sub_extension(constraint, "human"), "valueString");
    srp_interop_add_consent(im->form, link, given, age ? json_integer_value(age) : 0, explanation);
}

static void fh_extensions(fh_import *im, const char *link, const json_t *q, json_t *item)
{
    size_t i;
    json_t *ext;
    const json_t *consent = NULL, *constraint = NULL;
    if (json_array_size(json_object_get(q, "modifierExtension")))
        srp_interop_problem(&im->p, link, "item '%s': a modifier extension cannot be expressed",
                            link);
    const char *type = srp_interop_built_type(item);
    json_array_foreach(json_object_get(q, "extension"), i, ext)
    {
        const char *url = json_string_value(json_object_get(ext, "url")) ?: "";
        if (strcmp(url, EXT_MIN_VALUE) == 0 || strcmp(url, EXT_MAX_VALUE) == 0) {
            const char *key = strcmp(url, EXT_MIN_VALUE) == 0 ? "min" : "max";
            json_t *v = json_object_get(ext, "valueInteger");
            if (!v)
                v = json_object_get(ext, "valueDecimal");
            if (!v)
                v = json_object_get(ext, "valueDate");
            json_t *shadow = json_object_get(ext, "_valueDate");
            if (!v && shadow) { /* only today(), as sigreg writes it */
                json_t *expr = json_object_get(
                    json_array_get(json_object_get(shadow, "extension"), 0), "valueExpression");
                const char *e = json_string_value(json_object_get(expr, "expression"));
                if (e && strcmp(e, "today()") == 0)
                    json_object_set_new(item, key, json_string("today"));
                else
                    srp_interop_problem(&im->p, link,
                                        "item '%s': the %s expression '%s' cannot be expressed "
                                        "(sigreg has a date or today)",
                                        link, strcmp(key, "min") == 0 ? "minValue" : "maxValue",
                                        e ? e : "");
            } else if (v && strcmp(type, "decimal") == 0 && json_is_number(v))
                json_object_set_new(item, key, json_real(json_number_value(v)));
            else if (v)
                json_object_set(item, key, v);
            continue;
        }
        if (strcmp(url, EXT_INITIAL_EXPRESSION) == 0) {
            const char *e = json_string_value(
                json_object_get(json_object_get(ext, "valueExpression"), "expression"));
            if (e && strcmp(e, BIRTH_YEAR_FHIRPATH) == 0 && strcmp(type, "integer") == 0)
                json_object_set_new(item, "derived", json_string("birth_year"));
            else
                srp_interop_problem(&im->p, link,
                                    "item '%s': the initial value expression '%s' cannot be "
                                    "expressed (sigreg derives only the birth year, as '%s')",
                                    link, e ? e : "", BIRTH_YEAR_FHIRPATH);
        } else if (strcmp(url, SX("show-from")) == 0) {
            const char *form = json_string_value(
                json_object_get(sub_extension(ext, "questionnaire"), "valueCanonical"));
            const char *from =
                json_string_value(json_object_get(sub_extension(ext, "linkId"), "valueString"));
            size_t bl = strlen(SR_FHIR_FORM_URL_BASE);
            if (form && from && strncmp(form, SR_FHIR_FORM_URL_BASE, bl) == 0)
                json_object_set_new(item, "show_from",
                                    json_pack("{ssss}", "form", form + bl, "item", from));
            else
                srp_interop_problem(&im->p, link,
                                    "item '%s': the sigreg show-from extension needs a "
                                    "questionnaire %s... and a linkId",
                                    link, SR_FHIR_FORM_URL_BASE);
        } else if (strcmp(url, SX("consent")) == 0) {
            consent = ext;
        } else if (strcmp(url, EXT_CONSTRAINT) == 0) {
            constraint = ext;
        } else if (strcmp(url, EXT_DECIMALS) == 0) {
            json_object_set(item, "decimals", json_object_get(ext, "valueInteger"));
        } else if (strcmp(url, EXT_MIN_OCCURS) == 0 || strcmp(url, EXT_MAX_OCCURS) == 0) {
            if (strcmp(type, "multichoice") == 0)
                json_object_set(item,
                                strcmp(url, EXT_MIN_OCCURS) == 0 ? "min_selected" : "max_selected",
                                json_object_get(ext, "valueInteger"));
        } else if (strcmp(url, SX("ordered")) == 0) {
            json_object_set_new(item, "ordered", json_true());
        } else if (strcmp(url, SX("identifying")) == 0) {
            json_object_set_new(item, "identifying", json_true());
        } else if (strcmp(url, SX("quasi-identifier")) == 0) {
            json_object_set_new(item, "quasi_identifier", json_true());
        } else if (strcmp(url, SX("anchor")) == 0) {
            json_t *anchors = json_object_get(item, "anchors");
            if (!anchors)
                json_object_set_new(item, "anchors", anchors = json_object());
            json_int_t value = 0;
            json_t *text = NULL;
            size_t j;
            json_t *sub;
            json_array_foreach(json_object_get(ext, "extension"), j, sub)
            {
                const char *u = json_string_value(json_object_get(sub, "url")) ?: "";
                if (strcmp(u, "value") == 0)
                    value = json_integer_value(json_object_get(sub, "valueInteger"));
                else if (strcmp(u, "text") == 0)
                    text = fhir_read_text(sub, "valueString");
            }
            char key[24];
            snprintf(key, sizeof key, "%lld", (long long)value);
            if (text)
                json_object_set_new(anchors, key, text);
        } else if (strcmp(url, SX("enable-when")) == 0) {
            json_error_t jerr;
            json_t *c =
                json_loads(json_string_value(json_object_get(ext, "valueString")) ?: "", 0, &jerr);
            if (c)
                json_object_set_new(item, "enable_when", c);
            else
                srp_interop_problem(
                    &im->p, link, "item '%s': the sigreg enable-when extension is not JSON", link);
        } else if (strcmp(url, SX("extra")) == 0) {
            json_error_t jerr;
            json_t *extra =
                json_loads(json_string_value(json_object_get(ext, "valueString")) ?: "", 0, &jerr);
            json_object_update_missing(item, json_object_get(extra, "item"));
            size_t o;
            json_t *opt;
            json_array_foreach(json_object_get(item, "options"), o, opt)
            {
                const char *code = json_string_value(json_object_get(opt, "code"));
                json_object_update_missing(
                    opt, json_object_get(json_object_get(extra, "options"), code));
            }
            json_decref(extra);
        } else if (strncmp(url, SR_FHIR_EXTENSION_BASE, strlen(SR_FHIR_EXTENSION_BASE)) == 0) {
            srp_interop_problem(&im->p, link, "item '%s': the sigreg extension '%s' is unknown",
                                link, url);
        } else {
            for (size_t k = 0; k < sizeof refused_extensions / sizeof refused_extensions[0]; k++) {
                size_t ul = strlen(url), nl = strlen(refused_extensions[k][0]);
                if (ul >= nl && strcmp(url + ul - nl, refused_extensions[k][0]) == 0)
                    srp_interop_problem(&im->p, link, "item '%s': %s (%s) cannot be expressed",
                                        link, refused_extensions[k][1], url);
            }
            /* Any other extension is presentation (rendering, item control,
             * entry format...): FHIR lets a reader that does not know it
             * ignore it. */
        }
    }
    /* A constraint is a consent rule only beside sigreg's consent extension. */
    if (consent)
        fh_consent(im, link, consent, constraint);
    else if (constraint)
        srp_interop_problem(&im->p, link,
                            "item '%s': a constraint (%s) cannot be expressed, except a consent "
                            "rule as sigreg writes it",
                            link, EXT_CONSTRAINT);
}

static void fh_item(fh_import *im, const json_t *q, int depth);

static void fh_options(fh_import *im, const char *link, const json_t *q, json_t *item)
{
    json_t *opts = json_array();
    json_object_set_new(item, "options", opts);
    if (json_object_get(q, "answerValueSet"))
        srp_interop_problem(&im->p, link,
                            "item '%s': answerValueSet (options from a value set) cannot be "
                            "expressed; list them as answerOption",
                            link);
    size_t i;
    json_t *ao;
    json_array_foreach(json_object_get(q, "answerOption"), i, ao)
    {
        json_t *coding = json_object_get(ao, "valueCoding");
        json_t *integer = json_object_get(ao, "valueInteger");
        char code[64] = "";
        json_t *label = NULL;
        if (coding) {
            snprintf(code, sizeof code, "%s",
                     json_string_value(json_object_get(coding, "code")) ?: "");
            label = fhir_read_text(coding, "display");
        } else if (integer) {
            snprintf(code, sizeof code, "%lld", (long long)json_integer_value(integer));
        } else {
            srp_interop_problem(&im->p, link,
                                "item '%s': answerOption %zu is not a coding or an integer, so it "
                                "has no code",
                                link, i + 1);
            continue;
        }
        if (json_is_true(json_object_get(ao, "initialSelected")))
            srp_interop_problem(&im->p, link,
                                "item '%s': the initially selected option '%s' cannot be expressed",
                                link, code);
        if (!srp_name_option_code_valid(code)) {
            srp_interop_problem(
                &im->p, link,
                "item '%s': the option code '%s' is not a sigreg option code (1-32 of a-z, 0-9, _)",
                link, code);
            json_decref(label);
            continue;
        }
        if (srp_interop_built_option(item, code)) {
            srp_interop_problem(&im->p, link, "item '%s': the option code '%s' comes twice", link,
                                code);
            json_decref(label);
            continue;
        }
        json_t *opt =
            json_pack("{ssso}", "code", code, "label", label ? label : srp_interop_sv_text(code));
        size_t j;
        json_t *ext;
        json_array_foreach(json_object_get(ao, "extension"), j, ext)
        {
            if (strcmp(json_string_value(json_object_get(ext, "url")) ?: "", SX("missing")) == 0)
                json_object_set_new(opt, "missing", json_true());
        }
        json_array_append_new(opts, opt);
    }
    if (json_array_size(json_object_get(q, "answerOption")) == 0 &&
        !json_object_get(q, "answerValueSet"))
        srp_interop_problem(&im->p, link, "item '%s': a choice item has no answerOption", link);
}

static void fh_item(fh_import *im, const json_t *q, int depth)
{
    const char *link = json_string_value(json_object_get(q, "linkId")) ?: "";
    const char *ftype = json_string_value(json_object_get(q, "type")) ?: "";
    if (!srp_name_item_id_valid(link)) {
        srp_interop_problem(&im->p, *link ? link : "item",
                            "linkId '%s' is not a sigreg item id ([a-z][a-z0-9_]{0,47})", link);
        /* go on: what else the item holds is reported too */
    }
    const char *type = NULL;
    int repeats = json_is_true(json_object_get(q, "repeats"));
    int group = strcmp(ftype, "group") == 0;
    if (group || strcmp(ftype, "display") == 0) {
        type = "section";
        if (depth > 0 && group) {
            srp_interop_problem(&im->p, link,
                                "item '%s': a group inside a group cannot be expressed (sigreg "
                                "sections do not nest)",
                                link);
            return;
        }
        if (depth > 0) {
            srp_interop_problem(
                &im->p, link, "item '%s': a display item inside a group cannot be expressed", link);
            return;
        }
        if (repeats)
            srp_interop_problem(&im->p, link, "item '%s': a repeating group cannot be expressed",
                                link);
    } else if (strcmp(ftype, "choice") == 0) {
        type = repeats ? "multichoice" : "choice";
    } else if (strcmp(ftype, "integer") == 0) {
        type = has_control(q, "slider") ? "scale" : "integer";
    } else if (strcmp(ftype, "boolean") == 0 || strcmp(ftype, "decimal") == 0 ||
               strcmp(ftype, "date") == 0) {
        type = ftype;
    } else if (strcmp(ftype, "string") == 0 || strcmp(ftype, "text") == 0) {
        type = "text";
    } else {
        srp_interop_problem(&im->p, link, "item '%s': the item type '%s' cannot be expressed", link,
                            ftype);
        return;
    }
    if (repeats && strcmp(ftype, "choice") && !group)
        srp_interop_problem(&im->p, link, "item '%s': a repeating %s item cannot be expressed",
                            link, ftype);
    if (json_object_get(q, "initial"))
        srp_interop_problem(&im->p, link, "item '%s': an initial value cannot be expressed", link);
    if (json_is_true(json_object_get(q, "readOnly")))
        srp_interop_problem(&im->p, link, "item '%s': a read-only item cannot be expressed", link);
    json_t *item = json_pack("{ssss}", "id", link, "type", type);
    json_t *label = fhir_read_text(q, "text");
    if (label)
        json_object_set_new(item, "label", label);
    else if (strcmp(type, "section") != 0)
        srp_interop_problem(&im->p, link, "item '%s' has no text", link);
    if (json_is_true(json_object_get(q, "required"))) {
        if (strcmp(type, "section") == 0)
            srp_interop_problem(&im->p, link, "item '%s': a required group cannot be expressed",
                                link);
        else
            json_object_set_new(item, "required", json_true());
    }
    if (strcmp(type, "choice") == 0 || strcmp(type, "multichoice") == 0)
        fh_options(im, link, q, item);
    else if (json_object_get(q, "answerOption") || json_object_get(q, "answerValueSet"))
        srp_interop_problem(&im->p, link, "item '%s': options on a %s item cannot be expressed",
                            link, ftype);
    json_t *ml = json_object_get(q, "maxLength");
    if (ml && strcmp(type, "text") == 0)
        json_object_set(item, "max_length", ml);
    else if (ml)
        srp_interop_problem(&im->p, link, "item '%s': maxLength on a %s item cannot be expressed",
                            link, ftype);
    fh_extensions(im, link, q, item);
    if (strcmp(type, "scale") == 0 &&
        !(json_object_get(item, "min") && json_object_get(item, "max")))
        srp_interop_problem(&im->p, link, "item '%s': a slider needs minValue and maxValue", link);
    /* enableWhen. */
    json_t *ew = json_object_get(q, "enableWhen");
    if (json_array_size(ew)) {
        if (group && depth == 0 && strcmp(type, "section") == 0) {
            srp_interop_problem(&im->p, link,
                                "item '%s': enableWhen on a group cannot be expressed (a "
                                "section has no condition)",
                                link);
        } else {
            const char *behavior = json_string_value(json_object_get(q, "enableBehavior"));
            json_t *list = json_array();
            size_t i;
            json_t *e;
            json_array_foreach(ew, i, e)
            {
                json_t *c = fh_condition_entry(im, link, e);
                if (c)
                    json_array_append_new(list, c);
            }
            if (json_array_size(list) == json_array_size(ew)) {
                json_t *c = json_pack(
                    "{sO}", behavior && strcmp(behavior, "any") == 0 ? "any" : "all", list);
                json_t *folded = srp_interop_cond_fold(c);
                json_object_set_new(item, "enable_when", folded);
                json_decref(c);
            }
            json_decref(list);
        }
    }
    /* Children: a help text, or (under a group) the section's items. */
    size_t i;
    json_t *child;
    json_t *children = json_object_get(q, "item");
    size_t first = 0;
    json_t *c0 = json_array_get(children, 0);
    if (c0 && strcmp(json_string_value(json_object_get(c0, "type")) ?: "", "display") == 0 &&
        has_control(c0, "help")) {
        json_t *help = fhir_read_text(c0, "text");
        if (help)
            json_object_set_new(item, "help", help);
        first = 1;
    }
    json_array_append_new(im->items, item);
    json_array_foreach(children, i, child)
    {
        if (i < first)
            continue;
        if (!group) {
            srp_interop_problem(
                &im->p, link, "item '%s': items nested under a question cannot be expressed", link);
            break;
        }
        fh_item(im, child, depth + 1);
    }
}

sr_status sr_form_import_fhir(const char *text, size_t len, const sr_form_import_options *opts,
                              char **json, sr_problems *problems, sr_error *err)
{
    sr_status rc = SR_OK;
    fh_import im;
    json_error_t jerr;
    json_t *q = NULL, *doc = NULL, *form = NULL;
    memset(&im, 0, sizeof im);
    im.p.problems = problems;
    *json = NULL;
    q = json_loadb(text, len, 0, &jerr);
    if (!q)
        return srp_error_set(err, SR_ERR_INVALID, "not valid JSON: %s at line %d, column %d",
                             jerr.text, jerr.line, jerr.column);
    if (strcmp(json_string_value(json_object_get(q, "resourceType")) ?: "", "Questionnaire")) {
        rc = srp_error_set(err, SR_ERR_INVALID, "not a FHIR Questionnaire resource");
        goto out;
    }
    im.items = json_array();
    im.all_links = json_array();
    im.form = form = json_object();
    collect_links(json_object_get(q, "item"), im.all_links);
    size_t i;
    json_t *top;
    json_array_foreach(json_object_get(q, "item"), i, top) fh_item(&im, top, 0);
    /* What the form says as a whole. */
    const char *name = json_string_value(json_object_get(q, "name"));
    char id[SR_FORM_ID_MAX + 1] = "";
    const char *src = name ? name : json_string_value(json_object_get(q, "id"));
    if (src) {
        snprintf(id, sizeof id, "%s", src);
        for (char *p = id; *p; p++)
            *p = *p == '_' ? '-' : (char)tolower((unsigned char)*p);
    }
    const char *version = json_string_value(json_object_get(q, "version"));
    if (version && !(opts && opts->version > 0)) {
        char *end = NULL;
        long v = strtol(version, &end, 10);
        if (*end || v < 1)
            srp_interop_problem(
                &im.p, "version",
                "the Questionnaire version '%s' is not a whole number of at least 1", version);
        else
            json_object_set_new(form, "version", json_integer(v));
    }
    json_t *title = fhir_read_text(q, "title");
    if (!title)
        title = srp_interop_sv_text(name ? name : id);
    json_object_set_new(form, "title", title);
    json_t *description = fhir_read_text(q, "description");
    if (description)
        json_object_set_new(form, "description", description);
    json_t *ext;
    json_array_foreach(json_object_get(q, "extension"), i, ext)
    {
        const char *url = json_string_value(json_object_get(ext, "url")) ?: "";
        if (strcmp(url, SX("phase")) == 0)
            json_object_set(form, "phase", json_object_get(ext, "valueCode"));
        else if (strcmp(url, SX("repeatable")) == 0)
            json_object_set(form, "repeatable", json_object_get(ext, "valueBoolean"));
        else if (strcmp(url, SX("extra")) == 0) {
            json_t *extra =
                json_loads(json_string_value(json_object_get(ext, "valueString")) ?: "", 0, &jerr);
            json_object_update_missing(form, extra);
            json_decref(extra);
        } else if (strcmp(url, EXT_CONSTRAINT) == 0 || strcmp(url, HL7_SD "targetConstraint") == 0)
            srp_interop_problem(&im.p, "(document)",
                                "a constraint on the whole Questionnaire (%s) cannot be expressed",
                                url);
    }
    if (json_array_size(json_object_get(q, "modifierExtension")))
        srp_interop_problem(&im.p, "(document)",
                            "a modifier extension on the Questionnaire cannot be expressed");
    doc = srp_interop_import_document(&im.p, opts, form, id, NULL, im.items);
    rc = srp_interop_finish_import(doc, &im.p, json, err);
out:
    json_decref(q);
    json_decref(doc);
    json_decref(form);
    json_decref(im.items);
    json_decref(im.all_links);
    return rc;
}

/* ---- FHIR R4 QuestionnaireResponse ---------------------------------------------------------- */

/* The answer entries of item it for the stored answer value. */
static json_t *fhir_answers(const srp_item *it, const json_t *value)
{
    json_t *list = json_array();
    size_t i;
    json_t *v;
    switch (it->type) {
    case SR_ITEM_BOOLEAN:
        json_array_append_new(list, json_pack("{sO}", "valueBoolean", (json_t *)value));
        break;
    case SR_ITEM_CHOICE:
    case SR_ITEM_MULTICHOICE:
        json_array_foreach(json_is_array(value) ? (json_t *)value : NULL, i, v)
        {
            const srp_option *o = srp_item_find_option(it, json_string_value(v));
            json_array_append_new(list, json_pack("{s{sOss}}", "valueCoding", "code", v, "display",
                                                  o ? srp_text(o->label, "sv") : ""));
        }
        if (json_is_string(value)) {
            const srp_option *o = srp_item_find_option(it, json_string_value(value));
            json_array_append_new(list,
                                  json_pack("{s{sOss}}", "valueCoding", "code", (json_t *)value,
                                            "display", o ? srp_text(o->label, "sv") : ""));
        }
        break;
    case SR_ITEM_INTEGER:
    case SR_ITEM_SCALE:
        json_array_append_new(list, json_pack("{sO}", "valueInteger", (json_t *)value));
        break;
    case SR_ITEM_DECIMAL:
        json_array_append_new(list, json_pack("{sf}", "valueDecimal", json_number_value(value)));
        break;
    case SR_ITEM_DATE:
        json_array_append_new(list, json_pack("{sO}", "valueDate", (json_t *)value));
        break;
    default:
        json_array_append_new(list, json_pack("{sO}", "valueString", (json_t *)value));
        break;
    }
    return list;
}

sr_status sr_form_response_fhir(const sr_form *form, const sr_fhir_response_meta *meta,
                                const char *answers, char **out, sr_error *err)
{
    sr_status rc = SR_OK;
    sr_problems *problems = NULL;
    json_t *a = NULL, *qr = NULL;
    char questionnaire[SR_FORM_ID_MAX + 48];
    *out = NULL;
    problems = sr_problems_new();
    if (!problems)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if ((rc = sr_form_check_answers(form, answers, strlen(answers), problems, err)) != SR_OK)
        goto out;
    a = json_loads(answers, 0, NULL);
    snprintf(questionnaire, sizeof questionnaire, "%s%s|%d", SR_FHIR_FORM_URL_BASE, form->id,
             form->version);
    char revision[24];
    snprintf(revision, sizeof revision, "%d", meta->revision);
    qr = json_pack("{sssss{ss}sssssss{s{ssss}}}", "resourceType", "QuestionnaireResponse", "id",
                   meta->id, "meta", "versionId", revision, "questionnaire", questionnaire,
                   "status", "completed", "authored", meta->date, "subject", "identifier", "system",
                   "urn:sigreg:case", "value", meta->subject);
    if (!a || !qr) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!meta->active)
        add_extension(qr, json_pack("{sssb}", "url", SX("set-aside"), "valueBoolean", 1));
    json_t *top = json_array(), *group = NULL;
    for (size_t i = 0; i < form->item_count; i++) {
        const srp_item *it = &form->items[i];
        if (it->type == SR_ITEM_SECTION) {
            group = json_pack("{ss}", "linkId", it->id);
            if (it->label)
                json_object_set_new(group, "text", json_string(srp_text(it->label, "sv")));
            json_object_set_new(group, "item", json_array());
            json_array_append_new(top, group);
            continue;
        }
        json_t *value = json_object_get(a, it->id);
        if (!value || (json_is_array(value) && json_array_size(value) == 0 &&
                       it->type != SR_ITEM_MULTICHOICE))
            continue;
        json_t *entry = json_pack("{ss}", "linkId", it->id);
        if (it->label)
            json_object_set_new(entry, "text", json_string(srp_text(it->label, "sv")));
        json_t *list = fhir_answers(it, value);
        if (json_array_size(list))
            json_object_set_new(entry, "answer", list);
        else
            json_decref(list); /* an empty selection: the question, answered with nothing */
        json_array_append_new(group ? json_object_get(group, "item") : top, entry);
    }
    /* Groups with no answered item are left out. */
    for (size_t i = json_array_size(top); i-- > 0;) {
        json_t *g = json_array_get(top, i);
        json_t *items = json_object_get(g, "item");
        if (items && json_array_size(items) == 0 && !json_object_get(g, "answer"))
            json_array_remove(top, i);
    }
    json_object_set_new(qr, "item", top);
    *out = json_dumps(qr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!*out)
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
out:
    json_decref(a);
    json_decref(qr);
    sr_problems_free(problems);
    return rc;
}
