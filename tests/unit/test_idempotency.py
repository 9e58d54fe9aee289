"""Idempotency-Key rules without a server: key format, scope, fingerprint, OpenAPI, purge timing."""
import threading
from datetime import timedelta

import pytest
from flask import Flask, request
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from apps.idempotency.fingerprint import digest, fingerprint_of, scope_of, valid_key
from apps.idempotency.middleware import install_idempotency
from apps.idempotency.openapi import document
from apps.idempotency.purger import KeyPurger
from apps.settings import idempotency_key_ttl


@pytest.mark.parametrize("key, valid", [
    ("a", True), ("x" * 255, True), ("550e8400-e29b-41d4 ~!", True),
    ("", False), ("x" * 256, False), ("clé", False), ("tab\there", False), ("nl\n", False),
])
def test_a_key_is_1_to_255_printable_ascii_characters(key, valid):
    assert valid_key(key) is valid


APP = Flask(__name__)


def identity(path="/api/purchases", method="POST", key="k1", headers=None, **kwargs):
    """(scope, fingerprint) of a request built from the arguments."""
    with APP.test_request_context(path, method=method, headers=headers or {}, **kwargs):
        return scope_of(request, key, "serviceKey"), fingerprint_of(request)


def test_the_same_request_has_the_same_fingerprint_whatever_its_json_key_order_or_spacing():
    compact = identity(data='{"serviceKey":"s","productId":"1"}', content_type="application/json")
    spaced = identity(data='{ "productId": "1",  "serviceKey": "s" }', content_type="application/json")
    assert compact == spaced


@pytest.mark.parametrize("other", [
    {"json": {"serviceKey": "s", "productId": "2"}},
    {"json": {"serviceKey": "s", "productId": "1"}, "path": "/api/cancellations"},
    {"json": {"serviceKey": "s", "productId": "1"}, "method": "PUT"},
    {"json": {"serviceKey": "s", "productId": "1"}, "query_string": "dry=1"},
])
def test_another_body_path_method_or_query_is_another_fingerprint(other):
    assert identity(json={"serviceKey": "s", "productId": "1"})[1] != identity(**other)[1]


@pytest.mark.parametrize("other", [
    {"json": {"serviceKey": "t"}},
    {"json": {"serviceKey": "s"}, "headers": {"Authorization": "Bearer ak_1_x"}},
    {"json": {"serviceKey": "s"}, "key": "k2"},
])
def test_the_scope_is_the_key_of_one_caller(other):
    """Another service key, bearer key or Idempotency-Key: another scope, so no caller can
    read another's stored answers."""
    assert identity(json={"serviceKey": "s"})[0] != identity(**other)[0]
    assert identity(json={"serviceKey": "s"})[0] == identity(json={"serviceKey": "s", "other": 1})[0]


def test_a_body_credential_with_a_lone_surrogate_has_a_scope_and_valid_ones_keep_theirs():
    """JSON's "\\ud800" is text UTF-8 cannot encode: the scope raised, a 500 (found by the
    fuzzer). The schema refuses such a serviceKey afterwards, with a 422."""
    lone = identity(data='{"serviceKey": "\\ud800"}', content_type="application/json")[0]
    assert lone != identity(data='{"serviceKey": "\\ud801"}', content_type="application/json")[0]
    assert identity(json={"serviceKey": "s"})[0] == digest(b"", b"s", b"k1")  # as stored before


def spec_of_an_api_with_a_post_and_a_get() -> dict:
    app = Flask(__name__)
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    api = Api(app)
    document(api)
    blp = Blueprint("things", __name__, url_prefix="/things")

    @blp.route("")
    class Things(MethodView):
        @blp.alt_response(409, description="Already exists")
        def post(self):
            """Make a thing."""

        def get(self):
            """List things."""

    api.register_blueprint(blp)
    return api.spec.to_dict()


def test_every_post_documents_the_header_and_its_refusals():
    spec = spec_of_an_api_with_a_post_and_a_get()
    post, get = spec["paths"]["/things"]["post"], spec["paths"]["/things"]["get"]
    parameter = spec["components"]["parameters"]["IDEMPOTENCY_KEY"]
    assert parameter["in"] == "header" and parameter["name"] == "Idempotency-Key"
    assert {"$ref": "#/components/parameters/IDEMPOTENCY_KEY"} in post["parameters"]
    assert "422" in post["responses"]
    assert post["responses"]["409"] == {"description": "Already exists"}, "the view's own 409 stays"
    assert "parameters" not in get and "422" not in get.get("responses", {})


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_purge_runs_on_the_first_request_then_once_per_interval():
    clock, purged = FakeClock(), threading.Semaphore(0)
    purger = KeyPurger(None, timedelta(days=1), interval=300, clock=clock,
                       purge=lambda engine, ttl: purged.release() or 0)
    assert purger.maybe_purge(), "the first request starts a purge"
    clock.now += 299
    assert not purger.maybe_purge(), "a request within the interval starts none"
    clock.now += 2
    assert purger.maybe_purge(), "a request after the interval starts one"
    for _ in range(2):
        assert purged.acquire(timeout=5), "each started purge ran"


def test_a_failed_purge_is_logged_not_raised(caplog):
    def database_down(engine, ttl):
        raise OperationalError("DELETE", {}, Exception("connection refused"))

    KeyPurger(None, timedelta(days=1), purge=database_down).purge_once()
    assert "idempotency key purge failed" in caplog.text


def test_the_ttl_defaults_to_a_day_and_refuses_less(monkeypatch):
    monkeypatch.delenv("IDEMPOTENCY_KEY_TTL", raising=False)
    assert idempotency_key_ttl() == timedelta(hours=24)
    monkeypatch.setenv("IDEMPOTENCY_KEY_TTL", "172800")
    assert idempotency_key_ttl() == timedelta(days=2)
    for wrong in ("3600", "1d"):
        monkeypatch.setenv("IDEMPOTENCY_KEY_TTL", wrong)
        with pytest.raises(ValueError, match="IDEMPOTENCY_KEY_TTL"):
            idempotency_key_ttl()


def test_the_first_request_of_a_process_is_answered_by_its_view_while_a_purge_starts():
    """The purge hook starts on that request; its return value must not become the answer."""
    app = Flask(__name__)
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    unreachable = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    install_idempotency(app, Api(app), unreachable)
    app.add_url_rule("/ping", view_func=lambda: "pong")
    assert app.test_client().get("/ping").get_data() == b"pong"
