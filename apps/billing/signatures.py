"""The payment webhooks' signature: HMAC-SHA256 with the shared secret over `{t}.{raw body}`.

The platform sends `X-Webhook-Signature: t=<unix seconds>,v1=<64 hex digits>`, where v1 is
hex(HMAC-SHA256(secret, f"{t}.".encode() + body)) over the body's exact bytes. The timestamp
is signed with the body, so a captured request cannot be replayed with a fresh one; one
older than TOLERANCE (or as far in the future, for clocks that drift) is refused. Several v1
values may be sent (while the platform rotates its secret): one that matches is enough.
Comparisons are constant-time; the secret and the expected signature are never logged or told.
"""
import hashlib
import hmac
import re

HEADER = "X-Webhook-Signature"
TOLERANCE_S = 300
MAX_HEADER_LENGTH = 512
SCHEME = "v1"
FORMAT = f"t=<unix seconds>,{SCHEME}=<hex HMAC-SHA256 of \"<t>.<raw body>\">"
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")


class InvalidSignature(Exception):
    """Why a webhook is not authentic: said to the caller, never the expected value."""


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The header value the platform sends (and tests, and the README's curl, build)."""
    return f"t={timestamp},{SCHEME}={sign(secret, timestamp, body)}"


def parse(header: str | None) -> tuple[str, list[str]]:
    """The timestamp (its digits, as signed) and the v1 signatures of a header value."""
    if not header:
        raise InvalidSignature(f"missing: send {HEADER}: {FORMAT}")
    if len(header) > MAX_HEADER_LENGTH:
        raise InvalidSignature(f"longer than {MAX_HEADER_LENGTH} characters")
    timestamps, signatures = [], []
    for part in header.split(","):
        name, equals, value = part.strip().partition("=")
        if not equals:
            raise InvalidSignature(f"malformed: expected {FORMAT}")
        if name == "t":
            timestamps.append(value)
        elif name == SCHEME:
            signatures.append(value)
        # other schemes (a future v2) are skipped, as long as a v1 is there too
    if len(timestamps) != 1 or not _TIMESTAMP.fullmatch(timestamps[0]):
        raise InvalidSignature("malformed: one t=<unix seconds> is required")
    if not signatures or not all(_SIGNATURE.fullmatch(s) for s in signatures):
        raise InvalidSignature(f"malformed: {SCHEME}=<64 lower-case hex digits> is required")
    return timestamps[0], signatures


def verify(secret: str, header: str | None, body: bytes, now: float) -> None:
    """Raises InvalidSignature unless `header` signs `body` with `secret` within TOLERANCE_S."""
    timestamp, signatures = parse(header)
    age = now - int(timestamp)
    if age > TOLERANCE_S:
        raise InvalidSignature(f"the timestamp is more than {TOLERANCE_S} seconds old")
    if age < -TOLERANCE_S:
        raise InvalidSignature(f"the timestamp is more than {TOLERANCE_S} seconds in the future")
    expected = sign(secret, timestamp, body)
    # Every candidate is compared (no early exit), each in constant time.
    matches = [hmac.compare_digest(expected, candidate) for candidate in signatures]
    if not any(matches):
        raise InvalidSignature("the signature does not match the body")
