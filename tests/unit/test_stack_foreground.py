"""`make run`'s output survives its reader going away (Ctrl-C on `make run | tee` kills tee)."""
import os

from connectors.stack.foreground import SafeOutput


def test_writing_to_a_pipe_whose_reader_is_gone_is_silent():
    read_end, write_end = os.pipe()
    os.close(read_end)
    out = SafeOutput(os.fdopen(write_end, "w", buffering=1))
    out.write("stopping ...\n")  # EPIPE: swallowed, and every later write is dropped
    out.flush()
    assert out.write("stopped\n") == len("stopped\n")
    assert out.stream is None


def test_writes_reach_a_live_stream(capsys):
    import sys

    out = SafeOutput(sys.stdout)
    out.write("hello\n")
    out.flush()
    assert capsys.readouterr().out == "hello\n"
