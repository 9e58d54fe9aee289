"""The fault run: load on, every fault in turn for some rounds, load off, then the verdict.

Nothing here restarts anything: healing is supervisord's, Connect's, the consumers' and the
clients' own retries. The run only injects faults and measures.
"""
import json
import threading
import time
import uuid
from pathlib import Path

from tests.chaos import faults, verify
from tests.chaos.load import Tally, run_load


def say(message: str) -> None:
    print(f"[chaos] {message}", flush=True)


def run(settings, rounds: int = 1, rate: float = 10.0, components=faults.FAULTS,
        results_file: Path | None = None) -> dict:
    run_id = uuid.uuid4().hex[:8]
    tally, stop = Tally(), threading.Event()
    say(f"run {run_id}: {rounds} round(s) of {', '.join(components)} under ~{rate:.0f} writes/s")
    workers = run_load(tally, stop, rate, run_id)
    recoveries = []
    started = time.monotonic()
    try:
        for round_number in range(1, rounds + 1):
            for name in components:
                recovery = faults.recover(settings, name, run_id)
                recoveries.append(recovery)
                say(f"round {round_number}: {name} {recovery['fault']}: pipeline back in "
                    f"{recovery['pipeline_back_s']:.1f}s, process RUNNING and ready after "
                    f"{recovery['process_back_s']:.1f}s ({len(tally.writes)} writes so far)")
    finally:
        stop.set()
        say("load stopped; waiting for writes still being retried")
        for worker in workers:
            worker.join()
    say("checking every acknowledged write against both databases (waits for lag 0)")
    verdict = verify.settle(run_id, tally.writes)
    longest = max(recoveries, key=lambda r: r["pipeline_back_s"]) if recoveries else None
    summary = {
        "run_id": run_id, "rounds": rounds, "kills": len(recoveries),
        "acknowledged_writes": verdict["acknowledged"], "writes_sent": len(tally.writes),
        "lost": len(verdict["lost"]), "duplicated": len(verdict["duplicated"]),
        "unapplied": len(verdict["unapplied"]), "consumer_lag": verdict["lag"],
        "server_errors": tally.server_errors, "answers": tally.statuses,
        "longest_recovery_s": longest["pipeline_back_s"] if longest else None,
        "longest_recovery_component": longest["component"] if longest else None,
        "recoveries": recoveries, "seconds": round(time.monotonic() - started, 1),
        "examples": {k: verdict[k][:5] for k in ("lost", "duplicated", "unapplied")},
    }
    say(f"faults {summary['kills']}, acknowledged writes {summary['acknowledged_writes']}, "
        f"lost {summary['lost']}, duplicated {summary['duplicated']}, unapplied "
        f"{summary['unapplied']}, lag {summary['consumer_lag']}, 5xx {summary['server_errors']} "
        f"(503: {tally.statuses.get('503', 0)}), "
        f"longest recovery {summary['longest_recovery_s']}s ({summary['longest_recovery_component']})")
    for name in dict.fromkeys(r["component"] for r in recoveries):
        times = [r["pipeline_back_s"] for r in recoveries if r["component"] == name]
        say(f"  {name:<22} recovery (pipeline) max {max(times):.1f}s, "
            f"mean {sum(times) / len(times):.1f}s over {len(times)}")
    if results_file:
        results_file.write_text(json.dumps(summary, indent=2) + "\n")
        say(f"figures written to {results_file}")
    return summary
