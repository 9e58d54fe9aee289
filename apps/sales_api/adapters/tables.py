"""The sales database's tables (the Alembic migrations are the source of truth for DDL)."""
from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, Table, Text, Uuid

metadata = MetaData()

products = Table(
    "products", metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("period_unit", Text, nullable=False),
    Column("period_count", Integer, nullable=False),
)

product_roles = Table(
    "product_roles", metadata,
    Column("product_id", Text, ForeignKey("products.id"), primary_key=True),
    Column("role", Text, primary_key=True),
)

service_keys = Table(
    "service_keys", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("key_sha256", Text, nullable=False, unique=True),
)

purchases = Table(
    "purchases", metadata,
    Column("id", Uuid, primary_key=True),
    Column("buyer_email", Text, nullable=False),
    Column("product_id", Text, ForeignKey("products.id"), nullable=False),
    Column("status", Text, nullable=False),
    Column("purchased_at", DateTime(timezone=True), nullable=False),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("service_key_id", Integer, ForeignKey("service_keys.id"), nullable=False),
)
