"""The stack command names what is missing and how to fix it, without starting anything real."""
import dataclasses
import socket
import sys

import pytest

from connectors.stack import lifecycle, prereqs, supervisor
from connectors.stack.procs import StackError
from connectors.stack.programs import Program
from connectors.stack.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def settings(tmp_path):
    """Settings on free ports, so a stack running on the defaults does not interfere."""
    return dataclasses.replace(Settings.from_env(), stack_dir=tmp_path, pg_port=free_port(),
                               kafka_port=free_port(), kafka_controller_port=free_port(),
                               connect_port=free_port())


def test_a_port_taken_by_another_process_names_the_port_and_the_variable(settings):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(StackError, match=rf"port {port} \(kafka\).*KAFKA_PORT="):
            prereqs.check_ports(dataclasses.replace(settings, kafka_port=port), ours=set(), apps=list)


def test_our_own_running_component_may_hold_its_port(settings):
    with socket.socket() as ours:
        ours.bind(("127.0.0.1", 0))
        ours.listen()
        port = ours.getsockname()[1]
        prereqs.check_ports(dataclasses.replace(settings, connect_port=port), ours={"connect"}, apps=list)


def test_missing_java_without_root_names_the_package(settings, monkeypatch):
    monkeypatch.setattr(prereqs.shutil, "which", lambda name: None if name == "java" else f"/usr/bin/{name}")
    monkeypatch.setattr(prereqs.os, "geteuid", lambda: 1000)
    with pytest.raises(StackError, match="java.*apt-get install -y openjdk-17-jre-headless"):
        prereqs.check_programs(settings)


def test_missing_postgres_and_maven_are_named_together(settings, monkeypatch):
    monkeypatch.setattr(prereqs.shutil, "which", lambda name: None if name == "mvn" else f"/usr/bin/{name}")
    monkeypatch.setattr(prereqs.os, "geteuid", lambda: 1000)
    broken = dataclasses.replace(settings, pg_bin=settings.stack_dir / "no-postgres")
    with pytest.raises(StackError, match="mvn.*PostgreSQL 15.*maven postgresql-15"):
        prereqs.check_programs(broken)


def test_a_program_dying_at_start_up_is_named_with_the_tail_of_its_log(settings):
    """Under a real supervisord in a scratch folder: the failure names the program and shows
    what it printed, and the program is not left restarting in a loop."""
    argv = [sys.executable, "-c", "print('Error: could not find main class'); raise SystemExit(3)"]
    program = Program("kafka", lambda s: argv, ready=lambda s: False, app=False, start_timeout=30)
    supervisor.ensure_running(settings, [program])
    try:
        with pytest.raises(StackError, match=r"(?s)kafka exited during start-up.*could not find "
                                             r"main class"):
            lifecycle.start_program(settings, program)
        assert supervisor.info(settings, "kafka")["statename"] in {"STOPPED", "EXITED", "FATAL"}
    finally:
        supervisor.shutdown(settings)
