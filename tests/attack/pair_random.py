#!/usr/bin/python3
"""pair_random.py BIN FROM TO - an LP attacker over random two-item data sets (issue 16).

For each seed: a registry of one unit whose people fall into the nine
combinations of two required choice items x (a, b, c) and y (p, q, r), with
random counts (many small, some empty); the four summaries a coordinator
can make of them (none, --by x, --by y, --by x,y); and an LP over every
published count and denominator (scipy's HiGHS), whose unknowns are the
people of each combination. Each count of 1..min_cell-1 must keep an
interval that contains [0, min_cell-1] or is min_cell-1 wide; the truth must
lie inside every interval (a check of the attacker). Exits 1 and prints the
narrow cells of each seed that has any. A random search of this kind found
that --by x and --by y, each solved alone, published different patterns of
the same cross-table (in 20 of 100 seeds before stats_pairs.c).
"""
import json, os, random, subprocess, sys, tempfile, shutil
import numpy as np
from scipy.optimize import linprog
BIN, A0, A1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
FORM = {"format": "sigreg-form/1", "id": "t-pair", "version": 1, "phase": "intake",
 "title": {"sv": "Två frågor", "en": "Two items"},
 "items": [{"id": "x", "type": "choice", "label": {"sv": "X", "en": "X"}, "required": True,
            "options": [{"code": c, "label": {"sv": c.upper()}} for c in "abc"]},
           {"id": "y", "type": "choice", "label": {"sv": "Y", "en": "Y"}, "required": True,
            "options": [{"code": c, "label": {"sv": c.upper()}} for c in "pqr"]}]}
X, Y = "abc", "pqr"
cells = [(i, j) for i in X for j in Y]
def run(env, *a):
    r = subprocess.run([BIN] + list(a), env=env, capture_output=True, text=True)
    if r.returncode: raise SystemExit("sigreg %s: %s" % (a, r.stderr))
    return r.stdout
tot_bad = 0; tot_exact = 0; leaky = []
for seed in range(A0, A1):
    rnd = random.Random(seed)
    truth = {}
    for c in cells:
        truth[c] = rnd.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 10, 12])
    d = tempfile.mkdtemp()
    env = dict(os.environ, SIGREG_REGISTRY=d + "/r.db", SIGREG_PASSPHRASE_FILE=d + "/a.pass",
               XDG_STATE_HOME=d + "/st", SIGREG_KNOWN_REGISTRIES=d + "/kr")
    open(d + "/a.pass", "w").write("admin-passphrase\n")
    subprocess.run([BIN, "init", "--admin", "admin", "--kdf-profile", "insecure-test-only"], env=env, capture_output=True, check=True)
    run(env, "unit", "add", "U1", "--name", "E1")
    json.dump(FORM, open(d + "/f.json", "w"))
    run(env, "form", "install", d + "/f.json")
    n = 0
    with open(d + "/c.jsonl", "w") as f:
        for (x, y), k in truth.items():
            for _ in range(k):
                n += 1
                f.write(json.dumps({"ref": "p%d" % n, "unit": "U1", "responses": [{"form": "t-pair", "version": 1, "date": "2025-02-03", "answers": {"x": x, "y": y}}]}) + "\n")
    run(env, "import", d + "/c.jsonl")
    A, b = [], []
    min_cell = None
    for by in (None, "x", "y", "x,y"):
        args = ["stats", "t-pair", "--format", "json"] + (["--by", by] if by else [])
        doc = json.loads(run(env, *args))
        min_cell = doc["min_cell"]
        for r in doc["rows"]:
            group = [c for c in cells if all((c[0] if k == "x" else c[1]) == r[k] for k in doc["by"])]
            part = [c for c in group if (c[0] if r["item"] == "x" else c[1]) == r["value"]]
            if r["count"] is not None:
                A.append([1.0 if c in part else 0.0 for c in cells]); b.append(r["count"])
            if r.get("denominator") is not None:
                A.append([1.0 if c in group else 0.0 for c in cells]); b.append(r["denominator"])
    shutil.rmtree(d)
    bad = []; exact = []
    for c in cells:
        t = truth[c]
        bd = []
        for sign in (1, -1):
            res = linprog([sign if k == c else 0 for k in cells], A_eq=A, b_eq=b, bounds=[(0, None)] * len(cells), method="highs")
            assert res.status == 0
            bd.append(sign * res.fun)
        lo, hi = bd
        assert lo - 1e-6 <= t <= hi + 1e-6, (seed, c, t, lo, hi)
        if 1 <= t < min_cell and not ((lo <= 1e-6 and hi >= min_cell - 1 - 1e-6) or hi - lo >= min_cell - 1 - 1e-6):
            bad.append((c, t, round(lo, 2), round(hi, 2)))
        if hi - lo < 0.5 and t > 0: exact.append(c)
    if bad:
        leaky.append(seed)
        print(seed, "".join("%s%s=%d " % (c[0], c[1], truth[c]) for c in cells), "BAD", bad, flush=True)
    tot_bad += len(bad)
    tot_exact += len(exact)
print("seeds %d..%d: %d leaky, %d narrow cells" % (A0, A1, len(leaky), tot_bad))
sys.exit(1 if leaky else 0)
