/*
 * primitives.c - thin, purpose-named wrappers over libsodium.
 *
 * Nothing here chooses policy (which key for what); it only makes each
 * primitive hard to misuse: fixed sizes, random nonces, checked returns.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "base/error.h"

_Static_assert(SRP_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "aead key size");
_Static_assert(SRP_AEAD_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "nonce");
_Static_assert(SRP_AEAD_TAG_BYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES, "tag");
_Static_assert(SRP_SALT_BYTES == crypto_pwhash_SALTBYTES, "salt size");
_Static_assert(SRP_KEY_BYTES == crypto_kdf_KEYBYTES, "kdf key size");
_Static_assert(SRP_SEAL_OVERHEAD == crypto_box_SEALBYTES, "seal overhead");
_Static_assert(SRP_BOX_PUBLIC_BYTES == crypto_box_PUBLICKEYBYTES, "box pk");
_Static_assert(SRP_BOX_SECRET_BYTES == crypto_box_SECRETKEYBYTES, "box sk");
_Static_assert(SRP_SIGN_PUBLIC_BYTES == crypto_sign_PUBLICKEYBYTES, "sign pk");
_Static_assert(SRP_SIGN_SECRET_BYTES == crypto_sign_SECRETKEYBYTES, "sign sk");
_Static_assert(SRP_SIGNATURE_BYTES == crypto_sign_BYTES, "signature");

void srp_random_bytes(void *buf, size_t len)
{
    randombytes_buf(buf, len);
}

uint32_t srp_random_uniform(uint32_t upper)
{
    return randombytes_uniform(upper);
}

/* The profiles a user may choose. "interactive", "moderate" and "sensitive"
 * are libsodium's recommended Argon2id costs. The test profile exists so that
 * a test suite with hundreds of unlocks finishes; it is only ever chosen by
 * its name and says what it is. */
static const srp_kdf_profile kdf_profiles[] = {
    {"interactive", 2ULL, 67108864UL, 0},
    {"moderate", 3ULL, 268435456UL, 0},
    {"sensitive", 4ULL, 1073741824UL, 0},
    {"insecure-test-only", 1ULL, 65536UL, 1},
};

const srp_kdf_profile *srp_kdf_profile_find(const char *name)
{
    for (size_t i = 0; i < sizeof kdf_profiles / sizeof kdf_profiles[0]; i++)
        if (name && strcmp(kdf_profiles[i].name, name) == 0)
            return &kdf_profiles[i];
    return NULL;
}

const srp_kdf_profile *srp_kdf_profile_choose(const char *name, sr_error *err)
{
    const srp_kdf_profile *p = name ? srp_kdf_profile_find(name) : srp_kdf_profile_default();
    if (!p)
        srp_error_set_where(err, SR_ERR_USAGE, "kdf_profile",
                            "unknown key derivation profile '%s': use interactive, moderate or "
                            "sensitive",
                            name);
    return p;
}

const srp_kdf_profile *srp_kdf_profile_default(void)
{
    return &kdf_profiles[1];
}

int srp_kdf_params_valid(unsigned long long opslimit, size_t memlimit)
{
    return opslimit >= crypto_pwhash_OPSLIMIT_MIN && opslimit <= 64 &&
           memlimit >= crypto_pwhash_MEMLIMIT_MIN && memlimit <= (size_t)4 << 30;
}

sr_status srp_kdf_passphrase(unsigned char out[SRP_KEY_BYTES], const unsigned char *pass,
                             size_t pass_len, const unsigned char salt[SRP_SALT_BYTES],
                             unsigned long long opslimit, size_t memlimit, sr_error *err)
{
    if (!srp_kdf_params_valid(opslimit, memlimit))
        return srp_error_set(err, SR_ERR_CORRUPT, "key slot has invalid key derivation parameters");
    if (crypto_pwhash(out, SRP_KEY_BYTES, (const char *)pass, pass_len, salt, opslimit, memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return srp_error_set(err, SR_ERR_NOMEM,
                             "not enough memory to derive the key from the passphrase");
    return SR_OK;
}

void srp_kdf_subkey(unsigned char out[SRP_KEY_BYTES], uint64_t id, const char context[8],
                    const unsigned char parent[SRP_KEY_BYTES])
{
    /* Cannot fail for these fixed sizes. */
    (void)crypto_kdf_derive_from_key(out, SRP_KEY_BYTES, id, context, parent);
}

void srp_aead_encrypt(unsigned char *out, unsigned char nonce[SRP_AEAD_NONCE_BYTES],
                      const unsigned char *msg, size_t len, const unsigned char *ad, size_t ad_len,
                      const unsigned char key[SRP_KEY_BYTES])
{
    randombytes_buf(nonce, SRP_AEAD_NONCE_BYTES);
    (void)crypto_aead_xchacha20poly1305_ietf_encrypt(out, NULL, msg, len, ad, ad_len, NULL, nonce,
                                                     key);
}

int srp_aead_decrypt(unsigned char *out, const unsigned char *ct, size_t len,
                     const unsigned char nonce[SRP_AEAD_NONCE_BYTES], const unsigned char *ad,
                     size_t ad_len, const unsigned char key[SRP_KEY_BYTES])
{
    if (len < SRP_AEAD_TAG_BYTES)
        return -1;
    return crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, ct, len, ad, ad_len, nonce,
                                                      key) == 0
               ? 0
               : -1;
}

struct srp_mac_state {
    crypto_generichash_state st;
};

srp_mac_state *srp_mac_begin(const unsigned char key[SRP_KEY_BYTES])
{
    srp_mac_state *s = sodium_malloc(sizeof *s);
    if (!s)
        return NULL;
    (void)crypto_generichash_init(&s->st, key, key ? SRP_KEY_BYTES : 0, SRP_MAC_BYTES);
    return s;
}

void srp_mac_update(srp_mac_state *state, const void *data, size_t len)
{
    (void)crypto_generichash_update(&state->st, data, len);
}

static void hash_field(crypto_generichash_state *st, const void *data, size_t len)
{
    unsigned char prefix[8];
    uint64_t n = len;
    for (int i = 0; i < 8; i++)
        prefix[i] = (unsigned char)(n >> (8 * i));
    (void)crypto_generichash_update(st, prefix, sizeof prefix);
    if (len)
        (void)crypto_generichash_update(st, data, len);
}

void srp_mac_field(srp_mac_state *state, const void *data, size_t len)
{
    hash_field(&state->st, data, len);
}

void srp_hash_fields(unsigned char out[SRP_MAC_BYTES], const srp_hash_field *fields, size_t count)
{
    crypto_generichash_state st;
    (void)crypto_generichash_init(&st, NULL, 0, SRP_MAC_BYTES);
    for (size_t i = 0; i < count; i++)
        hash_field(&st, fields[i].data, fields[i].len);
    (void)crypto_generichash_final(&st, out, SRP_MAC_BYTES);
}

void srp_mac_end(srp_mac_state *state, unsigned char out[SRP_MAC_BYTES])
{
    (void)crypto_generichash_final(&state->st, out, SRP_MAC_BYTES);
    sodium_free(state);
}

void srp_mac(unsigned char out[SRP_MAC_BYTES], const unsigned char key[SRP_KEY_BYTES],
             const void *data, size_t len)
{
    (void)crypto_generichash(out, SRP_MAC_BYTES, data, len, key, SRP_KEY_BYTES);
}

void srp_hash(unsigned char out[SRP_MAC_BYTES], const void *data, size_t len)
{
    (void)crypto_generichash(out, SRP_MAC_BYTES, data, len, NULL, 0);
}

int srp_memcmp(const void *a, const void *b, size_t len)
{
    return sodium_memcmp(a, b, len);
}

void srp_wipe(void *buf, size_t len)
{
    sodium_memzero(buf, len);
}

void srp_box_keypair(unsigned char pk[SRP_BOX_PUBLIC_BYTES], unsigned char sk[SRP_BOX_SECRET_BYTES])
{
    (void)crypto_box_keypair(pk, sk);
}

int srp_box_pair_matches(const unsigned char pk[SRP_BOX_PUBLIC_BYTES],
                         const unsigned char sk[SRP_BOX_SECRET_BYTES])
{
    unsigned char derived[SRP_BOX_PUBLIC_BYTES];
    if (crypto_scalarmult_base(derived, sk) != 0)
        return 0;
    int same = sodium_memcmp(derived, pk, sizeof derived) == 0;
    sodium_memzero(derived, sizeof derived);
    return same;
}

sr_status srp_box_seal(unsigned char *out, const unsigned char *msg, size_t len,
                       const unsigned char pk[SRP_BOX_PUBLIC_BYTES])
{
    return crypto_box_seal(out, msg, len, pk) == 0 ? SR_OK : SR_ERR_CRYPTO;
}

int srp_box_seal_open(unsigned char *out, const unsigned char *ct, size_t len,
                      const unsigned char pk[SRP_BOX_PUBLIC_BYTES],
                      const unsigned char sk[SRP_BOX_SECRET_BYTES])
{
    if (len < SRP_SEAL_OVERHEAD)
        return -1;
    return crypto_box_seal_open(out, ct, len, pk, sk) == 0 ? 0 : -1;
}

void srp_sign_keypair(unsigned char pk[SRP_SIGN_PUBLIC_BYTES],
                      unsigned char sk[SRP_SIGN_SECRET_BYTES])
{
    (void)crypto_sign_keypair(pk, sk);
}

int srp_sign_pair_matches(const unsigned char pk[SRP_SIGN_PUBLIC_BYTES],
                          const unsigned char sk[SRP_SIGN_SECRET_BYTES])
{
    unsigned char derived[SRP_SIGN_PUBLIC_BYTES];
    if (crypto_sign_ed25519_sk_to_pk(derived, sk) != 0)
        return 0;
    return sodium_memcmp(derived, pk, sizeof derived) == 0;
}

void srp_sign(unsigned char sig[SRP_SIGNATURE_BYTES], const unsigned char *msg, size_t len,
              const unsigned char sk[SRP_SIGN_SECRET_BYTES])
{
    (void)crypto_sign_detached(sig, NULL, msg, len, sk);
}

int srp_sign_verify(const unsigned char sig[SRP_SIGNATURE_BYTES], const unsigned char *msg,
                    size_t len, const unsigned char pk[SRP_SIGN_PUBLIC_BYTES])
{
    return crypto_sign_verify_detached(sig, msg, len, pk) == 0 ? 0 : -1;
}

int srp_box_seed_keypair(unsigned char pk[SRP_BOX_PUBLIC_BYTES],
                         unsigned char sk[SRP_BOX_SECRET_BYTES], const unsigned char seed[32])
{
    return crypto_box_seed_keypair(pk, sk, seed) == 0 ? 0 : -1;
}

int srp_sign_seed_keypair(unsigned char pk[SRP_SIGN_PUBLIC_BYTES],
                          unsigned char sk[SRP_SIGN_SECRET_BYTES], const unsigned char seed[32])
{
    return crypto_sign_seed_keypair(pk, sk, seed) == 0 ? 0 : -1;
}

struct srp_sign_stream {
    crypto_sign_state state;
};

srp_sign_stream *srp_sign_stream_begin(void)
{
    srp_sign_stream *s = malloc(sizeof *s);
    if (s)
        (void)crypto_sign_init(&s->state);
    return s;
}

void srp_sign_stream_update(srp_sign_stream *stream, const void *data, size_t len)
{
    (void)crypto_sign_update(&stream->state, data, len);
}

void srp_sign_stream_end(srp_sign_stream *stream, unsigned char sig[SRP_SIGNATURE_BYTES],
                         const unsigned char sk[SRP_SIGN_SECRET_BYTES])
{
    (void)crypto_sign_final_create(&stream->state, sig, NULL, sk);
    srp_sign_stream_free(stream);
}

int srp_sign_stream_check(srp_sign_stream *stream, const unsigned char sig[SRP_SIGNATURE_BYTES],
                          const unsigned char pk[SRP_SIGN_PUBLIC_BYTES])
{
    unsigned char copy[SRP_SIGNATURE_BYTES];
    memcpy(copy, sig, sizeof copy); /* libsodium's prototype takes it writable */
    int ok = crypto_sign_final_verify(&stream->state, copy, pk) == 0;
    srp_sign_stream_free(stream);
    return ok ? 0 : -1;
}

void srp_sign_stream_free(srp_sign_stream *stream)
{
    if (!stream)
        return;
    sodium_memzero(stream, sizeof *stream);
    free(stream);
}

void srp_hex_encode(char *out, const unsigned char *bin, size_t len)
{
    sodium_bin2hex(out, 2 * len + 1, bin, len);
}

int srp_hex_decode(unsigned char *out, size_t len, const char *hex)
{
    size_t got = 0;
    const char *end = NULL;
    if (strlen(hex) != 2 * len)
        return -1;
    if (sodium_hex2bin(out, len, hex, 2 * len, NULL, &got, &end) != 0 || got != len)
        return -1;
    return 0;
}

char *srp_base64_encode(const unsigned char *bin, size_t len)
{
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *out = malloc(cap);
    if (!out)
        return NULL;
    sodium_bin2base64(out, cap, bin, len, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

unsigned char *srp_base64_decode(const char *text, size_t *out_len)
{
    size_t tlen = strlen(text);
    size_t cap = tlen / 4 * 3 + 3;
    unsigned char *out = malloc(cap ? cap : 1);
    if (!out)
        return NULL;
    size_t got = 0;
    const char *end = NULL;
    if (sodium_base642bin(out, cap, text, tlen, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) !=
            0 ||
        end != text + tlen) {
        free(out);
        return NULL;
    }
    *out_len = got;
    return out;
}
