"""The local stack: PostgreSQL, Kafka and Kafka Connect + Debezium, without Docker.

Every process runs under supervisord (supervisor.py), listed once in programs.py.
Command line: `python -m connectors.stack up|run|down|status|logs [component]`.
From code (e.g. a pytest session fixture): `ensure_up()` starts or reuses it and returns the
settings.
"""
from connectors.stack.connect import ensure_connectors
from connectors.stack.lifecycle import down, ensure_up, up
from connectors.stack.procs import StackError
from connectors.stack.settings import Settings, settings

__all__ = ["Settings", "StackError", "down", "ensure_connectors", "ensure_up", "settings", "up"]
