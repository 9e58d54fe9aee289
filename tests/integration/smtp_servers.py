"""Private SMTP servers for the tests, on free ports: the stack's own program in a subprocess
(stopped and started again on the same port by the tests of an outage), and an in-process
aiosmtpd that refuses some recipients with a 5xx."""
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller

from apps.notifications.maildir import received
from apps.notifications.smtp_server import answers
from tests.integration.polling import wait_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpProcess:
    """`python -m apps.notifications.smtp_server` keeping messages in `maildir`."""

    def __init__(self, maildir: Path):
        self.maildir, self.port, self.process = maildir, free_port(), None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> "SmtpProcess":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "apps.notifications.smtp_server", "--host", "127.0.0.1",
             "--port", str(self.port), "--maildir", str(self.maildir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: answers("127.0.0.1", self.port), 20, "the SMTP server to answer")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)
        wait_for(lambda: not answers("127.0.0.1", self.port), 20, "the SMTP server to be gone")

    def with_id(self, message_id: str) -> list:
        return [m for m in received(self.maildir) if m.message_id == message_id]


class Refusing:
    """aiosmtpd hooks: 550 to RCPT of a recipient starting with `reject-`, else accepted."""

    def __init__(self):
        self.rcpt_attempts: Counter = Counter()
        self.accepted: list = []  # (recipients, content)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_attempts[address] += 1
        if address.startswith("reject-"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.accepted.append((tuple(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


class RefusingServer:
    def __init__(self):
        self.handler, self.port = Refusing(), free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> "RefusingServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
