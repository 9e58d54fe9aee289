"""Payment platform settings: development defaults match the fake; production names what is missing."""
import pytest

from apps.payments import settings
from apps.payments.platform import PaymentPlatform
from apps.settings import MissingSetting

NAMES = ("PAYMENT_PLATFORM_URL", "PAYMENT_PLATFORM_KEY", "PAYMENT_PLATFORM_SECRET",
         "PAYMENT_PLATFORM_TIMEOUT")


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)


def test_development_defaults(monkeypatch):
    monkeypatch.setenv("APP_ENV", "development")
    assert settings.platform_url() == "http://127.0.0.1:8090"
    assert (settings.platform_key(), settings.platform_secret()) == (settings.DEV_KEY, settings.DEV_SECRET)
    assert settings.platform_timeout() == settings.DEFAULT_TIMEOUT_S


@pytest.mark.parametrize("missing", NAMES[:3])
def test_production_refuses_to_start_without_each_setting(monkeypatch, missing):
    monkeypatch.setenv("APP_ENV", "production")
    for name in NAMES[:3]:
        if name != missing:
            monkeypatch.setenv(name, "http://platform.example" if name.endswith("URL") else "set")
    with pytest.raises(MissingSetting, match=missing):
        PaymentPlatform.from_settings()


def test_the_secret_is_not_in_the_clients_repr(monkeypatch):
    monkeypatch.setenv("PAYMENT_PLATFORM_SECRET", "very-secret-value")
    assert "very-secret-value" not in repr(PaymentPlatform.from_settings())


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "121", "ten"])
def test_a_timeout_out_of_range_is_refused_by_name(monkeypatch, value):
    monkeypatch.setenv("PAYMENT_PLATFORM_TIMEOUT", value)
    with pytest.raises(ValueError, match="PAYMENT_PLATFORM_TIMEOUT"):
        settings.platform_timeout()
