"""What both APIs share: OpenAPI settings, Swagger UI served from a local package, the one
JSON error shape, request limits, health probes and Prometheus metrics.

Swagger UI's files come from the `swagger-ui-bundle` wheel, so /docs works without reaching
any CDN. Hooks registered here run before any the app registers later (API keys,
idempotency), so a request refused for its size, media type or shape never reaches them.
"""
import flask_smorest
from flask import Blueprint, Flask
from sqlalchemy import Engine
from swagger_ui_bundle import swagger_ui_path

from apps.web import health
from apps.web.errors import error_response, install_error_handlers
from apps.web.limits import install_limits
from apps.web.metrics import install_metrics

SWAGGER_UI_ASSETS = "/swagger-ui-assets/"


class Api(flask_smorest.Api):
    def handle_http_exception(self, error):
        """Every HTTP error, werkzeug's included, in the one shape with its own headers."""
        return error_response(error)


def create_api(app: Flask, title: str, description: str, *, engine: Engine) -> Api:
    """`engine` is the API's database, which /health/ready asks."""
    app.config.update({
        "API_TITLE": title,
        "API_VERSION": "1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        "OPENAPI_SWAGGER_UI_URL": SWAGGER_UI_ASSETS,
        "API_SPEC_OPTIONS": {"info": {"description": description}},
    })
    assets = Blueprint("swagger_ui_assets", __name__, static_folder=swagger_ui_path,
                       static_url_path=SWAGGER_UI_ASSETS.rstrip("/"))
    app.register_blueprint(assets)
    api = Api(app)
    install_error_handlers(app)
    install_limits(app)
    install_metrics(app, api)
    app.extensions[health.EXTENSION] = health.readiness_engine(engine)
    api.register_blueprint(health.blp)
    return api
