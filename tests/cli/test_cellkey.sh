#!/usr/bin/env bash
# test_cellkey.sh - the cell-key method (issue 16, item 7) through the command
# line: the setting (admins only, checked), the pTable in the JSON settings,
# no count negative or in 1..js, the same cases giving the same noise in two
# different queries and in two runs, statistics shown only over enough
# people, record keys never shown, and the window attack: the pair of
# windows one person apart is refused (fixed periods), the person's quarter
# is never shown alone, and nested periods give back no exact figures.
source "$(dirname "$0")/lib.sh"
t_begin
SYNTH=${SIGREG_SYNTH:?}
CHECK="python3 $SIGREG_SOURCE_DIR/tests/cli/cellkey_check.py"
check "make registry" make_registry
# 300 cases until 2025 less those with an intake in 2025's first quarter,
# and one more (the last, whose intake alone is kept) with an intake then:
# the windows up to 2024 and up to 2025-Q1 would differ by that one person.
"$SYNTH" --cases 301 --seed 11 --units U1,U2 --until 2025-12-31 > all.jsonl
python3 - <<'PY' > synth.jsonl
import json
lines = open("all.jsonl", encoding="utf-8").readlines()
for line in lines[:-1]:
    c = json.loads(line)
    if not "2025-01-01" <= c["responses"][0]["date"] <= "2025-03-31":
        print(line, end="")
c = json.loads(lines[-1])
c["responses"] = [r for r in c["responses"] if r["form"] == "sig-intake"]
c["responses"][0]["date"] = c["responses"][0]["answers"]["consent_date"] = "2025-02-10"
print(json.dumps(c, ensure_ascii=False))
PY
ok "import" import synth.jsonl

ok "settings show the method" settings
check "suppression by default" grep -q "^method	suppression$" <<<"$OUT"
refused "the window pair one person apart is refused (fixed periods)" \
    "a period needs both a start and an end" stats sig-intake --to 2024-12-31
ok "suppression: 2025-H1" stats sig-intake --from 2025-01-01 --to 2025-06-30 --format json
echo "$OUT" > supp_h1.json
check "suppression: no cell-key settings" bash -c '! grep -q "\"ptable\"" supp_h1.json'

refused "analysts may not change the method" "may not change settings" \
    --user ana --passphrase-file analyst.pass settings --method cell-key
refused "not a method" "takes suppression or cell-key" settings --method noise
refused "D out of range" "^error: --ptable-d: .*2 to 5" settings --method cell-key --ptable-d 7
refused "V out of range" "^error: --ptable-v: .*0.9 to 3" settings --method cell-key --ptable-v 4
refused "js 0 is no blocking" "^error: --ptable-js: " settings --method cell-key --ptable-js 0
refused "a table that cannot be built" "^error: --ptable-v: .*too small" \
    settings --method cell-key --ptable-d 2 --ptable-v 1 --ptable-js 1
ok "still suppression after refusals" settings
check "refusals change nothing" grep -q "^method	suppression$" <<<"$OUT"

ok "cell-key" settings --method cell-key
check "settings show the method and the table's parameters" bash -c \
    'grep -q "^method	cell-key$" <<<"$0" && grep -q "^ptable_d	5$" <<<"$0" && grep -q "^ptable_v	3$" <<<"$0" && grep -q "^ptable_js	2$" <<<"$0"' "$OUT"
ok "cell-key: 2025-H1" stats sig-intake --from 2025-01-01 --to 2025-06-30 --format json
echo "$OUT" > ck_h1.json
ok "cell-key: 2025-H1 again" stats sig-intake --from 2025-01-01 --to 2025-06-30 --format json
echo "$OUT" > ck_h1_again.json
check "the same query gives the same noise" bash -c \
    'diff <(grep -v generated_at ck_h1.json) <(grep -v generated_at ck_h1_again.json) >/dev/null'
for p in "q1 2025-01-01 2025-03-31" "q2 2025-04-01 2025-06-30" "y 2025-01-01 2025-12-31" \
    "h2 2025-07-01 2025-12-31"; do
    set -- $p
    ok "cell-key: period $1" stats sig-intake --from "$2" --to "$3" --format json
    echo "$OUT" > "ck_$1.json"
done
check "the window attack: nothing exact" $CHECK window ck_h1.json ck_q1.json ck_q2.json \
    ck_y.json ck_h2.json supp_h1.json
check "the pTable is in the settings" $CHECK ptable ck_h1.json 5 3 2
ok "cell-key by unit" stats sig-intake --by unit --format json
echo "$OUT" > ck_by_unit.json
ok "cell-key for one unit" stats sig-intake --unit U1 --format json
echo "$OUT" > ck_u1.json
check "the same cases give the same noise in two queries" $CHECK same ck_u1.json ck_by_unit.json U1
ok "cell-key by sex" stats sig-intake --by sex --format json
echo "$OUT" > ck_by_sex.json
ok "cell-key change table" stats sig-closure --change --format json
echo "$OUT" > ck_change.json
ok "cell-key cases" stats cases --by year --format json
echo "$OUT" > ck_cases.json
ok "cell-key intervention" stats sig-intervention --format json
echo "$OUT" > ck_intervention.json
check "no count is negative or in 1..js; statistics only over enough people" $CHECK counts 2 \
    ck_h1.json ck_y.json ck_h2.json ck_by_unit.json ck_u1.json ck_by_sex.json ck_change.json \
    ck_cases.json ck_intervention.json
ok "table output" stats sig-intake
check "the table's notes say parts need not add up" grep -q "summera till sin total" <<<"$OUT"
check "no record key in any output" bash -c '! grep -qi "record" ck_*.json'
CASE=$("$SIGREG_BIN" case list 2>/dev/null | awk 'NR == 2 { print $1 }')
ok "case show" case show "$CASE" --json
check "no record key in a case" bash -c '! grep -qi "record_key" <<<"$0"' "$OUT"
# A publication under the cell key carries the pTable, and its figures are
# the perturbed ones.
sr keygen --out eval --kdf-profile insecure-test-only --passphrase-file admin.pass
ok "publish under the cell key" publish --recipient eval.pub
PKG=$(awk -F'\t' 'length($1) == 64 {print $2}' <<<"$OUT")
ok "the evaluator views it" view "$PKG" sig-intake --key eval.key --passphrase-file admin.pass \
    --format json
echo "$OUT" > pub.json
check "the publication carries the pTable" $CHECK ptable pub.json 5 3 2
check "its counts are never in 1..js" $CHECK counts 2 pub.json
ok "back to suppression" settings --method suppression
ok "suppression again" stats sig-intake --from 2025-01-01 --to 2025-06-30 --format json
check "suppression gives the true counts again" bash -c \
    'diff <(grep -v generated_at supp_h1.json) <(grep -v generated_at <<<"$0") >/dev/null' "$OUT"
ok "audit" audit show --last 30
check "the method change is audited" grep -q "settings.set.*method=suppression D=5 V=3 js=2" <<<"$OUT"
check "summaries are audited with their method" grep -q "stats.*form=sig-intake .*method=cell-key" <<<"$OUT"
t_end
