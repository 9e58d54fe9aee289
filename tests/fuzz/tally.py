"""What a fuzz run did, per API: requests and statuses per operation, distinct failures.

The counts go to the terminal (one line per API) and to a JSON file, so a run can be quoted.
"""
import json
from collections import Counter
from pathlib import Path


class Tally:
    def __init__(self, api: str, operations: dict[str, bool]):
        """`operations`: each operation of the spec, with whether it documents a 2xx."""
        self.api, self.operations = api, operations
        self.statuses: dict[str, Counter] = {op: Counter() for op in operations}  # op -> status -> n
        self.failures: dict[str, str] = {}  # "operation: check" -> its first message

    def record(self, operation: str, status: int) -> None:
        self.statuses[operation][str(status)] += 1

    def record_failure(self, operation: str, check: str, message: str) -> None:
        # Hypothesis replays a failing example while shrinking it: one failure, counted once.
        self.failures.setdefault(f"{operation}: {check}", message)

    @property
    def requests(self) -> int:
        return sum(sum(counts.values()) for counts in self.statuses.values())

    def by_class(self) -> dict[str, int]:
        classes = Counter()
        for counts in self.statuses.values():
            for status, count in counts.items():
                classes[f"{status[0]}xx"] += count
        return dict(sorted(classes.items()))

    def without_success(self) -> list[str]:
        """Operations that document a 2xx answer and never got one."""
        return [op for op, has_2xx in self.operations.items()
                if has_2xx and not any(status.startswith("2") for status in self.statuses[op])]

    def line(self) -> str:
        classes = ", ".join(f"{name} {count}" for name, count in self.by_class().items())
        return (f"{self.api} API: {len(self.operations)} operations, {self.requests} requests "
                f"({classes}), {len(self.failures)} failures")

    def as_dict(self) -> dict:
        return {"operations": len(self.operations), "requests": self.requests,
                "status_classes": self.by_class(), "failures": len(self.failures),
                "failure_details": self.failures,
                "by_operation": {op: dict(sorted(counts.items()))
                                 for op, counts in self.statuses.items()}}


def write_report(path: Path, tallies: list[Tally], settings: dict) -> None:
    report = {**settings, "apis": {tally.api: tally.as_dict() for tally in tallies}}
    path.write_text(json.dumps(report, indent=2) + "\n")
