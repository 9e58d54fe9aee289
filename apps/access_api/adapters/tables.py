"""The access database's tables (the Alembic migrations are the source of truth for DDL)."""
from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, MetaData, Table, Text, func

metadata = MetaData()

users = Table(
    "users", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("email", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

grants = Table(
    "grants", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("purchase_id", Text, nullable=False),
    Column("product_id", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)
