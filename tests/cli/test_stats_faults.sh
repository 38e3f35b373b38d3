#!/usr/bin/env bash
# test_stats_faults.sh - regressions of issue 11's summary faults: a scale of
# the largest range in a change table (1), groups whose keys are 32
# characters long (2), and a summary that states the filter it ran (3).
source "$(dirname "$0")/lib.sh"
t_begin
check "make registry" make_registry

# A form of one scale item, at intake and at closure.
scale_form() { # ID PHASE MIN MAX [VERSION]
    cat <<JSON
{"format": "sigreg-form/1", "id": "$1", "version": ${5:-1}, "phase": "$2",
 "title": {"sv": "Skala $1", "en": "Scale $1"},
 "items": [{"id": "wellbeing", "type": "scale", "label": {"sv": "Mående", "en": "Wellbeing"},
            "min": $3, "max": $4}]}
JSON
}

# Fault 1: a scale's range is capped at SR_FORM_MAX_SCALE_STEPS (101) steps,
# and a change table over the largest scale allowed works. The change table
# pairs with the intake 'sig-intake', here a version 3 (after the two
# shipped) of one scale item.
scale_form t-wide-intake intake 0 600 > wide.json
refused "a scale of 601 steps is refused" "items\[0\].max: .*601 steps.*at most 101" form install wide.json
scale_form sig-intake intake 0 100 3 > in.json
scale_form t-closure closure 0 100 > cl.json
ok "install the intake" form install in.json
ok "install the closure" form install cl.json
: > cases.jsonl
for i in $(seq 1 40); do
    a=$(( (i * 37) % 101 )); b=$(( (i * 53 + 11) % 101 ))
    printf '{"ref": "r%d", "unit": "U1", "responses": [{"form": "sig-intake", "version": 3, "date": "2025-02-03", "answers": {"wellbeing": %d}}, {"form": "t-closure", "version": 1, "date": "2025-05-06", "answers": {"wellbeing": %d}}]}\n' "$i" "$a" "$b" >> cases.jsonl
done
ok "import cases on the wide scale" import cases.jsonl
ok "change table over a 101-step scale" stats t-closure --change --format csv
printf '%s\n' "$OUT" > change.csv
check "every pair is a row" test "$(grep -c '^t-closure,wellbeing,[0-9]*>[0-9]*,' change.csv)" -eq 10201
check "the summaries are there" bash -c "grep -q '^t-closure,wellbeing,improved,' change.csv && grep -q '^t-closure,wellbeing,worsened,' change.csv"

# Fault 2: two valid 32-character unit codes stay two groups.
long1=UNITCODE0123456789ABCDEFGHIJKAA1
long2=UNITCODE0123456789ABCDEFGHIJKAA2
check "32-character codes" test ${#long1} -eq 32
ok "unit AA1" unit add "$long1" --name "Lång 1"
ok "unit AA2" unit add "$long2" --name "Lång 2"
: > long.jsonl
for i in $(seq 1 6); do
    printf '{"ref": "a%d", "unit": "%s"}\n{"ref": "b%d", "unit": "%s"}\n' "$i" "$long1" "$i" "$long2" >> long.jsonl
done
ok "import cases in both units" import long.jsonl
ok "cases by unit" stats cases --by unit --format csv
check "AA1 is its own group" grep -q "^cases,status,$long1,open,6," <<<"$OUT"
check "AA2 is its own group" grep -q "^cases,status,$long2,open,6," <<<"$OUT"

# Fault 3: a coordinator of one unit gets that unit, and every output and
# the audit entry say so.
ok "coordinator json" --user coord --passphrase-file coord.pass stats cases --format json
check "json names the unit run" grep -q '"unit": "U1"' <<<"$OUT"
ok "coordinator table" --user coord --passphrase-file coord.pass stats cases
check "table names the unit" grep -qE "(enhet|unit) U1" <<<"$OUT"
ok "coordinator report" --user coord --passphrase-file coord.pass report --out coord.html
check "report names the unit" grep -q "Enhet 1 (U1)" coord.html
ok "audit" audit show
check "audit names the unit run" bash -c "grep 'stats' <<<'$OUT' | tail -1 | grep -q 'unit=U1'"
t_end
