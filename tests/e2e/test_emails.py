"""E-mails through the running system: an order paid with the approving card brings the access
e-mail, naming both courses, into the local SMTP server's Maildir once its roles are held; the
declining card brings the failure e-mail with its reason and a retry link. Each arrives once."""
import uuid

import pytest
import requests

from apps.notifications.maildir import received
from apps.notifications.settings import from_env
from apps.notifications.smtp_server import maildir_folder
from apps.settings import SALES_API_URL
from tests.e2e.test_order_to_course_access import APPROVED, DECLINED, place, settled
from tests.e2e.test_purchase_to_roles import roles
from tests.integration.polling import wait_for

pytestmark = pytest.mark.e2e
SETTLE_S = 90  # a deadline, not an expectation: payment, Debezium, Kafka, two consumers, SMTP


def mail(email: str, message_id: str) -> list:
    return [m for m in received(maildir_folder(), email) if m.message_id == message_id]


def test_a_paid_order_sends_the_access_email_naming_both_courses(system, api_key):
    email = f"mail-paid-{uuid.uuid4().hex[:10]}@example.com"
    order = place(api_key, email, APPROVED)
    assert settled(api_key, order["id"])["status"] == "paid"
    message_id = f"<access.{order['id']}@{from_env().domain}>"
    [access] = wait_for(lambda: mail(email, message_id), SETTLE_S, "the access e-mail")
    # Sent only once the access was open: the roles are held when it has arrived.
    assert {"COURSE_XYZ", "COURSE_ABCD"} <= set(roles(email, api_key))
    assert access.recipients == (email,) and access.subject.startswith("Your access is open")
    for part in (access.part("plain"), access.part("html")):
        assert "XYZ" in part and "ABCD" in part and from_env().platform_url in part
    assert "Ana Souza" in access.part("plain")
    assert len(mail(email, message_id)) == 1


def test_a_declined_card_sends_the_failure_email_with_its_reason_and_a_retry_link(system, api_key):
    email = f"mail-declined-{uuid.uuid4().hex[:10]}@example.com"
    order = place(api_key, email, DECLINED)
    assert settled(api_key, order["id"])["status"] == "payment_failed"
    message_id = f"<payment-failed.{order['id']}@{from_env().domain}>"
    [failure] = wait_for(lambda: mail(email, message_id), SETTLE_S, "the failure e-mail")
    text = failure.part("plain")
    assert "The card was declined." in text
    assert f"{from_env().shop_url}/orders/{order['id']}" in text
    assert not [m for m in received(maildir_folder(), email) if m.message_id.startswith("<access.")]


def test_a_subscriber_buying_courses_the_plan_holds_longer_still_gets_the_access_email(
        system, api_key):
    """The purchases change no effective role (the subscription holds them longer), so no role
    event of their own comes; the access is open all the same, and the e-mail says so."""
    email = f"mail-subscriber-{uuid.uuid4().hex[:10]}@example.com"
    headers = {"Authorization": f"Bearer {api_key}"}
    created = requests.post(f"{SALES_API_URL}/api/subscriptions", headers=headers, timeout=10,
                            json={"plan_id": "plan_54321", "customer_email": email})
    assert created.status_code == 201, created.text
    sub_id = created.json()["subscription_id"]
    charge = requests.post(f"{SALES_API_URL}/api/subscriptions/{sub_id}/charges/{sub_id}-p1",
                           headers=headers, timeout=30)
    assert charge.status_code == 201, charge.text  # the fake platform's webhook activates it
    wait_for(lambda: {"COURSE_XYZ", "COURSE_ABCD"} <= set(roles(email, api_key)), SETTLE_S,
             "the plan's roles")
    order = place(api_key, email, APPROVED)
    assert settled(api_key, order["id"])["status"] == "paid"
    message_id = f"<access.{order['id']}@{from_env().domain}>"
    [access] = wait_for(lambda: mail(email, message_id), SETTLE_S, "the access e-mail")
    assert "XYZ" in access.part("plain") and "ABCD" in access.part("plain")
