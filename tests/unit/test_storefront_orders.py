"""The order page and the history on a fake API client, and the signed cookies behind them."""
import re
from datetime import datetime, timedelta, timezone

from itsdangerous import URLSafeTimedSerializer

from tests.unit.storefront_fakes import storefront
from tests.unit.test_storefront_checkout import CARD, checkout_form
from tests.unit.test_storefront_pages import add, token


def bought(products=("123456", "987654"), email="ana@example.com"):
    """A client that checked out `products`, the fake, and the order's id."""
    app, api = storefront()
    client = app.test_client()
    for product in products:
        add(client, product)
    client.post("/checkout", data={**CARD, "email": email, **checkout_form(client)})
    return client, api, next(reversed(api.orders))


def pay(api, order_id: str, paid_at: datetime | None = None):
    api.orders[order_id].update(status="paid", paidAt=(paid_at or datetime.now(timezone.utc)).isoformat())


def test_a_pending_order_refreshes_itself_until_it_settles():
    client, api, order_id = bought()
    html = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert 'data-testid="order-status" data-status="pending_payment"' in html
    assert 'http-equiv="refresh"' in html and "order-status.js" in html
    assert client.get(f"/orders/{order_id}/status").json == {"status": "pending_payment", "settled": False}


def test_a_paid_order_waits_for_its_courses_then_shows_them_with_their_end():
    client, api, order_id = bought()
    pay(api, order_id)
    assert client.get(f"/orders/{order_id}/status").json == {"status": "paid", "settled": False}
    html = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert 'data-testid="access-opening"' in html and 'http-equiv="refresh"' in html

    api.held["ana@example.com"] = [{"role": r, "until": "2031-03-12T10:00:00+00:00"}
                                   for r in ("COURSE_XYZ", "COURSE_ABCD", "PREMIUM_USER")]
    assert client.get(f"/orders/{order_id}/status").json == {"status": "paid", "settled": True}
    html = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert re.search(r'data-testid="course-COURSE_XYZ"><strong>Course XYZ</strong>\s*'
                     r'<span class="muted">open until 12 Mar 2031', html)
    assert 'data-testid="course-COURSE_ABCD"' in html and 'data-testid="platform-access"' in html
    assert 'http-equiv="refresh"' not in html and "order-status.js" not in html


def test_an_old_paid_order_whose_access_ended_does_not_refresh_forever():
    client, api, order_id = bought()
    pay(api, order_id, datetime.now(timezone.utc) - timedelta(days=400))
    html = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert "has ended" in html and 'http-equiv="refresh"' not in html


def test_a_failed_payment_shows_the_reason_and_try_again_refills_the_cart():
    client, api, order_id = bought()
    api.orders[order_id].update(status="payment_failed", failureReason="card_declined: Your card was declined.")
    html = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert 'data-status="payment_failed"' in html and "Your card was declined." in html
    answer = client.post(f"/orders/{order_id}/retry", data={"csrf_token": token(client)})
    assert answer.status_code == 303 and answer.headers["Location"] == "/checkout"
    cart = client.get("/cart").get_data(as_text=True)
    assert "cart-line-123456" in cart and "cart-line-987654" in cart


def test_the_history_lists_the_cookies_customers_orders_newest_first_in_pages():
    client, api, first = bought(["123456"])
    for _ in range(10):
        add(client, "987654")
        client.post("/checkout", data={**CARD, **checkout_form(client)})
    newest = next(reversed(api.orders))
    page_one = client.get("/orders").get_data(as_text=True)
    rows = re.findall(r'data-testid="order-row-([^"]+)"', page_one)
    assert len(rows) == 10 and rows[0] == newest and first not in rows
    assert 'data-testid="next-page"' in page_one
    page_two = client.get("/orders?page=2").get_data(as_text=True)
    assert re.findall(r'data-testid="order-row-([^"]+)"', page_two) == [first]
    assert api.history_asked == ["ana@example.com", "ana@example.com"]


def test_without_the_cookie_there_is_no_history_and_no_order_page():
    client, api, order_id = bought()
    stranger = storefront(api)[0].test_client()
    assert 'data-testid="no-customer"' in stranger.get("/orders").get_data(as_text=True)
    assert stranger.get(f"/orders/{order_id}").status_code == 404
    assert api.history_asked == []


def test_a_tampered_or_foreign_customer_cookie_is_refused():
    client, api, order_id = bought()
    genuine = client.get_cookie("customer").value
    payload, _, signature = genuine.partition(".")
    foreign = URLSafeTimedSerializer("another-secret", salt="customer").dumps("ana@example.com")
    for forged in (genuine.replace(payload, payload[::-1]), genuine[:-3] + "abc", foreign):
        client.set_cookie("customer", forged)
        assert 'data-testid="no-customer"' in client.get("/orders").get_data(as_text=True)
        assert client.get(f"/orders/{order_id}").status_code == 404
    assert api.history_asked == []


def test_another_customers_order_is_not_shown():
    client, api, order_id = bought(email="ana@example.com")
    api.orders["bruno-1"] = {**api.orders[order_id], "id": "bruno-1",
                             "customer": {"email": "bruno@example.com", "name": "Bruno"}}
    assert client.get(f"/orders/{order_id}").status_code == 200
    assert client.get("/orders/bruno-1").status_code == 404


def test_a_tampered_session_cookie_loses_the_cart():
    app, _ = storefront()
    client = app.test_client()
    add(client, "123456")
    session = client.get_cookie("shop_session").value
    client.set_cookie("shop_session", session[:-3] + "abc")
    assert 'data-testid="cart-empty"' in client.get("/cart").get_data(as_text=True)
