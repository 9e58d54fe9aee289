"""Valid sample records for any Avro schema, so a test can write a message with every version.

`samples(schema)` returns as many records as it takes to use every enum symbol and every union
branch at least once (variant i takes symbol/branch i modulo their count), with arrays and maps
of 0, 1 and 2 items. Values of logical types are the Python types fastavro expects. It works on
fastavro's parsed form, where every named type has its full name, so namespaces need no care.
"""
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import fastavro

PRIMITIVES = {
    "null": None, "boolean": True, "int": 7, "long": 1_700_000_000_000, "float": 1.5,
    "double": 2.5, "bytes": b"\x01\x02", "string": "sample",
}
EPOCH = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
MAX_DEPTH = 10  # a recursive schema must leave a way out (a null branch, an empty array)


def samples(raw_schema) -> list:
    parsed = fastavro.parse_schema(raw_schema)
    named = parsed.get("__named_schemas", {}) if isinstance(parsed, dict) else {}
    count = max([3, *widths(parsed, named, set())])  # 3: arrays and maps of 0, 1, 2 items
    return [sample(parsed, variant, named, 0) for variant in range(count)]


def widths(schema, named: dict, seen: set) -> list[int]:
    """The symbol count of every enum and the branch count of every union in `schema`."""
    if isinstance(schema, str):
        if schema not in named or schema in seen:
            return []
        seen.add(schema)
        return widths(named[schema], named, seen)
    if isinstance(schema, list):
        return [len(schema)] + [w for branch in schema for w in widths(branch, named, seen)]
    kind = schema["type"]
    if kind == "enum":
        return [len(schema["symbols"])]
    if kind == "record":
        return [w for f in schema["fields"] for w in widths(f["type"], named, seen)]
    if kind in ("array", "map"):
        return widths(schema.get("items", schema.get("values")), named, seen)
    return widths(kind, named, seen)


def field_sample(field: dict, variant: int, named: dict, depth: int):
    """A string field named like an e-mail or a duration holds one: consumers parse them."""
    name = field["name"].lower()
    if field["type"] == "string" and "email" in name:
        return "sample@example.com"
    if "duration" in name and "string" in (field["type"] if isinstance(field["type"], list)
                                           else [field["type"]]):
        value = sample(field["type"], variant, named, depth + 1)  # keeps the null branch's turn
        return None if value is None else "P1M"
    return sample(field["type"], variant, named, depth + 1)


def sample(schema, variant: int, named: dict, depth: int):
    if depth > MAX_DEPTH:
        raise ValueError(f"schema nests deeper than {MAX_DEPTH} levels without a way out")
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return PRIMITIVES[schema]
        return sample(named[schema], variant, named, depth + 1)
    if isinstance(schema, list):
        branch = schema[variant % len(schema)]
        value = sample(branch, variant, named, depth + 1)
        # Tuple notation tells fastavro which record branch to write when several could match.
        record = named.get(branch, {}) if isinstance(branch, str) else branch
        return (record["name"], value) if record.get("type") == "record" else value
    kind, logical = schema["type"], schema.get("logicalType")
    if logical is not None:
        return logical_sample(schema, logical, variant, named)
    if kind == "record":
        return {f["name"]: field_sample(f, variant, named, depth) for f in schema["fields"]}
    if kind == "enum":
        return schema["symbols"][variant % len(schema["symbols"])]
    if kind == "array":
        return [sample(schema["items"], variant + i, named, depth + 1) for i in range(variant % 3)]
    if kind == "map":
        return {f"k{i}": sample(schema["values"], variant + i, named, depth + 1)
                for i in range(variant % 3)}
    if kind == "fixed":
        return bytes(range(schema["size"]))
    return sample(kind, variant, named, depth + 1)


def logical_sample(schema: dict, logical: str, variant: int, named: dict):
    moment = EPOCH + timedelta(days=variant, milliseconds=variant)
    if logical in ("timestamp-millis", "timestamp-micros"):
        return moment
    if logical in ("local-timestamp-millis", "local-timestamp-micros"):
        return moment.replace(tzinfo=None)
    if logical == "date":
        return moment.date()
    if logical in ("time-millis", "time-micros"):
        return moment.time()
    if logical == "uuid":
        return str(uuid.UUID(int=variant + 1))
    if logical == "decimal":
        return Decimal(variant + 1).scaleb(-schema.get("scale", 0))
    base = {k: v for k, v in schema.items() if k != "logicalType"}
    return sample(base, variant, named, 0)  # an unknown logical type is its base type
