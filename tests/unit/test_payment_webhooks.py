"""Payment webhooks at the HTTP edge, without a database: the signature (valid, wrong, stale,
future, malformed), the body's validation, the secret's setting and the OpenAPI document."""
import hashlib
import hmac
import json
import time
from decimal import Decimal

import marshmallow as ma
import pytest

from apps.billing import settings, signatures
from apps.billing.api.webhooks import PaymentWebhookSchema
from apps.settings import MissingSetting

NOW = 1_767_225_600  # 2026-01-01T00:00:00Z
BODY = b'{"subscription_id": "sub_67890", "event": "payment_success", "amount": 29.99, ' \
       b'"date": "2025-01-01"}'
SECRET = "test-secret"
PATH = "/api/webhooks/payment"


def header(timestamp=NOW, body=BODY, secret=SECRET) -> str:
    return signatures.signature_header(secret, timestamp, body)


# The signature ---------------------------------------------------------------------------
def test_a_signature_over_the_timestamp_and_the_raw_body_is_valid():
    signatures.verify(SECRET, header(), BODY, NOW)
    mac = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header() == f"t={NOW},v1={mac}"


@pytest.mark.parametrize("value, body", [
    (header(secret="another-secret"), BODY),
    (header(), BODY.replace(b"29.99", b"2.99")),
    (f"t={NOW},v1={signatures.sign(SECRET, NOW - 1, BODY)}", BODY),
], ids=["another-secret", "body-changed-after-signing", "timestamp-changed-after-signing"])
def test_a_wrong_signature_is_refused(value, body):
    with pytest.raises(signatures.InvalidSignature, match="does not match"):
        signatures.verify(SECRET, value, body, NOW)


def test_one_matching_signature_among_several_is_enough():
    good = header().split(",")[1]
    signatures.verify(SECRET, f"t={NOW},v1={'0' * 64},{good}", BODY, NOW)


@pytest.mark.parametrize("age", [signatures.TOLERANCE_S + 1, 3600])
def test_a_timestamp_older_than_five_minutes_is_refused(age):
    with pytest.raises(signatures.InvalidSignature, match="old"):
        signatures.verify(SECRET, header(timestamp=NOW - age), BODY, NOW)


def test_a_timestamp_more_than_five_minutes_ahead_is_refused():
    with pytest.raises(signatures.InvalidSignature, match="future"):
        signatures.verify(SECRET, header(timestamp=NOW + signatures.TOLERANCE_S + 1), BODY, NOW)


@pytest.mark.parametrize("offset", [-signatures.TOLERANCE_S, 0, signatures.TOLERANCE_S])
def test_a_timestamp_within_five_minutes_either_way_is_taken(offset):
    signatures.verify(SECRET, header(timestamp=NOW + offset), BODY, NOW)


@pytest.mark.parametrize("value", [
    None, "", "garbage", f"v1={'a' * 64}", f"t={NOW}", f"t={NOW},v1=", f"t={NOW},v1=xyz",
    f"t={NOW},v1={'A' * 64}", f"t={NOW},v1={'a' * 63}", f"t=abc,v1={'a' * 64}",
    f"t={NOW},t={NOW},v1={'a' * 64}", f"t=-{NOW},v1={'a' * 64}", f"t={NOW},v1={'a' * 64}," + "x" * 600,
], ids=["none", "empty", "no-pairs", "no-t", "no-v1", "empty-v1", "short-v1", "upper-hex",
        "63-digits", "t-not-digits", "two-t", "negative-t", "too-long"])
def test_a_malformed_header_is_refused(value):
    with pytest.raises(signatures.InvalidSignature, match="missing|malformed|longer"):
        signatures.verify(SECRET, value, BODY, NOW)


# The body --------------------------------------------------------------------------------
def load(text: str) -> dict:
    return PaymentWebhookSchema().load(json.loads(text))


def test_the_contract_body_is_taken_verbatim_its_amount_by_its_digits():
    webhook = load(BODY.decode())
    assert webhook["amount"] == Decimal("29.99") and str(webhook["amount"]) == "29.99"
    assert webhook["date"].isoformat() == "2025-01-01"
    assert load(BODY.decode().replace("payment_success", "payment_failed"))["event"] == \
        "payment_failed"
    assert load(BODY.decode().replace("29.99", "0.1"))["amount"] == Decimal("0.1")


@pytest.mark.parametrize("change, field", [
    ({"event": "payment_refunded"}, "event"),
    ({"amount": True}, "amount"),
    ({"amount": [29.99]}, "amount"),
    ({"amount": "twenty"}, "amount"),
    ({"date": "2025-02-30"}, "date"),
    ({"date": "01/01/2025"}, "date"),
    ({"date": 20250101}, "date"),
    ({"date": "20250101"}, "date"),
    ({"date": "2025-W01-1"}, "date"),
    ({"date": "2025-01-01T00:00:00Z"}, "date"),
    ({"subscription_id": "s" * 65}, "subscription_id"),
    ({"subscription_id": "sub\u0000"}, "subscription_id"),
    ({"customer": "x"}, "customer"),
], ids=lambda v: str(v))
def test_a_field_breaking_a_rule_is_named(change, field):
    body = {**json.loads(BODY), **change}
    with pytest.raises(ma.ValidationError) as refused:
        PaymentWebhookSchema().load(body)
    assert set(refused.value.messages) == {field}


@pytest.mark.parametrize("missing", ["subscription_id", "event", "amount", "date"])
def test_every_field_of_the_contract_is_required(missing):
    body = json.loads(BODY)
    del body[missing]
    with pytest.raises(ma.ValidationError) as refused:
        PaymentWebhookSchema().load(body)
    assert set(refused.value.messages) == {missing}


# The secret ------------------------------------------------------------------------------
def test_development_signs_with_the_documented_default(monkeypatch):
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.delenv("PAYMENT_WEBHOOK_SECRET", raising=False)
    assert settings.webhook_secret() == settings.DEV_WEBHOOK_SECRET
    monkeypatch.setenv("PAYMENT_WEBHOOK_SECRET", "from-the-environment")
    assert settings.webhook_secret() == "from-the-environment"


def test_production_without_the_secret_does_not_start(monkeypatch):
    from apps.sales_api.app import create_app
    from tests.unit.http_app import unreachable_database_url

    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("PAYMENT_WEBHOOK_SECRET", raising=False)
    with pytest.raises(MissingSetting, match="PAYMENT_WEBHOOK_SECRET"):
        create_app(unreachable_database_url())


# Over HTTP (the sales API on a database where nothing listens) ----------------------------
@pytest.fixture(scope="module")
def app():
    from apps.sales_api.app import create_app
    from tests.unit.http_app import unreachable_database_url

    app = create_app(unreachable_database_url())
    yield app
    app.extensions["sales_catalog_listener"].stop()


def post(app, body: bytes, headers: dict):
    return app.test_client().post(PATH, data=body, content_type="application/json",
                                  headers=headers)


def now_header(body: bytes = BODY, offset: int = 0) -> dict:
    return {signatures.HEADER: signatures.signature_header(
        settings.webhook_secret(), int(time.time()) + offset, body)}


@pytest.mark.parametrize("headers", [
    {}, {signatures.HEADER: "t=1,v1=abc"}, {signatures.HEADER: header()},  # 2026: stale now
], ids=["missing", "malformed", "stale"])
def test_an_unsigned_webhook_is_a_401_in_the_one_error_shape(app, headers):
    response = post(app, BODY, headers)
    assert response.status_code == 401
    assert set(response.get_json()) == {"code", "status", "message", "errors"}
    assert list(response.get_json()["errors"]["headers"]) == [signatures.HEADER]
    assert response.headers["WWW-Authenticate"].startswith("HMAC-SHA256")


def test_the_signature_is_checked_before_the_body_and_no_api_key_is_asked(app):
    invalid = b'{"event": "nonsense"}'
    assert post(app, invalid, {}).status_code == 401
    response = post(app, invalid, now_header(invalid))  # signed: now the body is judged
    assert response.status_code == 422
    assert set(response.get_json()["errors"]["json"]) == {"subscription_id", "event", "amount",
                                                          "date"}


def test_a_wrong_signature_made_with_another_secret_is_a_401(app):
    forged = {signatures.HEADER: signatures.signature_header("guess", int(time.time()), BODY)}
    response = post(app, BODY, forged)
    assert response.status_code == 401
    assert "does not match" in response.get_json()["message"]
    assert settings.webhook_secret() not in response.get_data(as_text=True)


def test_an_idempotency_key_does_not_draw_the_webhook_into_the_key_store(app):
    """The middleware would open a transaction on the (unreachable) database for the key: a 503.
    Left alone, the webhook is judged by its signature, then its body."""
    assert post(app, BODY, {"Idempotency-Key": "k1"}).status_code == 401
    invalid = b'{"event": "nonsense"}'
    response = post(app, invalid, {"Idempotency-Key": "not\x7fvalid",
                                   **now_header(invalid)})
    assert response.status_code == 422 and "json" in response.get_json()["errors"]


def test_the_openapi_document_shows_the_signature_and_no_idempotency_key(app):
    spec = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    operation = spec["paths"][PATH]["post"]
    assert operation["security"] == [{"webhookSignature": []}]
    scheme = spec["components"]["securitySchemes"]["webhookSignature"]
    assert (scheme["in"], scheme["name"]) == ("header", signatures.HEADER)
    assert "<t>.<body>" in scheme["description"] and "PAYMENT_WEBHOOK_SECRET" in scheme["description"]
    assert {"202", "401", "422"} <= set(operation["responses"])
    assert [p["name"] for p in operation.get("parameters", [])] == ["X-Webhook-Id"]
    assert not any(key.startswith("x-") for key in operation)
    assert "X-Webhook-Signature: t=<unix seconds>,v1=" in operation["description"]
    other_post = spec["paths"]["/api/subscriptions"]["post"]
    assert {"$ref": "#/components/parameters/IDEMPOTENCY_KEY"} in other_post["parameters"]
