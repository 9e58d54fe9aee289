"""Stored answers to POSTs sent with an Idempotency-Key (apps/idempotency), purged after a TTL.

Revision ID: 0004
"""
from apps.idempotency.migration import create_idempotency_keys_table, drop_idempotency_keys_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    create_idempotency_keys_table()


def downgrade():
    drop_idempotency_keys_table()
