/*
 * secret.c - sr_secret: guarded, wiped buffers for passphrases and keys.
 */
#include <sodium.h>

#include "crypto.h"
#include "base/error.h"

struct sr_secret {
    size_t len;
    size_t capacity;
    unsigned char *data; /* sodium_malloc'd, capacity bytes */
};

sr_status sr_crypto_init(sr_error *err)
{
    if (sodium_init() < 0)
        return srp_error_set(err, SR_ERR_CRYPTO, "the cryptographic library did not start");
    return SR_OK;
}

sr_secret *sr_secret_new(size_t capacity)
{
    if (capacity == 0)
        capacity = 1;
    sr_secret *s = sodium_malloc(sizeof *s);
    if (!s)
        return NULL;
    s->data = sodium_malloc(capacity);
    if (!s->data) {
        sodium_free(s);
        return NULL;
    }
    sodium_memzero(s->data, capacity);
    s->len = 0;
    s->capacity = capacity;
    return s;
}

void sr_secret_free(sr_secret *secret)
{
    if (!secret)
        return;
    sodium_free(secret->data); /* wipes */
    sodium_free(secret);
}

unsigned char *sr_secret_data(sr_secret *secret)
{
    return secret->data;
}

const unsigned char *sr_secret_cdata(const sr_secret *secret)
{
    return secret->data;
}

size_t sr_secret_len(const sr_secret *secret)
{
    return secret->len;
}

size_t sr_secret_capacity(const sr_secret *secret)
{
    return secret->capacity;
}

void sr_secret_set_len(sr_secret *secret, size_t len)
{
    if (len > secret->capacity)
        len = secret->capacity;
    if (len < secret->capacity)
        sodium_memzero(secret->data + len, secret->capacity - len);
    secret->len = len;
}
