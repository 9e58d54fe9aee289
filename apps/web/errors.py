"""One JSON shape for every error: `{"code", "status", "message", "errors"}` (flask-smorest's).

werkzeug's own errors (404, 405 with its `Allow` header, 413, ...) and `abort()` go through
`error_response`. A database that cannot be reached or drops the connection is a 503 with
`Retry-After`: the request's transaction was not confirmed (only a connection lost during the
COMMIT itself leaves it unknown, which an Idempotency-Key covers) and may be sent again.
Anything else unexpected is a 500 that says nothing about its cause to the client and logs
the traceback.
"""
import psycopg
import sqlalchemy.exc
from flask import Flask, current_app, request
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

RETRY_AFTER_SECONDS = 2  # a PostgreSQL restart or failover takes about this long


def error_response(error: HTTPException):
    """The body, status and headers for `error`, with what `abort(..., message=, errors=,
    headers=)` gave it."""
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages") or {}  # webargs says "messages"
    body = {"code": error.code, "status": error.name,
            "message": data.get("message") or fields_named(errors) or error.description,
            "errors": errors}
    headers = [(name, value) for name, value in error.get_headers()
               if name.lower() != "content-type"]  # keeps Allow, Retry-After, WWW-Authenticate
    headers += list((data.get("headers") or {}).items())
    return body, error.code, headers


def fields_named(errors: dict) -> str | None:
    """`invalid fields in json: buyerEmail, x` for webargs' `{"json": {"buyerEmail": [...], ...}}`."""
    parts = [f"{location}: {', '.join(map(str, fields))}"
             for location, fields in errors.items() if isinstance(fields, dict)]
    return f"invalid fields in {'; '.join(parts)}" if parts else None


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database is out of reach, rather than a fault in our code."""
    if isinstance(error, (sqlalchemy.exc.TimeoutError, psycopg.OperationalError)):
        return True  # the pool had no connection to give in time; a raw psycopg connection failed
    return isinstance(error, sqlalchemy.exc.DBAPIError) and (
        error.connection_invalidated or isinstance(error, sqlalchemy.exc.OperationalError))


def database_unavailable_error(message: str) -> ServiceUnavailable:
    error = ServiceUnavailable(retry_after=RETRY_AFTER_SECONDS)
    error.data = {"message": message, "errors": {"database": ["unavailable"]}}
    return error


def unexpected_error(error: Exception):
    if isinstance(error, HTTPException):  # raised outside the HTTPException handler's reach
        return error_response(error)
    if database_unavailable(error):
        current_app.logger.warning("database unavailable during %s %s: %s",
                                   request.method, request.path, type(error).__name__)
        return error_response(database_unavailable_error("the database is unavailable; retry later"))
    current_app.logger.exception("unexpected error during %s %s", request.method, request.path)
    return error_response(InternalServerError())


def install_error_handlers(app: Flask) -> None:
    """HTTPException is handled by the Api (apps.web.Api); this catches everything else."""
    app.register_error_handler(Exception, unexpected_error)
