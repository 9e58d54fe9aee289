"""Indexes for forgetting what guards nothing any more: roles seen of purchases no order waits
for, and access e-mails settled or never paid, long ago (see service/notify.py `forget_old`).

Revision ID: 0002
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("opened_roles_by_age", "opened_roles", ["seen_at"])
    op.create_index("access_emails_done_by_age", "access_emails", ["created_at"],
                    postgresql_where="settled OR purchase_ids IS NULL")


def downgrade():
    op.drop_index("access_emails_done_by_age", "access_emails")
    op.drop_index("opened_roles_by_age", "opened_roles")
