"""The payment client against the fake platform, run as a real process on a free port.

What the payment worker relies on: approvals and declines by test card, one charge per order
however often it is sent (also across a platform restart, and after a timeout), 5xx retried with
backoff, credentials checked, refunds, subscription charges, and no card number kept or logged.
"""
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from apps.cards.rules import Card
from apps.payments.platform import (PaymentPlatform, PlatformRejected, PlatformUnavailable,
                                    with_backoff)
from tests.integration.polling import wait_for
from tests.unit.http_app import closed_port

pytestmark = pytest.mark.integration
REPO_DIR = Path(__file__).resolve().parents[2]
KEY, SECRET = "test-platform-key", "test-platform-secret"
AUTH = {"x-api-key": KEY, "x-api-secret": SECRET}
PRICE = Decimal("59.80")


def card(number: str = "4242424242424242") -> Card:
    return Card(number, "Ana Lima", 12, 2099, "123")


class FakePlatform:
    """`python -m apps.payment_platform` in a subprocess, with its own database and log."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, closed_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database, self.log_path = folder / "charges.sqlite3", folder / "platform.log"
        self.process = None

    def start(self) -> None:
        env = {**os.environ, "APP_ENV": "development", "PAYMENT_PLATFORM_KEY": KEY,
               "PAYMENT_PLATFORM_SECRET": SECRET, "PAYMENT_PLATFORM_DB": str(self.database)}
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "apps.payment_platform", "--port", str(self.port)],
                cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_for(self.answers, 20, "the fake platform's /health")

    def answers(self) -> bool:
        assert self.process.poll() is None, self.log_path.read_text()
        try:
            return requests.get(f"{self.url}/health", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        self.process.terminate()
        try:
            assert self.process.wait(10) == 0, self.log_path.read_text()
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def control(self, method: str = "POST", **settings) -> None:
        requests.request(method, f"{self.url}/_control", json=settings or None, headers=AUTH,
                         timeout=5).raise_for_status()


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    fake = FakePlatform(tmp_path_factory.mktemp("payment-platform"))
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def client(platform):
    yield PaymentPlatform(platform.url, KEY, SECRET, timeout=5)
    platform.control("DELETE")  # whatever a test set, the next starts without it


def order_id() -> str:
    return f"order-{uuid.uuid4()}"


def test_the_approving_card_is_charged(client):
    order = order_id()
    result = client.charge(order, PRICE, "BRL", card())
    assert result.approved and result.charge_id.startswith("ch_")
    assert (result.decline_code, result.decline_message) == (None, None)
    charge = client.get_charge(result.charge_id)
    assert (charge["amount"], charge["currency"], charge["reference"]) == ("59.80", "BRL", order)
    assert charge["card"] == {"brand": "visa", "last4": "4242"}


@pytest.mark.parametrize("number, code, message", [
    ("4000000000000002", "card_declined", "The card was declined."),
    ("4000000000009995", "insufficient_funds", "The card has insufficient funds."),
])
def test_declining_cards_give_their_code(client, number, code, message):
    result = client.charge(order_id(), PRICE, "BRL", card(number))
    assert not result.approved
    assert (result.decline_code, result.decline_message) == (code, message)
    assert client.get_charge(result.charge_id)["status"] == "declined"


def test_any_other_valid_number_is_approved(client):
    assert client.charge(order_id(), PRICE, "BRL", card("5555555555554444")).approved


def test_the_same_order_again_returns_the_same_charge(client):
    order = order_id()
    first = client.charge(order, PRICE, "BRL", card())
    assert client.charge(order, Decimal("59.8"), "BRL", card()) == first
    assert [c["id"] for c in client.charges_for(order)] == [first.charge_id]


def test_the_same_key_with_another_body_is_refused(client):
    order = order_id()
    client.charge(order, PRICE, "BRL", card())
    with pytest.raises(PlatformRejected) as refused:
        client.charge(order, Decimal("10.00"), "BRL", card())
    assert refused.value.status == 409 and "Idempotency-Key" in refused.value.message
    assert len(client.charges_for(order)) == 1


def test_a_wrong_secret_is_rejected_and_charges_nothing(platform, client):
    order = order_id()
    with pytest.raises(PlatformRejected) as refused:
        PaymentPlatform(platform.url, KEY, "not-the-secret", timeout=5).charge(order, PRICE, "BRL", card())
    assert refused.value.status == 401
    assert client.charges_for(order) == []


def test_no_credentials_is_a_json_401_and_health_needs_none(platform):
    response = requests.get(f"{platform.url}/charges", timeout=5)
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"
    assert requests.get(f"{platform.url}/health", timeout=5).status_code == 200


def charge_body(**card_fields) -> dict:
    return {"amount": "59.80", "currency": "BRL", "reference": "order-raw",
            "card": {"number": "4242424242424242", "holder": "Ana Lima", "expiryMonth": 12,
                     "expiryYear": 2099, "cvc": "123", **card_fields}}


@pytest.mark.parametrize("headers, body, message", [
    ({}, charge_body(), "Idempotency-Key must be"),
    ({"Idempotency-Key": "raw-1"}, "not json", "JSON object"),
    ({"Idempotency-Key": "raw-2"}, {**charge_body(), "amount": "59.805"}, "amount"),
    ({"Idempotency-Key": "raw-3"}, {**charge_body(), "currency": "brl"}, "currency"),
    ({"Idempotency-Key": "raw-4"}, charge_body(expiryMonth="12"), "card.expiryMonth"),
])
def test_malformed_charges_are_a_400_naming_the_rule(platform, client, headers, body, message):
    response = requests.post(f"{platform.url}/charges", headers={**AUTH, **headers}, timeout=5,
                             **({"json": body} if isinstance(body, dict) else {"data": body}))
    assert response.status_code == 400 and message in response.json()["message"]
    assert client.charges_for("order-raw") == []


@pytest.mark.parametrize("fields, code", [({"number": "4242424242424241"}, "incorrect_number"),
                                          ({"expiryYear": 2001}, "invalid_expiry"),
                                          ({"cvc": "12"}, "incorrect_cvc")])
def test_a_card_breaking_a_rule_is_declined_with_its_code(platform, fields, code):
    response = requests.post(f"{platform.url}/charges", json=charge_body(**fields), timeout=5,
                             headers={**AUTH, "Idempotency-Key": f"order-{uuid.uuid4()}"})
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["declineCode"]) == ("declined", code)


def test_5xx_then_success_charges_once_with_backoff(platform, client):
    platform.control(failNext=2, failStatus=503)
    order, waits = order_id(), []
    result = with_backoff(lambda: client.charge(order, PRICE, "BRL", card()), attempts=5,
                          base_delay=0.2, max_delay=1, sleep=waits.append)
    assert result.approved
    assert len(waits) == 2  # two 503s, each followed by one wait
    assert [c["id"] for c in client.charges_for(order)] == [result.charge_id]


def test_an_answer_slower_than_the_timeout_is_unavailable_and_the_retry_charges_once(platform, client):
    platform.control(delaySeconds=2)
    order = order_id()
    with pytest.raises(PlatformUnavailable, match="no answer within 0.5 s"):
        PaymentPlatform(platform.url, KEY, SECRET, timeout=0.5).charge(order, PRICE, "BRL", card())
    platform.control("DELETE")
    # The slow call goes on after the client gave up and makes the charge: the outcome a
    # timeout leaves unknown. The retry with the same order id must find it, not charge again.
    made = wait_for(lambda: client.charges_for(order), 10, "the slowed charge to be made")
    assert client.charge(order, PRICE, "BRL", card()).charge_id == made[0]["id"]
    assert len(client.charges_for(order)) == 1


def test_an_unreachable_platform_is_unavailable():
    with pytest.raises(PlatformUnavailable, match="cannot reach"):
        PaymentPlatform(f"http://127.0.0.1:{closed_port()}", KEY, SECRET, timeout=2).charge(
            order_id(), PRICE, "BRL", card())


def test_a_refund_is_made_once(client):
    order = order_id()
    charge = client.charge(order, PRICE, "BRL", card())
    refund = client.refund(charge.charge_id, idempotency_key=order)
    assert refund.refund_id.startswith("re_") and refund.status == "succeeded"
    assert refund.charge_id == charge.charge_id
    assert client.refund(charge.charge_id, idempotency_key=order) == refund
    assert client.get_charge(charge.charge_id)["refund"] == refund.refund_id
    with pytest.raises(PlatformRejected) as again:
        client.refund(charge.charge_id, idempotency_key=f"{order}-again")
    assert again.value.status == 409


def test_a_declined_or_unknown_charge_cannot_be_refunded(client):
    declined = client.charge(order_id(), PRICE, "BRL", card("4000000000000002"))
    with pytest.raises(PlatformRejected) as refused:
        client.refund(declined.charge_id, idempotency_key=order_id())
    assert refused.value.status == 409
    with pytest.raises(PlatformRejected) as unknown:
        client.refund("ch_nothing", idempotency_key=order_id())
    assert unknown.value.status == 404


def test_subscription_charges_are_idempotent_by_request_id(client):
    request_id = f"req-{uuid.uuid4()}"
    first = client.subscription_charge(request_id, "customer-1", "plan_12345")
    assert first.approved
    assert client.subscription_charge(request_id, "customer-1", "plan_12345") == first
    assert [c["id"] for c in client.charges_for(request_id)] == [first.charge_id]
    with pytest.raises(PlatformRejected) as refused:
        client.subscription_charge(request_id, "customer-1", "plan_54321")
    assert refused.value.status == 409
    declined = client.subscription_charge(f"req-{uuid.uuid4()}", "decline-customer", "plan_12345")
    assert (declined.approved, declined.decline_code) == (False, "card_declined")


def test_a_restart_keeps_every_answer(platform, client):
    order = order_id()
    first = client.charge(order, PRICE, "BRL", card())
    platform.stop()
    platform.start()
    assert client.charge(order, PRICE, "BRL", card()) == first
    assert len(client.charges_for(order)) == 1


def test_card_numbers_are_neither_stored_nor_logged(platform, client):
    numbers = ["4242424242424242", "4000000000009995"]
    for number in numbers:
        client.charge(order_id(), PRICE, "BRL", card(number))
    # Every file the platform writes: its database (with SQLite's write-ahead log) and its log.
    kept = b"".join(path.read_bytes() for path in platform.folder.iterdir())
    for number in numbers:
        assert number.encode() not in kept
    assert b"4242" in kept  # the last four digits are kept: the search above does find text
