"""The fake platform's charges, refunds and idempotency keys, in one SQLite file.

A file, not memory, so that a restart keeps every key's answer: a client retrying across a
restart of the platform must still never be charged twice. Each idempotent call runs in one
`BEGIN IMMEDIATE` transaction (SQLite's write lock, taken at the start), so two requests with the
same key at once are serialised: the second finds the first's answer. A request is identified
by an HMAC of its canonical body under a random per-file salt: a card number is never stored,
not even as a plain hash (one is easy to reverse from the brand and the last four digits).
"""
import hashlib
import hmac
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS requests (
    operation TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL, answer TEXT NOT NULL, PRIMARY KEY (operation, key));
CREATE TABLE IF NOT EXISTS charges (id TEXT PRIMARY KEY, reference TEXT NOT NULL, document TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS charges_reference ON charges (reference);
CREATE TABLE IF NOT EXISTS refunds (id TEXT PRIMARY KEY, charge_id TEXT NOT NULL UNIQUE, document TEXT NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('fingerprint_salt', randomblob(32));
"""


class KeyReused(Exception):
    """The idempotency key was first used with another request."""


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")  # readers do not wait for a writer
            db.executescript(SCHEMA)
            self._salt = db.execute("SELECT value FROM meta WHERE name = 'fingerprint_salt'").fetchone()[0]
        finally:
            db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        finally:
            if db.in_transaction:
                db.execute("ROLLBACK")
            db.close()

    def fingerprint(self, request: dict) -> str:
        canonical = json.dumps(request, sort_keys=True, separators=(",", ":")).encode()
        return hmac.new(self._salt, canonical, hashlib.sha256).hexdigest()

    def once(self, operation: str, key: str, request: dict,
             perform: Callable[[sqlite3.Connection], tuple[int, dict]]) -> tuple[int, dict, bool]:
        """(status, answer, replayed): the answer stored for `key` if there is one, else what
        `perform` answers, stored with its writes in the same transaction. An exception from
        `perform` stores nothing, so the key stays free."""
        fingerprint = self.fingerprint(request)
        with self.transaction() as db:
            stored = db.execute("SELECT fingerprint, status, answer FROM requests "
                                "WHERE operation = ? AND key = ?", (operation, key)).fetchone()
            if stored:
                if not hmac.compare_digest(stored[0], fingerprint):
                    raise KeyReused(key)
                return stored[1], json.loads(stored[2]), True
            status, answer = perform(db)
            db.execute("INSERT INTO requests VALUES (?, ?, ?, ?, ?)",
                       (operation, key, fingerprint, status, json.dumps(answer)))
            return status, answer, False

    @staticmethod
    def add_charge(db: sqlite3.Connection, charge: dict) -> dict:
        db.execute("INSERT INTO charges VALUES (?, ?, ?)", (charge["id"], charge["reference"], json.dumps(charge)))
        return charge

    @staticmethod
    def add_refund(db: sqlite3.Connection, refund: dict) -> dict:
        db.execute("INSERT INTO refunds VALUES (?, ?, ?)", (refund["id"], refund["charge"], json.dumps(refund)))
        return refund

    @staticmethod
    def charge_in(db: sqlite3.Connection, charge_id: str) -> dict | None:
        row = db.execute("SELECT c.document, r.id FROM charges c LEFT JOIN refunds r ON r.charge_id = c.id "
                         "WHERE c.id = ?", (charge_id,)).fetchone()
        return {**json.loads(row[0]), "refund": row[1]} if row else None

    def charge(self, charge_id: str) -> dict | None:
        with self.transaction() as db:
            return self.charge_in(db, charge_id)

    def charges(self, reference: str | None, limit: int = 100) -> list[dict]:
        """The charges of one reference (all, newest first, with none), at most `limit`."""
        with self.transaction() as db:
            ids = db.execute("SELECT id FROM charges WHERE ? IS NULL OR reference = ? "
                             "ORDER BY rowid DESC LIMIT ?", (reference, reference, limit)).fetchall()
            return [self.charge_in(db, charge_id) for (charge_id,) in ids]
