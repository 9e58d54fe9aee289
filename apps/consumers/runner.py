"""One consumer group per process: `python -m apps.consumers NAME [--topic ...]`.

`CONSUMERS` is the one list of consumers; the stack starts one process for each. A crash of
one consumer cannot leave another half-alive, and each scales out on its own (more processes
with the same group share the topic's partitions).
"""
import argparse
import logging
import signal
import sys
import threading

from confluent_kafka import KafkaException
from sqlalchemy import create_engine

from outbox.batch import Handlers
from outbox.retention import inbox_window_for
from outbox.runner import EventRunner, FatalKafkaError, RunnerConfig

from apps.access_api.service.uow import AccessUnitOfWork
from apps.consumers import access_roles
from apps.settings import database_url, kafka_bootstrap

log = logging.getLogger(__name__)

# name -> (module with TOPIC, GROUP, DEAD_LETTER_TOPIC, DATABASE, EVENT_TYPES, HANDLERS,
#          BATCH_HANDLERS; the unit of work class of its database)
CONSUMERS = {
    "access-roles": (access_roles, AccessUnitOfWork),
}


def build(name: str, bootstrap: str | None = None, db_url: str | None = None,
          topic: str | None = None, group: str | None = None,
          dead_letter_topic: str | None = None, derive_inbox_window: bool = True,
          **overrides) -> EventRunner:
    spec, uow_class = CONSUMERS[name]
    bootstrap = bootstrap or kafka_bootstrap()
    topics = [topic or spec.TOPIC]
    if derive_inbox_window and "inbox_window" not in overrides:
        overrides["inbox_window"] = inbox_window_for(bootstrap, topics)
    # Core connections, not ORM sessions: the repositories run plain statements only.
    engine = create_engine(db_url or database_url(spec.DATABASE), pool_pre_ping=True)
    config = RunnerConfig(name=group or spec.GROUP, bootstrap_servers=bootstrap, topics=topics,
                          dead_letter_topic=dead_letter_topic or spec.DEAD_LETTER_TOPIC,
                          **overrides)
    handlers = Handlers(spec.HANDLERS, spec.BATCH_HANDLERS)
    return EventRunner(config, handlers, lambda: uow_class(engine.connect), spec.EVENT_TYPES)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m apps.consumers", description=__doc__)
    parser.add_argument("name", choices=sorted(CONSUMERS), help="which consumer to run")
    parser.add_argument("--topic", help="read this topic instead of the consumer's own")
    parser.add_argument("--group", help="consumer group id (also its inbox key)")
    parser.add_argument("--dead-letter-topic")
    parser.add_argument("--batch-size", type=int, default=500,
                        help="most events applied in one transaction (1 = one each)")
    parser.add_argument("--batch-wait-ms", type=float, default=2.0,
                        help="after the first message, how long to wait for more")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = parse(argv)
    if args.batch_size < 1:
        print("--batch-size must be at least 1", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    runner = build(args.name, topic=args.topic, group=args.group,
                   dead_letter_topic=args.dead_letter_topic, batch_size=args.batch_size,
                   batch_wait_s=args.batch_wait_ms / 1000)
    config = runner.config
    log.info("%s: consuming %s (batches of up to %d), inbox window %s", config.name,
             ", ".join(config.topics), config.batch_size, config.inbox_window or "unbounded")
    try:
        runner.run(stop.is_set)
    except FatalKafkaError as error:
        log.critical("%s", error)
        return 3
    except KafkaException as error:  # e.g. the dead-letter topic cannot take a message
        log.critical("%s: stopping rather than moving past an unparked message: %s",
                     config.name, error)
        return 3
    log.info("%s stopped: %s", config.name, runner.counts)
    return 0
