"""POST /api/webhooks/payment on the real sales database, through the Flask test client: a
signed webhook is stored once with its one outbox event, however often (and however
concurrently) the platform sends it; a refused one stores nothing."""
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from apps.billing import settings, signatures
from apps.billing.adapters.tables import payment_events
from apps.billing.service import subscriptions
from apps.billing.service.uow import BillingUnitOfWork
from apps.sales_api.app import create_app

pytestmark = pytest.mark.integration
PATH = "/api/webhooks/payment"


@pytest.fixture(scope="module")
def app(stack):
    app = create_app()
    yield app
    app.extensions["sales_catalog_listener"].stop()
    app.extensions["sales_engine"].dispose()


@pytest.fixture
def subscription_id(sales_db) -> str:
    customer = f"{uuid.uuid4().hex[:8]}@example.com"
    return subscriptions.subscribe(BillingUnitOfWork(sales_db.connect), "plan_12345", customer).id


def contract_body(subscription_id: str, event: str = "payment_success") -> bytes:
    return json.dumps({"subscription_id": subscription_id, "event": event, "amount": 29.99,
                       "date": "2025-01-01"}).encode()


def signature(body: bytes, timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {signatures.HEADER: signatures.signature_header(settings.webhook_secret(), timestamp,
                                                           body)}


def post(app, body: bytes, headers: dict):
    return app.test_client().post(PATH, data=body, content_type="application/json",
                                  headers=headers)


def stored_for(sales_db, subscription_id: str) -> list:
    with sales_db.connect() as c:
        return c.execute(select(payment_events).where(
            payment_events.c.data["subscription_id"].astext == subscription_id)).all()


def published_for(outbox_wal, subscription_id: str) -> list[str]:
    return [line for line in outbox_wal() if f"aggregateid[text]:'{subscription_id}'" in line
            and "type[text]:'PaymentEventReceived'" in line]


def test_a_signed_webhook_is_stored_with_its_event_and_answered_202(app, sales_db, outbox_wal,
                                                                     subscription_id):
    body = contract_body(subscription_id)
    response = post(app, body, {**signature(body), "X-Webhook-Id": f"evt_{uuid.uuid4().hex}"})
    assert response.status_code == 202, response.get_json()
    answer = response.get_json()
    assert answer["duplicate"] is False
    [row] = stored_for(sales_db, subscription_id)
    assert (row.id, row.type, row.processed) == (answer["payment_event_id"], "payment_success",
                                                 False)
    assert row.data == {"subscription_id": subscription_id, "event": "payment_success",
                        "amount": "29.99", "date": "2025-01-01"}
    assert len(published_for(outbox_wal, subscription_id)) == 1


def test_the_same_provider_event_id_is_accepted_once(app, sales_db, outbox_wal, subscription_id):
    """The platform re-sends a webhook signed anew (a later timestamp): its id gives it away."""
    body, event_id, now = contract_body(subscription_id), f"evt_{uuid.uuid4().hex}", int(time.time())
    first = post(app, body, {**signature(body, now - 10), "X-Webhook-Id": event_id}).get_json()
    again = post(app, body, {**signature(body, now), "X-Webhook-Id": event_id})
    assert again.status_code == 202
    assert again.get_json() == {"payment_event_id": first["payment_event_id"], "duplicate": True}
    assert len(stored_for(sales_db, subscription_id)) == 1
    assert len(published_for(outbox_wal, subscription_id)) == 1


def test_the_same_body_and_signature_are_accepted_once(app, sales_db, outbox_wal,
                                                       subscription_id):
    """Without an event id: the very same request sent again is recognised by its digest."""
    body = contract_body(subscription_id, "payment_failed")
    headers = signature(body)
    first = post(app, body, headers).get_json()
    again = post(app, body, headers)
    assert again.status_code == 202
    assert again.get_json() == {"payment_event_id": first["payment_event_id"], "duplicate": True}
    assert len(stored_for(sales_db, subscription_id)) == 1
    assert len(published_for(outbox_wal, subscription_id)) == 1
    # The same body signed at another moment is another webhook (no id says otherwise).
    later = post(app, body, signature(body, int(time.time()) - 5)).get_json()
    assert later["duplicate"] is False and later["payment_event_id"] != first["payment_event_id"]


def test_copies_sent_at_the_same_moment_are_stored_once(app, sales_db, outbox_wal,
                                                        subscription_id):
    body = contract_body(subscription_id)
    headers = {**signature(body), "X-Webhook-Id": f"evt_{uuid.uuid4().hex}"}
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: post(app, body, headers), range(8)))
    assert {a.status_code for a in answers} == {202}
    assert sorted(a.get_json()["duplicate"] for a in answers) == [False] + [True] * 7
    assert len({a.get_json()["payment_event_id"] for a in answers}) == 1
    assert len(stored_for(sales_db, subscription_id)) == 1
    assert len(published_for(outbox_wal, subscription_id)) == 1


def test_a_webhook_for_an_unknown_subscription_is_a_422_and_stores_nothing(app, sales_db):
    unknown = f"sub_{uuid.uuid4().hex[:16]}"
    body = contract_body(unknown)
    response = post(app, body, signature(body))
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["json"]) == ["subscription_id"]
    assert stored_for(sales_db, unknown) == []


def test_a_refused_signature_stores_nothing(app, sales_db, subscription_id):
    body = contract_body(subscription_id)
    stale = post(app, body, signature(body, int(time.time()) - signatures.TOLERANCE_S - 60))
    assert stale.status_code == 401
    tampered = post(app, contract_body(subscription_id, "payment_failed"), signature(body))
    assert tampered.status_code == 401
    with sales_db.connect() as c:
        total = c.scalar(select(func.count()).select_from(payment_events).where(
            payment_events.c.data["subscription_id"].astext == subscription_id))
    assert total == 0
