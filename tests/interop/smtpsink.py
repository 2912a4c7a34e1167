"""SMTP servers that receive what Atrium delivers, for interop tests.

SmtpSink: a scriptable ESMTP server in pure Python (socket + threading), one thread per
connection. It records every accepted message:

    sink = SmtpSink(("127.0.0.2", port), cert=cert, key=key).start()
    ... Atrium delivers ...
    [msg] = sink.wait_for(1, timeout=30)
    msg.mail_from, msg.rcpt_tos, msg.data, msg.tls, msg.mail_params, msg.rcpt_params
    sink.stop()

Replies are scriptable per stage with `replies` (a dict that may be changed while the sink
runs): the stages are "greeting", "ehlo", "helo", "starttls", "mail", "rcpt", "data" (the reply
to DATA, 354 by default), "bdat" (a BDAT chunk that is not LAST), "data_end" (after the final
dot or BDAT LAST; a 2xx reply records the message), "rset", "noop", "vrfy", "quit". A value is
a reply string ("451 4.7.1 try later"; several lines separated by "\\n"), or a callable
(sink, session) -> reply string or None (None: the default reply). Two special values: STALL
(stop answering until the client closes or the sink stops) and CLOSE (drop the connection without
a reply). A reply with code 421 closes the connection after it is sent. Helpers: first_n(n, reply),
by_rcpt({address: reply}).

`stall="rcpt"` (or a set of stages) stalls at that stage on every connection; the stage
"handshake" stalls after the 220 to STARTTLS, before the TLS handshake. `starttls_fail=True`
advertises STARTTLS, answers 220 and then sends garbage and closes.

PostfixSink runs Postfix's smtp-sink with -d so that each transaction is dumped into a file.
"""
import os
import pathlib
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time

STALL = object()
CLOSE = object()

DEFAULT_EXTENSIONS = ("PIPELINING", "8BITMIME", "SMTPUTF8", "SIZE 100000000", "ENHANCEDSTATUSCODES", "DSN",
                      "CHUNKING")

_handed_out = set()


def free_port(*hosts):
    """A TCP port free on every one of `hosts` (e.g. "127.0.0.2", "127.0.0.3": two MX hosts that
    Atrium reaches on its one [delivery] remote_port), never the same twice per run."""
    hosts = hosts or ("127.0.0.1",)
    for _ in range(1000):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((hosts[0], 0))
            port = s.getsockname()[1]
            if port in _handed_out:
                continue
            ok = True
            for h in hosts[1:]:
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as o:
                    try:
                        o.bind((h, port))
                    except OSError:
                        ok = False
                        break
        if ok:
            _handed_out.add(port)
            return port
    raise RuntimeError(f"no port free on all of {hosts}")


def first_n(n, reply):
    """A `replies` value: `reply` for the first n times the stage is reached (over all
    connections), then the default behaviour."""
    lock = threading.Lock()
    count = [0]

    def answer(sink, session):
        with lock:
            count[0] += 1
            return reply if count[0] <= n else None
    answer.calls = count
    return answer


def by_rcpt(mapping, default=None):
    """A `replies["rcpt"]` value: the reply for the recipient address (case-insensitive),
    `default` (None: accept) for the others."""
    low = {k.lower(): v for k, v in mapping.items()}

    def answer(sink, session):
        return low.get((session.rcpt or "").lower(), default)
    return answer


class Message:
    """One accepted message."""

    def __init__(self, session, data, chunked):
        self.mail_from = session.mail_from
        self.mail_params = session.mail_params
        self.rcpt_tos = list(session.rcpt_tos)
        self.rcpt_params = list(session.rcpt_params)
        self.data = bytes(data)
        self.tls = session.tls
        self.tls_version = session.tls_version
        self.helo = session.helo
        self.peer = session.peer
        self.connection = session.connection
        self.chunked = chunked  # received with BDAT

    def __repr__(self):
        return (f"<Message from={self.mail_from!r} to={self.rcpt_tos!r} {len(self.data)} octets"
                f"{' tls' if self.tls else ''}{' bdat' if self.chunked else ''}>")


class Session:
    """What a reply callable sees: the state of one connection."""

    def __init__(self, connection, peer):
        self.connection = connection  # 1 for the sink's first connection, 2 for the next ...
        self.peer = peer
        self.helo = None
        self.esmtp = False
        self.tls = False
        self.tls_version = None
        self.stage = None
        self.line = None  # the command line being answered (str, without CRLF)
        self.arg = ""
        self.rcpt = None  # the address of the RCPT being answered
        self.rcpt_param = ""
        self.messages = 0  # accepted on this connection
        self.reset()  # mail_from, mail_params, rcpt_tos, rcpt_params, in_transaction, and
        # data: the message at "data_end" (at "bdat": what was received so far)

    def reset(self):
        self.mail_from = None
        self.mail_params = ""
        self.rcpt_tos = []
        self.rcpt_params = []
        self.in_transaction = False
        self.data = None


class _Closed(Exception):
    pass


class _Conn:
    """A socket with a read buffer: lines and exact byte counts, several commands per packet."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.pos = 0

    def _compact(self):
        if self.pos:
            del self.buf[:self.pos]
            self.pos = 0

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise _Closed()
        self.buf += chunk

    def readline(self, limit=65536):
        self._compact()
        start = 0
        while True:
            i = self.buf.find(b"\n", start)
            if i >= 0:
                self.pos = i + 1
                return bytes(self.buf[:i + 1])
            if len(self.buf) > limit:
                raise _Closed()
            start = len(self.buf)
            self._fill()

    def read_exact(self, n):
        self._compact()
        while len(self.buf) < n:
            self._fill()
        self.pos = n
        return bytes(self.buf[:n])

    def read_data(self):
        """DATA content up to CRLF.CRLF, dot-unstuffed; the CRLF before the dot belongs to it."""
        self._compact()
        while len(self.buf) < 3:
            self._fill()
        if self.buf.startswith(b".\r\n"):
            self.pos = 3
            return b""
        start = 0
        while True:
            i = self.buf.find(b"\r\n.\r\n", start)
            if i >= 0:
                raw = bytes(self.buf[:i + 2])
                self.pos = i + 5
                break
            start = max(0, len(self.buf) - 4)
            self._fill()
        if raw.startswith(b"."):
            raw = raw[1:]
        return raw.replace(b"\r\n.", b"\r\n")

    def discard_buffer(self):
        n = len(self.buf) - self.pos
        self.buf = bytearray()
        self.pos = 0
        return n

    def send(self, data):
        self.sock.sendall(data)


def _format_reply(text):
    lines = [l.rstrip("\r") for l in str(text).split("\n")]
    out = []
    for i, line in enumerate(lines):
        code = line[:3]
        rest = line[4:] if len(line) > 3 and line[3] in " -" else line[3:].lstrip()
        sep = " " if i == len(lines) - 1 else "-"
        out.append(f"{code}{sep}{rest}".rstrip() + "\r\n")
    return "".join(out).encode("utf-8")


class SmtpSink:
    """See the module docstring."""

    STALL = STALL
    CLOSE = CLOSE

    def __init__(self, address=("127.0.0.1", 0), port=None, *, hostname="sink.example.test", extensions=None,
                 replies=None, stall=None, cert=None, key=None, ssl_context=None, starttls_fail=False,
                 timeout=120):
        """`address`: (host, port) or a host with `port`; port 0 picks a free one (see .port).
        `extensions`: the EHLO keywords (default DEFAULT_EXTENSIONS); STARTTLS is added when
        `cert`/`key` (PEM files) or `ssl_context` is given or `starttls_fail` is set.
        `timeout`: seconds a connection may stay idle before the sink drops it."""
        if isinstance(address, str):
            address = (address, port or 0)
        self.host, self.port = address[0], address[1]
        self.hostname = hostname
        self.extensions = list(DEFAULT_EXTENSIONS if extensions is None else extensions)
        self.replies = dict(replies or {})
        self.stall = stall
        self.starttls_fail = starttls_fail
        self.timeout = timeout
        if ssl_context is None and cert:
            ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ssl_context.load_cert_chain(str(cert), str(key) if key else None)
        self.ssl_context = ssl_context
        self.messages = []
        self.connections = 0
        self.transcript = []  # (connection, "C" or "S" or "*", text)
        self.tls_errors = []  # (connection, str(error)) of failed server-side handshakes
        self.errors = []  # unexpected exceptions in connection threads
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._listener = None
        self._threads = []
        self._socks = set()
        self._accept_thread = None

    # -- control -------------------------------------------------------------------------------

    @property
    def address(self):
        return (self.host, self.port)

    def start(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((self.host, self.port))
        except OSError as e:
            s.close()
            raise RuntimeError(f"SmtpSink cannot listen on {self.host}:{self.port}: {e}") from e
        s.listen(64)
        s.settimeout(0.1)
        self._listener = s
        self.port = s.getsockname()[1]
        self._stop.clear()
        self._accept_thread = threading.Thread(target=self._accept_loop, name=f"smtpsink-{self.port}", daemon=True)
        self._accept_thread.start()
        return self

    def stop(self, timeout=5):
        self._stop.set()
        if self._accept_thread:
            self._accept_thread.join(timeout)
        if self._listener:
            self._listener.close()
            self._listener = None
        with self._cond:
            socks = list(self._socks)
        for s in socks:
            try:
                socket.socket.shutdown(s, socket.SHUT_RDWR)  # the plain socket's, also for an SSLSocket
            except OSError:
                pass
        for t in list(self._threads):
            t.join(timeout)
        self._threads = [t for t in self._threads if t.is_alive()]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def wait_for(self, n, timeout=30):
        """Waits until at least n messages were accepted; returns sink.messages (a copy)."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.messages) >= n, timeout):
                raise AssertionError(f"SmtpSink {self.host}:{self.port}: {len(self.messages)} of {n} messages "
                                     f"after {timeout}s\n{self.log_text()}")
            return list(self.messages)

    def wait_for_connections(self, n, timeout=30):
        with self._cond:
            if not self._cond.wait_for(lambda: self.connections >= n, timeout):
                raise AssertionError(f"SmtpSink {self.host}:{self.port}: {self.connections} of {n} connections "
                                     f"after {timeout}s\n{self.log_text()}")
            return self.connections

    def commands(self, connection=None):
        """The command lines the clients sent (of one connection if given)."""
        return [t for c, d, t in list(self.transcript) if d == "C" and (connection is None or c == connection)]

    def log_text(self):
        return "\n".join(f"[{c}] {d}: {t}" for c, d, t in list(self.transcript))

    # -- connections ---------------------------------------------------------------------------

    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                sock, peer = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                time.sleep(0.05)
                continue
            with self._cond:
                self.connections += 1
                number = self.connections
                self._socks.add(sock)
                self._cond.notify_all()
            t = threading.Thread(target=self._serve, args=(sock, peer, number), daemon=True,
                                 name=f"smtpsink-{self.port}-{number}")
            self._threads = [x for x in self._threads if x.is_alive()]
            self._threads.append(t)
            t.start()

    def _log(self, number, direction, text):
        self.transcript.append((number, direction, text))

    def _serve(self, sock, peer, number):
        sock.settimeout(self.timeout)
        conn = _Conn(sock)
        session = Session(number, peer)
        try:
            self._session(conn, session)
        except (_Closed, OSError, ssl.SSLError) as e:
            if not isinstance(e, _Closed) and not self._stop.is_set():
                self._log(number, "*", f"connection ended: {e!r}")
        except Exception as e:  # a bug in a reply callable or here: keep it for the test to see
            self.errors.append(e)
            self._log(number, "*", f"error: {e!r}")
        finally:
            with self._cond:
                self._socks.discard(conn.sock)
            try:
                conn.sock.close()
            except OSError:
                pass

    def _stall(self, conn, session):
        self._log(session.connection, "*", f"stalling at {session.stage}")
        conn.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                if not conn.sock.recv(65536):
                    break
            except socket.timeout:
                continue
            except (OSError, ssl.SSLError):
                break
        raise _Closed()

    def _stalls_at(self, stage):
        s = self.stall
        if s is None:
            return False
        return stage == s if isinstance(s, str) else stage in s

    def _reply(self, conn, session, stage, default):
        """Sends the reply for `stage` (or stalls/closes); returns the text sent."""
        session.stage = stage
        if self._stalls_at(stage):
            self._stall(conn, session)
        r = self.replies.get(stage)
        if callable(r):
            r = r(self, session)
        if r is None:
            r = default
        if r is STALL:
            self._stall(conn, session)
        if r is CLOSE:
            self._log(session.connection, "*", f"closing at {stage}")
            raise _Closed()
        text = str(r)
        wire = _format_reply(text)
        for line in wire.decode("utf-8").split("\r\n")[:-1]:
            self._log(session.connection, "S", line)
        conn.send(wire)
        if text.startswith("421"):
            raise _Closed()
        return text

    def _ehlo_lines(self, session):
        ext = list(self.extensions)
        if (self.ssl_context is not None or self.starttls_fail) and not session.tls \
                and not any(e.upper() == "STARTTLS" for e in ext):
            ext.append("STARTTLS")
        if session.tls:
            ext = [e for e in ext if e.upper() != "STARTTLS"]
        return "\n".join([f"250 {self.hostname} greets {session.helo}"] + [f"250 {e}" for e in ext])

    def _session(self, conn, session):
        n = session.connection
        self._reply(conn, session, "greeting", f"220 {self.hostname} ESMTP SmtpSink")
        while not self._stop.is_set():
            raw = conn.readline()
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self._log(n, "C", line)
            session.line = line
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            session.arg = arg.strip()
            if verb in ("EHLO", "HELO", "LHLO"):
                if not session.arg:
                    self._reply(conn, session, verb.lower(), "501 5.5.4 Syntax: EHLO hostname")
                    continue
                session.helo = session.arg
                default = self._ehlo_lines(session) if verb != "HELO" else f"250 {self.hostname}"
                sent = self._reply(conn, session, "ehlo" if verb != "HELO" else "helo", default)
                session.reset()
                if sent.startswith("2"):
                    session.esmtp = verb != "HELO"
                else:
                    session.helo = None
            elif verb == "STARTTLS":
                self._starttls(conn, session)
            elif verb == "MAIL":
                self._mail(conn, session)
            elif verb == "RCPT":
                self._rcpt(conn, session)
            elif verb == "DATA":
                if not session.in_transaction:
                    self._reply(conn, session, "data", "503 5.5.1 Error: need MAIL command")
                elif not session.rcpt_tos:
                    self._reply(conn, session, "data", "554 5.5.1 Error: no valid recipients")
                else:
                    sent = self._reply(conn, session, "data", "354 End data with <CR><LF>.<CR><LF>")
                    if sent.startswith("354"):
                        data = conn.read_data()
                        self._log(n, "C", f"<{len(data)} octets of message data>")
                        self._finish(conn, session, data, chunked=False)
            elif verb == "BDAT":
                self._bdat(conn, session)
            elif verb == "RSET":
                session.reset()
                self._reply(conn, session, "rset", "250 2.0.0 Ok")
            elif verb == "NOOP":
                self._reply(conn, session, "noop", "250 2.0.0 Ok")
            elif verb == "VRFY":
                self._reply(conn, session, "vrfy", "252 2.0.0 Cannot VRFY user")
            elif verb == "QUIT":
                self._reply(conn, session, "quit", "221 2.0.0 Bye")
                return
            else:
                self._reply(conn, session, "unknown", "500 5.5.2 Error: command not recognized")

    def _starttls(self, conn, session):
        n = session.connection
        if session.tls:
            self._reply(conn, session, "starttls", "503 5.5.1 Error: TLS already active")
            return
        if self.starttls_fail:
            self._reply(conn, session, "starttls", "220 2.0.0 Ready to start TLS")
            self._log(n, "*", "starttls_fail: sending garbage instead of a TLS handshake")
            conn.send(b"this is not a TLS ServerHello\r\n" * 8)
            raise _Closed()
        if self.ssl_context is None:
            self._reply(conn, session, "starttls", "454 4.7.0 TLS not available")
            return
        sent = self._reply(conn, session, "starttls", "220 2.0.0 Ready to start TLS")
        if not sent.startswith("220"):
            return
        extra = conn.discard_buffer()
        if extra:
            self._log(n, "*", f"discarded {extra} octets pipelined after STARTTLS")
        if self._stalls_at("handshake"):
            session.stage = "handshake"
            self._stall(conn, session)
        plain = conn.sock
        try:
            tls = self.ssl_context.wrap_socket(plain, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.tls_errors.append((n, str(e)))
            self._log(n, "*", f"TLS handshake failed: {e}")
            raise _Closed()
        with self._cond:
            self._socks.discard(plain)
            self._socks.add(tls)
        conn.sock = tls
        session.tls = True
        session.tls_version = tls.version()
        session.helo = None
        session.esmtp = False
        session.reset()
        self._log(n, "*", f"TLS established: {tls.version()} {tls.cipher()[0]}")

    @staticmethod
    def _path(arg, keyword):
        """('addr', 'params') from 'FROM:<addr> params', None if malformed."""
        m = re.match(keyword + r"\s*:\s*", arg, re.I)
        if not m:
            return None
        rest = arg[m.end():]
        if rest.startswith("<"):
            end = rest.find(">")
            if end < 0:
                return None
            return rest[1:end], rest[end + 1:].strip()
        addr, _, params = rest.partition(" ")
        return addr, params.strip()

    def _mail(self, conn, session):
        if session.helo is None:
            self._reply(conn, session, "mail", "503 5.5.1 Error: send HELO/EHLO first")
            return
        if session.in_transaction:
            self._reply(conn, session, "mail", "503 5.5.1 Error: nested MAIL command")
            return
        parsed = self._path(session.arg, "FROM")
        if parsed is None:
            self._reply(conn, session, "mail", "501 5.5.4 Syntax: MAIL FROM:<address>")
            return
        session.mail_from, session.mail_params = parsed
        sent = self._reply(conn, session, "mail", "250 2.1.0 Ok")
        if sent.startswith("2"):
            session.in_transaction = True
        else:
            session.reset()

    def _rcpt(self, conn, session):
        if not session.in_transaction:
            self._reply(conn, session, "rcpt", "503 5.5.1 Error: need MAIL command")
            return
        parsed = self._path(session.arg, "TO")
        if parsed is None:
            self._reply(conn, session, "rcpt", "501 5.5.4 Syntax: RCPT TO:<address>")
            return
        session.rcpt, session.rcpt_param = parsed
        sent = self._reply(conn, session, "rcpt", "250 2.1.5 Ok")
        if sent.startswith("2"):
            session.rcpt_tos.append(session.rcpt)
            session.rcpt_params.append(session.rcpt_param)

    def _bdat(self, conn, session):
        m = re.fullmatch(r"(\d+)(\s+LAST)?\s*", session.arg, re.I)
        if not m:
            self._reply(conn, session, "bdat", "501 5.5.4 Syntax: BDAT size [LAST]")
            return
        size, last = int(m.group(1)), bool(m.group(2))
        chunk = conn.read_exact(size)
        self._log(session.connection, "C", f"<{size} octets of BDAT data{' (LAST)' if last else ''}>")
        if not session.in_transaction or not session.rcpt_tos:
            self._reply(conn, session, "bdat", "503 5.5.1 Error: need MAIL and RCPT commands")
            session.data = None
            return
        if session.data is None:
            session.data = b""
        session.data += chunk
        if last:
            data, session.data = session.data, None
            self._finish(conn, session, data, chunked=True)
        else:
            sent = self._reply(conn, session, "bdat", f"250 2.0.0 Ok: {size} octets received")
            if not sent.startswith("2"):
                session.data = None
                session.reset()

    def _finish(self, conn, session, data, chunked):
        session.data = data
        queue_id = len(self.messages) + 1
        sent = self._reply(conn, session, "data_end", f"250 2.0.0 Ok: queued as S{queue_id}")
        if sent.startswith("2"):
            msg = Message(session, data, chunked)
            with self._cond:
                self.messages.append(msg)
                self._cond.notify_all()
            session.messages += 1
        session.data = None
        session.reset()


# -- Postfix's smtp-sink -----------------------------------------------------------------------


def _find_smtp_sink():
    for p in (shutil.which("smtp-sink"), "/usr/sbin/smtp-sink", "/usr/lib/postfix/sbin/smtp-sink"):
        if p and os.path.exists(p):
            return p
    raise RuntimeError("Postfix's smtp-sink is not installed")


class DumpedMessage:
    """A transaction smtp-sink wrote to a file (its -d format: LF line ends, dot-unstuffed)."""

    def __init__(self, path, raw):
        self.path = path
        self.raw = raw
        head, sep, rest = raw.partition(b"\nReceived: ")
        fields = {}
        for line in head.split(b"\n"):
            k, _, v = line.partition(b": ")
            fields.setdefault(k.decode("latin-1"), []).append(v.decode("utf-8", "replace"))
        self.client_addr = (fields.get("X-Client-Addr") or [None])[0]
        self.helo = (fields.get("X-Helo-Args") or [None])[0]
        mail_args = (fields.get("X-Mail-Args") or [""])[0]
        self.mail_from, self.mail_params = _split_path(mail_args)
        rcpts = [_split_path(a) for a in fields.get("X-Rcpt-Args", [])]
        self.rcpt_tos = [a for a, _ in rcpts]
        self.rcpt_params = [p for _, p in rcpts]
        # The Received field smtp-sink adds is three lines; the message follows, then one empty line.
        body = rest.split(b"\n", 3)[3] if sep and rest.count(b"\n") >= 3 else b""
        if body.endswith(b"\n\n"):
            body = body[:-1]
        self.data = body  # the message as received, with LF line ends

    def __repr__(self):
        return f"<DumpedMessage from={self.mail_from!r} to={self.rcpt_tos!r} {len(self.data)} octets>"


def _split_path(args):
    args = args.strip()
    if args.startswith("<"):
        end = args.find(">")
        return args[1:end], args[end + 1:].strip()
    a, _, p = args.partition(" ")
    return a, p.strip()


class PostfixSink:
    """Postfix's smtp-sink on host:port, dumping each transaction into a file under dir/dump.

        sink = PostfixSink(tmp_path, "127.0.0.2", port).start()
        sink.wait_for(1); sink.messages() -> [bytes of each dump file]; sink.parsed() -> [DumpedMessage]

    `args`: more smtp-sink options, e.g. ["-r", "RCPT"] (soft-reject RCPT), ["-W", "DATA:30"]
    (delay), ["-8"] (no 8BITMIME), ["-L"] (LMTP). smtp-sink offers no STARTTLS."""

    def __init__(self, tmpdir, host="127.0.0.1", port=0, args=(), hostname="postfix-sink.example.test"):
        self.binary = _find_smtp_sink()
        self.dir = pathlib.Path(tmpdir) / f"smtp-sink-{host}-{port or 'auto'}"
        self.dump_dir = self.dir / "dump"
        self.dump_dir.mkdir(parents=True, exist_ok=True)
        self.host = host
        self._fixed_port = bool(port)
        self.port = port or free_port(host)
        self.args = list(args)
        self.hostname = hostname
        self.out_path = self.dir / "smtp-sink.out"
        self.proc = None
        self._out = None

    @property
    def address(self):
        return (self.host, self.port)

    def command(self):
        cmd = [self.binary, "-c", "-h", self.hostname, "-d", str(self.dump_dir) + "/msg.", *self.args]
        if os.geteuid() == 0:
            cmd[1:1] = ["-u", "root"]  # smtp-sink refuses to run as root without -u
        return cmd + [f"{self.host}:{self.port}", "100"]

    def log_text(self):
        return self.out_path.read_text(errors="replace").replace("\r", "\n") if self.out_path.exists() else ""

    def start(self, timeout=10, attempts=3):
        self._out = open(self.out_path, "wb")
        self.proc = subprocess.Popen(self.command(), stdout=self._out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self._out.close()
                log = self.log_text()
                if attempts > 1 and not self._fixed_port and "in use" in log:
                    self.port = free_port(self.host)
                    return self.start(timeout, attempts - 1)
                raise RuntimeError(f"smtp-sink exited early ({self.proc.returncode}): {' '.join(self.command())}"
                                   f"\n{log}")
            if _listening(self.host, self.port):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"smtp-sink did not listen on {self.host}:{self.port}\n{self.log_text()}")

    def stop(self, timeout=5):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._out is not None:
            self._out.close()
            self._out = None
        return self.proc.returncode if self.proc else None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def counters(self):
        """smtp-sink's -c counters, e.g. {"sess": 1, "quit": 1, "mesg": 2} (the last line printed)."""
        text = self.out_path.read_text(errors="replace") if self.out_path.exists() else ""
        for line in reversed(re.split(r"[\r\n]+", text)):
            found = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", line))
            if "mesg" in found:
                return found
        return {}

    def _files(self):
        files = [p for p in self.dump_dir.iterdir() if p.is_file()]
        return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))

    def messages(self):
        """The dump files' contents (bytes), oldest first. A file appears at MAIL FROM and has its
        content once the final dot was answered; wait_for(n) first to read complete ones."""
        return [p.read_bytes() for p in self._files()]

    def parsed(self):
        return [DumpedMessage(p, p.read_bytes()) for p in self._files()]

    def wait_for(self, n, timeout=30):
        """Waits until n messages were received (counted by smtp-sink and dumped); returns parsed()."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            done = [m for m in self.parsed() if m.raw.endswith(b"\n\n") and b"\nReceived: " in m.raw]
            if len(done) >= n and self.counters().get("mesg", 0) >= n:
                return done
            if self.proc is not None and self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"smtp-sink {self.host}:{self.port}: {len(self.messages())} of {n} messages, "
                             f"counters {self.counters()}\n{self.log_text()}")


def _listening(host, port):
    """Whether a TCP socket listens on host:port (read from /proc: no test connection is made)."""
    v4 = f"{int.from_bytes(socket.inet_aton(host), 'little'):08X}"
    wanted = {"/proc/net/tcp": {v4, "00000000"},
              "/proc/net/tcp6": {"0000000000000000FFFF0000" + v4, "0" * 32}}
    for table, addrs in wanted.items():
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            cols = row.split()
            addr, p = cols[1].split(":")
            if cols[3] == "0A" and int(p, 16) == port and addr in addrs:
                return True
    return False
