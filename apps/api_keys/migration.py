"""The DDL of the `api_keys` table, called by revision 0003 of every service's migrations.

Frozen with that revision: a later change to the table is a new revision in each service, never an
edit here (an edit would change what an already applied revision means).
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


def create_api_keys_table() -> None:
    op.create_table(
        "api_keys",
        # The key's public part (`ak_<id>_<secret>`): the lookup is by id, the secret is checked
        # against the digest, so a request costs one primary-key read.
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.Text), nullable=False),
        # SHA-256 of the whole key (32 bytes); the key itself is never stored.
        sa.Column("digest", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("cardinality(scopes) > 0", name="api_keys_have_scopes"),
        sa.CheckConstraint("octet_length(digest) = 32", name="api_keys_digest_is_sha256"),
    )


def drop_api_keys_table() -> None:
    op.drop_table("api_keys")
