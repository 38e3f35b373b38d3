#!/usr/bin/env bash
# test_attack_suite.sh - the LP attacker (tools/lp-attack) as part of the
# suite (issue 16, item 8): it plays the analyst and the coordinator against
# small synthetic registries and asserts what disclosure control promises.
#
# Data sets: small registries with skewed units (sigreg-synth), so that many
# groups are small. Batteries:
#   analyst      the fixed breakdowns of a publication: overall, by sex, unit,
#                unit x sex, year, sex x year, and the cases by status in each;
#   coordinator  every live query: those, each unit alone, quarter windows and
#                cumulative windows to each quarter's end, month windows off
#                the quarters (which fixed periods refuse) and other minimum
#                cells (which the floor refuses below the registry's);
#   change       the change tables with the intake margins of closed cases.
# The attacker solves only a few items of every kind (ordered choices, a
# boolean that enables a multichoice, a plain multichoice, a 3-option choice),
# with sex and status, to stay within a minute or two.
#
# Assertions, per data set and battery:
#   - no withheld count has an LP interval narrower than required (it must
#     contain [0, min_cell-1] or be at least min_cell-1 wide);
#   - no exact recovery; no published count of 1..min_cell-1;
#   - no query window off the calendar quarters is answered;
#   - per analyst breakdown (with its margins), the person-counts hidden are
#     at most 1.2x those of the minimum-cost suppression of the same cells on
#     the same relations (tools/lp-attack --optimum: scipy milp, see there);
#   - the attacker's own model agrees with every published count and no bound
#     is wrong (a check of the attacker, not of the product);
# and seed 001's table 5 (the share answering 4-5 of 26 respondents) is
# published whole when the step counts allow it.
#
# SIGREG_ATTACK_OUT=DIR keeps every result (JSON) there, for the figures.
. "$(dirname "$0")/../cli/lib.sh"
t_begin
[ -n "${LP_ATTACK_KEEP:-}" ] && trap - EXIT && echo "kept $T_DIR" >&2
python=${SIGREG_PYTHON:-/usr/bin/python3}
tool="$SIGREG_SOURCE_DIR/tools/lp-attack"
out=${SIGREG_ATTACK_OUT:-$T_DIR/results}
mkdir -p "$out"
items=need_crime,police_contacts_6m,suspected_ever,crime_types,protective_factors,victim_of_crime

# dataset NAME CASES SEED UNITS-AS-SYNTH-PICKS-THEM
dataset() {
    local name=$1 cases=$2 seed=$3 pick=$4 dir="$T_DIR/$1"
    mkdir -p "$dir"
    SIGREG_REGISTRY="$dir/reg.db" ok "$name: init" init --admin admin \
        --kdf-profile insecure-test-only
    for u in $(tr ',' '\n' <<<"$pick" | sort -u); do
        SIGREG_REGISTRY="$dir/reg.db" ok "$name: unit $u" unit add "$u" --name "$u"
    done
    "$SIGREG_SYNTH" --cases "$cases" --seed "$seed" --units "$pick" > "$dir/cases.jsonl"
    SIGREG_REGISTRY="$dir/reg.db" ok "$name: import" import "$dir/cases.jsonl"
    "$python" "$tool" --registry "$dir/reg.db" --passphrase-file admin.pass --user admin \
        --truth "$dir/cases.jsonl" --sigreg "$SIGREG_BIN" --battery analyst,coordinator,change \
        --items "$items" --optimum --jobs 2 --json > "$out/$name.json" 2> "$dir/attack.err"
    local rc=$?
    # exit 1 is a wrong bound or a solver failure, checked below with the cells
    if [ "$rc" -le 1 ] && [ -s "$out/$name.json" ]; then pass; else
        fail "$name: lp-attack exit $rc: $(grep -v '^warning' "$dir/attack.err" | tail -5)"
        return
    fi
    # One line per assertion: "ok NAME" or "FAIL NAME: the cells".
    "$python" - "$name" "$out/$name.json" > "$dir/checks" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
runs = json.load(open(path))


def cells(xs, n=6):
    return "; ".join(json.dumps(x, sort_keys=True) for x in xs[:n]) + \
        (" ... (%d in all)" % len(xs) if len(xs) > n else "")


def check(what, good, detail=""):
    print(("ok %s: %s" % (name, what)) if good else ("FAIL %s: %s: %s" % (name, what, detail)))


for s in runs:
    b = s["battery"]
    check("%s: the attacker's model agrees with every published count" % b,
          s["published_counts_not_matching_truth"] == 0,
          "%d published counts differ" % s["published_counts_not_matching_truth"])
    check("%s: no bound is wrong" % b, s["wrong"] == 0 and s["solver_failures"] == 0,
          "%d wrong, %d solver failures" % (s["wrong"], s["solver_failures"]))
    check("%s: no interval narrower than [0, min_cell-1] (%d withheld)" % (b, s["withheld"]),
          s["too_narrow"] == 0,
          "%d too narrow, e.g. %s" % (s["too_narrow"], cells(s.get("too_narrow_cells", []))))
    check("%s: no exact recovery" % b, s["exact"] == 0,
          "%d exact (%d of a count >= 1), e.g. %s" %
          (s["exact"], s["exact_nonzero"], cells(s["exact_recoveries"])))
    if b != "change":
        check("%s: no published count below min_cell" % b, s["published_small"] == 0,
              "%d published, e.g. %s" % (s["published_small"], cells(s["published_small_cells"])))
        check("%s: no window off the quarters is answered" % b,
              not s["answered_off_quarter"],
              "%d answered, e.g. %s" % (len(s["answered_off_quarter"]),
                                       "; ".join(s["answered_off_quarter"][:4])))
    for o in s.get("optimum", []):
        check("analyst --by %s: hidden person-counts %d within 1.2x the optimum %d%s" %
              (o["breakdown"], o["engine_hidden"], o["optimum"],
               "" if o["optimum_exact"] else " (an upper bound)"),
              o["engine_hidden"] <= 1.2 * o["optimum"] + 1e-9,
              "ratio %.2f; per item: %s" % (o["ratio"], "; ".join(
                  "%s %d vs %d" % (k, v["engine_hidden"], v["optimum"])
                  for k, v in o["items"].items() if v["engine_hidden"] > 1.2 * v["optimum"])))
PY
    while IFS= read -r line; do
        case "$line" in
            ok\ *) pass ;;
            *) fail "${line#FAIL }" ;;
        esac
    done < "$dir/checks"
}

dataset small3 80 5 A,A,A,B,B,C
dataset small5 120 9 NORR,NORR,NORR,SODER,SODER,VASTER,OSTER,LILLA

# Seed 001's table 5: 26 respondents, the share answering 4 or 5. Steps 4 and
# 5 are large in every item, so the share is published whatever step is small:
# felt_safe 22 of 26 (steps 3: 4, 4: 10, 5: 12; step 3 is small), felt_understood
# 21 (3: 5), could_influence 20 (2: 6), got_help 18 (3: 8).
export SIGREG_REGISTRY="$T_DIR/t5/reg.db"
mkdir -p "$T_DIR/t5"
ok "table 5: init" init --admin admin --kdf-profile insecure-test-only
ok "table 5: unit" unit add U1 --name "Unit 1"
"$python" - > "$T_DIR/t5/cases.jsonl" <<'PY'
import json
steps = {"felt_safe": [3] * 4 + [4] * 10 + [5] * 12,
         "felt_understood": [3] * 5 + [4] * 9 + [5] * 12,
         "could_influence": [2] * 6 + [4] * 8 + [5] * 12,
         "got_help": [3] * 8 + [4] * 6 + [5] * 12}
intake = {"sex": "boy", "referral_source": "police", "consent_young_person": True,
          "consent_guardians": "yes", "consent_date": "2025-01-02",
          "living_situation": "one_parent", "school_situation": "absence",
          "need_crime": "substantial", "need_attitudes": "some", "need_peers": "substantial",
          "need_family": "some", "need_school": "substantial", "need_leisure": "some",
          "need_substances": "some", "need_mental_health": "none",
          "need_violence_exposure": "some", "need_honour": "none", "protective_factors": [],
          "substance_use": "experimental", "police_contacts_6m": "none",
          "suspected_ever": False, "victim_of_crime": "no", "earlier_interventions": []}
for n in range(26):
    exp = {"answered_by": "alone", "would_recommend": True}
    exp.update({k: v[n] for k, v in steps.items()})
    print(json.dumps({"ref": "t%d" % n, "unit": "U1", "responses": [
        {"form": "sig-intake", "version": 1, "date": "2025-01-%02d" % (n + 2), "answers": intake},
        {"form": "sig-experience", "version": 1, "date": "2025-03-%02d" % (n + 2),
         "answers": exp}]}))
PY
ok "table 5: import" import "$T_DIR/t5/cases.jsonl"
ok "table 5: stats" stats sig-experience --format json
printf '%s\n' "$OUT" > "$T_DIR/t5/stats.json"
cp "$T_DIR/t5/stats.json" "$out/table5.json"
t5() {  # t5 ITEM TOP2: the share of steps 4-5 and both steps, published
    if "$python" - "$T_DIR/t5/stats.json" "$1" "$2" <<'PY'
import json, sys
rows = {r["value"]: r for r in json.load(open(sys.argv[1]))["rows"] if r["item"] == sys.argv[2]}
top2 = int(sys.argv[3])
t = rows.get("top2")
ok = t is not None and not t["suppressed"] and t["count"] == top2 and t["denominator"] == 26 \
    and abs(t["percent"] - round(100.0 * top2 / 26, 1)) < 0.051
ok = ok and all(not rows[s]["suppressed"] and rows[s]["count"] is not None for s in ("4", "5"))
if not ok:
    print(json.dumps({k: (v["count"], v["suppressed"]) for k, v in rows.items()}))
sys.exit(0 if ok else 1)
PY
    then pass; else fail "table 5: $1: the share in steps 4-5 ($2 of 26) and both steps published"; fi
}
t5 felt_safe 22
t5 felt_understood 21
t5 could_influence 20
t5 got_help 18
t_end
