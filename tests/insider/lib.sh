# lib.sh - the hostile-insider suite's helpers, on top of tests/cli/lib.sh.
#
# Each test_insider_*.sh plays attacks that an insider could make with their
# own passphrase, the registry's files and insider_tool (tests/insider_tool.c:
# it unlocks the insider's own slot through the library and then works on the
# files directly). Every attack is one `attack NAME CHECK...` line: CHECK runs
# after the attack and succeeds when the product defeated it. The suite fails
# when any attack succeeds.
#
# To record how an older binary fares (the issue's "before" column), run a
# script with SIGREG_BIN (and SIGREG_INSIDER_TOOL, built against that tree)
# pointing at it and SIGREG_INSIDER_REPORT=1: every attack is then reported
# as "attack: NAME: defeated|SUCCEEDED" and the script always exits 0.
source "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
INSIDER_TOOL=${SIGREG_INSIDER_TOOL:?set SIGREG_INSIDER_TOOL to the insider_tool binary}
INSIDER_REPORT=${SIGREG_INSIDER_REPORT:-0}

# attack NAME CHECK...: CHECK (a command) holds when the attack failed.
attack() {
    local name=$1; shift
    if "$@"; then
        echo "attack: $name: defeated"
        pass
    else
        echo "attack: $name: SUCCEEDED"
        if [ "$INSIDER_REPORT" = 1 ]; then pass; else fail "attack succeeded: $name"; fi
    fi
}

# as USER PASSFILE ARGS...: sigreg as that user (sr: $OUT, $ERR, $RC).
as() {
    local user=$1 pass=$2; shift 2
    sr --user "$user" --passphrase-file "$pass" "$@"
}

# tool sql|rechain USER PASSFILE [SQL...]: insider_tool on the test's registry.
tool() {
    local cmd=$1 user=$2 pass=$3; shift 3
    "$INSIDER_TOOL" "$cmd" "$SIGREG_REGISTRY" "$user" "$pass" "$@"
}

# The admin's view of the log: verify must fail with a message matching $1.
log_refused() {
    sr audit verify "${@:2}"
    [ "$RC" -ne 0 ] && grep -qiE -- "$1" <<<"$ERR"
}

