"""Charging a subscription on the in-memory unit of work and a fake platform: what a period costs,
who is charged, and that a request id, or a period, is never charged twice."""
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from apps.billing.domain.charges import (ChargeKind, ChargeStatus, NotChargeable, RequestIdTaken,
                                         period_of, renewal, scheduled_request_id)
from apps.billing.domain.cycles import BillingCycle
from apps.billing.domain.model import Plan, PlanStatus, Status, Subscription
from apps.billing.service.charges import (ChargeInFlight, PlatformAway, PlatformRefused,
                                          charge_period, charge_proration)
from apps.payments.platform import PlatformRejected, PlatformUnavailable
from tests.unit.charge_fakes import T0, FakeChargesUnitOfWork, FakePlatform, charger

BASIC = Plan("plan_12345", "Basic Plan", Decimal("29.99"), "BRL", BillingCycle.MONTHLY,
             ("PREMIUM_USER",))
PREMIUM = Plan("plan_54321", "Premium Plan", Decimal("59.90"), "BRL", BillingCycle.MONTHLY,
               ("PREMIUM_USER", "COURSE_XYZ"))


def subscription(status=Status.ACTIVE, paid=1, plan=BASIC, sub_id="sub_1", **fields):
    return Subscription(sub_id, plan, "ana@example.com", status, date(2026, 1, 15),
                        periods_paid=paid, created_at=T0, **fields)


def world(*subscriptions, platform=None, tries=3):
    uow = FakeChargesUnitOfWork([BASIC, PREMIUM], subscriptions or [subscription()])
    return uow, charger(uow, platform, tries)


def test_the_request_id_is_derived_from_the_subscription_the_period_and_the_kind():
    assert scheduled_request_id("sub_1", 3) == "sub_1-p3"
    assert scheduled_request_id("sub_1", 3, ChargeKind.PRORATION) == "sub_1-p3-proration"
    paid_two = subscription(paid=2)
    assert (period_of(paid_two, ChargeKind.RENEWAL), period_of(paid_two, ChargeKind.PRORATION)) \
        == (3, 2)


def test_a_renewal_pays_the_next_period_at_the_price_of_the_plan_it_runs_on():
    first = renewal(subscription(Status.PENDING, paid=0), "r1")
    assert (first.period, first.plan_id, first.amount, first.currency) == \
        (1, "plan_12345", Decimal("29.99"), "BRL")
    downgrading = subscription(plan=PREMIUM, paid=2, next_plan=BASIC)
    assert (renewal(downgrading, "r2").period, renewal(downgrading, "r2").plan_id) == \
        (3, "plan_12345")  # the waiting downgrade starts with the period it pays


@pytest.mark.parametrize("status", [Status.PAUSED, Status.CANCELLED])
def test_paused_and_cancelled_subscriptions_are_not_charged(status):
    with pytest.raises(NotChargeable) as refused:
        renewal(subscription(status), "r1")
    assert refused.value.current is status and status.value in str(refused.value)


def test_a_subscription_of_an_inactive_plan_is_not_charged_but_a_closed_ones_is():
    closed = replace(BASIC, status=PlanStatus.CLOSED)
    assert renewal(subscription(plan=closed), "r1").amount == Decimal("29.99")
    with pytest.raises(NotChargeable, match="plan_12345 is inactive"):
        renewal(subscription(plan=replace(BASIC, status=PlanStatus.INACTIVE)), "r1")


def test_a_charge_asks_the_platform_once_and_the_same_request_id_gets_the_stored_charge():
    uow, ch = world()
    first = charge_period(ch, "sub_1", "req-1")
    assert first.new and first.charge.status is ChargeStatus.APPROVED
    assert ch.platform.calls == [("req-1", "ana@example.com", "plan_12345", "sub_1",
                                  Decimal("29.99"))]
    again = charge_period(ch, "sub_1", "req-1")
    assert (again.new, again.charge) == (False, first.charge)
    assert len(ch.platform.calls) == 1 and ch.attempts.log == [("req-1", "approved")]


def test_another_request_id_for_the_same_period_gets_the_first_charge():
    uow, ch = world()
    first = charge_period(ch, "sub_1", "req-1")
    other = charge_period(ch, "sub_1", "req-2")
    assert (other.new, other.charge.request_id) == (False, "req-1")
    assert len(ch.platform.calls) == 1 and set(uow.charges_committed) == {"req-1"}
    assert first.charge.period == 2


def test_a_decline_is_stored_with_its_reason_and_is_the_periods_answer():
    uow, ch = world(platform=FakePlatform("decline"))
    declined = charge_period(ch, "sub_1", "req-1")
    assert declined.new and declined.charge.status is ChargeStatus.DECLINED
    assert declined.charge.detail == "card_declined: The card was declined."
    assert charge_period(ch, "sub_1", "req-2").charge == declined.charge
    assert len(ch.platform.calls) == 1


def test_the_platform_away_leaves_the_charge_pending_and_the_same_request_id_sends_it_again():
    away = [PlatformUnavailable("503")] * 3
    uow, ch = world(platform=FakePlatform(*away))
    with pytest.raises(PlatformAway) as pending:
        charge_period(ch, "sub_1", "req-1")
    assert pending.value.charge.status is ChargeStatus.PENDING
    assert uow.charges_committed["req-1"].status is ChargeStatus.PENDING
    assert [outcome for _, outcome in ch.attempts.log] == ["unavailable"] * 3
    retried = charge_period(ch, "sub_1", "req-1")
    assert retried.new and retried.charge.status is ChargeStatus.APPROVED
    assert {call[0] for call in ch.platform.calls} == {"req-1"}  # one platform request id


def test_5xx_then_success_within_one_call_charges_once():
    uow, ch = world(platform=FakePlatform(PlatformUnavailable("503"), PlatformUnavailable("503")))
    answer = charge_period(ch, "sub_1", "req-1")
    assert answer.new and answer.charge.status is ChargeStatus.APPROVED
    assert [outcome for _, outcome in ch.attempts.log] == ["unavailable", "unavailable", "approved"]
    assert len(ch.platform.decided) == 1


def test_a_refused_request_leaves_the_charge_pending():
    uow, ch = world(platform=FakePlatform(PlatformRejected(401, "bad credentials")))
    with pytest.raises(PlatformRefused):
        charge_period(ch, "sub_1", "req-1")
    assert uow.charges_committed["req-1"].status is ChargeStatus.PENDING
    assert ch.attempts.log == [("req-1", "rejected")]


def test_a_request_id_of_another_subscription_is_a_conflict_and_charges_nothing():
    uow, ch = world(subscription(), subscription(sub_id="sub_2"))
    charge_period(ch, "sub_1", "req-1")
    with pytest.raises(RequestIdTaken, match="sub_1"):
        charge_period(ch, "sub_2", "req-1")
    assert len(ch.platform.calls) == 1


def test_a_stored_charge_is_answered_even_when_the_subscription_is_no_longer_chargeable():
    uow, ch = world()
    first = charge_period(ch, "sub_1", "req-1")
    with uow:
        paused = uow.subscriptions.get("sub_1")
        paused.status = Status.PAUSED
        uow.subscriptions.save(paused)
        uow.commit()
    assert charge_period(ch, "sub_1", "req-1").charge == first.charge
    with pytest.raises(NotChargeable):
        charge_period(ch, "sub_1", "req-2")


def test_a_charge_another_call_is_sending_is_in_flight_for_its_id_and_pending_for_others():
    uow, ch = world(platform=FakePlatform(*[PlatformUnavailable("503")] * 3))
    with pytest.raises(PlatformAway):
        charge_period(ch, "sub_1", "req-1")
    ch.locks.held.add("req-1")
    with pytest.raises(ChargeInFlight):
        charge_period(ch, "sub_1", "req-1")
    other = charge_period(ch, "sub_1", "req-2")
    assert (other.new, other.charge.request_id, other.charge.status) == \
        (False, "req-1", ChargeStatus.PENDING)
    assert len(ch.platform.calls) == 3  # the three tries of the first call only


def test_an_abandoned_pending_charge_is_sent_by_the_next_request_under_its_own_id():
    uow, ch = world(platform=FakePlatform(*[PlatformUnavailable("503")] * 3))
    with pytest.raises(PlatformAway):
        charge_period(ch, "sub_1", "req-1")
    finished = charge_period(ch, "sub_1", "req-2")
    assert (finished.new, finished.charge.request_id, finished.charge.status) == \
        (False, "req-1", ChargeStatus.APPROVED)
    assert {call[0] for call in ch.platform.calls} == {"req-1"}


def test_a_proration_charges_the_amount_for_the_current_period_once():
    uow, ch = world(subscription(plan=PREMIUM, paid=2))
    assert charge_proration(ch, "sub_1", Decimal("0")) is None
    answer = charge_proration(ch, "sub_1", Decimal("12.34"))
    charge = answer.charge
    assert (charge.request_id, charge.kind, charge.period, charge.amount, charge.plan_id) == \
        ("sub_1-p2-proration", ChargeKind.PRORATION, 2, Decimal("12.34"), "plan_54321")
    assert ch.platform.calls[-1][-1] == Decimal("12.34")
    assert charge_proration(ch, "sub_1", Decimal("12.34")).charge == charge
    renewal_answer = charge_period(ch, "sub_1", "req-renewal")  # another kind: its own charge
    assert renewal_answer.new and renewal_answer.charge.period == 3
    assert len(ch.platform.calls) == 2


def test_a_charge_changes_nothing_of_the_subscription_and_publishes_nothing():
    uow, ch = world(subscription(Status.PENDING, paid=0))
    charge_period(ch, "sub_1", "req-1")
    with uow:
        unchanged = uow.subscriptions.get("sub_1")
    assert (unchanged.status, unchanged.periods_paid) == (Status.PENDING, 0)
    assert uow.published == []


def test_the_idempotency_middleware_leaves_the_charge_to_its_request_id():
    from apps.sales_api.app import create_app
    from tests.unit.http_app import unreachable_database_url

    app = create_app(unreachable_database_url())  # no request is made: nothing connects
    spec = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    paths = spec["paths"]
    charge = paths["/api/subscriptions/{subscription_id}/charges/{request_id}"]["post"]
    subscribe = paths["/api/subscriptions"]["post"]
    key = {"$ref": "#/components/parameters/IDEMPOTENCY_KEY"}
    assert key in subscribe["parameters"] and key not in charge["parameters"]
    assert {"200", "201", "404", "409", "502", "503"} <= set(charge["responses"])
