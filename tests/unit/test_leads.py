"""Leads on the in-memory unit of work and a fake clock: the reminder rule (due, not yet due,
converted, already reminded), the conversion rule (open or reminded, once, never by an order
paid before the lead was opened), one live lead per e-mail, the `leads` consumer's handler,
the scheduler's passes and waits, and the settings."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from apps.consumers import leads as consumer
from apps.consumers.order_events import OrderPaid
from apps.leads import settings
from apps.leads.adapters.events import LEAD_TOPIC
from apps.leads.domain.model import Lead, LeadConverted, LeadReminderDue, LeadStatus
from apps.leads.scheduler import MIN_WAIT_S, Scheduler
from apps.leads.service.leads import open_lead
from apps.leads.service.reminders import remind_due_leads
from outbox.batch import Handlers
from tests.unit.leads_fakes import FakeLeadsUnitOfWork

OPENED = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
SHOP = "http://shop.test"


def lead(email="ana@example.com", status=LeadStatus.OPEN, opened=OPENED, **fields) -> Lead:
    return Lead(uuid.uuid4(), email, "Ana Souza", status, opened, **fields)


# The reminder rule ----------------------------------------------------------------------------
def test_an_open_lead_is_reminded_once_when_the_delay_has_passed():
    open_one = lead()
    assert open_one.remind(OPENED + HOUR, HOUR, SHOP) is True
    assert (open_one.status, open_one.reminded_at) == (LeadStatus.REMINDED, OPENED + HOUR)
    [event] = open_one.events
    assert isinstance(event, LeadReminderDue) and (event.shop_url, event.at) == (SHOP, OPENED + HOUR)
    assert open_one.remind(OPENED + 2 * HOUR, HOUR, SHOP) is False, "reminded already"
    assert len(open_one.events) == 1


def test_a_lead_is_not_reminded_before_the_delay_nor_once_converted():
    young = lead()
    assert young.remind(OPENED + HOUR - timedelta(milliseconds=1), HOUR, SHOP) is False
    converted = lead(status=LeadStatus.CONVERTED, order_id="o-1")
    assert converted.remind(OPENED + 5 * HOUR, HOUR, SHOP) is False
    assert (young.status, young.events, converted.events) == (LeadStatus.OPEN, [], [])


# The conversion rule --------------------------------------------------------------------------
@pytest.mark.parametrize("status", [LeadStatus.OPEN, LeadStatus.REMINDED])
def test_a_paid_order_converts_an_open_or_reminded_lead_once(status):
    live = lead(status=status)
    paid_at = OPENED + timedelta(minutes=5)
    assert live.convert("o-1", paid_at) is True
    assert (live.status, live.order_id, live.converted_at) == (LeadStatus.CONVERTED, "o-1", paid_at)
    assert live.convert("o-2", paid_at) is False
    [event] = live.events
    assert isinstance(event, LeadConverted) and event.lead.order_id == "o-1"


def test_an_order_paid_before_the_lead_was_opened_belongs_to_an_earlier_visit():
    live = lead()
    assert live.convert("o-old", OPENED - timedelta(milliseconds=1)) is False
    assert live.convert("o-now", OPENED) is True  # the same millisecond counts


def test_times_are_kept_to_the_millisecond_like_the_events():
    opened = Lead.open("ana@example.com", "Ana", OPENED.replace(microsecond=123_456))
    assert opened.opened_at.microsecond == 123_000


# Use cases ------------------------------------------------------------------------------------
def test_a_second_checkout_of_the_same_email_gets_its_live_lead_back():
    uow = FakeLeadsUnitOfWork()
    first = open_lead(uow, "ana@example.com", "Ana", OPENED)
    again = open_lead(uow, "ana@example.com", "Ana S.", OPENED + HOUR)
    assert (first.new, again.new) == (True, False)
    assert again.lead.id == first.lead.id and again.lead.name == "Ana"
    assert len(uow.committed) == 1 and uow.published == []  # opening publishes nothing


def test_a_reminded_lead_is_returned_too_and_a_converted_one_makes_way_for_a_new_lead():
    reminded = lead(status=LeadStatus.REMINDED, reminded_at=OPENED + HOUR)
    converted = lead(email="bia@example.com", status=LeadStatus.CONVERTED, order_id="o-1")
    uow = FakeLeadsUnitOfWork([reminded, converted])
    assert open_lead(uow, "ana@example.com", "Ana", OPENED + 2 * HOUR).lead.id == reminded.id
    fresh = open_lead(uow, "bia@example.com", "Bia", OPENED + 2 * HOUR)
    assert fresh.new and fresh.lead.status is LeadStatus.OPEN and fresh.lead.id != converted.id


def test_a_pass_reminds_what_is_due_oldest_first_up_to_the_batch_and_says_when_next():
    leads = [lead(f"due{i}@example.com", opened=OPENED + timedelta(minutes=i)) for i in range(3)]
    later = lead("later@example.com", opened=OPENED + 2 * HOUR)
    uow = FakeLeadsUnitOfWork([*leads, later])
    now = OPENED + HOUR + timedelta(minutes=5)
    first = remind_due_leads(uow, now, HOUR, SHOP, limit=2)
    assert first.reminded == 2 and first.next_due == OPENED + timedelta(minutes=2) + HOUR
    second = remind_due_leads(uow, now, HOUR, SHOP, limit=2)
    assert second.reminded == 1 and second.next_due == later.opened_at + HOUR
    assert [(e.type, e.payload["email"]) for e in uow.published] == [
        ("LeadReminderDue", f"due{i}@example.com") for i in range(3)]
    assert uow.lead("later@example.com").status is LeadStatus.OPEN


def test_the_reminder_event_goes_to_the_leads_topic_keyed_by_email_with_the_shop_link():
    uow = FakeLeadsUnitOfWork([lead()])
    remind_due_leads(uow, OPENED + HOUR, HOUR, SHOP, limit=10)
    [event] = uow.published
    assert (event.aggregate_type, event.aggregate_id) == (LEAD_TOPIC, "ana@example.com")
    assert event.payload["shop_url"] == SHOP and event.payload["opened_at"] == OPENED
    assert event.payload["event_id"] == str(event.id)


# The consumer ---------------------------------------------------------------------------------
def order_paid(email="ana@example.com", order_id="o-1", paid_at=OPENED + HOUR) -> OrderPaid:
    return OrderPaid(str(uuid.uuid4()), order_id, email, "10.00", "BRL", paid_at, "Ana",
                     "ch_1", ("p-1",))


def apply(uow, *events) -> None:
    handlers = Handlers(consumer.HANDLERS, consumer.BATCH_HANDLERS)
    with uow:
        for event in events:
            handlers.apply(type(event).__name__, [event], uow)
        uow.commit()


def test_order_paid_converts_the_customers_lead_and_a_second_payment_changes_nothing():
    uow = FakeLeadsUnitOfWork([lead(status=LeadStatus.REMINDED), lead("bia@example.com")])
    apply(uow, order_paid(), order_paid(order_id="o-2"))
    converted = uow.lead("ana@example.com")
    assert (converted.status, converted.order_id) == (LeadStatus.CONVERTED, "o-1")
    assert [(e.type, e.payload["order_id"]) for e in uow.published] == [("LeadConverted", "o-1")]
    assert uow.lead("bia@example.com").status is LeadStatus.OPEN


def test_a_payment_without_a_lead_or_before_it_converts_nothing():
    uow = FakeLeadsUnitOfWork([lead()])
    apply(uow, order_paid(email="nobody@example.com"),
          order_paid(paid_at=OPENED - timedelta(seconds=1)))
    assert uow.lead("ana@example.com").status is LeadStatus.OPEN and uow.published == []


# The scheduler --------------------------------------------------------------------------------
class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def test_the_scheduler_reads_the_delay_at_every_pass(monkeypatch):
    uow = FakeLeadsUnitOfWork([lead()])
    clock = Clock(OPENED + timedelta(seconds=30))
    scheduler = Scheduler(lambda: uow, batch_size=10, max_sleep=10, clock=clock)
    monkeypatch.setenv("LEAD_REMINDER_DELAY", "3600")
    assert scheduler.run_once() == 10  # due in an hour: wait the longest
    monkeypatch.setenv("LEAD_REMINDER_DELAY", "20")
    assert scheduler.run_once() == 10  # nothing more open: wait the longest
    assert uow.lead("ana@example.com").status is LeadStatus.REMINDED
    assert scheduler.metrics.registry.get_sample_value("leads_scheduler_reminded_total") == 1


def test_the_scheduler_waits_until_the_next_lead_falls_due_and_at_once_after_a_full_batch(
        monkeypatch):
    monkeypatch.setenv("LEAD_REMINDER_DELAY", "60")
    leads = [lead(f"l{i}@example.com", opened=OPENED + timedelta(seconds=i)) for i in range(3)]
    uow = FakeLeadsUnitOfWork([*leads, lead("soon@example.com", opened=OPENED + timedelta(seconds=55))])
    clock = Clock(OPENED + timedelta(seconds=62))
    scheduler = Scheduler(lambda: uow, batch_size=2, max_sleep=60, clock=clock)
    assert scheduler.run_once() == 0  # a full batch: more may be due
    assert scheduler.run_once() == pytest.approx(53)  # soon@ falls due at 55 + 60 = 115 s
    clock.now = OPENED + timedelta(seconds=100)
    assert scheduler.run_once() == pytest.approx(15)
    clock.now = OPENED + timedelta(seconds=115)
    assert scheduler.run_once() == 60 and all(
        r.status is LeadStatus.REMINDED for r in uow.committed.values())


def test_a_due_lead_another_scheduler_holds_is_looked_at_again_soon_not_spun_on(monkeypatch):
    monkeypatch.setenv("LEAD_REMINDER_DELAY", "60")
    uow = FakeLeadsUnitOfWork([lead()])
    scheduler = Scheduler(lambda: uow, batch_size=10, max_sleep=30,
                          clock=Clock(OPENED + timedelta(seconds=90)))
    # SKIP LOCKED: the lead is due, but the other instance has it locked
    monkeypatch.setattr("tests.unit.leads_fakes.FakeLeads.lock_due", lambda *a: [])
    assert scheduler.run_once() == MIN_WAIT_S


# Settings -------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["0", "-5", "1h", "", "2.5"])
def test_a_bad_reminder_delay_is_refused_naming_the_setting(monkeypatch, value):
    monkeypatch.setenv("LEAD_REMINDER_DELAY", value)
    with pytest.raises(ValueError, match="LEAD_REMINDER_DELAY"):
        settings.reminder_delay()


def test_the_defaults_are_an_hour_and_the_local_shop(monkeypatch):
    monkeypatch.delenv("LEAD_REMINDER_DELAY", raising=False)
    monkeypatch.setenv("STOREFRONT_URL", "https://shop.example.com/")
    assert settings.reminder_delay() == HOUR
    assert settings.shop_url() == "https://shop.example.com"
    monkeypatch.delenv("STOREFRONT_URL")
    assert settings.shop_url() == "http://127.0.0.1:8002"
