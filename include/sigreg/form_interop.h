/*
 * form_interop.h - forms in the formats the field already uses: the REDCap
 * data dictionary (CSV), the FHIR R4 Questionnaire (JSON) and XLSForm (a
 * survey and a choices sheet, as CSV; export only).
 *
 * Export writes everything a sigreg-form/1 form says: what the foreign
 * format has a place for goes there, and the rest (sigreg's own flags, the
 * texts in other languages) travels in REDCap action tags '@SIGREG-...' and
 * in FHIR extensions under SR_FHIR_EXTENSION_BASE, so that a form exported
 * and imported again is equal to itself (sr_form_interop_equal). Import
 * turns a foreign definition into a sigreg-form/1 document, which is then
 * parsed and installed like any other. What the foreign definition says
 * that sigreg-form/1 cannot (calculated fields, piping, conditions on later
 * items, unsupported types...) is refused, every such construct listed with
 * the field it is in; nothing is dropped silently. Nothing here touches a
 * registry or a file.
 */
#ifndef SIGREG_FORM_INTEROP_H
#define SIGREG_FORM_INTEROP_H

#include <stddef.h>

#include "sigreg/form.h"
#include "sigreg/status.h"

/* The canonical URL prefix of sigreg's own FHIR extensions. */
#define SR_FHIR_EXTENSION_BASE "urn:sigreg:fhir:StructureDefinition:"

/* Exports to a REDCap data dictionary: the 18 columns REDCap names, one
 * instrument. *out is a new NUL-terminated string the caller frees. */
sr_status sr_form_export_redcap(const sr_form *form, char **out, sr_error *err);
/* Exports to a FHIR R4 Questionnaire resource (JSON); *out as above. */
sr_status sr_form_export_fhir(const sr_form *form, char **out, sr_error *err);
/* Exports to XLSForm: the survey sheet and the choices sheet as CSV; both new
 * strings the caller frees. */
sr_status sr_form_export_xlsform(const sr_form *form, char **survey, char **choices, sr_error *err);

typedef struct sr_form_import_options {
    const char *id;         /* the form id; NULL: from the definition */
    int version;            /* 0: from the definition (1 when it has none) */
    const char *phase;      /* NULL: from the definition; needed when it has none */
    int repeatable;         /* -1: from the definition (false when it has none), else 0/1 */
    const char *instrument; /* REDCap: the Form Name to take when there are several */
} sr_form_import_options;

#define SR_FORM_IMPORT_OPTIONS_INIT                                                                \
    {                                                                                              \
        NULL, 0, NULL, -1, NULL                                                                    \
    }

/* Turns a REDCap data dictionary (CSV) into a sigreg-form/1 document. On
 * SR_ERR_INVALID every problem is in problems (path: the variable name, or
 * "row N"; the message names the construct). *json is a new string the
 * caller frees; it still has to be parsed (sr_form_parse) or installed. */
sr_status sr_form_import_redcap(const char *text, size_t len, const sr_form_import_options *opts,
                                char **json, sr_problems *problems, sr_error *err);
/* The same for a FHIR R4 Questionnaire (JSON); problem paths are linkIds. */
sr_status sr_form_import_fhir(const char *text, size_t len, const sr_form_import_options *opts,
                              char **json, sr_problems *problems, sr_error *err);

/* The canonical URL of a form in FHIR (Questionnaire.url), e.g.
 * "urn:sigreg:form:sig-intake"; a response names "<url>|<version>". */
#define SR_FHIR_FORM_URL_BASE "urn:sigreg:form:"

/* The identity of one response, for sr_form_response_fhir. */
typedef struct sr_fhir_response_meta {
    const char *id;      /* the resource id ([A-Za-z0-9.-]{1,64}) */
    const char *subject; /* the case code, never a personnummer */
    const char *date;    /* "YYYY-MM-DD", the response's date */
    int revision;        /* 1 for the first registration */
    int active;          /* 0: set aside when the case was reopened */
} sr_fhir_response_meta;

/* A set of answers to form (a JSON object of item id to answer, as stored)
 * as a FHIR R4 QuestionnaireResponse: items nested as the Questionnaire of
 * sr_form_export_fhir nests them (sections as groups), one answer per value,
 * options as valueCoding {code, display} in Swedish. *out is a new string
 * the caller frees. SR_ERR_INVALID when the answers do not fit the form. */
sr_status sr_form_response_fhir(const sr_form *form, const sr_fhir_response_meta *meta,
                                const char *answers, char **out, sr_error *err);

/* Whether two forms are equal in the sense the round trips promise: the same
 * id, version, phase, repeatable, title and description in every language,
 * and the same items in the same order with the same id, type, label and
 * help in every language, required, identifying, quasi_identifier, ordered,
 * options (code, label in every language, missing), bounds, decimals,
 * max_length, min/max_selected, anchors and enable_when - conditions
 * compared after negations are pushed down to the comparisons, and
 * defaults (false flags, max_length 1000, max_selected = every option)
 * written or not alike. When they differ and why is not NULL, it gets the
 * first difference as a JSON path. */
int sr_form_interop_equal(const sr_form *a, const sr_form *b, char *why, size_t why_size);

#endif
