"""Builds and runs the consumers until SIGINT/SIGTERM."""
import logging
import signal
import threading

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from outbox.runner import EventRunner, RunnerConfig

from apps.access_api.service.uow import AccessUnitOfWork
from apps.consumers import access_roles
from apps.settings import database_url, kafka_bootstrap

log = logging.getLogger(__name__)


def access_roles_runner(bootstrap: str | None = None, db_url: str | None = None,
                        group: str = access_roles.GROUP, topic: str = access_roles.TOPIC,
                        dead_letter_topic: str = access_roles.DEAD_LETTER_TOPIC,
                        **overrides) -> EventRunner:
    sessions = sessionmaker(create_engine(db_url or database_url("access"), pool_pre_ping=True))
    config = RunnerConfig(name=group, bootstrap_servers=bootstrap or kafka_bootstrap(),
                          topics=[topic], dead_letter_topic=dead_letter_topic, **overrides)
    return EventRunner(config, access_roles.HANDLERS, lambda: AccessUnitOfWork(sessions))


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    runners = [access_roles_runner()]
    threads = [threading.Thread(target=r.run, args=(stop.is_set,), name=r.config.name)
               for r in runners]
    for thread in threads:
        thread.start()
    log.info("consumers running: %s", ", ".join(r.config.name for r in runners))
    for thread in threads:
        thread.join()
    log.info("consumers stopped")
