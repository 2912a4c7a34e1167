"""SMTP, submission, submissions and LMTP, black-box, with real clients: python's smtplib, swaks
and msmtp against `atrium serve`. Every delivery is checked in the store itself (SQLite opened
read-only, blob files): Return-Path and one Received prepended, the client's bytes otherwise
unchanged."""
import base64
import hashlib
import os
import re
import signal
import smtplib
import socket
import ssl
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import Server, tls_context
from mailstore import MailStore, split_trace

DOMAIN = "example.test"
ALICE, BOB, CAROL, DAVE = (f"{n}@{DOMAIN}" for n in ("alice", "bob", "carol", "dave"))
PASSWORDS = {ALICE: "alice-Secret-4711", BOB: "bob-Secret-0815", CAROL: "carol-Secret-2342", DAVE: "dave-Secret-1337"}
ALIAS = f"info@{DOMAIN}"  # -> bob
GROUP = f"team@{DOMAIN}"  # alice, bob, carol
HOSTNAME = "mail.example.test"
CLIENT = "client.example"
SMTP_PROTOCOLS = ("http", "smtp", "submission", "submissions", "lmtp")


def start_mail_server(tmp_path, extra_config=""):
    """A server with every SMTP listener, one local domain, four users, an alias and a group."""
    s = Server(tmp_path, SMTP_PROTOCOLS, extra_config=extra_config)
    s.cli("domain", "add", DOMAIN)
    for user, password in PASSWORDS.items():
        s.cli("user", "add", user, "--password-stdin", input=password + "\n")
    s.cli("alias", "add", ALIAS, BOB)
    s.cli("group", "add", GROUP, "--member", ALICE, "--member", BOB, "--member", CAROL)
    try:
        s.start()
    except BaseException:
        s.stop()
        raise
    s.store = MailStore(s.data)
    return s


@pytest.fixture
def mail(tmp_path):
    s = start_mail_server(tmp_path)
    yield s
    s.stop()


def smtp(server, proto="smtp"):
    return smtplib.SMTP("127.0.0.1", server.ports[proto], local_hostname=CLIENT, timeout=30)


def submission(server, user=ALICE, password=None):
    """Port 587 as a mail client uses it: EHLO, STARTTLS, EHLO, AUTH."""
    c = smtp(server, "submission")
    c.starttls(context=tls_context(server))
    c.login(user, password or PASSWORDS[user])
    return c


def submissions(server, user=ALICE, password=None):
    c = smtplib.SMTP_SSL("127.0.0.1", server.ports["submissions"], local_hostname=CLIENT, timeout=30,
                         context=tls_context(server))
    c.login(user, password or PASSWORDS[user])
    return c


def message(subject, sender="sender@remote.test", to=ALICE, body=None):
    """A CRLF message whose body has a line starting with a dot, so dot-stuffing is exercised."""
    body = body or (b"Hello,\r\n.a line that starts with a dot\r\n..two dots\r\n\r\ntrailing text\r\n")
    return (f"From: <{sender}>\r\nTo: <{to}>\r\nSubject: {subject}\r\n"
            f"Message-ID: <{hashlib.sha1(subject.encode()).hexdigest()}@{CLIENT}>\r\n\r\n").encode() + body


def assert_delivered(stored, original, return_path, with_=None, for_=None):
    """The blob is Return-Path + one Received + the original bytes, exactly."""
    rp, received, rest = split_trace(stored.raw)
    assert rp == b"Return-Path: <" + return_path.encode() + b">\r\n"
    assert rest == original
    text = received.decode()
    assert re.search(rf"^Received: from {re.escape(CLIENT)} \(\[127\.0\.0\.1\]\)\r\n", text), text
    assert f"by {HOSTNAME} (Atrium) with " in text
    if with_:
        assert re.search(rf" with {with_} id \w+", text), text
    if for_:
        assert f"for <{for_}>" in text, text
    assert re.search(r"; \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000\r\n$", text), text
    assert stored.size == len(stored.raw)
    assert stored.blob_hash == hashlib.sha256(stored.raw).hexdigest()
    return text


def read_reply(f):
    """One (possibly multi-line) SMTP reply from a socket file: (code, [lines])."""
    lines = []
    while True:
        line = f.readline()
        assert line, f"connection closed after {lines}"
        lines.append(line.decode().rstrip("\r\n"))
        if line[3:4] != b"-":
            return int(line[:3]), lines


# ---- python smtplib: MX -------------------------------------------------------------------------

def test_mx_delivery_to_user_stores_trace_fields_and_the_exact_bytes(mail):
    msg = message("plain MX delivery")
    with smtp(mail) as c:
        code, _ = c.ehlo()
        assert code == 250
        assert "auth" not in c.esmtp_features, "the MX must not offer AUTH"
        assert {"pipelining", "8bitmime", "smtputf8", "enhancedstatuscodes", "starttls"} <= set(c.esmtp_features)
        assert c.sendmail("sender@remote.test", [ALICE], msg) == {}
    [stored] = mail.store.messages(ALICE)
    assert stored.mailbox == "INBOX" and stored.uid == 1
    text = assert_delivered(stored, msg, "sender@remote.test", with_="ESMTP", for_=ALICE)
    assert "(using" not in text, "no TLS was used"
    assert stored.subject == "plain MX delivery"
    assert mail.store.blob_row(stored.blob_hash) == (len(stored.raw), 1)
    assert mail.store.blob_inline(stored.blob_hash), "a small message lives in its row"
    assert mail.store.blob_files() == []
    assert mail.store.messages(BOB) == []


def test_mx_null_sender_and_helo_give_empty_return_path_and_smtp_keyword(mail):
    msg = message("bounce", sender="MAILER-DAEMON@remote.test")
    with smtp(mail) as c:
        c.helo()
        assert c.sendmail("<>", [ALICE], msg) == {}
    [stored] = mail.store.messages(ALICE)
    assert_delivered(stored, msg, "", with_="SMTP", for_=ALICE)


def test_mx_to_alias_reaches_its_target(mail):
    msg = message("to the alias", to=ALIAS)
    with smtp(mail) as c:
        assert c.sendmail("sender@remote.test", [ALIAS], msg) == {}
    [stored] = mail.store.messages(BOB)
    assert stored.mailbox == "INBOX"
    assert_delivered(stored, msg, "sender@remote.test", with_="ESMTP", for_=ALIAS)
    assert mail.store.count() == 1


def test_mx_to_group_gives_each_member_one_copy_of_one_blob(mail):
    msg = message("to the team", to=GROUP)
    with smtp(mail) as c:
        # alice is a member and named on her own: she still gets one copy.
        assert c.sendmail("sender@remote.test", [GROUP, ALICE], msg) == {}
    copies = {u: mail.store.messages(u) for u in (ALICE, BOB, CAROL, DAVE)}
    assert [len(copies[u]) for u in (ALICE, BOB, CAROL, DAVE)] == [1, 1, 1, 0]
    hashes = {copies[u][0].blob_hash for u in (ALICE, BOB, CAROL)}
    assert len(hashes) == 1, "one blob for every member"
    [h] = hashes
    text = assert_delivered(copies[ALICE][0], msg, "sender@remote.test", with_="ESMTP")
    assert " for <" not in text, "two envelope recipients: no 'for' clause"
    assert mail.store.blob_rows() == [(h, len(copies[ALICE][0].raw), 3)]
    assert mail.store.blob_inline(h) and mail.store.blob_files() == []


def test_mx_plus_address_into_existing_folder_else_inbox(mail):
    with smtp(mail) as c:
        for tag in ("Archive", "archive", "no-such-folder"):
            assert c.sendmail("sender@remote.test", [f"alice+{tag}@{DOMAIN}"], message(f"plus {tag}")) == {}
    got = [(m.mailbox, m.subject) for m in mail.store.messages(ALICE)]
    assert got == [("Archive", "plus Archive"), ("Archive", "plus archive"), ("INBOX", "plus no-such-folder")]
    stored = mail.store.messages(ALICE, "Archive")[0]
    assert_delivered(stored, message("plus Archive"), "sender@remote.test", for_=f"alice+Archive@{DOMAIN}")


def test_mx_unknown_user_is_550_5_1_1_at_rcpt(mail):
    with smtp(mail) as c:
        c.ehlo()
        assert c.mail("sender@remote.test")[0] == 250
        code, text = c.rcpt(f"nobody@{DOMAIN}")
        assert (code, text[:5]) == (550, b"5.1.1")
        c.rset()
        # A mix: the good recipient gets it, the unknown one is reported as refused.
        refused = c.sendmail("sender@remote.test", [f"nobody@{DOMAIN}", BOB], message("mixed"))
        assert refused == {f"nobody@{DOMAIN}": (550, b"5.1.1 User unknown")}
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            c.sendmail("sender@remote.test", [f"ghost@{DOMAIN}"], message("nobody at all"))
    assert [m.subject for m in mail.store.messages(BOB)] == ["mixed"]
    assert mail.store.count() == 1


@pytest.mark.parametrize("rcpt", [
    "someone@elsewhere.test",
    f"user%elsewhere.test@{DOMAIN}",
    f"elsewhere.test!user@{DOMAIN}",
    f"@{DOMAIN}:x@elsewhere.test",
    f'"x@elsewhere.test"@{DOMAIN}',
    f'"alice@elsewhere.test"@{DOMAIN}',
])
def test_mx_refuses_relaying_and_routing_tricks_with_554_5_7_1(mail, rcpt):
    with smtp(mail) as c:
        c.ehlo()
        assert c.mail("sender@remote.test")[0] == 250
        code, text = c.docmd("RCPT", f"TO:<{rcpt}>")
        assert code == 554 and text.startswith(b"5.7.1"), (code, text)
        code, text = c.docmd("DATA")
        assert code == 554 and text.startswith(b"5.5.1"), "no recipient was accepted"
        assert c.noop()[0] == 250, "the session goes on"
    assert mail.store.count() == 0
    assert mail.store.queued() == 0


def test_mx_ignores_a_source_route_to_a_local_mailbox(mail):
    # RFC 5321 4.1.1.3: servers SHOULD ignore source routes; the mailbox is ours, so it is delivered.
    msg = message("source routed")
    with smtp(mail) as c:
        c.ehlo()
        assert c.mail("sender@remote.test")[0] == 250
        assert c.docmd("RCPT", f"TO:<@{HOSTNAME}:{ALICE}>")[0] == 250
        assert c.data(msg)[0] == 250
    [stored] = mail.store.messages(ALICE)
    assert split_trace(stored.raw)[2] == msg


def test_mx_accepts_postmaster_without_a_domain(mail):
    # RFC 5321 4.5.1: RCPT TO:<Postmaster> with no domain MUST be accepted. The operator has
    # pointed postmaster@ of the domain at alice; the server's hostname is in that domain.
    mail.cli("alias", "add", f"postmaster@{DOMAIN}", ALICE)
    with smtp(mail) as c:
        c.ehlo()
        assert c.mail("sender@remote.test")[0] == 250
        assert c.rcpt(f"postmaster@{DOMAIN}")[0] == 250
        c.rset()
        assert c.mail("sender@remote.test")[0] == 250
        code, text = c.docmd("RCPT", "TO:<Postmaster>")
        assert code == 250, (code, text)
        assert c.data(message("to the postmaster"))[0] == 250
    assert [m.subject for m in mail.store.messages(ALICE)] == ["to the postmaster"]


def test_mx_starttls_without_auth_is_esmtps(mail):
    msg = message("MX over STARTTLS")
    with smtp(mail) as c:
        c.starttls(context=tls_context(mail))
        c.ehlo()
        assert "starttls" not in c.esmtp_features and "auth" not in c.esmtp_features
        assert c.sendmail("sender@remote.test", [ALICE], msg) == {}
    [stored] = mail.store.messages(ALICE)
    text = assert_delivered(stored, msg, "sender@remote.test", with_="ESMTPS", for_=ALICE)
    assert re.search(r"\(using TLSv1\.[23] ", text), text


def test_starttls_discards_commands_sent_with_it(mail):
    # CVE-2011-0411: cleartext sent after STARTTLS must never run inside the TLS session.
    with socket.create_connection(("127.0.0.1", mail.ports["smtp"]), timeout=30) as raw:
        f = raw.makefile("rb")
        assert read_reply(f)[0] == 220
        raw.sendall(f"EHLO {CLIENT}\r\n".encode())
        assert read_reply(f)[0] == 250
        raw.sendall(f"STARTTLS\r\nMAIL FROM:<sender@remote.test>\r\nRCPT TO:<{ALICE}>\r\n".encode())
        assert read_reply(f)[0] == 220
        with tls_context(mail).wrap_socket(raw) as tls:
            tf = tls.makefile("rb")
            tls.sendall(b"RCPT TO:<" + BOB.encode() + b">\r\n")
            code, lines = read_reply(tf)
            assert (code, lines[0][:9]) == (503, "503 5.5.1"), f"the injected MAIL ran: {lines}"
            tls.sendall(b"QUIT\r\n")
            assert read_reply(tf)[0] == 221
    assert "smtp.starttls_discarded_input" in mail.log_text()


def test_parallel_clients_all_delivered_with_distinct_uids(mail):
    def send(i):
        with smtp(mail) as c:
            for j in range(5):
                assert c.sendmail("sender@remote.test", [BOB, GROUP], message(f"parallel {i}-{j}", to=BOB)) == {}
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(send, range(8)))
    for user in (ALICE, BOB, CAROL):
        got = mail.store.messages(user)
        assert sorted(m.uid for m in got) == list(range(1, 41)), user
        assert sorted(m.subject for m in got) == sorted(f"parallel {i}-{j}" for i in range(8) for j in range(5))
    assert all(refcount == 3 for _, _, refcount in mail.store.blob_rows())
    assert len(mail.store.blob_rows()) == 40
    assert all(mail.store.blob_inline(h) for h, _, _ in mail.store.blob_rows())


def test_too_many_errors_closes_with_421(mail):
    with smtp(mail) as c:
        c.ehlo()
        for _ in range(9):
            assert c.docmd("XYZZY")[0] == 500
        code, text = c.docmd("XYZZY")
        assert code == 500
        assert c.getreply() == (421, b"4.7.0 mail.example.test Too many errors, closing connection")
        with pytest.raises(smtplib.SMTPServerDisconnected):
            c.noop()


def test_shutdown_says_421_to_an_open_session(tmp_path):
    s = start_mail_server(tmp_path)
    try:
        c = smtp(s)
        c.ehlo()
        s.proc.send_signal(signal.SIGTERM)
        assert c.getreply() == (421, b"4.3.2 Service shutting down, closing transmission channel")
        c.close()
        assert s.proc.wait(timeout=10) == 0
    finally:
        s.stop()


def test_mx_smtputf8_sender_and_subject_to_a_local_user(mail):
    sender = "jörg.müller@remote.test"
    msg = ("From: Jörg Müller <jörg.müller@remote.test>\r\nTo: <alice@example.test>\r\n"
           "Subject: Grüße aus Köln ☕\r\nMessage-ID: <utf8-1@remote.test>\r\n\r\nHallo Alice, schöne Grüße!\r\n").encode()
    with smtp(mail) as c:
        c.ehlo()
        assert "smtputf8" in c.esmtp_features
        assert c.sendmail(sender, [ALICE], msg, mail_options=["SMTPUTF8", "BODY=8BITMIME"]) == {}
        # Without SMTPUTF8 a UTF-8 address is refused (RFC 6531 3.4).
        c.command_encoding = "utf-8"
        code, text = c.docmd("MAIL", f"FROM:<{sender}>")
        assert (code, text[:5]) == (553, b"5.6.7")
    [stored] = mail.store.messages(ALICE)
    assert_delivered(stored, msg, sender, with_="ESMTP", for_=ALICE)
    assert stored.subject == "Grüße aus Köln ☕"


def test_mx_large_message_is_a_blob_file_byte_for_byte(mail):
    # Above the inline limit (256 KiB) the body is its own file, fsync'd before the commit.
    body = b"".join(b"%06d " % i + b"y" * 72 + b"\r\n" for i in range(5000))
    msg = message("large", body=body)
    assert len(msg) > 256 * 1024
    with smtp(mail) as c:
        assert c.sendmail("sender@remote.test", [ALICE, BOB], msg) == {}
    [a], [b] = mail.store.messages(ALICE), mail.store.messages(BOB)
    assert a.blob_hash == b.blob_hash and not mail.store.blob_inline(a.blob_hash)
    assert mail.store.blob_files() == [mail.store.blob_path(a.blob_hash)]
    assert_delivered(a, msg, "sender@remote.test", with_="ESMTP")
    assert mail.store.blob_row(a.blob_hash) == (len(a.raw), 2)


# ---- limits -------------------------------------------------------------------------------------

def test_message_size_limit_refuses_at_mail_and_after_data(tmp_path):
    s = start_mail_server(tmp_path, '[limits]\nmax_message_size = "10K"')
    try:
        big = message("too big", body=b"".join(b"%05d " % i + b"x" * 70 + b"\r\n" for i in range(200)))
        small = message("fits")
        assert len(big) > 10240 > len(small)
        with smtp(s) as c:
            c.ehlo()
            assert c.esmtp_features["size"] == "10240"
            # Declared size over the limit: refused at MAIL (RFC 1870).
            code, text = c.docmd("MAIL", "FROM:<sender@remote.test> SIZE=10241")
            assert (code, text[:5]) == (552, b"5.3.4")
            with pytest.raises(smtplib.SMTPSenderRefused) as e:
                c.sendmail("sender@remote.test", [ALICE], big)  # smtplib declares SIZE itself
            assert e.value.smtp_code == 552
            # Undeclared: the whole message is read, then refused.
            c.rset()
            assert c.mail("sender@remote.test")[0] == 250
            assert c.rcpt(ALICE)[0] == 250
            code, text = c.data(big)
            assert (code, text[:5]) == (552, b"5.3.4")
            # The connection is still usable, and a message within the limit goes through.
            assert c.sendmail("sender@remote.test", [ALICE], small) == {}
        assert [m.subject for m in s.store.messages(ALICE)] == ["fits"]
        assert s.store.count() == 1
    finally:
        s.stop()


# ---- python smtplib: submission and submissions -------------------------------------------------

def test_submission_starttls_then_auth_delivers_with_esmtpsa(mail):
    msg = message("from alice via 587", sender=ALICE, to=BOB)
    with smtp(mail, "submission") as c:
        c.ehlo()
        assert "starttls" in c.esmtp_features
        assert "auth" not in c.esmtp_features, "AUTH must not be offered in cleartext"
        c.starttls(context=tls_context(mail))
        c.ehlo()
        assert "starttls" not in c.esmtp_features
        assert set(c.esmtp_features["auth"].split()) >= {"PLAIN", "LOGIN"}
        assert c.login(ALICE, PASSWORDS[ALICE])[0] == 235
        assert c.sendmail(ALICE, [BOB], msg) == {}
    [stored] = mail.store.messages(BOB)
    text = assert_delivered(stored, msg, ALICE, with_="ESMTPSA", for_=BOB)
    assert re.search(r"\(using TLSv1\.[23] ", text), text


def test_submission_queues_remote_recipients_with_their_dsn_parameters(mail):
    msg = message("to the world", sender=ALICE, to="friend@remote.test")
    with submission(mail) as c:
        refused = c.sendmail(ALICE, ["friend@remote.test", BOB], msg, mail_options=["RET=HDRS", "ENVID=env-42"],
                             rcpt_options=["NOTIFY=FAILURE,DELAY"])
        assert refused == {}
    [queued] = mail.store.outbound()
    assert queued["reverse_path"] == ALICE and queued["envid"] == "env-42" and queued["ret"] == "HDRS"
    assert queued["recipients"] == [("friend@remote.test", "FAILURE,DELAY", None, "pending")]
    [stored] = mail.store.messages(BOB)
    assert queued["blob_hash"] == stored.blob_hash, "one blob for the local copy and the queued one"
    assert mail.store.blob_row(stored.blob_hash)[1] == 2
    assert_delivered(stored, msg, ALICE, with_="ESMTPSA")


def test_auth_plain_with_initial_response_may_be_pipelined(mail):
    ir = base64.b64encode(f"\0{ALICE}\0{PASSWORDS[ALICE]}".encode())
    msg = message("pipelined AUTH", sender=ALICE, to=BOB)
    with socket.create_connection(("127.0.0.1", mail.ports["submissions"]), timeout=30) as raw:
        with tls_context(mail).wrap_socket(raw) as sock:
            f = sock.makefile("rb")
            assert read_reply(f)[0] == 220
            sock.sendall(f"EHLO {CLIENT}\r\n".encode())
            assert read_reply(f)[0] == 250
            sock.sendall(b"AUTH PLAIN " + ir + f"\r\nMAIL FROM:<{ALICE}>\r\nRCPT TO:<{BOB}>\r\nDATA\r\n".encode())
            assert [read_reply(f)[0] for _ in range(4)] == [235, 250, 250, 354]
            # Raw DATA: dot-stuff as a client must (RFC 5321 4.5.2).
            sock.sendall(msg.replace(b"\r\n.", b"\r\n..") + b".\r\n")
            assert read_reply(f)[0] == 250
    [stored] = mail.store.messages(BOB)
    assert_delivered(stored, msg, ALICE, with_="ESMTPSA", for_=BOB)


def test_submission_refuses_auth_and_mail_before_starttls(mail):
    plain = base64.b64encode(f"\0{ALICE}\0{PASSWORDS[ALICE]}".encode()).decode()
    with smtp(mail, "submission") as c:
        c.ehlo()
        code, text = c.docmd("AUTH", f"PLAIN {plain}")
        assert code == 530 and text.startswith(b"5.7.0"), (code, text)
        code, text = c.docmd("MAIL", f"FROM:<{ALICE}>")
        assert code == 530 and text.startswith(b"5.7.0"), (code, text)
    # After STARTTLS, MAIL still needs AUTH.
    with smtp(mail, "submission") as c:
        c.starttls(context=tls_context(mail))
        c.ehlo()
        code, text = c.docmd("MAIL", f"FROM:<{ALICE}>")
        assert code == 530 and text.startswith(b"5.7.0"), (code, text)
    assert mail.store.count() == 0
    assert PASSWORDS[ALICE] not in mail.log_text()


def test_submissions_implicit_tls_login_and_send(mail):
    msg = message("from alice via 465", sender=ALICE, to=CAROL)
    with submissions(mail) as c:
        assert isinstance(c.sock, ssl.SSLSocket)
        assert "starttls" not in c.esmtp_features
        assert c.sendmail(ALICE, [CAROL], msg) == {}
    [stored] = mail.store.messages(CAROL)
    text = assert_delivered(stored, msg, ALICE, with_="ESMTPSA", for_=CAROL)
    assert "(using TLSv1." in text


def test_authenticated_user_cannot_send_as_someone_else(mail):
    with submission(mail) as c:
        for forged in (BOB, ALIAS, f"bob+x@{DOMAIN}", "someone@remote.test"):
            code, text = c.mail(forged)
            assert (code, text[:5]) == (553, b"5.7.1"), (forged, code, text)
        with pytest.raises(smtplib.SMTPSenderRefused) as e:
            c.sendmail(BOB, [CAROL], message("forged", sender=BOB, to=CAROL))
        assert e.value.smtp_code == 553
        # Her own plus address is hers.
        msg = message("own plus address", sender=f"alice+lists@{DOMAIN}", to=CAROL)
        assert c.sendmail(f"alice+lists@{DOMAIN}", [CAROL], msg) == {}
    [stored] = mail.store.messages(CAROL)
    assert_delivered(stored, msg, f"alice+lists@{DOMAIN}", with_="ESMTPSA")
    assert mail.store.count() == 1


def test_wrong_password_is_535_and_nothing_is_stored(mail):
    wrong = "not-alices-password-93"
    with smtp(mail, "submission") as c:
        c.starttls(context=tls_context(mail))
        with pytest.raises(smtplib.SMTPAuthenticationError) as e:
            c.login(ALICE, wrong)
        assert e.value.smtp_code == 535 and e.value.smtp_error.startswith(b"5.7.8")
        code, _ = c.mail(ALICE)
        assert code == 530, "still unauthenticated"
        with pytest.raises(smtplib.SMTPSenderRefused):
            c.sendmail(ALICE, [BOB], message("should not arrive", sender=ALICE, to=BOB))
    assert mail.store.count() == 0
    assert wrong not in mail.log_text()


def test_app_password_works_for_auth(mail):
    app = mail.cli("user", "app-password", "add", ALICE, "--label", "phone").stdout.strip()
    msg = message("sent with an app password", sender=ALICE, to=BOB)
    with submissions(mail, password=app) as c:
        assert c.sendmail(ALICE, [BOB], msg) == {}
    with submission(mail, password=app) as c:
        assert c.sendmail(ALICE, [BOB], msg) == {}
    assert len(mail.store.messages(BOB)) == 2
    assert_delivered(mail.store.messages(BOB)[0], msg, ALICE, with_="ESMTPSA")
    assert app not in mail.log_text()


# ---- raw socket: SMTP smuggling -----------------------------------------------------------------

@pytest.mark.parametrize("fake_end", [b"\n.\n", b"\n.\r\n", b"\r\n.\n"], ids=["LF.LF", "LF.CRLF", "CRLF.LF"])
def test_bare_lf_end_of_data_cannot_smuggle_a_second_message(mail, fake_end):
    smuggled = (b"MAIL FROM:<ceo@" + DOMAIN.encode() + b">\r\nRCPT TO:<" + BOB.encode() + b">\r\nDATA\r\n"
                b"From: <ceo@example.test>\r\nSubject: smuggled\r\n\r\npay the invoice\r\n")
    with socket.create_connection(("127.0.0.1", mail.ports["smtp"]), timeout=30) as sock:
        f = sock.makefile("rb")
        assert read_reply(f)[0] == 220
        sock.sendall(f"EHLO {CLIENT}\r\n".encode())
        assert read_reply(f)[0] == 250
        sock.sendall(f"MAIL FROM:<sender@remote.test>\r\nRCPT TO:<{ALICE}>\r\n".encode())
        assert read_reply(f)[0] == 250
        assert read_reply(f)[0] == 250
        sock.sendall(b"DATA\r\n")
        assert read_reply(f)[0] == 354
        sock.sendall(b"From: <sender@remote.test>\r\nSubject: legit\r\n\r\nhello" + fake_end + smuggled + b".\r\n")
        code, lines = read_reply(f)
        assert code == 550 and lines[0].startswith("550 5.6.0"), lines
        sock.sendall(b"QUIT\r\n")
        code, lines = read_reply(f)
        assert code == 221, f"a smuggled command was answered: {lines}"
        assert f.read() == b"", "nothing after 221"
    assert mail.store.count() == 0
    for _, m in mail.store.all_messages():
        assert b"smuggled" not in m.raw


# ---- swaks --------------------------------------------------------------------------------------

def swaks(*args):
    r = subprocess.run(["swaks", "--helo", CLIENT, "--timeout", "30", *args], capture_output=True, text=True,
                       timeout=120)
    return r.returncode, r.stdout + r.stderr


@pytest.mark.parametrize("mech", ["PLAIN", "LOGIN"])
def test_swaks_auth_over_starttls_on_submission(mail, tmp_path, mech):
    # swaks sends the file with LF made CRLF, leading dots doubled, then "\r\n.\r\n".
    original = (f"From: Alice <{ALICE}>\nTo: Bob <{BOB}>\nSubject: swaks {mech}\nMessage-Id: <swaks-{mech}@client>\n\n"
                f"Sent by swaks with AUTH {mech}.\n.leading dot\nlast line").encode()
    data = tmp_path / "message.eml"
    data.write_bytes(original)
    rc, out = swaks("--server", f"127.0.0.1:{mail.ports['submission']}", "--tls", "--auth", mech,
                    "--auth-user", ALICE, "--auth-password", PASSWORDS[ALICE],
                    "--from", ALICE, "--to", BOB, "--data", f"@{data}")
    assert rc == 0, out
    assert "235 2.7.0" in out and f"AUTH {mech}" in out
    [stored] = mail.store.messages(BOB)
    assert_delivered(stored, original.replace(b"\n", b"\r\n") + b"\r\n", ALICE, with_="ESMTPSA", for_=BOB)


def test_swaks_pipelining_on_the_mx(mail):
    rc, out = swaks("--server", f"127.0.0.1:{mail.ports['smtp']}", "--pipeline", "--from", "sender@remote.test",
                    "--to", f"{ALICE},{CAROL}", "--header", "Subject: pipelined")
    assert rc == 0, out
    # swaks sent MAIL, both RCPTs and DATA in one go and got every reply, in order.
    assert re.search(r" -> MAIL FROM:<sender@remote\.test>\n -> RCPT TO:<alice@example\.test>\n"
                     r" -> RCPT TO:<carol@example\.test>\n -> DATA\n<-  250 2\.1\.0 Sender OK\n"
                     r"<-  250 2\.1\.5 Recipient OK\n<-  250 2\.1\.5 Recipient OK\n<-  354 ", out), out
    for user in (ALICE, CAROL):
        [stored] = mail.store.messages(user)
        assert stored.subject == "pipelined"
        assert_delivered(stored, split_trace(stored.raw)[2], "sender@remote.test", with_="ESMTP")
    assert mail.store.count() == 2


def test_swaks_pipelining_over_starttls_with_auth(mail):
    rc, out = swaks("--server", f"127.0.0.1:{mail.ports['submission']}", "--tls", "--pipeline", "--auth", "PLAIN",
                    "--auth-user", BOB, "--auth-password", PASSWORDS[BOB], "--from", BOB,
                    "--to", f"{ALICE},{GROUP}", "--header", "Subject: pipelined submission")
    assert rc == 0, out
    assert [len(mail.store.messages(u)) for u in (ALICE, BOB, CAROL, DAVE)] == [1, 1, 1, 0]


def test_swaks_implicit_tls_on_submissions(mail):
    rc, out = swaks("--server", f"127.0.0.1:{mail.ports['submissions']}", "--tls-on-connect", "--auth", "LOGIN",
                    "--auth-user", CAROL, "--auth-password", PASSWORDS[CAROL],
                    "--from", CAROL, "--to", DAVE, "--header", "Subject: over 465")
    assert rc == 0, out
    [stored] = mail.store.messages(DAVE)
    assert stored.subject == "over 465"
    assert_delivered(stored, split_trace(stored.raw)[2], CAROL, with_="ESMTPSA", for_=DAVE)


def test_swaks_wrong_password_fails(mail):
    rc, out = swaks("--server", f"127.0.0.1:{mail.ports['submission']}", "--tls", "--auth", "PLAIN",
                    "--auth-user", ALICE, "--auth-password", "wrong-wrong-wrong",
                    "--from", ALICE, "--to", BOB)
    assert rc == 28, out  # swaks: "error in AUTH transaction"
    assert "535 5.7.8" in out
    assert mail.store.count() == 0


# ---- msmtp --------------------------------------------------------------------------------------

@pytest.mark.parametrize("proto", ["submission", "submissions"])
def test_msmtp_sends_as_a_mail_client(mail, tmp_path, proto):
    rc_file = tmp_path / "msmtprc"
    rc_file.write_text(
        "defaults\n"
        "logfile -\n"
        "account atrium\n"
        "host 127.0.0.1\n"
        f"port {mail.ports[proto]}\n"
        f"domain {CLIENT}\n"
        f"from {ALICE}\n"
        "tls on\n"
        f"tls_starttls {'on' if proto == 'submission' else 'off'}\n"
        "tls_certcheck off\n"
        "auth on\n"
        f"user {ALICE}\n"
        f"password {PASSWORDS[ALICE]}\n"
        "account default : atrium\n")
    os.chmod(rc_file, 0o600)
    # Date, From and Message-ID present, no Bcc: msmtp adds and removes nothing.
    original = (f"From: Alice <{ALICE}>\nTo: Bob <{BOB}>\nCc: {CAROL}\nDate: Mon, 01 Jan 2024 10:00:00 +0000\n"
                f"Message-ID: <msmtp-{proto}@client.example>\nSubject: msmtp over {proto}\n"
                "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                "Grüße from msmtp.\n.a dot line\n..\n.\nend\n").encode()
    r = subprocess.run(["msmtp", "-C", str(rc_file), "-t"], input=original, capture_output=True, timeout=120)
    assert r.returncode == 0, (r.stdout + r.stderr).decode(errors="replace")
    expected = original.replace(b"\n", b"\r\n")
    [to_bob] = mail.store.messages(BOB)
    [to_carol] = mail.store.messages(CAROL)
    assert to_bob.blob_hash == to_carol.blob_hash
    assert mail.store.blob_row(to_bob.blob_hash)[1] == 2
    text = assert_delivered(to_bob, expected, ALICE, with_="ESMTPSA")
    assert "(using TLSv1." in text
    assert to_bob.subject == f"msmtp over {proto}"
    assert mail.store.count() == 2


# ---- LMTP ---------------------------------------------------------------------------------------

def test_lmtp_replies_once_per_accepted_recipient(mail):
    msg = message("via LMTP", to=BOB)
    with smtplib.LMTP("127.0.0.1", mail.ports["lmtp"], local_hostname=CLIENT, timeout=30) as c:
        code, _ = c.ehlo()  # LHLO
        assert code == 250
        assert c.docmd("EHLO", CLIENT)[0] == 500, "LMTP has no EHLO"
        assert c.mail("sender@remote.test")[0] == 250
        assert c.rcpt(BOB)[0] == 250
        code, text = c.rcpt(f"nobody@{DOMAIN}")
        assert (code, text[:5]) == (550, b"5.1.1")
        assert c.rcpt("someone@elsewhere.test")[0] == 550, "LMTP delivers locally only"
        assert c.rcpt(GROUP)[0] == 250
        replies = [c.data(msg)] + [c.getreply()]
        assert replies == [(250, f"2.1.5 <{BOB}> Delivered".encode()), (250, f"2.1.5 <{GROUP}> Delivered".encode())]
        assert c.noop()[0] == 250, "no reply left over"
    # bob is in the team and named on his own: one copy each.
    assert [len(mail.store.messages(u)) for u in (ALICE, BOB, CAROL, DAVE)] == [1, 1, 1, 0]
    stored = mail.store.messages(BOB)[0]
    assert_delivered(stored, msg, "sender@remote.test", with_="LMTP")
    assert mail.store.blob_row(stored.blob_hash)[1] == 3


def test_lmtp_refused_message_gets_one_refusal_per_recipient(mail):
    with smtplib.LMTP("127.0.0.1", mail.ports["lmtp"], local_hostname=CLIENT, timeout=30) as c:
        c.ehlo()
        assert c.mail("sender@remote.test")[0] == 250
        assert c.rcpt(ALICE)[0] == 250
        assert c.rcpt(BOB)[0] == 250
        # smtplib sends bytes as given: a bare LF inside the message.
        replies = [c.data(b"Subject: bare\r\n\r\nbare\nLF\r\n")] + [c.getreply()]
        assert [(code, text[:5]) for code, text in replies] == [(550, b"5.6.0"), (550, b"5.6.0")]
        assert f"<{ALICE}>".encode() in replies[0][1] and f"<{BOB}>".encode() in replies[1][1]
        assert c.noop()[0] == 250
    assert mail.store.count() == 0
