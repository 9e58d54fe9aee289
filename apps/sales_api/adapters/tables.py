"""The sales database's tables (the Alembic migrations are the source of truth for DDL)."""
from sqlalchemy import (ARRAY, BigInteger, Boolean, Column, DateTime, ForeignKey, Identity, Integer,
                        LargeBinary, MetaData, Numeric, Table, Text, Uuid, func)

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
    Column("service_key_id", Integer, ForeignKey("service_keys.id")),  # null: from an order
    Column("roles", ARRAY(Text), nullable=False),
    Column("access_duration", Text, nullable=False),
    Column("order_id", Uuid, ForeignKey("orders.id")),  # null: reported by an integration
)

customers = Table(
    "customers", metadata,
    Column("email", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("access_user_id", BigInteger, nullable=False, server_default="0"),
    Column("access_version", BigInteger, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

orders = Table(
    "orders", metadata,
    Column("id", Uuid, primary_key=True),
    Column("customer_email", Text, ForeignKey("customers.email"), nullable=False),
    Column("customer_name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("total", Numeric(12, 2), nullable=False),
    Column("card_brand", Text, nullable=False),
    Column("card_last4", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("paid_at", DateTime(timezone=True)),
    Column("failed_at", DateTime(timezone=True)),
    Column("failure_code", Text),
    Column("failure_message", Text),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("charge_id", Text),
    Column("refund_id", Text),
    Column("refunded_at", DateTime(timezone=True)),
)

order_items = Table(
    "order_items", metadata,
    Column("order_id", Uuid, ForeignKey("orders.id"), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("product_id", Text, ForeignKey("products.id"), nullable=False),
    Column("product_name", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Numeric(12, 2), nullable=False),
    Column("roles", ARRAY(Text), nullable=False),
    Column("access_duration", Text, nullable=False),
)

order_cards = Table(
    "order_cards", metadata,
    Column("order_id", Uuid, ForeignKey("orders.id"), primary_key=True),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

payment_attempts = Table(
    "payment_attempts", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("order_id", Uuid, ForeignKey("orders.id"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("detail", Text),
    Column("charge_id", Text),
    Column("attempted_at", DateTime(timezone=True), nullable=False,
           server_default=func.clock_timestamp()),
)
