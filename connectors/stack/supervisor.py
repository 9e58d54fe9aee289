"""supervisord runs every program of programs.py: restarts on death with backoff, rotates logs.

The stack writes supervisord's config from PROGRAMS, starts supervisord (it daemonizes) and
talks to it over XML-RPC on a unix socket in STACK_DIR/run. Programs have autostart=false:
`up` starts them one by one in list order, waiting for each to be ready (which supervisord
cannot judge); after that supervisord alone keeps them alive. Stopping everything is
supervisord's shutdown, which stops programs in reverse priority order (apps first, PostgreSQL
last) and waits for each.
"""
import os
import re
import subprocess
import sys
import xmlrpc.client
from collections import Counter

from supervisor.xmlrpc import SupervisorTransport

from connectors.stack.procs import StackError, say, wait_until
from connectors.stack.settings import REPO_DIR, Settings
from connectors.stack.supervisord_conf import config_path, main_log, render, socket_path

# supervisord's process states (supervisor.states.ProcessStates names).
UP_STATES = {"STARTING", "RUNNING"}


def rpc(settings: Settings):
    transport = SupervisorTransport(None, None, f"unix://{socket_path(settings)}")
    return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor


def answers(settings: Settings) -> bool:
    try:
        return rpc(settings).getState()["statename"] == "RUNNING"
    except (OSError, xmlrpc.client.Error):
        return False


def ensure_running(settings: Settings, programs) -> None:
    """Write the config; start supervisord, or make a running one pick up a changed config."""
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    path = config_path(settings)
    text = render(settings, programs)
    running = answers(settings)
    if running and path.exists():
        refuse_other_checkout(settings, path.read_text())
    changed = not path.exists() or path.read_text() != text
    path.write_text(text)
    if running:
        if changed:
            update(settings)
        return
    say("supervisord: starting ", end="")
    result = subprocess.run([sys.executable, "-m", "supervisor.supervisord", "-c", str(path)],
                            capture_output=True, text=True, cwd=REPO_DIR)
    if result.returncode != 0:
        raise StackError(f"supervisord did not start (exit {result.returncode}):\n"
                         f"{result.stdout}{result.stderr}see {main_log(settings)}")
    took = wait_until(lambda: answers(settings), 20, what="supervisord")
    print(f" ready ({took:.1f}s)", flush=True)


def refuse_other_checkout(settings: Settings, current_config: str) -> None:
    """Two clones sharing one STACK_DIR would otherwise swap each other's programs (every
    program's folder differs), stopping PostgreSQL and Kafka under the first clone's feet."""
    match = re.search(r"^; checkout: (.+)$", current_config, re.MULTILINE)
    if match and match.group(1) != str(REPO_DIR):
        raise StackError(f"the stack in {settings.stack_dir} runs the checkout at "
                         f"{match.group(1)}, not {REPO_DIR}: stop it from there (`make down`) "
                         "or give this checkout its own STACK_DIR and ports")


def update(settings: Settings) -> None:
    """supervisorctl's `update`: add new programs, replace changed ones, drop removed ones."""
    server = rpc(settings)
    added, changed, removed = server.reloadConfig()[0]
    for name in removed + changed:
        try:
            server.stopProcessGroup(name)
        except xmlrpc.client.Fault:
            pass
        server.removeProcessGroup(name)
    for name in changed + added:
        server.addProcessGroup(name)
    if added or changed or removed:
        say(f"supervisord: config reloaded (added {added or '-'}, changed {changed or '-'}, "
            f"removed {removed or '-'})")


def info(settings: Settings, name: str) -> dict:
    return rpc(settings).getProcessInfo(name)


def all_info(settings: Settings) -> dict[str, dict]:
    try:
        return {p["name"]: p for p in rpc(settings).getAllProcessInfo()}
    except (OSError, xmlrpc.client.Error):
        return {}


def is_up(settings: Settings, name: str) -> bool:
    return all_info(settings).get(name, {}).get("statename") in UP_STATES


def start(settings: Settings, name: str) -> None:
    """Ask supervisord to start `name` without waiting (readiness is the caller's wait)."""
    try:
        rpc(settings).startProcess(name, False)
    except xmlrpc.client.Fault as fault:
        if "ALREADY_STARTED" not in fault.faultString:
            raise StackError(f"supervisord could not start {name}: {fault.faultString}") from None


def stop(settings: Settings, name: str) -> str:
    try:
        rpc(settings).stopProcess(name, True)
        return "stopped"
    except xmlrpc.client.Fault as fault:
        if "NOT_RUNNING" in fault.faultString:
            return "not running"
        raise StackError(f"supervisord could not stop {name}: {fault.faultString}") from None
    except OSError:
        return "not running (no supervisord)"


def shutdown(settings: Settings, timeout: float = 240) -> str:
    """Stop every program (apps first, PostgreSQL last) and supervisord itself."""
    if not answers(settings):
        return "supervisord: not running"
    pid = rpc(settings).getPID()
    rpc(settings).shutdown()
    say("supervisord: stopping every program (apps first, PostgreSQL last) ", end="")
    took = wait_until(lambda: not pid_running(pid), timeout, what="supervisord shutdown")
    print(f" done ({took:.1f}s)", flush=True)
    return "supervisord: stopped"


def pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


UNEXPECTED = re.compile(r"(\S+ \S+) \w+ exited: (\S+) \((.*); not expected\)")


def restarts(settings: Settings) -> dict[str, tuple[int, str]]:
    """Per program: unexpected exits since supervisord started, and the last one's time and
    cause, read from supervisord's own log (it keeps no counter)."""
    path = main_log(settings)
    if not path.exists():
        return {}
    lines = path.read_text(errors="replace").splitlines()
    starts = [i for i, line in enumerate(lines) if "supervisord started with pid" in line]
    counts: Counter = Counter()
    last: dict[str, str] = {}
    for line in lines[starts[-1] if starts else 0:]:
        match = UNEXPECTED.search(line)
        if match:
            when, name, cause = match.groups()
            counts[name] += 1
            last[name] = f"{cause} at {when.split(',')[0].split(' ')[1]}"
    return {name: (counts[name], last[name]) for name in counts}


def wait_ready(settings: Settings, program, timeout: float | None = None) -> float:
    """Wait until `program.ready`; fail fast when supervisord reports it died meanwhile."""
    def alive() -> bool:
        state = all_info(settings).get(program.name, {}).get("statename")
        return state in UP_STATES

    return wait_until(lambda: program.ready(settings), timeout or program.start_timeout, alive,
                      what=program.name)
