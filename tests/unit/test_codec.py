"""Avro single-object encoding: marker, fingerprint, round trip, errors."""
from datetime import datetime, timezone

import pytest
from fastavro.schema import fingerprint, to_parsing_canonical_form

from outbox.codec import DecodingError, EncodingError, decode, encode, schema_fingerprint

CANCELLED = {"event_id": "e1", "purchase_id": "p1", "buyer_email": "a@example.com",
             "product_id": "123456", "occurred_at": datetime(2026, 1, 1, tzinfo=timezone.utc)}


def test_fingerprint_is_the_spec_crc64_little_endian():
    # Avro spec test vector: the CRC-64-AVRO fingerprint of "null" is 7195948357588979594.
    assert int.from_bytes(schema_fingerprint("null"), "little") == 7195948357588979594
    assert schema_fingerprint("null").hex() == fingerprint(to_parsing_canonical_form("null"), "CRC-64-AVRO")


def test_encoded_events_start_with_marker_and_fingerprint_and_decode_back():
    data = encode("PurchaseCancelled", CANCELLED)
    assert data[:2] == b"\xc3\x01"
    assert decode(data) == ("PurchaseCancelled", CANCELLED)


def test_an_event_that_does_not_fit_its_schema_fails_to_encode():
    with pytest.raises(EncodingError, match="purchase_id"):
        encode("PurchaseCancelled", {**CANCELLED, "purchase_id": None})
    with pytest.raises(EncodingError, match="no Avro schema"):
        encode("NoSuchEvent", CANCELLED)


@pytest.mark.parametrize("data", [b"", b"not avro at all", b"\xc3\x01" + b"\x00" * 8 + b"x"])
def test_foreign_or_unknown_bytes_fail_to_decode(data):
    with pytest.raises(DecodingError):
        decode(data)


def test_a_truncated_body_fails_to_decode():
    data = encode("PurchaseCancelled", CANCELLED)
    with pytest.raises(DecodingError):
        decode(data[:14])
