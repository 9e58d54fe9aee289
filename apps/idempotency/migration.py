"""The DDL of the `idempotency_keys` table, called by revision 0004 of every service's migrations.

Frozen with that revision: a later change to the table is a new revision in each service, never an
edit here (an edit would change what an already applied revision means).
"""
import sqlalchemy as sa
from alembic import op


def create_idempotency_keys_table() -> None:
    op.create_table(
        "idempotency_keys",
        # SHA-256 of the caller's credentials and the key: neither is stored, and one caller
        # cannot reach another's answers.
        sa.Column("scope", sa.LargeBinary, primary_key=True),
        # SHA-256 of method, path, query and canonical body: a reuse with another request is refused.
        sa.Column("fingerprint", sa.LargeBinary, nullable=False),
        sa.Column("status", sa.SmallInteger, nullable=False),
        sa.Column("content_type", sa.Text),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.CheckConstraint("octet_length(scope) = 32", name="idempotency_keys_scope_is_sha256"),
    )
    # The purge reads only the expired end of this index.
    op.create_index("idempotency_keys_by_age", "idempotency_keys", ["created_at"])


def drop_idempotency_keys_table() -> None:
    op.drop_table("idempotency_keys")
