"""The roles each customer holds now, from every role event, and the roles each order grants.

An order whose roles the customer already holds for longer (a subscriber buying a course the
plan includes) makes no role event of its own: its access e-mail goes once every role it grants
is held, whichever event told it.

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("access_emails", sa.Column("roles", ARRAY(sa.Text), nullable=False,
                                             server_default="{}"))
    op.create_table(
        "held_roles",
        sa.Column("email", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, primary_key=True),
        sa.Column("until", sa.DateTime(timezone=True)),  # NULL: no longer held (revoked)
        # The user's role-event sequence that set this row: an older event changes nothing.
        sa.Column("sequence", sa.BigInteger, nullable=False),
    )


def downgrade():
    op.drop_table("held_roles")
    op.drop_column("access_emails", "roles")
