"""The drain's own database, `access_bench`: created, migrated, emptied between runs, checked after.

A dedicated database so 100,000 bench grants never mix with the access database the running
system serves, and so each run starts from empty tables: every figure is for the same work.
"""
import os
import subprocess
import sys

import psycopg
from psycopg import sql

from connectors.stack.settings import REPO_DIR, settings as stack

NAME = os.environ.get("BENCH_DRAIN_DATABASE", "access_bench")


def url(driver: str = "postgresql+psycopg") -> str:
    password = stack.db_passwords["access"]
    return f"{driver}://access:{password}@{stack.pg_host}:{stack.pg_port}/{NAME}"


def prepare() -> None:
    """Creates the database (superuser, owner `access`) if absent and migrates it to head."""
    with psycopg.connect(stack.conninfo(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (NAME,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER access").format(sql.Identifier(NAME)))
    subprocess.run([sys.executable, "-m", "alembic", "-c", "apps/access_api/alembic.ini",
                    "upgrade", "head"], cwd=REPO_DIR, check=True,
                   env={**os.environ, "ACCESS_DATABASE_URL": url()})


def empty() -> None:
    """Truncates every table but alembic_version: users, grants, processed_events, and whatever
    per-partition bookkeeping a later migration adds, which would otherwise skip the next run."""
    with psycopg.connect(url("postgresql"), autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'")]
        conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
            sql.SQL(", ").join(map(sql.Identifier, tables))))


def connect():
    return psycopg.connect(url("postgresql"), autocommit=True)


def applied(conn) -> int:
    return conn.execute("SELECT count(*) FROM processed_events").fetchone()[0]


def exactly_once(conn, events: int, grants: int, buyers: int) -> dict:
    """Every event recorded once, every role granted once, nothing doubled."""
    processed = applied(conn)
    grant_rows = conn.execute("SELECT count(*) FROM grants").fetchone()[0]
    doubled = conn.execute("SELECT count(*) FROM (SELECT 1 FROM grants GROUP BY source_id, role "
                           "HAVING count(*) > 1) d").fetchone()[0]
    users = conn.execute("SELECT count(*) FROM users").fetchone()[0]
    return {"processed_events": processed, "expected_events": events,
            "grants": grant_rows, "expected_grants": grants, "doubled_grants": doubled,
            "users": users, "expected_users": buyers,
            "ok": processed == events and grant_rows == grants and doubled == 0 and users == buyers}
