#!/usr/bin/env bash
# test_insider_log.sh - attacks on the audit log and through the personnummer
# lookups, by insiders (issue 12, item 11): a coordinator rewrites, deletes or
# reorders another user's entries and re-chains the log with every key she
# holds, or cuts its tail below a checkpoint; a coordinator probes for
# personnummer of another unit through `case new`, `case find` and `import`;
# outputs aimed at the registry's own files or through a planted symlink; two
# `init` runs at once.
source "$(dirname "$0")/lib.sh"
t_begin
printf 'coord2-passphrase\n' > coord2.pass
# The registry of lib.sh, and norr, a coordinator of U2.
make_insiders() {
    make_registry && "$SIGREG_BIN" user add norr --role coordinator --unit U2 \
        --kdf-profile insecure-test-only --new-passphrase-file coord2.pass 2>/dev/null
}
check "make registry" make_insiders

# The entry the coordinator wants gone: the admin adding a user.
entry_of() { tool sql coord coord.pass "SELECT seq FROM audit WHERE $1 ORDER BY seq LIMIT 1"; }
fresh_log() { # a log that verifies, with entries of admin and coord
    ok "admin works" unit list
    ok "coordinator works" --user coord --passphrase-file coord.pass unit list
    ok "log verifies" audit verify
}

# --- the log: rewriting another user's entries -----------------------------------------------
fresh_log
SEQ=$(entry_of "action = 'user.add' AND user = 'admin'")
tool sql coord coord.pass "UPDATE audit SET detail = 'role=analyst' WHERE seq = $SEQ" &&
    tool rechain coord coord.pass
attack "coordinator edits an admin's entry and re-chains the log" \
    log_refused "audit log is broken|signature|certify"

make_fresh() { rm -f reg.db reg.keyring reg.codekey reg.lock; make_insiders >/dev/null 2>&1; fresh_log >/dev/null; }
make_fresh
SEQ=$(entry_of "action = 'user.add' AND user = 'admin'")
tool sql coord coord.pass "DELETE FROM audit WHERE seq = $SEQ" \
    "UPDATE audit SET seq = seq - 1 WHERE seq > $SEQ" && tool rechain coord coord.pass
attack "coordinator deletes an admin's entry and re-chains the log" \
    log_refused "audit log is broken|signature|certify"

make_fresh
tool sql coord coord.pass "UPDATE audit SET seq = -2 WHERE seq = 2" \
    "UPDATE audit SET seq = 2 WHERE seq = 3" "UPDATE audit SET seq = 3 WHERE seq = -2" &&
    tool rechain coord coord.pass
attack "coordinator reorders the admin's entries and re-chains the log" \
    log_refused "audit log is broken|signature|certify"

make_fresh
SEQ=$(entry_of "action = 'user.add'")
tool sql coord coord.pass "INSERT INTO audit (seq, at, user, action, detail, mac)
    SELECT $SEQ, at, 'admin', 'user.remove', 'user=norr', mac FROM audit WHERE seq = 1" 2>/dev/null ||
    tool sql coord coord.pass "UPDATE audit SET seq = seq + 1000 WHERE seq >= $SEQ" \
        "UPDATE audit SET seq = seq - 999 WHERE seq >= 1000" \
        "INSERT INTO audit (seq, at, user, action, detail, mac) SELECT $SEQ, at, 'admin', 'user.remove', 'user=norr', mac FROM audit WHERE seq = 1"
tool rechain coord coord.pass
attack "coordinator inserts an entry in an admin's name and re-chains the log" \
    log_refused "audit log is broken|signature|certify"

log_ok() { sr audit verify; [ "$RC" -eq 0 ]; }

# --- checkpoints by any role, each signed with the user's own key -------------------------------
make_fresh
# An analyst holds no key to the database's log: no checkpoint of it.
as ana analyst.pass audit checkpoint
check "an analyst's checkpoint is refused" test "$RC" -ne 0
check "and says why" grep -q "holds no key" <<<"$ERR"
as coord coord.pass audit checkpoint
printf '%s\n' "$OUT" > coord.checkpoint
check "its last line is SEQ:HEAD" grep -qE '^[0-9]+:[0-9a-f]{64}$' <<<"$(tail -1 coord.checkpoint)"
ok "the admin holds the log against the coordinator's checkpoint" audit verify --checkpoint coord.checkpoint
sed 's/^seq: .*/seq: 1/' coord.checkpoint > edited.checkpoint
refused "an edited checkpoint is refused" "does not verify" audit verify --checkpoint edited.checkpoint

# --- the log: cutting the tail below a checkpoint ---------------------------------------------
make_fresh
sr audit checkpoint
if [ "$RC" -eq 0 ]; then
    printf '%s\n' "$OUT" > kept.checkpoint
    EXPECT=$(tail -1 kept.checkpoint)
else # a binary without checkpoints: the best an admin could note is verify's head
    sr audit verify
    EXPECT="$(sed -n 's/.*: \([0-9]*\) entries, head \([0-9a-f]*\).*/\1:\2/p' <<<"$OUT")"
    : > kept.checkpoint
fi
ok "more work after the checkpoint" unit list
ok "more work after the checkpoint" case new --unit U1 --no-pnr
N=${EXPECT%%:*}
# Cutting the tail needs no key at all: what is left is a valid chain.
tool sql coord coord.pass "DELETE FROM audit WHERE seq >= $((N - 1))"
check "without a checkpoint the cut log still verifies" log_ok
attack "coordinator cuts the log's tail below a checkpoint (--checkpoint)" \
    log_refused "cut off|rolled back|differs from the checkpoint" --checkpoint kept.checkpoint
attack "coordinator cuts the log's tail below a checkpoint (--expect)" \
    log_refused "cut off|rolled back|differs from the checkpoint" --expect "$EXPECT"

# --- personnummer probes: case new, case find, import -------------------------------------------
make_fresh
as norr coord2.pass case new --unit U2 --pnr 20100315-1238
NORR_CASE=$OUT
check "a case in U2" grep -qE '^[A-Z0-9]{4}-[A-Z0-9]{4}$' <<<"$NORR_CASE"
logged() { sr audit show; grep -E -- "$1" <<<"$OUT" | grep -q -- "${2:-}"; }

as coord coord.pass case new --unit U1 --pnr 100315-1238
MSG="$OUT $ERR"
attack "case new tells a U1 coordinator nothing of U2's case code" \
    bash -c '! grep -qF -- "$1" <<<"$2"' _ "$NORR_CASE" "$MSG"
attack "case new's probe of another unit is logged" \
    logged "coord.*access.denied.*case_outside_units" "$NORR_CASE"
check "and says an admin can help" grep -q "another unit: an admin can help" <<<"$MSG"

as coord coord.pass case find --pnr 201003151238
MSG="$OUT $ERR"
attack "case find tells a U1 coordinator nothing of U2's case code" \
    bash -c '! grep -qF -- "$1" <<<"$2"' _ "$NORR_CASE" "$MSG"
attack "case find's probe of another unit is logged" \
    logged "coord.*access.denied.*case_outside_units" "$NORR_CASE"

# 40 candidates, one of them the U2 person: the import names no code and
# leaves one entry per refused line and a summary.
"$SIGREG_SYNTH" --cases 39 --seed 9 --units U1 --no-pnr-share 0 > probe.jsonl
printf '{"ref":"probe-x","unit":"U1","pnr":"201003151238"}\n' >> probe.jsonl
BEFORE=$(tool sql coord coord.pass "SELECT count(*) FROM audit WHERE action = 'import.refused'")
as coord coord.pass import probe.jsonl
MSG="$OUT $ERR"
attack "import tells a U1 coordinator nothing of U2's case code" \
    bash -c '! grep -qF -- "$1" <<<"$2"' _ "$NORR_CASE" "$MSG"
AFTER=$(tool sql coord coord.pass "SELECT count(*) FROM audit WHERE action = 'import.refused'")
attack "import leaves an entry per refused line" test "$((AFTER - BEFORE))" -ge 1
attack "import leaves a summary entry" logged "coord.*import.summary.*lines=40"
attack "the import's probe of another unit is logged" \
    logged "coord.*access.denied.*case_outside_units" "$NORR_CASE"
attack "no entry holds the personnummer" bash -c \
    '! "$1" sql coord coord.pass "SELECT * FROM audit" "$2" coord coord.pass 2>/dev/null | grep -qE "100315|201003151238"' _ "$INSIDER_TOOL" "$SIGREG_REGISTRY"

# --- outputs onto the registry's own files, and a symlink at the temporary name ---------------
# Every command logs into reg.db, so "unchanged" means: refused, the same
# files (inodes), the lock still empty, and the registry whole.
inodes() { stat -c %i reg.db reg.keyring reg.codekey reg.lock; }
INODES=$(inodes)
untouched() {
    [ "$RC" -ne 0 ] && [ "$INODES" = "$(inodes)" ] && [ ! -s reg.lock ] &&
        "$SIGREG_BIN" verify >/dev/null 2>&1
}
for f in reg.db reg.keyring reg.codekey reg.lock; do
    sr stats cases --out "$f" --force
    attack "stats --out $f --force" untouched
    sr report --year 2025 --out "$f"
    attack "report --out $f" untouched
    sr form export sig-intake --to fhir --out "$f" --force
    attack "form export --out $f --force" untouched
    sr backup --out "$f"
    attack "backup --out $f" untouched
done
echo "precious" > victim.txt
ln -s "$T_DIR/victim.txt" out.html.tmp
sr report --year 2025 --out out.html
attack "report follows no symlink planted at OUT.tmp" test "$(cat victim.txt)" = "precious"

# --- evaluators know who signed: a forged extract of a known registry -------------------------
make_fresh
"$SIGREG_SYNTH" --cases 150 --seed 3 --units U1,U2 > synth.jsonl
ok "import for an extract" import synth.jsonl
printf 'evaluator-passphrase\n' > ev.pass
ok "keygen" --passphrase-file ev.pass keygen --out eva --kdf-profile insecure-test-only
ok "extract" extract --recipient eva.pub --out real.sigx
rm -f "$SIGREG_KNOWN_REGISTRIES"
ok "the first extract opens" --passphrase-file ev.pass open-extract real.sigx --key eva.key --out real
REG_ID=$(tool sql admin admin.pass "SELECT value FROM meta WHERE key = 'registry_id'")
"$INSIDER_TOOL" forge-extract eva.pub "$REG_ID" forged.sigx
check "a forged extract is made" test -s forged.sigx
sr --passphrase-file ev.pass open-extract forged.sigx --key eva.key --out forged
attack "open-extract refuses an extract of a known registry signed by another key" \
    test "$RC" -ne 0 -a ! -e forged/cases.csv
check "and says why" grep -q "no chain of signed key rotations" <<<"$ERR"
ok "a second real extract" extract --recipient eva.pub --out real2.sigx
ok "a second real extract opens as known" --passphrase-file ev.pass open-extract real2.sigx --key eva.key --out real2
check "as known" grep -q "the signer remembered for this registry" <<<"$ERR"

# --- two init runs at once ----------------------------------------------------------------------
init_race() {
    local i broken=0
    for i in 1 2 3 4 5; do
        rm -rf race && mkdir race
        "$SIGREG_BIN" -r race/reg.db --passphrase-file admin.pass init --admin one \
            --kdf-profile interactive >race/a.out 2>&1 & local a=$!
        "$SIGREG_BIN" -r race/reg.db --passphrase-file coord.pass init --admin two \
            --kdf-profile interactive >race/b.out 2>&1 & local b=$!
        wait $a; local ra=$?; wait $b; local rb=$?
        local winner=admin.pass user=one
        [ $rb -eq 0 ] && winner=coord.pass user=two
        if [ $((ra == 0)) -eq $((rb == 0)) ] ||
           ! "$SIGREG_BIN" -r race/reg.db --passphrase-file $winner --user $user audit verify \
               >/dev/null 2>&1; then
            broken=1
        fi
    done
    [ $broken -eq 0 ]
}
attack "two concurrent init runs: the loser leaves the winner's registry whole" init_race

t_end
