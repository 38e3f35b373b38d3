#!/usr/bin/env bash
# test_dialog.sh - the terminal registration dialog as a coordinator types it
# (issue 13): the date asked and checked before the first question, options
# by a label's beginning, "<" back a question, "ändra 3" in the review, "Ja"
# at Spara, yes/no asked again rather than taken as a no, a dialog cut off
# by Ctrl-C resumed from its draft, a draft kept or thrown away at "Spara? n",
# and `response edit --set`. Stored values are checked through
# `case show --json`.
source "$(dirname "$0")/lib.sh"
t_begin
PTY=${SIGREG_PTY:?}
check "make registry" make_registry
export SIGREG_USER=coord SIGREG_PASSPHRASE_FILE="$T_DIR/coord.pass"
ok "case new" case new --unit U1 --no-pnr
CASE=$OUT

# json_is CASE PYTHON-EXPRESSION: `case show --json` of CASE makes the
# expression true (d is the document, r(form) the form's active response).
json_is() {
    local code=$1 expr=$2
    "$SIGREG_BIN" case show "$code" --json 2>/dev/null | python3 -c "
import json, sys
d = json.load(sys.stdin)
def r(form):
    return [x for x in d['responses'] if x['form'] == form and x['active']][-1]
sys.exit(0 if ($expr) else 1)"
}

# --- the intake, typed as the issue says coordinators type it
cat > intake.script <<'EOF2'
expect Inskrivningsdatum (ÅÅÅÅ-MM-DD) [
send 2025-03-01
expect [1/27] Kön
send fli
expect [2/27]
send
expect [3/27]
send skol
expect [4/27]
send Ja
expect [5/27]
send ja
expect [6/27]
send
expect [7/27]
send med en
expect [8/27]
send 2
expect [9/27]
send visst
expect [10/27]
send inget
expect [11/27]
send v
expect 'v' passar flera svarsalternativ: 2 Visst behov, 4 Vet ej
send stort
expect [12/27]
send <
expect [11/27]
expect nu: Stort behov
send
expect [12/27]
send INGET
expect [13/27]
send stort
expect [14/27]
send visst
expect [15/27]
send inget
expect [16/27]
send vet
expect [17/27]
send inget
expect [18/27]
send inget
expect [19/27]
send stöd, motivation
expect [20/27]
send xyz
expect 'xyz' är inget av svarsalternativen: 1 Inget känt bruk
send inget
expect [21/27]
send en
expect [22/27]
send Nej
expect [25/27]
send nej
expect [26/27]
send
expect [27/27]
send
expect Granska svaren
expect 3. Hur kom ärendet till SIG?
expect Skolan
expect Spara? (j/n)
send ändra 3
expect [3/27]
send polis
expect Granska svaren
expect Polisen
expect Spara? (j/n)
send kanske
expect svara j, n eller ändra N
send Ja
EOF2
"$PTY" intake.script -- "$SIGREG_BIN" register "$CASE" sig-intake --version 1 > intake.txt 2>&1
RC=$?
check "the intake was registered (exit $RC)" test "$RC" -eq 0
[ "$RC" -eq 0 ] || cat intake.txt >&2
check "the intake date is asked with today as the default" \
    grep -q "Inskrivningsdatum (ÅÅÅÅ-MM-DD) \[$(date +%Y-%m-%d)\]" intake.txt
check "the review numbers every answer with its label" grep -qE "^ +3\. Hur kom ärendet till SIG\? +Skolan" intake.txt
check "the stored answers are what was typed" json_is "$CASE" "
r('sig-intake')['date'] == '2025-03-01' and r('sig-intake')['answers'] == {
 'sex': 'girl', 'referral_source': 'police', 'consent_young_person': True,
 'consent_guardians': 'yes', 'living_situation': 'one_parent', 'school_situation': 'absence',
 'need_crime': 'some', 'need_attitudes': 'none', 'need_peers': 'substantial',
 'need_family': 'none', 'need_school': 'substantial', 'need_leisure': 'some',
 'need_substances': 'none', 'need_mental_health': 'unknown', 'need_violence_exposure': 'none',
 'need_honour': 'none', 'protective_factors': ['family_support', 'school_motivation'],
 'substance_use': 'none', 'police_contacts_6m': 'one', 'suspected_ever': False,
 'victim_of_crime': 'no'}"
INTAKE_ID=$("$SIGREG_BIN" case show "$CASE" --json 2>/dev/null |
    python3 -c "import json,sys; print(json.load(sys.stdin)['responses'][0]['id'])")

# --- a date before the intake is refused before the first question
printf 'expect Datum\n' > early.script
"$PTY" early.script -- "$SIGREG_BIN" register "$CASE" sig-intervention --version 1 \
    --date 2025-02-28 > early.txt 2>&1
RC=$?
check "a date before the intake stops the dialog" test "$RC" -ne 0
check "it says why" grep -q "är före inskrivningen (2025-03-01)" early.txt
check "before any question" bash -c "! grep -q '\[1/7\]' early.txt"
# Asked in the dialog, the same date is refused and asked again.
cat > asked.script <<'EOF2'
expect Datum för registreringen (ÅÅÅÅ-MM-DD)
send 2025-02-28
expect är före inskrivningen
expect Datum för registreringen
send 2099-01-01
expect Datum för registreringen
send 2025-04-01
expect [1/7]
send 4
expect [2/7]
send 1, 3
expect [3/7]
intr
EOF2
"$PTY" asked.script -- "$SIGREG_BIN" register "$CASE" sig-intervention --version 1 > asked.txt 2>&1
RC=$?
check "Ctrl-C stops the dialog" test "$RC" -ne 0
check "the refused dates came before the first question" \
    bash -c "[ \$(grep -n 'är före inskrivningen' asked.txt | head -1 | cut -d: -f1) -lt \$(grep -n '\[1/7\]' asked.txt | head -1 | cut -d: -f1) ]"
check "nothing registered by the interrupted dialog" json_is "$CASE" "len(d['responses']) == 1"

# --- the interrupted dialog is offered again from its draft
cat > resume.script <<'EOF2'
expect Det finns ett utkast från
expect med 2 svar. Fortsätta? (j/n)
send kanske
expect svara j eller n
send J
expect Datum för registreringen (ÅÅÅÅ-MM-DD) [2025-04-01]
send
expect [3/7]
send Fri
expect [4/7]
send ja
expect [5/7]
send delvis
expect [6/7] Vad har försvårat?
send <
expect [5/7]
send ja
expect [7/7]
send
expect Granska svaren
expect Spara? (j/n)
send J
EOF2
"$PTY" resume.script -- "$SIGREG_BIN" register "$CASE" sig-intervention --version 1 > resume.txt 2>&1
RC=$?
check "the resumed dialog registered (exit $RC)" test "$RC" -eq 0
[ "$RC" -eq 0 ] || tail -30 resume.txt >&2
check "the draft's answers and date were kept" json_is "$CASE" "
r('sig-intervention')['date'] == '2025-04-01' and r('sig-intervention')['answers'] == {
 'meetings': 4, 'focus': ['outreach', 'group_activity'], 'actors': ['leisure_centre'],
 'young_person_participation': 'yes', 'plan_followed': 'yes'}"
# Registering took the draft away: the next intervention starts afresh.
printf 'expect Datum för registreringen\neof\n' > fresh.script
"$PTY" fresh.script -- "$SIGREG_BIN" register "$CASE" sig-intervention --version 1 > fresh.txt 2>&1
check "no draft is offered after registering" bash -c "! grep -q 'Det finns ett utkast' fresh.txt"

# --- Spara? n: keep the draft, or throw it away after a second yes
cat > keep.script <<'EOF2'
expect Datum för registreringen
send 2025-05-01
expect [1/7]
send 2
expect [2/7]
send 1
expect [3/7]
send 1
expect [4/7]
send nej
expect [5/7]
send nej
expect [6/7]
send
expect [7/7]
send
expect Spara? (j/n)
send n
expect Behålla svaren som utkast
send j
EOF2
"$PTY" keep.script -- "$SIGREG_BIN" register "$CASE" sig-intervention --version 1 > keep.txt 2>&1
RC=$?
check "Spara? n registers nothing" test "$RC" -ne 0
check "and says the draft is kept" grep -q "utkastet med 5 svar finns kvar" keep.txt
cat > discard.script <<'EOF2'
expect med 5 svar. Fortsätta? (j/n)
send ja
expect Datum för registreringen (ÅÅÅÅ-MM-DD) [2025-05-01]
send
expect [6/7]
send
expect [7/7]
send
expect Spara? (j/n)
send NEJ
expect Behålla svaren som utkast
send n
expect Kasta utkastet med 5 svar?
send n
EOF2
"$PTY" discard.script -- "$SIGREG_BIN" register "$CASE" sig-intervention --version 1 > discard.txt 2>&1
check "a no to throwing away keeps the draft" grep -q "utkastet med 5 svar finns kvar" discard.txt
sed -i '$d' discard.script; echo 'send Ja' >> discard.script
"$PTY" discard.script -- "$SIGREG_BIN" register "$CASE" sig-intervention --version 1 > discard2.txt 2>&1
check "a second yes throws it away" grep -q "utkastet är kastat" discard2.txt
"$PTY" fresh.script -- "$SIGREG_BIN" register "$CASE" sig-intervention --version 1 > fresh2.txt 2>&1
check "no draft is offered after throwing it away" bash -c "! grep -q 'Det finns ett utkast' fresh2.txt"
check "only the intake and one intervention" json_is "$CASE" "len(d['responses']) == 2"

# --- response edit --set: single answers, typed as in the dialog
ok "--set by label and by number" response edit "$INTAKE_ID" --set need_peers=visst --set sex=2 \
    --set 'protective_factors=Egen motivation'
check "a new revision with only those answers changed" json_is "$CASE" "
r('sig-intake')['revision'] == 2 and r('sig-intake')['answers']['need_peers'] == 'some' and
r('sig-intake')['answers']['sex'] == 'boy' and
r('sig-intake')['answers']['protective_factors'] == ['motivation_change'] and
r('sig-intake')['answers']['referral_source'] == 'police' and len(r('sig-intake')['answers']) == 21"
ok "--set a yes/no and an answer it enables" response edit "$INTAKE_ID" --set suspected_ever=ja \
    --set 'crime_types=stöld, rån'
check "the enabled answer is stored" json_is "$CASE" "
r('sig-intake')['answers']['crime_types'] == ['theft', 'robbery'] and r('sig-intake')['revision'] == 3"
ok "--set the yes/no back drops the disabled answer" response edit "$INTAKE_ID" --set suspected_ever=nej
check "crime_types is gone" json_is "$CASE" "'crime_types' not in r('sig-intake')['answers']"
refused "--set a value that is no option" "'xyz' är inget av svarsalternativen: 1 Flicka, 2 Pojke" \
    response edit "$INTAKE_ID" --set sex=xyz
refused "--set an ambiguous beginning" "passar flera svarsalternativ" \
    response edit "$INTAKE_ID" --set need_peers=v
refused "--set an item the form lacks" "has no item 'shoe_size'" \
    response edit "$INTAKE_ID" --set shoe_size=42
refused "--set without =" "ITEM=VALUE" response edit "$INTAKE_ID" --set sex
refused "--set and --answers exclude each other" "exclude|only one" \
    response edit "$INTAKE_ID" --set sex=1 --answers /dev/null
check "the refusals changed nothing" json_is "$CASE" "r('sig-intake')['revision'] == 4"
# --- the newest intake on a case with a personnummer: the birth year is not
# asked, a missing consent is refused with the form's explanation and
# corrected in the review, a free text that looks like a name is warned of.
ok "case with a personnummer" case new --unit U1 --pnr 201003151238
PCASE=$OUT
cat > v2.script <<'EOF2'
expect Inskrivningsdatum
send 2025-03-01
expect [1/27]
send pojke
expect [3/27]
send fri
expect 'fri' passar flera svarsalternativ
send fritidsg
expect [4/27]
send nej
expect [7/27]
send med en
expect [8/27]
send 2
expect [9/27]
send inget
expect [10/27]
send inget
expect [11/27]
send inget
expect [12/27]
send inget
expect [13/27]
send inget
expect [14/27]
send inget
expect [15/27]
send inget
expect [16/27]
send inget
expect [17/27]
send inget
expect [18/27]
send inget
expect [19/27]
send
expect [20/27]
send inget
expect [21/27]
send inga
expect [22/27]
send nej
expect [25/27]
send nej
expect [26/27]
send
expect [27/27]
send Ringde Erik om mötet
expect varning
expect Granska svaren
expect (ur personnumret)
expect ser ut som ett namn
expect Spara? (j/n)
send j
expect utan samtycke ska ärendet inte registreras
expect Spara? (j/n)
send ändra 4
expect [4/27]
send ja
expect [5/27]
send ja
expect [6/27]
send
expect Spara? (j/n)
send ja
EOF2
"$PTY" v2.script -- "$SIGREG_BIN" register "$PCASE" sig-intake > v2.txt 2>&1
RC=$?
check "the corrected intake was registered (exit $RC)" test "$RC" -eq 0
[ "$RC" -eq 0 ] || tail -30 v2.txt >&2
check "the birth year was not asked" bash -c "! grep -q '^\[2/27\]' v2.txt"
check "stored: the derived birth year, the consents, the note" json_is "$PCASE" "
r('sig-intake')['answers']['birth_year'] == 2010 and
r('sig-intake')['answers']['consent_young_person'] is True and
r('sig-intake')['answers']['consent_guardians'] == 'yes' and
r('sig-intake')['answers']['referral_source'] == 'leisure_centre' and
r('sig-intake')['answers']['notes'] == 'Ringde Erik om mötet'"

# The closure shows the answer given at intake beside each need area.
printf 'expect Datum\nsend 2025-05-01\nexpect [1/19]\nsend 1\nexpect [3/19]\nsend 1\nexpect [4/19]\nsend 1\nexpect [5/19]\nsend 1\nexpect [6/19]\neof\n' > earlier.script
"$PTY" earlier.script -- "$SIGREG_BIN" register "$PCASE" sig-closure > earlier.txt 2>&1
check "the intake's answer beside the closure's need" grep -q "(tidigare, 2025-03-01: Inget behov)" earlier.txt

# --- case show and case list: labels, phase order, intake date, days open
cat > closure.json <<'JSON'
{"closure_reason":"goals_reached","goals_reached":"fully","overall_change":"improved",
 "school_situation":"regular","need_crime":"none","need_attitudes":"none","need_peers":"none",
 "need_family":"none","need_school":"some","need_leisure":"none","need_substances":"none",
 "need_mental_health":"unknown","need_violence_exposure":"none","need_honour":"none",
 "substance_use":"none","police_contacts_6m":"none"}
JSON
printf '{"months_after":"m6","source":["young_person"],"school_situation":"regular","substance_use":"none","police_contacts_6m":"none","new_intervention":false}' > followup.json
printf '{"answered_by":"alone","felt_safe":5}' > experience.json
ok "closure" register "$CASE" sig-closure --version 1 --date 2025-06-01 --answers closure.json
ok "follow-up" register "$CASE" sig-followup --version 1 --date 2025-07-01 --answers followup.json
ok "experience after the follow-up" register "$CASE" sig-experience --version 1 --date 2025-08-01 \
    --answers experience.json
ok "case show" case show "$CASE"
printf '%s\n' "$OUT" > show.txt
check "the header: intake date, closure, days open (1 March to 1 June: 92)" \
    grep -q "^Ärende $CASE  enhet U1  avslutat  inskrivning 2025-03-01  avslutat 2025-06-01  92 dagar öppet$" show.txt
check "phases in life-cycle order, the experience before the later follow-up" \
    test "$(grep -oE '^(Inskrivning|Insats|Avslut|Upplevelse|Uppföljning) ' show.txt | tr -d ' ' | tr '\n' ,)" = \
    "Inskrivning,Insats,Avslut,Upplevelse,Uppföljning,"
check "item labels and value labels, not codes" \
    grep -qE "^    Kamrater och umgänge +Visst behov$" show.txt
check "no option codes in the text view" bash -c "! grep -qE 'need_peers|substantial|\"' show.txt"
check "a revision is marked" grep -qE "^Inskrivning  2025-03-01  SIG – inskrivning \(sig-intake version 1\)  svar [0-9]+  revision 4$" show.txt
ok "case show --lang en" case show "$CASE" --lang en
printf '%s\n' "$OUT" > show-en.txt
check "English header" grep -q "^Case $CASE  unit U1  closed  intake 2025-03-01  closed 2025-06-01  open 92 days$" show-en.txt
check "English labels" grep -qE "^    Peers +Some need$" show-en.txt
ok "case show --json keeps the codes" case show "$CASE" --json
check "codes in JSON" grep -q '"need_peers": "some"' <<<"$OUT"
ok "case list" case list
check "list: intake date, days open, phases by label in order" \
    grep -qE "^$CASE +U1 +avslutat +2025-03-01 +92 2025-08-01 +5  Inskrivning, Insats, Avslut, Upplevelse, Uppföljning$" <<<"$OUT"
ok "case list --lang en" case list --lang en
check "list in English" grep -qE "^$CASE +U1 +closed +2025-03-01 +92 2025-08-01 +5  Intake, Intervention, Closure, Experience, Follow-up$" <<<"$OUT"
t_end
