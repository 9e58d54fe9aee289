"""Plans, subscriptions, their charges and the payment platform's webhooks (apps/billing).

- plans: price, currency, billing cycle, roles, status (active / closed / inactive). Seeds
  plan_12345 "Basic Plan" and plan_54321 "Premium Plan".
- subscriptions: one live subscription per customer and plan (a partial unique index); the
  next billing date is stored (it is derived from the anchor and the periods paid) so that the
  scheduler finds what is due, and the eligible list is read, from partial indexes.
- subscription_charges: one row per charge request id, and at most one per subscription,
  period and kind (renewal or proration): the two idempotency rules of a charge.
- charge_attempts: every call to the platform for a charge.
- payment_events: the webhooks, stored once (by the provider's event id, or by the digest of
  the body and signature), with a processed flag the billing consumer sets.

Revision ID: 0009
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

NOW = sa.text("now()")
SEEDS = [
    ("plan_12345", "Basic Plan", "29.99", "monthly", ["PREMIUM_USER"]),
    ("plan_54321", "Premium Plan", "59.90", "monthly", ["PREMIUM_USER", "COURSE_XYZ",
                                                        "COURSE_ABCD"]),
]


def upgrade():
    op.create_table(
        "plans",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("price", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("billing_cycle", sa.Text, nullable=False),
        sa.Column("roles", ARRAY(sa.Text), nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="active"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.CheckConstraint("price > 0", name="plan_price_positive"),
        sa.CheckConstraint("billing_cycle IN ('monthly', 'annual')", name="plan_cycle_known"),
        sa.CheckConstraint("status IN ('active', 'closed', 'inactive')", name="plan_status_known"),
    )
    plans = sa.table("plans", sa.column("id"), sa.column("name"), sa.column("price"),
                     sa.column("currency"), sa.column("billing_cycle"),
                     sa.column("roles", ARRAY(sa.Text)))
    op.bulk_insert(plans, [{"id": i, "name": n, "price": p, "currency": "BRL",
                            "billing_cycle": c, "roles": r} for i, n, p, c, r in SEEDS])
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("plan_id", sa.Text, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("next_plan_id", sa.Text, sa.ForeignKey("plans.id")),
        sa.Column("customer_email", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("anchor", sa.Date, nullable=False),
        sa.Column("periods_paid", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_billing_date", sa.Date, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("past_due_since", sa.Date),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.CheckConstraint("status IN ('pending', 'active', 'past_due', 'suspended', 'paused', "
                           "'cancelled')", name="subscription_status_known"),
    )
    op.create_index("one_live_subscription_per_customer_and_plan", "subscriptions",
                    ["customer_email", "plan_id"], unique=True,
                    postgresql_where=sa.text("status <> 'cancelled'"))
    # The eligible list and the scheduler read active subscriptions only, from these.
    op.create_index("active_subscriptions", "subscriptions", ["id"],
                    postgresql_include=["plan_id"], postgresql_where=sa.text("status = 'active'"))
    op.create_index("subscriptions_due", "subscriptions", ["next_billing_date"],
                    postgresql_where=sa.text("status IN ('active', 'past_due')"))
    op.create_index("subscriptions_by_plan_and_status", "subscriptions", ["plan_id", "status"])
    op.create_table(
        "subscription_charges",
        sa.Column("request_id", sa.Text, primary_key=True),
        sa.Column("subscription_id", sa.Text, sa.ForeignKey("subscriptions.id"), nullable=False),
        sa.Column("period", sa.Integer, nullable=False),  # the period it pays, 1 = the first
        sa.Column("kind", sa.Text, nullable=False),  # renewal or proration
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),  # pending, approved, declined
        sa.Column("charge_id", sa.Text),
        sa.Column("detail", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.UniqueConstraint("subscription_id", "period", "kind", name="one_charge_per_period"),
    )
    op.create_table(
        "charge_attempts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("request_id", sa.Text, sa.ForeignKey("subscription_charges.request_id"),
                  nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text("clock_timestamp()")),
    )
    op.create_index("charge_attempts_by_request", "charge_attempts", ["request_id"])
    op.create_table(
        "payment_events",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("provider_event_id", sa.Text, unique=True),
        sa.Column("digest", sa.Text, nullable=False, unique=True),  # of body and signature
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("data", JSONB, nullable=False),
        sa.Column("processed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )


def downgrade():
    for table in ("payment_events", "charge_attempts", "subscription_charges", "subscriptions",
                  "plans"):
        op.drop_table(table)
