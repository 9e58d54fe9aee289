"""The shared date-time field: offsets required, over-long strings refused before parsing."""
import marshmallow as ma
import pytest

from apps.web.fields import AwareDateTime


class When(ma.Schema):
    at = AwareDateTime(required=True)


def test_a_time_with_its_offset_loads():
    assert When().load({"at": "2026-11-22T23:59:59.123456+01:00"})["at"].utcoffset() is not None


@pytest.mark.parametrize("value, message", [
    ("2026-11-22T23:59:59" + "0" * 60, "longer than 64 characters"),
    ("2026-11-22T23:59:59", "Not a valid aware datetime."),
])
def test_over_long_or_naive_times_are_refused(value, message):
    with pytest.raises(ma.ValidationError) as refused:
        When().load({"at": value})
    assert refused.value.messages == {"at": [message]}
