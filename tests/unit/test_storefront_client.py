"""The storefront's API client over real HTTP, against a small local server playing the APIs:
what it sends (key, Idempotency-Key, quoted e-mail) and how each kind of answer comes back."""
import threading

import pytest
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from apps.storefront.client import ApiUnavailable, Rejected, ShopApi
from tests.unit.http_app import closed_port


def fake_apis(seen: list) -> Flask:
    app = Flask("fake-apis")

    @app.get("/api/products")
    def products():
        seen.append(request.headers.get("Authorization"))
        return {"products": [{"id": "123456"}]}

    @app.post("/api/orders")
    def place():
        seen.append((request.headers["Authorization"], request.headers["Idempotency-Key"], request.json))
        if request.json["card"]["number"] == "1":
            return jsonify(code=422, status="Unprocessable Entity", message="invalid",
                           errors={"json": {"card": {"number": ["fails the Luhn check"]}}}), 422
        return {"id": "o-1", "status": "pending_payment"}, 201

    @app.post("/api/leads")
    def lead():
        seen.append((request.headers["Authorization"], request.json))
        status = 200 if request.json["email"] == "again@example.com" else 201
        return {"id": "l-1", "status": "open", **request.json}, status

    @app.get("/api/orders/<order_id>")
    def order(order_id):
        return ({"error": "boom"}, 500) if order_id == "broken" else ({"code": 404}, 404)

    @app.get("/api/users/<path:email>/roles")
    def roles(email):
        seen.append(request.environ["RAW_URI"])
        return {"email": email, "roles": [{"role": "COURSE_XYZ", "until": "2031-01-01T00:00:00+00:00"}]}

    @app.get("/api/customers/<path:email>/orders")
    def history(email):
        seen.append(dict(request.args))
        return {"code": 401}, 401
    return app


@pytest.fixture
def served():
    seen: list = []
    server = make_server("127.0.0.1", 0, fake_apis(seen), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    yield ShopApi(url, url, "the-key", timeout=5), seen
    server.shutdown()
    thread.join()


def test_the_catalogue_is_read_without_the_key(served):
    api, seen = served
    assert api.products() == [{"id": "123456"}] and seen == [None]


def test_an_order_is_posted_with_the_key_and_the_idempotency_key(served):
    api, seen = served
    assert api.place_order({"card": {"number": "4242"}}, "k-1") == {"id": "o-1", "status": "pending_payment"}
    assert seen == [("Bearer the-key", "k-1", {"card": {"number": "4242"}})]


def test_a_lead_is_posted_with_the_key_and_new_or_live_it_comes_back(served):
    api, seen = served
    assert api.record_lead("ana@example.com", "Ana")["id"] == "l-1"
    assert api.record_lead("again@example.com", "Ana")["status"] == "open"
    assert seen == [("Bearer the-key", {"email": "ana@example.com", "name": "Ana"}),
                    ("Bearer the-key", {"email": "again@example.com", "name": "Ana"})]


def test_a_422_comes_back_with_the_apis_field_errors(served):
    api, _ = served
    with pytest.raises(Rejected) as refusal:
        api.place_order({"card": {"number": "1"}}, "k-2")
    assert refusal.value.status == 422
    assert refusal.value.errors == {"json": {"card": {"number": ["fails the Luhn check"]}}}


def test_404_is_none_and_5xx_or_a_refused_key_is_unavailable(served):
    api, seen = served
    assert api.order("missing") is None
    with pytest.raises(ApiUnavailable):
        api.order("broken")
    with pytest.raises(ApiUnavailable):
        api.customer_orders("ana@example.com", 2, 10)
    assert seen[-1] == {"page": "2", "page_size": "10"}


def test_the_email_is_quoted_in_the_path(served):
    api, seen = served
    assert api.roles("ana+x/y@example.com")[0]["role"] == "COURSE_XYZ"
    assert seen == ["/api/users/ana%2Bx%2Fy@example.com/roles"]


def test_nothing_listening_is_unavailable():
    url = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(ApiUnavailable):
        ShopApi(url, url, "the-key", timeout=2).products()
