"""The stack as a whole: up (idempotent), down, status, logs, and the hooks the tests call."""
import fcntl
import subprocess
import sys
import time
from contextlib import contextmanager

from connectors.stack import apps, connect, connect_rest, connect_worker, kafka, postgres, prereqs
from connectors.stack.procs import StackError, say, tail, wait_until
from connectors.stack.settings import REPO_DIR, Settings, settings as default_settings

COMPONENTS = ("postgres", "kafka", "connect")
MIGRATED_SERVICES = ("sales_api", "access_api")


@contextmanager
def exclusive(settings: Settings):
    """One `up` at a time, e.g. when several pytest workers start the stack together."""
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.run_dir / "up.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def ours_running(settings: Settings) -> dict[str, bool]:
    return {
        "postgres": postgres.running_pid(settings) is not None,
        "kafka": kafka.jvm.running_pid(settings, "kafka", kafka.MAIN_CLASS) is not None,
        "connect": connect_worker.jvm.running_pid(settings, "connect",
                                                  connect_worker.MAIN_CLASS) is not None,
    }


def run_migrations() -> None:
    for service in MIGRATED_SERVICES:
        ini = REPO_DIR / "apps" / service / "alembic.ini"
        if not ini.exists():
            continue
        say(f"migrations: alembic upgrade head ({service})")
        result = subprocess.run([sys.executable, "-m", "alembic", "-c", str(ini), "upgrade",
                                 "head"], cwd=REPO_DIR, capture_output=True, text=True)
        if result.returncode != 0:
            raise StackError(f"migrations of {service} failed:\n{result.stdout}{result.stderr}")


def up(settings: Settings = default_settings, connectors: bool = True) -> None:
    """Start whatever is not running yet; with `connectors`, migrate and register them too."""
    started = time.monotonic()
    with exclusive(settings):
        prereqs.check_programs(settings)
        prereqs.check_ports(settings, ours_running(settings))
        prereqs.fetch_jars(settings)
        postgres.start(settings)
        postgres.ensure_databases(settings)
        kafka.start(settings)
        worker_restarted = connect_worker.start(settings)
        if connectors:
            run_migrations()
            kafka.ensure_topics(settings)
            connect.ensure_connectors(settings, worker_restarted)
    say(f"up in {time.monotonic() - started:.1f}s: PostgreSQL {settings.pg_host}:"
        f"{settings.pg_port}, Kafka {settings.kafka_bootstrap}, Connect {settings.connect_url}")


def down(settings: Settings = default_settings) -> None:
    apps.stop_apps(settings)  # the apps first: nothing should write while the stack stops
    # Connect first, so it commits its source offsets while Kafka still runs.
    for stop in (connect_worker.stop, kafka.stop, postgres.stop):
        say(stop(settings))


def status(settings: Settings = default_settings) -> list[str]:
    lines = [postgres.status(settings), kafka.status(settings), connect_worker.status(settings)]
    lines += apps.status_lines(settings)
    if connect_worker.rest_answers(settings):
        lines += connect_rest.connector_lines(settings)
    return lines


def logs(settings: Settings = default_settings, component: str | None = None,
         lines: int = 50) -> None:
    for name in [component] if component else COMPONENTS + apps.APP_NAMES:
        print(f"===== {settings.log_file(name)} (last {lines} lines)")
        print("\n".join(tail(settings.log_file(name), lines)))


def all_ready(settings: Settings) -> bool:
    if not (postgres.accepts_connections(settings) and kafka.answers(settings)
            and connect_worker.rest_answers(settings)):
        return False
    names = [connect.load_connector(p, settings)[0] for p in connect.CONFIG_DIR.glob("*.json")]
    return all(connect_rest.is_running(connect_rest.connector_status(settings, n)) for n in names)


def wait_ready(settings: Settings = default_settings, timeout: float = 120) -> Settings:
    """Wait for a stack someone else is starting (no process is started here)."""
    say("waiting for postgres, kafka, connect and connectors ", end="")
    took = wait_until(lambda: all_ready(settings), timeout, what="the stack")
    print(f" ready ({took:.1f}s)", flush=True)
    return settings


def ensure_up(settings: Settings = default_settings) -> Settings:
    """For the test suite: start the stack once per session, reuse it when already up.

    `up` is idempotent and quick when everything runs (it re-applies the migrations, which
    picks up a migration added since the stack started).
    """
    up(settings)
    return settings


def run_foreground(settings: Settings = default_settings) -> None:
    """`make run`: everything up, the apps' logs on screen, Ctrl-C stops everything."""
    import signal

    def terminate(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    # Explicitly: a shell without job control starts background commands with SIGINT ignored,
    # and Python then never raises KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        up(settings)
        apps.start_apps(settings)
        say(f"running: sales API {apps.SALES_API_URL}/docs, access API {apps.ACCESS_API_URL}/docs"
            " (Ctrl-C stops everything)")
        apps.follow_logs(settings)
    except KeyboardInterrupt:
        print(flush=True)
        say("stopping ...")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
        down(settings)
