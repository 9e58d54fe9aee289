"""The Avro contract other systems rely on: every event the code emits fits the current schema
of its type, and every event type with a schema has a code path that emits it."""
import uuid
from datetime import datetime, timezone

import pytest

from outbox.codec import decode, encode, registry

from apps.sales_api.adapters.events import PURCHASE_TOPIC, to_outbox
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
def test_every_emitted_event_round_trips_through_its_current_schema(event):
    # Equality also proves the payload sets every field: a field left to its default would
    # come back as an extra key.
    assert decode(encode(event.type, event.payload)) == (event.type, event.payload)


@pytest.mark.parametrize("event", emitted_samples(), ids=lambda e: e.type)
def test_every_emitted_event_goes_to_the_buyers_partition_with_its_event_id(event):
    assert (event.aggregate_type, event.aggregate_id) == (PURCHASE_TOPIC, "buyer@example.com")
    assert event.payload["event_id"] == str(event.id)


def test_every_schema_belongs_to_an_emitted_event():
    assert {e.type for e in emitted_samples()} == set(registry())


def test_a_completed_purchase_names_the_product_sold():
    completed, _ = emitted_samples()
    assert completed.payload["product_name"] == "Course XYZ"
