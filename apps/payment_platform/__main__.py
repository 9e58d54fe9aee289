"""`python -m apps.payment_platform [--host H] [--port P] [--db FILE]`: the fake payment platform.

One process (werkzeug's threaded server: one thread per request, so a slowed call does not hold
up the others), stopped cleanly by SIGTERM or SIGINT, as supervisord stops a program. It refuses
to start with APP_ENV=production: it approves test cards, and a real shop must never reach it.

Settings: PAYMENT_PLATFORM_PORT (default: the port of PAYMENT_PLATFORM_URL, 8090),
PAYMENT_PLATFORM_KEY / PAYMENT_PLATFORM_SECRET (the credentials it accepts; development
defaults in apps/payments/settings.py), PAYMENT_PLATFORM_DB (default
$STACK_DIR/payment-platform/charges.sqlite3), PAYMENT_WEBHOOK_URL / PAYMENT_WEBHOOK_SECRET
(where to tell the shop a subscription charge's outcome, and the signing secret: webhooks.py).
"""
import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

from werkzeug.serving import WSGIRequestHandler, make_server

from apps.payment_platform.app import create_app
from apps.payment_platform.store import Store
from apps.payment_platform.webhooks import WebhookSender
from apps.payments import settings
from apps.settings import production
from apps.stack_folder import stack_dir

log = logging.getLogger("payment-platform")


class PlainRequestLog(WSGIRequestHandler):
    """werkzeug's request lines without their terminal colours, which would land in a log file."""

    def log_request(self, code="-", size="-") -> None:
        log.info('%s "%s" %s', self.address_string(), self.requestline, getattr(code, "value", code))


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m apps.payment_platform",
                                     description="The local stand-in for the external payment platform.")
    default_port = os.environ.get("PAYMENT_PLATFORM_PORT") or urlparse(settings.platform_url()).port or 8090
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(default_port))
    parser.add_argument("--db", type=Path, default=Path(os.environ.get(
        "PAYMENT_PLATFORM_DB", str(stack_dir() / "payment-platform" / "charges.sqlite3"))))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if production():
        log.error("refusing to start with APP_ENV=production: this is a fake that approves test cards")
        return 2
    args = parse(argv)
    webhooks = WebhookSender.from_environment()
    app = create_app(Store(args.db), settings.platform_key(), settings.platform_secret(), webhooks)
    server = make_server(args.host, args.port, app, threaded=True, request_handler=PlainRequestLog)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    serving = threading.Thread(target=server.serve_forever, name="http")
    serving.start()
    log.info("fake payment platform on http://%s:%d (charges in %s; webhooks to %s)", args.host,
             server.port, args.db, webhooks.url if webhooks else "nowhere: PAYMENT_WEBHOOK_URL unset")
    stop.wait()
    server.shutdown()  # stops accepting; threads answering a slowed call end with the process
    serving.join()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
