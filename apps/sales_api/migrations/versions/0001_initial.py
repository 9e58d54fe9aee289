"""Products, service keys, purchases, the outbox and its publication; seeds the two products.

Revision ID: 0001
"""
import hashlib
import os

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Development key from the README's example; only its SHA-256 is stored.
DEVELOPMENT_SERVICE_KEY = "318440fb7491"


def upgrade():
    op.create_table(
        "products",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("period_unit", sa.Text, nullable=False),
        sa.Column("period_count", sa.Integer, nullable=False),
        sa.CheckConstraint("period_unit IN ('DAY', 'MONTH', 'YEAR')", name="period_unit_known"),
        sa.CheckConstraint("period_count > 0", name="period_count_positive"),
    )
    op.create_table(
        "product_roles",
        sa.Column("product_id", sa.Text, sa.ForeignKey("products.id"), primary_key=True),
        sa.Column("role", sa.Text, primary_key=True),
    )
    op.create_table(
        "service_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("key_sha256", sa.Text, nullable=False, unique=True),
    )
    op.create_table(
        "purchases",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("buyer_email", sa.Text, nullable=False),
        sa.Column("product_id", sa.Text, sa.ForeignKey("products.id"), nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("purchased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
        sa.Column("service_key_id", sa.Integer, sa.ForeignKey("service_keys.id"), nullable=False),
        sa.CheckConstraint("status IN ('completed', 'cancelled')", name="status_known"),
    )
    op.create_index("purchases_by_buyer_product", "purchases",
                    ["buyer_email", "product_id", "status", "purchased_at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("aggregatetype", sa.Text, nullable=False),
        sa.Column("aggregateid", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
    )
    # Debezium streams only this table (publication.autocreate.mode=disabled in the connector).
    op.execute("CREATE PUBLICATION sales_outbox FOR TABLE outbox")

    products = sa.table("products", sa.column("id"), sa.column("name"),
                        sa.column("period_unit"), sa.column("period_count"))
    op.bulk_insert(products, [
        {"id": "123456", "name": "Course XYZ, premium", "period_unit": "MONTH", "period_count": 1},
        {"id": "987654", "name": "Course ABCD, premium", "period_unit": "MONTH", "period_count": 1},
    ])
    roles = sa.table("product_roles", sa.column("product_id"), sa.column("role"))
    op.bulk_insert(roles, [
        {"product_id": "123456", "role": "PREMIUM_USER"},
        {"product_id": "123456", "role": "COURSE_XYZ"},
        {"product_id": "987654", "role": "PREMIUM_USER"},
        {"product_id": "987654", "role": "COURSE_ABCD"},
    ])
    if os.environ.get("APP_ENV", "development") == "production":
        return  # no well-known key in production; integrations get keys of their own
    keys = sa.table("service_keys", sa.column("name"), sa.column("key_sha256"))
    op.bulk_insert(keys, [{"name": "development",
                           "key_sha256": hashlib.sha256(DEVELOPMENT_SERVICE_KEY.encode()).hexdigest()}])


def downgrade():
    op.execute("DROP PUBLICATION IF EXISTS sales_outbox")
    for table in ("outbox", "purchases", "service_keys", "product_roles", "products"):
        op.drop_table(table)
