"""One consumer group per process: `python -m apps.consumers NAME [--topic ...]`.

`CONSUMERS` is the one list of consumers; the stack starts one process for each. A crash of
one consumer cannot leave another half-alive, and each scales out on its own (more processes
with the same group share the topic's partitions). Each process serves /health/live,
/health/ready and /metrics on its own port (outbox/health.py).
"""
import argparse
import logging
import signal
import sys
import threading
from typing import NamedTuple

from confluent_kafka import KafkaException
from sqlalchemy import create_engine

from outbox.batch import Handlers
from outbox.health import HealthServer, database_check
from outbox.retention import inbox_window_for
from outbox.runner import EventRunner, FatalKafkaError, RunnerConfig

from apps.access_api.service.uow import AccessUnitOfWork
from apps.billing.service.uow import BillingUnitOfWork
from apps.consumers import (access_customers, access_roles, access_subscriptions, billing,
                            course_access, payments, sales_customers)
from apps.consumers import leads
from apps.consumers import notifications
from apps.course_access.service.uow import CoursesUnitOfWork
from apps.leads.service.uow import LeadsUnitOfWork
from apps.notifications.service.uow import NotificationsUnitOfWork
from apps.sales_api.service.uow import SalesUnitOfWork
from apps.settings import database_url, env, kafka_bootstrap

log = logging.getLogger(__name__)


DEFAULT_BATCH_SIZE = 500


class ConsumerEntry(NamedTuple):
    spec: object  # module with TOPIC, GROUP, DEAD_LETTER_TOPIC, DATABASE, EVENT_TYPES, HANDLERS,
    #               BATCH_HANDLERS; optionally INBOX_WINDOW (where the topic's retention must
    #               not set it), TRANSIENT_ERRORS (held and retried, never dead-lettered),
    #               BATCH_SIZE, TOPICS (several topics in one group, instead of TOPIC) and
    #               check_settings() (called at start-up: a missing setting stops it there)
    uow_class: type  # the unit of work of its database
    http_port: int  # health and metrics; clear of the APIs (8000, 8001) and the stack (5xxxx)


CONSUMERS = {
    "access-roles": ConsumerEntry(access_roles, AccessUnitOfWork, 9101),
    "course-access": ConsumerEntry(course_access, CoursesUnitOfWork, 9102),
    "payments": ConsumerEntry(payments, SalesUnitOfWork, 9103),
    "access-customers": ConsumerEntry(access_customers, AccessUnitOfWork, 9104),
    "sales-customers": ConsumerEntry(sales_customers, SalesUnitOfWork, 9105),
    "billing": ConsumerEntry(billing, BillingUnitOfWork, 9106),
    "access-subscriptions": ConsumerEntry(access_subscriptions, AccessUnitOfWork, 9107),
    "notifications": ConsumerEntry(notifications, NotificationsUnitOfWork, 9108),
    "leads": ConsumerEntry(leads, LeadsUnitOfWork, 9109),
}


def http_port(name: str) -> int:
    """CONSUMER_<NAME>_HTTP_PORT (e.g. CONSUMER_ACCESS_ROLES_HTTP_PORT), else its default."""
    variable = f"CONSUMER_{name.upper().replace('-', '_')}_HTTP_PORT"
    return int(env(variable, str(CONSUMERS[name].http_port)))


def http_host() -> str:
    return env("CONSUMER_HTTP_HOST", "127.0.0.1")


def topics_of(spec) -> list[str]:
    """The topics a consumer reads: its TOPICS, or its one TOPIC."""
    return list(getattr(spec, "TOPICS", None) or [spec.TOPIC])


def build(name: str, bootstrap: str | None = None, db_url: str | None = None,
          topic: str | None = None, group: str | None = None,
          dead_letter_topic: str | None = None, derive_inbox_window: bool = True,
          **overrides) -> EventRunner:
    spec, uow_class, _ = CONSUMERS[name]
    bootstrap = bootstrap or kafka_bootstrap()
    topics = [topic] if topic else topics_of(spec)
    if hasattr(spec, "check_settings"):
        spec.check_settings()
    if hasattr(spec, "INBOX_WINDOW"):  # the consumer's own window, whatever the retention
        overrides.setdefault("inbox_window", spec.INBOX_WINDOW)
    if hasattr(spec, "TRANSIENT_ERRORS"):  # more than its database can be away (a platform)
        overrides.setdefault("transient_errors", spec.TRANSIENT_ERRORS)
    if overrides.get("batch_size") is None:
        overrides["batch_size"] = getattr(spec, "BATCH_SIZE", DEFAULT_BATCH_SIZE)
    if derive_inbox_window and "inbox_window" not in overrides:
        overrides["inbox_window"] = inbox_window_for(bootstrap, topics)
    # Core connections, not ORM sessions: the repositories run plain statements only.
    engine = create_engine(db_url or database_url(spec.DATABASE), pool_pre_ping=True)
    config = RunnerConfig(name=group or spec.GROUP, bootstrap_servers=bootstrap, topics=topics,
                          dead_letter_topic=dead_letter_topic or spec.DEAD_LETTER_TOPIC,
                          **overrides)
    handlers = Handlers(spec.HANDLERS, spec.BATCH_HANDLERS)
    return EventRunner(config, handlers, lambda: uow_class(engine.connect), spec.EVENT_TYPES)


def serve_http(name: str, runner: EventRunner, port: int, host: str | None = None,
               db_url: str | None = None) -> HealthServer:
    """Starts the health and metrics server of `runner` (port 0: any free port)."""
    check = database_check(db_url or database_url(CONSUMERS[name].spec.DATABASE))
    return HealthServer(runner.config.name, runner.health, runner.metrics.registry, check,
                        host or http_host(), port).start()


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m apps.consumers", description=__doc__)
    parser.add_argument("name", choices=sorted(CONSUMERS), help="which consumer to run")
    parser.add_argument("--topic", help="read this topic instead of the consumer's own")
    parser.add_argument("--group", help="consumer group id (also its inbox key)")
    parser.add_argument("--dead-letter-topic")
    parser.add_argument("--batch-size", type=int,
                        help="most events applied in one transaction (1 = one each; default "
                             f"{DEFAULT_BATCH_SIZE}, or the consumer's own)")
    parser.add_argument("--batch-wait-ms", type=float, default=2.0,
                        help="after the first message, how long to wait for more")
    ports = ", ".join(f"{c.http_port} for {name}" for name, c in CONSUMERS.items())
    parser.add_argument("--http-port", type=int,
                        help="port of /health/live, /health/ready and /metrics; 0 = none "
                             f"(default: CONSUMER_<NAME>_HTTP_PORT, else {ports})")
    parser.add_argument("--http-host", help="address to serve on (CONSUMER_HTTP_HOST, 127.0.0.1)")
    parser.add_argument("--instance-id",
                        help="static group membership (group.instance.id): a process restarted "
                             "under the same id gets its partitions back at once instead of "
                             "after the session timeout; every process of a group needs its own")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = parse(argv)
    if args.batch_size is not None and args.batch_size < 1:
        print("--batch-size must be at least 1", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    extra = {"group.instance.id": args.instance_id} if args.instance_id else {}
    runner = build(args.name, topic=args.topic, group=args.group,
                   dead_letter_topic=args.dead_letter_topic, batch_size=args.batch_size,
                   batch_wait_s=args.batch_wait_ms / 1000, extra=extra)
    config = runner.config
    port = http_port(args.name) if args.http_port is None else args.http_port
    if port:
        try:
            server = serve_http(args.name, runner, port, args.http_host)
        except OSError as error:  # e.g. a second process of this consumer on the same machine
            log.critical("%s: cannot serve health and metrics on port %d: %s (give each "
                         "process its own --http-port, or 0 for none)", config.name, port, error)
            return 2
        log.info("%s: health and metrics on http://%s:%d", config.name,
                 *server.httpd.server_address[:2])
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
