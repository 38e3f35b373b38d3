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
check "codebook columns" bash -c 'head -1 one/codebook.csv | tr -d "\r" | grep -qx "variable,form,version,label_sv,label_en,type,codes,quasi_identifier"'
check "every cases column is in the codebook" bash -c 'for v in $(head -1 one/cases.csv | tr -d "\r" | tr , " "); do grep -q "^$v," one/codebook.csv || exit 1; done'
check "metadata says what was done" bash -c 'grep -q "\"k\": 5" one/metadata.json && grep -q "blanked_records" one/metadata.json && grep -q "generalisation" one/metadata.json'

# k-anonymity, counted independently: every combination of the columns the
# codebook marks as quasi-identifiers occurs at least k = 5 times.
kcheck() {
    local dir=$1 k=$2
    local cols
    cols=$(awk -F, 'NR > 1 && $NF ~ /yes/ { print $1 }' "$dir/codebook.csv" | tr -d '\r')
    awk -F, -v want="$(echo $cols)" -v k="$k" '
        NR == 1 { n = split(want, w, " "); for (i = 1; i <= NF; i++) { gsub(/\r/, "", $i); idx[$i] = i } next }
        { key = ""; for (j = 1; j <= n; j++) key = key "|" $(idx[w[j]]); count[key]++ }
        END { for (c in count) if (count[c] < k) { print "class of " count[c] ": " c > "/dev/stderr"; bad = 1 }
              exit bad }' "$dir/cases.csv"
}
check "k-anonymity holds (k=5)" kcheck one 5
ok "extract with k=10" extract --recipient eva.pub --out ten.sigx --k 10
ok "open k=10" --passphrase-file ev.pass open-extract ten.sigx --key eva.key --out ten
check "k-anonymity holds (k=10)" kcheck ten 10

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
check "relative dates are days" bash -c 'head -1 two/cases.csv | grep -q closure_date && ! grep -qE "[0-9]{4}-[0-9]{2}" two/interventions.csv'

# Refusals write nothing
refused "wrong passphrase for the key" "wrong passphrase" --passphrase-file other.pass open-extract one.sigx --key eva.key --out bad1
check "no output after a wrong passphrase" test ! -e bad1
refused "wrong key" "made for another key" --passphrase-file other.pass open-extract one.sigx --key other.key --out bad2
check "no output for the wrong key" test ! -e bad2
refused "wrong signer" "signed by" --passphrase-file ev.pass open-extract one.sigx --key eva.key --out bad3 --signer "0000$(cut -c5- <<<"$SIGNER")"
check "no output for the wrong signer" test ! -e bad3
cp one.sigx tampered.sigx
printf 'X' | dd of=tampered.sigx bs=1 seek=$(( $(stat -c %s one.sigx) / 2 )) conv=notrunc 2>/dev/null
refused "tampered" "altered|damaged|signature" --passphrase-file ev.pass open-extract tampered.sigx --key eva.key --out bad4
check "no output for a tampered file" test ! -e bad4
head -c $(( $(stat -c %s one.sigx) - 100 )) one.sigx > short.sigx
refused "truncated" "cut short|altered|signature" --passphrase-file ev.pass open-extract short.sigx --key eva.key --out bad5
check "no output for a truncated file" test ! -e bad5
# Version 2 is written; refusals name what is wrong and leave nothing.
check "the container is version 2" bash -c 'head -c 8 one.sigx | grep -qx SIGREGX2'
cp one.sigx chunk.sigx
printf '\x01' | dd of=chunk.sigx bs=1 seek=2000 conv=notrunc 2>/dev/null
refused "a tampered chunk" "does not decrypt: it was altered" --passphrase-file ev.pass open-extract chunk.sigx --key eva.key --out bad6
check "no output for a tampered chunk" test ! -e bad6
cp one.sigx sig.sigx
printf '\x01' | dd of=sig.sigx bs=1 seek=$(( $(stat -c %s one.sigx) - 10 )) conv=notrunc 2>/dev/null
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
printf 'X' | dd of=v1bad.sigx bs=1 seek=5000 conv=notrunc 2>/dev/null
refused "a tampered version 1 extract" "signature does not verify" --passphrase-file ev.pass open-extract v1bad.sigx --key v1.key --out bad9
check "no output for a tampered version 1 extract" test ! -e bad9
refused "a version 1 extract from another signer" "signed by" --passphrase-file ev.pass open-extract "$V1/v1.sigx" --key v1.key --out bad10 --signer "$SIGNER"
check "no output for the other signer" test ! -e bad10
refused "existing folder" "already exists" --passphrase-file ev.pass open-extract one.sigx --key eva.key --out one
check "nothing left beside the folders" bash -c '! ls -d bad* *.tmp-* 2>/dev/null | grep -q .'

ok "audit" audit show
check "extracts are audited with recipient and hash" grep -qE "extract.*forms=sig-intake.*k=5.*recipient=[0-9a-f]{64} file=[0-9a-f]{64}" <<<"$OUT"
t_end
