"""The subscription lifecycle, billing dates, proration and monthly revenue, in memory."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from apps.billing.domain.cycles import BillingCycle, add_months, monthly_amount, period_end
from apps.billing.domain.model import (GRACE_DAYS, MAX_FAILURES, CycleMismatch, InvalidTransition,
                                       Plan, PlanNotOpen, PlanStatus, Status, Subscription,
                                       prorated)

NOW = datetime(2026, 1, 31, 10, 0, tzinfo=timezone.utc)
BASIC = Plan("plan_12345", "Basic Plan", Decimal("29.99"), "BRL", BillingCycle.MONTHLY,
             ("PREMIUM_USER",))
PREMIUM = Plan("plan_54321", "Premium Plan", Decimal("59.90"), "BRL", BillingCycle.MONTHLY,
               ("COURSE_XYZ", "PREMIUM_USER"))


def subscription(status: Status = Status.PENDING, plan: Plan = BASIC, paid: int = 0) -> Subscription:
    created = Subscription.create(plan, "ana@example.com", NOW)
    created.status, created.periods_paid = status, paid
    created.events.clear()
    return created


def kinds(subscription: Subscription) -> list[str]:
    return [type(e).__name__ for e in subscription.events]


# Billing dates ------------------------------------------------------------------------------
@pytest.mark.parametrize("anchor, periods, expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2026, 1, 31), 2, date(2026, 3, 31)),  # counted from the anchor: no drift to the 28th
    (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
])
def test_monthly_periods_keep_the_anchor_day_where_the_month_has_it(anchor, periods, expected):
    assert period_end(anchor, BillingCycle.MONTHLY, periods) == expected


def test_an_annual_period_from_feb_29_ends_on_feb_28_then_goes_back_to_the_29th():
    anchor = date(2028, 2, 29)
    assert period_end(anchor, BillingCycle.ANNUAL, 1) == date(2029, 2, 28)
    assert period_end(anchor, BillingCycle.ANNUAL, 4) == date(2032, 2, 29)
    assert add_months(anchor, 12) == date(2029, 2, 28)


def test_a_payment_moves_the_next_billing_date_one_cycle_on_from_the_period_it_pays():
    sub = subscription()
    assert sub.next_billing_date == NOW.date() and sub.paid_until is None
    sub.payment_succeeded(NOW)
    assert (sub.status, sub.next_billing_date, sub.paid_until) == \
        (Status.ACTIVE, date(2026, 2, 28), date(2026, 2, 28))
    sub.payment_succeeded(NOW)
    assert sub.next_billing_date == date(2026, 3, 31)
    assert kinds(sub) == ["SubscriptionActivated", "SubscriptionRenewed"]


# The lifecycle ------------------------------------------------------------------------------
ALL = list(Status)
VALID_REQUESTS = {("paused", Status.ACTIVE): Status.PAUSED,
                  ("active", Status.PAUSED): Status.ACTIVE,
                  **{("cancelled", s): Status.CANCELLED for s in ALL if s is not Status.CANCELLED}}


@pytest.mark.parametrize("wanted", ["paused", "active", "cancelled"])
@pytest.mark.parametrize("current", ALL, ids=lambda s: s.value)
def test_every_requested_transition_is_allowed_or_refused_naming_the_status(wanted, current):
    sub = subscription(current)
    if (wanted, current) in VALID_REQUESTS:
        sub.request(wanted, NOW)
        assert sub.status is VALID_REQUESTS[(wanted, current)] and len(sub.events) == 1
    else:
        with pytest.raises(InvalidTransition, match=f"a {current.value} subscription") as refused:
            sub.request(wanted, NOW)
        assert refused.value.current is current and sub.status is current and not sub.events


@pytest.mark.parametrize("current", [Status.PENDING, Status.PAST_DUE, Status.SUSPENDED],
                         ids=lambda s: s.value)
def test_a_payment_activates_a_pending_past_due_or_suspended_subscription(current):
    sub = subscription(current)
    sub.failures = 2
    sub.payment_succeeded(NOW)
    assert (sub.status, sub.failures, kinds(sub)) == (Status.ACTIVE, 0, ["SubscriptionActivated"])


@pytest.mark.parametrize("current", [Status.PAUSED, Status.CANCELLED], ids=lambda s: s.value)
def test_a_payment_for_a_paused_or_cancelled_subscription_changes_nothing(current):
    sub = subscription(current, paid=1)
    sub.payment_succeeded(NOW)
    assert (sub.status, sub.periods_paid, sub.events) == (current, 1, [])


def test_failures_make_it_past_due_then_suspended_after_the_configured_number():
    sub = subscription(Status.ACTIVE, paid=1)
    for _ in range(MAX_FAILURES):
        sub.payment_failed(NOW)
    assert sub.status is Status.SUSPENDED
    assert kinds(sub) == ["SubscriptionPastDue", "SubscriptionSuspended"]


def test_a_billing_date_passed_unpaid_makes_it_past_due_then_the_grace_period_suspends_it():
    sub = subscription(Status.ACTIVE, paid=1)
    due = sub.next_billing_date
    sub.overdue(due, NOW)  # due today: not yet late
    assert sub.status is Status.ACTIVE
    sub.overdue(due + timedelta(days=1), NOW)
    assert (sub.status, sub.past_due_since) == (Status.PAST_DUE, due)
    sub.overdue(due + timedelta(days=GRACE_DAYS), NOW)
    assert sub.status is Status.PAST_DUE
    sub.overdue(due + timedelta(days=GRACE_DAYS + 1), NOW)
    assert sub.status is Status.SUSPENDED


def test_each_event_states_the_subscription_as_that_change_left_it():
    sub = subscription(Status.ACTIVE, paid=1)
    for _ in range(MAX_FAILURES):
        sub.payment_failed(NOW)
    assert [e.state.status for e in sub.events] == [Status.PAST_DUE, Status.SUSPENDED]


def test_a_plan_that_is_not_active_takes_no_new_subscription():
    for status in (PlanStatus.CLOSED, PlanStatus.INACTIVE):
        with pytest.raises(PlanNotOpen):
            Subscription.create(Plan("p", "p", Decimal(1), "BRL", BillingCycle.MONTHLY, ("R",),
                                     status), "a@example.com", NOW)


# Plan changes and proration ---------------------------------------------------------------
def test_an_upgrade_takes_effect_at_once_with_the_rest_of_the_period_prorated():
    sub = subscription(Status.ACTIVE, paid=1)  # paid Jan 31 - Feb 28: 28 days
    today = date(2026, 2, 14)  # 14 days left
    amount = sub.change_plan(PREMIUM, today, NOW)
    assert amount == Decimal("14.96")  # (59.90 - 29.99) * 14 / 28 = 14.955
    assert sub.plan is PREMIUM and sub.next_plan is None


def test_a_downgrade_waits_for_the_end_of_the_paid_period():
    sub = subscription(Status.ACTIVE, PREMIUM, paid=1)
    assert sub.change_plan(BASIC, date(2026, 2, 14), NOW) == Decimal("0")
    assert (sub.plan, sub.next_plan) == (PREMIUM, BASIC)
    sub.payment_succeeded(NOW)  # the next period is the first on the new plan
    assert (sub.plan, sub.next_plan) == (BASIC, None)


def test_an_upgrade_before_the_first_payment_costs_nothing_now():
    assert subscription().change_plan(PREMIUM, NOW.date(), NOW) == Decimal("0")


def test_a_plan_change_keeps_the_billing_cycle():
    with pytest.raises(CycleMismatch):
        subscription(Status.ACTIVE, paid=1).change_plan(
            Plan("plan_annual", "Annual", Decimal("299"), "BRL", BillingCycle.ANNUAL, ("R",)),
            NOW.date(), NOW)


@pytest.mark.parametrize("today, left", [(date(2026, 1, 31), 28), (date(2026, 2, 27), 1),
                                         (date(2026, 2, 28), 0), (date(2026, 3, 5), 0)])
def test_proration_counts_whole_days_left_of_the_period(today, left):
    expected = (Decimal("28") * left / 28).quantize(Decimal("0.01"))
    old = Plan("a", "a", Decimal("10"), "BRL", BillingCycle.MONTHLY, ("R",))
    new = Plan("b", "b", Decimal("38"), "BRL", BillingCycle.MONTHLY, ("R",))
    assert prorated(old, new, date(2026, 1, 31), date(2026, 2, 28), today) == expected


# Monthly recurring revenue ----------------------------------------------------------------
def test_an_annual_price_counts_one_twelfth_of_the_monthly_revenue():
    assert monthly_amount(Decimal("299.00"), BillingCycle.ANNUAL) * 12 == Decimal("299.00")
    assert monthly_amount(Decimal("29.99"), BillingCycle.MONTHLY) == Decimal("29.99")


@pytest.mark.parametrize("status", [Status.PAUSED, Status.PAST_DUE, Status.SUSPENDED],
                         ids=lambda s: s.value)
def test_an_upgrade_of_a_subscription_that_is_not_active_is_not_prorated(status):
    sub = subscription(status, paid=1)
    assert sub.change_plan(PREMIUM, date(2026, 2, 14), NOW) == Decimal("0")
    assert sub.plan is PREMIUM
