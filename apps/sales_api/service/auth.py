"""Service keys of checkout integrations: stored as SHA-256 digests, compared in constant time."""
import hashlib
import hmac

from apps.sales_api.domain.errors import UnknownServiceKey


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def authenticate(uow, key: str) -> int:
    """The id of the integration holding `key`, or UnknownServiceKey. The key is never logged."""
    digest = hash_key(key)
    row = uow.service_keys.find_by_hash(digest)
    # The lookup is by digest, so timing reveals nothing about the key itself; the final
    # comparison is constant-time all the same.
    if row is None or not hmac.compare_digest(row.key_sha256, digest):
        raise UnknownServiceKey()
    return row.id
