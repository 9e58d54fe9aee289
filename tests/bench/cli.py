"""`python -m tests.bench`: the parts chosen by BENCH_PARTS, one after the other, then the summary.

Parts run in the order pgbench, e2e, drain, so the ceiling and the latencies are measured before
the drain's 100,000 events load PostgreSQL. Exit codes: 0 measured (whatever the figures),
2 the system is not running, 3 purchases were accepted but never became visible, 64 an unknown
part in BENCH_PARTS.
"""
import http.client
import os
import socket
import sys
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit

import psycopg
from confluent_kafka.admin import AdminClient

from apps.settings import ACCESS_API_URL, SALES_API_URL
from connectors.stack.settings import settings as stack
from tests.bench.common import KAFKA_BOOTSTRAP, OUTPUT, PARTS, NeverVisible, SystemNotRunning, say
from tests.bench.report import print_summary, write

KNOWN_PARTS = ("pgbench", "e2e", "drain")


def http_answers(base_url: str, path: str) -> bool:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status < 500
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def preflight(parts: list[str]) -> None:
    """Raises SystemNotRunning naming the first missing piece the chosen parts need."""
    try:
        psycopg.connect(stack.conninfo(), connect_timeout=3).close()
    except psycopg.OperationalError as error:
        raise SystemNotRunning(f"PostgreSQL at {stack.pg_host}:{stack.pg_port}: {error}") from error
    if {"e2e", "drain"} & set(parts):
        try:
            AdminClient({"bootstrap.servers": KAFKA_BOOTSTRAP, "log_level": 3}).list_topics(timeout=5)
        except Exception as error:
            raise SystemNotRunning(f"Kafka at {KAFKA_BOOTSTRAP}: {error}") from error
    if "e2e" in parts:
        for name, url, path in (("sales API", SALES_API_URL, "/openapi.json"),
                                ("access API", ACCESS_API_URL, "/openapi.json"),
                                ("Kafka Connect", stack.connect_url, "/connectors")):
            if not http_answers(url, path):
                raise SystemNotRunning(f"the {name} does not answer at {url}")


def run_parts(parts: list[str], results: dict) -> None:
    from tests.bench import drain, e2e, pgbench  # after preflight: imports reach for settings
    for part in parts:
        say(f"=== part {part} ===")
        try:
            if part == "pgbench":
                results["pgbench"] = pgbench.measure_ceiling()
            elif part == "e2e":
                results["e2e"] = e2e.measure_end_to_end()
                results["warnings"] += results["e2e"].get("warnings", [])
            elif part == "drain":
                results["drain"] = drain.measure_drain()
                if "skipped" in results["drain"]:
                    results["warnings"].append(f"drain skipped: {results['drain']['skipped']}")
        except (SystemNotRunning, NeverVisible, KeyboardInterrupt):
            raise
        except Exception as error:  # one broken part must not lose the others' figures
            say(f"part {part} FAILED: {error!r}")
            results[part] = {"error": repr(error)}
            results["warnings"].append(f"part {part} failed: {error!r}")


def main(parts: list[str] | None = None) -> int:
    parts = parts or PARTS
    parts = sorted(parts, key=lambda p: KNOWN_PARTS.index(p) if p in KNOWN_PARTS else -1)
    unknown = set(parts) - set(KNOWN_PARTS)
    if unknown:
        print(f"unknown BENCH_PARTS {sorted(unknown)}; choose from {','.join(KNOWN_PARTS)}")
        return 64  # EX_USAGE: not to be mistaken for 2, the system not running
    results = {"started_at": datetime.now(timezone.utc).isoformat(), "parts": parts,
               "machine": {"host": socket.gethostname(), "cpus": os.cpu_count(),
                           "load_average_at_start": os.getloadavg()}, "warnings": []}
    started, code = time.monotonic(), 0
    try:
        preflight(parts)
        run_parts(parts, results)
    except SystemNotRunning as error:
        say(f"the system is not running: {error}\n  start it with `make up` (or `make run`)")
        results["error"], code = f"system not running: {error}", 2
    except NeverVisible as error:
        say(f"purchases never became visible: {error}; see `make logs`")
        results["error"], code = f"never visible: {error}", 3
    results["machine"]["load_average_at_end"] = os.getloadavg()
    results["duration_s"] = round(time.monotonic() - started, 1)
    results["summary"] = print_summary(results)
    write(results, OUTPUT)
    print(f"written to {OUTPUT}")
    return code


def entrypoint(parts: list[str] | None = None) -> None:
    sys.exit(main(parts))
