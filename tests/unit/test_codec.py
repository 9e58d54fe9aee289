"""Avro single-object encoding: marker, fingerprint, round trip, errors, and reading messages
written with an earlier (or later) schema version."""
import io
import json
from datetime import datetime, timezone

import fastavro
import pytest
from fastavro.schema import fingerprint, to_parsing_canonical_form

from outbox.codec import (MARKER, DecodingError, EncodingError, decode, encode, registry,
                          schema_fingerprint, versions)

CANCELLED = {"event_id": "e1", "purchase_id": "p1", "buyer_email": "a@example.com",
             "product_id": "123456", "occurred_at": datetime(2026, 1, 1, tzinfo=timezone.utc)}
COMPLETED_V1 = {**CANCELLED, "roles": ["COURSE_XYZ"], "access_period": {"unit": "MONTH", "count": 1}}


def written_with(schema, record) -> bytes:
    body = io.BytesIO()
    fastavro.schemaless_writer(body, schema.parsed, record)
    return MARKER + schema.fingerprint + body.getvalue()


def test_fingerprint_is_the_spec_crc64_little_endian():
    # Avro spec test vector: the CRC-64-AVRO fingerprint of "null" is 7195948357588979594.
    assert int.from_bytes(schema_fingerprint("null"), "little") == 7195948357588979594
    assert schema_fingerprint("null").hex() == fingerprint(to_parsing_canonical_form("null"), "CRC-64-AVRO")


def test_encoded_events_start_with_marker_and_fingerprint_and_decode_back():
    data = encode("PurchaseCancelled", CANCELLED)
    assert data[:2] == b"\xc3\x01"
    assert data[2:10] == registry()["PurchaseCancelled"].fingerprint
    assert decode(data) == ("PurchaseCancelled", CANCELLED)


def test_encode_writes_the_newest_version():
    newest = versions()["PurchaseCompleted"][-1]
    assert registry()["PurchaseCompleted"] is newest and newest.version >= 2
    data = encode("PurchaseCompleted", {**COMPLETED_V1, "product_name": "Course XYZ"})
    assert data[2:10] == newest.fingerprint


def test_a_v1_purchase_completed_decodes_with_the_later_fields_empty():
    v1 = versions()["PurchaseCompleted"][0]
    assert v1.version == 1
    assert decode(written_with(v1, COMPLETED_V1)) == \
        ("PurchaseCompleted", {**COMPLETED_V1, "product_name": None, "access_duration": None})


def test_a_reader_still_on_v1_reads_a_v2_message_without_the_new_field():
    v1 = versions()["PurchaseCompleted"][0]
    data = encode("PurchaseCompleted", {**COMPLETED_V1, "product_name": "Course XYZ"})
    assert decode(data, readers={"PurchaseCompleted": v1}) == ("PurchaseCompleted", COMPLETED_V1)


def test_an_event_that_does_not_fit_its_schema_fails_to_encode():
    with pytest.raises(EncodingError, match="purchase_id"):
        encode("PurchaseCancelled", {**CANCELLED, "purchase_id": None})
    with pytest.raises(EncodingError, match="no Avro schema"):
        encode("NoSuchEvent", CANCELLED)


def test_an_unknown_fingerprint_is_named_with_what_to_do():
    with pytest.raises(DecodingError, match="unknown schema fingerprint 0102030405060708.*deploy"):
        decode(MARKER + bytes(range(1, 9)) + b"\x02")


@pytest.mark.parametrize("data", [b"", b"not avro at all", b"\xc3\x01" + b"\x00" * 8 + b"x"])
def test_foreign_or_unknown_bytes_fail_to_decode(data):
    with pytest.raises(DecodingError):
        decode(data)


def test_a_truncated_body_fails_to_decode():
    data = encode("PurchaseCancelled", CANCELLED)
    with pytest.raises(DecodingError):
        decode(data[:14])


def write_schema(schema_dir, version: int, fields: list) -> None:
    (schema_dir / "Thing").mkdir(exist_ok=True)
    raw = {"type": "record", "name": "Thing", "namespace": "test", "fields": fields}
    (schema_dir / "Thing" / f"v{version}.avsc").write_text(json.dumps(raw))


def test_the_highest_version_in_a_folder_is_current_and_older_ones_still_decode(tmp_path):
    write_schema(tmp_path, 1, [{"name": "id", "type": "string"}])
    write_schema(tmp_path, 2, [{"name": "id", "type": "string"},
                               {"name": "size", "type": "int", "default": 1}])
    write_schema(tmp_path, 10, [{"name": "id", "type": "string"},
                                {"name": "size", "type": "long", "default": 1}])
    assert [s.version for s in versions(tmp_path)["Thing"]] == [1, 2, 10]
    v1 = versions(tmp_path)["Thing"][0]
    assert decode(written_with(v1, {"id": "a"}), tmp_path) == ("Thing", {"id": "a", "size": 1})


def test_a_message_the_reader_cannot_resolve_fails_to_decode(tmp_path):
    write_schema(tmp_path, 1, [{"name": "id", "type": "string"}])
    write_schema(tmp_path, 2, [{"name": "id", "type": "int"}])
    v1 = versions(tmp_path)["Thing"][0]
    with pytest.raises(DecodingError, match="Thing v1 cannot be read as v2"):
        decode(written_with(v1, {"id": "a"}), tmp_path)
