"""Fuzzes one operation: Hypothesis draws schemathesis cases, each is sent and its response checked.

Schemathesis's own pytest integration (`schema.parametrize()`, `schemathesis.pytest.from_fixture`)
does not work under pytest 9.2: its items all get one node id, and the fixture loader writes
`Node._nodeid`, which pytest 9.2 no longer has. So the tests use its documented library API
instead: `APIOperation.as_strategy()` for cases, `Case.call()` and `Case.validate_response()`
for the checks. What that leaves out is its coverage and examples phases (fixed boundary cases
and the spec's examples), which only the integration and the command line run.
"""
import hypothesis
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.errors import FailureGroup

from tests.fuzz.config import REQUEST_TIMEOUT_S, SEED, hypothesis_settings
from tests.fuzz.tally import Tally


def fuzz_operation(operation, base_url: str, tally: Tally) -> str | None:
    """Sends the operation's cases, schema-valid and schema-breaking; returns the first failure
    (Hypothesis's smallest failing case and schemathesis's report), or None."""
    label = operation.label

    @hypothesis.settings(hypothesis_settings())
    @hypothesis.seed(f"{SEED}:{label}")  # Random() hashes a str seed with SHA-512: stable across runs
    @hypothesis.given(case=st.one_of(operation.as_strategy(generation_mode=mode)
                                     for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)))
    def send_and_check(case):
        response = case.call(base_url=base_url, timeout=REQUEST_TIMEOUT_S)
        tally.record(label, response.status_code)
        try:
            case.validate_response(response)
        except FailureGroup as group:
            for failure in group.exceptions:
                tally.record_failure(label, failure.title, failure.message)
            raise
        except AssertionError as failure:  # a single failed check
            tally.record_failure(label, getattr(failure, "title", type(failure).__name__), str(failure))
            raise

    try:
        send_and_check()
    except FailureGroup as group:
        return f"{label}: {group.message}"  # str() would add "(1 sub-exception)"
    except AssertionError as failure:
        return f"{label}: {failure}"
    return None
