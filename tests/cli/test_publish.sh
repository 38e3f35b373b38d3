#!/usr/bin/env bash
# test_publish.sh - publications: made by a coordinator or an admin, read by
# the analysts of those units (sealed to their own slot keys) and by an
# evaluator without a registry; figures against hand-computed truth; a
# package of another unit, a tampered package and a query the package does
# not hold are refused.
source "$(dirname "$0")/lib.sh"
t_begin
check "make registry" make_registry
"$SIGREG_BIN" user add ana1 --role analyst --unit U1 --kdf-profile insecure-test-only \
    --new-passphrase-file analyst.pass 2>/dev/null
"$SIGREG_BIN" user add ana2 --role analyst --unit U2 --kdf-profile insecure-test-only \
    --new-passphrase-file analyst.pass 2>/dev/null
A1=(--user ana1 --passphrase-file analyst.pass)
A2=(--user ana2 --passphrase-file analyst.pass)
C=(--user coord --passphrase-file coord.pass)

# U1: 14 intakes in 2025, 6 girls and 8 boys; referred by school 9, police 5.
# U2: 10 intakes in 2025, 5 girls and 5 boys, all referred by social services.
line() { # ref unit sex referral date
    printf '{"ref":"%s","unit":"%s","responses":[{"form":"sig-intake","version":1,"date":"%s","answers":{"sex":"%s","referral_source":"%s","consent_young_person":true,"consent_guardians":"yes","living_situation":"one_parent","school_situation":"regular","need_crime":"some","need_attitudes":"some","need_peers":"some","need_family":"none","need_school":"none","need_leisure":"none","need_substances":"none","need_mental_health":"none","need_violence_exposure":"none","need_honour":"none","substance_use":"none","police_contacts_6m":"none","suspected_ever":false,"victim_of_crime":"no"}}]}\n' \
        "$1" "$2" "$5" "$3" "$4"
}
{
    for i in 1 2 3 4 5 6; do line "g$i" U1 girl school 2025-03-1$i; done
    for i in 1 2 3; do line "b$i" U1 boy school 2025-05-1$i; done
    for i in 4 5 6 7 8; do line "b$i" U1 boy police 2025-09-1$i; done
    for i in 1 2 3 4 5; do line "h$i" U2 girl social_services 2025-04-1$i; done
    for i in 1 2 3 4 5; do line "k$i" U2 boy social_services 2025-06-1$i; done
} > small.jsonl
ok "import" import small.jsonl
sr keygen --out eval --kdf-profile insecure-test-only --passphrase-file admin.pass

# Before any publication an analyst has no figures.
refused "no publication yet" "no publication is addressed to user 'ana1'" "${A1[@]}" stats sig-intake

# Who may publish what
refused "an analyst does not publish" "may not|do not make" "${A1[@]}" publish
refused "a coordinator publishes only their units" "does not work in unit 'U2'" "${C[@]}" publish --units U2
before_pub=$(registry_sums)
refused "min cell may only be raised" "^error: --min-cell: the minimum cell 3 is below the registry's 5: it is a floor that only an admin's setting changes$" "${C[@]}" publish --min-cell 3
check "a refused minimum cell publishes nothing" bash -c "! ls reg.publications/*.sigpub 2>/dev/null"
check "and changes nothing in the registry" test "$before_pub" = "$(registry_sums)"
refused "periods are whole" "year\|half\|quarter|not a period" "${C[@]}" publish --periods month
ok "coordinator publishes U1" "${C[@]}" publish --recipient eval.pub
check "one package for ana1 (and ana, who has no units), one for the evaluator" \
    test "$(grep -c . <<<"$OUT")" -eq 3
check "packages beside the registry" bash -c "ls reg.publications/*.sigpub >/dev/null"
check "nothing in clear" bash -c "! grep -l 'referral_source' reg.publications/*"
EVAL_PKG=$(awk -F'\t' 'length($1) == 64 {print $2}' <<<"$OUT")
A1_PKG=$(awk -F'\t' '$1 == "ana1" {print $2}' <<<"$OUT")

# The analyst of U1 reads hand-computed figures.
ok "analyst of U1 reads the publication" "${A1[@]}" stats sig-intake --format csv
CSV=$(tr -d '\r' <<<"$OUT")
check "girls 6 of 14" grep -q '^sig-intake,sex,girl,6,14,42.9,' <<<"$CSV"
check "boys 8 of 14" grep -q '^sig-intake,sex,boy,8,14,57.1,' <<<"$CSV"
# School 9 and police 5 are withheld: the table by sex publishes the girls'
# 6 by school and 0 by police, and the boys' 8, so 9 would give the boys by
# school, 3, exactly (the tables are one problem, their sums its cells).
check "referred by school (9) withheld: with the girls' 6 it gives the boys' 3" \
    grep -q '^sig-intake,referral_source,school,,14,,,true' <<<"$CSV"
check "referred by police (5) withheld" grep -q '^sig-intake,referral_source,police,,14,,,true' <<<"$CSV"
check "no U2 figure (social services 0)" grep -q '^sig-intake,referral_source,social_services,0,14,' <<<"$CSV"
ok "by sex" "${A1[@]}" stats sig-intake --by sex --format csv
CSV=$(tr -d '\r' <<<"$OUT")
check "boys referred by school (3) withheld" grep -q '^sig-intake,referral_source,boy,school,,[0-9]*,,,true' <<<"$CSV"
check "and another figure beside it (secondary)" bash -c \
    "grep -E '^sig-intake,referral_source,(boy|girl),(police|school),' <<<'$CSV' | grep -c ',true,' | grep -qv '^1$'"
ok "case flow by year" "${A1[@]}" stats cases --by year --format csv
check "14 open cases in 2025" grep -q '^cases,status,2025,open,14,14,100' <<<"$(tr -d '\r' <<<"$OUT")"
ok "json says when and by whom" "${A1[@]}" stats sig-intake --format json
check "published_by coord" bash -c "grep -q '\"published_by\": \"coord\"' <<<'$OUT' && grep -q '\"published_at\"' <<<'$OUT'"
ok "table says it" "${A1[@]}" stats sig-intake
check "table names the publication" grep -q "ur publiceringen .* av coord" <<<"$OUT"

ok "analyst's report from the publication" "${A1[@]}" report --out report.html
check "the report names the publication" grep -q "ur publiceringen .* av coord" report.html
refused "a report of a date window is not published" "whole periods" "${A1[@]}" report --year 2025 --out report2.html

# Queries the package does not hold
refused "not published: by quarter" "'sig-intake' by 'quarter' is not published.*holds.*by -, sex, age_band, year" \
    "${A1[@]}" stats sig-intake --by quarter
refused "no date windows" "whole periods" "${A1[@]}" stats sig-intake --from 2025-01-01 --to 2025-06-30
refused "no other min cell" "minimum cell 5" "${A1[@]}" stats sig-intake --min-cell 7
refused "not published: another unit" "U2.*not published" "${A1[@]}" stats sig-intake --unit U2

# The analyst of U2 gets nothing of U1's
refused "analyst of U2 has no package" "no publication is addressed to user 'ana2'" "${A2[@]}" stats sig-intake
ok "admin publishes every unit" publish --recipient eval.pub
check "ana2 now has a package" grep -q '^ana2' <<<"$OUT"
A2_PKG=$(awk -F'\t' '$1 == "ana2" {print $2}' <<<"$OUT")
ADMIN_EVAL_PKG=$(awk -F'\t' 'length($1) == 64 {print $2}' <<<"$OUT")
ok "view the admin's package" view "$ADMIN_EVAL_PKG" --key eval.key --passphrase-file admin.pass
CHECKPOINT=$(sed -n 's/^audit checkpoint //p' <<<"$OUT")
check "an admin's package carries an audit checkpoint" grep -qE '^[0-9]+:[0-9a-f]{64}$' <<<"$CHECKPOINT"
ok "the log holds what the checkpoint saw" audit verify --expect "$CHECKPOINT"
ok "analyst of U2 reads U2" "${A2[@]}" stats sig-intake --format csv
check "U2: 10 referred by social services" grep -q '^sig-intake,referral_source,social_services,10,10,100' <<<"$(tr -d '\r' <<<"$OUT")"
refused "analyst of U2 cannot read U1" "U1.*not published" "${A2[@]}" stats sig-intake --unit U1
check "ana2's package is not sealed to ana1" bash -c "cp '$A2_PKG' '${A1_PKG%.sigpub}-x.sigpub'"
ok "ana1 still reads its own (another's package is not addressed to it)" "${A1[@]}" stats sig-intake --unit U1 --format csv
rm -f "${A1_PKG%.sigpub}-x.sigpub"
ok "the publish action is logged" audit show --last 5
check "audit entry" grep -q "publish.*units=U1,U2" <<<"$OUT"

# An evaluator reads the coordinator's package without a registry. It is
# signed with the coordinator's own key, and carries the certificate of that
# key by the registry's signing key (made when an admin signed the keyring):
# where the registry's key is known (the admin's package above), it is
# checked against that key.
ok "view: a coordinator's package, certified by the known registry key" \
    view "$EVAL_PKG" --key eval.key --passphrase-file admin.pass
COORD_FP=$(sed -n 's/^signed by \([0-9a-f]*\)$/\1/p' <<<"$OUT")
CERT_FP=$(sed -n "s/^certified by the registry's signing key \([0-9a-f]*\)$/\1/p" <<<"$OUT")
REG_FP=$("$SIGREG_BIN" pubkey 2>/dev/null | grep -oE '[0-9a-f]{64}' | head -1)
check "view names the coordinator's key" test -n "$COORD_FP"
check "... certified by the registry's own key" test -n "$CERT_FP" -a "$CERT_FP" = "$REG_FP"
check "... not the same key" test "$COORD_FP" != "$CERT_FP"
ok "view: the registry's key pinned" view "$EVAL_PKG" --key eval.key --passphrase-file admin.pass \
    --signer "$REG_FP"
# The coordinator's own key pinned, as before certificates, still works.
PIN=(--signer "$COORD_FP")
ok "view: contents" view "$EVAL_PKG" --key eval.key --passphrase-file admin.pass "${PIN[@]}"
check "view says who published" grep -q "by coord" <<<"$OUT"
ok "view sig-intake" view "$EVAL_PKG" sig-intake --key eval.key --passphrase-file admin.pass --format csv "${PIN[@]}"
check "view: same figures" grep -q '^sig-intake,sex,girl,6,14,42.9,' <<<"$(tr -d '\r' <<<"$OUT")"
# The English tables: the same figures (one problem, solved once for both
# languages), their own labels.
ok "view sig-intake in English" view "$EVAL_PKG" sig-intake --lang en --key eval.key \
    --passphrase-file admin.pass --format csv "${PIN[@]}"
check "view: the same figures, English labels" \
    grep -q '^sig-intake,sex,girl,6,14,42.9,,false,Sex,Girl,' <<<"$(tr -d '\r' <<<"$OUT")"
refused "view: not published" "is not published" view "$EVAL_PKG" sig-intake --by quarter --key eval.key --passphrase-file admin.pass "${PIN[@]}"
refused "view: wrong signer pinned" "signer|signed" view "$EVAL_PKG" sig-intake --key eval.key --passphrase-file admin.pass --signer 00ff
refused "view: not our key" "recipient|not for|key" view "$A1_PKG" sig-intake --key eval.key --passphrase-file admin.pass

# A tampered package is refused
cp "$EVAL_PKG" tampered.sigpub
size=$(stat -c %s tampered.sigpub)
flip_byte tampered.sigpub $((size / 2))
refused "view: tampered package" "publication .* is refused: it (is damaged|does not decrypt)" view tampered.sigpub sig-intake --key eval.key --passphrase-file admin.pass
A1_NEW=$(ls reg.publications/*-ana1.sigpub | sort | tail -1)
flip_byte "$A1_NEW" $(($(stat -c %s "$A1_NEW") / 2))
refused "analyst: tampered package" "publication .* is refused: it (is damaged|does not decrypt)" "${A1[@]}" stats sig-intake

# Half-years as the period: the newest package answers by half, not by year
ok "publish by half-years" "${C[@]}" publish --periods half
ok "cases by half" "${A1[@]}" stats cases --by half --format csv
CSV=$(tr -d '\r' <<<"$OUT")
check "9 intakes in 2025-H1 (6 girls in March, 3 boys in May), 5 in 2025-H2" bash -c \
    "grep -q '^cases,status,2025-H1,open,9,9,100' <<<'$CSV' && grep -q '^cases,status,2025-H2,open,5,5,100' <<<'$CSV'"
refused "by year is not in a half-year publication" "by 'year' is not published" "${A1[@]}" stats cases --by year

# A publication may raise the minimum cell, for every table of it: girls (6)
# and boys (8) of U1 are then both withheld (the total, 14, is published)
ok "publish with a raised minimum cell" "${C[@]}" publish --min-cell 7
ok "the analyst reads it" "${A1[@]}" stats sig-intake --format csv
CSV=$(tr -d '\r' <<<"$OUT")
check "girls (6) withheld under minimum cell 7" grep -qE '^sig-intake,sex,girl,,.*,true' <<<"$CSV"
check "and boys (8) beside them" grep -qE '^sig-intake,sex,boy,,.*,true' <<<"$CSV"
refused "the analyst cannot ask for the registry's 5 instead" "minimum cell 7, for every figure" \
    "${A1[@]}" stats sig-intake --min-cell 5
refused "nor a coordinator's live summary for 7" "the minimum cell 7 differs from the registry's 5" \
    "${C[@]}" stats sig-intake --min-cell 7

# Coordinators and admins keep their live summaries
ok "coordinator's live stats" "${C[@]}" stats sig-intake --format csv
check "live: no publication note" bash -c "! grep -q publiceringen <<<'$OUT'"
t_end
