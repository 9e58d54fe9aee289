"""Real consumer processes for the drain: `python -m apps.consumers access-roles ...`, one group.

The bench starts them exactly as an operator would, against `access_bench`, so the drain rate
includes decoding, the runner's batching and commits, and nothing bench-specific.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from confluent_kafka.admin import AdminClient

from connectors.stack.settings import REPO_DIR, settings as stack
from tests.bench import benchdb
from tests.bench.common import KAFKA_BOOTSTRAP

LOG_DIR = stack.logs_dir / "bench"


def consumer_argv(topic: str, group: str, batch_size: int | None) -> list[str]:
    # --http-port 0: no health server, whose default port the stack's consumer already holds
    argv = [sys.executable, "-m", "apps.consumers", "access-roles", "--topic", topic,
            "--group", group, "--dead-letter-topic", f"{topic}.dlq", "--http-port", "0"]
    return argv + (["--batch-size", str(batch_size)] if batch_size else [])


def cli_missing() -> str | None:
    """Why the consumer CLI the drain needs is not there, or None when it is.

    Asked with --help against an unreachable Kafka and the bench database: a build of
    apps.consumers that ignores its arguments would otherwise join the real group and take
    partitions of sales.purchase from the running consumer.
    """
    env = {**os.environ, "KAFKA_BOOTSTRAP": "127.0.0.1:9", "ACCESS_DATABASE_URL": benchdb.url()}
    try:
        done = subprocess.run([sys.executable, "-m", "apps.consumers", "access-roles", "--help"],
                              cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return "`python -m apps.consumers access-roles --help` did not return (arguments ignored)"
    usage = done.stdout + done.stderr
    needed = [flag for flag in ("--topic", "--group", "--batch-size", "--dead-letter-topic")
              if flag not in usage]
    if done.returncode != 0 or needed:
        return (f"`python -m apps.consumers access-roles` lacks {needed or 'a working --help'} "
                f"(exit {done.returncode}): {usage.strip()[-300:]}")
    return None


class ConsumerGroupProcesses:
    """`count` consumer processes of one group; stopped with SIGTERM, then waited for."""

    def __init__(self, topic: str, group: str, batch_size: int | None, count: int):
        self.topic, self.group, self.batch_size, self.count = topic, group, batch_size, count
        self.procs: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def start(self) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "ACCESS_DATABASE_URL": benchdb.url(), "PYTHONUNBUFFERED": "1"}
        for i in range(self.count):
            log = LOG_DIR / f"{self.group}-{i}.log"
            with open(log, "w") as out:
                self.procs.append(subprocess.Popen(
                    consumer_argv(self.topic, self.group, self.batch_size), cwd=REPO_DIR,
                    env=env, stdout=out, stderr=subprocess.STDOUT))
            self.logs.append(log)

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def exited(self) -> list[int]:
        return [p.returncode for p in self.procs if p.poll() is not None]

    def stop(self, timeout_s: float = 30) -> list[int | None]:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()  # a consumer that ignores SIGTERM; its uncommitted batch is redelivered
                proc.wait()
        return [p.returncode for p in self.procs]

    def log_tail(self, lines: int = 15) -> str:
        return "\n".join(f"--- {log}\n" + "\n".join(log.read_text().splitlines()[-lines:])
                         for log in self.logs if log.exists())


def partition_owners(group: str) -> dict:
    """The group's state and which member holds which partitions, from the broker."""
    admin = AdminClient({"bootstrap.servers": KAFKA_BOOTSTRAP, "log_level": 4})
    description = admin.describe_consumer_groups([group])[group].result(10)
    members = {f"{m.client_id}@{m.host}/{m.member_id[-6:]}":
               sorted(tp.partition for tp in m.assignment.topic_partitions)
               for m in description.members}
    return {"state": str(description.state).split(".")[-1], "members": members}


def delete_groups(groups: list[str]) -> None:
    if groups:
        admin = AdminClient({"bootstrap.servers": KAFKA_BOOTSTRAP, "log_level": 4})
        for future in admin.delete_consumer_groups(groups).values():
            try:
                future.result(10)
            except Exception:  # an already-gone group is fine; this is only tidying up
                pass
