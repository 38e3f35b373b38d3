#!/usr/bin/env bash
# test_report.sh - `sigreg report`, the report for the nämnd, on a small
# registry made from a fixed JSON Lines import whose figures are known by
# hand: 12 cases with intake in 2025 (9 in U1 in February, 3 in U2 in May),
# the 9 of U1 closed in September (6 goals reached, 3 moved), every need
# area "substantial" at intake and need_crime "some" at closure for 5 of
# them; experience answers chosen so that "felt understood" is 3 of 9 =
# 33,3 % answering 4-5 and "could influence" 2 of 9 (withheld at min cell 3).
# Also the refusals: a period off the quarter boundaries, an existing --out
# without --force, and --out onto the registry's own keyring.
source "$(dirname "$0")/lib.sh"
t_begin
check "make registry" make_registry
ok "min cell 3" settings --min-cell 3

NBSP=$'\xc2\xa0'
pnrs=(20091230-7246 20041222-7803 20080101-5314 20080630-7880 20071214-7313 20061205-8396
      20090930-0014 20070212-6178 20040726-1239 20100827-3987 20071017-8799 20071014-2803)
safe=(5 5 5 4 4 4 3 3 3)
understood=(4 4 4 3 3 3 2 2 2)
influence=(5 4 3 3 3 3 3 3 3)
help=(4 4 4 4 3 3 3 3 3)
needs=(need_attitudes need_peers need_family need_school need_leisure need_substances
       need_mental_health need_violence_exposure need_honour)
intake_needs='"need_crime":"substantial"'
for n in "${needs[@]}"; do intake_needs+=",\"$n\":\"substantial\""; done
: > cases.jsonl
for i in $(seq 0 11); do
    if [ "$i" -lt 9 ]; then unit=U1 date=2025-02-10; else unit=U2 date=2025-05-10; fi
    actors='"social_services"'
    [ "$i" -lt 6 ] && actors+=',"police"'
    [ "$i" -lt 2 ] && actors+=',"school"'
    line="{\"ref\":\"r$i\",\"unit\":\"$unit\",\"pnr\":\"${pnrs[$i]}\",\"responses\":["
    line+="{\"form\":\"sig-intake\",\"version\":1,\"date\":\"$date\",\"answers\":{\"sex\":\"boy\","
    line+="\"referral_source\":\"police\",\"consent_young_person\":true,\"consent_guardians\":\"yes\","
    line+="\"living_situation\":\"one_parent\",\"school_situation\":\"regular\",$intake_needs,"
    line+="\"substance_use\":\"none\",\"police_contacts_6m\":\"none\",\"suspected_ever\":false,"
    line+="\"victim_of_crime\":\"no\"}},"
    line+="{\"form\":\"sig-intervention\",\"version\":1,\"date\":\"${date%-*}-20\",\"answers\":"
    line+="{\"meetings\":4,\"focus\":[\"outreach\"],\"actors\":[$actors],"
    line+="\"young_person_participation\":\"yes\",\"plan_followed\":\"yes\"}}"
    if [ "$i" -lt 9 ]; then
        if [ "$i" -lt 6 ]; then reason=goals_reached; else reason=moved; fi
        if [ "$i" -lt 5 ]; then crime=some; else crime=substantial; fi
        closure_needs="\"need_crime\":\"$crime\""
        for n in "${needs[@]}"; do closure_needs+=",\"$n\":\"substantial\""; done
        line+=",{\"form\":\"sig-closure\",\"version\":1,\"date\":\"2025-09-15\",\"answers\":"
        line+="{\"closure_reason\":\"$reason\",\"goals_reached\":\"partly\","
        line+="\"overall_change\":\"improved\",\"school_situation\":\"regular\",$closure_needs,"
        line+="\"substance_use\":\"none\",\"police_contacts_6m\":\"none\"}}"
        line+=",{\"form\":\"sig-experience\",\"version\":1,\"date\":\"2025-09-15\",\"answers\":"
        line+="{\"answered_by\":\"alone\",\"felt_safe\":${safe[$i]},"
        line+="\"felt_understood\":${understood[$i]},\"could_influence\":${influence[$i]},"
        line+="\"got_help\":${help[$i]}}}"
    fi
    echo "$line]}" >> cases.jsonl
done
ok "import the fixed cases" import cases.jsonl

ok "report of the whole registry" report --out report.html
R=report.html
# The cover: N new, open and closed against the data.
row() { grep -o "<td class=\"k\">$1</td><td>[^<]*\(<b>[^<]*</b>\)\?" "$R" | sed 's/.*<td>//; s/<[^>]*>//g'; }
check "cover: 12 cases" test "$(row 'Ärenden i registret')" = 12
check "cover: 3 open" test "$(row '– öppna')" = 3
check "cover: 9 closed" test "$(row '– avslutade')" = 9
check "cover: 9 closures registered" test "$(row "Avslut registrerade")" = 9
check "cover: the unit names" grep -q "Alla enheter: Enhet 1, Enhet 2" "$R"
check "cover: the minimum cell" grep -q '<td class="k">Minsta cellstorlek</td><td>3</td>' "$R"
check "cover: made by admin" grep -qE "kl\. [0-9]{2}:[0-9]{2} UTC av admin" "$R"
check "cover: the period" grep -q "<td>hela registret</td>" "$R"
# Table 5: the share answering 4-5, with N, per question.
t5() { grep -o "<tr><td>$1</td>.*</tr>" "$R" | head -1 | sed 's/<\/tr>$//' | sed 's/<span class="wh">\.\.<\/span>/../g; s/<\/td><td class="n">/|/g; s/<[^>]*>//g'; }
check "table 5: felt safe 6 of 9, 66,7 %" test "$(t5 'Har du känt dig trygg i kontakten med oss?')" = "Har du känt dig trygg i kontakten med oss?|6|9|66,7${NBSP}%"
check "table 5: felt understood 3 of 9, 33,3 % (a non-breaking space)" test "$(t5 'Har du känt dig förstådd?')" = "Har du känt dig förstådd?|3|9|33,3${NBSP}%"
check "table 5: could influence withheld (2 of 9)" test "$(t5 'Har du kunnat påverka det som hänt?')" = "Har du kunnat påverka det som hänt?|..|9|.."
check "table 5: got help 4 of 9, 44,4 %" test "$(t5 'Har du fått den hjälp du behövt?')" = "Har du fått den hjälp du behövt?|4|9|44,4${NBSP}%"
# The reasons for closure and the actors (share of cases).
check "closure: goals reached 6, 66,7 %" grep -q "<tr><td>Målen är uppnådda</td><td class=\"n\">6</td><td class=\"n\">66,7${NBSP}%</td>" "$R"
check "actors: police in 6 of 12 cases, 50,0 %" grep -q "<tr><td>Polisen</td><td class=\"n\">6</td><td class=\"n\">50,0${NBSP}%</td>" "$R"
check "actors: school in 2 cases withheld" grep -q '<tr><td>Skolan</td><td class="n"><span class="wh">..</span></td><td class="n"><span class="wh">..</span></td>' "$R"
# The change per need area as a stacked bar with N: need_crime 5 of 9 improved.
check "change: need_crime improved 55,6 % in the chart" grep -q "aria-label=\"Förbättrad 55,6${NBSP}%, Oförändrad 44,4${NBSP}%, Försämrad 0,0${NBSP}%\"" "$R"
check "no decimal points in the text" bash -c "! sed 's/<style>.*<\/style>//; s/<[^>]*>//g' $R | grep -qE '[0-9]\\.[0-9]'"
check "explains .." grep -q "betyder att uppgiften inte redovisas för att skydda enskilda" "$R"
check "explains Vet ej" grep -q "Vet ej.*ingår inte i procentsatserna" "$R"
check "no transition codes" bash -c "! grep -qE '[a-z_]+&gt;[a-z_]+|none>|>some<' $R"
check "transitions with Swedish labels" grep -q "Vid inskrivningen ↓ / vid avslutet →" "$R"
check "statistics in Swedish" bash -c "grep -q 'Medelvärde' $R && grep -q 'Nedre kvartil' $R && ! grep -qE '>(mean|median|p25|p75|top2|n)<' $R"
check "no mean of a birth year" bash -c "! grep -q 'Födelseår' $R"
check "age at intake" grep -q "Ålder vid inskrivningen" "$R"
check "headings kept with what follows" grep -q "h2{[^}]*break-after:avoid" "$R"
check "self-contained: no scripts, nothing fetched" bash -c '! grep -qiE "<script|https?:|src=|<link|@import|url\(" report.html'

# A unit and a period beside the previous one.
ok "report of U1 for 2025 beside 2024" report --unit U1 --year 2025 --compare-previous --out u1.html
check "unit report names the unit" grep -q "Enhet 1 (U1)" u1.html
check "unit report: the period and the previous one" grep -q "år 2025, jämförd med föregående period år 2024" u1.html
check "unit report: 9 new cases" grep -q '<td class="k">Nya ärenden under perioden</td><td><b>9</b>' u1.html
check "unit report: columns for 2024" grep -q "2024 (föregående)" u1.html
ok "a half year by quarters" report --from 2025-01-01 --to 2025-06-30 --out half.html
check "half year: flow per quarter" grep -q "Ärendeflöde per kvartal" half.html

# Refusals leave everything unchanged.
before=$(registry_sums)
echo "old" > existing.html
refused "a start date off a quarter" "start date '2025-02-01' is not the first day of a quarter: the nearest are 2025-01-01 and 2025-04-01" report --from 2025-02-01 --to 2025-06-30 --out q.html
check "nothing written for a refused period" test ! -e q.html
refused "an end date off a quarter" "end date '2025-05-31' is not the last day of a quarter: the nearest are 2025-03-31 and 2025-06-30" report --from 2025-01-01 --to 2025-05-31 --out q.html
refused "three quarters are no fixed period" "^error: --to: the period 2025-01-01 to 2025-09-30 is not one quarter, half-year or year: the nearest are 2025-01-01 to 2025-06-30 and 2025-01-01 to 2025-12-31$" report --from 2025-01-01 --to 2025-09-30 --out q.html
refused "a comparison without a period" "needs a period" report --compare-previous --out q.html
refused "an existing file without --force" "exists already: give --force" report --out existing.html
check "the existing file is unchanged" test "$(cat existing.html)" = old
refused "the registry's own keyring" "registry" report --out reg.keyring --force
check "registry files unchanged by the refusals" test "$(registry_sums)" = "$before"
check "no temporary files left" bash -c '! ls | grep -qE "\.tmp|^\.sigreg|XXXX"'
ok "--force replaces a report" report --out existing.html --force
check "the forced file is a report" grep -q "<!DOCTYPE html>" existing.html
t_end
