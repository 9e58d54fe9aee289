"""The outbox row's time, which Debezium copies into each message's `occurredAt` header.

Consumers measure the delay from an event's commit to its effect from it (the
consumer_event_delay_seconds histogram). `clock_timestamp()`, not `now()`: now() is the start
of the transaction, which can be well before the insert; the commit follows the insert within
the same request, milliseconds later.

Revision ID: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("outbox", sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False,
                                      server_default=sa.text("clock_timestamp()")))


def downgrade():
    op.drop_column("outbox", "occurred_at")
