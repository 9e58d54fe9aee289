"""Consumer drain: one backlog, applied three ways into `access_bench`, each checked exactly once.

Runs on the SAME backlog, from empty tables and a fresh group each: batched (the runner's default
batch size), batch size 1 (one transaction per event, the baseline), and three processes of one
group (batched); BENCH_DRAIN_RUNS picks some of them. Drain rate = events applied / time from the
first applied row seen to the last; the wall time from launching the processes is beside it,
and the CPU the consumers and their PostgreSQL backends spent per 1000 events (tests/bench/cpu.py).
"""
import ast
import os
import re
import time
import uuid

from tests.bench import benchdb, cpu
from tests.bench.backlog import PARTITIONS, Backlog, delete_topic, produce_backlog
from tests.bench.common import env_float, env_int, say
from tests.bench.consumers import ConsumerGroupProcesses, cli_missing, delete_groups, partition_owners

BACKLOG = env_int("BENCH_BACKLOG", 100_000)
STALL_S = env_float("BENCH_DRAIN_STALL_S", 60)  # no progress for this long ends a run
POLL_S = 0.2
RUNS = (("batched", None, 1), ("batch_1", 1, 1), ("three_processes", None, 3))
CHOSEN = os.environ.get("BENCH_DRAIN_RUNS", ",".join(name for name, _, _ in RUNS)).split(",")


def watch_drain(procs: ConsumerGroupProcesses, backlog: Backlog, launched: float) -> dict:
    """Polls the applied count until the backlog is in, a process dies or progress stalls."""
    first = last = None
    count_at_first, count, moved, reported, sampled = 0, 0, launched, launched, launched
    owners, shared_at, count_at_shared = {"members": {}}, None, 0
    cpu_at_first = cpu_at_last = None
    with benchdb.connect() as conn:
        while count < backlog.events:
            time.sleep(POLL_S)
            now, new_count = time.time(), benchdb.applied(conn)
            if new_count != count:
                count, moved = new_count, now
                if first is None:
                    first, count_at_first = now, count
                    cpu_at_first = cpu.sample(procs.pids(), conn)
            if count >= backlog.events:
                last = now
                cpu_at_last = cpu.sample(procs.pids(), conn)
            elif procs.exited() or now - moved > STALL_S:
                break
            if procs.count > 1 and now - sampled >= 1:  # the most members ever seen holding some
                sample, sampled = owners_or_error(procs.group), now
                if holders(sample) >= holders(owners):
                    owners = sample
                if holders(sample) == procs.count and shared_at is None:
                    shared_at, count_at_shared = now, count
            if now - reported >= 5:
                rate = f" ({(count - count_at_first) / (now - first):.0f}/s)" if first and now > first + 1 else ""
                say(f"  {count}/{backlog.events} applied{rate}")
                reported = now
    spent = (cpu.per_1000_events(cpu_at_first, cpu_at_last, count - count_at_first)
             if cpu_at_first and cpu_at_last else None)
    return {"first": first, "last": last, "count_at_first": count_at_first, "applied": count,
            "owners": owners, "shared_at": shared_at, "count_at_shared": count_at_shared,
            "cpu": spent}


def drain_run(backlog: Backlog, name: str, batch_size: int | None, processes: int) -> dict:
    benchdb.empty()
    group = f"bench-drain-{name.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
    procs = ConsumerGroupProcesses(backlog.topic, group, batch_size, processes)
    say(f"drain {name}: {processes} process(es), batch size {batch_size or 'default'}, group {group}")
    launched = time.time()
    procs.start()
    try:
        seen = watch_drain(procs, backlog, launched)
        if processes > 1:  # the assignment while all members are still in, before they leave
            at_end = owners_or_error(group)
            seen["owners"] = at_end if holders(at_end) >= holders(seen["owners"]) else seen["owners"]
    finally:
        exit_codes = procs.stop()
    with benchdb.connect() as conn:
        check = benchdb.exactly_once(conn, backlog.events, backlog.grants, backlog.buyers)
    first, last = seen["first"], seen["last"]
    result = {"group": group, "processes": processes, "batch_size": batch_size or "default",
              "complete": last is not None, "exactly_once": check, "exit_codes": exit_codes,
              "logs": [str(log) for log in procs.logs]}
    if last is not None and last > first:
        result["rate_per_s"] = round((backlog.events - seen["count_at_first"]) / (last - first), 1)
    elif last is not None:  # the whole backlog landed between two polls
        result["rate_per_s"] = round(backlog.events / (last - launched), 1)
    if last is not None:
        result["cpu_ms_per_1000_events"] = seen["cpu"]  # consumer(s), their backends, both
        result["first_to_last_s"] = round(last - first, 2)
        result["wall_s_with_start"] = round(last - launched, 2)
        result["wall_rate_per_s"] = round(backlog.events / (last - launched), 1)
    else:
        result["applied"] = seen["applied"]
        result["log_tail"] = procs.log_tail()
        say(f"  INCOMPLETE: {seen['applied']}/{backlog.events} applied; logs:\n{result['log_tail']}")
    if processes > 1:
        result["partition_owners"] = seen["owners"]
        result["partitions_shared"] = holders(seen["owners"]) == processes
        result["applied_per_process"] = [applied_in_log(log) for log in procs.logs]
        if seen["shared_at"] and last and last > seen["shared_at"]:  # once every member held some
            result["rate_once_shared_per_s"] = round(
                (backlog.events - seen["count_at_shared"]) / (last - seen["shared_at"]), 1)
    say(f"  {name}: {result.get('rate_per_s', 'n/a')}/s, CPU ms per 1000 events "
        f"{result.get('cpu_ms_per_1000_events')}, exactly once "
        f"{'OK' if check['ok'] else 'VIOLATED ' + str(check)}")
    return result


def owners_or_error(group: str) -> dict:
    try:
        return partition_owners(group)
    except Exception as error:  # a figure missing, not a reason to lose the run
        return {"error": repr(error), "members": {}}


def holders(owners: dict) -> int:
    """How many members hold partitions, none held twice (0 if any is)."""
    held = [partitions for partitions in owners["members"].values() if partitions]
    return len(held) if len({p for ps in held for p in ps}) == sum(map(len, held)) else 0


def applied_in_log(log) -> dict | None:
    """The counts a consumer logs when it stops (`... stopped: {'applied': N, ...}`), if any."""
    found = re.findall(r"stopped: (\{.*\})", log.read_text()) if log.exists() else []
    try:
        return ast.literal_eval(found[-1]) if found else None
    except (ValueError, SyntaxError):
        return None


def ratio(a: dict, b: dict) -> float | None:
    if a.get("rate_per_s") and b.get("rate_per_s"):
        return round(a["rate_per_s"] / b["rate_per_s"], 2)
    return None


def measure_drain() -> dict:
    missing = cli_missing()
    if missing:
        say(f"drain SKIPPED: {missing}")
        return {"skipped": missing}
    say(f"drain database {benchdb.NAME}: create if absent, migrate ...")
    benchdb.prepare()
    backlog = produce_backlog(BACKLOG)
    runs, groups = {}, []
    try:
        for name, batch_size, processes in (run for run in RUNS if run[0] in CHOSEN):
            runs[name] = drain_run(backlog, name, batch_size, processes)
            groups.append(runs[name]["group"])
    finally:
        delete_groups(groups)
        delete_topic(backlog.topic)
    return {"backlog": backlog.events, "grants": backlog.grants, "buyers": backlog.buyers,
            "topic": backlog.topic, "partitions": PARTITIONS, "runs": runs,
            "batched_over_batch_1": ratio(runs.get("batched", {}), runs.get("batch_1", {})),
            "three_over_one_process": ratio(runs.get("three_processes", {}), runs.get("batched", {}))}
