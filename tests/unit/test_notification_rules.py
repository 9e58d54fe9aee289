"""The notifications consumer on the in-memory unit of work: one Message-ID per cause, the access
e-mail waiting for the roles of every purchase (in either order of arrival), each e-mail once,
the relay away held for a retry, a refusal recorded, old causes not e-mailed."""
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from apps.consumers import notifications as spec
from apps.consumers.lead_events import LeadReminderDue
from apps.consumers.order_events import (OrderCancelled, OrderItem, OrderPaid, OrderPaymentFailed,
                                         OrderPlaced)
from apps.consumers.role_events import RoleExtended, RoleGranted, RoleRevoked, RoleSource
from apps.consumers.subscription_events import (SubscriptionPastDue, SubscriptionRenewed,
                                                SubscriptionSuspended)
from apps.notifications.adapters.smtp import SmtpUnavailable
from apps.notifications.domain import emails
from apps.settings import MissingSetting
from outbox.batch import BatchApplier, Handlers
from outbox.envelope import Envelope
from tests.unit.notification_fakes import FakeNotificationsUnitOfWork

NOW = datetime.now(timezone.utc)
EMAIL = "ana@example.com"


def applier(uow) -> BatchApplier:
    return BatchApplier(spec.GROUP, Handlers(spec.HANDLERS, spec.BATCH_HANDLERS), uow,
                        max_attempts=3, transient_errors=spec.TRANSIENT_ERRORS)


def apply(uow, *events):
    """Each event in its own batch, as the consumer's BATCH_SIZE = 1 has it."""
    for event in events:
        applier(uow).apply([Envelope(event.event_id, type(event).__name__, event, None)])


def new_id() -> str:
    return str(uuid.uuid4())


def placed(order_id: str) -> OrderPlaced:
    items = (OrderItem("123456", "Course XYZ, premium", 1, "39.90", ("PREMIUM_USER", "COURSE_XYZ"),
                       "P1M"),
             OrderItem("987654", "Course ABCD, premium", 1, "49.90",
                       ("PREMIUM_USER", "COURSE_ABCD"), "P1M"))
    return OrderPlaced(new_id(), order_id, EMAIL, "89.80", "BRL", NOW, "Ana", items, "visa", "4242")


def paid(order_id: str, *purchase_ids: str) -> OrderPaid:
    return OrderPaid(new_id(), order_id, EMAIL, "89.80", "BRL", NOW, "Ana", "ch_1", purchase_ids)


def granted(purchase_id: str, role: str, kind=RoleGranted, source_type="PURCHASE"):
    extra = {"previous_until": NOW} if kind is RoleExtended else {}
    return kind(new_id(), 7, EMAIL, role, 1, "PURCHASE", RoleSource(source_type, purchase_id), NOW,
                NOW + timedelta(days=30), **extra)


def access_id(order_id: str) -> str:
    return f"<access.{order_id}@shop.test>"


# Message-IDs ---------------------------------------------------------------------------------
def test_the_message_id_is_made_of_the_cause_alone():
    links = emails.Links("shop.test", "http://shop.test", "http://shop.test/orders")
    first = emails.payment_failed_email(links, "o-1", EMAIL, "Ana", "c", "m", "1.00", "BRL", NOW)
    again = emails.payment_failed_email(links, "o-1", "other@example.com", "Bia", "c2", "m2",
                                        "2.00", "USD", NOW + timedelta(hours=1))
    assert first.message_id == again.message_id == "<payment-failed.o-1@shop.test>"
    assert emails.access_email(links, "o-1", EMAIL, "Ana", (), (), NOW).message_id == \
        "<access.o-1@shop.test>"
    assert emails.reminder_email(links, "l-1", EMAIL, "Ana", "http://x.test", NOW).message_id == \
        emails.reminder_email(links, "l-1", EMAIL, "Ana", "http://y.test", NOW).message_id == \
        "<reminder.l-1@shop.test>"


def test_each_subscription_change_has_its_own_message_id():
    links = emails.Links("shop.test", "http://shop.test", "http://shop.test/orders")
    at = datetime(2026, 11, 20, 12, 0, 0, 123000, tzinfo=timezone.utc)

    def notice(status, moment):
        return emails.subscription_email(links, "s-1", status, EMAIL, "Plan", None,
                                         date(2026, 12, 1), moment).message_id
    assert notice("past_due", at) == notice("past_due", at) == \
        "<subscription.s-1.past_due.1795176000123@shop.test>"
    assert len({notice("past_due", at), notice("suspended", at),
                notice("past_due", at + timedelta(days=30))}) == 3


def test_course_roles_name_the_courses_and_other_roles_none():
    assert emails.course_names(["PREMIUM_USER", "COURSE_XYZ", "COURSE_ABCD", "COURSE_XYZ"]) == \
        ("XYZ", "ABCD")
    assert emails.course_names(["PREMIUM_USER", "COURSE_"]) == ()


# The access e-mail waits for the roles -------------------------------------------------------
def test_the_access_email_waits_for_a_role_of_every_purchase_then_names_both_courses():
    uow, order, first, second = FakeNotificationsUnitOfWork(), new_id(), new_id(), new_id()
    apply(uow, placed(order), paid(order, first, second), granted(first, "PREMIUM_USER"),
          granted(first, "COURSE_XYZ"))
    assert uow.mailer.delivered == []  # paid, and one purchase of two open: not yet
    apply(uow, granted(second, "COURSE_ABCD"))
    [message] = uow.mailer.with_id(access_id(order))
    text = message.get_body(("plain",)).get_content()
    assert "XYZ" in text and "ABCD" in text and "http://shop.test/orders" in text
    assert uow.statuses() == {access_id(order): "sent"}


def test_roles_seen_before_the_payment_send_the_access_email_with_the_payment():
    uow, order, first, second = FakeNotificationsUnitOfWork(), new_id(), new_id(), new_id()
    apply(uow, placed(order), granted(second, "COURSE_ABCD", RoleExtended),
          granted(first, "COURSE_XYZ"))
    assert uow.mailer.delivered == []  # roles, but no payment seen yet
    apply(uow, paid(order, first, second))
    assert len(uow.mailer.with_id(access_id(order))) == 1


def test_without_the_placed_order_the_courses_come_from_the_roles_seen():
    uow, order, purchase = FakeNotificationsUnitOfWork(), new_id(), new_id()
    apply(uow, granted(purchase, "COURSE_XYZ"), paid(order, purchase))
    [message] = uow.mailer.with_id(access_id(order))
    assert message["Subject"] == "Your access is open: XYZ"


def test_later_roles_and_redeliveries_of_an_order_told_send_nothing_more():
    uow, order, purchase = FakeNotificationsUnitOfWork(), new_id(), new_id()
    payment, role = paid(order, purchase), granted(purchase, "COURSE_XYZ")
    apply(uow, placed(order), payment, role)
    apply(uow, role, payment, granted(purchase, "PREMIUM_USER"),  # redelivered, a late role
          replace(payment, event_id=new_id()))  # and the payment re-sent under a new id
    assert len(uow.mailer.with_id(access_id(order))) == 1
    assert uow.committed.opened_roles == {}  # nothing waits for that purchase any more


def test_roles_of_other_sources_and_ended_roles_open_nothing():
    uow, order, purchase = FakeNotificationsUnitOfWork(), new_id(), new_id()
    apply(uow, paid(order, purchase), granted(purchase, "COURSE_XYZ", source_type="SUBSCRIPTION"),
          granted(purchase, "COURSE_XYZ", RoleRevoked))
    assert uow.mailer.delivered == [] and uow.statuses() == {}


def test_a_cancelled_order_gets_no_access_email_when_its_roles_come_later():
    uow, order, purchase = FakeNotificationsUnitOfWork(), new_id(), new_id()
    apply(uow, placed(order), paid(order, purchase),
          OrderCancelled(new_id(), order, EMAIL, "89.80", "BRL", NOW, "ch_1"),
          granted(purchase, "COURSE_XYZ"))
    assert uow.mailer.delivered == []


# The other e-mails ---------------------------------------------------------------------------
def failed(order_id: str, occurred_at=NOW) -> OrderPaymentFailed:
    return OrderPaymentFailed(new_id(), order_id, EMAIL, "89.80", "BRL", occurred_at, "Ana",
                              "card_declined", "The card was declined.")


def test_a_failed_payment_sends_the_failure_email_once_and_no_access_email():
    uow, order = FakeNotificationsUnitOfWork(), new_id()
    failure = failed(order)
    apply(uow, placed(order), failure, failure, replace(failure, event_id=new_id()))
    [message] = uow.mailer.delivered
    assert message["Message-ID"] == f"<payment-failed.{order}@shop.test>"
    assert "The card was declined." in message.get_body(("plain",)).get_content()
    assert uow.committed.access_emails[order].settled


def test_the_relay_away_holds_the_event_and_sends_it_once_when_back():
    uow, order = FakeNotificationsUnitOfWork(), new_id()
    uow.mailer.unavailable = 1
    failure = failed(order)
    with pytest.raises(SmtpUnavailable):  # the runner holds the batch and pauses the partitions
        apply(uow, failure)
    assert uow.statuses() == {} and uow.committed.inbox == {}  # nothing committed
    apply(uow, failure)  # the held batch, retried
    assert len(uow.mailer.delivered) == 1
    assert uow.statuses() == {f"<payment-failed.{order}@shop.test>": "sent"}


def test_a_permanent_refusal_is_recorded_as_rejected_and_not_retried():
    uow, order = FakeNotificationsUnitOfWork(), new_id()
    uow.mailer.rejecting.add(EMAIL)
    failure = failed(order)
    apply(uow, failure, replace(failure, event_id=new_id()))
    [(_, status, reply)] = uow.committed.sent.values()
    assert (status, reply) == ("rejected", "550 5.1.1 mailbox unavailable")
    assert uow.mailer.delivered == []


def test_a_cause_older_than_the_max_age_is_recorded_as_skipped_not_sent():
    uow, order = FakeNotificationsUnitOfWork(), new_id()
    apply(uow, failed(order, NOW - timedelta(days=4)))
    assert uow.mailer.delivered == []
    assert uow.statuses() == {f"<payment-failed.{order}@shop.test>": "skipped"}


def subscription(kind, status: str, occurred_at=NOW):
    return kind(new_id(), "sub-1", EMAIL, "plan_12345", "Premium monthly", ("PREMIUM_USER",),
                status, date(2026, 12, 1), date(2026, 12, 1), "29.99", "BRL", "monthly",
                occurred_at)


def test_past_due_and_suspended_are_told_each_once_and_a_renewal_not_at_all():
    uow = FakeNotificationsUnitOfWork()
    past_due = subscription(SubscriptionPastDue, "past_due")
    apply(uow, past_due, replace(past_due, event_id=new_id()),
          subscription(SubscriptionSuspended, "suspended"),
          subscription(SubscriptionRenewed, "active"))
    assert [m["Subject"] for m in uow.mailer.delivered] == [
        "Your subscription payment is overdue: Premium monthly",
        "Your subscription is suspended: Premium monthly"]


def test_a_due_reminder_is_sent_once_with_the_link_back_to_the_shop():
    uow = FakeNotificationsUnitOfWork()
    due = LeadReminderDue(new_id(), "lead-1", EMAIL, "Ana", NOW, NOW - timedelta(hours=1),
                          "http://shop.test/")
    apply(uow, due, replace(due, event_id=new_id()))
    [message] = uow.mailer.delivered
    assert message["Message-ID"] == "<reminder.lead-1@shop.test>"
    assert "http://shop.test/" in message.get_body(("plain",)).get_content()


# Settings ------------------------------------------------------------------------------------
def test_production_without_smtp_url_stops_the_consumer_at_start_up(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SMTP_URL", raising=False)
    with pytest.raises(MissingSetting, match="SMTP_URL"):
        spec.check_settings()
    monkeypatch.setenv("SMTP_URL", "smtp://relay.example.com:587")
    monkeypatch.setenv("SMTP_STARTTLS", "0")
    monkeypatch.setenv("SMTP_USERNAME", "shop")
    with pytest.raises(MissingSetting, match="plain"):
        spec.check_settings()  # credentials never over a plain connection
    monkeypatch.delenv("SMTP_STARTTLS")
    spec.check_settings()  # STARTTLS is on by default in production


def held_by_subscription(role: str, sequence: int, until: datetime):
    return RoleGranted(new_id(), 7, EMAIL, role, sequence, "SUBSCRIPTION_CHANGE",
                       RoleSource("SUBSCRIPTION", "sub_1"), NOW, until)


def test_an_order_whose_roles_are_already_held_longer_gets_its_access_email_without_its_own_event():
    """A subscriber buys courses the plan includes: the purchases change no effective role, so
    the access service sends no role event for them; the access is open all the same."""
    uow, order, first, second = FakeNotificationsUnitOfWork(), new_id(), new_id(), new_id()
    later = datetime.now(timezone.utc) + timedelta(days=60)
    apply(uow, *(held_by_subscription(role, n, later) for n, role in
                 enumerate(("PREMIUM_USER", "COURSE_XYZ", "COURSE_ABCD"), start=1)))
    apply(uow, placed(order), paid(order, first, second))
    [message] = uow.mailer.with_id(access_id(order))
    assert "XYZ" in message.get_body(("plain",)).get_content()
    apply(uow, granted(first, "COURSE_XYZ", RoleExtended))  # a late event of its own: no more
    assert len(uow.mailer.with_id(access_id(order))) == 1


def test_roles_held_except_one_wait_for_it_and_a_revoked_or_stale_event_holds_nothing():
    uow, order, first, second = FakeNotificationsUnitOfWork(), new_id(), new_id(), new_id()
    later = datetime.now(timezone.utc) + timedelta(days=60)
    apply(uow, held_by_subscription("PREMIUM_USER", 1, later),
          held_by_subscription("COURSE_XYZ", 2, later), placed(order), paid(order, first, second))
    assert uow.mailer.delivered == []  # COURSE_ABCD is not held
    revoked = RoleRevoked(new_id(), 7, EMAIL, "COURSE_ABCD", 4, "MANUAL",
                          RoleSource("MANUAL", "9"), NOW, NOW)
    stale = held_by_subscription("COURSE_ABCD", 3, later)  # older than the revocation
    apply(uow, revoked, stale)
    assert uow.mailer.delivered == []
    apply(uow, held_by_subscription("COURSE_ABCD", 5, later))
    assert len(uow.mailer.with_id(access_id(order))) == 1
