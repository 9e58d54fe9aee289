"""The Flask side: `install_api_keys` once per app, `@requires_scope(blp, scope)` on each view.

Answers go through flask_smorest.abort, so they have the shape of every other error: 401 with
`WWW-Authenticate: Bearer` for a missing, malformed, unknown or revoked key; 403 for a key
without the view's scope. Keys are never logged or echoed.
"""
from functools import partial, wraps
from typing import Callable

from flask import Flask, current_app, request
from flask_smorest import Api, abort
from flask_smorest.error_handler import ErrorSchema
from sqlalchemy import Engine

from apps.api_keys import store
from apps.api_keys.scopes import SCOPES, UnknownScope

SCHEME = "bearerAuth"
UNAUTHORIZED = "API_KEY_REQUIRED"  # the shared 401 response component
EXTENSION = "api_key_scopes"

# key -> its scopes, or None for a key that is not live here
ScopesOf = Callable[[str], tuple[str, ...] | None]


def database_scopes(engine: Engine, key: str) -> tuple[str, ...] | None:
    with engine.connect() as connection:
        return store.scopes_of(connection, key)


def install_api_keys(app: Flask, api: Api, engine: Engine | None = None, *,
                     scopes_of: ScopesOf | None = None) -> None:
    """Checks keys against `engine`'s api_keys table (or `scopes_of`, for tests) and documents it."""
    app.extensions[EXTENSION] = scopes_of or partial(database_scopes, engine)
    api.spec.components.security_scheme(SCHEME, {
        "type": "http", "scheme": "bearer",
        "description": "An API key: `Authorization: Bearer ak_...`. Created with "
                       "`python -m apps.api_keys create`; each operation names the scope it needs.",
    })
    api.spec.components.response(UNAUTHORIZED, {
        "description": "Missing, malformed, unknown or revoked API key",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"},
                                         "description": "`Bearer`, with `error=\"invalid_token\"` "
                                                        "when a key was sent"}},
        "content": {"application/json": {"schema": api.ERROR_SCHEMA}},
    })


def requires_scope(blp, scope: str):
    """Decorates a view method: only a live key carrying `scope` reaches it. Put it outermost, so
    the key is checked before the request body is parsed."""
    if scope not in SCOPES:
        raise UnknownScope(scope)

    def decorator(view):
        @wraps(view)
        def checked(*args, **kwargs):
            authorize(scope)
            return view(*args, **kwargs)

        documented = blp.doc(security=[{SCHEME: []}], **{"x-scopes": [scope]})(checked)
        documented = blp.alt_response(401, response=UNAUTHORIZED)(documented)
        return blp.alt_response(403, schema=ErrorSchema,
                                description=f"The API key lacks the scope `{scope}`")(documented)
    return decorator


def authorize(scope: str) -> None:
    token = bearer_token()
    if token is None:
        refuse(401, "an API key is required: Authorization: Bearer <key>", "Bearer")
    scopes = current_app.extensions[EXTENSION](token)
    if scopes is None:
        refuse(401, "unknown or revoked API key", 'Bearer error="invalid_token"')
    if scope not in scopes:
        refuse(403, f"the API key lacks the scope {scope}",
               f'Bearer error="insufficient_scope", scope="{scope}"')


def bearer_token() -> str | None:
    """The token of `Authorization: Bearer <token>` (the scheme in any case), else None.

    Read from the header itself, not werkzeug's `request.authorization`: that also decodes Basic
    credentials, and a Basic value with a non-ASCII byte made it raise ValueError (a 500).
    """
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def refuse(status: int, message: str, challenge: str):
    abort(status, message=message, errors={"headers": {"Authorization": [message]}},
          headers={"WWW-Authenticate": challenge})
