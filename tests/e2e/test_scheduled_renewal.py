"""Through the running stack, with no request after set-up: the billing scheduler charges a
subscription whose billing date has come, the (fake) payment platform posts its signed
payment_success webhook to the sales API, the billing consumer renews the subscription, and the
access service keeps the plan's roles to the end of the period the renewal paid.

Set-up: a subscription is made and activated through the API (its first charge; the platform's
webhook activates it). Its billing date is then moved to today in the database: waiting a month
is not an option, and the scheduler finds due subscriptions by that stored date alone (the
anchor is moved with it, so the date the domain derives agrees).
"""
import uuid
from datetime import date, datetime, time, timedelta, timezone

import pytest
import requests
from sqlalchemy import text

from apps.billing.domain.cycles import BillingCycle, add_months
from apps.settings import SALES_API_URL
from tests.e2e.test_subscription_to_course_access import PLAN, PLAN_ROLES, roles_of
from tests.integration.polling import wait_for

pytestmark = pytest.mark.e2e

SCHEDULER_PASS_S = 30  # the scheduler's longest sleep between passes when nothing is due
SECONDS = SCHEDULER_PASS_S + 60


def subscription(subscription_id: str, headers: dict) -> dict:
    response = requests.get(f"{SALES_API_URL}/api/subscriptions/{subscription_id}",
                            headers=headers, timeout=10)
    response.raise_for_status()
    return response.json()


def test_a_due_subscription_is_charged_and_renewed_by_the_scheduler_alone(system, api_key, sales_db):
    headers = {"Authorization": f"Bearer {api_key}"}
    email = f"renewal-{uuid.uuid4().hex[:10]}@example.com"
    created = requests.post(f"{SALES_API_URL}/api/subscriptions", headers=headers, timeout=10,
                            json={"plan_id": PLAN, "customer_email": email})
    assert created.status_code == 201, created.text
    sub_id = created.json()["subscription_id"]
    first = requests.post(f"{SALES_API_URL}/api/subscriptions/{sub_id}/charges/{sub_id}-p1",
                          headers=headers, timeout=30)
    assert first.status_code == 201 and first.json()["status"] == "approved", first.text
    wait_for(lambda: subscription(sub_id, headers)["status"] == "active", SECONDS,
             "the platform's webhook to activate the subscription")
    paid_until = wait_for(lambda: roles_of(email, headers).get("PREMIUM_USER"), SECONDS,
                          "the plan's roles")["until"]

    today = date.today()
    with sales_db.begin() as connection:
        connection.execute(text("UPDATE subscriptions SET anchor = :anchor, "
                                "next_billing_date = :today WHERE id = :id"),
                           {"anchor": add_months(today, -BillingCycle.MONTHLY.months),
                            "today": today, "id": sub_id})

    renewed = wait_for(lambda: (s := subscription(sub_id, headers))["periods_paid"] == 2 and s,
                       SECONDS, "the scheduler's charge and the platform's webhook to renew it")
    assert renewed["status"] == "active" and renewed["next_billing_date"] > today.isoformat()
    with sales_db.connect() as connection:
        charges = connection.execute(text(
            "SELECT request_id, status FROM subscription_charges WHERE subscription_id = :id "
            "ORDER BY period"), {"id": sub_id}).all()
    assert [tuple(c) for c in charges] == [(f"{sub_id}-p1", "approved"), (f"{sub_id}-p2", "approved")]
    # The anchor moved back a month, so the renewal pays up to the date the first payment did:
    # the roles' end (the end of that day) stands, granted by the subscription.
    paid_end = datetime.combine(date.fromisoformat(renewed["paid_until"]), time.min,
                                timezone.utc) + timedelta(days=1)
    held = roles_of(email, headers)
    assert {role: datetime.fromisoformat(r["until"]) for role, r in held.items()} == \
        dict.fromkeys(PLAN_ROLES, paid_end)
    assert datetime.fromisoformat(paid_until) == paid_end
