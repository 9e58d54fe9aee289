"""The Flask side: `install_idempotency` once per app; views take connections from `connection_factory`.

A POST carrying an Idempotency-Key runs in one transaction on one connection, opened before
the view: the scope's advisory lock, the lookup of a stored answer, the view's unit of work
(inside a savepoint, see SharedTransaction) and the stored answer all belong to it, and it
commits once, after the response is built. Why that is safe is in apps/idempotency/__init__.py.
"""
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request
from flask_smorest import Api, abort
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from apps.idempotency import openapi, store
from apps.idempotency.fingerprint import HEADER, RULE, fingerprint_of, scope_of, valid_key
from apps.idempotency.purger import KeyPurger
from apps.settings import idempotency_key_ttl

EXTENSION = "idempotency"
REPLAYED = "Idempotent-Replayed"
# Refusals that mean the request never reached its work (malformed or invalid, bad credentials)
# are not stored, as at Stripe: the key stays free for the corrected request. 5xx neither.
NOT_STORED = {400, 401, 403, 422}
EXEMPT = "idempotency_exempt"  # set on a view by `exempt`


@dataclass
class Settings:
    engine: Engine
    body_credential: str | None


@dataclass
class Pending:
    """An idempotent request between its lock and its commit."""
    connection: Connection
    scope: bytes
    fingerprint: bytes


class SharedTransaction:
    """What a unit of work gets inside an idempotent request: the request's connection, with
    its work in a savepoint. commit() releases the savepoint (the request commits later,
    together with the stored answer), rollback() undoes this unit of work only, close() leaves
    the connection to the request. Everything else (execute, begin_nested...) is the connection's.
    A use case commits once (see STYLE.md): anything it wrote after its commit would belong to
    the request's transaction and commit with the answer.
    """

    def __init__(self, connection: Connection):
        self.connection = connection
        self.savepoint = connection.begin_nested()

    def __getattr__(self, name):
        return getattr(self.connection, name)

    def commit(self) -> None:
        if self.savepoint.is_active:
            self.savepoint.commit()

    def rollback(self) -> None:
        if self.savepoint.is_active:
            self.savepoint.rollback()

    def close(self) -> None:
        self.rollback()


def connection_factory(engine: Engine):
    """The session factory a view passes to its unit of work: the idempotent request's shared
    transaction when there is one, else `engine.connect`."""
    pending = g.get("idempotent_request")
    if pending is None:
        return engine.connect
    return lambda: SharedTransaction(pending.connection)


def install_idempotency(app: Flask, api: Api, engine: Engine, *,
                        body_credential: str | None = None) -> None:
    """Call before registering blueprints, so that every POST is documented with the header.
    `body_credential` names a body field that authenticates the caller (the sales serviceKey)."""
    app.extensions[EXTENSION] = Settings(engine, body_credential)
    purger = KeyPurger(engine, idempotency_key_ttl())

    def purge_when_due() -> None:  # not maybe_purge itself: Flask takes a hook's True as the response
        purger.maybe_purge()

    app.before_request(purge_when_due)
    app.before_request(begin)
    app.after_request(finish)
    app.teardown_request(release)
    openapi.document(api)


def exempt(blp):
    """Decorates a POST view the middleware leaves alone, header and documentation: one whose
    caller is authenticated by other means than the credentials a key is scoped to, and that
    dedupes by its own rule. A signed webhook is one: a stored answer would be replayed before
    its signature was checked, to anyone sending the same key and body."""
    def decorator(view):
        documented = blp.doc(**{openapi.EXEMPT: True})(view)
        setattr(documented, EXEMPT, True)
        return documented
    return decorator


def exempt_view() -> bool:
    view = current_app.view_functions.get(request.endpoint)
    method = getattr(getattr(view, "view_class", None), request.method.lower(), view)
    return getattr(method, EXEMPT, False)


def begin():
    if request.method != "POST" or request.url_rule is None or HEADER not in request.headers \
            or exempt_view():
        return None
    key = request.headers[HEADER]
    if not valid_key(key):
        refuse(422, RULE)
    settings = current_app.extensions[EXTENSION]
    scope = scope_of(request, key, settings.body_credential)
    fingerprint = fingerprint_of(request)
    connection = settings.engine.connect()
    try:
        connection.begin()
        if not store.try_lock(connection, scope):
            refuse(409, f"a request with this {HEADER} is in flight; retry when it has finished",
                   headers={"Retry-After": "1"})
        stored = store.find(connection, scope)
    except BaseException:
        connection.close()
        raise
    if stored is None:
        g.idempotent_request = Pending(connection, scope, fingerprint)
        return None
    connection.close()  # ends the transaction and with it the lock
    if stored.fingerprint != fingerprint:
        refuse(422, f"this {HEADER} was already used with a different request (method, path or "
                    "body); use a new key for a new request")
    replay = Response(stored.body, status=stored.status, content_type=stored.content_type)
    replay.headers[REPLAYED] = "true"
    return replay


def finish(response: Response) -> Response:
    """Stores the answer and commits it with the view's work, or rolls both back."""
    pending = g.pop("idempotent_request", None)
    if pending is None:
        return response
    try:
        if response.status_code < 500 and response.status_code not in NOT_STORED:
            store.save(pending.connection, pending.scope, store.StoredResponse(
                pending.fingerprint, response.status_code, response.content_type,
                response.get_data()))
            pending.connection.commit()
    except Exception as error:  # e.g. the connection lost: answered as the app answers it in a view
        response = current_app.make_response(current_app.handle_user_exception(error))
    finally:
        pending.connection.close()  # rolls back whatever was not committed
    return response


def release(_error=None) -> None:
    """Whatever path the request took, its connection goes back (rolled back if not committed)."""
    pending = g.pop("idempotent_request", None)
    if pending is not None:
        pending.connection.close()


def refuse(status: int, message: str, **kwargs):
    abort(status, message=message, errors={"headers": {HEADER: [message]}}, **kwargs)
