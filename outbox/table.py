"""Table definitions shared by every service's migrations and code.

`outbox` follows Debezium's Event Router column names. `processed_events` is the inbox: its
primary key is what makes a redelivered event a no-op.
"""
from sqlalchemy import Column, DateTime, LargeBinary, MetaData, Table, Text, Uuid, func, text

metadata = MetaData()

outbox = Table(
    "outbox",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("aggregatetype", Text, nullable=False),
    Column("aggregateid", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    # Copied by Debezium into the `occurredAt` header: the start of the commit-to-effect delay.
    Column("occurred_at", DateTime(timezone=True), nullable=False,
           server_default=text("clock_timestamp()")),
)

processed_events = Table(
    "processed_events",
    metadata,
    Column("consumer", Text, primary_key=True),
    Column("event_id", Text, primary_key=True),
    Column("event_type", Text, nullable=True),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
