/*
 * container.c - evaluator keys, and sealing, signing and opening extracts.
 */
#include "container.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"

#define CHUNK (64 * 1024)
#define MAX_HEADER 4096
#define SEALED_KEY_BYTES (crypto_secretstream_xchacha20poly1305_KEYBYTES + crypto_box_SEALBYTES)

void srp_fingerprint(const unsigned char *key, size_t len, char out[SRP_FINGERPRINT_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, key, len, (const unsigned char *)"sigreg-fp", 9);
    sodium_bin2hex(out, SRP_FINGERPRINT_HEX, h, sizeof h);
}

/* ---- evaluator keys ------------------------------------------------------------------- */

static char *b64(const unsigned char *bin, size_t len)
{
    return srp_base64_encode(bin, len);
}

static int get_fixed(json_t *o, const char *key, unsigned char *out, size_t len)
{
    const char *text = json_string_value(json_object_get(o, key));
    size_t got = 0;
    unsigned char *bin = text ? srp_base64_decode(text, &got) : NULL;
    int ok = bin && got == len;
    if (ok)
        memcpy(out, bin, len);
    free(bin);
    return ok ? 0 : -1;
}

sr_status srp_recipient_keygen(const srp_kdf_profile *profile, const unsigned char *pass,
                               size_t pass_len, char **public_json, char **secret_json,
                               char fingerprint[SRP_FINGERPRINT_HEX], sr_error *err)
{
    unsigned char pk[crypto_box_PUBLICKEYBYTES], salt[crypto_pwhash_SALTBYTES];
    unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    unsigned char wrapped[crypto_box_SECRETKEYBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES];
    unsigned char *sk = sodium_malloc(crypto_box_SECRETKEYBYTES);
    unsigned char *kek = sodium_malloc(32);
    char *pk64 = NULL, *salt64 = NULL, *nonce64 = NULL, *wrapped64 = NULL;
    json_t *pub = NULL, *sec = NULL;
    sr_status rc = SR_OK;
    if (!sk || !kek) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    crypto_box_keypair(pk, sk);
    randombytes_buf(salt, sizeof salt);
    rc = srp_kdf_passphrase(kek, pass, pass_len, salt, profile->opslimit, profile->memlimit, err);
    if (rc != SR_OK)
        goto out;
    srp_aead_encrypt(wrapped, nonce, sk, crypto_box_SECRETKEYBYTES, pk, sizeof pk, kek);
    srp_fingerprint(pk, sizeof pk, fingerprint);
    pk64 = b64(pk, sizeof pk);
    salt64 = b64(salt, sizeof salt);
    nonce64 = b64(nonce, sizeof nonce);
    wrapped64 = b64(wrapped, sizeof wrapped);
    if (!pk64 || !salt64 || !nonce64 || !wrapped64) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    pub = json_pack("{s:s, s:s, s:s}", "format", "sigreg-recipient/1", "public_key", pk64,
                    "fingerprint", fingerprint);
    sec = json_pack("{s:s, s:s, s:{s:s, s:s, s:I, s:I}, s:s, s:s, s:s}", "format",
                    "sigreg-recipient-key/1", "public_key", pk64, "kdf", "algorithm", "argon2id13",
                    "profile", profile->name, "opslimit", (json_int_t)profile->opslimit,
                    "memlimit", (json_int_t)profile->memlimit, "salt", salt64, "nonce", nonce64,
                    "wrapped_secret", wrapped64);
    *public_json = pub ? json_dumps(pub, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
    *secret_json = sec ? json_dumps(sec, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
    if (!*public_json || !*secret_json) {
        free(*public_json);
        free(*secret_json);
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
out:
    json_decref(pub);
    json_decref(sec);
    free(pk64);
    free(salt64);
    free(nonce64);
    free(wrapped64);
    sodium_free(sk);
    sodium_free(kek);
    return rc;
}

sr_status srp_recipient_public_parse(const char *text, size_t len,
                                     unsigned char pk[SRP_BOX_PUBLIC_BYTES], sr_error *err)
{
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    const char *format = json_string_value(json_object_get(root, "format"));
    sr_status rc = SR_OK;
    if (!root || !format || strcmp(format, "sigreg-recipient/1") != 0 ||
        get_fixed(root, "public_key", pk, SRP_BOX_PUBLIC_BYTES) != 0)
        rc = srp_error_set(err, SR_ERR_INVALID,
                           "not an evaluator's public key (sigreg-recipient/1): make one with "
                           "'sigreg keygen'");
    json_decref(root);
    return rc;
}

sr_status srp_recipient_key_unlock(const char *text, size_t len, const unsigned char *pass,
                                   size_t pass_len, unsigned char pk[SRP_BOX_PUBLIC_BYTES],
                                   unsigned char sk[SRP_BOX_SECRET_BYTES], sr_error *err)
{
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    const char *format = json_string_value(json_object_get(root, "format"));
    json_t *kdf = json_object_get(root, "kdf");
    unsigned char salt[crypto_pwhash_SALTBYTES];
    unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    unsigned char wrapped[crypto_box_SECRETKEYBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES];
    unsigned char *kek = sodium_malloc(32);
    sr_status rc = SR_OK;
    json_int_t ops = json_integer_value(json_object_get(kdf, "opslimit"));
    json_int_t mem = json_integer_value(json_object_get(kdf, "memlimit"));
    if (!kek) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    } else if (!root || !format || strcmp(format, "sigreg-recipient-key/1") != 0 ||
               get_fixed(root, "public_key", pk, SRP_BOX_PUBLIC_BYTES) != 0 ||
               get_fixed(root, "salt", salt, sizeof salt) != 0 ||
               get_fixed(root, "nonce", nonce, sizeof nonce) != 0 ||
               get_fixed(root, "wrapped_secret", wrapped, sizeof wrapped) != 0 || ops < 1 ||
               mem < 1 || !srp_kdf_params_valid((unsigned long long)ops, (size_t)mem)) {
        rc = srp_error_set(err, SR_ERR_INVALID, "not an evaluator's secret key file, or a damaged one");
    } else {
        rc = srp_kdf_passphrase(kek, pass, pass_len, salt, (unsigned long long)ops, (size_t)mem,
                                err);
        if (rc == SR_OK &&
            (srp_aead_decrypt(sk, wrapped, sizeof wrapped, nonce, pk, SRP_BOX_PUBLIC_BYTES, kek) != 0 ||
             !srp_box_pair_matches(pk, sk)))
            rc = srp_error_set(err, SR_ERR_AUTH, "wrong passphrase for the key file");
    }
    sodium_free(kek);
    json_decref(root);
    return rc;
}

/* ---- the container ------------------------------------------------------------------------ */

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

sr_status srp_container_seal(const unsigned char *plain, size_t len,
                             const unsigned char recipient[SRP_BOX_PUBLIC_BYTES],
                             const unsigned char signer_sk[SRP_SIGN_SECRET_BYTES],
                             const unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES],
                             unsigned char **out, size_t *out_len, sr_error *err)
{
    srp_buf b = SRP_BUF_INIT;
    unsigned char *key = sodium_malloc(crypto_secretstream_xchacha20poly1305_KEYBYTES);
    crypto_secretstream_xchacha20poly1305_state *st = sodium_malloc(sizeof *st);
    unsigned char *chunk = malloc(CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES);
    char fp[SRP_FINGERPRINT_HEX];
    char *signer64 = b64(signer_pk, SRP_SIGN_PUBLIC_BYTES);
    char *header = NULL;
    json_t *h = NULL;
    sr_status rc = SR_OK;
    int bad = !key || !st || !chunk || !signer64;
    if (!bad) {
        srp_fingerprint(recipient, SRP_BOX_PUBLIC_BYTES, fp);
        h = json_pack("{s:s, s:s, s:s}", "format", "sigreg-extract/1", "recipient", fp, "signer",
                      signer64);
        header = h ? json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        bad = !header;
    }
    if (!bad) {
        size_t hlen = strlen(header);
        unsigned char sealed[SEALED_KEY_BYTES];
        unsigned char shead[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
        crypto_secretstream_xchacha20poly1305_keygen(key);
        bad |= crypto_box_seal(sealed, key, crypto_secretstream_xchacha20poly1305_KEYBYTES,
                               recipient) != 0;
        bad |= crypto_secretstream_xchacha20poly1305_init_push(st, shead, key) != 0;
        srp_buf_put(&b, SRP_CONTAINER_MAGIC, 8);
        srp_buf_put_le(&b, hlen, 4);
        srp_buf_put(&b, header, hlen);
        srp_buf_put(&b, sealed, sizeof sealed);
        srp_buf_put(&b, shead, sizeof shead);
        size_t pos = 0;
        do {
            size_t n = len - pos < CHUNK ? len - pos : CHUNK;
            unsigned char tag = pos + n == len ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;
            unsigned long long clen = 0;
            bad |= crypto_secretstream_xchacha20poly1305_push(st, chunk, &clen, plain + pos, n,
                                                              (const unsigned char *)header, hlen,
                                                              tag) != 0;
            srp_buf_put_le(&b, clen, 4);
            srp_buf_put(&b, chunk, (size_t)clen);
            pos += n;
        } while (pos < len && !bad && !b.oom);
        if (!bad && !b.oom) {
            unsigned char sig[crypto_sign_BYTES];
            crypto_sign_detached(sig, NULL, b.data, b.len, signer_sk);
            srp_buf_put(&b, sig, sizeof sig);
        }
    }
    if (bad || b.oom) {
        srp_buf_free(&b);
        rc = srp_error_set(err, SR_ERR_CRYPTO, "cannot seal the extract");
    } else {
        *out = b.data;
        *out_len = b.len;
    }
    json_decref(h);
    free(header);
    free(signer64);
    free(chunk);
    sodium_free(key);
    sodium_free(st);
    return rc;
}

/* Parses the header; *body is where the sealed key starts. */
static sr_status read_header(const unsigned char *data, size_t len, char recipient_fp[SRP_FINGERPRINT_HEX],
                             unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES], size_t *body,
                             sr_error *err)
{
    if (len < 12 || memcmp(data, SRP_CONTAINER_MAGIC, 8) != 0)
        return srp_error_set(err, SR_ERR_INVALID, "not a sigreg extract");
    uint32_t hlen = get_u32(data + 8);
    if (hlen == 0 || hlen > MAX_HEADER || 12 + (size_t)hlen > len)
        return srp_error_set(err, SR_ERR_TAMPERED, "the extract's header is damaged");
    json_t *h = json_loadb((const char *)data + 12, hlen, JSON_REJECT_DUPLICATES, NULL);
    const char *format = json_string_value(json_object_get(h, "format"));
    const char *fp = json_string_value(json_object_get(h, "recipient"));
    sr_status rc = SR_OK;
    if (!h || !format || strcmp(format, "sigreg-extract/1") != 0 || !fp ||
        strlen(fp) != SRP_FINGERPRINT_HEX - 1 || get_fixed(h, "signer", signer_pk, SRP_SIGN_PUBLIC_BYTES) != 0)
        rc = srp_error_set(err, SR_ERR_TAMPERED, "the extract's header is damaged");
    else
        memcpy(recipient_fp, fp, SRP_FINGERPRINT_HEX);
    json_decref(h);
    *body = 12 + hlen;
    return rc;
}

sr_status srp_container_header(const unsigned char *data, size_t len,
                               char recipient_fp[SRP_FINGERPRINT_HEX],
                               unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES], sr_error *err)
{
    size_t body = 0;
    return read_header(data, len, recipient_fp, signer_pk, &body, err);
}

sr_status srp_container_open(const unsigned char *data, size_t len,
                             const unsigned char pk[SRP_BOX_PUBLIC_BYTES],
                             const unsigned char sk[SRP_BOX_SECRET_BYTES],
                             const char *pinned_signer, unsigned char **plain, size_t *plain_len,
                             char signer_fp[SRP_FINGERPRINT_HEX], sr_error *err)
{
    char recipient_fp[SRP_FINGERPRINT_HEX], our_fp[SRP_FINGERPRINT_HEX];
    unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES];
    size_t body = 0;
    sr_status rc = read_header(data, len, recipient_fp, signer_pk, &body, err);
    if (rc != SR_OK)
        return rc;
    srp_fingerprint(signer_pk, sizeof signer_pk, signer_fp);
    /* 1. The signature over everything before it. */
    if (len < body + SEALED_KEY_BYTES + crypto_secretstream_xchacha20poly1305_HEADERBYTES +
                  crypto_sign_BYTES ||
        crypto_sign_verify_detached(data + len - crypto_sign_BYTES, data, len - crypto_sign_BYTES,
                                    signer_pk) != 0)
        return srp_error_set(err, SR_ERR_TAMPERED,
                             "the extract's signature does not verify: it was altered or cut short");
    /* 2. The signer, when pinned. */
    if (pinned_signer && strcmp(pinned_signer, signer_fp) != 0)
        return srp_error_set(err, SR_ERR_TAMPERED,
                             "the extract was signed by %.16s..., not by the registry you named",
                             signer_fp);
    /* 3. Meant for this key? */
    srp_fingerprint(pk, SRP_BOX_PUBLIC_BYTES, our_fp);
    if (strcmp(recipient_fp, our_fp) != 0)
        return srp_error_set(err, SR_ERR_AUTH,
                             "the extract was made for another key (%.16s...), not this one",
                             recipient_fp);
    unsigned char *key = sodium_malloc(crypto_secretstream_xchacha20poly1305_KEYBYTES);
    crypto_secretstream_xchacha20poly1305_state *st = sodium_malloc(sizeof *st);
    srp_buf b = SRP_BUF_INIT;
    if (!key || !st) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (crypto_box_seal_open(key, data + body, SEALED_KEY_BYTES, pk, sk) != 0) {
        rc = srp_error_set(err, SR_ERR_AUTH, "the extract does not open with this key");
        goto out;
    }
    size_t pos = body + SEALED_KEY_BYTES;
    if (crypto_secretstream_xchacha20poly1305_init_pull(st, data + pos, key) != 0) {
        rc = srp_error_set(err, SR_ERR_TAMPERED, "the extract is damaged");
        goto out;
    }
    pos += crypto_secretstream_xchacha20poly1305_HEADERBYTES;
    size_t end = len - crypto_sign_BYTES;
    const unsigned char *ad = data + 12;
    size_t ad_len = body - 12;
    int final = 0;
    unsigned char *chunk = malloc(CHUNK);
    if (!chunk) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    while (!final && rc == SR_OK) {
        if (pos + 4 > end) {
            rc = srp_error_set(err, SR_ERR_TAMPERED, "the extract is cut short");
            break;
        }
        uint32_t clen = get_u32(data + pos);
        pos += 4;
        if (clen < crypto_secretstream_xchacha20poly1305_ABYTES ||
            clen > CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES || pos + clen > end) {
            rc = srp_error_set(err, SR_ERR_TAMPERED, "the extract is damaged");
            break;
        }
        unsigned long long mlen = 0;
        unsigned char tag = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(st, chunk, &mlen, &tag, data + pos, clen,
                                                       ad, ad_len) != 0) {
            rc = srp_error_set(err, SR_ERR_TAMPERED,
                               "the extract does not decrypt: it was altered or re-signed");
            break;
        }
        pos += clen;
        srp_buf_put(&b, chunk, (size_t)mlen);
        if (b.oom) {
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            break;
        }
        final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    }
    if (rc == SR_OK && (!final || pos != end))
        rc = srp_error_set(err, SR_ERR_TAMPERED, "the extract is damaged: its end is not where it should be");
    free(chunk);
    if (rc == SR_OK) {
        srp_buf_put(&b, "", 0); /* an empty archive still gets an allocation */
        if (b.oom)
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    if (rc == SR_OK) {
        *plain = b.data;
        *plain_len = b.len;
        b = (srp_buf)SRP_BUF_INIT;
    }
out:
    srp_buf_wipe(&b);
    sodium_free(key);
    sodium_free(st);
    return rc;
}
