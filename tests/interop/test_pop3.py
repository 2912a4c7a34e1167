"""POP3 and POP3S, black-box, with real clients: python's poplib (every RFC 1939 command, CAPA,
STLS, SASL PLAIN and LOGIN through AUTH), fetchmail (keep, flush and UIDL-based "only new") and
getmail6 into a Maildir. Mail is delivered over LMTP; what POP3 deletes is checked in the store
itself (SQLite opened read-only): the items are gone and the change log holds one item_deleted
tombstone per message, written in one transaction — what an IMAP session turns into EXPUNGEs."""
import base64
import hashlib
import os
import pathlib
import poplib
import pwd
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import Server, tls_context
from mailstore import MailStore

DOMAIN = "example.test"
ALICE, BOB = f"alice@{DOMAIN}", f"bob@{DOMAIN}"
PASSWORDS = {ALICE: "alice-Secret-4711", BOB: "bob-Secret-0815"}
CLIENT = "client.example"
ITEM_DELETED = 3  # storage::ChangeOp::item_deleted
POP3_PROTOCOLS = ("http", "pop3", "pop3s", "lmtp")


def start_pop_server(tmp_path, extra_config=""):
    """A server with POP3, POP3S and LMTP (to deliver with), one domain and two users."""
    s = Server(tmp_path, POP3_PROTOCOLS, extra_config=extra_config)
    s.cli("domain", "add", DOMAIN)
    for user, password in PASSWORDS.items():
        s.cli("user", "add", user, "--password-stdin", input=password + "\n")
    try:
        s.start()
    except BaseException:
        s.stop()
        raise
    s.store = MailStore(s.data)
    return s


@pytest.fixture
def pop(tmp_path):
    s = start_pop_server(tmp_path)
    yield s
    s.stop()


@pytest.fixture
def pop_tls_only(tmp_path):
    """auth.cleartext_login = never: passwords only after STLS or on pop3s, even from loopback."""
    s = start_pop_server(tmp_path, '[auth]\ncleartext_login = "never"')
    yield s
    s.stop()


def message(subject, body=None):
    """A CRLF message whose body has lines starting with dots, so dot-stuffing is exercised."""
    body = body if body is not None else b"Hello,\r\n.a line that starts with a dot\r\n..two dots\r\n.\r\nend\r\n"
    return (f"From: <sender@remote.test>\r\nTo: <{ALICE}>\r\nSubject: {subject}\r\n"
            f"Message-ID: <{hashlib.sha1(subject.encode()).hexdigest()}@{CLIENT}>\r\n\r\n").encode() + body


def deliver(server, messages, to=ALICE):
    """Delivers each message over LMTP; returns the stored raw bytes (with the trace fields the
    server prepends), in delivery order."""
    before = len(server.store.messages(to))
    with smtplib.LMTP("127.0.0.1", server.ports["lmtp"], local_hostname=CLIENT, timeout=30) as c:
        for m in messages:
            assert c.sendmail("sender@remote.test", [to], m) == {}
    stored = server.store.messages(to)
    assert len(stored) == before + len(messages)
    return [s.raw for s in stored[before:]]


def connect(server, user=ALICE):
    c = poplib.POP3("127.0.0.1", server.ports["pop3"], timeout=30)
    if user:
        c.user(user)
        c.pass_(PASSWORDS[user])
    return c


def lines_of(raw):
    """A stored message as poplib returns it: lines without CRLF."""
    assert raw.endswith(b"\r\n")
    return raw[:-2].split(b"\r\n")


def b64(text):
    return base64.b64encode(text.encode()).decode()


def error_of(call, *args):
    with pytest.raises(poplib.error_proto) as e:
        call(*args)
    return e.value.args[0]


def tombstones(server, user=ALICE):
    return server.store.changes(user, op=ITEM_DELETED)


# ---- python poplib: RFC 1939, RFC 2449 ----------------------------------------------------------

def test_every_command_with_poplib(pop):
    raws = deliver(pop, [message(f"message {i}") for i in range(3)])
    c = poplib.POP3("127.0.0.1", pop.ports["pop3"], timeout=30)
    assert c.getwelcome().startswith(b"+OK mail.example.test Atrium POP3 server ready")
    capa = c.capa()
    for cap in ("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "USER", "STLS"):
        assert cap in capa, capa
    assert capa["SASL"] == ["PLAIN", "LOGIN"]
    assert capa["EXPIRE"] == ["NEVER"]
    assert c.user(ALICE).startswith(b"+OK")
    assert c.pass_(PASSWORDS[ALICE]).startswith(b"+OK Maildrop has 3 messages")
    sizes = [len(r) for r in raws]
    assert c.stat() == (3, sum(sizes))
    resp, listing, _ = c.list()
    assert listing == [f"{i + 1} {n}".encode() for i, n in enumerate(sizes)]
    assert c.list(2) == f"+OK 2 {sizes[1]}".encode()
    uidvalidity = pop.store.uidvalidity(ALICE)
    uids = [m.uid for m in pop.store.messages(ALICE)]
    _, uidl, _ = c.uidl()
    assert uidl == [f"{i + 1} {uidvalidity}.{uid}".encode() for i, uid in enumerate(uids)]
    assert c.uidl(3) == f"+OK 3 {uidvalidity}.{uids[2]}".encode()
    resp, lines, octets = c.retr(1)
    assert resp == f"+OK {sizes[0]} octets".encode()
    assert lines == lines_of(raws[0])  # poplib undoes the dot-stuffing
    header, _, body = raws[1].partition(b"\r\n\r\n")
    _, top0, _ = c.top(2, 0)
    assert top0 == header.split(b"\r\n") + [b""]
    _, top2, _ = c.top(2, 2)
    assert top2 == header.split(b"\r\n") + [b""] + body.split(b"\r\n")[:2]
    assert c.noop() == b"+OK"
    assert c.dele(1) == b"+OK Message 1 deleted"
    assert c.stat() == (2, sizes[1] + sizes[2])
    assert b"already deleted" in error_of(c.retr, 1)
    assert c.rset().startswith(b"+OK Maildrop has 3 messages")
    c.dele(2)
    assert b"No such message" in error_of(c.retr, 4)
    assert b"No such message" in error_of(c.list, 99999999999999999999999)
    assert c.quit() == b"+OK mail.example.test Atrium POP3 server signing off (2 messages left)"
    left = pop.store.messages(ALICE)
    assert [m.uid for m in left] == [uids[0], uids[2]]
    assert [uid for _, uid, _ in tombstones(pop)] == [uids[1]]


def test_unknown_commands_wrong_state_and_bad_input(pop):
    deliver(pop, [message("x")])
    with socket.create_connection(("127.0.0.1", pop.ports["pop3"]), timeout=30) as s:
        f = s.makefile("rb")
        assert f.readline().startswith(b"+OK")

        def ask(line):
            s.sendall(line + b"\r\n")
            return f.readline()

        assert ask(b"STAT") == b"-ERR Not logged in\r\n"
        assert ask(b"FROB") == b"-ERR Unknown command\r\n"
        assert ask(b"APOP alice 0123456789abcdef0123456789abcdef") == b"-ERR Unknown command\r\n"
        assert ask(b"USER al\x00ice") == b"-ERR Invalid character in command\r\n"
        assert ask(b"CAPA " + b"x" * 300) == b"-ERR Line too long\r\n"
        assert ask(b"PASS nobody-asked") == b"-ERR USER first\r\n"
        assert ask(b"USER " + ALICE.encode()) == b"+OK Send your password\r\n"
        assert ask(b"PASS " + PASSWORDS[ALICE].encode()).startswith(b"+OK Maildrop has 1 messages")
        assert ask(b"USER " + ALICE.encode()) == b"-ERR Already logged in\r\n"
        assert ask(b"RETR 18446744073709551616") == b"-ERR No such message\r\n"
        assert ask(b"RETR x") == b"-ERR Invalid number\r\n"
        assert ask(b"TOP 1") == b"-ERR Missing argument\r\n"
        # The tenth protocol error ends the session.
        assert ask(b"FROB") == b"-ERR Unknown command\r\n"
        assert f.readline() == b"-ERR Too many errors, closing connection\r\n"
        assert f.readline() == b""


def test_an_endless_line_is_refused_once_and_the_session_goes_on(pop):
    with socket.create_connection(("127.0.0.1", pop.ports["pop3"]), timeout=30) as s:
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"x" * 100_000)
        s.sendall(b"\r\nCAPA\r\n")
        assert f.readline() == b"-ERR Line too long\r\n"
        assert f.readline() == b"+OK Capability list follows\r\n"


def test_pipelined_session(pop):
    raws = deliver(pop, [message("one"), message("two")])
    with socket.create_connection(("127.0.0.1", pop.ports["pop3"]), timeout=30) as s:
        f = s.makefile("rb")
        f.readline()
        s.sendall(f"USER {ALICE}\r\nPASS {PASSWORDS[ALICE]}\r\nSTAT\r\nRETR 1\r\nDELE 1\r\nDELE 2\r\nQUIT\r\n".encode())
        replies = []
        while line := f.readline():
            replies.append(line)
    assert replies[0] == b"+OK Send your password\r\n"
    assert replies[2] == f"+OK 2 {len(raws[0]) + len(raws[1])}\r\n".encode()
    assert replies[-1].endswith(b"signing off (0 messages left)\r\n")
    assert pop.store.messages(ALICE) == []


def test_large_message_streams_from_its_blob_file(pop):
    # Over the 256 KiB inline limit, so the blob is a file and RETR reads it in pieces.
    body = b"".join(b".%06d padding to make the line longer than the dot\r\n" % i for i in range(12_000))
    (raw,) = deliver(pop, [message("large", body)])
    assert len(raw) > 512 * 1024
    (stored,) = pop.store.messages(ALICE)
    assert not pop.store.blob_inline(stored.blob_hash)
    c = connect(pop)
    resp, lines, _ = c.retr(1)
    assert resp == f"+OK {len(raw)} octets".encode()
    assert lines == lines_of(raw)
    _, top, _ = c.top(1, 3)
    assert top[-3:] == body.split(b"\r\n")[:3]
    c.quit()


def test_top_on_a_message_without_body(pop):
    (raw,) = deliver(pop, [b"From: <a@remote.test>\r\nSubject: headers only\r\n"])
    c = connect(pop)
    _, top, _ = c.top(1, 0)
    assert top == lines_of(raw)
    _, top, _ = c.top(1, 10)
    assert top == lines_of(raw)
    c.quit()


# ---- STLS, SASL, pop3s, auth.cleartext_login --------------------------------------------------

def test_passwords_refused_before_stls_when_cleartext_is_never(pop_tls_only):
    c = poplib.POP3("127.0.0.1", pop_tls_only.ports["pop3"], timeout=30)
    capa = c.capa()
    assert "STLS" in capa and "USER" not in capa and "SASL" not in capa, capa
    assert error_of(c.user, ALICE).startswith(b"-ERR [AUTH] Plaintext authentication disallowed")
    plain = b64(f"\0{ALICE}\0{PASSWORDS[ALICE]}")
    assert error_of(c._shortcmd, f"AUTH PLAIN {plain}").startswith(b"-ERR [AUTH]")
    assert c.stls(context=tls_context(pop_tls_only)).startswith(b"+OK")
    capa = c.capa()
    assert "STLS" not in capa and "USER" in capa and capa["SASL"] == ["PLAIN", "LOGIN"], capa
    assert b"TLS already active" in error_of(c._shortcmd, "STLS")
    c.user(ALICE)
    assert c.pass_(PASSWORDS[ALICE]).startswith(b"+OK")
    c.quit()


def test_sasl_plain_and_login_after_stls(pop_tls_only):
    deliver(pop_tls_only, [message("sasl")])
    c = poplib.POP3("127.0.0.1", pop_tls_only.ports["pop3"], timeout=30)
    c.stls(context=tls_context(pop_tls_only))
    resp, mechanisms, _ = c._longcmd("AUTH")
    assert resp.startswith(b"+OK") and mechanisms == [b"PLAIN", b"LOGIN"]
    c.quit()

    # PLAIN with an initial response (RFC 5034 section 4).
    c = poplib.POP3("127.0.0.1", pop_tls_only.ports["pop3"], timeout=30)
    c.stls(context=tls_context(pop_tls_only))
    plain = b64(f"\0{ALICE}\0{PASSWORDS[ALICE]}")
    assert c._shortcmd(f"AUTH PLAIN {plain}").startswith(b"+OK Maildrop has 1 messages")
    assert c.stat()[0] == 1
    c.quit()

    # PLAIN without one: an empty "+ " continuation first.
    c = poplib.POP3("127.0.0.1", pop_tls_only.ports["pop3"], timeout=30)
    c.stls(context=tls_context(pop_tls_only))
    assert c._shortcmd("AUTH PLAIN") == b"+ "
    assert c._shortcmd(plain).startswith(b"+OK")
    c.quit()

    # LOGIN: username, then password; a wrong password is -ERR [AUTH].
    c = poplib.POP3("127.0.0.1", pop_tls_only.ports["pop3"], timeout=30)
    c.stls(context=tls_context(pop_tls_only))
    assert c._shortcmd("AUTH LOGIN") == b"+ " + b64("Username:").encode()
    assert c._shortcmd(b64(ALICE)) == b"+ " + b64("Password:").encode()
    assert error_of(c._shortcmd, b64("wrong password")).startswith(b"-ERR [AUTH] Authentication failed")
    assert c._shortcmd("AUTH LOGIN").startswith(b"+ ")
    c._shortcmd(b64(ALICE))
    assert c._shortcmd(b64(PASSWORDS[ALICE])).startswith(b"+OK")
    c.quit()


def test_auth_without_mechanism_lists_them(pop):
    with socket.create_connection(("127.0.0.1", pop.ports["pop3"]), timeout=30) as s:
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"AUTH\r\n")
        assert [f.readline() for _ in range(4)] == [b"+OK SASL mechanisms follow\r\n", b"PLAIN\r\n", b"LOGIN\r\n",
                                                    b".\r\n"]


def test_pop3s_takes_passwords_even_when_cleartext_is_never(pop_tls_only):
    deliver(pop_tls_only, [message("over TLS")])
    c = poplib.POP3_SSL("127.0.0.1", pop_tls_only.ports["pop3s"], timeout=30, context=tls_context(pop_tls_only))
    capa = c.capa()
    assert "STLS" not in capa and "USER" in capa
    c.user(ALICE)
    c.pass_(PASSWORDS[ALICE])
    _, lines, _ = c.retr(1)
    assert lines == lines_of(pop_tls_only.store.messages(ALICE)[0].raw)
    c.quit()


def test_bad_password_is_auth_error_and_not_logged(pop):
    c = poplib.POP3("127.0.0.1", pop.ports["pop3"], timeout=30)
    c.user(ALICE)
    assert error_of(c.pass_, "not-the-password-9Q") == b"-ERR [AUTH] Authentication failed"
    c.quit()
    pop.stop()
    log = pop.log_text()
    assert "auth.fail" in log
    assert "not-the-password-9Q" not in log and PASSWORDS[ALICE] not in log


# ---- the maildrop: lock, UIDL, DELE at QUIT, broken connections ---------------------------------

def test_second_session_gets_in_use_until_the_first_quits(pop):
    deliver(pop, [message("locked")])
    first = connect(pop)
    second = poplib.POP3("127.0.0.1", pop.ports["pop3"], timeout=30)
    second.user(ALICE)
    assert error_of(second.pass_, PASSWORDS[ALICE]).startswith(b"-ERR [IN-USE]")
    # pop3s shares the lock.
    third = poplib.POP3_SSL("127.0.0.1", pop.ports["pop3s"], timeout=30, context=tls_context(pop))
    third.user(ALICE)
    assert error_of(third.pass_, PASSWORDS[ALICE]).startswith(b"-ERR [IN-USE]")
    # Another account is not affected.
    other = connect(pop, BOB)
    assert other.stat() == (0, 0)
    other.quit()
    # The refused session may try again (RFC 1939 section 4) once the first has quit.
    first.quit()
    second.user(ALICE)
    assert second.pass_(PASSWORDS[ALICE]).startswith(b"+OK")
    second.quit()
    third.close()


def test_uidl_is_stable_across_sessions_and_restarts_and_matches_imap_uids(tmp_path):
    s = start_pop_server(tmp_path)
    try:
        deliver(s, [message(f"m{i}") for i in range(4)])
        c = connect(s)
        before = c.uidl()[1]
        c.dele(2)
        c.quit()
        s.stop()
        s.start()
        c = connect(s)
        after = c.uidl()[1]
        c.quit()
        uidvalidity = s.store.uidvalidity(ALICE)
        expected = {f"{uidvalidity}.{m.uid}".encode() for m in s.store.messages(ALICE)}
        ids_before = [line.split()[1] for line in before]
        ids_after = [line.split()[1] for line in after]
        assert ids_after == [ids_before[0]] + ids_before[2:]
        assert set(ids_after) == expected
        for uid in ids_after:  # RFC 1939: 1-70 characters in 0x21-0x7E
            assert 1 <= len(uid) <= 70 and all(0x21 <= b <= 0x7E for b in uid)
    finally:
        s.stop()


def test_dele_at_quit_is_one_transaction_of_tombstones(pop):
    deliver(pop, [message(f"d{i}") for i in range(5)])
    uids = [m.uid for m in pop.store.messages(ALICE)]
    c = connect(pop)
    for n in (1, 3, 5):
        c.dele(n)
    # Nothing is removed before QUIT: another view of the store still sees all five.
    assert len(pop.store.messages(ALICE)) == 5
    assert tombstones(pop) == []
    c.quit()
    assert [m.uid for m in pop.store.messages(ALICE)] == [uids[1], uids[3]]
    stones = tombstones(pop)
    assert sorted(uid for _, uid, _ in stones) == [uids[0], uids[2], uids[4]]
    assert len({modseq for modseq, _, _ in stones}) == 1, "one job, one modseq: one transaction"
    # A new session sees the rest, renumbered from 1 (RFC 1939: the maildrop as at login).
    c = connect(pop)
    assert c.stat()[0] == 2
    c.quit()


def test_rset_undoes_deletions(pop):
    deliver(pop, [message("keep me"), message("and me")])
    c = connect(pop)
    c.dele(1)
    c.dele(2)
    c.rset()
    c.quit()
    assert len(pop.store.messages(ALICE)) == 2
    assert tombstones(pop) == []


def test_a_connection_cut_mid_transaction_deletes_nothing(pop):
    deliver(pop, [message(f"c{i}") for i in range(3)])
    c = connect(pop)
    for n in (1, 2, 3):
        c.dele(n)
    c.sock.close()  # no QUIT
    c.file.close()
    # The server notices the end of stream, releases the lock and removes nothing.
    deadline = time.time() + 10
    while True:
        again = poplib.POP3("127.0.0.1", pop.ports["pop3"], timeout=30)
        again.user(ALICE)
        try:
            again.pass_(PASSWORDS[ALICE])
            break
        except poplib.error_proto as e:
            assert e.args[0].startswith(b"-ERR [IN-USE]")
            again.close()
            assert time.time() < deadline, "the lock of the cut session was never released"
            time.sleep(0.05)
    assert again.stat()[0] == 3
    again.quit()
    assert len(pop.store.messages(ALICE)) == 3
    assert tombstones(pop) == []


def test_idle_timeout_closes_silently_and_deletes_nothing(tmp_path):
    # RFC 1939 section 3: the autologout timer closes the connection without a reply and
    # without entering the UPDATE state.
    s = start_pop_server(tmp_path, "[limits]\npop3_idle_timeout_seconds = 1")
    try:
        deliver(s, [message("idle")])
        c = connect(s)
        c.dele(1)
        c.sock.settimeout(10)
        started = time.time()
        assert c.sock.recv(100) == b"", "the server must close without a reply"
        assert time.time() - started < 8
        c.close()
        assert len(s.store.messages(ALICE)) == 1
        assert tombstones(s) == []
        again = connect(s)  # and the lock is gone
        assert again.stat()[0] == 1
        again.quit()
    finally:
        s.stop()


def test_shutdown_says_goodbye_and_deletes_nothing(pop):
    deliver(pop, [message("shutdown")])
    c = connect(pop)
    c.dele(1)
    pop.stop()
    c.sock.settimeout(10)
    assert c.file.readline() == b"-ERR [SYS/TEMP] Server shutting down\r\n"
    c.close()
    assert len(pop.store.messages(ALICE)) == 1
    assert tombstones(pop) == []


# ---- fetchmail ----------------------------------------------------------------------------------

FETCHMAIL = shutil.which("fetchmail")


def run_fetchmail(server, work, *flags, proto="pop3"):
    """One fetchmail poll of alice's maildrop over STLS (or pop3s), each message piped to an MDA
    that writes one file into work/out. Returns the files written, sorted."""
    out = work / "out"
    out.mkdir(exist_ok=True)
    mda = work / "mda.sh"
    mda.write_text(f'#!/bin/sh\nexec cat > "{out}/$(date +%s%N)-$$.eml"\n')
    mda.chmod(0o755)
    rc = work / "fetchmailrc"
    ssl_opts = "sslproto tls1.2+" if proto == "pop3" else "ssl"
    rc.write_text(
        f'poll 127.0.0.1 service {server.ports[proto]} protocol pop3 uidl\n'
        f'  user "{ALICE}" password "{PASSWORDS[ALICE]}" is "local" here\n'
        f'  {ssl_opts} sslcertck sslcertfile "{server.data / "tls" / "cert.pem"}" sslcertpath "{work}"\n'
        # The certificate names the server's hostname (and localhost), not the address we dial.
        f'  sslcommonname "mail.example.test"\n'
        f'  mda "{mda}"\n')
    rc.chmod(0o600)
    env = dict(os.environ, HOME=str(work), FETCHMAILHOME=str(work))
    r = subprocess.run([FETCHMAIL, "-f", str(rc), "--idfile", str(work / "uidl"), "--nosyslog", "-N", "-v",
                        "--pidfile", str(work / "fetchmail.pid"), *flags],
                       capture_output=True, text=True, timeout=120, env=env)
    # 0: mail retrieved; 1: no new mail.
    assert r.returncode in (0, 1), f"fetchmail failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r, sorted(out.iterdir())


def lf(msg):
    """A message as fetchmail and getmail write it: LF line endings. Both add header fields
    of their own at the top, so a delivered file ends with what the client sent over SMTP."""
    return msg.replace(b"\r\n", b"\n")


def holds(files, msg):
    return any(f.read_bytes().replace(b"\r\n", b"\n").endswith(lf(msg)) for f in files)


@pytest.mark.skipif(FETCHMAIL is None, reason="fetchmail is not installed (scripts/lib.sh installs it)")
def test_fetchmail_keep_then_only_new_by_uidl_then_flush(pop, tmp_path):
    work = tmp_path / "fetchmail"
    work.mkdir()
    sent = [message("fm one"), message("fm two")]
    deliver(pop, sent)
    r, files = run_fetchmail(pop, work, "--keep")
    assert len(files) == 2, r.stdout + r.stderr
    for msg in sent:
        assert holds(files, msg), "content changed on the way"
    assert len(pop.store.messages(ALICE)) == 2, "keep mode must not delete"
    assert (work / "uidl").exists()

    # Only new: the UIDL file remembers what was fetched.
    r, files = run_fetchmail(pop, work, "--keep")
    assert len(files) == 2, r.stdout + r.stderr
    third = message("fm three")
    deliver(pop, [third])
    r, files = run_fetchmail(pop, work, "--keep")
    assert len(files) == 3, r.stdout + r.stderr
    assert holds(files, third)
    assert len(pop.store.messages(ALICE)) == 3

    # Flush: fetchmail deletes the messages it had seen before; with --nokeep the new one too.
    deliver(pop, [message("fm four")])
    r, files = run_fetchmail(pop, work, "--flush", "--nokeep")
    assert len(files) == 4, r.stdout + r.stderr
    assert pop.store.messages(ALICE) == []
    assert len(tombstones(pop)) == 4


@pytest.mark.skipif(FETCHMAIL is None, reason="fetchmail is not installed (scripts/lib.sh installs it)")
def test_fetchmail_over_pop3s_deletes_by_default(pop, tmp_path):
    work = tmp_path / "fetchmail"
    work.mkdir()
    deliver(pop, [message("s1"), message("s2"), message("s3")])
    r, files = run_fetchmail(pop, work, proto="pop3s")
    assert len(files) == 3, r.stdout + r.stderr
    assert pop.store.messages(ALICE) == []
    assert len(tombstones(pop)) == 3


# ---- getmail6 -----------------------------------------------------------------------------------

GETMAIL = shutil.which("getmail")


@pytest.fixture
def getmail_dir(tmp_path):
    """getmail refuses to deliver as root: then it runs as `nobody`, in a directory of its own
    outside pytest's private tmp (which nobody else may enter)."""
    if os.geteuid() != 0:
        yield tmp_path / "getmail", None
        return
    work = pathlib.Path(tempfile.mkdtemp(prefix="atrium-getmail-"))
    pw = pwd.getpwnam("nobody")
    os.chown(work, pw.pw_uid, pw.pw_gid)
    try:
        yield work, pw
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_getmail(server, getmail_dir, delete):
    work, run_as = getmail_dir
    work.mkdir(exist_ok=True)
    maildir = work / "Maildir"
    for d in ("cur", "new", "tmp"):
        (maildir / d).mkdir(parents=True, exist_ok=True)
    ca = work / "ca.pem"
    shutil.copyfile(server.data / "tls" / "cert.pem", ca)
    rc = work / "getmailrc"
    rc.write_text(
        "[retriever]\n"
        "type = SimplePOP3SSLRetriever\n"
        "server = 127.0.0.1\n"
        f"port = {server.ports['pop3s']}\n"
        f"username = {ALICE}\n"
        f"password = {PASSWORDS[ALICE]}\n"
        f"ca_certs = {ca}\n"
        "ssl_cert_hostname = localhost\n"
        "[destination]\n"
        "type = Maildir\n"
        f"path = {maildir}/\n"
        "[options]\n"
        "verbose = 1\n"
        "read_all = false\n"
        f"delete = {'true' if delete else 'false'}\n")
    command = [GETMAIL, "--getmaildir", str(work), "--rcfile", str(rc)]
    if run_as is not None:
        for p in [work, *work.rglob("*")]:
            os.chown(p, run_as.pw_uid, run_as.pw_gid)
        command = ["setpriv", f"--reuid={run_as.pw_uid}", f"--regid={run_as.pw_gid}", "--clear-groups", *command]
    r = subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                       env=dict(os.environ, HOME=str(work)))
    assert r.returncode == 0, f"getmail failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r, sorted((maildir / "new").iterdir())


@pytest.mark.skipif(GETMAIL is None, reason="getmail6 is not installed (scripts/lib.sh installs it)")
def test_getmail_into_a_maildir(pop, getmail_dir):
    sent = [message("gm one"), message("gm two")]
    deliver(pop, sent)
    r, files = run_getmail(pop, getmail_dir, delete=False)
    assert len(files) == 2, r.stdout + r.stderr
    for msg in sent:
        assert holds(files, msg), "content changed on the way"
    # read_all = false: its oldmail file (by UIDL) makes the second run fetch nothing new.
    r, files = run_getmail(pop, getmail_dir, delete=False)
    assert len(files) == 2, r.stdout + r.stderr
    assert len(pop.store.messages(ALICE)) == 2
    third = message("gm three")
    deliver(pop, [third])
    r, files = run_getmail(pop, getmail_dir, delete=True)
    assert len(files) == 3, r.stdout + r.stderr
    assert holds(files, third)
    # delete = true: getmail removes what it retrieved now and what it had seen before.
    assert pop.store.messages(ALICE) == []
    assert len(tombstones(pop)) == 3


def test_a_pop3_delete_is_an_expunge_in_a_concurrent_imap_session(tmp_path):
    import imaplib
    s = Server(tmp_path, POP3_PROTOCOLS + ("imap",))
    s.cli("domain", "add", DOMAIN)
    s.cli("user", "add", ALICE, "--password-stdin", input=PASSWORDS[ALICE] + "\n")
    s.start()
    s.store = MailStore(s.data)
    try:
        deliver(s, [message(f"both {i}") for i in range(3)])
        imap = imaplib.IMAP4("127.0.0.1", s.ports["imap"], timeout=30)
        imap.login(ALICE, PASSWORDS[ALICE])
        assert imap.select("INBOX") == ("OK", [b"3"])
        p = connect(s)
        p.dele(2)
        p.quit()  # the deletion is durable when QUIT is answered
        typ, _ = imap.noop()
        assert typ == "OK"
        assert imap.untagged_responses.pop("EXPUNGE", []) == [b"2"]
        typ, data = imap.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        subjects = [part[1].strip() for part in data if isinstance(part, tuple)]
        assert subjects == [b"Subject: both 0", b"Subject: both 2"]
        imap.logout()
    finally:
        s.stop()
