"""Triggers that NOTIFY sales_catalog on any change to products, roles or service keys.

The sales API caches these rows in each process and clears its cache on every notification
(apps/sales_api/adapters/catalog_listener.py). Statement-level triggers cover INSERT, UPDATE,
DELETE and TRUNCATE; PostgreSQL delivers the notification only when the change commits, and
folds repeats within one transaction into one.

Revision ID: 0002
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("products", "product_roles", "service_keys")


def upgrade():
    op.execute("""
        CREATE FUNCTION notify_sales_catalog() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('sales_catalog', TG_TABLE_NAME);
            RETURN NULL;
        END $$
    """)
    for table in TABLES:
        op.execute(f"CREATE TRIGGER {table}_notify_sales_catalog "
                   f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION notify_sales_catalog()")


def downgrade():
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify_sales_catalog ON {table}")
    op.execute("DROP FUNCTION IF EXISTS notify_sales_catalog()")
