"""The courses database's tables (the Alembic migrations are the source of truth for DDL)."""
from sqlalchemy import BigInteger, Boolean, Column, DateTime, MetaData, Table, Text

metadata = MetaData()

learners = Table(
    "learners", metadata,
    Column("user_id", BigInteger, primary_key=True),
    Column("email", Text, nullable=False),
    Column("last_sequence", BigInteger, nullable=False),
)


def door_columns() -> list[Column]:
    return [Column("open", Boolean, nullable=False),
            Column("until", DateTime(timezone=True), nullable=False),
            Column("sequence", BigInteger, nullable=False),
            Column("changed_at", DateTime(timezone=True), nullable=False)]


platform_access = Table(
    "platform_access", metadata,
    Column("user_id", BigInteger, primary_key=True),
    *door_columns(),
)

course_access = Table(
    "course_access", metadata,
    Column("user_id", BigInteger, primary_key=True),
    Column("course", Text, primary_key=True),
    *door_columns(),
)

# The projection, parents first: the order to fill it in, and reversed, to empty it.
PROJECTION = (learners, platform_access, course_access)
