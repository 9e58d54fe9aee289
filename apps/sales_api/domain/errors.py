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
