"""The Kafka edge of a consumer: a raw message becomes an Envelope holding a typed event.

Handlers never see a Kafka message or a dict: the Avro record (resolved to the consumer's
reader schema by the codec) becomes the dataclass registered for its event type, and the event
id comes from the `id` header that the Outbox Event Router sets from the outbox row's id. The
header is required and must be a UUID: it is the dedupe key, so a message without one cannot
be applied exactly once and is dead-lettered instead.
"""
import dataclasses
import types
import typing
import uuid
from dataclasses import dataclass
from functools import lru_cache

from outbox.codec import DecodingError, decode


@dataclass(frozen=True)
class Envelope:
    event_id: str
    event_type: str
    event: object  # the typed event, or the record dict when no dataclass is registered
    message: object  # the Kafka message, for offsets and dead-lettering; handlers never see it


def header(message, name: str) -> str | None:
    """A header by name (Debezium adds `__debezium.context.*` headers, so never by position)."""
    for key, value in message.headers() or []:
        if key == name and value is not None:
            return value.decode("utf-8", "replace").strip('"')
    return None


def event_id_of(message) -> str:
    raw = header(message, "id")
    if raw is None:
        raise DecodingError("missing `id` header: the event id is required (it is the dedupe key)")
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise DecodingError(f"`id` header {raw[:80]!r} is not a UUID") from None


def open_envelope(message, event_types: dict[str, type]) -> Envelope:
    """Raises DecodingError for anything that is not one of our events."""
    event_id = event_id_of(message)
    event_type, record = decode(message.value())
    cls = event_types.get(event_type)
    event = from_record(cls, record) if cls else record
    return Envelope(event_id, event_type, event, message)


def from_record(cls: type, record: dict):
    """Builds dataclass `cls` from an Avro record: nested records become their dataclasses,
    arrays become tuples (events are immutable). Fields the dataclass does not declare are
    ignored, so a reader may know fewer fields than the writer (the contract test keeps the
    dataclasses in step with the current schemas)."""
    values = {}
    for name, convert in _plan(cls):
        if name in record:
            value = record[name]
            values[name] = value if convert is None or value is None else convert(value)
    return cls(**values)


@lru_cache(maxsize=None)
def _plan(cls: type) -> tuple[tuple[str, typing.Callable | None], ...]:
    """Each field's name and how to convert its value (None: as it is), worked out from the
    type hints once per class: done per message, the introspection was most of the cost."""
    hints = typing.get_type_hints(cls)
    return tuple((f.name, _converter(hints[f.name])) for f in dataclasses.fields(cls))


def _converter(hint) -> typing.Callable | None:
    if dataclasses.is_dataclass(hint):
        return lambda value: from_record(hint, value)
    origin = typing.get_origin(hint)
    if origin is tuple:
        item = _converter(typing.get_args(hint)[0])
        if item is None:
            return tuple
        return lambda values: tuple(None if v is None else item(v) for v in values)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _converter(inner[0]) if len(inner) == 1 else None
    return None
