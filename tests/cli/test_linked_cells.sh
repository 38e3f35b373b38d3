#!/usr/bin/env bash
# test_linked_cells.sh - figures that other figures give away are cells of
# the disclosure problem (issue 16), checked against hand-computed truth on
# a registry built for it.
#
# Unit U1: 12 cases, all closed. Nine were ever suspected (suspected_ever
# true = 9, false = 3: a small count, so true is withheld too, or false
# would be 12 - 9); five of theft, five of violence (one of both). The
# denominator of crime_types and the n of age_first_suspected are those 9
# (the items are asked only of them), so neither may be printed.
# need_crime: 10 cases 'some' at intake, 'none' at closure (improved); 2
# 'unknown' at both ('missing': not comparable). So the change table has 12
# pairs (every row's denominator) and 10 comparable ones (the summaries'
# denominator): their difference, 2, is the unknown>unknown cell, whose
# row and column are otherwise zeros.
. "$(dirname "$0")/lib.sh"
t_begin
python=${SIGREG_PYTHON:-python3}

ok "init" init --admin admin --kdf-profile insecure-test-only
ok "unit U1" unit add U1 --name "Unit 1"
"$python" - > cases.jsonl <<'PY'
import json
needs = ["need_attitudes", "need_peers", "need_family", "need_school", "need_leisure",
         "need_substances", "need_mental_health", "need_violence_exposure", "need_honour"]
for n in range(12):
    suspected = n < 9
    crime = "unknown" if n >= 10 else "some"
    intake = {"sex": "boy", "referral_source": "police", "consent_young_person": True,
              "consent_guardians": "yes", "consent_date": "2025-01-02",
              "living_situation": "one_parent", "school_situation": "absence",
              "need_crime": crime, "protective_factors": [], "substance_use": "experimental",
              "police_contacts_6m": "none", "suspected_ever": suspected,
              "victim_of_crime": "no", "earlier_interventions": []}
    intake.update({k: "some" for k in needs})
    if suspected:
        intake["crime_types"] = (["theft"] if n < 5 else []) + (["violence"] if n >= 4 else [])
        intake["age_first_suspected"] = 14
    closure = {"closure_reason": "goals_reached", "goals_reached": "partly",
               "overall_change": "improved", "school_situation": "absence",
               "need_crime": "unknown" if n >= 10 else "none", "substance_use": "experimental",
               "police_contacts_6m": "none", "continued_support": []}
    closure.update({k: "some" for k in needs})
    print(json.dumps({"ref": "t%d" % n, "unit": "U1", "responses": [
        {"form": "sig-intake", "version": 1, "date": "2025-01-%02d" % (n + 2), "answers": intake},
        {"form": "sig-closure", "version": 1, "date": "2025-06-%02d" % (n + 2),
         "answers": closure}]}))
PY
ok "import" import cases.jsonl

# check WHAT JSON EXPRESSION: EXPRESSION over `rows` (item -> value -> row) is true.
check() {
    if printf '%s\n' "$2" | "$python" -c "import json, sys
doc = json.load(sys.stdin)
rows = {}
for r in doc['rows']:
    rows.setdefault(r['item'], {})[r['value']] = r
sys.exit(0 if ($3) else 1)"; then pass; else fail "$1: $3"; fi
}

ok "intake" stats sig-intake --format json
intake=$OUT
check "suspected_ever = false (3) is withheld" "$intake" \
    'rows["suspected_ever"]["false"]["count"] is None'
check "so is true (9): those who answered are known" "$intake" \
    'rows["suspected_ever"]["true"]["count"] is None'
check "crime_types' denominator (9, those suspected) is not printed" "$intake" \
    'all(r["denominator"] is None and r["percent"] is None for r in rows["crime_types"].values())'
check "age_first_suspected's n (9, those suspected) is withheld" "$intake" \
    'rows["age_first_suspected"]["n"]["count"] is None'
check "a denominator given by nothing else is printed (victim_of_crime, 12)" "$intake" \
    'rows["victim_of_crime"]["no"]["denominator"] == 12 and rows["victim_of_crime"]["no"]["count"] == 12'

ok "change" stats sig-closure --change --format json
change=$OUT
check "unknown>unknown (2) is withheld" "$change" \
    'rows["need_crime"]["unknown>unknown"]["count"] is None'
# 12 pairs printed as every row's denominator: with the comparable 10 beside
# them, and the unknown row and column zeros, unknown>unknown = 12 - 10.
check "the pairs with 'unknown' (12 - 10) cannot be computed" "$change" '
not (rows["need_crime"]["improved"]["denominator"] is not None
     and rows["need_crime"]["some>none"]["denominator"] is not None
     and all(r["count"] is not None for v, r in rows["need_crime"].items()
             if ">" in v and "unknown" in v and v != "unknown>unknown"))'
t_end
