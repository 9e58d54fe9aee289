"""What can go wrong in a sale, in the buyer's and the integrator's words."""


class SalesError(Exception):
    field: str | None = None


class UnknownServiceKey(SalesError):
    field = "serviceKey"

    def __init__(self):
        super().__init__("unknown service key")


class UnknownProduct(SalesError):
    field = "productId"

    def __init__(self, product_id: str):
        super().__init__(f"product {product_id!r} does not exist")


class NoLivePurchase(SalesError):
    field = "productId"

    def __init__(self, buyer_email: str, product_id: str):
        super().__init__(f"{buyer_email} has no completed purchase of product {product_id!r}")


class ProductArchived(SalesError):
    field = "productId"

    def __init__(self, product_id: str):
        super().__init__(f"product {product_id!r} is archived: it is no longer sold")


class ProductExists(SalesError):
    field = "id"

    def __init__(self, product_id: str):
        super().__init__(f"a product with id {product_id!r} exists")


class InvalidPrice(SalesError):
    field = "price"


class InvalidOrder(SalesError):
    """Fields of an order that break a rule, as flask-smorest nests them: {"card": {"number":
    [...]}, "items": {0: {"productId": [...]}}}."""

    def __init__(self, errors: dict):
        super().__init__("the order cannot be placed: " + "; ".join(_flatten(errors)))
        self.errors = errors


class UnknownOrder(SalesError):
    def __init__(self, order_id):
        super().__init__(f"order {order_id} does not exist")


def _flatten(errors: dict, prefix: str = "") -> list[str]:
    found = []
    for key, value in errors.items():
        path = f"{prefix}{key}"
        found += _flatten(value, path + ".") if isinstance(value, dict) else \
            [f"{path}: {' '.join(value)}"]
    return found
