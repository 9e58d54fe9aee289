"""The key format: `ak_<id>_<secret>`, stored as a SHA-256 digest, checked in constant time.

The id (16 hex characters) is public: it names the key in `list` and `revoke` and is the primary
key of the lookup, so checking a request costs one indexed read and never a scan over digests.
The secret is 32 random bytes from `secrets` (256 bits). A plain SHA-256 is enough for such a
secret: slow, salted hashes (bcrypt, argon2) exist to make guessing low-entropy passwords from a
stolen digest expensive, but nobody can enumerate 2**256 secrets however fast the hash is, and no
two keys share a secret, so there is nothing for a salt to break up. A fast hash also keeps the
check per request at microseconds.
"""
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

PREFIX = "ak"
# token_hex(8) and token_urlsafe(32): exactly these alphabets and lengths.
KEY_PATTERN = re.compile(r"ak_(?P<id>[0-9a-f]{16})_(?P<secret>[A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class NewKey:
    id: str
    key: str = field(repr=False)  # shown once, never stored or logged
    digest: bytes = field(repr=False)


def new_key() -> NewKey:
    key_id = secrets.token_hex(8)
    key = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    return NewKey(key_id, key, digest(key))


def digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def key_id(key: str) -> str | None:
    """The id of a well-formed key, or None: garbage is refused without a database read."""
    match = KEY_PATTERN.fullmatch(key)
    return match["id"] if match else None


def matches(key: str, stored_digest: bytes) -> bool:
    """Whether `key` is the key behind `stored_digest`, compared in constant time."""
    return hmac.compare_digest(digest(key), bytes(stored_digest))
