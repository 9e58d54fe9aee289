"""The Avro contract other systems rely on: every emitted event fits its schema, and schema
changes stay readable by consumers that still hold the previous version."""
import json
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from outbox.codec import SCHEMA_DIR, decode, encode, registry
from tests.contract.compat import incompatibilities, previous_committed_version

from apps.sales_api.adapters.events import to_outbox
from apps.sales_api.domain.model import (AccessPeriod, PeriodUnit, Product, PurchaseCancelled,
                                         PurchaseCompleted)

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
PRODUCT = Product("123456", "Course XYZ", ("COURSE_XYZ", "PREMIUM_USER"),
                  AccessPeriod(PeriodUnit.MONTH, 1))


def emitted_samples():
    """One of every event the code emits, built the way the services build them."""
    purchase_id = uuid.uuid4()
    return [
        to_outbox(PurchaseCompleted(purchase_id, "buyer@example.com", PRODUCT, NOW)),
        to_outbox(PurchaseCancelled(purchase_id, "buyer@example.com", PRODUCT.id, NOW)),
    ]


@pytest.mark.parametrize("event", emitted_samples(), ids=lambda e: e.type)
def test_every_emitted_event_round_trips_through_its_schema(event):
    assert decode(encode(event.type, event.payload)) == (event.type, event.payload)


def test_every_schema_file_belongs_to_an_emitted_event():
    assert {e.type for e in emitted_samples()} == set(registry())


SCHEMA_FILES = sorted(SCHEMA_DIR.glob("*.avsc"))


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_change_is_readable_by_readers_of_the_previous_version(path: Path):
    previous = previous_committed_version(path)
    if previous is None:
        return  # a schema never changed since it was first committed has nobody to break
    problems = incompatibilities(json.loads(previous), json.loads(path.read_text()))
    assert problems == [], f"{path.name}: old readers cannot read new data: {problems}"


def test_the_checker_catches_breaking_changes():
    old = json.loads((SCHEMA_DIR / "PurchaseCompleted.avsc").read_text())
    removed_field = {**old, "fields": [f for f in old["fields"] if f["name"] != "product_id"]}
    retyped = {**old, "fields": [{**f, "type": "int"} if f["name"] == "product_id" else f
                                 for f in old["fields"]]}
    added_optional = {**old, "fields": old["fields"] + [
        {"name": "coupon", "type": ["null", "string"], "default": None}]}
    assert incompatibilities(old, removed_field)
    assert incompatibilities(old, retyped)
    assert incompatibilities(old, added_optional) == []
