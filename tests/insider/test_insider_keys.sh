#!/bin/bash
# test_insider_keys.sh - hostile insiders against the key model (issue 12):
# each attack is played against the real files with nothing but the
# insider's own passphrase, the registry's files and forge_keyring (an
# editor built from the keyring's own source). Each must fail.
#
# SIGREG_INSIDER_EXPECT=succeed plays them against a release before the
# signed keyring (with a forge_keyring built from that release's source) and
# checks that each attack works there; the table it prints is the "before".
set -u
source "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
FORGE=${SIGREG_FORGE:?set SIGREG_FORGE to the forge_keyring tool}
INSIDER_TOOL=${SIGREG_INSIDER_TOOL:?set SIGREG_INSIDER_TOOL to the insider_tool binary}
SIGREG_SYNTH=${SIGREG_SYNTH:?set SIGREG_SYNTH to the sigreg-synth tool}
EXPECT=${SIGREG_INSIDER_EXPECT:-fail}
t_begin

# attack NAME RESULT: RESULT is "succeeded" or "refused".
attack() {
    local name=$1 result=$2
    printf '%-58s %s\n' "$name" "$result"
    if [ "$EXPECT" = succeed ]; then
        [ "$result" = succeeded ] && pass || fail "$name: expected to succeed before the change"
    else
        [ "$result" = refused ] && pass || fail "$name: the attack succeeded"
    fi
}

PNR1=191212121212
fresh() {
    rm -rf reg.db reg.keyring reg.codekey reg.lock reg.sidelog reg.publications
    rm -rf "$XDG_STATE_HOME"
    make_registry || { echo "cannot make a registry" >&2; exit 1; }
    CODE1=$(echo "$PNR1" | "$SIGREG_BIN" case new --unit U1 --pnr - 2>/dev/null)
    printf 'mallory-passphrase\n' > mallory.pass
    printf 'victim-passphrase\n' > victim.pass
    "$SIGREG_BIN" user add victim --role analyst --kdf-profile insecure-test-only \
        --new-passphrase-file victim.pass 2>/dev/null
    # Every user has opened the registry once (and so has seen its keyring).
    for u in coord:coord ana:analyst; do
        "$SIGREG_BIN" --user "${u%%:*}" --passphrase-file "${u#*:}.pass" settings >/dev/null 2>&1
    done
}

# The insider then waits for a real admin's next key rotation.
admin_rotates() {
    "$SIGREG_BIN" user remove victim >/dev/null 2>&1
}

# 1. An analyst plants an admin slot; after the next rotation it holds the
#    identity key and reads a personnummer.
fresh
"$FORGE" plant-admin reg.keyring ana analyst.pass mallory mallory.pass
admin_rotates
sr --user mallory --passphrase-file mallory.pass case show "$CODE1" --identity
if [ "$RC" -eq 0 ] && grep -q "${PNR1:8:4}" <<<"$OUT"; then r=succeeded; else r=refused; fi
attack "analyst plants an admin slot" "$r"

# 2. An analyst makes their own slot an admin's.
fresh
"$FORGE" set-role reg.keyring ana analyst.pass admin
admin_rotates
sr --user ana --passphrase-file analyst.pass case show "$CODE1" --identity
if [ "$RC" -eq 0 ] && grep -q "${PNR1:8:4}" <<<"$OUT"; then r=succeeded; else r=refused; fi
attack "analyst edits own role to admin" "$r"

# 3. A coordinator makes their own slot an admin's.
fresh
"$FORGE" set-role reg.keyring coord coord.pass admin
admin_rotates
sr --user coord --passphrase-file coord.pass user add eve --role admin \
    --kdf-profile insecure-test-only --new-passphrase-file mallory.pass
if [ "$RC" -eq 0 ]; then r=succeeded; else r=refused; fi
attack "coordinator edits own role to admin" "$r"

# 4. A coordinator lowers their own KDF cost (and keeps working).
fresh
"$FORGE" set-kdf reg.keyring coord coord.pass 2 2>/dev/null
sr --user coord --passphrase-file coord.pass case list
r1=$RC
sr case list
if [ "$r1" -eq 0 ] && [ "$RC" -eq 0 ]; then r=succeeded; else r=refused; fi
attack "coordinator edits own KDF cost" "$r"

# 5. A coordinator adds a unit to their own slot (format 2 keeps units in
#    the slot; format 1 kept them in the database, see attack 6).
fresh
if "$FORGE" set-units reg.keyring coord coord.pass U1,U2 2>/dev/null; then
    CODE2=$(echo 198112189876 | "$SIGREG_BIN" case new --unit U2 --pnr - 2>/dev/null)
    sr --user coord --passphrase-file coord.pass case show "$CODE2"
    if [ "$RC" -eq 0 ]; then r=succeeded; else r=refused; fi
    attack "coordinator edits own units (keyring)" "$r"
fi

# 6. An analyst decrypts the database with what their slot gives (only
#    admins and coordinators are sealed the data key), and a coordinator
#    adds a unit to themselves there.
# db_opens_with USER PASSFILE: whether a key the user's slot gives opens
# the database (forge_keyring prints every candidate, one a line).
db_opens_with() {
    local key
    for key in $("$FORGE" db-key reg.keyring "$1" "$2" 2>/dev/null); do
        sqlcipher reg.db "PRAGMA key = \"x'$key'\"; PRAGMA cipher_page_size = 4096;
            SELECT count(*) FROM cases;" 2>/dev/null | grep -qx 1 && return 0
    done
    return 1
}
fresh
if db_opens_with ana analyst.pass; then r=succeeded; else r=refused; fi
attack "analyst decrypts the database with their slot's keys" "$r"
for KEY in $("$FORGE" db-key reg.keyring coord coord.pass 2>/dev/null); do
    sqlcipher reg.db "PRAGMA key = \"x'$KEY'\"; PRAGMA cipher_page_size = 4096;
        INSERT INTO user_units VALUES ('coord', 'U2');" >/dev/null 2>&1
done
CODE2=$(echo 198112189876 | "$SIGREG_BIN" case new --unit U2 --pnr - 2>/dev/null)
sr --user coord --passphrase-file coord.pass case show "$CODE2"
if [ "$RC" -eq 0 ]; then r=succeeded; else r=refused; fi
attack "coordinator adds a unit to self in the database" "$r"

# 6a. A removed coordinator keeps their keyring copy and reads the live
#     database with what their old slot gives (the removal rotated the data
#     key: the old one opens only the old file).
fresh
printf 'coord2-passphrase\n' > coord2.pass
"$SIGREG_BIN" user add coord2 --role coordinator --unit U1 --kdf-profile insecure-test-only \
    --new-passphrase-file coord2.pass >/dev/null 2>&1
cp reg.keyring kept.keyring && cp reg.db kept.db
"$SIGREG_BIN" user remove coord2 >/dev/null 2>&1
r=refused old=no
for KEY in $("$FORGE" db-key kept.keyring coord2 coord2.pass 2>/dev/null); do
    sqlcipher reg.db "PRAGMA key = \"x'$KEY'\"; PRAGMA cipher_page_size = 4096;
        SELECT count(*) FROM cases;" 2>/dev/null | grep -qx 1 && r=succeeded
    sqlcipher kept.db "PRAGMA key = \"x'$KEY'\"; PRAGMA cipher_page_size = 4096;
        SELECT count(*) FROM cases;" 2>/dev/null | grep -qx 1 && old=yes
done
check "the old slot's key opens the old copy (the attack is real)" test "$old" = yes
attack "removed coordinator reads the live database (old keyring)" "$r"

# 6c. A removed coordinator kept her keyring copy, and with it the identity
#     key: she computes the pseudonym of a personnummer she knows (of a case
#     in another unit, even) and looks for it in the database as it is now
#     (read here with the admin's keys: the question is only whether the
#     pseudonym still names a row). The removal re-derived every pseudonym
#     under a new identity key.
fresh
printf 'coord2-passphrase\n' > coord2.pass
"$SIGREG_BIN" user add coord2 --role coordinator --unit U2 --kdf-profile insecure-test-only \
    --new-passphrase-file coord2.pass >/dev/null 2>&1
cp reg.keyring kept.keyring
PS_OLD=$("$FORGE" pseudonym kept.keyring coord2 coord2.pass "$PNR1" 2>/dev/null)
rows() {
    "$INSIDER_TOOL" sql "$SIGREG_REGISTRY" admin admin.pass \
        "SELECT count(*) FROM cases WHERE hex(pseudonym) = upper('$PS_OLD')" 2>/dev/null
}
check "the kept identity key gives a pseudonym" test -n "$PS_OLD"
check "it names the case before the removal (the attack is real)" test "$(rows)" = 1
"$SIGREG_BIN" user remove coord2 >/dev/null 2>&1
if [ "$(rows)" = 1 ]; then r=succeeded; else r=refused; fi
attack "removed coordinator's old identity key finds a case" "$r"
sr case find --pnr "$PNR1"
check "the case is still found by its personnummer" test "$OUT" = "$CODE1"

# 6b. An analyst rewrites the access log their reads go to (they cannot
#     write the database's): deletes another analyst's entry, or cuts the
#     tail below what an admin last verified.
fresh
printf 'victim-passphrase\n' > victim.pass
"$SIGREG_BIN" --user coord --passphrase-file coord.pass publish >/dev/null 2>&1
"$SIGREG_BIN" --user victim --passphrase-file victim.pass stats cases >/dev/null 2>&1
"$SIGREG_BIN" --user ana --passphrase-file analyst.pass stats cases >/dev/null 2>&1
sr audit verify
[ "$RC" -eq 0 ] || echo "ERR: $ERR" >&2
check "the access log verifies before" test "$RC" -eq 0
VLINE=$(grep -n '"user":"victim"' reg.sidelog | grep publication.read | head -1 | cut -d: -f1)
cp reg.sidelog sidelog.kept
sed -i "${VLINE}d" reg.sidelog
sr audit verify
if [ "$RC" -eq 0 ]; then r=succeeded; else r=refused; fi
attack "analyst deletes another's entry from the access log" "$r"
head -n 2 sidelog.kept > reg.sidelog
sr audit verify
if [ "$RC" -eq 0 ]; then r=succeeded; else r=refused; fi
attack "analyst cuts the access log below an admin's check" "$r"

# 7. A removed admin signs an extract with the key they kept (their copy of
#    the registry from before the removal); the evaluator checks it against
#    the registry's fingerprint as the registry gives it now.
fresh
printf 'admin2-passphrase\n' > admin2.pass
"$SIGREG_BIN" user add admin2 --role admin --kdf-profile insecure-test-only \
    --new-passphrase-file admin2.pass >/dev/null 2>&1
"$SIGREG_SYNTH" --cases 60 --seed 5 --units U1,U2 > synth.jsonl
"$SIGREG_BIN" import synth.jsonl >/dev/null 2>&1
mkdir -p kept && cp reg.db reg.keyring reg.codekey kept/
"$SIGREG_BIN" user remove admin2 >/dev/null 2>&1
printf 'evaluator-passphrase\n' > ev.pass
"$SIGREG_BIN" --passphrase-file ev.pass keygen --out eva --kdf-profile insecure-test-only >/dev/null 2>&1
sr pubkey
SIGNER=$(sed -n 's/^fingerprint: //p' <<<"$OUT")
SIGREG_REGISTRY="$T_DIR/kept/reg.db" "$SIGREG_BIN" --user admin2 --passphrase-file admin2.pass \
    extract --recipient eva.pub --out forged.sigx >/dev/null 2>&1
sr --passphrase-file ev.pass open-extract forged.sigx --key eva.key --out opened --signer "$SIGNER"
check "the removed admin's copy still makes an extract" test -f forged.sigx
if [ "$RC" -eq 0 ]; then r=succeeded; else r=refused; fi
attack "removed admin signs an extract with the old key" "$r"
[ "$RC" -eq 0 ] || check "refused for its signer" grep -q "signed by" <<<"$ERR"

t_end
