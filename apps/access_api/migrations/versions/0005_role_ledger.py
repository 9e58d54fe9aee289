"""The role ledger: grant sources and ends, users' effective roles and event sequence, and the
access service's own outbox (streamed by connectors/access-outbox.json to topic access.role).

Revision ID: 0005
"""
import sqlalchemy as sa
from alembic import op

from outbox.table import outbox

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SOURCES = "source_type IN ('purchase', 'subscription', 'manual')"
END_REASONS = ("end_reason IN ('cancellation', 'expiry', 'manual', 'user_deleted', "
               "'subscription_change')")


def upgrade():
    op.alter_column("grants", "purchase_id", new_column_name="source_id")
    op.add_column("grants", sa.Column("source_type", sa.Text, nullable=False,
                                      server_default="purchase"))
    op.alter_column("grants", "source_type", server_default=None)
    op.alter_column("grants", "product_id", nullable=True)
    op.alter_column("grants", "revoked_at", new_column_name="ended_at")
    op.add_column("grants", sa.Column("end_reason", sa.Text))
    op.add_column("grants", sa.Column("note", sa.Text))
    op.add_column("grants", sa.Column("end_note", sa.Text))
    op.execute("UPDATE grants SET end_reason = 'cancellation' WHERE ended_at IS NOT NULL")
    # Grants already run out are ended by time here, so the scheduler starts with nothing due.
    op.execute("UPDATE grants SET ended_at = ends_at, end_reason = 'expiry' "
               "WHERE ended_at IS NULL AND ends_at <= now()")
    op.create_check_constraint("grants_source_known", "grants", SOURCES)
    op.create_check_constraint("grants_end_reason_known", "grants", END_REASONS)
    op.create_check_constraint("grants_ended_with_reason", "grants",
                               "(ended_at IS NULL) = (end_reason IS NULL)")
    # One grant per role per purchase: a second delivery cannot double a grant even if the
    # inbox were bypassed. Subscriptions grant a role once per period, so only purchases.
    op.drop_constraint("grants_one_per_purchase_role", "grants")
    op.create_index("grants_one_per_purchase_role", "grants", ["source_id", "role"], unique=True,
                    postgresql_where=sa.text("source_type = 'purchase'"))
    # The scheduler's queue: live grants by end time. Only live rows are in it, so finding
    # what is due reads what is due, however long the history grows.
    op.create_index("grants_live_by_end", "grants", ["ends_at"],
                    postgresql_where=sa.text("ended_at IS NULL"))

    op.add_column("users", sa.Column("name", sa.Text))
    op.add_column("users", sa.Column("role_sequence", sa.BigInteger, nullable=False,
                                     server_default="0"))
    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("role", sa.Text, primary_key=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )
    # Roles held today, without events: they predate the topic (no grant rule leaves a gap in
    # a role's chain, so its end is the latest end of its live grants).
    op.execute("INSERT INTO user_roles (user_id, role, until) "
               "SELECT user_id, role, max(ends_at) FROM grants WHERE ended_at IS NULL "
               "GROUP BY user_id, role")

    outbox.create(op.get_bind())
    # Debezium streams only this table (publication.autocreate.mode=disabled in the connector).
    op.execute("CREATE PUBLICATION access_outbox FOR TABLE outbox")


def downgrade():
    op.execute("DROP PUBLICATION IF EXISTS access_outbox")
    op.drop_table("outbox")
    op.drop_table("user_roles")
    op.drop_column("users", "role_sequence")
    op.drop_column("users", "name")
    op.drop_index("grants_live_by_end", table_name="grants")
    op.drop_index("grants_one_per_purchase_role", table_name="grants")
    for name in ("grants_ended_with_reason", "grants_end_reason_known", "grants_source_known"):
        op.drop_constraint(name, "grants")
    # Grants only purchases could have had go; ends by time and by an operator are forgotten.
    op.execute("DELETE FROM grants WHERE source_type <> 'purchase'")
    op.execute("UPDATE grants SET ended_at = NULL WHERE end_reason IN ('expiry', 'manual')")
    op.create_unique_constraint("grants_one_per_purchase_role", "grants", ["source_id", "role"])
    for column in ("end_note", "note", "end_reason", "source_type"):
        op.drop_column("grants", column)
    op.alter_column("grants", "ended_at", new_column_name="revoked_at")
    op.alter_column("grants", "product_id", nullable=False)
    op.alter_column("grants", "source_id", new_column_name="purchase_id")
