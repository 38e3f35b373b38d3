#!/usr/bin/env python3
"""cellkey_check.py - checks for test_cellkey.sh on the JSON output of
`sigreg stats` (issue 16, item 7: the cell-key method).

  cellkey_check.py ptable OUT.json D V JS   the pTable in the settings
  cellkey_check.py counts JS OUT.json...    no count negative or in 1..JS
  cellkey_check.py same A.json B.json UNIT  B's UNIT rows (--by unit) = A's (--unit)
  cellkey_check.py window CASES.jsonl REF SUPP_A SUPP_B CK_A CK_B
      the window pair A, B (B has one person more, case REF): under
      suppression each count moves by 0 or 1 and gives the person's answers
      back exactly; under the cell key the counts are not the true ones and
      their differences are not the person's answers. Prints the figures.
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


def check_window(cases, ref, sa, sb, ca, cb):
    person = None
    with open(cases, encoding="utf-8") as f:
        for line in f:
            c = json.loads(line)
            if c["ref"] == ref:
                person = [x for x in c["responses"] if x["form"] == "sig-intake"][0]["answers"]
    if person is None:
        fail("no case " + ref)
    S_a, S_b = ({key(r): r["count"] for r in rows(p)} for p in (sa, sb))
    C_a, C_b = ({key(r): r["count"] for r in rows(p)} for p in (ca, cb))
    # Choice-like items whose every option count is published in all four.
    items = {}
    for (item, value) in S_a:
        items.setdefault(item, []).append(value)
    exact_s = exact_c = identified_c = compared = true_cells = perturbed_cells = 0
    for item, values in items.items():
        answer = person.get(item)
        if isinstance(answer, bool):
            answer = "true" if answer else "false"
        if not isinstance(answer, str) or answer not in values:
            continue
        opts = [v for v in values if v not in ("n", "mean", "median", "p25", "p75", "top2")]
        if any(S_a.get((item, v)) is None or S_b.get((item, v)) is None for v in opts):
            continue
        if any(C_a.get((item, v)) is None or C_b.get((item, v)) is None for v in opts):
            continue
        compared += 1
        truth = {v: 1 if v == answer else 0 for v in opts}
        ds = {v: S_b[(item, v)] - S_a[(item, v)] for v in opts}
        dc = {v: C_b[(item, v)] - C_a[(item, v)] for v in opts}
        if any(d not in (0, 1) for d in ds.values()):
            fail("suppression: %s moved by more than one person" % item)
        exact_s += ds == truth
        exact_c += dc == truth
        moved = [v for v in opts if dc[v] != 0]
        identified_c += moved == [answer]
        for v in opts:
            true_cells += 1
            perturbed_cells += (C_a[(item, v)] != S_a[(item, v)]) + (C_b[(item, v)] != S_b[(item, v)])
    print("window pair: %d items compared; the person's answers given back exactly: %d under "
          "suppression, %d under the cell key (differences equal to the truth); the moved option "
          "alone under the cell key: %d; cells whose published count is not the true one: %d of %d"
          % (compared, exact_s, exact_c, identified_c, perturbed_cells, 2 * true_cells))
    if compared < 5 or exact_s != compared:
        fail("the attack under suppression should recover every compared item")
    if exact_c >= exact_s or perturbed_cells == 0:
        fail("the cell key gives back the exact counts")


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
