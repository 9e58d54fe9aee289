"""The access database's tables (the Alembic migrations are the source of truth for DDL)."""
from sqlalchemy import (BigInteger, Column, DateTime, ForeignKey, MetaData, Table, Text, func,
                        text)

metadata = MetaData()

users = Table(
    "users", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("email", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("name", Text),
    # The sequence number of the user's last role event (0: none yet).
    Column("role_sequence", BigInteger, nullable=False, server_default=text("0")),
    # The version of the user's own record (e-mail, name): +1 with each UserUpdated (0: none yet).
    Column("version", BigInteger, nullable=False, server_default=text("0")),
)

grants = Table(
    "grants", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("source_type", Text, nullable=False),  # purchase, subscription or manual
    Column("source_id", Text, nullable=False),  # purchase id, subscription id, or the grant's id
    Column("product_id", Text),  # the product sold, for purchases
    Column("role", Text, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("end_reason", Text),  # cancellation, expiry, manual, user_deleted, subscription_change
    Column("note", Text),
    Column("end_note", Text),
)

# Each user's effective roles as last announced in a role event, kept in step by the ledger.
user_roles = Table(
    "user_roles", metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", Text, primary_key=True),
    Column("until", DateTime(timezone=True), nullable=False),
)
