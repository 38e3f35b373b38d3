#!/usr/bin/env bash
# test_pair_breakdowns.sh - an LP attacker over the four summaries of two
# items (none, --by x, --by y, --by x,y), issue 16: the unknowns are the
# people of each combination, every published count and denominator is an
# equation, and each count of 1..min-1 must keep an interval that contains
# [0, min-1] or is min-1 wide. The data sets are those a review found (an
# empty combination taken as a complement that --by x publishes as 0), and
# each is checked against its truth.
source "$(dirname "$0")/../cli/lib.sh"
t_begin
python=${SIGREG_PYTHON:-/usr/bin/python3}
cat > two.json <<'JSON'
{"format": "sigreg-form/1", "id": "t-pair", "version": 1, "phase": "intake",
 "title": {"sv": "Två frågor", "en": "Two items"},
 "items": [{"id": "x", "type": "choice", "label": {"sv": "X", "en": "X"}, "required": true,
            "options": [{"code": "a", "label": {"sv": "A"}}, {"code": "b", "label": {"sv": "B"}},
                        {"code": "c", "label": {"sv": "C"}}]},
           {"id": "y", "type": "choice", "label": {"sv": "Y", "en": "Y"}, "required": true,
            "options": [{"code": "p", "label": {"sv": "P"}}, {"code": "q", "label": {"sv": "Q"}},
                        {"code": "r", "label": {"sv": "R"}}]}]}
JSON
# NAME:x:y:people, one registry per data set
datasets="f1:a:p:2 f1:a:q:2 f1:a:r:5 f1:b:p:12 f1:b:q:8 f1:c:p:1 f1:c:q:6
s119:a:p:3 s119:a:q:1 s119:a:r:8 s119:b:p:8 s119:b:q:5 s119:c:q:5 s119:c:r:2
r105:a:p:10 r105:a:q:4 r105:a:r:10 r105:b:r:3 r105:c:p:8 r105:c:q:10 r105:c:r:4
r107:a:p:2 r107:a:q:10 r107:a:r:10 r107:b:p:12 r107:b:q:5 r107:b:r:6 r107:c:p:3 r107:c:q:1 r107:c:r:5"
for name in f1 s119 r105 r107; do
    mkdir -p "$T_DIR/$name"
    export SIGREG_REGISTRY="$T_DIR/$name/reg.db"
    check "$name: make registry" make_registry
    ok "$name: install the form" form install two.json
    n=0
    for spec in $(tr ' ' '\n' <<<"$datasets" | grep "^$name:"); do
        IFS=: read -r _ x y k <<<"$spec"
        for _ in $(seq 1 "$k"); do
            n=$((n + 1))
            printf '{"ref": "p%d", "unit": "U1", "responses": [{"form": "t-pair", "version": 1, "date": "2025-02-03", "answers": {"x": "%s", "y": "%s"}}]}\n' "$n" "$x" "$y"
        done
    done > "$name/pair.jsonl"
    ok "$name: import" import "$name/pair.jsonl"
    for by in none x y x,y; do
        if [ "$by" = none ]; then ok "$name: summary" stats t-pair --format json
        else ok "$name: by $by" stats t-pair --by "$by" --format json; fi
        printf '%s\n' "$OUT" > "$name/$by.json"
    done
    truth=$(tr ' ' '\n' <<<"$datasets" | grep "^$name:" | cut -d: -f2- | paste -sd' ')
    if out=$("$python" - "$truth" "$name"/*.json <<'PY'
import json, sys
import numpy as np
from scipy.optimize import linprog
truth = {tuple(t.split(":")[:2]): int(t.split(":")[2]) for t in sys.argv[1].split()}
X, Y = "abc", "pqr"
cells = [(i, j) for i in X for j in Y]
A, b = [], []
def eq(members, value):
    A.append([1.0 if c in members else 0.0 for c in cells]); b.append(value)
min_cell = None
for path in sys.argv[2:]:
    d = json.load(open(path))
    min_cell = d["min_cell"]
    for r in d["rows"]:
        group = [c for c in cells if all((c[0] if k == "x" else c[1]) == r[k] for k in d["by"])]
        part = [c for c in group if (c[0] if r["item"] == "x" else c[1]) == r["value"]]
        if r["count"] is not None:
            eq(part, r["count"])
        if r.get("denominator") is not None:
            eq(group, r["denominator"])
bad = []
for c in cells:
    t = truth.get(c, 0)
    bounds = []
    for sign in (1, -1):
        res = linprog([sign if k == c else 0 for k in cells], A_eq=A, b_eq=b,
                      bounds=[(0, None)] * len(cells), method="highs")
        assert res.status == 0, "the published figures contradict each other"
        bounds.append(sign * res.fun)
    lo, hi = bounds
    assert lo - 1e-6 <= t <= hi + 1e-6, (c, t, lo, hi)
    if 1 <= t < min_cell and not ((lo <= 1e-6 and hi >= min_cell - 1 - 1e-6) or
                                  hi - lo >= min_cell - 1 - 1e-6):
        bad.append((c, t, round(lo, 2), round(hi, 2)))
print(bad)
sys.exit(1 if bad else 0)
PY
    ); then pass; else fail "$name: a small count too narrow over the four summaries: $out"; fi
done
t_end
