"""Outbound delivery, end to end and only on loopback: a user submits with smtplib, Atrium's
delivery worker looks the recipient domain up in a DNS server the test runs (nsd, with test
zones), and hands the message to a remote MX that is another program on another loopback address:
a second Atrium instance, Postfix's smtp-sink, or a scripted sink. DKIM signatures are checked
with dkimpy against the same DNS; bounces are read back from the sender's INBOX over IMAP."""
import email
import imaplib
import re
import smtplib
import time

import dkim
import pytest

from conftest import Server, free_port, tls_context
from dnsserver import DnsServer, dkim_dnsfunc
from smtpsink import SmtpSink, PostfixSink, by_rcpt, first_n, free_port as free_port_on
from tlsfiles import make_ca, make_cert, HttpsServer

DOMAIN = "example.test"
ALICE = f"alice@{DOMAIN}"
PASSWORD = "alice-Secret-4711"
CLIENT = "client.example"

# Remote MX addresses: every remote host listens on the same port (Atrium's remote_port) at its
# own loopback address.
SINK_IP = "127.0.0.2"
REMOTE_ATRIUM_IP = "127.0.0.3"
POSTFIX_IP = "127.0.0.4"
STS_WEB_IP = "127.0.0.5"
STS_MX_IP = "127.0.0.6"
DEAD_IP = "127.0.0.9"


def zone_records(dkim_records=()):
    return {
        DOMAIN: [("@", "MX", "10 mail.example.test."), ("mail", "A", "127.0.0.1"),
                 ("@", "TXT", "v=spf1 ip4:127.0.0.0/8 -all"), ("_dmarc", "TXT", "v=DMARC1; p=reject")]
                + list(dkim_records),
        "sink.test": [("@", "MX", "10 mx.sink.test."), ("mx", "A", SINK_IP)],
        "remote.test": [("@", "MX", "10 mx.remote.test."), ("mx", "A", REMOTE_ATRIUM_IP)],
        "postfix.test": [("@", "MX", "10 mx.postfix.test."), ("mx", "A", POSTFIX_IP)],
        # Two MXes: the preferred one is down, the second takes the mail.
        "backup.test": [("@", "MX", "10 mx1.backup.test."), ("@", "MX", "20 mx2.backup.test."),
                        ("mx1", "A", DEAD_IP), ("mx2", "A", SINK_IP)],
        "down.test": [("@", "MX", "10 mx.down.test."), ("mx", "A", DEAD_IP)],
        "nullmx.test": [("@", "MX", "0 .")],
        # No MX: the implicit MX is the domain's own address.
        "implicit.test": [("@", "A", SINK_IP)],
        "sts.test": [("@", "MX", "10 mx.sts.test."), ("mx", "A", STS_MX_IP),
                     ("_mta-sts", "TXT", "v=STSv1; id=20261127"), ("mta-sts", "A", STS_WEB_IP)],
        "nosts.test": [("@", "MX", "10 mx.nosts.test."), ("mx", "A", STS_MX_IP)],
        "outside.test": [("@", "TXT", "v=spf1 ip4:127.0.0.1 -all")],
    }


class World:
    """DNS, sinks and the sending Atrium instance of one test."""

    def __init__(self, tmp_path, schedule=("1s",), expire="60s", algorithms=("rsa",), extra="", delay_notice="0s"):
        self.tmp = tmp_path
        self.port = free_port_on(SINK_IP, REMOTE_ATRIUM_IP, POSTFIX_IP, STS_MX_IP, DEAD_IP)
        self.dns = DnsServer(tmp_path / "dns")
        self.pki = tmp_path / "pki"
        self.pki.mkdir()
        self.ca = make_ca(self.pki)
        self.sts_port = free_port_on(STS_WEB_IP)
        sched = ", ".join(f'"{s}"' for s in schedule)
        (tmp_path / "a").mkdir()
        self.server = Server(tmp_path / "a", ("http", "submission", "smtp", "imap"), extra_config=f"""
[delivery]
dns_servers = ["{self.dns.address}"]
remote_port = {self.port}
retry_schedule = [{sched}]
expire_after = "{expire}"
delay_notice_after = "{delay_notice}"
mta_sts_port = {self.sts_port}
ca_file = "{self.ca[0]}"
command_timeout_seconds = 3
data_timeout_seconds = 3
connect_timeout_seconds = 2
{extra}
""")
        self.server.cli("domain", "add", DOMAIN)
        self.server.cli("user", "add", ALICE, "--password-stdin", input=PASSWORD + "\n")
        records = []
        for algorithm in algorithms:
            selector = f"s{algorithm}"
            out = self.server.cli("dkim", "generate", DOMAIN, "--algorithm", algorithm, "--selector", selector).stdout
            value = "".join(re.findall(r'"([^"]*)"', out))
            records.append((f"{selector}._domainkey", "TXT", value))
        for name, recs in zone_records(records).items():
            self.dns.zone(name, recs)
        self.dns.start()
        self.dns_port = self.dns.port

    def start(self):
        self.server.start()
        return self

    def submit(self, to, subject="Hello", body="Hi there.\r\n.a dotted line\r\n", headers=""):
        msg = (f"From: Alice <{ALICE}>\r\nTo: <{to[0]}>\r\nSubject: {subject}\r\n"
               f"Message-ID: <{time.time_ns()}@{CLIENT}>\r\n{headers}\r\n{body}")
        with smtplib.SMTP("127.0.0.1", self.server.ports["submission"], local_hostname=CLIENT, timeout=30) as c:
            c.starttls(context=tls_context(self.server))
            c.login(ALICE, PASSWORD)
            c.sendmail(ALICE, to, msg.encode())
        return msg

    def queue(self):
        out = self.server.cli("queue", "list").stdout.strip().splitlines()
        return [line.split("\t") for line in out if line]

    def wait_queue_empty(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self.queue():
                return
            time.sleep(0.2)
        raise AssertionError(f"queue not empty: {self.queue()}\n{self.server.log_text()[-4000:]}")

    def inbox(self, user=ALICE, password=PASSWORD, timeout=30, count=1):
        """The messages in the user's INBOX, once there are at least `count`."""
        deadline = time.time() + timeout
        while True:
            with imaplib.IMAP4("127.0.0.1", self.server.ports["imap"]) as c:
                c.login(user, password)
                c.select("INBOX")
                _, data = c.search(None, "ALL")
                ids = data[0].split()
                if len(ids) >= count or time.time() > deadline:
                    msgs = []
                    for i in ids:
                        _, d = c.fetch(i, "(RFC822)")
                        msgs.append(d[0][1])
                    return msgs
            time.sleep(0.3)

    def stop(self):
        self.server.stop()
        self.dns.stop()


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path).start()
    yield w
    w.stop()


def verify_dkim(w, raw):
    return dkim.verify(raw, dnsfunc=dkim_dnsfunc(w.dns))


def test_delivered_to_remote_atrium_with_valid_dkim(world, tmp_path):
    """A second Atrium instance is the remote MX: the message arrives in bob's mailbox there, and
    dkimpy verifies the signature Atrium added."""
    remote_dir = tmp_path / "b"
    remote_dir.mkdir()
    remote = Server(remote_dir, ("http", "smtp", "imap"))
    remote.ports["smtp"] = world.port
    remote.config.write_text(remote.config.read_text().replace(
        f'smtp = "127.0.0.1:', f'smtp = "{REMOTE_ATRIUM_IP}:{world.port}"\n#'))
    remote.cli("domain", "add", "remote.test")
    remote.cli("user", "add", "bob@remote.test", "--password-stdin", input="bob-Secret-0815\n")
    remote.start()
    try:
        sent = world.submit(["bob@remote.test"], subject="To the other server")
        world.wait_queue_empty()
        deadline = time.time() + 20
        raw = None
        while time.time() < deadline and raw is None:
            with imaplib.IMAP4("127.0.0.1", remote.ports["imap"]) as c:
                c.login("bob@remote.test", "bob-Secret-0815")
                c.select("INBOX")
                _, data = c.search(None, "ALL")
                if data[0]:
                    _, d = c.fetch(data[0].split()[0], "(RFC822)")
                    raw = d[0][1]
            time.sleep(0.2)
        assert raw is not None, world.server.log_text()[-3000:]
        assert b"Subject: To the other server" in raw
        assert b".a dotted line" in raw  # dot-stuffing undone on the far side
        # The remote stored Return-Path + Received; dkimpy ignores both.
        assert verify_dkim(world, raw), raw[:2000]
        assert b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.test; s=srsa" in raw.replace(b"\r\n\t", b" ")
    finally:
        remote.stop()


def test_ed25519_signature_verifies_with_dkimpy(tmp_path):
    w = World(tmp_path, algorithms=("ed25519",)).start()
    sink = SmtpSink((SINK_IP, w.port)).start()
    try:
        w.submit(["carol@sink.test"])
        msg = sink.wait_for(1, timeout=20)[0]
        assert b"a=ed25519-sha256" in msg.data
        assert verify_dkim(w, msg.data)
        # One changed byte in the body breaks it.
        assert not verify_dkim(w, msg.data.replace(b"Hi there.", b"Hi there!"))
    finally:
        sink.stop()
        w.stop()


def test_envelope_and_connection_reuse(world):
    """The envelope goes out as given (no Return-Path in the data), with 8BITMIME/SMTPUTF8 only
    when needed, and two messages in a row reuse one connection."""
    sink = SmtpSink((SINK_IP, world.port)).start()
    try:
        world.submit(["carol@sink.test", "dave@sink.test"], subject="one")
        sink.wait_for(1, timeout=20)
        world.submit(["carol@sink.test"], subject="two")
        msgs = sink.wait_for(2, timeout=20)
        assert msgs[0].mail_from == ALICE
        assert sorted(msgs[0].rcpt_tos) == ["carol@sink.test", "dave@sink.test"]
        assert not msgs[0].data.startswith(b"Return-Path:")
        assert b"Received: from " in msgs[0].data
        assert sink.connections == 1, sink.transcript
    finally:
        sink.stop()


def test_postfix_smtp_sink_receives(world):
    sink = PostfixSink(world.tmp / "pf", host=POSTFIX_IP, port=world.port).start()
    try:
        world.submit(["x@postfix.test"], subject="to postfix")
        got = sink.wait_for(1, timeout=20)
        assert b"Subject: to postfix" in got[0].data
        world.wait_queue_empty()
    finally:
        sink.stop()


def test_temporary_failure_is_retried_then_delivered(world):
    sink = SmtpSink((SINK_IP, world.port), replies={"rcpt": first_n(1, "451 4.7.1 greylisted, come back later")}).start()
    try:
        world.submit(["carol@sink.test"], subject="greylisted")
        msgs = sink.wait_for(1, timeout=30)
        assert b"Subject: greylisted" in msgs[0].data
        # Tried twice (the second time possibly on the connection kept open from the first).
        assert len([c for c in sink.commands() if c.upper().startswith("RCPT")]) >= 2, sink.transcript
        world.wait_queue_empty()
        assert world.inbox(count=0, timeout=0) == []  # no bounce, no delay notice
    finally:
        sink.stop()


def test_permanent_failure_bounces_to_sender(world):
    sink = SmtpSink((SINK_IP, world.port), replies={"rcpt": "550 5.1.1 <nobody@sink.test>: no such user"}).start()
    try:
        world.submit(["nobody@sink.test"], subject="to nobody")
        bounces = world.inbox(count=1)
        assert len(bounces) == 1, world.server.log_text()[-3000:]
        report = email.message_from_bytes(bounces[0])
        assert report.get_content_type() == "multipart/report"
        assert report.get_param("report-type") == "delivery-status"
        assert report["Auto-Submitted"] == "auto-replied"
        assert "MAILER-DAEMON@" in report["From"]
        status = [p for p in report.walk() if p.get_content_type() == "message/delivery-status"][0]
        text = status.as_string()
        assert "Final-Recipient: rfc822; nobody@sink.test" in text
        assert "Action: failed" in text
        assert "Status: 5.1.1" in text
        assert "Diagnostic-Code: smtp; 550 5.1.1" in text
        assert "Remote-MTA: dns; mx.sink.test" in text
        returned = [p for p in report.walk() if p.get_content_type() in ("message/rfc822", "text/rfc822-headers")]
        assert returned and "to nobody" in returned[0].as_string()
        world.wait_queue_empty()
        # The bounce itself has the null sender: it can never bounce again.
        assert b"Return-Path: <>" in bounces[0]
    finally:
        sink.stop()


def test_mixed_recipients_one_bounce_for_the_failed_one(world):
    sink = SmtpSink((SINK_IP, world.port), replies={"rcpt": by_rcpt({"bad@sink.test": "550 5.1.1 unknown"})}).start()
    try:
        world.submit(["good@sink.test", "bad@sink.test"])
        msgs = sink.wait_for(1, timeout=20)
        bounces = world.inbox(count=1)
        world.wait_queue_empty()
        text = bounces[0].decode(errors="replace")
        assert "bad@sink.test" in text and "Final-Recipient: rfc822; good@sink.test" not in text
        assert "good@sink.test" in msgs[0].rcpt_tos
    finally:
        sink.stop()


def test_second_mx_takes_the_mail_when_the_first_is_down(world):
    sink = SmtpSink((SINK_IP, world.port)).start()
    try:
        world.submit(["x@backup.test"], subject="via backup")
        assert b"via backup" in sink.wait_for(1, timeout=30)[0].data
        world.wait_queue_empty()
    finally:
        sink.stop()


def test_implicit_mx_is_the_domain_address(world):
    sink = SmtpSink((SINK_IP, world.port)).start()
    try:
        world.submit(["x@implicit.test"], subject="implicit")
        assert b"implicit" in sink.wait_for(1, timeout=20)[0].data
    finally:
        sink.stop()


def dsn_status(raw):
    report = email.message_from_bytes(raw)
    status = [p for p in report.walk() if p.get_content_type() == "message/delivery-status"]
    return status[0].as_string() if status else ""


def test_nxdomain_bounces_at_once(world):
    world.submit(["x@no-such-host.sink.test"])
    bounce = world.inbox(count=1)
    assert bounce, world.server.log_text()[-3000:]
    assert "Status: 5.1.2" in dsn_status(bounce[0])
    world.wait_queue_empty()


def test_null_mx_bounces(world):
    world.submit(["x@nullmx.test"])
    bounce = world.inbox(count=1)
    assert "Status: 5.1.10" in dsn_status(bounce[0])


def test_dns_servfail_is_temporary(world):
    # A zone the DNS server does not serve: it refuses, the resolver reports SERVFAIL.
    world.submit(["x@unserved.zone"])
    deadline = time.time() + 10
    rows = []
    while time.time() < deadline:
        rows = world.queue()
        if rows and rows[0][5:] and "4.4.3" in rows[0][-1]:
            break
        time.sleep(0.2)
    assert rows and rows[0][3] == "pending" and "4.4.3" in rows[0][-1], rows
    assert world.inbox(count=0, timeout=0) == []


def test_down_for_the_whole_schedule_expires_with_a_dsn(tmp_path):
    w = World(tmp_path, schedule=("1s",), expire="4s").start()
    try:
        w.submit(["x@down.test"], subject="never arrives")
        bounce = w.inbox(count=1, timeout=40)
        assert bounce, w.server.log_text()[-3000:]
        status = dsn_status(bounce[0])
        assert "Action: failed" in status
        assert "Status: 4.4.7" in status or "Status: 4.4.1" in status, status
        w.wait_queue_empty()
    finally:
        w.stop()


@pytest.mark.parametrize("stage", ["greeting", "mail", "data_end"])
def test_timeouts_at_each_stage_defer(world, stage):
    sink = SmtpSink((SINK_IP, world.port), stall=stage).start()
    try:
        world.submit(["carol@sink.test"], subject=f"stall {stage}")
        deadline = time.time() + 20
        rows = []
        while time.time() < deadline:
            rows = world.queue()
            if rows and rows[0][4] not in ("0",):
                break
            time.sleep(0.3)
        assert rows and rows[0][3] == "pending", rows
        assert "timeout" in rows[0][-1] or "4.4." in rows[0][-1], rows
    finally:
        sink.stop()


def test_queue_commands(world):
    world.submit(["x@down.test"], subject="held")
    rows = world.queue()
    assert len(rows) == 1 and rows[0][2] == "x@down.test"
    qid = rows[0][0]
    shown = world.server.cli("queue", "show", qid).stdout
    assert "Subject: held" in shown
    world.server.cli("queue", "retry", qid)
    world.server.cli("queue", "flush")
    world.server.cli("queue", "delete", qid)
    assert world.queue() == []
    assert world.server.cli("queue", "delete", qid, check=False).returncode != 0
    assert world.inbox(count=0, timeout=0) == []  # deleting sends no bounce


def test_dsn_parameters_are_passed_on(world):
    sink = SmtpSink((SINK_IP, world.port)).start()
    try:
        msg = f"From: <{ALICE}>\r\nTo: <c@sink.test>\r\nSubject: dsn\r\n\r\nbody\r\n"
        with smtplib.SMTP("127.0.0.1", world.server.ports["submission"], local_hostname=CLIENT) as c:
            c.starttls(context=tls_context(world.server))
            c.login(ALICE, PASSWORD)
            c.sendmail(ALICE, ["c@sink.test"], msg, mail_options=["RET=HDRS", "ENVID=QQ314159"],
                       rcpt_options=["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;c@sink.test"])
        got = sink.wait_for(1, timeout=20)[0]
        assert "RET=HDRS" in got.mail_params and "ENVID=QQ314159" in got.mail_params
        assert "NOTIFY=SUCCESS,FAILURE" in got.rcpt_params[0]
        assert "ORCPT=rfc822;c@sink.test" in got.rcpt_params[0]
        # NOTIFY=SUCCESS: a success report comes back.
        report = world.inbox(count=1)
        assert report and "Action: relayed" in dsn_status(report[0])
        assert "Original-Envelope-Id: QQ314159" in dsn_status(report[0])
    finally:
        sink.stop()


def sts_world(tmp_path, starttls_fail, mode="enforce"):
    w = World(tmp_path).start()
    cert = make_cert(w.pki, w.ca, ["mta-sts.sts.test"])
    policy = f"version: STSv1\r\nmode: {mode}\r\nmx: mx.sts.test\r\nmax_age: 86400\r\n"
    web = HttpsServer(STS_WEB_IP, w.sts_port, cert[0], cert[1],
                      {"/.well-known/mta-sts.txt": ("text/plain", policy.encode())}).start()
    sink = SmtpSink((STS_MX_IP, w.port), starttls_fail=starttls_fail).start()
    return w, web, sink


def test_tls_failure_without_mta_sts_falls_back_to_cleartext(tmp_path):
    w, web, sink = sts_world(tmp_path, starttls_fail=True)
    try:
        w.submit(["x@nosts.test"], subject="cleartext fallback")
        got = sink.wait_for(1, timeout=20)
        assert not got[0].tls
        assert web.requests == 0
    finally:
        sink.stop(), web.stop(), w.stop()


def test_tls_failure_with_mta_sts_enforce_defers(tmp_path):
    w, web, sink = sts_world(tmp_path, starttls_fail=True)
    try:
        w.submit(["x@sts.test"], subject="must be protected")
        deadline = time.time() + 15
        rows = []
        while time.time() < deadline:
            rows = w.queue()
            if rows and rows[0][4] != "0":
                break
            time.sleep(0.3)
        assert rows and rows[0][3] == "pending", rows
        assert "4.7." in rows[0][-1], rows
        assert web.requests >= 1
        assert sink.messages == []
    finally:
        sink.stop(), web.stop(), w.stop()


def test_mta_sts_enforce_with_a_valid_certificate_delivers(tmp_path):
    w = World(tmp_path).start()
    cert = make_cert(w.pki, w.ca, ["mta-sts.sts.test"])
    mx_cert = make_cert(w.pki, w.ca, ["mx.sts.test"], stem="mx")
    policy = "version: STSv1\r\nmode: enforce\r\nmx: mx.sts.test\r\nmax_age: 86400\r\n"
    web = HttpsServer(STS_WEB_IP, w.sts_port, cert[0], cert[1],
                      {"/.well-known/mta-sts.txt": ("text/plain", policy.encode())}).start()
    sink = SmtpSink((STS_MX_IP, w.port), cert=mx_cert[0], key=mx_cert[1]).start()
    try:
        w.submit(["x@sts.test"], subject="protected")
        got = sink.wait_for(1, timeout=20)
        assert got[0].tls
        w.wait_queue_empty()
    finally:
        sink.stop(), web.stop(), w.stop()


def test_imip_invitation_reaches_an_outside_attendee(world):
    """CalDAV scheduling (RFC 6638) with an attendee outside: the organiser's PUT queues an iMIP
    REQUEST (RFC 6047), and the delivery worker hands it to the attendee's MX."""
    import base64
    import urllib.request
    sink = SmtpSink((SINK_IP, world.port)).start()
    try:
        ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:imip-outside-1\r\n"
               "DTSTAMP:20261127T100000Z\r\nDTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\n"
               "SUMMARY:Review with a partner\r\n"
               f"ORGANIZER:mailto:{ALICE}\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:{ALICE}\r\n"
               "ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:carol@sink.test\r\n"
               "END:VEVENT\r\nEND:VCALENDAR\r\n")
        url = world.server.url(f"/dav/calendars/{ALICE}/calendar/imip-outside-1.ics")
        req = urllib.request.Request(url, data=ics.encode(), method="PUT", headers={
            "Content-Type": "text/calendar; charset=utf-8",
            "Authorization": "Basic " + base64.b64encode(f"{ALICE}:{PASSWORD}".encode()).decode()})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.status in (201, 204)
        msg = sink.wait_for(1, timeout=30)[0]
        assert msg.rcpt_tos == ["carol@sink.test"]
        parsed = email.message_from_bytes(msg.data)
        parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
        assert parts and parts[0].get_param("method") == "REQUEST"
        assert "Review with a partner" in parts[0].get_payload(decode=True).decode()
        assert verify_dkim(world, msg.data)
    finally:
        sink.stop()


def test_forwarded_mail_is_arc_sealed(tmp_path):
    """Mail from outside to an alias that forwards outside: the MX records its checks in
    Authentication-Results, and the copy that goes out carries an ARC set (RFC 8617) sealed with
    the alias domain's key, which dkimpy validates."""
    w = World(tmp_path, extra="[mail_auth]\nverify = true\n").start()
    sink = SmtpSink((SINK_IP, w.port)).start()
    try:
        w.server.cli("alias", "add", f"fwd@{DOMAIN}", "carol@sink.test")
        raw = (f"From: <x@outside.test>\r\nTo: <fwd@{DOMAIN}>\r\nSubject: forwarded\r\n"
               f"Message-ID: <{time.time_ns()}@outside.test>\r\n\r\nhello\r\n").encode()
        with smtplib.SMTP("127.0.0.1", w.server.ports["smtp"], local_hostname="mx.outside.test") as c:
            c.sendmail("x@outside.test", [f"fwd@{DOMAIN}"], raw)
        msg = sink.wait_for(1, timeout=30)[0]
        unfolded = re.sub(rb"\r\n[ \t]+", b" ", msg.data)
        assert b"ARC-Seal: i=1;" in unfolded and b"cv=none" in unfolded, msg.data[:1500]
        aar = re.search(rb"ARC-Authentication-Results: ([^\r]*)", unfolded).group(1)
        assert aar.startswith(b"i=1; mail.example.test;") and b"spf=pass" in aar, aar
        cv, _results, comment = dkim.arc_verify(msg.data, dnsfunc=dkim_dnsfunc(w.dns))
        assert cv == dkim.CV_Pass, comment
    finally:
        sink.stop()
        w.stop()


def test_delay_notice_while_retrying(tmp_path):
    w = World(tmp_path, schedule=("1s",), expire="60s", delay_notice="2s").start()
    try:
        w.submit(["x@down.test"], subject="slow")
        notice = w.inbox(count=1, timeout=30)
        assert notice, w.server.log_text()[-3000:]
        status = dsn_status(notice[0])
        assert "Action: delayed" in status and "Will-Retry-Until:" in status, status
        assert "Delayed Mail" in email.message_from_bytes(notice[0])["Subject"]
        # Only one notice, and the message is still queued.
        time.sleep(3)
        assert len(w.inbox(count=0, timeout=0)) == 1
        assert w.queue() and w.queue()[0][3] == "pending"
    finally:
        w.stop()


def test_smarthost_with_auth(tmp_path):
    """Every message goes to the smarthost, authenticated over STARTTLS: here a second Atrium
    instance's submission port, which delivers to its own user."""
    relay_dir = tmp_path / "relay"
    relay_dir.mkdir()
    relay = Server(relay_dir, ("http", "submission", "imap"))
    # The smarthost knows the sender's account (a provider's smarthost accepts only senders it
    # authenticates), and delivers to its own user.
    relay.cli("domain", "add", DOMAIN)
    relay.cli("domain", "add", "remote.test")
    relay.cli("user", "add", ALICE, "--password-stdin", input="relay-Secret-1\n")
    relay.cli("user", "add", "bob@remote.test", "--password-stdin", input="bob-Secret-0815\n")
    relay.start()
    secret = tmp_path / "relay-password"
    secret.write_text("relay-Secret-1\n")
    w = World(tmp_path, extra=f'relay = "127.0.0.1:{relay.ports["submission"]}"\nrelay_user = "{ALICE}"\n'
                              f'relay_password_file = "{secret}"').start()
    try:
        w.submit(["bob@remote.test"], subject="via the smarthost")
        w.wait_queue_empty()
        deadline = time.time() + 20
        got = []
        while time.time() < deadline and not got:
            with imaplib.IMAP4("127.0.0.1", relay.ports["imap"]) as c:
                c.login("bob@remote.test", "bob-Secret-0815")
                c.select("INBOX")
                _, data = c.search(None, "ALL")
                got = data[0].split()
            time.sleep(0.2)
        assert got, relay.log_text()[-3000:]
        assert f"event=auth.ok proto=submission ip=127.0.0.1 user={ALICE}" in relay.log_text()
        assert "relay-Secret-1" not in w.server.log_text()  # secrets never in logs
    finally:
        w.stop()
        relay.stop()
