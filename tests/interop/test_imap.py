"""IMAP against the real server with python's imaplib (and raw sockets where imaplib cannot
express a command): login and TLS, mailboxes, FETCH, STORE, SEARCH, APPEND, COPY/MOVE, EXPUNGE,
CONDSTORE/QRESYNC, IDLE woken by SMTP delivery, and two sessions seeing each other's changes."""

import imaplib
import re
import smtplib
import socket
import ssl
import threading
import time

import pytest

from conftest import Server, tls_context

DOMAIN = "example.test"
ALICE, BOB = f"alice@{DOMAIN}", f"bob@{DOMAIN}"
PASSWORDS = {ALICE: "alice-Secret-4711", BOB: "bob-Secret-0815"}
PROTOCOLS = ("http", "smtp", "imap", "imaps")


# A loaded test machine can keep the indexer (and its document decoders) busy for a while: the
# tests want the index's answers, not the fallback scan, so SEARCH waits long for it.
SEARCH_CONFIG = "[search]\nwait_ms = 30000\n"


def start(tmp_path, extra_config=""):
    s = Server(tmp_path, PROTOCOLS, extra_config=SEARCH_CONFIG + extra_config)
    s.cli("domain", "add", DOMAIN)
    for user, password in PASSWORDS.items():
        s.cli("user", "add", user, "--password-stdin", input=password + "\n")
    try:
        s.start()
    except BaseException:
        s.stop()
        raise
    return s


@pytest.fixture
def mail(tmp_path):
    s = start(tmp_path)
    yield s
    s.stop()


def imap(server, user=ALICE):
    c = imaplib.IMAP4("127.0.0.1", server.ports["imap"], timeout=30)
    c.login(user, PASSWORDS[user])
    c._get_capabilities()  # imaplib keeps the pre-login list otherwise
    return c


def message(subject, body="Hello there.\r\n", sender="carol@remote.test", to=ALICE, extra=""):
    return (f"From: Carol <{sender}>\r\nTo: <{to}>\r\nSubject: {subject}\r\n"
            f"Message-ID: <{abs(hash(subject))}@remote.test>\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n"
            f"{extra}\r\n{body}").encode()


def deliver(server, subject, to=ALICE, **kw):
    with smtplib.SMTP("127.0.0.1", server.ports["smtp"], timeout=30) as c:
        c.sendmail("carol@remote.test", [to], message(subject, to=to, **kw))


def ok(result):
    typ, data = result
    assert typ == "OK", data
    return data


class Raw:
    """A line-level IMAP client for what imaplib cannot send (IDLE, ENABLE QRESYNC, pipelining)."""

    def __init__(self, server, tls=False):
        sock = socket.create_connection(("127.0.0.1", server.ports["imaps" if tls else "imap"]), timeout=30)
        if tls:
            sock = tls_context(server).wrap_socket(sock)
        self.sock = sock
        self.file = sock.makefile("rb")
        self.greeting = self.file.readline()

    def send(self, line):
        self.sock.sendall(line.encode() + b"\r\n")

    def readline(self):
        return self.file.readline().decode()

    def command(self, tag, line):
        """Sends `tag line` and returns (untagged lines, tagged line)."""
        self.send(f"{tag} {line}")
        untagged = []
        while True:
            got = self.readline()
            assert got, "connection closed"
            if got.startswith(tag + " "):
                return untagged, got
            untagged.append(got)

    def close(self):
        self.sock.close()


# ---- login and TLS --------------------------------------------------------------------------------

def test_greeting_capabilities_and_login(mail):
    c = imaplib.IMAP4("127.0.0.1", mail.ports["imap"], timeout=30)
    assert "IMAP4REV1" in c.capabilities and "STARTTLS" in c.capabilities
    assert "AUTH=PLAIN" in c.capabilities, "cleartext login is allowed from loopback by default"
    with pytest.raises(imaplib.IMAP4.error):
        c.login(ALICE, "wrong password")
    typ, data = c.login(ALICE, PASSWORDS[ALICE])
    assert typ == "OK" and b"[CAPABILITY " in data[0] and b"IDLE" in data[0]
    c.logout()
    assert PASSWORDS[ALICE] not in mail.log_text() and "wrong password" not in mail.log_text()


def test_login_disabled_without_tls_when_cleartext_is_never(tmp_path):
    s = start(tmp_path, '[auth]\ncleartext_login = "never"')
    try:
        c = imaplib.IMAP4("127.0.0.1", s.ports["imap"], timeout=30)
        assert "LOGINDISABLED" in c.capabilities
        with pytest.raises(imaplib.IMAP4.error, match="PRIVACYREQUIRED"):
            c.login(ALICE, PASSWORDS[ALICE])
        c.starttls(ssl_context=tls_context(s))
        assert "LOGINDISABLED" not in c.capabilities
        ok(c.login(ALICE, PASSWORDS[ALICE]))
        c.logout()
        t = imaplib.IMAP4_SSL("127.0.0.1", s.ports["imaps"], ssl_context=tls_context(s), timeout=30)
        ok(t.login(ALICE, PASSWORDS[ALICE]))
        t.logout()
    finally:
        s.stop()


def test_authenticate_plain_with_initial_response(mail):
    r = Raw(mail)
    import base64
    token = base64.b64encode(f"\0{ALICE}\0{PASSWORDS[ALICE]}".encode()).decode()
    _, tagged = r.command("a1", f"AUTHENTICATE PLAIN {token}")
    assert tagged.startswith("a1 OK"), tagged
    r.close()


def test_bad_commands_get_bad_and_state_rules_hold(mail):
    r = Raw(mail)
    assert r.command("a1", "FETCH 1 FLAGS")[1].startswith("a1 BAD")
    assert r.command("a2", "NOSUCHCOMMAND")[1].startswith("a2 BAD")
    assert r.command("a3", f'LOGIN {ALICE} "{PASSWORDS[ALICE]}"')[1].startswith("a3 OK")
    assert r.command("a4", "FETCH 1 FLAGS")[1].startswith("a4 BAD"), "no mailbox selected"
    assert r.command("a5", f'LOGIN {ALICE} "x"')[1].startswith("a5 BAD"), "already authenticated"
    r.close()


# ---- mailboxes ------------------------------------------------------------------------------------

def test_list_special_use_create_rename_delete_subscribe(mail):
    c = imap(mail)
    names = {re.search(rb'"/" "?([^"]*)"?$', line).group(1).decode(): line for line in ok(c.list('""', "*"))}
    assert set(names) == {"INBOX", "Drafts", "Sent", "Junk", "Trash", "Archive"}
    assert b"\\Sent" in names["Sent"] and b"\\HasNoChildren" in names["INBOX"]
    ok(c.create("Projects/2026/Q4"))
    listed = ok(c.list('""', "Projects/%"))
    assert listed == [b'(\\HasChildren) "/" "Projects/2026"']
    ok(c.subscribe("Projects/2026"))
    ok(c.rename("Projects", "Work"))
    assert ok(c.lsub('""', "*")) == [b'() "/" "Work/2026"']
    assert c.delete("Work")[0] == "NO", "a mailbox with children is not deleted"
    ok(c.delete("Work/2026/Q4"))
    ok(c.delete("Work/2026"))
    ok(c.delete("Work"))
    assert c.delete("INBOX")[0] == "NO"
    assert c.create("INBOX")[0] == "NO"
    typ, data = c.select("Nope")
    assert typ == "NO" and b"NONEXISTENT" in data[0]
    c.logout()


def test_status_and_utf8_mailbox_names_in_modified_utf7(mail):
    c = imap(mail)
    ok(c.create("&AMQ-rger"))  # "Ärger" in modified UTF-7
    listed = ok(c.list('""', "&AMQ-*"))
    assert listed == [b'(\\HasNoChildren) "/" "&AMQ-rger"']
    deliver(mail, "one")
    deliver(mail, "two")
    status = ok(c.status("INBOX", "(MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT SIZE HIGHESTMODSEQ)"))[0]
    assert re.search(rb"MESSAGES 2 UNSEEN 2 UIDNEXT 3 UIDVALIDITY \d+ RECENT 2 SIZE \d+ HIGHESTMODSEQ \d+", status), status
    c.logout()


# ---- messages -------------------------------------------------------------------------------------

def test_fetch_envelope_bodystructure_sections_and_implicit_seen(mail):
    body = ("--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain part\r\n"
            "--b1\r\nContent-Type: text/html\r\n\r\n<p>html part</p>\r\n--b1--\r\n")
    deliver(mail, "structured", body=body,
            extra='MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="b1"\r\n')
    c = imap(mail)
    ok(c.select("INBOX"))
    data = ok(c.fetch("1", "(UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE)"))[0]
    assert b'"structured"' in data and b'(("Carol" NIL "carol" "remote.test"))' in data
    assert b'("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 10 0' in data
    assert b'"alternative" ("boundary" "b1")' in data
    # BODY (no extension data) is built from the message, with or without the cached forms.
    for items in ("(BODY)", "(ENVELOPE BODY)"):
        data = ok(c.fetch("1", items))[0]
        assert b'BODY (("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 10 0)' in data, data
        assert b'"alternative")' in data, data
    headers = ok(c.fetch("1", "(BODY.PEEK[HEADER.FIELDS (Subject)] BODY.PEEK[TEXT]<0.4>)"))[0]
    assert headers[1] == b"Subject: structured\r\n\r\n", headers
    part = ok(c.fetch("1", "(BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[HEADER.FIELDS (Subject)])"))
    flat = b"".join(x if isinstance(x, bytes) else b"".join(x) for x in part)
    assert b"plain part" in flat and b"Content-Type: text/html" in flat and b"Subject: structured\r\n\r\n" in flat
    assert b"\\Seen" not in ok(c.fetch("1", "(FLAGS)"))[0], "PEEK leaves \\Seen alone"
    text = ok(c.fetch("1", "(BODY[TEXT]<0.6>)"))
    assert text[0][1] == b"--b1\r\n"
    assert b"\\Seen" in ok(c.fetch("1", "(FLAGS)"))[0], "BODY[] sets \\Seen"
    whole = ok(c.fetch("1", "(RFC822)"))[0][1]
    assert whole.startswith(b"Return-Path: <carol@remote.test>\r\nReceived: ")
    assert whole.endswith(body.encode())
    c.logout()


def test_store_search_expunge_with_two_sessions(mail):
    for i in range(5):
        deliver(mail, f"message {i}")
    a, b = imap(mail), imap(mail)
    ok(a.select("INBOX"))
    ok(b.select("INBOX"))
    ok(a.store("2,4", "+FLAGS", "(\\Deleted \\Flagged $Important)"))
    assert ok(a.search(None, "FLAGGED")) == [b"2 4"]
    assert ok(a.search(None, "KEYWORD", "$important")) == [b"2 4"]
    assert ok(a.search(None, "SUBJECT", '"message 3"')) == [b"4"]
    assert ok(a.search(None, "NOT", "DELETED", "UID", "1:3")) == [b"1 3"]
    assert ok(a.search(None, "OR", "SUBJECT", '"message 0"', "SUBJECT", '"message 4"')) == [b"1 5"]
    assert ok(a.uid("SEARCH", "BODY", "hello")) == [b"1 2 3 4 5"]
    # b sees a's flag changes on NOOP as untagged FETCH FLAGS.
    ok(b.noop())
    fetches = b.untagged_responses.pop("FETCH", [])
    assert sorted(f.split(b" ")[0] for f in fetches) == [b"2", b"4"], fetches
    ok(a.expunge())
    ok(b.noop())
    assert sorted(b.untagged_responses.pop("EXPUNGE", []), reverse=True) == [b"4", b"2"]
    assert ok(b.fetch("1:*", "(UID)")) == [b"1 (UID 1)", b"2 (UID 3)", b"3 (UID 5)"]
    a.logout()
    b.logout()


def test_append_copy_move_with_uidplus(mail):
    c = imap(mail)
    typ, data = c.append("Drafts", "(\\Draft \\Seen)", imaplib.Time2Internaldate(1700000000),
                         message("a draft"))
    assert typ == "OK" and re.match(rb"\[APPENDUID \d+ 1\]", data[0]), data
    assert c.append("Nope", None, None, message("x"))[0] == "NO"
    ok(c.select("Drafts"))
    data = ok(c.fetch("1", "(FLAGS INTERNALDATE)"))[0]
    assert b"\\Draft" in data and b"\\Seen" in data and b'"14-Nov-2023 22:13:20 +0000"' in data
    typ, data = c.copy("1", "Archive")
    assert re.search(rb"\[COPYUID \d+ 1 1\]", data[0]), data
    typ, data = c.uid("MOVE", "1", "Trash")
    assert typ == "OK"
    assert ok(c.search(None, "ALL")) == [b""]
    ok(c.select("Trash"))
    assert b"a draft" in ok(c.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))[0][1]
    c.logout()


def test_condstore_and_qresync(mail):
    for i in range(3):
        deliver(mail, f"sync {i}")
    r = Raw(mail)
    r.command("a", f'LOGIN {ALICE} "{PASSWORDS[ALICE]}"')
    _, tagged = r.command("b", "ENABLE QRESYNC")
    assert tagged.startswith("b OK")
    untagged, tagged = r.command("c", "SELECT INBOX")
    validity = int(re.search(r"UIDVALIDITY (\d+)", "".join(untagged)).group(1))
    modseq = int(re.search(r"HIGHESTMODSEQ (\d+)", "".join(untagged)).group(1))
    untagged, _ = r.command("d", "STORE 1 +FLAGS (\\Seen)")
    assert re.search(r"\* 1 FETCH \(UID 1 FLAGS \(\\Seen( \\Recent)?\) MODSEQ \((\d+)\)\)", untagged[0]), untagged
    untagged, tagged = r.command("e", f"STORE 1 (UNCHANGEDSINCE {modseq}) +FLAGS (\\Flagged)")
    assert "[MODIFIED 1]" in tagged, tagged
    r.command("f", "STORE 3 +FLAGS (\\Deleted)")
    r.command("g", "EXPUNGE")
    r.command("h", "UNSELECT")
    untagged, tagged = r.command("i", f"SELECT INBOX (QRESYNC ({validity} {modseq} 1:3))")
    joined = "".join(untagged)
    assert "VANISHED (EARLIER) 3" in joined, joined
    assert re.search(r"\* 1 FETCH \(UID 1 FLAGS \(\\Seen", joined), joined
    untagged, _ = r.command("j", f"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {modseq} VANISHED)")
    assert any("VANISHED (EARLIER) 3" in u for u in untagged), untagged
    r.close()


def test_idle_wakes_on_smtp_delivery(mail):
    r = Raw(mail)
    r.command("a", f'LOGIN {ALICE} "{PASSWORDS[ALICE]}"')
    r.command("b", "SELECT INBOX")
    r.send("c IDLE")
    assert r.readline().startswith("+ ")
    started = time.monotonic()
    threading.Thread(target=deliver, args=(mail, "wake up")).start()
    line = r.readline()
    assert line == "* 1 EXISTS\r\n", line
    assert time.monotonic() - started < 5
    r.send("DONE")
    while line.startswith("* "):
        line = r.readline()
    assert line.startswith("c OK"), line
    r.close()


def test_full_text_search_sees_every_delivery_and_survives_restart_and_rebuild(mail):
    """SEARCH TEXT/BODY/FROM/SUBJECT go through the full-text index: a message is found by the
    SEARCH right after its SMTP 250, matching is by word prefix, a MOVE is followed, and the index
    survives a restart and is rebuilt when its folder is removed."""
    c = imap(mail)
    ok(c.select("INBOX"))
    html = ("MIME-Version: 1.0\r\nContent-Type: text/html; charset=iso-8859-1\r\n"
            "Content-Transfer-Encoding: quoted-printable")
    for i in range(20):
        deliver(mail, f"report {i}", body=f"Budget figures for week {i}.\r\n")
        # Found at once: the search waits for the indexer.
        assert ok(c.uid("SEARCH", "TEXT", f'"week {i}"'))[0].split()[-1] == str(i + 1).encode()
    deliver(mail, "Gr\u00fc\u00dfe", body="<p>Sch=F6ne Gr=FC=DFe aus M=FCnchen</p>\r\n", extra=html + "\r\n")
    assert ok(c.search(None, "BODY", "budg")) == [b" ".join(str(i).encode() for i in range(1, 21))]
    assert ok(c.search(None, "BODY", "udget")) == [b""], "word prefix, not substring"
    assert ok(c.search(None, "FROM", "carol@remote")) == [b" ".join(str(i).encode() for i in range(1, 22))]
    c.literal = "münchen".encode()
    assert ok(c.search("UTF-8", "BODY")) == [b"21"], "charset decoded, HTML reduced to text"
    assert ok(c.search(None, "SUBJECT", "report", "NOT", "BODY", "week")) == [b""]
    ok(c.uid("MOVE", "1:5", "Archive"))
    assert ok(c.search(None, "TEXT", "budget")) == [b" ".join(str(i).encode() for i in range(1, 16))]
    ok(c.select("Archive"))
    assert ok(c.uid("SEARCH", "SUBJECT", "report", "BODY", "week")) == [b"1 2 3 4 5"]
    c.logout()

    mail.stop()
    mail.start()
    c = imap(mail)
    ok(c.select("INBOX"))
    assert ok(c.search(None, "TEXT", "budget")) == [b" ".join(str(i).encode() for i in range(1, 16))]
    c.logout()
    assert "search.rebuild_started" not in mail.log_text().split("serve.ready")[-1], "the cursor was kept"

    mail.stop()
    import shutil
    shutil.rmtree(mail.data / "search")
    mail.start()
    c = imap(mail)
    ok(c.select("INBOX"))
    assert ok(c.search(None, "SUBJECT", "report", "BODY", "week")) == [b" ".join(str(i).encode() for i in range(1, 16))]
    c.logout()
    assert "search.rebuild_done" in mail.log_text()


def tiny_pdf(text):
    """A one-page PDF showing `text` in Helvetica."""
    stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)


def tiny_docx(text):
    import io
    import zipfile
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                   'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>' + text + "</w:t></w:r></w:p></w:body></w:document>")
    return b.getvalue()


def test_search_finds_words_inside_pdf_and_docx_attachments(mail):
    """Attachments go through Debian's decoders (pdftotext, docx2txt) into the index: BODY and
    TEXT find words that exist only inside the documents; a broken document is indexed by name."""
    from email.message import EmailMessage
    docs = [("invoice.pdf", "application", "pdf", tiny_pdf(b"Invoice for pelican feathers")),
            ("minutes.docx", "application", "octet-stream", tiny_docx("Minutes about walrus migration")),
            ("broken.pdf", "application", "pdf", b"%PDF-1.4 this is not a document")]
    for name, maintype, subtype, data in docs:
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = "carol@remote.test", ALICE, f"sending {name}"
        m.set_content("See the attached file.")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
        with smtplib.SMTP("127.0.0.1", mail.ports["smtp"], timeout=30) as c:
            c.send_message(m)
    c = imap(mail)
    ok(c.select("INBOX"))
    assert ok(c.search(None, "BODY", "pelican")) == [b"1"]
    assert ok(c.search(None, "TEXT", '"walrus migr"')) == [b"2"], "by file name when the type is octet-stream"
    assert ok(c.search(None, "BODY", "broken")) == [b"3"]
    assert ok(c.search(None, "BODY", '"feathers walrus"')) == [b""]
    c.logout()


def rss_anon_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    raise AssertionError("no RssAnon")


def test_fetch_of_a_large_message_streams_from_the_blob(tmp_path, monkeypatch):
    """A 24 MiB message (a blob file) is fetched whole, by part, decoded and in partials, byte for
    byte, while the server's heap grows by far less than the message: sections are sent from the
    mapped blob file in chunks, not copied."""
    import os
    # An AddressSanitizer build keeps freed memory in quarantine, which would read as heap growth.
    asan = os.environ.get("ASAN_OPTIONS", "")
    monkeypatch.setenv("ASAN_OPTIONS", (asan + ":" if asan else "") + "quarantine_size_mb=0:thread_local_quarantine_size_kb=0")
    mail = start(tmp_path)
    try:
        fetch_large_message(mail)
    finally:
        mail.stop()


def fetch_large_message(mail):
    import base64
    import random
    rnd = random.Random(7)
    payload = bytes(rnd.getrandbits(8) for _ in range(64 * 1024)) * 288  # 18 MiB
    b64 = base64.encodebytes(payload).replace(b"\n", b"\r\n")
    head = (b"From: Carol <carol@remote.test>\r\nTo: <" + ALICE.encode() + b">\r\nSubject: big\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n"
            b"--zz\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n"
            b"--zz\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=data.bin\r\n\r\n")
    msg = head + b64 + b"--zz--\r\n"
    c = imap(mail)
    ok(c.append("INBOX", None, None, msg))
    ok(c.select("INBOX"))
    ok(c.search(None, "BODY", "attachment"))  # waits for the indexer, which reads the message too
    pid = mail.proc.pid
    before = rss_anon_kib(pid)
    peak = [before]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_anon_kib(pid))
            time.sleep(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        whole = ok(c.fetch("1", "(BODY.PEEK[])"))[0][1]
        part = ok(c.fetch("1", "(BODY.PEEK[2])"))[0][1]
        partial = ok(c.fetch("1", "(BODY.PEEK[2]<1000000.2000000>)"))[0][1]
        decoded = ok(c.fetch("1", "(BINARY.PEEK[2])"))[0][1]
    finally:
        stop.set()
        sampler.join()
    assert whole == msg
    assert part == b64[:-2], "the part ends before the CRLF that belongs to the boundary"
    assert partial == b64[1000000:3000000]
    assert decoded == payload
    grown_mib = (peak[0] - before) / 1024
    # BINARY decodes into memory once (18 MiB); everything else streams from the mapped file.
    # Without streaming, BODY[] alone would hold the 24 MiB message twice (blob and response).
    assert grown_mib < 24, f"heap grew {grown_mib:.1f} MiB while fetching a {len(msg) >> 20} MiB message"
    c.logout()


def test_esearch_and_searchres(mail):
    for i in range(4):
        deliver(mail, f"es {i}")
    r = Raw(mail)
    r.command("a", f'LOGIN {ALICE} "{PASSWORDS[ALICE]}"')
    r.command("b", "SELECT INBOX")
    untagged, tagged = r.command("c", "UID SEARCH RETURN (MIN MAX COUNT ALL) SUBJECT es")
    assert untagged == ['* ESEARCH (TAG "c") UID MIN 1 MAX 4 COUNT 4 ALL 1:4\r\n'], untagged
    untagged, _ = r.command("d", "SEARCH RETURN (SAVE) SUBJECT \"es 2\"")
    assert untagged == []
    untagged, _ = r.command("e", "FETCH $ (UID)")
    assert untagged == ["* 3 FETCH (UID 3)\r\n"], untagged
    r.close()


# ---- real sync clients ----------------------------------------------------------------------------

def mbsync_config(mail, tmp_path, maildir):
    conf = tmp_path / "mbsyncrc"
    conf.write_text(f"""IMAPAccount atrium
Host 127.0.0.1
Port {mail.ports["imap"]}
User {ALICE}
Pass "{PASSWORDS[ALICE]}"
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account atrium

MaildirStore local
Path {maildir}/
Inbox {maildir}/INBOX
SubFolders Verbatim

Channel sync
Far :remote:
Near :local:
Patterns *
Create Both
Remove Both
Expunge Both
Sync All
SyncState *
""")
    return conf


def run_mbsync(conf):
    import subprocess
    r = subprocess.run(["mbsync", "-c", str(conf), "-V", "sync"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout + r.stderr


def maildir_files(root, folder="INBOX"):
    d = root / folder
    return sorted(p for sub in ("cur", "new") for p in (d / sub).glob("*")) if d.exists() else []


def test_mbsync_two_way_sync_of_1000_messages(mail, tmp_path):
    with smtplib.SMTP("127.0.0.1", mail.ports["smtp"], timeout=60) as c:
        for i in range(1000):
            c.sendmail("carol@remote.test", [ALICE], message(f"bulk {i}"))
    maildir = tmp_path / "Mail"
    maildir.mkdir()
    conf = mbsync_config(mail, tmp_path, maildir)
    run_mbsync(conf)
    files = maildir_files(maildir)
    assert len(files) == 1000
    assert (maildir / "Sent").exists() and (maildir / "Archive").exists()

    # Server side: flag 10, delete 5, move 5 to Archive. Local side: flag 3 as seen, delete 2.
    c = imap(mail)
    ok(c.select("INBOX"))
    ok(c.uid("STORE", "1:10", "+FLAGS", "(\\Flagged)"))
    ok(c.uid("STORE", "11:15", "+FLAGS", "(\\Deleted)"))
    ok(c.expunge())
    ok(c.uid("MOVE", "16:20", "Archive"))
    c.logout()
    local = maildir_files(maildir)
    for p in local[-3:]:
        p.rename(p.parent.parent / "cur" / (p.name.split(":")[0] + ":2,S"))
    for p in maildir_files(maildir)[-6:-4]:
        p.unlink()
    run_mbsync(conf)

    assert len(maildir_files(maildir)) == 1000 - 5 - 5 - 2
    assert len(maildir_files(maildir, "Archive")) == 5
    assert sum(1 for p in maildir_files(maildir) if "F" in p.name.split(":2,")[-1]) == 10
    c = imap(mail)
    ok(c.select("INBOX", readonly=True))
    assert len(ok(c.search(None, "ALL"))[0].split()) == 988
    assert len(ok(c.search(None, "SEEN"))[0].split()) == 3
    c.logout()

    # Nothing changed: the next run transfers nothing, either way.
    def state():
        c = imap(mail)
        st = ok(c.status("INBOX", "(MESSAGES HIGHESTMODSEQ UIDNEXT)"))[0]
        c.logout()
        return st, sorted(p.name for p in maildir_files(maildir) + maildir_files(maildir, "Archive"))
    before = state()
    run_mbsync(conf)
    assert state() == before


def test_fetchmail_over_imap_keeps_then_flushes(mail, tmp_path):
    import os
    import subprocess
    for i in range(3):
        deliver(mail, f"fetch {i}")
    out = tmp_path / "out"
    out.mkdir()
    rc = tmp_path / "fetchmailrc"
    rc.write_text(f'poll 127.0.0.1 protocol IMAP port {mail.ports["imap"]} auth password\n'
                  f'  user "{ALICE}" password "{PASSWORDS[ALICE]}" sslproto ""\n'
                  f'  mda "/bin/sh -c \'cat > {out}/$$.eml\'"\n')
    os.chmod(rc, 0o600)
    env = dict(os.environ, HOME=str(tmp_path))

    def fetch(*args):
        r = subprocess.run(["fetchmail", "-f", str(rc), "--nosyslog", "-N", "--pidfile", str(tmp_path / "pid"), *args],
                           capture_output=True, text=True, timeout=120, env=env)
        assert r.returncode in (0, 1), r.stdout + r.stderr  # 1: no mail
        return r
    fetch("--keep")
    got = sorted(p.read_bytes() for p in out.glob("*.eml"))
    assert len(got) == 3 and all(b"Subject: fetch " in m for m in got)
    c = imap(mail)
    ok(c.select("INBOX", readonly=True))
    assert ok(c.search(None, "SEEN"))[0].split() == [b"1", b"2", b"3"], "fetchmail marks what it took"
    c.logout()
    fetch("--all", "--nokeep")
    c = imap(mail)
    assert re.search(rb"MESSAGES 0", ok(c.status("INBOX", "(MESSAGES)"))[0])
    c.logout()


def test_offlineimap_sync(mail, tmp_path):
    import subprocess
    for i in range(20):
        deliver(mail, f"offline {i}")
    local = tmp_path / "Maildir"
    conf = tmp_path / "offlineimaprc"
    conf.write_text(f"""[general]
accounts = atrium
metadata = {tmp_path}/meta

[Account atrium]
localrepository = local
remoterepository = remote

[Repository local]
type = Maildir
localfolders = {local}

[Repository remote]
type = IMAP
remotehost = 127.0.0.1
remoteport = {mail.ports["imap"]}
remoteuser = {ALICE}
remotepass = {PASSWORDS[ALICE]}
ssl = no
starttls = no
""")
    r = subprocess.run(["offlineimap", "-c", str(conf), "-o", "-u", "basic"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(list((local / "INBOX" / "cur").glob("*")) + list((local / "INBOX" / "new").glob("*"))) == 20
    # A local flag goes up on the next run.
    first = sorted(list((local / "INBOX" / "cur").glob("*")) + list((local / "INBOX" / "new").glob("*")))[0]
    first.rename(local / "INBOX" / "cur" / (first.name.split(":2,")[0] + ":2,FS"))
    r = subprocess.run(["offlineimap", "-c", str(conf), "-o", "-u", "basic"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    c = imap(mail)
    ok(c.select("INBOX", readonly=True))
    assert len(ok(c.search(None, "FLAGGED"))[0].split()) == 1
    c.logout()


def test_imapflow_condstore_qresync_move_and_idle(mail):
    import json
    import pathlib
    import subprocess
    node_dir = pathlib.Path(__file__).parent / "node"
    assert (node_dir / "node_modules" / "imapflow").exists(), "scripts/test installs the node clients"
    for i in range(3):
        deliver(mail, f"flow {i}")
    p = subprocess.Popen(["node", str(node_dir / "imapflow_check.mjs"), str(mail.ports["imap"]), ALICE, PASSWORDS[ALICE]],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    steps = {}
    try:
        for line in p.stdout:
            step = json.loads(line)
            steps[step["step"]] = step
            if step["step"] == "idling":
                deliver(mail, "while idling")
                p.stdin.write("go\n")
                p.stdin.flush()
            if step["step"] == "done":
                break
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, p.stderr.read()
    caps = steps["connected"]["capabilities"]
    assert {"CONDSTORE", "QRESYNC", "IDLE", "MOVE", "UIDPLUS"} <= set(caps), caps
    assert steps["opened"]["exists"] == 3 and int(steps["opened"]["highestModseq"]) > 0
    assert [m["subject"] for m in steps["fetched"]["messages"]] == ["flow 0", "flow 1", "flow 2"]
    assert all(int(m["modseq"]) > 0 for m in steps["fetched"]["messages"])
    assert "\\Flagged" in steps["flagged"]["flags"] and "$Important" in steps["flagged"]["flags"]
    assert steps["moved"]["uidMap"] == [[2, 1]]
    assert steps["expunge-seen"]["vanished"] is True and steps["expunge-seen"]["uid"] == 3
    assert steps["exists-seen"]["count"] == 2


def test_sort_and_thread(mail):
    deliver(mail, "beta", sender="zed@remote.test", extra="Date: Fri, 27 Nov 2026 09:00:00 +0000\r\n")
    deliver(mail, "Alpha", sender="amy@remote.test")
    deliver(mail, "Re: beta", sender="bob@remote.test",
            extra=f"In-Reply-To: <{abs(hash('beta'))}@remote.test>\r\nReferences: <{abs(hash('beta'))}@remote.test>\r\n")
    c = imap(mail)
    assert "SORT" in c.capabilities and "THREAD=REFERENCES" in c.capabilities
    ok(c.select("INBOX"))
    assert ok(c.sort("(SUBJECT)", "UTF-8", "ALL")) == [b"2 1 3"]
    assert ok(c.sort("(REVERSE FROM)", "UTF-8", "ALL")) == [b"1 3 2"]
    assert ok(c.sort("(SIZE)", "UTF-8", "SUBJECT", "beta")) in ([b"1 3"], [b"3 1"])
    assert ok(c.uid("SORT", "(ARRIVAL)", "UTF-8", "ALL")) == [b"1 2 3"]
    assert ok(c.thread("REFERENCES", "UTF-8", "ALL")) == [b"(1 3)(2)"]
    assert ok(c.thread("ORDEREDSUBJECT", "UTF-8", "ALL")) == [b"(1 3)(2)"]
    # OBJECTID (RFC 8474): threads assigned at delivery, one THREADID for the reply and its parent.
    threads = {}
    for line in ok(c.fetch("1:3", "(THREADID EMAILID)")):
        m = re.match(rb"(\d+) \(THREADID \((T\d+)\) EMAILID \((M\w+)\)\)", line)
        assert m, line
        threads[int(m.group(1))] = m.group(2).decode()
    assert threads[1] == threads[3] != threads[2]
    assert ok(c.search(None, "THREADID", threads[1])) == [b"1 3"]
    assert ok(c.search(None, "THREADID", "T999999999")) == [b""]
    c.logout()


def test_compress_deflate(mail):
    import zlib
    deliver(mail, "squeezed", body=("la " * 100 + "\r\n") * 20)
    r = Raw(mail)
    r.command("a", f'LOGIN {ALICE} "{PASSWORDS[ALICE]}"')
    _, tagged = r.command("b", "COMPRESS DEFLATE")
    assert tagged.startswith("b OK"), tagged
    out, inp = zlib.compressobj(wbits=-15), zlib.decompressobj(wbits=-15)
    pending = b""

    def send(line):
        r.sock.sendall(out.compress(line.encode() + b"\r\n") + out.flush(zlib.Z_SYNC_FLUSH))

    def until_tagged(tag):
        nonlocal pending
        while f"\r\n{tag} ".encode() not in b"\r\n" + pending:
            chunk = r.sock.recv(65536)
            assert chunk, "closed"
            pending += inp.decompress(chunk)
        text, pending = pending, b""
        return text

    send("c SELECT INBOX")
    assert b"* 1 EXISTS" in until_tagged("c")
    send("d FETCH 1 (BODY.PEEK[TEXT])")
    got = until_tagged("d")
    assert b"la la la" in got and got.count(b"la ") == 2000
    send("e COMPRESS DEFLATE")
    assert b"e NO [COMPRESSIONACTIVE]" in until_tagged("e")
    send("f LOGOUT")
    assert b"f OK" in until_tagged("f")
    r.close()
