"""An in-memory stand-in for the storefront's API client (apps.storefront.client.ShopApi), and
the storefront app wired to it: page tests without the sales and access APIs.

It answers in the API contract's shape (camelCase, prices as strings) and raises the client's
own errors, so the pages meet the same outcomes they meet over HTTP.
"""
import uuid
from decimal import Decimal

from apps.storefront.app import create_app
from apps.storefront.client import ApiUnavailable, Rejected
from apps.storefront.settings import Settings

PRODUCTS = [
    {"id": "123456", "name": "XYZ Masterclass", "description": "Everything about XYZ.",
     "price": "49.90", "currency": "BRL", "active": True, "roles": ["COURSE_XYZ", "PREMIUM_USER"],
     "accessDuration": "P1M"},
    {"id": "987654", "name": "ABCD Bootcamp", "description": "ABCD from the ground up.",
     "price": "120.00", "currency": "BRL", "active": True, "roles": ["COURSE_ABCD", "PREMIUM_USER"],
     "accessDuration": "P1Y"},
]


def settings(secret: str = "test-secret") -> Settings:
    return Settings(sales_api_url="http://sales.invalid", access_api_url="http://access.invalid",
                    api_key="test-key", secret_key=secret)


class FakeShopApi:
    def __init__(self, products=None):
        self.catalogue = [dict(p) for p in (products or PRODUCTS)]
        self.orders: dict[str, dict] = {}
        self.held: dict[str, list[dict]] = {}  # e-mail -> roles, as the access API answers
        self.down = False
        self.refusal: Rejected | None = None  # what place_order raises, when set
        self.placed: list[tuple[dict, str]] = []  # (order JSON, idempotency key) per call
        self.leads: list[dict] = []  # the lead JSON per call
        self.lead_failure: Exception | None = None  # what record_lead raises, when set
        self.calls: list[str] = []  # "lead", "order": in the order they came
        self.history_asked: list[str] = []

    def check(self):
        if self.down:
            raise ApiUnavailable("fake: down")

    def products(self) -> list[dict]:
        self.check()
        return [dict(p) for p in self.catalogue]

    def product(self, product_id: str) -> dict | None:
        self.check()
        return next((dict(p) for p in self.catalogue if p["id"] == product_id), None)

    def record_lead(self, email: str, name: str) -> dict:
        self.check()
        self.calls.append("lead")
        if self.lead_failure:
            raise self.lead_failure
        self.leads.append({"email": email, "name": name})
        return {"id": str(uuid.uuid4()), "email": email, "name": name, "status": "open"}

    def place_order(self, order: dict, idempotency_key: str) -> dict:
        self.check()
        self.calls.append("order")
        self.placed.append((order, idempotency_key))
        if self.refusal:
            raise self.refusal
        by_id = {p["id"]: p for p in self.catalogue}
        items = [{"productId": i["productId"], "productName": by_id[i["productId"]]["name"],
                  "quantity": i["quantity"], "unitPrice": by_id[i["productId"]]["price"],
                  "amount": str(Decimal(by_id[i["productId"]]["price"]) * i["quantity"]),
                  "roles": by_id[i["productId"]]["roles"],
                  "accessDuration": by_id[i["productId"]]["accessDuration"]}
                 for i in order["items"]]
        placed = {"id": str(uuid.uuid4()), "status": "pending_payment", "customer": order["customer"],
                  "items": items, "total": str(sum(Decimal(i["amount"]) for i in items)),
                  "currency": "BRL", "card": {"brand": "visa", "last4": order["card"]["number"][-4:]},
                  "createdAt": "2030-01-02T10:00:00+00:00", "paidAt": None, "failureReason": None}
        self.orders[placed["id"]] = placed
        return placed

    def order(self, order_id: str) -> dict | None:
        self.check()
        return self.orders.get(order_id)

    def customer_orders(self, email: str, page: int, page_size: int) -> dict:
        self.check()
        self.history_asked.append(email)
        mine = [o for o in reversed(self.orders.values()) if o["customer"]["email"] == email]
        pages = -(-len(mine) // page_size)
        return {"orders": mine[(page - 1) * page_size:page * page_size], "page": page,
                "pages": pages, "total": len(mine)}

    def roles(self, email: str) -> list[dict]:
        self.check()
        return self.held.get(email, [])


def storefront(api: FakeShopApi | None = None, secret: str = "test-secret"):
    """The app on a fake API, and the fake to steer it."""
    api = api or FakeShopApi()
    app = create_app(settings(secret), api)
    app.config["TESTING"] = True
    return app, api
