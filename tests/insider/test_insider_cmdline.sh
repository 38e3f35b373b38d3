#!/usr/bin/env bash
# test_insider_cmdline.sh - the personnummer stays off the command line
# (issue 12, item 6): another local user reads /proc/PID/cmdline of a
# running `sigreg case new` or `case find` while it waits for the number.
# With `--pnr -` sigreg waits on standard input (a fifo this test holds
# open, so the number is not there until the test writes it); at the
# terminal prompt it waits in pty_drive, whose "cmdline" step copies what
# anyone sees. No sleeps: each wait ends on an event (the fifo opened, the
# exec done, the prompt shown). `--pnr VALUE` still works, and warns.
source "$(dirname "$0")/lib.sh"
PTY=${SIGREG_PTY:?set SIGREG_PTY to the pty_drive binary}
t_begin
check "make registry" make_registry
PNR_A=201003151238
PNR_B=20110412-1239

# Reads /proc/PID/cmdline into CMDLINE (arguments joined by spaces) with
# bash builtins only, once PID has exec'd sigreg: before the exec the child
# is still the shell, whose command line names no sigreg option.
CMDLINE=
read_cmdline() {
    local pid=$1 i args=()
    for ((i = 0; i < 200000; i++)); do
        mapfile -d '' args < "/proc/$pid/cmdline" 2>/dev/null || return 1
        if [[ " ${args[*]} " == *" --pnr "* ]]; then
            CMDLINE=" ${args[*]} "
            return 0
        fi
    done
    return 1
}

# stdin_run PNR ARGS...: sigreg ARGS (as coord) with its standard input a
# fifo; reads its command line while it waits, then writes PNR. Sets
# CMDLINE, OUT (stdout), ERR and RC.
stdin_run() {
    local pnr=$1 pid
    shift
    rm -f pnr.fifo && mkfifo pnr.fifo || return 1
    $SIGREG_WRAPPER "$SIGREG_BIN" --user coord --passphrase-file coord.pass "$@" \
        <pnr.fifo >run.out 2>run.err &
    pid=$!
    exec 3>pnr.fifo # returns once sigreg's side has opened the fifo
    CMDLINE=
    read_cmdline "$pid"
    printf '%s\n' "$pnr" >&3
    exec 3>&-
    wait "$pid"
    RC=$?
    OUT=$(cat run.out)
    ERR=$(grep -v "^warning: .* 'insecure-test-only'" run.err)
}
digits() { tr -cd '0-9' <<<"$1"; }
# no_pnr_in TEXT PNR: neither the number nor its last ten digits are in TEXT.
no_pnr_in() {
    local d
    d=$(digits "$2")
    [ -n "$1" ] && ! grep -qF -- "${d: -10}" <<<"$(digits "$1")" &&
        ! grep -qF -- "$2" <<<"$1"
}

stdin_run "$PNR_A" case new --unit U1 --pnr -
check "case new --pnr - read the number from the fifo" grep -qE '^[A-Z0-9]{4}-[A-Z0-9]{4}$' <<<"$OUT"
CASE_A=$OUT
check "its command line was read while it waited" test -n "$CMDLINE"
attack "case new --pnr -: the personnummer in /proc/PID/cmdline" no_pnr_in "$CMDLINE" "$PNR_A"
check "... and no warning" bash -c '! grep -q "other local users" <<<"$1"' _ "$ERR"

stdin_run "$PNR_A" case find --pnr -
check "case find --pnr - found the case" test "$RC" -eq 0 -a "$OUT" = "$CASE_A"
check "its command line was read while it waited" test -n "$CMDLINE"
attack "case find --pnr -: the personnummer in /proc/PID/cmdline" no_pnr_in "$CMDLINE" "$PNR_A"

# The terminal prompt: nothing on the command line names the number (the
# check looks for --pnr; here none is given, so read the copy whole).
pty_cmdline() {
    printf 'expect personnummer (not shown): \ncmdline %s\nsend %s\n' "$T_DIR/pty.cmdline" \
        "$PNR_B" > pty.script
    "$PTY" pty.script -- $SIGREG_WRAPPER "$SIGREG_BIN" --user coord --passphrase-file coord.pass \
        "$@" > pty.out 2>&1
    RC=$?
    CMDLINE=$(tr '\0' ' ' < pty.cmdline 2>/dev/null)
}
pty_cmdline case new --unit U1
CASE_B=$(grep -oE '^[A-Z0-9]{4}-[A-Z0-9]{4}' pty.out | tail -1)
check "case new asked on the terminal and made a case" test "$RC" -eq 0 -a -n "$CASE_B"
check "its command line was copied while it asked" grep -q "case new" <<<"$CMDLINE"
attack "case new at the prompt: the personnummer in /proc/PID/cmdline" \
    no_pnr_in "$CMDLINE" "$PNR_B"
check "the typed number is not echoed" bash -c '! grep -q "${1: -4}" pty.out' _ "$PNR_B"
pty_cmdline case find
check "case find asked on the terminal and found the case" grep -q "$CASE_B" pty.out
check "its command line was copied while it asked" grep -q "case find" <<<"$CMDLINE"
attack "case find at the prompt: the personnummer in /proc/PID/cmdline" \
    no_pnr_in "$CMDLINE" "$PNR_B"

# --pnr VALUE: the number is on the command line for anyone while sigreg
# runs (here: while it asks for the passphrase), so it warns.
printf 'expect passphrase for coord: \ncmdline %s\nsend coord-passphrase\n' \
    "$T_DIR/value.cmdline" > value.script
env -u SIGREG_PASSPHRASE_FILE "$PTY" value.script -- $SIGREG_WRAPPER "$SIGREG_BIN" --user coord \
    case find --pnr "$PNR_A" > value.out 2>&1
check "case find --pnr VALUE still works" grep -q "$CASE_A" value.out
check "... and the value is in its command line, as the warning says" \
    grep -q "$PNR_A" <<<"$(tr '\0' ' ' < value.cmdline)"
check "... which warns that other local users can see it" grep -q "other local users" value.out
sr --user coord --passphrase-file coord.pass case new --unit U1 --pnr 19900101-2385
check "case new --pnr VALUE warns too" grep -q "other local users" <<<"$ERR"
t_end
