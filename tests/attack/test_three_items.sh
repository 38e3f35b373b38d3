#!/usr/bin/env bash
# test_three_items.sh - the LP attacker over three items in two units
# (tests/attack/three_items.py, issue 16): every summary of up to two items,
# with and without the unit, for all units and each, on the six seeds of
# 1-40 where the cube of three items, solved alone, published what its
# margins then pinned (before stats_pairs.c solved it after its margins).
# The other leaky seeds of 1-40 (BENCHMARKS.md) come from a summary of
# every unit that keeps what the units' cubes publish, and are not yet
# fixed.
source "$(dirname "$0")/../cli/lib.sh"
t_begin
python=${SIGREG_PYTHON:-/usr/bin/python3}
if out=$("$python" "$SIGREG_SOURCE_DIR/tests/attack/three_items.py" "$SIGREG_BIN" 0 0 \
    --seeds 3,8,15,22,26,33 2>&1); then
    pass
else
    fail "a small count too narrow over the three items' summaries: $out"
fi
t_end
