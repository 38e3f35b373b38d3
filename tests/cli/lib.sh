# lib.sh - helpers for command tests that run the real `sigreg` binary.
#
# Each test script sources this, calls `t_begin`, runs checks, and ends with
# `t_end`, which prints "N passed, N failed" and sets the exit status.
# Every registry is made with the test KDF profile, in a scratch folder that
# is removed afterwards.

set -u
SIGREG_BIN=${SIGREG_BIN:?set SIGREG_BIN to the sigreg binary}
# SIGREG_WRAPPER (e.g. valgrind with its options) runs before every sigreg.
SIGREG_WRAPPER=${SIGREG_WRAPPER:-}
SIGREG_SOURCE_DIR=${SIGREG_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
T_PASSED=0
T_FAILED=0

t_begin() {
    T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sigreg-cli-XXXXXX")
    trap 'rm -rf "$T_DIR"' EXIT
    cd "$T_DIR" || exit 1
    printf 'admin-passphrase\n' > admin.pass
    printf 'coord-passphrase\n' > coord.pass
    printf 'analyst-passphrase\n' > analyst.pass
    printf 'wrong-passphrase\n' > wrong.pass
    export SIGREG_REGISTRY="$T_DIR/reg.db"
    export SIGREG_PASSPHRASE_FILE="$T_DIR/admin.pass"
    export SIGREG_BUSY_TIMEOUT_MS=2000
    # What each user has seen of a keyring (rollback protection) stays here.
    export XDG_STATE_HOME="$T_DIR/.state"
    # open-extract remembers signers here, never in the home folder of whoever runs the tests.
    export SIGREG_KNOWN_REGISTRIES="$T_DIR/known_registries"
    unset SIGREG_USER
}

t_end() {
    echo "$T_PASSED passed, $T_FAILED failed"
    [ "$T_FAILED" -eq 0 ]
}

pass() { T_PASSED=$((T_PASSED + 1)); }
fail() { T_FAILED=$((T_FAILED + 1)); echo "FAIL: $*" >&2; }

# sr ARGS...: runs sigreg, keeping stdout in $OUT, stderr in $ERR, status in $RC.
sr() {
    # shellcheck disable=SC2086
    OUT=$($SIGREG_WRAPPER "$SIGREG_BIN" "$@" 2>"$T_DIR/.stderr" </dev/null)
    RC=$?
    # Every registry of the tests uses the test KDF profile, which warns on
    # every command (test_core checks the warning); ERR is the rest.
    ERR_RAW=$(cat "$T_DIR/.stderr")
    ERR=$(grep -v "^warning: .* 'insecure-test-only', which is for test suites" "$T_DIR/.stderr")
}

# ok NAME ARGS...: sigreg ARGS must succeed.
ok() {
    local name=$1; shift
    sr "$@"
    if [ "$RC" -eq 0 ]; then pass; else fail "$name: exit $RC: $ERR"; fi
}

# refused NAME PATTERN ARGS...: sigreg ARGS must fail with PATTERN on stderr.
refused() {
    local name=$1 pattern=$2; shift 2
    sr "$@"
    if [ "$RC" -ne 0 ] && grep -qiE -- "$pattern" <<<"$ERR"; then pass
    else fail "$name: expected failure matching '$pattern', got exit $RC: $ERR"; fi
}

# check NAME COMMAND...: a shell condition that must hold.
check() {
    local name=$1; shift
    if "$@"; then pass; else fail "$name"; fi
}

# A registry with units U1, U2 and users coord (U1) and ana (analyst).
make_registry() {
    sr init --admin admin --kdf-profile insecure-test-only || return 1
    "$SIGREG_BIN" unit add U1 --name "Enhet 1" 2>/dev/null &&
    "$SIGREG_BIN" unit add U2 --name "Enhet 2" 2>/dev/null &&
    "$SIGREG_BIN" user add coord --role coordinator --unit U1 --kdf-profile insecure-test-only \
        --new-passphrase-file coord.pass 2>/dev/null &&
    "$SIGREG_BIN" user add ana --role analyst --kdf-profile insecure-test-only \
        --new-passphrase-file analyst.pass 2>/dev/null
}

# Checksums of the registry's files, to prove that a refusal changed nothing.
# Changes the byte at OFFSET in FILE to a different value (flips its lowest
# bit), so a tamper test never writes the byte that was already there.
flip_byte() {
  local file=$1 offset=$2 old
  old=$(od -An -tu1 -j "$offset" -N1 "$file" | tr -d ' ')
  [ -n "$old" ] || { echo "flip_byte: $file has no byte at $offset" >&2; return 1; }
  printf "\\$(printf '%03o' $((old ^ 1)))" | dd of="$file" bs=1 seek="$offset" conv=notrunc 2>/dev/null
}

# Starts 'sigreg serve' on a free port, its sessions locking after IDLE
# seconds (30 under valgrind, where every request is slow), stdout in
# serve.out and stderr in serve.err; sets SERVER, URL, PORT and O (the
# origin), and stops it when the test ends.
start_server() {
    IDLE=$1
    [ -n "$SIGREG_WRAPPER" ] && IDLE=30
    SIGREG_SERVE_IDLE_SECONDS=$IDLE $SIGREG_WRAPPER "$SIGREG_BIN" serve --no-browser --port 0 \
        >serve.out 2>serve.err </dev/null &
    SERVER=$!
    trap 'stop_server; rm -rf "$T_DIR"' EXIT
    for _ in $(seq 1 600); do
        [ -s serve.out ] && break
        sleep 0.1
    done
    URL=$(head -1 serve.out)
    PORT=$(sed -E 's|http://127\.0\.0\.1:([0-9]+)/.*|\1|' <<<"$URL")
    O="http://127.0.0.1:$PORT"
}
stop_server() { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; }

registry_sums() { sha256sum reg.db reg.keyring reg.codekey 2>/dev/null; }

# none_contains "FILE..." STRING...: none of the files (or folders, searched
# whole) holds any of the strings, binary files included.
none_contains() {
    local files=$1; shift
    local s
    for s in "$@"; do
        # shellcheck disable=SC2086
        if grep -rqaF -- "$s" $files 2>/dev/null; then
            echo "found a searched string in $(grep -rlaF -- "$s" $files | head -3)" >&2
            return 1
        fi
    done
    return 0
}
