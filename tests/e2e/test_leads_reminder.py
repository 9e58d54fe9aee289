"""Abandoned checkouts through the running system: leads posted to the sales API with the
storefront's scopes, the supervised leads-scheduler, the outbox and Debezium, sales.lead; an
order paid through the payment worker and the `leads` consumer.

The running scheduler reminds a lead LEAD_REMINDER_DELAY after it was opened (the stack's
setting, default an hour, fixed in its environment when supervisord started it; it reads it at
every pass). A test cannot change a running process's environment, and waiting an hour is no
test, so each lead is aged in the database instead: its opened_at moved back by the delay (as
this process reads the setting) and a minute, which is exactly what the hour passing does to
it. The scheduler then finds it due within its longest wait (10 s). Waits poll with deadlines.
"""
import uuid
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select, update

from apps.api_keys.dev import STOREFRONT_SCOPES
from apps.leads import settings
from apps.leads.adapters.tables import leads
from apps.settings import SALES_API_URL
from tests.e2e.test_order_to_course_access import APPROVED, place, settled
from tests.integration.order_topics import TopicWindow
from tests.integration.polling import wait_for

pytestmark = pytest.mark.e2e
SETTLE_S = 90  # a deadline, not an expectation: the scheduler's wait, Debezium, Kafka, a consumer


def post_lead(key: str, email: str) -> dict:
    response = requests.post(f"{SALES_API_URL}/api/leads", timeout=10, json={
        "email": email, "name": "Ana Souza"}, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 201, response.text
    return response.json()


def age(sales_db, lead_id: str) -> None:
    """As if the reminder delay (and a minute) had passed since the lead was opened."""
    with sales_db.begin() as connection:
        connection.execute(update(leads).where(leads.c.id == uuid.UUID(lead_id)).values(
            opened_at=leads.c.opened_at - settings.reminder_delay() - timedelta(minutes=1)))


def status(sales_db, lead_id: str) -> tuple:
    with sales_db.connect() as connection:
        return tuple(connection.execute(select(leads.c.status, leads.c.order_id)
                                        .where(leads.c.id == uuid.UUID(lead_id))).one())


def events_of(window: TopicWindow, lead_id: str, event_type: str) -> set[str]:
    """The distinct event ids of this lead's events of `event_type` read so far."""
    return {record["event_id"] for _, found_type, record in window.events()
            if found_type == event_type and record["lead_id"] == lead_id}


def test_an_unpaid_checkout_gets_one_reminder_and_a_paid_one_none(
        system, api_key, make_api_key, sales_db):
    storefront = make_api_key("leads-e2e-storefront", STOREFRONT_SCOPES)
    run = uuid.uuid4().hex[:10]
    window = TopicWindow("sales.lead")
    try:
        unpaid = post_lead(storefront, f"unpaid-{run}@example.com")
        paid = post_lead(storefront, f"paid-{run}@example.com")
        order = place(api_key, paid["email"], APPROVED)
        assert settled(api_key, order["id"])["status"] == "paid"
        wait_for(lambda: status(sales_db, paid["id"]) == ("converted", order["id"]), SETTLE_S,
                 "the paid checkout's lead converted by its order")
        age(sales_db, unpaid["id"])
        age(sales_db, paid["id"])  # converted: however old, no reminder
        wait_for(lambda: events_of(window, unpaid["id"], "LeadReminderDue"), SETTLE_S,
                 "the unpaid checkout's reminder on sales.lead")
        # A later lead's reminder as the barrier: once it is out, any reminder the scheduler
        # would give the first two (opened earlier, so taken first) would be out too.
        barrier = post_lead(storefront, f"barrier-{run}@example.com")
        age(sales_db, barrier["id"])
        wait_for(lambda: events_of(window, barrier["id"], "LeadReminderDue"), SETTLE_S,
                 "a later lead's reminder")
        window.read()
        [reminder] = [record for _, event_type, record in window.events()
                      if event_type == "LeadReminderDue" and record["lead_id"] == unpaid["id"]]
        assert len(events_of(window, unpaid["id"], "LeadReminderDue")) == 1
        assert (reminder["email"], reminder["name"]) == (unpaid["email"], "Ana Souza")
        assert reminder["shop_url"] == settings.shop_url()
        assert status(sales_db, unpaid["id"]) == ("reminded", None)
        assert events_of(window, paid["id"], "LeadReminderDue") == set()
        assert len(events_of(window, paid["id"], "LeadConverted")) == 1
        assert status(sales_db, paid["id"]) == ("converted", order["id"])
    finally:
        window.close()
