"""Through the running stack: subscribe (sales API) → signed payment webhooks → billing consumer
→ sales.subscription → access-subscriptions (ledger, role events) → access.role → course access.

A payment_success activates the subscription: the plan's roles appear in the access API, each
granted by the subscription, and the platform and its courses open. Three payment_failed
webhooks suspend it: the roles go and the doors close. Nothing is requested in between.
"""
import hashlib
import hmac
import json
import time
import uuid
from datetime import date

import pytest
import requests

from apps.billing.settings import webhook_secret
from apps.settings import ACCESS_API_URL, SALES_API_URL
from tests.e2e.test_roles_to_course_access import courses_of
from tests.integration.polling import wait_for

pytestmark = pytest.mark.e2e

PLAN = "plan_54321"
PLAN_ROLES = {"PREMIUM_USER", "COURSE_XYZ", "COURSE_ABCD"}
SECONDS = 60  # two connectors and three consumers lie between the webhook and the doors


def webhook(subscription_id: str, event: str, amount: str, age_s: int = 0) -> requests.Response:
    """A webhook as the payment platform sends it: signed `age_s` seconds ago over
    `<t>.<raw body>`, with its own event id. Attempts with the same body count once each only
    if signed at different times (the same body and signature is a re-send, accepted once)."""
    body = json.dumps({"subscription_id": subscription_id, "event": event,
                       "amount": float(amount), "date": date.today().isoformat()}).encode()
    timestamp = int(time.time()) - age_s
    signature = hmac.new(webhook_secret().encode(), f"{timestamp}.".encode() + body,
                         hashlib.sha256).hexdigest()
    return requests.post(f"{SALES_API_URL}/api/webhooks/payment", data=body, timeout=10, headers={
        "Content-Type": "application/json", "X-Webhook-Id": f"evt_{uuid.uuid4().hex}",
        "X-Webhook-Signature": f"t={timestamp},v1={signature}"})


def status_of(subscription_id: str, headers: dict) -> str:
    response = requests.get(f"{SALES_API_URL}/api/subscriptions/{subscription_id}",
                            headers=headers, timeout=10)
    response.raise_for_status()
    return response.json()["status"]


def roles_of(email: str, headers: dict) -> dict[str, dict]:
    response = requests.get(f"{ACCESS_API_URL}/api/users/{email}/roles", headers=headers,
                            timeout=10)
    if response.status_code == 404:  # no grant yet made the user
        return {}
    response.raise_for_status()
    return {r["role"]: r for r in response.json()["roles"]}


def doors(email: str) -> tuple[bool, set[str]] | None:
    """(platform open, open courses) as the course platform sees them."""
    found = courses_of(email)
    if not found:
        return None
    return (bool(found[0].platform and found[0].platform.open),
            {c.course for c in found[0].courses if c.open})


def test_an_active_subscription_opens_the_plans_courses_and_suspension_closes_them(system, api_key):
    headers = {"Authorization": f"Bearer {api_key}"}
    email = f"subscriber-{uuid.uuid4().hex[:8]}@example.com"
    created = requests.post(f"{SALES_API_URL}/api/subscriptions", headers=headers, timeout=10,
                            json={"plan_id": PLAN, "customer_email": email})
    assert created.status_code == 201, created.text
    subscription_id = created.json()["subscription_id"]
    assert created.json()["status"] == "pending"
    price = requests.get(f"{SALES_API_URL}/api/plans/{PLAN}", timeout=10).json()["price"]

    paid = webhook(subscription_id, "payment_success", price)
    assert paid.status_code == 202, paid.text
    wait_for(lambda: status_of(subscription_id, headers) == "active", SECONDS, "status active")
    held = wait_for(lambda: (r := roles_of(email, headers)) and set(r) == PLAN_ROLES and r,
                    SECONDS, "the plan's roles in the access API")
    for role in held.values():
        assert [g["source"] for g in role["grants"]] == [
            {"type": "SUBSCRIPTION", "id": subscription_id}]
    wait_for(lambda: doors(email) == (True, {"XYZ", "ABCD"}), SECONDS,
             "the platform and courses XYZ and ABCD open")

    for attempt in range(3):
        failed = webhook(subscription_id, "payment_failed", price, age_s=3 - attempt)
        assert failed.status_code == 202 and not failed.json()["duplicate"], failed.text
    wait_for(lambda: status_of(subscription_id, headers) == "suspended", SECONDS,
             "status suspended after three failures")
    wait_for(lambda: roles_of(email, headers) == {}, SECONDS, "the roles gone")
    wait_for(lambda: doors(email) == (False, set()), SECONDS, "the platform and courses closed")
