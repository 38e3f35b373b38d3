#!/usr/bin/env bash
# test_interop.sh - `form export` and `form import` through the real binary.
source "$(dirname "$0")/lib.sh"
t_begin

check "make registry" make_registry
ok "export redcap" form export sig-intake --to redcap --out intake.csv
check "dictionary header" grep -q '^Variable / Field Name,Form Name,' intake.csv
refused "no overwrite" "exists already" form export sig-intake --to redcap --out intake.csv
ok "overwrite with --force" form export sig-intake --to redcap --out intake.csv --force
ok "export fhir to stdout" form export sig-experience --to fhir
check "a Questionnaire" grep -q '"resourceType": "Questionnaire"' <<<"$OUT"
printf '%s\n' "$OUT" > exp.json
ok "export xlsform" form export sig-closure --to xlsform --out closure
check "two sheets" test -s closure-survey.csv -a -s closure-choices.csv
ok "import redcap as a new id" form import intake.csv --from redcap --id sig-intake-copy
ok "import fhir as a new version" form import exp.json --from fhir --version 2
sr form list
check "both listed" bash -c 'grep -q "sig-intake-copy" <<<"$0" && grep -qE "sig-experience +2" <<<"$0"' "$OUT"
ok "same content again is a no-op" form import exp.json --from fhir --version 2
# Exported and imported under its own id and version, a shipped form is the
# very same definition (same digest): the registry calls it a no-op.
for f in sig-intake sig-closure sig-experience sig-followup sig-intervention; do
    for t in redcap fhir; do
        ok "export $f $t" form export $f --to $t --out $f.$t
        ok "import $f $t" form import $f.$t --from $t
        check "$f $t comes back the same" grep -q "already installed with the same content" <<<"$ERR"
    done
done
sr form export sig-intake-copy --to redcap
printf '%s\n' "$OUT" | sed 's/sig_intake_copy/sig_intake/; s/sig-intake-copy/sig-intake/' > copy.csv
check "the copy exports as the original did" cmp -s copy.csv intake.csv
ok "a foreign dictionary, one instrument" form import "$SIGREG_SOURCE_DIR/tests/interop/redcap/survey/dictionary.csv" \
    --from redcap --instrument participant_morale_questionnaire --phase experience
check "installed under the instrument's name" grep -q "installed as participant-morale-questionnaire version 1 (5 items)" <<<"$ERR"
refused "several instruments need a choice" "holds 4 instruments" form import \
    "$SIGREG_SOURCE_DIR/tests/interop/redcap/survey/dictionary.csv" --from redcap --phase intake
printf '%s\n' 'Variable / Field Name,Form Name,Field Type,Field Label,"Choices, Calculations, OR Slider Labels"' \
    'record_id,f,text,Record ID,' 'bmi,f,calc,BMI,[w]/[h]' > calc.csv
before=$(registry_sums)
refused "calc field refused by name" "bmi.*calculated field" form import calc.csv --from redcap --phase intake
check "nothing changed" test "$before" = "$(registry_sums)"
refused "phase needed" "phase" form import calc.csv --from redcap
SIGREG_PASSPHRASE_FILE=coord.pass refused "coordinators cannot import" "may not import forms" form import exp.json --from fhir --user coord --version 3
# A case's responses as FHIR QuestionnaireResponses.
C=$("$SIGREG_BIN" case new --unit U1 --no-pnr 2>/dev/null)
cat > intake-answers.json <<'EOF'
{"sex":"girl","referral_source":"school","consent_young_person":true,"consent_guardians":"yes",
 "consent_date":"2025-02-01","living_situation":"one_parent","school_situation":"absence",
 "need_crime":"some","need_attitudes":"none","need_peers":"substantial","need_family":"some",
 "need_school":"some","need_leisure":"none","need_substances":"unknown","need_mental_health":"none",
 "need_violence_exposure":"none","need_honour":"none","protective_factors":["engaged_adult"],
 "substance_use":"none","police_contacts_6m":"one","suspected_ever":true,"crime_types":["theft"],
 "age_first_suspected":13,"victim_of_crime":"no"}
EOF
printf '%s' '{"answered_by":"alone","felt_safe":4,"felt_understood":5,"could_influence":3,"got_help":4,"would_recommend":true}' > exp-answers.json
ok "register intake" register "$C" sig-intake --date 2025-03-01 --answers intake-answers.json
ok "register experience" register "$C" sig-experience --version 1 --date 2025-06-01 --answers exp-answers.json
ok "case show --fhir" case show "$C" --fhir
check "a Bundle of QuestionnaireResponses" bash -c 'grep -q "\"resourceType\": \"Bundle\"" <<<"$0" && grep -q "\"resourceType\": \"QuestionnaireResponse\"" <<<"$0"' "$OUT"
check "names the form version and the case" bash -c 'grep -q "urn:sigreg:form:sig-experience|1" <<<"$0" && grep -q "urn:sigreg:form:sig-intake|2" <<<"$0" && grep -q "\"value\": \"$1\"" <<<"$0"' "$OUT" "$C"
check "answers as FHIR values" bash -c 'grep -q "\"valueInteger\": 4" <<<"$0" && grep -q "\"code\": \"alone\"" <<<"$0" && grep -q "\"valueBoolean\": true" <<<"$0" && grep -q "\"valueDate\": \"2025-02-01\"" <<<"$0"' "$OUT"
refused "--fhir and --json together" "usage" case show "$C" --fhir --json
t_end
