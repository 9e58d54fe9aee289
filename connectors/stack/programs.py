"""Every long-lived process of the local stack, in one list: what supervisord runs.

A later process (a scheduler, another consumer) is one more `Program` here. The order of the
list is the start order; supervisord stops them in reverse (its `priority`). Readiness, which no
supervisor knows, is each program's `ready` check, waited for by `up` before the next one starts.
"""
import socket
import sys
from dataclasses import dataclass, field
from collections.abc import Callable
from urllib.parse import urlparse

from apps.consumers.runner import CONSUMERS
from apps.settings import ACCESS_API_URL, SALES_API_URL, env
from connectors.stack import connect_worker, kafka, postgres
from connectors.stack.settings import REPO_DIR, Settings


@dataclass(frozen=True)
class Program:
    name: str
    command: Callable[[Settings], list[str]]
    ready: Callable[[Settings], bool]
    app: bool  # ours (started by `up --apps` / `run`), as opposed to PostgreSQL, Kafka, Connect
    start_timeout: float = 60
    # SIGTERM everywhere except PostgreSQL, whose "fast" shutdown is SIGINT.
    stop_signal: str = "TERM"
    stop_wait: int = 20  # seconds before supervisord sends SIGKILL
    user: str | None = None
    address: str = ""
    address_setting: str = ""  # the environment variable that moves an app's port
    environment: dict[str, str] = field(default_factory=dict)


def gunicorn(module: str, url: str) -> Callable[[Settings], list[str]]:
    address = urlparse(url)

    def command(settings: Settings) -> list[str]:
        # Threads, not processes: the work is I/O (PostgreSQL) and the machine has 2 cores.
        # apps/gunicorn_conf.py holds the request limits and the metrics set-up.
        conf = REPO_DIR / "apps" / "gunicorn_conf.py"
        return [sys.executable, "-m", "gunicorn", *(["-c", str(conf)] if conf.exists() else []),
                "--workers", "2", "--threads", "8", "--worker-class", "gthread",
                "--bind", f"{address.hostname}:{address.port}", "--access-logfile", "-",
                "--graceful-timeout", "10", f"{module}:create_app()"]
    return command


def http_ok(url: str) -> Callable[[Settings], bool]:
    import requests

    def ready(_settings: Settings) -> bool:
        try:
            return requests.get(url, timeout=1).status_code == 200
        except requests.RequestException:
            return False
    return ready


def supervised_running(name: str) -> Callable[[Settings], bool]:
    """For a program without a health check: up for supervisord's start seconds."""
    from connectors.stack import supervisor

    return lambda settings: supervisor.all_info(settings).get(name, {}).get("statename") == "RUNNING"


def with_health(name: str, argv: list[str], port: int, setting: str) -> Program:
    """One of our processes, ready when its /health/ready answers (port 0: none, then when
    supervisord has it RUNNING)."""
    if port:
        return Program(name, lambda s: argv, http_ok(f"http://127.0.0.1:{port}/health/ready"),
                       app=True, address=f"http://127.0.0.1:{port}", address_setting=setting)
    return Program(name, lambda s: argv, supervised_running(name), app=True)


def consumer(name: str) -> Program:
    from apps.consumers.runner import http_port

    # The instance id makes the process a static group member: restarted under the same id it
    # gets its partitions back at once, not after its predecessor's session times out (45 s).
    argv = [sys.executable, "-m", "apps.consumers", name, "--instance-id",
            f"{name}-{socket.gethostname()}"]
    return with_health(f"consumer-{name}", argv, http_port(name),
                       f"CONSUMER_{name.upper().replace('-', '_')}_HTTP_PORT")


def expiry_scheduler() -> Program:
    """Ends grants at their end time (apps/access_api/scheduler.py); more instances are safe."""
    from apps.access_api.scheduler import http_port

    return with_health("access-expiry", [sys.executable, "-m", "apps.access_api.scheduler"],
                       http_port(), "ACCESS_EXPIRY_HTTP_PORT")


def billing_scheduler() -> Program:
    """Charges due subscriptions and marks overdue ones (apps/billing/scheduler.py); more
    instances are safe."""
    from apps.billing.scheduler import http_port

    return with_health("billing-scheduler", [sys.executable, "-m", "apps.billing.scheduler"],
                       http_port(), "BILLING_SCHEDULER_HTTP_PORT")


def leads_scheduler() -> Program:
    """Reminds the leads left open past LEAD_REMINDER_DELAY (apps/leads/scheduler.py); more
    instances are safe."""
    from apps.leads.scheduler import http_port

    return with_health("leads-scheduler", [sys.executable, "-m", "apps.leads.scheduler"],
                       http_port(), "LEADS_SCHEDULER_HTTP_PORT")


def payment_platform() -> Program:
    """The local stand-in for the external card processor (apps/payment_platform: a fake, which
    production replaces by the real platform's PAYMENT_PLATFORM_URL)."""
    url = env("PAYMENT_PLATFORM_URL", "http://127.0.0.1:8090")
    # It posts its signed payment webhooks to the sales API, as the real platform would.
    webhooks = env("PAYMENT_WEBHOOK_URL", f"{SALES_API_URL}/api/webhooks/payment")
    return Program("payment-platform", lambda s: [sys.executable, "-m", "apps.payment_platform"],
                   http_ok(f"{url}/health/ready"), app=True, address=url,
                   address_setting="PAYMENT_PLATFORM_URL",
                   environment={"PAYMENT_WEBHOOK_URL": webhooks})


def smtp_server() -> Program:
    """The local SMTP server (apps/notifications/smtp_server.py): keeps every message in the
    Maildir $STACK_DIR/mail/; production points SMTP_URL at a real relay instead."""
    from apps.notifications.smtp_server import address, answers

    host, port = address()
    return Program("smtp", lambda s: [sys.executable, "-m", "apps.notifications.smtp_server"],
                   lambda s: answers(host, port), app=True, address=f"smtp://{host}:{port}",
                   address_setting="SMTP_URL")


def storefront() -> Program:
    """The shop's web pages (apps/storefront), a client of both APIs over HTTP."""
    url = env("STOREFRONT_URL", "http://127.0.0.1:8002")  # which apps.storefront reads too
    return Program("storefront", lambda s: [sys.executable, "-m", "apps.storefront"],
                   http_ok(f"{url}/health/ready"), app=True, address=url,
                   address_setting="STOREFRONT_URL")


PROGRAMS: tuple[Program, ...] = (
    Program("postgres", postgres.command, postgres.accepts_connections, app=False,
            stop_signal="INT", stop_wait=60, user=postgres.service_user(),
            address="127.0.0.1:{pg_port}"),
    Program("kafka", kafka.command, kafka.answers, app=False, start_timeout=120, stop_wait=60,
            address="{kafka_bootstrap}"),
    Program("connect", connect_worker.command, connect_worker.rest_answers, app=False,
            start_timeout=180, stop_wait=30, address="{connect_url}"),
    Program("sales-api", gunicorn("apps.sales_api.app", SALES_API_URL),
            http_ok(f"{SALES_API_URL}/health/ready"), app=True, address=SALES_API_URL,
            address_setting="SALES_API_URL"),
    Program("access-api", gunicorn("apps.access_api.app", ACCESS_API_URL),
            http_ok(f"{ACCESS_API_URL}/health/ready"), app=True, address=ACCESS_API_URL,
            address_setting="ACCESS_API_URL"),
    expiry_scheduler(),
    payment_platform(),
    smtp_server(),  # before the consumers: the notifications consumer sends through it
    billing_scheduler(),
    leads_scheduler(),
    *(consumer(name) for name in sorted(CONSUMERS)),
    storefront(),
)
NAMES = tuple(p.name for p in PROGRAMS)
APP_NAMES = tuple(p.name for p in PROGRAMS if p.app)
INFRA_NAMES = tuple(p.name for p in PROGRAMS if not p.app)


def by_name(name: str) -> Program:
    return next(p for p in PROGRAMS if p.name == name)
