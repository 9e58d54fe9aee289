"""`python -m apps.notifications.smtp_server`: the local SMTP server the stack runs (program
`smtp`), keeping every message it receives in a Maildir, `$STACK_DIR/mail/`.

A stand-in for the relay production sends through (SMTP_URL), like the fake payment platform:
it accepts every message and delivers nothing further. Read what it kept with `python -m
apps.notifications mail`. It listens where SMTP_URL points (default 127.0.0.1:8025), so the
consumer and this server agree without a second setting.
"""
import argparse
import logging
import mailbox
import signal
import smtplib
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

from aiosmtpd.controller import Controller

from apps.notifications.settings import DEV_SMTP_URL
from apps.settings import env
from apps.stack_folder import stack_dir

log = logging.getLogger(__name__)


def maildir_folder() -> Path:
    return stack_dir() / "mail"


def address() -> tuple[str, int]:
    url = urlparse(env("SMTP_URL", DEV_SMTP_URL))
    return url.hostname or "127.0.0.1", url.port or 8025


class MaildirHandler:
    """aiosmtpd's DATA hook: the message as received, after two headers naming the envelope
    (Return-Path: the sender; Delivered-To: the recipients, which Bcc would not show)."""

    def __init__(self, folder: Path):
        self.maildir = mailbox.Maildir(folder, create=True)

    async def handle_DATA(self, server, session, envelope) -> str:
        head = (f"Return-Path: <{envelope.mail_from}>\r\n"
                f"Delivered-To: {', '.join(envelope.rcpt_tos)}\r\n").encode()
        key = self.maildir.add(head + envelope.original_content)
        log.info("from %s to %s: kept as %s", envelope.mail_from, envelope.rcpt_tos, key)
        return f"250 OK: kept as {key}"


def serve(folder: Path, host: str, port: int) -> Controller:
    """Started in a thread of its own; `.stop()` ends it."""
    controller = Controller(MaildirHandler(folder), hostname=host, port=port,
                            enable_SMTPUTF8=True, ready_timeout=10)
    controller.start()
    return controller


def answers(host: str, port: int, timeout_s: float = 1.0) -> bool:
    """The health check: a NOOP answered 250."""
    try:
        with smtplib.SMTP(host, port, local_hostname="localhost", timeout=timeout_s) as smtp:
            return smtp.noop()[0] == 250
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    host, port = address()
    parser = argparse.ArgumentParser(prog="python -m apps.notifications.smtp_server",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default=host)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--maildir", type=Path, default=maildir_folder())
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        controller = serve(args.maildir, args.host, args.port)
    except (OSError, RuntimeError) as error:  # e.g. the port is taken
        log.critical("cannot listen on %s:%d: %s", args.host, args.port, error)
        return 2
    log.info("SMTP on %s:%d, keeping messages in %s", args.host, args.port, args.maildir)
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
