"""The `api_keys` table of one service's database (created by its migration 0003), in SQLAlchemy Core.

Every function takes a Connection and leaves the transaction to the caller, except `scopes_of`,
which commits its last_used_at stamp: it runs on the request check's own short connection.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import (Column, Connection, DateTime, LargeBinary, MetaData, Table, Text, func,
                        insert, or_, select, update)
from sqlalchemy.dialects.postgresql import ARRAY

from apps.api_keys import keys
from apps.api_keys.keys import NewKey

metadata = MetaData()

api_keys = Table(
    "api_keys", metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("scopes", ARRAY(Text), nullable=False),
    Column("digest", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
)

# last_used_at is for people ("is this key still used?"), so minute precision is plenty and a busy
# key costs one UPDATE a minute rather than one per request.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class StoredKey:
    """A key as `list` shows it: never its digest."""
    id: str
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


LISTED = (api_keys.c.id, api_keys.c.name, api_keys.c.scopes, api_keys.c.created_at,
          api_keys.c.revoked_at, api_keys.c.last_used_at)


def add(connection: Connection, key: NewKey, name: str, scopes: tuple[str, ...]) -> None:
    connection.execute(insert(api_keys).values(id=key.id, name=name, scopes=list(scopes),
                                               digest=key.digest))


def revoke(connection: Connection, key_id: str) -> bool:
    """Marks the key revoked (keeping the row for the record); False if no live key has this id."""
    result = connection.execute(update(api_keys)
                                .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                                .values(revoked_at=func.now()))
    return result.rowcount == 1


def list_keys(connection: Connection) -> list[StoredKey]:
    rows = connection.execute(select(*LISTED).order_by(api_keys.c.created_at, api_keys.c.id))
    return [StoredKey(r.id, r.name, tuple(r.scopes), r.created_at, r.revoked_at, r.last_used_at)
            for r in rows]


def live_key(connection: Connection, key_id: str):
    """(digest, scopes, last_used_at) of the unrevoked key with this id, or None."""
    return connection.execute(
        select(api_keys.c.digest, api_keys.c.scopes, api_keys.c.last_used_at)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))).first()


def touch(connection: Connection, key_id: str) -> None:
    """Stamps last_used_at, unless another request did within LAST_USED_PRECISION."""
    connection.execute(update(api_keys)
                       .where(api_keys.c.id == key_id,
                              or_(api_keys.c.last_used_at.is_(None),
                                  api_keys.c.last_used_at < func.now() - LAST_USED_PRECISION))
                       .values(last_used_at=func.now()))


def scopes_of(connection: Connection, key: str, record_use: bool = True) -> tuple[str, ...] | None:
    """The scopes of `key` if it is a live key of this database, else None.

    Read on every request, never cached, so a revocation holds from its commit on.
    """
    key_id = keys.key_id(key)
    row = live_key(connection, key_id) if key_id else None
    if row is None or not keys.matches(key, row.digest):
        return None
    if record_use and stale(row.last_used_at):
        touch(connection, key_id)
        connection.commit()
    return tuple(row.scopes)


def stale(last_used_at: datetime | None) -> bool:
    return last_used_at is None or last_used_at < datetime.now(timezone.utc) - LAST_USED_PRECISION
