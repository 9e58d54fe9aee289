"""`python -m tests.bench.billing`: the subscriptions report and the eligible list on 1,000,000
subscriptions, each beside a baseline that loads the rows, in the same run.

It fills its own database, `sales_bench` (migrated like the sales database), so the million rows
never touch the one the system serves: BENCH_SUBSCRIPTIONS rows (default 1,000,000) over four
plans (two monthly, one annual, one closed) in every status. Then it times, BENCH_BILLING_RUNS
times each (default 20):
- the report as the API computes it (apps/billing/service/reports.py: one aggregate over the
  (plan, status) index), against a baseline that reads every subscription's plan and status and
  counts in Python;
- the first page of the eligible list (1,000 ids) and a walk through all of its pages, against a
  baseline that loads every subscription row and filters in Python.
Figures print as they come and go to BENCH_BILLING_OUTPUT (bench-billing.json). Nothing here is
asserted: the figures are for reading.
"""
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter

import psycopg
from psycopg import sql
from sqlalchemy import create_engine

from apps.billing.domain.model import PlanStatus, Status
from apps.billing.service import reports, subscriptions
from apps.billing.service.uow import BillingUnitOfWork
from connectors.stack.settings import REPO_DIR, settings as stack
from tests.bench.common import env_int, say

NAME = os.environ.get("BENCH_BILLING_DATABASE", "sales_bench")
SUBSCRIPTIONS = env_int("BENCH_SUBSCRIPTIONS", 1_000_000)
RUNS = env_int("BENCH_BILLING_RUNS", 20)
OUTPUT = os.environ.get("BENCH_BILLING_OUTPUT", "bench-billing.json")
PAGE = 1000
PLANS = [("bench_basic", "monthly", "29.99", "active"), ("bench_premium", "monthly", "59.90", "active"),
         ("bench_annual", "annual", "299.00", "active"), ("bench_legacy", "monthly", "19.90", "closed")]
# Most subscriptions are active, as in a live shop; every status has some.
STATUS_SHARES = [("active", 70), ("cancelled", 15), ("past_due", 5), ("paused", 4), ("pending", 3),
                 ("suspended", 3)]


def url(driver: str = "postgresql+psycopg") -> str:
    return f"{driver}://sales:{stack.db_passwords['sales']}@{stack.pg_host}:{stack.pg_port}/{NAME}"


def prepare() -> None:
    with psycopg.connect(stack.conninfo(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (NAME,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER sales").format(sql.Identifier(NAME)))
    subprocess.run([sys.executable, "-m", "alembic", "-c", "apps/sales_api/alembic.ini",
                    "upgrade", "head"], cwd=REPO_DIR, check=True, capture_output=True,
                   env={**os.environ, "SALES_DATABASE_URL": url()})


def fill() -> None:
    """BENCH_SUBSCRIPTIONS rows in one INSERT ... SELECT generate_series, unless already there."""
    with psycopg.connect(url("postgresql"), autocommit=True) as conn:
        have = conn.execute("SELECT count(*) FROM subscriptions").fetchone()[0]
        if have == SUBSCRIPTIONS:
            say(f"{have:,} subscriptions already in {NAME}")
            return
        say(f"filling {NAME} with {SUBSCRIPTIONS:,} subscriptions ...")
        started = time.monotonic()
        conn.execute("TRUNCATE subscriptions CASCADE")
        conn.execute("DELETE FROM plans WHERE id LIKE 'bench_%'")
        for plan_id, cycle, price, status in PLANS:
            conn.execute("INSERT INTO plans (id, name, price, currency, billing_cycle, roles, status)"
                         " VALUES (%s, %s, %s, 'BRL', %s, ARRAY['PREMIUM_USER'], %s)",
                         (plan_id, plan_id, price, cycle, status))
        # Status by the row number's share, plan round robin; one live row per customer and plan.
        cases, start = [], 0
        for status, share in STATUS_SHARES:
            cases.append(f"WHEN n %% 100 < {start + share} THEN '{status}'")
            start += share
        plan_ids = "ARRAY[" + ", ".join(f"'{p[0]}'" for p in PLANS) + "]"
        conn.execute(f"""
            INSERT INTO subscriptions (id, plan_id, customer_email, status, anchor, periods_paid,
                                       next_billing_date, created_at)
            SELECT 'sub_' || lpad(to_hex(n), 16, '0'), ({plan_ids})[1 + n %% {len(PLANS)}],
                   'bench-' || n || '@example.com', CASE {' '.join(cases)} END,
                   current_date - (n %% 28), 1, current_date + 28 - (n %% 28), now()
            FROM generate_series(1, %s) AS n""", (SUBSCRIPTIONS,))
        conn.execute("VACUUM ANALYZE subscriptions")  # the visibility map: index-only scans
        say(f"  filled in {time.monotonic() - started:.1f} s")


def timed(call, runs: int = RUNS) -> dict:
    """Milliseconds of `runs` calls after one warm-up: median, p95, min."""
    call()
    took = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return {"runs": runs, "p50_ms": round(statistics.median(took), 2),
            "p95_ms": round(took[min(len(took) - 1, int(len(took) * 0.95))], 2),
            "min_ms": round(took[0], 2)}


def baseline_report(conn) -> dict:
    """Every row's plan and status to Python, counted there."""
    counts = Counter(conn.execute("SELECT plan_id, status FROM subscriptions").fetchall())
    return {"total_active": sum(n for (_, s), n in counts.items() if s == Status.ACTIVE.value)}


def baseline_eligible(conn) -> list[str]:
    """Every subscription row to Python, filtered there."""
    chargeable = {r[0] for r in conn.execute("SELECT id FROM plans WHERE status <> %s",
                                             (PlanStatus.INACTIVE.value,))}
    return sorted(r[0] for r in conn.execute("SELECT * FROM subscriptions")
                  if r[4] == Status.ACTIVE.value and r[1] in chargeable)


def walk_eligible(engine) -> int:
    after, seen = "", 0
    while True:
        ids = subscriptions.eligible(BillingUnitOfWork(engine.connect), after, PAGE)
        seen += len(ids)
        if len(ids) < PAGE:
            return seen
        after = ids[-1]


def main() -> int:
    prepare()
    fill()
    engine = create_engine(url())
    results = {"subscriptions": SUBSCRIPTIONS, "runs": RUNS, "machine_cpus": os.cpu_count()}
    try:
        report = reports.subscriptions_report(BillingUnitOfWork(engine.connect))
        results["report_total_active"] = report["total_active"]
        with psycopg.connect(url("postgresql")) as conn:
            assert baseline_report(conn)["total_active"] == report["total_active"]
            say("report (indexed aggregate) ...")
            results["report"] = timed(lambda: reports.subscriptions_report(
                BillingUnitOfWork(engine.connect)))
            say(f"  {results['report']}")
            say("report baseline (every row to Python) ...")
            results["report_baseline"] = timed(lambda: baseline_report(conn), max(3, RUNS // 5))
            say(f"  {results['report_baseline']}")
            say("eligible, first page of 1,000 ...")
            results["eligible_first_page"] = timed(lambda: subscriptions.eligible(
                BillingUnitOfWork(engine.connect), "", PAGE))
            say(f"  {results['eligible_first_page']}")
            results["eligible_count"] = walk_eligible(engine)
            say(f"eligible, all {results['eligible_count']:,} ids page by page ...")
            results["eligible_all_pages"] = timed(lambda: walk_eligible(engine), max(3, RUNS // 5))
            say(f"  {results['eligible_all_pages']}")
            say("eligible baseline (every row to Python) ...")
            assert len(baseline_eligible(conn)) == results["eligible_count"]
            results["eligible_baseline"] = timed(lambda: baseline_eligible(conn), 3)
            say(f"  {results['eligible_baseline']}")
    finally:
        engine.dispose()
    print(f"\n{'figure (ms)':<44}{'p50':>10}{'p95':>10}")
    for name in ("report", "report_baseline", "eligible_first_page", "eligible_all_pages",
                 "eligible_baseline"):
        print(f"{name:<44}{results[name]['p50_ms']:>10}{results[name]['p95_ms']:>10}")
    with open(OUTPUT, "w") as file:
        json.dump(results, file, indent=2)
    print(f"written to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
