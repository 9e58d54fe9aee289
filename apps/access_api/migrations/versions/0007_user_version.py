"""A version per user record: +1 with each change of its name, carried by UserUpdated (topic
access.user), so a copy elsewhere (the sales service's customers) takes a change only if it is
newer than the one it holds.

Users named before this migration start at 0 and announce themselves at their next change.

Revision ID: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    # A constant default: PostgreSQL adds the column without rewriting the table.
    op.add_column("users", sa.Column("version", sa.BigInteger, nullable=False,
                                     server_default=sa.text("0")))


def downgrade():
    op.drop_column("users", "version")
