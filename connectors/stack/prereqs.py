"""Step 1 and 2 of `up`: check the machine has what the stack needs, fetch the JVM jars."""
import os
import shutil
from urllib.parse import urlparse

from connectors.stack.procs import StackError, port_in_use, run_streaming, say
from connectors.stack.settings import REPO_DIR, Settings

POSTGRES_PROGRAMS = ("initdb", "pg_ctl", "postgres")
POSTGRES_CONNECTOR = "debezium-connector-postgres"


def jars_present(settings: Settings) -> bool:
    return (any(settings.kafka_jars.glob("kafka_2.13-*.jar"))
            and any(settings.kafka_jars.glob("connect-runtime-*.jar"))
            and (settings.plugins_dir / POSTGRES_CONNECTOR).is_dir())


def missing_packages(settings: Settings) -> list[tuple[str, str]]:
    """(what is missing, the Debian package that provides it)."""
    missing = []
    if shutil.which("java") is None:
        missing.append(("java", "openjdk-17-jre-headless"))
    # Maven is only needed to fetch the jars; a warm cache can run without it.
    if not jars_present(settings) and shutil.which("mvn") is None:
        missing.append(("mvn", "maven"))
    absent = [p for p in POSTGRES_PROGRAMS if not (settings.pg_bin / p).exists()]
    if absent:
        missing.append((f"PostgreSQL 15 ({settings.pg_bin}/{absent[0]})", "postgresql-15"))
    return missing


def check_programs(settings: Settings) -> None:
    """Install missing Debian packages when we may (root with apt-get), else name the fix."""
    missing = missing_packages(settings)
    if not missing:
        return
    packages = [package for _, package in missing]
    what = ", ".join(name for name, _ in missing)
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise StackError(f"{what} missing: install with `sudo apt-get install -y "
                         f"{' '.join(packages)}` (or set PG_BIN to PostgreSQL's bin folder)")
    say(f"packages: {what} missing; installing {' '.join(packages)} with apt-get")
    run_streaming(["apt-get", "update", "-q"], "apt-get update")
    run_streaming(["apt-get", "install", "-y", "-q", *packages],
                  f"apt-get install {' '.join(packages)}",
                  env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    still = missing_packages(settings)
    if still:
        raise StackError(f"still missing after apt-get: {', '.join(n for n, _ in still)}")


def api_ports() -> list[tuple[str, int, str]]:
    """The ports of our own processes (APIs, consumers' and schedulers' health servers), from
    the one list of programs."""
    from connectors.stack.programs import PROGRAMS

    return [(p.name, urlparse(p.address).port, p.address_setting)
            for p in PROGRAMS if p.app and p.address]


def check_ports(settings: Settings, ours: set[str], apps=api_ports) -> None:
    """Fail when a port is taken by something other than our own running program.

    `ours` holds the names of the programs our supervisord runs right now.
    """
    ports = [
        ("postgres", settings.pg_port, "PG_PORT"),
        ("kafka", settings.kafka_port, "KAFKA_PORT"),
        ("kafka", settings.kafka_controller_port, "KAFKA_CONTROLLER_PORT"),
        ("connect", settings.connect_port, "CONNECT_PORT"),
        *apps(),
    ]
    for program, port, variable in ports:
        if program not in ours and port_in_use(port):
            raise StackError(f"port {port} ({program}) is taken by another process: "
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
