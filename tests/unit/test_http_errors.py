"""Every error of the APIs has one JSON shape; a lost database is a 503, a bug a quiet 500."""
import logging

import pytest

from tests.unit.http_app import make_app

SHAPE = {"code", "status", "message", "errors"}


@pytest.fixture(scope="module")
def client():
    return make_app().test_client()


def test_an_unknown_path_is_a_json_404(client):
    response = client.get("/nowhere")
    assert response.status_code == 404 and response.is_json
    assert set(response.get_json()) == SHAPE and response.get_json()["code"] == 404


def test_a_wrong_method_is_a_json_405_with_allow(client):
    response = client.delete("/things")
    assert response.status_code == 405 and set(response.get_json()) == SHAPE
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


def test_validation_errors_name_each_field_in_errors_and_message(client):
    response = client.post("/things", json={"name": "n", "surprise": 1})
    body = response.get_json()
    assert response.status_code == 422 and set(body) == SHAPE
    assert set(body["errors"]["json"]) == {"owner", "surprise"}
    assert body["errors"]["json"]["surprise"] == ["Unknown field."]
    assert "owner" in body["message"] and "surprise" in body["message"]


def test_an_unexpected_exception_is_a_json_500_that_hides_its_cause_and_logs_it(client, caplog):
    with caplog.at_level(logging.ERROR):
        response = client.get("/fail/bug")
    assert response.status_code == 500 and set(response.get_json()) == SHAPE
    assert "secret detail" not in response.get_data(as_text=True)
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info and "secret detail" in str(record.exc_info[1])
    assert "GET /fail/bug" in record.getMessage()


@pytest.mark.parametrize("failure", ["dropped", "invalidated", "pool-timeout", "raw-psycopg"])
def test_a_database_out_of_reach_is_a_503_with_retry_after(client, failure):
    response = client.get(f"/fail/{failure}")
    assert response.status_code == 503 and set(response.get_json()) == SHAPE
    assert response.get_json()["errors"] == {"database": ["unavailable"]}
    assert 1 <= int(response.headers["Retry-After"]) <= 10


def test_a_database_error_that_is_not_an_outage_stays_a_500(client):
    response = client.get("/fail/integrity")
    assert response.status_code == 500 and "Retry-After" not in response.headers


def test_an_unreachable_database_behind_a_real_view_is_a_503(client):
    """The sales API on an address where nothing listens: a valid purchase cannot be stored."""
    from apps.sales_api.app import create_app
    from tests.unit.http_app import unreachable_database_url

    app = create_app(unreachable_database_url())
    try:
        response = app.test_client().post("/api/purchases", json={
            "serviceKey": "318440fb7491", "buyerEmail": "any@email.com", "productId": "123456"})
    finally:
        app.extensions["sales_catalog_listener"].stop()
    assert response.status_code == 503 and set(response.get_json()) == SHAPE
    assert "Retry-After" in response.headers
