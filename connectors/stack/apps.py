"""The project's own processes on top of the stack: both APIs (gunicorn) and the consumers."""
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import requests

from apps.consumers.runner import CONSUMERS
from apps.settings import ACCESS_API_URL, SALES_API_URL
from connectors.stack.procs import StackError, read_pid, say, spawn, stop, tail, wait_until
from connectors.stack.settings import REPO_DIR, Settings


@dataclass(frozen=True)
class App:
    name: str
    argv: list[str]
    marker: str  # in the command line, to recognise our process behind a pid file
    health_url: str | None = None


def gunicorn(module: str, url: str) -> list[str]:
    address = urlparse(url)
    # Threads, not processes: the work is I/O (PostgreSQL) and the machine has 2 cores.
    return [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "8",
            "--worker-class", "gthread", "--bind", f"{address.hostname}:{address.port}",
            "--access-logfile", "-", "--graceful-timeout", "10", f"{module}:create_app()"]


APPS = (
    App("sales-api", gunicorn("apps.sales_api.app", SALES_API_URL), "apps.sales_api.app",
        f"{SALES_API_URL}/openapi.json"),
    App("access-api", gunicorn("apps.access_api.app", ACCESS_API_URL), "apps.access_api.app",
        f"{ACCESS_API_URL}/openapi.json"),
    # One process per consumer group (apps/consumers/runner.py CONSUMERS is the list).
    *(App(f"consumer-{name}", [sys.executable, "-m", "apps.consumers", name],
          f"apps.consumers {name}") for name in sorted(CONSUMERS)),
)
APP_NAMES = tuple(app.name for app in APPS)


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def running_pid(settings: Settings, app: App) -> int | None:
    return read_pid(settings.pid_file(app.name), app.marker)


def start_apps(settings: Settings) -> None:
    for app in APPS:
        if running_pid(settings, app):
            say(f"{app.name}: already running (pid {running_pid(settings, app)})")
            continue
        if app.health_url and answers(app.health_url):
            raise StackError(f"{app.name}: {app.health_url} is served by a process that is not "
                             f"ours; stop it or set {app.name.split('-')[0].upper()}_API_URL")
        say(f"{app.name}: starting ", end="")
        proc = spawn(app.argv, settings.log_file(app.name), settings.pid_file(app.name), REPO_DIR)
        try:
            if app.health_url:
                took = wait_until(lambda: answers(app.health_url), 60, lambda: proc.poll() is None,
                                  what=app.name)
            else:  # the consumers have no port: give them a moment to fail on bad settings
                time.sleep(2)
                if proc.poll() is not None:
                    raise StackError(f"{app.name} exited during start-up")
                took = 2.0
        except StackError as error:
            log = "\n".join(tail(settings.log_file(app.name), 30))
            raise StackError(f"{error}; last lines of {settings.log_file(app.name)}:\n{log}")
        print(f" ready ({took:.1f}s)", flush=True)


def stop_apps(settings: Settings) -> None:
    for app in reversed(APPS):
        pid = running_pid(settings, app)
        say(f"{app.name}: {stop(pid, app.marker, 20) if pid else 'not running'}")


def status_lines(settings: Settings) -> list[str]:
    lines = []
    for app in APPS:
        pid = running_pid(settings, app)
        where = f" at {app.health_url.rsplit('/', 1)[0]}" if app.health_url else ""
        lines.append(f"{app.name:<10} {'running (pid %d)%s' % (pid, where) if pid else 'stopped'}")
    return lines


def follow_logs(settings: Settings, names=APP_NAMES) -> None:
    """Print new lines of the apps' logs until interrupted (the foreground of `make run`)."""
    files = {}
    for name in names:
        f = open(settings.log_file(name), errors="replace")
        f.seek(0, 2)
        files[name] = f
    while True:
        quiet = True
        for name, f in files.items():
            for line in f.readlines():
                quiet = False
                print(f"{name:>10} | {line}", end="", flush=True)
        if quiet:
            time.sleep(0.3)
