#!/usr/bin/env bash
# test_insider_trust.sh - what the other insider suites leave open (issue 12,
# items 3, 4, 9 and 11): an analyst cuts the analysts' access log between
# two checks; a removed admin's old signing key against an evaluator who
# follows the registry's signing-key rotations; checkpoints carried by a
# backup, an extract and a publication held against a cut log.
source "$(dirname "$0")/lib.sh"
t_begin
printf 'victim-passphrase\n' > victim.pass
printf 'admin2-passphrase\n' > admin2.pass
printf 'evaluator-passphrase\n' > ev.pass

make_trust() {
    rm -rf reg.* "$XDG_STATE_HOME"
    make_registry && "$SIGREG_BIN" user add victim --role analyst --kdf-profile insecure-test-only \
        --new-passphrase-file victim.pass 2>/dev/null
}
lines() { wc -l < reg.sidelog; }

# --- the analysts' access log, cut between two checks ------------------------------------------
check "make registry" make_trust
ok "a publication for the analysts" --user coord --passphrase-file coord.pass publish
ok "ana reads it" --user ana --passphrase-file analyst.pass stats cases
ok "an admin's check anchors the access log" audit verify
ANCHORED=$(lines)
ok "victim reads it after the check" --user victim --passphrase-file victim.pass stats cases
check "victim's read is in the access log" grep -q '"user":"victim"' reg.sidelog
# ana cuts victim's read off: what is left is a valid chain down to the anchor.
head -n "$ANCHORED" reg.sidelog > cut && cat cut > reg.sidelog
as victim victim.pass stats cases
attack "analyst cuts another analyst's entries after the last check (their next use)" \
    test "$RC" -ne 0
check "and is told" grep -q "has been cut or rewritten" <<<"$ERR"
check "the cut is noted in the access log, signed by victim" \
    grep -q '"user":"victim","action":"sidelog.cut"' reg.sidelog
ok "victim works again" --user victim --passphrase-file victim.pass stats cases
sr audit show
check "an admin sees the note" grep -q "sidelog.cut" <<<"$OUT"

# Any write by an admin or coordinator anchors what the analysts wrote since.
ok "victim reads" --user victim --passphrase-file victim.pass stats cases
BEFORE=$(lines)
ok "ana reads again" --user ana --passphrase-file analyst.pass stats cases
ok "a coordinator works" --user coord --passphrase-file coord.pass case new --unit U1 --no-pnr
rm -rf "$XDG_STATE_HOME/sigreg/seen/"*ana.sidelog # ana hides her own record too
head -n "$BEFORE" reg.sidelog > cut && cat cut > reg.sidelog
attack "analyst cuts own entries after a coordinator's work (audit verify)" \
    log_refused "cut or rewritten"

# --- signing-key rotations, followed by an evaluator ------------------------------------------
check "make registry" make_trust
"$SIGREG_BIN" user add admin2 --role admin --kdf-profile insecure-test-only \
    --new-passphrase-file admin2.pass >/dev/null 2>&1
"$SIGREG_SYNTH" --cases 60 --seed 5 --units U1,U2 > synth.jsonl
ok "import" import synth.jsonl
ok "keygen" --passphrase-file ev.pass keygen --out eva --kdf-profile insecure-test-only
sr pubkey
OLD=$(sed -n 's/^fingerprint: //p' <<<"$OUT")
ok "extract before the rotation" extract --recipient eva.pub --out one.sigx
ok "the evaluator opens it and remembers the signer" \
    --passphrase-file ev.pass open-extract one.sigx --key eva.key --out one
# A publication for the evaluator, from the registry's key.
ok "admin publishes for the evaluator" publish --recipient eva.pub
PKG1=$(awk -F'\t' 'length($1) == 64 {print $2}' <<<"$OUT")
ok "the evaluator views it (the registry is known)" \
    --passphrase-file ev.pass view "$PKG1" --key eva.key
REG_ID=$(tool sql admin admin.pass "SELECT value FROM meta WHERE key = 'registry_id'")
"$INSIDER_TOOL" forge-publication eva.pub "$REG_ID" forged.sigpub
sr --passphrase-file ev.pass view forged.sigpub --key eva.key
attack "view: a forged publication of a known registry (a key of the forger's own)" \
    test "$RC" -ne 0
"$INSIDER_TOOL" forge-publication eva.pub "$REG_ID" forged2.sigpub chain
sr --passphrase-file ev.pass view forged2.sigpub --key eva.key
attack "view: a forged publication claiming its key as the registry's" test "$RC" -ne 0
mkdir -p kept && cp reg.db reg.keyring reg.codekey kept/
ok "removing an admin rotates the signing key" user remove admin2
sr pubkey
NEW=$(sed -n 's/^fingerprint: //p' <<<"$OUT")
check "a new signing key" test -n "$NEW" -a "$NEW" != "$OLD"
ok "extract after the rotation" extract --recipient eva.pub --out two.sigx
ok "pinned to the old key, the evaluator follows the rotation" \
    --passphrase-file ev.pass open-extract two.sigx --key eva.key --out two-pinned --signer "$OLD"
check "and is told" grep -q "signing key was rotated" <<<"$ERR"
check "the extract is written" test -s two-pinned/cases.csv
ok "with the old key remembered, too" \
    --passphrase-file ev.pass open-extract two.sigx --key eva.key --out two
check "and is told" grep -q "signing key was rotated" <<<"$ERR"
check "the new key is remembered" grep -q "$NEW" "$SIGREG_KNOWN_REGISTRIES"

ok "admin publishes after the rotation" publish --recipient eva.pub
PKG2=$(awk -F'\t' 'length($1) == 64 {print $2}' <<<"$OUT")
ok "pinned to the old key, view follows the rotation" \
    --passphrase-file ev.pass view "$PKG2" --key eva.key --signer "$OLD"
check "and is told" grep -q "signing key was rotated" <<<"$ERR"
ok "view: the new key is known" --passphrase-file ev.pass view "$PKG2" --key eva.key
check "as remembered (no notice)" test -z "$ERR"

# The removed admin forks the chain with the old key they kept: to an
# evaluator who followed the real rotation it links nothing.
"$INSIDER_TOOL" forge-rotation "$T_DIR/kept/reg.db" admin2 admin2.pass eva.pub fork.sigx
check "a forked extract is made" test -s fork.sigx
sr --passphrase-file ev.pass open-extract fork.sigx --key eva.key --out fork
attack "removed admin forks the signing chain with the old key (known registry)" \
    test "$RC" -ne 0 -a ! -e fork/cases.csv
sr --passphrase-file ev.pass open-extract fork.sigx --key eva.key --out fork --signer "$NEW"
attack "removed admin forks the signing chain with the old key (pinned new key)" \
    test "$RC" -ne 0 -a ! -e fork/cases.csv
# A link that the key before did not sign (anyone without the old key).
"$INSIDER_TOOL" forge-rotation "$T_DIR/kept/reg.db" admin2 admin2.pass eva.pub self.sigx self
sr --passphrase-file ev.pass open-extract self.sigx --key eva.key --out self --signer "$OLD"
attack "a rotation link not signed by the key before is refused" \
    test "$RC" -ne 0 -a ! -e self/cases.csv

# --- checkpoints in a backup, an extract and a publication, against a cut log ---------------
check "make registry" make_trust
"$SIGREG_SYNTH" --cases 60 --seed 7 --units U1,U2 > synth.jsonl
ok "import" import synth.jsonl
ok "keygen" --passphrase-file ev.pass keygen --out eva2 --kdf-profile insecure-test-only
mkdir -p bk
ok "backup" backup --out bk/reg.db
check "the backup carries a checkpoint" test -s bk/reg.checkpoint
ok "extract" extract --recipient eva2.pub --out cp.sigx
ok "open it" --passphrase-file ev.pass open-extract cp.sigx --key eva2.key --out cp
CP_EXTRACT=$(sed -n 's/^audit checkpoint of the registry: //p' <<<"$ERR")
check "the extract carries a checkpoint" grep -qE '^[0-9]+:[0-9a-f]{64}$' <<<"$CP_EXTRACT"
ok "an admin's publication" publish --recipient eva2.pub
PKG=$(awk -F'\t' 'length($1) == 64 {print $2}' <<<"$OUT")
ok "view it" --passphrase-file ev.pass view "$PKG" --key eva2.key
CP_ADMIN=$(sed -n 's/^audit checkpoint //p' <<<"$OUT")
check "an admin's publication carries a checkpoint" grep -qE '^[0-9]+:[0-9a-f]{64}$' <<<"$CP_ADMIN"
ok "a coordinator's publication" --user coord --passphrase-file coord.pass publish \
    --recipient eva2.pub
PKG=$(awk -F'\t' 'length($1) == 64 {print $2}' <<<"$OUT")
# (an evaluator who knows only this coordinator's key)
SIGREG_KNOWN_REGISTRIES="$T_DIR/known.coord" ok "view it" --passphrase-file ev.pass view "$PKG" \
    --key eva2.key
CP_COORD=$(sed -n 's/^audit checkpoint //p' <<<"$OUT")
check "a coordinator's publication carries a checkpoint" \
    grep -qE '^[0-9]+:[0-9a-f]{64}$' <<<"$CP_COORD"
# --- outputs onto the files beside a registry the other suites leave out -------------------
ok "a publication for ana" --user coord --passphrase-file coord.pass publish
ok "ana reads it (the access log exists)" --user ana --passphrase-file analyst.pass stats cases
ANA_PKG=$(ls reg.publications/*.sigpub | head -1)
sums() { sha256sum reg.sidelog "$ANA_PKG" bk/reg.checkpoint bk/reg.db 2>/dev/null; ls reg.publications; }
SUMS=$(sums)
for f in reg.sidelog "$ANA_PKG" reg.publications/new.csv bk/reg.checkpoint bk/reg.db; do
    sr stats cases --out "$f" --force
    attack "stats --out $f --force" test "$RC" -ne 0 -a "$SUMS" = "$(sums)"
    sr extract --recipient eva2.pub --out "$f" --force
    attack "extract --out $f --force" test "$RC" -ne 0 -a "$SUMS" = "$(sums)"
    SIGREG_KNOWN_REGISTRIES="$T_DIR/known.coord" sr --passphrase-file ev.pass view "$PKG" cases \
        --key eva2.key --out "$f" --force
    attack "view --out $f --force" test "$RC" -ne 0 -a "$SUMS" = "$(sums)"
    sr backup --out "$f"
    attack "backup --out $f" test "$RC" -ne 0 -a "$SUMS" = "$(sums)"
done

ok "more work" case new --unit U1 --no-pnr
FIRST=$(sed -n 's/^seq: //p' bk/reg.checkpoint)
FIRST=${FIRST:-${CP_EXTRACT%%:*}}
tool sql coord coord.pass "DELETE FROM audit WHERE seq >= $((FIRST - 1))"
attack "a cut log against the backup's checkpoint" \
    log_refused "cut off|rolled back|differs from the checkpoint" --checkpoint bk/reg.checkpoint
attack "a cut log against the extract's checkpoint" \
    log_refused "cut off|rolled back|differs from the checkpoint" --expect "$CP_EXTRACT"
attack "a cut log against the admin's publication's checkpoint" \
    log_refused "cut off|rolled back|differs from the checkpoint" --expect "$CP_ADMIN"
if [ -n "$CP_COORD" ]; then
    attack "a cut log against the coordinator's publication's checkpoint" \
        log_refused "cut off|rolled back|differs from the checkpoint" --expect "$CP_COORD"
fi

t_end
