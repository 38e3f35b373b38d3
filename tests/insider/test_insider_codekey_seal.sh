#!/usr/bin/env bash
# test_insider_codekey_seal.sh - the code key's "sealed" state (issue 12,
# items 1, 2 and 11). An admin's unlock seals the clear rows of an earlier
# release's code key under unit keys (codekey.seal). A coordinator holds the
# code key file's key, so she can write a clear row into it: had the admin's
# unlock sealed whatever clear rows it found, a SODER coordinator could make
# the admin seal a personnummer of her choosing onto a NORR case (replacing
# its own, or giving one to a case without), a row she cannot seal herself.
# Once the clear rows are sealed, the signed keyring says so
# ("codekey_sealed"): later clear rows are planted, never sealed nor read,
# and the flag cannot be reset without breaking the keyring's signature.
source "$(dirname "$0")/lib.sh"
t_begin
printf 'soder-passphrase\n' > soder.pass
printf 'norr-passphrase\n' > norr.pass
PNR_NORR=198112189876
PNR_FAKE=191212121212
PNR_FAKE2=199001012385
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
C_NORR=$(echo "$PNR_NORR" | "$SIGREG_BIN" --user nils --passphrase-file norr.pass case new \
    --unit NORR --pnr - 2>/dev/null)
C_NONE=$("$SIGREG_BIN" --user nils --passphrase-file norr.pass case new --unit NORR --no-pnr \
    2>/dev/null)
check "two NORR cases, one without a personnummer" test -n "$C_NORR" -a -n "$C_NONE"
ok "an admin's unlock" unit list

# 1. Sara (SODER) plants clear rows for both NORR cases, then waits for an
#    admin to unlock.
tool sql sara soder.pass \
    "INSERT OR REPLACE INTO codekey.code_key (case_code, pnr, created_at) VALUES ('$C_NORR', '$PNR_FAKE', '2026-01-01T00:00:00Z')" \
    "INSERT OR REPLACE INTO codekey.code_key (case_code, pnr, created_at) VALUES ('$C_NONE', '$PNR_FAKE2', '2026-01-01T00:00:00Z')" \
    >/dev/null 2>&1
PLANTED=$(tool sql sara soder.pass "SELECT count(*) FROM codekey.code_key" 2>/dev/null)
check "the clear rows are in the file (the attack is real)" test "$PLANTED" = 2
ok "an admin unlocks after the planting" unit list
identity_kept() {
    sr case show "$C_NORR" --identity
    [ "$RC" -eq 0 ] && grep -q "${PNR_NORR:0:8}-${PNR_NORR:8:4}" <<<"$OUT" &&
        ! grep -q "${PNR_FAKE:0:8}" <<<"$OUT"
}
attack "a planted clear row replaces a NORR case's personnummer at an admin's unlock" identity_kept
none_kept() {
    sr case show "$C_NONE" --identity
    ! grep -q "${PNR_FAKE2:0:8}" <<<"$OUT"
}
attack "a planted clear row gives a NORR case without one a personnummer" none_kept
not_found_by_fake() {
    OUT=$(echo "$PNR_FAKE2" | "$SIGREG_BIN" case find --pnr - 2>/dev/null)
    [ "$OUT" != "$C_NONE" ]
}
check "... nor is it found by the planted number (pseudonyms decide)" not_found_by_fake
nils_reads_no_plant() {
    sr --user nils --passphrase-file norr.pass case show "$C_NONE" --identity
    ! grep -q "${PNR_FAKE2:0:8}" <<<"$OUT"
}
attack "a planted clear row read by the unit's own coordinator" nils_reads_no_plant
SEALED=$(tool sql admin admin.pass \
    "SELECT count(*) FROM codekey.pnr_sealed WHERE case_code = '$C_NONE'" 2>/dev/null)
check "no sealed row for the case without one" test "$SEALED" = 0

# 2. She resets the flag in the keyring (she may write the file, not sign it).
cp reg.keyring signed.keyring
reset_flag() {
    python3 -c '
import json, sys
kr = json.load(open(sys.argv[1]))
had = kr.pop("codekey_sealed", None) is not None
json.dump(kr, open(sys.argv[1], "w"))
sys.exit(0 if had else 1)
' reg.keyring
}
check "the signed keyring says the code key is sealed" reset_flag
flag_reset_refused() {
    sr unit list
    [ "$RC" -ne 0 ] && grep -qiE "altered|signature" <<<"$ERR"
}
attack "the sealed flag reset in the keyring, then an admin unlocks" flag_reset_refused
nils_refused() {
    sr --user nils --passphrase-file norr.pass unit list
    [ "$RC" -ne 0 ] && grep -qiE "altered|signature" <<<"$ERR"
}
attack "... or a coordinator" nils_refused
cp signed.keyring reg.keyring
ok "the signed keyring opens again" unit list
sr case show "$C_NORR" --identity
check "NORR's personnummer is its own" grep -q "${PNR_NORR:0:8}-${PNR_NORR:8:4}" <<<"$OUT"
ok "the log verifies" audit verify
t_end
