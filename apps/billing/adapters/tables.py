"""The billing tables of the sales database (sales migration 0009 is the source of truth)."""
from sqlalchemy import (ARRAY, BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Identity,
                        Integer, MetaData, Numeric, Table, Text, func)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

plans = Table(
    "plans", metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("price", Numeric(12, 2), nullable=False),
    Column("currency", Text, nullable=False),
    Column("billing_cycle", Text, nullable=False),
    Column("roles", ARRAY(Text), nullable=False),
    Column("status", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

subscriptions = Table(
    "subscriptions", metadata,
    Column("id", Text, primary_key=True),
    Column("plan_id", Text, ForeignKey("plans.id"), nullable=False),
    Column("next_plan_id", Text, ForeignKey("plans.id")),
    Column("customer_email", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("anchor", Date, nullable=False),
    Column("periods_paid", Integer, nullable=False),
    Column("next_billing_date", Date, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("past_due_since", Date),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

subscription_charges = Table(
    "subscription_charges", metadata,
    Column("request_id", Text, primary_key=True),
    Column("subscription_id", Text, ForeignKey("subscriptions.id"), nullable=False),
    Column("period", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("plan_id", Text, ForeignKey("plans.id"), nullable=False),  # sales migration 0010
    Column("amount", Numeric(12, 2), nullable=False),
    Column("currency", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("charge_id", Text),
    Column("detail", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

charge_attempts = Table(
    "charge_attempts", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("request_id", Text, ForeignKey("subscription_charges.request_id"), nullable=False),
    Column("outcome", Text, nullable=False),
    Column("detail", Text),
    Column("attempted_at", DateTime(timezone=True), nullable=False,
           server_default=func.clock_timestamp()),
)

payment_events = Table(
    "payment_events", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("provider_event_id", Text, unique=True),
    Column("digest", Text, nullable=False, unique=True),
    Column("type", Text, nullable=False),
    Column("data", JSONB, nullable=False),
    Column("processed", Boolean, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
