"""`python -m apps.notifications mail | sent`: what the local SMTP server received, and what the
notifications consumer sent, refused or skipped.

    mail [--to EMAIL] [--last N] [--html]   the local server's Maildir ($STACK_DIR/mail/), each
                                            message's sender, recipients, subject, Message-ID
                                            and text part (--html: the HTML part too)
    sent [--status S] [--last N]            the sent log: sent, rejected (the relay's 5xx
                                            reply shown) or skipped (too old to send)

Database URL: NOTIFICATIONS_DATABASE_URL, else the local stack's.
"""
import argparse
import sys
from pathlib import Path

from sqlalchemy import create_engine, select

from apps.notifications.adapters.tables import sent_emails
from apps.notifications.maildir import received
from apps.notifications.smtp_server import maildir_folder
from apps.settings import database_url


def show_mail(folder: Path, to: str | None, last: int, html: bool) -> int:
    messages = received(folder, to)[-last:]
    if not messages:
        print(f"no message{' to ' + to if to else ''} in {folder}", file=sys.stderr)
        return 1
    for message in messages:
        print(f"=== {message.delivered_at:%Y-%m-%d %H:%M:%S} UTC\n"
              f"From:       {message.sender}\n"
              f"To:         {', '.join(message.recipients)}\n"
              f"Subject:    {message.subject}\n"
              f"Message-ID: {message.message_id}\n\n{message.part('plain').rstrip()}\n")
        if html:
            print(f"--- HTML part\n{message.part('html').rstrip()}\n")
    return 0


def show_sent(status: str | None, last: int) -> int:
    query = select(sent_emails).order_by(sent_emails.c.sent_at.desc()).limit(last)
    if status:
        query = query.where(sent_emails.c.status == status)
    engine = create_engine(database_url("notifications"))
    try:
        with engine.connect() as connection:
            rows = connection.execute(query).all()
    finally:
        engine.dispose()
    for row in reversed(rows):
        print(f"{row.sent_at:%Y-%m-%d %H:%M:%S} {row.status:8} {row.message_id} to "
              f"{row.recipient}: {row.subject}" + (f"\n    relay: {row.smtp_reply}"
                                                   if row.status == "rejected" else ""))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m apps.notifications", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    mail = commands.add_parser("mail", help="the local SMTP server's messages")
    mail.add_argument("--to", help="only messages to this address")
    mail.add_argument("--last", type=int, default=10, help="the N latest (default 10)")
    mail.add_argument("--html", action="store_true", help="show the HTML part too")
    mail.add_argument("--maildir", type=Path, default=maildir_folder())
    sent = commands.add_parser("sent", help="the sent log")
    sent.add_argument("--status", choices=("sent", "rejected", "skipped"))
    sent.add_argument("--last", type=int, default=20, help="the N latest (default 20)")
    args = parser.parse_args(argv)
    if args.command == "mail":
        return show_mail(args.maildir, args.to, args.last, args.html)
    return show_sent(args.status, args.last)
