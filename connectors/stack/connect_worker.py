"""Kafka Connect in distributed mode, one worker, the Debezium plugin loaded via plugin.path."""
import os

import requests

from connectors.stack import jvm
from connectors.stack.procs import StackError, say, wait_until
from connectors.stack.settings import Settings

MAIN_CLASS = "org.apache.kafka.connect.cli.ConnectDistributed"
POSTGRES_CONNECTOR_CLASS = "io.debezium.connector.postgresql.PostgresConnector"


def worker_properties(settings: Settings) -> str:
    port = settings.connect_port
    return f"""# Written by connectors/stack/connect_worker.py on each start; edits are lost.
bootstrap.servers={settings.kafka_bootstrap}
group.id=stack-connect
# The REST API would otherwise listen on every interface.
listeners=http://127.0.0.1:{port}
rest.advertised.host.name=127.0.0.1
rest.advertised.port={port}
# Only the plugin folder: the Debezium jars must not sit on the worker classpath.
plugin.path={settings.plugins_dir}
# Debezium and Kafka's own plugins ship ServiceLoader manifests: no slow classpath scan.
plugin.discovery=service_load
config.storage.topic=stack-connect-configs
offset.storage.topic=stack-connect-offsets
status.storage.topic=stack-connect-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
offset.storage.partitions=3
status.storage.partitions=3
# Source offsets (the WAL position) are flushed every second, so a crash re-sends at most
# about a second of events; consumers dedupe on the `id` header anyway.
offset.flush.interval.ms=1000
# Connector configs name secrets as ${{file:<path>:<key>}} (see write_secrets).
config.providers=file
config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
"""


def get(settings: Settings, path: str, timeout: float = 5) -> requests.Response:
    return requests.get(settings.connect_url + path, timeout=timeout)


def rest_answers(settings: Settings) -> bool:
    try:
        return get(settings, "/", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def has_postgres_plugin(settings: Settings) -> bool:
    try:
        plugins = get(settings, "/connector-plugins").json()
    except (requests.RequestException, ValueError):
        return False
    return any(p.get("class") == POSTGRES_CONNECTOR_CLASS for p in plugins)


def prepare(settings: Settings) -> None:
    folder = settings.stack_dir / "connect"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "connect.properties").write_text(worker_properties(settings))
    jvm.write_log4j(folder / "log4j2.properties")
    write_secrets(settings)


def command(settings: Settings) -> list[str]:
    folder = settings.stack_dir / "connect"
    return jvm.java_command(settings, MAIN_CLASS, folder / "log4j2.properties",
                            str(folder / "connect.properties"))


def write_secrets(settings: Settings) -> None:
    """The database passwords, for connector configs to name as ${file:<this file>:<key>}.

    Connect resolves such references when it starts a task, so the config it stores (and
    returns from GET /connectors/<name>/config) holds the reference, never the password.
    """
    path = settings.connect_secrets_file
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created closed, then written: the passwords are never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("# Written by connectors/stack/connect_worker.py on each start.\n")
        f.writelines(f"{service}.password={password}\n"
                     for service, password in settings.db_passwords.items())


def wait_for_plugin(settings: Settings) -> None:
    say("connect: waiting for the Debezium PostgreSQL plugin ", end="")
    try:
        took = wait_until(lambda: has_postgres_plugin(settings), 60, what="connect plugin list")
    except StackError:
        raise StackError(f"Connect does not list {POSTGRES_CONNECTOR_CLASS}: is the plugin "
                         f"unpacked in {settings.plugins_dir}? see `logs connect`") from None
    print(f" listed ({took:.1f}s)", flush=True)
