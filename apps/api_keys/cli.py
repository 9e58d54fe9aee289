"""`python -m apps.api_keys create | revoke | list`: manage the services' API keys.

`create` prints the key on stdout, alone, once (KEY=$(python -m apps.api_keys create ...) works);
everything else goes to stderr. Only its SHA-256 is stored, so a lost key is revoked and replaced.
"""
import argparse
import sys

from apps.api_keys import keys, services
from apps.api_keys.scopes import UnknownScope, known


def scope(value: str) -> str:
    try:
        return known([value])[0]
    except UnknownScope as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def chosen(service: str) -> tuple[str, ...]:
    return services.SERVICES if service == "all" else (service,)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m apps.api_keys", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    for name, help_text in (("create", "create a key and print it once"),
                            ("revoke", "revoke a key at once, by its id"),
                            ("list", "ids, names, scopes, dates; never digests")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--service", choices=(*services.SERVICES, "all"), default="all",
                             help="whose database (default: all)")
        if name == "create":
            command.add_argument("--name", required=True, help="who or what holds the key")
            command.add_argument("--scope", type=scope, action="append", required=True,
                                 dest="scopes", metavar="SCOPE",
                                 help="repeat for each scope")
        if name == "revoke":
            command.add_argument("key_id", help="the id shown by list (or the key itself)")
    return root


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return run(args)
    except services.Unreachable as error:
        print(f"api_keys: {error}", file=sys.stderr)
        return 3


def run(args) -> int:
    where = chosen(args.service)
    if args.command == "create":
        key = services.create(where, args.name, known(args.scopes))
        print(f"created key {key.id} ({args.name}; {' '.join(known(args.scopes))}) in "
              f"{', '.join(where)}; it is shown once, store it now:", file=sys.stderr)
        print(key.key)
        return 0
    if args.command == "revoke":
        key_id = keys.key_id(args.key_id) or args.key_id
        revoked = services.revoke(where, key_id)
        for service in where:
            state = "revoked" if service in revoked else "no live key with this id"
            print(f"{service}: {key_id} {state}", file=sys.stderr)
        return 0 if revoked else 1
    listed = services.listed(where)
    print("\t".join(("service", "id", "name", "scopes", "created", "revoked", "last_used")))
    for service, rows in listed.items():
        for row in rows:
            print("\t".join((service, row.id, row.name, ",".join(row.scopes), stamp(row.created_at),
                             stamp(row.revoked_at), stamp(row.last_used_at))))
    return 0


def stamp(when) -> str:
    return f"{when:%Y-%m-%d %H:%M:%S%z}" if when else "-"
