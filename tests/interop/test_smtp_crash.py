"""Crash safety on the wire: SIGKILL the server while 20 SMTP sessions deliver, restart it on the
same data, and check that every message that got its 250 is stored exactly once, that nothing is
stored twice, and that the database passes PRAGMA integrity_check. Two kill rounds."""
import collections
import random
import re
import signal
import smtplib
import sqlite3
import threading
import time

from conftest import Server
from mailstore import MailStore

SESSIONS = 20
ROUNDS = 2
RECIPIENT = "crash@example.test"
MARKER = re.compile(rb"X-Crash-Marker: (crash-r\d+-s\d+-n\d+)")


class Round:
    """One kill round: SESSIONS threads sending until told to stop, recording what was acknowledged."""

    def __init__(self, number, port):
        self.number = number
        self.port = port
        self.lock = threading.Lock()
        self.acked = []        # markers whose 250 after DATA was received
        self.in_flight = []    # markers whose transaction did not end in a reply
        self.unexpected = []   # errors before the kill
        self.stop = threading.Event()

    def message(self, marker):
        return (f"From: <sender@remote.test>\r\nTo: <{RECIPIENT}>\r\nSubject: {marker}\r\n"
                f"Message-ID: <{marker}@remote.test>\r\nX-Crash-Marker: {marker}\r\n\r\n"
                f"body of {marker}\r\n" + "filler line to give the message some size\r\n" * 20)

    def session(self, s):
        n = 0
        while not self.stop.is_set():
            try:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=20) as smtp:
                    while not self.stop.is_set():
                        marker = f"crash-r{self.number}-s{s}-n{n}"
                        n += 1
                        try:
                            smtp.sendmail("sender@remote.test", [RECIPIENT], self.message(marker))
                        except Exception:
                            with self.lock:
                                self.in_flight.append(marker)
                            raise
                        with self.lock:
                            self.acked.append(marker)
            except Exception as e:  # the kill ends every session; anything before it is a failure
                if not self.stop.is_set():
                    with self.lock:
                        self.unexpected.append(f"session {s}: {e!r}")
                return

    def run_until(self, server, acked_target, deadline):
        threads = [threading.Thread(target=self.session, args=(s,), daemon=True) for s in range(SESSIONS)]
        for t in threads:
            t.start()
        while len(self.acked) < acked_target and time.time() < deadline and not self.unexpected:
            time.sleep(0.005)
        # Stop first, so that the errors the kill causes are not counted as failures.
        self.stop.set()
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait(timeout=10)
        server.log.close()
        for t in threads:
            t.join(timeout=30)
        assert not any(t.is_alive() for t in threads), "a session did not end after the kill"
        assert not self.unexpected, self.unexpected
        assert len(self.acked) >= acked_target, f"only {len(self.acked)} messages acknowledged before the deadline"


def stored_markers(data):
    """marker -> number of stored messages carrying it, read from the blob files, and the same
    from message_meta's Message-IDs; checks the database on the way."""
    db = sqlite3.connect(f"file:{data / 'atrium.db'}?mode=ro", uri=True, timeout=10)
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchall()
        fk = db.execute("PRAGMA foreign_key_check").fetchall()
        refcounts = db.execute(
            "SELECT b.hash, b.refcount, (SELECT COUNT(*) FROM items i WHERE i.blob_hash = b.hash) "
            "+ (SELECT COUNT(*) FROM outbound_queue q WHERE q.blob_hash = b.hash) FROM blobs b").fetchall()
    finally:
        db.close()
    assert integrity == [("ok",)], integrity
    assert fk == [], fk
    bad = [(h, rc, refs) for h, rc, refs in refcounts if rc != refs]
    assert not bad, f"blob refcounts differ from references: {bad[:5]}"

    store = MailStore(data)
    messages = store.messages(RECIPIENT)  # reads every blob file (a missing one raises)
    assert store.count() == len(messages), "messages stored for someone else"
    in_blobs, in_meta = collections.Counter(), collections.Counter()
    for m in messages:
        found = MARKER.findall(m.raw)
        assert len(found) == 1, f"blob {m.blob_hash} carries {len(found)} markers"
        in_blobs[found[0].decode()] += 1
        in_meta[m.message_id.strip("<>").split("@")[0]] += 1
    return in_blobs, in_meta


def test_sigkill_during_concurrent_delivery_loses_and_duplicates_nothing(tmp_path):
    started = time.time()
    server = Server(tmp_path, ("http", "smtp"))
    server.cli("domain", "add", "example.test")
    server.cli("user", "add", RECIPIENT, "--password", "unused password 1")
    server.start()
    acked_total, in_flight_total = set(), set()
    try:
        for number in range(1, ROUNDS + 1):
            rnd = Round(number, server.ports["smtp"])
            rnd.run_until(server, random.randint(250, 400), deadline=time.time() + 20)
            server.log_path.rename(tmp_path / f"server-{number}.log")
            server.start()  # same config, data and ports: recovery happens in Store::open
            acked_total.update(rnd.acked)
            in_flight_total.update(rnd.in_flight)
            assert not acked_total & in_flight_total

            in_blobs, in_meta = stored_markers(server.data)
            twice = {m: c for m, c in in_blobs.items() if c > 1}
            assert not twice, f"round {number}: stored more than once: {sorted(twice)[:10]}"
            lost = acked_total - set(in_blobs)
            assert not lost, f"round {number}: {len(lost)} acknowledged messages lost: {sorted(lost)[:10]}"
            unknown = set(in_blobs) - acked_total - in_flight_total
            assert not unknown, f"round {number}: stored messages nobody sent: {sorted(unknown)[:10]}"
            assert in_meta == in_blobs, f"round {number}: message_meta disagrees with the blobs"
            print(f"round {number}: acknowledged {len(rnd.acked)}, in flight at the kill {len(rnd.in_flight)} "
                  f"({len(set(rnd.in_flight) & set(in_blobs))} of them stored), stored in total {len(in_blobs)}")
        assert server.stop() == 0, server.log_text()
        in_blobs, _ = stored_markers(server.data)
        assert set(in_blobs) >= acked_total and max(in_blobs.values()) == 1
    finally:
        server.stop(signal.SIGKILL)
    assert time.time() - started < 60
