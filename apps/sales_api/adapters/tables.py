"""The sales database's tables (the Alembic migrations are the source of truth for DDL)."""
from sqlalchemy import (ARRAY, Boolean, Column, DateTime, ForeignKey, Integer, MetaData, Numeric,
                        Table, Text, Uuid, func)

metadata = MetaData()

products = Table(
    "products", metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("price", Numeric(12, 2), nullable=False),
    Column("currency", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("access_duration", Text, nullable=False),  # ISO 8601
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
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
    Column("roles", ARRAY(Text), nullable=False),
    Column("access_duration", Text, nullable=False),
)
