"""What Kafka and Kafka Connect share: the java command line, a log4j2 config, start and stop."""
from pathlib import Path

from connectors.stack import procs
from connectors.stack.procs import StackError, say, tail, wait_until
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
    """Console appender only: stdout is redirected into logs/<component>.log, so the log also
    catches what the JVM prints before log4j starts (a missing class, an OOM)."""
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


def running_pid(settings: Settings, component: str, main_class: str) -> int | None:
    return procs.read_pid(settings.pid_file(component), main_class)


def start(settings: Settings, component: str, argv: list[str], ready, timeout: float) -> None:
    """Launch detached, then wait for `ready()`; on death or timeout show the log's tail."""
    log = settings.log_file(component)
    say(f"{component}: starting ", end="")
    proc = procs.spawn(argv, log, settings.pid_file(component), cwd=settings.stack_dir)
    try:
        took = wait_until(ready, timeout, lambda: proc.poll() is None, component)
    except StackError as error:
        print(f"--- last 30 lines of {log}")
        print("\n".join(tail(log, 30)))
        if proc.poll() is not None:
            raise StackError(f"{error} (exit code {proc.returncode}), see {log}") from None
        raise
    print(f" ready ({took:.1f}s, pid {proc.pid})", flush=True)


def stop(settings: Settings, component: str, main_class: str, timeout: float) -> str:
    pid = running_pid(settings, component, main_class)
    if not pid:
        return f"{component}: not running"
    outcome = procs.stop(pid, main_class, timeout)
    settings.pid_file(component).unlink(missing_ok=True)
    return f"{component}: {outcome} (pid {pid})"


def status(settings: Settings, component: str, main_class: str, address: str, answers,
           what: str = "answering") -> str:
    pid = running_pid(settings, component, main_class)
    if not pid:
        return f"{component}: stopped"
    state = what if answers() else f"NOT {what}"
    return f"{component}: running pid {pid}, {address}, {state}"


def reuse_running(settings: Settings, component: str, main_class: str, address: str,
                  answers) -> bool:
    """True when our process already runs and answers; a running but mute one is an error."""
    pid = running_pid(settings, component, main_class)
    if not pid:
        return False
    if not answers():
        raise StackError(f"{component} runs (pid {pid}) but does not answer on {address}; "
                         f"see `logs {component}`")
    say(f"{component}: running (pid {pid}), reused")
    return True
