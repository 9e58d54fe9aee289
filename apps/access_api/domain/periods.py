"""The manual grant's `period` (a unit and a count) as an end time; durations do the calendar."""
from datetime import datetime

from apps.durations import Duration, add_months

__all__ = ["UNITS", "add_months", "add_period"]

UNITS = ("SECOND", "MINUTE", "HOUR", "DAY", "MONTH", "YEAR")


def add_period(start: datetime, unit: str, count: int) -> datetime:
    return Duration.of(unit, count).after(start)
