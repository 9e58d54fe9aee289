"""Health probes and Prometheus metrics of the APIs, without a database."""
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.unit.http_app import make_app


@pytest.fixture(scope="module")
def client():
    return make_app().test_client()


def samples(client, name: str) -> dict[tuple, float]:
    text = client.get("/metrics").get_data(as_text=True)
    return {(s.labels["method"], s.labels["route"], s.labels["status"]): s.value
            for family in text_string_to_metric_families(text) for s in family.samples
            if s.name == name}


def test_live_answers_while_the_process_serves(client):
    response = client.get("/health/live")
    assert response.status_code == 200 and response.get_json() == {"status": "live"}


def test_ready_is_a_503_in_the_error_shape_when_the_database_does_not_answer(client):
    response = client.get("/health/ready")
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert set(response.get_json()) == {"code", "status", "message", "errors"}
    assert response.get_json()["errors"] == {"database": ["unavailable"]}


def test_metrics_count_requests_by_url_rule_and_status(client):
    before = samples(client, "http_requests_total")
    for key in ("first", "second", "third"):
        client.get(f"/things/{key}")
    client.get("/no/such/page")
    after = samples(client, "http_requests_total")
    rule = ("GET", "/things/<string:key>", "200")
    assert after[rule] - before.get(rule, 0) == 3
    assert after[("GET", "unmatched", "404")] - before.get(("GET", "unmatched", "404"), 0) == 1
    assert not any("first" in route for _, route, _ in after)


def test_metrics_time_each_request(client):
    client.post("/things", data="x", content_type="text/plain")
    buckets = samples(client, "http_request_duration_seconds_count")
    assert buckets[("POST", "/things", "415")] >= 1


def test_metrics_are_prometheus_text(client):
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert "# TYPE http_requests_total counter" in response.get_data(as_text=True)


@pytest.mark.parametrize("create", ["sales", "access"])
def test_health_and_metrics_are_documented_and_need_no_key(create):
    from apps.access_api.app import create_app as access_app
    from apps.sales_api.app import create_app as sales_app
    from tests.unit.http_app import unreachable_database_url

    app = {"sales": sales_app, "access": access_app}[create](unreachable_database_url())
    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    for path in ("/health/live", "/health/ready", "/metrics"):
        operation = spec["paths"][path]["get"]
        assert operation.get("security", spec.get("security", [])) in ([], [{}]), path
    assert "503" in spec["paths"]["/health/ready"]["get"]["responses"]
    assert client.get("/health/live").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.get("/health/ready").status_code == 503
    if "sales_catalog_listener" in app.extensions:
        app.extensions["sales_catalog_listener"].stop()
