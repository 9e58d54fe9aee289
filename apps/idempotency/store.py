"""The `idempotency_keys` table: the request's lock, the stored answer, and the purge.

Every function runs on the caller's connection and transaction, except `purge_expired`, which
commits one bounded batch at a time.
"""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import (Column, DateTime, Engine, LargeBinary, MetaData, SmallInteger, Table, Text,
                        func, insert, select, text)
from sqlalchemy.engine import Connection

idempotency_keys = Table(
    "idempotency_keys", MetaData(),  # the DDL is apps/idempotency/migration.py
    Column("scope", LargeBinary, primary_key=True),
    Column("fingerprint", LargeBinary, nullable=False),
    Column("status", SmallInteger, nullable=False),
    Column("content_type", Text),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Deletes one batch of the oldest expired rows. SKIP LOCKED lets every API process purge at the
# same time without waiting for one another; the index on created_at keeps the cost to the rows
# that are past the TTL.
PURGE_BATCH = text("""
    DELETE FROM idempotency_keys WHERE scope IN (
        SELECT scope FROM idempotency_keys
        WHERE created_at < now() - make_interval(secs => :ttl_seconds)
        ORDER BY created_at LIMIT :batch FOR UPDATE SKIP LOCKED)
""")


@dataclass(frozen=True)
class StoredResponse:
    fingerprint: bytes
    status: int
    content_type: str | None
    body: bytes


def lock_id(scope: bytes) -> int:
    """The scope's advisory lock: its first 8 bytes as PostgreSQL's signed bigint."""
    return int.from_bytes(scope[:8], "big", signed=True)


def try_lock(connection: Connection, scope: bytes) -> bool:
    """Takes the scope's lock until this transaction ends (commit, rollback or lost connection)."""
    return connection.scalar(select(func.pg_try_advisory_xact_lock(lock_id(scope))))


def find(connection: Connection, scope: bytes) -> StoredResponse | None:
    row = connection.execute(
        select(idempotency_keys.c.fingerprint, idempotency_keys.c.status,
               idempotency_keys.c.content_type, idempotency_keys.c.body)
        .where(idempotency_keys.c.scope == scope)).first()
    return None if row is None else StoredResponse(bytes(row.fingerprint), row.status,
                                                   row.content_type, bytes(row.body))


def save(connection: Connection, scope: bytes, answer: StoredResponse) -> None:
    connection.execute(insert(idempotency_keys).values(
        scope=scope, fingerprint=answer.fingerprint, status=answer.status,
        content_type=answer.content_type, body=answer.body))


def purge_expired(engine: Engine, ttl: timedelta, batch: int = 1000) -> int:
    """Deletes the keys older than `ttl`, `batch` rows per transaction; returns how many."""
    deleted = 0
    while True:
        with engine.begin() as connection:
            count = connection.execute(PURGE_BATCH, {"ttl_seconds": ttl.total_seconds(),
                                                     "batch": batch}).rowcount
        deleted += count
        if count < batch:
            return deleted
