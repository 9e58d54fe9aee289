"""Calendar arithmetic for access periods: one month from Jan 31 ends on Feb 28 (or 29)."""
import calendar
from datetime import datetime, timedelta


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def add_period(start: datetime, unit: str, count: int) -> datetime:
    if unit == "DAY":
        return start + timedelta(days=count)
    if unit == "MONTH":
        return add_months(start, count)
    if unit == "YEAR":
        return add_months(start, 12 * count)
    raise ValueError(f"unknown period unit {unit!r}")
