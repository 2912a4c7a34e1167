# Fixtures for black-box tests of the `atrium` binary: each test gets its own directory with a
# config file whose data_dir is inside it, and a helper that runs the binary there.
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def atrium_bin():
    path = pathlib.Path(os.environ.get("ATRIUM_BIN", "build/bin/atrium"))
    return path if path.is_absolute() else REPO / path


class Atrium:
    """Runs the binary in `home` with `home/atrium.toml` (data_dir = home/data) unless told otherwise."""

    def __init__(self, home):
        self.home = home
        self.config = home / "atrium.toml"
        self.config.write_text('[server]\nhostname = "mail.example.test"\ndata_dir = "data"\n')
        self.data_dir = home / "data"
        self.env = {k: v for k, v in os.environ.items() if k != "ATRIUM_CONFIG"}

    def run(self, *args, input=None, config=True, env=None, cwd=None, timeout=60):
        argv = [str(atrium_bin())]
        if config:
            argv += ["-c", str(self.config if config is True else config)]
        argv += [str(a) for a in args]
        return subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout,
                              cwd=cwd or self.home, env=env or self.env)

    def ok(self, *args, **kw):
        """Runs and asserts exit 0 with nothing on stderr; returns stdout."""
        r = self.run(*args, **kw)
        assert r.returncode == 0, f"{args}: exit {r.returncode}: {r.stderr}"
        assert r.stderr == "", r.stderr
        return r.stdout

    def fails(self, *args, code=1, **kw):
        """Runs and asserts exit `code` with exactly one line on stderr; returns that line."""
        r = self.run(*args, **kw)
        assert r.returncode == code, f"{args}: exit {r.returncode}, stdout {r.stdout!r}, stderr {r.stderr!r}"
        lines = r.stderr.splitlines()
        assert len(lines) == 1, r.stderr
        prefix = "atrium: error: " if code == 1 else "atrium: usage error: "
        assert lines[0].startswith(prefix), lines[0]
        assert r.stdout == ""
        return lines[0]

    def lines(self, *args):
        return self.ok(*args).splitlines()


@pytest.fixture
def atrium(tmp_path):
    assert atrium_bin().exists(), f"{atrium_bin()} not built (set ATRIUM_BIN)"
    return Atrium(tmp_path)


@pytest.fixture
def site(atrium):
    """A store with the domain example.test and the user demo@example.test."""
    atrium.ok("domain", "add", "example.test")
    atrium.ok("user", "add", "demo@example.test", "--password", "correct horse", "--name", "Demo User")
    return atrium


def stored_password_hash(data_dir, email):
    """The password hash the store holds for `email` (read directly, to check what was set)."""
    import sqlite3
    db = sqlite3.connect(f"file:{data_dir / 'atrium.db'}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT password_hash FROM principals WHERE email = ?", (email,)).fetchone()
    finally:
        db.close()
    return row[0] if row else None


def password_matches(phc, password):
    """Verifies an Argon2id PHC string with libsodium, independently of the binary under test."""
    import ctypes
    import ctypes.util
    name = ctypes.util.find_library("sodium")
    if not name:
        pytest.skip("libsodium not found")
    sodium = ctypes.CDLL(name)
    assert sodium.sodium_init() >= 0
    pw = password.encode()
    return sodium.crypto_pwhash_str_verify(phc.encode(), pw, ctypes.c_ulonglong(len(pw))) == 0
