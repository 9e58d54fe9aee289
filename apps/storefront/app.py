"""The storefront's one wiring point: `create_app()` for gunicorn, `create_app(settings, api)`
for tests with a fake API client."""
from flask import Flask, jsonify

from apps.storefront import pages
from apps.storefront.cart import item_count
from apps.storefront.client import ShopApi
from apps.storefront.errors import install_error_pages
from apps.storefront.formatting import FILTERS
from apps.storefront.pages import catalogue, checkout, orders
from apps.storefront.security import check_csrf, csrf_token, current_customer
from apps.storefront.settings import Settings

SECURITY_HEADERS = {
    # Scripts, styles and forms of this site only; no framing (clickjacking on the checkout).
    "Content-Security-Policy": "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def create_app(settings: Settings | None = None, api=None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.secret_key = settings.secret_key
    app.config.update(SESSION_COOKIE_NAME="shop_session", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.secure_cookies,
                      MAX_CONTENT_LENGTH=64 * 1024)  # the largest form is the checkout's
    app.extensions[pages.API_EXTENSION] = api or ShopApi(
        settings.sales_api_url, settings.access_api_url, settings.api_key, settings.api_timeout)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.before_request(check_csrf)
    app.context_processor(lambda: {"cart_count": item_count(pages.current_cart()),
                                   "customer": current_customer()})
    app.after_request(with_security_headers)
    for blueprint in (catalogue.blp, checkout.blp, orders.blp):
        app.register_blueprint(blueprint)
    install_error_pages(app)
    app.add_url_rule("/health/live", "live", lambda: jsonify(status="live"))
    # Ready as soon as it serves: with the APIs away it still answers, with its 503 page.
    app.add_url_rule("/health/ready", "ready", lambda: jsonify(status="ready"))
    return app


def with_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
