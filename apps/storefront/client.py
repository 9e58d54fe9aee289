"""The storefront's only way to the sales and access APIs: HTTP with the shop's own key.

Every failure to get a usable answer (no connection, a timeout, a 5xx, or our own key refused,
which the customer cannot fix either) is `ApiUnavailable`, shown as the 503 page. A 422 is
`Rejected` with the API's field errors, so the checkout form can show them next to its fields.
"""
from urllib.parse import quote

import requests


class ApiUnavailable(Exception):
    """No usable answer from an API; the message is for the log, not the customer."""


class Rejected(Exception):
    """The API refused the request (4xx other than 404); `body` is its JSON error."""

    def __init__(self, status: int, body: dict):
        super().__init__(f"{status}: {body.get('message', '')}")
        self.status = status
        self.body = body

    @property
    def errors(self) -> dict:
        return self.body.get("errors") or {}


def found(answer: dict | None) -> dict:
    """A 404 from a collection means the API is not the one we expect (or not deployed yet)."""
    if answer is None:
        raise ApiUnavailable("a collection answered 404")
    return answer


class ShopApi:
    def __init__(self, sales_url: str, access_url: str, api_key: str, timeout: float = 5.0):
        self.sales_url, self.access_url, self.timeout = sales_url, access_url, timeout
        self.session = requests.Session()  # keeps connections open; no cookies are involved
        self.auth = {"Authorization": f"Bearer {api_key}"}

    # Catalogue (public) ------------------------------------------------------------------------
    def products(self) -> list[dict]:
        return found(self.call("GET", f"{self.sales_url}/api/products", auth=False))["products"]

    def product(self, product_id: str) -> dict | None:
        return self.call("GET", f"{self.sales_url}/api/products/{quote(product_id, safe='')}",
                         auth=False)

    # Leads -------------------------------------------------------------------------------------
    def record_lead(self, email: str, name: str) -> dict:
        """The visitor's lead: a new one, or the e-mail's live one (the API never makes two)."""
        return found(self.call("POST", f"{self.sales_url}/api/leads",
                               json={"email": email, "name": name}))

    # Orders ------------------------------------------------------------------------------------
    def place_order(self, order: dict, idempotency_key: str) -> dict:
        """The new order; the key makes a repeated submit return the same order."""
        return found(self.call("POST", f"{self.sales_url}/api/orders", json=order,
                               headers={"Idempotency-Key": idempotency_key}))

    def order(self, order_id: str) -> dict | None:
        return self.call("GET", f"{self.sales_url}/api/orders/{quote(order_id, safe='')}")

    def customer_orders(self, email: str, page: int, page_size: int) -> dict:
        answer = self.call("GET", f"{self.sales_url}/api/customers/{quote(email, safe='@')}/orders",
                           params={"page": page, "page_size": page_size})
        return answer or {"orders": [], "page": page, "pages": 0, "total": 0}

    # Access ------------------------------------------------------------------------------------
    def roles(self, email: str) -> list[dict]:
        """The roles the customer holds now; none for a user the access service has not seen yet."""
        answer = self.call("GET", f"{self.access_url}/api/users/{quote(email, safe='@')}/roles")
        return answer["roles"] if answer else []

    def call(self, method: str, url: str, auth: bool = True, **kwargs) -> dict | None:
        """The JSON answer, None for a 404, or one of this module's errors."""
        headers = {**(self.auth if auth else {}), **kwargs.pop("headers", {})}
        try:
            response = self.session.request(method, url, headers=headers, timeout=self.timeout,
                                            **kwargs)
        except requests.RequestException as error:
            raise ApiUnavailable(f"{method} {url}: {type(error).__name__}") from None
        if response.status_code == 404:
            return None
        if response.status_code in (401, 403) or response.status_code >= 500:
            raise ApiUnavailable(f"{method} {url}: {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise ApiUnavailable(f"{method} {url}: {response.status_code} without JSON") from None
        if response.status_code >= 400:
            raise Rejected(response.status_code, body)
        return body
