"""Leads on the real sales database (and Kafka for the consumer): the API (201, the live lead
again as 200, 401/403/422, the list's filters and pages, the summary), two reminder schedulers
racing over the same due leads, and the `leads` consumer converting a lead once however often
its OrderPaid comes.

The list and summary tests write their leads straight into the table, opened on days of a far
future year picked per run: no scheduler finds them due (they are not old), and no other
test's leads fall in their range. The racing schedulers' leads are opened two hours ago, due
for the stack's own leads-scheduler too: any of the three may remind a lead, and each lead must
still be reminded once with one event. The consumer reads a topic of the test's own.
"""
import random
import uuid
from datetime import date, datetime, timedelta, timezone
from functools import partial

import pytest
from sqlalchemy import delete, func, insert, select

from apps.leads.adapters.repositories import due
from apps.leads.adapters.tables import leads
from apps.leads.scheduler import Scheduler
from apps.leads.service.leads import open_lead
from apps.leads.service.uow import LeadsUnitOfWork
from apps.sales_api.app import create_app
from outbox.codec import encode
from outbox.table import processed_events
from tests.integration.planner import plan_on_copy
from tests.integration.polling import wait_for
from tests.integration.runners import consumer_on_own_topic, passes_until_caught_up, run_together
from tests.integration.test_consumer_exactly_once import send

pytestmark = pytest.mark.integration
RUN = f"l{uuid.uuid4().hex[:8]}"
DAY = date(2090, 1, 1) + timedelta(days=random.randrange(3000))  # this run's days, far ahead
LEAD_FIELDS = {"id", "email", "name", "status", "openedAt", "remindedAt", "convertedAt",
               "orderId"}


def email() -> str:
    return f"{RUN}-{uuid.uuid4().hex[:8]}@example.com"


@pytest.fixture(scope="module")
def client(sales_client, sales_db):
    """The sales API in this process; this module's leads are deleted at its end."""
    yield sales_client
    with sales_db.begin() as connection:
        connection.execute(delete(leads).where(leads.c.email.startswith(RUN)))


@pytest.fixture(scope="module")
def keys(api_key, make_api_key):
    def bearer(key):
        return {"Authorization": f"Bearer {key}"}
    return {"all": bearer(api_key),
            "storefront": bearer(make_api_key("leads-storefront", ["leads:write"])),
            "orders": bearer(make_api_key("leads-orders-only", ["orders:read", "orders:write"]))}


# The API --------------------------------------------------------------------------------------
def test_a_lead_is_201_open_and_the_same_email_again_is_200_the_same_lead(client, keys, sales_db):
    address = email()
    first = client.post("/api/leads", json={"email": address.upper(), "name": " Ana Souza "},
                        headers=keys["storefront"])
    assert first.status_code == 201, first.json
    lead = first.json
    assert set(lead) == LEAD_FIELDS
    assert (lead["email"], lead["name"], lead["status"]) == (address, "Ana Souza", "open")
    assert (lead["remindedAt"], lead["convertedAt"], lead["orderId"]) == (None, None, None)
    again = client.post("/api/leads", json={"email": f" {address} ", "name": "Ana S."},
                        headers=keys["storefront"])
    assert again.status_code == 200 and again.json == lead
    with sales_db.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(leads)
                                 .where(leads.c.email == address)) == 1


def test_two_requests_at_once_for_one_email_make_one_lead(client, keys, sales_db):
    address, answers = email(), []

    def post():
        app = create_app()  # a client (and engine) per thread, like separate workers
        answers.append(app.test_client().post("/api/leads", json={"email": address, "name": "A"},
                                              headers=keys["storefront"]).status_code)
        app.extensions["sales_engine"].dispose()

    run_together(*[post] * 8, timeout=60)
    assert sorted(answers) == [200] * 7 + [201]
    with sales_db.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(leads)
                                 .where(leads.c.email == address)) == 1


def test_a_lead_needs_a_key_with_leads_write_and_a_valid_email_and_name(client, keys, sales_db):
    body = {"email": email(), "name": "Ana"}
    missing = client.post("/api/leads", json=body)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.post("/api/leads", json=body, headers=keys["orders"]).status_code == 403
    refused = client.post("/api/leads", json={"email": "ana@", "name": "   ", "extra": 1},
                          headers=keys["storefront"])
    assert refused.status_code == 422
    assert set(refused.json["errors"]["json"]) == {"email", "name", "extra"}
    with sales_db.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(leads)
                                 .where(leads.c.email == body["email"])) == 0


def test_reading_leads_needs_leads_read(client, keys):
    for path in ("/api/leads", "/api/leads/summary"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=keys["storefront"]).status_code == 403


def at(day_offset: int, hour: int = 12) -> datetime:
    day = DAY + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def history(client, sales_db):
    """Seven leads of this run over four days: day 0 open, reminded, converted (after a
    reminder); day 1 converted, open; day 2 reminded; day 3 open (outside most ranges)."""
    rows = [(0, 9, "open"), (0, 10, "reminded"), (0, 11, "converted-reminded"),
            (1, 0, "converted"), (1, 23, "open"), (2, 12, "reminded"), (3, 0, "open")]
    made = []
    with sales_db.begin() as connection:
        for day, hour, kind in rows:
            opened = at(day, hour)
            reminded = opened + timedelta(hours=1) if "reminded" in kind else None
            converted = opened + timedelta(hours=2) if kind.startswith("converted") else None
            row = {"id": uuid.uuid4(), "email": email(), "name": kind, "opened_at": opened,
                   "status": kind.split("-")[0], "reminded_at": reminded,
                   "converted_at": converted, "order_id": str(uuid.uuid4()) if converted else None}
            connection.execute(insert(leads).values(**row))
            made.append(row)
    return made


def page(client, keys, **query) -> dict:
    answer = client.get("/api/leads", query_string=query, headers=keys["all"])
    assert answer.status_code == 200, answer.json
    return answer.json


def test_the_list_filters_by_status_and_opening_days_newest_first_in_pages(client, keys, history):
    first, last = DAY.isoformat(), (DAY + timedelta(days=2)).isoformat()
    everything = page(client, keys, **{"from": first, "to": last, "page_size": 100})
    assert [lead["name"] for lead in everything["leads"]] == [
        "reminded", "open", "converted", "converted-reminded", "reminded", "open"]
    assert (everything["total"], everything["pages"]) == (6, 1)
    opened = page(client, keys, status="open", **{"from": first, "to": last})
    assert [lead["openedAt"][:10] for lead in opened["leads"]] == [
        (DAY + timedelta(days=1)).isoformat(), DAY.isoformat()]
    day_one = (DAY + timedelta(days=1)).isoformat()
    converted = page(client, keys, status="converted", **{"from": day_one, "to": day_one})
    [lead] = converted["leads"]
    assert (lead["status"], lead["orderId"]) == ("converted", history[3]["order_id"])
    second = page(client, keys, page=2, page_size=4, **{"from": first, "to": last})
    assert ([lead["name"] for lead in second["leads"]], second["page"], second["pages"]) == (
        ["reminded", "open"], 2, 2)


def test_the_list_refuses_a_bad_status_date_or_range_naming_it(client, keys):
    for query, named in (({"status": "lost"}, "status"), ({"from": "2090-13-01"}, "from"),
                         ({"from": "20900101"}, "from"), ({"page_size": 0}, "page_size"),
                         ({"from": "2090-01-02", "to": "2090-01-01"}, "to"), ({"x": 1}, "x")):
        answer = client.get("/api/leads", query_string=query, headers=keys["all"])
        assert answer.status_code == 422 and named in answer.json["errors"]["query"], query


def test_the_summary_counts_the_leads_opened_in_the_range(client, keys, history):
    query = {"from": DAY.isoformat(), "to": (DAY + timedelta(days=2)).isoformat()}
    answer = client.get("/api/leads/summary", query_string=query, headers=keys["all"])
    assert answer.status_code == 200
    assert answer.json == {**query, "opened": 6, "reminded": 3, "converted": 2,
                           "conversion_rate": 0.3333}
    empty = {"from": (DAY - timedelta(days=1)).isoformat(), "to": (DAY - timedelta(days=1)).isoformat()}
    assert client.get("/api/leads/summary", query_string=empty, headers=keys["all"]).json == {
        **empty, "opened": 0, "reminded": 0, "converted": 0, "conversion_rate": 0.0}


# The reminder scheduler -----------------------------------------------------------------------
def reminder_events(outbox_wal, address: str) -> int:
    return sum(1 for line in outbox_wal() if f"aggregateid[text]:'{address}'" in line
               and "type[text]:'LeadReminderDue'" in line)


def test_two_schedulers_racing_over_the_same_due_leads_remind_each_once(
        client, sales_db, outbox_wal, monkeypatch):
    monkeypatch.setenv("LEAD_REMINDER_DELAY", "3600")
    two_hours_ago = datetime.now(timezone.utc) - timedelta(hours=2)
    due = [open_lead(LeadsUnitOfWork(sales_db.connect), email(), "Due", two_hours_ago).lead
           for _ in range(30)]
    young = open_lead(LeadsUnitOfWork(sales_db.connect), email(), "Young",
                      datetime.now(timezone.utc)).lead
    racers = [Scheduler(lambda: LeadsUnitOfWork(sales_db.connect), batch_size=4, max_sleep=30)
              for _ in range(2)]
    run_together(*(partial(passes_until_caught_up, racer) for racer in racers))
    with sales_db.connect() as connection:
        statuses = dict(connection.execute(select(leads.c.email, leads.c.status).where(
            leads.c.email.in_([lead.email for lead in due + [young]]))).all())
    assert {statuses[lead.email] for lead in due} == {"reminded"}
    assert statuses[young.email] == "open"
    assert [reminder_events(outbox_wal, lead.email) for lead in due] == [1] * 30
    assert reminder_events(outbox_wal, young.email) == 0


def test_the_due_query_reads_the_partial_index_of_open_leads(sales_db):
    """The planner's own choice, with statistics, on a temporary copy of the leads table with its
    indexes: a year of 20,000 leads, 1 in 100 still open (those of the last day or so, as the
    scheduler leaves them), the rest reminded or converted. The copy goes with the transaction."""
    now = datetime.now(timezone.utc)
    plan = plan_on_copy(sales_db, "leads", (
        "INSERT INTO leads (id, email, name, status, opened_at, order_id) "
        "SELECT gen_random_uuid(), n || '@example.com', 'x', CASE WHEN n % 100 = 0 THEN "
        "'open' WHEN n % 2 = 0 THEN 'reminded' ELSE 'converted' END, "
        ":now - make_interval(mins => CASE WHEN n % 100 = 0 THEN n % 1440 ELSE n * 26 END), "
        "CASE WHEN n % 100 <> 0 AND n % 2 = 1 THEN 'o' || n END "
        "FROM generate_series(1, 20000) AS n"), {"now": now}, due(now - timedelta(hours=1), 100))
    assert '"Index Name": "leads_due"' in plan, plan


# The consumer ---------------------------------------------------------------------------------
@pytest.fixture
def consumer(stack):
    """The leads runner on a fresh topic of the test's own: (topic, group)."""
    with consumer_on_own_topic("leads", "order.leads") as topic_and_group:
        yield topic_and_group


def order_paid(address: str, order_id: str, event_id: str | None = None) -> dict:
    event_id = event_id or str(uuid.uuid4())
    value = encode("OrderPaid", {
        "event_id": event_id, "order_id": order_id, "customer_email": address,
        "customer_name": "Ana", "total": "49.90", "currency": "BRL", "charge_id": "ch_1",
        "purchase_ids": [str(uuid.uuid4())], "occurred_at": datetime.now(timezone.utc)})
    return {"key": address, "value": value,
            "headers": [("id", event_id.encode()), ("eventType", b"OrderPaid")]}


def lead_row(sales_db, lead_id):
    with sales_db.connect() as connection:
        return connection.execute(select(leads).where(leads.c.id == lead_id)).one()


def test_a_redelivered_order_paid_converts_the_lead_once(consumer, client, sales_db, outbox_wal):
    topic, group = consumer
    now = datetime.now(timezone.utc) - timedelta(seconds=1)
    lead = open_lead(LeadsUnitOfWork(sales_db.connect), email(), "Ana", now).lead
    sentinel = open_lead(LeadsUnitOfWork(sales_db.connect), email(), "Bia", now).lead
    order_id = str(uuid.uuid4())
    paid = order_paid(lead.email, order_id)
    # Redelivered as is (the inbox), and the same payment under another event id (the lead is
    # no longer live), then the sentinel's.
    send(topic, paid, paid, order_paid(lead.email, order_id),
         order_paid(sentinel.email, str(uuid.uuid4())))
    wait_for(lambda: lead_row(sales_db, sentinel.id).status == "converted", 60,
             "the sentinel's lead converted")
    row = lead_row(sales_db, lead.id)
    assert (row.status, row.order_id) == ("converted", order_id) and row.converted_at
    with sales_db.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(processed_events).where(
            processed_events.c.consumer == group,
            processed_events.c.event_id == paid["headers"][0][1].decode())) == 1
    converted = [line for line in outbox_wal() if f"aggregateid[text]:'{lead.email}'" in line
                 and "type[text]:'LeadConverted'" in line]
    assert len(converted) == 1
