"""Helpers for bench/pop3/run: the messages, seeding Atrium (over LMTP) and a Maildir (the same
bytes Atrium stored, and the same password hashes for Dovecot's passdb), and the load: N users in parallel, each one POP3 session that RETRs and
DELEs every message of its maildrop and QUITs. Standard library only (Debian's python3).

  pop3_load.py seed-atrium --port P --users U --messages M --size S
  pop3_load.py seed-maildir --db atrium.db --root DIR --users U --passwd FILE
  pop3_load.py load --port P --users U

Users are user01@bench.test ... userNN@bench.test with the password "bench-password"."""
import argparse
import multiprocessing
import os
import pathlib
import smtplib
import socket
import sqlite3
import sys
import time

DOMAIN = "bench.test"
PASSWORD = "bench-password"


def user(i):
    return f"user{i + 1:02d}@{DOMAIN}"


def make_message(n, size):
    """A message of about `size` octets; some body lines start with '.', as real mail's do."""
    head = (f"From: <sender@remote.test>\r\nTo: <someone@{DOMAIN}>\r\nSubject: bench message {n}\r\n"
            f"Message-ID: <{n}.bench@remote.test>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n").encode()
    lines = []
    total = len(head)
    i = 0
    while total < size:
        line = (b"." if i % 10 == 0 else b"") + (b"%04d the quick brown fox jumps over the lazy dog" % i) + b"\r\n"
        lines.append(line)
        total += len(line)
        i += 1
    return head + b"".join(lines)


def seed_one(args):
    port, index, count, size = args
    with smtplib.LMTP("127.0.0.1", port, local_hostname="bench.client", timeout=120) as c:
        for n in range(count):
            c.sendmail("sender@remote.test", [user(index)], make_message(index * 100000 + n, size))


def seed_atrium(a):
    per_user = a.messages // a.users
    with multiprocessing.Pool(a.users) as pool:
        pool.map(seed_one, [(a.port, i, per_user, a.size) for i in range(a.users)])


def seed_maildir(a):
    """Writes every message Atrium stored for the bench users into root/<local>/Maildir/new, as
    Dovecot's own delivery would: LF line endings, S= (file size) and W= (CRLF size) in the name;
    and root/passwd with each user's Argon2id hash from Atrium's store, so both servers check the
    same password the same way."""
    db = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True)
    now = int(time.time())
    passwd = []
    for i in range(a.users):
        local = user(i).split("@")[0]
        new = pathlib.Path(a.root) / local / "Maildir" / "new"
        for d in ("new", "cur", "tmp"):
            (new.parent / d).mkdir(parents=True, exist_ok=True)
        rows = db.execute("SELECT b.content, i.blob_hash FROM items i JOIN principals p ON p.id = i.account_id "
                          "JOIN blobs b ON b.hash = i.blob_hash WHERE p.email = ? ORDER BY i.uid", (user(i),)).fetchall()
        for n, (content, blob_hash) in enumerate(rows):
            if content is None:
                sys.exit(f"blob {blob_hash} is a file; use messages under 256 KiB")
            raw = bytes(content)
            lf = raw.replace(b"\r\n", b"\n")
            name = f"{now}.M{n}P{os.getpid()}Q{n}.bench,S={len(lf)},W={len(raw)}"
            (new / name).write_bytes(lf)
        (phc,) = db.execute("SELECT password_hash FROM principals WHERE email = ?", (user(i),)).fetchone()
        if not phc.startswith("$argon2id$"):
            sys.exit(f"unexpected password hash for {user(i)}")
        passwd.append(f"{user(i)}:{{ARGON2ID}}{phc}\n")
    pathlib.Path(a.passwd).write_text("".join(passwd))


def read_reply(f):
    line = f.readline()
    if not line.startswith(b"+OK"):
        raise RuntimeError(f"unexpected reply: {line!r}")
    return line


def drain_multiline(f):
    octets = 0
    while True:
        line = f.readline()
        if not line:
            raise RuntimeError("connection closed inside a message")
        if line == b".\r\n":
            return octets
        octets += len(line)


def session(port, login, start, logged_in, results):
    """One user's POP3 session: log in, STAT, then RETR and DELE each message, QUIT. Waits for
    every session to be logged in before retrieving, so the two phases can be timed apart."""
    start.wait()
    t0 = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        f = s.makefile("rb", buffering=256 * 1024)
        read_reply(f)

        def cmd(text):
            s.sendall(text.encode() + b"\r\n")
            return read_reply(f)

        cmd(f"USER {login}")
        cmd(f"PASS {PASSWORD}")
        t1 = time.perf_counter()
        logged_in.wait()
        count = int(cmd("STAT").split()[1])
        octets = 0
        for n in range(1, count + 1):
            cmd(f"RETR {n}")
            octets += drain_multiline(f)
            cmd(f"DELE {n}")
        cmd("QUIT")
    results.put((login, count, octets, t1 - t0))


def load(a):
    """Prints: messages octets total_seconds login_seconds transfer_seconds. `total` runs from
    the start of the first connection to the last QUIT's +OK; `login` until every session is
    logged in; `transfer` from there (STAT, RETR, DELE, QUIT with its commit)."""
    start = multiprocessing.Barrier(a.users + 1)
    logged_in = multiprocessing.Barrier(a.users + 1)
    results = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=session, args=(a.port, user(i), start, logged_in, results))
             for i in range(a.users)]
    for p in procs:
        p.start()
    start.wait()
    t0 = time.perf_counter()
    logged_in.wait()
    t1 = time.perf_counter()
    got = [results.get(timeout=600) for _ in procs]
    t2 = time.perf_counter()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            sys.exit(f"a client failed (exit {p.exitcode})")
    messages = sum(g[1] for g in got)
    octets = sum(g[2] for g in got)
    print(f"{messages} {octets} {t2 - t0:.4f} {t1 - t0:.4f} {t2 - t1:.4f}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("seed-atrium")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--users", type=int, required=True)
    s.add_argument("--messages", type=int, required=True)
    s.add_argument("--size", type=int, required=True)
    m = sub.add_parser("seed-maildir")
    m.add_argument("--db", required=True)
    m.add_argument("--root", required=True)
    m.add_argument("--users", type=int, required=True)
    m.add_argument("--passwd", required=True)
    lo = sub.add_parser("load")
    lo.add_argument("--port", type=int, required=True)
    lo.add_argument("--users", type=int, required=True)
    a = ap.parse_args()
    {"seed-atrium": seed_atrium, "seed-maildir": seed_maildir, "load": load}[a.cmd](a)


if __name__ == "__main__":
    main()
