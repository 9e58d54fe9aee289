"""Can readers holding an old schema read data written with a new one? Checked by doing it.

Samples are generated from the new (writer) schema, covering every enum symbol and union
branch, encoded, then decoded with fastavro's schema resolution against the old (reader)
schema. Any resolution failure is an incompatibility.
"""
import io
import subprocess
from pathlib import Path

import fastavro

PRIMITIVE_SAMPLES = {
    "null": None, "boolean": True, "int": 7, "long": 1_700_000_000_000, "float": 1.5,
    "double": 2.5, "bytes": b"\x01\x02", "string": "sample",
}


def sample(schema, variant: int, named: dict):
    if isinstance(schema, str):
        if schema in PRIMITIVE_SAMPLES:
            return PRIMITIVE_SAMPLES[schema]
        return sample(named[schema], variant, named)
    if isinstance(schema, list):
        return sample(schema[variant % len(schema)], variant, named)
    kind = schema["type"]
    if "name" in schema:
        named[schema["name"]] = schema
        named[f"{schema.get('namespace', '')}.{schema['name']}".lstrip(".")] = schema
    if kind == "record":
        return {f["name"]: sample(f["type"], variant, named) for f in schema["fields"]}
    if kind == "enum":
        return schema["symbols"][variant % len(schema["symbols"])]
    if kind == "array":
        return [sample(schema["items"], variant, named)]
    if kind == "map":
        return {"k": sample(schema["values"], variant, named)}
    if kind == "fixed":
        return b"\x00" * schema["size"]
    return sample(kind, variant, named)


def incompatibilities(old_raw: dict, new_raw: dict, variants: int = 8) -> list[str]:
    old, new = fastavro.parse_schema(old_raw), fastavro.parse_schema(new_raw)
    problems = []
    for variant in range(variants):
        datum = sample(new_raw, variant, {})
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, new, datum)
        buffer.seek(0)
        try:
            fastavro.schemaless_reader(buffer, new, old)
        except Exception as error:  # fastavro raises several types on resolution failure
            problems.append(f"{type(error).__name__}: {error}")
    return sorted(set(problems))


def previous_committed_version(path: Path) -> str | None:
    """The newest committed content of `path` that differs from its content now."""
    repo = path.parent
    current = path.read_text()
    commits = subprocess.run(["git", "log", "--format=%H", "--", path.name], cwd=repo,
                             capture_output=True, text=True, check=True).stdout.split()
    for commit in commits:
        shown = subprocess.run(["git", "show", f"{commit}:./{path.name}"], cwd=repo,
                               capture_output=True, text=True)
        if shown.returncode == 0 and shown.stdout != current:
            return shown.stdout
    return None
