"""The summary: every figure beside the issue's target for it, as a table and as JSON.

Targets are printed, never asserted: a bench on a shared two-core machine measures, it does not
pass or fail (the exit code only says whether the system could be measured at all).
"""
import json

from tests.bench.common import BASELINE_E2E_PER_S, TARGETS


# The latency is from the HTTP 201 (the purchase committed) to the role visible, as the issue
# measures it; the API's own time (request sent -> 201) is shown beside it, not inside it.
STAGE_LABELS = {"api_to_kafka": "201 -> Kafka append", "kafka_to_applied": "Kafka append -> applied",
                "api": "(API: request -> 201)"}


def dig(results: dict, *path):
    for key in path:
        if not isinstance(results, dict) or results.get(key) is None:
            return None
        results = results[key]
    return results


def verdict(value, bound, at_least: bool) -> str:
    if value is None:
        return "n/a"
    return "met" if (value >= bound if at_least else value <= bound) else "NOT met"


def ratio(a, b):
    return round(a / b, 2) if a and b else None


def rows(results: dict) -> list[tuple[str, object, str, str]]:
    """(figure, value, target, verdict) for everything the issue asks to be printed."""
    ceiling = dig(results, "pgbench", "tps")
    e2e = dig(results, "e2e", "max_rate", "end_to_end_rate_per_s")
    to_baseline = ratio(e2e, BASELINE_E2E_PER_S)
    one_p50 = dig(results, "e2e", "one_client", "latency_ms", "p50")
    half_p99 = dig(results, "e2e", "half_rate", "latency_ms", "p99")
    batched = dig(results, "drain", "runs", "batched", "rate_per_s")
    over_1 = dig(results, "drain", "batched_over_batch_1")
    t = TARGETS
    table = [
        ("pgbench ceiling, purchase-shaped tx/s", ceiling, "", ""),
        ("end-to-end max rate, purchases/s", e2e, f">= {t['e2e_ratio_to_baseline_min'] * BASELINE_E2E_PER_S:.0f}", ""),
        ("  / pgbench ceiling", ratio(e2e, ceiling), "", ""),
        (f"  / baseline {BASELINE_E2E_PER_S:.0f}/s", to_baseline, f">= {t['e2e_ratio_to_baseline_min']}x",
         verdict(to_baseline, t["e2e_ratio_to_baseline_min"], True)),
        ("  API alone, purchases/s", dig(results, "e2e", "max_rate", "api_rate_per_s"), "", ""),
    ]
    clients = dig(results, "e2e", "max_rate", "clients")
    latency_targets = {
        "max_rate": (f"{clients} clients (max rate)", "", ""),
        "one_client": ("1 client", f"p50 <= {t['p50_one_client_ms_max']:.0f}",
                       verdict(one_p50, t["p50_one_client_ms_max"], False)),
        "half_rate": ("half max rate", f"p99 <= {t['p99_half_rate_ms_max']:.0f}",
                      verdict(half_p99, t["p99_half_rate_ms_max"], False)),
    }
    for step, (name, target, check) in latency_targets.items():
        latency = dig(results, "e2e", step, "latency_ms") or {}
        stages = dig(results, "e2e", step, "stages_ms") or {}
        table.append((f"latency {name}, 201->visible, ms p50/p95/p99", triple(latency), target, check))
        for stage, label in STAGE_LABELS.items():
            table.append((f"  {label}, ms p50/p95/p99", triple(stages.get(stage)), "", ""))
    table += [
        ("drain batched, events/s", batched, f">= {t['drain_batched_per_s_min']:.0f} (aim 10000)",
         verdict(batched, t["drain_batched_per_s_min"], True)),
        ("  batched, CPU ms per 1000 events (consumer+db)", cpu_split(results, "batched"), "", ""),
        ("drain batch size 1, events/s", dig(results, "drain", "runs", "batch_1", "rate_per_s"), "", ""),
        ("  batch size 1, CPU ms per 1000 events", cpu_split(results, "batch_1"), "", ""),
        ("  batched / batch size 1", over_1, f">= {t['drain_batched_over_batch1_min']}x",
         verdict(over_1, t["drain_batched_over_batch1_min"], True)),
        ("drain 3 processes, events/s", dig(results, "drain", "runs", "three_processes", "rate_per_s"), "", ""),
        ("  3 processes / 1 process", dig(results, "drain", "three_over_one_process"), "", ""),
        ("  3 processes once all held partitions", dig(results, "drain", "runs", "three_processes",
                                                       "rate_once_shared_per_s"), "", ""),
        ("  partitions shared by the 3", dig(results, "drain", "runs", "three_processes",
                                             "partitions_shared"), "", ""),
        ("drain exactly once (every run)", exactly_once(results), "", ""),
    ]
    return table


def triple(summary: dict | None) -> str | None:
    return None if not summary else f"{summary['p50']}/{summary['p95']}/{summary['p99']}"


def cpu_split(results: dict, run: str) -> str | None:
    """`consumer+postgres=total`: less skewed by other work on the machine than the rate."""
    spent = dig(results, "drain", "runs", run, "cpu_ms_per_1000_events")
    if not spent or spent.get("total") is None:
        return None
    return f"{spent['consumer']:.0f}+{spent['postgres']:.0f}={spent['total']:.0f}"


def exactly_once(results: dict) -> str | None:
    runs = dig(results, "drain", "runs")
    if not runs:
        return None
    bad = [name for name, run in runs.items() if not run["exactly_once"]["ok"]]
    return "VIOLATED in " + ", ".join(bad) if bad else "OK"


def print_summary(results: dict) -> list[dict]:
    table = rows(results)
    width = max(len(r[0]) for r in table)
    print("\n" + "=" * 100)
    print(f"{'figure':<{width}}  {'value':>22}  {'target':<26} verdict")
    for figure, value, target, check in table:
        shown = "n/a" if value is None else str(value)
        print(f"{figure:<{width}}  {shown:>22}  {target:<26} {check}")
    machine = results.get("machine", {})
    print(f"machine: {machine.get('cpus')} cpus, load average at start "
          f"{fmt_load(machine.get('load_average_at_start'))}, at end "
          f"{fmt_load(machine.get('load_average_at_end'))} (other work skews every figure)")
    for warning in results.get("warnings", []):
        print(f"WARNING: {warning}")
    print("=" * 100)
    return [{"figure": f, "value": v, "target": t, "verdict": c} for f, v, t, c in table]


def fmt_load(load) -> str:
    return "/".join(f"{x:.1f}" for x in load) if load else "n/a"


def write(results: dict, path: str) -> None:
    with open(path, "w") as out:
        json.dump(results, out, indent=2, default=str)
