"""Kept so `python -m tests.bench.purchases` still works: the end-to-end part of `python -m tests.bench`."""
from tests.bench.cli import entrypoint

if __name__ == "__main__":
    entrypoint(["e2e"])
