"""Command line of the local stack: python -m connectors.stack up|run|down|status|logs|register."""
import argparse
import sys

from connectors.stack import foreground, kafka, lifecycle
from connectors.stack.connect import ensure_connectors
from connectors.stack.procs import StackError, say
from connectors.stack.programs import NAMES
from connectors.stack.settings import settings


def welcome() -> None:
    from apps.settings import ACCESS_API_URL, SALES_API_URL
    from connectors.stack.programs import by_name

    say(f"the shop {by_name('storefront').address}, sales API {SALES_API_URL}/docs, "
        f"access API {ACCESS_API_URL}/docs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m connectors.stack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start (or reuse) everything under supervisord, migrate, "
                                        "register connectors")
    up.add_argument("--no-connectors", action="store_true",
                    help="only start the processes: no migrations, topics or connectors")
    up.add_argument("--apps", action="store_true",
                    help="also start both APIs and the consumers")
    commands.add_parser("run", help="up --apps, the apps' logs on screen; Ctrl-C stops everything")
    commands.add_parser("register", help="only create the topics, the slots and register "
                                         "connectors/*.json")
    commands.add_parser("down", help="stop every program (apps first) and supervisord")
    commands.add_parser("status", help="one line per program (state, restarts) and connector")
    logs = commands.add_parser("logs", help="last lines of the logs")
    logs.add_argument("component", nargs="?", choices=NAMES + ("supervisord",))
    logs.add_argument("-n", "--lines", type=int, default=50)
    args = parser.parse_args(argv)

    try:
        if args.command == "up":
            lifecycle.up(settings, connectors=not args.no_connectors, apps=args.apps)
            if args.apps:
                welcome()
        elif args.command == "run":
            foreground.run(settings, after_up=welcome)
        elif args.command == "register":
            # Topics first: one a connector created by writing to it would get the broker's
            # defaults (7-day retention for access.role, which must keep everything).
            kafka.ensure_topics(settings)
            ensure_connectors(settings)
        elif args.command == "down":
            lifecycle.down(settings)
        elif args.command == "status":
            print("\n".join(lifecycle.status(settings)))
        elif args.command == "logs":
            lifecycle.logs(settings, args.component, args.lines)
    except StackError as error:
        # A newline first: the failure may interrupt a line of progress dots.
        print(f"\n[stack] error: {error}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
