"""Step 1 and 2 of `up`: check the machine has what the stack needs, fetch the JVM jars."""
import shutil

from connectors.stack.procs import StackError, port_in_use, run_streaming, say
from connectors.stack.settings import REPO_DIR, Settings

POSTGRES_PROGRAMS = ("initdb", "pg_ctl", "postgres")
POSTGRES_CONNECTOR = "debezium-connector-postgres"


def jars_present(settings: Settings) -> bool:
    return (any(settings.kafka_jars.glob("kafka_2.13-*.jar"))
            and any(settings.kafka_jars.glob("connect-runtime-*.jar"))
            and (settings.plugins_dir / POSTGRES_CONNECTOR).is_dir())


def check_programs(settings: Settings) -> None:
    """Fail with the package to install for the first missing program."""
    if shutil.which("java") is None:
        raise StackError("java is not on PATH: apt-get install -y openjdk-17-jre-headless")
    # Maven is only needed to fetch the jars; a warm cache (CI) can run without it.
    if not jars_present(settings) and shutil.which("mvn") is None:
        raise StackError("mvn is not on PATH and the jars are not fetched yet: "
                         "apt-get install -y maven")
    for program in POSTGRES_PROGRAMS:
        if not (settings.pg_bin / program).exists():
            raise StackError(f"PostgreSQL program {settings.pg_bin / program} is missing: "
                             "apt-get install -y postgresql (or set PG_BIN to its bin folder)")


def check_ports(settings: Settings, ours: dict[str, bool]) -> None:
    """Fail when a port is taken by something other than our own running component.

    `ours` maps component -> whether our pid file points at a live process of that component.
    """
    ports = [
        ("postgres", settings.pg_port, "PG_PORT"),
        ("kafka", settings.kafka_port, "KAFKA_PORT"),
        ("kafka", settings.kafka_controller_port, "KAFKA_CONTROLLER_PORT"),
        ("connect", settings.connect_port, "CONNECT_PORT"),
    ]
    for component, port, variable in ports:
        if not ours.get(component) and port_in_use(port):
            raise StackError(f"port {port} ({component}) is taken by another process: "
                             f"stop it or choose another port with {variable}=...")


def fetch_jars(settings: Settings) -> None:
    """Download Kafka, Connect and the Debezium plugin through Maven (cached in ~/.m2)."""
    if jars_present(settings):
        say(f"jars: present in {settings.jars_dir}")
        return
    say(f"jars: fetching Kafka + Debezium into {settings.jars_dir} with mvn")
    # overWriteReleases: the unpack goal otherwise trusts its marker in connectors/target and
    # skips unpacking the plugin into a new or emptied jars folder.
    run_streaming(["mvn", "-B", "-f", str(REPO_DIR / "connectors" / "pom.xml"),
                   f"-Dstack.jars={settings.jars_dir}", "-Dmdep.overWriteReleases=true", "package"],
                  "mvn package (connectors/pom.xml)", cwd=REPO_DIR)
    if not jars_present(settings):
        raise StackError(f"mvn finished but {settings.jars_dir} lacks the Kafka or plugin jars")
