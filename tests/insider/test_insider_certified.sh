#!/usr/bin/env bash
# test_insider_certified.sh - a coordinator's publication checked offline
# (issue 12, items 9 and 10): the package carries the certificate of her own
# key by the registry signing key, so `view` checks it against the
# registry's key an evaluator pinned or remembered. A coordinator's own
# key certifies only what the certificate says: her name and her units.
source "$(dirname "$0")/lib.sh"
t_begin
printf 'sara-passphrase\n' > sara.pass
printf 'eval-passphrase\n' > eval.pass
make_units() {
    sr init --admin admin --kdf-profile insecure-test-only || return 1
    "$SIGREG_BIN" unit add SODER --name "Söder" 2>/dev/null &&
    "$SIGREG_BIN" unit add NORR --name "Norr" 2>/dev/null &&
    "$SIGREG_BIN" user add sara --role coordinator --unit SODER --kdf-profile insecure-test-only \
        --new-passphrase-file sara.pass 2>/dev/null
}
check "make registry" make_units
ok "the evaluator's key" keygen --out eval --kdf-profile insecure-test-only \
    --passphrase-file eval.pass
sr pubkey
REG_FP=$(grep -oE '[0-9a-f]{64}' <<<"$OUT" | head -1)
check "the registry's fingerprint" test -n "$REG_FP"
VIEW=(--key eval.key --passphrase-file eval.pass)

# The evaluator learns the registry's key from an admin's package first.
ok "the admin publishes" publish --recipient eval.pub
ADMIN_PKG=$(awk -F'\t' 'length($1) == 64 {print $2}' <<<"$OUT")
ok "the evaluator views it (the registry's key remembered)" view "$ADMIN_PKG" "${VIEW[@]}"

# Sara's genuine package: certified by that key.
ok "sara publishes SODER" --user sara --passphrase-file sara.pass publish --recipient eval.pub
SARA_PKG=$(awk -F'\t' 'length($1) == 64 {print $2}' <<<"$OUT")
ok "view: sara's package, against the remembered registry key" view "$SARA_PKG" "${VIEW[@]}"
check "... certified by the registry's key" \
    grep -q "^certified by the registry's signing key $REG_FP$" <<<"$OUT"
check "... published by sara" grep -q "by sara" <<<"$OUT"
ok "view: with the registry's key pinned" view "$SARA_PKG" "${VIEW[@]}" --signer "$REG_FP"
# A fresh evaluator (nothing remembered) is told it remembers the registry's key.
SIGREG_KNOWN_REGISTRIES="$T_DIR/fresh_known" sr view "$SARA_PKG" "${VIEW[@]}"
check "a fresh evaluator remembers the registry's key, not sara's" \
    grep -q "$REG_FP" "$T_DIR/fresh_known"

# The same made by insider_tool (her own key and certificate, as publish
# does): accepted, so the refusals below are about what was changed.
tool forge-certified sara sara.pass eval.pub genuine.sigpub genuine >/dev/null 2>&1
ok "insider_tool's genuine package is accepted" view genuine.sigpub "${VIEW[@]}"

forged_refused() {
    sr view "$1" "${VIEW[@]}"
    [ "$RC" -ne 0 ] && grep -qi "certificate" <<<"$ERR"
}
tool forge-certified sara sara.pass eval.pub units.sigpub units >/dev/null 2>&1
attack "a SODER coordinator publishes NORR's figures under her certificate" \
    forged_refused units.sigpub
tool forge-certified sara sara.pass eval.pub certunits.sigpub certunits >/dev/null 2>&1
attack "... with NORR added to her certificate" forged_refused certunits.sigpub
tool forge-certified sara sara.pass eval.pub user.sigpub user >/dev/null 2>&1
attack "she publishes as another coordinator with her key and a renamed certificate" \
    forged_refused user.sigpub
"$INSIDER_TOOL" forge-publication eval.pub "$(python3 -c '
import json, sys; print(json.load(open(sys.argv[1]))["registry"])' reg.keyring)" nocert.sigpub \
    >/dev/null 2>&1
nocert_refused() {
    sr view nocert.sigpub "${VIEW[@]}"
    [ "$RC" -ne 0 ]
}
attack "a package of a key of the forger's own, without a certificate" nocert_refused

# A rotation of the registry's signing key (an admin removed): sara's next
# package is certified by the new key, which the chain links to the old.
"$SIGREG_BIN" user add bo --role admin --kdf-profile insecure-test-only \
    --new-passphrase-file sara.pass >/dev/null 2>&1
ok "an admin removed (the signing key rotated)" user remove bo
ok "sara publishes again" --user sara --passphrase-file sara.pass publish --recipient eval.pub
SARA2=$(awk -F'\t' 'length($1) == 64 {print $2}' <<<"$OUT")
ok "view: followed from the remembered key through the rotation" view "$SARA2" "${VIEW[@]}"
check "... told of the rotation" grep -q "signing key was rotated" <<<"$ERR"
check "... certified by the new key" bash -c \
    'grep -q "^certified by the registry.s signing key " <<<"$1" && ! grep -q "$2" <<<"$1"' \
    _ "$OUT" "$REG_FP"
t_end
