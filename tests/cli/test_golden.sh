#!/usr/bin/env bash
# test_golden.sh - summaries compared whole against golden files: a small
# registry made from a fixed JSON Lines import (golden/cases.jsonl, 40
# synthetic cases), then every golden/<name>/cmd (the arguments of one
# sigreg command, a line) must print exactly golden/<name>/expected. The one
# line that names when the summary was made ("generated_at") is left out of
# the comparison. SIGREG_GOLDEN_UPDATE=1 rewrites the expected files instead.
source "$(dirname "$0")/lib.sh"
GOLDEN="$SIGREG_SOURCE_DIR/tests/cli/golden"
t_begin
check "make registry" make_registry
ok "import the fixed cases" import "$GOLDEN/cases.jsonl"
for dir in "$GOLDEN"/*/; do
    name=$(basename "$dir")
    read -r -a args < "$dir/cmd"
    sr "${args[@]}"
    if [ "$RC" -ne 0 ]; then
        fail "$name: exit $RC: $ERR"
        continue
    fi
    printf '%s\n' "$OUT" | grep -v '"generated_at": ' > "$name.out"
    if [ -n "${SIGREG_GOLDEN_UPDATE:-}" ]; then
        cp "$name.out" "$dir/expected"
        pass
    elif cmp -s "$name.out" "$dir/expected"; then
        pass
    else
        fail "$name: differs from the golden file"
        diff "$dir/expected" "$name.out" | head -20 >&2
    fi
done
t_end
