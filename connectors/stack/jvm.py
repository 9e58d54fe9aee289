"""What Kafka and Kafka Connect share: the java command line and a log4j2 config."""
from pathlib import Path

from connectors.stack.settings import Settings

# Loggers that repeat whole config dumps or per-request lines at INFO, or harmless warnings.
QUIET_LOGGERS = {
    "org.apache.kafka.common.config.AbstractConfig": "WARN",
    "org.apache.kafka.common.utils.AppInfoParser": "WARN",
    "org.apache.kafka.clients": "WARN",
    "org.apache.kafka.common.metrics": "WARN",
    "org.apache.kafka.common.telemetry": "WARN",
    "org.apache.kafka.connect.runtime.rest.RestServer": "WARN",
    "org.apache.kafka.connect.runtime.isolation": "WARN",
    "org.apache.kafka.connect.runtime.WorkerSourceTask": "WARN",  # "Committing offsets" each second
    "org.eclipse.jetty": "WARN",
    "org.glassfish": "WARN",
    "org.reflections": "WARN",
    "kafka.log.LogManager": "WARN",
    "org.apache.kafka.storage.internals.log": "WARN",
    "state.change.logger": "WARN",
    "io.debezium.connector.postgresql.TypeRegistry": "ERROR",  # "Type ... is already mapped"
}


def write_log4j(path: Path) -> None:
    """Console appender only: supervisord writes stdout to logs/<component>.log (and rotates
    it), so the log also catches what the JVM prints before log4j starts (a missing class)."""
    lines = [
        "# Written by connectors/stack/jvm.py on each start; edits are lost.",
        "appender.console.type = Console",
        "appender.console.name = STDOUT",
        "appender.console.layout.type = PatternLayout",
        "appender.console.layout.pattern = [%d] %p %m (%c{1})%n",
        "rootLogger.level = INFO",
        "rootLogger.appenderRef.stdout.ref = STDOUT",
    ]
    for i, (name, level) in enumerate(QUIET_LOGGERS.items()):
        lines += [f"logger.q{i}.name = {name}", f"logger.q{i}.level = {level}"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def java_command(settings: Settings, main_class: str, log4j: Path, *args: str) -> list[str]:
    # `dir/*` is expanded by java itself; only the Kafka jars, never the Debezium plugin.
    return ["java", "-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true", f"-Dlog4j2.configurationFile={log4j}",
            "-cp", f"{settings.kafka_jars}/*", main_class, *args]
