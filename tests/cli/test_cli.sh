#!/usr/bin/env bash
# test_cli.sh - the command line itself: the one parser every command uses
# (unknown options, missing values, --opt=value, "--", counts, --help), the
# synopsis printed from the same declaration, and the flag an error names.
source "$(dirname "$0")/lib.sh"
t_begin

# exact NAME EXPECTED ACTUAL: the two texts are equal.
exact() {
    if [ "$2" = "$3" ]; then pass; else fail "$1: expected '$2', got '$3'"; fi
}

# The commands, from the overview.
sr --help
mapfile -t COMMANDS < <(awk '/^  sigreg / { print $2 ($3 ~ /^[a-z]+$/ ? " " $3 : "") }' <<<"$OUT")
check "the overview lists every command" test "${#COMMANDS[@]}" -ge 34

# Every option a command had before the one parser, by command: each is in
# the command's synopsis (and so, below, known to the parser).
declare -A BEFORE=(
    [init]="admin kdf-profile" ["user add"]="role unit kdf-profile new-passphrase-file"
    [passwd]="kdf-profile new-passphrase-file" ["unit add"]="name" ["audit show"]="last case"
    ["form list"]="lang" ["form show"]="version json lang"
    ["form export"]="version to out force" ["form import"]="from id version phase repeatable instrument"
    ["case new"]="unit pnr no-pnr" ["case find"]="pnr" ["case show"]="json fhir identity"
    ["case list"]="unit status missing idle-days" ["case reopen"]="reason"
    ["case delete"]="yes" [register]="version date answers lang" ["response edit"]="answers date"
    [import]="batch" [purge]="closed-before yes"
    [stats]="by unit status from to min-cell change format excel out lang" [report]="out unit"
    [settings]="min-cell" [keygen]="out kdf-profile"
    [extract]="recipient out forms k relative-dates" [open-extract]="key out signer"
    [backup]="out"
)
for c in "${!BEFORE[@]}"; do
    # shellcheck disable=SC2086
    sr $c --help
    usage=$(head -1 <<<"$OUT")
    for o in ${BEFORE[$c]}; do
        check "'$c' still has --$o" grep -qE -- "--$o( |\]|\)|$)" <<<"$usage"
    done
done

# The synopsis and the parser agree: every option the synopsis shows with a
# value needs one, and every option it shows without one takes none.
for c in "${COMMANDS[@]}"; do
    # shellcheck disable=SC2086
    sr $c --help
    check "'$c --help' exits 0" test "$RC" -eq 0
    usage=$(head -1 <<<"$OUT")
    check "'$c --help' starts with its synopsis" grep -q "^usage: sigreg $c" <<<"$usage"
    while read -r opt value; do
        [ -n "$opt" ] || continue
        if [ -n "$value" ]; then
            # shellcheck disable=SC2086
            sr $c "$opt"
            check "'$c $opt' needs a value (exit 2)" test "$RC" -eq 2
            check "'$c $opt' needs a value" grep -qF "error: option '$opt' needs a value" <<<"$ERR"
        else
            # shellcheck disable=SC2086
            sr $c "$opt=x"
            check "'$c $opt' takes no value" grep -qF "error: option '$opt' takes no value" <<<"$ERR"
        fi
    done < <(grep -oE -- '--[a-z][a-z-]*( [^][()| -][^] )|]*)?' <<<"${usage#usage: sigreg }")
done

# None of these needs a registry: the command line is read before unlocking.
export SIGREG_REGISTRY="$T_DIR/absent.db"
sr unit list --bogus
exact "unknown option" "error: unknown option '--bogus'" "$(head -1 <<<"$ERR")"
exact "unknown option: then the usage" "usage: sigreg unit list" "$(sed -n 2p <<<"$ERR")"
check "unknown option exits 2" test "$RC" -eq 2
refused "unknown option with a value" "^error: unknown option '--pnr-file'$" case find --pnr-file=x
refused "unknown short option" "^error: unknown option '-x'$" stats sig-intake -x
refused "no abbreviations" "^error: unknown option '--ver'$" form show sig-intake --ver 1
refused "missing value at the end" "^error: option '--from' needs a value$" stats sig-intake --from
refused "a flag takes no value" "^error: option '--json' takes no value$" case show X --json=yes
refused "missing positional" "^error: unit add needs CODE$" unit add --name x
refused "missing second positional" "^error: register needs FORM$" register K1
refused "one positional too many" "^error: unexpected argument 'B'$" unit add A B --name x
refused "no arguments" "^error: unexpected argument 'x'$" unit list x
refused "needed option" "^error: backup needs --out FILE$" backup
refused "a group excludes" "^error: --pnr and --no-pnr exclude each other$" \
    case new --unit U1 --no-pnr --pnr 201003151238
refused "once only" "^error: option '--from' is given more than once$" \
    stats sig-intake --from 2025-01-01 --from 2025-04-01
refused "a choice" "^error: --lang takes sv or en$" form list --lang de
refused "a choice of three" "^error: --role takes admin, coordinator or analyst$" \
    user add x --role boss
refused "the usage follows a parse error" "^usage: sigreg settings \[--min-cell N\] \[--method suppression[|]cell-key\] \[--ptable-d N\] \[--ptable-v X\] \[--ptable-js N\]$" \
    settings --min-cell
ok "--help anywhere before --" unit add X --name Y --help
check "--help prints the usage" grep -q "^usage: sigreg unit add CODE --name TEXT$" <<<"$OUT"
ok "-h too" stats -h
ok "help COMMAND" help case new
check "help COMMAND prints its usage" grep -q "^usage: sigreg case new --unit CODE \\[--pnr PNR|- | --no-pnr\\]$" <<<"$OUT"
refused "after --, --help is an argument" "cannot open '--help'" form lint -- --help
refused "after --, options are arguments" "cannot open '--json'" form lint ok.json -- --json

# A command with subcommands: --help lists them and exits 0.
ok "case --help" case --help
for s in new find show list reopen delete; do
    check "case --help lists 'case $s'" grep -qE "^(usage|   or): sigreg case $s( |$)" <<<"$OUT"
done
check "case --help lists nothing else" test "$(grep -cE '^(usage|   or): ' <<<"$OUT")" -eq 6
ok "user -h" user -h
refused "case alone" "'case' needs one of" case
refused "an unknown subcommand" "'case' has no subcommand 'bogus'" case bogus

# With a registry: values given as --opt=value, and the globals anywhere.
export SIGREG_REGISTRY="$T_DIR/reg.db"
check "make registry" make_registry
ok "--opt=value" unit add U3 --name="Enhet 3"
ok "--opt value" unit list
check "the name given with = is kept whole" grep -q "U3 *Enhet 3" <<<"$OUT"
ok "=value with an = in it" unit add U4 --name=a=b
ok "-r stays a global short option" -r "$T_DIR/reg.db" unit list
check "-r reads the registry" grep -q "U4 *a=b" <<<"$OUT"
ok "globals after the command" unit list --registry "$T_DIR/reg.db" --user admin
ok "--registry=PATH" unit list --registry="$T_DIR/reg.db"
ok "options before positionals" form show --json --version=1 sig-intake
check "form show --json gives the definition" grep -q '"id": "sig-intake"' <<<"$OUT"
before=$(registry_sums)
sr --passphrase-file wrong.pass unit add U5 --name x --bogus
check "a bad command line is refused before unlocking" grep -q "unknown option '--bogus'" <<<"$ERR"
check "a bad command line changes nothing" test "$before" = "$(registry_sums)"

refused "a whole number" "^error: --last takes a whole number from 1 to 100000000$" \
    audit show --last=many

# An error about a field names the flag it came from: "error: --FLAG: ...".
sr settings --min-cell 2
exact "a library error names the flag" \
    "error: --min-cell: the minimum cell may not be below 3 (nor above 1000000)" "$ERR"
check "a library usage error exits 2" test "$RC" -eq 2
sr user add c2 --role coordinator --unit U7 --new-passphrase-file coord.pass \
    --kdf-profile insecure-test-only
exact "the unit is named by --unit" "error: --unit: no unit 'U7'" "$ERR"
sr user add c2 --role coordinator --new-passphrase-file coord.pass --kdf-profile insecure-test-only
exact "a missing unit is named by --unit" \
    "error: --unit: a coordinator works in at least one unit: name it" "$ERR"
sr user add a2 --role admin --unit U1 --new-passphrase-file coord.pass \
    --kdf-profile insecure-test-only
exact "an admin's unit is named by --unit" "error: --unit: an admin works in every unit: name none" \
    "$ERR"
sr unit add U6 --name ""
exact "the unit's name is named by --name" \
    "error: --name: a unit needs a name of 1-200 characters" "$ERR"
sr unit add "U 6" --name x
exact "no flag when the command has none for the field" \
    "error: unit code 'U 6' is not valid: use 1-32 letters, digits, '_' or '-'" "$ERR"
refused "a summary's unit filter is named by --unit" "^error: --unit: no unit 'NOPE'$" \
    stats sig-intake --unit NOPE
refused "a summary's start date is named by --from" "^error: --from: " stats sig-intake --from 2025-02-30
refused "a summary's missing start is named by --from" "^error: --from: " stats sig-intake --to 2025-03-31
refused "a case list's status is named by --status" "^error: --status: 'nonsense' " \
    case list --status nonsense
sr form show no-such-form
exact "no command names in library messages" "error: no form 'no-such-form'" "$ERR"

t_end
