"""What every bench part shares: its knobs (all environment variables), progress lines, percentiles.

Every size has an environment variable so a user can shrink a run (BENCH_BACKLOG=20000,
BENCH_PARTS=e2e); the defaults are the sizes the issue asks the figures for.
"""
import os
import time

from connectors.stack.settings import settings as stack


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, str(default)))


PARTS = [p.strip() for p in os.environ.get("BENCH_PARTS", "pgbench,e2e,drain").split(",") if p.strip()]
OUTPUT = os.environ.get("BENCH_OUTPUT", "bench-results.json")
SERVICE_KEY = os.environ.get("BENCH_SERVICE_KEY", "318440fb7491")  # the seeded development key
PRODUCTS = ("123456", "987654")  # seeded; alternated so both products' roles are exercised
ROLES = {"123456": ["PREMIUM_USER", "COURSE_XYZ"], "987654": ["PREMIUM_USER", "COURSE_ABCD"]}
BASELINE_E2E_PER_S = 150.0  # the measurement of the end-to-end rate before tuning

# Targets of issue 5, section 4; printed beside the figures, never asserted.
TARGETS = {
    "e2e_ratio_to_baseline_min": 3.0,
    "p50_one_client_ms_max": 50.0,
    "p99_half_rate_ms_max": 250.0,
    "drain_batched_per_s_min": 3000.0,
    "drain_batched_over_batch1_min": 5.0,
}

KAFKA_BOOTSTRAP = stack.kafka_bootstrap
_started = time.monotonic()


class SystemNotRunning(RuntimeError):
    """Something the bench measures does not answer: nothing useful can be measured (exit 2)."""


class NeverVisible(RuntimeError):
    """Purchases were accepted but none became visible: the pipeline is broken (exit 3)."""


def say(message: str) -> None:
    """A progress line: elapsed seconds since the bench started, so slow steps show themselves."""
    print(f"[bench {time.monotonic() - _started:6.1f}s] {message}", flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def distribution_ms(seconds: list[float]) -> dict | None:
    """p50/p95/p99/max in milliseconds of durations given in seconds; None when there are none."""
    if not seconds:
        return None
    summary = {f"p{p}": round(percentile(seconds, p) * 1000, 1) for p in (50, 95, 99)}
    summary["max"] = round(max(seconds) * 1000, 1)
    summary["n"] = len(seconds)
    return summary
