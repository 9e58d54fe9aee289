"""Documents the Idempotency-Key on every POST of an API, including POSTs added later.

An apispec plugin sees each operation as a blueprint is registered, so `document(api)` must run
before `api.register_blueprint`.
"""
from apispec import BasePlugin
from flask_smorest import Api

from apps.idempotency.fingerprint import HEADER, MAX_LENGTH

PARAMETER = "IDEMPOTENCY_KEY"
IN_FLIGHT = "IDEMPOTENCY_KEY_IN_FLIGHT"
INVALID = "UNPROCESSABLE_OR_KEY_REUSED"
EXEMPT = "x-idempotency-exempt"  # an operation's mark (middleware.exempt): no key, taken off

DESCRIPTION = (
    f"Makes a retry safe. The first request with a key does the work and its answer (status and "
    f"body) is stored with it, in the same transaction; a later request with the same key and the "
    f"same method, path and body gets that answer again, with `Idempotent-Replayed: true`, and "
    f"nothing is done twice. Keys are scoped to the caller's credentials and kept at least 24 "
    f"hours. Server errors (5xx) and requests refused as malformed, invalid or unauthenticated "
    f"(400, 401, 403, 422) are not stored: retry them with the same key. "
    f"1 to {MAX_LENGTH} printable ASCII characters, e.g. a UUID.")


class IdempotencyKeyPlugin(BasePlugin):
    def operation_helper(self, path=None, operations=None, **kwargs):
        post = (operations or {}).get("post")
        if post is None or post.pop(EXEMPT, False):
            return
        post.setdefault("parameters", []).append(PARAMETER)
        responses = {str(code): response for code, response in post.get("responses", {}).items()}
        responses.setdefault("409", IN_FLIGHT)  # a view's own 409 keeps its description
        responses["422"] = INVALID
        post["responses"] = responses

def document(api: Api) -> None:
    error = {"application/json": {"schema": api.ERROR_SCHEMA}}
    api.spec.components.parameter(PARAMETER, "header", {
        "name": HEADER, "required": False, "description": DESCRIPTION,
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH,
                   "pattern": "^[ -~]+$"}}, lazy=True)
    api.spec.components.response(IN_FLIGHT, {
        "description": f"A request with the same {HEADER} is still in flight: retry it later",
        "content": error}, lazy=True)
    api.spec.components.response(INVALID, {
        "description": f"Invalid request (the field named in `errors`), or its {HEADER} was "
                       "already used with a different request", "content": error}, lazy=True)
    api.spec.plugins.append(IdempotencyKeyPlugin())
