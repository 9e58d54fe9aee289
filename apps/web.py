"""What both APIs share: the OpenAPI settings and Swagger UI served from a local package.

Swagger UI's files come from the `swagger-ui-bundle` wheel, so /docs works without reaching
any CDN.
"""
from flask import Blueprint, Flask
from flask_smorest import Api
from swagger_ui_bundle import swagger_ui_path

SWAGGER_UI_ASSETS = "/swagger-ui-assets/"


def create_api(app: Flask, title: str, description: str) -> Api:
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
    return Api(app)
