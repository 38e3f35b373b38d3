#!/usr/bin/python3
"""xlsx_check.py WORKBOOK JSON - checks a summary's workbook against the JSON
of the same query: every published count and percent is a number in the
right cell (the item's block, the answer's row, the group's columns), every
withheld figure is "..", and the cover sheet names the settings. Exit 0 when
all hold, 1 (with the first few differences) otherwise, 77 without openpyxl."""
import json
import sys

try:
    import openpyxl
except ImportError:
    print("python3-openpyxl is not installed", file=sys.stderr)
    sys.exit(77)

STATS = {"n", "mean", "median", "p25", "p75"}


def group_label(row, by):
    parts = [row.get(b + "_label") or row[b] for b in by]
    return " / ".join(parts) if parts else None


def main():
    wb = openpyxl.load_workbook(sys.argv[1])
    doc = json.load(open(sys.argv[2], encoding="utf-8"))
    by = doc["by"]
    bad = []
    if len(wb.sheetnames) != 2:
        bad.append("sheets: %r" % wb.sheetnames)
    cover = wb.worksheets[0]
    cover_text = [str(c.value) for r in cover.iter_rows() for c in r if c.value is not None]
    # generated_at: the day (the JSON is another run of the same query)
    for want in (doc["title"], doc["generated_at"][:10], str(doc["min_cell"])):
        if not any(want in t for t in cover_text):
            bad.append("cover lacks %r" % want)
    if not any(t.startswith("..") for t in cover_text):
        bad.append("cover does not say what '..' means")
    ws = wb.worksheets[1]
    grid = {(c.row, c.column): c for r in ws.iter_rows() for c in r if c.value is not None}
    # Each item's block starts with "label [id]" in column A.
    heads = {}
    for (r, col), c in grid.items():
        if col == 1 and isinstance(c.value, str) and c.value.endswith("]") and " [" in c.value:
            heads[c.value.rsplit(" [", 1)[1][:-1]] = r
    checked = 0
    for row in doc["rows"]:
        item = row["item"]
        if item not in heads:
            bad.append("no block for %s" % item)
            continue
        top = heads[item]
        # The header row says "Svar"; the group labels are on it.
        hr = next(r for r in range(top, top + 4) if grid.get((r, 1)) and grid[(r, 1)].value in ("Svar", "Answer"))
        glabel = group_label(row, by) or ("Alla" if doc.get("lang", "sv") != "en" else "All")
        cols = [col for (r, col), c in grid.items() if r == hr and col > 1 and c.value == glabel]
        if not cols and not by:
            cols = [col for (r, col), c in grid.items() if r == hr and col > 1]
        if not cols:
            bad.append("%s: no column for group %r" % (item, glabel))
            continue
        col = cols[0]
        label = row["value_label"] or row["value"]
        rr = None
        r = hr + 2
        while (r, 1) in grid:
            if grid[(r, 1)].value == label:
                rr = r
                break
            r += 1
        if rr is None:
            bad.append("%s: no row for %r" % (item, label))
            continue
        count = grid.get((rr, col))
        pct = grid.get((rr, col + 1))
        cv = count.value if count else None
        pv = pct.value if pct else None
        if row["suppressed"]:
            if cv != "..":
                bad.append("%s %s %s: withheld but %r" % (item, row["value"], glabel, cv))
            if row["value"] not in STATS and pv != "..":
                bad.append("%s %s %s: withheld percent but %r" % (item, row["value"], glabel, pv))
        else:
            want = row["estimate"] if row["value"] in STATS - {"n"} else row["count"]
            if want is not None and (not isinstance(cv, (int, float)) or abs(cv - want) > 1e-9):
                bad.append("%s %s %s: %r, JSON %r" % (item, row["value"], glabel, cv, want))
            if row["percent"] is not None:
                if not isinstance(pv, (int, float)) or abs(pv - row["percent"] / 100) > 1e-9:
                    bad.append("%s %s %s: percent %r, JSON %r" % (item, row["value"], glabel, pv, row["percent"]))
                elif "%" not in pct.number_format:
                    bad.append("%s %s: percent format %r" % (item, row["value"], pct.number_format))
        checked += 1
    if bad:
        print("\n".join(bad[:10]), file=sys.stderr)
        sys.exit(1)
    print("%d rows checked" % checked)


main()
