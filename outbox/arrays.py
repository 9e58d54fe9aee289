"""Batch statements whose parameters are arrays, sent in PostgreSQL's binary format.

Batch statements pass each column as one array (`unnest`, `= ANY`), so their SQL text is the
same for any batch size. psycopg renders a list as a text array literal unless its placeholder
asks for binary (`%(name)b`): text costs a rendering and a quoting check per element, about ten
times binary's cost for timestamps and UUIDs, and was a fifth of the access-roles consumer's
time. SQLAlchemy's text() always renders `%(name)s`, so these statements are written with
psycopg's placeholders and go to the driver as they are (no `%` may appear but in one).
"""
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.orm import Session


def execute(session: Session | Connection, statement: str, params: dict) -> CursorResult:
    """Runs `statement` in the session's transaction (begun if need be). Errors are wrapped by
    SQLAlchemy as for any statement, so a lost database is still an OperationalError."""
    connection = session.connection() if isinstance(session, Session) else session
    return connection.exec_driver_sql(statement, params)
