/*
 * extract.h - anonymised record-level extracts for evaluators.
 *
 * An evaluator makes a key pair (sr_keygen) and hands over the public half.
 * An admin makes an extract for it: every person gets a new random id,
 * identifying items and free text are dropped, dates become year and month
 * (or days since intake), ages become bands, and k-anonymity is reached over
 * every quasi-identifier by generalising and then blanking the few records
 * that still stand out. The files are sealed to the evaluator's key and
 * signed with the registry's key as they are written (container version 2,
 * Ed25519ph), so making one takes memory for the quasi-identifiers only,
 * not for the answers; the evaluator verifies and opens them without a
 * registry (versions 1 and 2). None of this can be switched off.
 * Errors name their field in err->where: "k", "forms", "recipient", "out".
 */
#ifndef SIGREG_EXTRACT_H
#define SIGREG_EXTRACT_H

#include <stddef.h>

#include "sigreg/registry.h"
#include "sigreg/secret.h"

#define SR_FINGERPRINT_SIZE 65

/* Writes stem.pub and stem.key (the secret half wrapped under pass); refuses
 * to overwrite. kdf_profile as for users (NULL: moderate). */
sr_status sr_keygen(const char *stem, const char *kdf_profile, const sr_secret *pass,
                    char fingerprint[SR_FINGERPRINT_SIZE], sr_error *err);

/* The registry's Ed25519 signing key (base64) and its fingerprint. */
sr_status sr_registry_pubkey(sr_registry *reg, char key_b64[64],
                             char fingerprint[SR_FINGERPRINT_SIZE], sr_error *err);

typedef struct sr_extract_options {
    const char *recipient;    /* path of the evaluator's NAME.pub */
    const char *out;          /* the extract file to write (never overwritten) */
    const char *const *forms; /* NULL: every installed form */
    size_t form_count;
    int k;              /* 0: 5; at least 2 */
    int relative_dates; /* days since intake (days_to_* columns) instead of year-month */
} sr_extract_options;

typedef struct sr_extract_report {
    long persons;
    long blanked;          /* records with at least one quasi-identifier blanked */
    char generalised[256]; /* the steps taken, comma-separated */
    char recipient[SR_FINGERPRINT_SIZE];
    char file_hash[SR_FINGERPRINT_SIZE];
} sr_extract_report;

/* Makes an extract (admins; audited with the selection, k, the recipient and
 * a hash of the file). The file appears only when complete, and never over
 * an existing one. */
sr_status sr_extract(sr_registry *reg, const sr_extract_options *options, sr_extract_report *report,
                     sr_error *err);

/* Verifies and opens an extract into out_dir (which must not exist): cases.csv,
 * one file per repeatable form, codebook.csv (one row per variable),
 * value_labels.csv, load_extract.R, load_extract.do, load_extract.sps and
 * metadata.json (version 1 extracts: what they hold). Nothing is
 * written unless everything verifies (the file is checked whole first, then
 * opened into a new folder that is renamed into place). pinned_signer: a
 * fingerprint or NULL; signer gets the signer's fingerprint once known. */
sr_status sr_extract_open(const char *file, const char *key_path, const sr_secret *pass,
                          const char *out_dir, const char *pinned_signer,
                          char signer[SR_FINGERPRINT_SIZE], sr_error *err);

/* How an evaluator came to trust an extract's signer. */
typedef enum sr_signer_trust {
    SR_SIGNER_UNCHECKED = 0, /* neither pinned nor remembered (no file of known registries) */
    SR_SIGNER_PINNED,        /* the pinned fingerprint */
    SR_SIGNER_KNOWN,         /* the key remembered for the extract's registry */
    SR_SIGNER_FIRST_SEEN,    /* the registry was not known: its signer is remembered now */
    SR_SIGNER_ROTATED        /* a newer key, linked to the trusted one by the extract's chain of
                                signing-key rotations (each signed by the key before): followed,
                                and remembered in place of the old one */
} sr_signer_trust;

typedef struct sr_extract_signer {
    char fingerprint[SR_FINGERPRINT_SIZE]; /* the key that signed */
    char trusted[SR_FINGERPRINT_SIZE];     /* the pinned or remembered one it was checked against */
    char registry[129]; /* the registry id the extract names ("" for older ones) */
    unsigned epoch;     /* the signing key's epoch (0 when not named) */
    sr_signer_trust trust;
    char checkpoint[96]; /* SEQ:HEAD of the audit checkpoint inside ("" when none) */
    /* A publication signed with its publisher's own key, which the package's
     * certificate says the registry signing key (this one) certified; trust
     * was then decided on that key. "" otherwise. */
    char certified_by[SR_FINGERPRINT_SIZE];
} sr_extract_signer;

/* sr_extract_open, and trust as ssh's known_hosts: with pinned_signer NULL
 * and known_path (the evaluator's file of known registries) given, the
 * first extract of a registry id has its signer remembered; a later one of
 * the same registry signed by another key is refused (SR_ERR_TAMPERED, where
 * "signer") unless its chain of signing-key rotations links the remembered
 * key to it. A pinned signer is followed the same way through a rotation.
 * signer (filled as far as known) says which way it went. */
sr_status sr_extract_open_checked(const char *file, const char *key_path, const sr_secret *pass,
                                  const char *out_dir, const char *pinned_signer,
                                  const char *known_path, sr_extract_signer *signer, sr_error *err);

#endif
