"""`make chaos`: the full fault run against the running system (`make up` first).

CHAOS_ROUNDS (default 3) rounds of every fault, CHAOS_RATE (default 20) writes/s; figures in
chaos-results.json. Exit 1 when anything was lost, duplicated or left unapplied.
"""
import sys
from pathlib import Path

from connectors.stack import lifecycle
from connectors.stack.settings import settings
from tests.bench.common import env_float, env_int
from tests.chaos.run import run


def main() -> int:
    lifecycle.up(settings, apps=True)
    summary = run(settings, rounds=env_int("CHAOS_ROUNDS", 3), rate=env_float("CHAOS_RATE", 20),
                  results_file=Path("chaos-results.json"))
    healed = not (summary["lost"] or summary["duplicated"] or summary["unapplied"]
                  or summary["consumer_lag"])
    return 0 if healed else 1


if __name__ == "__main__":
    sys.exit(main())
