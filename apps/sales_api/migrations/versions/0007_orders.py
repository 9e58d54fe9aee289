"""Orders paid by card, the sales copy of customers, and the payment worker's tables.

- customers: the sales service's copy of the shop's customers (e-mail and name), for orders and
  their history; written from orders, and from the access service's user events.
- orders and order_items: what was sold, at what price, with which roles and durations.
- order_cards: the card of an order awaiting its charge, encrypted (apps/cards/vault.py); the
  row is deleted when the charge attempt ends, approved or declined.
- payment_attempts: every call to the payment platform, with its outcome.
- purchases: an order's purchases point at it and have no service key.
- processed_events: the payment worker's inbox (it consumes sales.order into this database).

Revision ID: 0007
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NOW = sa.text("now()")


def upgrade():
    op.create_table(
        "customers",
        sa.Column("email", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        # The access service's version of this user's record last applied here: an older
        # (redelivered or reordered) user event changes nothing.
        sa.Column("access_version", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("customer_email", sa.Text, sa.ForeignKey("customers.email"), nullable=False),
        sa.Column("customer_name", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("total", sa.Numeric(12, 2), nullable=False),
        sa.Column("card_brand", sa.Text, nullable=False),
        sa.Column("card_last4", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True)),
        sa.Column("failed_at", sa.DateTime(timezone=True)),
        sa.Column("failure_code", sa.Text),
        sa.Column("failure_message", sa.Text),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
        sa.Column("charge_id", sa.Text),
        sa.Column("refund_id", sa.Text),
        sa.Column("refunded_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("status IN ('pending_payment', 'paid', 'payment_failed', 'cancelled')",
                           name="order_status_known"),
    )
    op.create_index("orders_by_customer", "orders", ["customer_email", sa.text("created_at DESC")])
    op.create_table(
        "order_items",
        sa.Column("order_id", sa.Uuid, sa.ForeignKey("orders.id"), primary_key=True),
        sa.Column("line", sa.Integer, primary_key=True),
        sa.Column("product_id", sa.Text, sa.ForeignKey("products.id"), nullable=False),
        sa.Column("product_name", sa.Text, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("unit_price", sa.Numeric(12, 2), nullable=False),
        sa.Column("roles", ARRAY(sa.Text), nullable=False),
        sa.Column("access_duration", sa.Text, nullable=False),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )
    op.create_table(
        "order_cards",
        sa.Column("order_id", sa.Uuid, sa.ForeignKey("orders.id"), primary_key=True),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_table(
        "payment_attempts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("order_id", sa.Uuid, sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),  # charge or refund
        sa.Column("outcome", sa.Text, nullable=False),  # approved, declined, unavailable, ...
        sa.Column("detail", sa.Text),
        sa.Column("charge_id", sa.Text),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text("clock_timestamp()")),
    )
    op.create_index("payment_attempts_by_order", "payment_attempts", ["order_id"])
    op.add_column("purchases", sa.Column("order_id", sa.Uuid, sa.ForeignKey("orders.id")))
    op.create_index("purchases_by_order", "purchases", ["order_id"],
                    postgresql_where=sa.text("order_id IS NOT NULL"))
    op.alter_column("purchases", "service_key_id", nullable=True)
    op.create_check_constraint("purchase_has_a_source", "purchases",
                               "(service_key_id IS NULL) <> (order_id IS NULL)")
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("event_type", sa.Text),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_index("processed_events_by_age", "processed_events", ["consumer", "processed_at"])


def downgrade():
    op.drop_table("processed_events")
    op.drop_constraint("purchase_has_a_source", "purchases")
    op.drop_index("purchases_by_order", "purchases")
    op.drop_column("purchases", "order_id")
    for table in ("payment_attempts", "order_cards", "order_items", "orders", "customers"):
        op.drop_table(table)
