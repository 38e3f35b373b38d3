/*
 * unitkeys.h - the unit keys of a session, and the code key's sealed
 * personnummer.
 *
 * Every unit has a random key of its own, in generations: a rotation adds a
 * generation and, once every row is sealed under it, the older ones are
 * dropped. The keyring seals them to the slots that may hold them (admins:
 * every unit; coordinators: their own units; analysts: none), see
 * keyring.h. A row of the code key holds its case's personnummer sealed
 * with XChaCha20-Poly1305 under its unit's key, with the case code, the unit
 * and the generation as associated data, so that a row cannot be moved to
 * another case or unit. The table lives in guarded memory and is wiped.
 * This module works on bytes: no files, no database, no printing.
 */
#ifndef SIGREG_UNITKEYS_H
#define SIGREG_UNITKEYS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "sigreg/limits.h"
#include "sigreg/status.h"

/* The longest personnummer text a row seals (12 digits in practice). */
#define SRP_UNIT_PNR_MAX 16
/* A sealed personnummer: nonce, ciphertext, tag. */
#define SRP_UNIT_SEALED_MAX (SRP_AEAD_NONCE_BYTES + SRP_UNIT_PNR_MAX + SRP_AEAD_TAG_BYTES)

typedef struct srp_unit_keys srp_unit_keys;

/* An empty table in guarded memory (owned by the caller); NULL when out of
 * memory. _free wipes it; NULL is a no-op. */
srp_unit_keys *srp_unit_keys_new(void);
void srp_unit_keys_free(srp_unit_keys *uk);
/* A copy (owned by the caller), NULL when out of memory. */
srp_unit_keys *srp_unit_keys_copy(const srp_unit_keys *uk);

/* Puts a key of unit's generation (replacing one of the same generation). */
sr_status srp_unit_keys_put(srp_unit_keys *uk, const char *unit, uint32_t generation,
                            const unsigned char key[SRP_KEY_BYTES], sr_error *err);
/* Adds a new random generation of unit (1 for a unit without a key). */
sr_status srp_unit_keys_add_generation(srp_unit_keys *uk, const char *unit, uint32_t *generation,
                                       sr_error *err);
/* Drops every generation of unit but its newest. */
void srp_unit_keys_drop_older(srp_unit_keys *uk, const char *unit);
/* The key of unit's generation (borrowed from uk), NULL when uk lacks it. */
const unsigned char *srp_unit_keys_get(const srp_unit_keys *uk, const char *unit,
                                       uint32_t generation);
/* The newest generation of unit uk holds, 0 when none. */
uint32_t srp_unit_keys_newest(const srp_unit_keys *uk, const char *unit);
/* The entries, in the order they were put (strings and keys borrowed). */
size_t srp_unit_keys_count(const srp_unit_keys *uk);
void srp_unit_keys_at(const srp_unit_keys *uk, size_t i, const char **unit, uint32_t *generation,
                      const unsigned char **key);
/* Whether any unit has more than one generation (a rotation unfinished). */
int srp_unit_keys_rotating(const srp_unit_keys *uk);

/* Seals pnr (a NUL-terminated text of at most SRP_UNIT_PNR_MAX bytes) for
 * case_code in unit under unit's newest key: out gets *out_len bytes (at
 * most SRP_UNIT_SEALED_MAX), *generation the generation used. SR_ERR_DENIED
 * when uk holds no key of unit. */
sr_status srp_unit_keys_seal_pnr(const srp_unit_keys *uk, const char *unit, const char *case_code,
                                 const char *pnr, unsigned char *out, size_t *out_len,
                                 uint32_t *generation, sr_error *err);
/* Opens a sealed personnummer into pnr (size bytes, NUL-terminated).
 * SR_ERR_DENIED when uk lacks that unit's generation, SR_ERR_TAMPERED when
 * the row does not open (altered, or moved to another case or unit). */
sr_status srp_unit_keys_open_pnr(const srp_unit_keys *uk, const char *unit, uint32_t generation,
                                 const char *case_code, const unsigned char *in, size_t len,
                                 char *pnr, size_t size, sr_error *err);

#endif
