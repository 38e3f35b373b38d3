/*
 * drafts_int.h - what the registering modules need of drafts (internal; the
 * public calls are in sigreg/drafts.h).
 */
#ifndef SIGREG_DRAFTS_INT_H
#define SIGREG_DRAFTS_INT_H

#include "sigreg/registry.h"

/* Drops the session user's draft of form_id/version on case code (a
 * canonical code) inside the caller's transaction; none is no error. */
sr_status srp_draft_drop_in_txn(sr_registry *reg, const char *code, const char *form_id,
                                int version, sr_error *err);

#endif
