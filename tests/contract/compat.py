"""Schema compatibility by the `avro` package's checker (a port of Java's SchemaCompatibility).

Chosen over writing samples and reading them back: a sample-based check only finds the
breaks its samples happen to hit, while the checker walks every field, enum symbol and union
branch. "Full transitive": the newest version reads data of every earlier version (backward)
and every earlier version reads data of the newest (forward), so producers and consumers may
deploy in either order, even when one side is several versions behind.
"""
import json

import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType


def incompatibilities(reader: dict, writer: dict) -> list[str]:
    """Why a reader holding `reader` cannot read data written with `writer`; [] if it can."""
    result = ReaderWriterCompatibilityChecker().get_compatibility(
        avro.schema.parse(json.dumps(reader)), avro.schema.parse(json.dumps(writer)))
    if result.compatibility is SchemaCompatibilityType.compatible:
        return []
    kinds = sorted({kind.value for kind in result.incompatibilities})
    locations = sorted(result.locations - {"/"}) or ["/"]  # "/" is only the walk's root
    return [f"{', '.join(kinds)} at {', '.join(locations)}: "
            f"{'; '.join(sorted(result.messages))}"]


def evolution_problems(history: list[dict]) -> list[str]:
    """Incompatibilities between the newest schema in `history` and each earlier one, both ways."""
    *earlier, newest = history
    problems = []
    for number, old in enumerate(earlier, start=1):
        problems += [f"v{number} data, newest reader: {p}" for p in incompatibilities(newest, old)]
        problems += [f"newest data, v{number} reader: {p}" for p in incompatibilities(old, newest)]
    return problems
