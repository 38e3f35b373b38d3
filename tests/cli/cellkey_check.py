#!/usr/bin/env python3
"""cellkey_check.py - checks for test_cellkey.sh on the JSON output of
`sigreg stats` (issue 16, item 7: the cell-key method).

  cellkey_check.py ptable OUT.json D V JS   the pTable in the settings
  cellkey_check.py counts JS OUT.json...    no count negative or in 1..JS
  cellkey_check.py same A.json B.json UNIT  B's UNIT rows (--by unit) = A's (--unit)
  cellkey_check.py window H1 Q1 Q2 Y H2 SUPP_H1   (cell-key outputs of
      2025-H1, its quarters, the year and H2; H1 under suppression): Q1,
      the quarter of one person, and Q2 are H1 (merged, the same noise);
      Y - H2 does not give H1's true counts back. Prints the figures.
"""
import json
import sys


def rows(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["rows"]


def key(r, by=None):
    return (r["item"], r["value"]) if by is None else (r["item"], r.get(by), r["value"])


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def check_ptable(path, d, v, js):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    s = doc.get("settings")
    if not s or s.get("method") != "cell-key":
        fail("no cell-key settings")
    pt = s["ptable"]
    if pt["D"] != int(d) or abs(pt["V"] - float(v)) > 1e-9 or pt["js"] != int(js):
        fail("ptable parameters %r" % ((pt["D"], pt["V"], pt["js"]),))
    table = pt["table"]
    if table[0] != {"i": 0, "j": 0, "p": 1.0, "v": 0, "p_int_lb": 0.0, "p_int_ub": 1.0}:
        fail("row 0 is not 0 -> 0: %r" % table[0])
    by_i = {}
    for e in table:
        by_i.setdefault(e["i"], []).append(e)
        if e["j"] < 0 or 1 <= e["j"] <= int(js) or e["j"] - e["i"] != e["v"]:
            fail("bad entry %r" % e)
    for i, es in by_i.items():
        if abs(sum(e["p"] for e in es) - 1) > 1e-7 or abs(sum(e["p"] * e["v"] for e in es)) > 1e-6:
            fail("row %d: not a zero-mean distribution" % i)
    if not any("parts need not add up" in n or "summera till sin total" in n for n in doc["notes"]):
        fail("no note that parts need not add up")


def check_counts(js, paths):
    n = 0
    for p in paths:
        for r in rows(p):
            c = r["count"]
            if c is None:
                continue
            n += 1
            if c < 0 or 1 <= c <= js:
                fail("%s: a count %d of %s=%s" % (p, c, r["item"], r["value"]))
            if r["estimate"] is not None and r["value"] in ("mean", "median", "p25", "p75"):
                if c < 5 or (r["value"] != "mean" and c < 10):
                    fail("%s: a statistic shown over a perturbed n of %d" % (p, c))
    if n < 50:
        fail("only %d counts" % n)
    print("counts checked:", n)


def check_same(a, b, unit):
    ra = {key(r): r["count"] for r in rows(a)}
    rb = {(r["item"], r["value"]): r["count"] for r in rows(b) if r.get("unit") == unit}
    if not ra or ra != rb:
        diff = [k for k in ra if ra[k] != rb.get(k)]
        fail("the %s figures differ between the two queries: %r" % (unit, diff[:5]))
    print("same figures in both queries:", len(ra))


def check_window(h1, q1, q2, y, h2, supp_h1):
    """The window attack under fixed periods and the cell key: the quarter
    with one person (Q1) is merged with its neighbour, so Q1, Q2 and H1 are
    one and the same figures (the same cases, the same noise: H1 - Q2 gives
    nothing); the nested pair Y - H2 does not give H1's true counts back."""
    H1, Q1, Q2, Y, H2 = (
        {key(r): r["count"] for r in rows(p)} for p in (h1, q1, q2, y, h2))
    truth = {key(r): r["count"] for r in rows(supp_h1)}
    if not H1 or Q1 != H1 or Q2 != H1:
        fail("the one-person quarter is shown apart from its half-year")
    exact = total = 0
    for k, t in truth.items():
        # A cell nobody of H1 is in has the same people, so the same noise,
        # in Y and H2: its difference is 0 whatever the noise.
        if not t or Y.get(k) is None or H2.get(k) is None:
            continue
        total += 1
        exact += Y[k] - H2[k] == t
    print("window attack: Q1 (one person) = Q2 = H1 under the cell key; year - H2 gives H1's "
          "true count in %d of %d cells (published under suppression, not 0)" % (exact, total))
    if total < 20 or exact > total // 2:
        fail("the nested periods give the true counts back")


def main(argv):
    cmd = argv[1]
    if cmd == "ptable":
        check_ptable(*argv[2:6])
    elif cmd == "counts":
        check_counts(int(argv[2]), argv[3:])
    elif cmd == "same":
        check_same(*argv[2:5])
    elif cmd == "window":
        check_window(*argv[2:8])
    else:
        fail("unknown check " + cmd)


if __name__ == "__main__":
    main(sys.argv)
