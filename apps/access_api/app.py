"""The access API application: `create_app()` for gunicorn and tests."""
from flask import Flask
from sqlalchemy import create_engine

from apps.api_keys.bearer import install_api_keys
from apps.idempotency.middleware import install_idempotency
from apps.settings import database_url
from apps.web import create_api
from apps.access_api.api.errors import register_error_handlers
from apps.access_api.api.grants.views import blp as grants_blp
from apps.access_api.api.roles.views import blp as roles_blp
from apps.access_api.api.users.views import blp as users_blp

DESCRIPTION = ("Users, roles and time-boxed grants. Grants are written by the access consumer "
               "from sales events (topic sales.purchase), each event exactly once.")


def create_app(db_url: str | None = None) -> Flask:
    app = Flask(__name__)
    engine = create_engine(db_url or database_url("access"), pool_pre_ping=True, pool_size=10)
    app.extensions["access_engine"] = engine
    api = create_api(app, "Access API", DESCRIPTION, engine=engine)
    install_api_keys(app, api, engine)
    # Before the blueprints: it documents the Idempotency-Key on every POST.
    install_idempotency(app, api, engine)
    api.register_blueprint(users_blp)
    api.register_blueprint(grants_blp)
    api.register_blueprint(roles_blp)
    register_error_handlers(app, api)
    return app
