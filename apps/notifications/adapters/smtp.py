"""Sending one message over SMTP with the standard library's smtplib, and what the relay said.

Two kinds of failure, told apart by the stage and the reply code (RFC 5321, 4.2.1):
- the relay cannot be reached or used now: connection refused or timed out, a greeting or
  login that fails, any 4xx: SmtpUnavailable, which the consumer treats like its database being
  away (the batch held, the partitions paused, retried with backoff; never dead-lettered). A
  failed login is here too: a wrong password must pause the mail, not mark every e-mail refused;
- the relay refuses this message (a 5xx to MAIL, RCPT or DATA): a Delivery with status
  "rejected" and the reply, recorded in the sent log and not retried.
"""
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from apps.notifications.settings import Smtp


class SmtpUnavailable(Exception):
    """The relay is away or answered 4xx: try the same e-mail again later."""


@dataclass(frozen=True)
class Delivery:
    status: str  # sent, rejected
    reply: str  # the relay's last reply, e.g. "250 OK: queued as 12345"


def said(code: int, reply: bytes | str) -> str:
    """A reply as one line of text, e.g. "550 5.1.1 mailbox unavailable"."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(f"{code} {text}".split())


class Refused(Exception):
    def __init__(self, code: int, reply: bytes | str):
        super().__init__(said(code, reply))
        self.code = code


class SmtpMailer:
    def __init__(self, settings: Smtp):
        self.settings = settings

    def deliver(self, message: EmailMessage) -> Delivery:
        sender = message["From"].addresses[0].addr_spec
        recipients = [address.addr_spec for address in message["To"].addresses]
        utf8 = not all(a.isascii() for a in (sender, *recipients))
        raw = message.as_bytes(policy=policy.SMTPUTF8 if utf8 else policy.SMTP)
        try:
            smtp = self.connect()
        except OSError as error:  # smtplib's own errors are OSErrors too
            raise self.unavailable(error) from error
        try:
            return Delivery("sent", self.transact(smtp, sender, recipients, raw, utf8))
        except Refused as refusal:
            if refusal.code < 500:
                raise SmtpUnavailable(f"the relay deferred the message: {refusal}") from None
            return Delivery("rejected", str(refusal))
        except OSError as error:
            raise self.unavailable(error) from error
        finally:
            quit_quietly(smtp)

    def unavailable(self, error: OSError) -> SmtpUnavailable:
        return SmtpUnavailable(f"SMTP {self.settings.host}:{self.settings.port}: {error!r}")

    def connect(self) -> smtplib.SMTP:
        s, host = self.settings, socket.gethostname()  # no DNS lookup, unlike getfqdn()
        if s.implicit_tls:
            smtp = smtplib.SMTP_SSL(s.host, s.port, local_hostname=host, timeout=s.timeout_s,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, local_hostname=host, timeout=s.timeout_s)
        try:
            smtp.ehlo()
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    @staticmethod
    def transact(smtp: smtplib.SMTP, sender: str, recipients: list[str], raw: bytes,
                 utf8: bool) -> str:
        """MAIL, RCPT, DATA; the final reply, or Refused with the first non-2xx one."""
        def ok(reply: tuple[int, bytes]) -> tuple[int, bytes]:
            if reply[0] >= 400:
                raise Refused(*reply)
            return reply

        try:
            ok(smtp.mail(sender, ["SMTPUTF8", "BODY=8BITMIME"] if utf8 else []))
            for recipient in recipients:
                ok(smtp.rcpt(recipient))
            code, reply = ok(smtp.data(raw))
        except smtplib.SMTPResponseException as error:  # DATA refused before the body
            raise Refused(error.smtp_code, error.smtp_error) from None
        return said(code, reply)


def quit_quietly(smtp: smtplib.SMTP) -> None:
    """QUIT after the relay's answer is known: whatever goes wrong now changes nothing about
    the message (smtplib's `with` would raise on a QUIT reply other than 221)."""
    try:
        smtp.quit()
    except OSError:
        smtp.close()
