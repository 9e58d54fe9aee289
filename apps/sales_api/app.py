"""The sales API application: `create_app()` for gunicorn and tests."""
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from apps.settings import database_url
from apps.web import create_api
from apps.sales_api.api.cancellations.views import blp as cancellations_blp
from apps.sales_api.api.errors import register_error_handlers
from apps.sales_api.api.purchases.views import blp as purchases_blp

DESCRIPTION = ("Products, purchases and cancellations. Every change is committed together with "
               "an event in the outbox, which Debezium streams to Kafka (topic sales.purchase).")


def create_app(db_url: str | None = None) -> Flask:
    app = Flask(__name__)
    engine = create_engine(db_url or database_url("sales"), pool_pre_ping=True, pool_size=10)
    app.extensions["sales_sessions"] = sessionmaker(engine)
    api = create_api(app, "Sales API", DESCRIPTION)
    api.register_blueprint(purchases_blp)
    api.register_blueprint(cancellations_blp)
    register_error_handlers(app, api)
    return app
