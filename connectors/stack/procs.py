"""Background processes: start detached, pid files, liveness, graceful stop, waits, log tails."""
import os
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from pathlib import Path


class StackError(Exception):
    """A start-up step failed; the message says what and how to fix it."""


def say(message: str, end: str = "\n") -> None:
    print(f"[stack] {message}", end=end, flush=True)


def tail(path: Path, lines: int) -> list[str]:
    if not path.exists():
        return [f"({path} does not exist)"]
    with open(path, errors="replace") as f:
        return [line.rstrip("\n") for line in deque(f, maxlen=lines)]


def wait_until(ready, timeout: float, alive=lambda: True, what: str = "") -> float:
    """Poll `ready()` until true, printing a dot a second; returns the seconds it took.

    `alive()` lets the caller notice a process that died during start-up instead of
    waiting out the whole deadline.
    """
    start = time.monotonic()
    last_dot = start
    while True:
        if ready():
            return time.monotonic() - start
        if not alive():
            print(" died", flush=True)
            raise StackError(f"{what} exited during start-up")
        now = time.monotonic()
        if now - start > timeout:
            print(" timed out", flush=True)
            raise StackError(f"{what} not ready after {timeout:.0f}s")
        if now - last_dot >= 1:
            print(".", end="", flush=True)
            last_dot = now
        time.sleep(0.2)


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def pid_alive(pid: int, marker: str = "") -> bool:
    """True when `pid` runs and its command line contains `marker` (guards against pid reuse)."""
    try:
        os.kill(pid, 0)
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        with open(f"/proc/{pid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                return False  # a zombie child of this very process
    except (OSError, IndexError):
        return False
    return marker in cmdline


def read_pid(pid_file: Path, marker: str) -> int | None:
    """The pid recorded in `pid_file` if that process still runs, else None."""
    try:
        pid = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if pid_alive(pid, marker) else None


def spawn(argv: list[str], log_file: Path, pid_file: Path, cwd: Path) -> subprocess.Popen:
    """Start `argv` detached in its own session, stdout+stderr appended to `log_file`."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        log.write(f"\n===== started {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        log.flush()
        # Own session: Ctrl-C in the shell that ran `up` must not kill the stack, and `down`
        # can signal the whole process group.
        proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    pid_file.write_text(f"{proc.pid}\n")
    return proc


def stop(pid: int, marker: str, timeout: float) -> str:
    """SIGTERM the process group, wait up to `timeout`, then SIGKILL. Returns how it ended."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return "already gone"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid, marker):
            return "stopped"
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return "stopped"
    return f"killed after {timeout:.0f}s"


def run(argv: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    """Run a short command; on failure raise with its output."""
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()[-30:]
        raise StackError(f"{what} failed (exit {result.returncode}):\n" + "\n".join(output))
    return result


def run_streaming(argv: list[str], what: str, cwd: Path | None = None, env=None) -> None:
    """Run a long command whose own progress output the user should see."""
    sys.stdout.flush()
    code = subprocess.call(argv, cwd=cwd, env=env)
    if code != 0:
        raise StackError(f"{what} failed (exit {code})")
