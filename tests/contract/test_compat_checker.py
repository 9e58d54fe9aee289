"""The compatibility check can fail: known breaking changes are reported, a safe one is not.

The probe schema has an enum of 10 symbols and a union of 11 branches, past the 8 variants the
old sample-based check tried, so a break in the 9th or later one must be found too.
"""
import pytest

from tests.contract.compat import evolution_problems

UNION = ["null", "boolean", "int", "long", "float", "double", "bytes", "string",
         {"type": "array", "items": "string"}, {"type": "map", "values": "long"},
         {"type": "record", "name": "Tag", "fields": [{"name": "label", "type": "string"}]}]
SYMBOLS = [f"S{n}" for n in range(1, 11)]
PROBE = {"type": "record", "name": "Probe", "namespace": "contract.test", "fields": [
    {"name": "id", "type": "string"},
    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": SYMBOLS}},
    {"name": "value", "type": UNION},
]}


def with_field(name: str, field_type) -> dict:
    fields = [{**f, "type": field_type} if f["name"] == name else f for f in PROBE["fields"]]
    return {**PROBE, "fields": fields}


def without_field(name: str) -> dict:
    return {**PROBE, "fields": [f for f in PROBE["fields"] if f["name"] != name]}


def enum_without(symbol: str) -> dict:
    return {"type": "enum", "name": "Status", "symbols": [s for s in SYMBOLS if s != symbol]}


BREAKING = {
    "new field without default": (
        {**PROBE, "fields": PROBE["fields"] + [{"name": "coupon", "type": "string"}]},
        "reader_field_missing_default_value"),
    "removed field without default": (without_field("id"), "reader_field_missing_default_value"),
    "changed type": (with_field("id", "int"), "type_mismatch"),
    "removed enum symbol": (with_field("status", enum_without("S2")), "missing_enum_symbols"),
    "removed 10th of 10 enum symbols": (with_field("status", enum_without("S10")),
                                        "missing_enum_symbols"),
    "removed 9th union branch": (with_field("value", UNION[:8] + UNION[9:]), "missing_union_branch"),
    "removed 11th union branch": (with_field("value", UNION[:10]), "missing_union_branch"),
}


@pytest.mark.parametrize("name", BREAKING)
def test_a_breaking_change_is_reported(name):
    changed, kind = BREAKING[name]
    problems = evolution_problems([PROBE, changed])
    assert any(kind in problem for problem in problems), problems


def test_an_optional_field_with_a_default_is_compatible():
    added = {"name": "coupon", "type": ["null", "string"], "default": None}
    assert evolution_problems([PROBE, {**PROBE, "fields": PROBE["fields"] + [added]}]) == []


def test_every_earlier_version_is_checked_not_only_the_previous_one():
    # v1 -> v2 and v2 -> v3 are each compatible; v1 -> v3 is not (retry_count changed type).
    v1 = {**PROBE, "fields": PROBE["fields"] + [{"name": "retry_count", "type": "int", "default": 0}]}
    v3 = {**PROBE, "fields": PROBE["fields"] + [{"name": "retry_count", "type": "string", "default": ""}]}
    assert evolution_problems([v1, PROBE]) == [] and evolution_problems([PROBE, v3]) == []
    problems = evolution_problems([v1, PROBE, v3])
    assert problems and all(problem.startswith(("v1 ", "newest data, v1 ")) for problem in problems)
