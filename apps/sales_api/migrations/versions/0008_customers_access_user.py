"""The access user a customer's copy came from (customers.access_user_id).

The sales copy takes the access service's UserUpdated only if it is newer than the one it
holds: a later user id first (a user deleted and created again under the same e-mail gets a
new, larger id and starts its versions again at 1), then a higher version of the same user.
0 = the copy was written from orders only.

Revision ID: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("customers", sa.Column("access_user_id", sa.BigInteger, nullable=False,
                                         server_default=sa.text("0")))


def downgrade():
    op.drop_column("customers", "access_user_id")
