"""Avro single-object encoding of events, with every published schema version kept in the repo.

Wire format (Avro spec, "Single-object encoding"): the two bytes C3 01, the 8-byte little-endian
CRC-64-AVRO fingerprint of the writer schema's parsing canonical form, then the Avro binary body.

Schemas live as `schemas/avro/<EventType>/v<N>.avsc`; the highest N is the current version.
Producers write with the current version. Readers look the writer schema up by fingerprint among
ALL versions and resolve it to their own current version (Avro schema resolution), so a producer
and a consumer may deploy a compatible schema change in either order without dead-lettering.
"""
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import fastavro
from fastavro.read import SchemaResolutionError
from fastavro.schema import fingerprint, to_parsing_canonical_form

MARKER = b"\xc3\x01"
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas" / "avro"
VERSION_FILE = re.compile(r"v([1-9][0-9]*)\.avsc")


class EncodingError(ValueError):
    """An event does not match its Avro schema (raised before anything is committed)."""


class DecodingError(ValueError):
    """Bytes are not a single-object-encoded event this codebase can read."""


@dataclass(frozen=True)
class Schema:
    name: str  # the record's short name, which is also the event type
    parsed: dict
    fingerprint: bytes  # 8 bytes, little-endian, as written on the wire
    version: int = 1


def schema_fingerprint(raw_schema) -> bytes:
    """CRC-64-AVRO of the parsing canonical form; fastavro's hex is already little-endian."""
    return bytes.fromhex(fingerprint(to_parsing_canonical_form(raw_schema), "CRC-64-AVRO"))


def load_schema_file(path: Path, version: int = 1) -> Schema:
    raw = json.loads(path.read_text())
    return Schema(name=raw["name"], parsed=fastavro.parse_schema(raw),
                  fingerprint=schema_fingerprint(raw), version=version)


@dataclass(frozen=True)
class Catalogue:
    versions: dict[str, tuple[Schema, ...]]  # every version of every event type, oldest first
    current: dict[str, Schema]  # the highest version of each event type
    by_fingerprint: dict[bytes, Schema]  # every version, by the fingerprint it writes


@lru_cache(maxsize=None)
def catalogue(schema_dir: Path = SCHEMA_DIR) -> Catalogue:
    """Loads `schema_dir` once; the Schema objects are shared, so `reader is writer` holds."""
    found: dict[str, list[Schema]] = {}
    for path in schema_dir.glob("*/v*.avsc"):
        match = VERSION_FILE.fullmatch(path.name)
        if match is None:
            continue  # tests/contract fails on any schema file not named v<N>.avsc
        schema = load_schema_file(path, int(match[1]))
        if schema.name != path.parent.name:
            raise ValueError(f"{path}: record {schema.name!r} is not in its own folder")
        found.setdefault(schema.name, []).append(schema)
    history = {name: tuple(sorted(found[name], key=lambda s: s.version)) for name in sorted(found)}
    return Catalogue(versions=history,
                     current={name: schemas[-1] for name, schemas in history.items()},
                     by_fingerprint={s.fingerprint: s for schemas in history.values() for s in schemas})


def catalogue_at(schema_dir: Path | str) -> Catalogue:
    # A Path made anew computes its hash, the cache key, anew: that cost more than writing
    # the record itself, on every encode. The default Path object keeps its hash.
    return catalogue(schema_dir if isinstance(schema_dir, Path) else Path(schema_dir))


def versions(schema_dir: Path = SCHEMA_DIR) -> dict[str, tuple[Schema, ...]]:
    """Every published version of every event type, oldest first."""
    return catalogue_at(schema_dir).versions


def registry(schema_dir: Path = SCHEMA_DIR) -> dict[str, Schema]:
    """The current (highest) version of every event type: what encode writes, decode reads into."""
    return catalogue_at(schema_dir).current


def encode(event_type: str, record: dict, schema_dir: Path = SCHEMA_DIR) -> bytes:
    """Writes `record` with the current version of `event_type`'s schema.

    Unknown and missing fields fail, except a missing field that has a default (one added since
    the caller was written): it is written as its default, as a reader of that version would.
    """
    schema = registry(schema_dir).get(event_type)
    if schema is None:
        raise EncodingError(f"no Avro schema for event type {event_type!r} in {schema_dir}")
    body = io.BytesIO()
    try:
        fastavro.schemaless_writer(body, schema.parsed, record, strict_allow_default=True)
    except (ValueError, TypeError, KeyError) as error:
        raise EncodingError(f"{event_type} does not match its schema: {error}") from error
    return MARKER + schema.fingerprint + body.getvalue()


def decode(data: bytes, schema_dir: Path = SCHEMA_DIR,
           readers: Mapping[str, Schema] | None = None) -> tuple[str, dict]:
    """Returns (event type, record) shaped like the reader schema of that event type.

    The writer schema is the version whose fingerprint is in the header; the reader schema is
    `readers[event type]`, by default the current version in `schema_dir`.
    """
    if data is None or len(data) < 10 or data[:2] != MARKER:
        raise DecodingError("not Avro single-object encoded (missing C3 01 marker)")
    schemas = catalogue(schema_dir)
    writer = schemas.by_fingerprint.get(data[2:10])
    if writer is None:
        raise DecodingError(
            f"unknown schema fingerprint {data[2:10].hex()}: no schema version in {schema_dir} "
            "has it; deploy the schema version that wrote it to this reader")
    reader = (schemas.current if readers is None else readers).get(writer.name)
    if reader is None:
        raise DecodingError(f"no reader schema for {writer.name} (v{writer.version} wrote it)")
    # The common case, writer == reader, skips resolution: fastavro reads with the writer only.
    reader_parsed = None if reader is writer else reader.parsed
    try:
        record = fastavro.schemaless_reader(io.BytesIO(data[10:]), writer.parsed, reader_parsed)
    except SchemaResolutionError as error:
        raise DecodingError(f"{writer.name} v{writer.version} cannot be read as "
                            f"v{reader.version}: {error}") from error
    except (EOFError, ValueError, IndexError, UnicodeDecodeError) as error:
        raise DecodingError(f"corrupt {writer.name} body: {error}") from error
    return writer.name, record
