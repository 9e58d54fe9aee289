"""An index for purging old processed-event rows without scanning the whole inbox.

Revision ID: 0002
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("processed_events_by_age", "processed_events", ["consumer", "processed_at"])


def downgrade():
    op.drop_index("processed_events_by_age", table_name="processed_events")
