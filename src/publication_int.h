/*
 * publication_int.h - what the writing and the reading side of publications
 * share (internal): where packages live, which key signs them, and the
 * analyst's path of sr_stats_run and directory. Only src/publication*.c,
 * src/stats.c and src/registry.c include it. Nothing here prints.
 */
#ifndef SIGREG_PUBLICATION_INT_H
#define SIGREG_PUBLICATION_INT_H

#include <sqlite3.h>

#include "crypto.h"
#include "sigreg/publication.h"

/* The packages' file name extension. */
#define SRP_PUBLICATION_EXT ".sigpub"
/* A package's plaintext is the publication's JSON, then a line with this
 * prefix and the base64 Ed25519 signature of that JSON by the publisher's
 * own signing key (certified by the signed keyring): who published it, even
 * where the container is signed by the stop-gap key (srp_publication_signer). */
#define SRP_PUBLICATION_SIG_PREFIX "\npublisher_signature:"
/* The largest package that is read. */
#define SRP_PUBLICATION_MAX_BYTES (256u << 20)

/* The folder of a registry's packages: its stem + ".publications"
 * (malloc'd; NULL when out of memory). */
char *srp_publication_dir(const char *db_path);

/* The key a publication is signed with, decided in this one place: the
 * registry's signing key in an admin's session; otherwise the publisher's
 * own signing key, which the signed keyring certifies (a key derived from
 * the master key only for a slot that has none yet). pk gets the public half, sk (guarded memory of
 * SRP_SIGN_SECRET_BYTES, the caller's) the secret. */
sr_status srp_publication_signer(sr_registry *reg, unsigned char pk[SRP_SIGN_PUBLIC_BYTES],
                                 sr_secret *sk, sr_error *err);
/* 1 when fingerprint is that of a key the registry signs publications with:
 * its signing key, an admin's or coordinator's own key in the keyring, or
 * the stop-gap key of the current master key (packages of earlier releases). */
int srp_publication_signer_trusted(sr_registry *reg, const char *fingerprint);

/* sr_stats_run in an analyst's session: the answer from the newest package
 * addressed to them. */
sr_status srp_publication_answer(sr_registry *reg, const sr_stats_query *query, sr_stats **out,
                                 sr_error *err);

/* Fills the tables of an analyst's in-memory directory (registry_int.h)
 * with the units, forms and settings the package carries; a package without
 * a directory (an earlier release's) fills nothing. */
sr_status srp_publication_fill_directory(const sr_publication *pub, sqlite3 *db, sr_error *err);

#endif
