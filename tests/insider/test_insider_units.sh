#!/usr/bin/env bash
# test_insider_units.sh - the code key against insiders (issue 12, items 1, 4
# and 11): a coordinator of one unit reads another unit's personnummer from
# the code key with her own keys, or moves another unit's row into her unit;
# a removed coordinator's kept keyring against rows written after the removal.
source "$(dirname "$0")/lib.sh"
t_begin
printf 'soder-passphrase\n' > soder.pass
printf 'norr-passphrase\n' > norr.pass
PNR_SODER=191212121212
PNR_NORR=198112189876
make_units() {
    sr init --admin admin --kdf-profile insecure-test-only || return 1
    "$SIGREG_BIN" unit add SODER --name "Söder" 2>/dev/null &&
    "$SIGREG_BIN" unit add NORR --name "Norr" 2>/dev/null &&
    "$SIGREG_BIN" user add sara --role coordinator --unit SODER --kdf-profile insecure-test-only \
        --new-passphrase-file soder.pass 2>/dev/null &&
    "$SIGREG_BIN" user add nils --role coordinator --unit NORR --kdf-profile insecure-test-only \
        --new-passphrase-file norr.pass 2>/dev/null
}
check "make registry" make_units
C_SODER=$(echo "$PNR_SODER" | "$SIGREG_BIN" --user sara --passphrase-file soder.pass case new \
    --unit SODER --pnr - 2>/dev/null)
C_NORR=$(echo "$PNR_NORR" | "$SIGREG_BIN" --user nils --passphrase-file norr.pass case new \
    --unit NORR --pnr - 2>/dev/null)
check "cases in both units" test -n "$C_SODER" -a -n "$C_NORR"
ok "the NORR coordinator reads her own unit's personnummer" \
    --user nils --passphrase-file norr.pass case show "$C_NORR" --identity
check "... and it is the right one" grep -q "${PNR_NORR:8:4}" <<<"$OUT"

# The personnummer in any form a dump could show it: digits, or hex of them.
hex_of() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
shows_pnr() { grep -qiE "$1|$(hex_of "$1")" <<<"$2"; }

# 1. Sara (SODER) opens the code key with every key her slot gives and dumps it.
DUMP=$(tool sql sara soder.pass "SELECT * FROM codekey.code_key" \
    "SELECT case_code, unit, generation, hex(sealed) FROM codekey.pnr_sealed" 2>&1)
check "the code key opened for her (the attack is real)" grep -q "$C_NORR" <<<"$DUMP"
not_in_dump() { ! shows_pnr "$PNR_NORR" "$DUMP"; }
attack "SODER coordinator reads NORR's personnummer from the code key" not_in_dump

# 2. She moves NORR's case and its code key row into her unit (the database
#    and the code key file open for her, so the rows are hers to edit), with
#    the generation of her own unit's key, and asks the product.
GEN=$(tool sql sara soder.pass \
    "SELECT generation FROM codekey.pnr_sealed WHERE case_code = '$C_SODER'" 2>/dev/null)
GEN_NORR=$(tool sql sara soder.pass \
    "SELECT generation FROM codekey.pnr_sealed WHERE case_code = '$C_NORR'" 2>/dev/null)
tool sql sara soder.pass "UPDATE cases SET unit = 'SODER' WHERE code = '$C_NORR'" \
    "UPDATE codekey.pnr_sealed SET unit = 'SODER', generation = ${GEN:-1} WHERE case_code = '$C_NORR'" \
    >/dev/null 2>&1
moved_row_refused() {
    sr --user sara --passphrase-file soder.pass case show "$C_NORR" --identity
    [ "$RC" -ne 0 ] && ! shows_pnr "$PNR_NORR" "$OUT"
}
attack "SODER coordinator moves NORR's code key row into SODER" moved_row_refused
tool sql admin admin.pass "UPDATE cases SET unit = 'NORR' WHERE code = '$C_NORR'" \
    "UPDATE codekey.pnr_sealed SET unit = 'NORR', generation = ${GEN_NORR:-1} WHERE case_code = '$C_NORR'" \
    >/dev/null 2>&1

# 3. Nils (NORR) is removed and keeps his keyring. Rows written after the
#    removal began, and the rows resealed by it, are under a generation of
#    NORR's key that his kept slot does not hold; his kept keys open neither
#    file any more.
cp reg.keyring kept.keyring
"$SIGREG_BIN" user remove nils >/dev/null 2>&1
C_NEW=$(echo 199001012385 | "$SIGREG_BIN" case new --unit NORR --pnr - 2>/dev/null)
check "a NORR case after the removal" test -n "$C_NEW"
ROWS=$(tool sql admin admin.pass \
    "SELECT generation FROM codekey.pnr_sealed WHERE unit = 'NORR' ORDER BY generation" 2>/dev/null)
KEPT=$(python3 -c '
import json, sys
kr = json.load(open(sys.argv[1]))
for s in kr["slots"]:
    if s["user"] == "nils":
        print(" ".join(str(u["generation"]) for u in s.get("unit_keys", []) if u["unit"] == "NORR"))
' kept.keyring 2>/dev/null)
no_row_under_kept() {
    [ -n "$ROWS" ] && [ -n "$KEPT" ] || return 1
    local g k
    for g in $ROWS; do for k in $KEPT; do [ "$g" = "$k" ] && return 1; done; done
    return 0
}
attack "removed coordinator's kept unit key opens a NORR row written or resealed since" \
    no_row_under_kept
mkdir -p stolen && cp reg.db reg.codekey stolen/ && cp kept.keyring stolen/reg.keyring
STOLEN=$("$INSIDER_TOOL" sql stolen/reg.db nils norr.pass \
    "SELECT case_code, hex(sealed) FROM codekey.pnr_sealed" 2>&1)
stolen_refused() { ! grep -q "$C_NEW" <<<"$STOLEN"; }
attack "removed coordinator opens the live code key with a kept keyring" stolen_refused
ok "the admin still reads every personnummer after the removal" case show "$C_NORR" --identity
check "... NORR's" grep -q "${PNR_NORR:8:4}" <<<"$OUT"
ok "sara still reads her own" --user sara --passphrase-file soder.pass case show "$C_SODER" \
    --identity
check "... SODER's" grep -q "${PNR_SODER:8:4}" <<<"$OUT"
ok "the log verifies" audit verify
sr audit show --last 40
check "the removal's resealing is logged" grep -q "codekey.seal" <<<"$OUT"

t_end
