"""Checks every request passes before a view sees it: URL and body size, media type, JSON shape.

Each refusal is an HTTP error in the one JSON shape, naming the rule, before anything is read
from the database. The body is read at most once, through werkzeug's stream bounded by
MAX_CONTENT_LENGTH: a Content-Length above it is refused unread, a chunked body is cut off
when it passes it, and a Content-Length below the real size only ever yields that many bytes.
"""
import json
import re

from flask import Flask, request
from flask_smorest import abort

from apps.web.fields import control_character

MAX_BODY_BYTES = 1024 * 1024
# Longest request target (path and query, as sent) the APIs answer. The longest real one is
# /api/users/{email}/roles with a 254-octet address percent-encoded: under 800 bytes.
# apps/gunicorn_conf.py explains why this sits well below gunicorn's own limit.
MAX_URL_BYTES = 2048
MAX_JSON_DEPTH = 32
JSON_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

_JSON_STRUCTURE = re.compile(r'[\[\]{}"\\]')


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects nest deeper than `limit`, by a scan (no recursion, no parse).

    Only brackets outside strings count; it stops at the first level past the limit.
    Malformed text is left for the parser to report.
    """
    depth, in_string, skip_to = 0, False, -1
    for match in _JSON_STRUCTURE.finditer(text):
        char, at = match.group(), match.start()
        if at < skip_to:
            continue  # the character after a backslash inside a string
        if in_string:
            if char == "\\":
                skip_to = at + 2
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def check_request() -> None:
    """A before_request hook; raises the HTTP error of the first rule the request breaks."""
    target = request.environ.get("RAW_URI") or request.full_path  # as sent, percent-encoded
    if len(target) > MAX_URL_BYTES:
        abort(414, message=f"URL longer than {MAX_URL_BYTES} bytes",
              errors={"url": [f"longer than {MAX_URL_BYTES} bytes"]})
    if request.routing_exception is not None:
        return  # Flask raises its 404 or 405 next
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and (bad := control_character(value)):
            abort(422, message=f"path parameter {name} contains a control character",
                  errors={"path": {name: [f"contains the control character {bad}"]}})
    if (request.content_length or 0) > MAX_BODY_BYTES:
        too_large()  # refused unread
    if request.method in JSON_BODY_METHODS:
        # A request that sends no body (POST /api/orders/{id}/cancellation documents none)
        # needs no Content-Type; one that sends a body must send JSON.
        if not request.is_json and sends_body():
            abort(415, message="Content-Type must be application/json",
                  errors={"headers": {"Content-Type": ["must be application/json"]}})
        check_json_body()


def sends_body() -> bool:
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    return bool(request.content_length) or chunked


def check_json_body() -> None:
    raw = request.get_data(cache=True)  # at most MAX_CONTENT_LENGTH bytes
    if not raw:
        return  # no body: the schema names the missing fields
    if request.content_length is None and len(raw) >= MAX_BODY_BYTES:
        # A streamed (chunked) body: werkzeug stops at the limit without saying whether more
        # was coming, so one that fills it is refused whole rather than read truncated.
        too_large()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, message="the body is not UTF-8", errors={"json": ["not UTF-8"]})
    if json_too_deep(text):
        abort(400, message=f"JSON nested deeper than {MAX_JSON_DEPTH} levels",
              errors={"json": [f"nested deeper than {MAX_JSON_DEPTH} levels"]})
    try:
        json.loads(text)  # webargs parses again; this catches what it would raise as a 500
    except json.JSONDecodeError as error:
        invalid_json(f"{error.msg} (line {error.lineno}, column {error.colno})")
    except ValueError:  # Python refuses integers of more than 4300 digits
        invalid_json("a number of more than 4300 digits")


def invalid_json(reason: str) -> None:
    abort(400, message=f"invalid JSON body: {reason}", errors={"json": [f"invalid JSON: {reason}"]})


def too_large() -> None:
    abort(413, message=f"body larger than {MAX_BODY_BYTES} bytes",
          errors={"body": [f"larger than {MAX_BODY_BYTES} bytes"]})


def install_limits(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.before_request(check_request)
