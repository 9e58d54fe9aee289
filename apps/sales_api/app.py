"""The sales API application: `create_app()` for gunicorn and tests."""
from flask import Flask
from sqlalchemy import create_engine

from apps.api_keys.bearer import install_api_keys
from apps.idempotency.middleware import install_idempotency
from apps.settings import database_url
from apps.web import create_api
from apps.billing.api.charges import blp as charges_blp
from apps.billing.api.errors import register_billing_errors
from apps.billing.api.reports import blp as reports_blp
from apps.billing.api.views import blp as billing_blp
from apps.billing.api.webhooks import install_payment_webhooks
from apps.leads.api.views import blp as leads_blp
from apps.sales_api.adapters.catalog_cache import CatalogCache
from apps.sales_api.adapters.catalog_listener import CatalogListener
from apps.sales_api.api.cancellations.views import blp as cancellations_blp
from apps.sales_api.api.errors import register_error_handlers
from apps.sales_api.api.orders.views import blp as orders_blp
from apps.sales_api.api.products.views import blp as products_blp
from apps.sales_api.api.purchases.views import blp as purchases_blp

DESCRIPTION = ("Products, purchases and cancellations. Every change is committed together with "
               "an event in the outbox, which Debezium streams to Kafka (topic sales.purchase).")


def create_app(db_url: str | None = None) -> Flask:
    app = Flask(__name__)
    db_url = db_url or database_url("sales")
    # pool_pre_ping costs one round trip per request (measured: ~0.12 ms of a purchase's
    # ~3.5 ms of CPU and ~8 ms alone); it is what lets the first requests after a PostgreSQL
    # restart succeed instead of failing on a dead pooled connection, so it stays.
    engine = create_engine(db_url, pool_pre_ping=True, pool_size=10)
    app.extensions["sales_engine"] = engine
    catalog = CatalogCache()
    listener = CatalogListener(catalog, db_url)
    app.extensions["sales_catalog"] = catalog
    app.extensions["sales_catalog_listener"] = listener
    # Started on the first request, not here: gunicorn may fork after create_app (--preload).
    app.before_request(listener.ensure_running)
    api = create_api(app, "Sales API", DESCRIPTION, engine=engine)
    # Checkout integrations send a serviceKey in the body; the catalogue and orders endpoints
    # take a bearer key and declare their scope.
    install_api_keys(app, api, engine)
    # Before the blueprints: it documents the Idempotency-Key on every POST.
    install_idempotency(app, api, engine, body_credential="serviceKey")
    api.register_blueprint(products_blp)
    api.register_blueprint(purchases_blp)
    api.register_blueprint(orders_blp)
    api.register_blueprint(billing_blp)
    api.register_blueprint(charges_blp)
    api.register_blueprint(reports_blp)
    install_payment_webhooks(app, api)
    api.register_blueprint(cancellations_blp)
    api.register_blueprint(leads_blp)
    register_error_handlers(app, api)
    register_billing_errors(app, api)
    return app
