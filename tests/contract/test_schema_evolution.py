"""Schemas evolve without breaking anyone: the current version of each event type is compatible
both ways with every earlier one, the checker is shown to catch breaking changes, and a message
written with any published version decodes into the current version's shape."""
import io
import json

import avro.io
import avro.schema
import fastavro
import pytest

from outbox.codec import MARKER, decode, schema_fingerprint
from tests.contract.compat import evolution_problems
from tests.contract.published import history, manifest
from tests.contract.samples import samples

EVENT_TYPES = sorted(manifest())


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_current_schema_is_compatible_both_ways_with_every_earlier_version(event_type):
    versions = history(event_type)
    if len(versions) < 2:
        pytest.skip(f"{event_type} has only v1: no earlier version to be compatible with")
    assert evolution_problems(versions) == []


def written_with(raw_schema: dict, record) -> bytes:
    body = io.BytesIO()
    fastavro.schemaless_writer(body, fastavro.parse_schema(raw_schema), record, strict=True)
    return MARKER + schema_fingerprint(raw_schema) + body.getvalue()


def resolved_by_reference_implementation(message: bytes, writer: dict, reader: dict):
    """What the Apache `avro` library reads: an oracle independent of fastavro."""
    datum_reader = avro.io.DatumReader(avro.schema.parse(json.dumps(writer)),
                                       avro.schema.parse(json.dumps(reader)))
    return datum_reader.read(avro.io.BinaryDecoder(io.BytesIO(message[10:])))


VERSIONS = [(event_type, number) for event_type in EVENT_TYPES
            for number in range(1, len(manifest()[event_type]) + 1)]


@pytest.mark.parametrize("event_type, number", VERSIONS, ids=lambda v: str(v))
def test_a_message_of_any_version_decodes_into_the_current_version(event_type, number):
    *_, current = versions = history(event_type)
    writer = versions[number - 1]
    added = [f for f in current["fields"] if f["name"] not in {w["name"] for w in writer["fields"]}]
    for record in samples(writer):
        message = written_with(writer, record)
        decoded_type, decoded = decode(message)
        assert decoded_type == event_type
        assert set(decoded) == {f["name"] for f in current["fields"]}
        assert {f["name"]: decoded[f["name"]] for f in added} == \
            {f["name"]: f["default"] for f in added}
        assert decoded == resolved_by_reference_implementation(message, writer, current)
