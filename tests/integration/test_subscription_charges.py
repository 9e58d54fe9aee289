"""Subscription charges on the real sales database against a private fake platform (a process of
its own on a free port, reporting to a webhook receiver of this module's, not to the API).

What billing relies on: the same request id never reaches the platform twice; 5xx retried and
charged once, every attempt recorded; the platform away leaves the charge pending and the same
request id finishes it; two schedulers racing over the same due subscriptions charge each once;
overdue subscriptions go past due and then suspended with their events; the fake reports each
decided charge with a signed webhook. The scheduler's subscriptions are dated in 2100 and on
plans of this module, and its schedulers work on those plans only, so the stack's own scheduler
(real dates) never takes part. Every row this module writes is deleted at its end.
"""
import hashlib
import hmac
import json
import threading
import uuid
from datetime import date, datetime, timezone
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from sqlalchemy import delete, insert, select

from apps.billing.adapters.charges import ChargeAttempts, ChargeLocks
from apps.billing.adapters.due import locked_page, overdue, renewals_due
from apps.billing.adapters.tables import (charge_attempts, plans, subscription_charges,
                                          subscriptions)
from apps.billing.domain.cycles import BillingCycle, period_end
from apps.billing.scheduler import Scheduler
from apps.billing.service.charges import Charger
from apps.billing.service.uow import BillingUnitOfWork
from apps.payments.platform import PaymentPlatform
from apps.sales_api.app import create_app
from tests.integration.planner import plan_on_copy
from tests.integration.polling import wait_for
from tests.integration.runners import passes_until_caught_up, run_together
from tests.integration.test_payment_platform import AUTH, KEY, SECRET, FakePlatform

pytestmark = pytest.mark.integration
RUN = f"c{uuid.uuid4().hex[:8]}"
WEBHOOK_SECRET = "test-webhook-secret"
ANCHOR = date(2099, 12, 1)  # paid once: due on 2100-01-01, decades after the stack's today
DUE_DAY = datetime(2100, 1, 1, 12, 0, tzinfo=timezone.utc)


class WebhookReceiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers), body))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):  # keeps the test output quiet
        pass


@pytest.fixture(scope="module")
def webhooks():
    server = ThreadingHTTPServer(("127.0.0.1", 0), WebhookReceiver)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def platform(tmp_path_factory, webhooks):
    fake = FakePlatform(tmp_path_factory.mktemp("charges-platform"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PAYMENT_WEBHOOK_URL", f"http://127.0.0.1:{webhooks.server_port}/hook")
        env.setenv("PAYMENT_WEBHOOK_SECRET", WEBHOOK_SECRET)
        fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def client(platform, sales_db):
    with pytest.MonkeyPatch.context() as env:  # the API's client reads these per request
        env.setenv("PAYMENT_PLATFORM_URL", platform.url)
        env.setenv("PAYMENT_PLATFORM_KEY", KEY)
        env.setenv("PAYMENT_PLATFORM_SECRET", SECRET)
        app = create_app()
        yield app.test_client()
        app.extensions["sales_engine"].dispose()
    with sales_db.begin() as c:
        ours = select(subscriptions.c.id).where(subscriptions.c.customer_email.contains(RUN))
        requests_of_ours = select(subscription_charges.c.request_id).where(
            subscription_charges.c.subscription_id.in_(ours))
        c.execute(delete(charge_attempts).where(charge_attempts.c.request_id.in_(requests_of_ours)))
        c.execute(delete(subscription_charges).where(subscription_charges.c.subscription_id.in_(ours)))
        c.execute(delete(subscriptions).where(subscriptions.c.customer_email.contains(RUN)))
        c.execute(delete(plans).where(plans.c.id.startswith(RUN)))


@pytest.fixture(autouse=True)
def reset_platform(platform):
    yield
    platform.control("DELETE")


@pytest.fixture(scope="module")
def writer(make_api_key):
    return {"Authorization": f"Bearer {make_api_key('charges-tests', ['billing:write', 'billing:read'])}"}


def new_plan(sales_db, price="29.99") -> str:
    plan_id = f"{RUN}_{uuid.uuid4().hex[:6]}"
    with sales_db.begin() as c:
        c.execute(insert(plans).values(id=plan_id, name="Charges test plan", price=price,
                                       currency="BRL", billing_cycle="monthly",
                                       roles=["PREMIUM_USER"], status="active"))
    return plan_id


def email(prefix: str = "ana") -> str:
    return f"{prefix}-{RUN}-{uuid.uuid4().hex[:8]}@example.com"


def subscribe(client, writer, plan_id, customer=None) -> str:
    answer = client.post("/api/subscriptions", headers=writer,
                         json={"plan_id": plan_id, "customer_email": customer or email()})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["subscription_id"]


def due_subscriptions(sales_db, plan_id, count, status="active", past_due_since=None) -> list[str]:
    """Subscriptions paid once from ANCHOR, due on 2100-01-01, written directly."""
    rows = [{"id": f"sub_{RUN}_{uuid.uuid4().hex[:10]}", "plan_id": plan_id,
             "customer_email": email("due"), "status": status, "anchor": ANCHOR,
             "periods_paid": 1, "next_billing_date": period_end(ANCHOR, BillingCycle.MONTHLY, 1),
             "failures": 0, "past_due_since": past_due_since, "created_at": DUE_DAY}
            for _ in range(count)]
    with sales_db.begin() as c:
        c.execute(insert(subscriptions), rows)
    return [row["id"] for row in rows]


def charge_url(subscription_id, request_id) -> str:
    return f"/api/subscriptions/{subscription_id}/charges/{request_id}"


def attempts(sales_db, request_id) -> list[str]:
    return [outcome for outcome, _ in ChargeAttempts(sales_db).of(request_id)]


def platform_charges(platform, request_id) -> list[dict]:
    return requests.get(f"{platform.url}/charges", params={"reference": request_id},
                        headers=AUTH, timeout=5).json()["data"]


# The API -------------------------------------------------------------------------------------
def test_the_same_request_id_twice_makes_one_platform_call(client, writer, sales_db, platform):
    subscription_id = subscribe(client, writer, new_plan(sales_db))
    first = client.post(charge_url(subscription_id, "req-1"), headers=writer)
    assert first.status_code == 201, first.get_json()
    charge = first.get_json()
    assert (charge["status"], charge["period"], charge["kind"], charge["amount"]) == \
        ("approved", 1, "renewal", "29.99")
    again = client.post(charge_url(subscription_id, "req-1"), headers=writer)
    assert (again.status_code, again.get_json()) == (200, charge)
    other = client.post(charge_url(subscription_id, "req-2"), headers=writer)
    assert (other.status_code, other.get_json()["request_id"]) == (200, "req-1")
    assert attempts(sales_db, "req-1") == ["approved"] and attempts(sales_db, "req-2") == []
    assert [c["id"] for c in platform_charges(platform, "req-1")] == [charge["charge_id"]]
    assert platform_charges(platform, "req-2") == []
    read = client.get(charge_url(subscription_id, "req-1"), headers=writer)
    assert (read.status_code, read.get_json()) == (200, charge)


def test_5xx_twice_then_success_is_one_charge_with_every_attempt_recorded(
        client, writer, sales_db, platform):
    subscription_id = subscribe(client, writer, new_plan(sales_db))
    platform.control(failNext=2, failStatus=503)
    answer = client.post(charge_url(subscription_id, "req-flaky"), headers=writer)
    assert answer.status_code == 201 and answer.get_json()["status"] == "approved"
    assert attempts(sales_db, "req-flaky") == ["unavailable", "unavailable", "approved"]
    assert len(platform_charges(platform, "req-flaky")) == 1


def test_the_platform_away_is_a_503_and_the_same_request_id_finishes_the_charge(
        client, writer, sales_db, platform):
    subscription_id = subscribe(client, writer, new_plan(sales_db))
    platform.control(failNext=3, failStatus=503)
    away = client.post(charge_url(subscription_id, "req-away"), headers=writer)
    assert away.status_code == 503 and away.headers["Retry-After"].isdigit()
    assert away.get_json()["errors"] == {"platform": ["unavailable"]}
    assert client.get(charge_url(subscription_id, "req-away"),
                      headers=writer).get_json()["status"] == "pending"
    done = client.post(charge_url(subscription_id, "req-away"), headers=writer)
    assert done.status_code == 201 and done.get_json()["status"] == "approved"
    assert attempts(sales_db, "req-away") == ["unavailable"] * 3 + ["approved"]
    assert len(platform_charges(platform, "req-away")) == 1


def test_a_decline_is_stored_with_its_reason(client, writer, sales_db):
    subscription_id = subscribe(client, writer, new_plan(sales_db), email("decline"))
    declined = client.post(charge_url(subscription_id, "req-declined"), headers=writer)
    assert declined.status_code == 201
    assert (declined.get_json()["status"], declined.get_json()["detail"]) == \
        ("declined", "card_declined: The card was declined.")


def test_refusals_name_the_rule_and_charge_nothing(client, writer, sales_db, make_api_key):
    plan_id = new_plan(sales_db)
    subscription_id, other_id = subscribe(client, writer, plan_id), subscribe(client, writer, plan_id)
    assert client.post(charge_url(subscription_id, "req-mine"), headers=writer).status_code == 201
    taken = client.post(charge_url(other_id, "req-mine"), headers=writer)
    assert taken.status_code == 409 and "request_id" in taken.get_json()["errors"]["path"]
    assert client.post(f"/api/subscriptions/{other_id}/status", headers=writer,
                       json={"status": "cancelled"}).status_code == 200
    cancelled = client.post(charge_url(other_id, "req-after-cancel"), headers=writer)
    assert cancelled.status_code == 409
    assert cancelled.get_json()["errors"]["current_status"] == "cancelled"
    assert client.post(charge_url("sub_nothing", "req-x"), headers=writer).status_code == 404
    malformed = client.post(charge_url(subscription_id, "bad!id"), headers=writer)
    assert malformed.status_code == 422 and "request_id" in malformed.get_json()["errors"]["path"]
    reader = {"Authorization": f"Bearer {make_api_key('charges-reader', ['billing:read'])}"}
    assert client.post(charge_url(subscription_id, "req-y"), headers=reader).status_code == 403
    with sales_db.connect() as c:
        assert c.scalar(select(subscription_charges.c.request_id).where(
            subscription_charges.c.request_id.in_(["req-after-cancel", "req-x", "req-y"]))) is None


def test_the_fake_reports_a_decided_charge_with_a_signed_webhook(client, writer, sales_db, webhooks):
    subscription_id = subscribe(client, writer, new_plan(sales_db, price="59.90"))
    charge = client.post(charge_url(subscription_id, "req-hook"), headers=writer).get_json()

    def ours():
        return [(h, b) for h, b in webhooks.received
                if json.loads(b)["subscription_id"] == subscription_id]
    headers, body = wait_for(ours, 20, "the webhook of the charge")[0]
    assert json.loads(body) == {"subscription_id": subscription_id, "event": "payment_success",
                                "amount": 59.9, "date": datetime.now(timezone.utc).date().isoformat()}
    assert headers["X-Webhook-Id"] == f"evt_{charge['charge_id']}"
    timestamp, signature = (part.split("=", 1)[1]
                            for part in headers["X-Webhook-Signature"].split(","))
    expected = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert hmac.compare_digest(signature, expected.hexdigest())


# The scheduler ---------------------------------------------------------------------------------
def scheduler(sales_db, platform, plan_id, now=DUE_DAY, batch_size=7) -> Scheduler:
    charger = Charger(lambda: BillingUnitOfWork(sales_db.connect),
                      PaymentPlatform(platform.url, KEY, SECRET, timeout=5),
                      ChargeAttempts(sales_db), ChargeLocks(sales_db))
    return Scheduler(charger, batch_size=batch_size, max_sleep=30, plan_ids=(plan_id,),
                     clock=lambda: now)


def charges_of(sales_db, subscription_ids) -> list:
    with sales_db.connect() as c:
        return c.execute(select(subscription_charges).where(
            subscription_charges.c.subscription_id.in_(subscription_ids))).all()


def test_two_schedulers_racing_over_the_same_due_subscriptions_charge_each_once(
        sales_db, platform):
    plan_id = new_plan(sales_db)
    due = due_subscriptions(sales_db, plan_id, 30)
    racers = [scheduler(sales_db, platform, plan_id) for _ in range(2)]
    run_together(*(partial(passes_until_caught_up, racer) for racer in racers))
    rows = wait_for(lambda: (r := charges_of(sales_db, due)) and len(r) == 30
                    and all(row.status == "approved" for row in r) and r, 30,
                    "every due subscription charged")
    assert sorted(row.request_id for row in rows) == sorted(f"{s}-p2" for s in due)
    assert {(row.kind, row.period, str(row.amount)) for row in rows} == {("renewal", 2, "29.99")}
    for row in rows:
        assert attempts(sales_db, row.request_id) == ["approved"]
        assert len(platform_charges(platform, row.request_id)) == 1
    assert racers[0].run_once() == 30 and len(charges_of(sales_db, due)) == 30


def test_overdue_subscriptions_go_past_due_then_suspended_with_their_events(
        sales_db, platform, outbox_wal):
    plan_id = new_plan(sales_db)
    (active,) = due_subscriptions(sales_db, plan_id, 1)
    (past_due,) = due_subscriptions(sales_db, plan_id, 1, "past_due", DUE_DAY.date())
    next_day = scheduler(sales_db, platform, plan_id, now=DUE_DAY.replace(day=2))
    next_day.run_once()
    assert status_of(sales_db, active) == ("past_due", DUE_DAY.date())
    assert status_of(sales_db, past_due) == ("past_due", DUE_DAY.date())  # within the grace
    assert [row.status for row in charges_of(sales_db, [active])] == ["approved"]
    scheduler(sales_db, platform, plan_id, now=DUE_DAY.replace(day=10)).run_once()
    assert status_of(sales_db, active)[0] == status_of(sales_db, past_due)[0] == "suspended"
    assert events_of(outbox_wal, sales_db, active) == ["SubscriptionPastDue",
                                                       "SubscriptionSuspended"]
    assert events_of(outbox_wal, sales_db, past_due) == ["SubscriptionSuspended"]


@pytest.mark.parametrize("query", [renewals_due, overdue])
def test_the_schedulers_queries_read_the_partial_index_of_due_subscriptions(sales_db, query):
    """The planner's own choice, with statistics, on a temporary copy of the subscriptions table
    with its indexes (their definitions read from the real one): 20,000 subscriptions billing
    over the next year, about 1 in 365 due today. The copy goes with the transaction."""
    today = datetime.now(timezone.utc).date()
    plan = plan_on_copy(sales_db, "subscriptions", (
        "INSERT INTO subscriptions (id, plan_id, customer_email, status, anchor, periods_paid,"
        " next_billing_date, failures, created_at) SELECT 'sub_' || n, 'plan_12345', "
        "n || '@example.com', CASE WHEN n % 10 = 0 THEN 'past_due' ELSE 'active' END, :today,"
        " 1, :today + (n % 365), 0, now() FROM generate_series(1, 20000) AS n"), {"today": today},
        locked_page(query(today), 100))
    assert '"Index Name": "subscriptions_due"' in plan, plan


def status_of(sales_db, subscription_id) -> tuple:
    with sales_db.connect() as c:
        return tuple(c.execute(select(subscriptions.c.status, subscriptions.c.past_due_since)
                               .where(subscriptions.c.id == subscription_id)).one())


def events_of(outbox_wal, sales_db, subscription_id) -> list[str]:
    with sales_db.connect() as c:
        customer = c.scalar(select(subscriptions.c.customer_email)
                            .where(subscriptions.c.id == subscription_id))
    return [line.split(" type[text]:'")[1].split("'")[0] for line in outbox_wal()
            if f"aggregateid[text]:'{customer}'" in line]
