#!/usr/bin/env bash
# test_attack_suite.sh - the LP attacker (tools/lp-attack) as part of the
# suite (issue 16, item 8): it plays the analyst and the coordinator against
# small synthetic registries and asserts what disclosure control promises.
#
# Data sets: small registries with skewed units (sigreg-synth), so that many
# groups are small: by default two tiny ones (40 and 50 cases; about a
# minute), with SIGREG_ATTACK_FULL=1 two larger ones (80 and 120; 5-25
# minutes). Batteries:
#   analyst      the fixed breakdowns an analyst would want, as live
#                queries: overall, by sex, unit, unit x sex, year, sex x year,
#                and the cases by status in each;
#   publication  what an analyst reads of a publication of every unit that
#                is addressed to them: the tables overall, by sex, unit and
#                period, for all units and each (one disclosure problem);
#   coordinator  every live query: the fixed breakdowns, each unit alone,
#                quarter windows (the last two quarters by default, four in
#                the full suite) and cumulative windows to each quarter's
#                end, month windows off the quarters (which fixed periods
#                refuse) and other minimum cells (which the floor refuses);
#   change       the change tables with their margins: the intake's and the
#                closure's tables of closed cases.
# The attacker solves only a few items of every kind (ordered choices, a
# boolean that enables a multichoice, a plain multichoice, a 3-option choice),
# with sex and status.
#
# Assertions, per data set and battery:
#   - no withheld count of 1..min_cell-1 has an LP interval narrower than
#     required (it must contain [0, min_cell-1] or be at least min_cell-1
#     wide); no withheld count of 1 or more is recovered exactly; no withheld
#     count is exact at all (a provable zero should be published);
#   - no published count of 1..min_cell-1;
#   - no query window off the calendar quarters is answered;
#   - per analyst and publication breakdown (with its margins), and per
#     change breakdown (by unit, sex, unit x sex, with the coarser ones; the
#     intake's and closure's margins as those tables give them, at no cost),
#     the person-counts hidden are at most 1.2x those of the minimum-cost
#     suppression of the same cells on the same relations (tools/lp-attack
#     --optimum: scipy milp, see there; the exact model has 5 s per item and
#     breakdown, and when it does not finish the best pattern found is the
#     yardstick: a slower machine can only make the check more lenient,
#     never fail it);
#   - the attacker's own model agrees with every published count and no bound
#     is wrong (a check of the attacker, not of the product);
# and seed 001's table 5 (the share answering 4-5 of 26 respondents) is
# published whole when the step counts allow it. What the engine does not do
# yet is listed as known failures, near the end.
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

# dataset NAME CASES SEED UNITS-AS-SYNTH-PICKS-THEM BATTERIES
# BATTERIES: analyst, coordinator, change (live, as the admin) and
# publication (an analyst reading a publication of every unit).
dataset() {
    local name=$1 cases=$2 seed=$3 pick=$4 batteries=$5 dir="$T_DIR/$1"
    # SIGREG_ATTACK_ONLY=NAME runs one data set (a quicker look)
    [ -n "${SIGREG_ATTACK_ONLY:-}" ] && [ "$SIGREG_ATTACK_ONLY" != "$name" ] && return
    mkdir -p "$dir"
    export SIGREG_REGISTRY="$dir/reg.db"
    ok "$name: init" init --admin admin --kdf-profile insecure-test-only
    for u in $(tr ',' '\n' <<<"$pick" | sort -u); do
        ok "$name: unit $u" unit add "$u" --name "$u"
    done
    "$SIGREG_SYNTH" --cases "$cases" --seed "$seed" --units "$pick" > "$dir/cases.jsonl"
    ok "$name: import" import "$dir/cases.jsonl"
    local live pub="" rc=0 r parts=()
    live=$(tr ',' '\n' <<<"$batteries" | grep -vx publication | paste -sd, -)
    if tr ',' '\n' <<<"$batteries" | grep -qx publication; then
        printf 'analyst-passphrase-%s\n' "$name" > "$dir/ana.pass"
        ok "$name: analyst" user add ana --role analyst --kdf-profile insecure-test-only \
            --new-passphrase-file "$dir/ana.pass"
        ok "$name: publish" publish
        pub=1
    fi
    attack() {  # attack USER PASSFILE BATTERIES OUT
        "$python" "$tool" --registry "$dir/reg.db" --passphrase-file "$2" --user "$1" \
            --truth "$dir/cases.jsonl" --sigreg "$SIGREG_BIN" --battery "$3" \
            --items "$items" --optimum --optimum-seconds 5 --quarters "$quarters" --jobs 2 --json \
            > "$4" 2>> "$dir/attack.err"
    }
    if [ -n "$live" ]; then
        attack admin admin.pass "$live" "$dir/live.json" || rc=$?
        parts+=("$dir/live.json")
    fi
    if [ -n "$pub" ]; then
        attack ana "$dir/ana.pass" publication "$dir/pub.json" || { r=$?; [ "$r" -gt "$rc" ] && rc=$r; }
        parts+=("$dir/pub.json")
    fi
    # exit 1 is a wrong bound or a solver failure, checked below with the cells
    if [ "$rc" -le 1 ] && "$python" -c 'import json, sys
json.dump([s for f in sys.argv[2:] for s in json.load(open(f))], open(sys.argv[1], "w"), indent=1)' \
        "$out/$name.json" "${parts[@]}"; then pass; else
        fail "$name: lp-attack exit $rc: $(grep -v '^warning' "$dir/attack.err" | tail -5)"
        return
    fi
    # One line per assertion: "ok NAME", "known NAME: DETAIL" (a failure
    # listed in $known: what the engine does not do yet) or "FAIL NAME: DETAIL"
    # (a listed failure that now passes fails too, so that the list is kept).
    SIGREG_ATTACK_KNOWN="$known" "$python" - "$name" "$out/$name.json" > "$dir/checks" <<'PY'
import fnmatch, json, os, sys
name, path = sys.argv[1], sys.argv[2]
runs = json.load(open(path))
known = [k.strip() for k in os.environ.get("SIGREG_ATTACK_KNOWN", "").split("\n") if k.strip()]


def cells(xs, n=6):
    return "; ".join(json.dumps(x, sort_keys=True) for x in xs[:n]) + \
        (" ... (%d in all)" % len(xs) if len(xs) > n else "")


def check(what, good, detail=""):
    what = "%s: %s" % (name, what)
    listed = any(fnmatch.fnmatchcase(what, k) for k in known)
    if good and not listed:
        print("ok " + what)
    elif good:
        print("FAIL %s: passes now: take it off the known failures" % what)
    elif listed:
        print("known %s: %s" % (what, detail))
    else:
        print("FAIL %s: %s" % (what, detail))


for s in runs:
    b = s["battery"]
    check("%s: the attacker's model agrees with every published count" % b,
          s["published_counts_not_matching_truth"] == 0,
          "%d published counts differ" % s["published_counts_not_matching_truth"])
    check("%s: no bound is wrong" % b, s["wrong"] == 0 and s["solver_failures"] == 0,
          "%d wrong, %d solver failures" % (s["wrong"], s["solver_failures"]))
    check("%s: no withheld count of 1..min_cell-1 has an interval narrower than required" % b,
          s["too_narrow_small"] == 0,
          "%d of %d withheld (%d too narrow in all), such as %s" %
          (s["too_narrow_small"], s["withheld"], s["too_narrow"],
           cells(s.get("too_narrow_cells", []))))
    check("%s: no withheld count of 1 or more is recovered exactly" % b, s["exact_nonzero"] == 0,
          "%d exact (%d of 1..min_cell-1), e.g. %s" %
          (s["exact_nonzero"], s["exact_small"], cells(s["exact_recoveries"])))
    check("%s: no withheld count is exact, zeros included" % b, s["exact"] == 0,
          "%d exact, %d of them 0 (a provable zero withheld)" %
          (s["exact"], s["exact"] - s["exact_nonzero"]))
    if b != "change":
        check("%s: no published count below min_cell" % b, s["published_small"] == 0,
              "%d published, e.g. %s" % (s["published_small"], cells(s["published_small_cells"])))
        check("%s: no window off the quarters is answered" % b,
              not s["answered_off_quarter"],
              "%d answered, e.g. %s" % (len(s["answered_off_quarter"]),
                                       "; ".join(s["answered_off_quarter"][:4])))
    for o in s.get("optimum", []):
        check("%s --by %s: hidden person-counts within 1.2x the minimum-cost optimum" %
              (b, o["breakdown"]), o["engine_hidden"] <= 1.2 * o["optimum"] + 1e-9,
              "%d against %d%s, ratio %.2f; per item: %s" % (
                  o["engine_hidden"], o["optimum"],
                  "" if o["optimum_exact"] else " (an upper bound)", o["ratio"], "; ".join(
                      "%s %d vs %d" % (k, v["engine_hidden"], v["optimum"])
                      for k, v in o["items"].items() if v["engine_hidden"] > 1.2 * v["optimum"])))
PY
    while IFS= read -r line; do
        case "$line" in
            ok\ *) pass ;;
            known\ *) pass; echo "known failure: ${line#known }" >&2 ;;
            *) fail "${line#FAIL }" ;;
        esac
    done < "$dir/checks"
    unset SIGREG_REGISTRY
}

# The default suite (ctest attack.suite) is a subset chosen to take about a
# minute: two tiny registries, every battery on one of them, the coordinator's
# windows over the last two quarters. SIGREG_ATTACK_FULL=1 (ctest
# attack.suite_full, opt-in) runs the whole of it. Known failures are what
# the engine does not do yet (issue 16), each listed by its check's name (a
# glob): one that passes fails the test until it is taken off the list.
if [ -n "${SIGREG_ATTACK_FULL:-}" ]; then
    quarters=4
    known=${SIGREG_ATTACK_KNOWN_FULL:-}
    dataset small3 80 5 A,A,A,B,B,C analyst,coordinator,change,publication
    dataset small5 120 9 NORR,NORR,NORR,SODER,SODER,VASTER,OSTER,LILLA \
        analyst,coordinator,change,publication
else
    quarters=2
    # Known failures (December 2026), what the engine does not do yet:
    # - withheld counts that published ones prove to be 0 (item 3), in the
    #   live batteries: the audit publishes a zero when its own summary's
    #   relations prove it (disclosure.c, settle; a held one too), not
    #   other queries' figures. A publication is one problem whose tables'
    #   sums along every dimension are the cells of the tables they add up
    #   to (linked after a first solve: srp_sdc_solve_linked), so it has no
    #   exact zero left (tiny2: 25 -> 0). A figure
    #   that is 0 in every group of a breakdown is published as 0 when the
    #   query without the breakdown publishes it (stats_protect.c,
    #   mark_zeros); next to a small option (of options that add up, as in
    #   table 5 below) it is held withheld in every group, as that query
    #   may take it as a complement. Empty groups are listed, shown withheld
    #   with the small groups beside them and taken as known 0 (a coarser
    #   breakdown publishes it), so that a listing does not tell by absence
    #   what a small group answered. A change table's margin that the
    #   intake's or closure's table withholds stays withheld, though its
    #   published pairs may give it (most of the change battery's zeros).
    #   A 'missing' option that nobody chose is 0 in every group and is
    #   published as such, beside a small option too: the query without
    #   the breakdown pins it (its denominator is those who answered).
    #   An empty combination of a breakdown by two dimensions, one of them
    #   the form's item, is published as 0 when the query without that
    #   item publishes its figure there as 0 (it is run and solved first:
    #   stats.c, coarser_jobs), e.g. unit C's "other" sex by unit.
    #   Exact zeros, December 2026 (41e8dc9 -> 87de62e -> 3ada2a3 ->
    #   2c9ff94 -> now): tiny2 analyst 80 -> 91 -> 9 -> 9 -> 9,
    #   coordinator 117 -> 119 -> 28 -> 28 -> 28, change 240 -> 205 -> 109
    #   -> 126 -> 124, publication 34 -> 25 -> 0 -> 0 -> 0, tiny3 analyst
    #   76 -> 79 -> 19 -> 19 -> 19; none nonzero. The change battery's
    #   15 more are margins: the intake's and closure's tables now hold
    #   what their items' cubes withhold (stats_pairs.c), which the change
    #   tables' pairs then give as 0. The publication also hides at most
    #   1.2x the optimum of all its tables at once ("whole", lp-attack):
    #   tiny2 1.17.
    # Every analyst breakdown hides at most 1.2x the minimum-cost optimum
    # since the optimum is that of the relations the attacker has (a
    # required item's options add up to the group's size): tiny3 by sex
    # 1.07, unit 1.11, year 0.92 (the engine merges the small year 2023),
    # unit x sex and sex x year about 1.1.
    # The analyst's and the change batteries pass since the change tables
    # and the linked denominators are cells of the problem. The publication
    # and the coordinator's batteries pass since a unit's table and the
    # table of all units are parts and their total (one problem in a
    # publication; live, the table of all units keeps published what the
    # units' tables give away). tiny2 showed it: its table of all units by
    # year withheld "one" (5) of police_contacts_6m in 2025, which the
    # tables of unit A (5) and B (0) publish, and then "five_or_more" was
    # 15 - 7 - 5 = 3. The change tables hide 1.0-1.1x the optimum with their
    # margins as the intake's and closure's tables give them (tiny2: by
    # unit 1.06, sex 1.00, unit x sex 0.93 of an upper bound). Margins
    # chosen together with the change tables would be cheaper (by unit,
    # with the intake's margins only: 1.24 of an upper bound): each margin
    # table is its own live problem, with relations to the unfiltered and
    # open tables that the change battery does not query.
    known=$(cat <<'KNOWN'
tiny2: analyst: no withheld count is exact, zeros included
tiny2: coordinator: no withheld count is exact, zeros included
tiny2: change: no withheld count is exact, zeros included
tiny3: analyst: no withheld count is exact, zeros included
KNOWN
)
    dataset tiny2 40 3 A,A,B analyst,coordinator,change,publication
    dataset tiny3 50 8 A,A,B,C analyst
fi

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
