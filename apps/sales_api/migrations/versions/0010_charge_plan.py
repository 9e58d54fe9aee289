"""The plan a subscription charge pays for (subscription_charges.plan_id).

A charge the platform did not answer stays pending and is sent again later with the same
request id; the platform compares the body it gets with the first one (its sku among it), so
the plan is kept with the charge rather than read from the subscription, whose plan may have
changed meanwhile.

Revision ID: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    # No charge was written before this revision (0009 made the table and nothing wrote it).
    op.add_column("subscription_charges",
                  sa.Column("plan_id", sa.Text, sa.ForeignKey("plans.id"), nullable=False))


def downgrade():
    op.drop_column("subscription_charges", "plan_id")
