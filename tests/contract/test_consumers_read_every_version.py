"""Today's consumers handle an event written with any published schema version, and their
typed events declare exactly the fields of the current schemas."""
import dataclasses
import io
import typing
import uuid

import fastavro
import pytest

from apps.consumers import access_roles
from apps.consumers.sales_events import EVENT_TYPES
from outbox.batch import Handlers
from outbox.codec import MARKER, registry, versions
from outbox.envelope import open_envelope
from tests.contract.samples import samples
from tests.unit.access_fakes import FakeAccessUnitOfWork, FakeMessage

EVERY_VERSION = [(name, schema) for name, all_versions in sorted(versions().items())
                 for schema in all_versions]


def written_with(schema, record) -> bytes:
    body = io.BytesIO()
    fastavro.schemaless_writer(body, schema.parsed, record)
    return MARKER + schema.fingerprint + body.getvalue()


@pytest.mark.parametrize("event_type, schema", EVERY_VERSION,
                         ids=[f"{n}-v{s.version}" for n, s in EVERY_VERSION])
def test_the_access_consumer_applies_an_event_written_with_every_version(event_type, schema):
    handlers = Handlers(access_roles.HANDLERS, access_roles.BATCH_HANDLERS)
    for record in samples(schema.parsed):
        event_id = str(uuid.uuid4())
        message = FakeMessage("sales.purchase", 0, 0, b"k", written_with(schema, record),
                              [("id", event_id.encode())])
        envelope = open_envelope(message, EVENT_TYPES)
        assert isinstance(envelope.event, EVENT_TYPES[event_type])
        assert envelope.event_id == event_id
        uow = FakeAccessUnitOfWork()
        with uow:
            handlers.apply(event_type, [envelope.event], uow)
            uow.commit()
        if event_type == "PurchaseCompleted":
            granted = {g.role for _, g in uow.committed.grants}
            assert granted == set(record["roles"])


def field_names(cls) -> dict:
    hints = typing.get_type_hints(cls)
    names = {}
    for f in dataclasses.fields(cls):
        inner = [a for a in typing.get_args(hints[f.name]) if dataclasses.is_dataclass(a)]
        nested = hints[f.name] if dataclasses.is_dataclass(hints[f.name]) else (inner or [None])[0]
        names[f.name] = field_names(nested) if nested else None
    return names


def schema_names(record: dict, named: dict) -> dict:
    names = {}
    for f in record["fields"]:
        kind = f["type"]
        kind = named.get(kind, kind) if isinstance(kind, str) else kind
        names[f["name"]] = (schema_names(kind, named)
                            if isinstance(kind, dict) and kind.get("type") == "record" else None)
    return names


@pytest.mark.parametrize("event_type", sorted(registry()))
def test_typed_events_declare_the_fields_of_the_current_schema(event_type):
    current = registry()[event_type].parsed
    assert field_names(EVENT_TYPES[event_type]) == schema_names(current, current.get("__named_schemas", {}))
