"""Cart maths, kept pure: the cart is `{product id: quantity}` (what the session cookie holds);
lines pair it with the catalogue's products, amounts are Decimal from the API's price strings."""
from dataclasses import dataclass
from decimal import Decimal

MAX_QUANTITY = 10  # per product, what the form offers; the sales API enforces its own rule


@dataclass(frozen=True)
class Line:
    product: dict
    quantity: int

    @property
    def amount(self) -> Decimal:
        return Decimal(self.product["price"]) * self.quantity


def quantity_of(text: str | None) -> int | None:
    """A form's quantity as an int from 0 to MAX_QUANTITY, or None when it is not one."""
    text = (text or "").strip()
    if not text.isdigit() or int(text) > MAX_QUANTITY:
        return None
    return int(text)


def added(cart: dict, product_id: str, quantity: int) -> dict:
    """`cart` with `quantity` more of the product, at most MAX_QUANTITY of it."""
    return {**cart, product_id: min(cart.get(product_id, 0) + quantity, MAX_QUANTITY)}


def updated(cart: dict, product_id: str, quantity: int) -> dict:
    """`cart` with the product's quantity set; 0 removes it."""
    rest = {pid: q for pid, q in cart.items() if pid != product_id}
    return {**rest, product_id: quantity} if quantity > 0 else rest


def lines(cart: dict, products: list[dict]) -> list[Line]:
    """The cart's lines in the cart's order; products no longer sold are left out."""
    by_id = {p["id"]: p for p in products if p.get("active", True)}
    return [Line(by_id[pid], q) for pid, q in cart.items() if pid in by_id and q > 0]


def totals(cart_lines: list[Line]) -> dict[str, Decimal]:
    """The total per currency (one entry in a single-currency shop)."""
    result: dict[str, Decimal] = {}
    for line in cart_lines:
        currency = line.product["currency"]
        result[currency] = result.get(currency, Decimal("0")) + line.amount
    return result


def item_count(cart: dict) -> int:
    return sum(cart.values())
