/*
 * unitkeys.c - the unit keys of a session, and the code key's sealed
 * personnummer (see unitkeys.h).
 */
#include "unitkeys.h"

#include <sodium.h>
#include <string.h>

#include "base/error.h"

typedef struct unit_entry {
    char unit[SR_UNIT_CODE_MAX + 1];
    uint32_t generation;
    unsigned char key[SRP_KEY_BYTES];
} unit_entry;

struct srp_unit_keys {
    size_t count, cap;
    unit_entry *entries; /* sodium_malloc'd */
};

srp_unit_keys *srp_unit_keys_new(void)
{
    srp_unit_keys *uk = sodium_malloc(sizeof *uk);
    if (uk)
        sodium_memzero(uk, sizeof *uk);
    return uk;
}

void srp_unit_keys_free(srp_unit_keys *uk)
{
    if (!uk)
        return;
    sodium_free(uk->entries); /* wipes */
    sodium_free(uk);
}

static int grow(srp_unit_keys *uk, size_t need)
{
    if (need <= uk->cap)
        return 0;
    size_t cap = uk->cap ? 2 * uk->cap : 8;
    while (cap < need)
        cap *= 2;
    unit_entry *bigger = sodium_malloc(cap * sizeof *bigger);
    if (!bigger)
        return -1;
    sodium_memzero(bigger, cap * sizeof *bigger);
    if (uk->count)
        memcpy(bigger, uk->entries, uk->count * sizeof *bigger);
    sodium_free(uk->entries);
    uk->entries = bigger;
    uk->cap = cap;
    return 0;
}

srp_unit_keys *srp_unit_keys_copy(const srp_unit_keys *uk)
{
    srp_unit_keys *c = srp_unit_keys_new();
    if (c && uk && uk->count) {
        if (grow(c, uk->count) != 0) {
            srp_unit_keys_free(c);
            return NULL;
        }
        memcpy(c->entries, uk->entries, uk->count * sizeof *c->entries);
        c->count = uk->count;
    }
    return c;
}

static unit_entry *find(const srp_unit_keys *uk, const char *unit, uint32_t generation)
{
    for (size_t i = 0; uk && i < uk->count; i++)
        if (uk->entries[i].generation == generation && strcmp(uk->entries[i].unit, unit) == 0)
            return &uk->entries[i];
    return NULL;
}

sr_status srp_unit_keys_put(srp_unit_keys *uk, const char *unit, uint32_t generation,
                            const unsigned char key[SRP_KEY_BYTES], sr_error *err)
{
    if (!unit || strlen(unit) > SR_UNIT_CODE_MAX || generation == 0)
        return srp_error_set(err, SR_ERR_INVALID, "a unit key needs a unit and a generation");
    unit_entry *e = find(uk, unit, generation);
    if (!e) {
        if (grow(uk, uk->count + 1) != 0)
            return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
        e = &uk->entries[uk->count++];
        memcpy(e->unit, unit, strlen(unit) + 1);
        e->generation = generation;
    }
    memcpy(e->key, key, SRP_KEY_BYTES);
    return SR_OK;
}

uint32_t srp_unit_keys_newest(const srp_unit_keys *uk, const char *unit)
{
    uint32_t newest = 0;
    for (size_t i = 0; uk && i < uk->count; i++)
        if (uk->entries[i].generation > newest && strcmp(uk->entries[i].unit, unit) == 0)
            newest = uk->entries[i].generation;
    return newest;
}

sr_status srp_unit_keys_add_generation(srp_unit_keys *uk, const char *unit, uint32_t *generation,
                                       sr_error *err)
{
    uint32_t next = srp_unit_keys_newest(uk, unit) + 1;
    if (next == 0)
        return srp_error_set(err, SR_ERR_INVALID, "the key of unit '%s' was rotated too often",
                             unit);
    unsigned char key[SRP_KEY_BYTES];
    srp_random_bytes(key, sizeof key);
    sr_status rc = srp_unit_keys_put(uk, unit, next, key, err);
    srp_wipe(key, sizeof key);
    if (rc == SR_OK && generation)
        *generation = next;
    return rc;
}

void srp_unit_keys_drop_older(srp_unit_keys *uk, const char *unit)
{
    uint32_t newest = srp_unit_keys_newest(uk, unit);
    size_t w = 0;
    for (size_t i = 0; i < uk->count; i++) {
        unit_entry *e = &uk->entries[i];
        if (strcmp(e->unit, unit) == 0 && e->generation != newest)
            continue;
        if (w != i)
            memcpy(&uk->entries[w], e, sizeof *e);
        w++;
    }
    if (w < uk->count)
        sodium_memzero(&uk->entries[w], (uk->count - w) * sizeof *uk->entries);
    uk->count = w;
}

const unsigned char *srp_unit_keys_get(const srp_unit_keys *uk, const char *unit,
                                       uint32_t generation)
{
    const unit_entry *e = find(uk, unit, generation);
    return e ? e->key : NULL;
}

size_t srp_unit_keys_count(const srp_unit_keys *uk)
{
    return uk ? uk->count : 0;
}

void srp_unit_keys_at(const srp_unit_keys *uk, size_t i, const char **unit, uint32_t *generation,
                      const unsigned char **key)
{
    *unit = uk->entries[i].unit;
    *generation = uk->entries[i].generation;
    if (key)
        *key = uk->entries[i].key;
}

int srp_unit_keys_rotating(const srp_unit_keys *uk)
{
    for (size_t i = 0; uk && i < uk->count; i++)
        if (uk->entries[i].generation != srp_unit_keys_newest(uk, uk->entries[i].unit))
            return 1;
    return 0;
}

/* The associated data of a row: the case, its unit and the key's generation
 * (public, hashed without a guarded buffer: one a case made an import pay
 * for four system calls). */
static void row_ad(const char *unit, uint32_t generation, const char *case_code,
                   unsigned char ad[SRP_MAC_BYTES])
{
    static const char label[] = "sigreg code key row/1";
    unsigned char g[4] = {(unsigned char)generation, (unsigned char)(generation >> 8),
                          (unsigned char)(generation >> 16), (unsigned char)(generation >> 24)};
    const srp_hash_field fields[] = {{label, sizeof label - 1},
                                     {case_code, strlen(case_code)},
                                     {unit, strlen(unit)},
                                     {g, sizeof g}};
    srp_hash_fields(ad, fields, sizeof fields / sizeof fields[0]);
}

sr_status srp_unit_keys_seal_pnr(const srp_unit_keys *uk, const char *unit, const char *case_code,
                                 const char *pnr, unsigned char *out, size_t *out_len,
                                 uint32_t *generation, sr_error *err)
{
    uint32_t g = srp_unit_keys_newest(uk, unit);
    const unsigned char *key = g ? srp_unit_keys_get(uk, unit, g) : NULL;
    if (!key)
        return srp_error_set_where(err, SR_ERR_DENIED, "unit",
                                   "you hold no key of unit '%s' to write its code key", unit);
    size_t n = strlen(pnr);
    if (n == 0 || n > SRP_UNIT_PNR_MAX)
        return srp_error_set_where(err, SR_ERR_INVALID, "pnr", "the personnummer is too long");
    unsigned char ad[SRP_MAC_BYTES];
    row_ad(unit, g, case_code, ad);
    srp_aead_encrypt(out + SRP_AEAD_NONCE_BYTES, out, (const unsigned char *)pnr, n, ad, sizeof ad,
                     key);
    *out_len = SRP_AEAD_NONCE_BYTES + n + SRP_AEAD_TAG_BYTES;
    *generation = g;
    return SR_OK;
}

sr_status srp_unit_keys_open_pnr(const srp_unit_keys *uk, const char *unit, uint32_t generation,
                                 const char *case_code, const unsigned char *in, size_t len,
                                 char *pnr, size_t size, sr_error *err)
{
    const unsigned char *key = srp_unit_keys_get(uk, unit, generation);
    if (!key)
        return srp_error_set_where(err, SR_ERR_DENIED, "case",
                                   "the personnummer of case '%s' is readable only with a key of "
                                   "its unit '%s'",
                                   case_code, unit);
    if (len < SRP_AEAD_NONCE_BYTES + SRP_AEAD_TAG_BYTES + 1 || len > SRP_UNIT_SEALED_MAX ||
        size < len - SRP_AEAD_NONCE_BYTES - SRP_AEAD_TAG_BYTES + 1)
        return srp_error_set_where(err, SR_ERR_TAMPERED, "case",
                                   "the code key row of case '%s' is damaged", case_code);
    size_t n = len - SRP_AEAD_NONCE_BYTES - SRP_AEAD_TAG_BYTES;
    unsigned char ad[SRP_MAC_BYTES];
    row_ad(unit, generation, case_code, ad);
    if (srp_aead_decrypt((unsigned char *)pnr, in + SRP_AEAD_NONCE_BYTES,
                         len - SRP_AEAD_NONCE_BYTES, in, ad, sizeof ad, key) != 0) {
        srp_wipe(pnr, size);
        return srp_error_set_where(err, SR_ERR_TAMPERED, "case",
                                   "the code key row of case '%s' does not open with its unit's "
                                   "key: it was altered or moved from another case or unit",
                                   case_code);
    }
    pnr[n] = '\0';
    return SR_OK;
}
