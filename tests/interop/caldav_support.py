"""The CalDAV service the CalDAV interop tests talk to, with its URL layout behind one object.

By default that is Atrium (the `Server` fixture with its HTTP listener): discovery at
/.well-known/caldav, principals at /dav/principals/<email>/, calendar homes at
/dav/calendars/<email>/, each with the calendar `calendar/` (VEVENT) and the task list `tasks/`
(VTODO) made for every user.

CALDAV_REFERENCE points the same tests at a reference server instead, so that a test can be shown
correct before it is pointed at Atrium:
- `radicale` (Debian's radicale): principal and calendar home at /<user>/;
- `cyrus` (Debian's cyrus-imapd and cyrus-caldav, run as the cyrus user): principals at
  /dav/principals/user/<user>/, homes at /dav/calendars/user/<user>/.
The fixture makes `calendar/` and `tasks/` on them itself. Everything a test needs to know about
the layout comes from `DavService`. What a reference is known to get wrong is marked on the test
with `reference_deviation`: there it must fail; each CalDAV test passes on at least one of
them (litmus on neither, see test_litmus).
"""
import os
import pathlib
import shutil
import subprocess
import time
import urllib.parse

import pytest
import requests

from conftest import Server, free_port

REFERENCE = os.environ.get("CALDAV_REFERENCE", "").strip().lower()
if REFERENCE not in ("", "atrium", "radicale", "cyrus"):
    raise RuntimeError(f"CALDAV_REFERENCE={REFERENCE!r}: expected radicale or cyrus (or nothing for Atrium)")

DOMAIN = "example.test"
ALICE, BOB = f"alice@{DOMAIN}", f"bob@{DOMAIN}"
PASSWORDS = {ALICE: "alice-Secret-4711", BOB: "bob-Secret-0815"}

CALDAV_NS = "urn:ietf:params:xml:ns:caldav"


def path_of(href):
    """The decoded path of an href or URL, so that `/a%40b/` and `/a@b/` compare equal."""
    return urllib.parse.unquote(urllib.parse.urlsplit(str(href)).path)


class DavService:
    """A running CalDAV server and where things are on it."""

    kind = ""

    def __init__(self, base):
        self.base = base  # http://127.0.0.1:PORT

    def url(self, path):
        return self.base + path

    @property
    def well_known(self):
        return self.url("/.well-known/caldav")

    @property
    def context_path(self):
        """Where /.well-known/caldav leads: the path that answers current-user-principal."""
        raise NotImplementedError

    def principal_path(self, user):
        raise NotImplementedError

    def home_path(self, user):
        raise NotImplementedError

    def calendar_path(self, user, name="calendar"):
        return self.home_path(user) + name + "/"

    def tasks_path(self, user):
        return self.calendar_path(user, "tasks")

    def session(self, user=ALICE):
        """A requests session logged in as `user` (Basic auth), for what a client library hides."""
        s = requests.Session()
        s.auth = (user, PASSWORDS[user])
        return s

    def log_text(self):
        return ""

    def make_default_calendars(self):
        """Atrium gives every user these two; a reference server starts with nothing."""
        for user in PASSWORDS:
            s = self.session(user)
            for name, component in (("calendar", "VEVENT"), ("tasks", "VTODO")):
                body = (f'<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="{CALDAV_NS}">'
                        f"<D:set><D:prop><D:displayname>{name}</D:displayname><C:supported-calendar-component-set>"
                        f'<C:comp name="{component}"/></C:supported-calendar-component-set></D:prop></D:set>'
                        "</C:mkcalendar>")
                r = s.request("MKCALENDAR", self.url(self.calendar_path(user, name)), data=body,
                              headers={"Content-Type": "application/xml"})
                assert r.status_code == 201, (r.status_code, r.text)

    def stop(self):
        raise NotImplementedError


class AtriumDav(DavService):
    kind = "atrium"

    def __init__(self, tmp_path):
        self.server = Server(tmp_path, ("http",))
        self.server.cli("domain", "add", DOMAIN)
        for user, password in PASSWORDS.items():
            self.server.cli("user", "add", user, "--password-stdin", input=password + "\n")
        try:
            self.server.start()
        except BaseException:
            self.server.stop()
            raise
        super().__init__(self.server.url("").rstrip("/"))

    @property
    def context_path(self):
        return "/dav/"

    def principal_path(self, user):
        return f"/dav/principals/{user}/"

    def home_path(self, user):
        return f"/dav/calendars/{user}/"

    def log_text(self):
        return self.server.log_text()

    def stop(self):
        self.server.stop()


class RadicaleDav(DavService):
    kind = "radicale"

    def __init__(self, tmp_path):
        if not shutil.which("radicale"):
            raise RuntimeError("CALDAV_REFERENCE=radicale needs Debian's radicale package")
        self.dir = tmp_path / "radicale"
        self.dir.mkdir()
        users = self.dir / "users"
        users.write_text("".join(f"{u}:{p}\n" for u, p in PASSWORDS.items()))
        # Like Radicale's owner_only, but a user may also make plain collections (MKCOL) below
        # the home, as litmus does.
        rights = self.dir / "rights"
        rights.write_text("[root]\nuser: .+\ncollection:\npermissions: R\n\n"
                          "[owner]\nuser: .+\ncollection: {user}(/.*)?\npermissions: RrWw\n")
        port = free_port()
        config = self.dir / "config"
        config.write_text(f"""[server]
hosts = 127.0.0.1:{port}

[auth]
type = htpasswd
htpasswd_filename = {users}
htpasswd_encryption = plain
delay = 0

[rights]
type = from_file
file = {rights}

[storage]
filesystem_folder = {self.dir / "collections"}

[web]
type = none

[logging]
level = info
mask_passwords = true
""")
        self.log_path = self.dir / "radicale.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(["radicale", "-C", str(config)], stdout=self.log, stderr=subprocess.STDOUT)
        super().__init__(f"http://127.0.0.1:{port}")
        deadline = time.time() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"radicale exited ({self.proc.returncode}):\n{self.log_text()}")
            try:
                requests.get(self.url("/.well-known/caldav"), allow_redirects=False, timeout=2)
                break
            except requests.ConnectionError:
                if time.time() > deadline:
                    self.stop()
                    raise RuntimeError("radicale did not come up:\n" + self.log_text())
                time.sleep(0.1)
        self.make_default_calendars()

    @property
    def context_path(self):
        return "/"

    def principal_path(self, user):
        return f"/{user}/"

    def home_path(self, user):
        return f"/{user}/"

    def log_text(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class CyrusDav(DavService):
    """Cyrus IMAP's httpd with its CalDAV module (Debian's cyrus-imapd and cyrus-caldav): a
    second reference, for what Radicale does not implement (CALDAV:expand, component checks on
    PUT, initial sync without removed members). Runs as the cyrus user from a folder under
    /var/tmp, since pytest's temporary folders are private to root."""

    kind = "cyrus"
    ADMIN_PASSWORD = "admin-Secret-1"

    def __init__(self, tmp_path):
        import imaplib
        import tempfile
        libexec = pathlib.Path("/usr/lib/cyrus/bin")
        if not (libexec / "master").exists() or not shutil.which("saslpasswd2"):
            raise RuntimeError("CALDAV_REFERENCE=cyrus needs Debian's cyrus-imapd, cyrus-caldav and sasl2-bin")
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="atrium-cyrus-", dir="/var/tmp"))
        d = self.dir
        for sub in ("config", "spool", "sieve", "run"):
            (d / sub).mkdir()
        imap_port, http_port = free_port(), free_port()
        conf = d / "imapd.conf"
        conf.write_text(f"""configdirectory: {d}/config
defaultpartition: default
partition-default: {d}/spool
sievedir: {d}/sieve
admins: admin
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: {d}/sasldb2
sasl_mech_list: PLAIN LOGIN
httpmodules: caldav
httpallowcompress: no
lmtpsocket: {d}/run/lmtp
idlesocket: {d}/run/idle
notifysocket: {d}/run/notify
syslog_prefix: atrium-cyrus-ref
unixhierarchysep: yes
virtdomains: userid
caldav_create_default: no
caldav_create_sched: no
caldav_create_attach: no
""")
        (d / "cyrus.conf").write_text(f"""START {{
  recover cmd="ctl_cyrusdb -r -C {conf}"
}}
SERVICES {{
  imap cmd="imapd -C {conf}" listen="127.0.0.1:{imap_port}" prefork=0
  http cmd="httpd -C {conf}" listen="127.0.0.1:{http_port}" prefork=0
}}
EVENTS {{
}}
""")
        for user, password in {"admin": self.ADMIN_PASSWORD, **PASSWORDS}.items():
            subprocess.run(["saslpasswd2", "-p", "-c", "-f", str(d / "sasldb2"), user], input=password.encode(),
                           check=True, timeout=30)
        subprocess.run(["chown", "-R", "cyrus:mail", str(d)], check=True)
        self.log_path = d / "master.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([str(libexec / "master"), "-D", "-C", str(conf), "-M", str(d / "cyrus.conf"),
                                      "-p", str(d / "run/master.pid")], stdout=self.log, stderr=subprocess.STDOUT,
                                     user="cyrus", group="mail")
        super().__init__(f"http://127.0.0.1:{http_port}")
        deadline = time.time() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cyrus master exited ({self.proc.returncode}):\n{self.log_text()}")
            try:
                requests.get(self.url("/.well-known/caldav"), allow_redirects=False, timeout=2)
                imap = imaplib.IMAP4("127.0.0.1", imap_port, timeout=10)
                break
            except (requests.ConnectionError, OSError):
                if time.time() > deadline:
                    self.stop()
                    raise RuntimeError("cyrus did not come up:\n" + self.log_text())
                time.sleep(0.1)
        imap.login("admin", self.ADMIN_PASSWORD)
        for user in PASSWORDS:
            typ, data = imap.create(f"user/{user}")
            assert typ == "OK", data
        imap.logout()
        self.make_default_calendars()

    @property
    def context_path(self):
        return "/dav/calendars/"

    def principal_path(self, user):
        return f"/dav/principals/user/{user}/"

    def home_path(self, user):
        return f"/dav/calendars/user/{user}/"

    def log_text(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def reference_deviation(**reasons):
    """Marks a test that a reference server is known to fail, by CALDAV_REFERENCE name, with the
    reason: there it must fail (a strict xfail), which shows the test can. Against Atrium the mark
    does nothing."""
    reason = reasons.get(REFERENCE, "")
    return pytest.mark.xfail(bool(reason), strict=True, reason=reason)


def start_dav(tmp_path):
    if REFERENCE == "radicale":
        return RadicaleDav(tmp_path)
    if REFERENCE == "cyrus":
        return CyrusDav(tmp_path)
    return AtriumDav(tmp_path)


@pytest.fixture
def dav(tmp_path):
    service = start_dav(tmp_path)
    yield service
    service.stop()


NODE_DIR = pathlib.Path(__file__).parent / "node"
