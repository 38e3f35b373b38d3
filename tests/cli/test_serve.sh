#!/usr/bin/env bash
# test_serve.sh - `sigreg serve` as a browser meets it, with curl: the
# one-time launch URL, the Host check, the launch cookie, login (a wrong
# passphrase changes nothing), the security headers, CSRF and Origin checks
# on every POST, a new case whose personnummer never comes back, the audit
# log, the idle lock and logout, and a clean stop on SIGTERM.
source "$(dirname "$0")/lib.sh"
t_begin
command -v curl >/dev/null || { echo "test_serve: curl is not installed" >&2; exit 1; }

check "make registry" make_registry
"$SIGREG_BIN" case new --unit U1 --no-pnr >/dev/null 2>&1
PNR=19121212-1212

# The server, with sessions that lock after a few idle seconds (more under
# valgrind, where every request is slow).
start_server 6
check "one URL with a launch secret" grep -qE '^http://127\.0\.0\.1:[0-9]+/launch/[0-9a-f]{64}$' serve.out
check "exactly one line on stdout" test "$(wc -l <serve.out)" -eq 1

# req NAME ARGS...: curl with the browser's cookie jar; $CODE, $BODY, $HEAD.
req() {
    local jar=$1; shift
    CODE=$(curl -s -o body.html -D head.txt -w '%{http_code}' -c "$jar" -b "$jar" "$@")
    BODY=$(cat body.html)
    HEAD=$(cat head.txt)
}
status() { # status NAME WANT ARGS...
    local name=$1 want=$2; shift 2
    req jar "$@"
    if [ "$CODE" = "$want" ]; then pass; else fail "$name: HTTP $CODE, not $want"; fi
}
csrf() { grep -o 'name="csrf" value="[0-9a-f]*"' body.html | head -1 | sed 's/.*value="//;s/"$//'; }

status "a foreign Host is refused" 421 -H "Host: evil.example:$PORT" "$URL"
status "a foreign Host with the right port is refused" 421 -H "Host: localhost.evil:$PORT" "$O/"
status "no launch cookie: refused" 403 "$O/login"
check "the refusal says what to do" grep -q "Startlänken\|startlänken" body.html
status "a wrong launch secret is refused" 403 "$O/launch/$(printf '0%.0s' $(seq 64))"
status "the launch URL works" 303 "$URL"
check "it sets the launch cookie" grep -qiE "^Set-Cookie: sigreg_launch_$PORT=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/" head.txt
check "and sends the browser to the login page" grep -qi "^Location: /login" head.txt
cp jar browser1
status "the launch URL works only once" 403 "$URL"
check "the second use is explained" grep -q "redan använts" body.html
cp browser1 jar

status "the login page" 200 "$O/login"
for h in "Content-Security-Policy: default-src 'self'; form-action 'self'; frame-ancestors 'none'" \
         "Cache-Control: no-store" "X-Frame-Options: DENY" "Referrer-Policy: no-referrer" \
         "X-Content-Type-Options: nosniff"; do
    check "header $h" grep -qiF "$h" head.txt
done
check "a session cookie, HttpOnly and SameSite=Strict" grep -qiE "^Set-Cookie: sigreg_session_$PORT=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/" head.txt
check "no inline script or style" bash -c "! grep -qiE '<script>|<style|style=|onload=|onclick=' body.html"
check "the page has its lang, a main and a skip link" bash -c "grep -q '<html lang=\"sv\">' body.html && grep -q '<main id=\"main\"' body.html && grep -q 'href=\"#main\"' body.html"
check "every field has a label" bash -c "grep -q 'label for=\"user\"' body.html && grep -q 'label for=\"passphrase\"' body.html"
TOKEN=$(csrf)
check "the form carries a CSRF token" test ${#TOKEN} -eq 64
status "the static script" 200 "$O/static/app.js"
check "served as JavaScript" grep -qi "^Content-Type: text/javascript" head.txt

# Refused logins change nothing.
before=$(registry_sums)
status "login without the CSRF token is refused" 403 -H "Origin: $O" \
    --data-urlencode user=coord --data-urlencode passphrase=coord-passphrase "$O/login"
# The token with its last digit changed (never the same digit again).
WRONG="${TOKEN%?}$( [ "${TOKEN: -1}" = 0 ] && echo 1 || echo 0)"
status "login with a wrong CSRF token is refused" 403 -H "Origin: $O" --data-urlencode "csrf=$WRONG" \
    --data-urlencode user=coord --data-urlencode passphrase=coord-passphrase "$O/login"
status "login from a foreign Origin is refused" 403 -H "Origin: http://evil.example" \
    --data-urlencode "csrf=$TOKEN" --data-urlencode user=coord \
    --data-urlencode passphrase=coord-passphrase "$O/login"
status "a POST without Origin or Sec-Fetch-Site is refused" 403 --data-urlencode "csrf=$TOKEN" \
    --data-urlencode user=coord --data-urlencode passphrase=coord-passphrase "$O/login"
status "a POST with Origin null and no Sec-Fetch-Site is refused" 403 -H "Origin: null" \
    --data-urlencode "csrf=$TOKEN" --data-urlencode user=coord \
    --data-urlencode passphrase=coord-passphrase "$O/login"
status "a cross-site POST with Origin null is refused" 403 -H "Origin: null" \
    -H "Sec-Fetch-Site: cross-site" --data-urlencode "csrf=$TOKEN" --data-urlencode user=coord \
    --data-urlencode passphrase=coord-passphrase "$O/login"
status "a personnummer typed as the user name is refused" 403 -H "Origin: $O" \
    --data-urlencode "csrf=$TOKEN" --data-urlencode "user=$PNR" \
    --data-urlencode passphrase=coord-passphrase "$O/login"
status "a user name with a terminal escape is refused" 403 -H "Origin: $O" \
    --data-urlencode "csrf=$TOKEN" --data-urlencode "user=$(printf 'x\033[2Jy')" \
    --data-urlencode passphrase=coord-passphrase "$O/login"
check "the log holds neither" bash -c "! grep -q \$'\033' serve.err && ! grep -q 1212 serve.err && grep -q 'login refused for user .\[number\]' serve.err"
status "a wrong passphrase is refused" 403 -H "Origin: $O" --data-urlencode "csrf=$TOKEN" \
    --data-urlencode user=coord --data-urlencode passphrase=wrong-passphrase "$O/login"
check "with the library's message" grep -q "wrong passphrase for user &#39;coord&#39;" body.html
check "the passphrase is not shown back" bash -c "! grep -q wrong-passphrase body.html"
check "the refusal is logged" grep -q "login refused for user 'coord': wrong passphrase" serve.err
check "refused logins changed nothing" test "$before" = "$(registry_sums)"

status "login" 303 -H "Origin: $O" --data-urlencode "csrf=$TOKEN" --data-urlencode next=//evil.example/x \
    --data-urlencode user=coord --data-urlencode passphrase=coord-passphrase "$O/login"
check "never redirects off this server" grep -qi "^Location: /\s*$" head.txt
check "a new session id at login" bash -c "grep -qiE '^Set-Cookie: sigreg_session_$PORT=[0-9a-f]{64}' head.txt"
status "Mina ärenden" 200 "$O/"
check "shows the case of U1" grep -q 'href="/case/[A-Z0-9]\{4\}-[A-Z0-9]\{4\}"' body.html
check "shows the unit's name, not its code" grep -q "<td>Enhet 1</td>" body.html
status "in English" 200 "$O/?lang=en"
check "the page is English" bash -c "grep -q '<html lang=\"en\">' body.html && grep -q 'My cases' body.html"
status "back in Swedish" 200 "$O/?lang=sv"
TOKEN=$(csrf)

# A new case: the personnummer is POSTed, never shown or logged again.
status "the new case page" 200 "$O/case/new"
status "a bad personnummer is refused" 400 -H "Origin: $O" --data-urlencode "csrf=$TOKEN" \
    --data-urlencode unit=U1 --data-urlencode pnr=19121212-1213 "$O/case/new"
check "with the library's message, in Swedish" bash -c "grep -q 'kontrollsiffran stämmer inte' body.html && ! grep -q 'check digit' body.html"
check "and the field empty" bash -c "! grep -q 19121212 body.html"
status "POST to new case without CSRF is refused" 403 -H "Origin: $O" \
    --data-urlencode unit=U1 --data-urlencode pnr=$PNR "$O/case/new"
status "POST to new case from a foreign Origin is refused" 403 -H "Origin: http://evil.example" \
    --data-urlencode "csrf=$TOKEN" --data-urlencode unit=U1 --data-urlencode pnr=$PNR "$O/case/new"
status "a new case" 303 -H "Origin: $O" --data-urlencode "csrf=$TOKEN" \
    --data-urlencode unit=U1 --data-urlencode pnr=$PNR "$O/case/new"
CASE=$(grep -i '^Location:' head.txt | sed -E 's|.*/case/([A-Z0-9-]+).*|\1|' | tr -d '\r')
check "redirects to the case page" grep -qE '^[A-Z0-9]{4}-[A-Z0-9]{4}$' <<<"$CASE"
status "the case page" 200 "$O/case/$CASE"
check "links to register the intake" grep -q "href=\"/case/$CASE/register/sig-intake\"" body.html
check "the personnummer is nowhere on it" bash -c "! grep -q '19121212\|121212-1212\|1212121212' body.html"
status "the same person twice" 409 -H "Origin: $O" --data-urlencode "csrf=$TOKEN" \
    --data-urlencode unit=U1 --data-urlencode pnr=$PNR "$O/case/new"
check "names the existing case" grep -q "$CASE" body.html
check "the server log holds no personnummer" bash -c "! grep -q '121212' serve.err serve.out"
status "an unknown page" 404 "$O/nope"
status "a path with .. is refused" 400 --path-as-is "$O/case/../stats"
status "an encoded .. too" 400 --path-as-is "$O/case/%2e%2e/stats"
status "a bad escape in the query is refused" 400 "$O/?unit=%zz"
status "an encoded NUL in the query is refused" 400 "$O/?unit=U1%00x"
status "a query value with an escape is decoded once" 200 "$O/?unit=U%31&status=any"
check "the filter took unit U1" grep -q '<option value="U1" selected>' body.html

# Summaries: the library's figures, drawn and tabled; the report as a download.
status "the summaries" 200 "$O/stats?form=cases"
check "a chart with a text alternative" bash -c "grep -q '<svg [^>]*role=\"img\"' body.html && grep -q '<title id=' body.html && grep -q '<table>' body.html"
status "a summary by a form's item" 200 "$O/stats?form=sig-intake&by=sex"
status "a period off the quarters is refused" 400 "$O/stats?form=cases&from=2025-01-02&to=2025-03-31"
check "with the library's message" grep -q 'class="error"' body.html
status "the report" 200 "$O/stats/report?year=2025"
check "comes as a download" grep -qi '^Content-Disposition: attachment; filename="sig-rapport-2025.html"' head.txt
TOKEN=$(csrf)

# An analyst, in a session of its own in the same browser, sees summaries only.
grep -v sigreg_session browser1 >analyst
req analyst "$O/login"
ATOKEN=$(csrf)
req analyst -H "Origin: $O" --data-urlencode "csrf=$ATOKEN" --data-urlencode user=ana \
    --data-urlencode passphrase=analyst-passphrase "$O/login"
check "the analyst logs in" test "$CODE" = 303
req analyst "$O/"
check "the analyst starts on the summaries" bash -c "test $CODE = 303 && grep -qi '^Location: /stats' head.txt"
req analyst "$O/stats"
check "the analyst is told there is no publication yet" grep -q "Ingen publicering" body.html
req analyst "$O/case/new"
check "the analyst may not open cases" test "$CODE" = 403
req analyst "$O/case/$CASE"
check "nor see one" test "$CODE" = 403

# A second browser, without the launch cookie, gets nothing.
req other "$O/"
check "a second browser is refused" test "$CODE" = 403
req other "$O/login"
check "a second browser cannot log in" test "$CODE" = 403

# The idle lock: the key context is closed; the same user unlocks again.
sleep $((IDLE + 2))
status "after the idle time the session is locked" 303 "$O/stats?form=cases"
check "to the login page, to come back after" grep -qi '^Location: /login?next=%2Fstats%3Fform%3Dcases' head.txt
status "the login page of the locked session" 200 "$O/login?next=%2Fstats%3Fform%3Dcases"
check "the login form will come back to the page asked for" grep -q 'name="next" value="/stats?form&#61;cases"' body.html
check "the lock is explained" grep -q "låstes" body.html
check "the user is kept" grep -q 'readonly value="coord"' body.html
# The sweeper may lock the session just before the request and log it just
# after the answer: the line is given a moment to appear.
check "the lock is logged" bash -c 'for _ in 1 2 3 4 5 6 7 8 9 10; do
  grep -qE "[0-9]+ idle sessions? locked|locked after" serve.err && exit 0; sleep 0.3; done; exit 1'
TOKEN=$(csrf)
status "unlock with the passphrase" 303 -H "Origin: $O" --data-urlencode "csrf=$TOKEN" \
    --data-urlencode passphrase=coord-passphrase --data-urlencode next=/case/$CASE "$O/login"
check "back where the user was" grep -qi "^Location: /case/$CASE" head.txt
status "the case page again" 200 "$O/case/$CASE"
TOKEN=$(csrf)

# Logout ends the session at once.
cp jar before-logout
# (As Chromium posts under Referrer-Policy: no-referrer: Origin null, same-origin.)
status "logout" 303 -H "Origin: null" -H "Sec-Fetch-Site: same-origin" \
    --data-urlencode "csrf=$TOKEN" "$O/logout"
check "clears the session cookie" grep -qi "^Set-Cookie: sigreg_session_$PORT=; .*Max-Age=0" head.txt
req before-logout "$O/"
check "the old session cookie opens nothing" bash -c "test $CODE = 303 && grep -qi '^Location: /login' head.txt"

# The audit log holds the web session's views and actions.
ok "audit show" audit show
check "login is logged" grep -q "web.login" <<<"$OUT"
check "page views are logged" grep -q "web.view.cases" <<<"$OUT"
check "the case page view names the case" grep -q "web.view.case.*$CASE\|$CASE.*web.view.case" <<<"$OUT"
check "the lock is in the audit log" grep -q "web.lock" <<<"$OUT"
check "logout is logged" grep -q "web.logout" <<<"$OUT"
check "the new case is logged" grep -q "case.new" <<<"$OUT"
ok "verify after the web session" verify

# SIGTERM stops the server cleanly.
kill -TERM "$SERVER"
wait "$SERVER"
RC=$?
check "SIGTERM stops it with status 0" test "$RC" -eq 0
check "and says so" grep -q "stopping (SIGTERM)" serve.err
trap 'rm -rf "$T_DIR"' EXIT
t_end
