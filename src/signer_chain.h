/*
 * signer_chain.h - the registry signing key's epoch and its chain of
 * rotations, as an extract's or a publication's container header carries
 * them (container.h: "signing_epoch", "signer_chain"), copied from the
 * signed keyring (internal).
 *
 * With them an evaluator who pinned or remembered an older key of the
 * registry follows a rotation (each key signed by the one before) and is
 * told of it. This module only copies what the keyring holds: it never
 * signs and never decides whom to trust (extract_open does).
 */
#ifndef SIGREG_SIGNER_CHAIN_H
#define SIGREG_SIGNER_CHAIN_H

#include <jansson.h>

#include "keyring.h"
#include "sigreg/status.h"

/* Sets "signing_epoch" and "signer_chain" in header (a JSON object) from
 * kr, oldest key first. A keyring of the first format has no chain: then
 * nothing is set. SR_ERR_NOMEM on failure. */
sr_status srp_signer_chain_into(const srp_keyring *kr, json_t *header, sr_error *err);

#endif
