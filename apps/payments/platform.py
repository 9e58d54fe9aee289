"""Client of the external payment platform: card charges, refunds, subscription charges.

Every call that moves money carries an idempotency key: the order id for a charge, the request id
for a subscription charge, the caller's key for a refund. Sent again, after a timeout or a 5xx,
it gets the platform's stored answer and never a second charge; that is what makes a retry safe.
A timeout, a failed connection, a 429 or a 5xx raises `PlatformUnavailable`: nothing happened or
the outcome is unknown, so retry with the same key (`with_backoff`). Any other 4xx raises
`PlatformRejected`: the same request cannot succeed later. A declined card is no error but a
`ChargeResult` with `approved=False` and the platform's code and message.

Card data goes into the request body and nowhere else: no log line, exception or repr here
carries it. A client holds one HTTP session: use one client per thread.
"""
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar
from urllib.parse import quote

import requests

from apps.cards.rules import Card
from apps.payments import settings

T = TypeVar("T")
CENTS = Decimal("0.01")


class PlatformUnavailable(Exception):
    """No usable answer (timeout, connection, 429, 5xx): retry with the same idempotency key."""


class PlatformRejected(Exception):
    """A 4xx other than a decline (credentials, a key reused with another body, an unknown charge)."""

    def __init__(self, status: int, message: str):
        super().__init__(f"payment platform refused the request ({status}): {message}")
        self.status, self.message = status, message


@dataclass(frozen=True)
class ChargeResult:
    approved: bool
    charge_id: str
    decline_code: str | None = None
    decline_message: str | None = None


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    charge_id: str
    status: str


class PaymentPlatform:
    def __init__(self, base_url: str, api_key: str, api_secret: str,
                 timeout: float = settings.DEFAULT_TIMEOUT_S):
        self.base_url, self.timeout = base_url.rstrip("/"), timeout
        self._session = requests.Session()
        self._session.headers.update({"x-api-key": api_key, "x-api-secret": api_secret})

    def __repr__(self) -> str:
        return f"PaymentPlatform({self.base_url!r}, timeout={self.timeout})"

    @classmethod
    def from_settings(cls) -> "PaymentPlatform":
        return cls(settings.platform_url(), settings.platform_key(), settings.platform_secret(),
                   settings.platform_timeout())

    def charge(self, order_id: object, amount: Decimal, currency: str, card: Card) -> ChargeResult:
        body = {"amount": money(amount), "currency": currency, "reference": str(order_id),
                "card": {"number": card.number, "holder": card.holder, "cvc": card.cvc,
                         "expiryMonth": card.expiry_month, "expiryYear": card.expiry_year}}
        return charge_result(self._send("POST", "/charges", body, key=str(order_id)))

    def subscription_charge(self, request_id: str, customer_id: str, sku_id: str, *,
                            subscription_id: str | None = None,
                            amount: Decimal | None = None) -> ChargeResult:
        """The contract body is `{"customer_id", "sku_id"}`; `subscription_id` (for the webhook
        that reports the outcome) and `amount` (what a proration charges, not the sku's price)
        are optional additions, sent when given."""
        body = {"customer_id": customer_id, "sku_id": sku_id,
                **({"subscription_id": subscription_id} if subscription_id else {}),
                **({"amount": money(amount)} if amount is not None else {})}
        return charge_result(self._send("POST", f"/order/{quote(request_id, safe='')}", body,
                                        key=request_id))

    def refund(self, charge_id: str, idempotency_key: str) -> RefundResult:
        answer = self._send("POST", f"/charges/{quote(charge_id, safe='')}/refunds", {},
                            key=idempotency_key)
        return RefundResult(answer["id"], answer["charge"], answer["status"])

    def get_charge(self, charge_id: str) -> dict:
        return self._send("GET", f"/charges/{quote(charge_id, safe='')}")

    def charges_for(self, reference: object) -> list[dict]:
        """The platform's charges for one order, for reconciliation."""
        return self._send("GET", "/charges", params={"reference": str(reference)})["data"]

    def _send(self, method: str, path: str, body: dict | None = None, *, key: str | None = None,
              params: dict | None = None) -> dict:
        where = f"{method} {path}"
        try:
            response = self._session.request(
                method, self.base_url + path, json=body, params=params, timeout=self.timeout,
                headers={"Idempotency-Key": key} if key is not None else None)
        except requests.Timeout:
            raise PlatformUnavailable(f"{where}: no answer within {self.timeout} s") from None
        except requests.RequestException as error:
            raise PlatformUnavailable(f"{where}: cannot reach {self.base_url} "
                                      f"({type(error).__name__})") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise PlatformUnavailable(f"{where}: the platform answered {response.status_code}")
        if response.status_code >= 400:
            raise PlatformRejected(response.status_code, error_message(response))
        try:
            return response.json()
        except ValueError:
            raise PlatformUnavailable(f"{where}: the answer ({response.status_code}) is not JSON") from None


def money(amount: Decimal) -> str:
    """The amount as the platform takes it, two decimals; floats are refused, not rounded."""
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise ValueError(f"amount must be a positive Decimal, not {amount!r}")
    if amount != amount.quantize(CENTS):
        raise ValueError(f"amount {amount} has more than two decimal places")
    return str(amount.quantize(CENTS))


def charge_result(answer: dict) -> ChargeResult:
    if answer.get("status") == "approved":
        return ChargeResult(True, answer["id"])
    if answer.get("status") == "declined":
        return ChargeResult(False, answer["id"], answer.get("declineCode"), answer.get("declineMessage"))
    raise PlatformRejected(200, f"unexpected charge status {answer.get('status')!r}")


def error_message(response: requests.Response) -> str:
    try:
        return str(response.json().get("message") or response.reason)
    except (ValueError, AttributeError):
        return response.text[:200] or str(response.reason)


def with_backoff(call: Callable[[], T], attempts: int = 5, base_delay: float = 0.5,
                 max_delay: float = 8.0, sleep: Callable[[float], None] = time.sleep,
                 jitter: Callable[[], float] = random.random) -> T:
    """`call()`, called again on `PlatformUnavailable` only, at most `attempts` times in all.

    The waits double from `base_delay` up to `max_delay`; each is between half and all of that
    (the random half is jitter, so that workers failing together do not retry in step). The
    last `PlatformUnavailable` is raised when the attempts run out.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(attempts - 1):
        try:
            return call()
        except PlatformUnavailable:
            delay = min(max_delay, base_delay * 2 ** attempt)
            sleep(delay / 2 + jitter() * delay / 2)
    return call()
