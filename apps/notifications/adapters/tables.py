"""The notifications database's tables (the Alembic migrations are the source of truth for DDL)."""
from sqlalchemy import ARRAY, BigInteger, Boolean, Column, DateTime, MetaData, Table, Text, func

metadata = MetaData()

# An access e-mail waiting for its order to be paid and its purchases' roles to be seen.
access_emails = Table(
    "access_emails", metadata,
    Column("order_id", Text, primary_key=True),
    Column("email", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("products", ARRAY(Text), nullable=False),
    Column("courses", ARRAY(Text), nullable=False),
    Column("purchase_ids", ARRAY(Text)),  # NULL until paid
    Column("paid_at", DateTime(timezone=True)),
    Column("settled", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("roles", ARRAY(Text), nullable=False),  # the roles the order grants
)

# The roles each customer holds, as the role events last told (until NULL: revoked).
held_roles = Table(
    "held_roles", metadata,
    Column("email", Text, primary_key=True),
    Column("role", Text, primary_key=True),
    Column("until", DateTime(timezone=True)),
    Column("sequence", BigInteger, nullable=False),
)

# The roles seen per purchase (RoleGranted/RoleExtended with a PURCHASE source).
opened_roles = Table(
    "opened_roles", metadata,
    Column("purchase_id", Text, primary_key=True),
    Column("role", Text, primary_key=True),
    Column("email", Text, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# One row per e-mail ever handed to the relay (or refused by it, or too old to send).
sent_emails = Table(
    "sent_emails", metadata,
    Column("message_id", Text, primary_key=True),
    Column("cause", Text, nullable=False),
    Column("recipient", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("status", Text, nullable=False),  # sent, rejected (5xx), skipped (stale)
    Column("smtp_reply", Text),
    Column("sent_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
