"""PostgreSQL 15 for the stack: its own cluster in STACK_DIR/pg, logical decoding on."""
import os
import pwd
import subprocess

import psycopg
from psycopg import sql

from connectors.stack.procs import StackError, run, say
from connectors.stack.settings import SERVICES, Settings

OS_USER = "postgres"  # initdb and postgres refuse to run as root


def data_dir(settings: Settings):
    return settings.pg_dir / "data"


def as_pg_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", OS_USER, "--", *argv] if os.geteuid() == 0 else argv


def give_to_pg_user(*paths) -> None:
    if os.geteuid() == 0:
        user = pwd.getpwnam(OS_USER)
        for path in paths:
            os.chown(path, user.pw_uid, user.pw_gid)


def service_user() -> str | None:
    """supervisord switches to this user when it runs as root."""
    return OS_USER if os.geteuid() == 0 else None


def accepts_connections(settings: Settings) -> bool:
    try:
        with psycopg.connect(settings.conninfo(), connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.OperationalError:
        return False


def init_cluster(settings: Settings) -> None:
    """initdb once: password auth everywhere, the superuser's password from a temporary file."""
    data = data_dir(settings)
    if (data / "PG_VERSION").exists():
        return
    say(f"postgres: initdb {data}")
    for folder in (settings.pg_dir, settings.pg_dir / "sock"):
        folder.mkdir(parents=True, exist_ok=True)
        give_to_pg_user(folder)
    if os.geteuid() == 0 and subprocess.call(as_pg_user(["test", "-w", str(settings.pg_dir)])) != 0:
        raise StackError(f"the {OS_USER} user cannot write {settings.pg_dir} (a parent folder is "
                         "closed to other users): set STACK_DIR to a folder it can reach, "
                         "e.g. STACK_DIR=/var/tmp/course-sales-stack")
    pwfile = settings.pg_dir / "pwfile"
    pwfile.write_text(settings.pg_superuser_password + "\n")
    give_to_pg_user(pwfile)
    try:
        run(as_pg_user([str(settings.pg_bin / "initdb"), "-D", str(data), "-U", "postgres",
                        f"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8",
                        "--locale=C.UTF-8"]), "initdb")
    finally:
        pwfile.unlink()
    with open(data / "postgresql.conf", "a") as conf:
        conf.write("\ninclude_if_exists = 'stack.conf'\n")


def write_config(settings: Settings) -> None:
    """Rewritten on every start so changed ports take effect; all of it needs a restart anyway."""
    conf = data_dir(settings) / "stack.conf"
    conf.write_text(
        "# Written by connectors/stack/postgres.py on each start; edits are lost.\n"
        "listen_addresses = '127.0.0.1'\n"
        f"port = {settings.pg_port}\n"
        f"unix_socket_directories = '{settings.pg_dir / 'sock'}'\n"
        "wal_level = logical\n"
        "max_wal_senders = 10\n"
        "max_replication_slots = 10\n"
        # An abandoned Debezium slot would otherwise keep every WAL segment forever.
        "max_slot_wal_keep_size = '1GB'\n"
        "shared_buffers = '128MB'\n")
    give_to_pg_user(conf)


def prepare(settings: Settings) -> None:
    init_cluster(settings)
    write_config(settings)


def command(settings: Settings) -> list[str]:
    # The postmaster in the foreground, logging to stderr, which supervisord captures.
    return [str(settings.pg_bin / "postgres"), "-D", str(data_dir(settings))]


def ensure_databases(settings: Settings) -> None:
    """One LOGIN REPLICATION role per service owning its database (Debezium connects as it)."""
    with psycopg.connect(settings.conninfo(), autocommit=True) as conn:
        for service in SERVICES:
            role = sql.Identifier(service)
            password = sql.Literal(settings.db_passwords[service])
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (service,)).fetchone()
            verb = sql.SQL("ALTER ROLE" if exists else "CREATE ROLE")
            # ALTER keeps an existing role in step with a changed password setting.
            conn.execute(sql.SQL("{} {} LOGIN REPLICATION PASSWORD {}").format(verb, role, password))
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (service,)).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(role, role))
    say(f"postgres: roles and databases ready ({', '.join(SERVICES)})")
