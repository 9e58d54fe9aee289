"""The leads table of the sales database (sales migration 0011 is the source of truth)."""
from sqlalchemy import Column, DateTime, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import UUID

metadata = MetaData()

leads = Table(
    "leads", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("email", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("reminded_at", DateTime(timezone=True)),
    Column("converted_at", DateTime(timezone=True)),
    Column("order_id", Text),
)

# The partial indexes' predicates, repeated where a statement must name one to use it.
LIVE_PREDICATE = "status IN ('open', 'reminded')"
