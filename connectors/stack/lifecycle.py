"""The stack as a whole: up (idempotent), down, status, logs, and the hooks the tests call.

supervisord keeps the processes alive (supervisor.py); this module does what it cannot: the
files each process needs, the start order with a readiness wait per program, the migrations,
topics, replication slots and connectors, and clear messages when a step fails.
"""
import fcntl
import subprocess
import sys
import time
from contextlib import contextmanager

from connectors.stack import connect, connect_rest, connect_worker, kafka, postgres, prereqs
from connectors.stack import supervisor
from connectors.stack.programs import APP_NAMES, INFRA_NAMES, NAMES, PROGRAMS, Program, by_name
from connectors.stack.procs import StackError, say, tail
from connectors.stack.settings import REPO_DIR, Settings, settings as default_settings

MIGRATED_SERVICES = ("sales_api", "access_api", "course_access", "notifications")


@contextmanager
def exclusive(settings: Settings):
    """One `up` at a time, e.g. when several pytest workers start the stack together."""
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.run_dir / "up.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def running(settings: Settings) -> set[str]:
    """The programs supervisord is running (or starting) right now."""
    return {name for name, info in supervisor.all_info(settings).items()
            if info["statename"] in supervisor.UP_STATES}


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


def start_program(settings: Settings, program: Program) -> bool:
    """Start one program under supervisord and wait until it is ready; True if started now."""
    name = program.name
    if name in running(settings) and program.ready(settings):
        say(f"{name}: running (pid {supervisor.info(settings, name)['pid']}), reused")
        return False
    say(f"{name}: starting ", end="")
    supervisor.start(settings, name)
    try:
        took = supervisor.wait_ready(settings, program)
    except StackError as error:
        log = settings.log_file(name)
        supervisor.stop(settings, name)  # no restart loop behind a failed `up`
        raise StackError(f"{error}; last lines of {log}:\n" + "\n".join(tail(log, 30))) from None
    print(f" ready ({took:.1f}s, pid {supervisor.info(settings, name)['pid']})", flush=True)
    return True


def up(settings: Settings = default_settings, connectors: bool = True, apps: bool = False) -> None:
    """Start whatever is not running yet; with `connectors`, migrate and register them too."""
    started = time.monotonic()
    with exclusive(settings):
        prereqs.check_programs(settings)
        prereqs.check_ports(settings, running(settings))
        prereqs.fetch_jars(settings)
        for prepare in (postgres.prepare, kafka.prepare, connect_worker.prepare):
            prepare(settings)
        supervisor.ensure_running(settings, PROGRAMS)
        start_program(settings, by_name("postgres"))
        postgres.ensure_databases(settings)
        start_program(settings, by_name("kafka"))
        worker_restarted = start_program(settings, by_name("connect"))
        connect_worker.wait_for_plugin(settings)
        if connectors:
            run_migrations()
            kafka.ensure_topics(settings)
            connect.ensure_connectors(settings, worker_restarted)
            ensure_dev_key(settings)
        if apps:
            start_apps(settings)
    say(f"up in {time.monotonic() - started:.1f}s: PostgreSQL {settings.pg_host}:"
        f"{settings.pg_port}, Kafka {settings.kafka_bootstrap}, Connect {settings.connect_url}")


def ensure_dev_key(settings: Settings) -> None:
    """A development key with every scope, printed with an example, and the storefront's own
    key, in its file for the shop to read (none in production)."""
    from apps.api_keys import dev

    key = dev.ensure_dev_key(settings.stack_dir / dev.KEY_FILE)
    dev.ensure_storefront_key(settings.stack_dir / dev.STOREFRONT_KEY_FILE)
    if key:
        say(dev.dev_key_hint(key))


def start_apps(settings: Settings, names=APP_NAMES) -> list[str]:
    """Start the apps not yet running; returns the names started now."""
    return [name for name in names if start_program(settings, by_name(name))]


def stop_apps(settings: Settings, names=APP_NAMES) -> None:
    for name in reversed(names):
        say(f"{name}: {supervisor.stop(settings, name)}")


def down(settings: Settings = default_settings) -> None:
    say(supervisor.shutdown(settings))


def status(settings: Settings = default_settings) -> list[str]:
    if not supervisor.answers(settings):
        return [f"supervisord: not running (socket {supervisor.socket_path(settings)}); "
                "`make up` starts everything"]
    infos, restarts = supervisor.all_info(settings), supervisor.restarts(settings)
    lines = [f"supervisord: running, config {supervisor.config_path(settings)}"]
    for program in PROGRAMS:
        info = infos.get(program.name, {})
        state = info.get("statename", "UNKNOWN")
        line = f"{program.name:<22} {state:<8} {info.get('description', '')}"
        if program.name in restarts:
            count, last = restarts[program.name]
            line += f", restarts {count} (last: {last})"
        if state == "RUNNING":
            address = program.address.format(**address_values(settings))
            line += f", {address + ' ' if address else ''}{'ready' if program.ready(settings) else 'NOT ready'}"
        lines.append(line)
    if connect_worker.rest_answers(settings):
        lines += connect_rest.connector_lines(settings)
    return lines


def address_values(settings: Settings) -> dict[str, str]:
    return {"pg_port": str(settings.pg_port), "kafka_bootstrap": settings.kafka_bootstrap,
            "connect_url": settings.connect_url}


def logs(settings: Settings = default_settings, component: str | None = None,
         lines: int = 50) -> None:
    for name in [component] if component else NAMES + ("supervisord",):
        print(f"===== {settings.log_file(name)} (last {lines} lines)")
        print("\n".join(tail(settings.log_file(name), lines)))


def infra_ready(settings: Settings) -> bool:
    if not (postgres.accepts_connections(settings) and kafka.answers(settings)
            and connect_worker.rest_answers(settings)):
        return False
    names = [connect.load_connector(p, settings)[0] for p in connect.CONFIG_DIR.glob("*.json")]
    return all(connect_rest.is_running(connect_rest.connector_status(settings, n)) for n in names)


def ensure_up(settings: Settings = default_settings) -> Settings:
    """For the test suite: start the stack once per session, reuse it when already up.

    `up` is idempotent and quick when everything runs (it re-applies the migrations, which
    picks up a migration added since the stack started).
    """
    up(settings)
    return settings


def infra_running(settings: Settings = default_settings) -> bool:
    return set(INFRA_NAMES) <= running(settings)
