"""The checkout form on a fake API client: CSRF, the lead then the order sent, the API's 422
beside the fields."""
import re
import uuid

from apps.storefront.client import ApiUnavailable, Rejected
from tests.unit.storefront_fakes import storefront
from tests.unit.test_storefront_pages import add, token

CARD = {"name": "Ana Souza", "email": "ana@example.com", "card_number": "4242 4242 4242 4242",
        "card_holder": "ANA SOUZA", "expiry_month": "12", "expiry_year": "2030", "cvc": "123"}
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def checkout_form(client) -> dict:
    html = client.get("/checkout").get_data(as_text=True)
    return {"csrf_token": token(client, "/checkout"), "idempotency_key": KEY.search(html).group(1)}


def test_a_post_without_a_valid_csrf_token_is_refused_with_a_400_page():
    app, api = storefront()
    client = app.test_client()
    add(client, "123456")
    forged = token(client)[:-2] + "xx"
    other_session = token(app.test_client())
    for data in ({}, {"csrf_token": forged}, {"csrf_token": other_session}):
        page = client.post("/checkout", data={**CARD, **data})
        assert page.status_code == 400 and 'data-code="400"' in page.get_data(as_text=True)
        page = client.post("/cart/items", data={"product_id": "987654", "quantity": "1", **data})
        assert page.status_code == 400
    assert api.placed == []
    assert "cart-line-987654" not in client.get("/cart").get_data(as_text=True)


def test_checkout_sends_the_cart_and_card_with_the_forms_key_then_shows_the_order():
    app, api = storefront()
    client = app.test_client()
    add(client, "123456", "2")
    add(client, "987654")
    form = checkout_form(client)
    answer = client.post("/checkout", data={**CARD, **form})

    (sent, key), = api.placed
    assert key == form["idempotency_key"] and uuid.UUID(key)
    assert sent == {"customer": {"email": "ana@example.com", "name": "Ana Souza"},
                    "items": [{"productId": "123456", "quantity": 2}, {"productId": "987654", "quantity": 1}],
                    "card": {"number": "4242 4242 4242 4242", "holder": "ANA SOUZA",
                             "expiryMonth": 12, "expiryYear": 2030, "cvc": "123"}}
    order_id = next(iter(api.orders))
    assert answer.status_code == 303 and answer.headers["Location"] == f"/orders/{order_id}"
    assert "customer=" in answer.headers["Set-Cookie"] and "HttpOnly" in answer.headers["Set-Cookie"]
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'data-status="pending_payment"' in page and "R$ 219.80" in page
    assert 'data-testid="cart-empty"' in client.get("/cart").get_data(as_text=True)


def test_checkout_records_the_visitor_as_a_lead_before_placing_the_order():
    app, api = storefront()
    client = app.test_client()
    add(client, "123456")
    answer = client.post("/checkout", data={**CARD, "email": " Ana@Example.com ", "name": " Ana Souza ",
                                            **checkout_form(client)})
    assert answer.status_code == 303
    assert api.calls == ["lead", "order"]
    assert api.leads == [{"email": "Ana@Example.com", "name": "Ana Souza"}]  # the API lower-cases


def test_a_lead_refused_or_not_recorded_never_stops_the_order():
    app, api = storefront()
    client = app.test_client()
    add(client, "123456")
    for failure in (ApiUnavailable("fake: leads away"), Rejected(403, {"message": "no scope"})):
        api.lead_failure = failure
        answer = client.post("/checkout", data={**CARD, **checkout_form(client)})
        assert answer.status_code == 303 and answer.headers["Location"].startswith("/orders/")
        add(client, "123456")
    assert len(api.placed) == 2 and api.leads == []


def test_an_invalid_email_is_named_by_the_orders_422_after_the_leads():
    app, api = storefront()
    client = app.test_client()
    add(client, "123456")
    api.lead_failure = Rejected(422, {"message": "invalid", "errors": {"json": {"email": ["x"]}}})
    api.refusal = Rejected(422, {"message": "invalid", "errors": {
        "json": {"customer": {"email": ["not a valid e-mail address"]}}}})
    html = client.post("/checkout", data={**CARD, "email": "ana@", **checkout_form(client)}).get_data(as_text=True)
    assert re.search(r'data-testid="error-email">not a valid e-mail address<', html)
    assert api.calls == ["lead", "order"]


def test_each_rendering_of_the_form_carries_a_new_idempotency_key():
    app, _ = storefront()
    client = app.test_client()
    add(client, "123456")
    assert checkout_form(client)["idempotency_key"] != checkout_form(client)["idempotency_key"]


def test_the_apis_422_errors_are_shown_next_to_their_fields_and_the_cart_line():
    app, api = storefront()
    client = app.test_client()
    add(client, "123456")
    api.refusal = Rejected(422, {"code": 422, "status": "Unprocessable Entity", "message": "invalid", "errors": {
        "json": {"card": {"number": ["fails the Luhn check"], "_schema": ["the card has expired"]},
                 "customer": {"email": ["Not a valid email address."]},
                 "items": {"0": {"productId": ["archived product"]}}}}})
    page = client.post("/checkout", data={**CARD, "email": "ana@", **checkout_form(client)})
    html = page.get_data(as_text=True)

    assert page.status_code == 422
    assert re.search(r'id="card_number-error" data-testid="error-card_number">fails the Luhn check<', html)
    assert re.search(r'id="email-error" data-testid="error-email">Not a valid email address.<', html)
    assert re.search(r'id="card_number"[^>]*aria-invalid="true"', html)
    assert re.search(r'data-testid="error-item-123456">archived product<', html)
    assert "card: the card has expired" in html
    assert 'value="Ana Souza"' in html and 'value="ana@"' in html
    assert "4242 4242 4242 4242" not in html, "the card number is never written back into a page"
    assert "cart-empty" not in client.get("/cart").get_data(as_text=True), "the cart is kept"


def test_a_refusal_without_field_errors_shows_its_message_on_top():
    app, api = storefront()
    client = app.test_client()
    add(client, "123456")
    api.refusal = Rejected(409, {"code": 409, "message": "this key was used for another order"})
    html = client.post("/checkout", data={**CARD, **checkout_form(client)}).get_data(as_text=True)
    assert re.search(r'data-testid="form-errors">\s*<p>this key was used for another order</p>', html)


def test_checkout_with_an_empty_cart_goes_back_to_the_cart():
    app, api = storefront()
    client = app.test_client()
    assert client.get("/checkout").headers["Location"] == "/cart"
    assert client.post("/checkout", data={**CARD, "csrf_token": token(client)}).headers["Location"] == "/cart"
    assert api.placed == []
