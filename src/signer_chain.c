/*
 * signer_chain.c - the signing key's chain for container headers (see
 * signer_chain.h).
 */
#include "signer_chain.h"

#include <stdlib.h>

#include "base/error.h"
#include "crypto.h"

static int set_b64(json_t *obj, const char *key, const unsigned char *bin, size_t len)
{
    char *text = srp_base64_encode(bin, len);
    int bad = !text || json_object_set_new(obj, key, json_string(text)) != 0;
    free(text);
    return bad;
}

sr_status srp_signer_chain_into(const srp_keyring *kr, json_t *header, sr_error *err)
{
    uint32_t epochs = srp_keyring_is_legacy(kr) ? 0 : srp_keyring_signing_epoch(kr);
    if (epochs == 0)
        return SR_OK;
    json_t *chain = json_array();
    int bad = !chain;
    for (uint32_t e = 1; !bad && e <= epochs; e++) {
        const unsigned char *pk = srp_keyring_signing_key_at(kr, e);
        const unsigned char *sig = srp_keyring_signing_sig_at(kr, e);
        json_t *link = pk && sig ? json_pack("{s:I}", "epoch", (json_int_t)e) : NULL;
        bad = !link || set_b64(link, "key", pk, SRP_SIGN_PUBLIC_BYTES) ||
              set_b64(link, "sig", sig, SRP_SIGNATURE_BYTES);
        if (bad)
            json_decref(link);
        else
            bad = json_array_append_new(chain, link) != 0;
    }
    if (!bad)
        bad = json_object_set_new(header, "signing_epoch", json_integer((json_int_t)epochs)) != 0;
    if (!bad) {
        bad = json_object_set_new(header, "signer_chain", chain) != 0;
        chain = NULL;
    }
    json_decref(chain);
    return bad ? srp_error_set(err, SR_ERR_NOMEM, "out of memory") : SR_OK;
}
