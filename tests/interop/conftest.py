"""Fixtures for interop tests: a real `atrium serve` on loopback with its own data and ports."""
import os
import pathlib
import signal
import socket
import ssl
import subprocess
import time
import urllib.request

import pytest

ATRIUM_BIN = os.environ.get("ATRIUM_BIN", str(pathlib.Path(__file__).resolve().parents[2] / "build/bin/atrium"))
PROTOCOLS = ["smtp", "submission", "submissions", "lmtp", "imap", "imaps", "pop3", "pop3s", "http", "https",
             "managesieve"]


_handed_out = set()


def free_port():
    """A loopback port nothing listens on now, never the same one twice in a test run: the
    kernel may give a port that was just closed out again, and a server given one port for two
    listeners refuses to start."""
    for _ in range(1000):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port
    raise RuntimeError("no unused loopback port")


class Server:
    """A running server: its ports, data dir, config file and log."""

    def __init__(self, tmp: pathlib.Path, protocols=("http", "https"), extra_config=""):
        """`extra_config`: TOML appended to the generated file (e.g. a [limits] table).
        Keep "http" in `protocols`: start() waits for /healthz on it."""
        self.dir = tmp
        self.data = tmp / "data"
        self.ports = {p: free_port() for p in protocols}
        self.config = tmp / "atrium.toml"
        listen = "\n".join(f'{p} = "127.0.0.1:{port}"' for p, port in self.ports.items())
        # DNS never leaves the machine: unless a test brings its own DNS server, lookups go to a
        # loopback port where nothing answers, and the delivery worker stays off.
        if "[delivery]" not in extra_config:
            extra_config += f'\n[delivery]\nenabled = false\ndns_servers = ["127.0.0.1@{free_port()}"]\n'
        # Stored messages stay byte for byte what the client sent (tests of mail authentication
        # turn the checks on).
        if "[mail_auth]" not in extra_config:
            extra_config += "\n[mail_auth]\nverify = false\n"
        self.config.write_text(f'[server]\nhostname = "mail.example.test"\ndata_dir = "{self.data}"\n\n[listen]\n{listen}\n'
                               + (f"\n{extra_config.strip()}\n" if extra_config.strip() else ""))
        self.log_path = tmp / "server.log"
        self.proc = None

    def cli(self, *args, input=None, check=True):
        r = subprocess.run([ATRIUM_BIN, "-c", str(self.config), *args], input=input, capture_output=True, text=True,
                           timeout=120)
        if check and r.returncode != 0:
            raise AssertionError(f"atrium {' '.join(args)} failed ({r.returncode}): {r.stderr}")
        return r

    def start(self, attempts=3):
        """Starts the server and waits for /healthz. A port chosen by free_port can be taken by
        another process (a test running in parallel) before the server binds it: then the
        server's ports are chosen again and it is started again, at most `attempts` times."""
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([ATRIUM_BIN, "-c", str(self.config), "serve"], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                if attempts > 1 and "Address already in use" in self.log_text():
                    self.log.close()
                    self._choose_ports_again()
                    return self.start(attempts - 1)
                raise AssertionError(f"server exited early ({self.proc.returncode}):\n{self.log_text()}")
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError("server did not come up:\n" + self.log_text())

    def _choose_ports_again(self):
        text = self.config.read_text()
        for proto, port in list(self.ports.items()):
            self.ports[proto] = free_port()
            text = text.replace(f'{proto} = "127.0.0.1:{port}"', f'{proto} = "127.0.0.1:{self.ports[proto]}"')
        self.config.write_text(text)

    def url(self, path, scheme="http"):
        return f"{scheme}://127.0.0.1:{self.ports[scheme]}{path}"

    def log_text(self):
        # A running server writes lines below warn within 10 ms (core/log/log.hpp); wait that out
        # many times over so the log holds everything logged before this call.
        if self.proc and self.proc.poll() is None:
            time.sleep(0.1)
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        return self.proc.returncode if self.proc else None


def tls_context(server):
    """Trusts exactly the server's generated certificate; the name is not checked (we dial 127.0.0.1)."""
    ctx = ssl.create_default_context(cafile=str(server.data / "tls" / "cert.pem"))
    ctx.check_hostname = False
    return ctx


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path).start()
    yield s
    s.stop()


@pytest.fixture
def server_all(tmp_path):
    """A server configured with every listener of the dev layout (on free ports)."""
    s = Server(tmp_path, PROTOCOLS).start()
    yield s
    s.stop()
