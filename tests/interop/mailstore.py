"""Read-only view of a server's mail store (data/atrium.db and data/blobs) for interop tests.

Opens SQLite with mode=ro on every call, so it never holds a connection across the server's
writes and never changes anything. Layout: docs/architecture.md, "The store"."""
import dataclasses
import pathlib
import sqlite3

MAILBOX = 1   # storage::CollectionKind::mailbox
MESSAGE = 1   # storage::ItemKind::message


@dataclasses.dataclass
class StoredMessage:
    mailbox: str
    uid: int
    blob_hash: str
    size: int
    raw: bytes
    subject: str = ""
    message_id: str = ""


class MailStore:
    def __init__(self, data_dir):
        self.data = pathlib.Path(data_dir)

    def _query(self, sql, *args):
        db = sqlite3.connect(f"file:{self.data / 'atrium.db'}?mode=ro", uri=True, timeout=10)
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def blob_path(self, blob_hash):
        return self.data / "blobs" / blob_hash[:2] / blob_hash[2:4] / blob_hash

    def blob(self, blob_hash):
        """A blob's bytes: from its row when stored inline, else from its file."""
        rows = self._query("SELECT content FROM blobs WHERE hash = ?", blob_hash)
        if rows and rows[0][0] is not None:
            return bytes(rows[0][0])
        return self.blob_path(blob_hash).read_bytes()

    def blob_inline(self, blob_hash):
        rows = self._query("SELECT content IS NOT NULL FROM blobs WHERE hash = ?", blob_hash)
        return bool(rows and rows[0][0])

    def blob_row(self, blob_hash):
        """(size, refcount) of the blobs row, or None."""
        rows = self._query("SELECT size, refcount FROM blobs WHERE hash = ?", blob_hash)
        return rows[0] if rows else None

    def blob_rows(self):
        return self._query("SELECT hash, size, refcount FROM blobs ORDER BY hash")

    def blob_files(self):
        root = self.data / "blobs"
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    def mailboxes(self, email):
        return [r[0] for r in self._query(
            "SELECT c.name FROM collections c JOIN principals p ON p.id = c.account_id "
            "WHERE p.email = ? AND c.kind = ? ORDER BY c.name", email.lower(), MAILBOX)]

    def messages(self, email, mailbox=None):
        """Every message of `email` (optionally one mailbox), in delivery order, with its blob."""
        sql = ("SELECT c.name, i.uid, i.blob_hash, i.size, m.subject, m.message_id FROM items i "
               "JOIN collections c ON c.id = i.collection_id JOIN principals p ON p.id = i.account_id "
               "LEFT JOIN message_meta m ON m.item_id = i.id "
               "WHERE p.email = ? AND c.kind = ? AND i.kind = ?")
        args = [email.lower(), MAILBOX, MESSAGE]
        if mailbox is not None:
            sql += " AND c.name = ?"
            args.append(mailbox)
        rows = self._query(sql + " ORDER BY i.id", *args)
        return [StoredMessage(name, uid, h, size, self.blob(h), subject or "", mid or "")
                for name, uid, h, size, subject, mid in rows]

    def uidvalidity(self, email, mailbox="INBOX"):
        return self._query("SELECT c.uidvalidity FROM collections c JOIN principals p ON p.id = c.account_id "
                           "WHERE p.email = ? AND c.kind = ? AND c.name = ?", email.lower(), MAILBOX, mailbox)[0][0]

    def changes(self, email, mailbox="INBOX", op=None):
        """The change log of one mailbox as (modseq, uid, op) rows in log order; `op` filters
        (3 = item_deleted, the tombstones)."""
        sql = ("SELECT ch.modseq, ch.uid, ch.op FROM changes ch JOIN collections c ON c.id = ch.collection_id "
               "JOIN principals p ON p.id = ch.account_id WHERE p.email = ? AND c.name = ?")
        args = [email.lower(), mailbox]
        if op is not None:
            sql += " AND ch.op = ?"
            args.append(op)
        return self._query(sql + " ORDER BY ch.id", *args)

    def all_messages(self):
        rows = self._query("SELECT p.email, c.name, i.uid, i.blob_hash, i.size FROM items i "
                           "JOIN collections c ON c.id = i.collection_id JOIN principals p ON p.id = i.account_id "
                           "WHERE i.kind = ? ORDER BY i.id", MESSAGE)
        return [(email, StoredMessage(name, uid, h, size, self.blob(h))) for email, name, uid, h, size in rows]

    def count(self):
        """Messages stored for anyone."""
        return self._query("SELECT COUNT(*) FROM items WHERE kind = ?", MESSAGE)[0][0]

    def queued(self):
        """Messages waiting in the outbound queue (remote recipients)."""
        return self._query("SELECT COUNT(*) FROM outbound_queue")[0][0]

    def outbound(self):
        """The outbound queue: one dict per queued message with its recipients."""
        out = []
        for qid, h, size, rp, envid, ret, body, utf8 in self._query(
                "SELECT id, blob_hash, size, reverse_path, envid, ret, body_type, smtputf8 FROM outbound_queue ORDER BY id"):
            rcpts = self._query("SELECT address, notify, orcpt, status FROM outbound_recipients WHERE queue_id = ? "
                                "ORDER BY id", qid)
            out.append({"blob_hash": h, "size": size, "reverse_path": rp, "envid": envid, "ret": ret,
                        "body_type": body, "smtputf8": bool(utf8), "recipients": rcpts})
        return out


def split_trace(raw):
    """Splits a delivered blob into (return_path_line, received_field, rest).

    The server prepends exactly `Return-Path: <...>\\r\\n` and one `Received:` field (folded over
    continuation lines that start with a tab or space); `rest` is what the client sent."""
    first, sep, rest = raw.partition(b"\r\n")
    assert sep, raw[:200]
    assert rest.startswith(b"Received: "), rest[:200]
    end = rest.index(b"\r\n") + 2
    while rest[end:end + 1] in (b"\t", b" "):
        end = rest.index(b"\r\n", end) + 2
    return first + b"\r\n", rest[:end], rest[end:]
