/*
 * container.h - evaluator keys and the sealed, signed extract container
 * (internal). Works on bytes: it never opens a file.
 *
 * An evaluator's key pair is X25519; the secret half is stored wrapped with
 * XChaCha20-Poly1305 under Argon2id of a passphrase. A container is
 *   magic | u32 header length | header JSON (format, recipient
 *   fingerprint, signer's Ed25519 key) | content key sealed to the recipient
 *   | secretstream header | chunks (u32 length, ciphertext of at most 64 KiB;
 *   the last tagged FINAL) | Ed25519 signature over everything before it.
 * Version 1 ("SIGREGX1", "sigreg-extract/1") signs with plain Ed25519, so a
 * reader needs the whole file in memory; version 2 ("SIGREGX2",
 * "sigreg-extract/2") signs with Ed25519ph, so a writer seals and signs as
 * the plaintext streams in and a reader verifies as it streams out. Writers
 * write version 2 only; readers open both.
 * The header is the associated data of every chunk, so a file re-signed
 * with another key no longer decrypts; truncation breaks the signature and
 * the FINAL tag. A reader refuses a pinned signer that differs and a
 * recipient that is not its key before it decrypts anything.
 * Plaintext buffers are wiped before they are freed.
 */
#ifndef SIGREG_CONTAINER_H
#define SIGREG_CONTAINER_H

#include <stddef.h>

#include "crypto.h"

#define SRP_FINGERPRINT_HEX 65

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

#define SRP_CONTAINER_MAGIC_V1 "SIGREGX1"
#define SRP_CONTAINER_MAGIC_V2 "SIGREGX2"
#define SRP_CONTAINER_CHUNK (64 * 1024)

/* Where a writer sends its bytes: SR_OK, or a failure with err filled. */
typedef sr_status (*srp_container_out_fn)(void *ctx, const void *data, size_t len, sr_error *err);

/* A version 2 writer: sealing and signing as the plaintext comes. */
typedef struct srp_container_writer srp_container_writer;
/* Writes the header through out. *writer is the caller's, freed with
 * srp_container_writer_free. The keys are borrowed until then. */
sr_status srp_container_writer_new(const unsigned char recipient[SRP_BOX_PUBLIC_BYTES],
                                   const unsigned char signer_sk[SRP_SIGN_SECRET_BYTES],
                                   const unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES],
                                   srp_container_out_fn out, void *out_ctx,
                                   srp_container_writer **writer, sr_error *err);
/* The same, with header_extra (a JSON object as text, or NULL): fields
 * added to the header beside format, recipient and signer (which it cannot
 * replace), signed and bound like them. Readers of version 2 ignore fields
 * they do not know. The fields sigreg writes:
 *   "registry": the registry id;
 *   "signing_epoch": the epoch of the registry signing key that signs;
 *   "signer_chain": [{"epoch": E, "key": base64 Ed25519 public key,
 *                     "sig": base64 signature by the previous entry's key
 *                     over srp_signing_rotation_digest(registry, E, key)}
 *                    ...], oldest first, the last key the signer's; the
 *                    first entry has no "sig";
 *   "checkpoint": the registry's signed audit checkpoint (text). */
sr_status srp_container_writer_new_ex(const unsigned char recipient[SRP_BOX_PUBLIC_BYTES],
                                      const unsigned char signer_sk[SRP_SIGN_SECRET_BYTES],
                                      const unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES],
                                      const char *header_extra, srp_container_out_fn out,
                                      void *out_ctx, srp_container_writer **writer, sr_error *err);
sr_status srp_container_write(srp_container_writer *writer, const void *data, size_t len,
                              sr_error *err);
/* Writes the last chunk and the signature; file_hash (may be NULL) gets the
 * BLAKE2b-256 of every byte written (as srp_hash of the whole file). */
sr_status srp_container_writer_finish(srp_container_writer *writer,
                                      unsigned char file_hash[SRP_MAC_BYTES], sr_error *err);
void srp_container_writer_free(srp_container_writer *writer); /* NULL: no-op; wipes */

/* Where a reader delivers plaintext: SR_OK, or a failure with err filled
 * (the reader then stops and returns it). data is wiped after the call. */
typedef sr_status (*srp_container_plain_fn)(void *ctx, const void *data, size_t len, sr_error *err);

/* A reader of versions 1 and 2, fed the file's bytes in pieces of any size.
 * With plain NULL it only checks (decrypts and verifies, delivers nothing).
 * Version 2 plaintext is delivered as each chunk decrypts, before the
 * signature at the end is checked: a caller that must not keep unverified
 * data reads twice (check, then deliver) or discards on failure. Version 1
 * is kept in memory (at most max_v1 bytes) and delivered at finish, after
 * its signature verified. pinned_signer: a fingerprint or NULL. */
typedef struct srp_container_reader srp_container_reader;
sr_status srp_container_reader_new(const unsigned char pk[SRP_BOX_PUBLIC_BYTES],
                                   const unsigned char sk[SRP_BOX_SECRET_BYTES],
                                   const char *pinned_signer, size_t max_v1,
                                   srp_container_plain_fn plain, void *plain_ctx,
                                   srp_container_reader **reader, sr_error *err);
sr_status srp_container_reader_feed(srp_container_reader *reader, const unsigned char *data,
                                    size_t len, sr_error *err);
/* The end of the file: SR_OK only when it ended where it should and the
 * signature verifies. signer_fp and version (either may be NULL) are filled
 * once the header was read. */
sr_status srp_container_reader_finish(srp_container_reader *reader,
                                      char signer_fp[SRP_FINGERPRINT_HEX], int *version,
                                      sr_error *err);
void srp_container_reader_free(srp_container_reader *reader); /* NULL: no-op; wipes */

/* In memory: seals and signs plain as version 2 (malloc'd *out). */
sr_status srp_container_seal(const unsigned char *plain, size_t len,
                             const unsigned char recipient[SRP_BOX_PUBLIC_BYTES],
                             const unsigned char signer_sk[SRP_SIGN_SECRET_BYTES],
                             const unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES],
                             unsigned char **out, size_t *out_len, sr_error *err);
/* In memory: verifies, then opens version 1 or 2 (malloc'd *plain, which the
 * caller wipes and frees). pinned_signer is a fingerprint or NULL;
 * signer_fp gets the signer's fingerprint either way. */
sr_status srp_container_open(const unsigned char *data, size_t len,
                             const unsigned char pk[SRP_BOX_PUBLIC_BYTES],
                             const unsigned char sk[SRP_BOX_SECRET_BYTES],
                             const char *pinned_signer, unsigned char **plain, size_t *plain_len,
                             char signer_fp[SRP_FINGERPRINT_HEX], sr_error *err);
/* Reads only the header of either version (for fuzzing and for telling
 * which key is needed). */
sr_status srp_container_header(const unsigned char *data, size_t len,
                               char recipient_fp[SRP_FINGERPRINT_HEX],
                               unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES], sr_error *err);

/* The header of either version as JSON text (malloc'd, the caller frees),
 * from the first bytes of a file. Not verified: only for deciding which
 * signer to trust before a reader checks it. */
sr_status srp_container_header_json(const unsigned char *data, size_t len, char **json,
                                    sr_error *err);

/* What the previous registry signing key signs when the key of epoch is
 * made: the keyring's own chain message (keyring.h), so that a container's
 * signer_chain is the keyring's chain copied: the BLAKE2b-256 (srp_mac_*,
 * unkeyed) of the fields "sigreg registry signing key", the registry id, the
 * epoch (8 bytes, little-endian) and the new public key. */
#define SRP_ROTATION_ID_MAX 128
void srp_signing_rotation_digest(const char *registry_id, uint32_t epoch,
                                 const unsigned char new_pk[SRP_SIGN_PUBLIC_BYTES],
                                 unsigned char out[SRP_MAC_BYTES]);
/* Whether the signer of a container whose header is header_json is the key
 * with fingerprint trusted_fp (0), or follows from it through the header's
 * signer_chain, every rotation signed by the key before it (1); -1 when
 * neither. registry_id and epoch (either may be NULL) get the header's
 * "registry" ("" when none) and "signing_epoch" (0 when none). */
int srp_signer_chain_links(const char *header_json, const char *trusted_fp,
                           char registry_id[SRP_ROTATION_ID_MAX + 1], uint32_t *epoch);

#endif
