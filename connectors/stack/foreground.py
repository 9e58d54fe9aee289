"""`make run`: everything up, the apps' logs on screen, and Ctrl-C stops everything.

Ctrl-C must stop the stack also when the output goes through a pipe (`make run | tee run.log`):
the terminal's SIGINT reaches `tee` too, which exits, and every later write of ours would then
raise BrokenPipeError in the middle of stopping. So output goes through `SafeOutput`, which
drops what can no longer be written, and stopping never depends on the terminal.
"""
import io
import signal
import sys
import time

from connectors.stack import lifecycle
from connectors.stack.programs import APP_NAMES
from connectors.stack.procs import say
from connectors.stack.settings import Settings


class SafeOutput(io.TextIOBase):
    """stdout that turns a closed reader (EPIPE) into silence instead of an exception."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> int:
        if self.stream is not None:
            try:
                self.stream.write(text)
            except (BrokenPipeError, OSError, ValueError):
                self.stream = None
        return len(text)

    def flush(self) -> None:
        if self.stream is not None:
            try:
                self.stream.flush()
            except (BrokenPipeError, OSError, ValueError):
                self.stream = None


def follow_logs(settings: Settings, names=APP_NAMES) -> None:
    """Print new lines of the apps' logs until interrupted."""
    files = {}
    for name in names:
        path = settings.log_file(name)
        path.touch()
        f = open(path, errors="replace")
        f.seek(0, 2)
        files[name] = (path, f)
    while True:
        quiet = True
        for name, (path, f) in list(files.items()):
            for line in f.readlines():
                quiet = False
                print(f"{name:>22} | {line}", end="", flush=True)
            if path.exists() and path.stat().st_size < f.tell():  # rotated by supervisord
                f.close()
                files[name] = (path, open(path, errors="replace"))
        if quiet:
            time.sleep(0.3)


def run(settings: Settings, after_up=None) -> None:
    def stop(*_):
        raise KeyboardInterrupt

    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, stop)
    # Explicitly: a shell without job control starts background commands with SIGINT ignored,
    # and Python then never raises KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.stdout = SafeOutput(sys.stdout)
    sys.stderr = SafeOutput(sys.stderr)
    try:
        lifecycle.up(settings, apps=True)
        if after_up:
            after_up()
        say("running (Ctrl-C stops everything; `make status` in another shell shows restarts)")
        follow_logs(settings)
    except KeyboardInterrupt:
        print(flush=True)
        say("stopping ...")
    finally:
        # A second Ctrl-C (or tee's end) must not cut the stop short.
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, signal.SIG_IGN)
        lifecycle.down(settings)
