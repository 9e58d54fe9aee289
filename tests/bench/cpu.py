"""CPU seconds the drain's consumers and their PostgreSQL backends spend (Linux /proc).

On a shared machine a rate says as much about the other work as about the consumer; the CPU
each side spends per event says what the code costs. Read between the first applied row and
the last, so neither the consumers' start-up nor their idle tail counts. None where /proc
cannot tell (another system, or PostgreSQL on another host).
"""
import os

TICKS = os.sysconf("SC_CLK_TCK")
BACKENDS = ("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")


def cpu_seconds(pids: list[int]) -> dict[int, float] | None:
    """User + system CPU seconds of each process so far."""
    spent = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        spent[pid] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return spent


def sample(consumer_pids: list[int], conn) -> dict[str, dict[int, float] | None]:
    """CPU so far of the consumer processes and of the backends serving them (all connections
    to the drain's database but `conn`'s own)."""
    backends = [row[0] for row in conn.execute(BACKENDS)]
    return {"consumer": cpu_seconds(consumer_pids), "postgres": cpu_seconds(backends)}


def per_1000_events(start: dict, end: dict, events: int) -> dict[str, float | None] | None:
    """Milliseconds of CPU per 1000 events applied between the two samples, per side."""
    if not events:
        return None
    figures = {}
    for side in ("consumer", "postgres"):
        before, after = start.get(side), end.get(side)
        if before is None or after is None:
            figures[side] = None
            continue
        spent = sum(after.values()) - sum(before.get(pid, 0.0) for pid in after)
        figures[side] = round(spent * 1000 * 1000 / events, 1)
    known = [v for v in figures.values() if v is not None]
    figures["total"] = round(sum(known), 1) if len(known) == 2 else None
    return figures
