#!/usr/bin/env bash
# test_stats.sh - group summaries through the command line: the tidy formats,
# the settings, the minimum cell, roles and units, and the audit entry.
source "$(dirname "$0")/lib.sh"
t_begin
SYNTH=${SIGREG_SYNTH:?}
check "make registry" make_registry
"$SYNTH" --cases 300 --seed 11 --units U1,U2 > synth.jsonl
ok "import" import synth.jsonl

ok "table" stats sig-intake
check "table has Swedish labels" grep -q "Brottslighet" <<<"$OUT"
check "table explains withheld figures" grep -q "uppgiften redovisas inte" <<<"$OUT"
ok "table in English" stats sig-intake --lang en
check "English labels" grep -q "Criminal activity" <<<"$OUT"

ok "csv" stats sig-intake --by sex --format csv
check "csv header" test "$(head -1 <<<"$OUT" | tr -d '\r')" = "form,item,sex,value,count,denominator,percent,estimate,suppressed,item_label,value_label,sex_label,unit_of_count,unit_of_count_label"
printf '%s\n' "$OUT" | tr -d '\r' | cut -d, -f1-9 > by_sex.csv
check "suppressed rows have no count, percent or estimate" bash -c "! grep -E ',true$' by_sex.csv | grep -qvE '^[^,]*,[^,]*,[^,]*,[^,]*,,[^,]*,,,true$'"
check "some rows are suppressed" grep -qE ',true$' by_sex.csv
check "labels in the language asked for" grep -q '^sig-intake,sex,girl,girl,.*,Kön,Flicka,Flicka' <<<"$(tr -d '\r' <<<"$OUT")"
check "no free text summarised" bash -c "! grep -q ',notes,' <<<'$OUT'"
check "no dates summarised" bash -c "! grep -q ',consent_date,' <<<'$OUT'"
ok "excel csv" stats sig-intake --format csv --excel
check "excel: BOM and semicolons" bash -c "head -c 3 <<<'$OUT' | od -An -tx1 | grep -q 'ef bb bf' && head -1 <<<'$OUT' | grep -q 'formulär;fråga;värde;antal;bas;procent;skattning;ej redovisad;frågetext;svarstext;räknas som'"
ok "excel csv in English" stats sig-intake --format csv --excel --lang en
check "excel --lang en: the contract's names" grep -q 'form;item;value;count;denominator;percent;estimate;suppressed;item_label;value_label;unit_of_count;unit_of_count_label' <<<"$(head -1 <<<"$OUT")"
ok "csv --lang sv" stats sig-intake --format csv --lang sv
check "csv --lang sv: Swedish headers" bash -c "head -1 <<<'$OUT' | grep -q '^formulär,fråga,värde,antal,'"

# Windows are fixed periods only (issue 16): dates off a quarter are refused,
# naming the nearest boundaries, and so are whole quarters that are not one
# quarter, half-year or year; nothing is widened any more.
refused "a window off the quarters" "^error: --from: the start date '2025-02-14' is not the first day of a quarter: the nearest are 2025-01-01 and 2025-04-01$" stats sig-intake --from 2025-02-14 --to 2025-11-03
refused "an end off the quarters" "^error: --to: the end date '2025-11-03' is not the last day of a quarter: the nearest are 2025-09-30 and 2025-12-31$" stats sig-intake --from 2025-01-01 --to 2025-11-03
refused "three quarters are no fixed period" "^error: --to: the period 2025-01-01 to 2025-09-30 is not one quarter, half-year or year: the nearest are 2025-01-01 to 2025-06-30 and 2025-01-01 to 2025-12-31$" stats sig-intake --from 2025-01-01 --to 2025-09-30
refused "an end alone is no period" "^error: --from: a period needs both a start and an end date$" stats sig-intake --to 2025-03-31
ok "json" stats sig-intake --by unit --format json --from 2025-01-01 --to 2025-06-30 --lang en
echo "$OUT" > stats.json
check "json has rows and settings" bash -c 'grep -q "\"rows\"" stats.json && grep -q "\"min_cell\": 5" stats.json && grep -q "\"generated_at\"" stats.json && grep -q "\"form_versions\"" stats.json'
check "the half-year as asked" bash -c 'grep -q "\"from\": \"2025-01-01\"" stats.json && grep -q "\"to\": \"2025-06-30\"" stats.json && ! grep -q "widened" stats.json'
check "rows carry the by column" grep -q '"unit": "U1"' stats.json

# min_cell is a floor (issue 16): a query may neither lower nor raise it.
ok "min cell as set" stats sig-intake --min-cell 5 --format json
check "min cell 5 used" grep -q '"min_cell": 5' <<<"$OUT"
before_floor=$(registry_sums)
refused "min cell raised in a query" "^error: --min-cell: the minimum cell 10 differs from the registry's 5: a summary uses the registry's, so that no two patterns of withheld figures can be combined \(a publication may raise it\)$" stats sig-intake --min-cell 10 --format json
refused "min cell lowered in a query" "^error: --min-cell: the minimum cell 4 is below the registry's 5: it is a floor that only an admin's setting changes$" stats sig-intake --min-cell 4
refused "min cell below 3" "below the registry's 5" stats sig-intake --min-cell 2
check "a refused minimum cell changes nothing" test "$before_floor" = "$(registry_sums)"
ok "settings" settings
check "default minimum cell 5" grep -q "min_cell.5" <<<"$OUT"
ok "raise the registry's minimum cell" settings --min-cell 7
ok "summary uses the setting" stats sig-intake --format json
check "min cell 7 used" grep -q '"min_cell": 7' <<<"$OUT"
refused "setting below 3" "may not be below 3" settings --min-cell 2
refused "analyst may not change settings" "may not change settings" --user ana --passphrase-file analyst.pass settings --min-cell 9
ok "back to 5" settings --min-cell 5
refused "unknown form" "no form 'nope'" stats nope
refused "bad --by" "not an item" stats sig-intake --by shoe_size
refused "text cannot group" "only choice, boolean and scale" stats sig-intake --by notes
ok "cases by status" stats cases --by unit --format csv
check "cases rows" grep -q "^cases,status,U1,open," <<<"$OUT"
ok "closure grouped by intake sex" stats sig-closure --by sex --format csv
check "intake item groups a later form" grep -q "^sig-closure,overall_change,boy," <<<"$OUT"
ok "change table" stats sig-closure --change --format csv
check "paired cells and shares" bash -c "grep -q ',need_crime,none>some,' <<<'$OUT' && grep -q ',need_crime,improved,' <<<'$OUT'"
ok "days to closure" stats sig-closure --format csv
check "days from intake to closure" grep -q ",days_intake_to_closure,median," <<<"$OUT"
ok "interventions per case" stats sig-intervention --format csv
check "registrations per case" grep -q ",registrations_per_case,mean," <<<"$OUT"
ok "out file" stats sig-experience --format csv --out exp.csv
check "out file written" grep -q "felt_safe,top2" exp.csv

# Repeatable forms: each row says what it counts, the table says it in words
ok "intervention json" stats sig-intervention --format json
echo "$OUT" > iv.json
check "a repeatable form's answers count people who ever gave them" /usr/bin/python3 -c '
import json, sys
rows = json.load(open("iv.json"))["rows"]
one = [r for r in rows if r["item"] == "young_person_participation"]
assert one and all(r["unit_of_count"] == "people_ever" for r in one), one
assert "kan räknas under flera svar" in one[0]["unit_of_count_label"]
per_case = [r for r in rows if r["item"] == "registrations_per_case"]
assert per_case and all(r["unit_of_count"] == "people" for r in per_case)
stats = {r["value"]: r["value_label"] for r in per_case}
assert stats == {"n": "antal", "mean": "medelvärde", "median": "median",
                 "p25": "25:e percentilen", "p75": "75:e percentilen"}, stats
'
ok "intake json" stats sig-intake --format json
echo "$OUT" > intake.json
check "a single choice of a one-off form counts each person once" /usr/bin/python3 -c '
import json
rows = json.load(open("intake.json"))["rows"]
assert all(r["unit_of_count"] == "people" for r in rows if r["item"] == "sex")
'
ok "intervention table" stats sig-intervention
check "the table says shares may add up to more than 100 %" grep -q "kan tillsammans bli mer än 100 %" <<<"$OUT"
check "and marks those shares" grep -qE '[0-9],[0-9] %\*|[0-9]\.[0-9] %\*' <<<"$OUT"
ok "experience json" stats sig-experience --format json
check "top2 is labelled with its steps" bash -c "grep -q '\"value_label\": \"andel i de två högsta stegen (4–5)\"' <<<'$OUT'"

# The workbook: cover and form sheet, checked against the JSON of the same query
refused "xlsx needs --out" "give it with --out" stats sig-intake --format xlsx
ok "xlsx" stats sig-intervention --by unit --format xlsx --out iv.xlsx
check "xlsx written" test -s iv.xlsx
ok "the same query as json" stats sig-intervention --by unit --format json
echo "$OUT" > iv-unit.json
if /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
    check "workbook matches the json (by unit)" /usr/bin/python3 "$SIGREG_SOURCE_DIR/tests/cli/xlsx_check.py" iv.xlsx iv-unit.json
    ok "xlsx intake by sex" stats sig-intake --by sex --format xlsx --out intake.xlsx
    ok "intake by sex json" stats sig-intake --by sex --format json
    echo "$OUT" > intake-sex.json
    check "workbook matches the json (intake by sex)" /usr/bin/python3 "$SIGREG_SOURCE_DIR/tests/cli/xlsx_check.py" intake.xlsx intake-sex.json
    ok "xlsx experience, English" stats sig-experience --format xlsx --out exp.xlsx --lang en
    ok "experience json, English" stats sig-experience --format json --lang en
    echo "$OUT" > exp-en.json
    check "workbook matches the json (experience)" /usr/bin/python3 "$SIGREG_SOURCE_DIR/tests/cli/xlsx_check.py" exp.xlsx exp-en.json
    ok "xlsx change table by unit" stats sig-closure --change --by unit --format xlsx --out change.xlsx
    ok "change table json" stats sig-closure --change --by unit --format json
    echo "$OUT" > change.json
    check "workbook matches the json (change table)" /usr/bin/python3 "$SIGREG_SOURCE_DIR/tests/cli/xlsx_check.py" change.xlsx change.json
else
    echo "skip: python3-openpyxl is not installed; the workbook is not read back" >&2
fi
refused "xlsx does not replace a file" "exists" stats sig-intake --format xlsx --out iv.xlsx
ok "xlsx replaces it with --force" stats sig-intake --format xlsx --out iv.xlsx --force
refused "xlsx never onto the registry" "registry" stats sig-intake --format xlsx --out "$SIGREG_REGISTRY" --force
check "registry still opens" "$SIGREG_BIN" settings
check "no temporary file left" bash -c '! ls -a | grep -q "^\.sigreg-"'

# Roles: an analyst reads the publication made for them; a coordinator of
# one unit sees that unit
refused "analyst without a publication" "no publication is addressed" --user ana --passphrase-file analyst.pass stats sig-intake
ok "coordinator publishes" --user coord --passphrase-file coord.pass publish
ok "analyst summary" --user ana --passphrase-file analyst.pass stats sig-intake --format csv
check "from the publication" grep -q "^sig-intake,sex,girl," <<<"$(tr -d '\r' <<<"$OUT")"
refused "coordinator elsewhere" "does not work in unit 'U2'" --user coord --passphrase-file coord.pass stats sig-intake --unit U2
ok "coordinator's own unit" --user coord --passphrase-file coord.pass stats sig-intake --format csv

# The HTML report: one self-contained page
ok "report" report --out report.html
check "report has the forms, the change tables and the case flow" bash -c 'grep -q "SIG – inskrivning" report.html && grep -q "förändring från inskrivningen" report.html && grep -q "Ärendeflöde" report.html'
check "report draws SVG bars" grep -q "<svg" report.html
check "report runs no scripts and fetches nothing" bash -c '! grep -qiE "<script|https?:|src=|<link" report.html'
check "report shows withheld figures as .." grep -q ">\.\.<" report.html
check "report carries no free text" bash -c '! grep -q "Syntetisk anteckning" report.html'

ok "audit" audit show
check "summaries are audited with their settings" grep -q "stats.*form=sig-intake by=sex" <<<"$OUT"

# A unit's table and the table of all units (issue 16): in this registry
# (40 cases, units A, A, B) the table of all units by year once withheld
# 'one' of police_contacts_6m in 2025 (5), which unit A (5) and unit B (0)
# publish, and then 'five_or_more' was 15 - 7 - 5 = 3. Whatever the units'
# tables publish of a figure, the table of all units publishes too.
export SIGREG_REGISTRY="$T_DIR/parts.db"
ok "parts: init" init --admin admin --kdf-profile insecure-test-only
ok "parts: unit A" unit add A --name A
ok "parts: unit B" unit add B --name B
"$SYNTH" --cases 40 --seed 3 --units A,A,B > parts.jsonl
ok "parts: import" import parts.jsonl
for u in all A B; do
    if [ "$u" = all ]; then sr stats sig-intake --by year --format csv
    else sr stats sig-intake --by year --unit "$u" --format csv; fi
    printf '%s\n' "$OUT" | tr -d '\r' > "parts_$u.csv"
done
row() { grep "^sig-intake,police_contacts_6m,2025,$2," "parts_$1.csv" | cut -d, -f5,9; }
check "parts: unit A publishes 'one' in 2025 (5)" test "$(row A one)" = "5,false"
check "parts: unit B publishes 'one' in 2025 (0)" test "$(row B one)" = "0,false"
check "parts: so does the table of all units (5)" test "$(row all one)" = "5,false"
check "parts: and it withholds 'none' and 'five_or_more' (3)" \
    test "$(row all none),$(row all five_or_more)" = ",true,,true"
check "parts: no count withheld of all units whose units' counts are all published" \
    python3 - parts_all.csv parts_A.csv parts_B.csv <<'PY'
import csv, sys
def rows(path):
    return {(r["item"], r["year"], r["value"]): r for r in csv.DictReader(open(path))}
total, parts = rows(sys.argv[1]), [rows(p) for p in sys.argv[2:]]
def shown(p, k):  # published, or a year the unit has nobody in (0)
    return p[k]["suppressed"] == "false" if k in p else all(x[1] != k[1] for x in p)
bad = [k for k, r in total.items() if r["suppressed"] == "true" and all(shown(p, k) for p in parts)]
sys.exit(1 if bad else 0)
PY
t_end
