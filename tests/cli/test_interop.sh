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
printf '%s\n' 'Variable / Field Name,Form Name,Field Type,Field Label,"Choices, Calculations, OR Slider Labels"' \
    'record_id,f,text,Record ID,' 'bmi,f,calc,BMI,[w]/[h]' > calc.csv
before=$(registry_sums)
refused "calc field refused by name" "bmi.*calculated field" form import calc.csv --from redcap --phase intake
check "nothing changed" test "$before" = "$(registry_sums)"
refused "phase needed" "phase" form import calc.csv --from redcap
SIGREG_PASSPHRASE_FILE=coord.pass refused "coordinators cannot import" "may not import forms" form import exp.json --from fhir --user coord --version 3
t_end
