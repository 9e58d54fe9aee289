"""The catalogue as a shop needs it, and purchases that keep what they were sold with.

- products: description, price (numeric, never a float) and ISO 4217 currency, an active flag
  (archived products are no longer sold), and how long their roles last as an ISO 8601
  duration (`access_duration`, down to seconds) instead of a calendar unit and count.
- purchases: the roles and the duration of the sale, copied from the product, so editing a
  product later changes no purchase (the PurchaseCompleted event already carries them).

The seeds get names, descriptions and prices. Existing purchases take their product's values.

Revision ID: 0006
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UNIT_LETTER = "CASE period_unit WHEN 'DAY' THEN 'D' WHEN 'MONTH' THEN 'M' ELSE 'Y' END"
SEEDS = {
    "123456": ("Course XYZ, premium",
               "The complete XYZ course with a month of premium platform access: every video, "
               "the exercises and the community.", "49.90"),
    "987654": ("Course ABCD, premium",
               "The ABCD course from first steps to a finished project, with a month of premium "
               "platform access.", "39.90"),
}


def upgrade():
    op.add_column("products", sa.Column("description", sa.Text, nullable=False,
                                        server_default=""))
    op.add_column("products", sa.Column("price", sa.Numeric(12, 2), nullable=False,
                                        server_default="0"))
    op.add_column("products", sa.Column("currency", sa.Text, nullable=False,
                                        server_default="BRL"))
    op.add_column("products", sa.Column("active", sa.Boolean, nullable=False,
                                        server_default=sa.true()))
    op.add_column("products", sa.Column("access_duration", sa.Text))
    op.add_column("products", sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                                        server_default=sa.text("now()")))
    op.execute(f"UPDATE products SET access_duration = 'P' || period_count || {UNIT_LETTER}")
    op.alter_column("products", "access_duration", nullable=False)
    for product_id, (name, description, price) in SEEDS.items():
        op.execute(sa.text("UPDATE products SET name = :name, description = :description, "
                           "price = CAST(:price AS numeric) WHERE id = :id")
                   .bindparams(id=product_id, name=name, description=description, price=price))
    op.drop_column("products", "period_unit")
    op.drop_column("products", "period_count")
    for column in ("description", "price", "currency"):
        op.alter_column("products", column, server_default=None)
    op.create_check_constraint("price_not_negative", "products", "price >= 0")
    op.create_check_constraint("currency_iso_4217", "products", "currency ~ '^[A-Z]{3}$'")
    op.create_check_constraint("access_duration_iso_8601", "products",
                               "access_duration ~ '^P[0-9YMWDTHS]+$'")

    op.add_column("purchases", sa.Column("roles", ARRAY(sa.Text)))
    op.add_column("purchases", sa.Column("access_duration", sa.Text))
    op.execute("""
        UPDATE purchases p SET access_duration = pr.access_duration,
               roles = ARRAY(SELECT role FROM product_roles r WHERE r.product_id = p.product_id
                             ORDER BY role)
        FROM products pr WHERE pr.id = p.product_id
    """)
    op.alter_column("purchases", "roles", nullable=False)
    op.alter_column("purchases", "access_duration", nullable=False)


def downgrade():
    # Calendar units cannot hold every duration: the downgrade gives every product one month.
    op.drop_column("purchases", "access_duration")
    op.drop_column("purchases", "roles")
    for name in ("price_not_negative", "currency_iso_4217", "access_duration_iso_8601"):
        op.drop_constraint(name, "products")
    op.add_column("products", sa.Column("period_unit", sa.Text, nullable=False,
                                        server_default="MONTH"))
    op.add_column("products", sa.Column("period_count", sa.Integer, nullable=False,
                                        server_default="1"))
    for column in ("description", "price", "currency", "active", "access_duration", "created_at"):
        op.drop_column("products", column)
