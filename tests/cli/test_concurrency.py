# Admin commands on a store another process is writing to: they wait for the lock and succeed
# instead of failing with "database is locked".
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import atrium_bin

HOLD_SECONDS = 2.0


@pytest.mark.parametrize("command, expect, waits", [
    (["domain", "add", "second.test"], "", True),         # a write queues behind the other writer
    (["domain", "list"], "example.test\n", False),        # a read runs beside it (WAL)
])
def test_commands_beside_a_write_transaction_held_elsewhere(site, command, expect, waits):
    # Another process takes the database's write lock and keeps it for a while, as a busy server
    # in the middle of a commit would (only much longer).
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sqlite3, time
        db = sqlite3.connect({str(site.data_dir / 'atrium.db')!r}, isolation_level=None, timeout=30)
        db.execute("BEGIN IMMEDIATE")
        print("locked", flush=True)
        time.sleep({HOLD_SECONDS})
        db.execute("COMMIT")
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        start = time.monotonic()
        out = site.ok(*command)
        waited = time.monotonic() - start
    finally:
        holder.wait(timeout=30)
    assert holder.returncode == 0
    assert out == expect
    if waits:
        assert waited >= HOLD_SECONDS * 0.5, f"the command did not wait for the lock ({waited:.2f}s)"
    else:
        assert waited < HOLD_SECONDS * 0.5, f"a read waited for the writer ({waited:.2f}s)"


def test_many_commands_at_once(site):
    procs = [subprocess.Popen([str(atrium_bin()), "-c", str(site.config), "domain", "add", f"d{i}.test"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(8)]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    assert len(site.lines("domain", "list")) == 9


def test_commands_while_the_server_runs(site):
    import socket
    import urllib.request
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    site.config.write_text(site.config.read_text() + f'\n[listen]\nhttp = "127.0.0.1:{port}"\n')
    log = site.home / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([str(atrium_bin()), "-c", str(site.config), "serve"], stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                text = log.read_text(errors="replace")
                if "serve.unavailable" in text:
                    pytest.skip("serve is not built yet")
                raise AssertionError(f"server exited ({server.returncode}):\n{text}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("server did not come up:\n" + log.read_text(errors="replace"))
                time.sleep(0.1)
        site.ok("domain", "add", "second.test")
        site.ok("user", "add", "bob@second.test", "--password", "pw")
        assert site.ok("user", "app-password", "add", "bob@second.test", "--label", "phone").strip()
        assert "bob@second.test" in site.ok("user", "list")
        assert server.poll() is None, "the server died while admin commands ran"
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=15)
