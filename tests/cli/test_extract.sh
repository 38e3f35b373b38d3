#!/usr/bin/env bash
# test_extract.sh - extracts for evaluators through the command line: keys,
# sealing and signing, opening, anonymisation checked independently
# (k-anonymity counted over the opened files; no personnummer, case code,
# free text or exact date; two extracts share no identifier), and every
# refusal leaving no output behind.
source "$(dirname "$0")/lib.sh"
t_begin
SYNTH=${SIGREG_SYNTH:?}
check "make registry" make_registry
"$SYNTH" --cases 250 --seed 5 --units U1,U2 > synth.jsonl
ok "import" import synth.jsonl
printf 'evaluator-passphrase\n' > ev.pass
printf 'other-passphrase\n' > other.pass

ok "keygen" --passphrase-file ev.pass keygen --out eva --kdf-profile insecure-test-only
check "keygen writes two files" test -f eva.pub -a -f eva.key
check "keygen prints a fingerprint" grep -qE '^([0-9a-f]{4} ){15}[0-9a-f]{4}$' <<<"$OUT"
check "the secret key file is private" test "$(stat -c %a eva.key)" = 600
sha_before=$(sha256sum eva.key eva.pub)
refused "keygen never overwrites" "already exists" --passphrase-file ev.pass keygen --out eva --kdf-profile insecure-test-only
check "a refused keygen leaves the keys as they were" test "$sha_before" = "$(sha256sum eva.key eva.pub)"
ok "another evaluator" --passphrase-file other.pass keygen --out other --kdf-profile insecure-test-only
ok "pubkey" pubkey
SIGNER=$(sed -n 's/^fingerprint: //p' <<<"$OUT")
check "pubkey gives a fingerprint" test ${#SIGNER} -eq 64

refused "only admins make extracts" "may not make extracts" --user coord --passphrase-file coord.pass extract --recipient eva.pub --out x.sigx
refused "not a public key" "not an evaluator's public key" extract --recipient eva.key --out x.sigx
ok "extract" extract --recipient eva.pub --out one.sigx
ok "second extract" extract --recipient eva.pub --out two.sigx --relative-dates
refused "extract never overwrites" "already exists" extract --recipient eva.pub --out one.sigx
check "extract is not readable" bash -c '! grep -qa "sig-intake\|person,unit" one.sigx'

ok "open" --passphrase-file ev.pass open-extract one.sigx --key eva.key --out one --signer "$SIGNER"
check "files" test -f one/cases.csv -a -f one/interventions.csv -a -f one/codebook.csv -a -f one/metadata.json
check "one row per person" test "$(($(wc -l < one/cases.csv) - 1))" -eq "$(grep -c '"form":"sig-intake"' synth.jsonl)"
# A CSV line into f[1..n] (quoted fields with commas and doubled quotes).
CSV_AWK='function parse(line, f,    n, i, c, q, cur) {
    gsub(/\r$/, "", line); n = 0; cur = ""; q = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (q) { if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { cur = cur c; i++ } else q = 0 } else cur = cur c }
        else if (c == "\"") q = 1
        else if (c == ",") { f[++n] = cur; cur = "" }
        else cur = cur c
    }
    f[++n] = cur; return n
}'
check "codebook columns" bash -c 'head -1 one/codebook.csv | tr -d "\r" | grep -qx "variable,label,label_en,type,codes,quasi_identifier,coarsening,file,form,version"'
check "value labels columns" bash -c 'head -1 one/value_labels.csv | tr -d "\r" | grep -qx "variable,code,label_sv,label_en,order,missing"'
check "syntax files" test -f one/load_extract.R -a -f one/load_extract.do -a -f one/load_extract.sps
check "one codebook row per variable" test "$(awk "$CSV_AWK"' NR > 1 { parse($0, f); if (f[8] == "cases.csv") n++ } END { print n }' one/codebook.csv)" -eq "$(head -1 one/cases.csv | tr , '\n' | wc -l)"
check "value labels say what is ordered and missing" bash -c '
  grep -q "^intake_need_crime,none,Inget behov,No need,1,false" one/value_labels.csv &&
  grep -q "^intake_need_crime,unknown,Vet ej,[^,]*,,true" one/value_labels.csv &&
  grep -q "^intake_sex,not_stated,Vill inte ange,[^,]*,,true" one/value_labels.csv'
check "the consent date is left out" bash -c '! head -1 one/cases.csv | grep -q consent_date && grep -q intake_consent_date one/metadata.json'
# Local suppression blanks what makes a record stand out, not whole records,
# and keeps the SIG age bands (before: a quarter wholly blank, 0-17/18+).
check "the SIG age bands are kept" bash -c '! grep -qE "^[^,]*,[^,]*,(0-17|18\+)," one/cases.csv && grep -qE "^[^,]*,[^,]*,15-17," one/cases.csv'
check "few records lose all four core quasi-identifiers" test "$(awk -F, 'NR > 1 && $2 == "" && $3 == "" && $4 == "" && $5 == ""' one/cases.csv | wc -l)" -le "$(( $(grep -c . synth.jsonl) / 20 ))"
girls=$(grep -o '"sex":"girl"' synth.jsonl | wc -l)
check "girls keep their sex" test "$(awk -F, 'NR > 1 && $5 == "girl"' one/cases.csv | wc -l)" -ge "$(( girls * 8 / 10 ))"
check "metadata reports blanking per identifier and group" bash -c '
  grep -q "\"by_identifier\"" one/metadata.json && grep -q "\"records_by_blanked_count\"" one/metadata.json &&
  grep -q "\"intake_sex\": \[" one/metadata.json && grep -q "\"age_band\": \[" one/metadata.json'
check "every cases column is in the codebook" bash -c 'for v in $(head -1 one/cases.csv | tr -d "\r" | tr , " "); do grep -q "^$v," one/codebook.csv || exit 1; done'
check "metadata says what was done" bash -c 'grep -q "\"k\": 5" one/metadata.json && grep -q "blanked_records" one/metadata.json && grep -q "generalisation" one/metadata.json'

# k-anonymity, counted independently: every combination of the columns the
# codebook marks as quasi-identifiers occurs at least k = 5 times.
kcheck() {
    local dir=$1 k=$2
    local cols
    cols=$(awk "$CSV_AWK"'
        NR == 1 { n = parse($0, h); for (i = 1; i <= n; i++) col[h[i]] = i; next }
        { parse($0, f); if (f[col["quasi_identifier"]] == "yes" && f[col["file"]] == "cases.csv") print f[1] }' "$dir/codebook.csv")
    [ "$(echo $cols)" = "unit age_band intake_period intake_sex intake_birth_year" ] || { echo "quasi-identifiers: $cols" >&2; return 1; }
    awk -v want="$(echo $cols)" -v k="$k" "$CSV_AWK"'
        NR == 1 { n = split(want, w, " "); m = parse($0, h); for (i = 1; i <= m; i++) idx[h[i]] = i; next }
        { parse($0, f); key = ""; for (j = 1; j <= n; j++) key = key "|" f[idx[w[j]]]; count[key]++ }
        END { for (c in count) if (count[c] < k) { print "class of " count[c] ": " c > "/dev/stderr"; bad = 1 }
              exit bad }' "$dir/cases.csv"
}
check "k-anonymity holds (k=5)" kcheck one 5
ok "extract with k=10" extract --recipient eva.pub --out ten.sigx --k 10
ok "open k=10" --passphrase-file ev.pass open-extract ten.sigx --key eva.key --out ten
check "k-anonymity holds (k=10)" kcheck ten 10

# The R syntax file loads the opened extract with its labels (Debian's
# r-base-core; skipped with a message when Rscript is missing).
if command -v Rscript >/dev/null 2>&1; then
    boys=$(awk "$CSV_AWK"' NR == 1 { n = parse($0, h); for (i = 1; i <= n; i++) if (h[i] == "intake_sex") c = i; next }
        { parse($0, f); if (f[c] == "boy") b++ } END { print b + 0 }' one/cases.csv)
    persons=$(($(wc -l < one/cases.csv) - 1))
    check "some boys keep their sex" test "$boys" -gt 100
    (cd one && Rscript -e 'source("load_extract.R")
        x <- cases$intake_sex
        stopifnot(is.factor(x), identical(levels(x), c("Flicka", "Pojke", "Annat", "Vill inte ange")))
        stopifnot(identical(attr(x, "label"), "Kön"), identical(attr(x, "missing_levels"), "Vill inte ange"))
        stopifnot(identical(attr(cases$intake_need_crime, "missing_levels"), "Vet ej"))
        stopifnot(identical(levels(cases$age_band), c("0-11", "12-14", "15-17", "18-20", "21+")))
        stopifnot(nrow(cases) == '"$persons"', is.data.frame(interventions))
        cat(sum(x == "Pojke", na.rm = TRUE), "\n")' > ../r.out 2> ../r.err)
    check "R loads the extract with its labels" test -s r.out
    check "R counts the boys the CSV holds" test "$(tr -d ' \n' < r.out)" = "$boys"
    (cd one && Rscript -e 'lang <- "en"; source("load_extract.R"); cat(levels(cases$intake_sex), sep = "|")' > ../r-en.out 2>> ../r.err)
    check "R gives English labels when asked" test "$(cat r-en.out)" = "Girl|Boy|Other|Prefers not to say"
    [ -s r.err ] && sed 's/^/R: /' r.err >&2
else
    echo "SKIP: Rscript is missing (apt-get install r-base-core): the R syntax file was not loaded" >&2
fi

# Nothing that identifies
sed -n 's/.*"pnr":"\([0-9]*\)-\([0-9]*\)".*/\1\2 \1-\2/p' synth.jsonl | head -50 | tr ' ' '\n' > pnrs.txt
awk '{ print substr($0, 3) }' pnrs.txt >> pnrs.txt
check "no personnummer in any form" bash -c '! grep -rqaFf pnrs.txt one two ten 2>/dev/null'
"$SIGREG_BIN" case list 2>/dev/null | awk 'NR > 1 { print $1 }' > codes.txt
check "no case code" bash -c '! grep -rqaFf codes.txt one 2>/dev/null'
check "no free text" bash -c '! grep -rqa "Syntetisk anteckning" one'
check "no exact date" bash -c '! grep -rqaE "[0-9]{4}-[0-9]{2}-[0-9]{2}" one/*.csv'

ok "open the second" --passphrase-file ev.pass open-extract two.sigx --key eva.key --out two
check "two extracts share no identifier" bash -c '
  cut -d, -f1 one/cases.csv | tail -n +2 | sort > a; cut -d, -f1 two/cases.csv | tail -n +2 | sort > b
  [ -s a ] && [ -z "$(comm -12 a b)" ]'
check "relative dates have their own names" bash -c 'head -1 two/cases.csv | grep -q days_to_closure && ! head -1 two/cases.csv | grep -q closure_date && head -1 two/interventions.csv | grep -q days_to_intervention'
check "relative dates are days" bash -c '! grep -qE "[0-9]{4}-[0-9]{2}" two/interventions.csv'
check "k-anonymity holds with relative dates" kcheck two 5

# Refusals write nothing
refused "wrong passphrase for the key" "wrong passphrase" --passphrase-file other.pass open-extract one.sigx --key eva.key --out bad1
check "no output after a wrong passphrase" test ! -e bad1
refused "wrong key" "made for another key" --passphrase-file other.pass open-extract one.sigx --key other.key --out bad2
check "no output for the wrong key" test ! -e bad2
refused "wrong signer" "signed by" --passphrase-file ev.pass open-extract one.sigx --key eva.key --out bad3 --signer "0000$(cut -c5- <<<"$SIGNER")"
check "no output for the wrong signer" test ! -e bad3
cp one.sigx tampered.sigx
flip_byte tampered.sigx $(( $(stat -c %s one.sigx) / 2 ))
refused "tampered" "altered|damaged|signature" --passphrase-file ev.pass open-extract tampered.sigx --key eva.key --out bad4
check "no output for a tampered file" test ! -e bad4
head -c $(( $(stat -c %s one.sigx) - 100 )) one.sigx > short.sigx
refused "truncated" "cut short|altered|signature" --passphrase-file ev.pass open-extract short.sigx --key eva.key --out bad5
check "no output for a truncated file" test ! -e bad5
# Version 2 is written; refusals name what is wrong and leave nothing.
check "the container is version 2" bash -c 'head -c 8 one.sigx | grep -qx SIGREGX2'
cp one.sigx chunk.sigx
flip_byte chunk.sigx 2000
refused "a tampered chunk" "does not decrypt: it was altered" --passphrase-file ev.pass open-extract chunk.sigx --key eva.key --out bad6
check "no output for a tampered chunk" test ! -e bad6
cp one.sigx sig.sigx
flip_byte sig.sigx $(( $(stat -c %s one.sigx) - 10 ))
refused "a tampered signature" "signature does not verify" --passphrase-file ev.pass open-extract sig.sigx --key eva.key --out bad7
check "no output for a tampered signature" test ! -e bad7
head -c $(( $(stat -c %s one.sigx) - 64 )) one.sigx > nosig.sigx
refused "a stream cut before its signature" "cut short" --passphrase-file ev.pass open-extract nosig.sigx --key eva.key --out bad8
check "no output for a stream cut short" test ! -e bad8
refused "a form that is not installed" "form 'no-such-form' is not installed" extract --recipient eva.pub --out x.sigx --forms sig-intake,no-such-form
check "no extract after a refusal" test ! -e x.sigx

# Version 1, written by the previous release (tests/cli/data/extract-v1),
# still opens, to the same files.
V1=$SIGREG_SOURCE_DIR/tests/cli/data/extract-v1
cp "$V1/eva.key" v1.key
ok "a version 1 extract opens" --passphrase-file ev.pass open-extract "$V1/v1.sigx" --key v1.key --out v1 --signer "$(cat "$V1/signer")"
check "a version 1 extract gives the same files" bash -c "cd v1 && sha256sum -c --quiet '$V1/SHA256SUMS'"
cp "$V1/v1.sigx" v1bad.sigx
flip_byte v1bad.sigx 5000
refused "a tampered version 1 extract" "signature does not verify" --passphrase-file ev.pass open-extract v1bad.sigx --key v1.key --out bad9
check "no output for a tampered version 1 extract" test ! -e bad9
refused "a version 1 extract from another signer" "signed by" --passphrase-file ev.pass open-extract "$V1/v1.sigx" --key v1.key --out bad10 --signer "$SIGNER"
check "no output for the other signer" test ! -e bad10
refused "existing folder" "already exists" --passphrase-file ev.pass open-extract one.sigx --key eva.key --out one
check "nothing left beside the folders" bash -c '! ls -d bad* *.tmp-* 2>/dev/null | grep -q .'

ok "audit" audit show
check "extracts are audited with recipient and hash" grep -qE "extract.*forms=sig-intake.*k=5.*recipient=[0-9a-f]{64} file=[0-9a-f]{64}" <<<"$OUT"
t_end
