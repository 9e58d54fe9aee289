"""Avro single-object encoding of events, with schemas loaded from `schemas/avro/`.

Wire format (Avro spec, "Single-object encoding"): the two bytes C3 01, the 8-byte little-endian
CRC-64-AVRO fingerprint of the schema's parsing canonical form, then the Avro binary body.
A reader holding the schema files can decode any message without a schema registry.
"""
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import fastavro
from fastavro.schema import fingerprint, to_parsing_canonical_form

MARKER = b"\xc3\x01"
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas" / "avro"


class EncodingError(ValueError):
    """An event does not match its Avro schema (raised before anything is committed)."""


class DecodingError(ValueError):
    """Bytes are not a single-object-encoded event this codebase knows."""


@dataclass(frozen=True)
class Schema:
    name: str  # the record's short name, which is also the event type
    parsed: dict
    fingerprint: bytes  # 8 bytes, little-endian, as written on the wire


def schema_fingerprint(raw_schema) -> bytes:
    """CRC-64-AVRO of the parsing canonical form; fastavro's hex is already little-endian."""
    return bytes.fromhex(fingerprint(to_parsing_canonical_form(raw_schema), "CRC-64-AVRO"))


def load_schema_file(path: Path) -> Schema:
    raw = json.loads(path.read_text())
    parsed = fastavro.parse_schema(raw)
    return Schema(name=raw["name"], parsed=parsed, fingerprint=schema_fingerprint(raw))


@lru_cache(maxsize=None)
def registry(schema_dir: Path = SCHEMA_DIR) -> dict[str, Schema]:
    """Every schema in `schema_dir`, by event type."""
    schemas = [load_schema_file(p) for p in sorted(schema_dir.glob("*.avsc"))]
    return {s.name: s for s in schemas}


@lru_cache(maxsize=None)
def _by_fingerprint(schema_dir: Path = SCHEMA_DIR) -> dict[bytes, Schema]:
    return {s.fingerprint: s for s in registry(schema_dir).values()}


def encode(event_type: str, record: dict, schema_dir: Path = SCHEMA_DIR) -> bytes:
    schema = registry(schema_dir).get(event_type)
    if schema is None:
        raise EncodingError(f"no Avro schema for event type {event_type!r} in {schema_dir}")
    body = io.BytesIO()
    try:
        fastavro.schemaless_writer(body, schema.parsed, record, strict=True)
    except (ValueError, TypeError, KeyError) as error:
        raise EncodingError(f"{event_type} does not match its schema: {error}") from error
    return MARKER + schema.fingerprint + body.getvalue()


def decode(data: bytes, schema_dir: Path = SCHEMA_DIR) -> tuple[str, dict]:
    """Returns (event type, record), the schema found by the fingerprint in the header."""
    if data is None or len(data) < 10 or data[:2] != MARKER:
        raise DecodingError("not Avro single-object encoded (missing C3 01 marker)")
    schema = _by_fingerprint(schema_dir).get(data[2:10])
    if schema is None:
        raise DecodingError(f"unknown schema fingerprint {data[2:10].hex()}")
    try:
        record = fastavro.schemaless_reader(io.BytesIO(data[10:]), schema.parsed)
    except (EOFError, ValueError, IndexError, UnicodeDecodeError) as error:
        raise DecodingError(f"corrupt {schema.name} body: {error}") from error
    return schema.name, record
