"""Valid bodies for the writes the fuzzer must see succeed, each with fresh names: a seeded run
repeats its generated values, which are all taken after the first run. Payment webhooks come
as the exact bytes sent, with the signature over them."""
import json
import time
import uuid

from apps.billing import signatures

ORDERED_PRODUCT = "123456"  # seeded, on sale, with a price above 0
# The fake payment platform charges this Visa test number (Luhn-valid) without a failure.
CARD = {"number": "4242 4242 4242 4242", "holder": "FUZZ TESTER", "expiryMonth": 12,
        "expiryYear": 2030, "cvc": "123"}
MANUAL_GRANT = {"role": "FUZZ_MANUAL", "period": {"unit": "DAY", "count": 1}, "reason": "fuzz"}
SUBSCRIBED_PLAN = "plan_12345"  # seeded, active, monthly, 29.99 BRL
UPGRADE_PLAN = "plan_54321"  # seeded, active, monthly, a higher price: a change to it is an upgrade
CANCELLED = {"status": "cancelled"}  # allowed from every status but cancelled: 200 once, then 409


def fresh_address() -> str:
    return f"fuzz-{uuid.uuid4().hex[:10]}@example.com"


def fresh_request_id() -> str:
    return f"fuzz-{uuid.uuid4().hex[:12]}"


def new_product() -> dict:
    """A product with a fresh id, archived from the start: fuzz products never reach the shop's
    list of products on sale, and nobody can buy them."""
    return {"id": f"fuzz-{uuid.uuid4().hex[:10]}", "name": "Fuzz product", "price": "10.00",
            "currency": "BRL", "roles": ["FUZZ_COURSE"], "accessDuration": "P1D", "active": False}


def new_order() -> dict:
    """One seeded product for a fresh customer, paid by the test card."""
    return {"customer": {"email": fresh_address(), "name": "Fuzz Tester"},
            "items": [{"productId": ORDERED_PRODUCT, "quantity": 1}], "card": dict(CARD)}


def new_plan() -> dict:
    """A plan with a fresh id, inactive from the start: it takes no subscriptions and is never
    charged, so fuzz plans add nothing anyone can buy."""
    return {"id": f"fuzz_{uuid.uuid4().hex[:10]}", "name": "Fuzz plan", "price": "10.00",
            "currency": "BRL", "billing_cycle": "monthly", "roles": ["FUZZ_COURSE"],
            "status": "inactive"}


def new_subscription() -> dict:
    return {"plan_id": SUBSCRIBED_PLAN, "customer_email": fresh_address()}


def signed_payment(subscription_id: str, secret: str) -> tuple[bytes, str]:
    """A payment_success webhook of 29.99 (the subscription's currency, BRL, has cents) and the
    X-Webhook-Signature value for those very bytes, the raw body the API checks, signed now."""
    body = json.dumps({"subscription_id": subscription_id, "event": "payment_success",
                       "amount": 29.99, "date": time.strftime("%Y-%m-%d", time.gmtime())}).encode()
    return body, signatures.signature_header(secret, int(time.time()), body)


SUBSCRIPTION_STATUS = ("POST", "/api/subscriptions/{subscription_id}/status")
# Operations whose body is made afresh for each all-real request: a valid one, names unused.
FRESH_BODIES = {
    ("POST", "/api/users/{email}/grants"): lambda: dict(MANUAL_GRANT),
    ("POST", "/api/products"): new_product,
    ("POST", "/api/orders"): new_order,
    ("POST", "/api/plans"): new_plan,
    ("POST", "/api/subscriptions"): new_subscription,
    SUBSCRIPTION_STATUS: lambda: dict(CANCELLED),
    ("POST", "/api/subscriptions/{subscription_id}/plan"): lambda: {"plan_id": UPGRADE_PLAN},
}
