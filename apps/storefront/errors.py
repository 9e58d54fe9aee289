"""Every error as a page of the shop, never a stack trace: the APIs out of reach is a 503 with
Retry-After (the customer's cart is in their cookie, nothing is lost); werkzeug's errors and
anything unexpected (Flask logs its traceback) get the same page with their own status."""
from flask import Flask, current_app, render_template
from werkzeug.exceptions import HTTPException

from apps.storefront.client import ApiUnavailable

RETRY_AFTER_SECONDS = 5
TITLES = {400: "That did not work", 404: "Page not found", 405: "That did not work",
          503: "The shop is taking a short break"}
DEFAULT_TITLE = "Something went wrong"


def error_page(code: int, message: str, headers: dict | None = None):
    page = render_template("error.html", code=code, title=TITLES.get(code, DEFAULT_TITLE),
                           message=message)
    return page, code, headers or {}


def api_unavailable(error: ApiUnavailable):
    current_app.logger.warning("API unavailable: %s", error)
    return error_page(503, "We could not reach our systems just now. Your cart is safe: please "
                           "try again in a moment.", {"Retry-After": str(RETRY_AFTER_SECONDS)})


def http_error(error: HTTPException):
    code = error.code or 500
    message = (error.description if code < 500 else
               "We are sorry: something went wrong on our side. Please try again in a moment.")
    return error_page(code, message)


def install_error_pages(app: Flask) -> None:
    app.register_error_handler(ApiUnavailable, api_unavailable)
    app.register_error_handler(HTTPException, http_error)
