"""The storefront's pure parts: cart maths, wording, the 422 mapping, order progress, settings."""
import os
import stat
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from apps.settings import MissingSetting
from apps.storefront import cart, settings
from apps.storefront.checkout_form import form_errors
from apps.storefront.formatting import course_name, date, duration_words, money, unlocks
from apps.storefront.order_status import progress
from tests.unit.storefront_fakes import PRODUCTS

NOW = datetime(2030, 1, 2, 10, 0, tzinfo=timezone.utc)


def test_cart_quantities_add_up_to_the_maximum_and_zero_removes():
    basket = cart.added(cart.added({}, "123456", 4), "123456", 9)
    assert basket == {"123456": cart.MAX_QUANTITY}
    assert cart.updated(basket, "123456", 0) == {}
    assert cart.updated({"a": 1, "b": 2}, "a", 3) == {"a": 3, "b": 2}
    assert [cart.quantity_of(t) for t in ("1", " 10 ", "0", "11", "-1", "1.5", "", None)] == \
        [1, 10, 0, None, None, None, None, None]


def test_cart_lines_skip_products_no_longer_sold_and_total_exactly():
    products = [{**PRODUCTS[0], "price": "0.10"}, {**PRODUCTS[1], "active": False}]
    lines = cart.lines({"987654": 1, "123456": 3, "gone": 2}, products)
    assert [(l.product["id"], l.quantity) for l in lines] == [("123456", 3)]
    assert cart.totals(lines) == {"BRL": Decimal("0.30")}
    assert cart.item_count({"a": 2, "b": 3}) == 5


def test_money_durations_and_roles_in_words():
    assert money("1049.9", "BRL") == "R$ 1,049.90"
    assert money("10", "CHF") == "CHF 10.00"
    assert [duration_words(d) for d in ("P1M", "P2M", "P1Y", "P1Y6M", "P7D", "PT5S", "P1MT12H", "soon")] == \
        ["1 month", "2 months", "1 year", "1 year and 6 months", "7 days", "5 seconds",
         "1 month and 12 hours", "soon"]
    assert course_name("COURSE_XYZ") == "XYZ" and course_name("COURSE_DATA_SCIENCE") == "DATA Science"
    assert unlocks(["PREMIUM_USER", "COURSE_XYZ", "BETA"]) == ["Course XYZ", "Platform access"]
    assert date("2031-03-02T23:00:00Z") == "2 Mar 2031"


def test_api_field_errors_land_on_form_fields_cart_lines_or_the_top():
    errors = form_errors({"message": "invalid", "errors": {
        "json": {"card": {"expiryYear": ["in the past"], "_schema": ["expired"]},
                 "customer": {"name": ["required"]}, "items": {"1": {"quantity": ["too many"]}}},
        "headers": {"Idempotency-Key": ["not a UUID"]}}})
    assert errors.fields == {"expiry_year": ["in the past"], "name": ["required"]}
    assert errors.items == {1: ["too many"]}
    assert errors.general == ["card: expired", "Idempotency-Key: not a UUID"]
    assert form_errors({"message": "conflict"}).general == ["conflict"]


def order(status: str, paid_at: datetime | None = None) -> dict:
    return {"status": status, "paidAt": paid_at.isoformat() if paid_at else None,
            "items": [{"roles": ["COURSE_XYZ", "PREMIUM_USER"]}, {"roles": ["COURSE_ABCD", "PREMIUM_USER"]}]}


def held(*roles: str) -> list[dict]:
    return [{"role": r, "until": "2030-02-02T10:00:00+00:00"} for r in roles]


def test_an_order_settles_when_paid_and_every_role_it_sold_is_held():
    assert not progress(order("pending_payment"), [], NOW).settled
    waiting = progress(order("paid", NOW), held("COURSE_XYZ", "PREMIUM_USER"), NOW)
    assert waiting.waiting_for_access and not waiting.settled
    assert [c.role for c in waiting.courses] == ["COURSE_XYZ"]
    done = progress(order("paid", NOW), held("COURSE_ABCD", "COURSE_XYZ", "PREMIUM_USER", "OTHER"), NOW)
    assert done.settled and [c.role for c in done.courses] == ["COURSE_XYZ", "COURSE_ABCD"]
    assert done.platform_until == "2030-02-02T10:00:00+00:00"
    ended = progress(order("paid", NOW - timedelta(days=60)), [], NOW)
    assert ended.settled and ended.courses == []
    assert progress(order("payment_failed"), held("COURSE_XYZ"), NOW).courses == []
    assert progress(order("payment_failed"), [], NOW).settled


def test_production_refuses_to_start_without_its_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("STACK_DIR", str(tmp_path))
    monkeypatch.delenv("STOREFRONT_SECRET_KEY", raising=False)
    monkeypatch.delenv("STOREFRONT_API_KEY", raising=False)
    (tmp_path / settings.API_KEY_FILE).write_text("a-development-key\n")
    with pytest.raises(MissingSetting, match="STOREFRONT_SECRET_KEY"):
        settings.secret_key()
    with pytest.raises(MissingSetting, match="STOREFRONT_API_KEY"):
        settings.api_key()
    assert not (tmp_path / settings.SECRET_KEY_FILE).exists()


def test_development_reads_the_stacks_key_file_and_keeps_one_generated_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("STACK_DIR", str(tmp_path))
    monkeypatch.delenv("STOREFRONT_SECRET_KEY", raising=False)
    monkeypatch.delenv("STOREFRONT_API_KEY", raising=False)
    with pytest.raises(MissingSetting, match="storefront-api-key"):
        settings.api_key()
    (tmp_path / settings.API_KEY_FILE).write_text("a-development-key\n")
    assert settings.api_key() == "a-development-key"
    first = settings.secret_key()
    assert len(first) >= 32 and settings.secret_key() == first
    assert stat.S_IMODE(os.stat(tmp_path / settings.SECRET_KEY_FILE).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [settings.API_KEY_FILE, settings.SECRET_KEY_FILE]
