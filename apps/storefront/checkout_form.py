"""The checkout form, both ways: its fields into the sales API's order JSON, and the API's 422
field errors (flask-smorest: `errors.json.card.number`, `errors.json.items.0.productId`) back
onto the form's fields, the cart's lines, or the top of the form."""
from dataclasses import dataclass, field

FIELDS = {  # form field -> where the API takes it (and names it in a 422)
    "name": "customer.name",
    "email": "customer.email",
    "card_number": "card.number",
    "card_holder": "card.holder",
    "expiry_month": "card.expiryMonth",
    "expiry_year": "card.expiryYear",
    "cvc": "card.cvc",
}
FIELD_OF_PATH = {path: name for name, path in FIELDS.items()}
KEPT_ON_ERROR = ("name", "email", "card_holder", "expiry_month", "expiry_year")  # never the card number or CVC


@dataclass
class FormErrors:
    fields: dict[str, list[str]] = field(default_factory=dict)  # form field -> messages
    items: dict[int, list[str]] = field(default_factory=dict)   # cart line index -> messages
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.items or self.general)


def whole_number_or_text(text: str):
    """Digits go as a number; anything else as typed, for the API to name the field."""
    text = text.strip()
    return int(text) if text.isdigit() else text


def customer_json(form) -> dict:
    """The visitor as the API takes it, trimmed: an order's customer, and the lead before it."""
    return {"email": (form.get("email") or "").strip(), "name": (form.get("name") or "").strip()}


def order_json(form, cart: dict) -> dict:
    """The POST /api/orders body from the form and the cart (the server computes the total)."""
    value = {name: (form.get(name) or "").strip() for name in FIELDS}
    return {
        "customer": customer_json(form),
        "items": [{"productId": pid, "quantity": q} for pid, q in cart.items()],
        "card": {"number": value["card_number"], "holder": value["card_holder"],
                 "expiryMonth": whole_number_or_text(value["expiry_month"]),
                 "expiryYear": whole_number_or_text(value["expiry_year"]),
                 "cvc": value["cvc"]},
    }


def flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    """`{"card": {"number": ["x"]}}` -> `{"card.number": ["x"]}`."""
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for key, value in errors.items():
            flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    messages = errors if isinstance(errors, list) else [errors]
    return {prefix: [str(m) for m in messages]}


def form_errors(body: dict) -> FormErrors:
    """Where each message of the API's error `body` belongs on the page."""
    found = FormErrors()
    for path, messages in flatten(body.get("errors") or {}).items():
        location, _, inner = path.partition(".")
        parts = inner.split(".")
        if location == "json" and inner in FIELD_OF_PATH:
            found.fields.setdefault(FIELD_OF_PATH[inner], []).extend(messages)
        elif location == "json" and parts[0] == "items" and len(parts) > 1 and parts[1].isdigit():
            found.items.setdefault(int(parts[1]), []).extend(messages)
        else:
            found.general.extend(f"{readable(inner or location)}: {m}" for m in messages)
    if not found:
        found.general.append(body.get("message") or "The order could not be placed.")
    return found


def readable(path: str) -> str:
    """`card` for `card._schema`, `card expiry` for `card.expiry`: a rule over several fields."""
    return " ".join(p for p in path.split(".") if not p.startswith("_")) or "order"
