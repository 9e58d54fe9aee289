"""The card vault: AES-256-GCM bound to the order, refused when altered, keys from configuration."""
import base64
import stat

import pytest

from apps.cards.rules import Card
from apps.cards.vault import KEY_FILE, CardRefused, CardVault, new_key
from apps.settings import MissingSetting

CARD = Card("4242424242424242", "Ana Maria", 12, 2030, "123")


def key(byte: int) -> bytes:
    return bytes([byte]) * 32


@pytest.fixture
def vault() -> CardVault:
    return CardVault({1: key(1)}, 1)


def test_round_trip(vault):
    assert vault.decrypt(vault.encrypt(CARD, "order-1"), "order-1") == CARD


def test_the_ciphertext_shows_nothing_of_the_card(vault):
    sealed = vault.encrypt(CARD, "order-1")
    for plain in (b"4242424242424242", b"Ana Maria", b"123"):
        assert plain not in sealed


def test_each_encryption_uses_a_fresh_nonce(vault):
    assert vault.encrypt(CARD, "order-1") != vault.encrypt(CARD, "order-1")


@pytest.mark.parametrize("position", [0, 1, 12, 13, -1])
def test_a_tampered_ciphertext_is_refused(vault, position):
    sealed = bytearray(vault.encrypt(CARD, "order-1"))
    sealed[position] ^= 0x01
    with pytest.raises(CardRefused):
        vault.decrypt(bytes(sealed), "order-1")


@pytest.mark.parametrize("sealed", [b"", b"\x01", b"\x01" + b"\x00" * 12])
def test_a_truncated_ciphertext_is_refused(vault, sealed):
    with pytest.raises(CardRefused):
        vault.decrypt(sealed, "order-1")


def test_a_ciphertext_moved_to_another_order_is_refused(vault):
    with pytest.raises(CardRefused):
        vault.decrypt(vault.encrypt(CARD, "order-1"), "order-2")


def test_another_key_cannot_decrypt():
    sealed = CardVault({1: key(1)}, 1).encrypt(CARD, "order-1")
    with pytest.raises(CardRefused):
        CardVault({1: key(2)}, 1).decrypt(sealed, "order-1")


def test_rotation_encrypts_with_the_new_key_and_still_decrypts_the_old():
    old = CardVault({1: key(1)}, 1).encrypt(CARD, "order-1")
    rotated = CardVault({1: key(1), 2: key(2)}, 2)
    new = rotated.encrypt(CARD, "order-1")
    assert new[0] == 2
    assert rotated.decrypt(old, "order-1") == CARD
    assert rotated.decrypt(new, "order-1") == CARD


def test_the_vault_shows_no_key(vault):
    assert base64.urlsafe_b64encode(key(1)).decode() not in repr(vault)
    assert "\\x01" not in repr(vault)


@pytest.fixture
def settings(monkeypatch, tmp_path):
    """Sets the given variables, and clears every other card key setting."""
    for name in ("CARD_ENCRYPTION_KEY", "CARD_ENCRYPTION_KEY_ID", "CARD_ENCRYPTION_OLD_KEYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STACK_DIR", str(tmp_path))

    def given(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)
    return given


def test_key_from_the_environment(settings, tmp_path):
    text = new_key()
    settings(APP_ENV="production", CARD_ENCRYPTION_KEY=text)
    sealed = CardVault.from_environment().encrypt(CARD, 7)
    assert CardVault({1: base64.urlsafe_b64decode(text)}, 1).decrypt(sealed, 7) == CARD
    assert not (tmp_path / KEY_FILE).exists()


def test_rotation_from_the_environment(settings):
    old_key = new_key()
    settings(APP_ENV="production", CARD_ENCRYPTION_KEY=old_key)
    old = CardVault.from_environment().encrypt(CARD, 7)
    settings(CARD_ENCRYPTION_KEY=new_key(), CARD_ENCRYPTION_KEY_ID="2",
             CARD_ENCRYPTION_OLD_KEYS=f"1:{old_key}")
    rotated = CardVault.from_environment()
    assert rotated.decrypt(old, 7) == CARD
    assert rotated.encrypt(CARD, 7)[0] == 2


@pytest.mark.parametrize("key_id", ["0", "256", "two"])
def test_a_key_id_out_of_range_is_refused_by_name(settings, key_id):
    settings(APP_ENV="production", CARD_ENCRYPTION_KEY=new_key(), CARD_ENCRYPTION_KEY_ID=key_id)
    with pytest.raises(MissingSetting, match="CARD_ENCRYPTION_KEY_ID"):
        CardVault.from_environment()


def test_production_without_a_key_refuses_to_start(settings, tmp_path):
    settings(APP_ENV="production")
    with pytest.raises(MissingSetting, match="CARD_ENCRYPTION_KEY is not set.*new_key"):
        CardVault.from_environment()
    assert not (tmp_path / KEY_FILE).exists()


@pytest.mark.parametrize("text", ["too-short", base64.urlsafe_b64encode(b"x" * 31).decode(),
                                  "!" * 44])
def test_a_malformed_key_is_refused_by_name(settings, text):
    settings(APP_ENV="production", CARD_ENCRYPTION_KEY=text)
    with pytest.raises(MissingSetting, match="CARD_ENCRYPTION_KEY must be urlsafe base64 of 32 bytes"):
        CardVault.from_environment()


def test_development_key_is_created_private_and_reused(settings, tmp_path):
    folder = tmp_path / "not-yet"
    settings(APP_ENV="development", STACK_DIR=str(folder))
    sealed = CardVault.from_environment().encrypt(CARD, "order-1")
    path = folder / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert CardVault.from_environment().decrypt(sealed, "order-1") == CARD
    assert path.read_text() == text
    assert [p.name for p in folder.iterdir()] == [KEY_FILE]  # no candidate file left behind


def test_a_development_key_written_by_another_process_first_is_used(settings, tmp_path):
    settings(APP_ENV="development")
    theirs = new_key()
    (tmp_path / KEY_FILE).write_text(theirs + "\n")
    sealed = CardVault.from_environment().encrypt(CARD, "order-1")
    assert CardVault({1: base64.urlsafe_b64decode(theirs)}, 1).decrypt(sealed, "order-1") == CARD
