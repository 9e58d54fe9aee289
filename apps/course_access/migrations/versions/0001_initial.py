"""Learners, platform and course access, and the processed-events inbox.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def door_columns() -> list[sa.Column]:
    """A door's state; a closed door keeps its row, whose sequence still rules out stale events."""
    return [
        sa.Column("open", sa.Boolean, nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sequence", sa.BigInteger, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade():
    op.create_table(
        "learners",
        sa.Column("user_id", sa.BigInteger, primary_key=True),  # the access service's user id
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("last_sequence", sa.BigInteger, nullable=False),
    )
    op.create_index("learners_by_email", "learners", ["email"])
    op.create_table(
        "platform_access",
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("learners.user_id"), primary_key=True),
        *door_columns(),
    )
    op.create_table(
        "course_access",
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("learners.user_id"), primary_key=True),
        sa.Column("course", sa.Text, primary_key=True),
        *door_columns(),
    )
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
    for table in ("processed_events", "course_access", "platform_access", "learners"):
        op.drop_table(table)
