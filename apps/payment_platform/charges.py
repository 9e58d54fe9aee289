"""What the fake platform decides: request bodies checked, test cards approved or declined.

Test cards (any spacing): 4242 4242 4242 4242 approves; 4000 0000 0000 0002 declines with
`card_declined`; 4000 0000 0000 9995 declines with `insufficient_funds`; any other number that
passes the card rules (apps/cards/rules.py: Luhn, expiry, CVC) approves, and one that fails them
is declined with the rule's code. A subscription charge is declined for a customer id starting
with `decline`, approved otherwise. Only a card's brand and last four digits are kept.
"""
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

from apps.cards.rules import InvalidCard, validate_card

MAX_TEXT = 255
CENTS = Decimal("0.01")
CARD_DECLINED = ("card_declined", "The card was declined.")
TEST_DECLINES = {
    "4000000000000002": CARD_DECLINED,
    "4000000000009995": ("insufficient_funds", "The card has insufficient funds."),
}
DECLINE_FOR_FIELD = {
    "number": ("incorrect_number", "The card number is incorrect."),
    "expiryMonth": ("invalid_expiry", "The card's expiry date is invalid or has passed."),
    "expiryYear": ("invalid_expiry", "The card's expiry date is invalid or has passed."),
    "cvc": ("incorrect_cvc", "The card's security code is incorrect."),
    "holder": ("invalid_holder", "The card holder's name is missing or invalid."),
}
CARD_FIELDS = {"number": str, "holder": str, "expiryMonth": int, "expiryYear": int, "cvc": str}


class Problem(Exception):
    """An answer other than success: its HTTP status, a code and a message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class ChargeRequest:
    amount: Decimal
    currency: str
    reference: str
    card: dict  # the fields of CARD_FIELDS, types checked

    def canonical(self) -> dict:
        """What identifies the request for its idempotency key (the number without spaces)."""
        number = self.card["number"].replace(" ", "").replace("-", "")
        return {"amount": str(self.amount), "currency": self.currency, "reference": self.reference,
                "card": {**self.card, "number": number}}


def text(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not 0 < len(value) <= MAX_TEXT:
        raise Problem(400, "invalid_request", f"{name} must be a string of 1 to {MAX_TEXT} characters")
    return value


def amount_of(body: dict) -> Decimal:
    try:
        amount = Decimal(text(body, "amount"))
        if amount.is_finite() and amount > 0 and amount == amount.quantize(CENTS):
            return amount.quantize(CENTS)
    except InvalidOperation:  # not a number, or too large to have cents
        pass
    raise Problem(400, "invalid_request", "amount must be a positive decimal string with at most 2 places")


def charge_request(body: object) -> ChargeRequest:
    if not isinstance(body, dict):
        raise Problem(400, "invalid_request", "the body must be a JSON object")
    amount = amount_of(body)
    currency = text(body, "currency")
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha() and currency.isupper()):
        raise Problem(400, "invalid_request", "currency must be an ISO 4217 code such as BRL")
    card = body.get("card")
    if not isinstance(card, dict):
        raise Problem(400, "invalid_request", "card must be an object")
    for name, kind in CARD_FIELDS.items():
        if not isinstance(card.get(name), kind) or isinstance(card.get(name), bool):
            raise Problem(400, "invalid_request", f"card.{name} must be a {kind.__name__}")
    return ChargeRequest(amount, currency, text(body, "reference"),
                         {name: card[name] for name in CARD_FIELDS})


def subscription_request(body: object) -> dict:
    """`{"customer_id", "sku_id"}`, and optionally `subscription_id` (the webhook reporting the
    outcome names it) and `amount` (what to charge instead of the sku's price: a proration)."""
    if not isinstance(body, dict):
        raise Problem(400, "invalid_request", "the body must be a JSON object")
    order = {"customer_id": text(body, "customer_id"), "sku_id": text(body, "sku_id")}
    if "subscription_id" in body:
        order["subscription_id"] = text(body, "subscription_id")
    if "amount" in body:
        order["amount"] = str(amount_of(body))
    return order


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def outcome(decline: tuple[str, str] | None) -> dict:
    if decline is None:
        return {"status": "approved"}
    return {"status": "declined", "declineCode": decline[0], "declineMessage": decline[1]}


def decide_charge(request: ChargeRequest, today: date) -> dict:
    """The charge document the platform keeps and answers with."""
    card, decline = request.card, None
    try:
        checked = validate_card(card["number"], card["holder"], card["expiryMonth"],
                                card["expiryYear"], card["cvc"], today)
        summary = {"brand": checked.brand, "last4": checked.last4}
        decline = TEST_DECLINES.get(checked.number)
    except InvalidCard as invalid:
        decline = DECLINE_FOR_FIELD[next(iter(invalid.errors))]
        digits = card["number"].replace(" ", "").replace("-", "")
        summary = {"brand": None, "last4": digits[-4:] if digits.isdigit() else None}
    return {"id": f"ch_{secrets.token_hex(12)}", "kind": "card", **outcome(decline),
            "amount": str(request.amount), "currency": request.currency,
            "reference": request.reference, "card": summary, "created": now()}


def decide_subscription_charge(request_id: str, request: dict) -> dict:
    decline = CARD_DECLINED if request["customer_id"].startswith("decline") else None
    return {"id": f"ch_{secrets.token_hex(12)}", "kind": "subscription", **outcome(decline),
            "reference": request_id, "request_id": request_id, **request, "created": now()}


def refund_for(charge: dict) -> dict:
    if charge["status"] != "approved":
        raise Problem(409, "charge_not_refundable", f"charge {charge['id']} was declined: nothing to refund")
    return {"id": f"re_{secrets.token_hex(12)}", "charge": charge["id"], "status": "succeeded",
            "amount": charge.get("amount"), "currency": charge.get("currency"), "created": now()}
