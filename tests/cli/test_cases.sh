#!/usr/bin/env bash
# test_cases.sh - a coordinator's work through the command line, from case new
# to closure, interactive registration on a pseudo-terminal, import, and a
# scan afterwards: no personnummer (in any of its forms) and no free-text
# answer may appear in any file sigreg wrote, in its temporary folder or in
# what it printed.
source "$(dirname "$0")/lib.sh"
t_begin
PTY=${SIGREG_PTY:?}
SYNTH=${SIGREG_SYNTH:?}
mkdir -p tmp && export TMPDIR="$T_DIR/tmp"
: > all-output.txt
# run: like sr, but everything printed is kept for the scan.
run() { sr "$@"; printf '%s\n%s\n' "$OUT" "$ERR" >> all-output.txt; }
run_ok() { local n=$1; shift; run "$@"; if [ "$RC" -eq 0 ]; then pass; else fail "$n: exit $RC: $ERR"; fi; }
run_refused() { local n=$1 p=$2; shift 2; run "$@"
    if [ "$RC" -ne 0 ] && grep -qiE -- "$p" <<<"$ERR"; then pass; else fail "$n: expected '$p', got $RC: $ERR"; fi; }

check "make registry" make_registry
export SIGREG_USER=coord SIGREG_PASSPHRASE_FILE="$T_DIR/coord.pass"
PNR_FORMS=("201003151238" "20100315-1238" "1003151238" "100315-1238")
SECRET_TEXT="Hemligtext4711 mamma orolig"

# --- a case from start to closure
run_ok "case new" case new --unit U1 --pnr 20100315-1238
CASE=$OUT
check "a personnummer on the command line is warned of" grep -q "other local users" <<<"$ERR"
check "case code alone on a line" grep -qE '^[A-Z0-9]{4}-[A-Z0-9]{4}$' <<<"$CASE"
run_refused "same person twice" "already has case '$CASE'" case new --unit U1 --pnr 100315-1238
run_refused "bad check digit" "check digit is wrong" case new --unit U1 --pnr 100315-1239
run_refused "impossible date" "birth date does not exist" case new --unit U1 --pnr 100230-1230
run_refused "other unit" "does not work in unit 'U2'" case new --unit U2 --no-pnr
run_refused "no pnr and no terminal" "no personnummer: give --pnr -" case new --unit U1 < /dev/null
run_ok "case find" case find --pnr 1003151238
check "find gives the case" test "$OUT" = "$CASE"
# The personnummer off the command line: read from standard input.
OUT=$(printf '201003151238\n' | "$SIGREG_BIN" case find --pnr - 2>err.txt); RC=$?
cat err.txt >> all-output.txt
check "case find --pnr - reads standard input" test "$RC" -eq 0 -a "$OUT" = "$CASE"
check "no warning for --pnr -" bash -c '! grep -q "other local users" err.txt'
OUT=$(printf '20110412-1239\r\n' | "$SIGREG_BIN" case new --unit U1 --pnr - 2>err.txt); RC=$?
cat err.txt >> all-output.txt
check "case new --pnr - (CRLF)" grep -qE '^[A-Z0-9]{4}-[A-Z0-9]{4}$' <<<"$OUT"
STDIN_CASE=$OUT
OUT=$(printf '' | "$SIGREG_BIN" case find --pnr - 2>err.txt); RC=$?
check "an empty standard input is refused" grep -q "personnummer in 'standard input' is empty" err.txt
# Asked on a terminal, without echo, when neither --pnr nor --no-pnr is given.
printf 'expect personnummer (not shown): \nsend 110412-1239\n' > pnr-script.txt
"$PTY" pnr-script.txt -- "$SIGREG_BIN" case find > pty.txt 2>&1
check "case find asks on a terminal" grep -q "$STDIN_CASE" pty.txt
check "the typed number is not echoed" bash -c '! grep -q "110412-1239" pty.txt'
cat pty.txt >> all-output.txt
run_ok "case without pnr" case new --unit U1 --no-pnr
NOPNR=$OUT

cat > intake.json <<JSON
{"sex":"girl","referral_source":"school","consent_young_person":true,"consent_guardians":"yes",
 "consent_date":"2025-03-01","living_situation":"one_parent","school_situation":"absence",
 "need_crime":"some","need_attitudes":"none","need_peers":"substantial","need_family":"some",
 "need_school":"substantial","need_leisure":"some","need_substances":"none",
 "need_mental_health":"unknown","need_violence_exposure":"none","need_honour":"none",
 "substance_use":"experimental","police_contacts_6m":"one","suspected_ever":true,
 "crime_types":["theft"],"victim_of_crime":"no","notes":"$SECRET_TEXT"}
JSON
run_refused "intake first" "no intake yet" register "$CASE" sig-intervention --answers intake.json --date 2025-03-02
run_ok "intake" register "$CASE" sig-intake --date 2025-03-01 --answers intake.json
INTAKE_ID=$OUT
check "response id printed" grep -qE '^[0-9]+$' <<<"$INTAKE_ID"
echo '{"meetings":4,"focus":["school_support"],"actors":["school","police"],"young_person_participation":"yes","plan_followed":"yes"}' > iv.json
run_ok "intervention 1" register "$CASE" sig-intervention --date 2025-04-01 --answers iv.json
"$SIGREG_BIN" register "$CASE" sig-intervention --date 2025-05-01 --answers - < iv.json >> all-output.txt 2>&1
check "intervention 2 from stdin" test $? -eq 0
run_refused "out of range" "item 'meetings': 999 is above the maximum 200" register "$CASE" sig-intervention --date 2025-05-02 --answers <(echo '{"meetings":999,"focus":["leisure"],"actors":["school"],"young_person_participation":"yes","plan_followed":"yes"}')
run_refused "disabled item answered" "plan_obstacles.*condition does not hold" register "$CASE" sig-intervention --date 2025-05-02 --answers <(echo '{"meetings":1,"focus":["leisure"],"actors":["school"],"young_person_participation":"yes","plan_followed":"yes","plan_obstacles":["other"]}')
run_refused "future date" "lies in the future" register "$CASE" sig-intervention --date 2999-01-01 --answers iv.json
run_refused "before intake" "before the intake" register "$CASE" sig-intervention --date 2025-01-01 --answers iv.json
run_ok "response edit" response edit "$INTAKE_ID" --answers intake.json --date 2025-03-01
check "edit makes revision 2" grep -q "revision 2" <<<"$ERR"

cat > closure.json <<'JSON'
{"closure_reason":"goals_reached","goals_reached":"fully","overall_change":"improved",
 "school_situation":"regular","need_crime":"none","need_attitudes":"none","need_peers":"some",
 "need_family":"none","need_school":"some","need_leisure":"none","need_substances":"none",
 "need_mental_health":"unknown","need_violence_exposure":"none","need_honour":"none",
 "substance_use":"none","police_contacts_6m":"none"}
JSON
run_ok "closure" register "$CASE" sig-closure --date 2025-06-01 --answers closure.json
run_refused "closed case takes no interventions" "is closed" register "$CASE" sig-intervention --date 2025-06-02 --answers iv.json
# Showing a case displays its answers on purpose; only incidental output is scanned.
ok "case show json" case show "$CASE" --json
check "show: closed with 4 responses" bash -c "grep -q '\"status\": \"closed\"' <<<'$OUT' && [ \$(grep -c '\"form\":' <<<'$OUT') -eq 4 ]"
check "show: age from the personnummer" grep -q '"age": 14' <<<"$OUT"
check "show: no personnummer without --identity" bash -c "! grep -q 201003 <<<'$OUT'"
ok "case show json with identity" case show "$CASE" --json --identity
check "show: the personnummer last, the rest the same" bash -c "python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); assert d[\"pnr\"]==\"201003151238\" and len(d[\"responses\"])==4 and list(d)[-1]==\"pnr\"' <<<'$OUT'"
run_refused "a closed case says how to go on, without a command" "until it is reopened" register "$CASE" sig-intervention --date 2025-06-02 --answers iv.json
check "no command in the message" bash -c "! grep -q 'sigreg case' <<<'$ERR'"

# --- interactive registration of the experience form, on a terminal
cat > good.script <<'EOF2'
expect [1/6]
send 9
expect är inget av svarsalternativen: 1 Den unge
send 1
expect [2/6]
send 7
expect är större än det högsta tillåtna, 5
send 4
expect [3/6]
send
expect [4/6]
send 5
expect [5/6]
send 3
expect [6/6]
send ja
expect Spara?
send j
EOF2
"$PTY" good.script -- "$SIGREG_BIN" register "$CASE" sig-experience --date 2025-06-01 > pty.txt 2>&1
RC=$?; cat pty.txt >> all-output.txt
check "interactive registration saved" test "$RC" -eq 0
check "review shown before saving" grep -q "Granska svaren" pty.txt
ok "experience stored" case show "$CASE" --json
check "typed answers stored" bash -c "grep -q '\"felt_safe\": 4' <<<'$OUT' && grep -q '\"could_influence\": 5' <<<'$OUT' && ! grep -q felt_understood <<<'$OUT'"

# Skip logic, quitting and end of input: nothing is saved.
run_ok "intake for the second case" register "$NOPNR" sig-intake --date 2025-03-01 --answers intake.json
printf 'expect [1/7]\nsend 2\nexpect [2/7]\nsend 1,3\nexpect [3/7]\nsend 1 2\nexpect [4/7]\nsend 1\nexpect [5/7]\nsend 2\nexpect [6/7]\nsend q\n' > quit.script
"$PTY" quit.script -- "$SIGREG_BIN" register "$NOPNR" sig-intervention --version 1 --date 2025-04-01 --lang sv > pty-quit.txt 2>&1
RC=$?; cat pty-quit.txt >> all-output.txt
check "quit exits non-zero" test "$RC" -ne 0
check "quit says nothing was registered and keeps the draft" grep -q "ingenting registrerades; utkastet med 5 svar finns kvar" pty-quit.txt
check "disabled item is asked after 'partly'" grep -q "Vad har försvårat" pty-quit.txt
printf 'expect Continue it?\nsend n\nexpect [1/7]\nsend 2\nexpect [2/7]\nsend 1\nexpect [3/7]\nsend 1\nexpect [4/7]\nsend 1\nexpect [5/7]\nsend 1\nexpect [7/7]\neof\n' > eof.script
"$PTY" eof.script -- "$SIGREG_BIN" register "$NOPNR" sig-intervention --version 1 --date 2025-04-01 --lang en > pty-eof.txt 2>&1
RC=$?; cat pty-eof.txt >> all-output.txt
check "end of input exits non-zero" test "$RC" -ne 0
check "item 6 skipped when the plan is followed" bash -c "! grep -q 'What has made it harder' pty-eof.txt"
check "english labels" grep -q "Which actors have taken part" pty-eof.txt
ok "still only the intake" case show "$NOPNR" --json
check "nothing saved by quit or eof" test "$(grep -c '"form":' <<<"$OUT")" -eq 1

# --- lists, reopen
run_ok "case list" case list
check "list shows both" bash -c "grep -q '$CASE' <<<'$OUT' && grep -q '$NOPNR' <<<'$OUT'"
run_refused "a status that is not one" "'shut' is not a case status" case list --status shut
check "a refused list prints nothing" test -z "$OUT"
run_refused "a phase that is not one" "'closing' is not a phase" case list --missing closing
run_ok "case list closed" case list --status closed
check "only the closed one" bash -c "grep -q '$CASE' <<<'$OUT' && ! grep -q '$NOPNR' <<<'$OUT'"
run_ok "idle cases" case list --idle-days 30
check "the open case has been idle" grep -q "$NOPNR" <<<"$OUT"
run_ok "reopen" case reopen "$CASE" --reason "ny oro"
run_ok "intervention after reopening" register "$CASE" sig-intervention --date 2025-07-01 --answers iv.json
refused "analyst sees no cases" "may not" --user ana --passphrase-file analyst.pass case list

# --- import: a failing line leaves nothing, the others land
"$SYNTH" --cases 20 --seed 7 --units U1 > synth.jsonl
sed -n '1,5p' synth.jsonl > mixed.jsonl
echo '{"ref":"broken-1","unit":"U1","responses":[{"form":"sig-intake","date":"2025-01-01","answers":{"sex":"robot"}}]}' >> mixed.jsonl
echo 'not json' >> mixed.jsonl
sed -n '6,10p' synth.jsonl >> mixed.jsonl
sr import mixed.jsonl; printf '%s\n%s\n' "$OUT" "$ERR" >> all-output.txt
check "import fails overall when a line fails" test "$RC" -ne 0
check "ten cases imported and reported" test "$(grep -c $'\t' <<<"$OUT")" -eq 10
check "failing line named by number and ref" grep -q "line 6 (ref broken-1)" <<<"$ERR"
check "bad JSON line named" grep -q "line 7 (ref -): not valid JSON" <<<"$ERR"
reported=$(cut -f2 <<<"$OUT")
before=$(grep -c . <<<"$OUT")
sr case list
check "nothing of the failed lines" test "$(grep -c '^[A-Z0-9]\{4\}-' <<<"$OUT")" -eq $((before + 3))
# The line that failed half-way made the import roll back and run the lines
# before it again: the codes reported must be the ones the registry holds.
missing=0
for code in $reported; do grep -q "^$code" <<<"$OUT" || missing=$((missing + 1)); done
check "every reported code is a case in the registry" test "$missing" -eq 0

# --- erasure and verification
run_refused "delete unconfirmed" "not confirmed" case delete "$NOPNR"
run_ok "delete" case delete "$NOPNR" --yes
run_refused "deleted case is gone" "no case" case show "$NOPNR"
export SIGREG_USER=admin SIGREG_PASSPHRASE_FILE="$T_DIR/admin.pass"
run_ok "backup" backup --out "$T_DIR/bk.db"
run_ok "remove a user (re-key)" user remove ana
run_refused "purge unconfirmed" "not confirmed" purge --closed-before 2030-01-01
run_ok "verify" verify

# --- the scan
scan_targets="reg.db reg.keyring reg.codekey reg.lock bk.db bk.keyring bk.codekey tmp all-output.txt"
check "no personnummer in any form" none_contains "$scan_targets" "${PNR_FORMS[@]}"
check "no free text" none_contains "$scan_targets" "Hemligtext4711"
check "no journal or temp files left" bash -c '! ls reg.db-journal reg.*.tmp-* reg.*.rekey 2>/dev/null | grep -q .'
check "temporary folder left empty" test -z "$(ls -A tmp)"

t_end
