#!/usr/bin/env bash
# test_crash.sh - crash safety. `sigreg import` is killed with SIGKILL at
# random moments, many times in a row; after every kill the registry opens,
# `sigreg verify` passes (database, code key, audit chain), every case the
# import reported is there whole, and no case is there in part. Then the
# same for kills during a user removal (a re-key; one in three an admin's,
# which also rotates the registry signing key, and one in three a
# coordinator's; both rotate the identity key and re-derive every
# pseudonym): afterwards the remaining users still open the registry, under
# the old keys or the new, and every case is found by its personnummer,
# under the new identity key once the removal took effect and never under
# the old one. Then kills during the upgrade of a registry of the first
# release.
#   SIGREG_CRASH_ITERATIONS (default 100) sets how many imports are killed.
source "$(dirname "$0")/lib.sh"
t_begin
SYNTH=${SIGREG_SYNTH:?}
FORGE=${SIGREG_FORGE:?set SIGREG_FORGE to the forge_keyring tool}
TOOL=${SIGREG_INSIDER_TOOL:?set SIGREG_INSIDER_TOOL to the insider_tool binary}
ITER=${SIGREG_CRASH_ITERATIONS:-100}
LINES=40
check "make registry" make_registry
"$SYNTH" --cases $((ITER * LINES)) --seed 99 --units U1,U2 > all.jsonl
RANDOM=4242
reported_missing=0 half=0 verify_failed=0 killed=0 whole=0
for ((i = 0; i < ITER; i++)); do
    sed -n "$((i * LINES + 1)),$(((i + 1) * LINES))p" all.jsonl > chunk.jsonl
    "$SIGREG_BIN" import chunk.jsonl --batch 3 > reported.tsv 2>/dev/null &
    pid=$!
    sleep "$(printf '0.%03d' $((RANDOM % 110)))"
    kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
    wait "$pid" 2>/dev/null
    if ! "$SIGREG_BIN" verify > /dev/null 2>&1; then
        verify_failed=$((verify_failed + 1))
        "$SIGREG_BIN" verify >&2
    fi
    "$SIGREG_BIN" case list > cases.txt 2>/dev/null
    # Each line of the chunk: its case is absent, or present with every response.
    while IFS= read -r line; do
        pnr=$(sed -n 's/.*"pnr":"\([^"]*\)".*/\1/p' <<<"$line")
        ref=$(sed -n 's/^{"ref":"\([^"]*\)".*/\1/p' <<<"$line")
        expected=$(grep -o '"form":' <<<"$line" | wc -l)
        code=""
        [ -n "$pnr" ] && code=$("$SIGREG_BIN" case find --pnr "$pnr" 2>/dev/null)
        [ -z "$code" ] && code=$(awk -F'\t' -v r="$ref" '$1 == r { print $2 }' reported.tsv)
        if [ -z "$code" ]; then
            if grep -q "^$ref"$'\t' reported.tsv; then reported_missing=$((reported_missing + 1)); fi
            continue
        fi
        # case list: case, unit, status, intake date, days open, latest, responses, phases
        got=$(awk -v c="$code" '$1 == c { print $7 }' cases.txt)
        if [ "$got" != "$expected" ]; then
            half=$((half + 1))
            echo "case $code (ref $ref) has ${got:-no} responses of $expected" >&2
        else
            whole=$((whole + 1))
        fi
        if grep -q "^$ref"$'\t' reported.tsv && [ -z "$got" ]; then
            reported_missing=$((reported_missing + 1))
        fi
    done < chunk.jsonl
done
echo "import killed $killed of $ITER times; $whole cases found whole" >&2
check "killed mid-import most times" test "$killed" -gt $((ITER / 2))
check "verify passed after every kill" test "$verify_failed" -eq 0
check "every reported case is there" test "$reported_missing" -eq 0
check "no case is there in part" test "$half" -eq 0
check "some cases did land" test "$whole" -gt 0

# Kills during a user removal (re-key), on a registry of its own, small
# enough that the kills fall in every step: keyring, export, reopen, rename.
mkdir rekey && cp ./*.pass rekey/ && cd rekey || exit 1
export SIGREG_REGISTRY="$PWD/reg.db"
check "make re-key registry" make_registry
"$SYNTH" --cases 300 --seed 7 --units U1,U2 > rekey.jsonl
"$SIGREG_BIN" import rekey.jsonl --batch 100 > /dev/null 2>&1
"$SIGREG_BIN" case list > cases.before 2>/dev/null
check "fill re-key registry" test "$(wc -l < cases.before)" -ge 300
# A case of the coordinator's unit with a personnummer: sealed under U1's key,
# which every admin removal rotates.
U1CASE=$(echo 191212121212 | "$SIGREG_BIN" case new --unit U1 --pnr - 2>/dev/null)
"$SIGREG_BIN" case list > cases.before 2>/dev/null
# A few more personnummer and their cases, looked up after every kill.
sed -n 's/.*"pnr":"\([^"]*\)".*/\1/p' rekey.jsonl | sed -n '1p;100p;200p' > sample.pnr
while read -r p; do
    echo "$p" | "$SIGREG_BIN" case find --pnr - 2>/dev/null
done < sample.pnr > sample.codes
check "the sample of personnummer is found" test "$(grep -c . sample.codes)" -eq 3
# old_matches PSEUDONYM: how many cases hold it (read with the admin's keys).
old_matches() {
    "$TOOL" sql "$SIGREG_REGISTRY" admin admin.pass \
        "SELECT count(*) FROM cases WHERE hex(pseudonym) = upper('$1')" 2>/dev/null
}
with_pnr=$("$TOOL" sql "$SIGREG_REGISTRY" admin admin.pass \
    "SELECT count(*) FROM cases WHERE pseudonym IS NOT NULL" 2>/dev/null)
# How long one whole removal takes here (a coordinator's, which re-derives
# every pseudonym); the kills fall uniformly within it.
"$SIGREG_BIN" user add probe --role coordinator --unit U2 --kdf-profile insecure-test-only \
    --new-passphrase-file analyst.pass > /dev/null 2>&1
start=$(date +%s%N)
check "a whole removal succeeds" bash -c '"$0" user remove probe > /dev/null 2>&1' "$SIGREG_BIN"
span_ms=$(( ($(date +%s%N) - start) / 1000000 + 5 ))
rekey_broken=0 rekey_killed=0 identity_rotated=0
ROUNDS=$(( ITER / 5 > 12 ? ITER / 5 : 12 ))
for ((i = 0; i < ROUNDS; i++)); do
    # One in three removals an admin's (the signing key too), one in three
    # a coordinator's: both hold the identity key, which they keep.
    role=analyst unit=()
    [ $((i % 3)) -eq 1 ] && role=admin
    [ $((i % 3)) -eq 2 ] && role=coordinator unit=(--unit U2)
    "$SIGREG_BIN" user add "tmp$i" --role "$role" "${unit[@]}" --kdf-profile insecure-test-only \
        --new-passphrase-file analyst.pass > /dev/null 2>&1
    ps_old=""
    [ "$role" != analyst ] &&
        ps_old=$("$FORGE" pseudonym reg.keyring "tmp$i" analyst.pass 191212121212 2>/dev/null)
    "$SIGREG_BIN" user remove "tmp$i" > /dev/null 2>&1 &
    pid=$!
    delay=$(( RANDOM % span_ms ))
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -9 "$pid" 2>/dev/null && rekey_killed=$((rekey_killed + 1))
    wait "$pid" 2>/dev/null
    if ! "$SIGREG_BIN" --user coord --passphrase-file coord.pass unit list > coord.out 2>&1 ||
       ! "$SIGREG_BIN" --user coord --passphrase-file coord.pass case show "$U1CASE" --identity \
           > coord.out 2>&1 || ! grep -q 1212 coord.out ||
       ! "$SIGREG_BIN" verify > verify.out 2>&1; then
        rekey_broken=$((rekey_broken + 1))
        echo "after killed re-key $i:" >&2
        cat coord.out verify.out >&2
    fi
    # Every personnummer finds its case (the coordinator's own unit's too).
    found=$(while read -r p; do echo "$p" | "$SIGREG_BIN" case find --pnr - 2>/dev/null; done \
        < sample.pnr)
    coord_found=$(echo 191212121212 | "$SIGREG_BIN" --user coord --passphrase-file coord.pass \
        case find --pnr - 2>/dev/null)
    now_with=$("$TOOL" sql "$SIGREG_REGISTRY" admin admin.pass \
        "SELECT count(*) FROM cases WHERE pseudonym IS NOT NULL" 2>/dev/null)
    if [ "$found" != "$(cat sample.codes)" ] || [ "$coord_found" != "$U1CASE" ] ||
       [ "$now_with" != "$with_pnr" ]; then
        rekey_broken=$((rekey_broken + 1))
        echo "after killed re-key $i: lookups by personnummer fail ($now_with of $with_pnr" \
             "cases with a pseudonym)" >&2
    fi
    # The removed user's identity key: once the removal took effect, its
    # pseudonym names no case; until then it still is the current key.
    if [ -n "$ps_old" ]; then
        removed=1
        "$SIGREG_BIN" user list 2>/dev/null | grep -qw "tmp$i" && removed=0
        want=$((1 - removed))
        identity_rotated=$((identity_rotated + removed))
        if [ "$(old_matches "$ps_old")" != "$want" ]; then
            rekey_broken=$((rekey_broken + 1))
            echo "after killed re-key $i: the old identity key's pseudonym matches" \
                 "$(old_matches "$ps_old") cases (removed: $removed)" >&2
        fi
    fi
done
echo "re-key killed $rekey_killed of $ROUNDS times (a whole removal takes ${span_ms} ms)" >&2
check "most re-keys were killed mid-way" test "$rekey_killed" -gt $((ROUNDS / 2))
check "after every killed re-key the registry opens and verifies" test "$rekey_broken" -eq 0
echo "identity key rotated by $identity_rotated of the killed admins' and coordinators' removals" >&2
check "some removals rotated the identity key" test "$identity_rotated" -gt 0
"$SIGREG_BIN" case list > cases.after 2>/dev/null
check "every case survived the re-keys unchanged" cmp -s cases.before cases.after
check "no leftovers of interrupted re-keys once a session has opened" bash -c '! ls reg.*.rekey* reg.keyring.tmp-* 2>/dev/null | grep -q .'

# Kills during the upgrade of a registry of the first release (an admin's
# first unlock: the signed keyring, then a data key apart from the master
# key, which is a re-key): afterwards the registry opens for the coordinator,
# verifies, holds both cases, and the next admin's unlock finishes it.
cd .. && mkdir upgrade && cd upgrade || exit 1
export SIGREG_REGISTRY="$PWD/reg.db"
V1="$SIGREG_SOURCE_DIR/tests/unit/data/keyring-v1"
printf 'admin-passphrase\n' > admin.pass
printf 'coord-passphrase\n' > coord.pass
# Each round is a registry never opened before (users remember the newest
# keyring they saw, and would rightly refuse the fixture as a rollback).
export XDG_STATE_HOME="$PWD/state"
fixture() {
    cp "$V1/reg.db" "$V1/reg.keyring" "$V1/reg.codekey" .
    rm -rf reg.lock "$XDG_STATE_HOME"
}
fixture
start=$(date +%s%N)
check "a whole upgrade succeeds" bash -c '"$0" --passphrase-file admin.pass unit list > /dev/null 2>&1' "$SIGREG_BIN"
span_ms=$(( ($(date +%s%N) - start) / 1000000 + 5 ))
up_broken=0 up_killed=0
for ((i = 0; i < ROUNDS; i++)); do
    fixture
    "$SIGREG_BIN" --passphrase-file admin.pass unit list > /dev/null 2>&1 &
    pid=$!
    delay=$(( RANDOM % span_ms ))
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -9 "$pid" 2>/dev/null && up_killed=$((up_killed + 1))
    wait "$pid" 2>/dev/null
    if ! "$SIGREG_BIN" --user coord --passphrase-file coord.pass case list > coord.out 2>&1 ||
       [ "$(grep -c "^[0-9A-Z]\{4\}-" coord.out)" -ne 1 ] ||
       ! "$SIGREG_BIN" --passphrase-file admin.pass case list > admin.out 2>&1 ||
       [ "$(grep -c "^[0-9A-Z]\{4\}-" admin.out)" -ne 2 ] ||
       ! "$SIGREG_BIN" --passphrase-file admin.pass verify > verify.out 2>&1 ||
       ! grep -q '"data_epoch"' reg.keyring || ! grep -q '"unit_keys"' reg.keyring ||
       ! "$SIGREG_BIN" --user coord --passphrase-file coord.pass case show \
           "$(grep -o "^[0-9A-Z]\{4\}-[0-9A-Z]\{4\}" coord.out)" --identity > ident.out 2>&1 ||
       ! grep -q 1212 ident.out; then
        up_broken=$((up_broken + 1))
        echo "after killed upgrade $i:" >&2
        cat coord.out admin.out verify.out ident.out >&2
    fi
done
echo "upgrade killed $up_killed of $ROUNDS times (a whole upgrade takes ${span_ms} ms)" >&2
check "some upgrades were killed mid-way" test "$up_killed" -gt 0
check "after every killed upgrade the registry opens, verifies and is upgraded" test "$up_broken" -eq 0
t_end
