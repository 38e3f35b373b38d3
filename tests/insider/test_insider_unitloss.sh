#!/usr/bin/env bash
# test_insider_unitloss.sh - a coordinator who loses a unit (issue 12, items
# 1 and 4, `sigreg user units`): she kept a copy of the keyring from before,
# with that unit's key in her slot, and reads a personnummer of the unit
# added after the change. Before `user units` existed there was no way to
# take a unit away from a coordinator at all (only `user remove`, which
# takes everything): the loss could not be played, let alone defeated.
source "$(dirname "$0")/lib.sh"
t_begin
printf 'sara-passphrase\n' > sara.pass
make_units() {
    sr init --admin admin --kdf-profile insecure-test-only || return 1
    "$SIGREG_BIN" unit add SODER --name "Söder" 2>/dev/null &&
    "$SIGREG_BIN" unit add NORR --name "Norr" 2>/dev/null &&
    "$SIGREG_BIN" user add sara --role coordinator --unit SODER,NORR \
        --kdf-profile insecure-test-only --new-passphrase-file sara.pass 2>/dev/null
}
check "make registry" make_units
PNR_OLD=198112189876
PNR_NEW=199001012385
C_OLD=$(echo "$PNR_OLD" | "$SIGREG_BIN" --user sara --passphrase-file sara.pass case new \
    --unit NORR --pnr - 2>/dev/null)
check "sara registers a NORR case" test -n "$C_OLD"
ok "sara reads NORR's personnummer while NORR is hers" --user sara --passphrase-file sara.pass \
    case show "$C_OLD" --identity
check "... the right one" grep -q "${PNR_OLD:8:4}" <<<"$OUT"

# She keeps the keyring as it is while NORR is hers; the admin takes NORR
# away; a NORR case is added afterwards.
cp reg.keyring kept.keyring
ok "the admin takes NORR from sara" user units sara --unit SODER
C_NEW=$(echo "$PNR_NEW" | "$SIGREG_BIN" case new --unit NORR --pnr - 2>/dev/null)
check "a NORR case after the change" test -n "$C_NEW"

# 1. Her copy of the registry: today's database and code key with the kept
#    keyring, and a state folder that has seen nothing newer (hers to make).
mkdir -p stolen && cp reg.db reg.codekey stolen/ && cp kept.keyring stolen/reg.keyring
stolen_show() {
    XDG_STATE_HOME="$T_DIR/stolen/.state" sr -r "$T_DIR/stolen/reg.db" --user sara \
        --passphrase-file sara.pass case show "$1" --identity
}
kept_copy_refused() {
    stolen_show "$C_NEW"
    [ "$RC" -ne 0 ] && ! grep -q "${PNR_NEW:0:8}" <<<"$OUT"
}
attack "coordinator who lost NORR reads a NORR personnummer added since, with her kept keyring" \
    kept_copy_refused
kept_old_refused() {
    stolen_show "$C_OLD"
    [ "$RC" -ne 0 ] && ! grep -q "${PNR_OLD:0:8}" <<<"$OUT"
}
attack "... or the NORR row she wrote herself, resealed by the change" kept_old_refused

# 2. The same through the files: no NORR row of the code key is under a
#    generation of NORR's key that her kept slot holds.
ROWS=$(tool sql admin admin.pass \
    "SELECT generation FROM codekey.pnr_sealed WHERE unit = 'NORR' ORDER BY generation" 2>/dev/null)
KEPT=$(python3 -c '
import json, sys
kr = json.load(open(sys.argv[1]))
for s in kr["slots"]:
    if s["user"] == "sara":
        print(" ".join(str(u["generation"]) for u in s.get("unit_keys", []) if u["unit"] == "NORR"))
' kept.keyring 2>/dev/null)
NOW=$(python3 -c '
import json, sys
kr = json.load(open(sys.argv[1]))
for s in kr["slots"]:
    if s["user"] == "sara":
        print(" ".join(u["unit"] for u in s.get("unit_keys", [])))
' reg.keyring 2>/dev/null)
check "her kept slot held NORR's key (the attack is real)" test -n "$KEPT"
check "her slot now holds no NORR key" bash -c '! grep -qw NORR <<<"$1"' _ "$NOW"
no_row_under_kept() {
    [ -n "$ROWS" ] && [ -n "$KEPT" ] || return 1
    local g k
    for g in $ROWS; do for k in $KEPT; do [ "$g" = "$k" ] && return 1; done; done
    return 0
}
attack "a NORR row of the code key under a generation her kept slot holds" no_row_under_kept

# 3. With the live keyring she is told only that the person has a case in
#    another unit, and the refusal is logged.
FOUND=$(echo "$PNR_NEW" | "$SIGREG_BIN" --user sara --passphrase-file sara.pass case find \
    --pnr - 2>find.err)
live_refused() { [ "$FOUND" != "$C_NEW" ] && grep -q "another unit" find.err; }
attack "coordinator who lost NORR finds a NORR case by personnummer" live_refused
ok "sara still reads SODER" --user sara --passphrase-file sara.pass case new --unit SODER --no-pnr
ok "the admin reads both NORR personnummer" case show "$C_NEW" --identity
check "... the new one" grep -q "${PNR_NEW:8:4}" <<<"$OUT"
ok "the log verifies" audit verify
sr audit show --last 40
U_SEQ=$(awk -F'\t' '$4 == "user.units" {print $1; exit}' <<<"$OUT")
S_SEQ=$(awk -F'\t' '$4 == "codekey.seal" {s = $1} END {print s}' <<<"$OUT")
check "the change is logged, before NORR's rows are resealed" \
    test -n "$U_SEQ" -a -n "$S_SEQ" -a "${U_SEQ:-0}" -lt "${S_SEQ:-0}"
t_end
