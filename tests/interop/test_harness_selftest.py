"""The interop harness itself, without Atrium: NSD via DnsServer, the Python SmtpSink, Postfix's
smtp-sink, the openssl-made PKI and HttpsServer."""
import smtplib
import socket
import ssl

import dns.resolver
import pytest

from dnsserver import DnsServer, dkim_dnsfunc
from smtpsink import CLOSE, PostfixSink, SmtpSink, by_rcpt, first_n, free_port
from tlsfiles import HttpsServer, make_ca, make_cert, tlsa_data

SINK_IP = "127.0.0.2"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    ca = make_ca(d)
    return {"ca": ca,
            "sink": make_cert(d, ca, ["sink.example.test", SINK_IP]),
            "mta-sts": make_cert(d, ca, ["mta-sts.example.test"])}


def client_context(pki):
    return ssl.create_default_context(cafile=str(pki["ca"][0]))


def test_dns_server_serves_records(tmp_path, pki):
    long_txt = "v=DKIM1; k=rsa; p=" + "A" * 382  # 400 characters: two character-strings
    dns_server = DnsServer(tmp_path)
    dns_server.zone("example.test", [
        ("@", "MX", "10 mx1.example.test."),
        ("@", "MX", "20 mx2"),
        ("mx1", "A", "127.0.0.2"),
        ("mx2.example.test.", "A", "127.0.0.3"),
        ("@", "TXT", '"v=spf1 ip4:127.0.0.1 -all"'),
        ("sel._domainkey", "TXT", long_txt),
        ("_25._tcp.mx1", "TLSA", tlsa_data(pki["sink"][0])),
    ])
    dns_server.zone("other.test", [("@", "A", "192.0.2.1")])
    dns_server.start()
    try:
        assert dns_server.address == f"127.0.0.1@{dns_server.port}"
        res = dns_server.resolver()
        mx = sorted((r.preference, r.exchange.to_text()) for r in res.resolve("example.test", "MX"))
        assert mx == [(10, "mx1.example.test."), (20, "mx2.example.test.")]
        assert [r.address for r in res.resolve("mx1.example.test", "A")] == ["127.0.0.2"]
        assert [r.address for r in res.resolve("mx2.example.test", "A")] == ["127.0.0.3"]
        assert [r.strings for r in res.resolve("example.test", "TXT")] == [(b"v=spf1 ip4:127.0.0.1 -all",)]
        [dkim_txt] = res.resolve("sel._domainkey.example.test", "TXT")
        assert [len(s) for s in dkim_txt.strings] == [255, 145]
        assert b"".join(dkim_txt.strings) == long_txt.encode()
        assert dkim_dnsfunc(dns_server)(b"sel._domainkey.example.test.") == long_txt.encode()
        assert dkim_dnsfunc(dns_server)(b"nope._domainkey.example.test.") is None
        assert dns_server.query("_25._tcp.mx1.example.test", "TLSA") == [tlsa_data(pki["sink"][0])]
        assert dns_server.query("other.test", "A") == ["192.0.2.1"]
        with pytest.raises(dns.resolver.NXDOMAIN):
            res.resolve("missing.example.test", "A")

        port = dns_server.port
        dns_server.add("example.test", ("mx3", "A", "127.0.0.4"))
        dns_server.reload()
        assert dns_server.port == port
        assert dns_server.query("mx3.example.test", "A") == ["127.0.0.4"]
    finally:
        dns_server.stop()
    assert dns_server.proc.poll() is not None


def test_dns_server_bad_zone_raises_with_details(tmp_path):
    dns_server = DnsServer(tmp_path)
    dns_server.zone("example.test", [("@", "MX", "not-a-number mx1.example.test.")])
    with pytest.raises(ValueError, match="nsd-checkzone"):
        dns_server.start()


def test_smtp_sink_plain_with_params_and_dot_stuffing():
    with SmtpSink((SINK_IP, 0)) as sink:
        body = b"Subject: hi\r\n\r\n.leading dot\r\nline\r\n"
        with smtplib.SMTP(SINK_IP, sink.port, local_hostname="client.test", timeout=5) as c:
            c.ehlo()
            for ext in ("pipelining", "8bitmime", "smtputf8", "size", "enhancedstatuscodes", "dsn", "chunking"):
                assert c.has_extn(ext), ext
            assert not c.has_extn("starttls")
            c.sendmail("a@example.test", ["b@example.test", "c@example.test"], body,
                       mail_options=["BODY=8BITMIME"], rcpt_options=["NOTIFY=NEVER"])
            c.rset()
            c.sendmail("", ["d@example.test"], b"Subject: bounce\r\n\r\nx\r\n")
        first, second = sink.wait_for(2, timeout=5)
    assert first.mail_from == "a@example.test"
    assert first.rcpt_tos == ["b@example.test", "c@example.test"]
    assert first.mail_params == f"size={len(body)} BODY=8BITMIME"  # smtplib adds SIZE itself
    assert first.rcpt_params == ["NOTIFY=NEVER", "NOTIFY=NEVER"]
    assert first.data == body
    assert first.helo == "client.test" and not first.tls and not first.chunked
    assert second.mail_from == "" and second.rcpt_tos == ["d@example.test"]
    assert sink.connections == 1
    assert "QUIT" in sink.commands()


def test_smtp_sink_pipelining_and_bdat():
    with SmtpSink((SINK_IP, 0)) as sink, socket.create_connection((SINK_IP, sink.port), timeout=5) as s:
        f = s.makefile("rb")
        assert f.readline().startswith(b"220 ")
        s.sendall(b"EHLO client.test\r\nMAIL FROM:<a@example.test> BODY=BINARYMIME\r\nRCPT TO:<b@example.test>\r\n"
                  b"BDAT 7\r\nhello\r\nBDAT 10 LAST\r\nworld\r\n.\r\nQUIT\r\n")
        replies = [l.decode() for l in f.read().splitlines()]
    codes = [r[:4] for r in replies if r[3] == " "]
    assert codes == ["250 ", "250 ", "250 ", "250 ", "250 ", "221 "], replies
    [msg] = sink.messages
    assert msg.data == b"hello\r\nworld\r\n.\r\n" and msg.chunked
    assert msg.mail_params == "BODY=BINARYMIME"


def test_smtp_sink_starttls(pki):
    cert, key = pki["sink"]
    with SmtpSink((SINK_IP, 0), cert=cert, key=key) as sink:
        with smtplib.SMTP(SINK_IP, sink.port, timeout=5) as c:
            c.ehlo()
            assert c.has_extn("starttls")
            c.starttls(context=client_context(pki))
            c.ehlo()
            assert not c.has_extn("starttls")
            c.sendmail("a@example.test", ["b@example.test"], b"Subject: tls\r\n\r\nsecret\r\n")
        [msg] = sink.wait_for(1, timeout=5)
    assert msg.tls and msg.tls_version.startswith("TLSv1")
    assert msg.data == b"Subject: tls\r\n\r\nsecret\r\n"


def test_smtp_sink_first_n_then_accept():
    with SmtpSink((SINK_IP, 0), replies={"rcpt": first_n(1, "451 4.7.1 later")}) as sink:
        with smtplib.SMTP(SINK_IP, sink.port, timeout=5) as c:
            with pytest.raises(smtplib.SMTPRecipientsRefused) as e:
                c.sendmail("a@example.test", ["b@example.test"], b"Subject: 1\r\n\r\n1\r\n")
            assert e.value.recipients["b@example.test"] == (451, b"4.7.1 later")
            c.rset()
            c.sendmail("a@example.test", ["b@example.test"], b"Subject: 2\r\n\r\n2\r\n")
        [msg] = sink.wait_for(1, timeout=5)
    assert msg.data.startswith(b"Subject: 2")


def test_smtp_sink_scripted_replies():
    replies = {"rcpt": by_rcpt({"bad@example.test": "550 5.1.1 no such user"}),
               "data_end": first_n(1, "452 4.3.1 full\n452 4.3.1 try later"),
               "mail": lambda sink, session: "421 4.3.2 shutting down" if session.connection == 3 else None}
    with SmtpSink((SINK_IP, 0), replies=replies) as sink:
        with smtplib.SMTP(SINK_IP, sink.port, timeout=5) as c:
            with pytest.raises(smtplib.SMTPDataError) as e:
                c.sendmail("a@example.test", ["bad@example.test", "ok@example.test"], b"x\r\n")
            assert e.value.smtp_code == 452 and e.value.smtp_error == b"4.3.1 full\n4.3.1 try later"
            refused = c.sendmail("a@example.test", ["bad@example.test", "ok@example.test"], b"x\r\n")
            assert refused == {"bad@example.test": (550, b"5.1.1 no such user")}
        [msg] = sink.wait_for(1, timeout=5)
        assert msg.rcpt_tos == ["ok@example.test"]
        sink.replies["greeting"] = CLOSE
        with pytest.raises(smtplib.SMTPServerDisconnected):
            smtplib.SMTP(SINK_IP, sink.port, timeout=5)
        del sink.replies["greeting"]
        with smtplib.SMTP(SINK_IP, sink.port, timeout=5) as c:
            with pytest.raises(smtplib.SMTPSenderRefused):
                c.sendmail("a@example.test", ["ok@example.test"], b"x\r\n")
    assert sink.connections == 3
    assert not sink.errors


def test_smtp_sink_starttls_fail(pki):
    with SmtpSink((SINK_IP, 0), starttls_fail=True) as sink:
        with smtplib.SMTP(SINK_IP, sink.port, timeout=5) as c:
            c.ehlo()
            assert c.has_extn("starttls")
            with pytest.raises((ssl.SSLError, OSError, smtplib.SMTPException)):
                c.starttls(context=client_context(pki))
    assert not sink.messages


def test_smtp_sink_stall_makes_client_time_out():
    with SmtpSink((SINK_IP, 0), stall="mail") as sink:
        c = smtplib.SMTP(SINK_IP, sink.port, timeout=0.5)
        c.ehlo()
        with pytest.raises((socket.timeout, smtplib.SMTPServerDisconnected)):
            c.mail("a@example.test")
        c.close()
    assert not sink.messages


def test_smtp_sink_two_addresses_one_port():
    port = free_port("127.0.0.2", "127.0.0.3")
    with SmtpSink(("127.0.0.2", port)) as one, SmtpSink(("127.0.0.3", port)) as two:
        for host in ("127.0.0.2", "127.0.0.3"):
            with smtplib.SMTP(host, port, timeout=5) as c:
                c.sendmail("a@example.test", ["b@example.test"], f"Subject: {host}\r\n\r\n".encode())
        assert one.wait_for(1, 5)[0].data.startswith(b"Subject: 127.0.0.2")
        assert two.wait_for(1, 5)[0].data.startswith(b"Subject: 127.0.0.3")


def test_postfix_sink_receives(tmp_path):
    with PostfixSink(tmp_path, SINK_IP) as sink:
        with smtplib.SMTP(SINK_IP, sink.port, local_hostname="client.test", timeout=5) as c:
            c.sendmail("a@example.test", ["b@example.test", "c@example.test"],
                       b"Subject: postfix\r\n\r\n.dot\r\nbody\r\n", mail_options=["BODY=8BITMIME"])
        [msg] = sink.wait_for(1, timeout=5)
        assert len(sink.messages()) == 1
    assert msg.mail_from == "a@example.test" and msg.mail_params == "BODY=8BITMIME"
    assert msg.rcpt_tos == ["b@example.test", "c@example.test"]
    assert msg.helo == "client.test"
    assert msg.data == b"Subject: postfix\n\n.dot\nbody\n"
    assert sink.proc.poll() is not None


def test_https_server_serves_policy(pki):
    policy = "version: STSv1\nmode: enforce\nmx: mx1.example.test\nmax_age: 86400\n"
    cert, key = pki["mta-sts"]
    with HttpsServer("127.0.0.1", 0, cert, key, {"/.well-known/mta-sts.txt": ("text/plain", policy)}) as web:
        ctx = client_context(pki)
        with socket.create_connection(("127.0.0.1", web.port), timeout=5) as raw, \
                ctx.wrap_socket(raw, server_hostname="mta-sts.example.test") as s:
            s.sendall(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.example.test\r\n\r\n")
            response = b""
            while chunk := s.recv(65536):
                response += chunk
        head, _, body = response.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200") and b"Content-Type: text/plain" in head
        assert body.decode() == policy
        assert web.requests == 1 and web.request_log == [("/.well-known/mta-sts.txt", "mta-sts.example.test")]

        with socket.create_connection(("127.0.0.1", web.port), timeout=5) as raw:
            with pytest.raises(ssl.SSLCertVerificationError):
                ctx.wrap_socket(raw, server_hostname="wrong.example.test")
