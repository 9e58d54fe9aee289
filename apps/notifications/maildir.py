"""Reading the messages a Maildir holds (the local SMTP server's), oldest first."""
from dataclasses import dataclass
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path


@dataclass(frozen=True)
class Received:
    delivered_at: datetime
    sender: str  # the envelope's (Return-Path)
    recipients: tuple[str, ...]  # the envelope's (Delivered-To)
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"] or "")

    def part(self, subtype: str) -> str:
        """The text/<subtype> body, decoded ("" when there is none)."""
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None else ""


def received(folder: Path, to: str | None = None) -> list[Received]:
    """The messages in `folder` (new/ and cur/), oldest delivery first; with `to`, only those
    whose envelope names that recipient."""
    found = []
    for path in [*sorted(folder.glob("new/*")), *sorted(folder.glob("cur/*"))]:
        try:
            raw, delivered = path.read_bytes(), path.stat().st_mtime
        except FileNotFoundError:  # moved from new/ to cur/ by a mail reader meanwhile
            continue
        message = message_from_bytes(raw, policy=policy.default)
        recipients = tuple(r.strip().lower() for r in str(message["Delivered-To"] or "").split(",")
                           if r.strip())
        if to is None or to.strip().lower() in recipients:
            found.append(Received(datetime.fromtimestamp(delivered, timezone.utc),
                                  str(message["Return-Path"] or "").strip("<>"), recipients,
                                  message))
    return sorted(found, key=lambda r: r.delivered_at)
