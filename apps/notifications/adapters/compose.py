"""An Email becomes a MIME message: a plain-text and an HTML part from the cause's templates.

The customer's data reaches the HTML part escaped (Jinja2's autoescape for *.html), the text
part as it is, and the headers only through email.headerregistry: each header value is first
made one line (a name holding CR/LF cannot start a header of its own), then the library quotes
or encodes it. Bodies are quoted-printable, so the message is plain ASCII on the wire unless an
address itself is not (then it needs the relay's SMTPUTF8).
"""
from datetime import datetime, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from apps.notifications.domain.emails import Email, one_line

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@lru_cache(maxsize=1)
def templates() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                       autoescape=select_autoescape(enabled_extensions=("html",),
                                                    default_for_string=True),
                       keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


def compose(email: Email, sender: Address, now: datetime | None = None) -> EmailMessage:
    message = EmailMessage(policy=policy.SMTP)
    message["Message-ID"] = email.message_id
    message["Date"] = format_datetime(now or datetime.now(timezone.utc))
    message["From"] = sender
    message["To"] = Address(display_name=one_line(email.name), addr_spec=email.recipient)
    message["Subject"] = one_line(email.subject)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to this
    context = {**email.context, "subject": one_line(email.subject)}
    message.set_content(templates().get_template(f"{email.template}.txt").render(context),
                        cte="quoted-printable")
    message.add_alternative(templates().get_template(f"{email.template}.html").render(context),
                            subtype="html", cte="quoted-printable")
    return message
