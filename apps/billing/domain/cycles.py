"""Billing dates: a monthly subscription bills on the same day each month, an annual one on the
same day each year; a day the month does not have becomes its last day, and the next period
goes back to the original day (Jan 31 → Feb 28 → Mar 31), so dates never drift.
"""
import calendar
import enum
from datetime import date
from decimal import ROUND_HALF_UP, Decimal


class BillingCycle(str, enum.Enum):
    MONTHLY = "monthly"
    ANNUAL = "annual"

    @property
    def months(self) -> int:
        return 1 if self is BillingCycle.MONTHLY else 12


def add_months(anchor: date, months: int) -> date:
    """`anchor` plus whole months, the day kept where the month has it, else the month's last."""
    index = anchor.month - 1 + months
    year, month = anchor.year + index // 12, index % 12 + 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def period_end(anchor: date, cycle: BillingCycle, periods: int) -> date:
    """The end of the `periods`-th period counted from `anchor`, the subscription's first day.
    Counting from the anchor, never from the previous end, is what keeps Jan 31 → Feb 28 →
    Mar 31 instead of drifting to the 28th."""
    return add_months(anchor, cycle.months * periods)


def monthly_amount(price: Decimal, cycle: BillingCycle) -> Decimal:
    """Monthly recurring revenue of one subscription: an annual price counts one twelfth."""
    return price / cycle.months


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
