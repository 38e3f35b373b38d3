/*
 * secret.h - buffers for secrets (passphrases, keys) in guarded memory.
 *
 * An sr_secret lives in sodium_malloc memory: guard pages around it, locked
 * out of swap where the system allows, and wiped when freed. Front ends read
 * passphrases straight into one so that no copy lands in ordinary memory.
 */
#ifndef SIGREG_SECRET_H
#define SIGREG_SECRET_H

#include <stddef.h>

#include "sigreg/status.h"

typedef struct sr_secret sr_secret;

/* A new zeroed secret of capacity bytes, length 0; NULL when out of memory.
 * The caller owns it and releases it with sr_secret_free. */
sr_secret *sr_secret_new(size_t capacity);
/* Wipes and releases; NULL is a no-op. */
void sr_secret_free(sr_secret *secret);
/* The bytes (borrowed; valid until sr_secret_free). */
unsigned char *sr_secret_data(sr_secret *secret);
const unsigned char *sr_secret_cdata(const sr_secret *secret);
size_t sr_secret_len(const sr_secret *secret);
size_t sr_secret_capacity(const sr_secret *secret);
/* Sets the length (at most the capacity); bytes beyond it are wiped. */
void sr_secret_set_len(sr_secret *secret, size_t len);

/* Initialises the cryptographic library; call once before anything else.
 * Returns SR_ERR_CRYPTO when it cannot. Safe to call more than once. */
sr_status sr_crypto_init(sr_error *err);

#endif
