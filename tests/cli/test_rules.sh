#!/usr/bin/env bash
# test_rules.sh - the registration rules the forms imply, through `register`
# and `import`: consent (the young person's, and the guardians' for a minor),
# free text with a personnummer (refused, saying where, never what) or a
# name (a warning), the birth year derived from the personnummer, a case
# opened on its intake's date, and summaries that pool versions 1 and 2 of
# sig-intake.
source "$(dirname "$0")/lib.sh"
t_begin

check "make registry" make_registry
export SIGREG_USER=coord SIGREG_PASSPHRASE_FILE="$T_DIR/coord.pass"
ok "form list" form list
check "both versions of sig-intake are installed" \
    bash -c 'grep -qE "sig-intake +1" <<<"$0" && grep -qE "sig-intake +2" <<<"$0"' "$OUT"

# An intake's answers with one answer changed (JSON value) or removed (-).
intake() { # [ITEM VALUE]...
    python3 - "$@" <<'PY'
import json, sys
a = {"sex": "girl", "referral_source": "school", "consent_young_person": True,
     "consent_guardians": "yes", "living_situation": "both_parents",
     "school_situation": "absence", "need_crime": "some", "need_attitudes": "none",
     "need_peers": "some", "need_family": "none", "need_school": "substantial",
     "need_leisure": "some", "need_substances": "none", "need_mental_health": "unknown",
     "need_violence_exposure": "none", "need_honour": "none", "substance_use": "none",
     "police_contacts_6m": "one", "suspected_ever": False, "victim_of_crime": "no"}
args = sys.argv[1:]
for k, v in zip(args[::2], args[1::2]):
    if v == "-":
        a.pop(k, None)
    else:
        a[k] = json.loads(v)
print(json.dumps(a, ensure_ascii=False))
PY
}

sr case new --unit U1 --pnr 20100315-1238
MINOR=$OUT
sr case new --unit U1 --pnr 050101-2389
ADULT=$OUT

# --- consent
intake consent_young_person false consent_guardians - > no-consent.json
before=$(registry_sums)
refused "no consent from the young person" \
    "item .consent_young_person.: SIG requires the young person's consent" \
    register "$MINOR" sig-intake --date 2025-03-01 --answers no-consent.json
refused "in Swedish when asked: the form's own explanation" \
    "fråga .consent_young_person.: samverkan i SIG förutsätter den unges samtycke" \
    register "$MINOR" sig-intake --date 2025-03-01 --answers no-consent.json --lang sv
refused "version 1 is refused as well" "item .consent_young_person.: SIG requires" \
    register "$MINOR" sig-intake --version 1 --date 2025-03-01 --answers no-consent.json
intake consent_guardians '"not_required"' > not-required.json
refused "a minor needs the guardians' consent" "item .consent_guardians.: the young person is \(or may be\) under 18" \
    register "$MINOR" sig-intake --date 2025-03-01 --answers not-required.json
check "nothing stored" test "$before" = "$(registry_sums)"
ok "an adult does not" register "$ADULT" sig-intake --date 2025-03-01 --answers not-required.json

# --- free text
before=$(registry_sums)
intake notes '"ring 19121212-1212 i morgon"' > pnr-note.json
refused "a personnummer in free text" "notes.*personnummer or samordningsnummer at character 6" \
    register "$MINOR" sig-intake --date 2025-03-01 --answers pnr-note.json
check "the number is not repeated" bash -c '! grep -q "1212" <<<"$0"' "$ERR"
refused "in Swedish when asked" \
    "fråga .notes.: texten innehåller ett personnummer eller samordningsnummer vid tecken 6" \
    register "$MINOR" sig-intake --date 2025-03-01 --answers pnr-note.json --lang sv
intake notes '"samordningsnummer 701063-2391"' > samn-note.json
refused "a samordningsnummer in free text" "at character 19" \
    register "$MINOR" sig-intake --date 2025-03-01 --answers samn-note.json
check "nothing stored" test "$before" = "$(registry_sums)"
intake notes '"träffade Anna Berg"' > name-note.json
ok "a name in free text is accepted" register "$MINOR" sig-intake --date 2025-03-01 --answers name-note.json
check "with a warning" grep -q "warning: item 'notes': the text at character 10 looks like a name" <<<"$ERR"
check "the name is not repeated" bash -c '! grep -q "Anna" <<<"$0"' "$ERR"

# --- derived birth year, opened on the intake date
ok "case show" case show "$MINOR" --json
check "the birth year is derived from the personnummer" grep -q '"birth_year": 2010' <<<"$OUT"
check "opened on the intake date" grep -q '"opened_at": "2025-03-01"' <<<"$OUT"
intake birth_year 2011 > wrong-year.json
sr case new --unit U1 --pnr 200907045678
OTHER=$OUT
refused "a birth year other than the personnummer's" \
    "item .birth_year.: the birth year comes from the case's personnummer" \
    register "$OTHER" sig-intake --date 2025-03-01 --answers wrong-year.json

# --- import: the same rules, and the intake date opens the case (in a
# registry of its own, so that the summaries below count these cases alone)
export SIGREG_REGISTRY="$T_DIR/reg2.db"
export SIGREG_USER=admin SIGREG_PASSPHRASE_FILE="$T_DIR/admin.pass"
check "a second registry" make_registry
line() { # REF PNR|"" VERSION DATE ANSWERS-JSON
    local pnr=""
    [ -n "$2" ] && pnr=", \"pnr\": \"$2\""
    printf '{"ref": "%s", "unit": "U1"%s, "responses": [{"form": "sig-intake", "version": %s, "date": "%s", "answers": %s}]}\n' \
        "$1" "$pnr" "$3" "$4" "$5"
}
{
    line bad1 "" 1 2024-03-01 "$(intake consent_young_person false consent_guardians -)"
    line bad2 "" 2 2024-03-01 "$(intake notes '"ring 121212-1212"')"
    for i in 1 2 3 4 5; do line v1-$i "" 1 2024-03-01 "$(intake referral_source '"police"' birth_year 2009)"; done
    for i in 1 2 3; do line v2-$i "" 2 2024-03-01 "$(intake referral_source '"police"' birth_year 2009)"; done
    for i in 1 2 3 4 5; do line sspf-$i "" 2 2024-02-10 "$(intake referral_source '"sspf"' birth_year 2009)"; done
} > cases.jsonl
sr import cases.jsonl
check "the import reports the refused lines" test "$RC" -ne 0
check "line 1: no consent" grep -q "line 1 (ref bad1).*SIG requires the young person's consent" <<<"$ERR"
check "line 2: a personnummer in the notes" grep -q "line 2 (ref bad2)" <<<"$ERR"
check "only the consenting intake is refused" bash -c '! grep -q "consent_guardians" <<<"$0"' "$ERR"
check "thirteen cases imported" test "$(grep -c $'\t' <<<"$OUT")" -eq 13
V1=$(awk -F'\t' '$1 == "v1-1" {print $2}' <<<"$OUT")
ok "case show of an imported case" case show "$V1" --json
check "opened on its intake's date, not today" grep -q '"opened_at": "2024-03-01"' <<<"$OUT"

# Summaries pool the versions: police 5 (v1) + 3 (v2) = 8 of 13, sspf 5
# (v2 only; at least the default min_cell of 5); counted in 2024 Q1, the
# quarter of their intakes.
ok "stats over v1 and v2" stats sig-intake --from 2024-01-01 --to 2024-03-31 --format csv
check "police: 8 of 13" grep -q '^sig-intake,referral_source,police,8,13,61.5,' <<<"$OUT"
check "sspf: 5 of 13" grep -q '^sig-intake,referral_source,sspf,5,13,38.5,' <<<"$OUT"
ok "cases in 2024 Q1" stats cases --from 2024-01-01 --to 2024-03-31 --format csv
check "the thirteen imported cases are in 2024 Q1" grep -q ',open,13,' <<<"$OUT"

t_end
