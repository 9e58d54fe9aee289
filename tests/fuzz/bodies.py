"""Valid bodies for the writes the fuzzer must see succeed, each with fresh names: a seeded run
repeats its generated values, which are all taken after the first run."""
import uuid

ORDERED_PRODUCT = "123456"  # seeded, on sale, with a price above 0
# The fake payment platform charges this Visa test number (Luhn-valid) without a failure.
CARD = {"number": "4242 4242 4242 4242", "holder": "FUZZ TESTER", "expiryMonth": 12,
        "expiryYear": 2030, "cvc": "123"}
MANUAL_GRANT = {"role": "FUZZ_MANUAL", "period": {"unit": "DAY", "count": 1}, "reason": "fuzz"}


def fresh_address() -> str:
    return f"fuzz-{uuid.uuid4().hex[:10]}@example.com"


def new_product() -> dict:
    """A product with a fresh id, archived from the start: fuzz products never reach the shop's
    list of products on sale, and nobody can buy them."""
    return {"id": f"fuzz-{uuid.uuid4().hex[:10]}", "name": "Fuzz product", "price": "10.00",
            "currency": "BRL", "roles": ["FUZZ_COURSE"], "accessDuration": "P1D", "active": False}


def new_order() -> dict:
    """One seeded product for a fresh customer, paid by the test card."""
    return {"customer": {"email": fresh_address(), "name": "Fuzz Tester"},
            "items": [{"productId": ORDERED_PRODUCT, "quantity": 1}], "card": dict(CARD)}
