#!/usr/bin/env bash
# test_serve_register.sh - registering a form through `sigreg serve`, as a
# coordinator's browser does it without JavaScript (curl): the date asked
# and checked first, a bad value shown back with its message, the draft kept
# across an idle lock and offered again, the review with labels, the save,
# and one answer changed as a new revision; the stored answers checked with
# `case show --json`.
source "$(dirname "$0")/lib.sh"
t_begin
command -v curl >/dev/null || { echo "test_serve_register: curl is not installed" >&2; exit 1; }

check "make registry" make_registry
CASE=$("$SIGREG_BIN" case new --unit U1 --no-pnr 2>/dev/null)
check "a case" grep -qE '^[A-Z0-9]{4}-[A-Z0-9]{4}$' <<<"$CASE"

# Sessions lock after IDLE seconds (longer under valgrind, whose requests are slow).
start_server 3
REG="$O/case/$CASE/register/sig-intake"

req() {
    CODE=$(curl -s -o body.html -D head.txt -w '%{http_code}' -c jar -b jar "$@")
}
status() { # status NAME WANT ARGS...
    local name=$1 want=$2; shift 2
    req "$@"
    if [ "$CODE" = "$want" ]; then pass; else fail "$name: HTTP $CODE, not $want"; fi
}
csrf() { grep -o 'name="csrf" value="[0-9a-f]*"' body.html | head -1 | sed 's/.*value="//;s/"$//'; }
post() { # post NAME WANT PATH FIELD=VALUE...
    local name=$1 want=$2 path=$3; shift 3
    local args=(-H "Origin: $O" --data-urlencode "csrf=$TOKEN")
    for f in "$@"; do args+=(--data-urlencode "$f"); done
    status "$name" "$want" "${args[@]}" "$O$path"
}
location() { grep -i '^Location:' head.txt | sed 's/^[^:]*: *//' | tr -d '\r'; }

status "launch" 303 "$URL"
status "the login page" 200 "$O/login"
TOKEN=$(csrf)
post "login" 303 /login user=coord passphrase=coord-passphrase

# Step one: the date, checked against the case before anything else.
status "the registration page" 200 "$REG"
TOKEN=$(csrf)
check "asks the intake date first" grep -q '<label for="f-_date">Inskrivningsdatum</label>' body.html
check "and nothing else yet" bash -c "! grep -q 'id=\"f-sex\"' body.html"
post "a date in the future is refused" 422 "/case/$CASE/register/sig-intake" _action=date \
    _date=2999-01-01
check "saying why, beside the field" grep -q 'id="e-_date">2999-01-01 är efter det senaste' body.html
post "a date that does not exist is refused" 422 "/case/$CASE/register/sig-intake" _action=date \
    _date=2025-02-30
check "saying so" grep -q 'id="e-_date">&#39;2025-02-30&#39; är inget datum som finns' body.html
post "a good date" 303 "/case/$CASE/register/sig-intake" _action=date _date=2025-03-01
check "goes on to the form" test "$(location)" = "/case/$CASE/register/sig-intake?step=form"

# Step two: the form; a bad value is shown back with its message.
status "the form" 200 "$REG?step=form"
check "every item is there" grep -q 'id="f-need_honour"' body.html
check "the consent date waits for consent" bash -c "grep -o '<div class=\"item\" id=\"item-consent_date\"[^>]*>' body.html | grep -q ' hidden'"
post "a bad birth year" 422 "/case/$CASE/register/sig-intake" _action=update sex=girl \
    birth_year=tjugo referral_source=school consent_young_person=ja
check "its message beside it" grep -q 'id="e-birth_year">&#39;tjugo&#39; är inget heltal' body.html
check "what was typed kept" grep -q 'value="tjugo"' body.html
check "the summary links to it" grep -q '<a href="#f-birth_year">Födelseår: ' body.html
check "the consent date now shown" bash -c "! grep -o '<div class=\"item\" id=\"item-consent_date\"[^>]*>' body.html | grep -q ' hidden'"
check "the draft is saved" grep -q 'Utkastet är sparat' body.html

# The session locks; the draft, with what was typed and refused, is in the
# registry and survives it.
sleep $((IDLE + 2))
status "locked after the idle time" 303 "$REG"
check "to the login page" grep -qi '^Location: /login?next=' head.txt
status "the login page" 200 "$O/login"
TOKEN=$(csrf)
post "unlock" 303 /login passphrase=coord-passphrase "next=/case/$CASE/register/sig-intake"
status "the form again" 200 "$REG"
TOKEN=$(csrf)
check "the draft is offered" grep -q 'Fortsätt där du slutade' body.html
check "with its answers" grep -q 'med 3 svar' body.html
status "resumed" 200 "$REG?step=form"
TOKEN=$(csrf)
check "the answers are back" bash -c "grep -o '<input type=\"radio\" name=\"sex\" id=\"f-sex\" value=\"girl\"[^>]*>' body.html | grep -q checked"
check "the refused value is back as typed" grep -q 'value="tjugo"' body.html
check "with its message" grep -q 'id="e-birth_year">&#39;tjugo&#39; är inget heltal' body.html
check "in the error summary too" grep -q '<a href="#f-birth_year">Födelseår: ' body.html
status "the review waits for it" 200 "$REG?step=review"
check "the form, not the review" grep -q 'id="e-birth_year">' body.html

ANSWERS=(sex=girl birth_year=2010 referral_source=school consent_young_person=ja
    consent_guardians=yes consent_date=2025-02-20 living_situation=both_parents
    school_situation=absence need_crime=some need_attitudes=none need_peers=some need_family=none
    need_school=substantial need_leisure=some need_substances=none need_mental_health=unknown
    need_violence_exposure=none need_honour=none substance_use=none police_contacts_6m=one
    suspected_ever=nej victim_of_crime=no protective_factors=engaged_adult protective_factors=organised_leisure
    "notes=rad ett")
post "to the review" 303 "/case/$CASE/register/sig-intake" _action=review "${ANSWERS[@]}"
status "the review" 200 "$REG?step=review"
TOKEN=$(csrf)
check "answers with their labels" grep -q '<dt>Kön</dt><dd>Flicka</dd>' body.html
check "a change link for each" grep -q "href=\"/case/$CASE/register/sig-intake?step=form#f-need_school\">Ändra" body.html
before=$(registry_sums)
post "save" 303 "/case/$CASE/register/sig-intake" _action=save
check "back to the case" test "$(location)" = "/case/$CASE"
status "the intake cannot be registered twice" 409 "$REG"
check "no draft left" bash -c "! grep -q 'Fortsätt där du slutade' body.html"

stop_server
trap 'rm -rf "$T_DIR"' EXIT
ok "case show" case show "$CASE" --json
check "the intake is stored" grep -q '"form": "sig-intake"' <<<"$OUT"
check "on its date" grep -q '"date": "2025-03-01"' <<<"$OUT"
check "girl, as chosen" grep -q '"sex": "girl"' <<<"$OUT"
check "the multichoice" bash -c "grep -A3 '\"protective_factors\"' <<<'$OUT' | grep -q organised_leisure"
check "suspected: false" grep -q '"suspected_ever": false' <<<"$OUT"
check "the text" grep -q '"notes": "rad ett"' <<<"$OUT"
ID=$(grep -m1 '"id":' <<<"$OUT" | grep -oE '[0-9]+')

# One answer changed on the web: a new revision, nothing else retyped.
start_server "$IDLE"
rm -f jar
status "launch again" 303 "$URL"
status "login page" 200 "$O/login"
TOKEN=$(csrf)
post "login again" 303 /login user=coord passphrase=coord-passphrase
status "edit one answer" 200 "$O/response/$ID/edit?item=need_school"
TOKEN=$(csrf)
check "only that item" bash -c "grep -q 'id=\"f-need_school\"' body.html && ! grep -q 'id=\"f-sex\"' body.html"
post "save the change" 303 "/response/$ID/edit?item=need_school" _focus=need_school \
    _shown=need_school need_school=some
stop_server
trap 'rm -rf "$T_DIR"' EXIT
ok "case show after the edit" case show "$CASE" --json
check "the new answer" grep -q '"need_school": "some"' <<<"$OUT"
check "a second revision" grep -q '"revision": 2' <<<"$OUT"
check "the rest as it was" bash -c "grep -q '\"sex\": \"girl\"' <<<'$OUT' && grep -q '\"notes\": \"rad ett\"' <<<'$OUT'"
ok "verify" verify
t_end
