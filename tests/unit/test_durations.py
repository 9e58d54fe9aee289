"""ISO 8601 durations: what a product's roles last, parsed once and added the same everywhere."""
from datetime import datetime, timedelta, timezone

import pytest

from apps.durations import Duration, InvalidDuration

T0 = datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, parsed", [
    ("P1M", Duration(months=1)), ("P1Y", Duration(months=12)), ("P2W", Duration(days=14)),
    ("P30D", Duration(days=30)), ("PT5S", Duration(seconds=5)), ("PT1H30M", Duration(seconds=5400)),
    ("P1Y2M3DT4H5M6S", Duration(14, 3, 4 * 3600 + 5 * 60 + 6)), ("PT0H5S", Duration(seconds=5)),
])
def test_it_parses_whole_units(text, parsed):
    assert Duration.parse(text) == parsed


@pytest.mark.parametrize("text", [
    "", "P", "PT", "P1DT", "1M", "p1m", "P1.5M", "P-1M", "P0D", "PT0S", "P1S", "PT1D", "P1M1Y",
    " P1M", "P1M ", "P101Y", "P1201M", "P40000D", "P" + "1" * 60 + "D",
])
def test_it_refuses_anything_else_naming_the_rule(text):
    with pytest.raises(InvalidDuration, match="ISO 8601 duration"):
        Duration.parse(text)


@pytest.mark.parametrize("text", ["P1M", "P1Y", "P1Y2M", "P7D", "PT5S", "P1DT12H", "PT1H1M1S"])
def test_it_prints_back_what_it_parsed(text):
    assert str(Duration.parse(text)) == text


def test_weeks_and_twelve_months_print_in_their_canonical_units():
    assert (str(Duration.parse("P2W")), str(Duration.parse("P12M"))) == ("P14D", "P1Y")


def test_calendar_parts_come_first_then_days_then_time():
    assert Duration.parse("P1M").after(T0) == datetime(2026, 2, 28, 12, 0, tzinfo=timezone.utc)
    assert Duration.parse("P1M1D").after(T0) == datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    assert Duration.parse("P1Y").after(datetime(2028, 2, 29, tzinfo=timezone.utc)) == \
        datetime(2029, 2, 28, tzinfo=timezone.utc)
    assert Duration.parse("PT5S").after(T0) == T0 + timedelta(seconds=5)


@pytest.mark.parametrize("text, period", [
    ("P1M", ("MONTH", 1)), ("P24M", ("YEAR", 2)), ("P10D", ("DAY", 10)), ("P2W", ("DAY", 14)),
    ("PT5S", ("DAY", 1)), ("P1M1D", ("DAY", 32)), ("PT25H", ("DAY", 2)),
])
def test_older_readers_get_calendar_units_at_least_as_long(text, period):
    assert Duration.parse(text).calendar_period() == period


@pytest.mark.parametrize("unit, count, text", [
    ("SECOND", 5, "PT5S"), ("MINUTE", 90, "PT1H30M"), ("HOUR", 2, "PT2H"), ("DAY", 3, "P3D"),
    ("MONTH", 1, "P1M"), ("YEAR", 2, "P2Y"),
])
def test_calendar_units_of_earlier_events_convert(unit, count, text):
    assert str(Duration.of(unit, count)) == text
