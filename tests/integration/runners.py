"""Consumer runners and racing schedulers in threads for the integration tests: started on
demand, all stopped after."""
import threading
import uuid
from contextlib import contextmanager


class RunnerThreads:
    def __init__(self):
        self.started = []

    def start(self, runner):
        stop = threading.Event()
        thread = threading.Thread(target=runner.run, args=(stop.is_set,))
        thread.start()
        self.started.append((stop, thread, runner))
        return runner

    def stop_all(self) -> None:
        for stop, thread, runner in self.started:
            stop.set()
            thread.join(30)
            runner.producer = None  # freed now, not when Kafka stops at the end of the session


@contextmanager
def consumer_on_own_topic(name: str, label: str):
    """Consumer `name`'s runner in a thread, on a fresh topic (and dead-letter topic) of the
    test's own, `test.<label>.<random>`, started at once; yields (topic, group). Stopped and the
    topics deleted afterwards: the stack's own consumer never sees the test's messages."""
    from apps.consumers.runner import build
    from tests.integration.order_topics import create_topics, delete_topics

    topic, group = f"test.{label}.{uuid.uuid4().hex[:8]}", f"test-{name}-{uuid.uuid4().hex[:8]}"
    create_topics(topic, f"{topic}.dlq")
    threads = RunnerThreads()
    try:
        threads.start(build(name, topic=topic, dead_letter_topic=f"{topic}.dlq", group=group,
                            derive_inbox_window=False, max_attempts=2, retry_backoff_s=0.05,
                            poll_timeout_s=0.2))
        yield topic, group
    finally:
        threads.stop_all()
        delete_topics(topic, f"{topic}.dlq")


def run_together(*work, timeout: float = 120.0) -> None:
    """Each callable in a thread of its own, all released at once; fails on any one's error."""
    ready, failures = threading.Barrier(len(work)), []

    def run(job):
        try:
            ready.wait(10)
            job()
        except Exception as error:  # surfaced below: a thread's exception would be lost
            failures.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not failures and not any(t.is_alive() for t in threads), failures


def passes_until_caught_up(scheduler) -> None:
    """A scheduler's passes, again while its batches come back full (it asks for no wait)."""
    while scheduler.run_once() == 0.0:
        pass
