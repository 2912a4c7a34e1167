"""Foundation, black-box: health and metrics over HTTP, TLS policy on HTTPS (checked with the
openssl command-line client), graceful shutdown, and admin commands while serving."""
import pathlib
import re
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request

from conftest import Server


def test_healthz_answers_200(server):
    with urllib.request.urlopen(server.url("/healthz"), timeout=5) as r:
        assert r.status == 200
        assert r.read() == b"ok\n"
    # curl, as an operator would
    out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", server.url("/healthz")],
                         capture_output=True, text=True, timeout=30)
    assert out.stdout == "200"


def test_unknown_path_is_404_and_metrics_are_prometheus_text(server):
    try:
        urllib.request.urlopen(server.url("/no-such-thing"), timeout=5)
        raise AssertionError("expected 404")
    except urllib.error.HTTPError as e:
        assert e.code == 404
    with urllib.request.urlopen(server.url("/metrics"), timeout=5) as r:
        assert r.headers["Content-Type"].startswith("text/plain")
        body = r.read().decode()
    assert re.search(r'^atrium_connections_total\{proto="http"\} [1-9]', body, re.M), body
    assert "# TYPE atrium_store_commit_batch_size histogram" in body
    assert "atrium_store_commits_total" in body


def openssl_connect(port, *args):
    return subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "mail.example.test",
                           *args], input="", capture_output=True, text=True, timeout=30)


def test_https_negotiates_tls13_and_refuses_tls10_and_tls11(server):
    port = server.ports["https"]
    ok = openssl_connect(port, "-tls1_3")
    assert ok.returncode == 0, ok.stderr
    assert "TLSv1.3" in ok.stdout
    # SECLEVEL=0 lets the client offer the old versions, so a refusal is the server's.
    for flag in ("-tls1", "-tls1_1"):
        old = openssl_connect(port, flag, "-cipher", "DEFAULT@SECLEVEL=0")
        assert old.returncode != 0, f"{flag} was accepted:\n{old.stdout}"
        assert "Cipher is (NONE)" in old.stdout or "alert" in old.stderr or "no protocols available" in old.stderr
    tls12 = openssl_connect(port, "-tls1_2")
    assert tls12.returncode == 0, tls12.stderr


def test_https_serves_healthz_with_the_generated_certificate(server):
    cert = server.data / "tls" / "cert.pem"
    assert cert.exists()
    fp = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-fingerprint", "-sha256"],
                        capture_output=True, text=True, check=True).stdout.strip().split("=", 1)[1]
    assert fp.lower() in server.log_text().lower(), "fingerprint not logged"
    ctx = ssl.create_default_context(cafile=str(cert))
    ctx.check_hostname = True
    req = urllib.request.Request(server.url("/healthz", "https").replace("127.0.0.1", "localhost"))
    with urllib.request.urlopen(req, context=ctx, timeout=5) as r:
        assert r.status == 200


def test_sigterm_shuts_down_gracefully_within_five_seconds(tmp_path):
    s = Server(tmp_path).start()
    started = time.time()
    code = s.stop(signal.SIGTERM, timeout=10)
    assert code == 0, s.log_text()
    assert time.time() - started < 5
    assert "serve.stopped" in s.log_text()


def test_admin_commands_work_while_serving_and_secrets_stay_out_of_logs(server):
    secret = "correct horse battery staple 42"
    server.cli("domain", "add", "example.test")
    server.cli("user", "add", "alice@example.test", "--password-stdin", input=secret + "\n")
    listed = server.cli("user", "list").stdout
    assert "alice@example.test" in listed
    app = server.cli("user", "app-password", "add", "alice@example.test", "--label", "phone").stdout.strip()
    assert re.fullmatch(r"[a-z0-9]{4}(-[a-z0-9]{4}){5}", app), app
    with urllib.request.urlopen(server.url("/healthz"), timeout=5) as r:
        assert r.status == 200
    assert secret not in server.log_text()
    assert app not in server.log_text()
    db = (server.data / "atrium.db").read_bytes()
    assert secret.encode() not in db and app.encode() not in db


def test_every_dev_listener_binds_or_is_reported(server_all):
    log = server_all.log_text()
    for proto in ("http", "https"):
        assert f"proto={proto}" in log
    # Protocols whose modules are not built yet must say so rather than silently accept.
    for proto in ("smtp", "imap", "pop3"):
        assert re.search(rf"proto={proto}\b", log), f"{proto} not mentioned in the log"


def test_started_as_root_with_server_user_it_drops_privileges_after_binding(tmp_path):
    import os
    import pwd
    import tempfile
    import urllib.request
    # A directory the unprivileged account can traverse (pytest's tmp_path is root-only).
    base = pathlib.Path(tempfile.mkdtemp(prefix="atrium-drop-", dir="/tmp"))
    os.chmod(base, 0o755)
    try:
        s = Server(base)
        s.config.write_text(s.config.read_text().replace('hostname = "mail.example.test"',
                                                        'hostname = "mail.example.test"\nuser = "nobody"'))
        s.start()
        status = pathlib.Path(f"/proc/{s.proc.pid}/status").read_text()
        uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody").pw_uid
            assert uids == [str(nobody)] * 4, status
            assert "event=serve.privileges user=nobody" in s.log_text()
            assert os.stat(s.data / "atrium.db").st_uid == nobody
            assert os.stat(s.data / "tls" / "key.pem").st_uid == nobody
        else:
            assert "[server] user ignored" in s.log_text()
        # The store still works after the switch: an admin command and a request.
        s.cli("domain", "add", "example.test")
        with urllib.request.urlopen(s.url("/healthz"), timeout=5) as r:
            assert r.status == 200
        assert s.stop() == 0, s.log_text()
    finally:
        import shutil
        shutil.rmtree(base, ignore_errors=True)
