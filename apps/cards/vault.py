"""Card data at rest: AES-256-GCM, bound to its order, under a key that can be rotated.

A ciphertext is `key id (1 byte) | nonce (12 random bytes) | AES-GCM output (data + 16-byte tag)`.
The associated data holds the key id and the order id, so a ciphertext copied to another order,
or with its key id byte changed, fails authentication like any other tampering: `decrypt` raises
`CardRefused` and never returns altered card data. The vault only encrypts and decrypts; the
order's repository deletes the ciphertext once the charge attempt has ended.

Keys (`CardVault.from_environment`):
- CARD_ENCRYPTION_KEY: urlsafe base64 of 32 random bytes (`new_key()` makes one), key id
  CARD_ENCRYPTION_KEY_ID (1 to 255, default 1). Rotating: give the new key a new id and keep the
  old one in CARD_ENCRYPTION_OLD_KEYS (`id:key,id:key`) until the orders encrypted under it are
  charged; new ciphertexts always use the current key.
- Without it, in development, a key generated once into `$STACK_DIR/card-encryption.key`
  (mode 0600) and reused; with APP_ENV=production, `MissingSetting` naming CARD_ENCRYPTION_KEY.
Nothing here logs; no message carries card data or key material.
"""
import base64
import binascii
import json
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from apps.cards.rules import Card
from apps.settings import MissingSetting, production
from apps.stack_folder import stack_dir

KEY_BYTES = 32
NONCE_BYTES = 12
KEY_FILE = "card-encryption.key"  # under the stack folder, development only
_CONTEXT = b"course-sales card v1\x00"  # separates these ciphertexts from any other use of a key
MAKE_A_KEY = "python -c 'from apps.cards.vault import new_key; print(new_key())'"


class CardRefused(ValueError):
    """A ciphertext that does not decrypt: altered, for another order, or under an unknown key."""


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def _decode_key(text: str, name: str) -> bytes:
    try:
        key = base64.b64decode(text.strip().encode(), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise MissingSetting(f"{name} must be urlsafe base64 of {KEY_BYTES} bytes; make one with {MAKE_A_KEY}")
    return key


class CardVault:
    def __init__(self, keys: Mapping[int, bytes], current_key_id: int):
        if not all(1 <= key_id <= 255 and len(key) == KEY_BYTES for key_id, key in keys.items()):
            raise ValueError(f"card keys need ids 1 to 255 and {KEY_BYTES} bytes each")
        if current_key_id not in keys:
            raise ValueError(f"the current card key id {current_key_id} has no key")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current = current_key_id

    def __repr__(self) -> str:
        return f"CardVault(current_key_id={self._current}, key_ids={sorted(self._ciphers)})"

    @classmethod
    def from_environment(cls) -> "CardVault":
        current = _key_id(os.environ.get("CARD_ENCRYPTION_KEY_ID", "1"), "CARD_ENCRYPTION_KEY_ID")
        keys = {current: _current_key()}
        for entry in filter(None, os.environ.get("CARD_ENCRYPTION_OLD_KEYS", "").split(",")):
            key_id, _, text = entry.partition(":")
            keys[_key_id(key_id, "CARD_ENCRYPTION_OLD_KEYS")] = _decode_key(text, "CARD_ENCRYPTION_OLD_KEYS")
        return cls(keys, current)

    def encrypt(self, card: Card, order_id: object) -> bytes:
        plain = json.dumps({"number": card.number, "holder": card.holder, "cvc": card.cvc,
                            "expiryMonth": card.expiry_month, "expiryYear": card.expiry_year})
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self._current].encrypt(
            nonce, plain.encode(), _associated(self._current, order_id))
        return bytes([self._current]) + nonce + sealed

    def decrypt(self, ciphertext: bytes, order_id: object) -> Card:
        key_id, nonce, sealed = ciphertext[0:1], ciphertext[1:1 + NONCE_BYTES], ciphertext[1 + NONCE_BYTES:]
        cipher = self._ciphers.get(key_id[0]) if key_id else None
        if cipher is None or len(nonce) != NONCE_BYTES:
            raise CardRefused("card ciphertext refused: truncated or under an unknown key")
        try:
            plain = json.loads(cipher.decrypt(nonce, sealed, _associated(key_id[0], order_id)))
        except InvalidTag:
            raise CardRefused("card ciphertext refused: altered, or encrypted for another order") from None
        return Card(plain["number"], plain["holder"], plain["expiryMonth"], plain["expiryYear"],
                    plain["cvc"])


def _key_id(text: str, name: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 255:
        raise MissingSetting(f"{name}: a key id is a whole number from 1 to 255, not {text!r}")
    return int(text)


def _associated(key_id: int, order_id: object) -> bytes:
    return _CONTEXT + bytes([key_id]) + str(order_id).encode()


def _current_key() -> bytes:
    if os.environ.get("CARD_ENCRYPTION_KEY"):
        return _decode_key(os.environ["CARD_ENCRYPTION_KEY"], "CARD_ENCRYPTION_KEY")
    if production():
        raise MissingSetting(
            "CARD_ENCRYPTION_KEY is not set (APP_ENV=production has no development key): set it "
            f"to urlsafe base64 of {KEY_BYTES} random bytes, made with {MAKE_A_KEY}")
    path = stack_dir() / KEY_FILE
    return _decode_key(development_key(path), str(path))


def development_key(path: Path) -> str:
    """The key in `path`, created (mode 0600) by whichever process comes first.

    Several processes (API workers, the payment worker) may start at once: each writes its
    candidate to a file of its own and links it into place, which fails if another got there
    first, so all of them end up with the one key and none overwrites it.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f"{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(new_key() + "\n")
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text()
