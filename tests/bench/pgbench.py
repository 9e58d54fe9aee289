"""The ceiling: how many purchase-shaped transactions the same PostgreSQL commits per second.

pgbench runs, in the sales database and as the sales role, what the API's transaction writes
(a purchase row, an outbox row inserted and deleted, one commit) on scratch tables shaped like
`purchases` and `outbox`. Scratch tables, not the real ones: the publication Debezium streams
names only `outbox`, so these rows never reach Kafka or the consumers. What the API adds on top
(HTTP, key and product look-ups, Python) is what the end-to-end rate is compared against.
"""
import os
import re
import shutil
import subprocess
import tempfile
import uuid

import psycopg

from connectors.stack.settings import settings as stack
from tests.bench.common import env_int, say

CLIENTS = env_int("BENCH_PGBENCH_CLIENTS", 8)
THREADS = env_int("BENCH_PGBENCH_THREADS", 2)
SECONDS = env_int("BENCH_PGBENCH_SECONDS", 10)

# A payload the size of a PurchaseCompleted Avro body, so WAL volume matches too.
SCRIPT = """\
\\set n random(1, 1000000000)
BEGIN;
INSERT INTO {purchases} (id, buyer_email, product_id, status, purchased_at, service_key_id)
  VALUES (gen_random_uuid(), 'pgbench-' || :n || '@example.com', '123456', 'completed', now(), 1);
INSERT INTO {outbox} (id, aggregatetype, aggregateid, type, payload)
  VALUES (gen_random_uuid(), 'purchase', :n::text, 'PurchaseCompleted', decode(repeat('ab', 180), 'hex'))
  RETURNING id AS outbox_id \\gset
DELETE FROM {outbox} WHERE id = ':outbox_id';
END;
"""


def pgbench_binary() -> str:
    candidate = stack.pg_bin / "pgbench"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("pgbench")
    if found:
        return found
    raise FileNotFoundError(f"pgbench not found in {stack.pg_bin} nor on PATH: install it with "
                            "`apt-get install postgresql-15` (Debian ships pgbench with the server), "
                            "or set PG_BIN to the folder holding it")


def create_scratch_tables(conn, purchases: str, outbox: str) -> None:
    # Same columns and secondary index as the real tables; no foreign keys, which would make the
    # scratch tables lock the real `products` and `service_keys` rows the API is reading.
    conn.execute(f"""CREATE TABLE {purchases} (
        id uuid PRIMARY KEY, buyer_email text NOT NULL, product_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('completed', 'cancelled')),
        purchased_at timestamptz NOT NULL, cancelled_at timestamptz, service_key_id int NOT NULL)""")
    conn.execute(f"CREATE INDEX ON {purchases} (buyer_email, product_id, status, purchased_at)")
    conn.execute(f"""CREATE TABLE {outbox} (id uuid PRIMARY KEY, aggregatetype text NOT NULL,
        aggregateid text NOT NULL, type text NOT NULL, payload bytea NOT NULL)""")


def run_pgbench(script_path: str) -> tuple[float, list[str]]:
    """Streams pgbench's progress lines (-P) and returns (tps, output lines)."""
    argv = [pgbench_binary(), "-n", "-c", str(CLIENTS), "-j", str(THREADS), "-T", str(SECONDS),
            "-P", str(max(1, SECONDS // 5)), "-f", script_path,
            "-h", stack.pg_host, "-p", str(stack.pg_port), "-U", "sales", "sales"]
    env = {**os.environ, "PGPASSWORD": stack.db_passwords["sales"]}
    say(f"pgbench: {CLIENTS} clients, {THREADS} threads, {SECONDS} s ...")
    lines = []
    with subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as proc:
        for line in proc.stdout:
            lines.append(line.rstrip())
            if line.startswith("progress:"):
                say(f"  pgbench {line.strip()}")
    if proc.returncode != 0:
        raise RuntimeError(f"pgbench failed ({proc.returncode}):\n" + "\n".join(lines[-15:]))
    match = re.search(r"^tps = ([\d.]+) \(without initial connection time\)", "\n".join(lines), re.M)
    if not match:
        raise RuntimeError("no tps line in pgbench's output:\n" + "\n".join(lines[-15:]))
    return float(match.group(1)), lines


def measure_ceiling() -> dict:
    suffix = uuid.uuid4().hex[:8]
    purchases, outbox = f"bench_purchases_{suffix}", f"bench_outbox_{suffix}"
    with psycopg.connect(stack.conninfo("sales", "sales"), autocommit=True) as conn:
        create_scratch_tables(conn, purchases, outbox)
        try:
            with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
                script.write(SCRIPT.format(purchases=purchases, outbox=outbox))
            try:
                tps, lines = run_pgbench(script.name)
            finally:
                os.unlink(script.name)
        finally:
            conn.execute(f"DROP TABLE IF EXISTS {purchases}, {outbox}")
    latency = re.search(r"^latency average = ([\d.]+) ms", "\n".join(lines), re.M)
    say(f"pgbench: {tps:.0f} purchase-shaped transactions/s")
    return {"tps": round(tps, 1), "clients": CLIENTS, "threads": THREADS, "seconds": SECONDS,
            "latency_avg_ms": float(latency.group(1)) if latency else None,
            "transaction": "insert purchase row + insert outbox row + delete it, one commit"}
