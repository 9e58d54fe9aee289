"""The projection's tables as a whole: a scratch copy to rebuild into, and the swap.

The scratch schema holds empty tables shaped like the live ones (`LIKE ... INCLUDING ALL`:
columns, defaults, primary keys, indexes; no foreign keys, which a copy of a consistent whole
does not need) plus its own inbox, so the consumer's code fills it unchanged through a
connection whose search_path names it.
"""
import re
from contextlib import contextmanager

from sqlalchemy import text

from apps.course_access.adapters.tables import PROJECTION
from outbox.table import processed_events

NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def identifier(name: str) -> str:
    """A schema name safe to put in SQL text: plain lower-case words only."""
    if not NAME.fullmatch(name):
        raise ValueError(f"schema name {name!r}: use lower-case letters, digits and _ only")
    return name


class RebuildRunning(RuntimeError):
    """Another rebuild of the same projection is under way (they would share a scratch copy)."""


@contextmanager
def sole_rebuild(engine, live: str):
    """Holds a session advisory lock for the block: one rebuild of `live` at a time."""
    with engine.connect() as connection:
        key = {"key": f"course-access-rebuild:{identifier(live)}"}
        if not connection.scalar(text("SELECT pg_try_advisory_lock(hashtext(:key))"), key):
            raise RebuildRunning(f"another rebuild of the {live} projection is running")
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(hashtext(:key))"), key)
            connection.commit()


def create_copy(connection, live: str, scratch: str) -> None:
    """(Re)creates `scratch` with empty tables shaped like `live`'s projection and inbox."""
    live, scratch = identifier(live), identifier(scratch)
    connection.execute(text(f"DROP SCHEMA IF EXISTS {scratch} CASCADE"))
    connection.execute(text(f"CREATE SCHEMA {scratch}"))
    for table in (*PROJECTION, processed_events):
        connection.execute(text(f"CREATE TABLE {scratch}.{table.name} "
                                f"(LIKE {live}.{table.name} INCLUDING ALL)"))


def drop(connection, schema: str) -> None:
    connection.execute(text(f"DROP SCHEMA IF EXISTS {identifier(schema)} CASCADE"))


def lock_writers_out(connection, live: str) -> None:
    """Until this transaction ends, nobody else writes the projection; readers go on reading.
    Learners first: the consumer's transactions write them first too, so neither side can hold
    one table while waiting for the other's."""
    names = ", ".join(f"{identifier(live)}.{t.name}" for t in PROJECTION)
    connection.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))


def replace_with(connection, live: str, scratch: str) -> None:
    """The live projection's rows become the scratch copy's, in the caller's transaction:
    readers see the old rows until it commits, then the new ones."""
    live, scratch = identifier(live), identifier(scratch)
    for table in reversed(PROJECTION):
        connection.execute(text(f"DELETE FROM {live}.{table.name}"))
    for table in PROJECTION:
        columns = ", ".join(c.name for c in table.columns)
        connection.execute(text(f"INSERT INTO {live}.{table.name} ({columns}) "
                                f"SELECT {columns} FROM {scratch}.{table.name}"))
