"""The local stack's folder, for the development files apps keep there (a generated key, a fake's
database): `$STACK_DIR`, default `.stack/` under the repository, the rule connectors/stack uses."""
import os
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]


def stack_dir() -> Path:
    return Path(os.environ.get("STACK_DIR", str(REPO_DIR / ".stack"))).resolve()
