"""Published schema versions are immutable and all kept: a message written with any of them may
still sit in Kafka or the dead-letter topic, and only its exact schema can decode it."""
import json

import pytest

from outbox.codec import SCHEMA_DIR, schema_fingerprint, versions
from tests.contract.published import manifest, version_path

LISTED = [(event_type, version, fingerprint_hex)
          for event_type, listed in manifest().items()
          for version, fingerprint_hex in listed.items()]


@pytest.mark.parametrize("event_type, version, fingerprint_hex", LISTED)
def test_every_published_version_is_still_there_unchanged(event_type, version, fingerprint_hex):
    path = version_path(event_type, version)
    assert path.is_file(), f"{path} was published; keep it (messages written with it may remain)"
    raw = json.loads(path.read_text())
    assert raw["name"] == event_type, f"{path} holds {raw['name']}, not {event_type}"
    assert schema_fingerprint(raw).hex() == fingerprint_hex, \
        f"{path} changed after it was published; put the change in a new version instead"


def test_every_schema_file_is_listed_as_published():
    listed = {version_path(event_type, version) for event_type, version, _ in LISTED}
    unlisted = [path for path in sorted(SCHEMA_DIR.rglob("*.avsc")) if path not in listed]
    hints = [f"{p.relative_to(SCHEMA_DIR)}: {schema_fingerprint(json.loads(p.read_text())).hex()}"
             for p in unlisted]
    assert hints == [], f"list these in {SCHEMA_DIR.name}/published.json (as v<N>: fingerprint)"


@pytest.mark.parametrize("event_type", sorted(manifest()))
def test_versions_are_numbered_from_v1_without_gaps(event_type):
    listed = list(manifest()[event_type])
    assert listed == [f"v{n}" for n in range(1, len(listed) + 1)]


def test_no_two_versions_share_a_fingerprint():
    # decode finds the writer by fingerprint: two versions with one fingerprint are ambiguous.
    fingerprints = [fingerprint_hex for _, _, fingerprint_hex in LISTED]
    assert len(fingerprints) == len(set(fingerprints)), LISTED


def test_the_codec_reads_exactly_the_published_versions():
    loaded = {(event_type, f"v{schema.version}", schema.fingerprint.hex())
              for event_type, history in versions().items() for schema in history}
    assert loaded == set(LISTED)
