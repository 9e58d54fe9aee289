"""The access e-mails waiting, the roles seen per purchase, the sent log and the inbox.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "access_emails",
        sa.Column("order_id", sa.Text, primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("products", ARRAY(sa.Text), nullable=False),
        sa.Column("courses", ARRAY(sa.Text), nullable=False),
        sa.Column("purchase_ids", ARRAY(sa.Text)),
        sa.Column("paid_at", sa.DateTime(timezone=True)),
        sa.Column("settled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    # A role event finds the order waiting for its purchase.
    op.create_index("access_emails_by_purchase", "access_emails", ["purchase_ids"],
                    postgresql_using="gin")
    op.create_table(
        "opened_roles",
        sa.Column("purchase_id", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_table(
        "sent_emails",
        sa.Column("message_id", sa.Text, primary_key=True),
        sa.Column("cause", sa.Text, nullable=False),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("smtp_reply", sa.Text),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.CheckConstraint("status IN ('sent', 'rejected', 'skipped')", name="sent_emails_status"),
    )
    op.create_index("sent_emails_by_status", "sent_emails", ["status", "sent_at"])
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("event_type", sa.Text),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index("processed_events_by_age", "processed_events", ["consumer", "processed_at"])


def downgrade():
    for table in ("processed_events", "sent_emails", "opened_roles", "access_emails"):
        op.drop_table(table)
