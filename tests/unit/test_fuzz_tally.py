"""The fuzzer's counts (tests/fuzz/tally.py): what the lead quotes and what the 2xx check reads."""
import json

from tests.fuzz.tally import Tally, write_report


def test_counts_add_up_failures_count_once_and_operations_without_a_2xx_are_named(tmp_path):
    tally = Tally("sales", {"GET /a": True, "POST /b": True, "GET /c": False})
    for operation, status in [("GET /a", 200), ("GET /a", 422), ("POST /b", 404), ("GET /c", 404)]:
        tally.record(operation, status)
    tally.record_failure("POST /b", "Server error", "first")
    tally.record_failure("POST /b", "Server error", "shrunk")  # the same failure, replayed

    assert tally.without_success() == ["POST /b"]  # GET /c documents no 2xx
    assert tally.line() == "sales API: 3 operations, 4 requests (2xx 1, 4xx 3), 1 failures"
    write_report(tmp_path / "r.json", [tally], {"seed": 1})
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["apis"]["sales"]["failure_details"] == {"POST /b: Server error": "first"}
    assert report["apis"]["sales"]["by_operation"]["GET /a"] == {"200": 1, "422": 1}
