/*
 * form_store.h - the forms installed in a registry.
 *
 * An installed form id + version never changes: installing the same content
 * again is a no-op, different content under the same id and version is
 * refused. Answers keep the version they were given under, so every version
 * stays readable. Listing and showing are open to every role (forms hold no
 * personal data); installing is for admins. Every call is audited.
 */
#ifndef SIGREG_FORM_STORE_H
#define SIGREG_FORM_STORE_H

#include "sigreg/form.h"
#include "sigreg/registry.h"

/* Installs a definition. *installed is 1 when it was new, 0 when the same
 * content was there already. Invalid definitions fill problems. */
sr_status sr_form_install(sr_registry *reg, const char *text, size_t len, sr_problems *problems,
                          int *installed, sr_error *err);
/* Installs every form shipped with sigreg (the SIG form set). */
sr_status sr_form_install_shipped(sr_registry *reg, size_t *count, sr_error *err);

typedef struct sr_form_summary {
    const char *id;
    int version;
    sr_phase phase;
    int repeatable;
    const char *title; /* in the asked language */
    long responses;    /* how many responses use this version */
} sr_form_summary;
/* 0 to go on, non-zero to stop (the rule of status.h). */
typedef int (*sr_form_fn)(void *ctx, const sr_form_summary *form);
sr_status sr_form_list(sr_registry *reg, const char *lang, sr_form_fn fn, void *ctx, sr_error *err);

/* Loads form id at version (0: the newest). *out is owned by the caller;
 * when text is not NULL, *text gets the definition as installed (malloc'd). */
sr_status sr_form_load(sr_registry *reg, const char *id, int version, sr_form **out, char **text,
                       sr_error *err);

/* The shipped definitions, for linting without a registry: name and text of
 * the i-th, or 0 when there is none. */
int sr_form_shipped(size_t i, const char **name, const char **text, size_t *len);

#endif
