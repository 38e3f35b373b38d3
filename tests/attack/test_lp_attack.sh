#!/usr/bin/env bash
# test_lp_attack.sh - a smoke test of the LP attacker (tools/lp-attack), not
# of the product: on a registry built so that a hand proof finds one person,
# the attacker must find that person too, and no bound may be wrong.
#
# The construction: unit U1 has ten people with intakes in January 2025, one
# in February and five in March, all with the same answers; U2 has ten in
# January. `stats sig-intake --unit U1 --to 2025-01-31` counts 10 boys (and
# 6 after the period) and `--to 2025-02-28` counts 11 (and 5 after): both
# published, as no group is below min_cell 5. So the single-month query `--from 2025-02-01 --to 2025-02-28`, whose
# counts are withheld, held exactly 11 - 10 = 1 boy, and likewise one
# person for each of that person's answers, while the product allowed month
# windows. Issue 16 closed them: a window is one whole quarter, half-year or
# year, so the month windows are refused and the attacker, given every
# fixed period instead, must recover nobody.
. "$(dirname "$0")/../cli/lib.sh"
t_begin
[ -n "${LP_ATTACK_KEEP:-}" ] && trap - EXIT && echo "kept $T_DIR" >&2
python=${SIGREG_PYTHON:-/usr/bin/python3}
tool="$SIGREG_SOURCE_DIR/tools/lp-attack"

ok "init" init --admin admin --kdf-profile insecure-test-only
ok "unit U1" unit add U1 --name "Unit 1"
ok "unit U2" unit add U2 --name "Unit 2"
"$python" - > cases.jsonl <<'PY'
import json
answers = {
    "sex": "boy", "referral_source": "police", "consent_young_person": True,
    "consent_guardians": "yes", "consent_date": "2025-01-02", "living_situation": "one_parent",
    "school_situation": "absence", "need_crime": "substantial", "need_attitudes": "some",
    "need_peers": "substantial", "need_family": "some", "need_school": "substantial",
    "need_leisure": "some", "need_substances": "some", "need_mental_health": "none",
    "need_violence_exposure": "some", "need_honour": "none", "protective_factors": [],
    "substance_use": "experimental", "police_contacts_6m": "none", "suspected_ever": False,
    "victim_of_crime": "no", "earlier_interventions": []}
cases = [("U1", "2025-01-%02d" % (d + 2)) for d in range(10)] + [("U1", "2025-02-10")]
cases += [("U1", "2025-03-%02d" % (d + 2)) for d in range(5)]
cases += [("U2", "2025-01-%02d" % (d + 2)) for d in range(10)]
for n, (unit, date) in enumerate(cases):
    print(json.dumps({"ref": "t%d" % n, "unit": unit, "responses": [
        {"form": "sig-intake", "version": 1, "date": date, "answers": answers}]}))
PY
ok "import" import cases.jsonl

"$python" "$tool" --registry "$SIGREG_REGISTRY" --passphrase-file admin.pass --user admin \
    --truth cases.jsonl --sigreg "$SIGREG_BIN" --battery windows --jobs 1 --json \
    > attack.json 2> attack.err
rc=$?
if [ "$rc" -eq 0 ]; then pass; else fail "lp-attack exit $rc: $(cat attack.err)"; fi

# check EXPRESSION: a Python expression over the run `s`, which must be true.
check() {
    if "$python" -c "import json, sys; s = json.load(open('attack.json'))[0]
sys.exit(0 if ($2) else 1)"; then pass; else fail "$1: $2"; fi
}
check "the truth model agrees with every published count" \
    's["published_counts_not_matching_truth"] == 0'
check "no bound is wrong" 's["wrong"] == 0 and s["solver_failures"] == 0'
# 12 months back from March 2025, each as a window to its end and as the
# month itself, for all units, U1 and U2: 72 windows, every one refused.
check "every month window is refused" 's["refused"] == 72'
check "the fixed periods are answered" 's["queries"] > 0'
check "nobody is recovered exactly" 's["exact_nonzero"] == 0 and not s["exact_recoveries"]'
# In particular not the February person of U1, as before issue 16.
check "not the February person" "not any(e['units'] == ['U1'] and e['from'] == '2025-02-01'
        for e in s['exact_recoveries'])"
t_end
