/*
 * container.h - evaluator keys and the sealed, signed extract container
 * (internal).
 *
 * An evaluator's key pair is X25519; the secret half is stored wrapped with
 * XChaCha20-Poly1305 under Argon2id of a passphrase. A container is
 *   "SIGREGX1" | u32 header length | header JSON (format, recipient
 *   fingerprint, signer's Ed25519 key) | content key sealed to the recipient
 *   | secretstream header | chunks (u32 length, ciphertext; the last tagged
 *   FINAL) | Ed25519 signature over everything before it.
 * The header is the associated data of every chunk, so a file re-signed
 * with another key no longer decrypts; truncation breaks the signature and
 * the FINAL tag. Opening verifies the signature before decrypting anything.
 */
#ifndef SIGREG_CONTAINER_H
#define SIGREG_CONTAINER_H

#include <stddef.h>

#include "crypto.h"

#define SRP_FINGERPRINT_HEX 65
#define SRP_CONTAINER_MAGIC "SIGREGX1"

/* Hex BLAKE2b-256 of a public key. */
void srp_fingerprint(const unsigned char *key, size_t len, char out[SRP_FINGERPRINT_HEX]);

/* A new evaluator key pair as two JSON documents (malloc'd). */
sr_status srp_recipient_keygen(const srp_kdf_profile *profile, const unsigned char *pass,
                               size_t pass_len, char **public_json, char **secret_json,
                               char fingerprint[SRP_FINGERPRINT_HEX], sr_error *err);
sr_status srp_recipient_public_parse(const char *text, size_t len,
                                     unsigned char pk[SRP_BOX_PUBLIC_BYTES], sr_error *err);
/* Unwraps the secret key; sk is caller's guarded memory. */
sr_status srp_recipient_key_unlock(const char *text, size_t len, const unsigned char *pass,
                                   size_t pass_len, unsigned char pk[SRP_BOX_PUBLIC_BYTES],
                                   unsigned char sk[SRP_BOX_SECRET_BYTES], sr_error *err);

/* Seals and signs plain (malloc'd *out). */
sr_status srp_container_seal(const unsigned char *plain, size_t len,
                             const unsigned char recipient[SRP_BOX_PUBLIC_BYTES],
                             const unsigned char signer_sk[SRP_SIGN_SECRET_BYTES],
                             const unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES],
                             unsigned char **out, size_t *out_len, sr_error *err);
/* Verifies, then opens (malloc'd *plain). pinned_signer is a fingerprint or
 * NULL; signer_fp gets the signer's fingerprint either way. */
sr_status srp_container_open(const unsigned char *data, size_t len,
                             const unsigned char pk[SRP_BOX_PUBLIC_BYTES],
                             const unsigned char sk[SRP_BOX_SECRET_BYTES],
                             const char *pinned_signer, unsigned char **plain, size_t *plain_len,
                             char signer_fp[SRP_FINGERPRINT_HEX], sr_error *err);
/* Reads only the header (for fuzzing and for telling which key is needed). */
sr_status srp_container_header(const unsigned char *data, size_t len,
                               char recipient_fp[SRP_FINGERPRINT_HEX],
                               unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES], sr_error *err);

#endif
