"""The fuzzer's knobs, all environment variables, and the settings they make.

FUZZ_SEED (default 20261122) seeds the generation (each operation's seed is derived from it and
the operation); FUZZ_EXAMPLES bounds the requests per operation, schema-valid and schema-breaking
ones together; FUZZ_OUTPUT names the JSON report (fuzz-results.json at the repository root,
git-ignored).

FUZZ_EXAMPLES is a knob between depth and the time `make test` takes. The run is sequential and
costs about 25 ms of CPU a request (some 20 drawing and checking the case here, 5 in the API):
that on a quiet 2-core machine, several times it while other work loads the machine. 150 an
operation (37 operations, 5550 requests) took 7.75 min on the loaded machine, about 2.5 min of
CPU; the default 50 (43 operations, 2142 requests) took 3 min at a load average of 5, 52 s of
this process's CPU, and each operation the all-real mix reaches (mixes.py) still gets its 2xx
(at 30 some got none or one; at 50 the subscription's status and plan changes get one each).
`FUZZ_EXAMPLES=150 python -m pytest tests/fuzz` is the longer run, e.g. after changing a schema.
"""
import os
from pathlib import Path

import hypothesis
import schemathesis

REPO = Path(__file__).resolve().parents[2]
SEED = int(os.environ.get("FUZZ_SEED", "20261122"))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
OUTPUT = Path(os.environ.get("FUZZ_OUTPUT", REPO / "fuzz-results.json"))
# Hypothesis keeps caches (its character tables, constants it found in the code) in .hypothesis/
# of the working directory even without an example database; this keeps them with pytest's.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(REPO / ".pytest_cache" / "hypothesis"))
# Checked on every response: no 5xx; status code, content type, headers and body as the spec
# documents them for that status.
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance")
REQUEST_TIMEOUT_S = 10


def schemathesis_config() -> schemathesis.Config:
    """Only CHECKS run (`Case.validate_response` without arguments runs the enabled ones)."""
    return schemathesis.Config.from_dict({
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        # A failure's curl line shows the credentials it sent: the development service key and
        # the session's test API key (revoked at the end), and a credential may be the cause.
        "output": {"sanitization": {"enabled": False}},
    })


def hypothesis_settings() -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=EXAMPLES,
        database=None,  # a run depends on the seed alone and writes nothing to disk
        deadline=None,  # response times vary with the machine; they are not under test here
        # Strategies for JSON bodies and headers are slow to draw on a small machine: that is not
        # the API's fault. The bound on examples keeps the run short anyway.
        suppress_health_check=[hypothesis.HealthCheck.too_slow],
        # Schemathesis's failure report (with a curl line) is the message; Hypothesis's own
        # "Falsifying example" printout would repeat it as a Python repr.
        verbosity=hypothesis.Verbosity.quiet,
        print_blob=False,
    )
