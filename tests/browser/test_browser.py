#!/usr/bin/python3
"""test_browser.py - `sigreg serve` in a real browser (issue 13, item 6).

Headless Debian chromium, driven by chromium-driver through Debian's
python3-selenium, walks what a coordinator does: the launch URL, login, a
new case, an intake with skip logic and a deliberate error, a draft left and
resumed, two interventions (one done with the keyboard alone), closure,
experience, one answer edited, a summary, logout. Then the refusals: a wrong
passphrase, a POST without the CSRF token, a foreign Host, a second browser
without the launch secret, an idle lock; each refused, and nothing changed.
axe-core (npm) is injected into every page visited: no WCAG 2.1 A/AA
violation. Screenshots go to $SIGREG_SHOTS (the build folder's browser-shots/).

Run by ctest (browser.e2e) with SIGREG_BIN, SIGREG_SOURCE_DIR, SIGREG_SHOTS
and SIGREG_AXE_DIR (where to install axe-core when tools/setup-deps has
not). Missing tools fail the test, saying what to install: never a silent
skip.
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import webtest  # noqa: E402

SIGREG_BIN = os.environ.get("SIGREG_BIN")
SOURCE_DIR = os.environ.get("SIGREG_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
SHOTS = os.environ.get("SIGREG_SHOTS") or os.path.join(os.getcwd(), "browser-shots")
AXE_DIR = os.environ.get("SIGREG_AXE_DIR") or os.path.join(os.getcwd(), "axe")
CHROMIUM = os.environ.get("SIGREG_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SIGREG_CHROMEDRIVER", "/usr/bin/chromedriver")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WAIT = 15  # seconds for any page to load
AXE_VERSION = "?"
TIMES = {"axe": 0.0}
AXE_PAGES = []
SCREENSHOTS = ("mina-arenden", "intake-validation", "intake-validation-top", "review",
               "case-page", "summary")  # (browser, path, title, violations) of every page state checked


def die(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


try:
    from selenium import webdriver
    from selenium.common.exceptions import (NoSuchElementException, StaleElementReferenceException,
                                            WebDriverException)
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError as e:
    die("python3-selenium is missing (%s): run tools/setup-deps --tests" % e)


def find_axe():
    """The path of axe.min.js: installed by tools/setup-deps, else installed
    now into the build folder from the pinned lock file. Fails when npm
    cannot reach its registry."""
    rel = os.path.join("node_modules", "axe-core", "axe.min.js")
    for d in (os.path.join(SOURCE_DIR, "tests", "browser", "node"), AXE_DIR):
        if os.path.isfile(os.path.join(d, rel)):
            return os.path.join(d, rel)
    if not shutil.which("npm"):
        die("axe-core is not installed and npm is missing: run tools/setup-deps --tests")
    os.makedirs(AXE_DIR, exist_ok=True)
    for f in ("package.json", "package-lock.json"):
        shutil.copy(os.path.join(HERE, "node", f), AXE_DIR)
    p = subprocess.run(["npm", "ci", "--prefix", AXE_DIR, "--no-audit", "--no-fund",
                        "--loglevel=error"], capture_output=True, text=True, timeout=300)
    if p.returncode != 0 or not os.path.isfile(os.path.join(AXE_DIR, rel)):
        die("axe-core is not installed and npm could not fetch it from its registry "
            "(is the npm registry reachable?): %s" % (p.stderr.strip()[-800:]))
    return os.path.join(AXE_DIR, rel)


def page_is_gone(element):
    """Whether element belongs to a page that was replaced. While the next page
    loads, chromedriver may answer 'Node ... does not belong to the document'
    (a WebDriverException) rather than a stale reference: both mean gone."""
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as e:
        if "does not belong to the document" in str(e) or "stale" in str(e).lower():
            return True
        raise


class Checks:
    """Named checks counted as tests/cli/lib.sh counts them."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, name, cond, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: %s%s" % (name, (": " + detail) if detail else ""), file=sys.stderr)
        return cond

    def eq(self, name, got, want):
        return self.ok(name, got == want, "got %r, want %r" % (got, want))


class Browser:
    """One headless chromium with its own profile (its own cookies). Every
    page it loads is checked with axe-core once per distinct page state."""

    def __init__(self, t, server, axe_js, name):
        self.t = t
        self.server = server
        self.axe_js = axe_js
        self.name = name
        self.profile = tempfile.mkdtemp(prefix="sigreg-chromium-")
        o = webdriver.ChromeOptions()
        o.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--window-size=1280,1000", "--lang=sv-SE", "--no-first-run",
                  "--disable-extensions", "--user-data-dir=" + self.profile):
            o.add_argument(a)
        o.add_experimental_option("prefs", {"intl.accept_languages": "sv-SE,sv"})
        self.d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=o)
        self.d.set_page_load_timeout(WAIT)
        self.checked = set()

    def quit(self):
        try:
            self.d.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    # ---- navigation ---------------------------------------------------------------------
    def path(self):
        return urllib.parse.urlsplit(self.d.current_url).path

    def go(self, path):
        self.d.get(self.server.url(path))
        self.loaded()

    def loaded(self):
        WebDriverWait(self.d, WAIT).until(
            lambda d: d.execute_script("return document.readyState") == "complete")
        self.axe()

    def submit(self, element):
        """Clicks a button (or presses ENTER on it, keyboard=True) and waits for the next page."""
        old = self.d.find_element(By.TAG_NAME, "html")
        element.click()
        self.wait_new_page(old)

    def wait_new_page(self, old):
        WebDriverWait(self.d, WAIT).until(lambda d: page_is_gone(old))
        self.loaded()

    # ---- accessibility -------------------------------------------------------------------
    def axe(self):
        """axe-core on this page (once per path, title and error state)."""
        title = self.d.title
        state = (re.sub(r"/[A-Z0-9]{4}-[A-Z0-9]{4}|/\d+", "/*", self.path()), title,
                 len(self.d.find_elements(By.CSS_SELECTOR, "[aria-invalid=true], .error")))
        if state in self.checked:
            return
        self.checked.add(state)
        t0 = time.time()
        self.d.execute_script(self.axe_js)
        r = self.d.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},"
            "                   resultTypes: ['violations']})"
            ".then(function (r) { done(r.violations); })"
            ".catch(function (e) { done('axe failed: ' + e); });", AXE_TAGS)
        TIMES["axe"] += time.time() - t0
        if isinstance(r, str):
            self.t.ok("axe-core ran on %s" % self.path(), False, r)
            return
        AXE_PAGES.append((self.name, re.sub(r"/launch/.*", "/launch/…", self.path()), title, r))
        detail = "; ".join("%s (%s): %s" % (v["id"], v["impact"], ", ".join(
            n["target"][0] if isinstance(n["target"][0], str) else str(n["target"][0])
            for n in v["nodes"][:4])) for v in r)
        self.t.ok("axe-core: no WCAG 2.1 A/AA violation on %s (%s)" % (self.path(), title),
                  not r, detail)

    def shot(self, name, around=None):
        """A screenshot: the whole page, or the window around one element."""
        os.makedirs(SHOTS, exist_ok=True)
        if around is not None:
            self.d.execute_script("arguments[0].scrollIntoView({block: 'center'});", around)
            self.d.save_screenshot(os.path.join(SHOTS, name + ".png"))
            return
        h = self.d.execute_script("return document.documentElement.scrollHeight")
        self.d.set_window_size(1280, max(800, min(int(h) + 40, 6000)))
        self.d.save_screenshot(os.path.join(SHOTS, name + ".png"))
        self.d.set_window_size(1280, 1000)

    # ---- finding things by what a user sees ------------------------------------------------
    def text(self):
        return self.d.find_element(By.TAG_NAME, "body").text

    def main_text(self):
        m = self.d.find_elements(By.TAG_NAME, "main")
        return m[0].text if m else self.text()

    def field(self, label):
        """The control whose <label> starts with label (the label must exist: axe
        checks that it is tied to its control)."""
        for lab in self.d.find_elements(By.TAG_NAME, "label"):
            if norm(lab.text).startswith(label):
                fid = lab.get_attribute("for")
                if fid:
                    return self.d.find_element(By.ID, fid)
                inner = lab.find_elements(By.CSS_SELECTOR, "input, select, textarea")
                if inner:
                    return inner[0]
        raise NoSuchElementException("no field labelled %r on %s" % (label, self.path()))

    def group(self, legend):
        """The fieldset whose legend starts with legend."""
        for fs in self.d.find_elements(By.TAG_NAME, "fieldset"):
            lg = fs.find_elements(By.TAG_NAME, "legend")
            if lg and norm(lg[0].text).startswith(legend):
                return fs
        raise NoSuchElementException("no group %r on %s" % (legend, self.path()))

    def named(self, name):
        """The controls called name (an item id, or one of the page's own fields)."""
        els = self.d.find_elements(By.CSS_SELECTOR, '[name="%s"]' % name)
        if not els:
            raise NoSuchElementException("no field %r on %s" % (name, self.path()))
        return els

    def fill(self, name, value):
        el = self.named(name)[0]
        if el.get_attribute("type") == "date":
            self.d.execute_script("arguments[0].value = arguments[1];", el, value)
        else:
            el.clear()
            el.send_keys(value)

    def value(self, name):
        return self.named(name)[0].get_attribute("value")

    def shown(self, name):
        els = self.d.find_elements(By.CSS_SELECTOR, '[name="%s"]' % name)
        return any(e.is_displayed() for e in els)

    def chosen(self, name):
        """The codes chosen for an item (radios, check boxes or a select)."""
        els = self.named(name)
        if els[0].tag_name == "select":
            return [o.get_attribute("value") for o in Select(els[0]).all_selected_options
                    if o.get_attribute("value")]
        return [e.get_attribute("value") for e in els if e.is_selected()]

    def choose(self, name, *values):
        """Chooses options (by code; "ja"/"nej" for yes/no) of an item: radios
        or check boxes (clicked on their labels, as a user does), or a select."""
        els = self.named(name)
        if els[0].tag_name == "select":
            Select(els[0]).select_by_value(values[0])
            return
        for v in values:
            box = [e for e in els if e.get_attribute("value") == v]
            if not box:
                raise NoSuchElementException("no option %r of %r on %s" % (v, name, self.path()))
            if not box[0].is_selected():
                labs = self.d.find_elements(By.CSS_SELECTOR,
                                            'label[for="%s"]' % box[0].get_attribute("id"))
                (labs[0] if labs and labs[0].is_displayed() else box[0]).click()

    def button(self, text):
        for b in self.d.find_elements(By.CSS_SELECTOR, "button, input[type=submit]"):
            t = norm(b.text or b.get_attribute("value") or "")
            if t == text and b.is_displayed():
                return b
        raise NoSuchElementException("no button %r on %s" % (text, self.path()))

    def press(self, text):
        """Presses the button with this text, or follows the link made to look like one."""
        try:
            el = self.button(text)
        except NoSuchElementException:
            links = [a for a in self.d.find_elements(By.TAG_NAME, "a")
                     if norm(a.text) == text and a.is_displayed()]
            if not links:
                raise
            el = links[0]
        self.submit(el)

    def on_login_page(self):
        return bool(self.d.find_elements(By.CSS_SELECTOR, "input[name=passphrase]"))

    def link(self, text):
        for a in self.d.find_elements(By.TAG_NAME, "a"):
            if text in norm(a.text) and a.is_displayed():
                return a
        raise NoSuchElementException("no link %r on %s" % (text, self.path()))

    def follow(self, text):
        self.submit(self.link(text))

    def error_beside(self, name):
        """The error message shown in the item's own block (its fieldset or field)."""
        el = self.named(name)[0]
        box = el.find_element(By.XPATH, "./ancestor::*[self::fieldset or contains(@class,"
                                        "'field') or contains(@class,'item')][1]")
        errs = box.find_elements(By.CSS_SELECTOR, ".error, [role=alert], .field-error, "
                                                  ".problem")
        return norm(" ".join(e.text for e in errs))

    # ---- the keyboard alone --------------------------------------------------------------
    def keys(self, *k):
        ActionChains(self.d).send_keys(*k).perform()

    def active(self):
        return self.d.execute_script(
            "var e = document.activeElement; return e ? [e.tagName, e.name || '', e.value || '',"
            " e.type || '', e.id || '', (e.textContent || '').trim()] : null;")

    def tab_to(self, pred, limit=300):
        """TAB until the focused element satisfies pred(tag, name, value, type, id, text)."""
        for _ in range(limit):
            self.keys(Keys.TAB)
            a = self.active()
            if a and pred(*a):
                return a
        raise AssertionError("TAB never reached the wanted control on %s" % self.path())

    def kb_radio(self, name, value):
        """A radio group by keyboard: TAB into it, arrows to the value (arrows select)."""
        a = self.tab_to(lambda tag, n, v, ty, i, tx: n == name)
        if a[2] != value or not self.d.switch_to.active_element.is_selected():
            if a[2] == value:
                self.keys(Keys.SPACE)
            for _ in range(40):
                if self.active()[2] == value:
                    break
                self.keys(Keys.ARROW_DOWN)
        self.t.ok("keyboard: %s=%s chosen" % (name, value),
                  self.d.switch_to.active_element.is_selected())

    def kb_check(self, name, value):
        self.tab_to(lambda tag, n, v, ty, i, tx: n == name and v == value)
        self.keys(Keys.SPACE)
        self.t.ok("keyboard: %s includes %s" % (name, value),
                  self.d.switch_to.active_element.is_selected())

    def kb_type(self, name, text):
        a = self.tab_to(lambda tag, n, v, ty, i, tx: n == name and tag in ("INPUT", "TEXTAREA"))
        self.keys(Keys.END, *([Keys.BACKSPACE] * len(a[2])))
        self.keys(text)

    def kb_press(self, text):
        """TAB to the button with this text and press ENTER; waits for the next page."""
        self.tab_to(lambda tag, n, v, ty, i, tx: tag == "BUTTON" and norm(tx) == text)
        old = self.d.find_element(By.TAG_NAME, "html")
        self.keys(Keys.ENTER)
        self.wait_new_page(old)


def table_rows(b, css):
    """The rows of a table as {column heading: cell text}."""
    tables = b.d.find_elements(By.CSS_SELECTOR, css)
    if not tables:
        return []
    heads = [norm(h.text) for h in tables[0].find_elements(By.CSS_SELECTOR, "thead th")]
    out = []
    for tr in tables[0].find_elements(By.CSS_SELECTOR, "tbody tr"):
        cells = [norm(c.text) for c in tr.find_elements(By.CSS_SELECTOR, "th, td")]
        out.append(dict(zip(heads, cells)))
    return out


def norm(s):
    return re.sub(r"\s+", " ", s or "").strip()


# ---- what the CLI sees ---------------------------------------------------------------------
def cli_case(reg, code):
    return reg.json("case", "show", code, "--json")


def cli_cases(reg):
    return reg.run("case", "list", user="coord")[1]


def responses_of(case_json):
    return case_json.get("responses", [])


def state(reg):
    """What a refusal must leave as it was: every case and its responses, as the CLI sees them."""
    out = cli_cases(reg)
    codes = re.findall(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", out)
    return out, [json.dumps(cli_case(reg, c), sort_keys=True) for c in codes]


# ---- the steps -----------------------------------------------------------------------------
def login(b, user, passphrase):
    if b.path() != "/login":
        b.go("/login")
    if b.named("user")[0].get_attribute("readonly") is None:
        b.fill("user", user)
    b.fill("passphrase", passphrase)
    b.press("Logga in")


NEEDS = ("need_crime", "need_attitudes", "need_peers", "need_family", "need_school",
         "need_leisure", "need_substances", "need_mental_health", "need_violence_exposure",
         "need_honour")


def fill_intake(b):
    """Every required intake answer but the crime questions."""
    b.choose("sex", "girl")
    b.choose("referral_source", "school")
    b.choose("consent_young_person", "ja")
    b.choose("consent_guardians", "yes")
    b.choose("living_situation", "both_parents")
    b.choose("school_situation", "regular")
    for need in NEEDS:
        b.choose(need, "none")
    b.choose("need_crime", "some")
    b.choose("substance_use", "none")
    b.choose("police_contacts_6m", "none")


def register_date(b, t, date):
    """Step one of a registration: the date, checked first."""
    t.ok("the date is asked first, alone (%s)" % b.path(),
         b.d.find_elements(By.NAME, "_date") and len(b.d.find_elements(
             By.CSS_SELECTOR, "main input:not([type=hidden])")) <= 2, b.main_text()[:200])
    b.fill("_date", date)
    b.press("Fortsätt")


def review_and_save(b, t, what):
    b.press("Granska")
    t.ok("%s: the review page" % what, "Granska svaren" in b.text(), b.path())
    return b


def main():
    if not SIGREG_BIN or not os.access(SIGREG_BIN, os.X_OK):
        die("set SIGREG_BIN to the sigreg binary")
    for path, what in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            die("%s is missing (%s): run tools/setup-deps --tests" % (what, path))
    global AXE_VERSION
    axe_js = open(find_axe()).read()
    m = re.search(r"axe v([0-9.]+)", axe_js)
    AXE_VERSION = m.group(1) if m else "?"
    t = Checks()
    started = time.time()
    shutil.rmtree(SHOTS, ignore_errors=True)  # no screenshot of an earlier run left over
    reg = webtest.Registry(SIGREG_BIN)
    idle = IdleLock(t, axe_js)
    try:
        idle.start()
    except Exception:
        t.ok("the idle lock test started", False, traceback.format_exc())
        page_at_failure(idle.b)
    server = webtest.Server(reg)
    browsers = []
    try:
        walk(t, reg, server, axe_js, browsers)
    except Exception:
        t.ok("the walk through the pages ran to its end", False, traceback.format_exc())
        for b in browsers:
            page_at_failure(b)
    finally:
        for b in browsers:
            b.quit()
        rc = server.stop()
        if t.failed:
            print("---- sigreg serve's log\n" + server.stderr()[-4000:], file=sys.stderr)
        t.eq("sigreg serve stops cleanly on SIGTERM", rc, 0)
    try:
        idle.finish()
    except Exception:
        t.ok("the idle lock test ran to its end", False, traceback.format_exc())
        print("idle server's log:\n" + idle.server.stderr()[-3000:], file=sys.stderr)
    for name in SCREENSHOTS:
        t.ok("screenshot %s.png written" % name, os.path.isfile(os.path.join(SHOTS, name + ".png")))
    print("screenshots in %s" % SHOTS)
    print("axe-core %s (%s): %d page states checked, %d with violations" % (
        AXE_VERSION, "+".join(AXE_TAGS), len(AXE_PAGES), sum(1 for p in AXE_PAGES if p[3])))
    for who, path, title, v in AXE_PAGES:
        print("  axe %-8s %-36s %-34s %s" % (who, path[:36], title[:34], "ok" if not v else
                                             ", ".join(i["id"] for i in v)))
    rc, _, err = reg.run("verify", check=False)
    t.ok("sigreg verify passes afterwards", rc == 0, err)
    reg.close()
    print("browser test: %.0f s (axe-core %.0f s, CLI %.0f s)" % (
        time.time() - started, TIMES["axe"], webtest.Registry.cli_seconds))
    print("%d passed, %d failed" % (t.passed, t.failed))
    return 0 if t.failed == 0 else 1


def walk(t, reg, server, axe_js, browsers):
    b = Browser(t, server, axe_js, "coord")
    browsers.append(b)
    today = datetime.date.today()
    intake_date = (today - datetime.timedelta(days=40)).isoformat()

    # The launch URL: once, then the login page.
    b.d.get(server.launch_url)
    b.loaded()
    t.eq("the launch URL leads to the login page", b.path(), "/login")

    # A wrong passphrase: refused with the library's message, nothing changed.
    before = state(reg)
    login(b, "coord", "not-the-passphrase")
    t.ok("a wrong passphrase stays on the login page", b.on_login_page())
    t.ok("a wrong passphrase says why", re.search(r"lösenfras|passphrase", b.main_text(), re.I),
         b.main_text()[:300])
    t.ok("a wrong passphrase changes no case", state(reg) == before)

    login(b, "coord", reg.passphrases["coord"])
    t.eq("login leads to Mina ärenden", b.path(), "/")
    t.ok("Mina ärenden is the first page", "Mina ärenden" in b.text())

    # A new case with a personnummer typed into a form field.
    b.follow("Nytt ärende")
    if b.d.find_elements(By.NAME, "unit"):
        b.choose("unit", "U1")
    b.fill("pnr", "20110412-1239")
    b.press("Skapa ärendet")
    m = re.match(r"^/case/([A-Z0-9]{4}-[A-Z0-9]{4})$", b.path())
    t.ok("a new case leads to its case page", m, b.path())
    code = m.group(1)
    t.ok("the personnummer is in no URL", "1239" not in b.d.current_url)
    t.ok("the personnummer is on no page after it was typed", "1239" not in b.d.page_source)
    t.ok("the CLI sees the new case", code in cli_cases(reg))

    failed_before = t.failed
    try:
        registrations(t, reg, b, code, today, intake_date)
    except Exception:
        t.ok("the registrations ran to their end", False, traceback.format_exc())
        page_at_failure(b)
    registrations_ok = t.failed == failed_before
    try:
        summary(t, b, reg)
    except Exception:
        t.ok("the summary step ran to its end", False, traceback.format_exc())
        page_at_failure(b)
    try:
        refusals(t, reg, server, axe_js, browsers, b)
    except Exception:
        t.ok("the refusals ran to their end", False, traceback.format_exc())
        page_at_failure(b)
    logout(t, b, server)
    return registrations_ok


def page_at_failure(b):
    try:
        b.shot("failure-" + b.name)
        print("page at the failure (%s): %s\n%s" % (b.name, b.d.current_url,
                                                    b.main_text()[:1500]), file=sys.stderr)
    except Exception:
        pass


def registrations(t, reg, b, code, today, intake_date):
    # The intake: the date first, skip logic, a deliberate error.
    b.follow("SIG – inskrivning")
    register_date(b, t, intake_date)
    t.ok("crime types are not shown before 'suspected' is answered yes",
         not b.shown("crime_types") if b.d.find_elements(By.NAME, "crime_types") else True)
    fill_intake(b)
    b.choose("suspected_ever", "ja")
    # Without the script the page re-renders with the condition applied.
    b.press("Uppdatera")
    t.ok("skip logic: 'suspected: yes' shows the crime types", b.shown("crime_types"))
    b.choose("crime_types", "theft")
    b.fill("age_first_suspected", "3")
    b.choose("victim_of_crime", "no")
    b.press("Granska")
    msg = b.error_beside("age_first_suspected")
    t.ok("a value below the minimum is refused beside its field", "3" in msg and "7" in msg, msg)
    t.ok("the error summary at the top says so", "fel i formuläret" in b.main_text(),
         b.main_text()[:300])
    t.eq("what was typed is kept in the field", b.value("age_first_suspected"), "3")
    b.shot("intake-validation", around=b.named("age_first_suspected")[0])
    b.shot("intake-validation-top", around=b.d.find_element(By.TAG_NAME, "h1"))
    t.ok("a long form has an index of its sections",
         b.d.find_elements(By.CSS_SELECTOR, "nav.section-index a[href='#item-sec_crime']"))

    # Leave the half-filled form with the refused value in it (navigate
    # away), come back: the draft is offered, and nothing typed is lost.
    b.press("Uppdatera")
    b.go("/")
    b.go("/case/%s" % code)
    b.follow("SIG – inskrivning")
    t.ok("the draft is offered when the form is opened again",
         "Fortsätt där du slutade" in b.text(), b.main_text()[:300])
    b.press("Fortsätt där du slutade")
    if b.d.find_elements(By.NAME, "_date") and not b.d.find_elements(By.NAME, "sex"):
        b.press("Fortsätt")  # the draft's date, already filled in
    t.eq("the draft kept the refused age as typed", b.value("age_first_suspected"), "3")
    msg = b.error_beside("age_first_suspected")
    t.ok("with its message", "3" in msg and "7" in msg, msg)
    b.shot("draft-resumed-typed", around=b.named("age_first_suspected")[0])
    b.fill("age_first_suspected", "12")
    b.press("Uppdatera")
    t.eq("the corrected age", b.value("age_first_suspected"), "12")
    t.eq("the draft kept the crime types", b.chosen("crime_types"), ["theft"])
    t.eq("the draft kept the referral", b.chosen("referral_source"), ["school"])
    b.press("Granska")
    t.ok("the review page", "Granska svaren" in b.text(), b.main_text()[:300])
    t.ok("the review shows each answer with its label",
         "Ålder första gången" in b.main_text() and "Stöld eller snatteri" in b.main_text())
    b.shot("review")
    b.press("Spara")
    t.eq("saving leads back to the case page", b.path(), "/case/" + code)
    c = cli_case(reg, code)
    intake = [r for r in responses_of(c) if r.get("form") == "sig-intake"]
    t.eq("the CLI sees one intake", len(intake), 1)
    if intake:
        a = intake[0].get("answers", {})
        t.eq("the intake's age as typed", a.get("age_first_suspected"), 12)
        t.eq("the intake's crime types", a.get("crime_types"), ["theft"])
        t.eq("the intake's date", intake[0].get("date"), intake_date)

    # Mina ärenden: the case with its intake date.
    b.go("/")
    rows = table_rows(b, "table.cases")
    row = [r for r in rows if r.get("Ärende") == code]
    t.ok("Mina ärenden lists the case", row, repr(rows))
    t.eq("the CLI: the case is opened on its intake date", cli_case(reg, code).get("opened_at"),
         intake_date)
    t.eq("Mina ärenden shows the intake date", row[0].get("Inskrivning") if row else None,
         intake_date)
    t.eq("Mina ärenden: days open since the intake", row[0].get("Dagar öppet") if row else None,
         str((today - datetime.date.fromisoformat(intake_date)).days))
    t.eq("Mina ärenden's last registration is the intake", row[0].get("Senaste registrering")
         if row else None, intake_date)
    b.shot("mina-arenden")

    # Two interventions, the second from the keyboard alone.
    b.go("/case/%s" % code)
    b.follow("SIG – under insatsen")
    register_date(b, t, (today - datetime.timedelta(days=20)).isoformat())
    b.fill("meetings", "4")
    b.choose("focus", "outreach")
    b.choose("actors", "social_services", "school")
    b.choose("young_person_participation", "yes")
    b.choose("plan_followed", "yes")
    b.press("Granska")
    b.press("Spara")
    keyboard_intervention(t, b, reg, code, (today - datetime.timedelta(days=10)).isoformat())
    n_int = len([r for r in responses_of(cli_case(reg, code)) if r.get("form") ==
                 "sig-intervention"])
    t.eq("the CLI sees two interventions", n_int, 2)

    # Closure and experience.
    b.go("/case/%s" % code)
    b.follow("SIG – avslut")
    register_date(b, t, (today - datetime.timedelta(days=2)).isoformat())
    b.choose("closure_reason", "goals_reached")
    b.choose("goals_reached", "fully")
    b.choose("overall_change", "improved")
    b.choose("school_situation", "regular")
    for need in NEEDS:
        b.choose(need, "none")
    b.choose("substance_use", "none")
    b.choose("police_contacts_6m", "none")
    b.press("Granska")
    b.press("Spara")
    b.go("/case/%s" % code)
    b.follow("SIG – den unges upplevelse")
    register_date(b, t, (today - datetime.timedelta(days=1)).isoformat())
    b.choose("answered_by", "alone")
    b.choose("felt_safe", "4")
    b.press("Granska")
    b.press("Spara")
    c = cli_case(reg, code)
    t.eq("the CLI sees the case closed", c.get("status"), "closed")
    t.eq("the CLI sees five responses", len(responses_of(c)), 5)

    # One answer edited: a new revision, nothing else retyped.
    b.go("/case/%s" % code)
    edit = [a for a in b.d.find_elements(By.TAG_NAME, "a")
            if "/edit" in (a.get_attribute("href") or "") and "item=meetings" in
            (a.get_attribute("href") or "")]
    t.ok("the case page offers to change one answer", edit)
    if edit:
        b.submit(edit[0])
        t.eq("the answer to change is shown with its saved value", b.value("meetings"), "4")
        t.eq("only that answer is asked", len(b.d.find_elements(
            By.CSS_SELECTOR, "main form input:not([type=hidden]):not([type=submit]), main form "
            "select, main form textarea")), 1)
        b.fill("meetings", "6")
        b.press("Spara ändringen")
        c = cli_case(reg, code)
        first = [r for r in responses_of(c) if r.get("form") == "sig-intervention"][0]
        t.eq("the edited answer's new value", first.get("answers", {}).get("meetings"), 6)
        t.eq("the rest of the answers as they were",
             first.get("answers", {}).get("actors"), ["social_services", "school"])
        t.ok("the edit is a new revision", first.get("revision", 1) >= 2, json.dumps(first)[:300])
        b.go("/case/%s" % code)
        t.ok("the case page shows the new revision", re.search(r"version 2", b.main_text()),
             b.main_text()[:300])
    b.go("/case/%s" % code)
    b.shot("case-page")



def imported_case(i):
    """A case for sigreg import: an intake, and for every other one a closure."""
    day = datetime.date.today() - datetime.timedelta(days=60 + i)
    needs = {n: "some" for n in NEEDS}
    intake = dict(needs, sex="boy", referral_source="police", consent_young_person=True,
                  consent_guardians="yes", living_situation="one_parent",
                  school_situation="absence", substance_use="none", police_contacts_6m="one",
                  suspected_ever=False, victim_of_crime="no")
    closure = dict(needs, closure_reason="moved", goals_reached="partly",
                   overall_change="unchanged", school_situation="regular", substance_use="none",
                   police_contacts_6m="none")
    responses = [{"form": "sig-intake", "version": 1, "date": day.isoformat(), "answers": intake}]
    if i % 2:
        responses.append({"form": "sig-closure", "version": 1,
                          "date": (day + datetime.timedelta(days=30)).isoformat(),
                          "answers": closure})
    return {"ref": "extra%d" % i, "unit": "U1", "responses": responses}


def summary(t, b, reg):
    """The live summary of cases by status: the page's counts are the CLI's.
    Eleven more cases imported through the CLI, five of them closed, lift both
    counts over the smallest cell, so that there are counts to compare."""
    lines = "".join(json.dumps(imported_case(i)) + "\n" for i in range(11))
    reg.run("import", "-", user="coord", stdin=lines)
    cli = json.loads(reg.run("stats", "cases", "--format", "json", user="coord")[1])
    want = {r["value_label"]: (None if r["suppressed"] else r["count"]) for r in cli["rows"]}
    b.go("/stats")
    b.shot("summary")
    t.ok("the summary page has a chart with a text alternative",
         b.d.find_elements(By.CSS_SELECTOR, "svg[role=img] title, svg[aria-label], "
                                            "svg[aria-labelledby]"))
    got = {}
    for row in b.d.find_elements(By.CSS_SELECTOR, "main table tr"):
        cells = row.find_elements(By.CSS_SELECTOR, "th, td")
        if len(cells) >= 2 and norm(cells[0].text) in want:
            v = norm(cells[1].text)
            got[norm(cells[0].text)] = int(v) if v.isdigit() else None
    t.eq("the summary's counts are the CLI's (%s)" % want, got, want)
    t.ok("both counts are given, not withheld", want.get("Öppet") == 6 and
         want.get("Avslutat") == 6, repr(want))


def logout(t, b, server):
    # Logout: the session ends; the old cookie no longer works.
    cookie = {c["name"]: c["value"] for c in b.d.get_cookies()}
    b.press("Logga ut")
    t.eq("logout leads to the login page", b.path(), "/login")
    b.go("/")
    t.ok("after logout Mina ärenden needs a login again",
         b.d.find_elements(By.CSS_SELECTOR, "input[type=password]") and "Mina ärenden" not in
         b.main_text(), b.main_text()[:200])
    r = webtest.request(server, "GET", "/", headers={
        "Cookie": "; ".join("%s=%s" % kv for kv in cookie.items())})
    t.ok("the old session cookie is refused after logout", r.status in (302, 303, 401, 403)
         and "Mina ärenden" not in r.text(), "HTTP %d" % r.status)


def keyboard_intervention(t, b, reg, code, date):
    """One registration from the keyboard alone: TAB, SPACE, ENTER and typing."""
    b.go("/case/%s" % code)
    b.tab_to(lambda tag, n, v, ty, i, tx: tag == "A" and "SIG – under insatsen" in norm(tx))
    old = b.d.find_element(By.TAG_NAME, "html")
    b.keys(Keys.ENTER)
    b.wait_new_page(old)
    kb_date(b, date)
    b.kb_press("Fortsätt")
    b.kb_type("meetings", "2")
    b.kb_check("focus", "group_activity")
    b.kb_check("actors", "police")
    b.kb_radio("young_person_participation", "partly")
    b.kb_radio("plan_followed", "partly")
    b.kb_press("Uppdatera")
    t.ok("keyboard: 'partly' opens the obstacles question",
         b.d.find_elements(By.CSS_SELECTOR, "input[name=plan_obstacles]"))
    b.kb_check("plan_obstacles", "motivation")
    b.kb_press("Granska")
    b.kb_press("Spara")
    t.eq("keyboard: saved, back on the case page", b.path(), "/case/" + code)
    last = [r for r in responses_of(cli_case(reg, code)) if r.get("form") == "sig-intervention"]
    a = last[-1].get("answers", {}) if last else {}
    t.eq("keyboard: the answers as typed", (a.get("meetings"), a.get("plan_obstacles")),
         (2, ["motivation"]))


def kb_date(b, date):
    """The date step from the keyboard: a text field takes the date as typed;
    chromium's type=date field takes the digits in the order of its locale
    (en-US: month, day, year; sv-SE: year, month, day), moving from one part
    to the next by itself."""
    b.tab_to(lambda tag, n, v, ty, i, tx: n == "_date")
    if b.active()[3] == "date":
        y, m, d = date.split("-")
        # The order of the parts in the locale the field uses (ICU's default).
        parts = b.d.execute_script(
            "return new Intl.DateTimeFormat(undefined, {year: 'numeric', month: '2-digit',"
            " day: '2-digit'}).formatToParts(new Date(2001, 1, 3))"
            ".map(function (p) { return p.type; })"
            ".filter(function (t) { return t != 'literal'; });")
        b.keys(*[{"year": y, "month": m, "day": d}[p] for p in parts])
    else:
        b.keys(Keys.END, *([Keys.BACKSPACE] * len(b.active()[2])))
        b.keys(date)
    b.t.eq("keyboard: the date typed", b.active()[2], date)


def refusals(t, reg, server, axe_js, browsers, b):
    """Each refused, and nothing changed."""
    # The form's token first: a page view is audited, so it changes the registry.
    b.go("/case/new")
    token_name, token = webtest.csrf_of(b.d.page_source)
    before = state(reg)  # (the CLI's reads are audited: before the checksums)
    sums = reg.sums()
    cookies = {c["name"]: c["value"] for c in b.d.get_cookies()}
    cookie_header = "; ".join("%s=%s" % kv for kv in cookies.items())

    # A POST without the CSRF token (same origin, the session's cookies).
    r = webtest.request(server, "POST", "/case/new", headers={
        "Cookie": cookie_header, "Origin": server.origin, "Sec-Fetch-Site": "same-origin"},
        body={"unit": "U1", "no_pnr": "1", "birth_year": "2010"})
    t.eq("a POST without the CSRF token is refused (403)", r.status, 403)
    # With the token but from a foreign origin.
    r = webtest.request(server, "POST", "/case/new", headers={
        "Cookie": cookie_header, "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
        body={token_name or "csrf": token or "", "unit": "U1", "no_pnr": "1",
              "birth_year": "2010"})
    t.eq("a POST from a foreign origin is refused (403)", r.status, 403)
    for hdrs, what in (({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, "Origin null, cross-site"),
                       ({"Origin": "null"}, "Origin null without Sec-Fetch-Site"),
                       ({}, "neither Origin nor Sec-Fetch-Site")):
        h = {"Cookie": cookie_header}
        h.update(hdrs)
        r = webtest.request(server, "POST", "/case/new", headers=h, body={
            token_name or "csrf": token or "", "unit": "U1", "no_pnr": "1"})
        t.eq("a POST with %s is refused (403)" % what, r.status, 403)

    # A foreign Host (DNS rebinding), with the session's cookies.
    for host in ("evil.example:%d" % server.port, "localhost.evil.example",
                 "127.0.0.1:%d" % (server.port + 1), "127.0.0.1"):
        r = webtest.request(server, "GET", "/", headers={"Cookie": cookie_header}, host=host)
        t.eq("Host %r is refused (421)" % host, r.status, 421)
        t.ok("Host %r: no case on the refusal" % host, "Mina ärenden" not in r.text())

    # A second browser without the launch secret: at the server's own address,
    # and at the launch URL once it has been used.
    b2 = Browser(t, server, axe_js, "stranger")
    browsers.append(b2)
    b2.go("/")
    t.ok("a browser without the launch secret gets no login form",
         not b2.d.find_elements(By.CSS_SELECTOR, "input[type=password]"), b2.main_text()[:200])
    b2.go("/login")
    t.ok("... nor at /login", not b2.d.find_elements(By.CSS_SELECTOR, "input[type=password]"))
    b2.d.get(server.launch_url)
    b2.loaded()
    t.ok("the launch URL works only once",
         not b2.d.find_elements(By.CSS_SELECTOR, "input[type=password]"), b2.main_text()[:200])
    r = webtest.request(server, "GET", urllib.parse.urlsplit(server.launch_url).path)
    t.eq("the used launch URL is refused (403)", r.status, 403)
    r = webtest.request(server, "POST", "/login", headers={"Origin": server.origin},
                        body={"user": "coord", "passphrase": reg.passphrases["coord"]})
    t.eq("a login without the launch cookie is refused (403)", r.status, 403)
    b2.quit()
    browsers.remove(b2)

    after = reg.sums()
    t.ok("the refusals left the registry's files as they were", after == sums,
         "%r -> %r" % (sums, after))
    t.ok("the refusals changed no case", state(reg) == before)


class IdleLock:
    """A second server whose sessions lock after one idle minute (the least
    --idle-minutes takes). It is started first and left idle while the main
    walk runs: then the next request must ask for the passphrase again, and
    the draft typed before the lock must be there after it."""

    def __init__(self, t, axe_js):
        self.t = t
        # A registry of its own, so that its lock (which is audited) cannot
        # fall inside the main walk's checks that refusals change nothing.
        self.reg = reg = webtest.Registry(SIGREG_BIN)
        self.code = reg.run("case", "new", "--unit", "U1", "--no-pnr", user="coord")[1].strip()
        self.server = webtest.Server(reg, ["--idle-minutes", "1"])
        self.b = Browser(t, self.server, axe_js, "idle")
        self.started = False

    def start(self):
        self.b.d.get(self.server.launch_url)
        self.b.loaded()
        login(self.b, "coord", self.reg.passphrases["coord"])
        self.b.go("/case/%s" % self.code)
        self.b.follow("SIG – inskrivning")
        self.b.fill("_date", datetime.date.today().isoformat())
        self.b.press("Fortsätt")
        self.b.choose("sex", "boy")
        self.b.choose("referral_source", "police")
        self.b.press("Uppdatera")  # the draft is saved on every post
        self.idle_since = time.time()
        self.started = True

    def finish(self):
        t, b = self.t, self.b
        try:
            if not self.started:
                return
            wait = 62 - (time.time() - self.idle_since)
            if wait > 0:
                time.sleep(wait)
            before = state(self.reg)
            b.go("/case/%s" % self.code)
            t.ok("idle lock: after a minute idle the login page again", b.on_login_page(),
                 b.main_text()[:200])
            t.ok("idle lock: the locked session keeps its user",
                 b.named("user")[0].get_attribute("readonly") is not None)
            t.ok("idle lock: no case on the page", self.code not in b.main_text())
            r = webtest.request(self.server, "GET", "/case/%s" % self.code, headers={
                "Cookie": "; ".join("%s=%s" % (c["name"], c["value"])
                                    for c in b.d.get_cookies())})
            t.ok("idle lock: the locked session's cookie shows no case",
                 self.code not in r.text() or "passphrase" in r.text(), "HTTP %d" % r.status)
            t.ok("idle lock: nothing changed", state(self.reg) == before)
            b.fill("passphrase", self.reg.passphrases["coord"])
            b.press("Logga in")
            t.eq("idle lock: unlocked, back on the page asked for", b.path(),
                 "/case/" + self.code)
            b.follow("SIG – inskrivning")
            t.ok("idle lock: the draft typed before the lock is offered",
                 "Fortsätt där du slutade" in b.text(), b.main_text()[:300])
            b.press("Fortsätt där du slutade")
            if b.d.find_elements(By.NAME, "_date") and not b.d.find_elements(By.NAME, "sex"):
                b.press("Fortsätt")
            kept = (b.chosen("sex"), b.chosen("referral_source"))
            t.eq("idle lock: the draft kept its answers", kept, (["boy"], ["police"]))
        finally:
            b.quit()
            t.eq("the idle server stops cleanly", self.server.stop(), 0)
            rc, _, err = self.reg.run("verify", check=False)
            t.ok("sigreg verify passes on the idle server's registry", rc == 0, err)
            self.reg.close()


if __name__ == "__main__":
    sys.exit(main())
