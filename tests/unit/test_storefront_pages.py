"""Storefront pages on a fake API client: catalogue, cart maths through the forms, error pages."""
import re

from tests.unit.storefront_fakes import FakeShopApi, PRODUCTS, storefront

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token(client, path: str = "/") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def add(client, product_id: str, quantity="1"):
    return client.post("/cart/items", data={"csrf_token": token(client), "product_id": product_id,
                                            "quantity": quantity})


def test_the_catalogue_shows_each_product_with_price_what_it_unlocks_and_for_how_long():
    app, _ = storefront()
    page = app.test_client().get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="product-123456"' in html and 'data-testid="product-987654"' in html
    assert "XYZ Masterclass" in html and "R$ 49.90" in html and "R$ 120.00" in html
    assert "Course XYZ" in html and "Course ABCD" in html and "Platform access" in html
    assert "Access for 1 month" in html and "Access for 1 year" in html


def test_archived_products_are_not_offered():
    app, _ = storefront(FakeShopApi([{**PRODUCTS[0], "active": False}, PRODUCTS[1]]))
    html = app.test_client().get("/").get_data(as_text=True)
    assert "product-123456" not in html and "product-987654" in html


def test_the_cart_adds_up_lines_and_total_in_decimal():
    app, _ = storefront(FakeShopApi([{**PRODUCTS[0], "price": "0.10"}, PRODUCTS[1]]))
    client = app.test_client()
    assert add(client, "123456", "3").status_code == 303
    add(client, "987654")
    html = client.get("/cart").get_data(as_text=True)
    assert re.search(r'data-testid="line-amount-123456">R\$ 0.30<', html)  # 3 × 0.10, not 0.30000000000000004
    assert re.search(r'data-testid="cart-total">R\$ 120.30<', html)
    assert re.search(r'data-testid="cart-count">4<', html)


def test_adding_again_adds_up_and_the_quantity_form_updates_and_removes():
    app, _ = storefront()
    client = app.test_client()
    add(client, "123456")
    add(client, "123456", "2")
    add(client, "987654")
    html = client.get("/cart").get_data(as_text=True)
    assert re.search(r'data-testid="line-amount-123456">R\$ 149.70<', html)

    client.post("/cart/items/123456", data={"csrf_token": token(client), "quantity": "1", "action": "update"})
    html = client.get("/cart").get_data(as_text=True)
    assert re.search(r'data-testid="cart-total">R\$ 169.90<', html)

    client.post("/cart/items/987654", data={"csrf_token": token(client), "quantity": "1", "action": "remove"})
    html = client.get("/cart").get_data(as_text=True)
    assert "cart-line-987654" not in html and re.search(r'data-testid="cart-total">R\$ 49.90<', html)


def test_unknown_products_and_impossible_quantities_are_refused_with_a_message():
    app, _ = storefront()
    client = app.test_client()
    add(client, "000000")
    assert "no longer on sale" in client.get("/").get_data(as_text=True)
    add(client, "123456", "11")
    add(client, "123456", "two")
    assert "Choose a quantity from 1 to 10" in client.get("/").get_data(as_text=True)
    assert 'data-testid="cart-empty"' in client.get("/cart").get_data(as_text=True)


def test_an_unreachable_api_is_a_friendly_503_page_not_a_stack_trace():
    app, api = storefront()
    api.down = True
    for path in ("/", "/cart"):
        page = app.test_client().get(path)
        html = page.get_data(as_text=True)
        assert page.status_code == 503 and page.headers["Retry-After"] == "5"
        assert 'data-testid="error-page"' in html and "Your cart is safe" in html
        assert "Traceback" not in html and "ApiUnavailable" not in html


def test_the_health_probes_answer_while_the_apis_are_away():
    app, api = storefront()
    api.down = True
    assert app.test_client().get("/health/ready").json == {"status": "ready"}


def test_an_unknown_page_is_the_shops_404_page():
    app, _ = storefront()
    page = app.test_client().get("/nowhere")
    assert page.status_code == 404 and 'data-code="404"' in page.get_data(as_text=True)
