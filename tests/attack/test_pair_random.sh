#!/usr/bin/env bash
# test_pair_random.sh - the LP attacker over 40 random two-item data sets
# (tests/attack/pair_random.py, issue 16): none, --by x, --by y and --by x,y
# together must leave every small count its protection interval.
source "$(dirname "$0")/../cli/lib.sh"
t_begin
python=${SIGREG_PYTHON:-/usr/bin/python3}
if out=$("$python" "$SIGREG_SOURCE_DIR/tests/attack/pair_random.py" "$SIGREG_BIN" 100 140 2>&1); then
    pass
else
    fail "a small count too narrow over the four summaries: $out"
fi
t_end
