"""ISO 8601 durations (`P1M`, `P1Y`, `P7D`, `PT5S`, `P1MT12H`): how long a product's roles last.

One rule for every service: sales stores and publishes the duration a product was sold with,
access adds it to the start of a grant. Calendar parts first, then fixed ones: one month from
Jan 31 ends on Feb 28 (or 29), then days, then hours, minutes and seconds.

Only whole numbers, and no negative or zero durations: a grant that ends before it starts is
refused where the duration is parsed, not discovered later in a consumer.
"""
import calendar
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

PATTERN = re.compile(r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?"
                     r"(?:(?P<days>\d+)D)?"
                     r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?")
MAX_MONTHS = 100 * 12  # a century: beyond it a typo, not a product
MAX_TEXT = 40
RULE = ("an ISO 8601 duration in whole units, e.g. P1M, P1Y, P30D, PT12H or PT5S, "
        "longer than zero and at most 100 years")


class InvalidDuration(ValueError):
    def __init__(self, text: str):
        super().__init__(f"{text[:MAX_TEXT]!r} is not {RULE}")


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class Duration:
    months: int = 0
    days: int = 0
    seconds: int = 0

    @classmethod
    def parse(cls, text: str) -> "Duration":
        match = PATTERN.fullmatch(text) if len(text) <= MAX_TEXT else None
        if match is None or text in ("P", "PT") or text.endswith("T"):
            raise InvalidDuration(text)
        part = {name: int(value or 0) for name, value in match.groupdict().items()}
        duration = cls(part["years"] * 12 + part["months"], part["weeks"] * 7 + part["days"],
                       part["hours"] * 3600 + part["minutes"] * 60 + part["seconds"])
        if duration.months > MAX_MONTHS or duration.approximate_days() > MAX_MONTHS * 31 \
                or duration == cls():
            raise InvalidDuration(text)
        return duration

    @classmethod
    def of(cls, unit: str, count: int) -> "Duration":
        """From the calendar units of PurchaseCompleted v1/v2 and the manual grant's `period`."""
        seconds = {"SECOND": 1, "MINUTE": 60, "HOUR": 3600}
        if unit in seconds:
            return cls(seconds=count * seconds[unit])
        if unit == "DAY":
            return cls(days=count)
        if unit in ("MONTH", "YEAR"):
            return cls(months=count * (12 if unit == "YEAR" else 1))
        raise ValueError(f"unknown period unit {unit!r}")

    def after(self, start: datetime) -> datetime:
        return add_months(start, self.months) + timedelta(days=self.days, seconds=self.seconds)

    def approximate_days(self) -> int:
        """Whole days at least this long (a month counts 31): for readers of calendar units only."""
        return math.ceil(self.months * 31 + self.days + self.seconds / 86400)

    def calendar_period(self) -> tuple[str, int]:
        """The (unit, count) of PurchaseCompleted's `access_period`: exact when the duration is
        whole years, months or days; otherwise whole days, rounded up, so a reader that only
        knows `access_period` grants at least what was sold."""
        if self.months and not self.days and not self.seconds:
            return ("YEAR", self.months // 12) if self.months % 12 == 0 else ("MONTH", self.months)
        if self.days and not self.months and not self.seconds:
            return "DAY", self.days
        return "DAY", self.approximate_days()

    def __str__(self) -> str:
        years, months = divmod(self.months, 12)
        hours, rest = divmod(self.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        date = "".join(f"{n}{u}" for n, u in ((years, "Y"), (months, "M"), (self.days, "D")) if n)
        time = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
        return "P" + date + (f"T{time}" if time else "")
