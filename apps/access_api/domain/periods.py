"""Calendar arithmetic for access periods: one month from Jan 31 ends on Feb 28 (or 29)."""
import calendar
from datetime import datetime, timedelta

# Fixed-length units, down to seconds (a product whose roles last a few seconds shows expiry).
FIXED = {"SECOND": timedelta(seconds=1), "MINUTE": timedelta(minutes=1),
         "HOUR": timedelta(hours=1), "DAY": timedelta(days=1)}


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def add_period(start: datetime, unit: str, count: int) -> datetime:
    if unit in FIXED:
        return start + count * FIXED[unit]
    if unit == "MONTH":
        return add_months(start, count)
    if unit == "YEAR":
        return add_months(start, 12 * count)
    raise ValueError(f"unknown period unit {unit!r}")
