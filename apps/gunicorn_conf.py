"""gunicorn settings of both APIs: `python -m gunicorn -c apps/gunicorn_conf.py --bind HOST:PORT
--workers 2 'apps.sales_api.app:create_app()'` (or apps.access_api.app). Flags given on the
command line win over the values here.

Request line. Flask answers a request target longer than apps.web.limits.MAX_URL_BYTES (2048)
with the JSON 414 of every other error. gunicorn reads the request line first and refuses one
longer than `limit_request_line` itself, before Flask sees it; `json_error` below makes that
answer (and gunicorn's other own refusals: an oversized header, a malformed request) JSON in
the same shape too. Its limit is set to its maximum, 8190 bytes (0 would mean unlimited and
let a client make a worker buffer a line of any size).

Metrics. Each worker is a process of its own, so prometheus_client runs in multiprocess mode:
workers write their samples to files in PROMETHEUS_MULTIPROC_DIR and /metrics adds them up.
The folder defaults to `$STACK_DIR/run/metrics/<app>` (STACK_DIR as in connectors/stack,
default `.stack/`), is emptied when the master starts (samples of a previous run would be
added in), and the master marks each worker that exits as dead. The variable must be set
before a worker imports prometheus_client, which `on_starting` does; `--preload` would import
the app (and prometheus_client) in the master before that, so it needs the variable set in
the environment beforehand.
"""
import os
import sys
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

limit_request_line = 8190
worker_class = "gthread"
threads = 8  # threads, not processes: the work waits on PostgreSQL
graceful_timeout = 10
accesslog = "-"
# gunicorn 27's control socket has one default path per machine user: the APIs and the shop
# would take it from each other. Nothing here uses it (supervisord sends the signals).
control_socket_disable = True


def app_name(app_uri: str) -> str:
    """`sales-api` for `apps.sales_api.app:create_app()`; the module path for any other app."""
    module = app_uri.split(":", 1)[0]
    parts = module.split(".")
    if len(parts) == 3 and parts[0] == "apps" and parts[2] == "app":
        return parts[1].replace("_", "-")
    return module


def metrics_dir(app_uri: str, environ=os.environ) -> Path:
    if environ.get(METRICS_DIR_VARIABLE):
        return Path(environ[METRICS_DIR_VARIABLE])
    stack_dir = Path(environ.get("STACK_DIR", str(REPO_DIR / ".stack")))
    return stack_dir / "run" / "metrics" / app_name(app_uri)


def fresh_metrics_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):  # only prometheus_client's files, whatever else is there
        stale.unlink()


def on_starting(server) -> None:
    path = metrics_dir(server.app.app_uri)
    if "prometheus_client" in sys.modules and not os.environ.get(METRICS_DIR_VARIABLE):
        raise RuntimeError(f"prometheus_client was imported before {METRICS_DIR_VARIABLE} was set "
                           f"(--preload?): set {METRICS_DIR_VARIABLE}={path} in the environment")
    fresh_metrics_dir(path)
    os.environ[METRICS_DIR_VARIABLE] = str(path)  # inherited by every worker forked from now on
    server.log.info("Prometheus multiprocess folder %s", path)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_fork(server, worker) -> None:
    """Each worker dies with its master (Linux's parent-death signal).

    Without it, a master killed with SIGKILL leaves its workers holding the listening socket
    for a few seconds until they notice; the master supervisord starts in its place cannot
    bind the port meanwhile, exits, and is restarted with backoff: 12-15 s without the API
    instead of about one. Requests in flight die with the process either way; clients retry
    them with their Idempotency-Key.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        server.log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
    if os.getppid() != server.pid:  # the master died before the signal was armed
        os._exit(1)


def json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own error answer (a request line past limit_request_line, an oversized header,
    a malformed request) in the APIs' JSON error shape instead of its HTML page. Same signature
    as gunicorn.util.write_error, which gunicorn's worker calls before Flask sees the request."""
    import json

    from gunicorn import util

    body = json.dumps({"code": status_int, "status": reason, "message": mesg,
                       "errors": {"request": [mesg]}}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin1") + body)


def post_worker_init(worker) -> None:
    from gunicorn import util

    util.write_error = json_error  # gunicorn's workers call it as util.write_error(...)
