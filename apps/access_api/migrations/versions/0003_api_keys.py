"""Bearer API keys of this service (apps/api_keys): id, name, scopes, SHA-256 digest, revocation.

Revision ID: 0003
"""
from apps.api_keys.migration import create_api_keys_table, drop_api_keys_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    create_api_keys_table()


def downgrade():
    drop_api_keys_table()
