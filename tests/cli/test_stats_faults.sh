#!/usr/bin/env bash
# test_stats_faults.sh - regressions of issue 11's summary faults: a scale of
# the largest range in a change table (1), groups whose keys are 32
# characters long (2), and a summary that states the filter it ran (3); and
# of issue 16: a breakdown of two items lists every combination (4).
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
# Fault 4 (issue 16): a breakdown of two items lists every combination of
# the values it found, so that no listing tells by absence what a small
# group answered. x=c has 2 people, both y=p: c x q and c x r are listed
# and withheld like c x p; b (4 p, 4 q, no r) is withheld whole, but for what
# everyone knows (x = a among the x = b is 0); what a publishes is its true
# count (a x p may protect b and c). b x r and c x r are empty and public:
# the breakdown by y alone publishes that nobody with y = r has x = b or c
# (its group r: 7, all a), so they are published as 0.
cat > two.json <<'JSON'
{"format": "sigreg-form/1", "id": "t-two", "version": 1, "phase": "intake",
 "title": {"sv": "Två frågor", "en": "Two items"},
 "items": [{"id": "x", "type": "choice", "label": {"sv": "X", "en": "X"}, "required": true,
            "options": [{"code": "a", "label": {"sv": "A", "en": "A"}},
                        {"code": "b", "label": {"sv": "B", "en": "B"}},
                        {"code": "c", "label": {"sv": "C", "en": "C"}}]},
           {"id": "y", "type": "choice", "label": {"sv": "Y", "en": "Y"}, "required": true,
            "options": [{"code": "p", "label": {"sv": "P", "en": "P"}},
                        {"code": "q", "label": {"sv": "Q", "en": "Q"}},
                        {"code": "r", "label": {"sv": "R", "en": "R"}}]}]}
JSON
ok "install the two-item form" form install two.json
: > two.jsonl
pairs="a:p:7 a:q:6 a:r:7 b:p:4 b:q:4 c:p:2"
n=0
for pair in $pairs; do
    IFS=: read -r x y k <<<"$pair"
    for _ in $(seq 1 "$k"); do
        n=$((n + 1))
        printf '{"ref": "two%d", "unit": "U1", "responses": [{"form": "t-two", "version": 1, "date": "2025-02-03", "answers": {"x": "%s", "y": "%s"}}]}\n' "$n" "$x" "$y" >> two.jsonl
    done
done
ok "import the two-item cases" import two.jsonl
ok "breakdown by x and y" stats t-two --by x,y --format json
printf '%s\n' "$OUT" > two.json.out
check "every combination listed; b and c withheld whole; a's counts right" python3 - two.json.out <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
groups = {}
for r in rows:
    groups.setdefault((r["x"], r["y"]), []).append(r)
assert set(groups) == {(x, y) for x in "abc" for y in "pqr"}, sorted(groups)
for (x, y), rs in groups.items():
    for r in rs:
        # x = a among the x = b is 0 by construction, and shown in every group
        structural = r["value"] != {"x": x, "y": y}[r["item"]]
        if (x, y) in (("b", "r"), ("c", "r")):
            assert not r["suppressed"] and r["count"] == 0, r
        elif structural:
            assert not r["suppressed"] and r["count"] == 0, r
        elif x in "bc":
            assert r["suppressed"] and r["count"] is None, r
people = {("a", "p"): 7, ("a", "q"): 6, ("a", "r"): 7}
published = 0
for (x, y), rs in groups.items():
    for r in rs:
        if r["item"] == "y" and not r["suppressed"]:
            published += 1
            assert r["count"] == (people.get((x, y), 0) if r["value"] == y else 0), r
assert published >= 3, published  # a's other answers, 0, at least
PY
ok "breakdown by y alone" stats t-two --by y --format csv
check "by y alone publishes that nobody of r has x = b or c" \
    bash -c 'grep -q "^t-two,x,r,b,0,7,0," <<<"$1" && grep -q "^t-two,x,r,c,0,7,0," <<<"$1"' _ "$OUT"
# More than 20000 combinations are refused (150 x 150 values here), and the
# refusal changes nothing.
python3 - > wide-choice.json <<'PY'
import json
opts = [{"code": "o%d" % i, "label": {"sv": "O%d" % i, "en": "O%d" % i}} for i in range(150)]
print(json.dumps({"format": "sigreg-form/1", "id": "t-wide-choice", "version": 1, "phase": "intake",
                  "title": {"sv": "Många svar", "en": "Many options"},
                  "items": [{"id": "u", "type": "choice", "label": {"sv": "U", "en": "U"}, "options": opts},
                            {"id": "v", "type": "choice", "label": {"sv": "V", "en": "V"}, "options": opts}]}))
PY
ok "install the wide choice form" form install wide-choice.json
for i in $(seq 0 149); do
    printf '{"ref": "w%d", "unit": "U1", "responses": [{"form": "t-wide-choice", "version": 1, "date": "2025-02-03", "answers": {"u": "o%d", "v": "o%d"}}]}\n' "$i" "$i" $(( (i * 7) % 150 ))
done > wide-choice.jsonl
ok "import the wide choice cases" import wide-choice.jsonl
before_wide=$(registry_sums)
refused "more than 20000 groups refused" "^error: --by: the breakdown makes more than 20000 groups: choose fewer or coarser ones$" stats t-wide-choice --by u,v
check "the refusal changes nothing" test "$before_wide" = "$(registry_sums)"
# 100 x 100 values make 10000 groups, but of about 200 figures each: more
# than 500000 figures are refused too (the listing would be gigabytes).
sed 's/t-wide-choice/t-mid-choice/' wide-choice.json > mid-choice.json
ok "install the middle choice form" form install mid-choice.json
for i in $(seq 0 99); do
    printf '{"ref": "m%d", "unit": "U1", "responses": [{"form": "t-mid-choice", "version": 1, "date": "2025-02-03", "answers": {"u": "o%d", "v": "o%d"}}]}\n' "$i" "$i" $(( (i * 7) % 100 ))
done > mid-choice.jsonl
ok "import the middle choice cases" import mid-choice.jsonl
refused "more than 500000 figures refused" "^error: --by: the breakdown makes 10000 groups of about 302 figures each, more than 500000 figures in all: choose fewer or coarser ones$" stats t-mid-choice --by u,v
t_end
