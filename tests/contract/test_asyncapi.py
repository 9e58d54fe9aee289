"""schemas/asyncapi.yaml stays a valid AsyncAPI 3.0 document in step with what the system publishes:
the current version of every event type in schemas/avro/ and no other, each event on the topic its
consumers read, and exactly the topics the stack creates (with their partitions and retention),
the connectors route to and the consumers dead-letter to.

`asyncapi-3.0.0.schema.json` is the official JSON Schema of AsyncAPI 3.0.0, minified, from the
`@asyncapi/specs` package (6.11.1, `schemas/3.0.0-without-$id.json`, Apache-2.0, Copyright the
AsyncAPI Initiative): a copy here keeps the test offline.
"""
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from apps.consumers.runner import CONSUMERS, topics_of
from connectors.stack.kafka import topic_config
from connectors.stack.settings import REPO_DIR, settings
from outbox.codec import SCHEMA_DIR, catalogue

DOCUMENT_PATH = SCHEMA_DIR.parent / "asyncapi.yaml"
META_SCHEMA_PATH = Path(__file__).with_name("asyncapi-3.0.0.schema.json")
AVRO_FORMAT = "application/vnd.apache.avro;version=1.9.0"


@pytest.fixture(scope="module")
def document() -> dict:
    return yaml.safe_load(DOCUMENT_PATH.read_text())


def references(node):
    """Every `$ref` value anywhere in `node`."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def resolve(document: dict, pointer: str):
    node = document
    for part in pointer.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def event_messages(document: dict) -> dict[str, dict]:
    """Messages whose payload is an Avro schema file, by name."""
    return {name: message for name, message in document["components"]["messages"].items()
            if message["payload"].get("schemaFormat") == AVRO_FORMAT}


def channel_message_names(document: dict, channel: dict) -> set[str]:
    return {resolve(document, ref["$ref"])["name"] for ref in channel["messages"].values()}


def test_it_is_a_valid_asyncapi_3_document(document):
    validator = jsonschema.Draft7Validator(json.loads(META_SCHEMA_PATH.read_text()))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(document)]
    assert document["asyncapi"] == "3.0.0" and errors == []


def test_every_internal_reference_resolves_and_every_file_reference_exists(document):
    for ref in references(document):
        if ref.startswith("#/"):
            resolve(document, ref)  # raises KeyError naming the missing part
        else:
            assert (DOCUMENT_PATH.parent / ref).is_file(), f"{ref} does not exist"


def test_it_references_the_current_version_of_every_event_type_and_no_other(document):
    current = {name: schema.version for name, schema in catalogue().current.items()}
    referenced = {}
    for name, message in event_messages(document).items():
        path = Path(message["payload"]["schema"]["$ref"])
        assert path.parts[:2] == (".", "avro") or path.parts[0] == "avro", path
        event_type, version = path.parent.name, int(path.stem.removeprefix("v"))
        assert name == message["name"] == event_type, f"message {name} references {path}"
        referenced[event_type] = version
    assert referenced == current  # a missing type, a stale version and an unknown one all differ


def test_each_operation_sends_messages_of_its_own_channel(document):
    for name, operation in document["operations"].items():
        channel_ref = operation["channel"]["$ref"]
        for message in operation["messages"]:
            assert message["$ref"].startswith(f"{channel_ref}/messages/"), (name, message)


def connector_route_topics() -> set[str]:
    """Topics a connector routes to by a fixed name (`${routedByValue}` is the outbox row's
    aggregatetype, which the producers' code sets and the consumers' topics below cover)."""
    topics = set()
    for path in sorted((REPO_DIR / "connectors").glob("*.json")):
        config = json.loads(path.read_text())["config"]
        for key, value in config.items():
            if key.endswith(".route.topic.replacement") and "${" not in value:
                topics.add(value)
    return topics


def published_topics() -> set[str]:
    """What the stack creates, what connectors route to, and what the consumers read (every topic
    they read is one of ours) and dead-letter to."""
    consumed = {t for entry in CONSUMERS.values()
                for t in (*topics_of(entry.spec), entry.spec.DEAD_LETTER_TOPIC)}
    return set(settings.topics) | connector_route_topics() | consumed


def test_its_channels_are_exactly_the_topics_the_system_publishes_as_the_stack_makes_them(document):
    channels = document["channels"].values()
    assert {c["address"] for c in channels} == published_topics()
    for channel in channels:
        kafka = channel["bindings"]["kafka"]
        assert kafka["topic"] == channel["address"]
        assert kafka["partitions"] == settings.topic_partitions
        retention = int(topic_config(channel["address"])["retention.ms"])
        assert kafka["topicConfiguration"] == {"retention.ms": retention}, channel["address"]


def test_each_consumer_topic_carries_the_event_types_its_consumer_reads(document):
    by_address = {c["address"]: c for c in document["channels"].values()}
    for name, entry in CONSUMERS.items():
        carried = set().union(*(channel_message_names(document, by_address[topic])
                                for topic in topics_of(entry.spec)))
        assert set(entry.spec.EVENT_TYPES) <= carried, name


def test_every_event_type_is_on_one_topic_with_the_event_headers_and_a_key(document):
    topics_of = {}
    for channel in document["channels"].values():
        for name in channel_message_names(document, channel):
            topics_of.setdefault(name, []).append(channel["address"])
    for name, message in event_messages(document).items():
        assert len(topics_of.get(name, [])) == 1, f"{name} is on {topics_of.get(name)}"
        [trait] = [resolve(document, t["$ref"]) for t in message["traits"]]
        headers = resolve(document, trait["headers"]["$ref"])
        assert {"id", "eventType", "occurredAt"} <= set(headers["required"])
        assert "key" in trait["bindings"]["kafka"]


def test_dead_letter_channels_carry_the_dead_letter_headers_the_runner_writes(document):
    from outbox.deadletters import PREFIX, dead_letter_headers

    class Message:  # the least a consumer's message offers
        def headers(self): return [("id", b"x")]
        def topic(self): return "t"
        def partition(self): return 0
        def offset(self): return 1

    written = {name for name, _ in dead_letter_headers(Message(), ValueError("x"), "c")}
    dead_letters = [c for c in document["channels"].values() if c["address"].endswith(".dlq")]
    assert dead_letters
    for channel in dead_letters:
        [ref] = channel["messages"].values()
        headers = resolve(document, ref["$ref"])["headers"]
        assert {n for n in written if n.startswith(PREFIX)} == set(headers["required"])
