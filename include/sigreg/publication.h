/*
 * publication.h - publications: the whole set of summaries of a registry (or
 * of some of its units) for fixed periods, protected as one system, signed
 * by the registry and sealed to the analysts of those units and to named
 * evaluators. Analysts read figures only from publications (they hold no key
 * to the database); evaluators read them without a registry.
 *
 * A publication holds, for every installed form, its summary overall, by
 * sex, by age band, by period (years, half-years or quarters), by status,
 * the change table against the intake, and the case flow; with several
 * units also by unit. Every figure of every table is a cell of ONE
 * disclosure problem, with every relation between the tables, so that no
 * withheld figure can be recomputed from any combination of the package.
 * Dates are whole periods only: a package holds no date window.
 *
 * Packages are files in the folder beside the registry with its stem and
 * ".publications" (registry.db -> registry.publications/), one per
 * recipient, each a sealed and signed container (the same as an extract's).
 * This module never prints; errors name the field in err->where ("unit",
 * "by", "from", "to", "min_cell", "recipient", ...), never a flag.
 */
#ifndef SIGREG_PUBLICATION_H
#define SIGREG_PUBLICATION_H

#include <stddef.h>

#include "sigreg/extract.h"
#include "sigreg/registry.h"
#include "sigreg/secret.h"
#include "sigreg/stats.h"

#define SR_PUBLICATION_FORMAT "sigreg-publication/1"

typedef struct sr_publish_options {
    const char *const *units; /* NULL or unit codes: every unit the user may see by default */
    size_t unit_count;
    const char *periods; /* "year" (default), "half" or "quarter" */
    int min_cell;        /* 0: the registry's; may only raise it, for the whole publication */
    const char *const *recipients; /* paths of evaluators' KEY.pub files */
    size_t recipient_count;
} sr_publish_options;

typedef struct sr_publish_report {
    char published_at[32];
    int min_cell;
    size_t tables;   /* tables in the publication (each language counted once) */
    size_t figures;  /* figures of those tables */
    size_t withheld; /* of them, withheld */
    /* The disclosure audit of the whole problem (every cell of every table
     * once): persons the withheld counts hide, cells a rule withheld but
     * the LP pinned (published), cells no pattern protects, LPs solved. */
    long persons_hidden;
    size_t released, narrow, lp_solves;
    size_t packages; /* files written (one per recipient) */
    /* The files written: "recipient<TAB>path" lines (malloc'd; the caller frees). */
    char *written;
} sr_publish_report;

/* Computes, protects, signs and seals a publication and writes its packages
 * (coordinators and admins). A coordinator publishes their own units only
 * (SR_ERR_DENIED, where "unit"). SR_ERR_NOT_FOUND when no analyst or
 * recipient would receive it. The publish action is logged. report->written
 * is the caller's (free). */
sr_status sr_publish(sr_registry *reg, const sr_publish_options *options, sr_publish_report *report,
                     sr_error *err);

typedef struct sr_publication sr_publication;

/* Opens a package with an evaluator's key file (KEY.key, unlocked with
 * pass): verified before anything is read; pinned_signer is a fingerprint
 * or NULL. *out is the caller's (sr_publication_free). */
sr_status sr_publication_open(const char *path, const char *key_path, const sr_secret *pass,
                              const char *pinned_signer, sr_publication **out, sr_error *err);
/* sr_publication_open, with the publisher's co-signature checked (the
 * document names the publisher's own key, which must have signed it) and
 * the signer trusted as open-extract trusts one (sr_extract_open_checked):
 * pinned_signer, else the key remembered in known_path for the package's
 * registry (a package signed with the registry's key) or for its
 * publisher there (one signed with a coordinator's own key, as
 * "REGISTRY/USER"), else remembered now; a newer registry key is followed
 * through the package's chain of signing-key rotations. who says which way
 * it went. */
sr_status sr_publication_open_checked(const char *path, const char *key_path, const sr_secret *pass,
                                      const char *pinned_signer, const char *known_path,
                                      sr_publication **out, sr_extract_signer *who, sr_error *err);
/* The newest package addressed to the session's user (an analyst), found
 * beside the registry and opened with the user's own slot key. */
sr_status sr_publication_newest(sr_registry *reg, sr_publication **out, sr_error *err);
void sr_publication_free(sr_publication *pub); /* NULL: no-op */

/* When (ISO 8601 UTC), by whom, and the signer's fingerprint (borrowed). */
const char *sr_publication_published_at(const sr_publication *pub);
const char *sr_publication_published_by(const sr_publication *pub);
const char *sr_publication_signer(const sr_publication *pub);
/* The audit checkpoint the package carries: its SEQ:HEAD line (borrowed),
 * or NULL when it was made in a session that signs no checkpoints. */
const char *sr_publication_checkpoint(const sr_publication *pub);
/* What the package holds, one line per form ("FORM: by -, sex, year; ..."),
 * as a new malloc'd string the caller frees (NULL when out of memory). */
char *sr_publication_contents(const sr_publication *pub);

/* Answers a summary query from the package: the same rows as the table
 * published for it. A query the package does not hold is refused
 * (SR_ERR_NOT_FOUND, where the field that is not published) with a message
 * that says what is published; so are date windows and another min_cell.
 * *out is the caller's (sr_stats_free). */
sr_status sr_publication_stats(const sr_publication *pub, const sr_stats_query *query,
                               sr_stats **out, sr_error *err);

#endif
