"""Leads (apps/leads): visitors who gave an e-mail and a name at checkout, before paying.

- One live (open or reminded) lead per e-mail: a partial unique index, which also finds the
  lead an order's payment converts.
- `leads_due`: opened_at of the open leads only, so the reminder scheduler reads what is due
  (and its next due time) without touching the reminded and converted ones, however many.
- `leads_by_opened_at`: the list and the summary by opening date.

Revision ID: 0011
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "leads",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True)),
        sa.Column("converted_at", sa.DateTime(timezone=True)),
        sa.Column("order_id", sa.Text),
        sa.CheckConstraint("status IN ('open', 'reminded', 'converted')", name="lead_status_known"),
        sa.CheckConstraint("(status = 'converted') = (order_id IS NOT NULL)",
                           name="lead_converted_by_an_order"),
    )
    op.create_index("one_live_lead_per_email", "leads", ["email"], unique=True,
                    postgresql_where=sa.text("status IN ('open', 'reminded')"))
    op.create_index("leads_due", "leads", ["opened_at"],
                    postgresql_where=sa.text("status = 'open'"))
    op.create_index("leads_by_opened_at", "leads", ["opened_at"])


def downgrade():
    op.drop_table("leads")
