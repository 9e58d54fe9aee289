"""What identifies an idempotent request: the key's scope (caller + key) and the request's fingerprint.

The caller is whoever holds the credentials the request carries: its Authorization header and,
where a service authenticates in the body, that body field (the sales API's `serviceKey`). Only
digests are used, so nothing secret is stored, and a stored answer can be reached only by a
request carrying the same credentials, whatever a stranger knows of the key.
"""
import hashlib
import json

from flask import Request

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
RULE = f"{HEADER} must be 1 to {MAX_LENGTH} printable ASCII characters"


def valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_LENGTH and all(" " <= c <= "~" for c in key)


def digest(*parts: bytes) -> bytes:
    """SHA-256 of the parts, each length-prefixed so that no two lists of parts collide."""
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big") + part)
    return h.digest()


def json_body(request: Request):
    """The parsed JSON body, or None for a body that is not JSON."""
    return request.get_json(silent=True) if request.is_json else None


def scope_of(request: Request, key: str, body_credential: str | None) -> bytes:
    body = json_body(request)
    in_body = body.get(body_credential) if body_credential and isinstance(body, dict) else None
    # surrogatepass: JSON can carry a lone surrogate ("\ud800"), which UTF-8 cannot encode; such
    # a credential is refused by the schema later (422), but must not make this raise (a 500).
    # Valid text encodes exactly as before, so stored scopes stay valid.
    return digest(request.headers.get("Authorization", "").encode(),
                  str(in_body or "").encode("utf-8", "surrogatepass"), key.encode())


def fingerprint_of(request: Request) -> bytes:
    """Method, path, query and body; a JSON body in canonical form (key order and spacing
    do not make two requests different)."""
    body = json_body(request)
    canonical = (request.get_data() if body is None else
                 json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    return digest(request.method.encode(), request.path.encode(), request.query_string, canonical)
