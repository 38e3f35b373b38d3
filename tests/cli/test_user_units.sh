#!/usr/bin/env bash
# test_user_units.sh - `sigreg user units NAME --unit CODE[,CODE]`: a
# coordinator gains and loses units (and their personnummer), an analyst's
# units change, and every refusal leaves the files as they were.
source "$(dirname "$0")/lib.sh"
t_begin
check "make registry" make_registry
PNR1=191212121212
PNR2=198112189876
C1=$(echo "$PNR1" | "$SIGREG_BIN" --user coord --passphrase-file coord.pass case new --unit U1 \
    --pnr - 2>/dev/null)
C2=$(echo "$PNR2" | "$SIGREG_BIN" case new --unit U2 --pnr - 2>/dev/null)
check "a case in each unit" test -n "$C1" -a -n "$C2"

# find_as USER PASSFILE PNR: case find with the number on stdin ($OUT, $ERR, $RC).
find_as() {
    OUT=$(echo "$3" | $SIGREG_WRAPPER "$SIGREG_BIN" --user "$1" --passphrase-file "$2" case find \
        --pnr - 2>"$T_DIR/.stderr")
    RC=$?
    ERR=$(grep -v "^warning: .* 'insecure-test-only'" "$T_DIR/.stderr")
}
find_as coord coord.pass "$PNR2"
check "coord (U1) is not told U2's case code" test "$RC" -ne 0 -a "$OUT" != "$C2"
check "... but that it is in another unit" grep -q "another unit" <<<"$ERR"

# Refusals: each one names what is wrong and changes no file (a role's
# refusal is logged: it leaves the keyring and the code key as they were).
KR=$(sha256sum reg.keyring reg.codekey)
refused "a coordinator asks" "'coord' \(coordinator\) may not change users' units" \
    --user coord --passphrase-file coord.pass user units coord --unit U1,U2
check "... the keyring unchanged" test "$KR" = "$(sha256sum reg.keyring reg.codekey)"
BEFORE=$(registry_sums)
refused "an unknown unit" "no unit 'NOPE'" user units coord --unit U1,NOPE
refused "an unknown user" "no user 'ghost'" user units ghost --unit U1
refused "an admin" "admin.*every unit" user units admin --unit U1
refused "no change" "already" user units coord --unit U1
refused "no change, only repeated" "already" user units coord --unit U1,U1
refused "no unit named" "unit" user units coord
check "the refusals changed no file" test "$BEFORE" = "$(registry_sums)"

# Gaining U2: the coordinator finds U2's case and reads its personnummer.
ok "coord gains U2" user units coord --unit U1,U2
ok "user list" user list
check "user list shows coord's units U1,U2" grep -qE "^coord +coordinator .* U1,U2$" <<<"$OUT"
find_as coord coord.pass "$PNR2"
check "coord now finds U2's case by its personnummer" test "$RC" -eq 0 -a "$OUT" = "$C2"
ok "coord reads U2's personnummer" --user coord --passphrase-file coord.pass case show "$C2" \
    --identity
check "... the right one" grep -q "${PNR2:0:8}-${PNR2:8:4}\|$PNR2" <<<"$OUT"
C3=$(echo 199001012385 | "$SIGREG_BIN" --user coord --passphrase-file coord.pass case new \
    --unit U2 --pnr - 2>/dev/null)
check "coord registers a U2 case" test -n "$C3"

# Losing U2: she is told only that U2 holds a case, and reads none of U2's
# personnummer, neither the old case's nor the one she wrote herself.
ok "coord loses U2" user units coord --unit U1
ok "user list" user list
check "user list shows coord's units U1" grep -qE "^coord +coordinator .* U1$" <<<"$OUT"
find_as coord coord.pass "$PNR2"
check "coord no longer finds U2's case" test "$RC" -ne 0 -a "$OUT" != "$C2"
refused "coord's show --identity of a U2 case" "unit|denied|outside" --user coord \
    --passphrase-file coord.pass case show "$C3" --identity
check "... prints no personnummer" bash -c '! grep -q 19900101 <<<"$1"' _ "$OUT"
find_as coord coord.pass "$PNR1"
check "coord still finds her U1 case" test "$RC" -eq 0 -a "$OUT" = "$C1"
ok "the admin reads the U2 case coord wrote" case show "$C3" --identity
check "... its personnummer" grep -q "19900101" <<<"$OUT"

# An analyst's units: which publications are sealed to them.
ok "ana gets U2" user units ana --unit U2
ok "user list" user list
check "user list shows ana's unit U2" grep -qE "^ana +analyst .* U2$" <<<"$OUT"

ok "audit show" audit show --last 30
check "each change is logged" test "$(grep -c 'user.units' <<<"$OUT")" -eq 3
check "the loss is logged as rotating U2's key" \
    grep -qE "user.units.*user=coord.*removed=U2.*keys=rotating" <<<"$OUT"
check "the resealing of U2's rows is logged" grep -q "codekey.seal" <<<"$OUT"
ok "the registry verifies" verify
t_end
