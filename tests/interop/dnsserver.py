"""An authoritative DNS server for interop tests: NSD in the foreground on 127.0.0.1 at a free
port, serving zones given as Python lists of records.

    dns = DnsServer(tmp_path)
    dns.zone("example.test", [("@", "MX", "10 mx1.example.test."),
                              ("mx1", "A", "127.0.0.2"),
                              ("@", "TXT", '"v=spf1 ip4:127.0.0.1 -all"'),
                              ("sel._domainkey", "TXT", "v=DKIM1; k=rsa; p=" + long_base64)])
    dns.start()
    ... f'[delivery]\\ndns_servers = ["{dns.address}"]' ...
    dns.stop()

Records are (name, type, value) or (name, type, value, ttl). `name` is "@", relative to the
zone ("mx1", "_mta-sts") or absolute with a trailing dot; a name without the trailing dot that
equals the zone or ends in ".<zone>" is taken as absolute too (the usual slip). `value` is zone
file text, written as given, except for TXT: a value that does not start with '"' is a plain
string that gets quoted and split into 255-octet character-strings. SOA and NS (ns.<zone>,
with an A record 127.0.0.1 unless the test defines that name itself) are added.
"""
import os
import pathlib
import signal
import shutil
import socket
import subprocess
import time

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver

NSD = shutil.which("nsd") or "/usr/sbin/nsd"
NSD_CHECKZONE = shutil.which("nsd-checkzone") or "/usr/sbin/nsd-checkzone"

_handed_out = set()


def free_udp_tcp_port(host="127.0.0.1"):
    """A port on `host` that is free for both UDP and TCP right now (never the same twice per run)."""
    for _ in range(1000):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            t.bind((host, 0))
            port = t.getsockname()[1]
            if port in _handed_out:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                try:
                    u.bind((host, port))
                except OSError:
                    continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no port free for both UDP and TCP on " + host)


def txt_value(text):
    """Zone-file text for a TXT record: a value starting with '"' is returned as is, anything else
    (str or bytes) is split into quoted character-strings of at most 255 octets each."""
    if isinstance(text, str):
        if text.startswith('"'):
            return text
        data = text.encode("utf-8")
    else:
        data = bytes(text)
    chunks = [data[i:i + 255] for i in range(0, len(data), 255)] or [b""]
    return " ".join('"' + "".join(_escape_octet(b) for b in chunk) + '"' for chunk in chunks)


def _escape_octet(b):
    if b in (0x22, 0x5C):  # " and backslash
        return "\\" + chr(b)
    if 0x20 <= b < 0x7F:
        return chr(b)
    return "\\%03d" % b


class DnsServer:
    """NSD serving the zones given with zone(); see the module docstring."""

    def __init__(self, tmpdir, host="127.0.0.1", port=None):
        """All of NSD's files go to `tmpdir`/nsd. `port`: a fixed port, else a free one is chosen."""
        if not os.access(NSD, os.X_OK):
            raise RuntimeError(f"nsd is not installed ({NSD})")
        self.dir = pathlib.Path(tmpdir) / "nsd"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.host = host
        self._fixed_port = port is not None
        self.port = port if port is not None else free_udp_tcp_port(host)
        self.zones = {}  # zone name (no trailing dot, lower case) -> list of records
        self.conf_path = self.dir / "nsd.conf"
        self.log_path = self.dir / "nsd.log"
        self.out_path = self.dir / "nsd.out"
        self.proc = None
        self._out = None
        self._serial = int(time.time())

    # -- zones ---------------------------------------------------------------------------------

    def zone(self, name, records=()):
        """Defines (or replaces) a zone; call reload() to apply it to a running server."""
        name = name.rstrip(".").lower()
        self.zones[name] = [tuple(r) for r in records]
        return self

    def add(self, zone, *records):
        """Appends records to an existing zone; call reload() to apply it to a running server."""
        self.zones[zone.rstrip(".").lower()].extend(tuple(r) for r in records)
        return self

    def remove_zone(self, name):
        self.zones.pop(name.rstrip(".").lower(), None)
        return self

    @property
    def address(self):
        """The form Atrium's [delivery] dns_servers takes: "127.0.0.1@PORT"."""
        return f"{self.host}@{self.port}"

    def _zone_file(self, zone):
        return self.dir / f"{zone}.zone"

    def _zone_text(self, zone, records):
        origin = zone + "."

        def owner(n):
            n = str(n)
            if n == "@" or n.endswith("."):
                return n
            low = n.lower()
            if low == zone or low.endswith("." + zone):
                return n + "."
            return n

        def absolute(n):
            o = owner(n)
            if o == "@":
                return origin
            return o.lower() if o.endswith(".") else f"{o}.{origin}".lower()

        owners = {absolute(r[0]) for r in records}
        ns = "ns." + origin
        lines = [f"$ORIGIN {origin}", "$TTL 300",
                 f"@ 300 IN SOA {ns} hostmaster.{origin} {self._serial} 3600 600 86400 300",
                 f"@ 300 IN NS {ns}"]
        if ns not in owners:
            lines.append(f"{ns} 300 IN A 127.0.0.1")
        for rec in records:
            if len(rec) not in (3, 4):
                raise ValueError(f"zone {zone}: a record is (name, type, value[, ttl]), got {rec!r}")
            n, rtype, value = rec[0], str(rec[1]).upper(), rec[2]
            ttl = rec[3] if len(rec) == 4 else 300
            if rtype == "TXT" or rtype == "SPF":
                value = txt_value(value)
            lines.append(f"{owner(n)} {ttl} IN {rtype} {value}")
        return "\n".join(lines) + "\n"

    def _write_files(self):
        if not self.zones:
            raise ValueError("DnsServer: no zones defined (call zone() before start())")
        self._serial += 1
        (self.dir / "xfr").mkdir(exist_ok=True)
        for zone, records in self.zones.items():
            path = self._zone_file(zone)
            path.write_text(self._zone_text(zone, records))
            if os.path.exists(NSD_CHECKZONE):
                r = subprocess.run([NSD_CHECKZONE, zone, str(path)], capture_output=True, text=True, timeout=30)
                if r.returncode != 0:
                    numbered = "\n".join(f"{i + 1:4}: {l}" for i, l in enumerate(path.read_text().splitlines()))
                    raise ValueError(f"zone {zone} rejected by nsd-checkzone:\n{r.stdout}{r.stderr}\n{numbered}")
        d = self.dir
        zones = "".join(f'\nzone:\n    name: "{z}"\n    zonefile: "{self._zone_file(z)}"\n' for z in self.zones)
        self.conf_path.write_text(f"""server:
    ip-address: {self.host}@{self.port}
    port: {self.port}
    do-ip4: yes
    do-ip6: no
    server-count: 1
    username: ""
    chroot: ""
    database: ""
    zonesdir: "{d}"
    zonelistfile: "{d}/zone.list"
    xfrdfile: "{d}/xfrd.state"
    xfrdir: "{d}/xfr"
    pidfile: "{d}/nsd.pid"
    logfile: "{self.log_path}"
    verbosity: 2
    hide-version: no
    reuseport: no
    refuse-any: no

remote-control:
    control-enable: no
{zones}""")

    # -- process -------------------------------------------------------------------------------

    def log_text(self):
        parts = []
        for p in (self.out_path, self.log_path):
            if p.exists():
                parts.append(f"--- {p.name} ---\n" + p.read_text(errors="replace"))
        return "\n".join(parts)

    def start(self, timeout=15, attempts=3):
        """Writes the zone files and config, starts NSD and waits until it answers SOA for
        every zone. Raises RuntimeError with NSD's log when it does not come up."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("DnsServer already running")
        self._write_files()
        # A stale zone.list from an earlier run would bring back zones that were removed.
        for stale in ("zone.list", "xfrd.state", "nsd.pid"):
            try:
                (self.dir / stale).unlink()
            except FileNotFoundError:
                pass
        self._out = open(self.out_path, "ab")
        self.proc = subprocess.Popen([NSD, "-d", "-c", str(self.conf_path)], stdout=self._out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + timeout
        pending = list(self.zones)
        while pending and time.time() < deadline:
            if self.proc.poll() is not None:
                log = self.log_text()
                self._reap()
                if attempts > 1 and not self._fixed_port and ("already in use" in log or "can't bind" in log):
                    self.port = free_udp_tcp_port(self.host)
                    return self.start(timeout, attempts - 1)
                raise RuntimeError(f"nsd exited early ({self.proc.returncode}):\n{log}")
            if self._answers_soa(pending[0]):
                pending.pop(0)
            else:
                time.sleep(0.05)
        if pending:
            log = self.log_text()
            self.stop()
            raise RuntimeError(f"nsd did not answer SOA for {pending} on {self.address}:\n{log}")
        return self

    def _answers_soa(self, zone):
        q = dns.message.make_query(zone + ".", dns.rdatatype.SOA)
        try:
            r = dns.query.udp(q, self.host, port=self.port, timeout=0.5)
        except (dns.exception.Timeout, OSError):
            return False
        return (r.rcode() == dns.rcode.NOERROR and bool(r.flags & dns.flags.AA)
                and any(rr.rdtype == dns.rdatatype.SOA for rr in r.answer))

    def reload(self):
        """Applies changed zones: rewrites the files and restarts NSD on the same port."""
        self.stop()
        return self.start(attempts=1)

    def stop(self, timeout=5):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)  # NSD's own children (xfrd, server)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        self._reap()
        return self.proc.returncode if self.proc else None

    def _reap(self):
        # Children NSD forked must not outlive it (they would keep the port).
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self._out is not None:
            self._out.close()
            self._out = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- clients -------------------------------------------------------------------------------

    def resolver(self, timeout=2.0):
        """A dnspython stub resolver that asks only this server."""
        r = dns.resolver.Resolver(configure=False)
        r.nameservers = [self.host]
        r.port = self.port
        r.timeout = timeout
        r.lifetime = timeout * 2
        r.cache = None
        return r

    def query(self, name, rdtype):
        """The answer's rdata as text, [] when there is none (NXDOMAIN or NODATA)."""
        try:
            return [rr.to_text() for rr in self.resolver().resolve(name, rdtype, raise_on_no_answer=False) or []]
        except dns.resolver.NXDOMAIN:
            return []


def dkim_dnsfunc(dns_server):
    """A `dnsfunc` for dkimpy (dkim.verify(msg, dnsfunc=...)): the TXT record at `name` (bytes or
    str) from `dns_server`, its character-strings joined, as bytes; None when there is none."""
    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode("utf-8")
        res = dns_server.resolver(timeout=timeout)
        try:
            answer = res.resolve(name, "TXT", raise_on_no_answer=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoNameservers):
            return None
        except dns.exception.Timeout as e:
            import dkim
            raise dkim.DnsTimeoutError(str(e))
        for rr in answer or []:
            return b"".join(rr.strings)
        return None
    return dnsfunc
