/*
 * codekey.h - the code key's rows: which personnummer a case code stands for.
 *
 * The code key is its own SQLCipher file (schema "codekey" of a session that
 * holds the identity key). Since unit keys, a row holds the personnummer
 * sealed under its case's unit key (unitkeys.h): table pnr_sealed (case_code,
 * unit, generation, sealed, created_at). A coordinator therefore reads the
 * personnummer of their own units' cases only, though the file opens for
 * every holder of the identity key. The table code_key of earlier releases
 * held it in the clear; an admin's unlock moves its rows into pnr_sealed
 * (srp_codekey_reseal) and until the keyring has unit keys they are read as
 * before. Once they are sealed the signed keyring says so
 * (srp_keyring_codekey_sealed): a clear row after that is planted, and is
 * neither sealed nor read. This module
 * never prints, and never names a personnummer in an error or a log entry.
 */
#ifndef SIGREG_CODEKEY_H
#define SIGREG_CODEKEY_H

#include "sigreg/registry.h"
#include "sigreg/status.h"

/* Writes the row of a new case in the current transaction: sealed under
 * unit's newest key when the keyring has unit keys (SR_ERR_DENIED when the
 * session holds none of that unit), in the clear only in a registry that
 * has none yet (an earlier release's, until an admin opens it). */
sr_status srp_codekey_put(sr_registry *reg, const char *case_code, const char *unit,
                          const char *pnr, const char *created_at, sr_error *err);
/* Reads a case's personnummer into pnr (SR_PNR_SIZE bytes): SR_ERR_NOT_FOUND
 * when the case has none, SR_ERR_DENIED when the session holds no key of its
 * unit, SR_ERR_TAMPERED when the row does not open. */
sr_status srp_codekey_get(sr_registry *reg, const char *case_code, char *pnr, size_t size,
                          sr_error *err);
/* Deletes a case's row, in the current transaction. */
sr_status srp_codekey_delete(sr_registry *reg, const char *case_code, sr_error *err);
/* Whether rows of an earlier release (in the clear) or sealed under an older
 * unit key generation than the session's newest are left: what
 * srp_codekey_reseal does. It looks them up through the code key's index
 * (store.c), so what it reads grows with those rows, not with the code key:
 * an admin's unlock asks it every time. */
sr_status srp_codekey_pending(sr_registry *reg, int *pending, sr_error *err);
/* Seals every row of the clear table under its unit's key, and reseals every
 * row under an older generation with the newest, in one transaction logged
 * as action (with the counts). The session must hold the key of every unit
 * that has such rows (an admin's does). */
sr_status srp_codekey_reseal(sr_registry *reg, const char *action, sr_error *err);

#endif
