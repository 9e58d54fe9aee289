"""Small process helpers: progress output, waits with a deadline, ports, log tails, commands."""
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
