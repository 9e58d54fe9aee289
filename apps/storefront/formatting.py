"""How the pages word what the APIs return: money, ISO 8601 durations, roles and dates."""
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

SYMBOLS = {"BRL": "R$", "USD": "US$", "EUR": "€", "GBP": "£"}
DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                      r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
UNITS = ("year", "month", "week", "day", "hour", "minute", "second")
COURSE_PREFIX = "COURSE_"
PLATFORM_ROLE = "PREMIUM_USER"


def money(amount, currency: str) -> str:
    """`R$ 1,049.90` for ("1049.9", "BRL"); an unknown currency by its ISO code."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return f"{currency} {amount}"
    return f"{SYMBOLS.get(currency, currency)} {value:,.2f}"


def plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def duration_words(text: str) -> str:
    """`1 month` for P1M, `1 year and 6 months` for P1Y6M; the text itself when not ISO 8601."""
    match = DURATION.fullmatch(text or "")
    if not match or not any(match.groups()):
        return text
    parts = [plural(int(n), unit) for n, unit in zip(match.groups(), UNITS) if n and int(n)]
    if not parts:
        return text
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def is_course(role: str) -> bool:
    return role.startswith(COURSE_PREFIX)


def course_name(role: str) -> str:
    """`XYZ` for COURSE_XYZ, `Data Science` for COURSE_DATA_SCIENCE (acronyms kept)."""
    words = role.removeprefix(COURSE_PREFIX).split("_")
    return " ".join(w if len(w) <= 4 else w.capitalize() for w in words)


def unlocks(roles: list[str]) -> list[str]:
    """What a product's roles mean to a customer, courses first."""
    courses = [f"Course {course_name(r)}" for r in roles if is_course(r)]
    platform = ["Platform access"] if PLATFORM_ROLE in roles else []
    return courses + platform


def parsed(text: str | None) -> datetime | None:
    """An ISO 8601 moment from the APIs (a trailing Z too); None for none or nonsense."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None


def date(text: str | None) -> str:
    """`12 Mar 2031` for an ISO 8601 moment."""
    value = parsed(text)
    return value.strftime("%d %b %Y").lstrip("0") if value else (text or "")


def moment(text: str | None) -> str:
    """`12 Mar 2031, 14:05 UTC` for an ISO 8601 moment."""
    value = parsed(text)
    return f"{date(text)}, {value:%H:%M} {value.tzname() or ''}".strip() if value else (text or "")


FILTERS = {"money": money, "duration_words": duration_words, "course_name": course_name,
           "unlocks": unlocks, "date": date, "moment": moment}
