"""The published schema versions as the manifest lists them, read from the files only.

The manifest, not git history, is the record of what was published: it works in a shallow
clone, and a version that disappears from the files is a failure rather than nothing to check.
"""
import json
from pathlib import Path

from outbox.codec import SCHEMA_DIR

MANIFEST_PATH = SCHEMA_DIR / "published.json"


def manifest() -> dict[str, dict[str, str]]:
    """{event type: {"v<N>": fingerprint hex}}, in the manifest's order."""
    return json.loads(MANIFEST_PATH.read_text())


def version_path(event_type: str, version: str) -> Path:
    return SCHEMA_DIR / event_type / f"{version}.avsc"


def history(event_type: str) -> list[dict]:
    """Every listed version of `event_type`, oldest first, as parsed JSON."""
    return [json.loads(version_path(event_type, version).read_text())
            for version in manifest()[event_type]]
