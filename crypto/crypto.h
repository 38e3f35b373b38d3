/*
 * crypto.h - every cryptographic primitive sigreg uses (internal).
 *
 * This module and the other files in crypto/ are the only code that includes
 * sodium.h. The rest of the library asks for what it needs by purpose:
 * random bytes, passphrase stretching, sub-keys, authenticated encryption,
 * keyed hashes, sealed boxes, signatures and text encodings. Keys are handled
 * in caller-provided buffers that the caller keeps in sr_secret memory.
 */
#ifndef SIGREG_CRYPTO_H
#define SIGREG_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "sigreg/secret.h"
#include "sigreg/status.h"

#define SRP_KEY_BYTES 32
#define SRP_SALT_BYTES 16
#define SRP_AEAD_NONCE_BYTES 24
#define SRP_AEAD_TAG_BYTES 16
#define SRP_MAC_BYTES 32
#define SRP_BOX_PUBLIC_BYTES 32
#define SRP_BOX_SECRET_BYTES 32
#define SRP_SEAL_OVERHEAD 48
#define SRP_SIGN_PUBLIC_BYTES 32
#define SRP_SIGN_SECRET_BYTES 64
#define SRP_SIGNATURE_BYTES 64

/* --- random ------------------------------------------------------------ */
void srp_random_bytes(void *buf, size_t len);
/* A uniform value in [0, upper). */
uint32_t srp_random_uniform(uint32_t upper);

/* --- passphrase stretching (Argon2id) ----------------------------------- */
typedef struct srp_kdf_profile {
    const char *name;
    unsigned long long opslimit;
    size_t memlimit;
    int for_tests_only; /* never a default, only chosen by name */
} srp_kdf_profile;

/* The profile called name, or NULL. */
const srp_kdf_profile *srp_kdf_profile_find(const char *name);
/* The default profile ("moderate"). */
const srp_kdf_profile *srp_kdf_profile_default(void);
/* The profile called name, or the default when name is NULL; NULL with err
 * set (SR_ERR_USAGE, where "kdf_profile") when there is no such profile. */
const srp_kdf_profile *srp_kdf_profile_choose(const char *name, sr_error *err);
/* Whether opslimit/memlimit are within what Argon2id accepts. */
int srp_kdf_params_valid(unsigned long long opslimit, size_t memlimit);
sr_status srp_kdf_passphrase(unsigned char out[SRP_KEY_BYTES], const unsigned char *pass,
                             size_t pass_len, const unsigned char salt[SRP_SALT_BYTES],
                             unsigned long long opslimit, size_t memlimit, sr_error *err);

/* --- sub-keys ------------------------------------------------------------ */
/* Derives sub-key number id for a purpose from a 32-byte parent key. */
void srp_kdf_subkey(unsigned char out[SRP_KEY_BYTES], uint64_t id, const char context[8],
                    const unsigned char parent[SRP_KEY_BYTES]);

/* --- authenticated encryption (XChaCha20-Poly1305, IETF) ----------------- */
/* out must hold len + SRP_AEAD_TAG_BYTES. nonce is filled with random bytes. */
void srp_aead_encrypt(unsigned char *out, unsigned char nonce[SRP_AEAD_NONCE_BYTES],
                      const unsigned char *msg, size_t len, const unsigned char *ad, size_t ad_len,
                      const unsigned char key[SRP_KEY_BYTES]);
/* out must hold len - SRP_AEAD_TAG_BYTES. Returns 0, or -1 when forged/wrong key. */
int srp_aead_decrypt(unsigned char *out, const unsigned char *ct, size_t len,
                     const unsigned char nonce[SRP_AEAD_NONCE_BYTES], const unsigned char *ad,
                     size_t ad_len, const unsigned char key[SRP_KEY_BYTES]);

/* --- keyed hashing (BLAKE2b) ---------------------------------------------- */
typedef struct srp_mac_state srp_mac_state;
/* A keyed hash in guarded memory; NULL when out of memory. */
srp_mac_state *srp_mac_begin(const unsigned char key[SRP_KEY_BYTES]);
void srp_mac_update(srp_mac_state *state, const void *data, size_t len);
/* Adds a length-prefixed field, so that field boundaries are part of the input. */
void srp_mac_field(srp_mac_state *state, const void *data, size_t len);
/* Writes the tag and frees the state. */
void srp_mac_end(srp_mac_state *state, unsigned char out[SRP_MAC_BYTES]);
/* The unkeyed hash of length-prefixed fields, as srp_mac_begin(NULL),
 * srp_mac_field for each and srp_mac_end give it, with the state on the
 * stack: for public data only (no guarded buffer, no system calls). */
typedef struct srp_hash_field {
    const void *data;
    size_t len;
} srp_hash_field;
void srp_hash_fields(unsigned char out[SRP_MAC_BYTES], const srp_hash_field *fields, size_t count);
void srp_mac(unsigned char out[SRP_MAC_BYTES], const unsigned char key[SRP_KEY_BYTES],
             const void *data, size_t len);
/* Unkeyed hash for file fingerprints. */
void srp_hash(unsigned char out[SRP_MAC_BYTES], const void *data, size_t len);
/* Constant-time comparison: 0 when equal. */
int srp_memcmp(const void *a, const void *b, size_t len);
/* Wipes memory the compiler may not optimise away. */
void srp_wipe(void *buf, size_t len);

/* --- public-key sealing (X25519 sealed boxes) ----------------------------- */
void srp_box_keypair(unsigned char pk[SRP_BOX_PUBLIC_BYTES],
                     unsigned char sk[SRP_BOX_SECRET_BYTES]);
/* A key pair from a 32-byte seed (test vectors); 0 on success. */
int srp_box_seed_keypair(unsigned char pk[SRP_BOX_PUBLIC_BYTES],
                         unsigned char sk[SRP_BOX_SECRET_BYTES], const unsigned char seed[32]);
/* Whether sk belongs to pk. */
int srp_box_pair_matches(const unsigned char pk[SRP_BOX_PUBLIC_BYTES],
                         const unsigned char sk[SRP_BOX_SECRET_BYTES]);
/* out must hold len + SRP_SEAL_OVERHEAD. */
sr_status srp_box_seal(unsigned char *out, const unsigned char *msg, size_t len,
                       const unsigned char pk[SRP_BOX_PUBLIC_BYTES]);
/* out must hold len - SRP_SEAL_OVERHEAD. Returns 0, or -1 when it does not open. */
int srp_box_seal_open(unsigned char *out, const unsigned char *ct, size_t len,
                      const unsigned char pk[SRP_BOX_PUBLIC_BYTES],
                      const unsigned char sk[SRP_BOX_SECRET_BYTES]);

/* --- signatures (Ed25519) -------------------------------------------------- */
void srp_sign_keypair(unsigned char pk[SRP_SIGN_PUBLIC_BYTES],
                      unsigned char sk[SRP_SIGN_SECRET_BYTES]);
/* A key pair from a 32-byte seed (test vectors); 0 on success. */
int srp_sign_seed_keypair(unsigned char pk[SRP_SIGN_PUBLIC_BYTES],
                          unsigned char sk[SRP_SIGN_SECRET_BYTES], const unsigned char seed[32]);
/* Whether sk (64 bytes) holds pk. */
int srp_sign_pair_matches(const unsigned char pk[SRP_SIGN_PUBLIC_BYTES],
                          const unsigned char sk[SRP_SIGN_SECRET_BYTES]);
void srp_sign(unsigned char sig[SRP_SIGNATURE_BYTES], const unsigned char *msg, size_t len,
              const unsigned char sk[SRP_SIGN_SECRET_BYTES]);
int srp_sign_verify(const unsigned char sig[SRP_SIGNATURE_BYTES], const unsigned char *msg,
                    size_t len, const unsigned char pk[SRP_SIGN_PUBLIC_BYTES]);
/* Ed25519ph over a message given in parts (libsodium's crypto_sign_init,
 * _update, _final_create/_final_verify), for data that is never in memory
 * whole. The state is malloc'd; _end and _check free it. */
typedef struct srp_sign_stream srp_sign_stream;
srp_sign_stream *srp_sign_stream_begin(void); /* NULL when out of memory */
void srp_sign_stream_update(srp_sign_stream *stream, const void *data, size_t len);
void srp_sign_stream_end(srp_sign_stream *stream, unsigned char sig[SRP_SIGNATURE_BYTES],
                         const unsigned char sk[SRP_SIGN_SECRET_BYTES]);
/* 0 when sig verifies under pk, -1 otherwise. */
int srp_sign_stream_check(srp_sign_stream *stream, const unsigned char sig[SRP_SIGNATURE_BYTES],
                          const unsigned char pk[SRP_SIGN_PUBLIC_BYTES]);
void srp_sign_stream_free(srp_sign_stream *stream); /* NULL: no-op */

/* --- encodings ------------------------------------------------------------- */
/* Hex into out (2*len+1 bytes, NUL-terminated). */
void srp_hex_encode(char *out, const unsigned char *bin, size_t len);
/* Decodes exactly len bytes of hex; 0 on success. */
int srp_hex_decode(unsigned char *out, size_t len, const char *hex);
/* Base64 (standard, padded) in a new malloc'd string the caller frees; NULL on OOM. */
char *srp_base64_encode(const unsigned char *bin, size_t len);
/* Decodes into a new malloc'd buffer the caller frees; NULL when malformed. */
unsigned char *srp_base64_decode(const char *text, size_t *out_len);

#endif
