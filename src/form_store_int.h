/*
 * form_store_int.h - the internal half of the form store (form_store.c):
 * loading an installed form without an audit entry, and the shipped forms an
 * older registry lacks.
 *
 * Only for callers that log their own action (registering, importing,
 * summaries, extracts); front ends use sr_form_load in sigreg/form_store.h.
 */
#ifndef SIGREG_FORM_STORE_INT_H
#define SIGREG_FORM_STORE_INT_H

#include "sigreg/form.h"
#include "sigreg/registry.h"
#include "sigreg/status.h"

/* Loads a form without writing an audit entry (for callers that log their
 * own action). See sr_form_load: *out, and *text when text is not NULL, are
 * owned by the caller. */
sr_status srp_form_load_quiet(sr_registry *reg, const char *id, int version, sr_form **out,
                              char **text, sr_error *err);

/* The upgrade of a registry made by an earlier release: installs every
 * shipped form version it lacks (the version 2 forms beside a release's
 * version 1), when it holds at least one form id that sigreg ships; a
 * registry none of whose forms came with sigreg is left alone. Installed
 * versions and their answers are never touched. Logged as "forms.upgrade"
 * with the versions, then each install as "form.install". For an admin's
 * unlock (registry.c); *count is how many were installed. */
sr_status srp_form_install_new_shipped(sr_registry *reg, size_t *count, sr_error *err);

/* The installed form id at version, whose stored digest is digest, parsed
 * once per session: later calls give the same form without reading or
 * parsing it again. Installed versions never change, and the digest is
 * part of the key, so a copy is never stale. *out is borrowed from the
 * session (valid until sr_registry_close) and must not be changed or freed.
 * No audit entry (see srp_form_load_quiet). */
sr_status srp_form_load_cached(sr_registry *reg, const char *id, int version, const char *digest,
                               const sr_form **out, sr_error *err);

#endif
