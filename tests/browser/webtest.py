"""webtest.py - what the browser test and the load test share: a scratch
registry made through the real `sigreg` binary (as tests/cli/lib.sh makes
one), a `sigreg serve` started on it, and raw HTTP requests with
http.client (for what a browser would never send).

Only Python's standard library here, so that tools/load-test runs without
selenium.
"""
import hashlib
import http.client
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
import urllib.parse

PASSPHRASES = {
    "admin": "admin-passphrase",
    "coord": "coord-passphrase",
    "ana": "analyst-passphrase",
}


class Registry:
    """A fresh registry in a scratch folder, with the test KDF profile: units
    U1 and U2, admin 'admin', coordinator 'coord' (U1), analyst 'ana', and
    any further coordinators asked for."""

    cli_seconds = 0.0  # time spent in sigreg commands, all registries

    def __init__(self, sigreg_bin, coordinators=(), keep=False):
        self.bin = sigreg_bin
        self.dir = tempfile.mkdtemp(prefix="sigreg-web-")
        self.keep = keep
        self.path = os.path.join(self.dir, "reg.db")
        self.env = dict(os.environ)
        self.env.update({
            "SIGREG_REGISTRY": self.path,
            "XDG_STATE_HOME": os.path.join(self.dir, ".state"),
            "SIGREG_KNOWN_REGISTRIES": os.path.join(self.dir, "known_registries"),
            "SIGREG_BUSY_TIMEOUT_MS": "5000",
        })
        self.env.pop("SIGREG_USER", None)
        self.passphrases = dict(PASSPHRASES)
        for name, pw in self.passphrases.items():
            self._write_pass(name, pw)
        self.run("init", "--admin", "admin", "--kdf-profile", "insecure-test-only")
        self.run("unit", "add", "U1", "--name", "Enhet Norr")
        self.run("unit", "add", "U2", "--name", "Enhet Syd")
        self.add_user("coord", "coordinator", "U1", self.passphrases["coord"])
        self.add_user("ana", "analyst", None, self.passphrases["ana"])
        for name in coordinators:
            self.add_user(name, "coordinator", "U1", name + "-passphrase")

    def _write_pass(self, name, pw):
        with open(os.path.join(self.dir, name + ".pass"), "w") as f:
            f.write(pw + "\n")

    def add_user(self, name, role, units, pw):
        self.passphrases[name] = pw
        self._write_pass(name, pw)
        args = ["user", "add", name, "--role", role, "--kdf-profile", "insecure-test-only",
                "--new-passphrase-file", os.path.join(self.dir, name + ".pass")]
        if units:
            args += ["--unit", units]
        self.run(*args)

    def run(self, *args, user="admin", stdin=None, check=True):
        """Runs sigreg as user; returns (status, stdout, stderr)."""
        env = dict(self.env)
        env["SIGREG_PASSPHRASE_FILE"] = os.path.join(self.dir, user + ".pass")
        env["SIGREG_USER"] = user
        t0 = time.time()
        p = subprocess.run([self.bin] + list(args), env=env, input=stdin, capture_output=True,
                           text=True, timeout=120)
        Registry.cli_seconds += time.time() - t0
        err = "\n".join(line for line in p.stderr.splitlines()
                        if "'insecure-test-only', which is for test suites" not in line)
        if check and p.returncode != 0:
            raise AssertionError("sigreg %s failed (%d): %s" % (" ".join(args), p.returncode, err))
        return p.returncode, p.stdout, err

    def json(self, *args, user="coord"):
        return json.loads(self.run(*args, user=user)[1])

    def sums(self):
        """sha256 of the registry's files (a refusal must leave them as they were)."""
        out = {}
        for name in sorted(os.listdir(self.dir)):
            if name.startswith("reg.") and not name.endswith(("-journal", "-wal", "-shm", ".lock")):
                with open(os.path.join(self.dir, name), "rb") as f:
                    out[name] = hashlib.sha256(f.read()).hexdigest()
        return out

    def close(self):
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    """`sigreg serve --no-browser --port 0` on a registry; reads the launch
    URL from the one line it prints on stdout."""

    count = 0

    def __init__(self, registry, extra_args=(), env=None, timeout=30):
        self.registry = registry
        Server.count += 1
        self.log_path = os.path.join(registry.dir, "serve-%d.log" % Server.count)
        self.log = open(self.log_path, "w")
        e = dict(registry.env)
        e.pop("SIGREG_PASSPHRASE_FILE", None)
        if env:
            e.update(env)
        wrapper = os.environ.get("SIGREG_WRAPPER", "").split()
        self.proc = subprocess.Popen(
            wrapper + [registry.bin, "serve", "--no-browser", "--port", "0"] + list(extra_args),
            env=e, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.log)
        line = self._read_line(timeout)
        m = re.fullmatch(r"(http://127\.0\.0\.1:(\d+))(/launch/[A-Za-z0-9_-]{32,})", line.strip())
        if not m:
            self.stop()
            raise AssertionError("sigreg serve printed %r, not a launch URL (log: %s)"
                                 % (line, self.stderr()))
        self.origin = m.group(1)
        self.port = int(m.group(2))
        self.host = "127.0.0.1:%d" % self.port
        self.launch_url = m.group(1) + m.group(3)

    def _read_line(self, timeout):
        deadline = time.time() + timeout
        buf = b""
        fd = self.proc.stdout.fileno()
        while b"\n" not in buf:
            left = deadline - time.time()
            if left <= 0 or self.proc.poll() is not None and not select.select([fd], [], [], 0)[0]:
                break
            r, _, _ = select.select([fd], [], [], min(left, 0.2))
            if r:
                chunk = os.read(fd, 4096)
                if not chunk:
                    break
                buf += chunk
        return buf.decode("utf-8", "replace").split("\n")[0]

    def stderr(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def url(self, path):
        return self.origin + path

    def stop(self):
        """SIGTERM, and the exit status (0 after a clean stop)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def cookies(self):
        """name -> value of every Set-Cookie."""
        out = {}
        for k, v in self.headers:
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                out[name.strip()] = rest.split(";")[0].strip()
        return out

    def text(self):
        return self.body.decode("utf-8", "replace")


def request(server, method, path, headers=None, body=None, host=None, timeout=30):
    """One raw request on its own connection. headers: dict; body: dict (urlencoded) or bytes."""
    h = {"Host": host or server.host}
    if headers:
        h.update(headers)
    if isinstance(body, dict) or isinstance(body, list):
        body = urllib.parse.urlencode(body).encode()
        h.setdefault("Content-Type", "application/x-www-form-urlencoded")
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in h.items():
            c.putheader(k, v)
        if body is not None:
            c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        return Response(r.status, r.getheaders(), r.read())
    finally:
        c.close()


class Client:
    """A cookie-keeping client over one keep-alive connection, as a browser
    would be: GETs and same-origin POSTs that carry the page's CSRF token."""

    def __init__(self, server, timeout=30):
        self.server = server
        self.cookies = {}
        self.timeout = timeout
        self.conn = None

    def _conn(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.server.port,
                                                   timeout=self.timeout)
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def send(self, method, path, fields=None, follow=True, origin=True):
        h = {"Host": self.server.host}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
            if origin:
                h["Origin"] = self.server.origin
                h["Sec-Fetch-Site"] = "same-origin"
        for attempt in (0, 1):
            c = self._conn()
            try:
                c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
                for k, v in h.items():
                    c.putheader(k, v)
                if body is not None:
                    c.putheader("Content-Length", str(len(body)))
                c.endheaders(body)
                r = c.getresponse()
                resp = Response(r.status, r.getheaders(), r.read())
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection: once more on a new one.
                self.close()
                if attempt:
                    raise
        if resp.header("Connection") == "close":
            self.close()
        self.cookies.update({k: v for k, v in resp.cookies().items() if v})
        if follow and resp.status in (301, 302, 303) and resp.header("Location"):
            loc = urllib.parse.urlsplit(resp.header("Location"))
            target = loc.path + ("?" + loc.query if loc.query else "")
            return self.send("GET", target, follow=True)
        resp.path = path
        return resp

    def get(self, path, **kw):
        return self.send("GET", path, **kw)

    def post(self, path, fields, **kw):
        return self.send("POST", path, fields=fields, **kw)


def csrf_of(html_text):
    """(field name, CSRF token) of the first form of a page, or (None, None)."""
    m = re.search(r'name="(_?csrf)"\s+value="([^"]+)"', html_text)
    return (m.group(1), m.group(2)) if m else (None, None)


def launch_and_login(server, user, passphrase, client=None):
    """A client holding the launch cookie and logged in as user. The launch
    URL works once: pass an existing client (which holds the launch cookie) for
    further users."""
    c = client or Client(server)
    if client is None:
        path = urllib.parse.urlsplit(server.launch_url).path
        r = c.get(path)
        if r.status != 200:
            raise AssertionError("launch URL: HTTP %d" % r.status)
    r = c.get("/login")
    name, token = csrf_of(r.text())
    fields = {"user": user, "passphrase": passphrase}
    if token:
        fields[name] = token
    r = c.post("/login", fields)
    if r.status != 200 or 'name="passphrase"' in r.text():
        raise AssertionError("login as %s: HTTP %d" % (user, r.status))
    return c
