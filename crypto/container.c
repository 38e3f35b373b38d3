/*
 * container.c - evaluator keys, and sealing, signing and opening extracts
 * (version 2 written and read as a stream, version 1 read in memory).
 */
#include "container.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
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
                    "profile", profile->name, "opslimit", (json_int_t)profile->opslimit, "memlimit",
                    (json_int_t)profile->memlimit, "salt", salt64, "nonce", nonce64,
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
        rc = srp_error_set_where(err, SR_ERR_INVALID, "recipient",
                                 "not an evaluator's public key (sigreg-recipient/1)");
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
        rc = srp_error_set(err, SR_ERR_INVALID,
                           "not an evaluator's secret key file, or a damaged one");
    } else {
        rc = srp_kdf_passphrase(kek, pass, pass_len, salt, (unsigned long long)ops, (size_t)mem,
                                err);
        if (rc == SR_OK && (srp_aead_decrypt(sk, wrapped, sizeof wrapped, nonce, pk,
                                             SRP_BOX_PUBLIC_BYTES, kek) != 0 ||
                            !srp_box_pair_matches(pk, sk)))
            rc = srp_error_set(err, SR_ERR_AUTH, "wrong passphrase for the key file");
    }
    sodium_free(kek);
    json_decref(root);
    return rc;
}

/* ---- the container ------------------------------------------------------------------------ */

#define SS_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_HEADERBYTES crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define SS_KEYBYTES crypto_secretstream_xchacha20poly1305_KEYBYTES
#define SS_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL
#define PREAMBLE 12 /* magic and the header's length */

typedef crypto_secretstream_xchacha20poly1305_state ss_state;

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static const char *format_name(int version)
{
    return version == 1 ? "sigreg-extract/1" : "sigreg-extract/2";
}

/* Parses a header's JSON for version. */
static sr_status parse_header(const unsigned char *text, size_t len, int version,
                              char recipient_fp[SRP_FINGERPRINT_HEX],
                              unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES], sr_error *err)
{
    json_t *h = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, NULL);
    const char *format = json_string_value(json_object_get(h, "format"));
    const char *fp = json_string_value(json_object_get(h, "recipient"));
    sr_status rc = SR_OK;
    if (!h || !format || strcmp(format, format_name(version)) != 0 || !fp ||
        strlen(fp) != SRP_FINGERPRINT_HEX - 1 ||
        get_fixed(h, "signer", signer_pk, SRP_SIGN_PUBLIC_BYTES) != 0)
        rc = srp_error_set(err, SR_ERR_TAMPERED, "the extract's header is damaged");
    else
        memcpy(recipient_fp, fp, SRP_FINGERPRINT_HEX);
    json_decref(h);
    return rc;
}

/* The version a preamble announces (0: not an extract), and its header length. */
static int preamble_version(const unsigned char *p)
{
    if (memcmp(p, SRP_CONTAINER_MAGIC_V1, 8) == 0)
        return 1;
    if (memcmp(p, SRP_CONTAINER_MAGIC_V2, 8) == 0)
        return 2;
    return 0;
}

sr_status srp_container_header(const unsigned char *data, size_t len,
                               char recipient_fp[SRP_FINGERPRINT_HEX],
                               unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES], sr_error *err)
{
    int version = len >= PREAMBLE ? preamble_version(data) : 0;
    if (!version)
        return srp_error_set(err, SR_ERR_INVALID, "not a sigreg extract");
    uint32_t hlen = get_u32(data + 8);
    if (hlen == 0 || hlen > MAX_HEADER || PREAMBLE + (size_t)hlen > len)
        return srp_error_set(err, SR_ERR_TAMPERED, "the extract's header is damaged");
    return parse_header(data + PREAMBLE, hlen, version, recipient_fp, signer_pk, err);
}

sr_status srp_container_header_json(const unsigned char *data, size_t len, char **json,
                                    sr_error *err)
{
    *json = NULL;
    char fp[SRP_FINGERPRINT_HEX];
    unsigned char pk[SRP_SIGN_PUBLIC_BYTES];
    sr_status rc = srp_container_header(data, len, fp, pk, err);
    if (rc != SR_OK)
        return rc;
    uint32_t hlen = get_u32(data + 8);
    *json = malloc((size_t)hlen + 1);
    if (!*json)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    memcpy(*json, data + PREAMBLE, hlen);
    (*json)[hlen] = '\0';
    return SR_OK;
}

void srp_signing_rotation_digest(const char *registry_id, uint32_t epoch,
                                 const unsigned char new_pk[SRP_SIGN_PUBLIC_BYTES],
                                 unsigned char out[SRP_MAC_BYTES])
{
    srp_mac_state *st = srp_mac_begin(NULL);
    if (!st) {
        memset(out, 0, SRP_MAC_BYTES); /* verification then fails closed */
        return;
    }
    static const char label[] = "sigreg registry signing key";
    unsigned char num[8];
    for (int i = 0; i < 8; i++)
        num[i] = (unsigned char)((uint64_t)epoch >> (8 * i));
    srp_mac_field(st, label, sizeof label - 1);
    srp_mac_field(st, registry_id, strlen(registry_id));
    srp_mac_field(st, num, sizeof num);
    srp_mac_field(st, new_pk, SRP_SIGN_PUBLIC_BYTES);
    srp_mac_end(st, out);
}

int srp_signer_chain_links(const char *header_json, const char *trusted_fp,
                           char registry_id[SRP_ROTATION_ID_MAX + 1], uint32_t *epoch)
{
    json_t *h = json_loads(header_json, JSON_REJECT_DUPLICATES, NULL);
    int linked = -1;
    unsigned char signer[SRP_SIGN_PUBLIC_BYTES], prev[SRP_SIGN_PUBLIC_BYTES];
    const char *id = json_string_value(json_object_get(h, "registry"));
    if (registry_id)
        snprintf(registry_id, SRP_ROTATION_ID_MAX + 1, "%s",
                 id && strlen(id) <= SRP_ROTATION_ID_MAX ? id : "");
    if (epoch)
        *epoch = (uint32_t)json_integer_value(json_object_get(h, "signing_epoch"));
    if (!h || get_fixed(h, "signer", signer, sizeof signer) != 0)
        goto out;
    char fp[SRP_FINGERPRINT_HEX];
    srp_fingerprint(signer, sizeof signer, fp);
    if (trusted_fp && strcmp(fp, trusted_fp) == 0) {
        linked = 0;
        goto out;
    }
    /* The chain, oldest first: each key after the first signed by the one
     * before, the last one the signer's. */
    json_t *chain = json_object_get(h, "signer_chain");
    size_t n = json_array_size(chain);
    if (!id || !trusted_fp || n < 2 || strlen(id) > SRP_ROTATION_ID_MAX)
        goto out;
    int seen_trusted = 0;
    json_int_t last_epoch = -1;
    for (size_t i = 0; i < n; i++) {
        json_t *link = json_array_get(chain, i);
        unsigned char key[SRP_SIGN_PUBLIC_BYTES], sig[SRP_SIGNATURE_BYTES];
        json_int_t e = json_integer_value(json_object_get(link, "epoch"));
        if (get_fixed(link, "key", key, sizeof key) != 0 || e <= last_epoch || e > UINT32_MAX)
            goto out;
        if (i > 0) {
            unsigned char msg[SRP_MAC_BYTES];
            srp_signing_rotation_digest(id, (uint32_t)e, key, msg);
            if (get_fixed(link, "sig", sig, sizeof sig) != 0 ||
                crypto_sign_verify_detached(sig, msg, sizeof msg, prev) != 0)
                goto out;
        }
        char kfp[SRP_FINGERPRINT_HEX];
        srp_fingerprint(key, sizeof key, kfp);
        if (strcmp(kfp, trusted_fp) == 0)
            seen_trusted = 1;
        memcpy(prev, key, sizeof prev);
        last_epoch = e;
    }
    if (seen_trusted && sodium_memcmp(prev, signer, sizeof signer) == 0)
        linked = 1;
out:
    json_decref(h);
    return linked;
}

/* ---- writing (version 2) -------------------------------------------------------------------- */

struct srp_container_writer {
    srp_container_out_fn out;
    void *out_ctx;
    const unsigned char *signer_sk;
    crypto_sign_state sign;
    crypto_generichash_state hash;
    ss_state *stream;     /* guarded */
    unsigned char *plain; /* guarded: the chunk being filled */
    size_t used;
    unsigned char *cipher;
    char *header;
    size_t header_len;
    int failed, finished;
};

/* Sends bytes out, signed and hashed. */
static sr_status emit(srp_container_writer *w, const void *data, size_t len, sr_error *err)
{
    crypto_sign_update(&w->sign, data, len);
    crypto_generichash_update(&w->hash, data, len);
    sr_status rc = w->out(w->out_ctx, data, len, err);
    if (rc != SR_OK)
        w->failed = 1;
    return rc;
}

static sr_status push_chunk(srp_container_writer *w, unsigned char tag, sr_error *err)
{
    unsigned long long clen = 0;
    if (crypto_secretstream_xchacha20poly1305_push(w->stream, w->cipher + 4, &clen, w->plain,
                                                   w->used, (const unsigned char *)w->header,
                                                   w->header_len, tag) != 0) {
        w->failed = 1;
        return srp_error_set(err, SR_ERR_CRYPTO, "cannot seal the extract");
    }
    sodium_memzero(w->plain, w->used);
    w->used = 0;
    put_u32(w->cipher, (uint32_t)clen);
    return emit(w, w->cipher, 4 + (size_t)clen, err);
}

sr_status srp_container_writer_new(const unsigned char recipient[SRP_BOX_PUBLIC_BYTES],
                                   const unsigned char signer_sk[SRP_SIGN_SECRET_BYTES],
                                   const unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES],
                                   srp_container_out_fn out, void *out_ctx,
                                   srp_container_writer **writer, sr_error *err)
{
    return srp_container_writer_new_ex(recipient, signer_sk, signer_pk, NULL, out, out_ctx, writer,
                                       err);
}

sr_status srp_container_writer_new_ex(const unsigned char recipient[SRP_BOX_PUBLIC_BYTES],
                                      const unsigned char signer_sk[SRP_SIGN_SECRET_BYTES],
                                      const unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES],
                                      const char *header_extra, srp_container_out_fn out,
                                      void *out_ctx, srp_container_writer **writer, sr_error *err)
{
    *writer = NULL;
    srp_container_writer *w = calloc(1, sizeof *w);
    unsigned char *key = sodium_malloc(SS_KEYBYTES);
    char *signer64 = b64(signer_pk, SRP_SIGN_PUBLIC_BYTES);
    json_t *h = NULL;
    sr_status rc = SR_OK;
    if (w) {
        w->stream = sodium_malloc(sizeof *w->stream);
        w->plain = sodium_malloc(SRP_CONTAINER_CHUNK);
        w->cipher = malloc(4 + SRP_CONTAINER_CHUNK + SS_ABYTES);
    }
    if (!w || !key || !signer64 || !w->stream || !w->plain || !w->cipher) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    w->out = out;
    w->out_ctx = out_ctx;
    w->signer_sk = signer_sk;
    char fp[SRP_FINGERPRINT_HEX];
    srp_fingerprint(recipient, SRP_BOX_PUBLIC_BYTES, fp);
    h = json_pack("{s:s, s:s, s:s}", "format", format_name(2), "recipient", fp, "signer", signer64);
    if (h && header_extra) {
        /* Fields of the caller's beside ours; ours cannot be replaced. */
        json_t *extra = json_loads(header_extra, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(extra) || json_object_update_missing(h, extra) != 0) {
            json_decref(extra);
            rc = srp_error_set(err, SR_ERR_INVALID, "the extract's header fields are not valid");
            goto out;
        }
        json_decref(extra);
    }
    w->header = h ? json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (!w->header) {
        rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        goto out;
    }
    w->header_len = strlen(w->header);
    if (w->header_len > MAX_HEADER) {
        rc = srp_error_set(err, SR_ERR_INVALID, "the extract's header is too long");
        goto out;
    }
    unsigned char pre[PREAMBLE];
    unsigned char sealed[SEALED_KEY_BYTES];
    unsigned char shead[SS_HEADERBYTES];
    crypto_secretstream_xchacha20poly1305_keygen(key);
    if (crypto_box_seal(sealed, key, SS_KEYBYTES, recipient) != 0 ||
        crypto_secretstream_xchacha20poly1305_init_push(w->stream, shead, key) != 0) {
        rc = srp_error_set(err, SR_ERR_CRYPTO, "cannot seal the extract");
        goto out;
    }
    crypto_sign_init(&w->sign);
    crypto_generichash_init(&w->hash, NULL, 0, SRP_MAC_BYTES);
    memcpy(pre, SRP_CONTAINER_MAGIC_V2, 8);
    put_u32(pre + 8, (uint32_t)w->header_len);
    rc = emit(w, pre, sizeof pre, err);
    if (rc == SR_OK)
        rc = emit(w, w->header, w->header_len, err);
    if (rc == SR_OK)
        rc = emit(w, sealed, sizeof sealed, err);
    if (rc == SR_OK)
        rc = emit(w, shead, sizeof shead, err);
out:
    if (rc == SR_OK)
        *writer = w;
    else
        srp_container_writer_free(w);
    json_decref(h);
    free(signer64);
    sodium_free(key);
    return rc;
}

sr_status srp_container_write(srp_container_writer *w, const void *data, size_t len, sr_error *err)
{
    if (w->failed || w->finished)
        return srp_error_set(err, SR_ERR_STATE, "the extract could not be written");
    const unsigned char *p = data;
    while (len > 0) {
        /* A full chunk goes out only when more follows: the last one is
         * never empty unless the whole content is. */
        if (w->used == SRP_CONTAINER_CHUNK) {
            sr_status rc = push_chunk(w, 0, err);
            if (rc != SR_OK)
                return rc;
        }
        size_t n = SRP_CONTAINER_CHUNK - w->used;
        if (n > len)
            n = len;
        memcpy(w->plain + w->used, p, n);
        w->used += n;
        p += n;
        len -= n;
    }
    return SR_OK;
}

sr_status srp_container_writer_finish(srp_container_writer *w,
                                      unsigned char file_hash[SRP_MAC_BYTES], sr_error *err)
{
    if (w->failed || w->finished)
        return srp_error_set(err, SR_ERR_STATE, "the extract could not be written");
    sr_status rc = push_chunk(w, SS_FINAL, err);
    unsigned char sig[crypto_sign_BYTES];
    if (rc == SR_OK) {
        crypto_sign_final_create(&w->sign, sig, NULL, w->signer_sk);
        rc = emit(w, sig, sizeof sig, err);
    }
    if (rc == SR_OK) {
        unsigned char h[SRP_MAC_BYTES];
        crypto_generichash_final(&w->hash, h, sizeof h);
        if (file_hash)
            memcpy(file_hash, h, sizeof h);
        w->finished = 1;
    }
    return rc;
}

void srp_container_writer_free(srp_container_writer *w)
{
    if (!w)
        return;
    sodium_free(w->stream);
    sodium_free(w->plain); /* sodium_free wipes */
    free(w->cipher);
    free(w->header);
    sodium_memzero(w, sizeof *w);
    free(w);
}

static sr_status to_buf(void *ctx, const void *data, size_t len, sr_error *err)
{
    srp_buf *b = ctx;
    srp_buf_put(b, data, len);
    return b->oom ? srp_error_set(err, SR_ERR_NOMEM, "out of memory") : SR_OK;
}

sr_status srp_container_seal(const unsigned char *plain, size_t len,
                             const unsigned char recipient[SRP_BOX_PUBLIC_BYTES],
                             const unsigned char signer_sk[SRP_SIGN_SECRET_BYTES],
                             const unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES],
                             unsigned char **out, size_t *out_len, sr_error *err)
{
    srp_buf b = SRP_BUF_INIT;
    srp_container_writer *w = NULL;
    sr_status rc = srp_container_writer_new(recipient, signer_sk, signer_pk, to_buf, &b, &w, err);
    if (rc == SR_OK)
        rc = srp_container_write(w, plain, len, err);
    if (rc == SR_OK)
        rc = srp_container_writer_finish(w, NULL, err);
    srp_container_writer_free(w);
    if (rc != SR_OK) {
        srp_buf_free(&b);
        return rc;
    }
    *out = b.data;
    *out_len = b.len;
    return SR_OK;
}

/* ---- reading -------------------------------------------------------------------------------- */

enum read_state { R_PREAMBLE, R_HEADER, R_KEYS, R_LENGTH, R_CHUNK, R_SIGNATURE, R_DONE, R_V1 };

struct srp_container_reader {
    const unsigned char *pk, *sk;
    char pinned[SRP_FINGERPRINT_HEX];
    int has_pin;
    size_t max_v1;
    srp_container_plain_fn plain;
    void *plain_ctx;
    enum read_state state;
    int version, failed;
    unsigned char *acc; /* the element being read */
    size_t acc_len, need;
    srp_buf v1;        /* version 1: the whole file */
    unsigned char *ad; /* the header JSON, associated data of every chunk */
    size_t ad_len;
    unsigned char signer_pk[SRP_SIGN_PUBLIC_BYTES];
    char signer_fp[SRP_FINGERPRINT_HEX];
    crypto_sign_state sign;
    ss_state *stream;   /* guarded */
    unsigned char *out; /* guarded: one decrypted chunk */
};

sr_status srp_container_reader_new(const unsigned char pk[SRP_BOX_PUBLIC_BYTES],
                                   const unsigned char sk[SRP_BOX_SECRET_BYTES],
                                   const char *pinned_signer, size_t max_v1,
                                   srp_container_plain_fn plain, void *plain_ctx,
                                   srp_container_reader **reader, sr_error *err)
{
    *reader = NULL;
    srp_container_reader *r = calloc(1, sizeof *r);
    if (r) {
        r->acc = malloc(4 + SRP_CONTAINER_CHUNK + SS_ABYTES + MAX_HEADER);
        r->stream = sodium_malloc(sizeof *r->stream);
        r->out = sodium_malloc(SRP_CONTAINER_CHUNK);
    }
    if (!r || !r->acc || !r->stream || !r->out) {
        srp_container_reader_free(r);
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    r->pk = pk;
    r->sk = sk;
    if (pinned_signer) {
        snprintf(r->pinned, sizeof r->pinned, "%s", pinned_signer);
        r->has_pin = 1;
    }
    r->max_v1 = max_v1;
    r->plain = plain;
    r->plain_ctx = plain_ctx;
    r->state = R_PREAMBLE;
    r->need = PREAMBLE;
    r->v1 = (srp_buf)SRP_BUF_INIT;
    *reader = r;
    return SR_OK;
}

void srp_container_reader_free(srp_container_reader *r)
{
    if (!r)
        return;
    if (r->acc) {
        sodium_memzero(r->acc, r->acc_len);
        free(r->acc);
    }
    srp_buf_wipe(&r->v1);
    free(r->ad);
    sodium_free(r->stream);
    sodium_free(r->out);
    sodium_memzero(r, sizeof *r);
    free(r);
}

static sr_status signer_checks(srp_container_reader *r,
                               const char recipient_fp[SRP_FINGERPRINT_HEX], sr_error *err)
{
    char our_fp[SRP_FINGERPRINT_HEX];
    srp_fingerprint(r->signer_pk, sizeof r->signer_pk, r->signer_fp);
    if (r->has_pin && strcmp(r->pinned, r->signer_fp) != 0)
        return srp_error_set(err, SR_ERR_TAMPERED,
                             "the extract was signed by %.16s..., not by the registry you named",
                             r->signer_fp);
    srp_fingerprint(r->pk, SRP_BOX_PUBLIC_BYTES, our_fp);
    if (strcmp(recipient_fp, our_fp) != 0)
        return srp_error_set(err, SR_ERR_AUTH,
                             "the extract was made for another key (%.16s...), not this one",
                             recipient_fp);
    return SR_OK;
}

static sr_status deliver(srp_container_reader *r, size_t len, sr_error *err)
{
    sr_status rc = r->plain && len ? r->plain(r->plain_ctx, r->out, len, err) : SR_OK;
    sodium_memzero(r->out, len);
    return rc;
}

/* One whole element of a version 2 file is in acc: acts on it. */
static sr_status step(srp_container_reader *r, sr_error *err)
{
    const unsigned char *a = r->acc;
    if (r->state != R_SIGNATURE)
        crypto_sign_update(&r->sign, a, r->acc_len);
    switch (r->state) {
    case R_HEADER: {
        char recipient_fp[SRP_FINGERPRINT_HEX];
        sr_status rc = parse_header(a, r->acc_len, 2, recipient_fp, r->signer_pk, err);
        if (rc == SR_OK)
            rc = signer_checks(r, recipient_fp, err);
        if (rc != SR_OK)
            return rc;
        r->ad = malloc(r->acc_len);
        if (!r->ad)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        memcpy(r->ad, a, r->acc_len);
        r->ad_len = r->acc_len;
        r->state = R_KEYS;
        r->need = SEALED_KEY_BYTES + SS_HEADERBYTES;
        return SR_OK;
    }
    case R_KEYS: {
        unsigned char *key = sodium_malloc(SS_KEYBYTES);
        sr_status rc = SR_OK;
        if (!key)
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        else if (crypto_box_seal_open(key, a, SEALED_KEY_BYTES, r->pk, r->sk) != 0)
            rc = srp_error_set(err, SR_ERR_AUTH, "the extract does not open with this key");
        else if (crypto_secretstream_xchacha20poly1305_init_pull(r->stream, a + SEALED_KEY_BYTES,
                                                                 key) != 0)
            rc = srp_error_set(err, SR_ERR_TAMPERED, "the extract is damaged");
        sodium_free(key);
        r->state = R_LENGTH;
        r->need = 4;
        return rc;
    }
    case R_LENGTH: {
        uint32_t clen = get_u32(a);
        if (clen < SS_ABYTES || clen > SRP_CONTAINER_CHUNK + SS_ABYTES)
            return srp_error_set(err, SR_ERR_TAMPERED, "the extract is damaged");
        r->state = R_CHUNK;
        r->need = clen;
        return SR_OK;
    }
    case R_CHUNK: {
        unsigned long long mlen = 0;
        unsigned char tag = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(r->stream, r->out, &mlen, &tag, a,
                                                       r->acc_len, r->ad, r->ad_len) != 0)
            return srp_error_set(err, SR_ERR_TAMPERED,
                                 "the extract does not decrypt: it was altered or re-signed");
        int final = tag == SS_FINAL;
        r->state = final ? R_SIGNATURE : R_LENGTH;
        r->need = final ? crypto_sign_BYTES : 4;
        return deliver(r, (size_t)mlen, err);
    }
    case R_SIGNATURE: {
        unsigned char sig[crypto_sign_BYTES];
        memcpy(sig, a, sizeof sig);
        if (crypto_sign_final_verify(&r->sign, sig, r->signer_pk) != 0)
            return srp_error_set(
                err, SR_ERR_TAMPERED,
                "the extract's signature does not verify: it was altered or cut short");
        r->state = R_DONE;
        r->need = 0;
        return SR_OK;
    }
    default:
        return srp_error_set(err, SR_ERR_STATE, "the extract reader is in a wrong state");
    }
}

sr_status srp_container_reader_feed(srp_container_reader *r, const unsigned char *data, size_t len,
                                    sr_error *err)
{
    if (r->failed)
        return srp_error_set(err, SR_ERR_STATE, "the extract could not be read");
    sr_status rc = SR_OK;
    while (rc == SR_OK && len > 0) {
        if (r->state == R_V1) {
            if (r->v1.len + len > r->max_v1) {
                rc = srp_error_set(err, SR_ERR_INVALID, "the extract is too large");
                break;
            }
            srp_buf_put(&r->v1, data, len);
            if (r->v1.oom)
                rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
            break;
        }
        if (r->state == R_DONE) {
            rc = srp_error_set(err, SR_ERR_TAMPERED,
                               "the extract is damaged: its end is not where it should be");
            break;
        }
        size_t n = r->need - r->acc_len;
        if (n > len)
            n = len;
        memcpy(r->acc + r->acc_len, data, n);
        r->acc_len += n;
        data += n;
        len -= n;
        if (r->acc_len < r->need)
            break;
        if (r->state == R_PREAMBLE) {
            r->version = preamble_version(r->acc);
            uint32_t hlen = get_u32(r->acc + 8);
            if (r->version == 1) {
                r->state = R_V1;
                rc = r->max_v1 >= PREAMBLE
                         ? SR_OK
                         : srp_error_set(err, SR_ERR_INVALID, "the extract is too large");
                if (rc == SR_OK)
                    srp_buf_put(&r->v1, r->acc, PREAMBLE);
            } else if (r->version != 2) {
                rc = srp_error_set(err, SR_ERR_INVALID, "not a sigreg extract");
            } else if (hlen == 0 || hlen > MAX_HEADER) {
                rc = srp_error_set(err, SR_ERR_TAMPERED, "the extract's header is damaged");
            } else {
                crypto_sign_init(&r->sign);
                crypto_sign_update(&r->sign, r->acc, PREAMBLE);
                r->state = R_HEADER;
                r->need = hlen;
            }
        } else {
            rc = step(r, err);
        }
        sodium_memzero(r->acc, r->acc_len);
        r->acc_len = 0;
    }
    if (rc != SR_OK)
        r->failed = 1;
    return rc;
}

/* Version 1, whole in memory: the signature over everything first. */
static sr_status open_v1(srp_container_reader *r, sr_error *err)
{
    const unsigned char *data = r->v1.data;
    size_t len = r->v1.len;
    uint32_t hlen = get_u32(data + 8);
    if (hlen == 0 || hlen > MAX_HEADER || PREAMBLE + (size_t)hlen > len)
        return srp_error_set(err, SR_ERR_TAMPERED, "the extract's header is damaged");
    char recipient_fp[SRP_FINGERPRINT_HEX];
    sr_status rc = parse_header(data + PREAMBLE, hlen, 1, recipient_fp, r->signer_pk, err);
    if (rc != SR_OK)
        return rc;
    srp_fingerprint(r->signer_pk, sizeof r->signer_pk, r->signer_fp);
    size_t body = PREAMBLE + hlen;
    if (len < body + SEALED_KEY_BYTES + SS_HEADERBYTES + crypto_sign_BYTES ||
        crypto_sign_verify_detached(data + len - crypto_sign_BYTES, data, len - crypto_sign_BYTES,
                                    r->signer_pk) != 0)
        return srp_error_set(
            err, SR_ERR_TAMPERED,
            "the extract's signature does not verify: it was altered or cut short");
    rc = signer_checks(r, recipient_fp, err);
    if (rc != SR_OK)
        return rc;
    unsigned char *key = sodium_malloc(SS_KEYBYTES);
    if (!key)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    if (crypto_box_seal_open(key, data + body, SEALED_KEY_BYTES, r->pk, r->sk) != 0)
        rc = srp_error_set(err, SR_ERR_AUTH, "the extract does not open with this key");
    else if (crypto_secretstream_xchacha20poly1305_init_pull(
                 r->stream, data + body + SEALED_KEY_BYTES, key) != 0)
        rc = srp_error_set(err, SR_ERR_TAMPERED, "the extract is damaged");
    sodium_free(key);
    size_t pos = body + SEALED_KEY_BYTES + SS_HEADERBYTES;
    size_t end = len - crypto_sign_BYTES;
    int final = 0;
    while (rc == SR_OK && !final) {
        if (pos + 4 > end)
            return srp_error_set(err, SR_ERR_TAMPERED, "the extract is cut short");
        uint32_t clen = get_u32(data + pos);
        pos += 4;
        if (clen < SS_ABYTES || clen > SRP_CONTAINER_CHUNK + SS_ABYTES || pos + clen > end)
            return srp_error_set(err, SR_ERR_TAMPERED, "the extract is damaged");
        unsigned long long mlen = 0;
        unsigned char tag = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(r->stream, r->out, &mlen, &tag, data + pos,
                                                       clen, data + PREAMBLE, hlen) != 0)
            return srp_error_set(err, SR_ERR_TAMPERED,
                                 "the extract does not decrypt: it was altered or re-signed");
        pos += clen;
        final = tag == SS_FINAL;
        rc = deliver(r, (size_t)mlen, err);
    }
    if (rc == SR_OK && pos != end)
        rc = srp_error_set(err, SR_ERR_TAMPERED,
                           "the extract is damaged: its end is not where it should be");
    return rc;
}

sr_status srp_container_reader_finish(srp_container_reader *r, char signer_fp[SRP_FINGERPRINT_HEX],
                                      int *version, sr_error *err)
{
    sr_status rc = SR_OK;
    if (r->failed)
        rc = srp_error_set(err, SR_ERR_STATE, "the extract could not be read");
    else if (r->state == R_PREAMBLE)
        rc = srp_error_set(err, SR_ERR_INVALID, "not a sigreg extract");
    else if (r->state == R_V1)
        rc = open_v1(r, err);
    else if (r->state != R_DONE)
        rc = srp_error_set(err, SR_ERR_TAMPERED, "the extract is cut short");
    if (signer_fp)
        memcpy(signer_fp, r->signer_fp, SRP_FINGERPRINT_HEX);
    if (version)
        *version = r->version;
    if (rc != SR_OK)
        r->failed = 1;
    else
        r->state = R_DONE;
    return rc;
}

sr_status srp_container_open(const unsigned char *data, size_t len,
                             const unsigned char pk[SRP_BOX_PUBLIC_BYTES],
                             const unsigned char sk[SRP_BOX_SECRET_BYTES],
                             const char *pinned_signer, unsigned char **plain, size_t *plain_len,
                             char signer_fp[SRP_FINGERPRINT_HEX], sr_error *err)
{
    srp_buf b = SRP_BUF_INIT;
    srp_container_reader *r = NULL;
    signer_fp[0] = '\0';
    sr_status rc = srp_container_reader_new(pk, sk, pinned_signer, len, to_buf, &b, &r, err);
    if (rc == SR_OK)
        rc = srp_container_reader_feed(r, data, len, err);
    if (rc == SR_OK)
        rc = srp_container_reader_finish(r, signer_fp, NULL, err);
    else if (r)
        memcpy(signer_fp, r->signer_fp, SRP_FINGERPRINT_HEX);
    srp_container_reader_free(r);
    if (rc == SR_OK) {
        srp_buf_put(&b, "", 0); /* an empty archive still gets an allocation */
        if (b.oom)
            rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    }
    if (rc != SR_OK) {
        srp_buf_wipe(&b);
        return rc;
    }
    *plain = b.data;
    *plain_len = b.len;
    return SR_OK;
}
